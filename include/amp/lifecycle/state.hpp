// The phase state document (STEM.state.json): creation and type checks.
#pragma once

#include <string_view>

#include "amp/clock.hpp"
#include "amp/json/value.hpp"

namespace amp::lifecycle {

// Builds the state of a persona that has not been onboarded yet:
// current_phase null, state_rev 0, no elevations, overlay or history.
// Throws amp::Error if the persona has no string "name".
Json initial_state(const Json& persona, TimePoint now);

// Checks the member types of a loaded state document and throws amp::Error
// (exit code 3) whose message starts with `source` and the JSON pointer of
// the first bad member. name, current_phase and state_rev are required.
// The other known members may be missing, as in files written by older
// tools, and unknown members are accepted untouched.
void validate_state(const Json& state, std::string_view source = "state");

// Checks that `state` belongs to `persona` (equal "name") and has valid
// types, throwing amp::Error (exit code 3) otherwise.
void validate_state_for(const Json& persona, const Json& state, std::string_view source = "state");

}  // namespace amp::lifecycle
