#!/usr/bin/env bash
# meson install of the source tree into a temporary prefix (a fresh build, without the tests):
# the binary runs and finds the installed stories with no configuration, the man page and the
# completion are there, and nothing is written outside the prefix or the source tree changed.
# Usage: test_install.sh SOURCE_ROOT
set -u
src=$1
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8
prefix=$tmp/prefix
# the environment of a user with nothing set up: no texts folder, no configuration
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/config XDG_STATE_HOME=$tmp/state \
    XDG_CACHE_HOME=$tmp/cache LECTOR_CONFIG=/dev/null
unset LECTOR_TEXTS LECTOR_CACHE_DIR DESTDIR MANPAGER PAGER MANOPT MAN_KEEP_FORMATTING
mkdir -p "$HOME"

git_status() { git -C "$src" status --porcelain --untracked-files=all 2>/dev/null; }
before=$(git_status)

# --- build and install ---------------------------------------------------------------------------
# buildtype plain: no optimisation, half the compile time; the checks below only run it
if meson setup "$tmp/build" "$src" --prefix="$prefix" -Dtests=false -Dbenchmarks=false \
    -Dbuildtype=plain \
    >"$tmp/setup.log" 2>&1; then
    ok
else
    fail "meson setup --prefix=$prefix"
    cat "$tmp/setup.log" >&2
fi
if meson install -C "$tmp/build" >"$tmp/install.log" 2>&1; then
    ok
else
    fail "meson install"
    tail -30 "$tmp/install.log" >&2
fi
# meson's own list of what it installed: every file under the prefix
list=$tmp/build/meson-logs/install-log.txt
check "meson wrote its install log" test -s "$list"
outside=$(grep -v '^#' "$list" | grep -vE "^$prefix(/|\$)")
check "nothing installed outside the prefix" test -z "$outside"
[ -n "$outside" ] && printf 'installed outside %s:\n%s\n' "$prefix" "$outside" >&2

# --- the binary ----------------------------------------------------------------------------------
lector=$prefix/bin/lector
check "bin/lector is installed" test -x "$lector"
version=$("$lector" --version 2>&1)
check "lector --version runs ($version)" bash -c "[[ '$version' == 'lector '[0-9]* ]]"

# --- the stories ---------------------------------------------------------------------------------
texts=$prefix/share/lector/texts
check "the texts folder is installed" test -d "$texts"
n=0
for f in "$src"/texts/*.txt; do
    n=$((n + 1))
    check "texts/$(basename "$f") is installed, the same bytes" cmp -s "$f" "$texts/$(basename "$f")"
done
check "the source has stories ($n)" test "$n" -ge 2
check "nothing else is in the texts folder" \
    test "$(find "$texts" -mindepth 1 | wc -l)" -eq "$n"

# title FILE: the story's title as lector reads it: a short first line (at most 80 bytes and 12
# words) followed by a blank line, else from the file name
title() {
    local first second
    first=$(sed -n '1{s/\r$//;s/^\xef\xbb\xbf//;p}' "$1")
    second=$(sed -n '2{s/\r$//;p}' "$1")
    if [ -n "$first" ] && [ "${#first}" -gt 0 ] && [ "$(printf '%s' "$first" | wc -c)" -le 80 ] &&
        [ "$(printf '%s\n' "$first" | wc -w)" -le 12 ] && [ -z "${second//[[:space:]]/}" ] &&
        [ "$(wc -l <"$1")" -ge 2 ]; then
        printf '%s\n' "$first" | sed 's/^[[:space:]]*//;s/[[:space:]]*$//'
    else
        basename "$1" .txt | sed 's/[-_]/ /g' | awk '{ for (i = 1; i <= NF; i++) $i = toupper(substr($i, 1, 1)) substr($i, 2); print }'
    fi
}
# plain `lector` and `lector wrap`, no path and no LECTOR_TEXTS, output not a terminal: every
# installed story, printed
for cmd in "" wrap; do
    timeout 20 "$lector" $cmd </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check "lector${cmd:+ $cmd} exits 0 (no path, output not a terminal)" test "$rc" -eq 0
    [ "$rc" -eq 0 ] || cat "$tmp/err" >&2
    check "lector${cmd:+ $cmd} says nothing on stderr" test ! -s "$tmp/err"
    for f in "$texts"/*.txt; do
        t=$(title "$f")
        check "lector${cmd:+ $cmd} prints the installed story \"$t\"" grep -qF -- "$t" "$tmp/out"
    done
done
# and lector search finds a word of each story there
for f in "$texts"/*.txt; do
    word=$(grep -oE '[[:alpha:]]{7,}' "$f" | head -1)
    [ -n "$word" ] || continue
    timeout 20 "$lector" search --no-cache --count "$word" </dev/null >"$tmp/out" 2>"$tmp/err"
    check "lector search '$word' finds it in the installed $(basename "$f")" \
        grep -qE "^$texts/$(basename "$f"):[1-9]" "$tmp/out"
done

# --- the man page --------------------------------------------------------------------------------
man1=$prefix/share/man/man1/lector.1
check "share/man/man1/lector.1 is installed" test -f "$man1"
MANWIDTH=200 man --warnings=w -E UTF-8 -l "$man1" >"$tmp/man.txt" 2>"$tmp/man.err"
check "man -l renders the installed page" test $? -eq 0 -a -s "$tmp/man.txt"
check "man -l: no warning" test ! -s "$tmp/man.err"
[ -s "$tmp/man.err" ] && cat "$tmp/man.err" >&2
check "the page names the installed texts folder ($texts)" grep -qF -- "$texts" "$tmp/man.txt"
check "the page names the version" grep -qF -- "$version" "$tmp/man.txt"
check "man finds it in the prefix's MANPATH" \
    test "$(MANPATH=$prefix/share/man man -w lector 2>/dev/null)" = "$man1"

# --- the completion ------------------------------------------------------------------------------
comp=$(find "$prefix" -path '*/bash-completion/completions/lector')
check "the completion is installed in the prefix ($comp)" \
    test "$comp" = "$prefix/share/bash-completion/completions/lector"
check "the installed completion defines lector's" \
    bash --norc --noprofile -c '. "$1" && complete -p lector | grep -q _lector' bash "$comp"

# --- nothing else written ------------------------------------------------------------------------
after=$(git_status)
check "the source tree is as it was (git status)" test "$before" = "$after"
[ "$before" = "$after" ] || diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2
check "nothing written in HOME" test -z "$(find "$HOME" -mindepth 1)"
check "no configuration folder made" test ! -e "$XDG_CONFIG_HOME"

check_done
