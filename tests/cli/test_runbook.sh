#!/usr/bin/env bash
# Every procedure of the operations runbook, with its own commands, on a
# fleet in a temporary workspace.
source "$AMP_TEST_LIB"

py() { python3 -c "$1"; }
key_of() { py "import json; print(json.load(open('$1'))['signature']['key_id'])"; }

# --- The fleet before any incident: signed with k-2026-Q1, onboarded, with history.
mkdir personas
cp "$REFERENCE/quiet_stone_v1.json" personas/agent.json
cp "$AMP_SOURCE_DIR/personas/release_bot.json" personas/release_bot.json
printf '{"schema_valid": true, "tasks_completed": 25, "error_rate": 0.03, "policy_violations": 0}\n' >m.json
amp keygen --key-id k-2026-Q1 -o old
amp trust add old.pub --key-id k-2026-Q1
amp keygen --key-id admin -o admin
amp trust add admin.pub --key-id admin
printf '{"signing": {"key": "old.key", "key_id": "k-2026-Q1"}}\n' >.ampersona/config.json
for f in personas/*.json; do amp sign "$f" --key old.key; done
amp gate personas/agent.json --evaluate onboarding --metrics m.json
amp gate personas/release_bot.json --evaluate onboarding --metrics m.json
amp fleet personas/ --check
begin "setup: a signed, onboarded fleet"
expect_exit 0

begin "planned rotation: generate the new key pair"
amp keygen --key-id k-2026-Q2 -o new
expect_exit 0
amp trust add new.pub --key-id k-2026-Q2
expect_exit 0

cp personas/release_bot.state.json old-release_bot.state

begin "planned rotation: re-sign all active personas"
amp fleet personas/ --check  # verify current state
expect_exit 0
for f in personas/*.json; do
  amp sign "$f" --key new.key --key-id k-2026-Q2
  expect_exit 0
done
expect_true "persona re-signed" test "$(key_of personas/agent.json)" = k-2026-Q2
expect_true "state re-signed by the loop" test "$(key_of personas/agent.state.json)" = k-2026-Q2
expect_true "snapshot refreshed with the new key" test "$(key_of personas/agent.integrity.json)" = k-2026-Q2

begin "planned rotation: the next gate evaluation re-signs a state file"
printf '{"signing": {"key": "new.key", "key_id": "k-2026-Q2"}}\n' >.ampersona/config.json
# A state file the loop missed: the same state, still signed with the old key.
cp old-release_bot.state personas/release_bot.state.json
expect_true "release_bot state back on the old key" test "$(key_of personas/release_bot.state.json)" = k-2026-Q1
rev_before=$(py "import json; print(json.load(open('personas/release_bot.state.json'))['state_rev'])")
# State files are re-signed automatically on next gate evaluation
amp gate personas/release_bot.json --evaluate onboarding --metrics m.json
expect_exit 1
expect_true "state re-signed with the configured key" test "$(key_of personas/release_bot.state.json)" = k-2026-Q2
expect_true "re-signing alone keeps state_rev" test "$(py "import json; print(json.load(open('personas/release_bot.state.json'))['state_rev'])")" = "$rev_before"

begin "planned rotation: retire the old key after the grace period"
amp trust retire k-2026-Q1 --grace 30d
expect_exit 0
amp fleet personas/ --check
expect_exit 0
AMP_NOW=2099-01-01T00:00:00Z amp fleet personas/ --check
expect_exit 0
cp "$REFERENCE/quiet_stone_v1.json" stale.json
amp sign stale.json --key old.key --key-id k-2026-Q1
AMP_NOW=2099-01-01T00:00:00Z amp verify stale.json
expect_exit 1
expect_stdout "grace period ended"

begin "backup: the runbook's tar command and checks"
# The runbook's commands exactly as an operator types them, with the real binary.
unset -f amp
# Full backup
tar czf ampersona-backup-$(date +%Y%m%d).tar.gz \
  personas/*.json \
  personas/*.state.json \
  personas/*.audit.jsonl \
  personas/*.drift.jsonl \
  personas/*.integrity.json \
  .ampersona/
expect_true "tar succeeded" test $? = 0
# Verify backup integrity
amp fleet personas/ --check --json > backup-check.json
expect_true "fleet check passed" test $? = 0
amp() { run_amp "$@"; }
expect_true "backup-check.json is a passing report" py "import json; d=json.load(open('backup-check.json')); assert d['ok'] and d['summary']['personas'] == 2"
amp audit personas/*.json --verify
expect_exit 0
expect_stdout "personas/agent.json: intact"
expect_stdout "personas/release_bot.json: intact"

begin "restore into a new place: the four checks"
mkdir restored
tar xzf ampersona-backup-*.tar.gz -C restored
(
    cd restored || exit 3
    amp fleet personas/ --check
    echo "$CODE" >../restore-fleet.code
    codes=
    for f in personas/*.json; do amp audit "$f" --verify; codes="$codes$CODE"; done
    echo "$codes" >../restore-audit.codes
    amp audit personas/*.json --verify --json
    printf '%s' "$OUT" >../restore-continuity.json
)
expect_true "signatures verify after restore" test "$(cat restore-fleet.code)" = 0
expect_true "every audit chain verifies after restore" test "$(cat restore-audit.codes)" = 000000
expect_true "state_rev continuity holds" py "
import json
d = json.load(open('restore-continuity.json'))
assert all(p['state_rev']['state_file']['status'] == 'consistent' and 'problem' not in p['state_rev'] for p in d['personas'])"

begin "restore with one state file from an older backup fails with 'behind'"
cp personas/agent.state.json older.state
amp gate personas/agent.json --evaluate trusted --metrics m.json
expect_exit 2
cp older.state personas/agent.state.json
amp audit personas/agent.json --verify
expect_exit 1
expect_stdout "behind its audit log"
amp gate personas/agent.json --evaluate '*' --metrics m.json
expect_exit 3
expect_stderr "amp state rebuild"
amp fleet personas/ --check
expect_exit 1

begin "recovery from a corrupted state file"
printf '{"corrupt' >personas/agent.state.json
cd personas
# 1. Check audit chain integrity
amp audit agent.json --verify
expect_exit 1
expect_stdout "the state file cannot be read"
expect_stdout "agent.state.json:1:"
# 2. Last valid state is in the audit log's most recent StateChange entry
amp state rebuild agent.json --key ../admin.key
expect_exit 0
amp audit agent.json --verify
expect_exit 0
# 3. Re-evaluate current gate from last known good state
amp gate agent.json --evaluate '*' --metrics ../m.json
expect_exit 2
cd ..

begin "recovery from a corrupted audit chain"
cd personas
# Tamper with the newest gate decision, recorded after the last signed checkpoint.
edited=$(py "
lines = open('agent.audit.jsonl', 'rb').read().split(b'\n')
index = max(i for i, line in enumerate(lines) if b'\"decision\":\"pending_human\"' in line)
lines[index] = lines[index].replace(b'\"schema_valid\":true', b'\"schema_valid\":false')
open('agent.audit.jsonl', 'wb').write(b'\n'.join(lines))
print(index)")
broken=$((edited + 1))
# 1. Find last valid checkpoint
amp audit agent.json --verify  # reports break point
expect_exit 1
expect_stdout "entry $broken (line $((broken + 1)))"
expect_stdout "anchored by the signed snapshot: entries 0.."
# 4. Create new checkpoint at current state
amp sign agent.state.json --key ../admin.key
expect_exit 0
expect_stderr "--acknowledge $broken"
amp audit agent.json --checkpoint-create --sign-key ../admin.key --acknowledge "$broken" --reason "IR-2211 reviewed"
expect_exit 0
amp audit agent.json --verify
expect_stdout "acknowledged by the snapshot's signer: IR-2211 reviewed"
cd ..

begin "emergency rotation"
# 1. Revoke compromised key immediately
amp trust revoke k-2026-Q2 --reason "IR-4242 key compromise"
expect_exit 0
amp verify personas/release_bot.json
expect_exit 1
expect_stdout "IR-4242"
# 2. Generate new keypair
amp keygen --key-id k-2026-Q3 -o q3
amp trust add q3.pub --key-id k-2026-Q3
printf '{"signing": {"key": "q3.key", "key_id": "k-2026-Q3"}}\n' >.ampersona/config.json
# 3. Re-sign all personas and state files
for f in personas/*.json; do amp sign "$f" --key q3.key; done
amp verify personas/release_bot.json personas/release_bot.state.json
expect_exit 0
# 4. Run amp audit --verify on all audit chains
amp audit personas/release_bot.json --verify
expect_exit 0
# 5. Review the audit log for changes during the compromise window
amp audit personas/release_bot.json --verify --json
expect_json 'd["personas"][0]["audit"]["entries"] > 0'
# 6. Document incident in audit log
cd personas
# Override records serve as incident documentation
amp gate release_bot.json --override onboarding --reason "Key compromise IR-XXX" --approver admin@co.com
expect_exit 0
expect_file_contains release_bot.audit.jsonl '"reason":"Key compromise IR-XXX","approver":"admin@co.com"'
amp audit release_bot.json --note "IR-4242: reviewed entries since the compromise" --approver admin@co.com
expect_exit 0
cd ..

begin "playbook 1: unauthorized state transition"
cp "$REFERENCE/quiet_stone_v1.json" p1.json
amp sign p1.json --key q3.key
amp gate p1.json --evaluate onboarding --metrics m.json
amp gate p1.json --override trusted --reason "test setup" --approver admin@co.com
amp status p1.json --json
expect_exit 0
expect_json 'd["current_phase"] == "trusted"'
amp audit p1.json --verify
expect_exit 0
amp gate p1.json --override trust_decay --reason "Unauthorized transition IR-XXX" --approver admin@co.com
expect_exit 0
amp status p1.json --json
expect_json 'd["current_phase"] == "active"'

begin "playbook 2: elevation stuck active"
AMP_NOW=2098-06-01T09:00:00Z amp elevate p1.json --elevation release-deploy --reason "deploy" --approver lead@co.com
AMP_NOW=2098-06-01T11:00:00Z amp status p1.json --json
expect_json 'd["elevations"][0]["expired"] is True and len(d["expired_unrecorded"]) == 1'
AMP_NOW=2098-06-01T11:00:00Z amp gate p1.json --evaluate trust_decay --metrics m.json
expect_true "expiry recorded" grep -q '"action":"expire"' p1.audit.jsonl
amp status p1.json --json
expect_json 'd["elevations"] == []'
AMP_NOW=2098-06-02T09:00:00Z amp elevate p1.json --elevation release-deploy --reason "again" --approver lead@co.com
AMP_NOW=2098-06-02T09:05:00Z amp elevate p1.json --revoke release-deploy --reason "stuck, deactivated by hand"
expect_exit 0

begin "playbook 3: chain verification failure re-anchored"
amp audit p1.json --checkpoint-create --sign-key q3.key
expect_exit 0
amp audit p1.json --checkpoint-verify
expect_exit 0

begin "playbook 4: gate flapping"
amp status p1.json --drift
expect_exit 0
expect_stdout "drift ledger"
expect_stdout "tasks_completed"
py "import json; d=json.load(open('p1.json')); d['gates'][2]['enforcement']='observe'; d.pop('signature'); json.dump(d, open('p1.json','w'), indent=2)"
amp sign p1.json --key q3.key
amp gate p1.json --override trusted --reason "test setup" --approver admin@co.com
printf '{"schema_valid": true, "tasks_completed": 25, "error_rate": 0.03, "policy_violations": 9}\n' >bad.json
amp gate p1.json --evaluate trust_decay --metrics bad.json --json
expect_exit 0
expect_json 'd["outcome"] == "observed" and d["current_phase"] == "trusted"'

finish
