#!/usr/bin/env bash
# A check over nothing must not pass: a shell glob that matched no file or
# a restore into the wrong directory would otherwise look like success.
source "$AMP_TEST_LIB"

mkdir empty personas
cp "$AMP_SOURCE_DIR/personas/release_bot.json" personas/

begin "audit --verify on a path that does not exist"
amp audit 'dir/*.json' --verify
expect_exit 3
expect_stderr 'cannot read dir/*.json: no such file'
expect_no_stdout "intact"

begin "audit --verify stops at a missing path among good ones"
amp audit personas/release_bot.json personas/missing.json --verify
expect_exit 3
expect_stderr "cannot read personas/missing.json"

begin "audit --verify on a persona without history still passes"
amp audit personas/release_bot.json --verify
expect_exit 0

begin "fleet --check on a directory without personas"
amp fleet empty --check
expect_exit 1
expect_stdout "0 personas checked"
expect_stdout "FAILED: no persona files in empty: nothing was checked"
amp fleet empty --check --json
expect_exit 1
expect_json 'd["ok"] is False and d["summary"]["personas"] == 0'
expect_json 'd["error"] == "no persona files in empty: nothing was checked"'

begin "fleet --check on a directory with only other JSON"
printf '{"tasks_completed": 3}\n' >empty/metrics.json
amp fleet empty --check
expect_exit 1
expect_stdout "empty/metrics.json: skipped"
expect_stdout "FAILED: no persona files in empty"

finish
