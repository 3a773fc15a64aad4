// Serialization of the files and log lines amp writes.
//
// Scalars share the canonical form's rules: strings carry only the mandatory
// escapes and raw UTF-8, numbers use the ECMAScript shortest round-trip
// digits. A float is always written so that it reads back as a float (1.0
// rather than 1), so reading and writing a file again gives the same bytes.

#include "amp/json/writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

#include "amp/error.hpp"
#include "amp/json/canonical.hpp"

namespace amp::json {
namespace {

constexpr std::size_t indent_width = 2;

// 2^53 - 1, the largest integer magnitude the reader accepts.
constexpr std::int64_t max_exact_integer = 9007199254740991;

// Rejects integers the reader would reject, so that amp never writes a file
// it cannot read back.
template <typename Integer>
void append_integer(std::string& out, Integer value) {
    bool in_range = value <= static_cast<Integer>(max_exact_integer);
    if constexpr (std::is_signed_v<Integer>) in_range = in_range && value >= -max_exact_integer;
    if (!in_range) {
        throw Error(fmt::format("cannot write integer {}: it is outside ±(2^53-1), the range amp's reader accepts",
                                value));
    }

    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void append_float(std::string& out, double value) {
    if (!std::isfinite(value)) {
        throw Error(fmt::format("cannot write the number {}: JSON cannot represent it", value));
    }
    if (value == 0) {
        out += std::signbit(value) ? "-0.0" : "0.0";
        return;
    }

    // Without a point or an exponent the number would read back as an
    // integer (ECMAScript writes 1.0 as 1), so ".0" marks it as a float.
    const std::string digits = format_number(value);
    out += digits;
    if (digits.find_first_of(".e") == std::string::npos) out += ".0";
}

// Writes a scalar. Strings, booleans and null reuse the canonical form
// because its string escapes are the minimal set (quote, backslash, controls
// below U+0020).
void append_scalar(std::string& out, const Json& value) {
    switch (value.type()) {
        case Json::value_t::number_integer:
            append_integer(out, value.get<std::int64_t>());
            return;
        case Json::value_t::number_unsigned:
            append_integer(out, value.get<std::uint64_t>());
            return;
        case Json::value_t::number_float:
            append_float(out, value.get<double>());
            return;
        case Json::value_t::string:
        case Json::value_t::boolean:
        case Json::value_t::null:
            out += canonicalize(value);
            return;
        default:
            throw Error(fmt::format("cannot write a JSON value of type {}", value.type_name()));
    }
}

void append_name(std::string& out, const std::string& name) { out += canonicalize(Json(name)); }

void append_line(std::string& out, const Json& value) {
    if (value.is_object()) {
        out += '{';
        bool first = true;
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (!first) out += ',';
            first = false;
            append_name(out, it.key());
            out += ':';
            append_line(out, it.value());
        }
        out += '}';
    } else if (value.is_array()) {
        out += '[';
        bool first = true;
        for (const Json& element : value) {
            if (!first) out += ',';
            first = false;
            append_line(out, element);
        }
        out += ']';
    } else {
        append_scalar(out, value);
    }
}

void append_pretty(std::string& out, const Json& value, std::size_t depth) {
    const bool is_object = value.is_object();
    if (!is_object && !value.is_array()) {
        append_scalar(out, value);
        return;
    }
    if (value.empty()) {
        out += is_object ? "{}" : "[]";
        return;
    }

    out += is_object ? '{' : '[';
    bool first = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
        out += first ? "\n" : ",\n";
        first = false;
        out.append((depth + 1) * indent_width, ' ');
        if (is_object) {
            append_name(out, it.key());
            out += ": ";
        }
        append_pretty(out, it.value(), depth + 1);
    }
    out += '\n';
    out.append(depth * indent_width, ' ');
    out += is_object ? '}' : ']';
}

}  // namespace

std::string to_pretty(const Json& value) {
    std::string out;
    append_pretty(out, value, 0);
    out += '\n';
    return out;
}

std::string to_line(const Json& value) {
    std::string out;
    append_line(out, value);
    return out;
}

}  // namespace amp::json
