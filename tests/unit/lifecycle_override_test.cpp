#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "amp/error.hpp"
#include "amp/lifecycle/lifecycle.hpp"

#include "lifecycle_fixtures.hpp"

using amp::Json;
using amp::testing::load_reference;
using amp::testing::keys_of;
using amp::testing::error_from;
using namespace amp::lifecycle;
using std::chrono::seconds;

namespace {

const amp::TimePoint t0 = *amp::parse_time("2026-04-01T09:00:00Z");

const Json good_work = {{"tasks_completed", 25}, {"error_rate", 0.03}, {"policy_violations", 0}};

Json onboarded(const Json& persona) {
    return evaluate(persona, initial_state(persona, t0), Json{{"schema_valid", true}}, "*", t0 + seconds{60}).state;
}

// QuietStone in phase trusted with the "full" overlay, at state_rev 3.
Json trusted(const Json& persona) {
    const Mutation pending = evaluate(persona, onboarded(persona), good_work, "*", t0 + seconds{120});
    const Json state = approve(persona, pending.state, "trusted", "lead@example.org", t0 + seconds{300}).state;
    REQUIRE(state["current_phase"] == "trusted");
    REQUIRE(state["state_rev"] == 3);
    return state;
}

const std::vector<std::string> override_fields = {"event_type", "gate_id",  "direction", "from_phase",
                                                  "to_phase",   "reason",   "approver",  "is_override",
                                                  "state_rev"};

}  // namespace

TEST_CASE("override from the gate's from_phase", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json state = trusted(persona);

    const Mutation result = override_gate(persona, state, "trust_decay", "Unauthorized transition IR-7",
                                          "admin@example.org", std::nullopt, t0 + seconds{500});
    CHECK(result.exit_code == amp::ExitCode::ok);
    CHECK(result.changed);
    CHECK(result.cause == "Override");
    CHECK(result.state["current_phase"] == "active");
    CHECK(result.state["state_rev"] == 4);
    CHECK(result.state["active_overlay"].is_null());
    CHECK(result.state["last_transition"] == Json{{"gate_id", "trust_decay"},
                                                  {"from_phase", "trusted"},
                                                  {"to_phase", "active"},
                                                  {"at", "2026-04-01T09:08:20Z"},
                                                  {"decision_id", "override-4"},
                                                  {"metrics_hash", nullptr},
                                                  {"state_rev", 4}});
    CHECK(result.state["gate_history"]["trust_decay"] ==
          Json{{"last_override_at", "2026-04-01T09:08:20Z"}, {"overrides", 1}});

    REQUIRE(result.events.size() == 2);
    CHECK(keys_of(result.events[0]) == override_fields);
    CHECK(result.events[0] == Json{{"event_type", "Override"},
                                   {"gate_id", "trust_decay"},
                                   {"direction", "demote"},
                                   {"from_phase", "trusted"},
                                   {"to_phase", "active"},
                                   {"reason", "Unauthorized transition IR-7"},
                                   {"approver", "admin@example.org"},
                                   {"is_override", true},
                                   {"state_rev", 4}});
    CHECK(result.events[1] == Json{{"event_type", "AuthorityOverlayChange"},
                                   {"gate_id", "trust_decay"},
                                   {"previous_overlay", {{"autonomy", "full"}}},
                                   {"new_overlay", nullptr}});
    CHECK(result.report["outcome"] == "override");

    // An override starts no cooldown: the demote gate can fire right after a re-promotion.
    const Mutation pending = evaluate(persona, result.state, good_work, "*", t0 + seconds{600});
    const Mutation promoted = approve(persona, pending.state, "trusted", "lead@example.org", t0 + seconds{700});
    const Mutation demoted = evaluate(persona, promoted.state, Json{{"policy_violations", 3}}, "*", t0 + seconds{800});
    CHECK(demoted.exit_code == amp::ExitCode::ok);
    CHECK(demoted.state["current_phase"] == "active");
}

TEST_CASE("override already in to_phase records an incident", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json state = onboarded(persona);

    // The key-compromise runbook step: the agent is active, the onboarding gate leads to active.
    const Mutation result = override_gate(persona, state, "onboarding", "Key compromise IR-XXX", "admin@co.com",
                                          std::nullopt, t0 + seconds{500});
    CHECK(result.exit_code == amp::ExitCode::ok);
    CHECK_FALSE(result.changed);
    CHECK(result.cause.empty());
    CHECK(result.state == state);
    REQUIRE(result.events.size() == 1);
    CHECK(keys_of(result.events[0]) == override_fields);
    CHECK(result.events[0]["event_type"] == "Override");
    CHECK(result.events[0]["from_phase"] == "active");
    CHECK(result.events[0]["to_phase"] == "active");
    CHECK(result.events[0]["reason"] == "Key compromise IR-XXX");
    CHECK(result.events[0]["is_override"] == true);
    CHECK(result.events[0]["state_rev"] == 1);
    CHECK(result.report["outcome"] == "incident_recorded");
    CHECK(result.report["state_rev"] == 1);
}

TEST_CASE("incident override keeps the overlay and request", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json state = trusted(persona);

    // The criteria pass with these metrics, which is accepted because an incident record moves nothing.
    const Json metrics = {{"tasks_completed", 99}, {"error_rate", 0.0}};
    const Mutation result =
        override_gate(persona, state, "trusted", "Audit finding IR-9", "admin@co.com", metrics, t0 + seconds{500});
    CHECK(result.exit_code == amp::ExitCode::ok);
    CHECK_FALSE(result.changed);
    CHECK(result.state["active_overlay"] == Json{{"autonomy", "full"}});
    REQUIRE(result.events.size() == 1);
    CHECK(result.events[0]["metrics_snapshot"] == metrics);
    CHECK(keys_of(result.events[0]) == std::vector<std::string>{"event_type", "gate_id", "direction", "from_phase",
                                                               "to_phase", "reason", "approver", "metrics_snapshot",
                                                               "is_override", "state_rev"});
}

TEST_CASE("override from another phase is denied", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json state = trusted(persona);

    const auto error = error_from([&] {
        override_gate(persona, state, "onboarding", "Key compromise IR-XXX", "admin@co.com", std::nullopt, t0);
    });
    CHECK(error.code() == amp::ExitCode::negative);
    CHECK_THAT(error.what(), Catch::Contains("current phase is trusted") &&
                                 Catch::Contains("moves from (not onboarded) to active"));
}

TEST_CASE("override with metrics needs failing criteria", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json state = trusted(persona);

    const Json passing = {{"policy_violations", 5}};
    const auto error = error_from([&] {
        override_gate(persona, state, "trust_decay", "IR-8", "admin@co.com", passing, t0 + seconds{500});
    });
    CHECK(error.code() == amp::ExitCode::negative);
    CHECK_THAT(error.what(), Catch::Contains("criteria of gate \"trust_decay\" pass"));
    CHECK_THAT(error.hints().at(0), Catch::Contains("--evaluate trust_decay"));

    const Json failing = {{"policy_violations", 1}};
    const Mutation result =
        override_gate(persona, state, "trust_decay", "IR-8", "admin@co.com", failing, t0 + seconds{500});
    CHECK(result.exit_code == amp::ExitCode::ok);
    CHECK(result.state["current_phase"] == "active");
    CHECK(result.state["last_transition"]["metrics_hash"] == metrics_hash(failing));
    CHECK(result.events[0]["metrics_snapshot"] == failing);
    CHECK(keys_of(result.events[0]) == std::vector<std::string>{"event_type", "gate_id", "direction", "from_phase",
                                                               "to_phase", "reason", "approver", "metrics_snapshot",
                                                               "is_override", "state_rev"});
}

TEST_CASE("override clears a pending request", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Mutation pending = evaluate(persona, onboarded(persona), good_work, "*", t0 + seconds{120});
    REQUIRE_FALSE(pending.state["pending_transition"].is_null());

    const Mutation result = override_gate(persona, pending.state, "trusted", "Manual promotion CR-12",
                                          "admin@co.com", std::nullopt, t0 + seconds{200});
    CHECK(result.state["current_phase"] == "trusted");
    CHECK(result.state["pending_transition"].is_null());
    CHECK(result.state["active_overlay"].is_null());
    REQUIRE(result.events.size() == 1);
    CHECK(result.events[0]["event_type"] == "Override");

    // The cleared request cannot be approved any more.
    const auto error = error_from([&] { approve(persona, result.state, "trusted", "lead@example.org", t0); });
    CHECK(error.code() == amp::ExitCode::negative);
}

TEST_CASE("override needs reason, approver, known gate", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json state = onboarded(persona);

    const auto no_reason = error_from([&] { override_gate(persona, state, "onboarding", "", "admin", std::nullopt, t0); });
    CHECK(no_reason.code() == amp::ExitCode::failure);
    CHECK_THAT(no_reason.what(), Catch::Contains("needs a reason"));

    const auto no_approver = error_from([&] { override_gate(persona, state, "onboarding", "IR-1", "", std::nullopt, t0); });
    CHECK(no_approver.code() == amp::ExitCode::failure);
    CHECK_THAT(no_approver.hints().at(0), Catch::Contains("--approver"));

    const auto unknown = error_from([&] { override_gate(persona, state, "nope", "IR-1", "admin", std::nullopt, t0); });
    CHECK(unknown.code() == amp::ExitCode::failure);
    CHECK_THAT(unknown.what(), Catch::Contains("unknown gate \"nope\""));

    const auto bad_metrics = error_from([&] { override_gate(persona, state, "onboarding", "IR-1", "admin", Json(5), t0); });
    CHECK(bad_metrics.code() == amp::ExitCode::failure);
    CHECK_THAT(bad_metrics.what(), Catch::Contains("metrics: expected a JSON object"));
}

TEST_CASE("incident override with expiry is one mutation", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Mutation elevated = elevate(persona, onboarded(persona), "release-deploy", "release", "lead@example.org",
                                      "ops", t0 + seconds{100});
    REQUIRE(elevated.state["state_rev"] == 2);

    const Mutation result = override_gate(persona, elevated.state, "onboarding", "Key compromise IR-XXX",
                                          "admin@co.com", std::nullopt, t0 + seconds{5000});
    CHECK(result.changed);
    CHECK(result.cause == "ElevationChange");
    CHECK(result.state["state_rev"] == 3);
    CHECK(result.state["current_phase"] == "active");
    REQUIRE(result.events.size() == 2);
    CHECK(result.events[0]["action"] == "expire");
    CHECK(result.events[1]["event_type"] == "Override");
    CHECK(result.events[1]["state_rev"] == 3);
}
