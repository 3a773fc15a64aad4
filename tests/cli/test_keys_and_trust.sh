#!/usr/bin/env bash
# keygen, PEM interoperability with openssl, and the trust store lifecycle.
source "$AMP_TEST_LIB"

begin "keygen writes a private key with mode 0600 and refuses to overwrite"
amp keygen --key-id k-2026-Q2 -o ops
expect_exit 0
expect_true "ops.key is mode 600" test "$(stat -c %a ops.key)" = 600
expect_true "ops.pub exists" test -s ops.pub
expect_file_contains ops.key "BEGIN PRIVATE KEY"
expect_no_output_containing "$(sed -n 2p ops.key)"
amp keygen --key-id k-2026-Q2 -o ops
expect_exit 3
expect_stderr "ops.key"

begin "amp PEM keys are readable by openssl and sign compatibly"
openssl pkey -in ops.key -pubout -out ops-from-openssl.pub 2>/dev/null
expect_same_bytes ops.pub ops-from-openssl.pub

begin "openssl PEM keys are readable by amp"
openssl genpkey -algorithm ed25519 -out ossl.key 2>/dev/null
chmod 600 ossl.key
openssl pkey -in ossl.key -pubout -out ossl.pub 2>/dev/null
cp "$REFERENCE/quiet_stone_v1.json" p.json
amp sign p.json --key ossl.key --key-id ossl
expect_exit 0
amp verify p.json --pubkey ossl.pub
expect_exit 0

begin "raw keygen"
amp keygen --key-id raw1 -o raw1 --raw
expect_exit 0
expect_true "raw private key is 32 bytes" test "$(stat -c %s raw1.key)" = 32
expect_true "raw public key is 32 bytes" test "$(stat -c %s raw1.pub)" = 32

begin "a private key readable by others draws a warning"
chmod 644 ossl.key
amp sign p.json --key ossl.key --key-id ossl
expect_exit 0
expect_stderr "amp: warning: private key ossl.key is accessible by group or others"

begin "bad key files are refused with the file name"
printf 'not a key' >bad.key
amp sign p.json --key bad.key --key-id x
expect_exit 3
expect_stderr "bad.key"
amp verify p.json --pubkey ops.key
expect_exit 3
expect_stderr "private key"

begin "trust add creates the workspace and refuses duplicates"
amp trust add ops.pub --key-id k-2026-Q2
expect_exit 0
expect_true ".ampersona/trust.json exists" test -f .ampersona/trust.json
amp trust add ops.pub --key-id other
expect_exit 3
expect_stderr "already in the trust store as \"k-2026-Q2\""
amp trust add raw1.pub --key-id k-2026-Q2
expect_exit 3
amp trust list --json
expect_exit 0
expect_json 'd["version"] == 1 and d["keys"][0]["key_id"] == "k-2026-Q2" and d["keys"][0]["status"] == "active"'

begin "sign resolves the key_id from the trust store"
cp "$REFERENCE/quiet_stone_v1.json" agent.json
amp sign agent.json --key ops.key
expect_exit 0
expect_stdout "key k-2026-Q2"
amp verify agent.json
expect_exit 0
amp sign agent.json --key raw1.key
expect_exit 3
expect_stderr "--key-id"
amp sign agent.json --key raw1.key --key-id k-2026-Q2
expect_exit 3
expect_stderr "different public key"

begin "retired keys verify until valid_until, then fail"
amp trust add raw1.pub --key-id raw1
AMP_NOW=2026-01-01T00:00:00Z amp sign agent.json --key raw1.key
expect_exit 0
AMP_NOW=2026-01-01T00:00:00Z amp trust retire raw1 --grace 30d
expect_exit 0
expect_stdout "2026-01-31T00:00:00Z"
AMP_NOW=2026-01-20T00:00:00Z amp verify agent.json
expect_exit 0
expect_stderr "retired"
expect_stderr "2026-01-31T00:00:00Z"
AMP_NOW=2026-02-01T00:00:00Z amp verify agent.json --json
expect_exit 1
expect_json 'd["files"][0]["code"] == "untrusted_key" and "grace period ended" in d["files"][0]["error"]'

begin "revoked keys always fail with the reason"
amp sign agent.json --key ops.key
amp trust revoke k-2026-Q2 --reason IR-1234
expect_exit 0
amp verify agent.json
expect_exit 1
expect_stdout "IR-1234"
amp trust list
expect_stdout "revoked"
amp trust add ops.pub --key-id k-new
expect_exit 3
expect_stderr "revoked key can never be trusted again"
amp sign agent.json --key ops.key
expect_exit 3
expect_stderr "revoked"

begin "verify without a trust store explains what to do"
mkdir -p /tmp/amp-no-ws-$$ && cp agent.json /tmp/amp-no-ws-$$/
(cd /tmp/amp-no-ws-$$ && amp verify agent.json; echo "$CODE" >code; printf '%s' "$ERR" >err)
CODE=$(cat /tmp/amp-no-ws-$$/code) ERR=$(cat /tmp/amp-no-ws-$$/err)
expect_exit 3
expect_stderr "no trust store"
expect_stderr "amp: hint:"
rm -rf /tmp/amp-no-ws-$$

begin "missing files are exit 3 naming the file"
amp sign no-such.json --key ossl.key --key-id ossl
expect_exit 3
expect_stderr "no-such.json"
amp verify agent.json --pubkey no-such.pub
expect_exit 3
expect_stderr "no-such.pub"
amp fleet no-such-dir --check
expect_exit 3
expect_stderr "no-such-dir"

begin "unsigned documents are invalid even without a trust store"
mkdir -p /tmp/amp-unsigned-$$ && cp "$REFERENCE/quiet_stone_v1.json" /tmp/amp-unsigned-$$/u.json
(cd /tmp/amp-unsigned-$$ && amp verify u.json --json; echo "$CODE" >code; printf '%s' "$OUT" >out)
CODE=$(cat /tmp/amp-unsigned-$$/code) OUT=$(cat /tmp/amp-unsigned-$$/out)
expect_exit 1
expect_json 'd["files"][0]["code"] == "no_signature"'
rm -rf /tmp/amp-unsigned-$$

begin "--json failures still print a JSON document"
amp verify agent.json --pubkey bad.key --json
expect_exit 3
expect_json 'd["ok"] is False and d["exit_code"] == 3 and "bad.key" in d["error"]'

begin "signing with a key_id the trust store lacks warns"
amp keygen --key-id later -o later
amp sign agent.json --key later.key --key-id later
expect_exit 0
expect_stderr "not in the trust store"

begin "usage errors exit 64"
amp sign agent.json
expect_exit 64
amp frobnicate
expect_exit 64
amp trust retire raw1 --grace soon
expect_exit 64

finish
