#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "amp/crypto/sha256.hpp"
#include "amp/error.hpp"
#include "amp/lifecycle/gates.hpp"

#include "lifecycle_fixtures.hpp"

using amp::Json;
using amp::testing::load_reference;
using amp::testing::error_from;
using namespace amp::lifecycle;

namespace {

amp::TimePoint at(const char* text) { return *amp::parse_time(text); }

// A persona holding only `gates`, enough for the gate functions.
Json persona_with_gates(Json gates) { return Json{{"name", "Test"}, {"gates", std::move(gates)}}; }

// One promote gate with a single criterion, for operator tests.
Gate single_criterion_gate(const char* op, Json expected, Direction direction = Direction::promote) {
    const Json persona = persona_with_gates(Json::array({{{"id", "g"},
                                                          {"direction", "promote"},
                                                          {"from_phase", nullptr},
                                                          {"to_phase", "active"},
                                                          {"criteria", {{{"metric", "m"}, {"op", op}, {"value", expected}}}}}}));
    Gate gate = read_gates(persona).at(0);
    gate.direction = direction;
    return gate;
}

bool passes(const char* op, Json expected, Json actual) {
    return evaluate_criteria(single_criterion_gate(op, std::move(expected)), Json{{"m", std::move(actual)}}).pass;
}

}  // namespace

TEST_CASE("reference gates are read with defaults", "[lifecycle]") {
    const std::vector<Gate> gates = read_gates(load_reference("quiet_stone_v1.json"));
    REQUIRE(gates.size() == 3);

    CHECK(gates[0].id == "onboarding");
    CHECK(gates[0].from_phase.is_null());
    CHECK(gates[0].priority == 0);
    CHECK(gates[0].cooldown_seconds == 0);
    CHECK(gates[0].approval == Approval::automatic);
    CHECK(gates[0].authority_overlay.is_null());

    CHECK(gates[1].approval == Approval::human);
    CHECK(gates[1].criteria.size() == 2);
    CHECK(gates[1].authority_overlay == Json{{"autonomy", "full"}});

    CHECK(gates[2].direction == Direction::demote);
    CHECK(gates[2].cooldown_seconds == 86400);
    CHECK(gates[2].criteria[0].window_seconds == 2592000);
    CHECK(read_gates(Json{{"name", "NoGates"}}).empty());
}

TEST_CASE("invalid gates name their pointer", "[lifecycle]") {
    const Json base = {{"id", "g"}, {"direction", "promote"}, {"from_phase", nullptr}, {"to_phase", "active"},
                       {"criteria", {{{"metric", "m"}, {"op", "eq"}, {"value", 1}}}}};
    struct Case {
        const char* pointer;
        Json value;
        const char* expected_in_message;
    };
    const std::vector<Case> cases = {
        {"/criteria/0/op", "between", "/gates/0/criteria/0/op: unknown operator \"between\""},
        {"/direction", "sideways", "/gates/0/direction: unknown direction"},
        {"/enforcement", "maybe", "/gates/0/enforcement: unknown enforcement"},
        {"/approval", "vote", "/gates/0/approval: unknown approval"},
        {"/criteria", Json::array(), "/gates/0/criteria: expected a non-empty array"},
        {"/criteria_logic", Json{{"any", {{{"metric", "m"}, {"op", "eq"}, {"value", 1}}}}},
         "either \"criteria\" or \"criteria_logic\", not both"},
        {"/metrics_schema", Json{{"m", {{"type", "float"}}}}, "/gates/0/metrics_schema/m/type"},
        {"/cooldown_seconds", -5, "/gates/0/cooldown_seconds: expected an integer >= 0"},
        {"/from_phase", 7, "/gates/0/from_phase"},
        {"/on_pass", Json{{"authority_overlay", "full"}}, "/gates/0/on_pass/authority_overlay: expected an object"},
    };
    for (const Case& c : cases) {
        Json gate = base;
        gate[Json::json_pointer(c.pointer)] = c.value;
        const auto error = error_from([&] { read_gates(persona_with_gates(Json::array({gate}))); });
        INFO(c.pointer);
        CHECK(error.code() == amp::ExitCode::failure);
        CHECK_THAT(error.what(), Catch::Contains(c.expected_in_message));
    }

    Json no_criteria = base;
    no_criteria.erase("criteria");
    CHECK_THAT(error_from([&] { read_gates(persona_with_gates(Json::array({no_criteria}))); }).what(),
               Catch::Contains("/gates/0/criteria: required member is missing"));

    const auto duplicate = error_from([&] { read_gates(persona_with_gates(Json::array({base, base}))); });
    CHECK_THAT(duplicate.what(), Catch::Contains("/gates/1/id: duplicate gate id \"g\""));
}

TEST_CASE("candidates ordered demote, priority, id", "[lifecycle]") {
    auto gate = [](const char* id, const char* direction, Json priority) {
        Json value = {{"id", id}, {"direction", direction}, {"from_phase", "active"}, {"to_phase", "x"},
                      {"criteria", {{{"metric", "m"}, {"op", "eq"}, {"value", 1}}}}};
        if (!priority.is_null()) value["priority"] = priority;
        return value;
    };
    const Json persona = persona_with_gates(Json::array({
        gate("promote_low", "promote", nullptr),
        gate("promote_b", "promote", 10),
        gate("promote_a", "promote", 10),
        gate("demote_low", "demote", -3),
        gate("demote_high", "demote", 1),
        gate("promote_negative", "promote", -1),
        {{"id", "elsewhere"}, {"direction", "demote"}, {"from_phase", "trusted"}, {"to_phase", "active"},
         {"criteria", {{{"metric", "m"}, {"op", "eq"}, {"value", 1}}}}},
        {{"id", "onboarding"}, {"direction", "promote"}, {"from_phase", nullptr}, {"to_phase", "active"},
         {"criteria", {{{"metric", "m"}, {"op", "eq"}, {"value", 1}}}}},
    }));
    const std::vector<Gate> gates = read_gates(persona);

    std::vector<std::string> order;
    for (const Gate* candidate : order_candidates(gates, "active")) order.push_back(candidate->id);
    CHECK(order == std::vector<std::string>{"demote_high", "demote_low", "promote_a", "promote_b", "promote_low",
                                            "promote_negative"});

    const auto not_onboarded = order_candidates(gates, nullptr);
    REQUIRE(not_onboarded.size() == 1);
    CHECK(not_onboarded[0]->id == "onboarding");
    CHECK(order_candidates(gates, "retired").empty());
}

TEST_CASE("criterion operators compare by value", "[lifecycle]") {
    CHECK(passes("eq", 1, 1.0));
    CHECK(passes("eq", 0.5, 0.5));
    CHECK_FALSE(passes("eq", 1, 2));
    CHECK(passes("eq", true, true));
    CHECK_FALSE(passes("eq", true, "true"));
    CHECK(passes("eq", "green", "green"));
    CHECK(passes("neq", 1, 2));
    CHECK_FALSE(passes("neq", 1, 1.0));
    CHECK(passes("neq", "green", "red"));

    CHECK(passes("gt", 20, 20.5));
    CHECK_FALSE(passes("gt", 20, 20));
    CHECK(passes("gte", 20, 20.0));
    CHECK_FALSE(passes("gte", 20, 19.999));
    CHECK(passes("lt", 0.05, 0.04));
    CHECK_FALSE(passes("lt", 0.05, 0.05));
    CHECK(passes("lte", 0.05, 0.05));
    CHECK(passes("lte", -1, -2));

    // Ordering a non-number fails instead of comparing strings or booleans.
    CHECK_FALSE(passes("gte", 20, "25"));
    CHECK_FALSE(passes("lt", "b", "a"));
    CHECK_FALSE(passes("gt", false, true));
}

TEST_CASE("criterion results carry details", "[lifecycle]") {
    const Gate gate = single_criterion_gate("gte", 20);

    const CriteriaVerdict missing = evaluate_criteria(gate, Json{{"other", 1}});
    CHECK_FALSE(missing.pass);
    CHECK(missing.results == Json::parse(
                                 R"([{"metric":"m","op":"gte","expected":20,"actual":null,"pass":false,"reason":"missing"}])"));

    const CriteriaVerdict not_number = evaluate_criteria(gate, Json{{"m", "lots"}});
    CHECK(not_number.results[0]["reason"] == "not_a_number");
    CHECK(not_number.results[0]["actual"] == "lots");

    const CriteriaVerdict passed = evaluate_criteria(gate, Json{{"m", 21}});
    CHECK(passed.pass);
    CHECK(passed.results == Json::parse(R"([{"metric":"m","op":"gte","expected":20,"actual":21,"pass":true}])"));

    // A metric present with the value null is not missing, and null is not a number.
    const CriteriaVerdict null_value = evaluate_criteria(gate, Json{{"m", nullptr}});
    CHECK_FALSE(null_value.pass);
    CHECK(null_value.results[0]["reason"] == "not_a_number");
}

TEST_CASE("criteria_logic all and any", "[lifecycle]") {
    auto persona_with_logic = [](const char* logic) {
        return persona_with_gates(Json::array({{{"id", "g"},
                                                {"direction", "promote"},
                                                {"from_phase", "active"},
                                                {"to_phase", "trusted"},
                                                {"criteria_logic",
                                                 {{logic,
                                                   {{{"metric", "a"}, {"op", "gte"}, {"value", 10}},
                                                    {{"metric", "b"}, {"op", "eq"}, {"value", true}}}}}}}}));
    };
    const Gate all = read_gates(persona_with_logic("all")).at(0);
    const Gate any = read_gates(persona_with_logic("any")).at(0);
    CHECK(all.logic == CriteriaLogic::all);
    CHECK(any.logic == CriteriaLogic::any);

    const Json one_passes = {{"a", 12}, {"b", false}};
    const Json both_pass = {{"a", 12}, {"b", true}};
    const Json none_pass = {{"a", 2}};

    CHECK_FALSE(evaluate_criteria(all, one_passes).pass);
    CHECK(evaluate_criteria(all, both_pass).pass);
    CHECK(evaluate_criteria(any, one_passes).pass);
    CHECK_FALSE(evaluate_criteria(any, none_pass).pass);

    // Under "any" every criterion is still evaluated for the report.
    const CriteriaVerdict verdict = evaluate_criteria(any, one_passes);
    REQUIRE(verdict.results.size() == 2);
    CHECK(verdict.results[0]["pass"] == true);
    CHECK(verdict.results[1]["pass"] == false);

    Json nested = persona_with_logic("any");
    nested["gates"][0]["criteria_logic"]["any"].push_back({{"all", Json::array()}});
    CHECK_THAT(error_from([&] { read_gates(nested); }).what(),
               Catch::Contains("/gates/0/criteria_logic/any/2: nested"));

    Json two_groups = persona_with_logic("all");
    two_groups["gates"][0]["criteria_logic"]["any"] = Json::array();
    CHECK_THAT(error_from([&] { read_gates(two_groups); }).what(),
               Catch::Contains("/gates/0/criteria_logic: expected {\"all\": [...]} or {\"any\": [...]}"));
}

TEST_CASE("metrics_schema types: bad data never promotes", "[lifecycle]") {
    const std::vector<Gate> gates = read_gates(load_reference("quiet_stone_v1.json"));
    const Gate& trusted = gates[1];
    const Gate& trust_decay = gates[2];

    // Declared integer: a string or a fraction fails a promote criterion.
    const CriteriaVerdict text = evaluate_criteria(trusted, Json{{"tasks_completed", "25"}, {"error_rate", 0.01}});
    CHECK_FALSE(text.pass);
    CHECK(text.results[0]["reason"] == "type_mismatch");
    CHECK(text.results[0]["pass"] == false);
    CHECK_FALSE(evaluate_criteria(trusted, Json{{"tasks_completed", 25.5}, {"error_rate", 0.01}}).pass);

    // 25.0 has no fraction, so it is an integer; 0 is a number.
    CHECK(evaluate_criteria(trusted, Json{{"tasks_completed", 25.0}, {"error_rate", 0}}).pass);
    CHECK_FALSE(evaluate_criteria(trusted, Json{{"tasks_completed", 25}, {"error_rate", "0.01"}}).pass);

    // The same wrong type passes a demote criterion.
    const CriteriaVerdict bad_demote = evaluate_criteria(trust_decay, Json{{"policy_violations", "unknown"}});
    CHECK(bad_demote.pass);
    CHECK(bad_demote.results[0]["reason"] == "type_mismatch");
    CHECK(evaluate_criteria(trust_decay, Json{{"policy_violations", 1.5}}).pass);
    CHECK_FALSE(evaluate_criteria(trust_decay, Json{{"policy_violations", 1}}).pass);

    // A missing metric fails even on a demote gate: no data is not bad data.
    CHECK_FALSE(evaluate_criteria(trust_decay, Json::object()).pass);

    // Boolean and string declarations.
    const CriteriaVerdict onboarding = evaluate_criteria(gates[0], Json{{"schema_valid", "true"}});
    CHECK_FALSE(onboarding.pass);
    CHECK(onboarding.results[0]["reason"] == "type_mismatch");
    Gate with_string = single_criterion_gate("eq", "green");
    with_string.metrics_schema = Json{{"m", {{"type", "string"}}}};
    CHECK(evaluate_criteria(with_string, Json{{"m", "green"}}).pass);
    with_string.direction = Direction::demote;
    CHECK(evaluate_criteria(with_string, Json{{"m", 3}}).pass);
}

TEST_CASE("cooldown from history or last transition", "[lifecycle]") {
    const std::vector<Gate> gates = read_gates(load_reference("quiet_stone_v1.json"));
    const Gate& trust_decay = gates[2];
    const amp::TimePoint fired = at("2026-04-01T09:00:00Z");

    Json state = {{"name", "QuietStone"}, {"current_phase", "trusted"}, {"state_rev", 3},
                  {"gate_history", {{"trust_decay", {{"last_fired_at", "2026-04-01T09:00:00Z"}, {"fired", 1}}}}}};
    CHECK(cooldown_remaining(trust_decay, state, fired + std::chrono::seconds{100}) == std::chrono::seconds{86300});
    CHECK_FALSE(cooldown_remaining(trust_decay, state, fired + std::chrono::seconds{86400}).has_value());

    // An older file without gate_history falls back to last_transition of the same gate.
    Json older = {{"name", "QuietStone"}, {"current_phase", "trusted"}, {"state_rev", 3},
                  {"last_transition", {{"gate_id", "trust_decay"}, {"from_phase", "trusted"}, {"to_phase", "active"},
                                       {"at", "2026-04-01T09:00:00Z"}}}};
    CHECK(cooldown_remaining(trust_decay, older, fired + std::chrono::seconds{1}) == std::chrono::seconds{86399});
    older["last_transition"]["gate_id"] = "trusted";
    CHECK_FALSE(cooldown_remaining(trust_decay, older, fired + std::chrono::seconds{1}).has_value());

    // A history entry without last_fired_at (only overrides) starts no cooldown.
    Json overridden = state;
    overridden["gate_history"]["trust_decay"] = {{"last_override_at", "2026-04-01T09:00:00Z"}, {"overrides", 1}};
    overridden["last_transition"] = older["last_transition"];
    overridden["last_transition"]["gate_id"] = "trust_decay";
    CHECK_FALSE(cooldown_remaining(trust_decay, overridden, fired + std::chrono::seconds{1}).has_value());

    // A gate without cooldown_seconds never waits.
    CHECK_FALSE(cooldown_remaining(gates[1], state, fired).has_value());
}

TEST_CASE("metrics hash is over RFC 8785 bytes", "[lifecycle]") {
    std::ifstream in(std::filesystem::path(AMP_SHARED_DIR) / "reference" / "personas" / "zeroclaw_metrics.json");
    const Json metrics = Json::parse(in);

    // Members sorted, no whitespace: the canonical form of the reference metrics file.
    const std::string canonical = R"({"error_rate":0.03,"policy_violations":0,"schema_valid":true,"tasks_completed":25})";
    CHECK(metrics_hash(metrics) == amp::crypto::sha256_tagged(canonical));
    CHECK(metrics_hash(Json{{"a", 1}, {"b", 2}}) == metrics_hash(Json{{"b", 2}, {"a", 1}}));
    CHECK(metrics_hash(Json{{"a", 1}}) != metrics_hash(Json{{"a", 2}}));
}

TEST_CASE("metrics must be a JSON object", "[lifecycle]") {
    for (const Json& bad : {Json::array({1}), Json(3), Json("x"), Json(nullptr)}) {
        const auto error = error_from([&] { require_metrics_object(bad); });
        CHECK(error.code() == amp::ExitCode::failure);
        CHECK_THAT(error.what(), Catch::Contains("expected a JSON object"));
    }
    CHECK_NOTHROW(require_metrics_object(Json::object()));
}
