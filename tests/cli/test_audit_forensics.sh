#!/usr/bin/env bash
# amp audit --verify on real logs written by amp and then damaged: the
# reported entry, kind and exit code; snapshots, acknowledgements, rebuild.
source "$AMP_TEST_LIB"

py() { python3 -c "$1"; }
printf '{"schema_valid": true}\n' >onboard.json
amp keygen --key-id k1 -o k1
amp trust add k1.pub --key-id k1

# A persona with a history of 10 audit entries: onboarding, then four
# renewals of one elevation, each an event plus its StateChange.
make_history() {
    rm -f "$1".*
    cp "$REFERENCE/quiet_stone_v1.json" "$1.json"
    AMP_NOW=2026-04-01T09:00:00Z "$AMP" gate "$1.json" --evaluate onboarding --metrics onboard.json >/dev/null
    for minute in 10 20 30 40; do
        AMP_NOW=2026-04-01T09:$minute:00Z "$AMP" elevate "$1.json" --elevation release-deploy --reason "r$minute" --approver lead@example.org >/dev/null
    done
}

# Rewrites line N (1-based) of a file with a Python expression on `line`.
edit_line() {
    py "
import sys
lines = open('$1', 'rb').read().split(b'\n')
line = lines[$2 - 1]
lines[$2 - 1] = $3
open('$1', 'wb').write(b'\n'.join(lines))"
}

begin "intact history"
make_history a
amp audit a.json --verify --json
expect_exit 0
expect_json 'd["intact"] and d["personas"][0]["audit"]["entries"] == 10'

begin "content changed"
make_history b
edit_line b.audit.jsonl 4 "line.replace(b'lead@example.org', b'evil@example.org')"
amp audit b.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["kind"] == "content_changed"'
expect_json 'd["personas"][0]["audit"]["damage"]["index"] == 4 and d["personas"][0]["audit"]["damage"]["line"] == 5'
expect_json 'd["personas"][0]["audit"]["damage"]["computed_hash"] != d["personas"][0]["audit"]["damage"]["recorded_hash"]'
amp audit b.json --verify
expect_stdout "computed prev_hash: sha256:"
expect_stdout "recorded prev_hash: sha256:"
expect_stdout "needs manual review: entries 3..9"
expect_stderr "--acknowledge 4 --reason R"

begin "entry removed"
make_history c
sed -i '6d' c.audit.jsonl
amp audit c.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["kind"] == "content_changed" and d["personas"][0]["audit"]["damage"]["index"] == 5'

begin "entries out of order"
make_history d
py "
lines = open('d.audit.jsonl').read().splitlines(True)
lines[3], lines[4] = lines[4], lines[3]
open('d.audit.jsonl', 'w').write(''.join(lines))"
amp audit d.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["kind"] == "out_of_order" and d["personas"][0]["audit"]["damage"]["index"] == 3'
expect_json 'd["personas"][0]["audit"]["damage"]["links_to"] == 4'
amp audit d.json --checkpoint-create --sign-key k1.key --acknowledge 3 --reason "swap reviewed"
expect_exit 1
expect_stderr "--acknowledge 3 --acknowledge 4 --acknowledge 5 --reason R"
amp audit d.json --checkpoint-create --sign-key k1.key --acknowledge 3 --acknowledge 4 --acknowledge 5 --reason "swap reviewed"
expect_exit 0
amp audit d.json --verify --json
expect_json 'd["personas"][0]["audit"]["intact"] is True'

begin "second genesis"
make_history e
edit_line e.audit.jsonl 7 "line[:line.index(b'\"prev_hash\":')] + b'\"prev_hash\":\"genesis\",\"ts\":\"2026-04-01T09:30:00Z\"}'"
amp audit e.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["kind"] == "second_genesis" and d["personas"][0]["audit"]["damage"]["index"] == 6'

begin "a line that is not JSON"
make_history f
edit_line f.audit.jsonl 3 "b'this is not json'"
amp audit f.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["kind"] == "not_json" and d["personas"][0]["audit"]["damage"]["index"] == 2'

begin "timestamps going backwards"
make_history g
edit_line g.audit.jsonl 10 "line.replace(b'2026-04-01T09:40:00Z', b'2026-03-01T09:40:00Z')"
amp audit g.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["kind"] == "timestamp_backwards" and d["personas"][0]["audit"]["damage"]["index"] == 9'

begin "state_rev going backwards in an otherwise intact chain"
make_history rev
# Rewrite the third StateChange to an older revision and re-link every later
# line, so only the revisions are wrong.
py "
import hashlib, json
from collections import OrderedDict
lines = open('rev.audit.jsonl', 'rb').read().decode().splitlines()
changes = [i for i, l in enumerate(lines) if '\"event_type\":\"StateChange\"' in l]
target = changes[2]
entry = json.loads(lines[target], object_pairs_hook=OrderedDict)
entry['state_rev'] = 1
lines[target] = json.dumps(entry, separators=(',', ':'), ensure_ascii=False)
for i in range(target + 1, len(lines)):
    entry = json.loads(lines[i], object_pairs_hook=OrderedDict)
    entry['prev_hash'] = 'sha256:' + hashlib.sha256(lines[i - 1].encode()).hexdigest()
    lines[i] = json.dumps(entry, separators=(',', ':'), ensure_ascii=False)
open('rev.audit.jsonl', 'w').write('\n'.join(lines) + '\n')
print(target)" >rev.target
amp audit rev.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["intact"] is True'
expect_json 'd["personas"][0]["state_rev"]["problem"]["kind"] == "state_rev_backwards"'
expect_json 'd["personas"][0]["state_rev"]["problem"]["index"] == '"$(cat rev.target)"

begin "state file behind the log, as after an old backup"
make_history h
cp h.state.json old.state
AMP_NOW=2026-04-01T09:50:00Z amp elevate h.json --elevation release-deploy --reason later --approver lead@example.org
cp old.state h.state.json
amp audit h.json --verify
expect_exit 1
expect_stdout "behind its audit log"

begin "state file ahead of the log"
make_history i
py "
import json
state = json.load(open('i.state.json'))
state['state_rev'] += 1
json.dump(state, open('i.state.json', 'w'), indent=2)"
amp audit i.json --verify
expect_exit 1
expect_stdout "ahead of its audit log"

begin "companion paths name each persona once"
amp audit a.json a.state.json a.audit.jsonl b.drift.jsonl --verify --json
expect_exit 1
expect_json 'len(d["personas"]) == 2'

begin "a log cut at every byte offset of its last two entries"
make_history cut
cp cut.audit.jsonl full.audit
size=$(stat -c %s full.audit)
tail_bytes=$(tail -n 2 full.audit | wc -c)
boundary=$((size - $(tail -n 1 full.audit | wc -c)))
crashes=0 false_intact=0
for offset in $(seq $((size - tail_bytes)) $((size - 1))); do
    head -c "$offset" full.audit >cut.audit.jsonl
    "$AMP" audit cut.json --verify >/dev/null 2>&1
    code=$?
    [ "$code" -ge 2 ] && crashes=$((crashes + 1))
    # Cut exactly at a line boundary is a valid shorter chain, but then the state file is ahead of it.
    if [ "$code" = 0 ]; then false_intact=$((false_intact + 1)); fi
done
expect_true "no crash or error exit while cutting ($crashes)" test "$crashes" = 0
expect_true "never reported intact when cut ($false_intact)" test "$false_intact" = 0

begin "signed snapshot anchors the chain and acknowledgements re-anchor a break"
make_history s
AMP_NOW=2026-04-01T09:45:00Z amp audit s.json --checkpoint-create --sign-key k1.key
expect_exit 0
expect_file_contains s.integrity.json '"audit_file": "s.audit.jsonl"'
amp audit s.json --checkpoint-verify
expect_exit 0
# Line 11 is the Checkpoint; lines 12 and 13 are the renewal and its StateChange.
AMP_NOW=2026-04-01T09:50:00Z amp elevate s.json --elevation release-deploy --reason after --approver lead@example.org
edit_line s.audit.jsonl 12 "line.replace(b'\"reason\":\"after\"', b'\"reason\":\"AFTER\"')"
amp audit s.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["anchored_range"] == {"first": 0, "last": 9}'
expect_json 'd["personas"][0]["review_range"]["first"] == 11'
expect_json 'd["personas"][0]["first_break"] == 12'
amp sign s.state.json --key k1.key
expect_exit 0
expect_stderr "--acknowledge 12"
amp audit s.json --checkpoint-create --sign-key k1.key
expect_exit 1
amp audit s.json --checkpoint-create --sign-key k1.key --acknowledge 5 --reason "wrong entry"
expect_exit 3
amp audit s.json --checkpoint-create --sign-key k1.key --acknowledge 12 --reason "IR-2211 reviewed"
expect_exit 0
amp audit s.json --verify --json
expect_exit 0
expect_json 'd["personas"][0]["audit"]["intact"] is True'
expect_json 'd["personas"][0]["integrity"]["acknowledged_breaks"][0]["reason"] == "IR-2211 reviewed"'

begin "an unsigned snapshot never replaces a signed one"
amp audit s.json --checkpoint-create
expect_exit 3
expect_stderr "refusing to replace it with an unsigned snapshot"

begin "an unsigned snapshot's acknowledgement is not honoured"
make_history u
edit_line u.audit.jsonl 4 "line.replace(b'lead@example.org', b'evil@example.org')"
py "
import json
json.dump({'audit_file': 'u.audit.jsonl', 'entries': 3, 'chain_head': 'x', 'acknowledged_breaks': [{'entry': 4, 'reason': 'forged'}], 'created_at': '2026-04-01T00:00:00Z'}, open('u.integrity.json', 'w'))"
amp audit u.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["index"] == 4'

begin "notes are appended to the chain"
amp audit a.json --note "IR-7: reviewed access" --approver admin@example.org
expect_exit 0
expect_file_contains a.audit.jsonl '"event_type":"Note","text":"IR-7: reviewed access","approver":"admin@example.org"'
amp audit a.json --verify
expect_exit 0

begin "state rebuild from an intact chain"
make_history r
cp r.state.json good.state
printf '{"name": ' >r.state.json
amp status r.json
expect_exit 3
expect_stderr "r.state.json"
amp state rebuild r.json --key k1.key
expect_exit 0
expect_true "rebuilt state equals the last good one" py "
import json
a = json.load(open('r.state.json')); a.pop('signature')
b = json.load(open('good.state')); b.pop('signature', None)
assert a == b, (a, b)"
amp verify r.state.json
expect_exit 0
amp audit r.json --verify
expect_exit 0
expect_file_contains r.audit.jsonl '"action":"state_rebuilt"'

begin "state rebuild from before a break"
make_history rb
edit_line rb.audit.jsonl 5 "line.replace(b'lead@example.org', b'evil@example.org')"
rm rb.state.json
amp state rebuild rb.json --key k1.key --json
expect_exit 0
expect_json 'd["chain_intact"] is False and d["from_entry"] == 3'
expect_json 'd["state"]["state_rev"] == 6'
expect_true "state_rev continues after the highest recorded" test "$(py "import json; print(json.load(open('rb.state.json'))['state_rev'])")" = 6
expect_file_contains rb.audit.jsonl '"action":"state_rebuilt"'
amp audit rb.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["state_rev"]["state_file"]["status"] == "consistent"'
expect_json 'd["personas"][0]["audit"]["damage"]["index"] == 5'

begin "state rebuild refuses when there is nothing to rebuild from"
cp "$REFERENCE/quiet_stone_v1.json" empty.json
amp audit empty.json --note "first" --approver a@example.org
amp state rebuild empty.json --key k1.key
expect_exit 3
expect_stderr "no intact StateChange"

finish
