// Time for amp: RFC 3339 UTC timestamps and the AMP_NOW override.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace amp {

using TimePoint = std::chrono::sys_seconds;

// The current time, or AMP_NOW (RFC 3339) when set, for tests and drills.
// Throws amp::Error if AMP_NOW is set but invalid.
TimePoint now();

// Formats as "2026-04-01T09:00:00Z".
std::string format_time(TimePoint time);

// Parses RFC 3339 with a "Z" or numeric offset and optional fractional
// seconds (truncated to whole seconds). Returns nullopt if invalid.
std::optional<TimePoint> parse_time(std::string_view text);

// Parses a duration such as "30d", "12h", "90m", "45s" or a bare number of
// seconds. Returns nullopt if invalid.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace amp
