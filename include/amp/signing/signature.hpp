// The signature block: signing and verifying persona, state and integrity
// documents.
//
// Payload = RFC 8785 bytes of an object holding exactly the `signed_fields`
// members; `signed_fields` = every top-level member except `signature` and
// `$schema`; `digest` = "sha256:" + hex SHA-256 of the payload; `value` =
// base64 of the ed25519 signature of the payload itself.
#pragma once

#include <optional>
#include <string>

#include "amp/clock.hpp"
#include "amp/crypto/ed25519.hpp"
#include "amp/json/value.hpp"
#include "amp/trust/trust_store.hpp"

namespace amp::signing {

inline constexpr const char* algorithm_name = "ed25519";
inline constexpr const char* canonicalization_name = "JCS-RFC8785";

struct SignRequest {
    const crypto::SecretKey& key;
    std::string key_id;
    std::string signer;
    TimePoint created_at;
};

// Returns `document` with its signature block replaced by a new one over
// every member except `signature` and `$schema`, placed last. Throws
// amp::Error unless `document` is an object.
Json sign_document(const Json& document, const SignRequest& request);

// Every way a signature can fail, each with its own message. The order is
// the order of the checks.
enum class Failure {
    none,
    no_signature,
    malformed_block,
    unsupported_algorithm,
    unsupported_canonicalization,
    field_not_signed,     // a top-level member is missing from signed_fields
    signed_field_missing, // signed_fields names a member the document lacks
    digest_mismatch,
    malformed_value,
    unknown_key,
    untrusted_key,        // revoked, or retired past its grace period
    public_key_mismatch,  // the embedded public_key is not the trusted key
    bad_signature,
};

// Stable identifier for --json output, e.g. "digest_mismatch".
std::string to_string(Failure failure);

struct Verification {
    Failure failure = Failure::none;
    std::string message;     // what failed and why, for the operator
    std::string key_id;      // as named by the block, if readable
    std::string signer;
    std::string created_at;
    std::optional<std::string> warning;  // e.g. a retired key inside its grace period
    bool valid() const noexcept { return failure == Failure::none; }
};

// Where verification gets the public key for a key_id from. The embedded
// public_key of a signature block is never consulted as a source.
class KeySource {
public:
    // A trust store, judged at `now` for retirement and revocation.
    static KeySource trust_store(const trust::TrustStore& store, TimePoint now);
    // One key given by the operator (--pubkey): the trust store is bypassed.
    static KeySource pinned(const crypto::PublicKey& key);

    struct Resolution {
        std::optional<crypto::PublicKey> key;
        Failure failure = Failure::none;
        std::string message;
        std::optional<std::string> warning;
    };
    Resolution resolve(const std::string& key_id) const;

private:
    KeySource() = default;
    const trust::TrustStore* store_ = nullptr;
    TimePoint now_{};
    std::optional<crypto::PublicKey> pinned_;
};

Verification verify_document(const Json& document, const KeySource& keys);

// True if the document carries a signature block at all.
bool is_signed(const Json& document);

}  // namespace amp::signing
