# Helpers for CLI tests: each test script runs the built binary ($AMP) in a
# fresh temporary directory and asserts exit codes, output and files.
# Sourced by tests/cli/test_*.sh; CTest sets AMP, AMP_SHARED_DIR and AMP_SOURCE_DIR.
set -u

: "${AMP:?AMP must point at the built amp binary}"
: "${AMP_SHARED_DIR:?AMP_SHARED_DIR must point at the shared conformance data}"
AMP=$(realpath "$AMP")
# The binary's directory goes first on PATH, so a test can also run `amp` as
# an operator would once the `amp` function below is unset.
PATH="$(dirname "$AMP"):$PATH"
SIGNED="$AMP_SHARED_DIR/conformance/signed"
REFERENCE="$AMP_SHARED_DIR/reference/personas"

passed=0
failed=0
current_test="(none)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/amp-cli-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 3
export NO_COLOR=1
unset AMP_SIGNING_KEY AMP_KEY_ID AMP_NOW AMP_SIGNER

# Starts a named test case.
begin() {
    current_test=$1
}

pass() {
    passed=$((passed + 1))
}

fail() {
    failed=$((failed + 1))
    printf 'FAIL [%s]: %s\n' "$current_test" "$1" >&2
    if [ -n "${OUT+x}" ]; then
        printf '  exit: %s\n  stdout: %s\n  stderr: %s\n' "${CODE:-}" "$(head -c 2000 <<<"$OUT")" "$(head -c 2000 <<<"$ERR")" >&2
    fi
}

# Runs amp with the given arguments; sets CODE, OUT and ERR.
run_amp() {
    local out_file err_file
    out_file=$(mktemp) err_file=$(mktemp)
    "$AMP" "$@" >"$out_file" 2>"$err_file"
    CODE=$?
    OUT=$(cat "$out_file")
    ERR=$(cat "$err_file")
    rm -f "$out_file" "$err_file"
}

amp() { run_amp "$@"; }

expect_exit() {
    if [ "$CODE" = "$1" ]; then pass; else fail "expected exit $1, got $CODE"; fi
}

expect_stdout() {
    if grep -qF -- "$1" <<<"$OUT"; then pass; else fail "stdout lacks: $1"; fi
}

expect_stderr() {
    if grep -qF -- "$1" <<<"$ERR"; then pass; else fail "stderr lacks: $1"; fi
}

expect_no_stdout() {
    if grep -qF -- "$1" <<<"$OUT"; then fail "stdout unexpectedly has: $1"; else pass; fi
}

expect_no_output_containing() {
    if grep -qF -- "$1" <<<"$OUT$ERR"; then fail "output unexpectedly contains: $1"; else pass; fi
}

expect_file_contains() {
    if grep -qF -- "$2" "$1" 2>/dev/null; then pass; else fail "$1 lacks: $2"; fi
}

expect_same_bytes() {
    if cmp -s "$1" "$2"; then pass; else fail "$1 and $2 differ"; fi
}

expect_true() {
    local description=$1
    shift
    if "$@"; then pass; else fail "$description"; fi
}

# Evaluates a jq-free JSON check with python3: expect_json EXPR (Python expression on `d`).
expect_json() {
    if python3 -c "import json,sys; d=json.loads(sys.stdin.read()); sys.exit(0 if ($1) else 1)" <<<"$OUT" 2>/dev/null; then
        pass
    else
        fail "JSON check failed: $1"
    fi
}

# Compares two strings: expect_equal DESCRIPTION EXPECTED ACTUAL.
expect_equal() {
    if [ "$2" = "$3" ]; then pass; else fail "$1: expected '$2', got '$3'"; fi
}

# Evaluates a Python expression on the JSON document in FILE, bound to `d`:
# expect_json_file FILE EXPR.
expect_json_file() {
    if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" 2>/dev/null; then
        pass
    else
        fail "JSON check on $1 failed: $2"
    fi
}

# Prints the closing line and exits non-zero if anything failed.
finish() {
    printf '%d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
}
