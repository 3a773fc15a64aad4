// Typed reads of members that amp itself writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "amp/json/value.hpp"

namespace amp::json {

// The member `name` of `object` as a non-negative integer, whether the reader
// stored it as signed or unsigned; nullopt when absent, negative or not an integer.
inline std::optional<std::uint64_t> count_member(const Json& object, std::string_view name) {
    if (!object.is_object()) return std::nullopt;
    const auto found = object.find(name);
    if (found == object.end() || !found->is_number_integer()) return std::nullopt;
    if (found->is_number_unsigned()) return found->get<std::uint64_t>();
    const std::int64_t value = found->get<std::int64_t>();
    if (value < 0) return std::nullopt;
    return static_cast<std::uint64_t>(value);
}

}  // namespace amp::json
