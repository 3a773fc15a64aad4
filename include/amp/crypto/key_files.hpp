// Reading and writing ed25519 key files in every accepted form.
//
// Private keys: raw 32-byte seed; raw 64-byte seed || public key; 64 hex
// characters of the seed (optionally followed by a newline); PEM PKCS#8
// ("openssl genpkey -algorithm ed25519"). Public keys: raw 32 bytes; 64 hex
// characters (optionally followed by a newline); PEM SubjectPublicKeyInfo.
// Every failure is an amp::Error naming the file and the form expected.
#pragma once

#include <filesystem>
#include <string>

#include "amp/crypto/ed25519.hpp"

namespace amp::crypto {

// Loads a private key. Warns (never fails) when the file is readable by group
// or others. A 64-byte raw key whose public half does not match its seed is
// refused.
SecretKey load_private_key(const std::filesystem::path& path);

PublicKey load_public_key(const std::filesystem::path& path);

// Parses a public key given as 64 hex characters (the trust store form).
// Throws amp::Error naming `context` when it is anything else.
PublicKey parse_public_key_hex(std::string_view hex, std::string_view context);

std::string private_key_pem(const SecretKey& key);
std::string public_key_pem(const PublicKey& key);

}  // namespace amp::crypto
