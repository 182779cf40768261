#!/usr/bin/env bash
# The configuration file, end to end: `lector config`, warnings that name the line while the rest
# still applies, the texts folder's precedence, smart case in `lector search`, and in the reader
# (lector dump) the measure, a bound key and the help screen. The warning on the status line and
# the colours, which need a terminal, are in test_tmux.sh.
# Usage: test_config.sh LECTOR TEXTS_DIR
# shellcheck disable=SC2016 # checks written eval '...' expand when they run
set -u
lector=$1
texts=$2
. "$(dirname "$0")/lib.sh"
e2e_begin
export LC_ALL=C.UTF-8 XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
export XDG_CONFIG_HOME="$tmp/xdg" HOME="$tmp/home"
unset LECTOR_CONFIG LECTOR_TEXTS NO_COLOR
mkdir -p "$tmp/home" "$tmp/xdg/lector"
cfg="$tmp/xdg/lector/config"

run() { # run CMD...: sets out, err, rc
    timeout $((20 * patience)) "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}

# --- no file: the defaults, said plainly -----------------------------------------------------------
run "$lector" config
check "config: no file is fine (status 0)" test "$rc" -eq 0
check "config: names the file it would read" grep -qF "file: $cfg (none: the defaults apply)" "$tmp/out"
check "config: the defaults" grep -qx "smart-case = yes" "$tmp/out"

# --- a file with mistakes: each named by line, the rest applies ------------------------------------
cat >"$cfg" <<'CFG'
# lector, my way
measure = 40
colour.status = red
smart-case = no   # case never counts
key.page-down = x
key.down = PageDown
texts = ~/shelf
CFG
run "$lector" config
check "config: warnings give status 1" test "$rc" -eq 1
check "config: line 3 named, with the settings there are" \
    grep -qF "warning: $cfg:3: unknown setting 'colour.status': the settings are measure" "$tmp/out"
check "config: line 6 named, with the key names there are" \
    grep -qF "$cfg:6: key.down: 'PageDown' is not a key" "$tmp/out"
check "config: the rest applies" \
    bash -c "grep -qx 'measure = 40' '$tmp/out' && grep -qx 'smart-case = no' '$tmp/out' &&
             grep -qx 'key.page-down = x' '$tmp/out' && grep -qx 'texts = $tmp/home/shelf' '$tmp/out'"
check "config: exactly two warnings" test "$(grep -c '^warning:' "$tmp/out")" -eq 2

# Every command warns on stderr, one line each, and still works.
mkdir -p "$tmp/home/shelf"
printf 'Shelf Story\n\nThe Mother of all MOTHERS met a mother.\n\nMOTHER\n\nmother\n' >"$tmp/home/shelf/shelf-story.txt"
run "$lector" wrap
check "wrap: still works with a flawed file (status 0)" test "$rc" -eq 0
check "wrap: the texts setting is used" grep -qF "The Mother of all" "$tmp/out"
check "wrap: two warning lines on stderr, each naming the file" \
    test "$(grep -c "^lector: $cfg:[36]: " "$tmp/err")" -eq 2
LECTOR_TEXTS="$texts" run "$lector" wrap
check "LECTOR_TEXTS wins over the texts setting" grep -qF "Ivan Baktybekova" "$tmp/out"
run "$lector" wrap "$texts/ivan-baktybekova.txt"
check "a path on the command line wins over both" grep -qF "Ivan Baktybekova" "$tmp/out"

# smart-case = no: a capital does not make case count in lector search.
run "$lector" search --count --no-cache MOTHER
check "smart-case = no: MOTHER finds every mother (5 places)" grep -q ":5\$" "$tmp/out"
sed -i 's/^smart-case = no.*/smart-case = yes/' "$cfg"
run "$lector" search --count --no-cache MOTHER
check "smart-case = yes: MOTHER finds only MOTHER and MOTHERS" grep -q ":2\$" "$tmp/out"
sed -i 's/^smart-case = yes/smart-case = no/' "$cfg"

# The texts folder missing: say what to do.
rm -rf "$tmp/home/shelf"
run "$lector" wrap
check "missing texts folder: status 2" test "$rc" -eq 2
check "missing texts folder: one line naming it and what to do" \
    bash -c "[ \$(grep -vc '^lector: $cfg:' '$tmp/err') -eq 1 ] && grep -qF '$tmp/home/shelf: no such folder; no story was given' '$tmp/err' && grep -qF 'set LECTOR_TEXTS or texts in the configuration' '$tmp/err'"
run "$lector" search Mother
check "search with the texts folder missing: the same line, status 2" \
    bash -c "[ $rc -eq 2 ] && [ \$(grep -vc '^lector: $cfg:' '$tmp/err') -eq 1 ] && grep -qF 'no story was given' '$tmp/err'"
mkdir -p "$tmp/home/shelf"
printf 'Shelf Story\n\nThe Mother of all MOTHERS met a mother.\n' >"$tmp/home/shelf/shelf-story.txt"

# A configuration that is not a file: said, and the defaults apply.
LECTOR_CONFIG="$tmp" run "$lector" config
check "config: a folder is status 2" test "$rc" -eq 2
check "config: a folder is said" grep -qF "error: configuration not read: $tmp: not a file" "$tmp/out"
LECTOR_CONFIG="$tmp" run "$lector" wrap "$texts/ivan-baktybekova.txt"
check "wrap with a folder for a configuration: works, one line why" \
    bash -c "[ $rc -eq 0 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -qF 'not a file' '$tmp/err'"

# A key that is a bidi control is shown escaped, never sent raw.
printf 'key.quit = \xe2\x80\xae\n' >"$tmp/bidi.cfg"
LECTOR_CONFIG="$tmp/bidi.cfg" run "$lector" config
check "config: a bidi control bound as a key is printed as <U+202E>" \
    bash -c "grep -qx 'key.quit = <U+202E>' '$tmp/out' && ! grep -q \$'\xe2\x80\xae' '$tmp/out'"

# --- the reader, through lector dump ---------------------------------------------------------------
# (lib.sh: the real app with keys given on the command line, its screens printed as text.) The
# warnings on the status line and the colours, which the terminal program sets and draws, are in
# test_tmux.sh.
dump_env="HOME=$tmp/home XDG_CONFIG_HOME=$tmp/xdg"
story="$texts/ivan-baktybekova.txt"
"$lector" wrap --width 40 "$story" >"$tmp/w40" 2>/dev/null
first=$(grep -m1 . "$tmp/w40")
dump --keys "<dump>x<dump>gh<dump>qq<dump>" "$story"
on 1
check "reader: the configured measure (40 columns)" top_is "$first"
# text_rows_40: the rows above the status line, trimmed, are at most 40 columns
text_rows_40() {
    [ "$(head -n -1 <<<"$S" | sed 's/^ *//; s/ *$//' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')" -le 40 ] ||
        said "a row wider than 40"
}
check "reader: no row wider than 40" text_rows_40
check "reader: the warnings said on stderr, as by every command" \
    test "$(grep -c "^lector: $cfg:[36]: " <<<"$dump_err")" -eq 2
on 2
check "reader: x pages down (bound to page-down)" eval '! head -n 1 <<<"$S" | grep -qF -- "$first" || said "x"'
on 3
check "reader: the help lists x for page-down" shows "Space  f  PgDn  x"
check "reader: quits (the keys after q not read)" test "$(screens)" -eq 4

# --width on the command line wins over measure.
first60=$("$lector" wrap --width 60 "$story" 2>/dev/null | grep -m1 .)
rm -rf "$tmp/state"
dump --width 60 "$story"
check "reader: --width 60 wins over measure = 40" top_is "$first60"
dump_env=

check_done
