// Writing to the audit log outside gate and elevation commands: incident
// notes, and rebuilding a lost or corrupted state file from the log.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "amp/clock.hpp"
#include "amp/crypto/ed25519.hpp"
#include "amp/json/value.hpp"
#include "amp/persona/paths.hpp"

namespace amp::store {
class ChainAppender;
}

namespace amp::audit {

// Entries for a persona's audit log, each serialized and checked when it is
// added, so that a command can refuse before the first byte is written. A
// torn final line is moved to STEM.audit.torn by the first write and
// recorded by a Recovery entry, which the batch prepares up front: head()
// already accounts for it. The caller holds the persona's lock.
class AuditBatch {
public:
    // Reads the tail of the audit log and writes nothing. `ts` becomes the
    // "ts" of every entry.
    AuditBatch(const persona::PersonaPaths& paths, std::string ts);
    ~AuditBatch();
    AuditBatch(const AuditBatch&) = delete;
    AuditBatch& operator=(const AuditBatch&) = delete;

    // True when the log ends in a torn line that the first write moves aside.
    bool quarantines_torn_tail() const noexcept { return quarantine_record_.has_value(); }

    // The prev_hash of the next entry added, counting the quarantine's
    // Recovery entry and every entry added so far.
    const std::string& head() const noexcept { return head_; }

    // Appends "prev_hash" and "ts" to `entry` and checks that the audit log
    // can store it. Throws amp::Error (exit 3) for a string that is not
    // UTF-8 or a line longer than store::max_chain_line_bytes. Returns the
    // entry as it will be written.
    Json add(Json entry);

    // Moves the torn tail aside and appends its Recovery entry, fsynced. Does
    // nothing when there is no torn tail or when it already ran. Throws
    // amp::Error if the log changed since the batch read it (a writer that
    // ignores the lock).
    void quarantine_torn_tail();

    // Runs quarantine_torn_tail(), then appends the entries added since the
    // last write, in order, and fsyncs the log.
    void write();

private:
    // Sets the entry's prev_hash and ts, checks it as add() does, and advances head().
    Json link(Json entry);

    persona::PersonaPaths paths_;
    std::string ts_;
    std::string tail_head_;                 // hash of the last complete line when the batch was made
    std::size_t torn_bytes_ = 0;            // length of the torn tail then
    std::optional<Json> quarantine_record_;
    std::string head_;
    std::vector<Json> entries_;
    std::unique_ptr<store::ChainAppender> appender_;
};

// Appends {"event_type": "Note", text, approver} under the persona's lock.
// Returns the entry written.
Json append_note(const persona::PersonaPaths& paths, const std::string& text, const std::string& approver, TimePoint now);

struct RebuildResult {
    Json state;                 // the state written
    std::uint64_t from_entry;   // index of the StateChange it came from
    bool chain_intact = true;   // false: taken from before the first unacknowledged break
    std::string message;
};

// Rebuilds STEM.state.json from the latest StateChange of an intact audit
// log, or from the last StateChange before its first break (then a new
// StateChange at the next state_rev records the rebuilt state, so the state
// file and the log agree again). Breaks that the integrity snapshot
// acknowledges count as intact when its signature verifies against the
// trust store, as in `amp audit --verify`. Signs the state with `key`,
// appends a Recovery entry. Throws amp::Error (exit 3), before writing
// anything, when the log contains no StateChange to rebuild from.
RebuildResult rebuild_state(const persona::PersonaPaths& paths, const crypto::SecretKey& key, const std::string& key_id,
                            TimePoint now);

}  // namespace amp::audit
