#!/usr/bin/env bash
# amp's signatures checked by a second implementation written in JavaScript
# (Node's built-in crypto, and the npm package canonicalize for RFC 8785), and
# signatures made by that implementation checked by amp.
source "$AMP_TEST_LIB"

: "${AMP_SOURCE_DIR:?AMP_SOURCE_DIR must point at the amp source tree}"
INTEROP_SOURCE="$AMP_SOURCE_DIR/tests/interop"
INTEROP="$WORK/interop"

# Prints the 64 hex characters of the raw ed25519 key in a PEM public key
# file, read by openssl so that amp plays no part in it.
public_key_hex() {
    openssl pkey -pubin -in "$1" -outform DER | tail -c 32 | od -An -tx1 -v | tr -d ' \n'
}

# Runs a Node script of the interop directory; sets CODE, OUT and ERR like amp.
node_script() {
    local out_file err_file
    out_file=$(mktemp) err_file=$(mktemp)
    node "$INTEROP/$1" "${@:2}" >"$out_file" 2>"$err_file"
    CODE=$?
    OUT=$(cat "$out_file")
    ERR=$(cat "$err_file")
    rm -f "$out_file" "$err_file"
}

# Rewrites a JSON file with one top-level member set, through python3 so the
# change is made without amp or the Node scripts.
set_member() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, member, value = sys.argv[1:]
with open(path, encoding="utf-8") as f:
    document = json.load(f)
document[member] = value
with open(path, "w", encoding="utf-8") as f:
    json.dump(document, f, indent=2, ensure_ascii=False)
PY
}

# Flips one bit of the signature value and writes it back as valid base64, so
# only the ed25519 check itself can catch it. The rest of the file keeps its bytes.
flip_signature_bit() {
    python3 - "$1" <<'PY'
import base64, json, sys
path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    text = f.read()
value = json.loads(text)["signature"]["value"]
raw = bytearray(base64.b64decode(value))
raw[10] ^= 0x01
with open(path, "w", encoding="utf-8") as f:
    f.write(text.replace(value, base64.b64encode(bytes(raw)).decode()))
PY
}

begin "node and the interop scripts install"
mkdir -p "$INTEROP"
cp "$INTEROP_SOURCE/package.json" "$INTEROP_SOURCE/package-lock.json" "$INTEROP_SOURCE"/*.mjs "$INTEROP/"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    fail "node and npm are required: install the Debian packages nodejs and npm (bash scripts/install-deps.sh)"
    finish
    exit 1
fi
# A node_modules in the source tree is reused only when it matches the lock
# file. Otherwise npm ci installs into the copy, so the source tree is never written.
if [ -d "$INTEROP_SOURCE/node_modules" ] && (cd "$INTEROP_SOURCE" && npm ls --depth=0 >/dev/null 2>&1); then
    cp -r "$INTEROP_SOURCE/node_modules" "$INTEROP/"
elif ! (cd "$INTEROP" && npm ci --no-audit --no-fund) >"$WORK/npm.log" 2>&1; then
    fail "npm ci in $INTEROP failed, so amp's signatures cannot be checked by the Node implementation: $(tail -n 20 "$WORK/npm.log")"
    finish
    exit 1
fi
expect_true "canonicalize is installed" test -f "$INTEROP/node_modules/canonicalize/package.json"

begin "amp signs the reference and bundled personas"
mkdir ref bundled
for file in "$REFERENCE"/*.json; do
    case $(basename "$file") in
        aieos_identity.json | zeroclaw_metrics.json | zeroclaw_agent.authority_overlay.json) continue ;;
    esac
    cp "$file" ref/
done
cp "$AMP_SOURCE_DIR"/personas/*.json bundled/
personas=(ref/*.json bundled/*.json)
expect_true "at least 4 reference personas were copied" test "$(ls ref | wc -l)" -ge 4
expect_true "at least 3 bundled personas were copied" test "$(ls bundled | wc -l)" -ge 3
amp keygen --key-id interop-k1 -o ops
expect_exit 0
amp trust add ops.pub --key-id interop-k1
expect_exit 0
amp sign "${personas[@]}" --key ops.key
expect_exit 0
AMP_HEX=$(public_key_hex ops.pub)
expect_true "the public key is 64 hex characters" test "${#AMP_HEX}" = 64

begin "amp signs a state file on gate evaluation"
printf '{"schema_valid": true}\n' >healthy.json
AMP_SIGNING_KEY="$WORK/ops.key" AMP_KEY_ID=interop-k1 amp gate bundled/release_bot.json --evaluate onboarding --metrics healthy.json
expect_exit 0
STATE=bundled/release_bot.state.json
expect_file_contains "$STATE" '"current_phase": "active"'
expect_file_contains "$STATE" '"key_id": "interop-k1"'
amp verify "$STATE"
expect_exit 0

begin "node verifies every amp signature"
signed_files=("${personas[@]}" "$STATE")
node_script verify.mjs "$AMP_HEX" "${signed_files[@]}"
expect_exit 0
for file in "${signed_files[@]}"; do
    current_test="node verifies amp's signature of $file"
    expect_stdout "OK $file"
done
current_test="node verifies every amp signature"
expect_true "one OK line per file" test "$(grep -c '^OK ' <<<"$OUT")" = "${#signed_files[@]}"

begin "node rejects a persona changed after signing"
cp ref/quiet_stone_v1.json changed.json
set_member changed.json role "Junior DevOps Engineer"
node_script verify.mjs "$AMP_HEX" bundled/docs_writer.json changed.json
expect_exit 1
expect_stdout "OK bundled/docs_writer.json"
expect_stdout "FAIL changed.json: digest mismatch"
amp verify changed.json --pubkey ops.pub --json
expect_exit 1
expect_json 'd["files"][0]["code"] == "digest_mismatch"'

begin "node rejects a flipped signature bit"
cp bundled/triage_agent.json flipped.json
flip_signature_bit flipped.json
expect_true "only the value line changed" test "$(diff bundled/triage_agent.json flipped.json | grep -c '^[<>]')" = 2
node_script verify.mjs "$AMP_HEX" flipped.json
expect_exit 1
expect_stdout "FAIL flipped.json: ed25519 signature does not verify"
amp verify flipped.json --pubkey ops.pub
expect_exit 1

begin "node rejects a member added after signing"
cp ref/sharp_flint.json added.json
set_member added.json notes "added later"
node_script verify.mjs "$AMP_HEX" added.json
expect_exit 1
expect_stdout 'FAIL added.json: member "notes" is not in signed_fields'
amp verify added.json --pubkey ops.pub --json
expect_exit 1
expect_json 'd["files"][0]["code"] == "field_not_signed"'

begin "node rejects the wrong public key"
amp keygen --key-id other -o other
expect_exit 0
node_script verify.mjs "$(public_key_hex other.pub)" "$STATE"
expect_exit 1
expect_stdout "FAIL $STATE: public_key"

begin "node signs and amp verifies with --pubkey"
openssl genpkey -algorithm ed25519 -out node.key 2>/dev/null
chmod 600 node.key
openssl pkey -in node.key -pubout -out node.pub 2>/dev/null
mkdir node-signed
for file in "${signed_files[@]}"; do
    node_script sign.mjs node.key node-k1 "$file" "node-signed/$(basename "$file")"
    current_test="node signs $file"
    expect_exit 0
done
current_test="node signs and amp verifies with --pubkey"
node_signed=(node-signed/*.json)
expect_true "one node-signed file per amp-signed file" test "${#node_signed[@]}" = "${#signed_files[@]}"
amp verify "${node_signed[@]}" --pubkey node.pub --json
expect_exit 0
expect_json 'd["valid"] is True and all(f["status"] == "valid" for f in d["files"])'
expect_json "len(d[\"files\"]) == ${#signed_files[@]}"
node_script verify.mjs "$(public_key_hex node.pub)" "${node_signed[@]}"
expect_exit 0

begin "amp verifies node signatures through the trust store"
amp trust add node.pub --key-id node-k1
expect_exit 0
amp verify node-signed/quiet_stone_v1.json node-signed/release_bot.json
expect_exit 0
expect_stdout "node-k1"

begin "amp rejects a node signature after a change"
cp node-signed/quiet_stone_v1.json node-changed.json
set_member node-changed.json role "Junior DevOps Engineer"
amp verify node-changed.json --pubkey node.pub --json
expect_exit 1
expect_json 'd["files"][0]["code"] == "digest_mismatch"'
cp node-signed/release_bot.json node-flipped.json
flip_signature_bit node-flipped.json
amp verify node-flipped.json --pubkey node.pub --json
expect_exit 1
expect_json 'd["files"][0]["code"] == "bad_signature"'

finish
