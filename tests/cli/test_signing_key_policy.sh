#!/usr/bin/env bash
# The key a state mutation signs with comes from configuration, so it is
# checked against the trust store before anything is written: a key the
# next command would refuse must never sign a state file.
source "$AMP_TEST_LIB"

# Checksums of every file in the workspace, to show that a refusal wrote nothing.
snapshot_files() { find . -type f ! -name '*.lock' -print0 | sort -z | xargs -0 sha256sum; }
configure_signing() {
    printf '{"signing": {"key": "%s", "key_id": "%s"}}\n' "$1" "$2" >.ampersona/config.json
}
state_key() { python3 -c "import json; print(json.load(open('personas/release_bot.state.json'))['signature']['key_id'])"; }

mkdir -m 700 keys personas
cp "$AMP_SOURCE_DIR/personas/release_bot.json" personas/
cp "$AMP_SOURCE_DIR/examples/metrics-onboarding.json" "$AMP_SOURCE_DIR/examples/metrics-healthy.json" .
export AMP_NOW=2026-07-01T09:00:00Z
for id in k1 k2 k3; do "$AMP" keygen --key-id "$id" -o "keys/$id" >/dev/null 2>&1; done
"$AMP" trust add keys/k1.pub --key-id k1 >/dev/null 2>&1
"$AMP" trust add keys/k2.pub --key-id k2 >/dev/null 2>&1
"$AMP" sign personas/release_bot.json --key keys/k1.key >/dev/null 2>&1
configure_signing keys/k1.key k1

begin "a trusted configured key signs the state"
amp gate personas/release_bot.json --evaluate onboarding --metrics metrics-onboarding.json
expect_exit 0
expect_equal "state signed by k1" k1 "$(state_key)"
amp audit personas/release_bot.json --verify
expect_exit 0
expect_stdout "drift ledger: 1 entry, head sha256:"

begin "a key_id missing from the trust store is refused before any write"
configure_signing keys/k3.key k3
before=$(snapshot_files)
amp gate personas/release_bot.json --evaluate '*' --metrics metrics-healthy.json
expect_exit 3
expect_stderr 'has key_id "k3", which is not in the trust store'
expect_stderr "amp trust add PUBFILE --key-id k3"
expect_equal "nothing written" "$before" "$(snapshot_files)"

begin "a snapshot is never signed by a key the trust store does not vouch for"
amp audit personas/release_bot.json --checkpoint-create
expect_exit 3
expect_stderr 'has key_id "k3", which is not in the trust store'
amp audit personas/release_bot.json --checkpoint-create --sign-key keys/k3.key --key-id k3
expect_exit 3
expect_stderr 'the signing key from --sign-key has key_id "k3"'
expect_equal "nothing written" "$before" "$(snapshot_files)"

begin "another key under a trusted key_id is refused"
configure_signing keys/k3.key k2
before=$(snapshot_files)
amp elevate personas/release_bot.json --elevation release-deploy --reason test --approver ops@example.org
expect_exit 3
expect_stderr 'does not match the key the trust store'
expect_equal "nothing written" "$before" "$(snapshot_files)"

begin "the environment override is checked the same way and named"
configure_signing keys/k1.key k1
before=$(snapshot_files)
AMP_SIGNING_KEY=keys/k3.key AMP_KEY_ID=k3 "$AMP" gate personas/release_bot.json --evaluate '*' \
    --metrics metrics-healthy.json >out.txt 2>err.txt
CODE=$?
expect_exit 3
expect_file_contains err.txt "from AMP_SIGNING_KEY"
rm -f out.txt err.txt
expect_equal "nothing written" "$before" "$(snapshot_files)"

begin "a revoked key is refused"
"$AMP" trust add keys/k3.pub --key-id k3 >/dev/null 2>&1
"$AMP" trust revoke k3 --reason "laptop lost" >/dev/null 2>&1
configure_signing keys/k3.key k3
before=$(snapshot_files)
amp gate personas/release_bot.json --evaluate '*' --metrics metrics-healthy.json
expect_exit 3
expect_stderr "can no longer sign"
expect_stderr "laptop lost"
expect_equal "nothing written" "$before" "$(snapshot_files)"

begin "a retired key in its grace period signs with a warning"
"$AMP" trust retire k2 --grace 1d >/dev/null 2>&1
configure_signing keys/k2.key k2
amp gate personas/release_bot.json --evaluate '*' --metrics metrics-healthy.json
expect_stderr 'signing with retired key "k2"'
expect_equal "state re-signed by k2" k2 "$(state_key)"

begin "fleet --check shows files still signed by a key in its grace period"
amp fleet personas --check
expect_exit 0
expect_stdout "personas/release_bot.json: ok"
expect_stdout "  warning: state_signature: key k2 is retired"
amp status personas/release_bot.json
expect_stdout "state sig:    valid (key k2; key k2 is retired"

begin "a retired key past its grace period is refused"
export AMP_NOW=2026-07-03T09:00:00Z
before=$(snapshot_files)
amp gate personas/release_bot.json --evaluate '*' --metrics metrics-healthy.json
expect_exit 3
expect_stderr "can no longer sign"
expect_equal "nothing written" "$before" "$(snapshot_files)"

begin "amp sign refuses a key past its grace period"
cp personas/release_bot.json copy.json
amp sign copy.json --key keys/k2.key
expect_exit 3
expect_stderr "grace period has ended"
expect_same_bytes personas/release_bot.json copy.json

finish
