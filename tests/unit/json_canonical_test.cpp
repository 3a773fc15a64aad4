#include <catch2/catch.hpp>

#include <bit>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "amp/crypto/sha256.hpp"
#include "amp/error.hpp"
#include "amp/json/canonical.hpp"
#include "amp/json/reader.hpp"

using amp::Json;
using amp::json::canonicalize;
using amp::json::format_number;
using Catch::Matchers::Contains;

namespace {

const std::filesystem::path jcs_dir = AMP_SHARED_DIR "/conformance/jcs";
const std::filesystem::path signed_dir = AMP_SHARED_DIR "/conformance/signed";

std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    REQUIRE(file);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

std::string rejection_of(const Json& value) {
    try {
        canonicalize(value);
    } catch (const amp::Error& error) {
        return error.what();
    }
    return "(accepted)";
}

std::string canonical_of(std::string_view text) { return canonicalize(amp::json::parse(text, "test.json")); }

}  // namespace

TEST_CASE("canonical form matches every JCS vector", "[json]") {
    std::size_t vectors = 0;
    for (const auto& entry : std::filesystem::directory_iterator(jcs_dir)) {
        const std::string name = entry.path().filename().string();
        if (!name.ends_with(".input.json")) continue;
        const std::string stem = name.substr(0, name.size() - std::string_view(".input.json").size());
        INFO("vector: " << stem);

        const Json input = amp::json::read_file(entry.path());
        const std::string expected = read_bytes(jcs_dir / (stem + ".expected.json"));

        // The expected files hold the canonical bytes and nothing else: no
        // trailing newline, which RFC 8785 output never has.
        REQUIRE_FALSE(expected.empty());
        CHECK(expected.back() != '\n');
        CHECK(canonicalize(input) == expected);
        ++vectors;
    }
    CHECK(vectors == 6);
}

TEST_CASE("format_number matches 10000 vectors", "[json]") {
    std::ifstream csv(jcs_dir / "numbers-10k.csv");
    REQUIRE(csv);

    std::size_t lines = 0;
    std::vector<std::string> failures;
    std::string line;
    while (std::getline(csv, line)) {
        ++lines;
        const std::size_t comma = line.find(',');
        REQUIRE(comma != std::string::npos);

        std::uint64_t bits = 0;
        const auto parsed = std::from_chars(line.data(), line.data() + comma, bits, 16);
        REQUIRE(parsed.ec == std::errc());
        REQUIRE(parsed.ptr == line.data() + comma);

        const std::string expected = line.substr(comma + 1);
        const std::string actual = format_number(std::bit_cast<double>(bits));
        if (actual != expected) failures.push_back(line + " formatted as " + actual);
    }

    CHECK(lines == 10000);
    for (std::size_t i = 0; i < failures.size() && i < 20; ++i) UNSCOPED_INFO(failures[i]);
    CHECK(failures.empty());
}

TEST_CASE("format_number follows the ECMAScript rules", "[json]") {
    const std::vector<std::pair<double, std::string>> cases = {
        {0.0, "0"},
        {-0.0, "0"},
        {1.0, "1"},
        {-1.0, "-1"},
        {56.0, "56"},
        {0.1, "0.1"},
        {0.1 + 0.2, "0.30000000000000004"},
        {333333333.33333329, "333333333.3333333"},
        {4.5, "4.5"},
        {0.002, "0.002"},
        {1e20, "100000000000000000000"},
        {1.5e20, "150000000000000000000"},
        {1e21, "1e+21"},
        {1.5e21, "1.5e+21"},
        {1e30, "1e+30"},
        {123456789012345680000.0, "123456789012345680000"},
        {0.000001, "0.000001"},
        {0.0000015, "0.0000015"},
        {1e-7, "1e-7"},
        {1.5e-7, "1.5e-7"},
        {-1.5e-7, "-1.5e-7"},
        {1e-27, "1e-27"},
        {9007199254740991.0, "9007199254740991"},
        {9007199254740992.0, "9007199254740992"},
        {std::numeric_limits<double>::denorm_min(), "5e-324"},
        {-std::numeric_limits<double>::denorm_min(), "-5e-324"},
        {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
        {std::numeric_limits<double>::min(), "2.2250738585072014e-308"},
    };
    for (const auto& [value, expected] : cases) {
        INFO("expected: " << expected);
        CHECK(format_number(value) == expected);
    }
}

TEST_CASE("format_number rejects non-finite numbers", "[json]") {
    CHECK_THROWS_AS(format_number(std::numeric_limits<double>::quiet_NaN()), amp::Error);
    CHECK_THROWS_AS(format_number(std::numeric_limits<double>::infinity()), amp::Error);
    CHECK_THROWS_WITH(format_number(-std::numeric_limits<double>::infinity()),
                      "cannot canonicalize the number -inf: RFC 8785 allows only finite numbers");
    CHECK_THAT(rejection_of(Json::array({1, std::numeric_limits<double>::quiet_NaN()})),
               Contains("RFC 8785 allows only finite numbers"));
}

TEST_CASE("canonical form sorts by UTF-16 units", "[json]") {
    // U+FB33 is one code unit (0xFB33); U+1F602 starts with 0xD83D, so it
    // sorts first although its UTF-8 bytes (F0 ...) are greater (EF ...).
    CHECK(canonical_of(R"({"\ufb33":1,"\ud83d\ude02":2})") == "{\"\U0001F602\":2,\"\uFB33\":1}");
    CHECK(canonical_of(R"({"\ue000":1,"\ud800\udc00":2,"\ud7ff":3})") ==
          "{\"\uD7FF\":3,\"\U00010000\":2,\"\uE000\":1}");
    CHECK(canonical_of(R"({"\uffff":1,"\udbff\udfff":2})") == "{\"\U0010FFFF\":2,\"\uFFFF\":1}");
    CHECK(canonical_of(R"({"\ud83d\ude03":1,"\ud83d\ude02":2})") == "{\"\U0001F602\":2,\"\U0001F603\":1}");
    CHECK(canonical_of(R"({"ab":1,"a":2,"":3,"B":4,"\u00e9":5,"e":6})") ==
          "{\"\":3,\"B\":4,\"a\":2,\"ab\":1,\"e\":6,\"\u00E9\":5}");
    CHECK(canonical_of(R"({"a\u00e9":1,"a\u0080":2,"a\u007f":3})") ==
          "{\"a\x7f\":3,\"a\u0080\":2,\"a\u00E9\":1}");
}

TEST_CASE("canonical form sorts nested objects", "[json]") {
    CHECK(canonical_of(R"({"b":[3,1,{"z":1,"y":[{"d":0,"c":0}]}],"a":{"b":0,"a":0}})") ==
          R"({"a":{"a":0,"b":0},"b":[3,1,{"y":[{"c":0,"d":0}],"z":1}]})");
    CHECK(canonical_of(" [ 1 , { } , [ ] , \"\" ] ") == R"([1,{},[],""])");
}

TEST_CASE("canonical form escapes minimally", "[json]") {
    std::string controls;
    for (int byte = 0; byte < 0x20; ++byte) controls += static_cast<char>(byte);
    CHECK(canonicalize(Json(controls)) ==
          "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
          "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d"
          "\\u001e\\u001f\"");

    CHECK(canonicalize(Json("quote \" backslash \\ slash / del \x7f")) ==
          "\"quote \\\" backslash \\\\ slash / del \x7f\"");
    CHECK(canonicalize(Json("line separator \u2028 paragraph \u2029 euro \u20AC smiley \U0001F602")) ==
          "\"line separator \u2028 paragraph \u2029 euro \u20AC smiley \U0001F602\"");
    CHECK(canonicalize(Json{{"\x1f", "</script>"}}) == "{\"\\u001f\":\"</script>\"}");
}

TEST_CASE("canonical form writes literals and integers", "[json]") {
    CHECK(canonicalize(Json::array({true, false, nullptr})) == "[true,false,null]");
    CHECK(canonicalize(Json(0)) == "0");
    CHECK(canonicalize(Json(-42)) == "-42");
    CHECK(canonicalize(Json(std::int64_t{9007199254740991})) == "9007199254740991");
    CHECK(canonicalize(Json(std::int64_t{-9007199254740991})) == "-9007199254740991");
    CHECK(canonicalize(Json(std::uint64_t{9007199254740991})) == "9007199254740991");
    CHECK(canonicalize(Json(56.0)) == "56");
}

TEST_CASE("canonical form rejects values it cannot represent", "[json]") {
    CHECK(rejection_of(Json(std::int64_t{9007199254740992})) ==
          "cannot canonicalize integer 9007199254740992: it is outside ±(2^53-1), so no double holds it exactly");
    CHECK_THAT(rejection_of(Json(std::numeric_limits<std::int64_t>::min())),
               Contains("cannot canonicalize integer -9223372036854775808"));
    CHECK_THAT(rejection_of(Json(std::numeric_limits<std::uint64_t>::max())),
               Contains("cannot canonicalize integer 18446744073709551615"));
    CHECK(rejection_of(Json("bad \xff byte")) == "string is not valid UTF-8 (byte 0xff at offset 4)");
    CHECK(rejection_of(Json{{"name \xc0\xaf", 1}}) == "string is not valid UTF-8 (byte 0xc0 at offset 5)");
    CHECK(rejection_of(Json("surrogate \xed\xa0\x80")) == "string is not valid UTF-8 (byte 0xed at offset 10)");
    CHECK(rejection_of(Json("cut \xe2\x82")) == "string is not valid UTF-8 (byte 0xe2 at offset 4)");
    CHECK(rejection_of(Json::binary({1, 2})) == "cannot canonicalize a JSON value of type binary");
}

TEST_CASE("canonical payloads match fixture digests", "[json]") {
    // These documents were signed by an independent RFC 8785 implementation,
    // so equal digests show that both produce the same canonical bytes.
    const std::vector<std::string> files = {
        "quiet_stone_v1.signed.json", "quiet_stone_v02.signed.json", "edge_canonicalization.signed.json",
        "no_authority.signed.json",   "reordered_whitespace.json",   "schema_uri_changed.json",
        "byte_order_mark.json",
    };
    for (const std::string& file : files) {
        INFO("file: " << file);
        const Json document = amp::json::read_file(signed_dir / file);
        const Json& signature = document.at("signature");

        Json payload = Json::object();
        for (const Json& field : signature.at("signed_fields")) {
            const std::string name = field.get<std::string>();
            payload[name] = document.at(name);
        }
        CHECK(amp::crypto::sha256_tagged(canonicalize(payload)) == signature.at("digest").get<std::string>());
    }
}

TEST_CASE("canonicalize_members equals canonicalizing a copy with only those members", "[json]") {
    const amp::Json document = amp::json::parse(
        R"({"zeta":1,"signature":{"value":"x"},"\u00e9":[1.5,"a"],"alpha":{"b":2,"a":1},"a\ud83d\ude00":null})", "doc");
    amp::Json copy = document;
    copy.erase("signature");

    const std::string direct =
        amp::json::canonicalize_members(document, [](const std::string& name) { return name != "signature"; });
    CHECK(direct == amp::json::canonicalize(copy));
    CHECK(direct == R"({"alpha":{"a":1,"b":2},"a😀":null,"zeta":1,"é":[1.5,"a"]})");

    CHECK(amp::json::canonicalize_members(document, [](const std::string&) { return false; }) == "{}");
    CHECK_THROWS(amp::json::canonicalize_members(amp::Json::array(), [](const std::string&) { return true; }));
}
