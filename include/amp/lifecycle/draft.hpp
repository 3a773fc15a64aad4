// Building blocks shared by the lifecycle operations (evaluate, approve,
// override, elevate, revoke). Callers outside the lifecycle engine use the
// operations, not these.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "amp/clock.hpp"
#include "amp/json/value.hpp"
#include "amp/lifecycle/gates.hpp"
#include "amp/lifecycle/mutation.hpp"

namespace amp::lifecycle {

// A state being changed by one command. Every event and every state member
// that records a revision gets next_rev(), because one command is one
// mutation. finish() turns the draft into a Mutation.
class Draft {
public:
    Draft(const Json& state, TimePoint now);

    // The working copy of the state.
    Json& state() { return state_; }
    const Json& state() const { return state_; }

    TimePoint now() const { return now_; }
    std::string now_text() const { return format_time(now_); }

    // The revision of the input state, and the one a change produces.
    std::int64_t input_rev() const { return input_rev_; }
    std::int64_t next_rev() const { return input_rev_ + 1; }

    // Records that the state changed because of an event of type `cause`.
    // The last call wins, so the main event of a command names the cause
    // even when elevations expired first.
    void mark_changed(std::string cause);
    bool changed() const { return !cause_.empty(); }

    // Appends an audit event. Its state_rev, if any, is set in finish().
    void add_event(Json event);

    // Ends the command: stamps updated_at and the event revisions, and
    // returns the mutation with `exit_code` and `report`.
    Mutation finish(ExitCode exit_code, Json report);

private:
    Json state_;
    TimePoint now_;
    std::int64_t input_rev_;
    std::string cause_;
    std::vector<Json> events_;
};

// Removes the active elevations whose expires_at <= now, adding one
// ElevationChange "expire" event each. Returns the removed entries.
Json expire_elevations(Draft& draft, const Json& persona);

// Origin of a transition, which decides its decision_id and the gate_history members it updates.
enum class TransitionKind { evaluated, approved, override };

// Moves the state to the gate's to_phase: sets current_phase and
// last_transition, clears pending_transition, and updates gate_history
// (fired and last_fired_at, or overrides and last_override_at for an
// override, which does not start a cooldown). `hash` may be null.
void apply_transition(Draft& draft, const Gate& gate, TransitionKind kind, const Json& hash);

// Sets active_overlay to `overlay` and adds an AuthorityOverlayChange event,
// unless the overlay already has that value.
void replace_overlay(Draft& draft, const Gate& gate, const Json& overlay);

// Builds a GateTransition event with its fields in the audit-log order.
// `approver` is written only when non-empty.
Json gate_transition_event(const Gate& gate, std::string_view decision, const Json& from_phase,
                           const Json& metrics_snapshot, const Json& criteria_results, const Json& hash,
                           std::int64_t state_rev, std::string_view approver = {});

// Returns the state's gate_history entry for `gate_id`, creating the
// history and the entry when missing.
Json& gate_history_entry(Json& state, const std::string& gate_id);

// Reads state_rev as an integer (the state was validated before).
std::int64_t state_rev_of(const Json& state);

// Escapes one reference token of a JSON pointer (RFC 6901: "~" and "/").
std::string pointer_token(std::string_view token);

}  // namespace amp::lifecycle
