#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "amp/error.hpp"
#include "amp/json/reader.hpp"
#include "amp/json/writer.hpp"

using amp::Json;
using amp::json::parse;
using amp::json::to_line;
using amp::json::to_pretty;

namespace {

const std::filesystem::path signed_dir = AMP_SHARED_DIR "/conformance/signed";

std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    REQUIRE(file);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

std::string pretty_rejection_of(const Json& value) {
    try {
        to_pretty(value);
    } catch (const amp::Error& error) {
        return error.what();
    }
    return "(accepted)";
}

}  // namespace

TEST_CASE("to_pretty indents by two spaces", "[json]") {
    const Json document = parse(R"({"name":"QuietStone","version":"1.0","tags":["ops",1,{"b":true,"a":null}],
        "empty_object":{},"empty_array":[],"nested":{"z":{"y":[[]]}}})",
                                "persona.json");
    CHECK(to_pretty(document) ==
          "{\n"
          "  \"name\": \"QuietStone\",\n"
          "  \"version\": \"1.0\",\n"
          "  \"tags\": [\n"
          "    \"ops\",\n"
          "    1,\n"
          "    {\n"
          "      \"b\": true,\n"
          "      \"a\": null\n"
          "    }\n"
          "  ],\n"
          "  \"empty_object\": {},\n"
          "  \"empty_array\": [],\n"
          "  \"nested\": {\n"
          "    \"z\": {\n"
          "      \"y\": [\n"
          "        []\n"
          "      ]\n"
          "    }\n"
          "  }\n"
          "}\n");
}

TEST_CASE("to_pretty writes scalars and empties", "[json]") {
    CHECK(to_pretty(Json::object()) == "{}\n");
    CHECK(to_pretty(Json::array()) == "[]\n");
    CHECK(to_pretty(Json(42)) == "42\n");
    CHECK(to_pretty(Json("text")) == "\"text\"\n");
    CHECK(to_pretty(Json(nullptr)) == "null\n");
    CHECK(to_pretty(Json(false)) == "false\n");
}

TEST_CASE("writer escapes only required characters", "[json]") {
    const Json document = {{"caf\u00E9 \U0001F602", "tab\there \"quoted\" back\\slash \x01 \u2028 </script>"}};
    const std::string expected_member =
        "\"caf\u00E9 \U0001F602\": \"tab\\there \\\"quoted\\\" back\\\\slash \\u0001 \u2028 </script>\"";
    CHECK(to_pretty(document) == "{\n  " + expected_member + "\n}\n");

    std::string line_member = expected_member;
    line_member.erase(line_member.find(": ") + 1, 1);
    CHECK(to_line(document) == "{" + line_member + "}");
}

TEST_CASE("writer prints floats in shortest round-trip form", "[json]") {
    const std::vector<std::pair<double, std::string>> cases = {
        {0.4, "0.4"},
        {1.0, "1.0"},
        {100.0, "100.0"},
        {-2.0, "-2.0"},
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1e20, "100000000000000000000.0"},
        {1e21, "1e+21"},
        {1.5e-7, "1.5e-7"},
        {0.000001, "0.000001"},
        {std::numeric_limits<double>::denorm_min(), "5e-324"},
        {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
    };
    for (const auto& [value, expected] : cases) {
        INFO("expected: " << expected);
        CHECK(to_line(Json(value)) == expected);
        CHECK(to_pretty(Json(value)) == expected + "\n");

        const Json reread = parse(expected, "test.json");
        CHECK(reread.is_number_float());
        CHECK(reread.get<double>() == value);
    }
}

TEST_CASE("writer output of source numbers is stable", "[json]") {
    const Json first = parse(R"({"empathy":0.40,"logic":1.0,"count":7,"big":1E21,"tiny":15e-8,"zero":-0})",
                             "persona.json");
    const std::string written = to_pretty(first);
    CHECK(written ==
          "{\n"
          "  \"empathy\": 0.4,\n"
          "  \"logic\": 1.0,\n"
          "  \"count\": 7,\n"
          "  \"big\": 1e+21,\n"
          "  \"tiny\": 1.5e-7,\n"
          "  \"zero\": 0\n"
          "}\n");

    const Json second = parse(written, "persona.json");
    CHECK(second == first);
    CHECK(second["logic"].is_number_float());
    CHECK(second["count"].is_number_integer());
    CHECK(to_pretty(second) == written);
    CHECK(to_line(second) == R"({"empathy":0.4,"logic":1.0,"count":7,"big":1e+21,"tiny":1.5e-7,"zero":0})");
}

TEST_CASE("to_line writes compact ordered lines", "[json]") {
    const Json entry = parse(R"({"event_type": "Note", "text": "checked",
        "nested": {"b": [1, 2.5, true, null], "a": {}}, "prev_hash": "genesis", "ts": "2026-04-01T09:00:00Z"})",
                             "audit.jsonl");
    CHECK(to_line(entry) ==
          R"({"event_type":"Note","text":"checked","nested":{"b":[1,2.5,true,null],"a":{}},)"
          R"("prev_hash":"genesis","ts":"2026-04-01T09:00:00Z"})");
    CHECK(to_line(Json::array()) == "[]");
    CHECK(to_line(Json("a\nb")) == "\"a\\nb\"");
}

TEST_CASE("writer round trips the signed fixtures", "[json]") {
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(signed_dir)) {
        const std::string name = entry.path().filename().string();
        if (!name.ends_with(".signed.json")) continue;
        INFO("file: " << name);

        const Json original = amp::json::read_file(entry.path());
        const std::string pretty = to_pretty(original);
        const Json reread = parse(pretty, name);
        CHECK(reread == original);
        CHECK(reread.dump() == original.dump());
        CHECK(to_pretty(reread) == pretty);
        CHECK(parse(to_line(original), name) == original);
        ++files;
    }
    CHECK(files == 4);

    // This fixture was written with 2-space indentation by another tool, and
    // the writer reproduces it byte for byte.
    const auto path = signed_dir / "quiet_stone_v1.signed.json";
    CHECK(to_pretty(amp::json::read_file(path)) == read_bytes(path));
}

TEST_CASE("writer rejects unreadable values", "[json]") {
    CHECK(pretty_rejection_of(Json(std::numeric_limits<double>::quiet_NaN())) ==
          "cannot write the number nan: JSON cannot represent it");
    CHECK(pretty_rejection_of(Json::array({std::numeric_limits<double>::infinity()})) ==
          "cannot write the number inf: JSON cannot represent it");
    CHECK(pretty_rejection_of(Json(std::int64_t{9007199254740992})) ==
          "cannot write integer 9007199254740992: it is outside ±(2^53-1), the range amp's reader accepts");
    CHECK(pretty_rejection_of(Json(std::numeric_limits<std::uint64_t>::max())) ==
          "cannot write integer 18446744073709551615: it is outside ±(2^53-1), the range amp's reader accepts");
    CHECK(pretty_rejection_of(Json{{"name", "bad \xff"}}) == "string is not valid UTF-8 (byte 0xff at offset 4)");
    CHECK(pretty_rejection_of(Json{{"bad \xff", 1}}) == "string is not valid UTF-8 (byte 0xff at offset 4)");
    CHECK_THROWS_AS(to_line(Json(std::numeric_limits<double>::infinity())), amp::Error);
    CHECK(to_line(Json(std::int64_t{-9007199254740991})) == "-9007199254740991");
    CHECK(to_line(Json(std::uint64_t{9007199254740991})) == "9007199254740991");
}
