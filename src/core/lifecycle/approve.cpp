// Human approval of a pending gate transition.
#include "amp/lifecycle/approve.hpp"

#include <fmt/format.h>

#include "amp/error.hpp"
#include "amp/lifecycle/draft.hpp"
#include "amp/lifecycle/gates.hpp"
#include "amp/lifecycle/state.hpp"

namespace amp::lifecycle {

namespace {

std::string evaluate_hint(std::string_view gate_id) {
    return fmt::format("run `amp gate FILE --evaluate {} --metrics M` to request the transition again", gate_id);
}

// Throws a denial (exit code 1) unless the state contains a pending
// transition of `gate` requested at its current revision.
void require_current_request(const Json& state, const Gate& gate) {
    const Json pending = state.value("pending_transition", Json(nullptr));
    if (pending.is_null()) {
        throw Error(fmt::format("denied: no transition of gate \"{}\" is waiting for approval", gate.id),
                    {evaluate_hint(gate.id)}, ExitCode::negative);
    }

    const std::string pending_gate = pending["gate_id"].get<std::string>();
    if (pending_gate != gate.id) {
        throw Error(fmt::format("denied: the pending transition is for gate \"{}\", not \"{}\"", pending_gate, gate.id),
                    {fmt::format("approve it with `amp gate FILE --approve {} --approver WHO`", pending_gate),
                     evaluate_hint(gate.id)},
                    ExitCode::negative);
    }

    const std::int64_t requested_rev = pending["state_rev"].get<std::int64_t>();
    const std::int64_t current_rev = state_rev_of(state);
    if (requested_rev != current_rev) {
        throw Error(fmt::format("denied: the transition of gate \"{}\" was requested at state_rev {}, but the state "
                                "has changed since and is now at state_rev {} (updated {})",
                                gate.id, requested_rev, current_rev, state.value("updated_at", "at an unknown time")),
                    {evaluate_hint(gate.id)}, ExitCode::negative);
    }

    // The revision matches, so only a persona edited since the request can
    // make the gate's phases disagree with it.
    if (pending["from_phase"] != state["current_phase"] || pending["from_phase"] != gate.from_phase ||
        pending["to_phase"] != gate.to_phase) {
        throw Error(fmt::format("denied: the pending transition {} -> {} no longer matches gate \"{}\" ({} -> {}) "
                                "from the current phase {}",
                                pending["from_phase"].dump(), pending["to_phase"].dump(), gate.id,
                                gate.from_phase.dump(), gate.to_phase, state["current_phase"].dump()),
                    {evaluate_hint(gate.id)}, ExitCode::negative);
    }
}

}  // namespace

Mutation approve(const Json& persona, const Json& state, std::string_view gate_id, std::string_view approver,
                 TimePoint now) {
    if (approver.empty()) {
        throw Error("an approval needs the approver's identity", {"add --approver WHO, e.g. --approver lead@example.org"});
    }
    validate_state_for(persona, state);
    const std::vector<Gate> gates = read_gates(persona);
    const Gate* gate = find_gate(gates, gate_id);
    if (gate == nullptr) throw Error(fmt::format("unknown gate \"{}\"", gate_id), {"run `amp status FILE` to see the pending transition"});

    // Checked before expiry, which itself raises state_rev.
    require_current_request(state, *gate);

    Draft draft(state, now);
    const Json expired = expire_elevations(draft, persona);

    const Json from_phase = state["current_phase"];
    const Json hash = state["pending_transition"].value("metrics_hash", Json(nullptr));

    // The metrics and criteria results are in the pending_human event that
    // carries the same metrics_hash; approval takes no metrics of its own.
    draft.add_event(gate_transition_event(*gate, "approved", from_phase, nullptr, nullptr, hash, draft.next_rev(),
                                          approver));
    apply_transition(draft, *gate, TransitionKind::approved, hash);
    if (!gate->authority_overlay.is_null()) replace_overlay(draft, *gate, gate->authority_overlay);
    draft.mark_changed("GateTransition");

    Json report = Json::object();
    report["operation"] = "approve";
    report["outcome"] = "approved";
    report["message"] = fmt::format("gate \"{}\" approved by {}: {} -> {}", gate->id, approver,
                                    from_phase.is_null() ? "(not onboarded)" : from_phase.get<std::string>(),
                                    gate->to_phase);
    report["gate_id"] = gate->id;
    report["approver"] = approver;
    report["from_phase"] = from_phase;
    report["phase"] = gate->to_phase;
    report["metrics_hash"] = hash;
    report["expired_elevations"] = expired;
    return draft.finish(ExitCode::ok, std::move(report));
}

}  // namespace amp::lifecycle
