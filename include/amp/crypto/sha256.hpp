// SHA-256 digests (libsodium).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace amp::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::string_view bytes);

// Lowercase hex of SHA-256(bytes).
std::string sha256_hex(std::string_view bytes);

// "sha256:" + lowercase hex, the form every chain and digest field uses.
std::string sha256_tagged(std::string_view bytes);

// Incremental hashing, for streaming a large file once.
class Sha256Stream {
public:
    Sha256Stream();
    ~Sha256Stream();
    Sha256Stream(const Sha256Stream&) = delete;
    Sha256Stream& operator=(const Sha256Stream&) = delete;

    void update(std::string_view bytes);
    Sha256Digest finish();

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace amp::crypto
