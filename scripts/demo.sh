#!/usr/bin/env bash
# The main job on the bundled fleet: sign it, check it, onboard it, then run a
# planned key rotation, in a throw-away workspace. Prints every step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
amp=${AMP:-$root/build/amp}
[ -x "$amp" ] || { echo "build amp first: bash scripts/build.sh" >&2; exit 3; }

workspace=$(mktemp -d "${TMPDIR:-/tmp}/amp-demo.XXXXXX")
trap 'rm -rf "$workspace"' EXIT
cd "$workspace"
cp -r "$root/personas" personas
cp "$root"/examples/metrics-*.json .

step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "1. Create the first signing key and trust it" "$amp" keygen --key-id k-2026-Q1 -o old
step "" "$amp" trust add old.pub --key-id k-2026-Q1
for f in personas/*.json; do
    step "2. Sign $f" "$amp" sign "$f" --key old.key --key-id k-2026-Q1 --signer ops@example.org
done
step "3. Check the fleet: schema, signatures, chains" "$amp" fleet personas/ --check

# State files are signed on every mutation with the configured key.
mkdir -p .ampersona
printf '{"signing": {"key": "old.key", "key_id": "k-2026-Q1"}}\n' >.ampersona/config.json
for f in personas/*.json; do
    step "4. Onboard $f" "$amp" gate "$f" --evaluate onboarding --metrics metrics-onboarding.json
done
step "5. Fleet status" "$amp" fleet personas/ --status

printf '\n== Planned key rotation\n'
step "6. Generate the new key pair" "$amp" keygen --key-id k-2026-Q2 -o new
step "" "$amp" trust add new.pub --key-id k-2026-Q2
step "7. Verify the current state" "$amp" fleet personas/ --check
for f in personas/*.json; do
    step "8. Re-sign $f" "$amp" sign "$f" --key new.key --key-id k-2026-Q2 --signer ops@example.org
done
printf '{"signing": {"key": "new.key", "key_id": "k-2026-Q2"}}\n' >.ampersona/config.json
step "9. The next gate evaluation re-signs the state with the new key" \
    "$amp" gate personas/release_bot.json --evaluate onboarding --metrics metrics-onboarding.json || true
step "10. Retire the old key with a 30-day grace period" "$amp" trust retire k-2026-Q1 --grace 30d
step "" "$amp" trust list
step "11. Check the fleet and every audit chain" "$amp" fleet personas/ --check
step "" "$amp" audit personas/*.json --verify
printf '\nDone: every persona and state file is signed with k-2026-Q2 and every chain verifies.\n'
