#!/usr/bin/env bash
# Runbook, restore. The backup archive is extracted into a directory outside
# the original workspace and passes the four checks: signatures, audit
# chains, state_rev continuity and snapshots. Then the signing key is put
# back and operations resume. A state file or an audit log from an older
# backup fails the checks.
source "$AMP_TEST_LIB"
source "$(dirname "$AMP_TEST_LIB")/runbook_fleet.sh"

export AMP_NOW=2026-04-03T09:00:00Z
back_up_fleet
archive="$WORK/$(ls ampersona-backup-*.tar.gz)"

# The new place has no workspace above it, so nothing of the original one
# can stand in for what the archive lacks.
SITE=$(mktemp -d "${TMPDIR:-/tmp}/amp-restore-site.XXXXXX")
trap 'rm -rf "$WORK" "$SITE"' EXIT
cd "$SITE" || exit 3

begin "restore 1: extract the backup archive"
mkdir restore && cd restore && tar xzf "$archive"
expect_equal "tar exit code" 0 "$?"
for persona in $FLEET_PERSONAS; do
    for suffix in .json .state.json .audit.jsonl .drift.jsonl .integrity.json; do
        expect_same_bytes "personas/$persona$suffix" "$WORK/personas/$persona$suffix"
    done
done
expect_same_bytes .ampersona/trust.json "$WORK/.ampersona/trust.json"

begin "restore 2: verify all signatures"
amp fleet personas/ --check
expect_exit 0
expect_stdout "3 personas checked: 3 ok, 0 failed"

begin "restore 3: verify all audit chains"
for f in personas/*.json; do amp audit "$f" --verify; expect_exit 0; expect_stdout ": intact"; done

begin "restore 4: verify state_rev continuity"
amp audit personas/*.json --verify --json
expect_exit 0
expect_json 'len(d["personas"]) == 3'
expect_json 'all("problem" not in p["state_rev"] for p in d["personas"])'
expect_json 'all(p["state_rev"]["state_file"]["status"] == "consistent" for p in d["personas"])'
expect_json '[p["state_rev"]["latest_state_rev"] for p in d["personas"]] == [2, 1, 1]'
for persona in $FLEET_PERSONAS; do
    amp audit "personas/$persona.json" --checkpoint-verify
    expect_exit 0
    expect_stdout "personas/$persona.integrity.json: valid"
    expect_stdout "audit anchor matches: true"
done

begin "restore 5: resume operations once the signing key is back"
# The archive contains no private key. config.json names old.key in the
# workspace root, and every state change fails until the file is there.
amp gate personas/agent.json --approve trusted --approver lead@co.com
expect_exit 3
expect_stderr "cannot read $SITE/restore/old.key"
cp "$WORK/old.key" old.key
amp gate personas/agent.json --approve trusted --approver lead@co.com
expect_exit 0
expect_stdout 'gate "trusted" approved by lead@co.com: active -> trusted'
amp status personas/agent.json --json
expect_json 'd["current_phase"] == "trusted" and d["state_rev"] == 3 and d["state_signature"]["key_id"] == "k-2026-Q1"'
amp audit personas/*.json --verify
expect_exit 0

begin "restore: a state file from an older backup is behind"
tar xzf "$archive" personas/agent.state.json
amp audit personas/agent.json --verify
expect_exit 1
expect_stdout "personas/agent.state.json is behind its audit log: state_rev 2 but the log records state_rev 3"
amp gate personas/agent.json --evaluate '*' --metrics "$WORK/m.json"
expect_exit 3
expect_stderr "amp state rebuild"
amp fleet personas/ --check
expect_exit 1
amp state rebuild personas/agent.json --key old.key
expect_exit 0
expect_stdout "rebuilt personas/agent.state.json from entry"
expect_stdout "(state_rev 3)"
amp audit personas/agent.json --verify
expect_exit 0

begin "restore: an audit log older than its snapshot"
# Signing the state file re-anchors the snapshot on the current log, so the
# log from the archive has fewer entries than the snapshot anchors.
amp sign personas/agent.state.json --key old.key
expect_exit 0
tar xzf "$archive" personas/agent.audit.jsonl
amp audit personas/agent.json --checkpoint-verify
expect_exit 1
expect_stdout "audit anchor matches: false"
amp audit personas/agent.json --verify
expect_exit 1
expect_stdout "audit anchor does NOT match"

begin "restore: a shorter log is not re-anchored over its signed snapshot"
before=$(sha256sum personas/agent.integrity.json personas/agent.audit.jsonl)
amp audit personas/agent.json --checkpoint-create --sign-key old.key
expect_exit 1
expect_stderr "no longer matches the signed snapshot"
expect_stderr "cut at the end?"
expect_stderr "mv personas/agent.integrity.json personas/agent.integrity.json.INCIDENT"
amp sign personas/agent.state.json --key old.key
expect_exit 0
expect_stderr "no longer matches the signed snapshot"
expect_equal "snapshot and log unchanged" "$before" "$(sha256sum personas/agent.integrity.json personas/agent.audit.jsonl)"

finish
