#include "amp/lifecycle/state.hpp"

#include <fmt/format.h>

#include "amp/error.hpp"
#include "amp/lifecycle/draft.hpp"

namespace amp::lifecycle {

namespace {

// Type checks that report the JSON pointer of the offending member.
class StateChecker {
public:
    explicit StateChecker(std::string_view source) : source_(source) {}

    [[noreturn]] void fail(const std::string& pointer, std::string_view problem, const Json* value) const {
        const std::string found_text = value == nullptr ? std::string("nothing") : value->dump();
        throw Error(fmt::format("{}: {}: {}, found {}", source_, pointer.empty() ? "/" : pointer, problem, found_text),
                    {"restore the state file from a backup or rebuild it with `amp state rebuild`"});
    }

    const Json& require_member(const Json& object, const std::string& pointer, std::string_view name) const {
        const auto found = object.find(name);
        if (found == object.end()) {
            fail(pointer + "/" + pointer_token(name), "required member is missing", nullptr);
        }
        return *found;
    }

    void expect_object(const Json& value, const std::string& pointer) const {
        if (!value.is_object()) fail(pointer, "expected an object", &value);
    }

    void expect_string(const Json& value, const std::string& pointer) const {
        if (!value.is_string()) fail(pointer, "expected a string", &value);
    }

    void expect_string_or_null(const Json& value, const std::string& pointer) const {
        if (!value.is_string() && !value.is_null()) fail(pointer, "expected a string or null", &value);
    }

    void expect_revision(const Json& value, const std::string& pointer) const {
        if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
            fail(pointer, "expected a non-negative integer", &value);
        }
    }

    void expect_time(const Json& value, const std::string& pointer) const {
        if (!value.is_string() || !parse_time(value.get<std::string>())) {
            fail(pointer, "expected an RFC 3339 timestamp such as \"2026-04-01T09:00:00Z\"", &value);
        }
    }

    // Runs `check` on the member when present.
    template <typename Check>
    void optional_member(const Json& object, const std::string& pointer, std::string_view name, Check check) const {
        const auto found = object.find(name);
        if (found != object.end()) check(*found, pointer + "/" + pointer_token(name));
    }

private:
    std::string source_;
};

void check_elevations(const StateChecker& checker, const Json& elevations, const std::string& pointer) {
    if (!elevations.is_array()) checker.fail(pointer, "expected an array", &elevations);

    for (std::size_t i = 0; i < elevations.size(); ++i) {
        const Json& entry = elevations[i];
        const std::string at = fmt::format("{}/{}", pointer, i);
        checker.expect_object(entry, at);
        checker.expect_string(checker.require_member(entry, at, "elevation_id"), at + "/elevation_id");
        checker.expect_time(checker.require_member(entry, at, "expires_at"), at + "/expires_at");
        checker.optional_member(entry, at, "granted_at",
                                [&](const Json& v, const std::string& p) { checker.expect_time(v, p); });
        checker.optional_member(entry, at, "reason",
                                [&](const Json& v, const std::string& p) { checker.expect_string_or_null(v, p); });
        checker.optional_member(entry, at, "granted_by",
                                [&](const Json& v, const std::string& p) { checker.expect_string_or_null(v, p); });
    }
}

void check_last_transition(const StateChecker& checker, const Json& transition, const std::string& pointer) {
    if (transition.is_null()) return;
    checker.expect_object(transition, pointer);

    checker.expect_string(checker.require_member(transition, pointer, "gate_id"), pointer + "/gate_id");
    checker.expect_string_or_null(checker.require_member(transition, pointer, "from_phase"), pointer + "/from_phase");
    checker.expect_string_or_null(checker.require_member(transition, pointer, "to_phase"), pointer + "/to_phase");
    checker.optional_member(transition, pointer, "at",
                            [&](const Json& v, const std::string& p) { checker.expect_time(v, p); });
    checker.optional_member(transition, pointer, "decision_id",
                            [&](const Json& v, const std::string& p) { checker.expect_string_or_null(v, p); });
    checker.optional_member(transition, pointer, "metrics_hash",
                            [&](const Json& v, const std::string& p) { checker.expect_string_or_null(v, p); });
    checker.optional_member(transition, pointer, "state_rev",
                            [&](const Json& v, const std::string& p) { checker.expect_revision(v, p); });
}

void check_pending_transition(const StateChecker& checker, const Json& pending, const std::string& pointer) {
    if (pending.is_null()) return;
    checker.expect_object(pending, pointer);

    checker.expect_string(checker.require_member(pending, pointer, "gate_id"), pointer + "/gate_id");
    checker.expect_string_or_null(checker.require_member(pending, pointer, "from_phase"), pointer + "/from_phase");
    checker.expect_string(checker.require_member(pending, pointer, "to_phase"), pointer + "/to_phase");
    checker.expect_revision(checker.require_member(pending, pointer, "state_rev"), pointer + "/state_rev");
    checker.optional_member(pending, pointer, "requested_at",
                            [&](const Json& v, const std::string& p) { checker.expect_time(v, p); });
    checker.optional_member(pending, pointer, "metrics_hash",
                            [&](const Json& v, const std::string& p) { checker.expect_string_or_null(v, p); });
}

void check_gate_history(const StateChecker& checker, const Json& history, const std::string& pointer) {
    checker.expect_object(history, pointer);

    for (const auto& [gate_id, entry] : history.items()) {
        const std::string at = pointer + "/" + pointer_token(gate_id);
        checker.expect_object(entry, at);
        checker.optional_member(entry, at, "last_fired_at",
                                [&](const Json& v, const std::string& p) { checker.expect_time(v, p); });
        checker.optional_member(entry, at, "fired",
                                [&](const Json& v, const std::string& p) { checker.expect_revision(v, p); });
        checker.optional_member(entry, at, "last_state_rev",
                                [&](const Json& v, const std::string& p) { checker.expect_revision(v, p); });
        checker.optional_member(entry, at, "last_metrics_hash",
                                [&](const Json& v, const std::string& p) { checker.expect_string_or_null(v, p); });
    }
}

}  // namespace

Json initial_state(const Json& persona, TimePoint now) {
    const auto name = persona.find("name");
    if (!persona.is_object() || name == persona.end() || !name->is_string()) {
        throw Error("persona: /name: a string \"name\" is required to create its state");
    }

    Json state = Json::object();
    state["name"] = *name;
    state["current_phase"] = nullptr;
    state["state_rev"] = 0;
    state["active_elevations"] = Json::array();
    state["last_transition"] = nullptr;
    state["pending_transition"] = nullptr;
    state["active_overlay"] = nullptr;
    state["gate_history"] = Json::object();
    state["updated_at"] = format_time(now);
    return state;
}

void validate_state(const Json& state, std::string_view source) {
    const StateChecker checker(source);
    checker.expect_object(state, "");

    checker.expect_string(checker.require_member(state, "", "name"), "/name");
    checker.expect_string_or_null(checker.require_member(state, "", "current_phase"), "/current_phase");
    checker.expect_revision(checker.require_member(state, "", "state_rev"), "/state_rev");

    checker.optional_member(state, "", "active_elevations",
                            [&](const Json& v, const std::string& p) { check_elevations(checker, v, p); });
    checker.optional_member(state, "", "last_transition",
                            [&](const Json& v, const std::string& p) { check_last_transition(checker, v, p); });
    checker.optional_member(state, "", "pending_transition",
                            [&](const Json& v, const std::string& p) { check_pending_transition(checker, v, p); });
    checker.optional_member(state, "", "active_overlay", [&](const Json& v, const std::string& p) {
        if (!v.is_null()) checker.expect_object(v, p);
    });
    checker.optional_member(state, "", "gate_history",
                            [&](const Json& v, const std::string& p) { check_gate_history(checker, v, p); });
    checker.optional_member(state, "", "updated_at",
                            [&](const Json& v, const std::string& p) { checker.expect_time(v, p); });
}

void validate_state_for(const Json& persona, const Json& state, std::string_view source) {
    validate_state(state, source);

    const auto persona_name = persona.is_object() ? persona.find("name") : persona.end();
    if (persona_name == persona.end() || !persona_name->is_string()) {
        throw Error("persona: /name: a string \"name\" is required");
    }
    if (state["name"] != *persona_name) {
        throw Error(fmt::format("{}: /name: the state belongs to \"{}\", but the persona is \"{}\"", source,
                                state["name"].get<std::string>(), persona_name->get<std::string>()),
                    {"pass the state file that shares the persona's file stem"});
    }
}

}  // namespace amp::lifecycle
