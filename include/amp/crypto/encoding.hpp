// Hex and base64 encodings used by key files and signature blocks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace amp::crypto {

std::string to_hex(std::span<const std::uint8_t> bytes);

// Returns nullopt unless `text` is an even number of hex digits (either case).
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text);

// Standard base64 with padding (RFC 4648 section 4).
std::string to_base64(std::span<const std::uint8_t> bytes);

// Returns nullopt on any character outside the standard alphabet or on bad padding.
std::optional<std::vector<std::uint8_t>> from_base64(std::string_view text);

}  // namespace amp::crypto
