# The fleet every runbook scenario starts from, built in the test's own
# temporary directory ($WORK, the current directory). Sourced by
# tests/cli/test_runbook_*.sh after lib.sh.
#
# The workspace it leaves:
#   .ampersona/trust.json    keys k-2026-Q1 (signs the fleet) and admin, both active
#   .ampersona/config.json   state files are signed with old.key as k-2026-Q1, and
#                            unsigned personas or state files are refused
#   old.key, admin.key       private keys, outside personas/
#   m.json                   metrics that pass onboarding and agent's "trusted" gate
#   personas/                agent (QuietStone), release_bot and triage_agent, signed,
#                            onboarded on 2026-04-01, anchored by a signed snapshot,
#                            and evaluated again on 2026-04-02. agent waits for a
#                            human approval of its "trusted" gate; the other two stay
#                            active.
# AMP_NOW is left at 2026-04-02T09:00:00Z, and scenarios move it forward.

FLEET_PERSONAS="agent release_bot triage_agent"

export AMP_SIGNER=ops@example.org

# Prints a Python expression evaluated on the JSON document in FILE, bound to
# `d`: json_value FILE EXPR. A string prints bare, any other value as JSON.
json_value() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
value = eval(sys.argv[2])
print(value if isinstance(value, str) else json.dumps(value))' "$1" "$2"
}

# The same for a JSON Lines file (audit log, drift ledger), whose entries are
# bound to `e`: jsonl_value FILE EXPR.
jsonl_value() {
    python3 -c 'import json, sys
e = [json.loads(line) for line in open(sys.argv[1])]
value = eval(sys.argv[2])
print(value if isinstance(value, str) else json.dumps(value))' "$1" "$2"
}

key_of() { json_value "$1" 'd["signature"]["key_id"]'; }
state_rev_of() { json_value "personas/$1.state.json" 'd["state_rev"]'; }
line_count() { wc -l <"$1" | tr -d ' '; }

# Edits a JSON file with Python statements on `d`, as a person with an editor
# would: a signature block stays as it was, so a signed file no longer
# verifies until it is signed again. edit_json FILE STATEMENTS.
edit_json() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
with open(sys.argv[1], "w") as f:
    json.dump(d, f, indent=2)
    f.write("\n")' "$1" "$2"
}

# The runbook's commands that redirect amp's output run the binary itself,
# found on PATH. amp_checked switches back to run_amp, which captures exit
# code, stdout and stderr for the checks.
amp_binary() { unset -f amp; }
amp_checked() { amp() { run_amp "$@"; }; }

# Full backup: the runbook's tar command, run in the workspace root.
back_up_fleet() {
tar czf ampersona-backup-$(date +%Y%m%d).tar.gz \
  personas/*.json \
  personas/*.state.json \
  personas/*.audit.jsonl \
  personas/*.drift.jsonl \
  personas/*.integrity.json \
  .ampersona/
}

begin "fleet: keys, trust store and config.json"
export AMP_NOW=2026-04-01T09:00:00Z
mkdir personas
cp "$REFERENCE/quiet_stone_v1.json" personas/agent.json
cp "$AMP_SOURCE_DIR/personas/release_bot.json" "$AMP_SOURCE_DIR/personas/triage_agent.json" personas/
printf '{"schema_valid": true, "tasks_completed": 25, "error_rate": 0.03, "policy_violations": 0}\n' >m.json
amp keygen --key-id k-2026-Q1 -o old
expect_exit 0
amp trust add old.pub --key-id k-2026-Q1
expect_exit 0
amp keygen --key-id admin -o admin
expect_exit 0
amp trust add admin.pub --key-id admin
expect_exit 0
cat >.ampersona/config.json <<'EOF'
{"signing": {"key": "old.key", "key_id": "k-2026-Q1"},
 "policy": {"require_signed_personas": true, "require_signed_state": true}}
EOF

begin "fleet: signed, onboarded and anchored"
amp sign personas/*.json --key old.key
expect_exit 0
for persona in $FLEET_PERSONAS; do
    amp gate "personas/$persona.json" --evaluate onboarding --metrics m.json
    expect_exit 0
done
export AMP_NOW=2026-04-01T10:00:00Z
for persona in $FLEET_PERSONAS; do
    amp audit "personas/$persona.json" --checkpoint-create --sign-key old.key
    expect_exit 0
done

begin "fleet: a day of gate evaluations"
export AMP_NOW=2026-04-02T09:00:00Z
amp gate personas/agent.json --evaluate '*' --metrics m.json
expect_exit 2
amp gate personas/release_bot.json --evaluate '*' --metrics m.json
expect_exit 1
amp gate personas/triage_agent.json --evaluate '*' --metrics m.json
expect_exit 1

begin "fleet: every check passes"
amp fleet personas/ --check
expect_exit 0
expect_stdout "3 personas checked: 3 ok, 0 failed"
