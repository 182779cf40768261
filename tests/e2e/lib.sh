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

# --- tmux, for the interactive suites ------------------------------------------------------------
# Waits below give up after 5 s; LECTOR_E2E_PATIENCE=N makes that N times longer (scripts/valgrind
# runs lector about 30 times slower).
patience=${LECTOR_E2E_PATIENCE:-1}
# tmux_begin NAME: a private tmux server (socket NAME-PID) and a scratch folder $tmp, both gone on
# exit. The session under test is "e2e" (see start); $lector is the program.
tmux_begin() {
    sock="$1-$$"
    tmp=$(mktemp -d)
    trap 'tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
    # A session that outlives the tests': killing the server's last session makes it exit, and a
    # new-session racing that exit fails ("server exited unexpectedly").
    tm new-session -d -s keeper "sleep 3600"
}
tm() { tmux -L "$sock" -f /dev/null "$@"; }
screen() { tm capture-pane -p -t e2e; }
screen_styled() { tm capture-pane -e -p -t e2e; }
# wait_for TEXT: true once TEXT is on the screen (5 s at most)
wait_for() {
    local i
    for i in $(seq $((100 * patience))); do
        screen | grep -qF -- "$1" && return 0
        sleep 0.05
    done
    echo "--- screen while waiting for: $1" >&2
    screen >&2
    return 1
}
# wait_styled PATTERN: true once the screen with its colours and attributes (capture-pane -e)
# matches the grep pattern (5 s at most)
wait_styled() {
    local i
    for i in $(seq $((100 * patience))); do
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
    for i in $(seq $((50 * patience))); do
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
