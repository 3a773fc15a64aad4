// The result of one lifecycle operation: the new state and the audit events
// that record it. The lifecycle engine is pure: it reads no file and no clock,
// and the caller persists what it returns.
#pragma once

#include <string>
#include <vector>

#include "amp/error.hpp"
#include "amp/json/value.hpp"

namespace amp::lifecycle {

// The change one command makes to a persona's state. A command makes at
// most one mutation, so `state_rev` rises by exactly 1 when `changed` is true.
//
// The caller appends `events` in order (adding prev_hash and ts), then, only
// when `changed`, one StateChange {state_rev, cause, state, state_digest},
// then replaces the state file. `events` is non-empty with `changed` false
// in one case only: an override recorded as an incident entry, which writes
// an Override event and leaves the state as it was.
struct Mutation {
    // The new state, or an unchanged copy. When changed, updated_at is the
    // operation's time and state_rev the old revision + 1.
    Json state;

    // Audit events in append order, each {"event_type": ..., fields...},
    // without prev_hash, ts and the StateChange entry. Every event that has
    // a state_rev field carries the state_rev of `state`.
    std::vector<Json> events;

    // True when `state` differs from the input.
    bool changed = false;

    // Event type behind the change, for StateChange.cause; empty when unchanged.
    std::string cause;

    // 0 applied or observed, 1 nothing fired or denied, 2 waiting on human approval.
    ExitCode exit_code = ExitCode::ok;

    // Machine-readable result for --json; the human text is built from it.
    Json report;
};

}  // namespace amp::lifecycle
