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

// Maximum length in bytes of a chain line without its "\n". Longer lines
// are rejected on append and reported as damage on verification.
inline constexpr std::size_t max_chain_line_bytes = 1024 * 1024;

// Returns "sha256:" + hex SHA-256 of one line's bytes (without its "\n").
std::string line_hash(std::string_view line);

// The end of a chain as read_tail finds it.
struct ChainTail {
    std::uint64_t entries = 0;       // complete lines; 0 unless read_tail was asked to count
    std::string head = "genesis";    // hash of the last complete line
    std::optional<Json> last_entry;  // the last complete line, parsed; nullopt for an empty chain
    std::string torn_bytes;          // bytes after the last "\n" (a torn write), empty if none
};

// Reads the head of a chain from the end of the file in 64 KiB blocks,
// without reading the whole log, so an append costs O(1) in its length.
// Counting `entries` needs a full pass, so it is only filled when
// `count_entries` is true. A missing file is an empty chain. Throws
// amp::Error if the last complete line is not JSON or is longer than
// max_chain_line_bytes, or on an I/O failure. Checks nothing else: use
// amp::audit::verify_chain for that.
ChainTail read_tail(const std::filesystem::path& log, bool count_entries = false);

// Appends lines to one chain. The caller holds the persona's lock; the
// appender neither takes it nor checks the chain beyond its last line.
class ChainAppender {
public:
    // Opens (creating, mode 0644 less the umask) `log` with O_APPEND and
    // finds the head from its tail. A torn final line is first appended to
    // `torn_path`, which gets the log's mode, and fsynced there. Then it is
    // cut from the log with ftruncate and fsync. quarantined_bytes() returns
    // how much was moved, so the caller can record a Recovery entry. Throws
    // amp::Error on I/O failure or if the last complete line is longer than
    // max_chain_line_bytes.
    ChainAppender(std::filesystem::path log, std::filesystem::path torn_path);
    ~ChainAppender();
    ChainAppender(const ChainAppender&) = delete;
    ChainAppender& operator=(const ChainAppender&) = delete;

    // The prev_hash the next line must carry.
    const std::string& head() const noexcept { return head_; }

    // Number of torn bytes the constructor moved to the torn file (0 if none).
    std::size_t quarantined_bytes() const noexcept { return quarantined_bytes_; }

    // Offset in the torn file where those bytes start. Several recoveries
    // append to one torn file without separators, so a Recovery entry should
    // record both numbers.
    std::uint64_t quarantine_offset() const noexcept { return quarantine_offset_; }

    // Serializes `entry` compactly in its member order, writes it plus "\n"
    // with one write(2), and advances the head. Returns the line written,
    // without its "\n". Throws amp::Error if `entry` is not an object, if
    // entry["prev_hash"] is not head(), or if the line is longer than
    // max_chain_line_bytes. Also throws if the write fails or is short, and
    // the next appender then quarantines the torn line.
    std::string append(const Json& entry);

    // fsyncs the log, and its directory the first time if the constructor
    // created it. Nothing appended is durable before this returns.
    void sync();

private:
    std::filesystem::path log_;
    int fd_ = -1;
    std::string head_;
    std::size_t quarantined_bytes_ = 0;
    std::uint64_t quarantine_offset_ = 0;
    bool created_ = false;  // the directory entry of a new log still needs an fsync
};

}  // namespace amp::store
