// Temporary elevations: `amp elevate FILE --elevation ID --reason R [--approver WHO]`
// and `--revoke ID --reason R`, plus the read-only views that status and
// authority checks need.
#pragma once

#include <string_view>

#include "amp/clock.hpp"
#include "amp/json/value.hpp"
#include "amp/lifecycle/mutation.hpp"

namespace amp::lifecycle {

// Grants the persona's elevation `elevation_id` for its ttl_seconds, or
// renews it (new expires_at) when it is already active. granted_by is the
// approver when given, else `operator_identity`. Records an ElevationChange
// "activate" or "renew".
//
// Throws amp::Error (exit code 3) when the id is not in
// authority.elevations, and the message then lists the known ids. It also
// throws with exit code 3 for an empty reason under reason_required, a
// missing approver under `requires: "human"`, `requires: "quorum"`, and
// invalid input.
Mutation elevate(const Json& persona, const Json& state, std::string_view elevation_id, std::string_view reason,
                 std::string_view approver, std::string_view operator_identity, TimePoint now);

// Ends an active elevation before its TTL, recording an ElevationChange
// "revoke". Throws amp::Error with exit code 1 when the elevation is not
// active (never granted, revoked, or expired), and with exit code 3 for an
// empty reason or invalid input.
Mutation revoke_elevation(const Json& persona, const Json& state, std::string_view elevation_id,
                          std::string_view reason, TimePoint now);

// Returns the recorded active_elevations entries whose expires_at <= now:
// expired, but not yet removed by a mutation. Throws amp::Error (exit code
// 3) for a state with invalid types.
Json expired_elevations(const Json& state, TimePoint now);

// Returns the persona's authority with active_overlay merged in (RFC 7396
// merge patch) and the grants of unexpired elevations applied. A grant key
// is a dotted path into the authority ("actions.allow"). An array grant
// appends the entries not yet present, and a grant to "actions.allow" also
// removes those actions from "actions.deny", which is what the elevation is
// for. Any other grant value replaces the member. Throws amp::Error (exit
// code 3) for an invalid state or elevation definition.
Json effective_authority(const Json& persona, const Json& state, TimePoint now);

}  // namespace amp::lifecycle
