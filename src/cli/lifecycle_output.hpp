// Human-readable output of gate and elevation results.
#pragma once

#include "amp/operations/lifecycle_operations.hpp"

namespace amp::cli {

// Prints the result as text, or as one JSON document with `json`, and
// returns the exit code.
int print_lifecycle_result(const operations::OperationResult& result, bool json);

}  // namespace amp::cli
