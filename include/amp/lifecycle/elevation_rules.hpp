// The persona's elevation definitions (authority.elevations) and the
// timing rules of granted elevations, shared by the lifecycle operations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "amp/clock.hpp"
#include "amp/json/value.hpp"
#include "amp/lifecycle/gates.hpp"

namespace amp::lifecycle {

// One entry of authority.elevations, read and checked.
struct ElevationDefinition {
    std::string id;
    std::size_t index = 0;  // position in authority.elevations
    Json grants;            // object of dotted authority path -> granted value
    Approval approval = Approval::automatic;  // the "requires" member
    std::int64_t ttl_seconds = 0;
    bool reason_required = false;
};

// Reads and checks authority.elevations. A persona without it has none.
// Throws amp::Error (exit code 3) naming the JSON pointer of the first
// invalid member or duplicate id.
std::vector<ElevationDefinition> read_elevations(const Json& persona);

// Returns true when the active_elevations entry's expires_at is at or before `now`.
bool elevation_has_expired(const Json& entry, TimePoint now);

// Returns the TTL to record for a granted elevation: the persona's
// ttl_seconds for its id, else expires_at - granted_at, else null.
Json elevation_ttl(const Json& persona, const Json& entry);

}  // namespace amp::lifecycle
