#include "amp/crypto/sha256.hpp"

#include <sodium.h>

#include "amp/crypto/ed25519.hpp"
#include "amp/crypto/encoding.hpp"

// SHA-256 comes from libsodium rather than OpenSSL: OpenSSL 3 loads its
// configuration and providers on the first digest, which costs several
// million instructions per process, more than a whole `amp verify` needs
// otherwise. libsodium's implementation needs no set-up.

namespace amp::crypto {

struct Sha256Stream::State {
    crypto_hash_sha256_state sodium;
};

Sha256Stream::Sha256Stream() : state_(std::make_unique<State>()) {
    ensure_sodium();
    crypto_hash_sha256_init(&state_->sodium);
}

Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::update(std::string_view bytes) {
    crypto_hash_sha256_update(&state_->sodium, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

Sha256Digest Sha256Stream::finish() {
    Sha256Digest digest{};
    crypto_hash_sha256_final(&state_->sodium, digest.data());
    return digest;
}

Sha256Digest sha256(std::string_view bytes) {
    ensure_sodium();
    Sha256Digest digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return digest;
}

std::string sha256_hex(std::string_view bytes) { return to_hex(sha256(bytes)); }

std::string sha256_tagged(std::string_view bytes) { return "sha256:" + sha256_hex(bytes); }

}  // namespace amp::crypto
