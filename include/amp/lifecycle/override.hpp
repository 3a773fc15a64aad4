// Emergency transitions: `amp gate FILE --override GATE --reason R --approver WHO [--metrics M]`.
#pragma once

#include <optional>
#include <string_view>

#include "amp/clock.hpp"
#include "amp/json/value.hpp"
#include "amp/lifecycle/mutation.hpp"

namespace amp::lifecycle {

// Forces the gate's transition with a mandatory record, ignoring criteria,
// cooldown and approval.
//
// In the gate's from_phase: the phase moves to to_phase, an Override event
// is recorded, active_overlay is cleared (with an AuthorityOverlayChange
// when it was set) and any pending_transition is cleared. Already in the
// gate's to_phase: only an Override event is returned, as an incident
// record, and the state stays as it is (changed false unless elevations
// expired). With `metrics`, the snapshot is recorded, and for a real
// transition the criteria must be failing, since a passing gate belongs to
// --evaluate.
//
// Throws amp::Error with exit code 3 for an empty reason or approver, an
// unknown gate, or metrics that are not an object. Throws with exit code 1
// (denied) when the current phase is neither the gate's from_phase nor its
// to_phase, or when the given metrics pass the criteria.
Mutation override_gate(const Json& persona, const Json& state, std::string_view gate_id, std::string_view reason,
                       std::string_view approver, const std::optional<Json>& metrics, TimePoint now);

}  // namespace amp::lifecycle
