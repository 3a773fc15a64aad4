// Read-only views of personas for `amp status` and `amp fleet --status`.
#pragma once

#include <filesystem>

#include "amp/clock.hpp"
#include "amp/json/value.hpp"
#include "amp/persona/paths.hpp"
#include "amp/signing/document_files.hpp"

namespace amp::operations {

// Everything an operator needs about one persona, as JSON: phase, state_rev,
// elevations with seconds left (expired-but-recorded ones flagged), pending
// approval, last transition, effective autonomy, signature status of persona
// and state, audit head and entry count, and whether the state file agrees
// with the audit log. Takes no lock: it reads files that are only ever
// replaced atomically. Throws amp::Error when the persona cannot be read.
Json persona_status(const persona::PersonaPaths& paths, signing::TrustStores& stores, TimePoint now);

// Per-metric trend over the drift ledger: entries, and for each numeric
// metric its first, last, min, max, change and up to `series_length` most
// recent values (booleans count as 0 and 1). Reads the ledger once.
Json drift_summary(const persona::PersonaPaths& paths, std::size_t series_length = 32);

}  // namespace amp::operations
