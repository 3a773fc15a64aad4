#!/usr/bin/env bash
# Runbook, playbook 1: agent is trusted without meeting the gate's criteria
# because someone overrode the gate. The operator captures the state, checks
# the chain, finds the decision record, and overrides back to active.
source "$AMP_TEST_LIB"
source "$(dirname "$AMP_TEST_LIB")/runbook_fleet.sh"

printf '{"schema_valid": true, "tasks_completed": 5, "error_rate": 0.2, "policy_violations": 0}\n' >low.json
printf '{"schema_valid": true, "tasks_completed": 25, "error_rate": 0.03, "policy_violations": 4}\n' >violations.json

begin "playbook 1: an override nobody authorized"
export AMP_NOW=2026-04-02T18:00:00Z
amp gate personas/agent.json --override trusted --reason "needs push access" --approver intern@co.com --metrics low.json
expect_exit 0

export AMP_NOW=2026-04-03T09:00:00Z
cd personas || exit 3

begin "playbook 1 step 1: capture current state"
amp status agent.json --json
expect_exit 0
expect_json 'd["current_phase"] == "trusted"'
expect_json 'd["last_transition"]["gate_id"] == "trusted" and d["last_transition"]["decision_id"] == "override-3"'
expect_json 'd["persona_signature"]["status"] == "valid" and d["state_signature"]["status"] == "valid"'
expect_json 'd["state_binding"]["status"] == "consistent" and d["state_binding"]["audited_state_rev"] == 3'
printf '%s\n' "$OUT" >../incident-status.json
expect_json_file ../incident-status.json 'd["state_rev"] == 3'

begin "playbook 1 step 2: check for chain tampering"
amp audit agent.json --verify
expect_exit 0
expect_stdout "agent.json: intact"

begin "playbook 1 step 3: review the decision records"
# The decision that led to the current phase is the last one whose to_phase
# is trusted.
decision=$(jsonl_value agent.audit.jsonl '[x for x in e if x["event_type"] in ("GateTransition", "Override") and x["to_phase"] == "trusted"][-1]')
printf '%s\n' "$decision" >decision.json
expect_json_file decision.json 'd["event_type"] == "Override" and d["is_override"] is True'
expect_json_file decision.json 'd["approver"] == "intern@co.com" and d["reason"] == "needs push access"'
expect_json_file decision.json 'd["ts"] == "2026-04-02T18:00:00Z" and d["state_rev"] == 3'
# The recorded metrics fail the gate's criteria (tasks_completed >= 20, error_rate <= 0.05).
expect_json_file decision.json 'd["metrics_snapshot"]["tasks_completed"] < 20 and d["metrics_snapshot"]["error_rate"] > 0.05'

begin "playbook 1 step 4: a broken chain is reported"
# Had someone also rewritten the record's approver, the chain would break,
# and the incident would continue as an emergency rotation.
mkdir ../tampered
cp agent.* ../tampered/
sed -i 's/"approver":"intern@co.com"/"approver":"admin@co.com"/' ../tampered/agent.audit.jsonl
amp audit ../tampered/agent.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["kind"] == "content_changed"'

begin "playbook 1 step 5: override to the correct phase"
# With metrics that pass the demote gate, the override is denied: the
# evaluation would apply it.
amp gate agent.json --override trust_decay --reason "Unauthorized transition IR-XXX" --approver admin@co.com --metrics ../violations.json
expect_exit 1
expect_stderr 'denied: the criteria of gate "trust_decay" pass with these metrics'
amp gate agent.json --override trust_decay --reason "Unauthorized transition IR-XXX" --approver admin@co.com
expect_exit 0
expect_stdout 'agent.json: override of gate "trust_decay" by admin@co.com: trusted -> active'
expect_stdout "phase: active, state_rev: 4"
amp status agent.json --json
expect_json 'd["current_phase"] == "active"'
expect_json 'd["autonomy"] == "supervised" and d["active_overlay"] is None'
expect_json 'd["last_transition"]["decision_id"] == "override-4"'
expect_equal "override and StateChange recorded" '["Override", "Unauthorized transition IR-XXX", "admin@co.com", "StateChange", 4]' \
    "$(jsonl_value agent.audit.jsonl '[e[-2]["event_type"], e[-2]["reason"], e[-2]["approver"], e[-1]["event_type"], e[-1]["state_rev"]]')"
amp audit agent.json --verify
expect_exit 0

finish
