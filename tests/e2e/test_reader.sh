#!/usr/bin/env bash
# The interactive reader in tmux: keys in, screen out. Polls the screen until what is expected
# shows (never a bare sleep as the check). Usage: test_reader.sh LECTOR TEXTS_DIR
set -u
lector=$1
texts=$2
. "$(dirname "$0")/lib.sh"
sock="lector-reader-$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
tmp=$(mktemp -d)
trap 'tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
# A session that outlives the tests': killing the server's last session makes it exit, and a
# new-session racing that exit fails ("server exited unexpectedly").
tm new-session -d -s keeper "sleep 3600"

# top_line: the first text row, trimmed
top_line() { screen | head -n 1 | sed -e 's/^ *//' -e 's/ *$//'; }
start() { # start COLSxROWS ARGS...: lector in a fresh pane; status after exit is printed
    local size=$1
    shift
    tm kill-session -t e2e 2>/dev/null
    tm new-session -d -s e2e -x "${size%x*}" -y "${size#*x}" \
        "env LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$tmp/state XDG_CACHE_HOME=$tmp/cache $lector $*; echo \"EXIT=\$?\"; sleep 60"
}


# The shelf, then a story.
nstories=$(find "$texts" -maxdepth 1 -name '*.txt' | wc -l)
start 80x24 "$texts"
check "shelf lists the stories ($nstories)" wait_for "lector: $nstories stories"
check "shelf lists Sezim's story" wait_for "Sezim Baktybekova"
check "shelf shows words and minutes" wait_for "447 words  3 min"
check "shelf: Ivan's story selected by its title" shelf_pick "Ivan Baktybekova"
tm send-keys -t e2e Enter
check "Enter opens the selected story" wait_for "Ivan Baktybekova was a 35-year-old"
check "status line" wait_for "page 1 of 3"
tm send-keys -t e2e G
check "G goes to the end" wait_for "100%"
check "the last words are on screen" wait_for "an incredible journey."
tm send-keys -t e2e g
check "g back to the beginning" wait_for "Ivan Baktybekova was a 35-year-old"

# Resize keeps the top row's first word on the top row.
before=$(top_line)
tm send-keys -t e2e 5 j
for i in $(seq $((100 * patience))); do # until 5j has moved the top row
    [ "$(top_line)" != "$before" ] && break
    sleep 0.05
done
first_word=$(top_line | awk '{print $1}')
tm resize-window -t e2e -x 40 -y 12
check "resize to 40x12 keeps the top word ($first_word)" \
    bash -c "for i in \$(seq $((100 * patience))); do tmux -L $sock capture-pane -p -t e2e | head -n1 | grep -qw -- '$first_word' && exit 0; sleep 0.05; done; exit 1"
tm resize-window -t e2e -x 80 -y 24
check "and back to 80x24" \
    bash -c "for i in \$(seq $((100 * patience))); do tmux -L $sock capture-pane -p -t e2e | head -n1 | grep -qw -- '$first_word' && exit 0; sleep 0.05; done; exit 1"

# Marks: set at the top, go away, come back.
tm send-keys -t e2e m a
check "mark set" wait_for "mark a set"
mark_top=$(top_line)
tm send-keys -t e2e G
wait_for "100%" >/dev/null
tm send-keys -t e2e "'" a
check "' a returns to the mark" wait_for "$mark_top"
tm send-keys -t e2e "'" "'"
check "'' returns to before the jump" wait_for "100%"
tm send-keys -t e2e 5 0 %
check "50% jumps to the middle" wait_for "%  page 2 of 3"
tm send-keys -t e2e q
check "q goes back to the shelf" wait_for "Enter open  Space mark  c compare  s search  q quit"
tm send-keys -t e2e q
check "q on the shelf quits with status 0" wait_for "EXIT=0"

# Quit and reopen: the position is restored.
start 80x24 "$texts/ivan-baktybekova.txt"
wait_for "Ivan Baktybekova was a 35-year-old" >/dev/null
tm send-keys -t e2e 2 0 j
wait_for "page 1 of" >/dev/null
saved_top=$(top_line)
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null
start 80x24 "$texts/ivan-baktybekova.txt"
check "reopening resumes where we left" wait_for "resumed at"
check "the same top line ($saved_top)" bash -c "[ \"\$(tmux -L $sock capture-pane -p -t e2e | head -n1 | sed -e 's/^ *//' -e 's/ *\$//')\" = '$saved_top' ]"
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null

# One file opens the reader directly; Ctrl-C restores the terminal and exits.
start 80x24 "$texts/sezim-baktybekova.txt"
check "one file opens the reader" wait_for "Sezim Baktybekova was a talented"
tm send-keys -t e2e C-c
check "Ctrl-C exits (status 130)" wait_for "EXIT=130"
check "the terminal is back to normal (no alternate screen left)" \
    bash -c "[ \"\$(tmux -L $sock display -p -t e2e '#{alternate_on}')\" = 0 ]"

# A story full of escape sequences changes nothing outside our window.
printf 'Title \033]0;HACKED\007\n\nClear \033[2J bell \007 C1 \302\233 RLO \342\200\256 end.\n' >"$tmp/hostile.txt"
start 60x12 "$tmp/hostile.txt"
check "hostile story shown with symbols" wait_for "Clear ␛[2J bell ␇ C1 <U+009B> RLO <U+202E> end."
check "pane title untouched" bash -c "! tmux -L $sock display -p -t e2e '#{pane_title}' | grep -q HACKED"
tm send-keys -t e2e q
check "quits" wait_for "EXIT=0"

# Widths the terminal really draws: tmux joins a ZWJ family into 2 columns; measured at start,
# ten of them and a word fill one row of 36 columns exactly, nothing cut or shifted.
fam=$(printf '\360\237\221\250\342\200\215\360\237\221\251\342\200\215\360\237\221\247')
{ printf 'Emoji\n\n'; for i in 1 2 3 4 5 6 7 8 9 10; do printf '%s ' "$fam"; done; printf '\nflags \360\237\207\260\360\237\207\277 end\n'; } >"$tmp/emoji.txt"
start 40x10 "$tmp/emoji.txt"
check "emoji story opens" wait_for "flags"
check "ten families and the word on one row" \
    bash -c "tmux -L $sock capture-pane -p -t e2e | grep -F 'flags' | grep -o '$fam' | wc -l | grep -qx 10"
check "the flag and the word after it on the next row" wait_for "$(printf '\360\237\207\260\360\237\207\277') end"
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null

# SIGTERM and SIGHUP restore the terminal too (the pid is lector's: exec replaces the shell).
for sig in TERM:143 HUP:129; do
    status=${sig#*:}
    sig=${sig%:*}
    tm kill-session -t e2e 2>/dev/null
    tm new-session -d -s e2e -x 80 -y 24 \
        "env LANG=C.UTF-8 XDG_STATE_HOME=$tmp/state sh -c 'echo \$\$ > $tmp/pid; exec $lector $texts/sezim-baktybekova.txt'; echo \"EXIT=\$?\"; sleep 60"
    wait_for "Sezim Baktybekova was a talented" >/dev/null
    kill -$sig "$(cat "$tmp/pid")"
    check "SIG$sig exits with $status" wait_for "EXIT=$status"
    check "SIG$sig leaves no alternate screen" \
        bash -c "[ \"\$(tmux -L $sock display -p -t e2e '#{alternate_on}')\" = 0 ]"
done

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
    "env LANG=C.UTF-8 NO_COLOR=1 XDG_STATE_HOME=$tmp/state $lector $texts/sezim-baktybekova.txt; echo \"EXIT=\$?\"; sleep 60"
check "NO_COLOR works" wait_for "min left"
tm send-keys -t e2e q
wait_for "EXIT=0" >/dev/null
tm kill-session -t e2e 2>/dev/null
tm new-session -d -s e2e -x 100 -y 12 \
    "env LANG=C.UTF-8 TERM=no-such-terminal $lector $texts/sezim-baktybekova.txt; echo \"EXIT=\$?\"; sleep 60"
check "unknown TERM: a clear message" wait_for "terminal type 'no-such-terminal' is unknown"
check "unknown TERM: status 2" wait_for "EXIT=2"

# The mouse wheel scrolls (an SGR mouse report, as xterm and tmux send them).
rm -rf "$tmp/state" # from the top, not where the tests above left the story
start 80x24 "$texts/ivan-baktybekova.txt"
wait_for "Ivan Baktybekova was a 35-year-old" >/dev/null
tm send-keys -t e2e -l $'\e[<65;10;5M'
check "wheel down scrolls" bash -c "for i in \$(seq $((100 * patience))); do tmux -L $sock capture-pane -p -t e2e | head -n1 | grep -q 'Ivan Baktybekova was' || exit 0; sleep 0.05; done; exit 1"
tm send-keys -t e2e -l $'\e[<64;10;5M'
check "wheel up scrolls back" bash -c "for i in \$(seq $((100 * patience))); do tmux -L $sock capture-pane -p -t e2e | head -n1 | grep -q 'Ivan Baktybekova was' && exit 0; sleep 0.05; done; exit 1"
tm send-keys -t e2e g q

# Search: as you type, every match highlighted, the current one in reverse video, n/N, Esc.
rm -rf "$tmp/state"
start 80x24 "$texts/ivan-baktybekova.txt"
wait_for "Ivan Baktybekova was a 35-year-old" >/dev/null
tm send-keys -t e2e / k a z a k h
check "incremental search counts the matches (kazakh is in Kazakhstan too)" wait_for "match 1 of 8"
check "the current match is in reverse video" \
    wait_styled $'\e\\[1;7mKazakh'
tm send-keys -t e2e Enter n
check "n goes to the next match" wait_for "match 2 of 8"
tm send-keys -t e2e N N
check "N before the first wraps to the end, and says so" wait_for "search wrapped to the end"
tm send-keys -t e2e g / z z q x
check "a query with no match says so" wait_for "not found"
tm send-keys -t e2e Escape
check "Esc cancels and returns to where the search began" wait_for "Ivan Baktybekova was a 35-year-old"
tm send-keys -t e2e / C a f e Enter
check "a capital makes case count: no Cafe here" wait_for "not found: Cafe"
tm send-keys -t e2e q

# Library search: s from the shelf, ranked hits, Enter opens the story at the hit, '' goes back.
rm -rf "$tmp/state"
start 80x24 "$texts"
wait_for "Sezim Baktybekova" >/dev/null
tm send-keys -t e2e s
check "s asks for a search of every story" wait_for "search all stories:"
tm send-keys -t e2e -l "album"
tm send-keys -t e2e Enter
check "library search lists the ranked hits (paragraphs)" wait_for "2 hits for album"
check "each hit names its story" wait_for "Ivan Baktybekova"
check "the selected hit's row is in reverse video, its match in bold" \
    wait_styled $'\e\\[7m Ivan.*\e\\[1malbum'
check "the other hits' matches are in the match colour" \
    wait_styled $'\e\\[43malbum'
tm send-keys -t e2e Enter
check "Enter opens the story at the hit, the match current" wait_for "match 1 of"
check "the hit strip marks where the matches are" \
    wait_styled '|'
tm send-keys -t e2e "'" "'"
check "'' goes back to where the story was" wait_for "Baktybekova was"
tm send-keys -t e2e g q q
check "q, q: back to the shelf, then out" wait_for "EXIT=0"

# Ctrl-Z suspends to the shell with the terminal restored; fg redraws the story. Not under
# valgrind (scripts/valgrind), which does not stop when curses raises SIGTSTP again.
if [ -z "${LECTOR_E2E_SLOW:-}" ]; then
rm -rf "$tmp/state"
tm kill-session -t e2e 2>/dev/null
tm new-session -d -s e2e -x 80 -y 24 "env -i PATH=$PATH HOME=$tmp PS1='shell\$ ' bash --norc --noprofile -i"
wait_for 'shell$' >/dev/null
tm send-keys -t e2e "LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$tmp/state $lector $texts/ivan-baktybekova.txt" Enter
check "started from a shell" wait_for "Ivan Baktybekova was a 35-year-old"
tm send-keys -t e2e C-z
check "Ctrl-Z stops it and the shell is back" wait_for "Stopped"
check "the story is off the screen" bash -c "! tmux -L $sock capture-pane -p -t e2e | grep -q 'Ivan Baktybekova was'"
tm send-keys -t e2e "fg" Enter
check "fg redraws the story" wait_for "Ivan Baktybekova was a 35-year-old"
check "with its status line" wait_for "page 1 of"
tm send-keys -t e2e q
check "q then returns to the shell" bash -c "for i in \$(seq $((100 * patience))); do s=\$(tmux -L $sock capture-pane -p -t e2e); last=\$(grep -v '^\$' <<<\"\$s\" | tail -n1); [ \"\$last\" = 'shell\$' ] && ! grep -q 'page 1 of' <<<\"\$s\" && exit 0; sleep 0.05; done; exit 1"
fi

# Too small.
start 15x4 "$texts/sezim-baktybekova.txt"
check "terminal too small" wait_for "terminal too"

check_done
