#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "amp/error.hpp"
#include "amp/json/canonical.hpp"
#include "amp/json/reader.hpp"

#include "temp_dir.hpp"

using amp::Json;
using amp::json::parse;
using amp::json::read_file;
using amp::json::ReadLimits;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

const std::filesystem::path signed_dir = AMP_SHARED_DIR "/conformance/signed";


// Returns the message of the amp::Error that parsing `text` throws, or
// "(accepted)" when the text parses.
std::string rejection_of(std::string_view text, const ReadLimits& limits = {}) {
    try {
        parse(text, "test.json", limits);
    } catch (const amp::Error& error) {
        return error.what();
    }
    return "(accepted)";
}

std::string read_rejection_of(const std::filesystem::path& path, const ReadLimits& limits = {}) {
    try {
        read_file(path, limits);
    } catch (const amp::Error& error) {
        return error.what();
    }
    return "(accepted)";
}

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

using amp::testing::TempDir;

struct Rejection {
    std::string input;
    std::string location;  // "LINE:COLUMN"
    std::string fragment;
};

void check_rejections(const std::vector<Rejection>& cases) {
    for (const Rejection& rejection : cases) {
        INFO("input: " << rejection.input);
        const std::string message = rejection_of(rejection.input);
        CHECK_THAT(message, StartsWith("test.json:" + rejection.location + ": "));
        CHECK_THAT(message, Contains(rejection.fragment));
    }
}

}  // namespace

TEST_CASE("reader accepts RFC 8259 documents", "[json]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {" {\"a\" : [1, 2.5, -0, true, false, null, \"x\"] } \r\n\t", R"({"a":[1,2.5,0,true,false,null,"x"]})"},
        {"[]", "[]"},
        {"{}", "{}"},
        {"[[[]], {}]", "[[[]],{}]"},
        {"0", "0"},
        {"-0", "0"},
        {"-0.0", "0"},
        {"\"text\"", "\"text\""},
        {"null", "null"},
        {"true", "true"},
        {"1E+2", "100"},
        {"1e-2", "0.01"},
        {"9007199254740991", "9007199254740991"},
        {"-9007199254740991", "-9007199254740991"},
        {"9007199254740993.0", "9007199254740992"},
        {"1e21", "1e+21"},
        {"1.5e-7", "1.5e-7"},
        {"5e-324", "5e-324"},
        {"1.7976931348623157e308", "1.7976931348623157e+308"},
        {R"("\u00e9\ud83d\ude02\/\b\f\n\r\t\"\\")", "\"\u00e9\U0001F602/\\b\\f\\n\\r\\t\\\"\\\\\""},
        {R"("\u0000")", R"("\u0000")"},
        {"\"\x7f\"", "\"\x7f\""},
        // UTF-8 at the edges of each sequence length and around the surrogates.
        {"\"\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\"",
         "\"\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\""},
        {R"({"a":{"b":1},"b":{"a":2}})", R"({"a":{"b":1},"b":{"a":2}})"},
        {R"({"a":1,"A":2,"a ":3})", R"({"A":2,"a":1,"a ":3})"},
    };
    for (const auto& [input, canonical] : cases) {
        INFO("input: " << input);
        CHECK(amp::json::canonicalize(parse(input, "test.json")) == canonical);
    }
}

TEST_CASE("reader stores integers and floats apart", "[json]") {
    const Json integer = parse("9007199254740991", "test.json");
    CHECK(integer.is_number_integer());
    CHECK(integer.get<std::int64_t>() == 9007199254740991);

    const Json negative_zero = parse("-0", "test.json");
    CHECK(negative_zero.is_number_integer());
    CHECK(negative_zero.get<std::int64_t>() == 0);

    const Json one = parse("1.0", "test.json");
    CHECK(one.is_number_float());
    CHECK(one.get<double>() == 1.0);

    CHECK(parse("1e21", "test.json").is_number_float());
    CHECK(parse("1e21", "test.json").get<double>() == 1e21);
    CHECK(parse("5e-324", "test.json").get<double>() == std::numeric_limits<double>::denorm_min());
    CHECK(parse("0.30000000000000004", "test.json").get<double>() == 0.1 + 0.2);
    CHECK(parse("0.1", "test.json").get<double>() == 0.1);
    CHECK(std::signbit(parse("-0.0", "test.json").get<double>()));
}

TEST_CASE("reader keeps member order", "[json]") {
    const Json document = parse(R"({"zeta":1,"alpha":2,"mid":{"b":1,"a":2}})", "test.json");
    CHECK(document.dump() == R"({"zeta":1,"alpha":2,"mid":{"b":1,"a":2}})");
}

TEST_CASE("reader rejects grammar errors", "[json]") {
    check_rejections({
        {"", "1:1", "document is empty"},
        {"  \n  ", "2:3", "document is empty"},
        {"[1,2,]", "1:6", "trailing comma before ']'"},
        {R"({"a":1,})", "1:8", "trailing comma before '}'"},
        {"[1 2]", "1:4", "expected ',' or ']' after an element in an array, found '2'"},
        {R"({"a":1 "b":2})", "1:8", "expected ',' or '}' after a member in an object"},
        {R"({"a" 1})", "1:6", "expected ':' after member name \"a\", found '1'"},
        {"{a:1}", "1:2", "expected a member name in double quotes, found 'a'"},
        {"{,}", "1:2", "expected a member name in double quotes, found ','"},
        {"[,1]", "1:2", "expected a JSON value, found ','"},
        {"['a']", "1:2", "strings must be enclosed in double quotes"},
        {"[1] // note", "1:5", "unexpected '/' after the end of the JSON value"},
        {"/* note */ 1", "1:1", "comments are not allowed in JSON"},
        {"[1,/* note */2]", "1:4", "comments are not allowed in JSON"},
        {"1 2", "1:3", "unexpected '2' after the end of the JSON value"},
        {"[1]]", "1:4", "unexpected ']' after the end of the JSON value"},
        {"tru", "1:1", "invalid literal (expected true, false or null)"},
        {"nul", "1:1", "invalid literal"},
        {"True", "1:1", "expected a JSON value, found 'T'"},
        {"[true false]", "1:7", "expected ',' or ']'"},
        {"[1,\f2]", "1:4", "control character 0x0c (only space, tab, line feed and carriage return"},
        {"[\xC2\xA0" "1]", "1:2", "character U+00A0"},
        {"[1,\xEF\xBB\xBF" "2]", "1:4", "byte order mark (U+FEFF), which is allowed only at the start"},
        {"{\n  \"a\": 1,\n  \"b\": tru\n}", "3:8", "invalid literal"},
        {"{\r\n  \"a\": x\r\n}", "2:8", "expected a JSON value, found 'x'"},
    });
}

TEST_CASE("reader rejects truncated documents", "[json]") {
    check_rejections({
        {"[1,2", "1:5", "unexpected end of input inside an array (opened at line 1, column 1)"},
        {"{\"a\":[1,\n{\"b\":2", "2:7", "unexpected end of input inside an object (opened at line 2, column 1)"},
        {"{", "1:2", "unexpected end of input inside an object (opened at line 1, column 1)"},
        {"[", "1:2", "unexpected end of input, expected a JSON value"},
        {R"({"a")", "1:5", "unexpected end of input, expected ':' after a member name"},
        {R"({"a":)", "1:6", "unexpected end of input, expected a JSON value"},
        {"\"abc", "1:5", "unexpected end of input inside a string (the string starts at line 1, column 1)"},
        {"[\"abc\\", "1:7", "unexpected end of input inside a string (the string starts at line 1, column 2)"},
        {"\"\\u00", "1:6", "unexpected end of input inside a string"},
    });
}

TEST_CASE("reader rejects numbers outside the rules", "[json]") {
    check_rejections({
        {"01", "1:1", "leading zeros are not allowed in numbers"},
        {"-01", "1:1", "leading zeros are not allowed in numbers"},
        {"[00]", "1:2", "leading zeros are not allowed in numbers"},
        {"NaN", "1:1", "NaN and Infinity are not allowed in JSON"},
        {"[Infinity]", "1:2", "NaN and Infinity are not allowed in JSON"},
        {"-Infinity", "1:1", "NaN and Infinity are not allowed in JSON"},
        {"+1", "1:1", "a number must not start with '+'"},
        {".5", "1:1", "a number must start with a digit, not '.'"},
        {"1.", "1:3", "expected a digit after the decimal point"},
        {"1.e5", "1:3", "expected a digit after the decimal point"},
        {"1e", "1:3", "expected a digit in the exponent"},
        {"1e+", "1:4", "expected a digit in the exponent"},
        {"-", "1:2", "expected a digit after '-'"},
        {"- 1", "1:2", "expected a digit after '-'"},
        {"9007199254740992", "1:1", "integer 9007199254740992 is outside ±(2^53-1)"},
        {"[-9007199254740992]", "1:2", "integer -9007199254740992 is outside ±(2^53-1)"},
        {"123456789012345678901234567890", "1:1", "integer 123456789012345678901234567890 is outside ±(2^53-1)"},
        {"1e400", "1:1", "number 1e400 is too large for a double"},
        {"[-1e400]", "1:2", "number -1e400 is too large for a double"},
        {"1.8e308", "1:1", "number 1.8e308 is too large for a double"},
        {"1e-400", "1:1", "number 1e-400 is too small for a double (it would round to 0)"},
        {"0." + std::string(400, '0') + "1", "1:1", "is too small for a double"},
        {"1" + std::string(100, '0') + "e400", "1:1",
         "number 1" + std::string(59, '0') + "... is too large for a double"},
    });
}

TEST_CASE("reader rejects bad strings and escapes", "[json]") {
    check_rejections({
        {"\"a\nb\"", "1:3", "control character 0x0a inside a string must be written as an escape"},
        {"\"a\tb\"", "1:3", "control character 0x09 inside a string"},
        {"[\"\x01\"]", "1:3", "control character 0x01 inside a string"},
        {R"("\x")", "1:2", "invalid escape sequence \\x"},
        {R"("\'")", "1:2", "invalid escape sequence \\'"},
        {R"("\U0041")", "1:2", "invalid escape sequence \\U"},
        {R"("\u12")", "1:2", "invalid \\u escape: expected 4 hex digits after \\u"},
        {R"("\u12G4")", "1:2", "invalid \\u escape: expected 4 hex digits after \\u"},
        {R"("\ud800")", "1:2", "unpaired UTF-16 surrogate \\ud800 (no low surrogate follows)"},
        {R"(["ab\ud800x"])", "1:5", "unpaired UTF-16 surrogate \\ud800"},
        {R"("\ud800\u0041")", "1:2", "unpaired UTF-16 surrogate \\ud800 (followed by \\u0041"},
        {R"("\ud800\ud800")", "1:2", "unpaired UTF-16 surrogate \\ud800"},
        {R"("\udc00")", "1:2", "unpaired UTF-16 surrogate \\udc00"},
        {R"("\ude02\ud83d")", "1:2", "unpaired UTF-16 surrogate \\ude02"},
        {R"("\uDBFF\n")", "1:2", "unpaired UTF-16 surrogate \\udbff"},
    });
}

TEST_CASE("reader rejects invalid UTF-8 anywhere", "[json]") {
    check_rejections({
        {"\"\xFF\"", "1:2", "invalid UTF-8 byte 0xff"},
        {"\"\xFE\"", "1:2", "invalid UTF-8 byte 0xfe"},
        {"\"\xF5\x80\x80\x80\"", "1:2", "invalid UTF-8 byte 0xf5"},
        {"\"\x80\"", "1:2", "invalid UTF-8 byte 0x80 (a continuation byte without a lead byte)"},
        {"\"\xC0\xAF\"", "1:2", "invalid UTF-8 byte 0xc0 (it can only start an overlong encoding)"},
        {"\"\xC1\xBF\"", "1:2", "invalid UTF-8 byte 0xc1"},
        {"\"\xE0\x80\xAF\"", "1:2", "overlong UTF-8 encoding 0xe0 0x80"},
        {"\"\xF0\x82\x82\xAC\"", "1:2", "overlong UTF-8 encoding 0xf0 0x82"},
        {"\"\xED\xA0\x80\"", "1:2", "UTF-8 encoded surrogate 0xed 0xa0"},
        {"\"\xED\xBF\xBF\"", "1:2", "UTF-8 encoded surrogate 0xed 0xbf"},
        {"\"\xF4\x90\x80\x80\"", "1:2", "UTF-8 sequence 0xf4 0x90 encodes a code point above U+10FFFF"},
        {"\"\xE2\x82\"", "1:2", "truncated UTF-8 sequence: lead byte 0xe2 is followed by 0x22"},
        {"\"\xF0\x9F\x98\"", "1:2", "truncated UTF-8 sequence: lead byte 0xf0 is followed by 0x22"},
        {"\"\xE2\x82", "1:2", "truncated UTF-8 sequence: input ends after lead byte 0xe2"},
        {"{\"na\xFFme\":1}", "1:5", "invalid UTF-8 byte 0xff"},
        {"\xFF", "1:1", "invalid UTF-8 byte 0xff"},
        {"[1]\xC0", "1:4", "invalid UTF-8 byte 0xc0"},
        {"[1,\xED\xA0\x80]", "1:4", "UTF-8 encoded surrogate"},
    });
}

TEST_CASE("reader rejects duplicate member names", "[json]") {
    check_rejections({
        {R"({"a":1,"a":2})", "1:8",
         "duplicate member name \"a\", first defined at line 1, column 2 (a signed document must not repeat a name)"},
        {R"({"a":1,"\u0061":2})", "1:8", "duplicate member name \"a\", first defined at line 1, column 2"},
        {"{\"\\ud83d\\ude02\":1,\"\xF0\x9F\x98\x82\":2}", "1:19",
         "duplicate member name \"\xF0\x9F\x98\x82\", first defined at line 1, column 2"},
        {"{\n  \"role\": 1,\n  \"role\": 2\n}", "3:3",
         "duplicate member name \"role\", first defined at line 2, column 3"},
        {R"({"x":{"a":1},"y":{"a":1,"b":{"a":1},"a":3}})", "1:37",
         "duplicate member name \"a\", first defined at line 1, column 19"},
        {R"({"a\nb":1,"a\u000ab":2})", "1:11", "duplicate member name \"a\\u000ab\""},
    });
}

TEST_CASE("reader finds duplicates in large objects", "[json]") {
    std::string document = "{";
    for (int i = 0; i < 1000; ++i) document += "\"m" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    std::string unique = document;
    unique.back() = '}';
    CHECK(parse(unique, "test.json").size() == 1000);

    document += "\"m17\":0}";
    const std::string message = rejection_of(document);
    CHECK_THAT(message, Contains("duplicate member name \"m17\", first defined at line 1, column "));
    CHECK_THAT(message, StartsWith("test.json:1:" + std::to_string(unique.size() + 1) + ": "));
}

TEST_CASE("reader parses a 100,000-member object", "[json]") {
    std::string document = "{";
    for (int i = 0; i < 100000; ++i) {
        if (i > 0) document += ',';
        document += "\"member-" + std::to_string(i) + "\":" + std::to_string(i);
    }
    document += '}';

    // Speed is measured by bench programs, not asserted here; this checks the
    // hash-indexed duplicate detection gives the same answers on a large object.
    const Json parsed = parse(document, "test.json");

    CHECK(parsed.size() == 100000);
    CHECK(parsed["member-99999"] == 99999);
}

TEST_CASE("reader skips a leading byte order mark", "[json]") {
    const Json with_mark = parse("\xEF\xBB\xBF{\"a\":1}", "test.json");
    CHECK(with_mark == parse("{\"a\":1}", "test.json"));

    // Columns count from the first byte after the mark.
    check_rejections({
        {"\xEF\xBB\xBF[1,]", "1:4", "trailing comma before ']'"},
        {"\xEF\xBB\xBF", "1:1", "document is empty"},
        {"\xEF\xBB\xBF\xEF\xBB\xBF{}", "1:1", "byte order mark (U+FEFF), which is allowed only at the start"},
        {"\xEF\xBB{}", "1:1", "truncated UTF-8 sequence: lead byte 0xef is followed by 0x7b"},
        {" \xEF\xBB\xBF{}", "1:2", "byte order mark"},
    });
}

TEST_CASE("reader enforces the depth limit", "[json]") {
    ReadLimits limits;
    limits.max_depth = 5;
    CHECK(parse(nested_arrays(5), "test.json", limits) == Json::parse("[[[[[]]]]]"));
    CHECK(parse(R"({"a":{"a":[{"a":[]}]}})", "test.json", limits).is_object());

    const std::string too_deep = rejection_of(nested_arrays(6), limits);
    CHECK_THAT(too_deep, StartsWith("test.json:1:6: "));
    CHECK_THAT(too_deep, Contains("nesting depth exceeds the limit of 5 (max_depth)"));

    const std::string too_deep_objects = rejection_of(R"({"a":{"a":[{"a":[{}]}]}})", limits);
    CHECK_THAT(too_deep_objects, StartsWith("test.json:1:18: "));
    CHECK_THAT(too_deep_objects, Contains("nesting depth exceeds the limit of 5"));

    // The default limit.
    CHECK(parse(nested_arrays(128), "test.json").is_array());
    const std::string default_limit = rejection_of(nested_arrays(129));
    CHECK_THAT(default_limit, StartsWith("test.json:1:129: "));
    CHECK_THAT(default_limit, Contains("nesting depth exceeds the limit of 128"));
}

TEST_CASE("reader handles deep nesting without recursion", "[json]") {
    ReadLimits limits;
    limits.max_depth = 200000;
    const Json parsed = parse(nested_arrays(200000), "test.json", limits);

    std::size_t depth = 0;
    const Json* level = &parsed;
    while (level->is_array() && !level->empty()) {
        level = &(*level)[0];
        ++depth;
    }
    CHECK(depth == 199999);
}

TEST_CASE("reader enforces the document size limit", "[json]") {
    ReadLimits limits;
    limits.max_document_bytes = 10;
    CHECK(parse("[1,2,3,45]", "test.json", limits).size() == 4);

    const std::string message = rejection_of("[1,2,3,456]", limits);
    CHECK(message == "test.json:1:1: document is 11 bytes, over the limit of 10 bytes (max_document_bytes)");
}

TEST_CASE("reader errors carry exit code 3", "[json]") {
    try {
        parse("[1,]", "persona.json");
        FAIL("parse accepted a trailing comma");
    } catch (const amp::Error& error) {
        CHECK(std::string(error.what()) == "persona.json:1:4: trailing comma before ']'");
        CHECK(error.code() == amp::ExitCode::failure);
    }
}

TEST_CASE("read_file names the file in errors", "[json]") {
    const TempDir directory;
    const auto good = directory.write("persona.json", "{\n  \"name\": \"QuietStone\"\n}\n");
    CHECK(read_file(good) == Json{{"name", "QuietStone"}});

    const auto bad = directory.write("bad.json", "{\n  \"name\": \"QuietStone\",\n}\n");
    CHECK(read_rejection_of(bad) == bad.string() + ":3:1: trailing comma before '}'");

    const auto missing = directory.path() / "missing.json";
    CHECK(read_rejection_of(missing) == "cannot read " + missing.string() + ": No such file or directory");

    CHECK(read_rejection_of(directory.path()) == "cannot read " + directory.path().string() + ": Is a directory");

    ReadLimits limits;
    limits.max_document_bytes = 10;
    const auto large = directory.write("large.json", "[1,2,3,456]");
    CHECK(read_rejection_of(large, limits) ==
          large.string() + ":1:1: document is 11 bytes, over the limit of 10 bytes (max_document_bytes)");
    const auto at_limit = directory.write("at_limit.json", "[1,2,3,45]");
    CHECK(read_file(at_limit, limits).size() == 4);
}

TEST_CASE("reader rejects refused signed fixtures", "[json]") {
    const std::vector<Rejection> cases = {
        {"duplicate_key.json", "6:3", "duplicate member name \"role\", first defined at line 5, column 3"},
        {"integer_out_of_range.json", "5:15", "integer 9007199254740993 is outside ±(2^53-1)"},
        {"lone_surrogate.json", "4:22", "unpaired UTF-16 surrogate \\ud800"},
        {"truncated.json", "61:12", "unexpected end of input inside a string"},
    };
    for (const Rejection& rejection : cases) {
        const auto path = signed_dir / rejection.input;
        INFO("file: " << path);
        const std::string message = read_rejection_of(path);
        CHECK_THAT(message, StartsWith(path.string() + ":" + rejection.location + ": "));
        CHECK_THAT(message, Contains(rejection.fragment));
    }
}

TEST_CASE("reader follows fixture verdicts", "[json]") {
    std::ifstream verdicts(signed_dir / "verdicts.tsv");
    REQUIRE(verdicts);

    std::size_t rejected = 0;
    std::size_t accepted = 0;
    std::string line;
    while (std::getline(verdicts, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string file;
        std::string verdict;
        std::getline(fields, file, '\t');
        std::getline(fields, verdict, '\t');
        INFO("file: " << file << ", verdict: " << verdict);

        const std::string message = read_rejection_of(signed_dir / file);
        if (verdict == "reject") {
            CHECK(message != "(accepted)");
            ++rejected;
        } else {
            CHECK(message == "(accepted)");
            ++accepted;
        }
    }
    CHECK(rejected == 4);
    CHECK(accepted == 11);
}

TEST_CASE("reader accepts signed and BOM fixtures", "[json]") {
    std::size_t signed_files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(signed_dir)) {
        const std::string name = entry.path().filename().string();
        if (!name.ends_with(".signed.json")) continue;
        INFO("file: " << name);
        const Json document = read_file(entry.path());
        CHECK(document.contains("signature"));
        ++signed_files;
    }
    CHECK(signed_files == 4);

    const Json with_mark = read_file(signed_dir / "byte_order_mark.json");
    CHECK(with_mark["name"] == "QuietStone");
}

