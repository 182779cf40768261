#!/usr/bin/env bash
# run_bench.sh MAKE_CORPUS DIR BENCH: build the corpora if needed, then run BENCH on them.
set -euo pipefail
"$1" "$2"
exec "$3" "$2/en.txt" "$2/ru.txt" "$2/zh.txt"
