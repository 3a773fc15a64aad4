// Whole-directory operations: `amp fleet DIR --check` and `--status`.
#pragma once

#include <filesystem>

#include "amp/clock.hpp"
#include "amp/json/value.hpp"

namespace amp::fleet {

struct FleetOptions {
    bool allow_unsigned = false;  // unsigned personas and state files pass
    unsigned threads = 0;         // 0: one per hardware thread
};

struct FleetReport {
    bool ok = false;
    Json details;  // the --json report
};

// Checks every persona in `directory` (not recursive): schema, persona
// signature, state file (signature and binding to the persona), audit and
// drift chains, integrity snapshot, and state_rev continuity. Companion
// files are recognised, other JSON is listed as skipped with the reason.
// Personas are checked in parallel; the report is sorted by file name.
// Throws amp::Error when the directory cannot be read.
FleetReport check_fleet(const std::filesystem::path& directory, const FleetOptions& options, TimePoint now);

// One row per persona: file, name, autonomy, phase, state_rev, elevations,
// signing key, audit state.
Json fleet_status(const std::filesystem::path& directory, TimePoint now);

}  // namespace amp::fleet
