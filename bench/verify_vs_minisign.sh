#!/usr/bin/env bash
# Wall time of one `amp verify FILE --pubkey P` process against one
# `minisign -V` process checking the same file, measured with hyperfine.
# Aim: amp no slower than 2x minisign.
#
# Usage: bench/verify_vs_minisign.sh [AMP_BINARY] [RUNS]
#   AMP_BINARY  default: build-bench/amp in this repository
#   RUNS        timed runs of each command after 3 warm-up runs (default 30)
# Needs hyperfine, minisign and python3 (Debian packages of the same names).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
amp=$(realpath "${1:-$repo/build-bench/amp}")
runs=${2:-30}
work=$(mktemp -d "${TMPDIR:-/tmp}/amp-bench-minisign.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# One persona signed by amp; minisign signs the very same bytes, so both
# tools read a file of the same size.
cp "$repo/personas/release_bot.json" persona.json
# amp hints and warns that the key is in no trust store, which --pubkey does not need.
"$amp" keygen --key-id bench -o bench >/dev/null 2>keygen.err
"$amp" sign persona.json --key bench.key --key-id bench >/dev/null 2>sign.err
minisign -G -W -p minisign.pub -s minisign.key >/dev/null
minisign -S -s minisign.key -m persona.json >/dev/null

# Both checks must pass before anything is timed.
"$amp" verify persona.json --pubkey bench.pub >/dev/null
minisign -V -q -p minisign.pub -m persona.json

echo "file: persona.json, $(stat -c %s persona.json) bytes; minisign signature: persona.json.minisig"
hyperfine --shell=none --warmup 3 --runs "$runs" --export-json times.json \
    --command-name "amp verify --pubkey" "$amp verify persona.json --pubkey bench.pub" \
    --command-name "minisign -V" "minisign -V -q -p minisign.pub -m persona.json"

python3 - times.json <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
amp = results["amp verify --pubkey"]
minisign = results["minisign -V"]
ratio = amp["mean"] / minisign["mean"]
for name, r in (("amp verify --pubkey", amp), ("minisign -V", minisign)):
    print(f"{name:<22} mean {r['mean'] * 1000:7.2f} ms  sd {r['stddev'] * 1000:6.2f} ms  "
          f"min {r['min'] * 1000:7.2f} ms  runs {len(r['times'])}")
print(f"ratio amp / minisign: {ratio:.2f} (aim: at most 2; {'met' if ratio <= 2 else 'MISSED'})")
PY
