#!/usr/bin/env bash
# Wall time of `amp gate FILE --evaluate GATE` with a 100,000-entry audit log
# against a 100-entry one, measured with hyperfine. Aim: ratio under 1.2,
# because an append reads only the tail of the log.
#
# Each log is written directly by audit_log_writer (Note entries with a valid
# chain), then one real gate evaluation fires the onboarding gate, so the log
# ends in a StateChange that the state file matches. The timed evaluation
# fires nothing (exit 1, one drift line). A third log has the same 100,000
# notes after its last StateChange. A writer that searches backwards for the
# last StateChange has the most to read there.
#
# Usage: bench/gate_log_length_bench.sh [BUILD_DIR] [RUNS]
#   BUILD_DIR  holds amp and bench/audit_log_writer (default: build-bench)
#   RUNS       timed runs per log after 3 warm-up runs (default 30)
# Environment: LONG_ENTRIES (default 100000), SHORT_ENTRIES (default 100).
# Needs hyperfine and python3.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$repo/build-bench}")
runs=${2:-30}
amp=$build/amp
writer=$build/bench/audit_log_writer
long_entries=${LONG_ENTRIES:-100000}
short_entries=${SHORT_ENTRIES:-100}
warmup=3
work=$(mktemp -d "${TMPDIR:-/tmp}/amp-bench-gate.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
printf '{"schema_valid": true}\n' >healthy.json

die() {
    echo "gate_log_length_bench: $*" >&2
    exit 1
}

# Prints the state_rev of the state file and of the last StateChange of the
# audit log, which must be equal for the log to be usable.
state_revisions() {
    python3 - "$1" <<'PY'
import json, sys
stem = sys.argv[1]
state = json.load(open(stem + ".state.json"))
last = None
with open(stem + ".audit.jsonl", encoding="utf-8") as log:
    for line in log:
        if '"event_type":"StateChange"' in line:
            last = json.loads(line)
print(state["state_rev"], last["state_rev"] if last else None)
PY
}

# prepare DIR ENTRIES ORDER: with ORDER "notes_first", writes the notes and
# then fires the gate. With "notes_last", fires the gate first, at an earlier
# AMP_NOW so that the notes' timestamps come after it, then writes the notes.
prepare() {
    local dir=$1 entries=$2 order=$3 code
    mkdir "$dir"
    cp "$repo/personas/release_bot.json" "$dir/agent.json"
    if [ "$order" = notes_first ]; then
        "$writer" "$dir/agent.audit.jsonl" "$entries"
        "$amp" gate "$dir/agent.json" --evaluate onboarding --metrics healthy.json >/dev/null
    else
        AMP_NOW=2020-01-01T00:00:00Z "$amp" gate "$dir/agent.json" --evaluate onboarding --metrics healthy.json >/dev/null
        "$writer" "$dir/agent.audit.jsonl" "$entries"
    fi

    "$amp" audit "$dir/agent.json" --verify >"$dir/verify.out" || die "amp audit --verify rejects $dir: $(cat "$dir/verify.out")"
    read -r file_rev logged_rev < <(state_revisions "$dir/agent")
    [ "$file_rev" = 1 ] && [ "$logged_rev" = 1 ] || die "$dir: state_rev $file_rev, last StateChange $logged_rev; expected 1 and 1"

    # The timed command fires nothing: exit 1 is its expected verdict.
    code=0
    "$amp" gate "$dir/agent.json" --evaluate onboarding --metrics healthy.json >"$dir/probe.out" 2>&1 || code=$?
    [ "$code" = 1 ] || die "$dir: the probe evaluation exited $code, expected 1: $(cat "$dir/probe.out")"
    echo "$dir: $(wc -l <"$dir/agent.audit.jsonl") audit entries, $(stat -c %s "$dir/agent.audit.jsonl") bytes"
}

prepare short "$short_entries" notes_first
prepare long "$long_entries" notes_first
prepare long_tail "$long_entries" notes_last

drift_before=$(wc -l <long/agent.drift.jsonl)
evaluate() { echo "$amp gate $work/$1/agent.json --evaluate onboarding --metrics $work/healthy.json"; }
# --ignore-failure because exit 1 ("no gate fired") is the expected verdict;
# the drift line count and audit --verify below prove every run did its work.
hyperfine --shell=none --ignore-failure --warmup "$warmup" --runs "$runs" --export-json times.json \
    --command-name "$short_entries entries" "$(evaluate short)" \
    --command-name "$long_entries entries" "$(evaluate long)" \
    --command-name "$long_entries entries after the last StateChange" "$(evaluate long_tail)"

drift_after=$(wc -l <long/agent.drift.jsonl)
[ $((drift_after - drift_before)) = $((warmup + runs)) ] ||
    die "long: $((drift_after - drift_before)) drift lines were added, expected $((warmup + runs))"
for dir in short long long_tail; do
    "$amp" audit "$dir/agent.json" --verify >/dev/null || die "amp audit --verify rejects $dir after the runs"
done

python3 - times.json "$short_entries" "$long_entries" <<'PY'
import json, sys
path, short, long = sys.argv[1:]
results = [r for r in json.load(open(path))["results"]]
for r in results:
    print(f"{r['command']:<50} mean {r['mean'] * 1000:7.2f} ms  sd {r['stddev'] * 1000:6.2f} ms  "
          f"min {r['min'] * 1000:7.2f} ms")
base, long_log, long_tail = (r["mean"] for r in results)
ratio = long_log / base
print(f"ratio {long} / {short} entries: {ratio:.2f} (aim: under 1.2; {'met' if ratio < 1.2 else 'MISSED'})")
print(f"ratio {long} entries after the last StateChange / {short}: {long_tail / base:.2f} (no aim; shows the backward search)")
PY
