#!/usr/bin/env bash
# Runbook, backup: the runbook's tar command archives every file of the fleet
# and the workspace settings but no private key, and the two verification
# commands pass on what was archived.
source "$AMP_TEST_LIB"
source "$(dirname "$AMP_TEST_LIB")/runbook_fleet.sh"

export AMP_NOW=2026-04-03T09:00:00Z

begin "backup: the runbook's tar command"
amp_binary
# Full backup
back_up_fleet
expect_equal "tar exit code" 0 "$?"
amp_checked
archives=$(ls ampersona-backup-*.tar.gz)
expect_true "one archive named by the date: $archives" grep -qxE 'ampersona-backup-[0-9]{8}\.tar\.gz' <<<"$archives"

begin "backup: the archive holds the fleet and the settings"
tar tzf "$archives" | sort -u >members.txt
expected_members=$(
    for persona in $FLEET_PERSONAS; do
        for suffix in .json .state.json .audit.jsonl .drift.jsonl .integrity.json; do
            echo "personas/$persona$suffix"
        done
    done
    printf '%s\n' .ampersona/ .ampersona/config.json .ampersona/trust.json
)
expect_equal "archive members" "$(sort <<<"$expected_members")" "$(cat members.txt)"
expect_true "no private key in the archive" test -z "$(grep -E '\.key$' members.txt)"
mkdir unpacked
tar xzf "$archives" -C unpacked
while read -r member; do
    case $member in */) continue ;; esac
    expect_same_bytes "$member" "unpacked/$member"
done <members.txt

begin "backup: verify backup integrity"
amp_binary
# Verify backup integrity
amp fleet personas/ --check --json > backup-check.json
expect_equal "fleet check exit code" 0 "$?"
amp_checked
expect_json_file backup-check.json 'd["ok"] is True'
expect_json_file backup-check.json 'd["summary"] == {"personas": 3, "failed": 0, "skipped": 0, "companion_files": 6}'
expect_json_file backup-check.json 'all(p["persona_signature"]["status"] == "valid" and p["state_signature"]["status"] == "valid" for p in d["personas"])'
amp audit personas/*.json --verify
expect_exit 0
expect_stdout "personas/agent.json: intact"
expect_stdout "personas/release_bot.json: intact"
expect_stdout "personas/triage_agent.json: intact"

begin "backup: the check reports a fleet that fails"
# The same report when a persona no longer verifies: an archive taken now
# would not restore cleanly.
edit_json personas/triage_agent.json 'd["role"] = "Edited after signing"'
amp_binary
amp fleet personas/ --check --json > backup-check.json
expect_equal "fleet check exit code" 1 "$?"
amp_checked
expect_json_file backup-check.json 'd["ok"] is False and d["summary"]["failed"] == 1'
expect_json_file backup-check.json '[e["code"] for p in d["personas"] if p["file"] == "personas/triage_agent.json" for e in p["errors"]] == ["digest_mismatch"]'

finish
