#!/usr/bin/env bash
# The main job on the bundled personas/ fleet, in a temporary workspace: sign
# the fleet, onboard it, then run the planned key rotation of docs/OPERATIONS.md
# in the runbook's order. Prints every command, its exit code and what it did.
# KEEP=1 keeps the workspace for a look afterwards; AMP names another binary.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
amp_binary=${AMP:-$root/build/amp}
if [ ! -x "$amp_binary" ]; then
    echo "amp not found at $amp_binary: build it first with bash scripts/build.sh" >&2
    exit 3
fi

workspace=$(mktemp -d "${TMPDIR:-/tmp}/amp-demo.XXXXXX")
remove_workspace() {
    if [ "${KEEP:-}" = 1 ]; then
        printf '\nWorkspace kept: %s\n' "$workspace"
    else
        rm -rf "$workspace"
        printf '\nWorkspace %s removed; run with KEEP=1 to keep it.\n' "$workspace"
    fi
}
trap remove_workspace EXIT

amp() { "$amp_binary" "$@"; }

step() { printf '\n== %s\n' "$1"; }
note() { printf '   -> %s\n' "$*"; }

# Prints a shell command as typed, runs it, prints its exit code, and stops
# the demo when the exit code is not the expected one: run EXPECTED_EXIT 'COMMAND'.
run() {
    local expected=$1 command=$2 status=0
    printf '$ %s\n' "$command"
    eval "$command" || status=$?
    printf '[exit %d]\n' "$status"
    if [ "$status" -ne "$expected" ]; then
        echo "demo: expected exit $expected from: $command" >&2
        exit 1
    fi
}

# Prints the key that signs a file, from amp verify's result line.
signing_key() { amp verify "$1" 2>/dev/null | sed -n 's/.*(key \([^,]*\),.*/\1/p'; }

printf 'Workspace: %s\n' "$workspace"
cd "$workspace"
cp -r "$root/personas" personas
cp "$root"/examples/metrics-*.json .
# The persona files only, listed before any companion file exists.
personas=(personas/*.json)

printf '\n######## Set up the workspace\n'

step "1. Create a private key directory and the first signing key"
run 0 'mkdir -m 700 keys'
run 0 'amp keygen --key-id k-2026-Q1 -o keys/q1'
note "keys/q1.key (mode 0600) signs; keys/q1.pub is what verifiers need"

step "2. Trust the first key"
run 0 'amp trust add keys/q1.pub --key-id k-2026-Q1'
note "created .ampersona/trust.json with k-2026-Q1 active"

step "3. Tell amp which key signs state files"
run 0 'cat >.ampersona/config.json <<EOF
{"signing": {"key": "keys/q1.key", "key_id": "k-2026-Q1"},
 "policy": {"require_signed_personas": true, "require_signed_state": true}}
EOF'
note "every gate or elevation command now signs the state file it writes with keys/q1.key"

step "4. Sign the personas"
run 0 'amp sign personas/*.json --key keys/q1.key'
note "the key id came from the trust store"

step "5. Onboard each persona"
for persona in "${personas[@]}"; do
    run 0 "amp gate $persona --evaluate onboarding --metrics metrics-onboarding.json"
done
note "each persona now has a state file signed with k-2026-Q1, an audit log and a drift ledger"

step "6. Anchor each audit log with a signed integrity snapshot"
for persona in "${personas[@]}"; do
    run 0 "amp audit $persona --checkpoint-create"
done
note "without --sign-key the snapshot is signed with the key config.json names"

step "7. Check the fleet: schema, signatures, state files and audit chains"
run 0 'amp fleet personas/ --check'

step "8. Fleet status"
run 0 'amp fleet personas/ --status'

printf '\n######## Planned key rotation (docs/OPERATIONS.md)\n'

step "9. Check the fleet, then generate the new key pair"
run 0 'amp fleet personas/ --check'
run 0 'amp keygen --key-id k-2026-Q2 -o keys/q2'

step "10. Trust the new key before anything is signed with it"
run 0 'amp trust add keys/q2.pub --key-id k-2026-Q2'
note "k-2026-Q1 and k-2026-Q2 are both active"

step "11. Point state signing at the new key in config.json"
run 0 'cat >.ampersona/config.json <<EOF
{"signing": {"key": "keys/q2.key", "key_id": "k-2026-Q2"},
 "policy": {"require_signed_personas": true, "require_signed_state": true}}
EOF'
note "from now on every state mutation signs with k-2026-Q2"

step "12. Re-sign each persona and its snapshot with the new key, leaving the state file to step 13"
for persona in "${personas[@]}"; do
    run 0 "amp sign $persona ${persona%.json}.integrity.json --key keys/q2.key"
done

step "13. The next gate evaluation re-signs each state file with the configured key"
for persona in "${personas[@]}"; do
    state=${persona%.json}.state.json
    before=$(signing_key "$state")
    run 1 "amp gate $persona --evaluate '*' --metrics metrics-onboarding.json"
    after=$(signing_key "$state")
    note "$state: signed with $before before, $after after"
    if [ "$after" != k-2026-Q2 ]; then
        echo "demo: $state was not re-signed with k-2026-Q2" >&2
        exit 1
    fi
done
note "exit 1 only means that no gate fired; the state_rev is unchanged"

step "14. Retire the old key with a 30-day grace period"
run 0 'amp trust retire k-2026-Q1 --grace 30d'
run 0 'amp trust list'
note "signatures by k-2026-Q1 still verify, with a warning, until the grace period ends"

step "15. Check the fleet, every signature and every audit chain"
run 0 'amp fleet personas/ --check'
run 0 'amp verify personas/*.json'
run 0 'amp audit personas/*.json --verify'

printf '\nDone: every persona, state file and snapshot is signed with k-2026-Q2, and every chain verifies.\n'
