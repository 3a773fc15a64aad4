// Signing and verifying documents on disk.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "amp/signing/signature.hpp"
#include "amp/trust/trust_store.hpp"
#include "amp/trust/workspace.hpp"

namespace amp::signing {

// Reads a JSON document that must be an object (persona, state, snapshot).
Json load_document(const std::filesystem::path& path);

// Signs the file in place and replaces it atomically, keeping its mode.
void sign_file(const std::filesystem::path& path, const SignRequest& request);

// The key_id to sign with: `requested` if given (it must not belong to a
// different key in the trust store), else the trust-store entry whose public
// key matches `key`. Throws amp::Error when neither settles it, or when the
// key is revoked or retired past its grace period at `now`. Warns when it is
// retired and still in its grace period.
std::string choose_key_id(const crypto::SecretKey& key, const std::optional<std::string>& requested,
                          const trust::TrustStore* store, TimePoint now);

// Checks the key a state mutation is configured to sign with (`origin` names
// where the configuration came from): the trust store must hold `key_id`
// with this public key, and the key must still be trusted at `now`. Throws
// amp::Error (exit 3) otherwise, so that nothing is written with a key the
// next command would refuse. A retired key in its grace period signs with a
// warning.
void require_trusted_signing_key(const crypto::SecretKey& key, const std::string& key_id,
                                 const trust::TrustStore& store, TimePoint now, std::string_view origin);

// Trust stores by workspace, loaded once each, for commands over many files.
class TrustStores {
public:
    // The trust store of the workspace that contains `file`, or of the
    // current directory's workspace if the file is in none. Throws amp::Error
    // (exit 3) naming the file when there is no trust store at all.
    const trust::TrustStore& for_file(const std::filesystem::path& file);

private:
    const trust::TrustStore& find_for(const std::filesystem::path& file);

    std::map<std::filesystem::path, std::unique_ptr<trust::TrustStore>> stores_;
    std::map<std::filesystem::path, const trust::TrustStore*> by_directory_;
};

}  // namespace amp::signing
