#include "amp/crypto/ed25519.hpp"

#include <sodium.h>

#include <utility>

#include "amp/error.hpp"

namespace amp::crypto {

void ensure_sodium() {
    // sodium_init is itself thread-safe and idempotent; a static makes it run once.
    static const int status = sodium_init();
    if (status < 0) throw Error("libsodium failed to initialise");
}

SecretKey::SecretKey() {
    ensure_sodium();
    secret_ = static_cast<std::uint8_t*>(sodium_malloc(crypto_sign_SECRETKEYBYTES));
    if (secret_ == nullptr) throw Error("cannot allocate protected memory for a private key");
}

SecretKey::SecretKey(SecretKey&& other) noexcept
    : secret_(std::exchange(other.secret_, nullptr)), public_key_(other.public_key_) {}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
    if (this != &other) {
        if (secret_ != nullptr) sodium_free(secret_);
        secret_ = std::exchange(other.secret_, nullptr);
        public_key_ = other.public_key_;
    }
    return *this;
}

SecretKey::~SecretKey() {
    // sodium_free wipes the memory before releasing it.
    if (secret_ != nullptr) sodium_free(secret_);
}

SecretKey SecretKey::from_seed(std::span<const std::uint8_t> seed) {
    if (seed.size() != seed_bytes) throw Error("an ed25519 seed must be 32 bytes");
    SecretKey key;
    if (crypto_sign_seed_keypair(key.public_key_.data(), key.secret_, seed.data()) != 0) {
        throw Error("libsodium failed to derive an ed25519 key pair");
    }
    return key;
}

SecretKey SecretKey::generate() {
    SecretKey key;
    if (crypto_sign_keypair(key.public_key_.data(), key.secret_) != 0) {
        throw Error("libsodium failed to generate an ed25519 key pair");
    }
    return key;
}

Signature SecretKey::sign(std::string_view message) const {
    Signature signature{};
    if (crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                             message.size(), secret_) != 0) {
        throw Error("libsodium failed to sign");
    }
    return signature;
}

bool verify(const PublicKey& key, std::string_view message, std::span<const std::uint8_t> signature) {
    ensure_sodium();
    if (signature.size() != signature_bytes) return false;
    return crypto_sign_verify_detached(signature.data(), reinterpret_cast<const unsigned char*>(message.data()),
                                       message.size(), key.data()) == 0;
}

}  // namespace amp::crypto
