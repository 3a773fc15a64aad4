// Writing to the audit log outside gate and elevation commands: incident
// notes, and rebuilding a lost or corrupted state file from the log.
#pragma once

#include <optional>
#include <string>

#include "amp/clock.hpp"
#include "amp/crypto/ed25519.hpp"
#include "amp/json/value.hpp"
#include "amp/persona/paths.hpp"

namespace amp::audit {

// Appends {"event_type": "Note", text, approver} under the persona's lock.
// Returns the entry written.
Json append_note(const persona::PersonaPaths& paths, const std::string& text, const std::string& approver, TimePoint now);

struct RebuildResult {
    Json state;                 // the state written
    std::uint64_t from_entry;   // index of the StateChange it came from
    bool chain_intact = true;   // false: taken from before the first break
    std::string message;
};

// Rebuilds STEM.state.json from the latest StateChange of an intact audit
// log, or from the last StateChange before its first break (then a new
// StateChange at the next state_rev records the rebuilt state, so the state
// file and the log agree again). Signs the state with `key`, appends a
// Recovery entry. Throws amp::Error (exit 3) when the log holds no
// StateChange to rebuild from.
RebuildResult rebuild_state(const persona::PersonaPaths& paths, const crypto::SecretKey& key, const std::string& key_id,
                            TimePoint now);

}  // namespace amp::audit
