// Verification of hash-chained JSON Lines logs: the audit log
// (STEM.audit.jsonl) and the drift ledger (STEM.drift.jsonl).
//
// The chain rule is the one amp::store::ChainAppender writes: each line's
// "prev_hash" is "genesis" for the first line and otherwise "sha256:" + hex
// SHA-256 of the previous line's bytes without its "\n". Verification streams
// the file once through a fixed buffer, so memory stays flat however long
// the log is, and reports the first damaged entry with the hashes involved.
// A damaged chain is a returned verdict; only I/O failures throw.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "amp/json/value.hpp"

namespace amp::audit {

// Kind of damage found in the first damaged entry.
enum class DamageKind {
    content_changed,      // prev_hash matches no line: the previous entry was edited, or entries were removed
    out_of_order,         // prev_hash is the hash of another line of the file than the previous one
    torn_final_line,      // the last line has no "\n" (a write cut short by a crash)
    not_json,             // the line is not valid JSON under amp's strict reader
    not_an_object,        // valid JSON, but not an object with a string "prev_hash"
    invalid_timestamp,    // "ts" is missing, not a string, or not an RFC 3339 time
    second_genesis,       // prev_hash is "genesis" on an entry after the first
    timestamp_backwards,  // "ts" is earlier than the previous entry's
    line_too_long,        // the line exceeds amp::store::max_chain_line_bytes
};

// Returns the snake_case name of `kind`, as used in JSON output ("content_changed").
std::string_view damage_kind_name(DamageKind kind);

// The first damaged entry of a chain.
struct ChainDamage {
    DamageKind kind = DamageKind::content_changed;
    std::uint64_t index = 0;  // 0-based entry index of the first bad entry
    std::uint64_t line = 0;   // 1-based line number (index + 1)
    // Hash of the previous line as recomputed ("genesis" at index 0), for
    // every kind. For a torn final line, that is the head of the complete
    // lines before it.
    std::string computed_hash;
    // prev_hash recorded in the entry. It is empty when the entry could not
    // be read (not_json, not_an_object, line_too_long, torn_final_line).
    std::string recorded_hash;
    // For out_of_order: the entry whose hash the recorded prev_hash is.
    std::optional<std::uint64_t> links_to;
    // One sentence for the operator, starting "entry 17 (line 18) ...".
    std::string message;
};

// The outcome of verifying one chain.
struct ChainReport {
    // Complete lines (each ending in "\n"), damaged or not; a torn final
    // line is not counted. The first `entries` lines hash to `head`.
    std::uint64_t entries = 0;
    std::uint64_t bytes = 0;       // size of the file as read, torn bytes included
    std::string head = "genesis";  // hash of the last complete line
    std::optional<ChainDamage> first_damage;
    // Head after the first N complete lines, for each N requested through
    // VerifyOptions::heads_at that the file reaches ("genesis" for N = 0).
    std::map<std::uint64_t, std::string> heads_at;

    bool intact() const noexcept { return !first_damage.has_value(); }
};

// Called with each complete entry that parses as a JSON object, in file
// order, with its 0-based index and its line without "\n".
using EntryVisitor = std::function<void(std::uint64_t index, const Json& entry, std::string_view line)>;

// A break an operator reviewed, pinned to the two lines of the broken link
// as they were at the review: a later edit of either line is a new break.
struct AcknowledgedLink {
    std::uint64_t entry = 0;
    std::string previous_entry_hash;  // hash of line `entry - 1`, or "genesis" for entry 0
    std::string entry_hash;           // hash of line `entry`
};

// Settings of one verify_chain call.
struct VerifyOptions {
    // First entry checked. Earlier lines are only hashed and counted, and the
    // link of entry `from_index` to its predecessor is trusted (for `--from N`).
    // At 0, entry 0 must carry prev_hash "genesis".
    std::uint64_t from_index = 0;
    // Links an operator reviewed and re-anchored: at those entries the
    // prev_hash and ts order checks are skipped, but only while both lines
    // still have the hashes they had at the review.
    std::vector<AcknowledgedLink> acknowledged_breaks;
    // Line counts N for which ChainReport::heads_at records the head.
    std::vector<std::uint64_t> heads_at;
    // Called for every entry from `from_index` on that parses, also after
    // the first damage. Giving a visitor makes every line go through the
    // strict reader into a Json, which is several times slower than the
    // validating scan used otherwise.
    EntryVisitor visit;
};

// Verifies the chain in `log`. Each entry from options.from_index on must be
// a JSON object under the strict reader's rules and carry a string prev_hash
// that links it to the previous line. Its RFC 3339 "ts" must not be earlier
// than the previous entry's, compared as time points with fractions of a
// second. The file must end in "\n", and no line may exceed
// amp::store::max_chain_line_bytes. Reports the first damage only, but still
// counts entries and computes the head to the end of the file. Throws
// amp::Error if the file cannot be opened or read. A missing file is such an
// error too, because only the caller knows whether an absent log is fine.
ChainReport verify_chain(const std::filesystem::path& log, const VerifyOptions& options);

// Shorthand for verify_chain with only a visitor and a starting entry.
ChainReport verify_chain(const std::filesystem::path& log, const EntryVisitor& visit = {},
                         std::uint64_t from_index = 0);

}  // namespace amp::audit
