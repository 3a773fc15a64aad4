// Emergency transitions and incident records by an operator.
#include "amp/lifecycle/override.hpp"

#include <fmt/format.h>

#include "amp/error.hpp"
#include "amp/lifecycle/draft.hpp"
#include "amp/lifecycle/gates.hpp"
#include "amp/lifecycle/state.hpp"

namespace amp::lifecycle {

namespace {

std::string phase_text(const Json& phase) { return phase.is_null() ? "(not onboarded)" : phase.get<std::string>(); }

Json override_event(const Gate& gate, const Json& from_phase, const Json& to_phase, std::string_view reason,
                    std::string_view approver, const std::optional<Json>& metrics, std::int64_t state_rev) {
    Json event = Json::object();
    event["event_type"] = "Override";
    event["gate_id"] = gate.id;
    event["direction"] = to_string(gate.direction);
    event["from_phase"] = from_phase;
    event["to_phase"] = to_phase;
    event["reason"] = reason;
    event["approver"] = approver;
    if (metrics) event["metrics_snapshot"] = *metrics;
    event["is_override"] = true;
    event["state_rev"] = state_rev;
    return event;
}

}  // namespace

Mutation override_gate(const Json& persona, const Json& state, std::string_view gate_id, std::string_view reason,
                       std::string_view approver, const std::optional<Json>& metrics, TimePoint now) {
    if (reason.empty()) {
        throw Error("an override needs a reason for the audit log",
                    {"add --reason TEXT naming the incident, e.g. --reason \"Key compromise IR-1234\""});
    }
    if (approver.empty()) {
        throw Error("an override needs the approver's identity", {"add --approver WHO, e.g. --approver admin@example.org"});
    }
    if (metrics) require_metrics_object(*metrics);
    validate_state_for(persona, state);
    const std::vector<Gate> gates = read_gates(persona);
    const Gate* gate = find_gate(gates, gate_id);
    if (gate == nullptr) {
        std::string ids;
        for (const Gate& known : gates) ids += (ids.empty() ? "" : ", ") + known.id;
        throw Error(fmt::format("unknown gate \"{}\"; the persona defines: {}", gate_id, ids.empty() ? "none" : ids));
    }

    const Json current_phase = state["current_phase"];
    const bool in_from_phase = current_phase == gate->from_phase;
    const bool in_to_phase = !in_from_phase && current_phase == gate->to_phase;
    if (!in_from_phase && !in_to_phase) {
        throw Error(fmt::format("denied: the current phase is {}, but gate \"{}\" moves from {} to {}",
                                phase_text(current_phase), gate->id, phase_text(gate->from_phase), gate->to_phase),
                    {"run `amp status FILE` and override a gate that starts from the current phase"},
                    ExitCode::negative);
    }

    // A gate whose criteria pass belongs to --evaluate, which keeps the
    // normal approval path. An override is for evidence the criteria miss.
    Json hash = nullptr;
    if (metrics) {
        hash = metrics_hash(*metrics);
        if (in_from_phase && evaluate_criteria(*gate, *metrics).pass) {
            throw Error(fmt::format("denied: the criteria of gate \"{}\" pass with these metrics, so no override "
                                    "is needed",
                                    gate->id),
                        {fmt::format("run `amp gate FILE --evaluate {} --metrics M` instead", gate->id)},
                        ExitCode::negative);
        }
    }

    Draft draft(state, now);
    const Json expired = expire_elevations(draft, persona);

    Json report = Json::object();
    report["operation"] = "override";
    report["gate_id"] = gate->id;
    report["reason"] = reason;
    report["approver"] = approver;
    report["from_phase"] = current_phase;
    report["metrics_hash"] = hash;

    if (in_to_phase) {
        // The agent is already where the gate leads, so the override only
        // documents an incident; the state stays as it is.
        draft.add_event(override_event(*gate, current_phase, current_phase, reason, approver, metrics,
                                       draft.next_rev()));
        report["outcome"] = "incident_recorded";
        report["message"] = fmt::format("already in phase {}: override of gate \"{}\" recorded as an incident entry",
                                        phase_text(current_phase), gate->id);
        report["phase"] = current_phase;
        report["expired_elevations"] = expired;
        return draft.finish(ExitCode::ok, std::move(report));
    }

    draft.add_event(override_event(*gate, current_phase, gate->to_phase, reason, approver, metrics, draft.next_rev()));
    apply_transition(draft, *gate, TransitionKind::override, hash);
    replace_overlay(draft, *gate, nullptr);
    draft.mark_changed("Override");

    report["outcome"] = "override";
    report["message"] = fmt::format("override of gate \"{}\" by {}: {} -> {}", gate->id, approver,
                                    phase_text(current_phase), gate->to_phase);
    report["phase"] = gate->to_phase;
    report["expired_elevations"] = expired;
    return draft.finish(ExitCode::ok, std::move(report));
}

}  // namespace amp::lifecycle
