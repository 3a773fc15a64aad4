// Signing and verifying documents on disk.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

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
// key is revoked. Warns when it is retired.
std::string choose_key_id(const crypto::SecretKey& key, const std::optional<std::string>& requested,
                          const trust::TrustStore* store);

// Trust stores by workspace, loaded once each, for commands over many files.
class TrustStores {
public:
    // The trust store of the workspace that contains `file`, or of the
    // current directory's workspace if the file is in none. Throws amp::Error
    // (exit 3) naming the file when there is no trust store at all.
    const trust::TrustStore& for_file(const std::filesystem::path& file);

private:
    std::map<std::filesystem::path, std::unique_ptr<trust::TrustStore>> stores_;
};

}  // namespace amp::signing
