// RFC 8785 JSON Canonicalization Scheme (JCS).
#pragma once

#include <functional>
#include <string>

#include "amp/json/value.hpp"

namespace amp::json {

// Returns the canonical UTF-8 bytes of `value`: members sorted by UTF-16 code
// units, no whitespace, numbers in ECMAScript shortest round-trip form,
// strings with only the mandatory escapes. Throws amp::Error for a number
// that is not finite.
std::string canonicalize(const Json& value);

// Chooses members of an object by name.
using MemberFilter = std::function<bool(const std::string& name)>;

// The canonical bytes of the object that has only the members of `object`
// that `keep` accepts: what a signature covers, without copying the
// document to build that object first.
std::string canonicalize_members(const Json& object, const MemberFilter& keep);

// Formats a double as ECMAScript's Number.prototype.toString does
// (RFC 8785 section 3.2.2.3): 1e+21, 1e-7, 0 for -0.
std::string format_number(double value);

}  // namespace amp::json
