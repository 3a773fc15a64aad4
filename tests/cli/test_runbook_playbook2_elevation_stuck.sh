#!/usr/bin/env bash
# Runbook, playbook 2: an elevation outlives its TTL in the state file. Any
# gate evaluation records the expiry. An elevation that has not expired is
# ended with amp elevate --revoke. A state file edited by hand is refused
# until it is rebuilt from the audit log.
source "$AMP_TEST_LIB"
source "$(dirname "$AMP_TEST_LIB")/runbook_fleet.sh"

cd personas || exit 3

begin "playbook 2: an elevation with a one-hour TTL"
export AMP_NOW=2026-04-03T10:00:00Z
amp elevate agent.json --elevation release-deploy --reason "deploy" --approver lead@co.com
expect_exit 0
expect_stdout 'elevation "release-deploy" granted by lead@co.com until 2026-04-03T11:00:00Z'
AMP_NOW=2026-04-03T10:30:00Z amp status agent.json --json
expect_json '[(x["elevation_id"], x["seconds_left"], x["expired"]) for x in d["elevations"]] == [("release-deploy", 1800, False)]'

begin "playbook 2 step 1: check elevation TTL"
export AMP_NOW=2026-04-03T11:30:00Z
amp status agent.json --json
expect_exit 0
expect_json 'd["elevations"][0]["expired"] is True and len(d["expired_unrecorded"]) == 1'
expect_json 'd["elevations"][0]["expires_at"] == "2026-04-03T11:00:00Z" and d["elevations"][0]["seconds_left"] == 0'
amp status agent.json
expect_stdout "elevation:    release-deploy EXPIRED, still recorded (expires 2026-04-03T11:00:00Z, granted by lead@co.com)"
expect_stderr "any gate evaluation records their expiry: amp gate agent.json --evaluate GATE --metrics M"

begin "playbook 2 step 2: the state file still lists the elevation"
expect_equal "active_elevations in the state file" '["release-deploy"]' \
    "$(json_value agent.state.json '[x["elevation_id"] for x in d["active_elevations"]]')"
# Revoking is denied for an expired elevation, and the denial records nothing.
audit_lines_before=$(line_count agent.audit.jsonl)
amp elevate agent.json --revoke release-deploy --reason "stuck"
expect_exit 1
expect_stderr 'denied: elevation "release-deploy" already expired at 2026-04-03T11:00:00Z'
expect_stderr "any state mutation records the expiry"
expect_equal "audit log unchanged" "$audit_lines_before" "$(line_count agent.audit.jsonl)"

begin "playbook 2 step 3: re-evaluate any gate"
rev_before=$(json_value agent.state.json 'd["state_rev"]')
amp gate agent.json --evaluate trust_decay --metrics ../m.json --json
expect_exit 1
expect_json 'd["outcome"] == "not_a_candidate"'
expect_json '[x["elevation_id"] for x in d["expired_elevations"]] == ["release-deploy"]'
expect_json "d['state_rev'] == $((rev_before + 1))"
expect_equal "expiry recorded in the audit log" '["ElevationChange", "release-deploy", "expire", "StateChange"]' \
    "$(jsonl_value agent.audit.jsonl '[e[-2]["event_type"], e[-2]["elevation_id"], e[-2]["action"], e[-1]["event_type"]]')"
expect_true "expiry recorded" grep -q '"action":"expire"' agent.audit.jsonl
amp status agent.json --json
expect_json 'd["elevations"] == [] and d["expired_unrecorded"] == []'
expect_equal "active_elevations in the state file" '[]' "$(json_value agent.state.json 'd["active_elevations"]')"
amp elevate agent.json --revoke release-deploy --reason "stuck"
expect_exit 1
expect_stderr 'denied: elevation "release-deploy" is not active'

begin "playbook 2 step 4: deactivate an elevation that has not expired"
export AMP_NOW=2026-04-03T12:00:00Z
amp elevate agent.json --elevation release-deploy --reason "again" --approver lead@co.com
expect_exit 0
export AMP_NOW=2026-04-03T12:05:00Z
amp elevate agent.json --revoke release-deploy --reason "stuck, deactivated by hand"
expect_exit 0
expect_stdout 'agent.json: elevation "release-deploy" revoked: stuck, deactivated by hand'
expect_equal "revocation recorded with its reason" '["ElevationChange", "revoke", "stuck, deactivated by hand"]' \
    "$(jsonl_value agent.audit.jsonl '[e[-2]["event_type"], e[-2]["action"], e[-2]["reason"]]')"
amp status agent.json --json
expect_json 'd["elevations"] == []'

begin "playbook 2 step 4: a state file edited by hand is refused"
export AMP_NOW=2026-04-03T14:00:00Z
amp elevate agent.json --elevation release-deploy --reason "third" --approver lead@co.com
expect_exit 0
export AMP_NOW=2026-04-03T14:10:00Z
edit_json agent.state.json 'd["active_elevations"] = []'
amp sign agent.state.json --key ../old.key
expect_exit 0
amp gate agent.json --evaluate trust_decay --metrics ../m.json
expect_exit 3
expect_stderr "differs from the state its audit log records"
expect_stderr "amp state rebuild agent.json --key KEY"
# The rebuild restores the logged state, elevation included.
amp state rebuild agent.json --key ../old.key
expect_exit 0
amp status agent.json --json
expect_json '[(x["elevation_id"], x["expired"]) for x in d["elevations"]] == [("release-deploy", False)]'
amp elevate agent.json --revoke release-deploy --reason "stuck elevation IR-5"
expect_exit 0
amp audit agent.json --verify
expect_exit 0

finish
