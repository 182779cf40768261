#!/usr/bin/env bash
# End-to-end tests of the lector binary on the command line: exit codes, one-line errors, and
# hostile input that must come out visible and harmless. Usage: test_cli.sh LECTOR TEXTS_DIR
set -u
lector=$1
texts=$2
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8

# run CMD...: runs with a time limit; sets out, err, rc.
run() {
    timeout $((20 * ${LECTOR_E2E_PATIENCE:-1})) "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}
one_line_error() { # one line on stderr that names $1, exit status 2
    [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
        [[ "$err" == lector:* ]] && [[ "$err" == *"$1"* ]]
}

run "$lector" --version
check "--version" test "$rc" -eq 0 -a -n "$out"
# The libraries only books need are loaded when a book is read (lazylib.h), not at every start:
# the binary does not name them (each one loaded and relocated cost every process time)
needed=$(readelf -d "$lector" | grep NEEDED | grep -oE '\[[^]]*\]' | tr -d '[]' | tr '\n' ' ')
check "libarchive, libxml2, cmark, zlib, ICU, PCRE2 and libstemmer not loaded at start (needed: $needed)" \
    eval '[ -n "$needed" ] && ! grep -qE "libarchive|libxml2|libcmark|libicu|libstdc|libz\.|libpcre2|libstemmer" <<<"$needed"'
# ... and libunistring and ncurses are linked in (meson.build: static_deps), not loaded at all
check "libunistring, ncursesw and tinfo linked in (needed: $needed)" \
    eval '[ -n "$needed" ] && ! grep -qE "libunistring|libncurses|libtinfo" <<<"$needed"'
# ... and one that cannot be loaded when a book needs it is a one-line refusal, not a crash
mkdir "$tmp/badlib"
: >"$tmp/badlib/libarchive.so.13"
gzip -c "$texts/ivan-baktybekova.txt" >"$tmp/ivan.txt.gz"
run env LD_LIBRARY_PATH="$tmp/badlib" XDG_CACHE_HOME="$tmp/fresh-cache" "$lector" wrap "$tmp/ivan.txt.gz"
check "a book library that cannot be loaded: one line says so ($err)" \
    one_line_error "a library books need could not be loaded"
run env XDG_CACHE_HOME="$tmp/fresh-cache" "$lector" wrap "$tmp/ivan.txt.gz"
check "... and the same story, the library there: read" eval '[ $rc -eq 0 ] && grep -q "Kazakhstani" <<<"$out"'
# ICU that cannot be loaded: right-to-left text in logical order, Thai broken where UAX #14 can
icu_so=$(cd "$tmp/badlib" && : >libicuuc.so.72 && echo ok)
scripts=$(dirname "$0")/../data/scripts
run env LD_LIBRARY_PATH="$tmp/badlib" "$lector" wrap --visual -w 40 "$scripts/ar.txt"
check "no ICU: Arabic printed in logical order ($icu_so)" eval '[ $rc -eq 0 ] && grep -q "^الباب الأزرق" <<<"$out"'
run "$lector" wrap --visual -w 40 "$scripts/ar.txt"
check "... with ICU, in display order" eval '[ $rc -eq 0 ] && grep -q "قرزألا بابلا" <<<"$out"'
run env LD_LIBRARY_PATH="$tmp/badlib" "$lector" wrap -w 40 "$scripts/th.txt"
check "no ICU: Thai still wrapped" eval '[ $rc -eq 0 ] && [ "$(wc -l <<<"$out")" -gt 3 ]'
# ... and the reader loads ICU only for a story that needs it: an English story's first screen
# never does (4 ms of every start), an Arabic or Thai one does (LD_DEBUG names each library
# loaded, dlopen'd ones too)
story_en="$texts/five-windows.txt"
icu_loads() { env LD_DEBUG=files "$lector" dump "$1" 2>&1 >/dev/null | grep -c 'file=libicuuc' || true; }
check "the reader on an English story: ICU not loaded ($(icu_loads "$story_en"))" \
    test "$(icu_loads "$story_en")" -eq 0
check "the reader on Arabic and Thai stories: ICU loaded" \
    eval '[ "$(icu_loads "$scripts/ar.txt")" -gt 0 ] && [ "$(icu_loads "$scripts/th.txt")" -gt 0 ]'
# PCRE2 that cannot be loaded: a pattern is refused in one line; with it, found
pcre_so=$(cd "$tmp/badlib" && : >libpcre2-8.so.0 && echo ok)
run env LD_LIBRARY_PATH="$tmp/badlib" LECTOR_CONFIG=/dev/null "$lector" search --no-cache 're:\bKaz\w+' "$texts"
check "no PCRE2: a pattern refused in one line ($pcre_so; $err)" one_line_error "patterns need PCRE2"
run env LECTOR_CONFIG=/dev/null "$lector" search --no-cache 're:\bKaz\w+' "$texts"
check "... with it, the pattern found" eval '[ $rc -eq 0 ] && grep -q "Kazakh" <<<"$out"'
run "$lector" --help
check "--help mentions wrap" grep -q 'wrap' "$tmp/out"
cp "$tmp/out" "$tmp/help"
# After other options, and with the output not a terminal (where lector prints as lector wrap):
# still lector's own help and version, not wrap's usage or an unknown option.
run "$lector" -w 60 --help
check "-w 60 --help: lector's help" cmp -s "$tmp/out" "$tmp/help"
run "$lector" --width=60 --version
check "--width=60 --version: the version" test "$rc" -eq 0 -a "$out" = "$("$lector" --version)"

# Wrapping: no line wider than asked, every word kept in order.
story="$texts/ivan-baktybekova.txt"
for w in 8 23 40 80; do
    run "$lector" wrap --width "$w" "$story"
    check "wrap $w exit" test "$rc" -eq 0
    check "wrap $w width" test "$(wc -L <"$tmp/out")" -le "$w"
    check "wrap $w words" test "$(tr -d ' \n' <"$tmp/out")" = "$(tr -d ' \n' <"$story")"
done
run "$lector" wrap --width 40 "$story"
check "paragraphs separated by one blank line" \
    test "$(grep -c '^$' "$tmp/out")" -eq "$(($(grep -c . "$story") - 1))"

# Not a terminal: plain `lector FILE` prints like `lector wrap` at 80 columns.
run "$lector" "$story"
plain=$out
run "$lector" wrap --width 80 "$story"
check "lector FILE | cat == wrap" test "$plain" = "$out"

# A folder prints each .txt story under its title.
run "$lector" wrap --width 60 "$texts"
check "folder titles" grep -q '^==> Sezim Baktybekova <==$' "$tmp/out"

# Standard input.
run bash -c "printf 'hello\nworld\n' | '$lector' wrap -"
check "stdin dash" test "$out" = "hello world"
run bash -c "printf 'from a pipe' | '$lector' wrap"
check "stdin pipe" test "$out" = "from a pipe"

# No path and nothing piped in: the default texts folder ($LECTOR_TEXTS).
run env LECTOR_TEXTS="$texts" "$lector" wrap --width 60 </dev/null
check "no path: default texts" grep -q '^==> Ivan Baktybekova <==$' "$tmp/out"

# Errors: one line naming the problem, exit 2, never a hang.
run "$lector" wrap "$tmp/nope.txt"
check "missing file" one_line_error "nope.txt"
run "$lector" wrap --bogus
check "bad option" one_line_error "--bogus"
run "$lector" wrap --width 3 "$story"
check "width too small" one_line_error "--width"
run "$lector" wrap --width abc "$story"
check "width not a number" one_line_error "abc"
run "$lector" wrap /dev/zero
check "/dev/zero" one_line_error "device"

# Right to left: logical order by default (a program reading the file does its own bidi);
# --visual prints display order, a right-to-left paragraph aligned to the right of --width.
printf 'كان عمره 42 سنة.\n\nEnglish with שלום inside.\n' >"$tmp/rtl.txt"
run "$lector" wrap --width 30 "$tmp/rtl.txt"
check "wrap: logical order by default" test "$out" = "$(cat "$tmp/rtl.txt")"
run "$lector" wrap --visual --width 30 "$tmp/rtl.txt"
check "wrap --visual: Arabic in display order, aligned right" \
    test "$(head -n 1 "$tmp/out")" = "              .ةنس 42 هرمع ناك"
check "wrap --visual: a Hebrew word in English reversed in place" \
    test "$(tail -n 1 "$tmp/out")" = "English with םולש inside."
run "$lector" --bidi off "$tmp/rtl.txt"
check "--bidi off, not a terminal: printed as lector wrap ($rc)" test "$rc" -eq 0
run "$lector" --bidi sideways "$tmp/rtl.txt"
check "--bidi sideways: refused" one_line_error "sideways"
mkfifo "$tmp/fifo"
run "$lector" wrap "$tmp/fifo"
check "FIFO refused without blocking" one_line_error "pipe"
# A pipe streams, as fold does: no size limit, memory bounded by the longest paragraph. 96 MB of
# one endless paragraph (pieces of 64 KiB, each a new line), then a pipe with no end at all,
# closed by head. Peak memory is measured in a plain build only (a sanitizer's shadow memory
# counts too); under valgrind the stream is shorter.
stream_mb=96
[ -n "${LECTOR_E2E_SLOW:-}" ] && stream_mb=8
printf '%s\n' 'import resource, subprocess, sys' \
    'rc = subprocess.run(sys.argv[2:]).returncode' \
    "open(sys.argv[1], 'w').write('%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)" \
    'sys.exit(rc)' >"$tmp/peak.py"
py_exe=$(python3 -c 'import sys; print(sys.executable)')
run bash -c "yes 'a line of words' | head -c $((stream_mb << 20)) | \
    '$py_exe' -I -S '$tmp/peak.py' '$tmp/peak' '$lector' wrap -w 80 - | tail -n 1"
check "a ${stream_mb} MB pipe streams to its end" test "$rc" -eq 0 -a "$out" = "a line of words" -a -z "$err"
peak=$(cat "$tmp/peak" 2>/dev/null || echo 0)
if ! { ldd "$lector" 2>/dev/null | grep -q libasan || grep -qa __asan_init "$lector"; } &&
    [ -z "${LECTOR_E2E_SLOW:-}" ]; then
    check "a ${stream_mb} MB pipe: peak memory under 16 MiB ($((peak / 1024)) MiB)" test "$peak" -lt 16384
fi
# A 16 GiB sparse file (no disk used): its NULs come out as control pictures from the first
# line on, at once, and head ends it.
truncate -s 16G "$tmp/sparse.bin"
run bash -c "'$lector' wrap -w 8 '$tmp/sparse.bin' | head -n 2"
check "a 16 GiB file of NULs streams from its start" test "$out" = "$(printf '\342\220\200%.0s' 1 2 3 4 5 6 7 8; echo; printf '\342\220\200%.0s' 1 2 3 4 5 6 7 8)"
rm -f "$tmp/sparse.bin"
run bash -c "yes | '$lector' wrap - | head -n 3"
check "a pipe with no end: lector stops when its reader does" \
    test "$(printf '%s\n' "$out" | grep -cx '\(y \)\{39\}y')" -eq 3
# Hostile streams stay in bounded memory and time: a line of blanks without end after a story,
# blank lines without end, one grapheme cluster of 32 MB (a letter under 16 million marks). Peak
# memory only in a plain build (above).
plain_build=0
if ! { ldd "$lector" 2>/dev/null | grep -q libasan || grep -qa __asan_init "$lector"; } &&
    [ -z "${LECTOR_E2E_SLOW:-}" ]; then
    plain_build=1
fi
hostile_stream() { # hostile_stream NAME GENERATOR: its output in $out, its peak in $peak
    run bash -c "$2 | '$py_exe' -I -S '$tmp/peak.py' '$tmp/peak' '$lector' wrap -w 80 - | tail -c 200"
    peak=$(cat "$tmp/peak" 2>/dev/null || echo 0)
    [ "$plain_build" -eq 0 ] ||
        check "$1: peak memory under 16 MiB ($((peak / 1024)) MiB)" test "$peak" -lt 16384
}
hostile_stream "a line of blanks without end" \
    "{ printf 'Title\n\nText.\n\n'; head -c $((stream_mb << 20)) /dev/zero | tr '\\0' ' '; }"
check "a line of blanks without end: the story, then nothing" test "$out" = "$(printf 'Title\n\nText.')"
hostile_stream "blank lines without end" "head -c $((stream_mb << 20)) /dev/zero | tr '\\0' '\\n'"
check "blank lines without end: nothing to print" test "$rc" -eq 0 -a -z "$out"
"$py_exe" -I -S -c "import sys; o = sys.stdout.buffer; o.write(b'a'); o.write(b'\xcc\x81' * (16 << 20)); o.write(b' end\n')" >"$tmp/marks.txt"
hostile_stream "a cluster of 32 MB" "cat '$tmp/marks.txt'"
check "a cluster of 32 MB: read to its end" test "$rc" -eq 0 -a "${out: -3}" = "end"
rm -f "$tmp/marks.txt"
# With SIGPIPE ignored, a closed output still ends a pipe without end (the write fails).
run bash -c "yes 'hello world' | (trap '' PIPE; '$lector' wrap -w 80 -) | head -n 1"
check "SIGPIPE ignored: a closed output ends lector" test "$rc" -eq 0 -a "${out:0:11}" = "hello world"
# A slow pipe (tail -f, a person typing): what has come is printed before the pipe ends.
{ printf 'Title\n\nThe first paragraph.\n\n'; sleep 4; } | "$lector" wrap - >"$tmp/slow.out" &
slow=$!
sleep 2
check "a slow pipe: its paragraphs are printed as they come" grep -q "The first paragraph" "$tmp/slow.out"
wait "$slow"
# ... also when the last paragraph before the pause fills a batch (256 KiB) that goes to the
# printer thread: 260 paragraphs of 1,009 bytes, and the start of another.
"$py_exe" -I -S -c "import os, sys, time
out = os.fdopen(1, 'wb', buffering=0)
out.write((''.join(('word ' * 202)[:1008] + 'z\n\n' for _ in range(260)) + 'tail').encode())
time.sleep(4)
out.write(b' end\n')" | "$lector" wrap --width 60 - >"$tmp/slow.out" &
slow=$!
sleep 2
check "a slow pipe: a batch is printed as it fills ($(grep -c z "$tmp/slow.out") of 260)" \
    test "$(grep -c z "$tmp/slow.out")" -eq 260
wait "$slow"
# Printed lines wider than what they print (right to left, aligned right at 4,096 columns) are
# written out as they grow, not held a batch at a time (30,000 lines of 4 KB: 120 MB).
"$py_exe" -I -S -c "import sys; sys.stdout.write('שלום\n\n' * 30000)" >"$tmp/rtl-short.txt"
run bash -c "'$py_exe' -I -S '$tmp/peak.py' '$tmp/peak' '$lector' wrap --visual --width 4096 \
    '$tmp/rtl-short.txt' | grep -c 'םולש'"
peak=$(cat "$tmp/peak" 2>/dev/null || echo 0)
check "wide printed lines: all 30,000 out" test "$out" = 30000
[ "$plain_build" -eq 0 ] ||
    check "wide printed lines: peak memory under 32 MiB ($((peak / 1024)) MiB)" test "$peak" -lt 32768
rm -f "$tmp/rtl-short.txt"
# Long stories are printed by batches, a second thread laying out one while the next is read:
# every paragraph once and in order, the stories in the order given, each after its header.
for s in a b; do
    seq -f "Story $s, paragraph %06g." 1 40000 | sed '$!G' >"$tmp/long-$s.txt"
done
run "$lector" wrap --width 60 "$tmp/long-a.txt" "$tmp/long-b.txt"
check "long stories: headers in order" test "$(grep '^==> ' "$tmp/out" | tr '\n' '|')" = \
    "==> Long A <==|==> Long B <==|"
check "long stories: every paragraph once, in order, a blank line between" \
    test "$(grep -v '^==> ' "$tmp/out" | md5sum)" = \
    "$({ cat "$tmp/long-a.txt"; echo; cat "$tmp/long-b.txt"; } | md5sum)"
run "$lector" wrap "$story" "$tmp/nope.txt"
check "one bad path of two: the good one still prints" test "$rc" -eq 2 -a -n "$out"
printf 'secret\n' >"$tmp/locked.txt"
chmod 000 "$tmp/locked.txt"
if [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$tmp"
    run setpriv --reuid=nobody --regid=nogroup --clear-groups "$lector" wrap "$tmp/locked.txt"
else
    run "$lector" wrap "$tmp/locked.txt"
fi
check "unreadable file" one_line_error "ermission denied"

# Hostile bytes: terminal title, clear screen, C1 CSI raw and in UTF-8, bidi override, NUL.
printf 'a\033]0;pwned\007b\033[2J\233c\302\233d\342\200\256e\000f\377\n' >"$tmp/hostile.txt"
run "$lector" wrap --width 80 "$tmp/hostile.txt"
check "hostile exit 0" test "$rc" -eq 0
check "no raw control byte reaches the output" \
    bash -c "! LC_ALL=C grep -q \$'[\\x01-\\x09\\x0b-\\x1f\\x7f]' '$tmp/out' && ! tr -d '\\n' <'$tmp/out' | LC_ALL=C grep -qaP '\\x00|\\xc2[\\x80-\\x9f]|\\xe2\\x80[\\xaa-\\xae]'"
check "escape shown as a picture" grep -q '␛\]0;pwned␇b␛\[2J' "$tmp/out"
check "bidi override shown" grep -q '<U+202E>' "$tmp/out"
check "C1 in UTF-8 shown" grep -q '<U+009B>' "$tmp/out"
check "notice on stderr" grep -q 'invalid' "$tmp/err"

# Titles and file names are untrusted too: the header and messages escape them.
printf 'Evil \033]0;pwned\007\033[2J t\n\nbody\n' >"$tmp/evil.txt"
run "$lector" wrap "$tmp/evil.txt" "$tmp/evil.txt"
check "title header escaped" grep -q '^==> Evil ␛\]0;pwned␇␛\[2J t <==$' "$tmp/out"
check "no raw ESC anywhere in the output" bash -c "! LC_ALL=C grep -q \$'\\x1b' '$tmp/out'"
run "$lector" wrap "$tmp/x$(printf '\033')[31m.txt"
check "file name in a message escaped" bash -c "grep -q '␛\[31m' '$tmp/err' && ! LC_ALL=C grep -q \$'\\x1b' '$tmp/err'"

# Windows-1251 is converted and said so.
printf '\317\360\350\342\345\362, \354\350\360!\n' >"$tmp/cp1251.txt"
run "$lector" wrap "$tmp/cp1251.txt"
check "cp1251 converted" test "$out" = "Привет, мир!"
check "cp1251 notice" grep -q 'Windows-1251' "$tmp/err"

# lector search: grep-style lines, best first, grep's exit codes.
run "$lector" search 'kazakh' "$texts"
check "search: hits, exit 0" test "$rc" -eq 0
check "search: path:line:column: snippet" \
    bash -c "grep -qE '^$texts/[a-z-]+\.txt:[0-9]+:[0-9]+: .*Kazakh' '$tmp/out'"
check "search: 12 hits for kazakh (the words that begin with it: Kazakhstan too)" \
    eval '[ "$(wc -l <"$tmp/out")" -eq 12 ] && grep -qi "kazakhstan" "$tmp/out"'
run "$lector" search '=kazakh' "$texts"
check "search: 10 for =kazakh (the whole word)" test "$(wc -l <"$tmp/out")" -eq 10
run "$lector" search 'kazakh kazakh kazakh kazakh' "$texts"
check "search: a word repeated is the word once" test "$(wc -l <"$tmp/out")" -eq 12
run "$lector" search 'kazakstan' "$texts"
check "search: a word spelt wrong: status 1 and the nearest word named" \
    eval '[ "$rc" -eq 1 ] && grep -q "did you mean kazakhstan?" "$tmp/err"'
run "$lector" search '🍕' "$texts"
check "search: a query of no word (an emoji): status 2, what finds symbols named" \
    eval '[ "$rc" -eq 2 ] && grep -q "no words to search for (only spaces, punctuation or symbols: re:PATTERN finds those)" "$tmp/err"'
run "$lector" search 'DOMBRA' "$texts"
check "search: nothing because of capitals: status 1, and what ignoring case finds, as the reader says" \
    eval '[ "$rc" -eq 1 ] && grep -q "no match for DOMBRA (case counts; ignoring case finds 2: type it in lower case)" "$tmp/err"'
run "$lector" search --count 'kazakstan~' "$texts"
check "search: word~ finds the words near it" grep -qx "$texts/ivan-baktybekova.txt:[1-9]" "$tmp/out"
run "$lector" search --count 'NEAR(debut album, 1)' "$texts"
check "search: NEAR" grep -qx "$texts/ivan-baktybekova.txt:2" "$tmp/out"
run "$lector" search "$(python3 -c 'print(" ".join("w%d" % i for i in range(20000)))')" "$texts"
check "search: a query of 100,000 characters is refused in one line" \
    eval '[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "more than 64" "$tmp/err"'
run "$lector" search "$(printf 'zq\033]0;PWNED\007 \355\240\200x')" "$texts"
check "search: escapes and a lone surrogate in a query are never echoed raw" \
    eval '[ "$rc" -le 1 ] && ! LC_ALL=C grep -q -P "[\x00-\x08\x0b-\x1f\x7f]|\xed\xa0" "$tmp/err" "$tmp/out"'
run "$lector" search --regex --count 'Kazakh(stan)?\b' "$texts"
check "search --regex: each story's matches" grep -qx "$texts/sezim-baktybekova.txt:10" "$tmp/out"
run "$lector" search 're:\p{Cyrillic}+ \p{Cyrillic}+' "$texts"
check "search re:PATTERN: Unicode properties, hits printed" eval '[ "$rc" -eq 0 ] && [ -s "$tmp/out" ]'
run "$lector" search --regex 'a(b' "$texts"
check "search --regex: a bad pattern is one line with its position, status 2" \
    eval '[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "at 4" "$tmp/err"'
printf 'word word word word word word word word word word word word word word word word word word word word word word word word word!\n' >"$tmp/bt.txt"
run "$lector" search --regex '^(\w+\s?)*$' "$tmp/bt.txt"
check "search --regex: a pattern that backtracks without end stops at its limit, saying so" \
    eval '[ "$rc" -eq 2 ] && grep -q "gave up" "$tmp/err"'
run "$lector" search --limit 2 '"vast steppes"' "$texts"
check "search: a phrase, --limit" test "$(wc -l <"$tmp/out")" -eq 2
nstories=$(find "$texts" -maxdepth 1 -name '*.txt' | wc -l)
run "$lector" search 'Kazakh*' --count "$texts"
check "search --count, options after the query: a line per story ($nstories), as grep -c" \
    bash -c "grep -qx '$texts/ivan-baktybekova.txt:[1-9][0-9]*' '$tmp/out' && [ \$(wc -l <'$tmp/out') -eq $nstories ]"
run "$lector" search 'zzyzx' "$texts"
check "search: no hits, exit 1, nothing printed" test "$rc" -eq 1 -a -z "$out" -a -z "$err"
run "$lector" search ' ... !? '
check "search: a query of punctuation is refused" one_line_error "no words"
run "$lector" search
check "search: no query" one_line_error "no query"
run "$lector" search word "$tmp/missing-folder"
check "search: a bad path" one_line_error "missing-folder"
run "$lector" search --limit x word
check "search: a bad --limit" one_line_error "--limit"
printf 'caf\xc3\xa9 \x1b]0;pwned\x07 word\n' >"$tmp/hostile-search.txt"
run "$lector" search cafe "$tmp/hostile-search.txt"
check "search: accents fold, escapes come out visible" \
    bash -c "grep -q 'café' '$tmp/out' && ! grep -q \$'\\x1b' '$tmp/out'"

# lector index: the cache, and what it says it did.
export XDG_CACHE_HOME=$tmp/cache
mkdir "$tmp/shelf"
cp "$texts"/*.txt "$tmp/shelf/"
printf 'Line one\r\nline two with a dombra\r\n' >"$tmp/shelf/crlf.txt"
nshelf=$((nstories + 1)) # the shipped stories and crlf.txt
run "$lector" index "$tmp/shelf"
check "index: each story indexed ($nshelf), and a summary" \
    bash -c "[ \$(grep -c ': indexed\$' '$tmp/out') -eq $nshelf ] && grep -q '$nshelf stories' '$tmp/out'"
run "$lector" index "$tmp/shelf"
check "index: up to date the second time" test "$(grep -c ': up to date$' "$tmp/out")" -eq "$nshelf"
touch -d '2001-01-01' "$tmp/shelf/crlf.txt"
printf 'More about the dombra.\n' >>"$tmp/shelf/sezim-baktybekova.txt"
run "$lector" index "$tmp/shelf"
check "index: a touched file keeps its index" grep -q 'crlf.txt: unchanged text, kept' "$tmp/out"
check "index: an edited file is indexed again" grep -q 'sezim-baktybekova.txt: changed, indexed again' "$tmp/out"
for f in "$tmp/cache/lector/index"/*.idx; do
    printf 'garbage' | dd of="$f" bs=1 seek=5000 conv=notrunc status=none
done
run "$lector" index "$tmp/shelf"
check "index: a damaged cache file is found and rebuilt" \
    test "$(grep -c ': cache was unusable, indexed again' "$tmp/out")" -eq "$nshelf"
run "$lector" search dombra "$tmp/shelf"
check "search: from the cache, the edit found, a CRLF file's line and column" \
    bash -c "grep -q 'sezim-baktybekova.txt:.*More about the dombra' '$tmp/out' && grep -q 'crlf.txt:2:17: ' '$tmp/out'"
rm -rf "$tmp/cache"
run "$lector" search --no-cache dombra "$tmp/shelf"
check "search --no-cache: the same hits, no cache written" \
    bash -c "[ \$(wc -l <'$tmp/out') -ge 3 ] && [ ! -e '$tmp/cache/lector/index' ] || [ -z \"\$(ls -A '$tmp/cache/lector/index' 2>/dev/null)\" ]"
run "$lector" index --bogus
check "index: a bad option" one_line_error "--bogus"

# Output that cannot be written (a full disk) is one line and a failure, for every subcommand
# that prints (wrap's status for it is 1, the others' 2: their 1 means something else). A reader
# that stops early (| head) is not a failure: with SIGPIPE ignored, as a Python parent leaves it,
# lector sees EPIPE and stays quiet (with SIGPIPE as usual it ends quietly by the signal).
for i in $(seq 40); do cat "$texts"/*.txt; done >"$tmp/big.txt" # far more than a pipe holds
for sub in "index $tmp/shelf" "config" "search dombra $tmp/shelf" \
    "compare $tmp/shelf/ivan-baktybekova.txt $tmp/shelf/sezim-baktybekova.txt" "wrap $tmp/big.txt"; do
    # shellcheck disable=SC2086 # $sub is words
    timeout $((20 * ${LECTOR_E2E_PATIENCE:-1})) "$lector" $sub >/dev/full 2>"$tmp/err"
    rc=$?
    err=$(cat "$tmp/err")
    [ "${sub%% *}" = wrap ] && rc=$((rc + 1)) # its 1 as the others' 2, for one_line_error
    check "lector ${sub%% *} >/dev/full: a failure, one line ($err)" \
        one_line_error "writing output: "
done
for sub in "wrap $tmp/big.txt"; do
    # shellcheck disable=SC2086 # $sub is words
    rc=$( (trap '' PIPE; "$lector" $sub 2>"$tmp/err" | head -n 1 >/dev/null; echo "${PIPESTATUS[0]}"))
    check "lector ${sub%% *} | head -n 1, SIGPIPE ignored: status 0, nothing on stderr ($rc)" \
        test "$rc" = 0 -a ! -s "$tmp/err"
done

# Compare: two stories side by side (not a terminal: printed), and the alignment as rows.
ivan="$texts/ivan-baktybekova.txt"
sezim="$texts/sezim-baktybekova.txt"
run "$lector" compare --pairs "$ivan" "$sezim"
check "compare --pairs: exit 1 (they differ)" test "$rc" -eq 1
check "compare --pairs: every row is A<TAB>B<TAB>SCORE" \
    bash -c "! grep -vqP '^([0-9,]+|-)\t([0-9,]+|-)\t[01]\.[0-9]{2}(\tmoved)?$' '$tmp/out'"
check "compare --pairs: each paragraph of A and of B exactly once" bash -c "
    [ \"\$(cut -f1 '$tmp/out' | grep -v '^-$' | tr , '\n' | sort -n | tr '\n' ' ')\" = '1 2 3 4 5 6 7 8 ' ] &&
    [ \"\$(cut -f2 '$tmp/out' | grep -v '^-$' | tr , '\n' | sort -n | tr '\n' ' ')\" = '1 2 3 4 5 6 ' ]"
check "compare --pairs: the two debut albums pair" grep -qP '^3\t4\t' "$tmp/out"
run "$lector" compare --pairs "$ivan" "$ivan"
check "compare a story with itself: all same, exit 0" \
    bash -c "[ $rc -eq 0 ] && [ \$(grep -c \$'\t1.00\$' '$tmp/out') -eq 8 ]"
sed -e 's/vast steppes/wide steppes/' -e '/^After completing/,/^$/d' "$ivan" >"$tmp/ivan-edited.txt"
run "$lector" compare --width 100 "$ivan" "$tmp/ivan-edited.txt"
check "compare: exit 1, no line over the width" bash -c "[ $rc -eq 1 ] && [ \$(wc -L <'$tmp/out') -le 100 ]"
check "compare: the changed word marked on each side" \
    bash -c "grep -q '\[-vast-\]' '$tmp/out' && grep -q '{+wide+}' '$tmp/out'"
check "compare: gutter ~ for the changed pair, < for the removed one, | for the same" \
    bash -c "grep -q ' ~ ' '$tmp/out' && grep -q ' <\$' '$tmp/out' && grep -q ' | ' '$tmp/out'"
run "$lector" compare "$ivan" "$tmp/nonexistent.txt"
check "compare: a missing story" one_line_error "nonexistent.txt"
run "$lector" compare "$ivan" "$texts"
check "compare: a folder is not a story" one_line_error "is a folder"
run "$lector" compare "$ivan"
check "compare: two stories needed" one_line_error "two stories"
run "$lector" compare --width 5 "$ivan" "$sezim"
check "compare: a bad width" one_line_error "--width"
printf '\033]0;pwned\007Hello \033[2J world.\n' >"$tmp/esc.txt"
run "$lector" compare "$tmp/esc.txt" "$ivan"
check "compare: escape sequences never reach the output raw" \
    bash -c "! grep -q \$'\033' '$tmp/out' && grep -q '␛' '$tmp/out'"

check_done
