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

const std::vector<std::string> gate_transition_fields = {
    "event_type", "gate_id",          "direction",    "enforcement", "decision",  "from_phase",
    "to_phase",   "metrics_snapshot", "criteria_results", "metrics_hash", "is_override", "state_rev"};

const Json good_work = {{"tasks_completed", 25}, {"error_rate", 0.03}, {"policy_violations", 0}};

// Onboards QuietStone at t0 + 60 s: state_rev 1, phase active.
Json onboarded(const Json& persona) {
    const Mutation onboarding =
        evaluate(persona, initial_state(persona, t0), Json{{"schema_valid", true}}, "*", t0 + seconds{60});
    REQUIRE(onboarding.exit_code == amp::ExitCode::ok);
    return onboarding.state;
}

// Promotes an onboarded QuietStone to trusted through a human approval at t0 + 300 s.
Json trusted(const Json& persona) {
    const Mutation pending = evaluate(persona, onboarded(persona), good_work, "*", t0 + seconds{120});
    REQUIRE(pending.exit_code == amp::ExitCode::waiting);
    const Mutation approved = approve(persona, pending.state, "trusted", "lead@example.org", t0 + seconds{300});
    REQUIRE(approved.exit_code == amp::ExitCode::ok);
    return approved.state;
}

}  // namespace

TEST_CASE("onboarding applies an auto gate", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json state = initial_state(persona, t0);
    const Json metrics = {{"schema_valid", true}};

    const Mutation result = evaluate(persona, state, metrics, "*", t0 + seconds{60});

    CHECK(result.exit_code == amp::ExitCode::ok);
    CHECK(result.changed);
    CHECK(result.cause == "GateTransition");
    CHECK(result.state["current_phase"] == "active");
    CHECK(result.state["state_rev"] == 1);
    CHECK(result.state["updated_at"] == "2026-04-01T09:01:00Z");
    CHECK(result.state["last_transition"] == Json{{"gate_id", "onboarding"},
                                                  {"from_phase", nullptr},
                                                  {"to_phase", "active"},
                                                  {"at", "2026-04-01T09:01:00Z"},
                                                  {"decision_id", "gate-1"},
                                                  {"metrics_hash", metrics_hash(metrics)},
                                                  {"state_rev", 1}});
    CHECK(keys_of(result.state["last_transition"]) ==
          std::vector<std::string>{"gate_id", "from_phase", "to_phase", "at", "decision_id", "metrics_hash",
                                   "state_rev"});
    CHECK(result.state["gate_history"]["onboarding"] == Json{{"last_fired_at", "2026-04-01T09:01:00Z"},
                                                             {"fired", 1},
                                                             {"last_metrics_hash", metrics_hash(metrics)},
                                                             {"last_state_rev", 1}});
    CHECK(result.state["active_overlay"].is_null());

    REQUIRE(result.events.size() == 1);
    const Json& event = result.events[0];
    CHECK(keys_of(event) == gate_transition_fields);
    CHECK(event["event_type"] == "GateTransition");
    CHECK(event["gate_id"] == "onboarding");
    CHECK(event["direction"] == "promote");
    CHECK(event["enforcement"] == "enforce");
    CHECK(event["decision"] == "transition");
    CHECK(event["from_phase"].is_null());
    CHECK(event["to_phase"] == "active");
    CHECK(event["metrics_snapshot"] == metrics);
    CHECK(event["criteria_results"] ==
          Json::parse(R"([{"metric":"schema_valid","op":"eq","expected":true,"actual":true,"pass":true}])"));
    CHECK(event["metrics_hash"] == metrics_hash(metrics));
    CHECK(event["is_override"] == false);
    CHECK(event["state_rev"] == 1);

    CHECK(result.report["outcome"] == "transition");
    CHECK(result.report["gate_id"] == "onboarding");
    CHECK(result.report["state_rev"] == 1);
    CHECK(result.report["drift"] == Json{{"metrics", metrics}, {"gate_id", "onboarding"}, {"state_rev", 1}});
    CHECK(state["state_rev"] == 0);
}

TEST_CASE("human gate waits then approve applies", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json active = onboarded(persona);

    const Mutation pending = evaluate(persona, active, good_work, "*", t0 + seconds{120});
    CHECK(pending.exit_code == amp::ExitCode::waiting);
    CHECK(pending.changed);
    CHECK(pending.state["current_phase"] == "active");
    CHECK(pending.state["state_rev"] == 2);
    CHECK(pending.state["pending_transition"] == Json{{"gate_id", "trusted"},
                                                      {"from_phase", "active"},
                                                      {"to_phase", "trusted"},
                                                      {"requested_at", "2026-04-01T09:02:00Z"},
                                                      {"metrics_hash", metrics_hash(good_work)},
                                                      {"state_rev", 2}});
    REQUIRE(pending.events.size() == 1);
    CHECK(keys_of(pending.events[0]) == gate_transition_fields);
    CHECK(pending.events[0]["decision"] == "pending_human");
    CHECK(pending.events[0]["state_rev"] == 2);
    CHECK(pending.events[0]["criteria_results"].size() == 2);
    CHECK(pending.report["outcome"] == "pending_human");
    CHECK_FALSE(pending.state["gate_history"].contains("trusted"));

    // Asking again at the same revision keeps the request as it is.
    const Json other_metrics = {{"tasks_completed", 40}, {"error_rate", 0.0}};
    const Mutation again = evaluate(persona, pending.state, other_metrics, "trusted", t0 + seconds{180});
    CHECK(again.exit_code == amp::ExitCode::waiting);
    CHECK_FALSE(again.changed);
    CHECK(again.events.empty());
    CHECK(again.state == pending.state);
    CHECK(again.report["outcome"] == "still_pending");
    CHECK(again.report["drift"]["state_rev"] == 2);
    CHECK(again.report["drift"]["gate_id"] == "trusted");

    const Mutation approved = approve(persona, pending.state, "trusted", "lead@example.org", t0 + seconds{300});
    CHECK(approved.exit_code == amp::ExitCode::ok);
    CHECK(approved.cause == "GateTransition");
    CHECK(approved.state["current_phase"] == "trusted");
    CHECK(approved.state["state_rev"] == 3);
    CHECK(approved.state["pending_transition"].is_null());
    CHECK(approved.state["active_overlay"] == Json{{"autonomy", "full"}});
    CHECK(approved.state["last_transition"]["decision_id"] == "gate-3");
    CHECK(approved.state["last_transition"]["metrics_hash"] == metrics_hash(good_work));
    CHECK(approved.state["gate_history"]["trusted"]["fired"] == 1);

    REQUIRE(approved.events.size() == 2);
    std::vector<std::string> approved_fields = gate_transition_fields;
    approved_fields.push_back("approver");
    CHECK(keys_of(approved.events[0]) == approved_fields);
    CHECK(approved.events[0]["decision"] == "approved");
    CHECK(approved.events[0]["approver"] == "lead@example.org");
    CHECK(approved.events[0]["from_phase"] == "active");
    CHECK(approved.events[0]["to_phase"] == "trusted");
    CHECK(approved.events[0]["metrics_hash"] == metrics_hash(good_work));
    CHECK(approved.events[0]["state_rev"] == 3);
    CHECK(approved.events[1] == Json{{"event_type", "AuthorityOverlayChange"},
                                     {"gate_id", "trusted"},
                                     {"previous_overlay", nullptr},
                                     {"new_overlay", {{"autonomy", "full"}}}});
    CHECK(keys_of(approved.events[1]) ==
          std::vector<std::string>{"event_type", "gate_id", "previous_overlay", "new_overlay"});
}

TEST_CASE("stale pending request is refused", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Mutation pending = evaluate(persona, onboarded(persona), good_work, "*", t0 + seconds{120});
    REQUIRE(pending.state["state_rev"] == 2);

    // Granting an elevation is a mutation, so the request made at state_rev 2 is stale.
    const Mutation elevated = elevate(persona, pending.state, "release-deploy", "v2.1 release", "lead@example.org",
                                      "ops", t0 + seconds{200});
    REQUIRE(elevated.state["state_rev"] == 3);

    const auto error = error_from([&] { approve(persona, elevated.state, "trusted", "lead@example.org", t0 + seconds{300}); });
    CHECK(error.code() == amp::ExitCode::negative);
    CHECK_THAT(error.what(), Catch::Contains("state_rev 2") && Catch::Contains("state_rev 3") &&
                                 Catch::Contains("changed since"));
    REQUIRE_FALSE(error.hints().empty());
    CHECK_THAT(error.hints()[0], Catch::Contains("--evaluate trusted"));

    // Evaluating again renews the request at the new revision, which can then be approved.
    const Mutation renewed = evaluate(persona, elevated.state, good_work, "trusted", t0 + seconds{400});
    CHECK(renewed.exit_code == amp::ExitCode::waiting);
    CHECK(renewed.changed);
    CHECK(renewed.report["outcome"] == "pending_human");
    CHECK(renewed.state["pending_transition"]["state_rev"] == 4);
    const Mutation approved = approve(persona, renewed.state, "trusted", "lead@example.org", t0 + seconds{500});
    CHECK(approved.state["current_phase"] == "trusted");
    CHECK(approved.state["state_rev"] == 5);
}

TEST_CASE("approve without a matching request is denied", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json active = onboarded(persona);

    const auto absent = error_from([&] { approve(persona, active, "trusted", "lead@example.org", t0 + seconds{300}); });
    CHECK(absent.code() == amp::ExitCode::negative);
    CHECK_THAT(absent.what(), Catch::Contains("no transition of gate \"trusted\" is waiting"));

    Json other = active;
    other["pending_transition"] = {{"gate_id", "trust_decay"}, {"from_phase", "active"}, {"to_phase", "trusted"},
                                   {"requested_at", "2026-04-01T09:02:00Z"}, {"metrics_hash", nullptr},
                                   {"state_rev", 1}};
    const auto wrong_gate = error_from([&] { approve(persona, other, "trusted", "lead@example.org", t0 + seconds{300}); });
    CHECK(wrong_gate.code() == amp::ExitCode::negative);
    CHECK_THAT(wrong_gate.what(), Catch::Contains("for gate \"trust_decay\", not \"trusted\""));

    const Mutation pending = evaluate(persona, active, good_work, "*", t0 + seconds{120});
    const auto no_approver = error_from([&] { approve(persona, pending.state, "trusted", "", t0 + seconds{300}); });
    CHECK(no_approver.code() == amp::ExitCode::failure);
    CHECK_THAT(no_approver.hints().at(0), Catch::Contains("--approver"));

    const auto unknown = error_from([&] { approve(persona, pending.state, "fast_lane", "lead@example.org", t0); });
    CHECK(unknown.code() == amp::ExitCode::failure);
    CHECK_THAT(unknown.what(), Catch::Contains("unknown gate \"fast_lane\""));
}

TEST_CASE("approve expires elevations in the same mutation", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Mutation elevated = elevate(persona, onboarded(persona), "release-deploy", "hotfix", "lead@example.org",
                                      "ops", t0 + seconds{100});
    const Mutation pending = evaluate(persona, elevated.state, good_work, "*", t0 + seconds{200});
    REQUIRE(pending.state["state_rev"] == 3);

    // The elevation granted at t0+100 with a TTL of 3600 s has expired by t0+3700.
    const Mutation approved = approve(persona, pending.state, "trusted", "lead@example.org", t0 + seconds{3700});
    CHECK(approved.state["state_rev"] == 4);
    CHECK(approved.cause == "GateTransition");
    CHECK(approved.state["active_elevations"] == Json::array());
    REQUIRE(approved.events.size() == 3);
    CHECK(approved.events[0]["event_type"] == "ElevationChange");
    CHECK(approved.events[0]["action"] == "expire");
    CHECK(approved.events[0]["state_rev"] == 4);
    CHECK(approved.events[1]["decision"] == "approved");
    CHECK(approved.events[1]["state_rev"] == 4);
    CHECK(approved.events[2]["event_type"] == "AuthorityOverlayChange");
    CHECK(approved.report["expired_elevations"].size() == 1);
}

TEST_CASE("demotion replaces the overlay", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json state = trusted(persona);
    const Json metrics = {{"policy_violations", 3}};

    const Mutation demoted = evaluate(persona, state, metrics, "*", t0 + seconds{1000});
    CHECK(demoted.exit_code == amp::ExitCode::ok);
    CHECK(demoted.state["current_phase"] == "active");
    CHECK(demoted.state["state_rev"] == 4);
    CHECK(demoted.state["active_overlay"] == Json{{"autonomy", "supervised"}});
    REQUIRE(demoted.events.size() == 2);
    CHECK(demoted.events[0]["gate_id"] == "trust_decay");
    CHECK(demoted.events[0]["direction"] == "demote");
    CHECK(demoted.events[0]["from_phase"] == "trusted");
    CHECK(demoted.events[0]["to_phase"] == "active");
    CHECK(demoted.events[0]["criteria_results"][0]["window_seconds"] == 2592000);
    CHECK(demoted.events[1] == Json{{"event_type", "AuthorityOverlayChange"},
                                    {"gate_id", "trust_decay"},
                                    {"previous_overlay", {{"autonomy", "full"}}},
                                    {"new_overlay", {{"autonomy", "supervised"}}}});

    // Below the threshold nothing fires, and the report still shows the criterion.
    const Mutation calm = evaluate(persona, state, Json{{"policy_violations", 2}}, "*", t0 + seconds{1000});
    CHECK(calm.exit_code == amp::ExitCode::negative);
    CHECK_FALSE(calm.changed);
    CHECK(calm.events.empty());
    CHECK(calm.state == state);
    CHECK(calm.report["outcome"] == "no_gate_fired");
    REQUIRE(calm.report["candidates"].size() == 1);
    CHECK(calm.report["candidates"][0]["outcome"] == "criteria_failed");
    CHECK(calm.report["candidates"][0]["criteria_results"][0]["actual"] == 2);
    CHECK(calm.report["drift"]["gate_id"].is_null());
    CHECK(calm.report["drift"]["state_rev"] == 3);
}

TEST_CASE("cooldown skips a gate until it ends", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const amp::TimePoint demoted_at = t0 + seconds{1000};
    const Mutation demoted = evaluate(persona, trusted(persona), Json{{"policy_violations", 3}}, "*", demoted_at);
    REQUIRE(demoted.state["current_phase"] == "active");

    const Mutation pending = evaluate(persona, demoted.state, good_work, "*", demoted_at + seconds{100});
    const Mutation promoted =
        approve(persona, pending.state, "trusted", "lead@example.org", demoted_at + seconds{200});
    REQUIRE(promoted.state["current_phase"] == "trusted");
    REQUIRE(promoted.state["gate_history"]["trusted"]["fired"] == 2);

    const Json violations = {{"policy_violations", 5}};
    const Mutation skipped = evaluate(persona, promoted.state, violations, "*", demoted_at + seconds{300});
    CHECK(skipped.exit_code == amp::ExitCode::negative);
    CHECK_FALSE(skipped.changed);
    CHECK(skipped.state["current_phase"] == "trusted");
    const Json& candidate = skipped.report["candidates"][0];
    CHECK(candidate["gate_id"] == "trust_decay");
    CHECK(candidate["outcome"] == "cooldown");
    CHECK(candidate["criteria_pass"] == true);
    CHECK(candidate["skipped"] == Json{{"reason", "cooldown"},
                                       {"remaining_seconds", 86100},
                                       {"until", amp::format_time(demoted_at + seconds{86400})}});
    CHECK_THAT(skipped.report["message"].get<std::string>(), Catch::Contains("no gate fired"));

    const Mutation named = evaluate(persona, promoted.state, violations, "trust_decay", demoted_at + seconds{300});
    CHECK(named.exit_code == amp::ExitCode::negative);
    CHECK_THAT(named.report["message"].get<std::string>(), Catch::Contains("cooldown for 86100 more seconds"));

    const Mutation fired = evaluate(persona, promoted.state, violations, "*", demoted_at + seconds{86400});
    CHECK(fired.exit_code == amp::ExitCode::ok);
    CHECK(fired.state["current_phase"] == "active");
    CHECK(fired.state["gate_history"]["trust_decay"]["fired"] == 2);
    CHECK(fired.state["gate_history"]["trust_decay"]["last_fired_at"] ==
          amp::format_time(demoted_at + seconds{86400}));
}

TEST_CASE("observe mode records without moving", "[lifecycle]") {
    Json persona = load_reference("quiet_stone_v1.json");
    persona["gates"][1]["enforcement"] = "observe";
    const Json active = onboarded(persona);

    const Mutation observed = evaluate(persona, active, good_work, "*", t0 + seconds{120});
    CHECK(observed.exit_code == amp::ExitCode::ok);
    CHECK(observed.changed);
    CHECK(observed.cause == "GateTransition");
    CHECK(observed.state["current_phase"] == "active");
    CHECK(observed.state["active_overlay"].is_null());
    CHECK(observed.state["pending_transition"].is_null());
    CHECK(observed.state["last_transition"] == active["last_transition"]);
    CHECK(observed.state["state_rev"] == 2);
    CHECK(observed.state["gate_history"]["trusted"] == Json{{"last_observed_at", "2026-04-01T09:02:00Z"},
                                                            {"observed", 1},
                                                            {"last_metrics_hash", metrics_hash(good_work)},
                                                            {"last_state_rev", 2}});
    REQUIRE(observed.events.size() == 1);
    CHECK(keys_of(observed.events[0]) == gate_transition_fields);
    CHECK(observed.events[0]["decision"] == "observed");
    CHECK(observed.events[0]["enforcement"] == "observe");
    CHECK(observed.events[0]["to_phase"] == "trusted");
    CHECK(observed.report["outcome"] == "observed");

    // The same metrics at the revision the observation produced do not record twice.
    const Mutation repeat = evaluate(persona, observed.state, good_work, "*", t0 + seconds{180});
    CHECK(repeat.exit_code == amp::ExitCode::ok);
    CHECK_FALSE(repeat.changed);
    CHECK(repeat.events.empty());
    CHECK(repeat.report["outcome"] == "already_applied");

    // New metrics are a new observation.
    const Json better = {{"tasks_completed", 30}, {"error_rate", 0.01}};
    const Mutation next = evaluate(persona, observed.state, better, "*", t0 + seconds{240});
    CHECK(next.changed);
    CHECK(next.state["gate_history"]["trusted"]["observed"] == 2);
    CHECK(next.state["state_rev"] == 3);
}

TEST_CASE("same gate, hash and revision never fire twice", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json metrics = {{"schema_valid", true}};

    // A state whose history records that onboarding fired with these metrics at this revision.
    Json state = initial_state(persona, t0);
    state["state_rev"] = 6;
    state["gate_history"]["onboarding"] = {{"last_fired_at", "2026-04-01T09:00:00Z"},
                                           {"fired", 1},
                                           {"last_metrics_hash", metrics_hash(metrics)},
                                           {"last_state_rev", 6}};

    const Mutation repeat = evaluate(persona, state, metrics, "onboarding", t0 + seconds{60});
    CHECK(repeat.exit_code == amp::ExitCode::ok);
    CHECK_FALSE(repeat.changed);
    CHECK(repeat.events.empty());
    CHECK(repeat.state == state);
    CHECK(repeat.report["outcome"] == "already_applied");

    // At another revision the same metrics fire.
    state["state_rev"] = 7;
    const Mutation fires = evaluate(persona, state, metrics, "onboarding", t0 + seconds{60});
    CHECK(fires.changed);
    CHECK(fires.state["current_phase"] == "active");
    CHECK(fires.state["gate_history"]["onboarding"]["fired"] == 2);
}

TEST_CASE("selected gate loses to the winner", "[lifecycle]") {
    Json persona = load_reference("quiet_stone_v1.json");
    persona["gates"].push_back({{"id", "fast_track"},
                                {"direction", "promote"},
                                {"priority", 5},
                                {"from_phase", "active"},
                                {"to_phase", "trusted"},
                                {"criteria", {{{"metric", "tasks_completed"}, {"op", "gte"}, {"value", 10}}}},
                                {"approval", "auto"}});
    const Json active = onboarded(persona);

    const Mutation lost = evaluate(persona, active, good_work, "fast_track", t0 + seconds{120});
    CHECK(lost.exit_code == amp::ExitCode::negative);
    CHECK_FALSE(lost.changed);
    CHECK(lost.events.empty());
    CHECK(lost.report["outcome"] == "other_gate_won");
    CHECK(lost.report["winner"] == "trusted");
    CHECK(lost.report["gate_id"].is_null());
    CHECK_THAT(lost.report["message"].get<std::string>(),
               Catch::Contains("\"fast_track\" passed, but comes later") && Catch::Contains("\"trusted\" wins"));
    REQUIRE(lost.report["candidates"].size() == 2);
    CHECK(lost.report["candidates"][0]["gate_id"] == "trusted");
    CHECK(lost.report["candidates"][0]["outcome"] == "won");
    CHECK(lost.report["candidates"][1]["gate_id"] == "fast_track");
    CHECK(lost.report["candidates"][1]["outcome"] == "outranked");
    CHECK(lost.report["drift"]["gate_id"] == "fast_track");

    // When the higher-priority gate fails, the selected one wins and applies.
    const Json few_errors_many_tasks = {{"tasks_completed", 12}, {"error_rate", 0.01}};
    const Mutation won = evaluate(persona, active, few_errors_many_tasks, "fast_track", t0 + seconds{120});
    CHECK(won.exit_code == amp::ExitCode::ok);
    CHECK(won.state["current_phase"] == "trusted");
    CHECK(won.report["candidates"][0]["outcome"] == "criteria_failed");
    CHECK(won.report["candidates"][1]["outcome"] == "won");

    // A gate that does not start from the current phase is no candidate.
    const Mutation elsewhere = evaluate(persona, active, good_work, "onboarding", t0 + seconds{120});
    CHECK(elsewhere.exit_code == amp::ExitCode::negative);
    CHECK(elsewhere.report["outcome"] == "not_a_candidate");
    CHECK_THAT(elsewhere.report["message"].get<std::string>(),
               Catch::Contains("starts from phase (not onboarded), but the current phase is active"));
}

TEST_CASE("unknown gate, quorum and bad metrics fail", "[lifecycle]") {
    Json persona = load_reference("quiet_stone_v1.json");
    const Json active = onboarded(persona);

    const auto unknown = error_from([&] { evaluate(persona, active, good_work, "fast_lane", t0); });
    CHECK(unknown.code() == amp::ExitCode::failure);
    CHECK_THAT(unknown.what(), Catch::Contains("unknown gate \"fast_lane\"; the persona defines: onboarding, "
                                               "trusted, trust_decay"));

    const auto not_object = error_from([&] { evaluate(persona, active, Json::array({1, 2}), "*", t0); });
    CHECK(not_object.code() == amp::ExitCode::failure);
    CHECK_THAT(not_object.what(), Catch::Contains("metrics: expected a JSON object"));

    persona["gates"][1]["approval"] = "quorum";
    const auto quorum = error_from([&] { evaluate(persona, active, good_work, "*", t0 + seconds{120}); });
    CHECK(quorum.code() == amp::ExitCode::failure);
    CHECK_THAT(quorum.what(), Catch::Contains("quorum approval, which amp does not support yet"));

    // A quorum gate whose criteria fail is only reported.
    const Mutation failing = evaluate(persona, active, Json{{"tasks_completed", 1}}, "*", t0 + seconds{120});
    CHECK(failing.exit_code == amp::ExitCode::negative);
}

TEST_CASE("bad data never promotes but demotes", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");

    const Json string_count = {{"tasks_completed", "25"}, {"error_rate", 0.01}};
    const Mutation promote = evaluate(persona, onboarded(persona), string_count, "*", t0 + seconds{120});
    CHECK(promote.exit_code == amp::ExitCode::negative);
    CHECK(promote.report["candidates"][0]["criteria_results"][0]["reason"] == "type_mismatch");

    const Mutation demote =
        evaluate(persona, trusted(persona), Json{{"policy_violations", "n/a"}}, "*", t0 + seconds{1000});
    CHECK(demote.exit_code == amp::ExitCode::ok);
    CHECK(demote.state["current_phase"] == "active");
}

TEST_CASE("zeroclaw agent full lifecycle", "[lifecycle]") {
    const Json persona = load_reference("zeroclaw_agent.json");
    const Json metrics = load_reference("zeroclaw_metrics.json");
    const std::string hash = metrics_hash(metrics);

    const Mutation onboarding = evaluate(persona, initial_state(persona, t0), metrics, "*", t0 + seconds{10});
    CHECK(onboarding.exit_code == amp::ExitCode::ok);
    CHECK(onboarding.state["current_phase"] == "active");
    CHECK(onboarding.events[0]["metrics_hash"] == hash);

    const Mutation pending = evaluate(persona, onboarding.state, metrics, "*", t0 + seconds{20});
    CHECK(pending.exit_code == amp::ExitCode::waiting);
    CHECK(pending.state["pending_transition"]["gate_id"] == "trusted");
    CHECK(pending.state["pending_transition"]["metrics_hash"] == hash);

    const Mutation approved = approve(persona, pending.state, "trusted", "lead@example.org", t0 + seconds{30});
    CHECK(approved.state["current_phase"] == "trusted");
    CHECK(approved.state["active_overlay"] == Json{{"autonomy", "full"}});

    // The reference metrics have no violations, so the agent stays trusted.
    const Mutation steady = evaluate(persona, approved.state, metrics, "*", t0 + seconds{40});
    CHECK(steady.exit_code == amp::ExitCode::negative);
    CHECK(steady.report["candidates"][0]["gate_id"] == "trust_decay");

    // trust_decay has no on_pass overlay here, so the overlay stays and no overlay event is written.
    Json violating = metrics;
    violating["policy_violations"] = 4;
    const Mutation demoted = evaluate(persona, approved.state, violating, "*", t0 + seconds{50});
    CHECK(demoted.exit_code == amp::ExitCode::ok);
    CHECK(demoted.state["current_phase"] == "active");
    CHECK(demoted.state["active_overlay"] == Json{{"autonomy", "full"}});
    REQUIRE(demoted.events.size() == 1);
    CHECK(demoted.events[0]["event_type"] == "GateTransition");
    CHECK(demoted.state["state_rev"] == 4);
}

TEST_CASE("transition clears another gate's request", "[lifecycle]") {
    Json persona = load_reference("quiet_stone_v1.json");
    persona["gates"].push_back({{"id", "probation"},
                                {"direction", "demote"},
                                {"from_phase", "active"},
                                {"to_phase", "probation"},
                                {"criteria", {{{"metric", "policy_violations"}, {"op", "gte"}, {"value", 1}}}}});
    const Mutation pending = evaluate(persona, onboarded(persona), good_work, "*", t0 + seconds{120});
    REQUIRE(pending.state["pending_transition"]["gate_id"] == "trusted");

    Json violating = good_work;
    violating["policy_violations"] = 2;
    const Mutation demoted = evaluate(persona, pending.state, violating, "*", t0 + seconds{180});
    CHECK(demoted.state["current_phase"] == "probation");
    CHECK(demoted.state["pending_transition"].is_null());
    CHECK(demoted.report["candidates"][0]["gate_id"] == "probation");
    CHECK(demoted.report["candidates"][1]["outcome"] == "outranked");
}

TEST_CASE("evaluation expires elevations first", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Mutation elevated = elevate(persona, trusted(persona), "release-deploy", "v2.1 release",
                                      "lead@example.org", "ops", t0 + seconds{400});
    REQUIRE(elevated.state["state_rev"] == 4);

    // Nothing fires, but the expiry alone is a mutation.
    const Mutation quiet = evaluate(persona, elevated.state, Json{{"policy_violations", 0}}, "*", t0 + seconds{4000});
    CHECK(quiet.exit_code == amp::ExitCode::negative);
    CHECK(quiet.changed);
    CHECK(quiet.cause == "ElevationChange");
    CHECK(quiet.state["state_rev"] == 5);
    CHECK(quiet.state["active_elevations"] == Json::array());
    REQUIRE(quiet.events.size() == 1);
    CHECK(quiet.events[0] == Json{{"event_type", "ElevationChange"},
                                  {"elevation_id", "release-deploy"},
                                  {"action", "expire"},
                                  {"reason", "ttl elapsed"},
                                  {"ttl_seconds", 3600},
                                  {"granted_by", "lead@example.org"},
                                  {"expires_at", amp::format_time(t0 + seconds{4000})},
                                  {"state_rev", 5}});
    CHECK(quiet.report["drift"]["state_rev"] == 5);

    // With a transition in the same command, both events carry the one new revision.
    const Mutation both = evaluate(persona, elevated.state, Json{{"policy_violations", 3}}, "*", t0 + seconds{4000});
    CHECK(both.cause == "GateTransition");
    CHECK(both.state["state_rev"] == 5);
    REQUIRE(both.events.size() == 3);
    CHECK(both.events[0]["action"] == "expire");
    CHECK(both.events[1]["event_type"] == "GateTransition");
    CHECK(both.events[2]["event_type"] == "AuthorityOverlayChange");
    for (const Json& event : both.events) {
        if (event.contains("state_rev")) CHECK(event["state_rev"] == 5);
    }
    CHECK(both.state["last_transition"]["state_rev"] == 5);
}
