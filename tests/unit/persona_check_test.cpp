#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "amp/json/reader.hpp"
#include "amp/persona/check.hpp"

using amp::Json;
using namespace amp::persona;

namespace {

const std::filesystem::path shared_dir = AMP_SHARED_DIR;

// One line per diagnostic, "CODE severity pointer", so a failing comparison
// shows the whole report.
std::vector<std::string> summarize(const CheckReport& report) {
    std::vector<std::string> lines;
    for (const Diagnostic& diagnostic : report.diagnostics) {
        lines.push_back(diagnostic.code + " " + std::string(to_string(diagnostic.severity)) + " " +
                        diagnostic.pointer);
    }
    return lines;
}

// A v1.0 persona that draws no diagnostic at all; each broken case patches it.
const char* const valid_v1_text = R"({
  "version": "1.0",
  "name": "TestAgent",
  "role": "Checker test persona",
  "psychology": {
    "neural_matrix": {"creativity": 0.5, "empathy": 0.5, "logic": 0.5,
                      "adaptability": 0.5, "charisma": 0.5, "reliability": 0.5},
    "traits": {
      "ocean": {"openness": 0.5, "conscientiousness": 0.5, "extraversion": 0.5,
                "agreeableness": 0.5, "neuroticism": 0.5},
      "mbti": "INTJ"
    }
  },
  "voice": {"style": {"descriptors": ["plain"], "formality": 0.5, "verbosity": 0.5}},
  "authority": {
    "autonomy": "supervised",
    "actions": {"allow": ["read_file", "run_tests"], "deny": ["deploy"]},
    "elevations": [
      {"id": "hotfix", "grants": {"actions.allow": ["deploy"]}, "requires": "human",
       "ttl_seconds": 600, "reason_required": true}
    ]
  },
  "gates": [
    {"id": "onboarding", "direction": "promote", "from_phase": null, "to_phase": "active",
     "criteria": [{"metric": "ready", "op": "eq", "value": true}],
     "metrics_schema": {"ready": {"type": "boolean"}}, "approval": "auto"},
    {"id": "trusted", "direction": "promote", "from_phase": "active", "to_phase": "trusted",
     "criteria": [{"metric": "tasks_completed", "op": "gte", "value": 20}],
     "metrics_schema": {"tasks_completed": {"type": "integer"}}, "approval": "human"}
  ],
  "audit": {"log_decisions": true}
})";

Json valid_v1() { return Json::parse(valid_v1_text); }

Json valid_v02() {
    Json persona = valid_v1();
    persona.erase("version");
    persona.erase("authority");
    persona.erase("gates");
    persona.erase("audit");
    return persona;
}

const char* const signature_block = R"({
  "algorithm": "ed25519", "key_id": "test-k1", "signer": "ci@example.org",
  "canonicalization": "JCS-RFC8785", "signed_fields": ["name"],
  "created_at": "2026-01-01T00:00:00Z", "digest": "sha256:00", "value": "AA=="
})";

struct BrokenCase {
    std::string name;
    std::string patch;  // RFC 6902 JSON Patch applied to valid_v1()
    std::vector<std::string> expected;
};

}  // namespace

TEST_CASE("check base persona is clean", "[check]") {
    const CheckReport v1 = check_persona(valid_v1());
    CHECK(v1.schema_version == "1.0");
    CHECK(summarize(v1).empty());
    CHECK_FALSE(v1.has_errors());
    CHECK_FALSE(v1.has_warnings());

    const CheckReport v02 = check_persona(valid_v02());
    CHECK(v02.schema_version == "0.2");
    CHECK(summarize(v02).empty());
}

TEST_CASE("check reference personas", "[check]") {
    const std::map<std::string, std::pair<std::string, std::vector<std::string>>> expected = {
        {"quiet_stone.json", {"0.2", {}}},
        {"quiet_stone_v1.json", {"1.0", {}}},
        {"sharp_flint.json", {"0.2", {}}},
        {"warm_birch.json", {"0.2", {}}},
        {"zeroclaw_agent.json",
         {"1.0", {"W053 warning /gates/0", "W053 warning /gates/1", "W053 warning /gates/2"}}},
    };
    const std::set<std::string> not_personas = {
        "aieos_identity.json", "zeroclaw_metrics.json", "zeroclaw_agent.authority_overlay.json"};

    std::size_t checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(shared_dir / "reference/personas")) {
        const std::string file = entry.path().filename().string();
        if (entry.path().extension() != ".json" || not_personas.contains(file)) {
            continue;
        }
        INFO(file);

        // A new reference persona must be added to the table above.
        const auto found = expected.find(file);
        REQUIRE(found != expected.end());

        const CheckReport report = check_persona(amp::json::read_file(entry.path()));
        CHECK(report.schema_version == found->second.first);
        CHECK(summarize(report) == found->second.second);
        CHECK_FALSE(report.has_errors());
        ++checked;
    }
    CHECK(checked == expected.size());
}

TEST_CASE("check signed conformance personas", "[check]") {
    const std::map<std::string, std::pair<std::string, std::vector<std::string>>> expected = {
        {"quiet_stone_v1.signed.json", {"1.0", {}}},
        {"quiet_stone_v02.signed.json", {"0.2", {}}},
        {"edge_canonicalization.signed.json", {"1.0", {"W054 warning "}}},
        {"no_authority.signed.json", {"1.0", {"W050 warning ", "W054 warning "}}},
    };

    std::size_t checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(shared_dir / "conformance/signed")) {
        const std::string file = entry.path().filename().string();
        if (!file.ends_with(".signed.json")) {
            continue;
        }
        INFO(file);
        const auto found = expected.find(file);
        REQUIRE(found != expected.end());

        const CheckReport report = check_persona(amp::json::read_file(entry.path()));
        CHECK(report.schema_version == found->second.first);
        CHECK(summarize(report) == found->second.second);
        CHECK_FALSE(report.has_errors());
        ++checked;
    }
    CHECK(checked == expected.size());
}

TEST_CASE("check rejects AIEOS identity", "[check]") {
    const CheckReport report =
        check_persona(amp::json::read_file(shared_dir / "reference/personas/aieos_identity.json"));

    CHECK(report.schema_version.empty());
    REQUIRE(summarize(report) == std::vector<std::string>{"E003 error /aieos_version"});
    CHECK(report.has_errors());
    const std::string& message = report.diagnostics[0].message;
    CHECK_THAT(message, Catch::Contains("AIEOS identity"));
    CHECK_THAT(message, Catch::Contains("\"1.1\""));
    CHECK_THAT(message, Catch::Contains("not an ampersona persona"));
}

TEST_CASE("check broken documents", "[check]") {
    const std::string signature = signature_block;
    const std::vector<BrokenCase> cases = {
        {"root not an object", R"([{"op": "replace", "path": "", "value": [1, 2]}])",
         {"E001 error "}},
        {"unsupported version", R"([{"op": "replace", "path": "/version", "value": "2.0"}])",
         {"E002 error /version"}},
        {"numeric version", R"([{"op": "replace", "path": "/version", "value": 1.0}])",
         {"E002 error /version"}},
        {"AIEOS member", R"([{"op": "add", "path": "/aieos_version", "value": "1.1"}])",
         {"E003 error /aieos_version"}},
        {"missing voice", R"([{"op": "remove", "path": "/voice"}])", {"E010 error "}},
        {"missing gate id", R"([{"op": "remove", "path": "/gates/1/id"}])",
         {"E010 error /gates/1"}},
        {"unknown member", R"([{"op": "add", "path": "/nickname", "value": "x"}])",
         {"E011 error /nickname"}},
        {"member name with a newline", R"([{"op": "add", "path": "/nick\nname", "value": "x"}])",
         {"E011 error /nick\nname"}},
        {"name not a string", R"([{"op": "replace", "path": "/name", "value": 42}])",
         {"E012 error /name"}},
        {"deny entry a number",
         R"([{"op": "replace", "path": "/authority/actions/deny/0", "value": 5}])",
         {"E012 error /authority/actions/deny/0"}},
        {"deny entry without reason",
         R"([{"op": "replace", "path": "/authority/actions/deny/0", "value": {"action": "deploy"}}])",
         {"E010 error /authority/actions/deny/0"}},
        {"fractional ttl",
         R"([{"op": "replace", "path": "/authority/elevations/0/ttl_seconds", "value": 1.5}])",
         {"E012 error /authority/elevations/0/ttl_seconds"}},
        {"unknown mbti",
         R"([{"op": "replace", "path": "/psychology/traits/mbti", "value": "XXXX"}])",
         {"E013 error /psychology/traits/mbti"}},
        {"signature algorithm",
         R"([{"op": "add", "path": "/signature", "value": )" + signature +
             R"(}, {"op": "replace", "path": "/signature/algorithm", "value": "rsa"}])",
         {"E014 error /signature/algorithm"}},
        {"signature without value",
         R"([{"op": "add", "path": "/signature", "value": )" + signature +
             R"(}, {"op": "remove", "path": "/signature/value"}])",
         {"E010 error /signature"}},
        {"empty name", R"([{"op": "replace", "path": "/name", "value": ""}])",
         {"E015 error /name"}},
        {"no descriptors",
         R"([{"op": "replace", "path": "/voice/style/descriptors", "value": []}])",
         {"E016 error /voice/style/descriptors"}},
        {"logic above one",
         R"([{"op": "replace", "path": "/psychology/neural_matrix/logic", "value": 1.5}])",
         {"E017 error /psychology/neural_matrix/logic"}},
        {"zero ttl",
         R"([{"op": "replace", "path": "/authority/elevations/0/ttl_seconds", "value": 0}])",
         {"E017 error /authority/elevations/0/ttl_seconds"}},
        {"negative cooldown",
         R"([{"op": "add", "path": "/gates/0/cooldown_seconds", "value": -1}])",
         {"E017 error /gates/0/cooldown_seconds"}},
        {"criteria and criteria_logic",
         R"([{"op": "add", "path": "/gates/0/criteria_logic",
              "value": {"all": [{"metric": "ready", "op": "eq", "value": true}]}}])",
         {"E020 error /gates/0"}},
        {"no criteria", R"([{"op": "remove", "path": "/gates/0/criteria"}])",
         {"E021 error /gates/0"}},
        {"criteria_logic with all and any",
         R"([{"op": "remove", "path": "/gates/0/criteria"},
             {"op": "add", "path": "/gates/0/criteria_logic",
              "value": {"all": [{"metric": "ready", "op": "eq", "value": true}],
                        "any": [{"metric": "ready", "op": "eq", "value": true}]}}])",
         {"E022 error /gates/0/criteria_logic"}},
        {"empty criteria_logic",
         R"([{"op": "remove", "path": "/gates/0/criteria"},
             {"op": "add", "path": "/gates/0/criteria_logic", "value": {}}])",
         {"E022 error /gates/0/criteria_logic"}},
        {"empty criteria_logic list",
         R"([{"op": "remove", "path": "/gates/0/criteria"},
             {"op": "add", "path": "/gates/0/criteria_logic", "value": {"any": []}}])",
         {"E016 error /gates/0/criteria_logic/any"}},
        {"duplicate gate id",
         R"([{"op": "replace", "path": "/gates/1/id", "value": "onboarding"}])",
         {"E030 error /gates/1/id"}},
        {"duplicate elevation id",
         R"([{"op": "add", "path": "/authority/elevations/-",
              "value": {"id": "hotfix", "grants": {"autonomy": "supervised"}, "requires": "human",
                        "ttl_seconds": 60, "reason_required": true}}])",
         {"E031 error /authority/elevations/1/id"}},
        {"gate to its own phase",
         R"([{"op": "replace", "path": "/gates/1/to_phase", "value": "active"}])",
         {"E032 error /gates/1/to_phase"}},
        {"ordering op on a string",
         R"([{"op": "replace", "path": "/gates/1/criteria/0/value", "value": "twenty"}])",
         {"E033 error /gates/1/criteria/0/value"}},
        {"ordering op in criteria_logic",
         R"([{"op": "remove", "path": "/gates/1/criteria"},
             {"op": "add", "path": "/gates/1/criteria_logic",
              "value": {"any": [{"metric": "tasks_completed", "op": "gte", "value": 20},
                                {"metric": "tasks_completed", "op": "lt", "value": null}]}}])",
         {"E033 error /gates/1/criteria_logic/any/1/value"}},
        {"number for a boolean metric",
         R"([{"op": "replace", "path": "/gates/0/criteria/0/value", "value": 1}])",
         {"E034 error /gates/0/criteria/0/value"}},
        {"fraction for an integer metric",
         R"([{"op": "replace", "path": "/gates/1/criteria/0/value", "value": 20.5}])",
         {"E034 error /gates/1/criteria/0/value"}},
        {"grant of an unknown path",
         R"([{"op": "add", "path": "/authority/elevations/0/grants/actions.deny", "value": ["x"]}])",
         {"E035 error /authority/elevations/0/grants/actions.deny"}},
        {"grant path with a slash",
         R"([{"op": "add", "path": "/authority/elevations/0/grants/actions~1allow", "value": []}])",
         {"E035 error /authority/elevations/0/grants/actions~1allow"}},
        {"grant of the wrong type",
         R"([{"op": "replace", "path": "/authority/elevations/0/grants/actions.allow",
              "value": "deploy"}])",
         {"E012 error /authority/elevations/0/grants/actions.allow"}},
        {"grant of an unknown autonomy",
         R"([{"op": "add", "path": "/authority/elevations/0/grants/autonomy", "value": "root"}])",
         {"E013 error /authority/elevations/0/grants/autonomy"}},
        {"malformed custom action",
         R"([{"op": "replace", "path": "/authority/actions/allow/0", "value": "custom:Acme/read"}])",
         {"E040 error /authority/actions/allow/0"}},
        {"custom action without vendor",
         R"([{"op": "replace", "path": "/authority/actions/deny/0",
              "value": {"action": "custom:brew", "reason": "no coffee"}}])",
         {"E040 error /authority/actions/deny/0/action"}},
        {"empty action",
         R"([{"op": "replace", "path": "/authority/actions/allow/0", "value": ""}])",
         {"E041 error /authority/actions/allow/0"}},
        {"overlay with a bad autonomy",
         R"([{"op": "add", "path": "/gates/1/on_pass",
              "value": {"authority_overlay": {"autonomy": "ful"}}}])",
         {"E013 error /gates/1/on_pass/authority_overlay/autonomy"}},
        {"overlay with a malformed action",
         R"([{"op": "add", "path": "/gates/1/on_pass",
              "value": {"authority_overlay": {"actions": {"allow": ["custom:x"]}}}}])",
         {"E040 error /gates/1/on_pass/authority_overlay/actions/allow/0"}},
        {"unreachable from_phase",
         R"([{"op": "replace", "path": "/gates/1/from_phase", "value": "probation"}])",
         {"W030 warning /gates/1/from_phase"}},
        {"quorum gate", R"([{"op": "replace", "path": "/gates/1/approval", "value": "quorum"}])",
         {"W031 warning /gates/1/approval"}},
        {"quorum elevation",
         R"([{"op": "replace", "path": "/authority/elevations/0/requires", "value": "quorum"}])",
         {"W031 warning /authority/elevations/0/requires"}},
        {"undeclared metric",
         R"([{"op": "add", "path": "/gates/1/criteria/-",
              "value": {"metric": "error_rate", "op": "lte", "value": 0.05}}])",
         {"W032 warning /gates/1/criteria/1/metric"}},
        {"allowed and denied",
         R"([{"op": "add", "path": "/authority/actions/deny/-",
              "value": {"action": "read_file", "reason": "audit"}}])",
         {"W033 warning /authority/actions/deny/1/action"}},
        {"allowed twice",
         R"([{"op": "add", "path": "/authority/actions/allow/-", "value": "read_file"}])",
         {"W034 warning /authority/actions/allow/2"}},
        {"unknown action",
         R"([{"op": "replace", "path": "/authority/actions/allow/1", "value": "make_coffee"}])",
         {"W040 warning /authority/actions/allow/1"}},
        {"unknown granted action",
         R"([{"op": "replace", "path": "/authority/elevations/0/grants/actions.allow/0",
              "value": "launch"}])",
         {"W040 warning /authority/elevations/0/grants/actions.allow/0"}},
        {"no authority", R"([{"op": "remove", "path": "/authority"}])", {"W050 warning "}},
        {"full autonomy without deny",
         R"([{"op": "replace", "path": "/authority/autonomy", "value": "full"},
             {"op": "remove", "path": "/authority/actions/deny"}])",
         {"W051 warning /authority/autonomy"}},
        {"full autonomy with empty deny",
         R"([{"op": "replace", "path": "/authority/autonomy", "value": "full"},
             {"op": "replace", "path": "/authority/actions/deny", "value": []}])",
         {"W051 warning /authority/autonomy"}},
        {"elevation without reason",
         R"([{"op": "remove", "path": "/authority/elevations/0/reason_required"}])",
         {"W052 warning /authority/elevations/0"}},
        {"elevation with reason optional",
         R"([{"op": "replace", "path": "/authority/elevations/0/reason_required", "value": false}])",
         {"W052 warning /authority/elevations/0"}},
        {"gate without metrics_schema", R"([{"op": "remove", "path": "/gates/0/metrics_schema"}])",
         {"W053 warning /gates/0"}},
        {"no audit", R"([{"op": "remove", "path": "/audit"}])", {"W054 warning "}},
        {"schema URI of v0.2",
         R"([{"op": "add", "path": "/$schema",
              "value": "https://ampersona.dev/schema/v0.2/ampersona.schema.json"}])",
         {"W055 warning /$schema"}},
        {"automatic promotion to full autonomy",
         R"([{"op": "add", "path": "/gates/0/on_pass",
              "value": {"authority_overlay": {"autonomy": "full"}}}])",
         {"W056 warning /gates/0/on_pass/authority_overlay/autonomy"}},
        {"automatic elevation to full autonomy",
         R"([{"op": "replace", "path": "/authority/elevations/0/requires", "value": "auto"},
             {"op": "add", "path": "/authority/elevations/0/grants/autonomy", "value": "full"}])",
         {"W056 warning /authority/elevations/0/grants/autonomy"}},
        {"elevation grants nothing",
         R"([{"op": "replace", "path": "/authority/elevations/0/grants", "value": {}}])",
         {"W057 warning /authority/elevations/0/grants"}},
    };

    for (const BrokenCase& broken : cases) {
        INFO(broken.name);
        const Json persona = valid_v1().patch(Json::parse(broken.patch));
        const CheckReport report = check_persona(persona);
        CHECK(summarize(report) == broken.expected);

        for (const Diagnostic& diagnostic : report.diagnostics) {
            INFO(diagnostic.code << ": " << diagnostic.message);
            CHECK_FALSE(diagnostic.message.empty());
            CHECK(diagnostic.message.find('\n') == std::string::npos);
        }
    }
}

TEST_CASE("check accepts valid variants", "[check]") {
    const std::vector<std::pair<std::string, std::string>> variants = {
        {"criteria_logic any",
         R"([{"op": "remove", "path": "/gates/0/criteria"},
             {"op": "add", "path": "/gates/0/criteria_logic",
              "value": {"any": [{"metric": "ready", "op": "eq", "value": true}]}}])"},
        {"custom actions",
         R"([{"op": "add", "path": "/authority/actions/allow/-", "value": "custom:acme-corp/brew_tea"},
             {"op": "add", "path": "/authority/actions/deny/-", "value": "custom:acme/0day"}])"},
        {"integral float for an integer metric",
         R"([{"op": "replace", "path": "/gates/1/criteria/0/value", "value": 20.0}])"},
        {"integer for a number metric",
         R"([{"op": "replace", "path": "/gates/1/metrics_schema/tasks_completed/type",
              "value": "number"}])"},
        {"signature block", std::string(R"([{"op": "add", "path": "/signature", "value": )") +
                                signature_block + "}]"},
        {"full autonomy promoted by a person",
         R"([{"op": "add", "path": "/gates/1/on_pass",
              "value": {"authority_overlay": {"autonomy": "full"}}}])"},
        {"schema URI of v1.0",
         R"([{"op": "add", "path": "/$schema",
              "value": "https://ampersona.dev/schema/v1.0/ampersona.schema.json"}])"},
        {"extra scoped and tts members",
         R"([{"op": "add", "path": "/authority/actions/scoped",
              "value": {"shell": {"$type": "shell", "commands": ["git"]}}},
             {"op": "add", "path": "/voice/tts",
              "value": {"provider": "local", "voice_id": "v1", "pitch": 3}}])"},
    };

    for (const auto& [name, patch] : variants) {
        INFO(name);
        const CheckReport report = check_persona(valid_v1().patch(Json::parse(patch)));
        CHECK(summarize(report).empty());
    }
}

TEST_CASE("check v0.2 rules", "[check]") {
    SECTION("v1.0 members name the version that adds them") {
        Json persona = valid_v02();
        persona["gates"] = Json::array();
        const CheckReport report = check_persona(persona);

        CHECK(report.schema_version == "0.2");
        REQUIRE(summarize(report) == std::vector<std::string>{"E011 error /gates"});
        CHECK_THAT(report.diagnostics[0].message, Catch::Contains("\"version\": \"1.0\""));
    }

    SECTION("signature and $schema are allowed") {
        Json persona = valid_v02();
        persona["$schema"] = "https://ampersona.dev/schema/v0.2/ampersona.schema.json";
        persona["signature"] = Json::parse(signature_block);
        CHECK(summarize(check_persona(persona)).empty());
    }

    SECTION("signature shape is checked") {
        Json persona = valid_v02();
        persona["signature"] = Json::parse(signature_block);
        persona["signature"]["canonicalization"] = "none";
        CHECK(summarize(check_persona(persona)) ==
              std::vector<std::string>{"E014 error /signature/canonicalization"});
    }

    SECTION("schema URI of v1.0 without version") {
        Json persona = valid_v02();
        persona["$schema"] = "https://ampersona.dev/schema/v1.0/ampersona.schema.json";
        CHECK(summarize(check_persona(persona)) ==
              std::vector<std::string>{"W055 warning /$schema"});
    }
}

TEST_CASE("check orders diagnostics by document", "[check]") {
    Json persona = valid_v1();
    persona.erase("audit");
    persona["name"] = 42;
    persona["authority"]["actions"]["allow"][1] = "make_coffee";
    persona["gates"][0]["criteria"][0]["value"] = "yes";

    const CheckReport report = check_persona(persona);

    // Emitted by four different passes, reported in the order of the text.
    CHECK(summarize(report) == std::vector<std::string>{
                                   "W054 warning ",
                                   "E012 error /name",
                                   "W040 warning /authority/actions/allow/1",
                                   "E034 error /gates/0/criteria/0/value",
                               });
    CHECK(report.has_errors());
    CHECK(report.has_warnings());
}

TEST_CASE("check messages name the problem", "[check]") {
    const auto first_message = [](const char* patch) {
        const CheckReport report = check_persona(valid_v1().patch(Json::parse(patch)));
        REQUIRE(report.diagnostics.size() == 1);
        return report.diagnostics[0].message;
    };

    const std::string version =
        first_message(R"([{"op": "replace", "path": "/version", "value": "2.0"}])");
    CHECK_THAT(version, Catch::Contains("\"2.0\""));
    CHECK_THAT(version, Catch::Contains("\"1.0\""));
    CHECK_THAT(version, Catch::Contains("v0.2"));

    const std::string missing = first_message(R"([{"op": "remove", "path": "/voice"}])");
    CHECK(missing == "persona is missing required member \"voice\"");

    const std::string unknown =
        first_message(R"([{"op": "add", "path": "/gates/0/label", "value": "x"}])");
    CHECK_THAT(unknown, Catch::StartsWith("gate has unknown member \"label\""));
    CHECK_THAT(unknown, Catch::Contains("\"criteria_logic\""));

    const std::string type = first_message(R"([{"op": "replace", "path": "/name", "value": 42}])");
    CHECK(type == "\"name\" must be a string, not an integer");

    const std::string range = first_message(
        R"([{"op": "replace", "path": "/authority/elevations/0/ttl_seconds", "value": 0}])");
    CHECK(range == "\"ttl_seconds\" must be at least 1, not 0");

    const std::string item = first_message(
        R"([{"op": "replace", "path": "/voice/style/descriptors/0", "value": ""}])");
    CHECK(item == "item 0 of \"descriptors\" must not be empty");

    const std::string custom = first_message(
        R"([{"op": "replace", "path": "/authority/actions/allow/0", "value": "custom:Acme/read"}])");
    CHECK_THAT(custom, Catch::Contains("custom:vendor/action"));

    const std::string plain = first_message(
        R"([{"op": "replace", "path": "/authority/actions/allow/1", "value": "make_coffee"}])");
    CHECK_THAT(plain, Catch::Contains("\"make_coffee\""));
    CHECK_THAT(plain, Catch::Contains("custom:vendor/action"));

    const std::string grant = first_message(
        R"([{"op": "add", "path": "/authority/elevations/0/grants/actions.deny", "value": []}])");
    CHECK_THAT(grant, Catch::Contains("\"actions.deny\""));
    CHECK_THAT(grant, Catch::Contains("actions.allow"));
}

TEST_CASE("check quotes invalid UTF-8", "[check]") {
    // The strict reader rejects such text, but a document built in memory can hold it.
    Json persona = valid_v1();
    persona["nick\xff"] = 1;
    persona["authority"]["actions"]["allow"][1] = "brew\xfe";

    CheckReport report;
    REQUIRE_NOTHROW(report = check_persona(persona));
    CHECK(summarize(report) == std::vector<std::string>{
                                   "W040 warning /authority/actions/allow/1",
                                   "E011 error /nick\xff",
                               });
    CHECK_THAT(report.diagnostics[1].message, Catch::Contains("\"nick\xef\xbf\xbd\""));
}

TEST_CASE("check action vocabulary", "[check]") {
    const auto builtins = builtin_actions();
    CHECK(std::is_sorted(builtins.begin(), builtins.end()));
    for (const std::string_view required :
         {"read_file", "write_file", "delete_file", "run_tests", "run_command", "git_commit",
          "git_push", "git_push_main", "git_pull", "deploy", "delete_production_data",
          "network_request", "send_email"}) {
        INFO(required);
        CHECK(is_builtin_action(required));
    }
    CHECK_FALSE(is_builtin_action("Read_File"));
    CHECK_FALSE(is_builtin_action("custom:acme/read"));

    const std::vector<std::pair<std::string_view, bool>> custom_cases = {
        {"custom:acme/brew", true},
        {"custom:acme-corp/brew_tea", true},
        {"custom:0vendor/9action", true},
        {"custom:a/b", true},
        {"custom:acme", false},
        {"custom:/brew", false},
        {"custom:acme/", false},
        {"custom:Acme/brew", false},
        {"custom:acme/brew/more", false},
        {"custom:-acme/brew", false},
        {"custom:acme/_brew", false},
        {"custom:acme/br ew", false},
        {"custom:acme/brew.v2", false},
        {"Custom:acme/brew", false},
        {"acme/brew", false},
    };
    for (const auto& [action, valid] : custom_cases) {
        INFO(action);
        CHECK(is_custom_action(action) == valid);
    }
}

TEST_CASE("check severity names", "[check]") {
    CHECK(to_string(Severity::error) == "error");
    CHECK(to_string(Severity::warning) == "warning");
}
