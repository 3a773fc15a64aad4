// The shared steps of every lifecycle operation: one draft state per
// command, elevation expiry, transitions and overlay changes.
#include "amp/lifecycle/draft.hpp"

#include <fmt/format.h>

#include "amp/lifecycle/elevation_rules.hpp"

namespace amp::lifecycle {

Draft::Draft(const Json& state, TimePoint now) : state_(state), now_(now), input_rev_(state_rev_of(state)) {}

void Draft::mark_changed(std::string cause) { cause_ = std::move(cause); }

void Draft::add_event(Json event) { events_.push_back(std::move(event)); }

Mutation Draft::finish(ExitCode exit_code, Json report) {
    const std::int64_t rev = changed() ? next_rev() : input_rev_;
    if (changed()) {
        state_["state_rev"] = rev;
        state_["updated_at"] = now_text();
    }

    // Events record the revision the command produced, so an incident
    // Override that changed nothing carries the current one.
    for (Json& event : events_) {
        if (event.contains("state_rev")) event["state_rev"] = rev;
    }

    report["state_rev"] = rev;
    report["changed"] = changed();

    Mutation mutation;
    mutation.state = std::move(state_);
    mutation.events = std::move(events_);
    mutation.changed = changed();
    mutation.cause = cause_;
    mutation.exit_code = exit_code;
    mutation.report = std::move(report);
    return mutation;
}

Json expire_elevations(Draft& draft, const Json& persona) {
    Json expired = Json::array();
    auto elevations = draft.state().find("active_elevations");
    if (elevations == draft.state().end() || !elevations->is_array()) return expired;

    Json remaining = Json::array();
    for (const Json& entry : *elevations) {
        if (!elevation_has_expired(entry, draft.now())) {
            remaining.push_back(entry);
            continue;
        }

        Json event = Json::object();
        event["event_type"] = "ElevationChange";
        event["elevation_id"] = entry.at("elevation_id");
        event["action"] = "expire";
        event["reason"] = "ttl elapsed";
        event["ttl_seconds"] = elevation_ttl(persona, entry);
        event["granted_by"] = entry.value("granted_by", Json(nullptr));
        event["expires_at"] = entry.at("expires_at");
        event["state_rev"] = draft.next_rev();
        draft.add_event(std::move(event));
        expired.push_back(entry);
    }

    if (!expired.empty()) {
        *elevations = std::move(remaining);
        draft.mark_changed("ElevationChange");
    }
    return expired;
}

Json& gate_history_entry(Json& state, const std::string& gate_id) {
    if (!state.contains("gate_history") || !state["gate_history"].is_object()) {
        state["gate_history"] = Json::object();
    }
    Json& history = state["gate_history"];
    if (!history.contains(gate_id)) history[gate_id] = Json::object();
    return history[gate_id];
}

void apply_transition(Draft& draft, const Gate& gate, TransitionKind kind, const Json& hash) {
    Json& state = draft.state();
    const Json from_phase = state["current_phase"];
    const std::int64_t rev = draft.next_rev();

    state["current_phase"] = gate.to_phase;

    Json last = Json::object();
    last["gate_id"] = gate.id;
    last["from_phase"] = from_phase;
    last["to_phase"] = gate.to_phase;
    last["at"] = draft.now_text();
    last["decision_id"] = fmt::format("{}-{}", kind == TransitionKind::override ? "override" : "gate", rev);
    last["metrics_hash"] = hash;
    last["state_rev"] = rev;
    state["last_transition"] = std::move(last);

    // A transition settles the phase, so no earlier request still applies.
    state["pending_transition"] = nullptr;

    Json& history = gate_history_entry(state, gate.id);
    if (kind == TransitionKind::override) {
        // An override is an operator's decision, not the gate firing, so it
        // starts no cooldown.
        history["last_override_at"] = draft.now_text();
        history["overrides"] = history.value("overrides", std::int64_t{0}) + 1;
        return;
    }
    history["last_fired_at"] = draft.now_text();
    history["fired"] = history.value("fired", std::int64_t{0}) + 1;
    history["last_metrics_hash"] = hash;
    history["last_state_rev"] = rev;
}

void replace_overlay(Draft& draft, const Gate& gate, const Json& overlay) {
    Json& state = draft.state();
    const Json previous = state.value("active_overlay", Json(nullptr));
    if (previous == overlay) return;

    state["active_overlay"] = overlay;

    Json event = Json::object();
    event["event_type"] = "AuthorityOverlayChange";
    event["gate_id"] = gate.id;
    event["previous_overlay"] = previous;
    event["new_overlay"] = overlay;
    draft.add_event(std::move(event));
}

Json gate_transition_event(const Gate& gate, std::string_view decision, const Json& from_phase,
                           const Json& metrics_snapshot, const Json& criteria_results, const Json& hash,
                           std::int64_t state_rev, std::string_view approver) {
    Json event = Json::object();
    event["event_type"] = "GateTransition";
    event["gate_id"] = gate.id;
    event["direction"] = to_string(gate.direction);
    event["enforcement"] = to_string(gate.enforcement);
    event["decision"] = decision;
    event["from_phase"] = from_phase;
    event["to_phase"] = gate.to_phase;
    event["metrics_snapshot"] = metrics_snapshot;
    event["criteria_results"] = criteria_results;
    event["metrics_hash"] = hash;
    event["is_override"] = false;
    event["state_rev"] = state_rev;
    if (!approver.empty()) event["approver"] = approver;
    return event;
}

std::int64_t state_rev_of(const Json& state) { return state.at("state_rev").get<std::int64_t>(); }

std::string pointer_token(std::string_view token) {
    std::string escaped;
    for (const char c : token) {
        if (c == '~') {
            escaped += "~0";
        } else if (c == '/') {
            escaped += "~1";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

}  // namespace amp::lifecycle
