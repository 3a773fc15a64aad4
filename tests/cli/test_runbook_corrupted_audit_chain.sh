#!/usr/bin/env bash
# Runbook, recovery from a corrupted audit chain. A gate decision recorded
# after the last signed checkpoint is edited. The operator finds the break,
# trusts what the snapshot anchors, reviews the rest against a backup, and
# re-anchors the chain with a new signed checkpoint.
source "$AMP_TEST_LIB"
source "$(dirname "$AMP_TEST_LIB")/runbook_fleet.sh"

export AMP_NOW=2026-04-03T09:00:00Z
cd personas || exit 3
cp agent.audit.jsonl ../agent.audit.backup
cp agent.integrity.json ../agent.integrity.before
# Raises the recorded tasks_completed of the newest pending_human decision.
edited=$(python3 -c '
lines = open("agent.audit.jsonl", "rb").read().split(b"\n")
index = max(i for i, line in enumerate(lines) if b"\"decision\":\"pending_human\"" in line)
lines[index] = lines[index].replace(b"\"tasks_completed\":25", b"\"tasks_completed\":52")
open("agent.audit.jsonl", "wb").write(b"\n".join(lines))
print(index)')
broken=$((edited + 1))
entries=$(line_count agent.audit.jsonl)

begin "corrupted chain 1: find the break point"
# 1. Find last valid checkpoint
amp audit agent.json --verify  # reports break point
expect_exit 1
expect_stdout "agent.json: DAMAGED"
expect_stdout "content_changed entry $broken (line $((broken + 1)))"
expect_stdout "entry $edited was changed"
expect_stdout "computed prev_hash: sha256:"
expect_stdout "recorded prev_hash: sha256:"
expect_stdout "anchored by the signed snapshot: entries 0.."
expect_stderr "--acknowledge $broken --reason R"
amp fleet . --check
expect_exit 1
expect_stdout "history ./agent.json: audit history is damaged or inconsistent"

begin "corrupted chain 2: entries before the break are anchored"
# 2. Entries before the break are trusted (anchored by signed checkpoint)
amp audit agent.json --verify --json
anchored_last=$(json_value /dev/stdin 'd["personas"][0]["anchored_range"]["last"]' <<<"$OUT")
expect_json 'd["personas"][0]["anchored_range"]["first"] == 0'
expect_true "anchored range ends before the edited entry" test "$anchored_last" -lt "$edited"
expect_json 'd["personas"][0]["integrity"]["signature"]["status"] == "valid" and d["personas"][0]["integrity"]["audit_anchor_matches"]'
expect_equal "anchored lines unchanged since the backup" \
    "$(head -n $((anchored_last + 1)) ../agent.audit.backup)" "$(head -n $((anchored_last + 1)) agent.audit.jsonl)"

begin "corrupted chain 3: entries after the break are reviewed"
# 3. Entries after the break must be manually reviewed
expect_json "d['personas'][0]['review_range'] == {'first': $edited, 'last': $((entries - 1))}"
# Compared with the backup, only the edited line differs.
changed_lines=$(python3 -c '
import sys
now = open("agent.audit.jsonl").read().split("\n")
backup = open("../agent.audit.backup").read().split("\n")
print(" ".join(str(n + 1) for n, (a, b) in enumerate(zip(now, backup)) if a != b))')
expect_equal "lines that differ from the backup" "$((edited + 1))" "$changed_lines"

begin "corrupted chain 4: create a new checkpoint at current state"
# 4. Create new checkpoint at current state
amp sign agent.state.json --key ../admin.key
expect_exit 0
expect_stdout "signed agent.state.json (key admin)"
expect_stderr "the integrity snapshot was left unchanged"
expect_stderr "--acknowledge $broken"
expect_same_bytes agent.integrity.json ../agent.integrity.before
# Only the first break can be acknowledged.
amp audit agent.json --checkpoint-create --sign-key ../admin.key --acknowledge "$edited" --reason "IR-2211 reviewed"
expect_exit 3
expect_stderr "the next break is entry $broken (content_changed)"
amp audit agent.json --checkpoint-create --sign-key ../admin.key --acknowledge "$broken" --reason "IR-2211 reviewed"
expect_exit 0
expect_stdout "wrote agent.integrity.json: audit entries $entries"
expect_stdout "signed with key admin"
expect_stdout "break at entry $broken acknowledged: IR-2211 reviewed"
expect_equal "a Checkpoint entry records the acknowledgement" "[{\"entry\": $broken, \"reason\": \"IR-2211 reviewed\"}]" \
    "$(jsonl_value agent.audit.jsonl 'e[-1]["acknowledged"] if e[-1]["event_type"] == "Checkpoint" else None')"
amp audit agent.json --verify
expect_exit 0
expect_stdout "agent.json: intact"
expect_stdout "break at entry $broken acknowledged by the snapshot's signer: IR-2211 reviewed"
expect_stdout "snapshot: signature valid (key admin, signer ops@example.org), audit anchor matches"
amp fleet . --check
expect_exit 0

finish
