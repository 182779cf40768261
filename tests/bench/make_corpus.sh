#!/usr/bin/env bash
# Builds the wrap benchmark's corpora into DIR (once; later runs reuse them):
#   en.txt  ~100 MB: the King James Bible (bible-kjv), 24 copies, each slightly altered
#   ru.txt  ~20 MB:  the Russian fortunes (fortunes-ru), repeated
#   zh.txt  ~20 MB:  the Chinese fortunes (fortunes-zh: chinese, song100, tang300), repeated
#   en-1000.txt ~1 GB: en.txt ten times, only with BENCH_BIG=1
set -euo pipefail
dir=$1
mkdir -p "$dir"
if [ ! -s "$dir/en.txt" ]; then
    bible -l0 'gen1:1-rev22:21' >"$dir/kjv.tmp"
    for k in $(seq 1 24); do
        # each copy differs: one word per verse line changed, so no two copies are equal
        sed -e "s/ and / and$k /" "$dir/kjv.tmp"
    done >"$dir/en.tmp"
    rm -f "$dir/kjv.tmp"
    mv "$dir/en.tmp" "$dir/en.txt"
fi
repeat_to() { # repeat_to OUT MB FILE...
    local out=$1 mb=$2
    shift 2
    cat "$@" >"$out.one"
    : >"$out.tmp"
    while [ "$(stat -c %s "$out.tmp")" -lt $((mb * 1000000)) ]; do cat "$out.one" >>"$out.tmp"; done
    rm -f "$out.one"
    mv "$out.tmp" "$out"
}
if [ ! -s "$dir/ru.txt" ]; then
    repeat_to "$dir/ru.txt" 20 $(find /usr/share/games/fortunes/ru -type f ! -name '*.dat' | sort)
fi
if [ ! -s "$dir/zh.txt" ]; then
    f=/usr/share/games/fortunes
    repeat_to "$dir/zh.txt" 20 "$f/chinese" "$f/song100" "$f/tang300"
fi
# ~1 GB: en ten times, only with BENCH_BIG=1 (it needs 1 GB of disk)
if [ -n "${BENCH_BIG:-}" ] && [ ! -s "$dir/en-1000.txt" ]; then
    for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$dir/en.txt"; done >"$dir/en-1000.tmp"
    mv "$dir/en-1000.tmp" "$dir/en-1000.txt"
fi
ls -l "$dir"/*.txt >&2
