// Hash-chained JSON Lines logs: the audit log (STEM.audit.jsonl) and the
// drift ledger (STEM.drift.jsonl).
//
// Each line is one compact JSON object ending in "\n". Its "prev_hash" is
// "genesis" for the first line and otherwise "sha256:" + hex SHA-256 of the
// previous line's exact bytes without the "\n". The head of a chain is the
// hash of its last line, by the same rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "amp/json/value.hpp"

namespace amp::store {

inline constexpr std::string_view genesis_hash = "genesis";

// Longest line a chain may hold; longer lines are refused on append and
// reported as damage on verification.
inline constexpr std::size_t max_chain_line_bytes = 1024 * 1024;

// Returns "sha256:" + hex SHA-256 of one line's bytes (without its "\n").
std::string line_hash(std::string_view line);

struct ChainTail {
    std::uint64_t entries = 0;       // complete lines
    std::string head = "genesis";    // hash of the last complete line
    std::optional<Json> last_entry;  // the last complete line, parsed
    std::string torn_bytes;          // bytes after the last "\n" (a torn write), empty if none
};

// Reads the head of a chain from the end of the file, without reading the
// whole log, so an append costs O(1) in its length. Counting `entries`
// needs a full pass, so it is only filled when `count_entries` is true.
// A missing file is an empty chain.
ChainTail read_tail(const std::filesystem::path& log, bool count_entries = false);

// Appends lines to one chain. The caller holds the persona's lock.
class ChainAppender {
public:
    // Opens (creating) `log` with O_APPEND and finds the head from its tail.
    // A torn final line is moved to `torn_path` (appended there) and cut from
    // the log first; quarantined_bytes() then says how much, so the caller
    // can record a Recovery entry.
    ChainAppender(std::filesystem::path log, std::filesystem::path torn_path);
    ~ChainAppender();
    ChainAppender(const ChainAppender&) = delete;
    ChainAppender& operator=(const ChainAppender&) = delete;

    // The prev_hash the next line must carry.
    const std::string& head() const noexcept { return head_; }
    std::size_t quarantined_bytes() const noexcept { return quarantined_bytes_; }

    // Serializes `entry` compactly in its member order, writes it plus "\n"
    // with one write(2), and advances the head. Returns the line written.
    // Throws amp::Error if entry["prev_hash"] is not head().
    std::string append(const Json& entry);

    // fsyncs the log. Nothing appended is durable before this returns.
    void sync();

private:
    std::filesystem::path log_;
    int fd_ = -1;
    std::string head_;
    std::size_t quarantined_bytes_ = 0;
};

}  // namespace amp::store
