#!/usr/bin/env bash
# Throughput of `amp audit FILE --verify` on a 1,000,000-entry audit log
# against `sha256sum` of the same file in the same run (hyperfine), and
# against `openssl dgst -sha256`, which uses the CPU's SHA instructions where
# it has them. Also the peak memory of the verification for 10,000 and
# 1,000,000 entries (/usr/bin/time -v, "Maximum resident set size").
# Verification streams the log, so its peak memory should not grow with it.
#
# Each log is written directly by audit_log_writer (Note entries with a valid
# chain). One real gate evaluation then appends a StateChange and writes the
# state file, so the whole history verifies.
#
# Usage: bench/audit_verify_bench.sh [BUILD_DIR] [RUNS]
#   BUILD_DIR  holds amp and bench/audit_log_writer (default: build-bench)
#   RUNS       timed runs of each command after 1 warm-up run (default 5)
# Environment: SMALL_ENTRIES (default 10000), LARGE_ENTRIES (default 1000000).
# Needs hyperfine, openssl, python3 and GNU time (Debian package time).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$repo/build-bench}")
runs=${2:-5}
amp=$build/amp
writer=$build/bench/audit_log_writer
small_entries=${SMALL_ENTRIES:-10000}
large_entries=${LARGE_ENTRIES:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/amp-bench-audit.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
printf '{"schema_valid": true}\n' >healthy.json

die() {
    echo "audit_verify_bench: $*" >&2
    exit 1
}

[ -x /usr/bin/time ] || die "/usr/bin/time is missing: install the Debian package time"

prepare() {
    local dir=$1 entries=$2
    mkdir "$dir"
    cp "$repo/personas/release_bot.json" "$dir/agent.json"
    "$writer" "$dir/agent.audit.jsonl" "$entries"
    "$amp" gate "$dir/agent.json" --evaluate onboarding --metrics healthy.json >/dev/null
    "$amp" audit "$dir/agent.json" --verify >"$dir/verify.out" || die "amp audit --verify rejects $dir: $(cat "$dir/verify.out")"
    echo "$dir: $(wc -l <"$dir/agent.audit.jsonl") audit entries, $(stat -c %s "$dir/agent.audit.jsonl") bytes"
}

# Prints the peak resident set size in KiB of one `amp audit DIR --verify`.
peak_memory_kib() {
    /usr/bin/time -v "$amp" audit "$1/agent.json" --verify 2>"$1/time.out" >/dev/null ||
        die "amp audit --verify failed on $1: $(cat "$1/time.out")"
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$1/time.out"
}

prepare small "$small_entries"
prepare large "$large_entries"

hyperfine --shell=none --warmup 1 --runs "$runs" --export-json times.json \
    --command-name "amp audit --verify" "$amp audit $work/large/agent.json --verify" \
    --command-name "sha256sum" "sha256sum $work/large/agent.audit.jsonl" \
    --command-name "openssl dgst -sha256" "openssl dgst -sha256 $work/large/agent.audit.jsonl"

python3 - times.json "$(stat -c %s large/agent.audit.jsonl)" <<'PY'
import json, sys
path, size = sys.argv[1], int(sys.argv[2])
results = {r["command"]: r for r in json.load(open(path))["results"]}
for name, r in results.items():
    print(f"{name:<20} mean {r['mean']:7.3f} s  sd {r['stddev']:6.3f} s  {size / r['mean'] / 1e6:8.1f} MB/s (MB = 10^6 bytes)")
ratio = results["amp audit --verify"]["mean"] / results["sha256sum"]["mean"]
print(f"amp audit --verify takes {ratio:.2f}x the time of sha256sum on the same file")
ratio = results["amp audit --verify"]["mean"] / results["openssl dgst -sha256"]["mean"]
print(f"amp audit --verify takes {ratio:.2f}x the time of openssl dgst -sha256 on the same file")
PY

small_peak=$(peak_memory_kib small)
large_peak=$(peak_memory_kib large)
echo "peak memory of amp audit --verify: $small_entries entries ${small_peak} KiB, $large_entries entries ${large_peak} KiB"
