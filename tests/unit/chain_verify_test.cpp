#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "amp/audit/chain_verify.hpp"
#include "amp/error.hpp"
#include "amp/store/chain.hpp"
#include "amp/store/files.hpp"

#include "temp_dir.hpp"

namespace fs = std::filesystem;
using amp::Json;
using amp::audit::ChainReport;
using amp::audit::DamageKind;
using amp::audit::verify_chain;
using amp::audit::VerifyOptions;
using amp::store::line_hash;

namespace {

using amp::testing::TempDir;

std::string time_at(int second) { return fmt::format("2026-04-01T09:{:02}:{:02}Z", second / 60, second % 60); }

// Writes a real chain of `count` entries through ChainAppender; entry i has
// state_rev i and a ts i seconds after 09:00:00. Returns its lines.
std::vector<std::string> build_log(const fs::path& log, int count) {
    amp::store::ChainAppender appender(log, fs::path(log).replace_extension(".torn"));
    std::vector<std::string> lines;
    for (int i = 0; i < count; ++i) {
        Json entry = Json::object();
        entry["event_type"] = "Note";
        entry["text"] = fmt::format("note {}", i);
        entry["state_rev"] = i;
        entry["prev_hash"] = appender.head();
        entry["ts"] = time_at(i);
        lines.push_back(appender.append(entry));
    }
    appender.sync();
    return lines;
}

// A compact entry linked to `prev_hash`, for building damaged logs by hand.
std::string entry_line(const std::string& prev_hash, const std::string& ts, const std::string& text = "hand made") {
    Json entry = Json::object();
    entry["event_type"] = "Note";
    entry["text"] = text;
    entry["prev_hash"] = prev_hash;
    entry["ts"] = ts;
    return entry.dump();
}

void write_lines(const fs::path& path, const std::vector<std::string>& lines, const std::string& tail = "") {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const auto& line : lines) out << line << '\n';
    out << tail;
    REQUIRE(out.good());
}

// A copy, so that it outlives a temporary report.
amp::audit::ChainDamage damage_of(const ChainReport& report) {
    REQUIRE(report.first_damage.has_value());
    return *report.first_damage;
}

// A log of 10 entries where line `index` (0-based) is replaced by `line`, the rest untouched.
ChainReport verify_with_line(const TempDir& dir, std::size_t index, const std::string& line,
                             const VerifyOptions& options = {}) {
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 10);
    lines.at(index) = line;
    write_lines(log, lines);
    return verify_chain(log, options);
}

}  // namespace

TEST_CASE("verify accepts an intact chain", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    const auto lines = build_log(log, 25);

    const ChainReport report = verify_chain(log);

    CHECK(report.intact());
    CHECK(report.entries == 25);
    CHECK(report.bytes == fs::file_size(log));
    CHECK(report.head == line_hash(lines.back()));
}

TEST_CASE("verify accepts an empty log", "[chain]") {
    TempDir dir;
    write_lines(dir / "agent.audit.jsonl", {});

    const ChainReport report = verify_chain(dir / "agent.audit.jsonl");

    CHECK(report.intact());
    CHECK(report.entries == 0);
    CHECK(report.bytes == 0);
    CHECK(report.head == "genesis");
}

TEST_CASE("verify names a missing log", "[chain]") {
    TempDir dir;
    try {
        verify_chain(dir / "absent.audit.jsonl");
        FAIL("verified a missing file");
    } catch (const amp::Error& error) {
        CHECK_THAT(error.what(), Catch::Contains((dir / "absent.audit.jsonl").string()));
        CHECK_THAT(error.what(), Catch::Contains("No such file or directory"));
    }
}

TEST_CASE("verify records heads at requested counts", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    const auto lines = build_log(log, 10);
    VerifyOptions options;
    options.heads_at = {7, 0, 1, 10, 11, 7};

    const ChainReport report = verify_chain(log, options);

    CHECK(report.heads_at.size() == 4);
    CHECK(report.heads_at.at(0) == "genesis");
    CHECK(report.heads_at.at(1) == line_hash(lines[0]));
    CHECK(report.heads_at.at(7) == line_hash(lines[6]));
    CHECK(report.heads_at.at(10) == line_hash(lines[9]));
    CHECK(report.heads_at.count(11) == 0);
}

TEST_CASE("verify finds an edited entry", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 10);
    const std::string original = lines[3];
    const auto position = lines[3].find("note 3");
    REQUIRE(position != std::string::npos);
    lines[3][position + 5] = '8';
    write_lines(log, lines);

    const ChainReport report = verify_chain(log);
    const auto& damage = damage_of(report);

    CHECK(damage.kind == DamageKind::content_changed);
    CHECK(damage.index == 4);
    CHECK(damage.line == 5);
    CHECK(damage.computed_hash == line_hash(lines[3]));
    CHECK(damage.recorded_hash == line_hash(original));
    CHECK_FALSE(damage.links_to.has_value());
    CHECK_THAT(damage.message, Catch::StartsWith("entry 4 (line 5) has prev_hash " + line_hash(original)));
    CHECK_THAT(damage.message, Catch::Contains("entry 3 was changed"));
    CHECK(report.entries == 10);
    CHECK(report.head == line_hash(lines[9]));
}

TEST_CASE("verify finds a deleted entry", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 10);
    const std::string removed = lines[4];
    lines.erase(lines.begin() + 4);
    write_lines(log, lines);

    const ChainReport report = verify_chain(log);
    const auto& damage = damage_of(report);

    CHECK(damage.kind == DamageKind::content_changed);
    CHECK(damage.index == 4);
    CHECK(damage.line == 5);
    CHECK(damage.computed_hash == line_hash(lines[3]));
    CHECK(damage.recorded_hash == line_hash(removed));
    CHECK(report.entries == 9);
}

TEST_CASE("verify finds the first entry removed", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 5);
    const std::string removed = lines[0];
    lines.erase(lines.begin());
    write_lines(log, lines);

    const auto& damage = damage_of(verify_chain(log));

    CHECK(damage.kind == DamageKind::content_changed);
    CHECK(damage.index == 0);
    CHECK(damage.line == 1);
    CHECK(damage.computed_hash == "genesis");
    CHECK(damage.recorded_hash == line_hash(removed));
    CHECK_THAT(damage.message, Catch::Contains("instead of \"genesis\""));
}

TEST_CASE("verify finds swapped entries", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 10);
    const std::vector<std::string> original = lines;
    std::swap(lines[3], lines[4]);
    write_lines(log, lines);

    const ChainReport report = verify_chain(log);
    const auto& damage = damage_of(report);

    CHECK(damage.kind == DamageKind::out_of_order);
    CHECK(damage.index == 3);
    CHECK(damage.line == 4);
    CHECK(damage.computed_hash == line_hash(original[2]));
    CHECK(damage.recorded_hash == line_hash(original[3]));
    REQUIRE(damage.links_to.has_value());
    CHECK(*damage.links_to == 4);
    CHECK(damage.message == "entry 3 (line 4) links to entry 4 instead of entry 2: entries are out of order");
    CHECK(report.entries == 10);
}

TEST_CASE("verify finds an entry moved far back", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 10);
    const std::string moved = lines[8];
    lines.erase(lines.begin() + 8);
    lines.insert(lines.begin() + 2, moved);
    write_lines(log, lines);

    const auto& damage = damage_of(verify_chain(log));

    // The moved entry links to original entry 7, now at index 8.
    CHECK(damage.kind == DamageKind::out_of_order);
    CHECK(damage.index == 2);
    REQUIRE(damage.links_to.has_value());
    CHECK(*damage.links_to == 8);
}

TEST_CASE("verify finds a second genesis", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 6);
    lines.push_back(entry_line("genesis", time_at(100)));
    write_lines(log, lines);

    const ChainReport report = verify_chain(log);
    const auto& damage = damage_of(report);

    CHECK(damage.kind == DamageKind::second_genesis);
    CHECK(damage.index == 6);
    CHECK(damage.line == 7);
    CHECK(damage.computed_hash == line_hash(lines[5]));
    CHECK(damage.recorded_hash == "genesis");
    CHECK(report.entries == 7);
    CHECK(report.head == line_hash(lines[6]));
}

TEST_CASE("verify finds a torn final line", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 5);
    const std::string torn = lines[4].substr(0, 30);
    lines.pop_back();
    write_lines(log, lines, torn);

    const ChainReport report = verify_chain(log);
    const auto& damage = damage_of(report);

    CHECK(damage.kind == DamageKind::torn_final_line);
    CHECK(damage.index == 4);
    CHECK(damage.line == 5);
    CHECK(damage.computed_hash == line_hash(lines[3]));
    CHECK(damage.recorded_hash.empty());
    CHECK(damage.message == "line 5: the final 30 bytes have no trailing newline, a torn write; the next append "
                            "moves them to the .torn file");
    CHECK(report.entries == 4);
    CHECK(report.head == line_hash(lines[3]));
    CHECK(report.bytes == fs::file_size(log));
}

TEST_CASE("verify finds a complete entry without its newline", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 3);
    const std::string last = lines.back();
    lines.pop_back();
    write_lines(log, lines, last);

    const auto& damage = damage_of(verify_chain(log));

    CHECK(damage.kind == DamageKind::torn_final_line);
    CHECK(damage.index == 2);
}

TEST_CASE("verify finds a line that is not JSON", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 8);
    lines.insert(lines.begin() + 5, "this line is not JSON");
    write_lines(log, lines);

    const ChainReport report = verify_chain(log);
    const auto& damage = damage_of(report);

    CHECK(damage.kind == DamageKind::not_json);
    CHECK(damage.index == 5);
    CHECK(damage.line == 6);
    CHECK(damage.computed_hash == line_hash(lines[4]));
    CHECK(damage.recorded_hash.empty());
    CHECK_THAT(damage.message, Catch::StartsWith("entry 5 (line 6) is not valid JSON: "));
    CHECK(report.entries == 9);
    CHECK(report.head == line_hash(lines.back()));
}

TEST_CASE("verify finds entries that are not objects", "[chain]") {
    TempDir dir;
    SECTION("an array") {
        const auto& damage = damage_of(verify_with_line(dir, 2, "[1,2,3]"));
        CHECK(damage.kind == DamageKind::not_an_object);
        CHECK(damage.index == 2);
        CHECK(damage.message == "entry 2 (line 3) is valid JSON but not an object");
    }
    SECTION("no prev_hash") {
        const auto& damage = damage_of(verify_with_line(dir, 2, R"({"event_type":"Note","ts":"2026-04-01T09:00:02Z"})"));
        CHECK(damage.kind == DamageKind::not_an_object);
        CHECK(damage.message == "entry 2 (line 3) has no prev_hash member with a string value");
    }
    SECTION("a prev_hash that is not a string") {
        const auto& damage = damage_of(verify_with_line(dir, 2, R"({"prev_hash":7,"ts":"2026-04-01T09:00:02Z"})"));
        CHECK(damage.kind == DamageKind::not_an_object);
        CHECK(damage.index == 2);
    }
    SECTION("prev_hash only in a nested object") {
        const auto& damage =
            damage_of(verify_with_line(dir, 2, R"({"inner":{"prev_hash":"genesis"},"ts":"2026-04-01T09:00:02Z"})"));
        CHECK(damage.kind == DamageKind::not_an_object);
    }
}

TEST_CASE("verify finds a timestamp going backwards", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 4);
    lines.push_back(entry_line(line_hash(lines[3]), "2026-04-01T08:59:59Z"));
    write_lines(log, lines);

    const auto& damage = damage_of(verify_chain(log));

    CHECK(damage.kind == DamageKind::timestamp_backwards);
    CHECK(damage.index == 4);
    CHECK(damage.line == 5);
    CHECK(damage.computed_hash == line_hash(lines[3]));
    CHECK(damage.recorded_hash == line_hash(lines[3]));
    CHECK(damage.message ==
          "entry 4 (line 5) has ts 2026-04-01T08:59:59Z, earlier than ts 2026-04-01T09:00:03Z of entry 3");
}

TEST_CASE("verify compares timestamps as time points", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    const auto chain_of_times = [&](const std::vector<std::string>& times) {
        std::vector<std::string> lines;
        std::string head = "genesis";
        for (const auto& ts : times) {
            lines.push_back(entry_line(head, ts));
            head = line_hash(lines.back());
        }
        write_lines(log, lines);
        return verify_chain(log);
    };

    // As strings "Z" sorts after ".", yet 09:00:00.1 is later than 09:00:00.
    CHECK(chain_of_times({"2026-04-01T09:00:00Z", "2026-04-01T09:00:00.1Z", "2026-04-01T09:00:00.1Z"}).intact());
    // The same instant written with an offset.
    CHECK(chain_of_times({"2026-04-01T09:00:00Z", "2026-04-01T11:00:00+02:00"}).intact());

    const auto fraction = chain_of_times({"2026-04-01T09:00:00.5Z", "2026-04-01T09:00:00.25Z"});
    REQUIRE(fraction.first_damage.has_value());
    CHECK(fraction.first_damage->kind == DamageKind::timestamp_backwards);
    CHECK(fraction.first_damage->index == 1);

    const auto offset = chain_of_times({"2026-04-01T09:00:00Z", "2026-04-01T10:00:00+02:00"});
    REQUIRE(offset.first_damage.has_value());
    CHECK(offset.first_damage->kind == DamageKind::timestamp_backwards);
}

TEST_CASE("verify finds a missing or invalid ts", "[chain]") {
    TempDir dir;
    SECTION("missing") {
        const auto& damage = damage_of(verify_with_line(dir, 0, R"({"event_type":"Note","prev_hash":"genesis"})"));
        CHECK(damage.kind == DamageKind::invalid_timestamp);
        CHECK(damage.index == 0);
        CHECK(damage.message == "entry 0 (line 1) has no ts member");
    }
    SECTION("not a time") {
        const auto& damage = damage_of(verify_with_line(dir, 0, entry_line("genesis", "yesterday")));
        CHECK(damage.kind == DamageKind::invalid_timestamp);
        CHECK(damage.message == "entry 0 (line 1) has ts \"yesterday\", which is not an RFC 3339 time");
    }
    SECTION("not a string") {
        const auto& damage = damage_of(verify_with_line(dir, 0, R"({"prev_hash":"genesis","ts":1775034000})"));
        CHECK(damage.kind == DamageKind::invalid_timestamp);
        CHECK(damage.message == "entry 0 (line 1) has a ts member that is not a string");
    }
}

TEST_CASE("verify finds an over-long line and still links past it", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 3);
    const std::string long_line =
        entry_line(line_hash(lines[2]), time_at(3), std::string(amp::store::max_chain_line_bytes * 3, 'x'));
    lines.push_back(long_line);
    lines.push_back(entry_line(line_hash(long_line), time_at(4)));
    lines.push_back(entry_line(line_hash(lines.back()), time_at(5)));
    write_lines(log, lines);

    const ChainReport report = verify_chain(log);
    const auto& damage = damage_of(report);

    CHECK(damage.kind == DamageKind::line_too_long);
    CHECK(damage.index == 3);
    CHECK(damage.message == fmt::format("entry 3 (line 4) is {} bytes long, over the maximum of 1048576 bytes for a "
                                        "chain line",
                                        long_line.size()));
    CHECK(report.entries == 6);
    CHECK(report.head == line_hash(lines[5]));

    // The long line was hashed while it streamed by, never held whole.
    VerifyOptions options;
    options.heads_at = {4};
    CHECK(verify_chain(log, options).heads_at.at(4) == line_hash(long_line));
}

TEST_CASE("verify reports a line just over the limit", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    const std::string prefix = R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","text":")";
    const auto fill_to = [&](std::size_t size) { return prefix + std::string(size - prefix.size() - 2, 'z') + "\"}"; };

    write_lines(log, {fill_to(amp::store::max_chain_line_bytes)});
    CHECK(verify_chain(log).intact());

    write_lines(log, {fill_to(amp::store::max_chain_line_bytes + 1)});
    const auto& damage = damage_of(verify_chain(log));
    CHECK(damage.kind == DamageKind::line_too_long);
    CHECK(damage.index == 0);
}

TEST_CASE("verify reports only the first damage", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 10);
    lines[6] = "not json";
    lines[2][lines[2].find("note 2") + 5] = '7';
    write_lines(log, lines);

    const ChainReport report = verify_chain(log);

    CHECK(damage_of(report).kind == DamageKind::content_changed);
    CHECK(damage_of(report).index == 3);
    CHECK(report.entries == 10);
    CHECK(report.head == line_hash(lines[9]));
}

TEST_CASE("verify from an index trusts earlier entries", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 10);
    lines[1] = "not json";
    lines[4][lines[4].find("note 4") + 5] = '9';
    write_lines(log, lines);

    // Entry 5's link to the edited entry 4 is broken.
    CHECK(damage_of(verify_chain(log, {}, 0)).index == 1);
    CHECK(damage_of(verify_chain(log, {}, 2)).index == 5);
    CHECK(damage_of(verify_chain(log, {}, 2)).kind == DamageKind::content_changed);

    // From entry 5 on, the link of entry 5 to its predecessor is trusted.
    const ChainReport report = verify_chain(log, {}, 5);
    CHECK(report.intact());
    CHECK(report.entries == 10);
    CHECK(report.head == line_hash(lines[9]));
    CHECK(verify_chain(log, {}, 50).intact());
}

TEST_CASE("verify from an index still checks genesis at 0", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    write_lines(log, {entry_line("sha256:" + std::string(64, 'a'), time_at(0))});

    CHECK(damage_of(verify_chain(log, {}, 0)).index == 0);
}

TEST_CASE("verify skips acknowledged breaks", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 10);
    lines.erase(lines.begin() + 3);
    write_lines(log, lines);
    VerifyOptions options;
    options.acknowledged_breaks = {{3, line_hash(lines[2]), line_hash(lines[3])}};

    CHECK(verify_chain(log, options).intact());

    lines.erase(lines.begin() + 6);
    write_lines(log, lines);
    const auto& damage = damage_of(verify_chain(log, options));
    CHECK(damage.kind == DamageKind::content_changed);
    CHECK(damage.index == 6);
}

TEST_CASE("an acknowledgement does not cover a later edit of its link", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 6);
    lines.erase(lines.begin() + 3);
    write_lines(log, lines);
    VerifyOptions options;
    options.acknowledged_breaks = {{3, line_hash(lines[2]), line_hash(lines[3])}};
    REQUIRE(verify_chain(log, options).intact());

    // The line before the reviewed break is edited after the review.
    std::vector<std::string> edited = lines;
    edited[2].replace(edited[2].find("\"ts\""), 4, "\"ts\" ");
    write_lines(log, edited);
    CHECK(damage_of(verify_chain(log, options)).index == 3);

    // The reviewed line itself is edited: the pin no longer matches, so the break at 3 shows again.
    edited = lines;
    edited[3].replace(edited[3].find("\"ts\""), 4, "\"ts\" ");
    write_lines(log, edited);
    CHECK(damage_of(verify_chain(log, options)).index == 3);

    // An acknowledgement without the hashes covers nothing.
    options.acknowledged_breaks = {{3, "", ""}};
    write_lines(log, lines);
    CHECK(damage_of(verify_chain(log, options)).index == 3);
}

TEST_CASE("verify calls the visitor for each entry", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    const auto lines = build_log(log, 12);

    std::vector<std::uint64_t> indexes;
    bool lines_match = true;
    VerifyOptions options;
    options.from_index = 4;
    options.visit = [&](std::uint64_t index, const Json& entry, std::string_view line) {
        indexes.push_back(index);
        lines_match = lines_match && line == lines.at(index) && entry["state_rev"] == index;
    };

    const ChainReport report = verify_chain(log, options);

    CHECK(report.intact());
    CHECK(indexes == std::vector<std::uint64_t>{4, 5, 6, 7, 8, 9, 10, 11});
    CHECK(lines_match);
}

TEST_CASE("verify visits entries after the damage", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    auto lines = build_log(log, 6);
    lines[2] = "{broken";
    write_lines(log, lines);

    std::vector<std::uint64_t> indexes;
    const ChainReport report =
        verify_chain(log, [&](std::uint64_t index, const Json&, std::string_view) { indexes.push_back(index); });

    CHECK(damage_of(report).kind == DamageKind::not_json);
    CHECK(damage_of(report).index == 2);
    CHECK(indexes == std::vector<std::uint64_t>{0, 1, 3, 4, 5});
}

TEST_CASE("verify judges JSON alike with and without a visitor", "[chain]") {
    // Lines the validating scan must accept or hand to the strict reader,
    // which then decides: either way the verdict matches the full parse.
    const std::vector<std::pair<std::string, bool>> cases = {
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z"})", true},
        {R"( { "prev_hash" : "genesis" , "ts" : "2026-04-01T09:00:00Z" } )", true},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","n":[1,-0,1.5e-7,1e21,0.1,{"a":[true,false,null]}]})", true},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","t":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t"})", true},
        {"{\"prev_hash\":\"genesis\",\"ts\":\"2026-04-01T09:00:00Z\",\"t\":\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac\"}", true},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","big":9007199254740991,"small":-9007199254740991})", true},
        {R"({"prev_h\u0061sh":"genesis","ts":"2026-04-01T09:00:00Z"})", true},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z",})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","n":01})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","n":1.})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","n":-})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","n":NaN})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","t":"\ud800"})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","t":"\x41"})", false},
        {"{\"prev_hash\":\"genesis\",\"ts\":\"2026-04-01T09:00:00Z\",\"t\":\"\xff\"}", false},
        {"{\"prev_hash\":\"genesis\",\"ts\":\"2026-04-01T09:00:00Z\",\"t\":\"\xc0\x80\"}", false},
        {"{\"prev_hash\":\"genesis\",\"ts\":\"2026-04-01T09:00:00Z\",\"t\":\"\xed\xa0\x80\"}", false},
        {"{\"prev_hash\":\"genesis\",\"ts\":\"2026-04-01T09:00:00Z\",\"t\":\"\xe2\x82\"}", false},
        {"{\"prev_hash\":\"genesis\",\"ts\":\"2026-04-01T09:00:00Z\",\"t\":\"tab\there\"}", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z"} extra)", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z")", false},
        {R"({'prev_hash':'genesis'})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","t":tru})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","a":1,"a":2})", false},
        {R"({"prev_hash":"genesis","prev_hash":"genesis","ts":"2026-04-01T09:00:00Z"})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","x":{"b":1,"c":[{"b":1,"b":2}]}})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","a":1,"a":2})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","big":9007199254740992})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","small":-9007199254740992})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","huge":1e400})", false},
        {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","x":{"b":1},"y":{"b":1}})", true},
    };

    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    for (const auto& [line, valid] : cases) {
        INFO("line: " << line);
        write_lines(log, {line});
        const ChainReport scanned = verify_chain(log);
        const ChainReport parsed = verify_chain(log, [](std::uint64_t, const Json&, std::string_view) {});

        CHECK(scanned.intact() == valid);
        CHECK(parsed.intact() == valid);
        if (!valid && scanned.first_damage && parsed.first_damage) {
            CHECK(scanned.first_damage->kind == DamageKind::not_json);
            CHECK(parsed.first_damage->kind == DamageKind::not_json);
            CHECK(scanned.first_damage->message == parsed.first_damage->message);
        }
    }
}

TEST_CASE("verify finds repeated names in large objects", "[chain]") {
    // Objects with many members take another path through the duplicate check.
    const auto object_line = [](int members, bool repeat) {
        std::string line = R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z")";
        for (int i = 0; i < members; ++i) line += fmt::format(",\"m{}\":{}", i, i);
        if (repeat) line += R"(,"m3":0)";
        return line + "}";
    };

    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    for (const int members : {10, 40, 63, 64, 65, 200}) {
        INFO(members << " members");
        write_lines(log, {object_line(members, false)});
        CHECK(verify_chain(log).intact());

        write_lines(log, {object_line(members, true)});
        const ChainReport report = verify_chain(log);
        REQUIRE(report.first_damage.has_value());
        CHECK(report.first_damage->kind == DamageKind::not_json);
        CHECK_THAT(report.first_damage->message, Catch::Contains("m3"));
    }
}

TEST_CASE("verify judges edge numbers like the strict reader", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    for (const char* number : {"5e-324", "1e-400", "1.7976931348623157e308", "1.8e308", "-0.0", "0e0", "1E+2"}) {
        INFO("number " << number);
        write_lines(log, {fmt::format(R"({{"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","n":{}}})", number)});
        const ChainReport scanned = verify_chain(log);
        const ChainReport parsed = verify_chain(log, [](std::uint64_t, const Json&, std::string_view) {});
        CHECK(scanned.intact() == parsed.intact());
    }
}

TEST_CASE("verify of deep nesting", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    const std::string deep = std::string(100, '[') + std::string(100, ']');
    write_lines(log, {R"({"prev_hash":"genesis","ts":"2026-04-01T09:00:00Z","deep":)" + deep + "}"});

    CHECK(verify_chain(log).intact());
    CHECK(verify_chain(log, [](std::uint64_t, const Json&, std::string_view) {}).intact());
}

TEST_CASE("verify of a log cut at every byte", "[chain]") {
    TempDir dir;
    const fs::path full = dir / "full.audit.jsonl";
    const auto lines = build_log(full, 6);
    const std::string bytes = amp::store::read_file(full);
    const std::size_t last_two = lines[4].size() + lines[5].size() + 2;
    const fs::path cut_log = dir / "cut.audit.jsonl";

    for (std::size_t cut = bytes.size() - last_two; cut <= bytes.size(); ++cut) {
        INFO("cut at byte " << cut << " of " << bytes.size());
        {
            std::ofstream out(cut_log, std::ios::binary | std::ios::trunc);
            out.write(bytes.data(), static_cast<std::streamsize>(cut));
        }
        const std::string remaining = bytes.substr(0, cut);
        const auto complete = static_cast<std::uint64_t>(std::count(remaining.begin(), remaining.end(), '\n'));

        const ChainReport report = verify_chain(cut_log);

        CHECK(report.entries == complete);
        CHECK(report.bytes == cut);
        CHECK(report.head == line_hash(lines[complete - 1]));
        if (remaining.back() == '\n') {
            CHECK(report.intact());
        } else {
            REQUIRE(report.first_damage.has_value());
            CHECK(report.first_damage->kind == DamageKind::torn_final_line);
            CHECK(report.first_damage->index == complete);
        }
    }
}

TEST_CASE("verify of a damaged log cut at every byte", "[chain]") {
    // Cutting must never turn a damaged log into an intact one, unless the
    // cut removes the damaged line itself.
    TempDir dir;
    const fs::path full = dir / "full.audit.jsonl";
    auto lines = build_log(full, 6);
    std::swap(lines[4], lines[5]);
    write_lines(full, lines);
    const std::string bytes = amp::store::read_file(full);
    const std::size_t damaged_line_start = bytes.size() - lines[4].size() - lines[5].size() - 2;
    const fs::path cut_log = dir / "cut.audit.jsonl";

    for (std::size_t cut = damaged_line_start + 1; cut <= bytes.size(); ++cut) {
        INFO("cut at byte " << cut);
        {
            std::ofstream out(cut_log, std::ios::binary | std::ios::trunc);
            out.write(bytes.data(), static_cast<std::streamsize>(cut));
        }
        const ChainReport report = verify_chain(cut_log);

        REQUIRE(report.first_damage.has_value());
        if (cut < damaged_line_start + lines[4].size() + 1) {
            CHECK(report.first_damage->kind == DamageKind::torn_final_line);
        } else {
            CHECK(report.first_damage->kind != DamageKind::torn_final_line);
            CHECK(report.first_damage->index == 4);
        }
    }
}

TEST_CASE("damage kinds have names", "[chain]") {
    CHECK(amp::audit::damage_kind_name(DamageKind::content_changed) == "content_changed");
    CHECK(amp::audit::damage_kind_name(DamageKind::out_of_order) == "out_of_order");
    CHECK(amp::audit::damage_kind_name(DamageKind::torn_final_line) == "torn_final_line");
    CHECK(amp::audit::damage_kind_name(DamageKind::not_json) == "not_json");
    CHECK(amp::audit::damage_kind_name(DamageKind::not_an_object) == "not_an_object");
    CHECK(amp::audit::damage_kind_name(DamageKind::invalid_timestamp) == "invalid_timestamp");
    CHECK(amp::audit::damage_kind_name(DamageKind::second_genesis) == "second_genesis");
    CHECK(amp::audit::damage_kind_name(DamageKind::timestamp_backwards) == "timestamp_backwards");
    CHECK(amp::audit::damage_kind_name(DamageKind::line_too_long) == "line_too_long");
}
