#include "amp/crypto/encoding.hpp"

#include <array>

namespace amp::crypto {

namespace {

constexpr std::string_view hex_digits = "0123456789abcdef";
constexpr std::string_view base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int base64_value(char c) {
    const auto position = base64_alphabet.find(c);
    return position == std::string_view::npos ? -1 : static_cast<int>(position);
}

}  // namespace

std::string to_hex(std::span<const std::uint8_t> bytes) {
    std::string text;
    text.reserve(bytes.size() * 2);
    for (const std::uint8_t byte : bytes) {
        text.push_back(hex_digits[byte >> 4]);
        text.push_back(hex_digits[byte & 0x0f]);
    }
    return text;
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    std::vector<std::uint8_t> bytes;
    bytes.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int high = hex_value(text[i]);
        const int low = hex_value(text[i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        bytes.push_back(static_cast<std::uint8_t>(high << 4 | low));
    }
    return bytes;
}

std::string to_base64(std::span<const std::uint8_t> bytes) {
    std::string text;
    text.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t group = bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2];
        text.push_back(base64_alphabet[group >> 18 & 63]);
        text.push_back(base64_alphabet[group >> 12 & 63]);
        text.push_back(base64_alphabet[group >> 6 & 63]);
        text.push_back(base64_alphabet[group & 63]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t group = bytes[i] << 16;
        text.push_back(base64_alphabet[group >> 18 & 63]);
        text.push_back(base64_alphabet[group >> 12 & 63]);
        text.append("==");
    } else if (rest == 2) {
        const std::uint32_t group = bytes[i] << 16 | bytes[i + 1] << 8;
        text.push_back(base64_alphabet[group >> 18 & 63]);
        text.push_back(base64_alphabet[group >> 12 & 63]);
        text.push_back(base64_alphabet[group >> 6 & 63]);
        text.push_back('=');
    }
    return text;
}

std::optional<std::vector<std::uint8_t>> from_base64(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::vector<std::uint8_t> bytes;
    bytes.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        std::array<int, 4> values{};
        int padding = 0;
        for (int j = 0; j < 4; ++j) {
            const char c = text[i + j];
            if (c == '=' && last && j >= 2) {
                values[j] = 0;
                ++padding;
                continue;
            }
            if (padding > 0) return std::nullopt;  // data after padding
            values[j] = base64_value(c);
            if (values[j] < 0) return std::nullopt;
        }
        const std::uint32_t group = values[0] << 18 | values[1] << 12 | values[2] << 6 | values[3];
        bytes.push_back(static_cast<std::uint8_t>(group >> 16));
        if (padding < 2) bytes.push_back(static_cast<std::uint8_t>(group >> 8 & 0xff));
        if (padding < 1) bytes.push_back(static_cast<std::uint8_t>(group & 0xff));
        // Non-canonical encodings (bits set under the padding) are rejected so one
        // signature value has exactly one spelling.
        if ((padding == 1 && (values[2] & 0x3) != 0) || (padding == 2 && (values[1] & 0xf) != 0)) {
            return std::nullopt;
        }
    }
    return bytes;
}

}  // namespace amp::crypto
