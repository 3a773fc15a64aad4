// Integrity snapshots (STEM.integrity.json): a signed record of how far the
// audit log and drift ledger reached, their heads, and the state they led
// to. A snapshot anchors the first `entries` audit lines; a break listed in
// `acknowledged_breaks` was reviewed and re-anchored by the signer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "amp/audit/chain_verify.hpp"
#include "amp/clock.hpp"
#include "amp/crypto/ed25519.hpp"
#include "amp/json/value.hpp"
#include "amp/persona/paths.hpp"

namespace amp::audit {

struct AcknowledgedBreak {
    std::uint64_t entry = 0;
    std::string reason;
    // The hashes of the link's two lines at the review (see AcknowledgedLink).
    // Empty in a request until the checkpoint pins them; an acknowledgement
    // read without them covers nothing.
    std::string previous_entry_hash;
    std::string entry_hash;
};

struct SnapshotSigner {
    const crypto::SecretKey& key;
    std::string key_id;
    std::string signer;
};

// Returns the link that an acknowledgement covers, for VerifyOptions.
AcknowledgedLink link_of(const AcknowledgedBreak& acknowledged);

// Reads the acknowledged breaks of an existing snapshot (empty if none).
std::vector<AcknowledgedBreak> acknowledged_breaks(const Json& snapshot);

// The acknowledged breaks of a persona's snapshot that `amp audit --verify`
// honours: those of a snapshot whose signature verifies against the trust
// store of its workspace at `now`.
struct TrustedBreaks {
    std::vector<AcknowledgedLink> entries;
    // Reason the snapshot's acknowledgements are not honoured (unsigned,
    // invalid signature, no trust store, unreadable file). Empty when they
    // are honoured, or when there is no snapshot.
    std::string ignored_because;
};

// Reads and checks STEM.integrity.json. A snapshot that is missing, is not
// a JSON object or is untrusted honours no acknowledgement, and does not
// make this throw.
TrustedBreaks trusted_acknowledged_breaks(const persona::PersonaPaths& paths, TimePoint now);

// Builds a snapshot of the persona's chains and state as they are now. The
// audit chain must be intact once the existing and new acknowledgements are
// applied; otherwise amp::Error (exit 1) names the break and the
// --acknowledge command, listing every break, to run after review. A torn
// final line is such a break here, because only a write moves it aside.
// Acknowledging an entry that is not the next break, or an unreadable line,
// is refused (exit 3). Does not write anything.
Json build_snapshot(const persona::PersonaPaths& paths, const std::vector<AcknowledgedBreak>& acknowledge,
                    TimePoint now);

// Creates STEM.integrity.json (signed when `signer` is given) and appends a
// Checkpoint entry to the audit log, under the persona's lock. A torn final
// line of the audit log is moved aside first and recorded, and the snapshot
// anchors the log with that Recovery entry. Every refusal (the exit 1 and 3
// cases of build_snapshot, a reason that cannot be stored) happens before
// anything is written. Returns the snapshot written.
Json create_checkpoint(const persona::PersonaPaths& paths, const std::vector<AcknowledgedBreak>& acknowledge,
                       const std::optional<SnapshotSigner>& signer, TimePoint now);

// create_checkpoint for a caller that already holds the persona's lock.
Json write_checkpoint(const persona::PersonaPaths& paths, const std::vector<AcknowledgedBreak>& acknowledge,
                      const std::optional<SnapshotSigner>& signer, TimePoint now);

}  // namespace amp::audit
