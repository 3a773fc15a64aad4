// Diagnostic collection and JSON pointer helpers for the persona checker.

#include <algorithm>
#include <cmath>

#include "check_internal.hpp"

namespace amp::persona::detail {

void Findings::error(std::string_view code, std::string pointer, std::string message) {
    diagnostics_.push_back(
        Diagnostic{std::string(code), Severity::error, std::move(pointer), std::move(message)});
}

void Findings::warning(std::string_view code, std::string pointer, std::string message) {
    diagnostics_.push_back(
        Diagnostic{std::string(code), Severity::warning, std::move(pointer), std::move(message)});
}

std::string child_pointer(std::string_view parent, std::string_view member) {
    std::string pointer(parent);
    pointer += '/';

    // RFC 6901: "~" becomes "~0" and "/" becomes "~1".
    for (const char c : member) {
        if (c == '~') {
            pointer += "~0";
        } else if (c == '/') {
            pointer += "~1";
        } else {
            pointer += c;
        }
    }
    return pointer;
}

std::string child_pointer(std::string_view parent, std::size_t index) {
    std::string pointer(parent);
    pointer += '/';
    pointer += std::to_string(index);
    return pointer;
}

const Json* find_member(const Json& object, std::string_view name) {
    if (!object.is_object()) {
        return nullptr;
    }
    const auto found = object.find(name);
    return found == object.end() ? nullptr : &*found;
}

std::string describe_type(const Json& value) {
    switch (value.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::boolean:
            return "a boolean";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
            return "an integer";
        case Json::value_t::number_float:
            return "a number";
        case Json::value_t::string:
            return "a string";
        case Json::value_t::array:
            return "an array";
        case Json::value_t::object:
            return "an object";
        default:
            return "an unsupported value";
    }
}

// The replace handler keeps dump() from throwing on invalid UTF-8, which a
// document built in memory (not read by the strict reader) may contain.
std::string quote(std::string_view text) {
    // Most names need no escaping; quoting them directly skips building a
    // JSON value for every member the schema check visits.
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\';
    });
    if (plain) {
        std::string quoted;
        quoted.reserve(text.size() + 2);
        quoted += '"';
        quoted += text;
        quoted += '"';
        return quoted;
    }
    return show_value(Json(std::string(text)));
}

std::string show_value(const Json& value) {
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool is_integral_number(const Json& value) {
    if (value.is_number_integer()) {
        return true;
    }
    if (!value.is_number_float()) {
        return false;
    }
    const double number = value.get<double>();
    return std::isfinite(number) && std::floor(number) == number;
}

}  // namespace amp::persona::detail
