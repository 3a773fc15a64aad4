#!/usr/bin/env bash
# Runbook, playbook 3: amp audit --verify reports a hash mismatch. Lines
# moved out of order are put back from the backup. A modified entry is
# treated as tampering and reviewed, and then a new signed checkpoint that
# acknowledges the break re-anchors the chain.
source "$AMP_TEST_LIB"
source "$(dirname "$AMP_TEST_LIB")/runbook_fleet.sh"

export AMP_NOW=2026-04-03T09:00:00Z
cd personas || exit 3
cp agent.audit.jsonl ../agent.audit.backup
entries=$(line_count agent.audit.jsonl)

# Prints the 1-based numbers of the lines of the audit log that differ from
# the backup.
lines_changed_since_backup() {
    python3 -c '
now = open("agent.audit.jsonl").read().split("\n")
backup = open("../agent.audit.backup").read().split("\n")
print(" ".join(str(n + 1) for n, (a, b) in enumerate(zip(now, backup)) if a != b))'
}

# Lines 4 and 5 swap places, as a tool that merged or rewrote the file might.
python3 -c '
lines = open("agent.audit.jsonl", "rb").read().split(b"\n")
lines[3], lines[4] = lines[4], lines[3]
open("agent.audit.jsonl", "wb").write(b"\n".join(lines))'

begin "playbook 3 step 1: note where the chain breaks"
amp audit agent.json --verify
expect_exit 1
expect_stdout "out_of_order entry 3 (line 4) links to entry 4 instead of entry 2: entries are out of order"
amp audit agent.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["kind"] == "out_of_order"'
expect_json 'd["personas"][0]["audit"]["damage"]["index"] == 3 and d["personas"][0]["audit"]["damage"]["line"] == 4'
expect_json 'd["personas"][0]["audit"]["damage"]["links_to"] == 4'

begin "playbook 3 step 2: compare the entries around the break"
expect_equal "lines that differ from the backup" "4 5" "$(lines_changed_since_backup)"
expect_equal "line 4 is the backup's line 5" "$(sed -n 5p ../agent.audit.backup)" "$(sed -n 4p agent.audit.jsonl)"

begin "playbook 3 step 3: entries out of order are put back in order"
cp ../agent.audit.backup agent.audit.jsonl
amp audit agent.json --verify
expect_exit 0
expect_stdout "agent.json: intact"

begin "playbook 3 step 4: a modified entry is a content change"
sed -i '4s/"tasks_completed":25/"tasks_completed":52/' agent.audit.jsonl
amp audit agent.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["kind"] == "content_changed" and d["personas"][0]["audit"]["damage"]["index"] == 4'
expect_equal "lines that differ from the backup" "4" "$(lines_changed_since_backup)"
# A damaged chain is not anchored without an acknowledgement.
amp audit agent.json --checkpoint-create --sign-key ../old.key
expect_exit 1
expect_stderr "refusing to anchor a damaged chain"

begin "playbook 3 step 5: a new signed checkpoint re-anchors the chain"
amp audit agent.json --checkpoint-create --sign-key ../old.key --acknowledge 4 --reason "IR-2213 reviewed: entry 3 edited"
expect_exit 0
expect_stdout "wrote agent.integrity.json: audit entries $entries"
expect_stdout "break at entry 4 acknowledged: IR-2213 reviewed: entry 3 edited"
amp audit agent.json --checkpoint-verify
expect_exit 0
expect_stdout "agent.integrity.json: valid"
amp audit agent.json --checkpoint-verify --json
expect_json "d['ok'] and d['integrity']['snapshot']['entries'] == $entries"
expect_json '[(b["entry"], b["reason"]) for b in d["integrity"]["snapshot"]["acknowledged_breaks"]] == [(4, "IR-2213 reviewed: entry 3 edited")]'
expect_json 'd["integrity"]["signature"]["status"] == "valid" and d["integrity"]["signature"]["key_id"] == "k-2026-Q1"'
# The acknowledgement pins the reviewed link: the hashes of entries 3 and 4 as they are now.
expect_equal "pinned to the reviewed lines" \
    "$(python3 -c 'import hashlib; l=open("agent.audit.jsonl","rb").read().split(b"\n"); print(" ".join("sha256:"+hashlib.sha256(x).hexdigest() for x in l[3:5]))')" \
    "$(json_value agent.integrity.json '" ".join([d["acknowledged_breaks"][0]["previous_entry_hash"], d["acknowledged_breaks"][0]["entry_hash"]])')"
# Editing the reviewed entry again after the review is a new break.
cp agent.audit.jsonl agent.audit.reviewed
sed -i '4s/"ts":/"ts" :/' agent.audit.jsonl
amp audit agent.json --verify
expect_exit 1
expect_stdout "DAMAGED"
cp agent.audit.reviewed agent.audit.jsonl
amp audit agent.json --verify
expect_exit 0
amp audit agent.json --verify
expect_exit 0
expect_stdout "anchored by the signed snapshot: entries 0..$((entries - 1))"

finish
