#!/usr/bin/env bash
# Runbook, playbook 4: agent's "trusted" gate promotes without approval and
# has no cooldown, so alternating metrics move it up and down. The operator
# reads the drift trend and the cooldowns, lengthens the promote gate's
# cooldown, observes the demote gate while investigating, and finally gives
# the two gates thresholds with a gap between them (hysteresis).
source "$AMP_TEST_LIB"
source "$(dirname "$AMP_TEST_LIB")/runbook_fleet.sh"

cd personas || exit 3
printf '{"schema_valid": true, "tasks_completed": 25, "error_rate": 0.03, "policy_violations": 0}\n' >healthy.json
printf '{"schema_valid": true, "tasks_completed": 25, "error_rate": 0.03, "policy_violations": 3}\n' >violations.json

# Prints the phase changes that evaluations applied since TIME, as
# "gate:from->to" words.
transitions_since() {
    jsonl_value agent.audit.jsonl "' '.join(f\"{x['gate_id']}:{x['from_phase']}->{x['to_phase']}\" for x in e
        if x['event_type'] == 'GateTransition' and x['decision'] == 'transition' and x['ts'] >= '$1')"
}

# Evaluates every gate of agent once per hour from HOUR:00 on the given day,
# with the metrics files named in turn: evaluate_hourly DAY HOUR FILE...
# Sets hourly_exits to the exit codes, separated by spaces.
evaluate_hourly() {
    local day=$1 hour=$2
    shift 2
    hourly_exits=
    for metrics in "$@"; do
        AMP_NOW=$(printf '%sT%02d:00:00Z' "$day" "$hour") amp gate agent.json --evaluate '*' --metrics "$metrics"
        hourly_exits="$hourly_exits${hourly_exits:+ }$CODE"
        hour=$((hour + 1))
    done
}

begin "playbook 4: the promote gate needs no approval"
export AMP_NOW=2026-04-03T09:00:00Z
edit_json agent.json 'next(g for g in d["gates"] if g["id"] == "trusted")["approval"] = "auto"'
amp sign agent.json --key ../old.key
expect_exit 0
evaluate_hourly 2026-04-03 10 healthy.json violations.json healthy.json
expect_equal "exit codes" "0 0 0" "$hourly_exits"
expect_equal "flapping" "trusted:active->trusted trust_decay:trusted->active trusted:active->trusted" \
    "$(transitions_since 2026-04-03)"

begin "playbook 4 step 1: check metrics trend"
export AMP_NOW=2026-04-03T13:00:00Z
amp status agent.json --drift
expect_exit 0
expect_stdout "drift ledger agent.drift.jsonl (5 entries)"
expect_stdout "tasks_completed"
# FIRST, LAST, MIN, MAX and CHANGE: back at 0 after a swing to 3.
expect_true "policy_violations swings between 0 and 3, no trend column in a pipe" grep -qE '^ +policy_violations +0 +0 +0 +3 +\+0$' <<<"$OUT"
amp status agent.json --drift --json
expect_json 'd["drift"]["metrics"]["policy_violations"]["recent"] == [0, 0, 0, 3, 0]'

begin "playbook 4 step 2: review cooldown settings"
expect_equal "cooldown_seconds per gate" '{"onboarding": null, "trusted": null, "trust_decay": 86400}' \
    "$(json_value agent.json '{g["id"]: g.get("cooldown_seconds") for g in d["gates"]}')"
# The demote gate's cooldown already stops the next demotion.
amp gate agent.json --evaluate '*' --metrics violations.json --json
expect_exit 1
expect_json 'd["current_phase"] == "trusted" and d["candidates"][0]["outcome"] == "cooldown"'
expect_json 'd["candidates"][0]["skipped"] == {"reason": "cooldown", "remaining_seconds": 79200, "until": "2026-04-04T11:00:00Z"}'

begin "playbook 4 step 3: a longer cooldown on the promote gate"
edit_json agent.json 'next(g for g in d["gates"] if g["id"] == "trusted")["cooldown_seconds"] = 86400'
amp gate agent.json --evaluate '*' --metrics healthy.json
expect_exit 3
expect_stderr "signature does not verify (digest_mismatch)"
amp sign agent.json --key ../old.key
expect_exit 0
AMP_NOW=2026-04-04T11:30:00Z amp gate agent.json --evaluate '*' --metrics violations.json
expect_exit 0
expect_stdout 'gate "trust_decay" fired: trusted -> active'
export AMP_NOW=2026-04-04T11:40:00Z
amp gate agent.json --evaluate '*' --metrics healthy.json
expect_exit 1
expect_stdout "gate trusted [promote, enforce, auto]: cooldown (cooldown until 2026-04-04T12:00:00Z, 1200 s left)"
expect_stdout "phase: active"
# Once the cooldown is over, the gate fires again.
AMP_NOW=2026-04-04T12:05:00Z amp gate agent.json --evaluate '*' --metrics healthy.json
expect_exit 0
expect_stdout 'gate "trusted" fired: active -> trusted'

begin "playbook 4 step 4: observe mode records and changes nothing"
export AMP_NOW=2026-04-05T12:00:00Z
edit_json agent.json 'next(g for g in d["gates"] if g["id"] == "trust_decay")["enforcement"] = "observe"'
amp sign agent.json --key ../old.key
expect_exit 0
cp agent.state.json ../agent.state.before
amp gate agent.json --evaluate trust_decay --metrics violations.json --json
expect_exit 0
expect_json 'd["outcome"] == "observed" and d["current_phase"] == "trusted"'
expect_equal "decision recorded" '["GateTransition", "trust_decay", "observe", "observed", "trusted", "active"]' \
    "$(jsonl_value agent.audit.jsonl '[e[-2][k] for k in ("event_type", "gate_id", "enforcement", "decision", "from_phase", "to_phase")]')"
expect_equal "phase, overlay and last transition unchanged" \
    "$(json_value ../agent.state.before '[d["current_phase"], d["active_overlay"], d["last_transition"]]')" \
    "$(json_value agent.state.json '[d["current_phase"], d["active_overlay"], d["last_transition"]]')"
audit_lines_before=$(line_count agent.audit.jsonl)
amp gate agent.json --evaluate '*' --metrics violations.json
expect_exit 0
expect_stdout 'gate "trust_decay" already observed with these metrics at this state_rev: nothing to do'
expect_equal "a repeat records nothing" "$audit_lines_before" "$(line_count agent.audit.jsonl)"

begin "playbook 4 step 5: one threshold for both gates flaps"
# Both gates on error_rate around 0.05, without cooldowns.
export AMP_NOW=2026-04-06T09:00:00Z
edit_json agent.json '
gates = {g["id"]: g for g in d["gates"]}
gates["trust_decay"]["enforcement"] = "enforce"
gates["trust_decay"]["criteria"] = [{"metric": "error_rate", "op": "gt", "value": 0.05}]
gates["trust_decay"]["metrics_schema"] = {"error_rate": {"type": "number"}}
gates["trust_decay"]["cooldown_seconds"] = 0
gates["trusted"]["cooldown_seconds"] = 0'
amp sign agent.json --key ../old.key
expect_exit 0
for rate in 0.04 0.06 0.15 0.01; do
    printf '{"schema_valid": true, "tasks_completed": 25, "error_rate": %s, "policy_violations": 0}\n' "$rate" >"error_rate_$rate.json"
done
evaluate_hourly 2026-04-06 10 error_rate_0.06.json error_rate_0.04.json error_rate_0.06.json error_rate_0.04.json
expect_equal "exit codes" "0 0 0 0" "$hourly_exits"
expect_equal "four transitions in four hours" \
    "trust_decay:trusted->active trusted:active->trusted trust_decay:trusted->active trusted:active->trusted" \
    "$(transitions_since 2026-04-06)"

begin "playbook 4 step 5: hysteresis stops the flapping"
# Promote at error_rate <= 0.02, demote above 0.1: the same oscillation stays
# inside the gap.
export AMP_NOW=2026-04-07T09:00:00Z
edit_json agent.json '
gates = {g["id"]: g for g in d["gates"]}
next(c for c in gates["trusted"]["criteria"] if c["metric"] == "error_rate")["value"] = 0.02
gates["trust_decay"]["criteria"][0]["value"] = 0.1'
amp sign agent.json --key ../old.key
expect_exit 0
evaluate_hourly 2026-04-07 10 error_rate_0.06.json error_rate_0.04.json error_rate_0.06.json error_rate_0.04.json
expect_equal "exit codes" "1 1 1 1" "$hourly_exits"
expect_equal "no transition inside the gap" "" "$(transitions_since 2026-04-07)"
amp status agent.json --json
expect_json 'd["current_phase"] == "trusted"'
# Only values beyond the thresholds move it: down above 0.1, up at 0.02 or less.
evaluate_hourly 2026-04-07 14 error_rate_0.15.json error_rate_0.04.json error_rate_0.06.json error_rate_0.01.json
expect_equal "exit codes" "0 1 1 0" "$hourly_exits"
expect_equal "one demotion, one promotion" "trust_decay:trusted->active trusted:active->trusted" \
    "$(transitions_since 2026-04-07)"
amp audit agent.json --verify
expect_exit 0

finish
