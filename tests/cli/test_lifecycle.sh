#!/usr/bin/env bash
# Whole lifecycles of the reference personas through the built binary:
# state file, audit log, drift ledger and exit code checked at every step.
source "$AMP_TEST_LIB"

py() { python3 -c "$1"; }
state_field() { py "import json; print(json.dumps(json.load(open('$1.state.json'))$2))"; }
audit_types() { py "import json; print(' '.join(json.loads(l)['event_type'] for l in open('$1.audit.jsonl')))"; }
audit_lines() { wc -l <"$1.audit.jsonl"; }

cp "$REFERENCE/quiet_stone_v1.json" qs.json
printf '{"schema_valid": true}\n' >onboard.json
printf '{"schema_valid": true, "tasks_completed": 25, "error_rate": 0.03, "policy_violations": 0}\n' >good.json
printf '{"schema_valid": true, "tasks_completed": 25, "error_rate": 0.03, "policy_violations": 5}\n' >violations.json
printf '{"schema_valid": true, "tasks_completed": "25", "error_rate": 0.03, "policy_violations": 0}\n' >badtype.json
export AMP_NOW=2026-04-01T09:00:00Z

begin "onboarding applies and records events"
amp gate qs.json --evaluate onboarding --metrics onboard.json --json
expect_exit 0
expect_json 'd["outcome"] == "transition" and d["current_phase"] == "active" and d["state_rev"] == 1'
expect_json 'd["candidates"][0]["criteria_results"][0] == {"metric": "schema_valid", "op": "eq", "expected": True, "actual": True, "pass": True}'
expect_true "state phase active" test "$(state_field qs '["current_phase"]')" = '"active"'
expect_true "state_rev 1" test "$(state_field qs '["state_rev"]')" = 1
expect_true "audit has GateTransition then StateChange" test "$(audit_types qs)" = "GateTransition StateChange"
expect_true "one drift line" test "$(wc -l <qs.drift.jsonl)" = 1

begin "the same metrics never fire twice"
amp gate qs.json --evaluate '*' --metrics onboard.json --json
expect_exit 1
expect_true "state_rev unchanged" test "$(state_field qs '["state_rev"]')" = 1
expect_true "drift line still written" test "$(wc -l <qs.drift.jsonl)" = 2

begin "human approval is pending with exit 2"
amp gate qs.json --evaluate trusted --metrics good.json
expect_exit 2
expect_stderr "--approve trusted"
expect_true "pending recorded" test "$(state_field qs '["pending_transition"]["gate_id"]')" = '"trusted"'
expect_true "still active" test "$(state_field qs '["current_phase"]')" = '"active"'
amp status qs.json --json
expect_json 'd["pending_transition"]["gate_id"] == "trusted"'

begin "approval applies the transition and the overlay"
amp gate qs.json --approve trusted --approver lead@example.org --json
expect_exit 0
expect_true "trusted" test "$(state_field qs '["current_phase"]')" = '"trusted"'
expect_true "overlay full" test "$(state_field qs '["active_overlay"]["autonomy"]')" = '"full"'
expect_true "pending cleared" test "$(state_field qs '["pending_transition"]')" = null
amp status qs.json --json
expect_json 'd["autonomy"] == "full"'
amp gate qs.json --approve trusted --approver lead@example.org
expect_exit 1

begin "bad metric types never promote but still demote"
cp qs.json qs2.json
amp gate qs2.json --evaluate onboarding --metrics onboard.json
amp gate qs2.json --evaluate trusted --metrics badtype.json --json
expect_exit 1
expect_json 'd["candidates"][0]["criteria_pass"] is False'

begin "demotion with cooldown"
AMP_NOW=2026-04-02T09:00:00Z amp gate qs.json --evaluate '*' --metrics violations.json --json
expect_exit 0
expect_json 'd["gate_id"] == "trust_decay" and d["current_phase"] == "active"'
expect_true "overlay supervised" test "$(state_field qs '["active_overlay"]["autonomy"]')" = '"supervised"'

begin "stale approval is refused"
AMP_NOW=2026-04-02T10:00:00Z amp gate qs.json --evaluate trusted --metrics good.json
expect_exit 2
AMP_NOW=2026-04-02T10:00:00Z amp elevate qs.json --elevation release-deploy --reason "hotfix" --approver lead@example.org
expect_exit 0
AMP_NOW=2026-04-02T10:01:00Z amp gate qs.json --approve trusted --approver lead@example.org
expect_exit 1
expect_stderr "--evaluate"

begin "elevation requires an approver and expires"
AMP_NOW=2026-04-02T10:02:00Z amp elevate qs.json --elevation release-deploy --reason "again"
expect_exit 3
expect_stderr "--approver"
AMP_NOW=2026-04-02T12:00:00Z amp status qs.json --json
expect_json 'len(d["expired_unrecorded"]) == 1 and d["elevations"][0]["expired"] is True'
lines_before=$(audit_lines qs)
AMP_NOW=2026-04-02T12:00:00Z amp gate qs.json --evaluate '*' --metrics onboard.json --json
expect_json 'len(d["expired_elevations"]) == 1'
expect_true "expiry recorded" grep -q '"action":"expire"' qs.audit.jsonl
expect_true "elevations empty" test "$(state_field qs '["active_elevations"]')" = "[]"

begin "elevation renew and revoke"
AMP_NOW=2026-04-03T09:00:00Z amp elevate qs.json --elevation release-deploy --reason r1 --approver lead@example.org
AMP_NOW=2026-04-03T09:30:00Z amp elevate qs.json --elevation release-deploy --reason r2 --approver lead@example.org --json
expect_json 'd["outcome"] == "renew" and d["expires_at"] == "2026-04-03T10:30:00Z"'
AMP_NOW=2026-04-03T09:40:00Z amp elevate qs.json --revoke release-deploy --reason done
expect_exit 0
AMP_NOW=2026-04-03T09:41:00Z amp elevate qs.json --revoke release-deploy --reason done
expect_exit 1
amp elevate qs.json --elevation no-such --reason x --approver y
expect_exit 3
expect_stderr "release-deploy"

begin "override rules"
AMP_NOW=2026-04-04T08:00:00Z amp gate qs.json --override trusted --reason "IR-0 promote by hand" --approver admin@example.org
expect_exit 0
expect_true "override moved the phase" test "$(state_field qs '["current_phase"]')" = '"trusted"'
expect_true "override cleared the overlay" test "$(state_field qs '["active_overlay"]')" = null
AMP_NOW=2026-04-04T08:10:00Z amp gate qs.json --override onboarding --reason "IR-1" --approver admin@example.org
expect_exit 1
expect_stderr "trusted"
AMP_NOW=2026-04-04T08:20:00Z amp gate qs.json --override trust_decay --reason "Unauthorized transition IR-1" --approver admin@example.org
expect_exit 0
expect_true "back to active" test "$(state_field qs '["current_phase"]')" = '"active"'
AMP_NOW=2026-04-04T09:00:00Z amp gate qs.json --override onboarding --reason "Key compromise IR-2" --approver admin@example.org --json
expect_exit 0
expect_true "incident recorded" grep -q '"reason":"Key compromise IR-2"' qs.audit.jsonl
amp gate qs.json --override onboarding --approver admin@example.org
expect_exit 64

begin "bad input is refused with exit 3 and nothing written"
cp qs.audit.jsonl before.audit
cp qs.state.json before.state
printf '{"schema_valid": tru' >broken.json
amp gate qs.json --evaluate '*' --metrics broken.json
expect_exit 3
expect_stderr "broken.json:1:"
printf '[1, 2]\n' >array.json
amp gate qs.json --evaluate '*' --metrics array.json
expect_exit 3
amp gate qs.json --evaluate no_such_gate --metrics onboard.json
expect_exit 3
expect_stderr "onboarding"
expect_same_bytes qs.audit.jsonl before.audit
expect_same_bytes qs.state.json before.state

begin "quorum is refused"
py "import json; d=json.load(open('qs.json')); d['gates'][1]['approval']='quorum'; json.dump(d, open('quorum.json','w'), indent=2)"
amp gate quorum.json --evaluate onboarding --metrics onboard.json
amp gate quorum.json --evaluate trusted --metrics good.json
expect_exit 3
expect_stderr "quorum"

begin "zeroclaw: sidecar overlay folded once and removed"
cp "$REFERENCE/zeroclaw_agent.json" zc.json
cp "$REFERENCE/zeroclaw_agent.authority_overlay.json" zc.authority_overlay.json
amp gate zc.json --evaluate '*' --metrics "$REFERENCE/zeroclaw_metrics.json" --json
expect_exit 0
expect_true "sidecar removed" test ! -e zc.authority_overlay.json
expect_true "overlay folded" test "$(state_field zc '["active_overlay"]["autonomy"]')" = '"full"'
expect_true "fold recorded" grep -q '"source":"zc.authority_overlay.json"' zc.audit.jsonl
amp audit zc.json --verify
expect_exit 0

begin "observe mode records and changes nothing"
py "import json; d=json.load(open('$REFERENCE/quiet_stone_v1.json')); d['gates'][0]['enforcement']='observe'; json.dump(d, open('obs.json','w'), indent=2)"
amp gate obs.json --evaluate onboarding --metrics onboard.json --json
expect_exit 0
expect_json 'd["outcome"] == "observed"'
expect_true "phase unchanged" test "$(state_field obs '["current_phase"]')" = null
expect_true "observed recorded" grep -q '"decision":"observed"' obs.audit.jsonl

begin "every chain verifies after the whole lifecycle"
amp audit qs.json qs.state.json qs.audit.jsonl --verify --json
expect_exit 0
expect_json 'len(d["personas"]) == 1 and d["intact"] is True'

begin "signed state: mutations re-sign with the configured key"
amp keygen --key-id k1 -o k1
amp trust add k1.pub --key-id k1
cp "$REFERENCE/quiet_stone_v1.json" signed.json
amp sign signed.json --key k1.key
AMP_SIGNING_KEY=k1.key AMP_KEY_ID=k1 amp gate signed.json --evaluate onboarding --metrics onboard.json
expect_exit 0
amp verify signed.state.json
expect_exit 0
printf '{"policy": {"require_signed_state": true, "require_signed_personas": true}}\n' >.ampersona/config.json
cp "$REFERENCE/quiet_stone_v1.json" unsigned.json
amp gate unsigned.json --evaluate onboarding --metrics onboard.json
expect_exit 3
expect_stderr "policy"
expect_true "nothing written" test ! -e unsigned.state.json
py "import json; d=json.load(open('signed.json')); d['role']='Intruder'; json.dump(d, open('signed.json','w'), indent=2)"
AMP_SIGNING_KEY=k1.key AMP_KEY_ID=k1 amp gate signed.json --evaluate '*' --metrics good.json
expect_exit 3
expect_stderr "signature does not verify"
rm .ampersona/config.json

finish
