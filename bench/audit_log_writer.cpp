// Writes a long, valid audit log of Note entries for the benchmarks that need
// one (gate_log_length_bench.sh, audit_verify_bench.sh): amp's own
// `amp audit FILE --note` takes a lock and an fsync per entry, far too slow
// for a million entries.
//
// Usage: audit_log_writer LOG COUNT
// A new LOG starts with prev_hash "genesis"; an existing one is continued
// from its last complete line. Every later entry carries "sha256:" + hex
// SHA-256 of the previous line's bytes without its "\n", the chain rule amp
// verifies. Timestamps rise by one second per entry and end one second
// before now (never before the last existing entry), so a real mutation
// appended afterwards keeps them in order. Exit status: 0 on success, 1 on
// an I/O error or a torn log, 64 on a usage error.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "amp/clock.hpp"
#include "amp/crypto/sha256.hpp"
#include "amp/error.hpp"
#include "amp/json/writer.hpp"
#include "amp/store/chain.hpp"

namespace {

namespace fs = std::filesystem;

// Lines are gathered and written in blocks of about this many bytes.
constexpr std::size_t write_block_bytes = 1 << 20;

void write_block(std::FILE* out, std::string& block, const fs::path& log) {
    if (std::fwrite(block.data(), 1, block.size(), out) != block.size()) {
        throw amp::Error(fmt::format("cannot write {}", log.string()));
    }
    block.clear();
}

// The time of the last entry of an existing log, if it has one.
std::optional<amp::TimePoint> last_entry_time(const amp::store::ChainTail& tail) {
    if (!tail.last_entry || !tail.last_entry->contains("ts") || !(*tail.last_entry)["ts"].is_string()) {
        return std::nullopt;
    }
    return amp::parse_time((*tail.last_entry)["ts"].get<std::string>());
}

void write_notes(const fs::path& log, std::uint64_t count) {
    const amp::store::ChainTail tail = amp::store::read_tail(log);
    if (!tail.torn_bytes.empty()) {
        throw amp::Error(fmt::format("{} ends in a torn line; let amp recover it first", log.string()));
    }
    std::FILE* out = std::fopen(log.c_str(), "ab");
    if (out == nullptr) throw amp::Error(fmt::format("cannot open {} for appending", log.string()));

    amp::TimePoint first_time = amp::now() - std::chrono::seconds(count);
    if (const auto last = last_entry_time(tail); last && *last > first_time) first_time = *last;
    std::string prev_hash = tail.head;
    std::string block;
    for (std::uint64_t i = 0; i < count; ++i) {
        const amp::Json entry = {
            {"event_type", "Note"},
            {"text", fmt::format("IR-{:07}: pager drill {} of {}, no customer impact; reviewed in the weekly incident "
                                 "meeting",
                                 i, i + 1, count)},
            {"approver", "oncall@example.org"},
            {"prev_hash", prev_hash},
            {"ts", amp::format_time(first_time + std::chrono::seconds(i))},
        };
        const std::string line = amp::json::to_line(entry);
        prev_hash = amp::crypto::sha256_tagged(line);
        block += line;
        block += '\n';
        if (block.size() >= write_block_bytes) write_block(out, block, log);
    }
    write_block(out, block, log);
    if (std::fclose(out) != 0) throw amp::Error(fmt::format("cannot close {}", log.string()));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: audit_log_writer LOG COUNT\n";
        return 64;
    }
    try {
        write_notes(argv[1], std::stoull(argv[2]));
    } catch (const std::exception& error) {
        std::cerr << "audit_log_writer: " << error.what() << '\n';
        return 1;
    }
    return 0;
}
