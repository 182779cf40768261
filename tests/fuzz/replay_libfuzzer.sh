#!/bin/sh
# replay_libfuzzer.sh TARGET DIR...: runs a libFuzzer target once on each file of the DIRs, as
# replay.c does in builds without libFuzzer. Files are given one by one (not as corpus folders),
# so libFuzzer only runs them and writes nothing. Fails, showing libFuzzer's report, when one of
# them fails a check.
target=$1
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
n=$(find "$@" -type f ! -name '.*' | wc -l)
if find "$@" -type f ! -name '.*' -print0 | xargs -0 -r "$target" >"$out" 2>&1; then
    echo "replayed $n inputs"
    exit 0
fi
grep -v '^Running: \|^Executed ' "$out"
exit 1
