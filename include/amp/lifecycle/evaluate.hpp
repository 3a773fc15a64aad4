// Gate evaluation: `amp gate FILE --evaluate GATE|'*' --metrics M`.
#pragma once

#include <string_view>

#include "amp/clock.hpp"
#include "amp/json/value.hpp"
#include "amp/lifecycle/mutation.hpp"

namespace amp::lifecycle {

// Selector that evaluates every candidate and applies whichever wins.
inline constexpr std::string_view any_gate = "*";

// Evaluates the candidate gates of the current phase against `metrics` and
// applies at most one of them.
//
// Expired elevations are removed first. The candidates are ordered
// (order_candidates), a gate inside its cooldown is skipped, and the first
// candidate whose criteria pass wins. With `selector` "*" the winner is
// applied. With a gate id the same order is computed, but only that gate
// may be applied: when another gate wins, nothing is applied (exit 1) and
// the report names the winner.
//
// A winner with observe enforcement records a GateTransition "observed"
// and changes neither phase nor overlay. A winner with approval "human"
// records a pending_transition (exit 2). Any other winner moves the phase,
// and its on_pass.authority_overlay replaces active_overlay. A winner that
// already fired with the same metrics_hash at the current state_rev is
// reported as "already_applied" (exit 0) without a change.
//
// The report lists every candidate with its criteria results and why it was
// skipped, and carries "drift" {metrics, gate_id, state_rev} for the drift
// ledger line. Throws amp::Error (exit code 3) when `metrics` is not an
// object, the selector names no gate, the winner needs quorum approval, or
// the persona or state is invalid.
Mutation evaluate(const Json& persona, const Json& state, const Json& metrics, std::string_view selector,
                  TimePoint now);

}  // namespace amp::lifecycle
