#!/usr/bin/env bash
# Runbook, emergency rotation: k-2026-Q1 leaks, someone uses it, and the
# operator revokes it, re-signs with k-2026-Q3, verifies every chain, finds
# the changes made during the compromise window and records the incident.
source "$AMP_TEST_LIB"
source "$(dirname "$AMP_TEST_LIB")/runbook_fleet.sh"

# The versions of the personas that were last reviewed, as version control
# or a backup would hold them.
mkdir reviewed
cp personas/agent.json personas/release_bot.json personas/triage_agent.json reviewed/

# The compromise window: someone with the leaked key promotes release_bot
# and widens its autonomy, signing the edited persona with the stolen key.
window_start=2026-04-02T10:00:00Z
revoked_at=2026-04-03T09:00:00Z
export AMP_NOW=2026-04-02T12:00:00Z
amp gate personas/release_bot.json --override trusted --reason "routine" --approver mallory@example.org
edit_json personas/release_bot.json 'd["authority"]["autonomy"] = "full"'
amp sign personas/release_bot.json --key old.key --signer mallory@example.org

begin "emergency rotation: the stolen key still verifies"
amp fleet personas/ --check
expect_exit 0

begin "emergency rotation 1: revoke the compromised key"
export AMP_NOW=$revoked_at
amp trust revoke k-2026-Q1 --reason "IR-4242 key compromise"
expect_exit 0
expect_stdout 'revoked key "k-2026-Q1" (reason: IR-4242 key compromise); every signature by it now fails verification'
expect_stderr "generate the new key: amp keygen --key-id NEW_ID"
expect_stderr "then re-sign personas and state files with the new key"
amp trust list --json
expect_json '[(k["status"], k["reason"]) for k in d["keys"] if k["key_id"] == "k-2026-Q1"] == [("revoked", "IR-4242 key compromise")]'
amp verify personas/release_bot.json
expect_exit 1
expect_stdout "personas/release_bot.json: INVALID: key k-2026-Q1 was revoked at $revoked_at (reason: IR-4242 key compromise)"
amp fleet personas/ --check
expect_exit 1
expect_stdout "3 personas checked: 0 ok, 3 failed"
expect_stdout "untrusted_key personas/agent.state.json: key k-2026-Q1 was revoked"
cd personas
amp gate agent.json --override onboarding --reason "Key compromise IR-XXX" --approver admin@co.com
expect_exit 3
expect_stderr "refusing to sign with it"
cd ..

begin "emergency rotation: chains checked before re-signing"
# Re-signing a state file re-anchors its snapshot on the log as it is, so the
# logs are checked first. DAMAGED comes from the snapshots' revoked key only.
amp audit personas/*.json --verify --json
expect_exit 1
expect_json 'len(d["personas"]) == 3'
expect_json 'all("damage" not in p["audit"] and "damage" not in p["drift"] for p in d["personas"])'
expect_json 'all(p["integrity"]["audit_anchor_matches"] and p["integrity"]["drift_anchor_matches"] for p in d["personas"])'
expect_json 'all("problem" not in p["state_rev"] for p in d["personas"])'
expect_json 'all(p["integrity"]["signature"]["status"] == "invalid" and "revoked" in p["integrity"]["signature"]["error"] for p in d["personas"])'

begin "emergency rotation 2: generate a new key pair"
amp keygen --key-id k-2026-Q3 -o q3
expect_exit 0
amp trust add q3.pub --key-id k-2026-Q3
expect_exit 0
cat >.ampersona/config.json <<'EOF'
{"signing": {"key": "q3.key", "key_id": "k-2026-Q3"},
 "policy": {"require_signed_personas": true, "require_signed_state": true}}
EOF

begin "emergency rotation 3: re-sign all personas and state files"
amp sign personas/release_bot.json --key old.key
expect_exit 3
expect_stderr 'this signing key is revoked'
expect_stderr '"k-2026-Q1" (IR-4242 key compromise)'
for f in personas/*.json; do
    amp sign "$f" --key q3.key
    expect_exit 0
    expect_stdout "signed $f (key k-2026-Q3)"
done
for f in personas/*.json; do
    expect_equal "key of $f" k-2026-Q3 "$(key_of "$f")"
done
amp verify personas/release_bot.json personas/release_bot.state.json
expect_exit 0

begin "emergency rotation 4: verify all audit chains"
amp audit personas/*.json --verify
expect_exit 0
for persona in $FLEET_PERSONAS; do
    expect_stdout "personas/$persona.json: intact"
done
expect_stdout "snapshot: signature valid (key k-2026-Q3, signer ops@example.org), audit anchor matches"
expect_no_stdout "DAMAGED"
amp fleet personas/ --check
expect_exit 0

begin "emergency rotation 5: review the compromise window"
# Gate decisions and overrides recorded since the leak, with who approved them.
for persona in $FLEET_PERSONAS; do
    jsonl_value "personas/$persona.audit.jsonl" "
[[\"$persona\", x['event_type'], x['gate_id'], x.get('approver')] for x in e
 if \"$window_start\" <= x['ts'] < \"$revoked_at\" and x['event_type'] in ('GateTransition', 'Override')]"
done >window.txt
expect_equal "decisions in the window" '[]
[["release_bot", "Override", "trusted", "mallory@example.org"]]
[]' "$(cat window.txt)"
# A persona signed with the stolen key verified until the revocation, so each
# persona is compared with its last reviewed version.
for persona in $FLEET_PERSONAS; do
    python3 -c 'import json, sys
unsigned = lambda path: {k: v for k, v in json.load(open(path)).items() if k != "signature"}
sys.exit(0 if unsigned(sys.argv[1]) == unsigned(sys.argv[2]) else 1)' "personas/$persona.json" "reviewed/$persona.json" ||
        echo "$persona"
done >changed.txt
expect_equal "personas changed since the review" release_bot "$(cat changed.txt)"
cp reviewed/release_bot.json personas/release_bot.json
amp sign personas/release_bot.json --key q3.key
expect_exit 0
amp status personas/release_bot.json --json
expect_json 'd["autonomy"] == "supervised" and d["persona_signature"]["key_id"] == "k-2026-Q3"'
amp gate personas/release_bot.json --override trust_decay --reason "Unauthorized override IR-4242" --approver admin@co.com
expect_exit 0
expect_stdout 'override of gate "trust_decay" by admin@co.com: trusted -> active'

begin "emergency rotation 6: document the incident in the audit log"
cd personas
rev_before=$(json_value agent.state.json 'd["state_rev"]')
cp agent.state.json ../agent.state.before
# Override records serve as incident documentation
amp gate agent.json --override onboarding --reason "Key compromise IR-XXX" --approver admin@co.com
expect_exit 0
expect_stdout 'agent.json: already in phase active: override of gate "onboarding" recorded as an incident entry'
expect_file_contains agent.audit.jsonl '"reason":"Key compromise IR-XXX","approver":"admin@co.com"'
expect_equal "the last entry is the override" '["Override", "active", "active", '"$rev_before"']' \
    "$(jsonl_value agent.audit.jsonl '[e[-1]["event_type"], e[-1]["from_phase"], e[-1]["to_phase"], e[-1]["state_rev"]]')"
expect_same_bytes agent.state.json ../agent.state.before
amp audit triage_agent.json --note "IR-4242: k-2026-Q1 compromised, revoked, fleet re-signed with k-2026-Q3" --approver admin@co.com
expect_exit 0
expect_stdout "recorded note in triage_agent.audit.jsonl by admin@co.com"
expect_equal "the note is the last entry" '["Note", "admin@co.com"]' \
    "$(jsonl_value triage_agent.audit.jsonl '[e[-1]["event_type"], e[-1]["approver"]]')"
cd ..
amp audit personas/*.json --verify
expect_exit 0

finish
