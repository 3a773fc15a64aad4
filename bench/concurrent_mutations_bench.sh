#!/usr/bin/env bash
# State mutations per second on one persona with 1, 2 and 8 concurrent
# writer processes. Each writer is a loop of `amp elevate FILE --elevation
# release-deploy` (every call after the first renews the elevation: one
# ElevationChange and one StateChange). Afterwards `amp audit --verify` must
# pass and the state file's state_rev must equal the number of calls that
# exited 0, so no mutation was lost or counted twice.
#
# Usage: bench/concurrent_mutations_bench.sh [AMP_BINARY] [MUTATIONS]
#   AMP_BINARY  default: build-bench/amp in this repository
#   MUTATIONS   calls per configuration, split evenly among the writers
#               (default 200; use a multiple of 8)
# Needs python3.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
amp=$(realpath "${1:-$repo/build-bench/amp}")
total=${2:-200}
work=$(mktemp -d "${TMPDIR:-/tmp}/amp-bench-writers.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

die() {
    echo "concurrent_mutations_bench: $*" >&2
    exit 1
}

# writer DIR INDEX CALLS: runs CALLS elevations and writes how many exited 0
# to DIR/writer-INDEX.ok; the output of any other call goes to DIR/writer-INDEX.log.
writer() {
    local dir=$1 index=$2 calls=$3 ok=0 call
    for ((call = 0; call < calls; call++)); do
        if "$amp" elevate "$dir/agent.json" --elevation release-deploy --reason "bench writer $index" \
            --approver bench@example.org >/dev/null 2>>"$dir/writer-$index.log"; then
            ok=$((ok + 1))
        fi
    done
    echo "$ok" >"$dir/writer-$index.ok"
}

printf '%-8s %10s %10s %10s %14s %10s\n' writers calls ok seconds mutations/s state_rev
for writers in 1 2 8; do
    dir=writers-$writers
    mkdir "$dir"
    cp "$repo/personas/release_bot.json" "$dir/agent.json"
    calls=$((total / writers))

    start=$(date +%s.%N)
    for ((index = 0; index < writers; index++)); do
        writer "$dir" "$index" "$calls" &
    done
    wait
    end=$(date +%s.%N)

    ok=$(awk '{ sum += $1 } END { print sum }' "$dir"/writer-*.ok)
    state_rev=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["state_rev"])' "$dir/agent.state.json")
    "$amp" audit "$dir/agent.json" --verify >"$dir/verify.out" || die "$dir: amp audit --verify failed: $(cat "$dir/verify.out")"
    [ "$state_rev" = "$ok" ] || die "$dir: state_rev is $state_rev but $ok calls exited 0"
    if [ "$ok" != $((calls * writers)) ]; then
        echo "$dir: $((calls * writers - ok)) calls failed; first errors:" >&2
        cat "$dir"/writer-*.log | head -n 5 >&2
    fi
    awk -v writers="$writers" -v calls=$((calls * writers)) -v ok="$ok" -v start="$start" -v end="$end" \
        -v rev="$state_rev" 'BEGIN { printf "%-8s %10s %10s %10.2f %14.1f %10s\n", writers, calls, ok, end - start,
                                     ok / (end - start), rev }' 
done
echo "audit --verify passed and state_rev equals the successful calls in every configuration"
