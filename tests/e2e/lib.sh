# shellcheck shell=bash disable=SC2154 # $lector, $texts: set by the suite that sources this
# Tiny assertion helpers for the end-to-end suites. Each suite ends with check_done, which prints
# the plain closing line "N passed, N failed" and exits non-zero on any failure.
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*" >&2
}
# check NAME COMMAND...: passes when the command succeeds.
check() {
    local name=$1
    shift
    if "$@"; then ok; else fail "$name"; fi
}
check_done() {
    echo "e2e: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# Waits below give up after 5 s; LECTOR_E2E_PATIENCE=N makes that N times longer (scripts/valgrind
# runs lector about 30 times slower).
patience=${LECTOR_E2E_PATIENCE:-1}
# e2e_begin: a scratch folder $tmp, gone on exit (tmux_begin makes it too).
e2e_begin() {
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
}

# --- lector dump: the real app, keys in, its screen out as text, no terminal ---------------------
# dump ARGS...: `lector dump ARGS` (see src/cli/cmd_dump.c), with this suite's state and cache
# folders ($tmp/state, $tmp/cache) and $dump_env (more VAR=value words), run under $dump_wrap
# (a command and its first words, if set: setpriv, say), for at most $dump_limit seconds (20;
# times LECTOR_E2E_PATIENCE). Sets $D to all it printed (screens separated by a line "--"), $S
# to its first screen (see on), $dump_rc to its status and $dump_err to its stderr.
dump() {
    local a prev=
    dump_rows=24 dump_styles=0
    for a in "$@"; do
        [ "$prev" = --size ] && dump_rows=${a#*x}
        [ "$a" = --styles ] && dump_styles=1
        prev=$a
    done
    # shellcheck disable=SC2086 # $dump_wrap and $dump_env are words
    timeout $((${dump_limit:-20} * patience)) ${dump_wrap:-} env LC_ALL=C.UTF-8 XDG_STATE_HOME="$tmp/state" \
        XDG_CACHE_HOME="$tmp/cache" ${dump_env:-} "$lector" dump "$@" >"$tmp/dump.out" 2>"$tmp/dump.err"
    dump_rc=$?
    D=$(cat "$tmp/dump.out")
    dump_err=$(cat "$tmp/dump.err")
    on 1
}
# nth N: the Nth screen (from 1) of the last dump, with its style rows; screens: how many
nth() { awk -v n="$1" '$0 == "--" { i++; next } i == n - 1' <<<"$D"; }
screens() { grep -cx -- -- <<<"$D" | awk '{ print $1 + 1 }'; }
# on N: the checks below read the Nth screen of the last dump: its rows in $S and, with
# --styles, its rows of style letters in $STY (' ' text, s status, m message, t title,
# S selected, d dim, h match, H current match, - removed, + added, f filler)
on() {
    local s
    s=$(nth "$1")
    if [ "$dump_styles" = 1 ]; then
        S=$(head -n "$dump_rows" <<<"$s")
        STY=$(tail -n +$((dump_rows + 1)) <<<"$s")
    else
        S=$s
        STY=
    fi
    mapfile -t ROWS <<<"$S"
    mapfile -t STYROWS <<<"$STY"
}
# The checks on $S below print it on stderr when they fail.
said() {
    echo "--- $1" >&2
    printf '%s\n' "$S" >&2
    [ -z "${STY:-}" ] || printf '%s\n' "--- its styles:" "$STY" >&2
    [ -z "${dump_err:-}" ] || printf '%s\n' "--- lector dump's stderr (status $dump_rc):" "$dump_err" >&2
    return 1
}
# shows TEXT: $S holds TEXT; lacks TEXT: it does not
shows() { grep -qF -- "$1" <<<"$S" || said "screen without: $1"; }
lacks() { ! grep -qF -- "$1" <<<"$S" || said "screen with: $1"; }
# row N: row N (from 1) of $S (of $ROWS, as on set it); top: the first row, trimmed; status: the
# last row
row() { printf '%s\n' "${ROWS[$1 - 1]-}"; }
top() { head -n 1 <<<"$S" | sed -e 's/^ *//' -e 's/  *[┃|]$//' -e 's/ *$//'; }
status() { tail -n 1 <<<"$S"; }
# status_has TEXT: the status line (the last row) holds TEXT
status_has() { [[ $(status) == *"$1"* ]] || said "status line without: $1"; }
# top_is TEXT: the first row, trimmed, is TEXT
top_is() { [ "$(top)" = "$1" ] || said "top row is not: $1"; }
# style_row N: row N's style letters; style_of N WORD LEN: the LEN letters under the first WORD
# on row N (columns counted as characters: for rows of one-column characters before WORD)
style_row() { printf '%s\n' "${STYROWS[$1 - 1]-}"; }
style_of() {
    local line=${ROWS[$1 - 1]-} prefix srow=${STYROWS[$1 - 1]-}
    [[ $line == *"$2"* ]] || return 0
    prefix=${line%%"$2"*}
    printf '%s' "${srow:${#prefix}:$3}"
}
# pick_keys TITLE [PATH]: sets $pick to the keys that select the story of that title on the shelf
# of PATH (default $texts), found on a dump of the shelf: g, then j as often as needed; $pick_n
# is its place ("N of M" on the status line).
pick_keys() {
    local y i
    dump "${2:-$texts}"
    y=$(grep -n -m1 -- "^[ *]$1  " <<<"$S" | cut -d: -f1)
    pick=g
    pick_n=$((y - 1)) # the shelf's first story is on row 2
    for ((i = 1; i < pick_n; i++)); do pick+=j; done
}

# --- tmux, for what needs a real terminal --------------------------------------------------------
# tmux_begin NAME: a private tmux server (socket NAME-PID) and a scratch folder $tmp, both gone on
# exit. The session under test is "e2e" (see start); $lector is the program.
tmux_begin() {
    sock="$1-$$"
    tmp=$(mktemp -d)
    trap 'tm kill-server 2>/dev/null; reap_strays; rm -rf "$tmp"' EXIT
    python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || python=python3
    # A session that outlives the tests': killing the server's last session makes it exit, and a
    # new-session racing that exit fails ("server exited unexpectedly").
    tm new-session -d -s keeper "sleep 3600"
}
tm() { tmux -L "$sock" -f /dev/null "$@"; }
# reap_strays: kills what the tests started that still runs once they end (its environment names
# $tmp: every lector here is given XDG_STATE_HOME or XDG_CACHE_HOME under it). Under ASan, a
# signal sent at a random moment can land in the leak check's stop-the-world at exit: the
# process then spins beside its stopped tracer after its terminal is gone (seen once: a core at
# full speed for 18 minutes after scripts/test had ended, slowing whatever ran next).
reap_strays() {
    local p
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = "$$" ] && continue
        grep -qzF -e "XDG_STATE_HOME=$tmp/" -e "XDG_CACHE_HOME=$tmp/" "$p/environ" 2>/dev/null &&
            kill -KILL "${p#/proc/}" 2>/dev/null
    done
    return 0
}
# py ARGS...: Python for the suites' helpers (helper.py), run isolated and without site (-I -S:
# they need only the standard library). $python is the interpreter itself, found once: a version
# manager's shim (pyenv's) can take half a second to start each time.
py() { "$python" -I -S "$@"; }
screen() { tm capture-pane -p -t e2e; }
screen_styled() { tm capture-pane -e -p -t e2e; }
# wait_for TEXT: true once TEXT is on the screen (5 s at most)
wait_for() {
    local i
    for ((i = 0; i < 100 * patience; i++)); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.05
    done
    echo "--- screen while waiting for: $1" >&2
    screen >&2
    return 1
}
# wait_gone TEXT: true once TEXT is not on the screen (5 s at most)
wait_gone() {
    local i
    for ((i = 0; i < 100 * patience; i++)); do
        screen | grep -qF -- "$1" || return 0
        sleep 0.05
    done
    echo "--- screen while waiting for this to go: $1" >&2
    screen >&2
    return 1
}
# wait_styled PATTERN: true once the screen with its colours and attributes (capture-pane -e)
# matches the grep pattern (5 s at most)
wait_styled() {
    local i
    for ((i = 0; i < 100 * patience; i++)); do
        screen_styled | grep -q -- "$1" && return 0
        sleep 0.05
    done
    echo "--- screen (with attributes) while waiting for: $1" >&2
    screen_styled | cat -v >&2
    return 1
}
# wait_screen COMMAND...: true once COMMAND succeeds on one capture of the screen, in $S, and
# again on a capture 0.1 s later, so that a half-drawn screen cannot pass (5 s at most)
wait_screen() {
    local i
    for ((i = 0; i < 50 * patience; i++)); do
        S=$(screen)
        if "$@"; then
            sleep 0.1
            S=$(screen)
            "$@" && return 0
        fi
        sleep 0.05
    done
    echo "--- screen while waiting for: $*" >&2
    printf '%s\n' "$S" >&2
    return 1
}
# start COLSxROWS ARGS...: lector in a fresh pane; "EXIT=status" is printed when it ends.
# $start_env: more VAR=value words for its environment.
start() {
    local size=$1
    shift
    tm kill-session -t e2e 2>/dev/null
    tm new-session -d -s e2e -x "${size%x*}" -y "${size#*x}" \
        "env LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$tmp/state XDG_CACHE_HOME=$tmp/cache ${start_env:-} $lector $*; echo \"EXIT=\$?\"; sleep 60"
}
# wait_mouse: true once the program in the pane has asked for SGR mouse reports (5 s at most);
# lector asks once its width probe is done, a moment after the first screen, and a report sent
# before would reach it as keys
wait_mouse() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(tm display -p -t e2e '#{mouse_sgr_flag}')" = 1 ] && return 0
        sleep 0.05
    done
    return 1
}
# alternate_off: the pane is on its normal screen (no alternate screen left on)
alternate_off() { [ "$(tm display -p -t e2e '#{alternate_on}')" = 0 ]; }
# shelf_pick TITLE: select the story of that title on the shelf (by name, not by place: the
# shelf sorts by file name), from its row on the screen; true once the status line's "N of M"
# says it is selected.
shelf_pick() {
    local y i
    wait_for "$1" >/dev/null || return 1
    y=$(screen | grep -n -m1 -- "^[ *]$1  " | cut -d: -f1)
    [ -n "$y" ] || return 1
    pick_n=$((y - 1)) # the shelf's first story is on row 2
    tm send-keys -t e2e g
    for ((i = 1; i < pick_n; i++)); do tm send-keys -t e2e j; done
    wait_screen picked
}
picked() { [[ $(printf '%s\n' "$S" | tail -n 1) =~ \ $pick_n\ of\ [0-9]+$ ]]; }
