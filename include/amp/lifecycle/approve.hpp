// Human approval of a pending transition: `amp gate FILE --approve GATE --approver WHO`.
#pragma once

#include <string_view>

#include "amp/clock.hpp"
#include "amp/json/value.hpp"
#include "amp/lifecycle/mutation.hpp"

namespace amp::lifecycle {

// Applies the pending transition of `gate_id`, recording a GateTransition
// "approved" with the approver.
//
// The pending transition must exist for that gate and have been made at the
// current state_rev; this is checked before expired elevations are removed.
// Throws amp::Error with exit code 1 (denied) when it is absent or stale,
// saying what changed and to re-run --evaluate, and with exit code 3 when
// the gate is unknown, the approver is empty, or the input is invalid.
Mutation approve(const Json& persona, const Json& state, std::string_view gate_id, std::string_view approver,
                 TimePoint now);

}  // namespace amp::lifecycle
