#!/usr/bin/env bash
# Signed fixtures from an independent implementation give their expected
# verdicts, through --pubkey and through a trust store, in every key form.
source "$AMP_TEST_LIB"

expected_exit() {
    case $1 in
        valid) echo 0 ;;
        invalid) echo 1 ;;
        reject) echo 3 ;;
    esac
}

begin "verdicts with --pubkey in every public key form"
for pub in test-k1.pub test-k1.pub.hex test-k1.pub.pem; do
    while IFS=$'\t' read -r file verdict _; do
        case $file in '#'* | '') continue ;; esac
        amp verify "$SIGNED/$file" --pubkey "$SIGNED/$pub"
        current_test="verify $file --pubkey $pub ($verdict)"
        expect_exit "$(expected_exit "$verdict")"
    done <"$SIGNED/verdicts.tsv"
done

begin "verdicts through a trust store"
amp trust add "$SIGNED/test-k1.pub.pem" --key-id test-k1
expect_exit 0
while IFS=$'\t' read -r file verdict _; do
    case $file in '#'* | '') continue ;; esac
    mkdir -p fleet && cp "$SIGNED/$file" fleet/
    amp verify "fleet/$file" --json
    current_test="verify $file via trust store ($verdict)"
    expect_exit "$(expected_exit "$verdict")"
    case $verdict in
        valid) expect_json 'd["valid"] is True and d["files"][0]["status"] == "valid"' ;;
        invalid) expect_json 'd["valid"] is False and d["files"][0]["status"] == "invalid"' ;;
        reject) expect_json 'd["files"][0]["status"] == "rejected"' ;;
    esac
done <"$SIGNED/verdicts.tsv"

begin "each invalid fixture names its own failure"
amp verify fleet/tampered_authority.json --json
expect_json 'd["files"][0]["code"] == "digest_mismatch"'
amp verify fleet/unsigned_field_added.json --json
expect_json 'd["files"][0]["code"] == "field_not_signed"'
expect_json '"authority" in d["files"][0]["error"]'
amp verify fleet/digest_mismatch.json --json
expect_json 'd["files"][0]["code"] == "digest_mismatch"'
amp verify fleet/wrong_key.json --json
expect_json 'd["files"][0]["code"] in ("public_key_mismatch", "bad_signature")'

begin "rejected inputs name the file and the place"
amp verify fleet/duplicate_key.json
expect_exit 3
expect_stderr "duplicate_key.json:"
expect_stderr "role"
amp verify fleet/truncated.json
expect_exit 3
expect_stderr "truncated.json:"
amp verify fleet/lone_surrogate.json
expect_stderr "surrogate"
amp verify fleet/integer_out_of_range.json
expect_stderr "integer_out_of_range.json:"

begin "several files in one call: the worst verdict wins"
amp verify fleet/quiet_stone_v1.signed.json fleet/reordered_whitespace.json
expect_exit 0
amp verify fleet/quiet_stone_v1.signed.json fleet/tampered_authority.json
expect_exit 1
expect_stdout "quiet_stone_v1.signed.json: valid"
expect_stdout "tampered_authority.json: INVALID"
amp verify fleet/tampered_authority.json fleet/truncated.json
expect_exit 3

begin "the embedded public key is never a trust anchor"
amp verify fleet/quiet_stone_v1.signed.json --pubkey "$SIGNED/test-k2.pub.hex"
expect_exit 1

begin "private keys load in every form and sign the same bytes"
for key in test-k1.key test-k1.key.pem test-k1.seed.hex; do
    cp "$REFERENCE/quiet_stone_v1.json" "persona-$key.json"
    AMP_NOW=2026-04-01T09:00:00Z amp sign "persona-$key.json" --key "$SIGNED/$key" --signer ci@example.org
    current_test="sign with $key"
    expect_exit 0
    amp verify "persona-$key.json" --pubkey "$SIGNED/test-k1.pub"
    expect_exit 0
done
expect_same_bytes persona-test-k1.key.json persona-test-k1.key.pem.json
expect_same_bytes persona-test-k1.key.json persona-test-k1.seed.hex.json

begin "a 64-byte seed and public key file is accepted"
cat "$SIGNED/test-k1.key" "$SIGNED/test-k1.pub" >k1-64.key
chmod 600 k1-64.key
cp "$REFERENCE/quiet_stone_v1.json" p64.json
AMP_NOW=2026-04-01T09:00:00Z amp sign p64.json --key k1-64.key --signer ci@example.org
expect_exit 0
expect_same_bytes p64.json persona-test-k1.key.json

begin "amp signs exactly as the independent implementation"
# Same content, key and metadata as the fixture: the signature value must match byte for byte
# (ed25519 is deterministic).
python3 - "$SIGNED/quiet_stone_v1.signed.json" >fixture-value.txt <<'PY'
import json, sys
print(json.load(open(sys.argv[1]))["signature"]["value"])
PY
cp "$REFERENCE/quiet_stone_v1.json" resign.json
amp sign resign.json --key "$SIGNED/test-k1.key" --signer ci@example.org
python3 -c "import json; print(json.load(open('resign.json'))['signature']['value'])" >amp-value.txt
expect_same_bytes fixture-value.txt amp-value.txt

finish
