#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "amp/error.hpp"
#include "amp/lifecycle/evaluate.hpp"
#include "amp/lifecycle/state.hpp"

#include "lifecycle_fixtures.hpp"

using amp::Json;
using amp::testing::load_reference;
using amp::testing::keys_of;
using amp::testing::error_from;
using namespace amp::lifecycle;

namespace {

amp::TimePoint at(const char* text) { return *amp::parse_time(text); }

}  // namespace

TEST_CASE("initial state of a new persona", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json state = initial_state(persona, at("2026-04-01T09:00:00Z"));

    CHECK(keys_of(state) == std::vector<std::string>{"name", "current_phase", "state_rev", "active_elevations",
                                                      "last_transition", "pending_transition", "active_overlay",
                                                      "gate_history", "updated_at"});
    CHECK(state["name"] == "QuietStone");
    CHECK(state["current_phase"].is_null());
    CHECK(state["state_rev"] == 0);
    CHECK(state["active_elevations"] == Json::array());
    CHECK(state["last_transition"].is_null());
    CHECK(state["pending_transition"].is_null());
    CHECK(state["active_overlay"].is_null());
    CHECK(state["gate_history"] == Json::object());
    CHECK(state["updated_at"] == "2026-04-01T09:00:00Z");
    CHECK_NOTHROW(validate_state_for(persona, state));
}

TEST_CASE("initial state needs a persona name", "[lifecycle]") {
    const auto error = error_from([] { initial_state(Json::object(), at("2026-04-01T09:00:00Z")); });
    CHECK(error.code() == amp::ExitCode::failure);
    CHECK_THAT(error.what(), Catch::Contains("/name"));
}

TEST_CASE("state validation names the JSON pointer", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json good = initial_state(persona, at("2026-04-01T09:00:00Z"));

    struct Case {
        const char* pointer;
        Json value;
        const char* expected_in_message;
    };
    const std::vector<Case> cases = {
        {"/state_rev", "7", "state.json: /state_rev: expected a non-negative integer, found \"7\""},
        {"/state_rev", -1, "/state_rev: expected a non-negative integer"},
        {"/current_phase", 3, "/current_phase: expected a string or null"},
        {"/active_elevations", Json::object(), "/active_elevations: expected an array"},
        {"/active_elevations", Json::array({{{"elevation_id", "x"}, {"expires_at", "soon"}}}),
         "/active_elevations/0/expires_at: expected an RFC 3339 timestamp"},
        {"/active_elevations", Json::array({{{"expires_at", "2026-04-01T10:00:00Z"}}}),
         "/active_elevations/0/elevation_id: required member is missing"},
        {"/pending_transition", Json{{"gate_id", "trusted"}, {"from_phase", "active"}, {"to_phase", "trusted"}},
         "/pending_transition/state_rev: required member is missing"},
        {"/last_transition", "onboarding", "/last_transition: expected an object"},
        {"/active_overlay", Json::array(), "/active_overlay: expected an object"},
        {"/gate_history", Json{{"a/b", 1}}, "/gate_history/a~1b: expected an object"},
        {"/gate_history", Json{{"trusted", {{"fired", 1.5}}}}, "/gate_history/trusted/fired"},
        {"/updated_at", "yesterday", "/updated_at: expected an RFC 3339 timestamp"},
    };
    for (const Case& c : cases) {
        Json state = good;
        state[Json::json_pointer(c.pointer)] = c.value;
        const auto error = error_from([&] { validate_state(state, "state.json"); });
        INFO(c.pointer);
        CHECK(error.code() == amp::ExitCode::failure);
        CHECK_THAT(error.what(), Catch::Contains(c.expected_in_message));
    }
}

TEST_CASE("state validation requires name, phase and revision", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    for (const char* member : {"name", "current_phase", "state_rev"}) {
        Json state = initial_state(persona, at("2026-04-01T09:00:00Z"));
        state.erase(member);
        const auto error = error_from([&] { validate_state(state); });
        INFO(member);
        CHECK_THAT(error.what(), Catch::Contains(std::string("/") + member + ": required member is missing"));
    }
    const auto error = error_from([] { validate_state(Json::array()); });
    CHECK_THAT(error.what(), Catch::Contains("state: /: expected an object"));
}

TEST_CASE("state of another persona is rejected", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    Json state = initial_state(load_reference("zeroclaw_agent.json"), at("2026-04-01T09:00:00Z"));
    const auto error = error_from([&] { validate_state_for(persona, state); });
    CHECK(error.code() == amp::ExitCode::failure);
    CHECK_THAT(error.what(), Catch::Contains("\"ZeroclawWorker\"") && Catch::Contains("\"QuietStone\""));
}

TEST_CASE("older state without history still evaluates", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");

    // A file from an older tool: no gate_history, no overlay, plus members amp does not know.
    Json state = Json::parse(R"({
        "name": "QuietStone", "current_phase": "active", "state_rev": 4,
        "active_elevations": [], "last_transition": null, "pending_transition": null,
        "updated_at": "2026-03-01T00:00:00Z", "x_vendor": {"keep": [1, 2]},
        "signature": {"algorithm": "ed25519"}})");
    REQUIRE_NOTHROW(validate_state_for(persona, state));

    // A human gate wins, which is a change, so the rewrite must keep the unknown members.
    const Json metrics = {{"tasks_completed", 30}, {"error_rate", 0.01}};
    const Mutation result = evaluate(persona, state, metrics, "*", at("2026-04-01T09:00:00Z"));
    REQUIRE(result.changed);
    CHECK(result.state["x_vendor"] == Json{{"keep", {1, 2}}});
    CHECK(result.state["signature"] == Json{{"algorithm", "ed25519"}});
    CHECK(result.state["state_rev"] == 5);
    CHECK(result.state["pending_transition"]["gate_id"] == "trusted");
    CHECK(keys_of(result.state).front() == "name");
}
