#!/usr/bin/env bash
# LECTOR=path/to/lector tmux_reader.sh FILE: the real binary in an 80x24 tmux pane against its peer, less,
# on the same file in the same run: time to the first screen, time for G to show the last line,
# and resident memory after G. Each figure is the median of RUNS; a screen counts as shown when
# tmux's copy of it holds the expected words, polled with capture-pane, so both programs are
# timed the same way (the poll adds ~2 ms to each figure).
set -euo pipefail
lector=${LECTOR:?set LECTOR to the lector binary}
file=$1
RUNS=${RUNS:-5}
command -v tmux >/dev/null || { echo "tmux_reader: tmux is missing" >&2; exit 1; }
command -v less >/dev/null || { echo "tmux_reader: less is missing" >&2; exit 1; }
sock="lector-bench-$$"
state=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$state"' EXIT

# The words that mark each screen: the first line with text, and the last one.
first_words=$(grep -m1 -o '[[:alpha:]][[:alpha:] ]\{19\}' "$file" | head -1)
last_words=$(tail -n 20 "$file" | grep -o '[[:alpha:]][[:alpha:] ]\{19\}' | tail -1)

now_ms() { date +%s%N | awk '{ printf "%.1f", $1 / 1e6 }'; }

# wait_for TEXT: polls the pane until it shows TEXT (10 s at most).
wait_for() {
    local deadline=$((SECONDS + 10))
    local screen
    while screen=$(tmux -L "$sock" capture-pane -p -t bench) && [[ $screen != *"$1"* ]]; do
        [ $SECONDS -lt $deadline ] || { echo "tmux_reader: never showed: $1" >&2; exit 1; }
    done
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure NAME COMMAND...: prints "NAME first G rss_kb"
measure() {
    local name=$1
    shift
    local firsts=() gs=() rsss=()
    for _ in $(seq "$RUNS"); do
        local t0 t1 t2 pid
        rm -rf "${state:?}"/* # a fresh start each time: no saved place to resume
        t0=$(now_ms)
        XDG_STATE_HOME=$state tmux -L "$sock" -f /dev/null new-session -d -s bench -x 80 -y 24 \
            "exec $*"
        wait_for "$first_words"
        t1=$(now_ms)
        tmux -L "$sock" send-keys -t bench G
        wait_for "$last_words"
        t2=$(now_ms)
        pid=$(tmux -L "$sock" display-message -p -t bench '#{pane_pid}')
        rsss+=("$(ps -o rss= -p "$pid" | tr -d ' ')")
        tmux -L "$sock" kill-server 2>/dev/null || true
        firsts+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
        gs+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')")
    done
    echo "$name $(printf '%s\n' "${firsts[@]}" | median) $(printf '%s\n' "${gs[@]}" | median)" \
        "$(printf '%s\n' "${rsss[@]}" | median)"
}

read -r _ lf lg lr < <(measure less less "'$file'")
read -r _ mf mg mr < <(measure lector "'$lector'" "'$file'")
size_mb=$(($(stat -c %s "$file") / 1000000))
echo "under tmux at 80x24 on $size_mb MB, medians of $RUNS (less is the peer):"
awk -v lf="$lf" -v mf="$mf" -v lg="$lg" -v mg="$mg" -v lr="$lr" -v mr="$mr" 'BEGIN {
    printf "  first screen: lector %.1f ms, less %.1f ms (%.2fx less)\n", mf, lf, mf / lf
    printf "  G:            lector %.1f ms, less %.1f ms (%.2fx less)\n", mg, lg, mg / lg
    printf "  RSS after G:  lector %.1f MB, less %.1f MB\n", mr / 1024, lr / 1024
}'
