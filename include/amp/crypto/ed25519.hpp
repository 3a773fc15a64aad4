// ed25519 keys and signatures (libsodium).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace amp::crypto {

inline constexpr std::size_t public_key_bytes = 32;
inline constexpr std::size_t seed_bytes = 32;
inline constexpr std::size_t signature_bytes = 64;

using PublicKey = std::array<std::uint8_t, public_key_bytes>;
using Signature = std::array<std::uint8_t, signature_bytes>;

// A private key. Its bytes live in memory locked against swapping where the
// system allows, and are wiped when the object is destroyed. It is
// deliberately not printable.
class SecretKey {
public:
    // Derives the key pair from a 32-byte seed.
    static SecretKey from_seed(std::span<const std::uint8_t> seed);
    static SecretKey generate();

    SecretKey(SecretKey&& other) noexcept;
    SecretKey& operator=(SecretKey&& other) noexcept;
    SecretKey(const SecretKey&) = delete;
    SecretKey& operator=(const SecretKey&) = delete;
    ~SecretKey();

    const PublicKey& public_key() const noexcept { return public_key_; }
    std::span<const std::uint8_t> seed() const noexcept { return {secret_, seed_bytes}; }

    // Signs the message itself (pure ed25519, RFC 8032), not a digest of it.
    Signature sign(std::string_view message) const;

private:
    SecretKey();
    std::uint8_t* secret_ = nullptr;  // libsodium layout: seed || public key, 64 bytes
    PublicKey public_key_{};
};

// Returns true only for a valid signature of `message` under `key`.
bool verify(const PublicKey& key, std::string_view message, std::span<const std::uint8_t> signature);

// Initializes libsodium once; safe to call from several threads.
void ensure_sodium();

}  // namespace amp::crypto
