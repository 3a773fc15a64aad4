#!/usr/bin/env bash
# Audit repairs either complete or change nothing: amp state rebuild after a
# break acknowledged in a signed snapshot, and refused checkpoints, notes and
# rebuilds that leave every file byte-identical, a torn final line included.
source "$AMP_TEST_LIB"

py() { python3 -c "$1"; }
printf '{"schema_valid": true}\n' >onboard.json
amp keygen --key-id k1 -o k1
amp trust add k1.pub --key-id k1

# Creates DIR/p.json with 10 audit entries: onboarding (a GateTransition at
# entry 0 and its StateChange at entry 1), then four renewals of one
# elevation, each an ElevationChange and its StateChange.
make_history() {
    rm -rf "$1"
    mkdir "$1"
    cp "$REFERENCE/quiet_stone_v1.json" "$1/p.json"
    AMP_NOW=2026-04-01T09:00:00Z "$AMP" gate "$1/p.json" --evaluate onboarding --metrics onboard.json >/dev/null
    for minute in 10 20 30 40; do
        AMP_NOW=2026-04-01T09:$minute:00Z "$AMP" elevate "$1/p.json" --elevation release-deploy --reason "r$minute" \
            --approver lead@example.org >/dev/null
    done
}

# Rewrites line N (1-based) of a file with a Python expression on `line`.
edit_line() {
    py "
lines = open('$1', 'rb').read().split(b'\n')
line = lines[$2 - 1]
lines[$2 - 1] = $3
open('$1', 'wb').write(b'\n'.join(lines))"
}

# Edits entry 0 of DIR's log, so the link of entry 1 breaks before any StateChange.
break_at_entry_1() {
    edit_line "$1/p.audit.jsonl" 1 "line.replace(b'\"is_override\":false', b'\"is_override\":true')"
}

# Edits the ElevationChange on line N of DIR's log, breaking the link of the entry after it.
edit_elevation() {
    edit_line "$1/p.audit.jsonl" "$2" "line.replace(b'lead@example.org', b'evil@example.org')"
}

# Replaces line N of a file with text that is not JSON.
garble_line() {
    edit_line "$1" "$2" "b'not json'"
}

# Appends half a line with no newline, as a crash during a write leaves it.
TORN_TAIL='{"event_type":"Note","text":"half'
tear() {
    printf '%s' "$TORN_TAIL" >>"$1"
}

# Changes the phase in the state file, so it differs from its audit log.
diverge_state() {
    py "
import json
state = json.load(open('$1/p.state.json'))
state['current_phase'] = 'trusted'
json.dump(state, open('$1/p.state.json', 'w'), indent=2)"
}

# Prints the state_rev and current_phase of the last StateChange in DIR's audit log.
latest_state_change() {
    py "
import json
changes = [json.loads(l) for l in open('$1/p.audit.jsonl') if '\"event_type\":\"StateChange\"' in l]
print(changes[-1]['state_rev'], changes[-1]['state']['current_phase'])"
}

# Prints the 0-based index of the last StateChange in DIR's audit log.
latest_state_change_index() {
    py "
lines = open('$1/p.audit.jsonl').read().splitlines()
print(max(i for i, l in enumerate(lines) if '\"event_type\":\"StateChange\"' in l))"
}

state_rev_and_phase() {
    py "
import json
state = json.load(open('$1/p.state.json'))
print(state['state_rev'], state['current_phase'])"
}

# Lists every file under DIR with its SHA-256.
fingerprint() {
    (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}

# expect_unchanged DIR FINGERPRINT: every file under DIR has the bytes it had, and no file appeared.
expect_unchanged() {
    local now
    now=$(fingerprint "$1")
    if [ "$now" = "$2" ]; then
        pass
    else
        fail "files under $1 changed: $(diff <(printf '%s\n' "$2") <(printf '%s\n' "$now") | head -6)"
    fi
    expect_true "no torn file appeared in $1" test ! -e "$1/p.audit.torn"
}

# ---------------------------------------------------------------------------
# State rebuild honours a break acknowledged in a signed snapshot.

begin "rebuild after an acknowledged break at entry 1"
make_history a
expect_file_contains a/p.audit.jsonl '"is_override":false'
break_at_entry_1 a
amp audit a/p.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["index"] == 1'
amp audit a/p.json --checkpoint-create --sign-key k1.key --acknowledge 1 --reason "IR-1 reviewed: entry 0 edited"
expect_exit 0
amp audit a/p.json --verify
expect_exit 0
expect_stdout "a/p.json: intact"
diverge_state a
amp audit a/p.json --verify
expect_exit 1
expect_stdout "edited outside amp"
latest=$(latest_state_change a)
latest_index=$(latest_state_change_index a)
amp state rebuild a/p.json --key k1.key --json
expect_exit 0
expect_json 'd["chain_intact"] is True'
expect_json "d[\"from_entry\"] == $latest_index"
expect_equal "state_rev and phase of the rebuilt state" "$latest" "$(state_rev_and_phase a)"
expect_equal "rebuilt state matches the latest StateChange" "5 active" "$latest"
amp audit a/p.json --verify
expect_exit 0
expect_stdout "a/p.json: intact"
amp verify a/p.state.json
expect_exit 0
expect_equal "the log ends with the rebuild's Recovery entry" "Recovery state_rebuilt" \
    "$(py "import json; e = json.loads(open('a/p.audit.jsonl').read().splitlines()[-1]); print(e['event_type'], e['action'])")"

begin "rebuild from a StateChange after the acknowledged break"
make_history b
break_at_entry_1 b
amp audit b/p.json --checkpoint-create --sign-key k1.key --acknowledge 1 --reason "IR-2 reviewed"
expect_exit 0
AMP_NOW=2026-04-01T09:50:00Z amp elevate b/p.json --elevation release-deploy --reason later --approver lead@example.org
expect_exit 0
rm b/p.state.json
latest=$(latest_state_change b)
latest_index=$(latest_state_change_index b)
expect_equal "a new StateChange after the Checkpoint" "6 active" "$latest"
amp state rebuild b/p.json --key k1.key --json
expect_exit 0
expect_json "d[\"from_entry\"] == $latest_index and d[\"chain_intact\"] is True"
expect_equal "state_rev and phase of the rebuilt state" "$latest" "$(state_rev_and_phase b)"
amp audit b/p.json --verify
expect_exit 0

begin "rebuild stops at a later break that is not acknowledged"
make_history c
break_at_entry_1 c
amp audit c/p.json --checkpoint-create --sign-key k1.key --acknowledge 1 --reason "IR-3 reviewed"
expect_exit 0
# Editing entry 6 breaks the link of entry 7; the last StateChange before it is entry 5 (state_rev 3).
edit_elevation c 7
diverge_state c
amp state rebuild c/p.json --key k1.key --json
expect_exit 0
expect_json 'd["chain_intact"] is False and d["from_entry"] == 5'
expect_json 'd["state"]["state_rev"] == 6'
amp audit c/p.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["index"] == 7'
expect_json 'd["personas"][0]["state_rev"]["state_file"]["status"] == "consistent"'

begin "rebuild refuses an unacknowledged break before any StateChange"
make_history d
break_at_entry_1 d
diverge_state d
tear d/p.audit.jsonl
before=$(fingerprint d)
amp state rebuild d/p.json --key k1.key
expect_exit 3
expect_stderr "contains no intact StateChange entry before its first unacknowledged break at entry 1"
expect_stderr "--acknowledge 1 --reason R"
expect_unchanged d "$before"

begin "rebuild ignores an acknowledgement in an unsigned snapshot"
make_history e
break_at_entry_1 e
amp audit e/p.json --checkpoint-create --acknowledge 1 --reason "unsigned review"
expect_exit 0
expect_stderr "the snapshot is unsigned"
amp audit e/p.json --verify
expect_exit 1
diverge_state e
before=$(fingerprint e)
amp state rebuild e/p.json --key k1.key
expect_exit 3
expect_stderr "were not honoured: the snapshot is unsigned"
expect_unchanged e "$before"

# ---------------------------------------------------------------------------
# A refused checkpoint, note or rebuild writes nothing, not even the
# quarantine of a torn final line.

begin "refused acknowledgement leaves a torn log untouched"
make_history t
tear t/p.audit.jsonl
before=$(fingerprint t)
amp audit t/p.json --checkpoint-create --sign-key k1.key --acknowledge 5 --reason R
expect_exit 3
expect_stderr "t/p.audit.jsonl has no unacknowledged break; entry 5 needs no acknowledgement"
expect_unchanged t "$before"

begin "valid checkpoint after the refusal quarantines the torn tail"
amp audit t/p.json --checkpoint-create --sign-key k1.key
expect_exit 0
expect_stdout "audit entries 11"
expect_equal "torn bytes moved to the torn file" "$TORN_TAIL" "$(cat t/p.audit.torn)"
expect_equal "Recovery then Checkpoint end the log" "Recovery:quarantine_torn_tail:33 Checkpoint" "$(py "
import json
lines = open('t/p.audit.jsonl').read().splitlines()
a, b = json.loads(lines[-2]), json.loads(lines[-1])
print(a['event_type'] + ':' + a['action'] + ':' + str(a['bytes']), b['event_type'])")"
expect_true "the log ends with a newline" test "$(tail -c 1 t/p.audit.jsonl | od -An -c | tr -d ' ')" = '\n'
amp audit t/p.json --checkpoint-verify
expect_exit 0
amp audit t/p.json --verify --json
expect_exit 0
expect_json 'd["personas"][0]["integrity"]["audit_anchor_matches"] is True'

# Each case: a damaging command, then the refused checkpoint arguments and exit code.
checkpoint_refusal() {
    local name=$1 damage=$2 code=$3 message=$4
    shift 4
    begin "refused checkpoint writes nothing: $name"
    make_history r
    eval "$damage"
    tear r/p.audit.jsonl
    local before
    before=$(fingerprint r)
    amp audit r/p.json --checkpoint-create --sign-key k1.key "$@"
    expect_exit "$code"
    expect_stderr "$message"
    expect_unchanged r "$before"
}

checkpoint_refusal "not the next break" "edit_elevation r 5" \
    3 "entry 3 is not the next break of r/p.audit.jsonl; the next break is entry 5 (content_changed)" \
    --acknowledge 3 --reason R
checkpoint_refusal "unreadable line" "garble_line r/p.audit.jsonl 4" \
    3 "entry 3 of r/p.audit.jsonl is unreadable (not_json)" --acknowledge 3 --reason R
checkpoint_refusal "empty reason" "edit_elevation r 5" \
    3 "--acknowledge needs --reason" --acknowledge 5 --reason ""
checkpoint_refusal "unacknowledged break" "edit_elevation r 5" \
    1 "refusing to anchor a damaged chain"
checkpoint_refusal "damaged drift ledger" "garble_line r/p.drift.jsonl 1" \
    1 "r/p.drift.jsonl: entry 0 (line 1)"
checkpoint_refusal "unreadable state file" "printf '{\"name\": ' >r/p.state.json" \
    3 "r/p.state.json"
checkpoint_refusal "unreadable snapshot" "printf '{\"entries\": ' >r/p.integrity.json" \
    3 "r/p.integrity.json"
checkpoint_refusal "reason that is not UTF-8" "edit_elevation r 5" \
    3 "not valid UTF-8" --acknowledge 5 --reason "$(printf 'IR-9 \377')"
# Two acknowledgements of a 130000-byte reason of control characters, each
# escaped to 6 bytes, make a Checkpoint line over the 1 MiB line limit.
long_reason=$(py "print('\x01' * 130000)")
checkpoint_refusal "Checkpoint entry over the line limit" "edit_elevation r 5; edit_elevation r 7" \
    3 "over the maximum of 1048576 bytes per chain line" --acknowledge 5 --acknowledge 7 --reason "$long_reason"

begin "refused notes leave a torn log untouched"
make_history n
tear n/p.audit.jsonl
before=$(fingerprint n)
amp audit n/p.json --note "$(printf 'IR-10 \377')" --approver ops@example.org
expect_exit 3
expect_stderr "cannot append the Note entry to n/p.audit.jsonl"
expect_stderr "not valid UTF-8"
expect_unchanged n "$before"
amp audit n/p.json --note "$long_reason" --approver "$long_reason"
expect_exit 3
expect_stderr "over the maximum of 1048576 bytes per chain line"
expect_unchanged n "$before"

begin "valid note after the refusals quarantines the torn tail"
amp audit n/p.json --note "IR-10: torn tail after power loss" --approver ops@example.org
expect_exit 0
expect_equal "torn bytes moved to the torn file" "$TORN_TAIL" "$(cat n/p.audit.torn)"
expect_file_contains n/p.audit.jsonl '"action":"quarantine_torn_tail"'
expect_file_contains n/p.audit.jsonl '"text":"IR-10: torn tail after power loss"'
amp audit n/p.json --verify
expect_exit 0

begin "rebuild with a torn tail quarantines it and records the rebuild"
make_history q
diverge_state q
tear q/p.audit.jsonl
amp state rebuild q/p.json --key k1.key
expect_exit 0
expect_equal "torn bytes moved to the torn file" "$TORN_TAIL" "$(cat q/p.audit.torn)"
expect_equal "Recovery entries in order" "quarantine_torn_tail state_rebuilt" "$(py "
import json
lines = open('q/p.audit.jsonl').read().splitlines()
print(json.loads(lines[-2])['action'], json.loads(lines[-1])['action'])")"
amp audit q/p.json --verify
expect_exit 0

finish
