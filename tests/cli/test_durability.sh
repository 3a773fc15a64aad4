#!/usr/bin/env bash
# Real concurrent processes and SIGKILL at every step of a mutation: no lost
# update, no torn state file, never a state file ahead of its audit log.
source "$AMP_TEST_LIB"

py() { python3 -c "$1"; }
printf '{"schema_valid": true}\n' >onboard.json
printf '{"schema_valid": true, "tasks_completed": 25, "error_rate": 0.03, "policy_violations": 0}\n' >good.json
export AMP_LOCK_TIMEOUT=120

begin "concurrent writers lose no update"
cp "$REFERENCE/quiet_stone_v1.json" busy.json
amp gate busy.json --evaluate onboarding --metrics onboard.json
writers=8
rounds=6
for writer in $(seq 1 "$writers"); do
    (
        ok=0
        for round in $(seq 1 "$rounds"); do
            if "$AMP" elevate busy.json --elevation release-deploy --reason "w$writer r$round" --approver lead@example.org >/dev/null 2>&1; then
                ok=$((ok + 1))
            fi
        done
        echo "$ok" >"ok.$writer"
    ) &
done
wait
successes=$(cat ok.* | paste -sd+ | bc)
expected_rev=$((successes + 1))
expect_true "all $((writers * rounds)) mutations succeeded" test "$successes" = $((writers * rounds))
expect_true "state_rev counts every mutation" test "$(py "import json; print(json.load(open('busy.state.json'))['state_rev'])")" = "$expected_rev"
amp audit busy.json --verify --json
expect_exit 0
expect_json 'd["personas"][0]["state_rev"]["state_changes"] == '"$expected_rev"
expect_true "each state_rev appears once" test "$(grep -c '"event_type":"StateChange"' busy.audit.jsonl)" = "$expected_rev"
expect_true "state_revs are 1..N in order" test "$(py "import json; print([json.loads(l)['state_rev'] for l in open('busy.audit.jsonl') if json.loads(l)['event_type']=='StateChange'] == list(range(1, $expected_rev + 1)))")" = True

begin "a held lock times out with a clear message and nothing written"
cp "$REFERENCE/quiet_stone_v1.json" locked.json
cp busy.json /dev/null
( exec 9>locked.state.lock; flock 9; sleep 5 ) &
holder=$!
sleep 0.5
AMP_LOCK_TIMEOUT=1 amp gate locked.json --evaluate onboarding --metrics onboard.json
expect_exit 3
expect_stderr "locked.state.lock"
expect_true "no state written" test ! -e locked.state.json
expect_true "no audit written" test ! -e locked.audit.jsonl
wait "$holder"

begin "SIGKILL at each step leaves old or new state, never ahead of the log"
for step in after_lock after_events before_audit_sync after_audit_sync after_drift_sync before_rename after_state_replace; do
    current_test="crash at $step"
    rm -f crash.*
    cp "$REFERENCE/quiet_stone_v1.json" crash.json
    amp gate crash.json --evaluate onboarding --metrics onboard.json
    cp crash.state.json before.state
    # A pending human approval: audit events, StateChange, a drift line and a new state file.
    AMP_TEST_CRASH_AT=$step "$AMP" gate crash.json --evaluate trusted --metrics good.json >/dev/null 2>&1
    code=$?
    expect_true "killed at $step (exit $code)" test "$code" = 137
    expect_true "state file parses" py "import json; json.load(open('crash.state.json'))"
    # A kill before the rename leaves the fsynced temporary file beside the
    # state file, never in its place; the next state write removes it.
    temporaries=$(ls -A | grep -c '^\.crash\.state\.json\.tmp-')
    if [ "$step" = before_rename ]; then
        expect_true "temporary state file left by the kill" test "$temporaries" = 1
    else
        expect_true "no temporary state file" test "$temporaries" = 0
    fi
    state_rev=$(py "import json; print(json.load(open('crash.state.json'))['state_rev'])")
    logged_rev=$(py "import json; print(max([json.loads(l)['state_rev'] for l in open('crash.audit.jsonl') if json.loads(l)['event_type']=='StateChange']))")
    expect_true "state ($state_rev) not ahead of log ($logged_rev)" test "$state_rev" -le "$logged_rev"
    expect_true "state at most one behind" test $((logged_rev - state_rev)) -le 1
    case $step in
        after_state_replace)
            expect_true "new state written" test "$state_rev" = 2
            amp audit crash.json --verify
            expect_exit 0 ;;
        before_audit_sync | after_audit_sync | after_drift_sync | before_rename)
            # The log's bytes reached the page cache: a killed process loses none of them.
            amp audit crash.json --verify
            expect_exit 1
            expect_stdout "behind"
            amp gate crash.json --evaluate trusted --metrics good.json
            expect_exit 3
            expect_stderr "amp state rebuild"
            amp keygen --key-id "k-$step" -o "k-$step"
            amp state rebuild crash.json --key "k-$step.key" --key-id "k-$step"
            expect_exit 0
            expect_true "rebuild removed the abandoned temporary file" \
                test "$(ls -A | grep -c '^\.crash\.state\.json\.tmp-')" = 0
            amp audit crash.json --verify
            expect_exit 0 ;;
        *)
            expect_same_bytes crash.state.json before.state
            amp gate crash.json --evaluate trusted --metrics good.json
            expect_exit 2
            amp audit crash.json --verify
            expect_exit 0 ;;
    esac
done

begin "a torn audit line is quarantined by the next append"
cp "$REFERENCE/quiet_stone_v1.json" torn.json
amp gate torn.json --evaluate onboarding --metrics onboard.json
printf '{"event_type":"Note","text":"half' >>torn.audit.jsonl
amp audit torn.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["audit"]["damage"]["kind"] == "torn_final_line"'
amp elevate torn.json --elevation release-deploy --reason x --approver lead@example.org
expect_exit 0
expect_file_contains torn.audit.torn '{"event_type":"Note","text":"half'
expect_file_contains torn.audit.jsonl '"action":"quarantine_torn_tail"'
amp audit torn.json --verify
expect_exit 0

begin "a torn drift line is quarantined by the next evaluation"
cp "$REFERENCE/quiet_stone_v1.json" drift.json
amp gate drift.json --evaluate onboarding --metrics onboard.json
printf '{"prev_hash":"sha256:00' >>drift.drift.jsonl
amp audit drift.json --verify --json
expect_exit 1
expect_json 'd["personas"][0]["drift"]["damage"]["kind"] == "torn_final_line"'
amp gate drift.json --evaluate '*' --metrics good.json
expect_exit 2
expect_file_contains drift.drift.torn '{"prev_hash":"sha256:00'
expect_file_contains drift.audit.jsonl '"action":"quarantine_torn_tail","file":"drift.drift.jsonl"'
expect_true "two intact drift lines" test "$(wc -l <drift.drift.jsonl)" = 2
amp audit drift.json --verify
expect_exit 0

finish
