// Helpers shared by the lifecycle engine tests: the reference personas,
// member names in order, and the amp::Error an action throws.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "amp/error.hpp"
#include "amp/json/value.hpp"

namespace amp::testing {

// Parses a persona of the shared reference set, read in place.
inline Json load_reference(const std::string& file) {
    std::ifstream in(std::filesystem::path(AMP_SHARED_DIR) / "reference" / "personas" / file);
    REQUIRE(in.good());
    return Json::parse(in);
}

// Returns the member names of an object in document order.
inline std::vector<std::string> keys_of(const Json& object) {
    std::vector<std::string> keys;
    for (const auto& item : object.items()) keys.push_back(item.key());
    return keys;
}

// Runs `action` and returns the amp::Error it throws; fails the test if it throws none.
template <typename Action>
amp::Error error_from(Action action) {
    try {
        action();
    } catch (const amp::Error& error) {
        return error;
    }
    FAIL("expected an amp::Error");
    return amp::Error("unreachable");
}

}  // namespace amp::testing
