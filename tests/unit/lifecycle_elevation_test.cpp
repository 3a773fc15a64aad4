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

// QuietStone plus an auto elevation without a reason requirement.
Json persona_with_auto_elevation() {
    Json persona = load_reference("quiet_stone_v1.json");
    persona["authority"]["elevations"].push_back(
        {{"id", "read-logs"}, {"grants", {{"actions.allow", {"read_logs"}}}}, {"requires", "auto"}, {"ttl_seconds", 600}});
    return persona;
}

}  // namespace

TEST_CASE("elevation grant records who and until when", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json state = initial_state(persona, t0);

    const Mutation granted =
        elevate(persona, state, "release-deploy", "v2.1 release", "lead@example.org", "ops@host", t0 + seconds{60});
    CHECK(granted.exit_code == amp::ExitCode::ok);
    CHECK(granted.changed);
    CHECK(granted.cause == "ElevationChange");
    CHECK(granted.state["state_rev"] == 1);
    CHECK(granted.state["active_elevations"] == Json::array({{{"elevation_id", "release-deploy"},
                                                              {"granted_at", "2026-04-01T09:01:00Z"},
                                                              {"expires_at", "2026-04-01T10:01:00Z"},
                                                              {"reason", "v2.1 release"},
                                                              {"granted_by", "lead@example.org"}}}));
    REQUIRE(granted.events.size() == 1);
    CHECK(keys_of(granted.events[0]) == std::vector<std::string>{"event_type", "elevation_id", "action", "reason",
                                                                "ttl_seconds", "granted_by", "expires_at",
                                                                "state_rev"});
    CHECK(granted.events[0] == Json{{"event_type", "ElevationChange"},
                                    {"elevation_id", "release-deploy"},
                                    {"action", "activate"},
                                    {"reason", "v2.1 release"},
                                    {"ttl_seconds", 3600},
                                    {"granted_by", "lead@example.org"},
                                    {"expires_at", "2026-04-01T10:01:00Z"},
                                    {"state_rev", 1}});
    CHECK(granted.report["outcome"] == "activate");
    CHECK(granted.report["expires_at"] == "2026-04-01T10:01:00Z");
}

TEST_CASE("elevation re-grant renews it", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Mutation granted = elevate(persona, initial_state(persona, t0), "release-deploy", "v2.1 release",
                                     "lead@example.org", "ops", t0);
    Json state = granted.state;
    state["active_elevations"][0]["x_ticket"] = "REL-7";

    const Mutation renewed =
        elevate(persona, state, "release-deploy", "release slipped", "cto@example.org", "ops", t0 + seconds{1800});
    CHECK(renewed.state["state_rev"] == 2);
    REQUIRE(renewed.state["active_elevations"].size() == 1);
    const Json& entry = renewed.state["active_elevations"][0];
    CHECK(entry["expires_at"] == "2026-04-01T10:30:00Z");
    CHECK(entry["granted_at"] == "2026-04-01T09:30:00Z");
    CHECK(entry["reason"] == "release slipped");
    CHECK(entry["granted_by"] == "cto@example.org");
    CHECK(entry["x_ticket"] == "REL-7");
    REQUIRE(renewed.events.size() == 1);
    CHECK(renewed.events[0]["action"] == "renew");
    CHECK(renewed.events[0]["expires_at"] == "2026-04-01T10:30:00Z");
    CHECK(renewed.report["outcome"] == "renew");

    // After expiry the same request grants it afresh: expire, then activate, in one mutation.
    const Mutation regranted =
        elevate(persona, renewed.state, "release-deploy", "next release", "lead@example.org", "ops", t0 + seconds{9000});
    CHECK(regranted.state["state_rev"] == 3);
    REQUIRE(regranted.events.size() == 2);
    CHECK(regranted.events[0]["action"] == "expire");
    CHECK(regranted.events[1]["action"] == "activate");
    CHECK(regranted.events[0]["state_rev"] == 3);
    CHECK(regranted.events[1]["state_rev"] == 3);
    CHECK(regranted.state["active_elevations"].size() == 1);
}

TEST_CASE("elevation rules of the persona are enforced", "[lifecycle]") {
    Json persona = load_reference("quiet_stone_v1.json");
    const Json state = initial_state(persona, t0);

    const auto no_approver = error_from([&] { elevate(persona, state, "release-deploy", "release", "", "ops", t0); });
    CHECK(no_approver.code() == amp::ExitCode::failure);
    CHECK_THAT(no_approver.what(), Catch::Contains("requires a human approver"));
    CHECK_THAT(no_approver.hints().at(0), Catch::Contains("--approver"));

    const auto no_reason = error_from([&] { elevate(persona, state, "release-deploy", "", "lead", "ops", t0); });
    CHECK(no_reason.code() == amp::ExitCode::failure);
    CHECK_THAT(no_reason.what(), Catch::Contains("requires a reason"));

    const auto unknown = error_from([&] { elevate(persona, state, "root", "why", "lead", "ops", t0); });
    CHECK(unknown.code() == amp::ExitCode::failure);
    CHECK_THAT(unknown.what(), Catch::Contains("unknown elevation \"root\"") && Catch::Contains("release-deploy"));

    persona["authority"]["elevations"][0]["requires"] = "quorum";
    const auto quorum = error_from([&] { elevate(persona, state, "release-deploy", "release", "lead", "ops", t0); });
    CHECK(quorum.code() == amp::ExitCode::failure);
    CHECK_THAT(quorum.what(), Catch::Contains("quorum approval, which amp does not support yet"));

    persona["authority"]["elevations"][0]["ttl_seconds"] = 0;
    const auto bad_ttl = error_from([&] { elevate(persona, state, "release-deploy", "release", "lead", "ops", t0); });
    CHECK_THAT(bad_ttl.what(), Catch::Contains("/authority/elevations/0/ttl_seconds"));

    const Json no_elevations = load_reference("zeroclaw_agent.json");
    const auto none = error_from(
        [&] { elevate(no_elevations, initial_state(no_elevations, t0), "release-deploy", "r", "lead", "ops", t0); });
    CHECK_THAT(none.what(), Catch::Contains("defines: none"));
}

TEST_CASE("auto elevation is granted by the operator", "[lifecycle]") {
    const Json persona = persona_with_auto_elevation();
    const Mutation granted = elevate(persona, initial_state(persona, t0), "read-logs", "", "", "ops@host", t0);
    CHECK(granted.exit_code == amp::ExitCode::ok);
    CHECK(granted.events[0]["granted_by"] == "ops@host");
    CHECK(granted.events[0]["reason"] == "");
    CHECK(granted.events[0]["ttl_seconds"] == 600);

    const auto nobody = error_from([&] { elevate(persona, initial_state(persona, t0), "read-logs", "", "", "", t0); });
    CHECK(nobody.code() == amp::ExitCode::failure);
}

TEST_CASE("elevation revoke ends it early", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Mutation granted = elevate(persona, initial_state(persona, t0), "release-deploy", "v2.1 release",
                                     "lead@example.org", "ops", t0);

    const Mutation revoked = revoke_elevation(persona, granted.state, "release-deploy", "release done", t0 + seconds{900});
    CHECK(revoked.exit_code == amp::ExitCode::ok);
    CHECK(revoked.cause == "ElevationChange");
    CHECK(revoked.state["state_rev"] == 2);
    CHECK(revoked.state["active_elevations"] == Json::array());
    REQUIRE(revoked.events.size() == 1);
    CHECK(revoked.events[0] == Json{{"event_type", "ElevationChange"},
                                    {"elevation_id", "release-deploy"},
                                    {"action", "revoke"},
                                    {"reason", "release done"},
                                    {"ttl_seconds", 3600},
                                    {"granted_by", "lead@example.org"},
                                    {"expires_at", "2026-04-01T10:00:00Z"},
                                    {"state_rev", 2}});

    const auto again = error_from([&] { revoke_elevation(persona, revoked.state, "release-deploy", "twice", t0); });
    CHECK(again.code() == amp::ExitCode::negative);
    CHECK_THAT(again.what(), Catch::Contains("elevation \"release-deploy\" is not active"));

    const auto expired = error_from(
        [&] { revoke_elevation(persona, granted.state, "release-deploy", "late", t0 + seconds{3600}); });
    CHECK(expired.code() == amp::ExitCode::negative);
    CHECK_THAT(expired.what(), Catch::Contains("already expired at 2026-04-01T10:00:00Z"));

    const auto no_reason = error_from([&] { revoke_elevation(persona, granted.state, "release-deploy", "", t0); });
    CHECK(no_reason.code() == amp::ExitCode::failure);
}

TEST_CASE("revoke expires other elevations too", "[lifecycle]") {
    const Json persona = persona_with_auto_elevation();
    const Mutation first = elevate(persona, initial_state(persona, t0), "read-logs", "", "", "ops", t0);
    const Mutation second =
        elevate(persona, first.state, "release-deploy", "release", "lead@example.org", "ops", t0 + seconds{60});

    // read-logs (600 s) has expired by t0+700, release-deploy has not.
    const Mutation revoked = revoke_elevation(persona, second.state, "release-deploy", "done", t0 + seconds{700});
    CHECK(revoked.state["state_rev"] == 3);
    REQUIRE(revoked.events.size() == 2);
    CHECK(revoked.events[0]["elevation_id"] == "read-logs");
    CHECK(revoked.events[0]["action"] == "expire");
    CHECK(revoked.events[1]["elevation_id"] == "release-deploy");
    CHECK(revoked.events[1]["action"] == "revoke");
    CHECK(revoked.state["active_elevations"] == Json::array());
}

TEST_CASE("expired elevations are listed for status", "[lifecycle]") {
    const Json persona = persona_with_auto_elevation();
    const Mutation first = elevate(persona, initial_state(persona, t0), "read-logs", "", "", "ops", t0);
    const Mutation second =
        elevate(persona, first.state, "release-deploy", "release", "lead@example.org", "ops", t0 + seconds{60});

    CHECK(expired_elevations(second.state, t0 + seconds{599}) == Json::array());
    const Json at_ttl = expired_elevations(second.state, t0 + seconds{600});
    REQUIRE(at_ttl.size() == 1);
    CHECK(at_ttl[0]["elevation_id"] == "read-logs");
    CHECK(expired_elevations(second.state, t0 + seconds{3660}).size() == 2);
    CHECK(expired_elevations(Json{{"name", "x"}, {"current_phase", nullptr}, {"state_rev", 0}}, t0) == Json::array());

    Json broken = second.state;
    broken["active_elevations"][0].erase("expires_at");
    const auto error = error_from([&] { expired_elevations(broken, t0); });
    CHECK(error.code() == amp::ExitCode::failure);
    CHECK_THAT(error.what(), Catch::Contains("/active_elevations/0/expires_at: required member is missing"));
    CHECK_THROWS_AS(effective_authority(persona, broken, t0), amp::Error);
}

TEST_CASE("pending request renewed when an elevation expires", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    const Json metrics = {{"tasks_completed", 25}, {"error_rate", 0.03}};
    const Json active =
        evaluate(persona, initial_state(persona, t0), Json{{"schema_valid", true}}, "*", t0 + seconds{10}).state;
    const Mutation elevated = elevate(persona, active, "release-deploy", "r", "lead", "ops", t0 + seconds{20});
    const Mutation pending = evaluate(persona, elevated.state, metrics, "*", t0 + seconds{30});
    REQUIRE(pending.state["pending_transition"]["state_rev"] == 3);

    // The expiry raises state_rev, so the request is made again at the new revision.
    const Mutation again = evaluate(persona, pending.state, metrics, "*", t0 + seconds{4000});
    CHECK(again.exit_code == amp::ExitCode::waiting);
    CHECK(again.state["state_rev"] == 4);
    CHECK(again.state["pending_transition"]["state_rev"] == 4);
    CHECK(again.report["outcome"] == "pending_human");
    REQUIRE(again.events.size() == 2);
    CHECK(again.events[1]["decision"] == "pending_human");
    CHECK(approve(persona, again.state, "trusted", "lead", t0 + seconds{4100}).state["current_phase"] == "trusted");
}

TEST_CASE("effective authority merges overlay and grants", "[lifecycle]") {
    const Json persona = load_reference("quiet_stone_v1.json");
    Json state = initial_state(persona, t0);
    state["active_overlay"] = {{"autonomy", "full"}};

    const Json plain = effective_authority(persona, state, t0);
    CHECK(plain["autonomy"] == "full");
    CHECK(plain["scope"] == persona["authority"]["scope"]);
    CHECK(plain["actions"]["allow"] == persona["authority"]["actions"]["allow"]);

    const Mutation granted = elevate(persona, state, "release-deploy", "release", "lead", "ops", t0);
    const Json elevated = effective_authority(persona, granted.state, t0 + seconds{10});
    Json expected_allow = persona["authority"]["actions"]["allow"];
    expected_allow.push_back("git_push_main");
    CHECK(elevated["actions"]["allow"] == expected_allow);
    REQUIRE(elevated["actions"]["deny"].size() == 1);
    CHECK(elevated["actions"]["deny"][0]["action"] == "delete_production_data");

    // Once expired, the grant no longer counts even before a mutation records it.
    const Json after = effective_authority(persona, granted.state, t0 + seconds{3600});
    CHECK(after["actions"]["allow"] == persona["authority"]["actions"]["allow"]);
    CHECK(after["actions"]["deny"].size() == 2);
}
