# Bash completion for amp: commands, subcommands, options, and file names
# where an argument or option takes a file. It uses bash builtins only
# (mapfile and compopt need bash 4) and none of the bash-completion package's
# helpers. That package loads it on demand from
# share/bash-completion/completions/amp when it is installed.

# Adds to COMPREPLY the directories and files that start with $1. When more
# arguments are given, only files ending in one of those suffixes are added,
# and directories are still offered so the user can descend into them.
_amp_complete_files() {
    local current=$1
    shift
    local path suffix
    local -a candidates=()
    mapfile -t candidates < <(compgen -f -- "$current")
    for path in "${candidates[@]}"; do
        if [[ -d $path || $# -eq 0 ]]; then
            COMPREPLY+=("$path")
            continue
        fi
        for suffix in "$@"; do
            if [[ $path == *"$suffix" ]]; then
                COMPREPLY+=("$path")
                break
            fi
        done
    done
    # compopt fails outside a running completion, as in the tests, and then
    # only the trailing slash on directory names is lost.
    compopt -o filenames 2>/dev/null
}

_amp_complete_directories() {
    mapfile -t COMPREPLY < <(compgen -d -- "$1")
    compopt -o filenames 2>/dev/null
}

# Prints the key ids in the trust store of the workspace around the current
# directory, the same workspace that `amp trust retire` and `revoke` use.
_amp_trusted_key_ids() {
    local directory=$PWD
    while true; do
        if [[ -f $directory/.ampersona/trust.json ]]; then
            grep -o '"key_id"[[:space:]]*:[[:space:]]*"[^"]*"' "$directory/.ampersona/trust.json" |
                sed 's/.*"\([^"]*\)"$/\1/'
            return
        fi
        if [[ -z $directory || $directory == / ]]; then
            return
        fi
        directory=${directory%/*}
    done
}

# Prints the options of a command ("trust add", "state rebuild", ...).
_amp_options() {
    local options
    case $1 in
        keygen) options="--key-id -o --output --raw" ;;
        trust) options="" ;;
        "trust add") options="--key-id" ;;
        "trust list") options="--json" ;;
        "trust retire") options="--grace" ;;
        "trust revoke") options="--reason" ;;
        sign) options="--key --key-id --signer" ;;
        verify) options="--pubkey --json" ;;
        check | validate) options="--strict --json" ;;
        fleet) options="--check --status --allow-unsigned --threads --json" ;;
        gate) options="--evaluate --approve --override --metrics --approver --reason --json" ;;
        elevate) options="--elevation --revoke --reason --approver --json" ;;
        status) options="--drift --json" ;;
        audit) options="--verify --from --checkpoint-create --sign-key --key-id --acknowledge --reason
                        --checkpoint-verify --note --approver --json" ;;
        state) options="" ;;
        "state rebuild") options="--key --key-id --json" ;;
        "") options="--version" ;;
    esac
    echo "$options -h --help"
}

_amp() {
    local current=${COMP_WORDS[COMP_CWORD]}
    local previous=""
    if ((COMP_CWORD > 0)); then
        previous=${COMP_WORDS[COMP_CWORD - 1]}
    fi
    COMPREPLY=()

    # Bash splits "--key=FILE" at "=" (it is in COMP_WORDBREAKS), so the
    # option sits one word further back.
    if [[ $current == "=" ]]; then
        current=""
    elif [[ $previous == "=" ]] && ((COMP_CWORD >= 2)); then
        previous=${COMP_WORDS[COMP_CWORD - 2]}
    fi

    # The command is the first word that is not an option. trust and state
    # take a subcommand, which is the next such word.
    local command="" subcommand="" word i
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        [[ $word == -* ]] && continue
        if [[ -z $command ]]; then
            command=$word
        elif [[ -z $subcommand && ($command == trust || $command == state) ]]; then
            subcommand=$word
            break
        fi
    done
    local path=$command
    [[ -n $subcommand ]] && path="$command $subcommand"

    # Values of options that take one.
    case $previous in
        --key | --sign-key)
            _amp_complete_files "$current" .key .pem
            return
            ;;
        --pubkey)
            _amp_complete_files "$current" .pub .pem
            return
            ;;
        --metrics)
            _amp_complete_files "$current" .json
            return
            ;;
        -o | --output)
            _amp_complete_files "$current"
            return
            ;;
        --key-id)
            # A new key id is chosen by the user, but an existing one is in the trust store.
            if [[ $path != keygen && $path != "trust add" ]]; then
                mapfile -t COMPREPLY < <(compgen -W "$(_amp_trusted_key_ids)" -- "$current")
            fi
            return
            ;;
        --signer | --reason | --approver | --note | --from | --threads | --acknowledge | \
            --elevation | --revoke | --evaluate | --approve | --override | --grace)
            return
            ;;
    esac

    if [[ $current == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_amp_options "$path")" -- "$current")
        return
    fi

    case $path in
        "")
            mapfile -t COMPREPLY < <(compgen -W "keygen trust sign verify check validate fleet gate elevate status
                                                  audit state" -- "$current")
            ;;
        trust)
            mapfile -t COMPREPLY < <(compgen -W "add list retire revoke" -- "$current")
            ;;
        state)
            mapfile -t COMPREPLY < <(compgen -W "rebuild" -- "$current")
            ;;
        "trust add")
            _amp_complete_files "$current" .pub .pem
            ;;
        "trust retire" | "trust revoke")
            mapfile -t COMPREPLY < <(compgen -W "$(_amp_trusted_key_ids)" -- "$current")
            ;;
        fleet)
            _amp_complete_directories "$current"
            ;;
        sign | verify | check | validate | gate | elevate | status | audit | "state rebuild")
            _amp_complete_files "$current"
            ;;
    esac
}

complete -F _amp amp
