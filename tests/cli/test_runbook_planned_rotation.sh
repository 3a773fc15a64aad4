#!/usr/bin/env bash
# Runbook, planned key rotation. A new key k-2026-Q2 signs every persona,
# state file and snapshot, and the next gate evaluation re-signs a state file.
# The public key reaches another trust store. k-2026-Q1 is retired with a
# grace period, after which its signatures fail.
source "$AMP_TEST_LIB"
source "$(dirname "$AMP_TEST_LIB")/runbook_fleet.sh"

# Prints TIME (RFC 3339, UTC) plus SECONDS.
seconds_after() {
    python3 -c 'import datetime, sys
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(seconds=int(sys.argv[2]))
print(t.strftime("%Y-%m-%dT%H:%M:%SZ"))' "$1" "$2"
}

export AMP_NOW=2026-04-03T09:00:00Z
# A persona as signed before the rotation, to try the old key's signatures
# during and after the grace period.
cp personas/agent.json q1-agent.json
# A consumer verifies copies of the personas against its own trust store,
# which contains only the keys from before the rotation.
mkdir -p consumer/.ampersona
cp .ampersona/trust.json consumer/.ampersona/trust.json

begin "planned rotation 1: generate the new key pair"
amp keygen --key-id k-2026-Q2 -o new
expect_exit 0
expect_stdout 'created key pair "k-2026-Q2"'
expect_equal "private key mode" 600 "$(stat -c %a new.key)"
# The new key goes into the trust store before anything is signed with it.
amp trust add new.pub --key-id k-2026-Q2
expect_exit 0
amp trust list --json
expect_json '[(k["algorithm"], k["status"]) for k in d["keys"] if k["key_id"] == "k-2026-Q2"] == [("ed25519", "active")]'

begin "planned rotation 2: re-sign all active personas"
amp fleet personas/ --check  # verify current state
expect_exit 0
expect_stdout "3 personas checked: 3 ok, 0 failed"
for f in personas/*.json; do
  amp sign "$f" --key new.key --key-id k-2026-Q2
  expect_exit 0
  expect_stdout "signed $f (key k-2026-Q2)"
done
# The glob matches personas, state files and snapshots alike.
expect_equal "files the loop signed" 9 "$(ls personas/*.json | wc -l)"
for f in personas/*.json; do
    expect_equal "key of $f" k-2026-Q2 "$(key_of "$f")"
done
# Signing the loop's last file, a state file, also refreshed its snapshot.
expect_stdout "refreshed integrity snapshot personas/triage_agent.integrity.json (key k-2026-Q2)"
amp fleet personas/ --check
expect_exit 0
amp audit personas/*.json --verify
expect_exit 0
expect_stdout "snapshot: signature valid (key k-2026-Q2, signer ops@example.org), audit anchor matches"

begin "planned rotation 3: gate evaluation re-signs with the configured key"
rev_before=$(state_rev_of agent)
# config.json still names k-2026-Q1, so the evaluation signs the state file
# back with that old key.

# State files are re-signed automatically on next gate evaluation
amp gate personas/agent.json --evaluate onboarding --metrics m.json
expect_exit 1
expect_stdout 'gate "onboarding" starts from phase (not onboarded), but the current phase is active: nothing fired'
expect_equal "state signed with the key config.json names" k-2026-Q1 "$(key_of personas/agent.state.json)"
cat >.ampersona/config.json <<'EOF'
{"signing": {"key": "new.key", "key_id": "k-2026-Q2"},
 "policy": {"require_signed_personas": true, "require_signed_state": true}}
EOF
audit_lines_before=$(line_count personas/agent.audit.jsonl)
drift_lines_before=$(line_count personas/agent.drift.jsonl)
# State files are re-signed automatically on next gate evaluation
amp gate personas/agent.json --evaluate onboarding --metrics m.json
expect_exit 1
expect_equal "state re-signed with the new key" k-2026-Q2 "$(key_of personas/agent.state.json)"
expect_equal "re-signing keeps state_rev" "$rev_before" "$(state_rev_of agent)"
expect_equal "no audit entry for the re-signing" "$audit_lines_before" "$(line_count personas/agent.audit.jsonl)"
expect_equal "one drift line for the evaluation" $((drift_lines_before + 1)) "$(line_count personas/agent.drift.jsonl)"
amp verify personas/*.state.json
expect_exit 0
expect_stdout "personas/agent.state.json: valid (key k-2026-Q2, signer amp (state mutation), signed 2026-04-03T09:00:00Z)"
expect_stdout "personas/release_bot.state.json: valid (key k-2026-Q2, signer ops@example.org"
expect_stdout "personas/triage_agent.state.json: valid (key k-2026-Q2, signer ops@example.org"

begin "planned rotation 4: distribute the public key to a consumer"
cp personas/release_bot.json consumer/release_bot.json
cd consumer || exit 3
amp verify release_bot.json
expect_exit 1
expect_stdout 'INVALID: key_id "k-2026-Q2" is not in the trust store'
amp trust add ../new.pub --key-id k-2026-Q2
expect_exit 0
expect_stdout "consumer/.ampersona/trust.json"
amp verify release_bot.json
expect_exit 0
expect_stdout "release_bot.json: valid (key k-2026-Q2"
cd ..

begin "planned rotation 5: retire the old key after the grace period"
amp fleet personas/ --check
expect_exit 0
amp trust retire k-2026-Q1 --grace 30d
expect_exit 0
valid_until=$(json_value .ampersona/trust.json '[k["valid_until"] for k in d["keys"] if k["key_id"] == "k-2026-Q1"][0]')
expect_equal "grace period of 30 days" "$(seconds_after 2026-04-03T09:00:00Z $((30 * 86400)))" "$valid_until"
expect_stdout "retired key \"k-2026-Q1\"; its signatures are accepted until $valid_until"
amp trust list
expect_stdout "k-2026-Q1            retired  2026-04-01T09:00:00Z accepted until $valid_until"
amp fleet personas/ --check
expect_exit 0

begin "planned rotation 5: the old key during the grace period"
amp verify q1-agent.json
expect_exit 0
expect_stdout "q1-agent.json: valid (key k-2026-Q1"
expect_stderr "key k-2026-Q1 is retired; signatures by it are accepted only until $valid_until"
AMP_NOW=$valid_until amp verify q1-agent.json
expect_exit 0

begin "planned rotation 5: the old key refused after the grace period"
export AMP_NOW=$(seconds_after "$valid_until" 1)
amp verify q1-agent.json
expect_exit 1
expect_stdout "q1-agent.json: INVALID: key k-2026-Q1 was retired and its grace period ended at $valid_until"
amp gate q1-agent.json --evaluate onboarding --metrics m.json
expect_exit 3
expect_stderr "grace period ended at $valid_until; refusing to change state"
expect_true "no state file for the refused persona" test ! -e q1-agent.state.json
# The rotated fleet no longer depends on the old key.
amp fleet personas/ --check
expect_exit 0
AMP_NOW=2099-01-01T00:00:00Z amp fleet personas/ --check
expect_exit 0

finish
