// `amp sign STEM.state.json`: sign a state file and re-anchor its history.
#pragma once

#include <optional>
#include <string>

#include "amp/clock.hpp"
#include "amp/crypto/ed25519.hpp"
#include "amp/persona/paths.hpp"

namespace amp::operations {

struct SignStateResult {
    bool snapshot_refreshed = false;
    std::optional<std::string> break_message;   // why the snapshot was left as it was
    std::optional<std::uint64_t> break_entry;   // the entry to acknowledge after review
};

// Under the persona's lock: signs the state file, then refreshes the
// integrity snapshot with the same key, but only when the chains are
// intact. A checkpoint never hides damage: on a broken chain the snapshot
// is left as it was and the result says which entry needs review.
SignStateResult sign_state(const persona::PersonaPaths& paths, const crypto::SecretKey& key, const std::string& key_id,
                           const std::string& signer, TimePoint now);

}  // namespace amp::operations
