#!/usr/bin/env bash
# Installation and packaging: `cmake --install` and `cpack -G DEB` put the
# binary, the man page and the bash completion in place, the man page renders
# cleanly, and both cover every command and option that `--help` lists.
#
# cpack first runs the build system's `preinstall` target, which rebuilds
# what is out of date: nothing when the suite runs right after the build.
source "$AMP_TEST_LIB"

: "${AMP_SOURCE_DIR:?AMP_SOURCE_DIR must point at the repository}"
BUILD_DIR=$(dirname "$AMP")
MAN_PAGE=$AMP_SOURCE_DIR/docs/man/amp.1
COMPLETION_SOURCE=$AMP_SOURCE_DIR/src/cli/completion/amp.bash
PROJECT_VERSION=$(sed -n 's/^project(amp VERSION \([0-9.]*\).*/\1/p' "$AMP_SOURCE_DIR/CMakeLists.txt")

# Prints the names that `amp [COMMAND] --help` lists under "Subcommands:",
# one line per subcommand with its aliases after it ("check validate").
help_subcommands() {
    "$AMP" "$@" --help |
        awk '/^Subcommands:/ { listing = 1; next } listing && /^  [a-z]/' |
        sed 's/^  //; s/  .*//; s/,/ /g' | tr -s ' '
}

# Prints the options that `amp COMMAND... --help` lists, one per line.
help_options() {
    "$AMP" "$@" --help |
        awk '/^Options:/ { listing = 1; next } /^[A-Z]/ { listing = 0 } listing' |
        grep -oE '^  -[^ ]+' | sed 's/^ *//' | tr ',' '\n'
}

# Prints the text of the man page's COMMANDS section under the subsection
# heading "amp NAME", up to the next heading. Lines are not wrapped.
man_command_section() {
    awk -v heading="   amp $1" '
        $0 == "COMMANDS" { commands = 1; next }
        /^[^ ]/ { commands = 0; inside = 0 }
        commands && /^   [^ ]/ { inside = ($0 == heading); next }
        inside' "$MAN_TEXT"
}

# Prints the text of a top-level section of the man page, such as ENVIRONMENT.
man_section() {
    awk -v heading="$1" '$0 == heading { inside = 1; next } /^[^ ]/ { inside = 0 } inside' "$MAN_TEXT"
}

# Succeeds when the text on stdin contains the option or name as a whole word.
# The word is matched literally: package names such as libstdc++6 hold
# characters that a regular expression would read as operators.
contains_word() {
    local literal
    literal=$(printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
    grep -qE -- "(^|[^-[:alnum:]_])${literal}([^-[:alnum:]_]|$)"
}

# Runs the installed completion function for a command line given as words,
# the last being the word to complete, in a fresh bash. Stores the candidates,
# sorted and joined by spaces, in COMPLETIONS.
complete_words() {
    COMPLETIONS=$(bash -c '
        source "$1"
        shift
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        _amp
        printf "%s\n" "${COMPREPLY[@]}"' complete "$INSTALLED_COMPLETION" "$@" |
        LC_ALL=C sort | tr '\n' ' ' | sed 's/ *$//')
}

expect_completions() {
    local expected=$1
    shift
    complete_words "$@"
    if [ "$COMPLETIONS" = "$expected" ]; then
        pass
    else
        fail "completing '$*': expected '$expected', got '$COMPLETIONS'"
    fi
}

begin "project version is readable"
expect_true "CMakeLists.txt has project(amp VERSION x.y.z)" test -n "$PROJECT_VERSION"

begin "cmake --install puts binary, man page and completion under the prefix"
PREFIX=$WORK/prefix
if cmake --install "$BUILD_DIR" --prefix "$PREFIX" >install.log 2>&1; then
    pass
else
    fail "cmake --install failed: $(tail -n 5 install.log)"
fi
INSTALLED_COMPLETION=$PREFIX/share/bash-completion/completions/amp
expect_true "bin/amp is executable" test -x "$PREFIX/bin/amp"
expect_same_bytes "$MAN_PAGE" "$PREFIX/share/man/man1/amp.1"
expect_same_bytes "$COMPLETION_SOURCE" "$INSTALLED_COMPLETION"
expect_same_bytes "$AMP_SOURCE_DIR/LICENSE" "$PREFIX/share/doc/amp/LICENSE"

begin "installed binary runs and reports the project version"
version_output=$("$PREFIX/bin/amp" --version 2>&1)
CODE=$?
expect_exit 0
expect_true "--version prints 'amp $PROJECT_VERSION', got '$version_output'" \
    test "$version_output" = "amp $PROJECT_VERSION"
"$PREFIX/bin/amp" --help >/dev/null 2>&1
CODE=$?
expect_exit 0

begin "man page renders without warnings"
groff -man -ww -z "$MAN_PAGE" 2>groff.err
CODE=$?
expect_exit 0
expect_true "groff -ww prints no warnings: $(head -c 500 groff.err)" test ! -s groff.err
MAN_TEXT=$WORK/amp.1.txt
# A line length of 2000 characters keeps every paragraph on one line, so no
# option name is hyphenated or split.
groff -man -Tascii -rLL=2000n -P-cbou "$MAN_PAGE" >"$MAN_TEXT" 2>/dev/null
expect_true "NAME reads 'amp - ...' for whatis" grep -qE '^ +amp - [a-z]' "$MAN_TEXT"

begin "man page documents every command, subcommand and option"
command_count=0
while read -r command aliases; do
    command_count=$((command_count + 1))
    section=$(man_command_section "$command")
    expect_true "COMMANDS has a subsection 'amp $command'" test -n "$section"
    for alias in $aliases; do
        expect_true "section 'amp $command' names the alias 'amp $alias'" \
            contains_word "amp $alias" <<<"$section"
    done
    subcommands=$(help_subcommands "$command")
    if [ -z "$subcommands" ]; then
        for option in $(help_options "$command"); do
            # The section's introduction covers -h and --help for every command.
            case $option in -h | --help) continue ;; esac
            expect_true "section 'amp $command' documents $option" contains_word "$option" <<<"$section"
        done
        continue
    fi
    while read -r subcommand _; do
        expect_true "section 'amp $command' has an entry for '$subcommand'" \
            grep -qE "^ {7}$subcommand( |$)" <<<"$section"
        for option in $(help_options "$command" "$subcommand"); do
            case $option in -h | --help) continue ;; esac
            expect_true "section 'amp $command' documents $subcommand $option" \
                contains_word "$option" <<<"$section"
        done
    done <<<"$subcommands"
done < <(help_subcommands)
expect_true "amp --help lists at least 11 commands, got $command_count" test "$command_count" -ge 11

begin "man page lists the environment variables amp reads"
environment=$(man_section ENVIRONMENT)
variables=$(grep -rhoE '(getenv|environment)\("[A-Z_]+"\)' "$AMP_SOURCE_DIR/src" |
    sed 's/.*("\([A-Z_]*\)")/\1/' | sort -u | grep -vx AMP_TEST_CRASH_AT)
expect_true "the sources read AMP_NOW" grep -qx AMP_NOW <<<"$variables"
for variable in $variables; do
    expect_true "ENVIRONMENT mentions $variable" contains_word "$variable" <<<"$environment"
done
expect_true "the test hook AMP_TEST_CRASH_AT is not documented" test "$(grep -c AMP_TEST_CRASH_AT "$MAN_PAGE")" = 0

begin "man page lists the files of a persona and the workspace"
files=$(man_section FILES)
for file in .ampersona/trust.json .ampersona/config.json STEM.json STEM.state.json STEM.state.lock \
    STEM.audit.jsonl STEM.drift.jsonl STEM.integrity.json STEM.audit.torn STEM.drift.torn \
    STEM.authority_overlay.json; do
    expect_true "FILES mentions $file" grep -qF -- "$file" <<<"$files"
done

begin "completion offers every command, subcommand and option"
complete_words amp ""
top_level=" $COMPLETIONS "
while read -r command aliases; do
    for name in $command $aliases; do
        expect_true "'amp <TAB>' offers $name" grep -qF " $name " <<<"$top_level"
    done
    subcommands=$(help_subcommands "$command")
    if [ -z "$subcommands" ]; then
        complete_words amp "$command" -
        offered=" $COMPLETIONS "
        for option in $(help_options "$command"); do
            expect_true "'amp $command -<TAB>' offers $option" grep -qF -- " $option " <<<"$offered"
        done
        continue
    fi
    complete_words amp "$command" ""
    offered_subcommands=" $COMPLETIONS "
    while read -r subcommand _; do
        expect_true "'amp $command <TAB>' offers $subcommand" grep -qF " $subcommand " <<<"$offered_subcommands"
        complete_words amp "$command" "$subcommand" -
        offered=" $COMPLETIONS "
        for option in $(help_options "$command" "$subcommand"); do
            expect_true "'amp $command $subcommand -<TAB>' offers $option" grep -qF -- " $option " <<<"$offered"
        done
    done <<<"$subcommands"
done < <(help_subcommands)

begin "completion completes commands, subcommands and options by prefix"
expect_completions "verify" amp ver
expect_completions "check" amp ch
expect_completions "add list retire revoke" amp trust ""
expect_completions "retire revoke" amp trust re
expect_completions "rebuild" amp state ""
expect_completions "--key --key-id" amp sign --k
expect_completions "--check" amp fleet --ch
expect_completions "--checkpoint-create --checkpoint-verify" amp audit p.json --checkpoint
expect_completions "--help --version -h" amp -

begin "completion offers matching files after key and file options"
mkdir -p files/keys
cd files || exit 3
touch ops.key ops.pub ops.pem persona.json metrics.json notes.txt
expect_completions "keys ops.key ops.pem" amp sign persona.json --key ""
expect_completions "keys ops.key ops.pem" amp audit persona.json --checkpoint-create --sign-key ""
expect_completions "keys ops.key ops.pem" amp state rebuild persona.json --key ""
expect_completions "keys ops.pem ops.pub" amp verify persona.json --pubkey ""
expect_completions "keys ops.pem ops.pub" amp trust add ""
expect_completions "keys metrics.json persona.json" amp gate persona.json --evaluate '*' --metrics ""
expect_completions "keys ops.key ops.pem" amp sign persona.json --key = ""
expect_completions "persona.json" amp status pers
expect_completions "keys metrics.json notes.txt ops.key ops.pem ops.pub persona.json" amp verify ""
expect_completions "keys" amp fleet ""
expect_completions "" amp keygen --key-id ""
expect_completions "" amp trust add ops.pub --key-id ""
cd "$WORK" || exit 3

begin "completion offers the trust store's key ids"
mkdir -p workspace/personas
cd workspace || exit 3
"$AMP" keygen --key-id k-2026-Q1 -o q1 >/dev/null 2>&1
"$AMP" keygen --key-id k-2026-Q2 -o q2 >/dev/null 2>&1
"$AMP" trust add q1.pub --key-id k-2026-Q1 >/dev/null 2>&1
"$AMP" trust add q2.pub --key-id k-2026-Q2 >/dev/null 2>&1
expect_true "trust store created" test -f .ampersona/trust.json
expect_completions "k-2026-Q1 k-2026-Q2" amp trust retire ""
cd personas || exit 3
expect_completions "k-2026-Q2" amp trust revoke k-2026-Q2
expect_completions "k-2026-Q1 k-2026-Q2" amp sign p.json --key q1.key --key-id ""
cd "$WORK" || exit 3

begin "cpack builds a Debian package"
PACKAGE_DIR=$WORK/package
if cpack -G DEB --config "$BUILD_DIR/CPackConfig.cmake" -B "$PACKAGE_DIR" >cpack.log 2>&1; then
    pass
else
    fail "cpack failed: $(tail -n 20 cpack.log)"
fi
DEB=$PACKAGE_DIR/amp_${PROJECT_VERSION}_$(dpkg --print-architecture).deb
expect_true "$DEB exists" test -f "$DEB"

begin "package control fields"
expect_true "Package is amp" test "$(dpkg-deb -f "$DEB" Package)" = amp
expect_true "Version is $PROJECT_VERSION" test "$(dpkg-deb -f "$DEB" Version)" = "$PROJECT_VERSION"
expect_true "Section is admin" test "$(dpkg-deb -f "$DEB" Section)" = admin
expect_true "Maintainer is 'Name <address>'" grep -qE '^[^<]+ <[^>]+@[^>]+>$' <<<"$(dpkg-deb -f "$DEB" Maintainer)"
expect_true "Description has a summary line" test -n "$(dpkg-deb -f "$DEB" Description | head -n 1)"

begin "package depends on the owner of every shared library amp links"
depends=$(dpkg-deb -f "$DEB" Depends)
expect_true "Depends names libc6: '$depends'" contains_word libc6 <<<"$depends"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libraries=$(readelf -d "$AMP" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
expect_true "readelf lists the libraries amp links" test -n "$libraries"
for library in $libraries; do
    owner=$(dpkg -S "/usr/lib/$multiarch/$library" "/lib/$multiarch/$library" 2>/dev/null |
        head -n 1 | cut -d: -f1)
    expect_true "a package owns $library" test -n "$owner"
    expect_true "Depends names $owner, the owner of $library: '$depends'" contains_word "$owner" <<<"$depends"
done

begin "package contents and modes"
dpkg-deb -c "$DEB" >contents.txt
paths=$(awk '{ print $6 }' contents.txt)
for path in ./usr/bin/amp ./usr/share/man/man1/amp.1.gz ./usr/share/bash-completion/completions/amp \
    ./usr/share/doc/amp/copyright; do
    expect_true "package contains $path" grep -qx -- "$path" <<<"$paths"
done
expect_true "man page is only in gzipped form" test "$(grep -c '/man1/amp\.1$' <<<"$paths")" = 0
expect_true "license is only under the name copyright" test "$(grep -c '/doc/amp/LICENSE$' <<<"$paths")" = 0
expect_true "every entry is owned by root/root" test "$(awk '$2 != "root/root"' contents.txt | wc -l)" = 0
expect_true "every directory is mode 0755" test "$(awk '/^d/ && $1 != "drwxr-xr-x"' contents.txt | wc -l)" = 0
expect_true "usr/bin/amp is mode 0755" grep -qE '^-rwxr-xr-x .* \./usr/bin/amp$' contents.txt
for path in ./usr/share/man/man1/amp.1.gz ./usr/share/bash-completion/completions/amp ./usr/share/doc/amp/copyright; do
    expect_true "$path is mode 0644" grep -qE "^-rw-r--r-- .* ${path//./\\.}\$" contents.txt
done

begin "packaged files match the sources"
dpkg-deb -x "$DEB" unpacked
gzip -dc unpacked/usr/share/man/man1/amp.1.gz >unpacked-amp.1
expect_same_bytes "$MAN_PAGE" unpacked-amp.1
expect_true "gzip header carries no timestamp (gzip -n)" \
    test "$(od -An -tu4 -j4 -N4 unpacked/usr/share/man/man1/amp.1.gz | tr -d ' ')" = 0
expect_same_bytes "$COMPLETION_SOURCE" unpacked/usr/share/bash-completion/completions/amp
expect_same_bytes "$AMP_SOURCE_DIR/LICENSE" unpacked/usr/share/doc/amp/copyright
expect_true "packaged amp --version prints 'amp $PROJECT_VERSION'" \
    test "$(unpacked/usr/bin/amp --version 2>&1)" = "amp $PROJECT_VERSION"
expect_true "packaged binary is stripped of debug information" \
    test "$(readelf -S unpacked/usr/bin/amp | grep -c '\.debug_info')" = 0

finish
