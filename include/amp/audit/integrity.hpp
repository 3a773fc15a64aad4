// Integrity snapshots (STEM.integrity.json): a signed record of how far the
// audit log and drift ledger reached, their heads, and the state they led
// to. A snapshot anchors the first `entries` audit lines; a break listed in
// `acknowledged_breaks` was reviewed and re-anchored by the signer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "amp/clock.hpp"
#include "amp/crypto/ed25519.hpp"
#include "amp/json/value.hpp"
#include "amp/persona/paths.hpp"

namespace amp::audit {

struct AcknowledgedBreak {
    std::uint64_t entry = 0;
    std::string reason;
};

struct SnapshotSigner {
    const crypto::SecretKey& key;
    std::string key_id;
    std::string signer;
};

// Reads the acknowledged breaks of an existing snapshot (empty if none).
std::vector<AcknowledgedBreak> acknowledged_breaks(const Json& snapshot);

// Builds a snapshot of the persona's chains and state as they are now. The
// audit chain must be intact once the existing and new acknowledgements are
// applied; otherwise amp::Error (exit 1) names the break and the
// --acknowledge command, listing every break, to run after review.
// Acknowledging an entry that is not the next break, or an unreadable line,
// is refused (exit 3). Does not write anything.
Json build_snapshot(const persona::PersonaPaths& paths, const std::vector<AcknowledgedBreak>& acknowledge,
                    TimePoint now);

// Creates STEM.integrity.json (signed when `signer` is given) and appends a
// Checkpoint entry to the audit log, under the persona's lock. Returns the
// snapshot written.
Json create_checkpoint(const persona::PersonaPaths& paths, const std::vector<AcknowledgedBreak>& acknowledge,
                       const std::optional<SnapshotSigner>& signer, TimePoint now);

// create_checkpoint for a caller that already holds the persona's lock.
Json write_checkpoint(const persona::PersonaPaths& paths, const std::vector<AcknowledgedBreak>& acknowledge,
                      const std::optional<SnapshotSigner>& signer, TimePoint now);

}  // namespace amp::audit
