// Gate evaluation: choose at most one winning gate and apply it.
#include "amp/lifecycle/evaluate.hpp"

#include <fmt/format.h>

#include "amp/error.hpp"
#include "amp/lifecycle/draft.hpp"
#include "amp/lifecycle/gates.hpp"
#include "amp/lifecycle/state.hpp"

namespace amp::lifecycle {

namespace {

// One candidate gate as this evaluation saw it.
struct Assessment {
    const Gate* gate = nullptr;
    CriteriaVerdict verdict;
    std::optional<std::chrono::seconds> cooldown;
};

std::string phase_text(const Json& phase) { return phase.is_null() ? "(not onboarded)" : phase.get<std::string>(); }

std::string known_gate_ids(const std::vector<Gate>& gates) {
    std::string ids;
    for (const Gate& gate : gates) ids += (ids.empty() ? "" : ", ") + gate.id;
    return ids.empty() ? "none" : ids;
}

Json candidate_report(const Assessment& assessment, std::string_view outcome, TimePoint now) {
    const Gate& gate = *assessment.gate;
    Json report = Json::object();
    report["gate_id"] = gate.id;
    report["direction"] = to_string(gate.direction);
    report["enforcement"] = to_string(gate.enforcement);
    report["approval"] = to_string(gate.approval);
    report["priority"] = gate.priority;
    report["from_phase"] = gate.from_phase;
    report["to_phase"] = gate.to_phase;
    report["criteria_logic"] = to_string(gate.logic);
    report["criteria_pass"] = assessment.verdict.pass;
    report["criteria_results"] = assessment.verdict.results;
    report["outcome"] = outcome;
    if (assessment.cooldown) {
        Json skipped = Json::object();
        skipped["reason"] = "cooldown";
        skipped["remaining_seconds"] = assessment.cooldown->count();
        skipped["until"] = format_time(now + *assessment.cooldown);
        report["skipped"] = std::move(skipped);
    }
    return report;
}

bool already_applied(const Json& state, const Gate& gate, const std::string& hash, std::int64_t input_rev) {
    const auto history = state.find("gate_history");
    if (history == state.end() || !history->is_object() || !history->contains(gate.id)) return false;
    const Json& entry = (*history)[gate.id];
    return entry.value("last_metrics_hash", Json(nullptr)) == hash &&
           entry.value("last_state_rev", Json(nullptr)) == input_rev;
}

bool pending_for(const Json& state, const Gate& gate, std::int64_t input_rev) {
    const auto pending = state.find("pending_transition");
    if (pending == state.end() || !pending->is_object()) return false;
    return pending->value("gate_id", "") == gate.id && pending->value("state_rev", std::int64_t{-1}) == input_rev;
}

// Records the winner's decision in the draft. Returns the outcome name and
// the exit code.
std::pair<std::string, ExitCode> apply_winner(Draft& draft, const Assessment& winner, const Json& metrics,
                                              const std::string& hash, const Json& input_state) {
    const Gate& gate = *winner.gate;
    const Json from_phase = input_state["current_phase"];

    if (already_applied(input_state, gate, hash, draft.input_rev())) return {"already_applied", ExitCode::ok};

    if (gate.enforcement == Enforcement::observe) {
        draft.add_event(gate_transition_event(gate, "observed", from_phase, metrics, winner.verdict.results, hash,
                                              draft.next_rev()));
        Json& history = gate_history_entry(draft.state(), gate.id);
        history["last_observed_at"] = draft.now_text();
        history["observed"] = history.value("observed", std::int64_t{0}) + 1;
        history["last_metrics_hash"] = hash;
        history["last_state_rev"] = draft.next_rev();
        draft.mark_changed("GateTransition");
        return {"observed", ExitCode::ok};
    }

    if (gate.approval == Approval::quorum) {
        throw Error(fmt::format("gate \"{}\" passed, but it needs quorum approval, which amp does not support yet; "
                                "nothing was changed",
                                gate.id),
                    {fmt::format("set \"approval\": \"human\" on gate \"{}\" and approve with `amp gate FILE "
                                 "--approve {} --approver WHO`",
                                 gate.id, gate.id)});
    }

    if (gate.approval == Approval::human) {
        // A request made at an older revision could no longer be approved,
        // so it is made again at the new one.
        if (pending_for(input_state, gate, draft.input_rev()) && !draft.changed()) {
            return {"still_pending", ExitCode::waiting};
        }

        Json pending = Json::object();
        pending["gate_id"] = gate.id;
        pending["from_phase"] = from_phase;
        pending["to_phase"] = gate.to_phase;
        pending["requested_at"] = draft.now_text();
        pending["metrics_hash"] = hash;
        pending["state_rev"] = draft.next_rev();
        draft.state()["pending_transition"] = std::move(pending);
        draft.add_event(gate_transition_event(gate, "pending_human", from_phase, metrics, winner.verdict.results,
                                              hash, draft.next_rev()));
        draft.mark_changed("GateTransition");
        return {"pending_human", ExitCode::waiting};
    }

    draft.add_event(gate_transition_event(gate, "transition", from_phase, metrics, winner.verdict.results, hash,
                                          draft.next_rev()));
    apply_transition(draft, gate, TransitionKind::evaluated, hash);
    if (!gate.authority_overlay.is_null()) replace_overlay(draft, gate, gate.authority_overlay);
    draft.mark_changed("GateTransition");
    return {"transition", ExitCode::ok};
}

// Returns the reason the selected gate did not fire, for the summary line.
std::string selected_gate_status(const Gate& selected, const Json& candidates) {
    for (const Json& candidate : candidates) {
        if (candidate["gate_id"] != selected.id) continue;
        const std::string outcome = candidate["outcome"].get<std::string>();
        if (outcome == "cooldown") {
            return fmt::format("is in its cooldown for {} more seconds", candidate["skipped"]["remaining_seconds"].dump());
        }
        if (outcome == "criteria_failed") return "did not pass its criteria";
        if (outcome == "outranked") return "passed, but comes later in the evaluation order";
    }
    return "did not fire";
}

std::string summary(std::string_view outcome, const Gate* decided, const Gate* winner, const Gate* selected,
                    const Json& phase, const Json& candidates) {
    if (outcome == "transition") {
        return fmt::format("gate \"{}\" fired: {} -> {}", decided->id, phase_text(phase), decided->to_phase);
    }
    if (outcome == "observed") {
        return fmt::format("gate \"{}\" passed in observe mode: recorded, phase stays {}", decided->id,
                           phase_text(phase));
    }
    if (outcome == "pending_human" || outcome == "still_pending") {
        return fmt::format("gate \"{}\" passed: {} -> {} waits for human approval", decided->id, phase_text(phase),
                           decided->to_phase);
    }
    if (outcome == "already_applied") {
        return fmt::format("gate \"{}\" already {} with these metrics at this state_rev: nothing to do", decided->id,
                           decided->enforcement == Enforcement::observe ? "observed" : "fired");
    }
    if (outcome == "not_a_candidate") {
        return fmt::format("gate \"{}\" starts from phase {}, but the current phase is {}: nothing fired",
                           selected->id, phase_text(selected->from_phase), phase_text(phase));
    }
    if (outcome == "other_gate_won") {
        return fmt::format("gate \"{}\" {}; gate \"{}\" wins from phase {} and was not applied", selected->id,
                           selected_gate_status(*selected, candidates), winner->id, phase_text(phase));
    }
    if (selected != nullptr) {
        return fmt::format("gate \"{}\" {}; no gate fired from phase {}", selected->id,
                           selected_gate_status(*selected, candidates), phase_text(phase));
    }
    return fmt::format("no gate fired from phase {}", phase_text(phase));
}

}  // namespace

Mutation evaluate(const Json& persona, const Json& state, const Json& metrics, std::string_view selector,
                  TimePoint now) {
    require_metrics_object(metrics);
    validate_state_for(persona, state);
    const std::vector<Gate> gates = read_gates(persona);

    const Gate* selected = nullptr;
    if (selector != any_gate) {
        selected = find_gate(gates, selector);
        if (selected == nullptr) {
            throw Error(fmt::format("unknown gate \"{}\"; the persona defines: {}", selector, known_gate_ids(gates)),
                        {"pass one of those ids, or '*' to evaluate every gate of the current phase"});
        }
    }

    Draft draft(state, now);
    const Json expired = expire_elevations(draft, persona);

    const Json current_phase = state["current_phase"];
    const std::string hash = metrics_hash(metrics);

    // Every candidate is assessed, also after the winner, so the report can
    // explain why each gate did or did not fire.
    std::vector<Assessment> assessments;
    const Assessment* winner = nullptr;
    for (const Gate* gate : order_candidates(gates, current_phase)) {
        assessments.push_back({gate, evaluate_criteria(*gate, metrics), cooldown_remaining(*gate, state, now)});
    }
    Json candidates = Json::array();
    for (const Assessment& assessment : assessments) {
        std::string outcome;
        if (assessment.cooldown) {
            outcome = "cooldown";
        } else if (!assessment.verdict.pass) {
            outcome = "criteria_failed";
        } else if (winner == nullptr) {
            outcome = "won";
            winner = &assessment;
        } else {
            outcome = "outranked";
        }
        candidates.push_back(candidate_report(assessment, outcome, now));
    }

    std::string outcome = "no_gate_fired";
    ExitCode exit_code = ExitCode::negative;
    const Gate* decided = nullptr;
    const bool selected_is_candidate = selected == nullptr || selected->from_phase == current_phase;
    if (!selected_is_candidate) {
        outcome = "not_a_candidate";
    } else if (winner != nullptr && selected != nullptr && winner->gate != selected) {
        outcome = "other_gate_won";
    } else if (winner != nullptr) {
        decided = winner->gate;
        std::tie(outcome, exit_code) = apply_winner(draft, *winner, metrics, hash, state);
    }

    Json report = Json::object();
    report["operation"] = "evaluate";
    report["selector"] = selector;
    report["outcome"] = outcome;
    report["message"] =
        summary(outcome, decided, winner == nullptr ? nullptr : winner->gate, selected, current_phase, candidates);
    report["gate_id"] = decided == nullptr ? Json(nullptr) : Json(decided->id);
    report["winner"] = winner == nullptr ? Json(nullptr) : Json(winner->gate->id);
    report["from_phase"] = current_phase;
    report["phase"] = draft.state()["current_phase"];
    report["metrics_hash"] = hash;
    report["candidates"] = std::move(candidates);
    report["expired_elevations"] = expired;
    report["pending_transition"] = draft.state().value("pending_transition", Json(nullptr));

    Mutation mutation = draft.finish(exit_code, std::move(report));

    // The drift ledger line names the gate asked for, or the one that won.
    Json drift = Json::object();
    drift["metrics"] = metrics;
    drift["gate_id"] = selected != nullptr ? Json(selected->id) : mutation.report["winner"];
    drift["state_rev"] = mutation.state["state_rev"];
    mutation.report["drift"] = std::move(drift);
    return mutation;
}

}  // namespace amp::lifecycle
