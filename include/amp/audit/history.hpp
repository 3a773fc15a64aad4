// Verification of a persona's whole history: audit chain, drift chain,
// integrity snapshot and state_rev continuity, with the exact break point.
#pragma once

#include <cstdint>

#include "amp/clock.hpp"
#include "amp/json/value.hpp"
#include "amp/persona/paths.hpp"
#include "amp/signing/document_files.hpp"

namespace amp::audit {

struct HistoryReport {
    bool intact = false;
    Json details;  // the --json report for this persona
};

// Streams both chains once, so memory stays flat however long they are.
// `from_index` trusts the audit log's first entries (for --from N).
HistoryReport verify_history(const persona::PersonaPaths& paths, signing::TrustStores& stores, TimePoint now,
                             std::uint64_t from_index = 0);

}  // namespace amp::audit
