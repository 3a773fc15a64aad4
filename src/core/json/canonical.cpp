// RFC 8785 JSON Canonicalization Scheme: the bytes every signature and
// digest in amp covers.

#include "amp/json/canonical.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "amp/error.hpp"

namespace amp::json {
namespace {

// 2^53 - 1: RFC 8785 numbers are IEEE 754 doubles, which hold every integer
// up to this magnitude exactly.
constexpr std::int64_t max_exact_integer = 9007199254740991;

using Member = Json::object_t::value_type;

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Returns the length of the valid UTF-8 sequence at text[offset], or 0 if
// the bytes there are not valid UTF-8.
std::size_t utf8_sequence_length(std::string_view text, std::size_t offset) {
    const auto lead = static_cast<unsigned char>(text[offset]);
    if (lead < 0x80) return 1;

    std::size_t length = 0;
    unsigned char min_second = 0x80;
    unsigned char max_second = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) min_second = 0xA0;
        if (lead == 0xED) max_second = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) min_second = 0x90;
        if (lead == 0xF4) max_second = 0x8F;
    } else {
        return 0;
    }

    if (offset + length > text.size()) return 0;
    const auto second = static_cast<unsigned char>(text[offset + 1]);
    if (second < min_second || second > max_second) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if (!is_continuation(static_cast<unsigned char>(text[offset + i]))) return 0;
    }
    return length;
}

void require_utf8(std::string_view text) {
    for (std::size_t offset = 0; offset < text.size();) {
        const std::size_t length = utf8_sequence_length(text, offset);
        if (length == 0) {
            throw Error(fmt::format("string is not valid UTF-8 (byte 0x{:02x} at offset {})",
                                    static_cast<unsigned char>(text[offset]), offset));
        }
        offset += length;
    }
}

// Decodes the code point of the valid UTF-8 sequence at text[offset].
std::uint32_t decode_utf8(std::string_view text, std::size_t offset) {
    const auto lead = static_cast<unsigned char>(text[offset]);
    if (lead < 0x80) return lead;

    std::size_t length = 2;
    if (lead >= 0xE0) length = 3;
    if (lead >= 0xF0) length = 4;
    std::uint32_t code_point = lead & (0x7F >> length);
    for (std::size_t i = 1; i < length; ++i) {
        code_point = (code_point << 6) | (static_cast<unsigned char>(text[offset + i]) & 0x3F);
    }
    return code_point;
}

// Maps a code point to a key whose order is the order of its UTF-16 code
// units. UTF-16 differs from code point order in one place only: U+E000 to
// U+FFFF are single units above 0xDFFF, so they sort after every
// supplementary code point, whose first unit is a surrogate (0xD800-0xDBFF).
std::uint32_t utf16_order_key(std::uint32_t code_point) {
    if (code_point >= 0xE000 && code_point <= 0xFFFF) return code_point + 0x110000;
    return code_point;
}

// Orders member names by their UTF-16 code units, as RFC 8785 section 3.2.3
// requires. Both names must be valid UTF-8.
bool utf16_less(std::string_view left, std::string_view right) {
    const auto [left_end, right_end] = std::mismatch(left.begin(), left.end(), right.begin(), right.end());
    if (right_end == right.end()) return false;
    if (left_end == left.end()) return true;

    // Both names agree up to here, so the code point that differs starts at
    // the same offset in each.
    std::size_t offset = static_cast<std::size_t>(left_end - left.begin());
    while (offset > 0 && is_continuation(static_cast<unsigned char>(left[offset]))) --offset;
    return utf16_order_key(decode_utf8(left, offset)) < utf16_order_key(decode_utf8(right, offset));
}

// Writes a string with only the escapes RFC 8785 section 3.2.2.2 prescribes:
// quote, backslash, and control characters below U+0020.
void append_string(std::string& out, std::string_view text) {
    require_utf8(text);

    out += '"';
    std::size_t run_start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte != '"' && byte != '\\') continue;

        out.append(text, run_start, i - run_start);
        run_start = i + 1;
        switch (byte) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\f': out += "\\f"; break;
            case '\r': out += "\\r"; break;
            default: out += fmt::format("\\u{:04x}", byte);
        }
    }
    out.append(text, run_start);
    out += '"';
}

template <typename Integer>
bool is_exact_in_double(Integer value) {
    if constexpr (std::is_signed_v<Integer>) {
        return value >= -max_exact_integer && value <= max_exact_integer;
    } else {
        return value <= static_cast<std::uint64_t>(max_exact_integer);
    }
}

template <typename Integer>
void append_integer(std::string& out, Integer value) {
    if (!is_exact_in_double(value)) {
        throw Error(fmt::format("cannot canonicalize integer {}: it is outside ±(2^53-1), "
                                "so no double holds it exactly", value));
    }

    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void append_canonical(std::string& out, const Json& value);

bool keep_every_member(const std::string&) { return true; }

void append_object(std::string& out, const Json& value, const MemberFilter& keep = keep_every_member) {
    const auto& members = value.get_ref<const Json::object_t&>();

    // The order is only well defined on valid UTF-8, so names are checked
    // before sorting rather than when they are written.
    std::vector<const Member*> sorted;
    sorted.reserve(members.size());
    for (const Member& member : members) {
        if (!keep(member.first)) continue;
        require_utf8(member.first);
        sorted.push_back(&member);
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const Member* left, const Member* right) { return utf16_less(left->first, right->first); });

    out += '{';
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (i > 0) out += ',';
        append_string(out, sorted[i]->first);
        out += ':';
        append_canonical(out, sorted[i]->second);
    }
    out += '}';
}

void append_canonical(std::string& out, const Json& value) {
    switch (value.type()) {
        case Json::value_t::object:
            append_object(out, value);
            return;
        case Json::value_t::array: {
            out += '[';
            bool first = true;
            for (const Json& element : value) {
                if (!first) out += ',';
                first = false;
                append_canonical(out, element);
            }
            out += ']';
            return;
        }
        case Json::value_t::string:
            append_string(out, value.get_ref<const std::string&>());
            return;
        case Json::value_t::number_integer:
            append_integer(out, value.get<std::int64_t>());
            return;
        case Json::value_t::number_unsigned:
            append_integer(out, value.get<std::uint64_t>());
            return;
        case Json::value_t::number_float:
            out += format_number(value.get<double>());
            return;
        case Json::value_t::boolean:
            out += value.get<bool>() ? "true" : "false";
            return;
        case Json::value_t::null:
            out += "null";
            return;
        case Json::value_t::binary:
        case Json::value_t::discarded:
            break;
    }
    throw Error(fmt::format("cannot canonicalize a JSON value of type {}", value.type_name()));
}

}  // namespace

std::string canonicalize(const Json& value) {
    std::string out;
    append_canonical(out, value);
    return out;
}

std::string canonicalize_members(const Json& object, const MemberFilter& keep) {
    if (!object.is_object()) throw Error("canonicalize_members needs a JSON object");
    std::string out;
    append_object(out, object, keep);
    return out;
}

std::string format_number(double value) {
    if (!std::isfinite(value)) {
        throw Error(fmt::format("cannot canonicalize the number {}: RFC 8785 allows only finite numbers", value));
    }
    if (value == 0) return "0";  // both +0 and -0

    // to_chars gives the shortest digit string that reads back as `value`,
    // here as d.ddde±x. The 10,000 number vectors in the tests check this
    // against GCC 12's libstdc++.
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    const std::string_view scientific(buffer, static_cast<std::size_t>(result.ptr - buffer));

    const bool negative = scientific.front() == '-';
    const std::size_t exponent_mark = scientific.find('e');
    std::string digits;
    for (const char ch : scientific.substr(negative ? 1 : 0, exponent_mark - (negative ? 1 : 0))) {
        if (ch != '.') digits += ch;
    }
    std::string_view exponent_text = scientific.substr(exponent_mark + 1);
    if (exponent_text.front() == '+') exponent_text.remove_prefix(1);
    int exponent = 0;
    std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);

    // ECMAScript Number::toString names the value 0.d1...dk x 10^n: k digits,
    // decimal point position n.
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;

    std::string out = negative ? "-" : "";
    if (k <= n && n <= 21) {
        out += digits;
        out.append(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out.append(digits, 0, static_cast<std::size_t>(n));
        out += '.';
        out.append(digits, static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-n), '0');
        out += digits;
    } else {
        out += digits[0];
        if (k > 1) {
            out += '.';
            out.append(digits, 1);
        }
        out += (n - 1 < 0) ? "e-" : "e+";
        out += std::to_string(std::abs(n - 1));
    }
    return out;
}

}  // namespace amp::json
