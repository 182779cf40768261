#!/usr/bin/env bash
# LECTOR=path/to/lector bidi_bench.sh DIR: wrapping the scripts issue 17 added, as a user runs
# it (the whole process, to /dev/null), against the Debian command that does the nearest work
# on the same file in the same run. Files, built here into DIR from the short stories in
# tests/data/scripts (each repeated to about 10 MB):
#   ar  Arabic (numbers, Latin and brackets inside)   th  Thai   ko  Korean
# Tools: lector wrap --width 80 (logical order: line breaks only), lector wrap --visual
# --width 80 (line breaks, then display order by UAX #9 through ICU, right-to-left lines padded
# right), `fribidi --width 80` (libfribidi-bin: each line of the file a paragraph, reordered and
# padded; it does not choose line breaks by UAX #14 or by dictionary, so it does less), and
# `fold -s -w 80` (bytes and spaces only: the floor a user knows). Medians of RUNS (default 5),
# interleaved; the ratio is the tool's time over lector --visual's (above 1: lector is faster).
set -euo pipefail
lector=${LECTOR:?set LECTOR to the lector binary}
dir=$1
RUNS=${RUNS:-5}
src=$(cd "$(dirname "$0")/../data/scripts" && pwd)
gnu_time=/usr/bin/time
command -v fribidi >/dev/null || { echo "bidi_bench: fribidi is missing (apt-get install libfribidi-bin)" >&2; exit 1; }
mkdir -p "$dir"
for s in ar th ko; do
    [ -s "$dir/$s.txt" ] && continue
    n=$((10000000 / $(stat -c %s "$src/$s.txt") + 1))
    for _ in $(seq "$n"); do cat "$src/$s.txt"; echo; done >"$dir/$s.tmp"
    mv "$dir/$s.tmp" "$dir/$s.txt"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timed() { # timed NAME CMD...: one run; appends "ms kb" to $tmp/NAME
    local name=$1
    shift
    local t0 t1
    t0=$(date +%s%N)
    "$gnu_time" -f %M -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" || {
        echo "bidi_bench: $* failed: $(cat "$tmp/err")" >&2
        exit 1
    }
    t1=$(date +%s%N)
    echo "$(((t1 - t0) / 1000000)) $(tail -n 1 "$tmp/rss")" >>"$tmp/$name"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; runs: $RUNS, medians"
printf '%-4s %4s  %-16s %7s %7s %9s %7s\n' file MB tool ms MB/s "peak RSS" ratio
for f in ar th ko; do
    path=$dir/$f.txt
    mb=$(($(stat -c %s "$path") / 1000000))
    rm -f "$tmp"/run-*
    for _ in $(seq "$RUNS"); do
        timed run-wrap env LC_ALL=C.UTF-8 "$lector" wrap --width 80 "$path"
        timed run-visual env LC_ALL=C.UTF-8 "$lector" wrap --visual --width 80 "$path"
        timed run-fribidi fribidi --width 80 "$path"
        timed run-fold fold -s -w 80 "$path"
    done
    base=$(cut -d' ' -f1 "$tmp/run-visual" | median)
    for tool in wrap visual fribidi fold; do
        ms=$(cut -d' ' -f1 "$tmp/run-$tool" | median)
        kb=$(cut -d' ' -f2 "$tmp/run-$tool" | median)
        case $tool in
            wrap) name="lector wrap" ;;
            visual) name="lector --visual" ;;
            *) name=$tool ;;
        esac
        awk -v f="$f" -v mb="$mb" -v t="$name" -v ms="$ms" -v kb="$kb" -v b="$base" \
            'BEGIN { printf "%-4s %4d  %-16s %7d %7.1f %6.1f MB %7s\n", f, mb, t, ms,
                     ms ? mb * 1000 / ms : 0, kb / 1024,
                     t == "lector --visual" ? "" : sprintf("%.2fx", b ? ms / b : 0) }'
    done
done
echo "ratio: the tool's time / lector --visual's (above 1: lector is faster)"
