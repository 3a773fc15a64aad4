// The trust store `.ampersona/trust.json`: which public keys may sign.
//
// active keys are trusted; retired keys are trusted until `valid_until` (the
// grace period), with a warning; revoked keys are never trusted. Entries are
// never deleted, so a revoked key cannot come back by mistake: a key_id and a
// public key each belong to exactly one entry forever.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "amp/clock.hpp"
#include "amp/crypto/ed25519.hpp"
#include "amp/json/value.hpp"

namespace amp::trust {

enum class KeyStatus { active, retired, revoked };

std::string to_string(KeyStatus status);

struct TrustedKey {
    std::string key_id;
    crypto::PublicKey public_key{};
    KeyStatus status = KeyStatus::active;
    std::string added_at;
    std::optional<TimePoint> valid_until;  // retired keys only
    std::string retired_at;
    std::string revoked_at;
    std::string reason;  // revocation reason
};

// Whether a key may be used to verify at a given time, and why not.
struct KeyVerdict {
    bool trusted = false;
    bool in_grace = false;  // retired but before valid_until
    std::string message;    // for refusals and grace warnings
};

KeyVerdict assess_key(const TrustedKey& key, TimePoint now);

class TrustStore {
public:
    // Loads and validates a trust store. A missing file is an amp::Error with
    // a hint to run `amp trust add`.
    static TrustStore load(const std::filesystem::path& path);

    // Loads it if it exists, else starts an empty one that save() will create.
    static TrustStore load_or_create(const std::filesystem::path& path);

    const std::filesystem::path& path() const noexcept { return path_; }
    const std::vector<TrustedKey>& keys() const noexcept { return keys_; }
    const TrustedKey* find(std::string_view key_id) const;
    const TrustedKey* find(const crypto::PublicKey& public_key) const;

    // Each throws amp::Error when the change is not allowed (duplicate id or
    // key, unknown id, revoking twice), leaving the store unchanged.
    void add(const std::string& key_id, const crypto::PublicKey& public_key, TimePoint now);
    void retire(const std::string& key_id, TimePoint now, std::chrono::seconds grace);
    void revoke(const std::string& key_id, const std::string& reason, TimePoint now);

    // Writes the store atomically; unknown members of the file are kept.
    void save() const;

    Json to_json() const;

private:
    TrustStore(std::filesystem::path path, Json document);
    std::filesystem::path path_;
    Json document_;
    std::vector<TrustedKey> keys_;
};

}  // namespace amp::trust
