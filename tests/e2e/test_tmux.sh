#!/usr/bin/env bash
# lector in a real terminal (tmux, tmux's own regress style): a private server, a fixed size,
# poll capture-pane until the screen is stable, compare. Usage: test_tmux.sh LECTOR TEXTS_DIR
set -u
lector=$1
texts=$2
. "$(dirname "$0")/lib.sh"
sock="lector-e2e-$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null' EXIT
# A session that outlives the tests': killing the server's last session makes it exit, and a
# new-session racing that exit fails ("server exited unexpectedly").
tm new-session -d -s keeper "sleep 3600"

# stable_capture: capture-pane until two captures 100 ms apart agree (at most 5 s).
stable_capture() {
    local prev="" cur i
    for i in $(seq $((50 * patience))); do
        cur=$(tm capture-pane -p -S - -E - -t e2e | sed -e 's/ *$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')
        [ -n "$cur" ] && [ "$cur" = "$prev" ] && break
        prev=$cur
        sleep 0.1
    done
    printf '%s\n' "$cur"
}

for size in 80x24 40x12 57x20; do
    cols=${size%x*}
    rows=${size#*x}
    tm new-session -d -s e2e -x "$cols" -y "$rows" \
        "env LC_ALL=C.UTF-8 '$lector' wrap '$texts/sezim-baktybekova.txt'; sleep 30"
    screen=$(stable_capture)
    want=$(LC_ALL=C.UTF-8 "$lector" wrap --width "$cols" "$texts/sezim-baktybekova.txt")
    # The terminal's width was used: the pane (with its scrollback) shows exactly the lines
    # wrapped at that width, none of them folded again by the terminal.
    check "tmux $size shows lines wrapped to the pane" test "$screen" = "$want"
    tm kill-session -t e2e
done
check_done
