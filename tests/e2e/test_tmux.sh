#!/usr/bin/env bash
# lector in a real terminal (tmux, tmux's own regress style: a private server, a fixed size, poll
# capture-pane until the screen shows what is expected, never a bare sleep as a check): what
# `lector dump` cannot show. The terminal's width used by lector wrap; the reader's exit statuses,
# Ctrl-C, SIGTERM, SIGHUP and Ctrl-Z; the width probe; a story on a pipe with keys from the
# terminal; TERM problems; colours and attributes as the terminal draws them; what reaches the
# terminal (no escape sequence from a story, nothing while idle, the mouse modes asked for, a
# click, no part of a wide cluster left behind, Ctrl-L); and a place not saved, said on stderr
# once the screen is given back. The views' behaviour is checked through lector dump in
# test_reader.sh, test_compare.sh and test_config.sh. Usage: test_tmux.sh LECTOR TEXTS_DIR
# shellcheck disable=SC2016 # checks written eval '...' expand when they run
set -u
lector=$1
texts=$2
. "$(dirname "$0")/lib.sh"
tmux_begin lector-tmux
export LC_ALL=C.UTF-8
here=$(cd "$(dirname "$0")" && pwd)
helper=$here/helper.py
ivan=$texts/ivan-baktybekova.txt
sezim=$texts/sezim-baktybekova.txt

# --- lector wrap uses the terminal's width -------------------------------------------------------
for size in 80x24 40x12 57x20; do
    cols=${size%x*}
    rows=${size#*x}
    tm kill-session -t e2e 2>/dev/null
    tm new-session -d -s e2e -x "$cols" -y "$rows" \
        "env LC_ALL=C.UTF-8 '$lector' wrap '$sezim'; echo WRAP-DONE; sleep 30"
    wait_for WRAP-DONE >/dev/null
    # the pane with its scrollback, without the marker and the blank rows after it
    got=$(tm capture-pane -p -S - -E - -t e2e | sed -e 's/ *$//' | sed -e '/^WRAP-DONE$/,$d')
    want=$(LC_ALL=C.UTF-8 "$lector" wrap --width "$cols" "$sezim")
    # The terminal's width was used: the pane (with its scrollback) shows exactly the lines
    # wrapped at that width, none of them folded again by the terminal.
    check "tmux $size shows lines wrapped to the pane" test "$got" = "$want"
done

# --- the reader: its status on leaving, signals, the terminal given back --------------------------
nstories=$(find "$texts" -maxdepth 1 -name '*.txt' | wc -l)
start 80x24 "$texts"
wait_for "lector: $nstories stories" >/dev/null
tm send-keys -t e2e Enter
wait_for "page 1 of" >/dev/null
tm send-keys -t e2e q
wait_for "Enter open  Space mark" >/dev/null
tm send-keys -t e2e q
check "q on the shelf quits with status 0" wait_for "EXIT=0"

# One file opens the reader directly; Ctrl-C restores the terminal and exits.
start 80x24 "$sezim"
check "one file opens the reader" wait_for "Sezim Baktybekova was a talented"
tm send-keys -t e2e C-c
check "Ctrl-C exits (status 130)" wait_for "EXIT=130"
check "the terminal is back to normal (no alternate screen left)" alternate_off

# A story full of escape sequences changes nothing outside our window (as stand-ins on the grid:
# test_reader.sh).
printf 'Title \033]0;HACKED\007\n\nClear \033[2J bell \007 C1 \302\233 RLO \342\200\256 end.\n' >"$tmp/hostile.txt"
start 60x12 "$tmp/hostile.txt"
check "hostile story shown with symbols" wait_for "Clear ␛[2J bell ␇ C1 <U+009B> RLO <U+202E> end."
check "pane title untouched" eval '! tm display -p -t e2e "#{pane_title}" | grep -q HACKED'
tm send-keys -t e2e q
check "quits" wait_for "EXIT=0"

# Widths the terminal really draws: tmux joins a ZWJ family into 2 columns; measured at start,
# ten of them and a word fill one row of 36 columns exactly, nothing cut or shifted.
fam=$(printf '\360\237\221\250\342\200\215\360\237\221\251\342\200\215\360\237\221\247')
{ printf 'Emoji\n\n'; for i in 1 2 3 4 5 6 7 8 9 10; do printf '%s ' "$fam"; done; printf '\nflags \360\237\207\260\360\237\207\277 end\n'; } >"$tmp/emoji.txt"
start 40x10 "$tmp/emoji.txt"
check "emoji story opens" wait_for "flags"
check "ten families and the word on one row" \
    eval '[ "$(screen | grep -F flags | grep -o "$fam" | wc -l)" -eq 10 ]'
check "the flag and the word after it on the next row" wait_for "$(printf '\360\237\207\260\360\237\207\277') end"
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null

# SIGTERM and SIGHUP restore the terminal too (the pid is lector's: exec replaces the shell).
for sig in TERM:143 HUP:129; do
    status=${sig#*:}
    sig=${sig%:*}
    rm -f "$tmp/pid"
    tm kill-session -t e2e 2>/dev/null
    tm new-session -d -s e2e -x 80 -y 24 \
        "env LANG=C.UTF-8 XDG_STATE_HOME=$tmp/state sh -c 'echo \$\$ > $tmp/pid; exec $lector $sezim'; echo \"EXIT=\$?\"; sleep 60"
    wait_for "Sezim Baktybekova was a talented" >/dev/null
    kill -"$sig" "$(cat "$tmp/pid")"
    check "SIG$sig exits with $status" wait_for "EXIT=$status"
    check "SIG$sig leaves no alternate screen" alternate_off
done

# A new page reaches the terminal as one write (the kernel counts lector's writes: syscw), not a
# write a line: the terminal wakes, parses and draws for each. (ncurses writes out at every
# cursor motion until its screen has been suspended once: tui.c does that before the first.)
rm -f "$tmp/pid"
tm kill-session -t e2e 2>/dev/null
tm new-session -d -s e2e -x 40 -y 12 \
    "env LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$tmp/state sh -c 'echo \$\$ > $tmp/pid; exec $lector $texts/five-windows.txt'; echo \"EXIT=\$?\"; sleep 60"
wait_for "page 1 of" >/dev/null
wait_mouse # the width probe is done
writes() { awk '$1 == "syscw:" { print $2 }' "/proc/$(cat "$tmp/pid")/io"; }
# writes_settle: the count has not moved for 0.3 s (5 s at most)
writes_settle() {
    local i n
    for ((i = 0; i < 10 * patience; i++)); do
        n=$(writes)
        sleep 0.3
        [ "$(writes)" = "$n" ] && return 0
    done
    return 1
}
writes_settle
w0=$(writes)
tm send-keys -t e2e Space
wait_for "page 2 of" >/dev/null
writes_settle
w1=$(writes)
check "a new page is one write to the terminal (was $((w1 - w0)))" test $((w1 - w0)) -eq 1
tm send-keys -t e2e q
check "quits" wait_for "EXIT=0"

# A story on a pipe, keys from the terminal (as less does).
tm kill-session -t e2e 2>/dev/null
tm new-session -d -s e2e -x 60 -y 12 \
    "printf 'Piped story, first line.\n\nSecond paragraph.\n' | env LANG=C.UTF-8 XDG_STATE_HOME=$tmp/state $lector; echo \"EXIT=\$?\"; sleep 60"
check "piped story shown" wait_for "Piped story, first line."
tm send-keys -t e2e q
check "keys read from the terminal" wait_for "EXIT=0"

# NO_COLOR: still a usable status line (reverse video), and an unknown TERM: one clear line.
tm kill-session -t e2e 2>/dev/null
tm new-session -d -s e2e -x 60 -y 12 \
    "env LANG=C.UTF-8 NO_COLOR=1 XDG_STATE_HOME=$tmp/state $lector $sezim; echo \"EXIT=\$?\"; sleep 60"
check "NO_COLOR works" wait_for "min left"
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null
tm kill-session -t e2e 2>/dev/null
tm new-session -d -s e2e -x 100 -y 12 \
    "env LANG=C.UTF-8 TERM=no-such-terminal $lector $sezim; echo \"EXIT=\$?\"; sleep 60"
check "unknown TERM: a clear message" wait_for "terminal type 'no-such-terminal' is unknown"
check "unknown TERM: status 2" wait_for "EXIT=2"

# The mouse wheel scrolls (an SGR mouse report, as xterm and tmux send them).
rm -rf "$tmp/state" # from the top, not where the tests above left the story
start 80x24 "$ivan"
wait_for "Ivan Baktybekova was a 35-year-old" >/dev/null
check "the mouse is asked for" wait_mouse
top_has() { screen | head -n 1 | grep -q "$1"; }
tm send-keys -t e2e -l $'\e[<65;10;5M'
check "wheel down scrolls" wait_screen eval '! top_has "Ivan Baktybekova was"'
tm send-keys -t e2e -l $'\e[<64;10;5M'
check "wheel up scrolls back" wait_screen top_has "Ivan Baktybekova was"
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null

# Search as the terminal draws it: the current match in reverse video.
rm -rf "$tmp/state"
start 80x24 "$ivan"
wait_for "Ivan Baktybekova was a 35-year-old" >/dev/null
tm send-keys -t e2e / k a z a k h
wait_for "match 1 of 8" >/dev/null
check "the current match is in reverse video" wait_styled $'\e\\[1;7mKazakh'
tm send-keys -t e2e Escape q
wait_for "EXIT=0" >/dev/null
# Right to left as the terminal draws it (tmux does no bidi of its own): an Arabic story at 80x24
# in display order, a search highlighted in place, a resize to 40x12 that keeps the place; then
# the compare view with Hebrew on one side.
rm -rf "$tmp/state"
for _ in 1 2 3; do cat "$here/../data/scripts/ar.txt"; echo; done >"$tmp/ar.txt"
start 80x24 "$tmp/ar.txt"
check "Arabic: the title in display order" wait_for "قرزألا بابلا"
tm send-keys -t e2e /
tm send-keys -t e2e -l "الرسالة"
tm send-keys -t e2e Enter
check "Arabic: the match highlighted where it is drawn" wait_styled $'\e\\[1;7mةلاسرلا'
tm resize-window -t e2e -x 40 -y 12
check "Arabic at 40x12: the match still on the screen" wait_for "ةلاسرلا"
# every row of Arabic text ends in the same column: aligned right
right_aligned() {
    local row ends=()
    while IFS= read -r row; do
        [[ $row == *[ا-ي]* ]] || continue
        row=${row%"${row##*[! ]}"}
        row=${row%[|┃]} # the hit strip, beside the text (a match, or the thumb)
        row=${row%"${row##*[! ]}"}
        ends+=("${#row}")
    done < <(head -n -1 <<<"$S")
    [ "${#ends[@]}" -ge 3 ] && [ "$(printf '%s\n' "${ends[@]}" | sort -u | wc -l)" -eq 1 ]
}
check "Arabic at 40x12: every row ends in the same column (aligned right)" wait_screen right_aligned
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null
start 80x24 compare "$here/../data/scripts/he.txt" "$here/../data/scripts/ar.txt"
check "compare: Hebrew on one side in display order" wait_for "בתכמה"
check "compare: Arabic on the other" wait_for "ةلاسرلا"
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null
# The hits of a library search: the selected row in reverse video, its match in bold, the other
# hits' matches in the match colour.
start 80x24 "$texts"
wait_for "Sezim Baktybekova" >/dev/null
tm send-keys -t e2e s
wait_for "search all stories:" >/dev/null
tm send-keys -t e2e -l "=debut"
tm send-keys -t e2e Enter
wait_for "2 matches in 2 paragraphs" >/dev/null
check "the selected hit's row is in reverse video, its match in bold" \
    wait_styled $'7m\(\e\\[[0-9;]*m\)* Ivan.*\e\\[1mdebut'
check "the other hits' matches are in the match colour" wait_styled $'\e\\[43mdebut'
tm send-keys -t e2e q q
check "q from the hits, q on the shelf: out" wait_for "EXIT=0"

# Ctrl-Z suspends to the shell with the terminal restored; fg redraws the story. Not under
# valgrind (scripts/valgrind), which does not stop when curses raises SIGTSTP again.
if [ -z "${LECTOR_E2E_SLOW:-}" ]; then
    rm -rf "$tmp/state"
    tm kill-session -t e2e 2>/dev/null
    tm new-session -d -s e2e -x 80 -y 24 "env -i PATH=$PATH HOME=$tmp PS1='shell\$ ' bash --norc --noprofile -i"
    wait_for 'shell$' >/dev/null
    rm -f "$tmp/ztty"
    tm pipe-pane -t e2e -o "cat >>$tmp/ztty" # what reaches the terminal, for the bidi mode
    tm send-keys -t e2e "LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$tmp/state $lector $ivan" Enter
    check "started from a shell" wait_for "Ivan Baktybekova was a 35-year-old"
    tm send-keys -t e2e C-z
    check "Ctrl-Z stops it and the shell is back" wait_for "Stopped"
    check "the story is off the screen" wait_gone "Ivan Baktybekova was"
    tm send-keys -t e2e "fg" Enter
    check "fg redraws the story" wait_for "Ivan Baktybekova was a 35-year-old"
    # the status line: "page 1 of 2", or "1/2" when a message takes the room (under load the
    # width probe can go unanswered for its 150 ms, and then says so there)
    check "with its status line" wait_screen eval 'tail -n 1 <<<"$S" | grep -qE "page 1 of|1/2 *$"'
    tm send-keys -t e2e q
    shell_only() {
        [ "$(grep -v '^$' <<<"$S" | tail -n 1)" = 'shell$' ] && ! grep -q 'page 1 of' <<<"$S"
    }
    check "q then returns to the shell" wait_screen shell_only
    # the terminal's own bidi: back on for the shell while stopped, off again after fg
    ztty_modes() { grep -aoE $'\e\\[8[hl]' "$tmp/ztty" | tr -d $'\e[' | tr '\n' ' '; }
    check "Ctrl-Z, fg, q: the terminal's bidi on for the shell each time ($(ztty_modes))" \
        eval '[ "$(ztty_modes)" = "8l 8h 8l 8h " ]'
fi

# --- the compare view as the terminal draws it ---------------------------------------------------
start 80x24 compare "$ivan" /nonexistent
check "bad path on a terminal: named" wait_for "/nonexistent"
check "bad path on a terminal: status 2" wait_for "EXIT=2"
start 80x24 compare "$ivan" "$sezim"
wait_for "Sezim Baktybekova was a talented young" >/dev/null
check "a removed word is drawn red (black on red)" wait_styled $'\e\\[\\([0-9]*;\\)*41mIvan'
check "an added word is drawn green (black on green)" wait_styled $'\e\\[\\([0-9]*;\\)*42mSezim'
tm send-keys -t e2e "]"
check "] marks the difference in the gutter (bold reverse)" wait_styled $'\e\\[1;7m[~<>m]'
tm send-keys -t e2e g Tab / j a z z Enter
wait_for "match 1 of" >/dev/null
check "the current match is in reverse video" wait_styled $'\e\\[1;7mjazz'
tm send-keys -t e2e q
check "q quits with status 0" wait_for "EXIT=0"
check "the terminal is back to normal (no alternate screen left)" alternate_off

# --- the configuration: what the terminal program says and draws -------------------------------
mkdir -p "$tmp/xdg/lector"
cfg=$tmp/xdg/lector/config
printf '# lector, my way\nmeasure = 40\ncolour.status = red\nsmart-case = no\n' >"$cfg"
cfg_env="HOME=$tmp LECTOR_CONFIG=$cfg"
start_env=$cfg_env start 80x24 "$ivan"
check "reader: the first warning on the status line" wait_for "config line 3: unknown setting 'colour.status'"
tm send-keys -t e2e q
check "reader: quits" wait_for "EXIT=0"
# A configuration that cannot be read: the reader says so on its status line, as it is.
start_env="LECTOR_CONFIG=$tmp" start 80x24 "$ivan"
# stderr shows the same words before the screen is taken: wait for the status line itself
on_status() { tail -n 1 <<<"$S" | grep -q "^ Ivan Baktybekova .*configuration not read: $tmp: not a file"; }
check "reader: an unreadable configuration said on the status line" wait_screen on_status
tm send-keys -t e2e q
check "reader: quits" wait_for "EXIT=0"
# Colours: a configured element, NO_COLOR, and the themes.
no_colour() { ! screen_styled | grep -q $'\e\\[3[0-7]m\\|\e\\[4[0-7]m'; }
printf 'color.status = red on blue\n' >"$cfg"
start_env=$cfg_env start 80x24 "$ivan"
check "color.status = red on blue: the status line in red on blue" wait_styled $'\e\\[31m\e\\[44m\\|\e\\[31;44m'
tm send-keys -t e2e q
start_env="$cfg_env NO_COLOR=1" start 80x24 "$ivan"
check "NO_COLOR: no colour, the status line reversed" wait_styled $'\e\\[7m'
check "NO_COLOR: no colour at all" no_colour
tm send-keys -t e2e q
printf 'theme = color\ncolor.status = red on blue\n' >"$cfg"
start_env="$cfg_env NO_COLOR=1" start 80x24 "$ivan"
check "theme = color overrides NO_COLOR" wait_styled $'\e\\[31m\e\\[44m\\|\e\\[31;44m'
tm send-keys -t e2e q
printf 'theme = mono\n' >"$cfg"
start_env=$cfg_env start 80x24 "$ivan"
check "theme = mono: the status line reversed" wait_styled $'\e\\[7m'
check "theme = mono: no colour" no_colour
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null

# --- what reaches the terminal: nothing while idle, the mouse, a click --------------------------
# relay_start RAW ARGS...: lector behind helper.py's relay, which passes everything both ways and
# appends every byte lector writes to RAW; the relay's log in $tmp/relay.log.
relay_start() {
    local raw=$1
    shift
    rm -f "$raw" "$tmp/relay.log"
    tm kill-session -t e2e 2>/dev/null
    tm new-session -d -s e2e -x 80 -y 24 \
        "env LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$tmp/state XDG_CACHE_HOME=$tmp/cache ${start_env:-} $python -I -S $helper relay-pass $tmp/relay.log $raw $lector $*; echo \"EXIT=\$?\"; sleep 60"
}
bytes() { stat -c %s "$1" 2>/dev/null || echo 0; }
# quiet_for SECONDS FILE: FILE does not grow for SECONDS (fails as soon as it does)
quiet_for() {
    local n0 i tenths
    n0=$(bytes "$2")
    tenths=$(awk -v s="$1" 'BEGIN { print int(s * 10) }')
    for ((i = 0; i < tenths; i++)); do
        sleep 0.1
        [ "$(bytes "$2")" -eq "$n0" ] || return 1
    done
}
grows_from() { [ "$(bytes "$2")" -gt "$1" ]; }
# settles FILE: true once FILE has not grown for 0.3 s (5 s at most): lector has drawn what it had
# to (under valgrind, long after the screen looks done)
settles() {
    local i
    for ((i = 0; i < 10 * patience; i++)); do
        quiet_for 0.3 "$1" && return 0
    done
    return 1
}
# dec_modes FILE: the DEC private modes FILE sets (ESC [ ? N;N... h), one a line
dec_modes() { grep -aoE $'\e\\[\\?[0-9;]+h' "$1" | tr -d $'\e[?h' | tr ';' '\n' | sort -un; }
has_mode() { grep -qx "$2" <<<"$(dec_modes "$1")"; }
# A story with a flag and a ZWJ family at the top (clusters that curses cannot hold: lector writes
# them over curses' placeholders), then a list of short lines (kept as written). The flag ends its
# row, in columns 9 and 10; a page down puts "- Line", which ends in column 9, on that row.
{
    printf 'Clusters\n\nFlag \360\237\207\260\360\237\207\277\n\nFamily %s\n\n' "$fam"
    for i in $(seq 60); do printf -- '- Line\n'; done
} >"$tmp/clusters.txt"
rm -rf "$tmp/state"
relay_start "$tmp/raw" "$tmp/clusters.txt"
wait_for "Family" >/dev/null
stable_shown() { grep -q "Family" <<<"$S" && grep -q "page 1 of" <<<"$S"; }
wait_screen stable_shown >/dev/null
settles "$tmp/raw"
check "idle: nothing at all is sent to the terminal in 1.5 s with no key" quiet_for 1.5 "$tmp/raw"
keeps_palette() { ! grep -aqF $'\e]104' "$1"; }
check "start: the terminal's colour palette is left alone (no OSC 104 reset)" keeps_palette "$tmp/raw"
n0=$(bytes "$tmp/raw")
tm send-keys -t e2e j
check "a key: the screen is sent again" wait_screen grows_from "$n0" "$tmp/raw"
check "the mouse: button reports asked for (?1000h)" has_mode "$tmp/raw" 1000
check "the mouse: in the SGR form (?1006h)" has_mode "$tmp/raw" 1006
check "the mouse: never motion reports (no ?1002h, ?1003h)" \
    eval '! has_mode "$tmp/raw" 1002 && ! has_mode "$tmp/raw" 1003'
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null
# mouse = no in the configuration: the mouse is left to the terminal, no report asked for.
printf 'mouse = no\n' >"$tmp/mouse.cfg"
start_env="LECTOR_CONFIG=$tmp/mouse.cfg" relay_start "$tmp/raw" "$tmp/clusters.txt"
wait_for "Family" >/dev/null
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null
check "mouse = no: started (the screen was taken)" has_mode "$tmp/raw" 1049
check "mouse = no: no mouse mode asked for (?1000h, ?1002h, ?1003h, ?1006h)" \
    eval '! dec_modes "$tmp/raw" | grep -qxE "100[0236]"'
# The terminal's own bidi (ECMA-48 BDSM): lector puts right-to-left text in display order itself,
# so it asks the terminal not to (CSI 8 l) once it has the screen and sets it back (CSI 8 h) after
# giving the screen back; with bidi = off, it leaves that mode alone. (Curses takes the screen and
# gives it back at once, in one write, before anything is drawn: see the one-write check above.
# That first pair is left out.)
bidi_modes() {
    local m
    m=$(grep -aoE $'\e\\[(8[hl]|\\?1049[hl])' "$1" | tr -d $'\e[' | tr '\n' ' ')
    printf '%s' "${m#'?1049h ?1049l '}"
}
check "bidi: the terminal's own reordering off, then on again after the screen ($(bidi_modes "$tmp/raw"))" \
    eval '[[ $(bidi_modes "$tmp/raw") == "8l ?1049h "*"?1049l 8h " ]]'
printf 'bidi = off\n' >"$tmp/bidi.cfg"
start_env="LECTOR_CONFIG=$tmp/bidi.cfg" relay_start "$tmp/raw" "$tmp/clusters.txt"
wait_for "Family" >/dev/null
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null
check "bidi = off: the terminal's mode left alone ($(bidi_modes "$tmp/raw"))" \
    eval '[[ $(bidi_modes "$tmp/raw") == "?1049h "*"?1049l " ]]'
# A click of the first button (an SGR press and release, as a terminal sends them) on a shelf
# row opens that story: row 3 of the screen, the shelf's second story.
second=$(dump "$texts" && row 3 | sed 's/^ //; s/  .*//')
start 80x24 "$texts"
wait_for "lector: $nstories stories" >/dev/null
check "the mouse is asked for on the shelf" wait_mouse
tm send-keys -t e2e -l $'\e[<0;5;3M\e[<0;5;3m'
check "a click on a shelf row opens that story ($second)" \
    wait_screen eval '[[ $(tail -n 1 <<<"$S") == " $second "*" page "*" of "* ]]'
tm send-keys -t e2e q q
wait_for "EXIT=0" >/dev/null

# --- no part of a wide cluster left behind; Ctrl-L draws everything again ------------------------
# The screen is compared with lector dump's after the same keys: the terminal shows exactly the
# grid. is_dump: the capture in $S, trailing blanks off, is $tmp/expected.
is_dump() { [ "$(sed 's/ *$//' <<<"$S")" = "$(sed 's/ *$//' "$tmp/expected")" ]; }
check_is_dump() { # check_is_dump NAME: the check that the screen becomes $tmp/expected
    if wait_screen is_dump 2>/dev/null; then ok; else
        fail "$1"
        diff <(sed 's/ *$//' "$tmp/expected") <(sed 's/ *$//' <<<"$S") >&2
    fi
}
expect_dump() { # expect_dump ARGS...: $tmp/expected is lector dump's screen for them
    local keep=$tmp/state.keep
    rm -rf "$keep"
    [ -d "$tmp/state" ] && cp -r "$tmp/state" "$keep" # the dump must not move the saved place
    env XDG_STATE_HOME="$keep" XDG_CACHE_HOME="$tmp/cache" "$lector" dump "$@" >"$tmp/expected"
    rm -rf "$keep"
}
# no_stray_part: no row of the capture in $S holds a part of the flag or the family (one of their
# code points) unless that row of $tmp/expected holds one too
no_stray_part() {
    local i parts=$'\U1F1F0\|\U1F1FF\|\U1F468\|\U1F469\|\U1F467\|\u200d'
    local -a want got
    mapfile -t want <"$tmp/expected"
    mapfile -t got <<<"$S"
    for i in "${!got[@]}"; do
        grep -q "$parts" <<<"${got[i]}" && ! grep -q "$parts" <<<"${want[i]-}" && return 1
    done
    return 0
}
rm -rf "$tmp/state"
start 80x24 "$tmp/clusters.txt"
check "clusters: the flag and the family shown" wait_for "Family $fam"
# On a page down, curses holds the flag's first half only: it sees the flag's row as "- Line" and
# blanks after, the blanks already there; tmux draws the two halves of a flag apart, so unless
# the row is drawn anew the second half stays.
tm send-keys -t e2e Space
expect_dump --keys "<Space>" "$tmp/clusters.txt"
check "a page down: no part of the flag or the family left on a row that has none" wait_screen no_stray_part
check_is_dump "a page down: the screen is exactly lector dump's"
tm send-keys -t e2e g
check "back at the top: the clusters again" wait_for "Family $fam"
# Written on the pane behind lector's back (to its tty, as another program would): Ctrl-L
# replaces it all with lector's screen.
printf '\033[5;10HSCRIBBLE\033[12;1H\360\237\207\260\360\237\207\277\360\237\207\260\360\237\207\277' \
    >"$(tm display -p -t e2e '#{pane_tty}')"
wait_for SCRIBBLE >/dev/null
tm send-keys -t e2e C-l
expect_dump --keys "<Space>g" "$tmp/clusters.txt"
check "Ctrl-L: the scribble is gone" wait_gone SCRIBBLE
check_is_dump "Ctrl-L: the screen is exactly lector dump's"
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null

# --- a file of any size, mapped: 16 GB (sparse) opens, shows its end, and survives being cut ---
big=$tmp/big.txt
printf 'The Long Book\n\nIt begins here.\n' >"$big"
truncate -s 16G "$big"
printf '\nIt ends here.\n' | dd of="$big" bs=1 seek=$((16 * 1024 * 1024 * 1024 - 15)) conv=notrunc status=none
start 80x24 "$big"
check "a 16 GB file opens" wait_for "It begins here."
tm send-keys -t e2e G
check "G shows its last line" wait_for "It ends here."
tm send-keys -t e2e g / b e g i n s Enter
check "a story too long to index is searched by reading it (the count still going)" \
    wait_for "match 1 of 1+"
tm send-keys -t e2e G
wait_for "It ends here." >/dev/null
truncate -s 0 "$big" # as an editor might, while it is shown
tm send-keys -t e2e g
check "cut short while open: said, and the reader goes on" \
    wait_for "the file shrank while open: what was cut off reads as NUL bytes (␀)"
tm send-keys -t e2e q
check "cut short while open: q quits with status 0" wait_for "EXIT=0"
rm -f "$big"

# --- a search of the shelf that indexes a long story: its progress, and Esc stops it ---------------
# 54 MB of lines each with its own number: a few seconds to index here (no index is kept of a
# search stopped), so the progress is seen and Esc comes before the end.
mkdir -p "$tmp/longshelf"
cp "$ivan" "$tmp/longshelf/"
awk 'BEGIN { printf "Long Road\n\n"; for (i = 0; i < 1100000; i++) printf "The road over the steppe ran on and on, %d.\n\n", i }' >"$tmp/longshelf/long-road.txt"
rm -rf "$tmp/cache"
start 80x24 "$tmp/longshelf"
wait_for "lector: 2 stories" >/dev/null
tm send-keys -t e2e s
tm send-keys -t e2e -l steppe
tm send-keys -t e2e Enter
check "a search of the shelf that indexes shows its progress" wait_for "searching: "
tm send-keys -t e2e Escape
check "Esc stops the search, and says so" wait_for "search stopped"
check "the shelf stays, and takes keys" eval 'tm send-keys -t e2e j && wait_for "2 of 2" >/dev/null'
tm send-keys -t e2e q
check "quits" wait_for "EXIT=0"
rm -rf "$tmp/longshelf"

# --- a long compare: said while it aligns, and Ctrl-C ends it at once ------------------------------
# 108 MB of numbered lines against a short story: aligning takes over 10 s in this build (more
# than wait_for waits), and nothing can stop it from inside, so until the view is up a signal
# has its own action: Ctrl-C ends lector at once, the terminal as it was. (The pane's shell
# ignores SIGINT, so that it lives on to say the status of lector, killed by the signal, as an
# interactive shell would.)
awk 'BEGIN { printf "Long Road\n\n"; for (i = 0; i < 2200000; i++) printf "The road over the steppe ran on and on, %d.\n\n", i }' >"$tmp/long-road.txt"
tm kill-session -t e2e 2>/dev/null
tm new-session -d -s e2e -x 80 -y 24 \
    "trap '' INT; env LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$tmp/state XDG_CACHE_HOME=$tmp/cache $lector compare $tmp/long-road.txt $ivan; echo \"EXIT=\$?\"; sleep 60"
check "a long compare says so while it aligns" wait_for "lector: comparing 10"
tm send-keys -t e2e C-c
check "Ctrl-C while it aligns ends it (status 130)" wait_for "EXIT=130"
# at once: killed before the end of aligning, which erases the note (so a build fast enough to
# align within the wait still tells the two apart)
check "Ctrl-C while it aligns ends it at once: its note is still there" wait_for "lector: comparing"
check "after Ctrl-C while it aligns, the terminal is as it was" alternate_off
rm -f "$tmp/long-road.txt"

# --- a place that cannot be saved -----------------------------------------------------------------
# The story's state file made a folder: on leaving, the place cannot be written. It is said on
# stderr once the screen is given back (so it stays on the terminal), and the status is 1.
rm -rf "$tmp/state"
start 80x24 "$ivan"
wait_for "Ivan Baktybekova was a 35-year-old" >/dev/null
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null
state=$(ls "$tmp"/state/lector/*.state)
rm -f "$state"
mkdir "$state"
start 80x24 "$ivan"
wait_for "Ivan Baktybekova was a 35-year-old" >/dev/null
tm send-keys -t e2e j j q
check "place not saved: status 1" wait_for "EXIT=1"
check "place not saved: said on the normal screen, before the status" \
    wait_screen eval 'grep -A 3 "^lector: reading position not saved: " <<<"$S" | grep -q "^EXIT=1"'
check "place not saved: the terminal is back to normal" alternate_off

check_done
