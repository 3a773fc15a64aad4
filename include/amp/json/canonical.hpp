// RFC 8785 JSON Canonicalization Scheme (JCS).
#pragma once

#include <string>

#include "amp/json/value.hpp"

namespace amp::json {

// Returns the canonical UTF-8 bytes of `value`: members sorted by UTF-16 code
// units, no whitespace, numbers in ECMAScript shortest round-trip form,
// strings with only the mandatory escapes. Throws amp::Error for a number
// that is not finite.
std::string canonicalize(const Json& value);

// Formats a double as ECMAScript's Number.prototype.toString does
// (RFC 8785 section 3.2.2.3): 1e+21, 1e-7, 0 for -0.
std::string format_number(double value);

}  // namespace amp::json
