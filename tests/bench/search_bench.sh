#!/usr/bin/env bash
# LECTOR=path/to/lector search_bench.sh DIR: ranked search over a shelf of 24 files, each an altered
# copy of the King James Bible (bible-kjv, ~100 MB in all, built once into DIR/shelf and reused),
# lector against its peers on the same files in the same run:
#   - SQLite FTS5 (the sqlite3 CLI): a normal FTS5 table, one row per paragraph as lector counts
#     them (a run of non-blank lines; in these files a chapter), with its file and number,
#     tokenize "unicode61 remove_diacritics 2": the same documents lector ranks. The paragraphs
#     are joined into one line each beforehand (awk, not timed); the build is one sqlite3 process
#     importing them, timed once, as MB/s of text, peak RSS and the db's size over the text's; it
#     is rebuilt in every run into a temporary folder. Each query is a whole `sqlite3 DB "SELECT
#     file, para, snippet(..) ... WHERE t MATCH '..' ORDER BY bm25(t) LIMIT 20"`.
#   - ripgrep: a whole `rg --no-ignore -i -w PATTERN DIR/shelf`: every matching line, unranked, no
#     limit (--no-ignore: meson's build folder holds a .gitignore of *, which rg would obey).
#   - lector: the build is a whole `lector index DIR/shelf` into an empty cache folder (median of
#     RUNS_LECTOR), as MB/s, peak RSS and the cache's size over the text's; each query is a whole
#     `lector search --limit 20 QUERY DIR/shelf` with that cache warm.
# It runs at three sizes (see the end), and over a shelf of 100,000 small stories. Queries: lord,
# jehoshaphat, "the son of man" (a phrase), righteous* (a prefix), NEAR(moses aaron, 5) (against
# FTS5's NEAR; lector's words in it are =word, as FTS5 matches whole tokens), a PCRE2 pattern
# (against rg --pcre2), and a word spelt wrong. Output goes to /dev/null. A query's sides (lector,
# FTS5, rg) run in turn, one run of each a round, the order turning (medians_interleaved). Each
# figure is the median of RUNS (default 5), RUNS_LECTOR (default 3) for lector's build, timed with bash's
# $EPOCHREALTIME around the process (no clock process: two runs of date, as before, added 0.8 ms
# to every figure, neither side's work); the floor (the same timing of /bin/true: bash's fork,
# exec and wait) is printed. Each side of each query then runs once more under GNU time for its
# peak RSS (the process's maximum resident set, its mapped index or db pages included), apart
# from the timed runs so that GNU time's own process is in no time. lector's is mostly the pages
# of its stories' index files that it mapped (page cache, shared with every other reader of
# them): at the end of =jehoshaphat over the shelf, RssFile 19 MB and RssAnon 0.2 MB; rg maps a
# large file whole.
set -euo pipefail
lector=${LECTOR:?set LECTOR to the lector binary}
dir=$1
RUNS=${RUNS:-5}
RUNS_LECTOR=${RUNS_LECTOR:-3}
need() { # need COMMAND DEBIAN_PACKAGE
    command -v "$1" >/dev/null || { echo "search_bench: $1 is missing (apt-get install $2)" >&2; exit 1; }
}
need sqlite3 sqlite3
need rg ripgrep
need bible bible-kjv
mkdir -p "$dir"
tmp=$(realpath "$(mktemp -d "$dir/search.XXXXXX")") # absolute: XDG paths must be
trap 'rm -rf "$tmp"' EXIT

shelf=$dir/shelf
if [ ! -d "$shelf" ]; then # built in the temporary folder, then moved in whole
    mkdir "$tmp/shelf"
    bible -l0 'gen1:1-rev22:21' >"$tmp/kjv"
    for k in $(seq 1 24); do
        # each copy differs: one word per verse line changed, as in make_corpus.sh
        sed -e "s/ and / and$k /" "$tmp/kjv" >"$tmp/shelf/kjv-$(printf %02d "$k").txt"
    done
    mv "$tmp/shelf" "$shelf"
fi
shelf_files=("$shelf"/*.txt)
[ ${#shelf_files[@]} -eq 24 ] || { echo "search_bench: $shelf should hold 24 .txt files" >&2; exit 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# time_ms N COMMAND...: the median of N whole runs of COMMAND, in ms
time_ms() {
    local n=$1 t0 t1
    shift
    for _ in $(seq "$n"); do
        t0=${EPOCHREALTIME//[.,]/}
        "$@" >/dev/null || { echo "search_bench: failed ($?): $*" >&2; exit 1; }
        t1=${EPOCHREALTIME//[.,]/}
        echo $((t1 - t0))
    done | median | awk '{ printf "%.1f", $1 / 1000 }'
}

# medians_interleaved N FN...: each function FN run N times, one run of each a round (the order
# turning round by round), so that the machine's drift over the minute falls on every side
# alike; prints their medians in ms, space-separated, in FN's order
medians_interleaved() {
    local n=$1 r k idx t0 t1
    shift
    local fns=("$@")
    local m=${#fns[@]}
    local -a times=()
    for ((r = 0; r < n; r++)); do
        for ((k = 0; k < m; k++)); do
            idx=$(((k + r) % m))
            t0=${EPOCHREALTIME//[.,]/}
            "${fns[$idx]}" >/dev/null || { echo "search_bench: failed ($?): ${fns[$idx]}" >&2; exit 1; }
            t1=${EPOCHREALTIME//[.,]/}
            times[idx]+="$((t1 - t0)) "
        done
    done
    for ((k = 0; k < m; k++)); do
        # shellcheck disable=SC2086 # the times, a word each
        printf '%s ' "$(printf '%s\n' ${times[k]} | median | awk '{ printf "%.1f", $1 / 1000 }')"
    done
}

gnu_time=/usr/bin/time # GNU time: -f %M is the peak RSS in KB
[ -x "$gnu_time" ] || { echo "search_bench: $gnu_time is missing (apt-get install time)" >&2; exit 1; }
# bench_files LABEL FILE...: the FTS5 and lector builds and the queries over those files.
bench_files() {
    local label=$1
    shift
    files=("$@")
    bytes=$(cat "${files[@]}" | wc -c)
    # The FTS5 build: each file's paragraphs (runs of non-blank lines) joined one to a line, then one
    # sqlite3 process reading a script that imports each file a paragraph per row (the column
    # separator, \037, is in no line) into the index.
    db=$tmp/shelf.db
    rm -rf "$tmp/para" "$db" "$tmp/cache"
    mkdir "$tmp/para"
    for f in "${files[@]}"; do
        awk 'BEGIN { RS = "" } { gsub(/[ \t]*\n[ \t]*/, " "); print }' "$f" >"$tmp/para/${f##*/}"
    done
    {
        echo "CREATE VIRTUAL TABLE t USING fts5(file UNINDEXED, para UNINDEXED, text,"
        echo "  tokenize=\"unicode61 remove_diacritics 2\");"
        echo ".mode list"
        echo '.separator "\037" "\n"'
        for f in "${files[@]}"; do
            echo "CREATE TEMP TABLE stage(text TEXT);"
            echo ".import '$tmp/para/${f##*/}' stage"
            echo "INSERT INTO t(file, para, text) SELECT '${f##*/}', rowid, text FROM stage;"
            echo "DROP TABLE stage;"
        done
    } >"$tmp/build.sql"
    t0=${EPOCHREALTIME//[.,]/}000
    "$gnu_time" -f %M -o "$tmp/fts5.rss" sqlite3 -bail "$db" <"$tmp/build.sql"
    t1=${EPOCHREALTIME//[.,]/}000
    build_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
    fts5_kb=$(tail -n 1 "$tmp/fts5.rss")
    db_bytes=$(stat -c %s "$db")
    rows=$(sqlite3 "$db" "SELECT count(*) FROM t")

    # pre: the command each query's process runs under, empty but for the peak RSS runs
    pre=()
    fts5_query() { # fts5_query MATCH
        "${pre[@]}" sqlite3 "$db" "SELECT file, para, snippet(t, 2, '[', ']', '...', 10) FROM t
            WHERE t MATCH '$1' ORDER BY bm25(t) LIMIT 20"
    }

    # The lector build: into a fresh cache each time.
    export XDG_CACHE_HOME=$tmp/cache
    lector_build() {
        rm -rf "$tmp/cache"
        "$lector" index "${files[@]}"
    }
    lbuild_ms=$(time_ms "$RUNS_LECTOR" lector_build)
    rm -rf "$tmp/cache"
    "$gnu_time" -f %M -o "$tmp/lector.rss" "$lector" index "${files[@]}" >/dev/null
    lector_kb=$(tail -n 1 "$tmp/lector.rss")
    cache_bytes=$(du -cb "$tmp/cache/lector/index" | tail -1 | cut -f1)

    # lector's queries as its rule writes them for the same work as FTS5's (=word: the whole
    # word, as FTS5's token and rg -w), in NEAR too (a bare word there would also take the words
    # it begins: Aaron's, Aaronites: 2% more places than FTS5's; rg has no NEAR: "-"); a pattern for
    # rg --pcre2 (FTS5 has none: "-"; lector reads every story for it, as rg does)
    queries=(=lord =jehoshaphat '"the son of man"' 'righteous*' 'NEAR(=moses =aaron, 5)' 're:\bJ\w+ah\b')
    fts5_queries=(lord jehoshaphat '"the son of man"' 'righteous*' 'NEAR(moses aaron, 5)' '')
    rg_patterns=(lord jehoshaphat 'the son of man' 'righteous\w*' '' '\bJ\w+ah\b')
    floor=$(time_ms "$RUNS" /bin/true)
    results=()
    # each query's three sides interleaved, a run of each a round (medians_interleaved)
    run_lector() { "${pre[@]}" "$lector" search --limit 20 "$q" "${files[@]}"; }
    run_fts5() { fts5_query "$fq"; }
    run_rg() {
        if [ "$i" -eq 5 ]; then
            "${pre[@]}" rg --no-ignore --pcre2 "${rg_patterns[$i]}" "${files[@]}"
        else
            "${pre[@]}" rg --no-ignore -i -w "${rg_patterns[$i]}" "${files[@]}"
        fi
    }
    for i in "${!queries[@]}"; do
        q=${queries[$i]}
        fq=${fts5_queries[$i]}
        [ "$(run_lector | wc -l)" -eq 20 ] || { echo "search_bench: lector found < 20 for $q" >&2; exit 1; }
        sides=(run_lector)
        if [ -n "$fq" ]; then
            [ "$(run_fts5 | wc -l)" -eq 20 ] || { echo "search_bench: FTS5 found < 20 for $fq" >&2; exit 1; }
            sides+=(run_fts5)
        fi
        [ -n "${rg_patterns[$i]}" ] && sides+=(run_rg)
        read -r -a ms <<<"$(medians_interleaved "$RUNS" "${sides[@]}")"
        ms_lector=${ms[0]} ms_fts5=- ms_rg=-
        k=1
        if [ -n "$fq" ]; then ms_fts5=${ms[$k]}; k=$((k + 1)); fi
        if [ -n "${rg_patterns[$i]}" ]; then ms_rg=${ms[$k]}; fi
        # each side once more, under GNU time, for its peak RSS in MB ("-": no such side)
        local -a mb=(- - -)
        pre=("$gnu_time" -f %M -o "$tmp/query.rss")
        for side in "${sides[@]}"; do
            "$side" >/dev/null || { echo "search_bench: failed ($?): $side (peak RSS)" >&2; exit 1; }
            case $side in run_lector) k=0 ;; run_fts5) k=1 ;; *) k=2 ;; esac
            mb[k]=$(tail -n 1 "$tmp/query.rss" | awk '{ printf "%.1f", $1 / 1024 }')
        done
        pre=()
        results+=("$q"$'\t'"$ms_lector"$'\t'"$ms_fts5"$'\t'"$ms_rg"$'\t'"${mb[0]}"$'\t'"${mb[1]}"$'\t'"${mb[2]}")
    done
    # a name spelt wrong (word~: two edits, over the whole vocabulary); no peer does it
    ms_fuzzy=$(time_ms "$RUNS" "$lector" search --limit 20 'jehosaphat~' "${files[@]}")
    ms_suggest=$(time_ms "$RUNS" bash -c '"$0" search --limit 20 jehosaphat "${@}" >/dev/null 2>&1; true' \
        "$lector" "${files[@]}")

    echo "search over $label: ${#files[@]} files, $((bytes / 1000000)) MB," \
        "medians of $RUNS (lector's build: $RUNS_LECTOR), whole processes:"
    awk -v ms="$build_ms" -v b="$bytes" -v d="$db_bytes" -v rows="$rows" -v lms="$lbuild_ms" \
        -v c="$cache_bytes" -v fkb="$fts5_kb" -v lkb="$lector_kb" 'BEGIN {
        printf "  FTS5 build:   %6.0f ms, %6.1f MB/s, peak RSS %5.0f MB, %d rows (paragraphs), db %.2fx the text (one run)\n",
            ms, b / 1e6 / (ms / 1e3), fkb / 1024, rows, d / b
        printf "  lector build: %6.0f ms, %6.1f MB/s, peak RSS %5.0f MB, cache %.3fx the text; %.1fx %s than FTS5\n",
            lms, b / 1e6 / (lms / 1e3), lkb / 1024, c / b, (ms >= lms ? ms / lms : lms / ms),
            (ms >= lms ? "faster" : "slower")
    }'
    echo "  timing floor (/bin/true): $floor ms, in every figure"
    printf '%s\n' "${results[@]}" | awk -F '\t' '
    function vs(peer, l) {
        if (peer == "-") return "-"
        return peer >= l ? sprintf("lector %.1fx faster", peer / l) : sprintf("lector %.1fx slower", l / peer)
    }
    function ms(v) { return v == "-" ? sprintf("%9s", "-") : sprintf("%9.1f", v) }
    BEGIN { printf "  %-22s %10s %9s %9s   %-22s %-22s %s\n", "query", "lector ms", "FTS5 ms", "rg ms", "vs FTS5", "vs rg",
        "peak RSS MB lector / FTS5 / rg" }
    { printf "  %-22s %10.1f %s %s   %-22s %-22s %s / %s / %s\n", $1, $2, ms($3), ms($4), vs($3, $2), vs($4, $2), $5, $6, $7 }'
    echo "  jehosaphat~ (two edits, no peer): $ms_fuzzy ms; jehosaphat, nothing found, the nearest word named: $ms_suggest ms"
}

# A shelf of many small stories (BENCH_STORIES, default 100,000 of ~200 bytes: 20 MB), where the
# cost is per story: lector index into an empty cache (cold), then lector search with it (warm),
# each once (peak RSS too), against rg -i -w over the same folder (timed once, then once more
# under GNU time for its peak RSS).
bench_many() {
    local n=${BENCH_STORIES:-100000} many=$dir/many
    if [ ! -d "$many" ] || [ "$(find "$many" -name '*.txt' | wc -l)" -ne "$n" ]; then
        rm -rf "$many" "$tmp/many"
        mkdir -p "$tmp/many"
        awk -v n="$n" -v d="$tmp/many" 'BEGIN {
            for (i = 0; i < n; i++) {
                f = sprintf("%s/s%06d.txt", d, i)
                printf "Story %d\n\nThe wind came over the steppe on day %d, and the riders %s.\n", i, i,
                    (i % 1000 ? "rested" : "sang of Jehoshaphat") > f
                close(f)
            }
        }'
        mv "$tmp/many" "$many"
    fi
    export XDG_CACHE_HOME=$tmp/cache-many
    rm -rf "$tmp/cache-many"
    local t0 t1 cold warm warm2 rgms
    t0=${EPOCHREALTIME//[.,]/}000
    "$gnu_time" -f %M -o "$tmp/many.rss" "$lector" search --limit 20 jehoshaphat "$many" >/dev/null
    t1=${EPOCHREALTIME//[.,]/}000
    cold=$(((t1 - t0) / 1000000))
    local cold_kb warm_kb
    cold_kb=$(tail -n 1 "$tmp/many.rss")
    t0=${EPOCHREALTIME//[.,]/}000
    "$gnu_time" -f %M -o "$tmp/many.rss" "$lector" search --limit 20 jehoshaphat "$many" >/dev/null
    t1=${EPOCHREALTIME//[.,]/}000
    warm=$(((t1 - t0) / 1000000))
    warm_kb=$(tail -n 1 "$tmp/many.rss")
    t0=${EPOCHREALTIME//[.,]/}000
    "$lector" search --limit 20 jehoshaphat "$many" >/dev/null
    t1=${EPOCHREALTIME//[.,]/}000
    warm2=$(((t1 - t0) / 1000000))
    t0=${EPOCHREALTIME//[.,]/}000
    rg --no-ignore -i -w jehoshaphat "$many" >/dev/null
    t1=${EPOCHREALTIME//[.,]/}000
    rgms=$(((t1 - t0) / 1000000))
    local rg_kb
    "$gnu_time" -f %M -o "$tmp/many.rss" rg --no-ignore -i -w jehoshaphat "$many" >/dev/null
    rg_kb=$(tail -n 1 "$tmp/many.rss")
    echo "search over $n small stories ($(du -sb "$many" | cut -f1 | awk '{ printf "%.0f", $1 / 1e6 }') MB), one run each, whole processes:"
    echo "  lector cold (every story indexed, the caches written): $cold ms, peak RSS $((cold_kb / 1024)) MB"
    echo "  lector warm (the caches opened, 256 at a time): $warm ms, again $warm2 ms, peak RSS $((warm_kb / 1024)) MB"
    echo "  rg -i -w (reads every file): $rgms ms, peak RSS $((rg_kb / 1024)) MB (a run of its own)"
}

# Three sizes, as the cost grows: two of the files (~9 MB), the shelf (~100 MB), and with
# BENCH_BIG=1 one 1 GB story (make_corpus.sh's en-1000.txt: the shelf ten times over, one file).
bench_files "2 files of $shelf" "${shelf_files[@]:0:2}"
echo
bench_files "$shelf" "${shelf_files[@]}"
echo
bench_many
if [ -n "${BENCH_BIG:-}" ]; then
    BENCH_BIG=1 bash "$(dirname "${BASH_SOURCE[0]}")/make_corpus.sh" "$dir" 2>/dev/null
    echo
    bench_files "one story" "$dir/en-1000.txt"
fi
