#!/usr/bin/env bash
# Runbook, recovery from a corrupted state file: the audit log is checked,
# the state is rebuilt from its latest StateChange, and the current gate is
# evaluated again from there.
source "$AMP_TEST_LIB"
source "$(dirname "$AMP_TEST_LIB")/runbook_fleet.sh"

export AMP_NOW=2026-04-03T09:00:00Z
cd personas || exit 3
audit_lines_before=$(line_count agent.audit.jsonl)
printf '{"corrupt' >agent.state.json

begin "corrupted state: gate, status and fleet check reject it"
amp gate agent.json --evaluate '*' --metrics ../m.json
expect_exit 3
expect_stderr "agent.state.json:1:"
amp status agent.json
expect_exit 3
cd ..
amp fleet personas/ --check
expect_exit 1
expect_stdout "personas/agent.json: FAILED"
expect_stdout "state personas/agent.state.json:1:"
expect_stdout "3 personas checked: 2 ok, 1 failed"
cd personas

begin "corrupted state 1: check audit chain integrity"
# 1. Check audit chain integrity
amp audit agent.json --verify
expect_exit 1
expect_stdout "the state file cannot be read"
expect_stdout "agent.state.json:1:"
expect_stdout "audit log: $audit_lines_before entries"
expect_stdout "snapshot: signature valid (key k-2026-Q1, signer ops@example.org), audit anchor matches"
expect_no_stdout "content_changed"
# Moved aside, the file no longer hides the comparison with the log.
mv agent.state.json agent.state.json.corrupt
amp audit agent.json --verify
expect_exit 1
expect_stdout "state file: agent.state.json is missing but the audit log records state_rev 2"

begin "corrupted state 2: rebuild from the latest StateChange"
# 2. Last valid state is in the audit log's most recent StateChange entry
latest=$(jsonl_value agent.audit.jsonl 'max(i for i, x in enumerate(e) if x["event_type"] == "StateChange")')
jsonl_value agent.audit.jsonl "e[$latest]['state']" >logged.state.json
amp state rebuild agent.json --key ../admin.key
expect_exit 0
expect_stdout "rebuilt agent.state.json from entry $latest (state_rev 2)"
expect_true "rebuilt state equals the logged one" python3 -c 'import json, sys
rebuilt = json.load(open("agent.state.json"))
rebuilt.pop("signature")
sys.exit(0 if rebuilt == json.load(open("logged.state.json")) else 1)'
amp verify agent.state.json
expect_exit 0
expect_stdout "agent.state.json: valid (key admin, signer amp (state rebuild)"
expect_equal "a Recovery entry records the rebuild" '["Recovery", "state_rebuilt", '"$latest"', 2]' \
    "$(jsonl_value agent.audit.jsonl '[e[-1]["event_type"], e[-1]["action"], e[-1]["from_entry"], e[-1]["from_state_rev"]]')"
amp audit agent.json --verify
expect_exit 0
expect_stdout "agent.json: intact"

begin "corrupted state 3: re-evaluate the current gate"
# 3. Re-evaluate current gate from last known good state
amp gate agent.json --evaluate '*' --metrics ../m.json
expect_exit 2
expect_stdout 'gate "trusted" passed: active -> trusted waits for human approval'
expect_stdout "phase: active, state_rev: 2"
# The evaluation signs the state with the key config.json names.
expect_equal "state signed with the configured key" k-2026-Q1 "$(key_of agent.state.json)"
amp audit agent.json --verify
expect_exit 0
cd ..
amp fleet personas/ --check
expect_exit 0

finish
