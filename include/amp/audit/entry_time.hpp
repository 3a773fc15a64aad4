// The timestamp of the next audit entry.
#pragma once

#include <filesystem>

#include "amp/clock.hpp"

namespace amp::audit {

// Returns `now`, or the time of the newest entry of `audit_log` when that is
// later (with a warning), so a clock that stepped back cannot make the
// chain's timestamps go backwards. Reads only the end of the log.
TimePoint next_entry_time(const std::filesystem::path& audit_log, TimePoint now);

}  // namespace amp::audit
