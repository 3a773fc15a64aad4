// The JSON value type used throughout amp.
//
// ordered_json keeps members in document order, so re-serializing a persona
// after signing does not reorder the operator's file.
#pragma once

#include <nlohmann/json.hpp>

namespace amp {

using Json = nlohmann::ordered_json;

}  // namespace amp
