// Serialization of documents amp writes back to disk.
#pragma once

#include <string>

#include "amp/json/value.hpp"

namespace amp::json {

// Pretty form for files people edit (personas, state, trust store): 2-space
// indentation, members in document order, UTF-8 unescaped, trailing newline.
std::string to_pretty(const Json& value);

// One-line form for chain entries: no whitespace, members in insertion
// order, no trailing newline.
std::string to_line(const Json& value);

}  // namespace amp::json
