#!/usr/bin/env bash
# run_bench.sh MAKE_CORPUS DIR BENCH [CORPUS...]: build the corpora if needed, then run BENCH
# on the named ones (default: en ru zh); with --dir instead of corpora, BENCH is given DIR.
set -euo pipefail
make_corpus=$1
dir=$2
bench=$3
shift 3
"$make_corpus" "$dir"
[ "${1:-}" = --dir ] && exec "$bench" "$dir"
[ $# -gt 0 ] || set -- en ru zh
files=()
for c in "$@"; do files+=("$dir/$c.txt"); done
# the 1 GB step of en, with BENCH_BIG=1 (make_corpus.sh built it)
[ -n "${BENCH_BIG:-}" ] && [[ " $* " == *" en "* ]] && files+=("$dir/en-1000.txt")
exec "$bench" "${files[@]}"
