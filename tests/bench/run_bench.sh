#!/usr/bin/env bash
# run_bench.sh MAKE_CORPUS DIR BENCH [CORPUS...]: build the corpora if needed, then run BENCH
# on the named ones (default: en ru zh).
set -euo pipefail
make_corpus=$1
dir=$2
bench=$3
shift 3
"$make_corpus" "$dir"
[ $# -gt 0 ] || set -- en ru zh
files=()
for c in "$@"; do files+=("$dir/$c.txt"); done
exec "$bench" "${files[@]}"
