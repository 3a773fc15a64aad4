#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "amp/audit/chain_verify.hpp"
#include "amp/crypto/sha256.hpp"
#include "amp/error.hpp"
#include "amp/store/chain.hpp"
#include "amp/store/file_lock.hpp"
#include "amp/store/files.hpp"

#include "temp_dir.hpp"

namespace fs = std::filesystem;
using amp::Json;
using amp::store::ChainAppender;
using amp::store::line_hash;
using amp::store::read_tail;

namespace {

using amp::testing::TempDir;

Json note(const std::string& text, const std::string& prev_hash) {
    Json entry = Json::object();
    entry["event_type"] = "Note";
    entry["text"] = text;
    entry["prev_hash"] = prev_hash;
    entry["ts"] = "2026-04-01T09:00:00Z";
    return entry;
}

std::string file_bytes(const fs::path& path) { return amp::store::read_file(path); }

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    REQUIRE(out.good());
}

std::vector<std::string> complete_lines(const std::string& bytes) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t end = bytes.find('\n'); end != std::string::npos; end = bytes.find('\n', start)) {
        lines.push_back(bytes.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

// One field of /proc/thread-self/io: the kernel's count of this thread's
// read bytes (rchar) and write system calls (syscw).
std::uint64_t thread_io_counter(const std::string& field) {
    std::ifstream io("/proc/thread-self/io");
    REQUIRE(io.good());
    std::string name;
    std::uint64_t value = 0;
    while (io >> name >> value) {
        if (name == field + ":") return value;
    }
    FAIL("no " << field << " in /proc/thread-self/io");
    return 0;
}

// Appends `count` notes through one appender and syncs once.
void append_notes(const fs::path& log, const fs::path& torn, int count, const std::string& prefix = "note") {
    ChainAppender appender(log, torn);
    for (int i = 0; i < count; ++i) appender.append(note(fmt::format("{} {}", prefix, i), appender.head()));
    appender.sync();
}

}  // namespace

TEST_CASE("chain append starts at genesis", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    ChainAppender appender(log, dir / "agent.audit.torn");
    CHECK(appender.head() == "genesis");
    CHECK(appender.quarantined_bytes() == 0);

    const std::string line = appender.append(note("first", "genesis"));
    appender.sync();

    CHECK(line == R"({"event_type":"Note","text":"first","prev_hash":"genesis","ts":"2026-04-01T09:00:00Z"})");
    CHECK(file_bytes(log) == line + "\n");
    CHECK(appender.head() == amp::crypto::sha256_tagged(line));
    CHECK_FALSE(fs::exists(dir / "agent.audit.torn"));
}

TEST_CASE("chain append links each line to the previous", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    append_notes(log, dir / "agent.audit.torn", 3);
    {
        // A second appender continues from the head it finds in the file.
        ChainAppender appender(log, dir / "agent.audit.torn");
        appender.append(note("after reopening", appender.head()));
        appender.sync();
    }

    const auto lines = complete_lines(file_bytes(log));
    REQUIRE(lines.size() == 4);
    CHECK(Json::parse(lines[0])["prev_hash"] == "genesis");
    for (std::size_t i = 1; i < lines.size(); ++i) {
        INFO("line " << i + 1);
        CHECK(Json::parse(lines[i])["prev_hash"] == line_hash(lines[i - 1]));
    }
    CHECK(Json::parse(lines[3])["text"] == "after reopening");
}

TEST_CASE("chain append keeps member order and UTF-8", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.drift.jsonl";
    ChainAppender appender(log, dir / "agent.drift.torn");

    Json entry = Json::object();
    entry["prev_hash"] = "genesis";
    entry["metrics"] = Json::object({{"zeta", 1}, {"alpha", 0.5}});
    entry["ts"] = "2026-04-01T09:00:00Z";
    entry["gate_id"] = "r\u00e9vision";
    const std::string line = appender.append(entry);

    CHECK(line == "{\"prev_hash\":\"genesis\",\"metrics\":{\"zeta\":1,\"alpha\":0.5},\"ts\":\"2026-04-01T09:00:00Z\","
                  "\"gate_id\":\"r\xc3\xa9vision\"}");
}

TEST_CASE("chain append rejects a stale prev_hash", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    ChainAppender appender(log, dir / "agent.audit.torn");
    appender.append(note("first", "genesis"));
    const std::string before = file_bytes(log);

    try {
        appender.append(note("second", "genesis"));
        FAIL("appended an entry with a stale prev_hash");
    } catch (const amp::Error& error) {
        CHECK_THAT(error.what(), Catch::Contains(log.string()));
        CHECK_THAT(error.what(), Catch::Contains(appender.head()));
    }
    CHECK_THROWS_AS(appender.append(Json::array({1, 2})), amp::Error);
    Json missing = note("no prev_hash", "genesis");
    missing.erase("prev_hash");
    CHECK_THROWS_AS(appender.append(missing), amp::Error);
    CHECK(file_bytes(log) == before);
}

TEST_CASE("chain append rejects an over-long line", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    ChainAppender appender(log, dir / "agent.audit.torn");

    const Json entry = note(std::string(amp::store::max_chain_line_bytes, 'x'), "genesis");
    try {
        appender.append(entry);
        FAIL("appended a line over the maximum");
    } catch (const amp::Error& error) {
        CHECK_THAT(error.what(), Catch::Contains("over the maximum of 1048576 bytes"));
    }
    CHECK(file_bytes(log).empty());
    CHECK(appender.head() == "genesis");
}

TEST_CASE("chain append writes each line with one write", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    ChainAppender appender(log, dir / "agent.audit.torn");
    const std::string long_text(200 * 1024, 'y');

    constexpr std::uint64_t lines = 40;
    const std::uint64_t writes_before = thread_io_counter("syscw");
    for (std::uint64_t i = 0; i < lines; ++i) {
        appender.append(note(i % 10 == 0 ? long_text : "short " + std::to_string(i), appender.head()));
    }
    const std::uint64_t writes_after = thread_io_counter("syscw");

    // Sanitizer runtimes issue a few write(2) calls of their own on this
    // thread, so the bound allows that; two writes per line would need 80.
    CHECK(writes_after - writes_before >= lines);
    CHECK(writes_after - writes_before < 2 * lines);
    CHECK(complete_lines(file_bytes(log)).size() == lines);
}

TEST_CASE("chain head from the tail of a large log", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    const fs::path torn = dir / "agent.audit.torn";
    append_notes(log, torn, 100000);
    const std::string bytes = file_bytes(log);
    const auto lines = complete_lines(bytes);
    REQUIRE(lines.size() == 100000);

    const std::uint64_t read_before = thread_io_counter("rchar");
    ChainAppender appender(log, torn);
    const std::uint64_t read_by_appender = thread_io_counter("rchar") - read_before;

    CHECK(appender.head() == line_hash(lines.back()));
    // Finding the head reads a block or two from the end, not the whole log.
    CHECK(bytes.size() > 8 * 1024 * 1024);
    CHECK(read_by_appender < 256 * 1024);

    const auto tail = read_tail(log, true);
    CHECK(tail.entries == 100000);
    CHECK(tail.head == line_hash(lines.back()));
    REQUIRE(tail.last_entry.has_value());
    CHECK((*tail.last_entry)["text"] == "note 99999");
    CHECK(tail.torn_bytes.empty());

    const auto report = amp::audit::verify_chain(log);
    CHECK(report.intact());
    CHECK(report.entries == 100000);
    CHECK(report.head == appender.head());
}

TEST_CASE("chain tail of a missing or empty log", "[chain]") {
    TempDir dir;
    const auto missing = read_tail(dir / "absent.audit.jsonl", true);
    CHECK(missing.entries == 0);
    CHECK(missing.head == "genesis");
    CHECK_FALSE(missing.last_entry.has_value());
    CHECK(missing.torn_bytes.empty());

    write_bytes(dir / "empty.audit.jsonl", "");
    const auto empty = read_tail(dir / "empty.audit.jsonl", true);
    CHECK(empty.entries == 0);
    CHECK(empty.head == "genesis");
    CHECK_FALSE(empty.last_entry.has_value());
}

TEST_CASE("chain tail reports torn bytes without changing the log", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    append_notes(log, dir / "agent.audit.torn", 2);
    const auto lines = complete_lines(file_bytes(log));
    const std::string torn_bytes = R"({"event_type":"Note","te)";
    write_bytes(log, lines[0] + "\n" + lines[1] + "\n" + torn_bytes);

    const auto tail = read_tail(log, true);

    CHECK(tail.entries == 2);
    CHECK(tail.head == line_hash(lines[1]));
    CHECK(tail.torn_bytes == torn_bytes);
    CHECK(file_bytes(log) == lines[0] + "\n" + lines[1] + "\n" + torn_bytes);
}

TEST_CASE("chain tail rejects a last line that is not JSON", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    write_bytes(log, "{\"prev_hash\":\"genesis\"}\nnot json at all\n");

    try {
        read_tail(log);
        FAIL("read a last line that is not JSON");
    } catch (const amp::Error& error) {
        CHECK_THAT(error.what(), Catch::Contains(log.string()));
    }
}

TEST_CASE("chain append quarantines a torn tail", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    const fs::path torn = dir / "agent.audit.torn";
    append_notes(log, torn, 3);
    const std::string complete = file_bytes(log);
    const auto lines = complete_lines(complete);
    const std::string torn_bytes = "{\"event_type\":\"Note\",\"text\":\"cut \xc3";
    write_bytes(log, complete + torn_bytes);

    {
        ChainAppender appender(log, torn);
        CHECK(appender.quarantined_bytes() == torn_bytes.size());
        CHECK(appender.quarantine_offset() == 0);
        CHECK(appender.head() == line_hash(lines[2]));
        CHECK(file_bytes(torn) == torn_bytes);
        CHECK(file_bytes(log) == complete);

        appender.append(note("recovered", appender.head()));
        appender.sync();
    }
    const auto report = amp::audit::verify_chain(log);
    CHECK(report.intact());
    CHECK(report.entries == 4);

    // A second torn write goes after the first in the torn file.
    const std::string second_torn = "{\"event_type\":";
    write_bytes(log, file_bytes(log) + second_torn);
    ChainAppender appender(log, torn);
    CHECK(appender.quarantined_bytes() == second_torn.size());
    CHECK(appender.quarantine_offset() == torn_bytes.size());
    CHECK(file_bytes(torn) == torn_bytes + second_torn);
    CHECK(amp::audit::verify_chain(log).intact());
}

TEST_CASE("chain append quarantines a log with no complete line", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.drift.jsonl";
    const fs::path torn = dir / "agent.drift.torn";
    write_bytes(log, R"({"prev_hash":"genesis","metr)");

    ChainAppender appender(log, torn);

    CHECK(appender.quarantined_bytes() == 28);
    CHECK(appender.head() == "genesis");
    CHECK(file_bytes(log).empty());
    CHECK(file_bytes(torn) == R"({"prev_hash":"genesis","metr)");
}

TEST_CASE("chain torn file gets the log's mode", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    const fs::path torn = dir / "agent.audit.torn";
    write_bytes(log, "{\"event");
    fs::permissions(log, fs::perms::owner_read | fs::perms::owner_write);

    const ChainAppender appender(log, torn);

    CHECK(fs::status(torn).permissions() == (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("chain appenders in several processes", "[chain]") {
    TempDir dir;
    const fs::path log = dir / "agent.audit.jsonl";
    const fs::path torn = dir / "agent.audit.torn";
    const fs::path lock_path = dir / "agent.state.lock";
    constexpr int processes = 4;
    constexpr int appends_per_process = 150;

    std::vector<pid_t> children;
    for (int process = 0; process < processes; ++process) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            int code = 0;
            try {
                for (int i = 0; i < appends_per_process; ++i) {
                    const auto lock = amp::store::FileLock::acquire(lock_path, std::chrono::seconds(30));
                    ChainAppender appender(log, torn);
                    appender.append(note(fmt::format("process {} note {}", process, i), appender.head()));
                    appender.sync();
                }
            } catch (...) {
                code = 1;
            }
            ::_exit(code);
        }
        children.push_back(pid);
    }
    for (const pid_t pid : children) {
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }

    const auto report = amp::audit::verify_chain(log);
    CHECK(report.intact());
    CHECK(report.entries == processes * appends_per_process);
    CHECK_FALSE(fs::exists(torn));

    std::set<std::string> texts;
    std::vector<int> next_note(processes, 0);
    for (const auto& line : complete_lines(file_bytes(log))) {
        const Json entry = Json::parse(line);
        const std::string text = entry["text"];
        texts.insert(text);
        int process = -1;
        int number = -1;
        REQUIRE(std::sscanf(text.c_str(), "process %d note %d", &process, &number) == 2);
        // Each process's notes appear in the order it wrote them.
        CHECK(number == next_note.at(static_cast<std::size_t>(process)));
        next_note.at(static_cast<std::size_t>(process)) = number + 1;
    }
    CHECK(texts.size() == processes * appends_per_process);
}
