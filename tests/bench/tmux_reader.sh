#!/usr/bin/env bash
# LECTOR=path/to/lector tmux_reader.sh FILE...: the real binary in an 80x24 tmux pane against its peer, less,
# on the same file in the same run: time to the first screen, time for G to show the last line,
# and resident memory after G (all of it, and the anonymous part: the program's own memory, not
# the file's pages in the kernel's cache). The two run in turn (less, lector, less, ...); each
# figure is the median of RUNS; a screen counts as shown when
# tmux's copy of it holds the expected words, polled with capture-pane, so both programs are
# timed the same way (the poll adds ~2 ms to each figure).
set -euo pipefail
lector=${LECTOR:?set LECTOR to the lector binary}
RUNS=${RUNS:-5}
command -v tmux >/dev/null || { echo "tmux_reader: tmux is missing" >&2; exit 1; }
command -v less >/dev/null || { echo "tmux_reader: less is missing" >&2; exit 1; }
sock="lector-bench-$$"
state=$(mktemp -d)
warm=$(mktemp -d)
fresh=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$state" "$state".* "$warm" "$fresh"' EXIT
# The word searched for: the altered copies of make_corpus.sh write "and24" only in the 24th
# copy, so its first place is most of the way into en.txt (~96%), and ~9.6% into en-1000 (en ten
# times); other files: a word from their last lines.
needle=and24


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

# rss_kb PID FIELD: a line of /proc/PID/status in KiB (VmRSS: all resident; RssAnon: the part
# that is the program's own memory, not the file's pages in the kernel's cache)
rss_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# once CACHE COMMAND...: one run, from a fresh start (no saved place to resume), with lector's
# index cache in CACHE (emptied first unless it is $warm); prints
# "first_ms search_ms G_ms rss_kb anon_kb"
once() {
    local cache=$1 t0 t1 t2 t3 pid out
    shift
    empty "$state"
    [ "$cache" = "$warm" ] || empty "$cache"
    t0=$(now_ms)
    XDG_STATE_HOME=$state XDG_CACHE_HOME=$cache tmux -L "$sock" -f /dev/null new-session -d \
        -s bench -x 80 -y 24 "exec $*"
    wait_for "$first_words"
    t1=$(now_ms)
    tmux -L "$sock" send-keys -t bench "/$needle" Enter
    wait_for "$needle_line"
    t2=$(now_ms)
    tmux -L "$sock" send-keys -t bench G
    wait_for "$last_words"
    t3=$(now_ms)
    pid=$(tmux -L "$sock" display-message -p -t bench '#{pane_pid}')
    out="$(awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { print b - a, c - b, d - c }')"
    out="$out $(rss_kb "$pid" VmRSS) $(rss_kb "$pid" RssAnon)"
    tmux -L "$sock" kill-server 2>/dev/null || true
    # the next run starts once this program is gone: lector ends a background index build
    # first, and the CPU it takes then (about 0.1 s on 1 GB) went to the next run's figures
    local deadline=$((SECONDS + 10))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.01; done
    echo "$out"
}

# empty DIR: removes what DIR holds; a program that has just been told to end may still be
# writing there (a cache's temp file), so a second try follows a short wait
empty() {
    rm -rf "${1:?}"/* 2>/dev/null || { sleep 0.5; rm -rf "${1:?}"/*; }
}

# warm_index FILE: runs lector on FILE until its index is in $warm's cache
warm_index() {
    empty "$warm"
    XDG_STATE_HOME=$state XDG_CACHE_HOME=$warm tmux -L "$sock" -f /dev/null new-session -d \
        -s bench -x 80 -y 24 "exec '$lector' '$1'"
    local deadline=$((SECONDS + 300)) # a 1 GB story: about 15 s
    until compgen -G "$warm/lector/index/*.idx" >/dev/null; do
        [ $SECONDS -lt $deadline ] || { echo "tmux_reader: no index made" >&2; exit 1; }
        sleep 0.2
    done
    sleep 0.5 # written in place by rename: whole once it is there
    local pid
    pid=$(tmux -L "$sock" display-message -p -t bench '#{pane_pid}')
    tmux -L "$sock" kill-server 2>/dev/null || true
    deadline=$((SECONDS + 10)) # gone before the runs: as once waits
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.01; done
}

# col N FILE: the median of column N
col() { awk -v n="$1" '{ print $n }' "$2" | median; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for file in "$@"; do
    # The words that mark each screen: the first line with text, and the last one.
    first_words=$(grep -m1 -o '[[:alpha:]][[:alpha:] ]\{19\}' "$file" | head -1)
    last_words=$(tail -n 20 "$file" | grep -o '[[:alpha:]][[:alpha:] ]\{19\}' | tail -1)
    grep -q "$needle" "$file" || needle=$(awk '{ print $1 }' <<<"$last_words")
    # the match counts as shown when the word before it is on the screen with it: the prompt
    # (which shows the query while it is typed) does not count
    needle_line=$(grep -m1 -o "[[:alpha:]]* $needle" "$file")
    indexable=$(($(stat -c %s "$file") <= 4294967295)) # lector indexes up to 4 GiB
    [ "$indexable" = 1 ] && warm_index "$file"
    : >"$state.less"
    : >"$state.lector"
    : >"$state.indexed"
    for _ in $(seq "$RUNS"); do # interleaved: less, lector, lector with its index, less...
        once "$fresh" less "'$file'" >>"$state.less"
        once "$fresh" "'$lector'" "'$file'" >>"$state.lector"
        [ "$indexable" = 1 ] && once "$warm" "'$lector'" "'$file'" >>"$state.indexed"
    done
    size_mb=$(($(stat -c %s "$file") / 1000000))
    echo "under tmux at 80x24 on $size_mb MB, medians of $RUNS (less is the peer):"
    awk -v lf="$(col 1 "$state.less")" -v mf="$(col 1 "$state.lector")" \
        -v ls="$(col 2 "$state.less")" -v ms="$(col 2 "$state.lector")" \
        -v is="$([ "$indexable" = 1 ] && col 2 "$state.indexed" || echo 0)" \
        -v lg="$(col 3 "$state.less")" -v mg="$(col 3 "$state.lector")" \
        -v lr="$(col 4 "$state.less")" -v mr="$(col 4 "$state.lector")" \
        -v la="$(col 5 "$state.less")" -v ma="$(col 5 "$state.lector")" -v n="$needle" 'BEGIN {
        printf "  first screen: lector %.1f ms, less %.1f ms (%.2fx less)\n", mf, lf, mf / lf
        printf "  /%s from the top, no index yet: lector %.1f ms, less %.1f ms (%.1fx faster)\n", n, ms, ls, ls / ms
        if (is > 0)
            printf "  /%s from the top, index cached:  lector %.1f ms (%.1fx faster than less)\n", n, is, ls / is
        else
            printf "  /%s from the top, index cached:  none (lector indexes up to 4 GiB)\n", n
        printf "  G:            lector %.1f ms, less %.1f ms (%.2fx less)\n", mg, lg, mg / lg
        printf "  RSS after G:  lector %.1f MB, less %.1f MB\n", mr / 1024, lr / 1024
        printf "  of it anonymous (RssAnon): lector %.1f MB, less %.1f MB\n", ma / 1024, la / 1024
    }'
done
