#!/usr/bin/env bash
# LECTOR=path/to/lector wrap_bench.sh DIR: `lector wrap --width 80 FILE` as a user runs it (the
# whole process: read, clean, wrap, print to /dev/null) against the tools that do the same work
# on the same file in the same run: `fold -s -w 80` and `fmt -w 80` (GNU coreutils; both count
# bytes, not columns, so their lines of Russian or Chinese are not the same, but they are the
# speed a user knows).
# Files, built by make_corpus.sh into DIR (en, ru, zh) and here:
#   en-10   the first 10 MB of en.txt (the King James Bible, altered copies: ASCII)
#   en      ~100 MB of the same
#   ru      ~20 MB of the Russian fortunes (Cyrillic UTF-8 with CR LF line ends)
#   zh      ~20 MB of the Chinese fortunes and poems (UTF-8)
#   en-1000 ~1 GB: en ten times (only with BENCH_BIG=1; needs 1 GB of disk in DIR)
# Each figure is the median of RUNS (default 5) runs, the tools interleaved run by run (lector,
# fold, fmt, lector, ...), timed with date +%s%N around the process under GNU time (/usr/bin/time
# -f %M), which also gives the peak resident memory and the processor time (user + system, all
# threads: lector prints on a second thread when a story is long, fold and fmt use one). MB/s
# are of the file's bytes; the ratio is the peer's time over lector's (above 1: lector is
# faster). The machine's load is printed first.
set -euo pipefail
lector=${LECTOR:?set LECTOR to the lector binary}
dir=$1
RUNS=${RUNS:-5}
gnu_time=/usr/bin/time
[ -x "$gnu_time" ] || { echo "wrap_bench: $gnu_time is missing (apt-get install time)" >&2; exit 1; }
[ -s "$dir/en.txt" ] || { echo "wrap_bench: run make_corpus.sh $dir first" >&2; exit 1; }
[ -s "$dir/en-10.txt" ] || head -c 10000000 "$dir/en.txt" >"$dir/en-10.txt"
files=(en-10 en ru zh)
if [ -n "${BENCH_BIG:-}" ]; then
    if [ ! -s "$dir/en-1000.txt" ]; then
        for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$dir/en.txt"; done >"$dir/en-1000.tmp"
        mv "$dir/en-1000.tmp" "$dir/en-1000.txt"
    fi
    files+=(en-1000)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# timed NAME CMD...: one run; appends "ms kb cpu-ms" to $tmp/NAME
timed() {
    local name=$1
    shift
    local t0 t1
    t0=$(date +%s%N)
    "$gnu_time" -f '%M %U %S' -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" || {
        echo "wrap_bench: $* failed: $(cat "$tmp/err")" >&2
        exit 1
    }
    t1=$(date +%s%N)
    echo "$(((t1 - t0) / 1000000)) $(tail -n 1 "$tmp/rss" | awk '{ printf "%d %d", $1, ($2 + $3) * 1000 }')" >>"$tmp/$name"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; runs: $RUNS, medians"
printf '%-8s %8s  %-7s %8s %8s %9s %7s %7s\n' file MB tool ms MB/s "peak RSS" cpu-ms ratio
for f in "${files[@]}"; do
    path=$dir/$f.txt
    mb=$(($(stat -c %s "$path") / 1000000))
    rm -f "$tmp"/run-*
    for _ in $(seq "$RUNS"); do
        timed run-lector env LC_ALL=C.UTF-8 "$lector" wrap --width 80 "$path"
        timed run-fold fold -s -w 80 "$path"
        timed run-fmt fmt -w 80 "$path"
    done
    lector_ms=$(cut -d' ' -f1 "$tmp/run-lector" | median)
    for tool in lector fold fmt; do
        ms=$(cut -d' ' -f1 "$tmp/run-$tool" | median)
        kb=$(cut -d' ' -f2 "$tmp/run-$tool" | median)
        cpu=$(cut -d' ' -f3 "$tmp/run-$tool" | median)
        awk -v f="$f" -v mb="$mb" -v tool="$tool" -v ms="$ms" -v kb="$kb" -v l="$lector_ms" \
            -v cpu="$cpu" \
            'BEGIN { printf "%-8s %8d  %-7s %8d %8.0f %6.1f MB %7d %7s\n", f, mb, tool, ms,
                     ms ? mb * 1000 / ms : 0, kb / 1024, cpu,
                     tool == "lector" ? "" : sprintf("%.2fx", l ? ms / l : 0) }'
    done
done
echo "ratio: the peer's time / lector's (above 1: lector is faster); cpu-ms: user + system"
