#!/usr/bin/env bash
# Hostile stories and paths. What each looks like on lector's screen (stand-ins for control
# characters, U+FFFD for invalid bytes, the status line's words) is read from `lector dump` (the
# real app, keys given on the command line, its screens printed as text, no terminal); peak
# memory is measured on that process too. What must not happen is checked in a real terminal
# (tmux): the pane's title and tmux's paste buffers unchanged (no escape sequence reached the
# terminal), the shell's line printed before lector still on screen after it quits (the story
# never cleared or moved the terminal outside lector's own screen), an exit status, no row wider
# than the pane as the terminal draws it. And the same stories on the command line.
# Usage: test_hostile.sh LECTOR TEXTS_DIR
# shellcheck disable=SC2016 # checks written eval '...' expand when they run
set -u
lector=$1
texts=$2
. "$(dirname "$0")/lib.sh"
tmux_begin lector-hostile
tm set -g set-clipboard on # an OSC 52 that leaked through would land in a paste buffer
# Peak memory is only measured in a plain build: ASan's shadow memory and valgrind (which sets
# LECTOR_E2E_SLOW) change it; there the huge story is also made smaller. (lib.sh's dump runs
# lector dump with this suite's state and cache folders.)
measure=1
# a sanitizer build measures its shadow memory too: gcc links libasan, clang builds it in
{ ldd "$lector" 2>/dev/null | grep -q libasan || grep -qa __asan_init "$lector"; } && measure=0
[ -n "${LECTOR_E2E_SLOW:-}" ] && measure=0
huge_mb=200
[ "$measure" -eq 0 ] && huge_mb=40 # a sanitizer build: the same paths, a fifth of the bytes
[ -n "${LECTOR_E2E_SLOW:-}" ] && huge_mb=20

# open SIZE ARGS...: lector in a fresh pane, run from a shell line that first prints a marker.
# The pane's title is set before lector starts (it waits for $tmp/go), so that a title change can
# only come from lector's output.
open() {
    local size=$1
    shift
    rm -f "$tmp/go"
    tm kill-session -t e2e 2>/dev/null
    tm new-session -d -s e2e -x "${size%x*}" -y "${size#*x}" \
        "echo BEFORE-LECTOR; while [ ! -e $tmp/go ]; do sleep 0.02; done;
         env LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$tmp/state XDG_CACHE_HOME=$tmp/cache \
             ${RUN_AS:-} $lector $*; echo \"EXIT=\$?\"; sleep 600"
    tm select-pane -t e2e -T kept-title
    touch "$tmp/go"
}
# wait_long SECONDS TEXT: wait_for with a longer limit, for work that grows with a big story
wait_long() {
    local i
    for i in $(seq $(($1 * 10 * patience))); do
        screen | grep -qF -- "$2" && return 0
        sleep 0.1
    done
    wait_for "$2"
}
pane_title() { tm display -p -t e2e '#{pane_title}'; }
# measured ARGS...: dump ARGS; $peak is its peak resident memory in KiB (the largest of the
# Python wrapper's children: lector dump)
printf '%s\n' 'import resource, subprocess, sys' \
    'rc = subprocess.run(sys.argv[2:]).returncode' \
    "open(sys.argv[1], 'w').write('%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)" \
    'sys.exit(rc)' >"$tmp/peak.py"
measured() {
    rm -f "$tmp/peak"
    dump_wrap="$python -I -S $tmp/peak.py $tmp/peak" dump "$@"
    peak=$(cat "$tmp/peak" 2>/dev/null || echo 0)
}
# untouched NAME: the terminal outside lector's screen was left alone. Quits with q first.
untouched() {
    local name=$1
    check "$name: title unchanged" test "$(pane_title)" = kept-title
    check "$name: no paste buffer set" test -z "$(tm list-buffers 2>/dev/null)"
    tm send-keys -t e2e q
    check "$name: quits with status 0" wait_for "EXIT=0"
    check "$name: the line before lector still on screen" wait_for "BEFORE-LECTOR"
}
# no_line_wider COLS: no captured row is wider than COLS display columns
no_line_wider() {
    screen | py -c "
import sys, unicodedata
def w(c):
    if unicodedata.combining(c) or c in '\u200d\ufe0f': return 0
    return 2 if unicodedata.east_asian_width(c) in 'WF' else 1  # a flag: two RIs of 1 each
sys.exit(any(sum(w(c) for c in l.rstrip('\n')) > $1 for l in sys.stdin))"
}

# --- escape sequences of every kind --------------------------------------------------------------
{
    printf 'Escapes\n\n'
    printf 'OSC title \033]0;PWNED\007 OSC2 \033]2;PWNED2\033\\ clipboard \033]52;c;cHduZWQ=\007 end.\n'
    printf 'CSI clear \033[2J\033[H home, cursor \033[10;10H moved, erase \033[K, scroll \033[5S.\n'
    printf 'Queries: status \033[6n, attributes \033[c, size \033[18t, title \033[21t.\n'
    printf 'C1 raw \233 31m and in UTF-8 \302\2332J, OSC \302\2350;x\302\234 done.\n'
    printf 'Alt screen \033[?1049l off, mouse \033[?1000h on, charset \033(0 lqk \033(B.\n'
    printf 'DCS \033P+q544e\033\\ and APC \033_hidden\033\\ end.\n'
    printf 'Bidi \342\200\256evil\342\200\254 and isolate \342\201\246iso\342\201\251 end.\n'
    printf 'NUL here:\000: and DEL:\177: end.\n'
} >"$tmp/escapes.txt"
dump "$tmp/escapes.txt"
check "escapes: OSC title shown as text" shows '␛]0;PWNED␇'
check "escapes: clipboard shown" shows '␛]52;c;cHduZWQ=␇'
check "escapes: CSI shown" shows '␛[2J␛[H'
check "escapes: queries shown" shows '␛[6n'
check "escapes: C1 in UTF-8 shown" shows '<U+009B>2J'
check "escapes: bidi override shown" shows '<U+202E>evil<U+202C>'
check "escapes: NUL and DEL shown" shows ':␀: and DEL:␡:'
check "escapes: NUL makes it look binary, and the status says so" shows "looks like a binary file"
# In a terminal: nothing of it reaches the terminal.
open 80x24 "$tmp/escapes.txt"
wait_for '␛]0;PWNED␇' >/dev/null
# A device query that reached tmux would be answered into lector's input as keys.
check "escapes: no answer to a query came back as keys" wait_screen \
    eval 'grep -q "^ Escapes\|^ looks like a binary file" <<<"$S" && ! grep -q "^ */" <<<"$S"'
check "escapes: text still at the top (no scroll, no clear)" wait_screen eval 'head -n 3 <<<"$S" | grep -q "OSC title"'
untouched "escapes"

# --- invalid UTF-8 of every class ----------------------------------------------------------------
# lone continuation, overlong (2, 3 bytes), surrogate, above U+10FFFF, 5-byte form, FE/FF,
# truncated at the end of the file
printf 'a \200 b \277 c \300\257 d \340\200\200 e \355\240\200 f \364\220\200\200 g \370\210\200\200\200 h \376 i \377 j \303' \
    >"$tmp/invalid.txt"
dump "$tmp/invalid.txt"
check "invalid UTF-8: one U+FFFD per maximal subpart" \
    shows 'a � b � c �� d ��� e ��� f ���� g ����� h � i � j �'
check "invalid UTF-8: the status says how many" shows "not valid UTF-8: 22 invalid sequences"
open 80x24 "$tmp/invalid.txt"
wait_for 'a � b �' >/dev/null
untouched "invalid UTF-8"

# --- a binary file and an empty one --------------------------------------------------------------
# Random bytes, but the same ones every run: wc -L (glibc's Unicode 14 widths) and lector
# (Unicode 15) disagree on a few code points such as U+4DF8, which a fresh draw can hit.
py -c "import random, sys; random.seed(6); sys.stdout.buffer.write(random.randbytes(20000))" \
    >"$tmp/random.bin"
dump "$tmp/random.bin"
check "binary: said so, as less does" shows "looks like a binary file"
open 80x24 "$tmp/random.bin"
wait_for "looks like a binary file" >/dev/null
check "binary: no row wider than the pane" no_line_wider 80
untouched "binary"
: >"$tmp/empty.txt"
dump "$tmp/empty.txt"
check "empty file: said so" shows "empty file"
open 80x24 "$tmp/empty.txt"
wait_for "empty file" >/dev/null
untouched "empty file"

# --- a million combining marks on one letter; 10,000 regional indicators -------------------------
py -c "import sys; sys.stdout.buffer.write(b'Zalgo a' + '\u0301'.encode() * 1000000 + b' end\n')" \
    >"$tmp/marks.txt"
measured --keys "<dump>Gg/end<Enter>" "$tmp/marks.txt"
on 1
check "1,000,000 marks: the letter and the word after it shown" shows "end"
check "1,000,000 marks: the status line drawn" status_has "100%"
on 2
check "1,000,000 marks: search finds the word after them" status_has "match 1 of 1"
[ "$measure" -eq 1 ] && check "1,000,000 marks: peak memory under 64 MiB ($((peak / 1024)) MiB)" test "$peak" -lt 65536
open 80x24 "$tmp/marks.txt"
wait_for "100%" >/dev/null
untouched "marks"
py -c "import sys; sys.stdout.buffer.write(('\U0001F1F0\U0001F1FF' * 5000).encode() + b'\n')" \
    >"$tmp/flags.txt"
dump "$tmp/flags.txt"
check "10,000 regional indicators: shown" shows '🇰🇿🇰🇿🇰🇿'
check "10,000 regional indicators: no flag split across rows (even count on every row)" \
    eval 'head -n -1 <<<"$S" | py -c "
import sys
sys.exit(any(sum(0x1f1e6 <= ord(c) <= 0x1f1ff for c in l) % 2 for l in sys.stdin))" || said flags'
open 80x24 "$tmp/flags.txt"
wait_for '🇰🇿🇰🇿🇰🇿' >/dev/null
check "10,000 regional indicators: no row wider than the pane" no_line_wider 80
untouched "flags"

# --- right-to-left and dictionary scripts at their worst ------------------------------------------
# One Arabic paragraph of 10 MB (numbers and Latin inside), a Thai run of 1 MB with no space,
# 130 isolates that never close and 200 unbalanced embeddings (past the 125 levels UAX #9 allows), every strong class and bidi control
# on one line. Each loads, pages to the end and searches in bounded time and memory; the controls
# stay visible as stand-ins.
script_mb=10
[ "$measure" -eq 0 ] && script_mb=2
py -c "
import sys
ar = 'في قديم الزمان كان هناك راوٍ يحكي 123 قصة عن Almaty والسهوب الواسعة، '
th = 'กาลครั้งหนึ่งนานมาแล้วมีนักเล่าเรื่องคนหนึ่งเล่าเรื่องราวของทุ่งหญ้ากว้างใหญ่'
n = $script_mb * 1048576 // len(ar.encode())
open('$tmp/arabic.txt', 'w').write('قصة\n\n' + ar * n + 'نهاية\n')
open('$tmp/thai.txt', 'w').write(th * (1048576 // len(th.encode())) + ' จบ\n')
nest = '\u2067' * 130 + 'abc' + '\u202b' * 200 + 'אבג 12 def' + '\u202a\u202e' * 100 + ' end\n'
open('$tmp/nest.txt', 'w').write(('start ' + nest) * 3)
mix = ('Latin עברית العربية ١٢٣ 456 ۷۸۹ \u200e\u200f\u061c (x) [ك] {y} € % + - , . : / '
       '\u2066a\u2069 \u2068b\u2069 \u200d \t end')
open('$tmp/mix.txt', 'w').write(mix * 50 + '\n')"
dump_limit=120 measured --keys "<dump>G<dump>/نهاية<Enter>" "$tmp/arabic.txt"
on 1
check "${script_mb} MB Arabic paragraph: the first screen, right to left" shows "ناك نامزلا ميدق يف"
on 2
check "${script_mb} MB Arabic paragraph: G reaches the end" status_has "100%"
on 3
check "${script_mb} MB Arabic paragraph: a search finds its last word" status_has "match 1 of 1"
# the search indexes the story, which takes memory in any script (10 MB of English: 9x)
[ "$measure" -eq 1 ] &&
    check "${script_mb} MB Arabic paragraph: peak memory under 8x the story ($((peak / 1024)) MiB)" \
        test "$peak" -lt $((8 * script_mb * 1024))
measured --keys "<dump>G<dump>/จบ<Enter>" "$tmp/thai.txt"
on 2
check "1 MB Thai run: G reaches the end" status_has "100%"
# where each row ends in the repeated sentence: always at one of its word ends (the rows of the
# screen after G, joined, are a stretch of the sentence repeated)
check "1 MB Thai run: every row ends between two words" eval 'head -n -1 <<<"$S" | py -c "
import sys
words = \"กาล ครั้ง หนึ่ง นาน มา แล้ว มี นัก เล่า เรื่อง คน หนึ่ง เล่า เรื่อง ราว ของ ทุ่ง หญ้า กว้าง ใหญ่\".split()
sent, ends, n = \"\".join(words), {0}, 0
for w in words:
    n += len(w)
    ends.add(n % len(sent))
rows = [l.strip() for l in sys.stdin if l.strip()]
start = \"\".join(rows).find(sent)
pos, bad = 0, 0
for r in rows[:-1]:
    pos += len(r)
    bad += (pos - start) % len(sent) not in ends
sys.exit(1 if bad or start < 0 else 0)" || said "a row cut inside a word"'
on 3
check "1 MB Thai run: a search finds its last word" status_has "match 1 of 1"
[ "$measure" -eq 1 ] && check "1 MB Thai run: peak memory under 64 MiB ($((peak / 1024)) MiB)" test "$peak" -lt 65536
dump --keys "<dump>/end<Enter>" "$tmp/nest.txt"
on 1
check "unclosed isolates and embeddings: isolates shown as stand-ins" shows "<U+2067><U+2067><U+2067>"
check "unclosed isolates and embeddings: embeddings too" shows "<U+202B><U+202B><U+202B>"
on 2
check "unclosed isolates and embeddings: every paragraph found" status_has "match 1 of 3"
dump "$tmp/mix.txt"
check "every strong class on a line: numbers and Latin in place" shows "Latin ۷۸۹ 456 ١٢٣ ةيبرعلا תירבע"
check "every strong class on a line: isolates shown as stand-ins" shows "<U+2066>a<U+2069>"
for f in arabic thai nest mix; do
    timeout $((60 * patience)) "$lector" wrap --visual --width 40 "$tmp/$f.txt" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check "wrap --visual $f: status 0" test "$rc" -eq 0
    check "wrap --visual $f: no line over 40 columns" test "$(wc -L <"$tmp/out")" -le 40
done
open 80x24 "$tmp/arabic.txt"
wait_for "قصة" >/dev/null
tm send-keys -t e2e G
check "${script_mb} MB Arabic paragraph in a terminal: G reaches the end" wait_long 30 "100%"
check "${script_mb} MB Arabic paragraph in a terminal: no row wider than the pane" no_line_wider 80
untouched "${script_mb} MB Arabic paragraph"
rm -f "$tmp/arabic.txt"

# --- 200 MB without a line end -------------------------------------------------------------------
yes 'lorem ipsum dolor sit amet ' | tr -d '\n' | head -c "${huge_mb}M" >"$tmp/huge.txt"
# Searching a 200 MB story indexes it and holds every match: bounded, but not small. (lector
# dump reads it all, and counts its pages, before the first key.)
keys="<dump>G<dump>g"
[ "$measure" -eq 1 ] && keys+="<dump>/dolor<Enter>"
dump_limit=120 measured --keys "$keys" "$tmp/huge.txt"
on 1
check "${huge_mb} MB, no line end: the first screen" shows "lorem ipsum dolor"
on 2
check "${huge_mb} MB: G reaches the end" status_has "100%"
on 3
check "${huge_mb} MB: g back to the start" status_has " 0% "
if [ "$measure" -eq 1 ]; then
    on 4
    check "${huge_mb} MB: a search finds the first match" status_has "match 1 of"
    check "${huge_mb} MB: peak memory under 4x the story ($((peak / 1024)) MiB)" test "$peak" -lt $((4 * huge_mb * 1024))
fi
open 80x24 "$tmp/huge.txt"
wait_long 30 "lorem ipsum dolor" >/dev/null
untouched "${huge_mb} MB"
rm -f "$tmp/huge.txt"
# --- the same stories on the command line: wrap, search, compare --------------------------------
# raw_free FILE: no byte of FILE is a control character other than LF and TAB, or a raw C1
raw_free() { ! LC_ALL=C grep -q -P '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1"; }
for f in escapes invalid random.bin empty marks flags; do
    [ -e "$tmp/$f.txt" ] && f=$f.txt
    timeout $((60 * patience)) "$lector" wrap --width 40 "$tmp/$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check "wrap $f: status 0" test "$rc" -eq 0
    check "wrap $f: nothing raw on stdout or stderr" eval 'raw_free "$tmp/out" && raw_free "$tmp/err"'
    check "wrap $f: no line over 40 columns" test "$(wc -L <"$tmp/out")" -le 40
    timeout $((60 * patience)) "$lector" search --no-cache end "$tmp/$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check "search $f: status 0 or 1" test "$rc" -le 1
    check "search $f: nothing raw" eval 'raw_free "$tmp/out" && raw_free "$tmp/err"'
    timeout $((60 * patience)) "$lector" compare --width 60 "$tmp/escapes.txt" "$tmp/$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    check "compare escapes with $f: status 0 or 1" test "$rc" -le 1
    check "compare escapes with $f: nothing raw" eval 'raw_free "$tmp/out" && raw_free "$tmp/err"'
done

# --- a story that changes, shrinks or goes away while open ---------------------------------------
for i in $(seq 3000); do printf 'Line %d of the changing story.\n\n' "$i"; done >"$tmp/changing.txt"
open 80x24 "$tmp/changing.txt"
check "changing: opened" wait_for "Line 1 of the changing story."
printf 'Appended after opening.\n' >>"$tmp/changing.txt"
tm send-keys -t e2e G
check "grown while open: the story as opened, to its end" wait_for "Line 3000 of the changing story."
truncate -s 100 "$tmp/changing.txt"
tm send-keys -t e2e g
check "shrunk while open: still shows the story as opened" wait_for "Line 1 of the changing story."
tm send-keys -t e2e / 2 9 9 9 Enter
check "shrunk while open: search still works" wait_for "Line 2999 of"
rm "$tmp/changing.txt"
tm send-keys -t e2e Escape G
check "deleted while open: still readable" wait_for "Line 3000 of the changing story."
untouched "changing"
printf 'Back again.\n' >"$tmp/changing.txt"
open 80x24 "$tmp/changing.txt"
check "reopened: the new text, the old place forgotten" wait_for "Back again."
untouched "reopened"

# --- a folder of 10,000 stories ------------------------------------------------------------------
mkdir "$tmp/many"
py -c "
import sys
for i in range(1, 10001):
    open('%s/s%05d.txt' % (sys.argv[1], i), 'w').write('Story %05d\\n\\nText of story %05d.\\n' % (i, i))" "$tmp/many"
measured --keys "<dump>G<dump><Enter><dump>q" "$tmp/many"
on 1
check "10,000 stories: the shelf lists them" shows "lector: 10000 stories"
on 2
check "10,000 stories: G to the last" status_has "10000 of 10000"
on 3
check "10,000 stories: the last one opens" shows "Text of story 10000."
[ "$measure" -eq 1 ] && check "10,000 stories: peak memory under 64 MiB ($((peak / 1024)) MiB)" test "$peak" -lt 65536
on 4
check "10,000 stories: back on the shelf" status_has "10000 of 10000"
open 80x24 "$tmp/many"
wait_long 30 "lector: 10000 stories" >/dev/null
untouched "10,000 stories"
rm -rf "$tmp/many"

# --- file names: not UTF-8, control characters; a FIFO, a folder, an unreadable file -------------
mkdir "$tmp/names"
printf 'bad name\n' >"$tmp/names/$(printf 'bad\377\376name.txt')"
printf 'control name\n' >"$tmp/names/$(printf 'ctl\033]0;NAMED\007x.txt')"
mkfifo "$tmp/names/pipe.txt"
mkdir "$tmp/names/folder.txt"
printf 'inside\n' >"$tmp/names/folder.txt/inner.txt"
printf 'secret\n' >"$tmp/names/locked.txt"
chmod 000 "$tmp/names/locked.txt"
as_user=""
if [ "$(id -u)" -eq 0 ]; then # root reads anything: run as nobody for this case
    chmod 755 "$tmp" "$tmp/names"
    as_user="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
# The shelf sorts them: Bad, Ctl, folder.txt/inner, locked, pipe (G: the last).
dump_wrap=$as_user dump --size 100x24 --keys "<dump>G<Enter><dump>gj<Enter><dump>q" "$tmp/names"
on 1
check "names: 5 entries" shows "lector: 5 stories"
check "names: invalid bytes in a name shown as U+FFFD" shows "Bad��name"
check "names: a control character in a name shown as a picture" shows "Ctl␛]0;NAMED␇x"
check "names: a FIFO is listed as not openable" shows "pipe.txt: is a pipe"
check "names: a folder named .txt is a subfolder: its story listed" shows "Inner"
check "names: an unreadable file is listed as not openable" shows "ermission denied"
on 2
# (the message, with the whole path, on a row of its own above the status line: too long beside
# the title)
check "names: Enter on the FIFO says why, never blocks" \
    eval 'tail -n 3 <<<"$S" | grep -qF "$tmp/names/pipe.txt: is a pipe (FIFO)" || said FIFO'
on 3
check "names: the control-character story opens" shows "control name"
on 4
check "names: back on the shelf" shows "lector: 5 stories"
RUN_AS=$as_user open 100x24 "$tmp/names"
wait_for "lector: 5 stories" >/dev/null
untouched "names"

# --- paths on the command line: a FIFO, /dev/zero, a folder as a file and a file as a folder -----
mkfifo "$tmp/fifo"
open 80x24 "$tmp/fifo"
check "FIFO: one line, status 2, no hang" wait_for "EXIT=2"
check "FIFO: the error names it" wait_for "is a pipe"
open 80x24 /dev/zero
check "/dev/zero: refused, status 2" wait_for "EXIT=2"
check "/dev/zero: the error says device" wait_for "device"
open 80x24 compare "$texts" "$texts/ivan-baktybekova.txt"
check "a folder where a story is expected: status 2" wait_for "EXIT=2"
check "a folder where a story is expected: said so" wait_for "is a folder"
printf 'x\n' >"$tmp/plain-file"
open 80x24 search lord "$tmp/plain-file/sub"
check "a file used as a folder: status 2" wait_for "EXIT=2"
check "a file used as a folder: said so" wait_for "part of the path is a file"
# The state folder's place taken by a file: the story still opens, with a message; lector ends
# as usual (the place was never to be kept).
dump_env="XDG_STATE_HOME=$tmp/plain-file XDG_CACHE_HOME=$tmp/plain-file" dump "$texts/ivan-baktybekova.txt"
check "state folder is a file: the story opens" shows "Ivan Baktybekova was"
check "state folder is a file: a message says positions are not kept" shows "reading positions not kept"
tm kill-session -t e2e 2>/dev/null
rm -f "$tmp/go"
tm new-session -d -s e2e -x 80 -y 24 \
    "env LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME=$tmp/plain-file XDG_CACHE_HOME=$tmp/plain-file \
         $lector $texts/ivan-baktybekova.txt; echo \"EXIT=\$?\"; sleep 600"
wait_for "Ivan Baktybekova was" >/dev/null
tm send-keys -t e2e q
check "state folder is a file: quits with status 0" wait_for "EXIT=0"
check "state folder is a file: the file left as it was" test "$(cat "$tmp/plain-file")" = x

check_done
