#!/usr/bin/env bash
# Usage errors and help: what an operator sees after a typo, and that
# every command explains itself with --help.
source "$AMP_TEST_LIB"

commands=(keygen trust sign verify check fleet gate elevate status audit state)

begin "amp --help lists every command"
amp --help
expect_exit 0
for command in "${commands[@]}"; do expect_true "help lists $command" grep -qE "^  $command[ ,]" <<<"$OUT"; done
expect_stdout "check, validate"

begin "every command has its own help"
for command in "${commands[@]}" validate; do
    amp "$command" --help
    expect_exit 0
done
for command in "${commands[@]}"; do
    amp "$command" --help
    expect_true "$command --help lists its exit codes" grep -q "Exit code" <<<"$OUT"
done
amp --help
expect_stdout "AMP_SIGNING_KEY and AMP_KEY_ID override the signing key of config.json"
expect_stdout "man amp"
amp verify --help
expect_stdout "Usage: amp verify [OPTIONS] FILE..."
expect_stdout "--pubkey"
amp validate --help
expect_stdout "Usage: amp check [OPTIONS] FILE..."

begin "a mistyped command is named, with the nearest command"
amp verfy persona.json
expect_exit 64
expect_stderr 'amp: error: unknown command "verfy"'
expect_stderr "did you mean 'amp verify'?"
expect_equal "nothing on stdout" "" "$OUT"

begin "an unknown word gets no guess"
amp frobnicate
expect_exit 64
expect_stderr 'amp: error: unknown command "frobnicate"'
expect_no_output_containing "did you mean"
expect_stderr "see 'amp --help'"

begin "no command at all"
amp
expect_exit 64
expect_stderr "A subcommand is required"

begin "an unknown option of a known command"
amp verify --frobnicate x.json
expect_exit 64
expect_stderr "--frobnicate"

begin "a usage error writes nothing"
before=$(ls -A)
amp keygen --key-id
expect_exit 64
amp sing personas/x.json --key k.key
expect_exit 64
expect_equal "no file created" "$before" "$(ls -A)"

begin "--version"
amp --version
expect_exit 0
expect_stdout "amp 0.1.0"

finish
