#!/usr/bin/env bash
# LECTOR=path/to/lector import_bench.sh DIR: reading books as a user waits for it (the whole
# process), on files built here into DIR: a 10 MB EPUB (300 chapters of XHTML, a nav), the
# same text as an FB2, and as a plain .txt. Tools: `lector toc` (import, then the chapters
# listed: the import's cost), `lector wrap --width 80` (import and wrap, to /dev/null) and the
# same wrap of the .txt (no import), each with an empty book cache (bookcache.h: imported
# afresh); the first screen of the reader (`lector dump`, 80x24: open, lay out, draw, exit) of
# the EPUB with an empty book cache, of the EPUB with its text cached, and of the .txt; medians
# of RUNS (default 5), interleaved. pandoc and
# ebook-convert are compared when installed (not by default: neither is in the build's
# packages). Import throughput is MB of the book's text per second.
set -euo pipefail
lector=${LECTOR:?set LECTOR to the lector binary}
dir=$1
RUNS=${RUNS:-5}
mkdir -p "$dir"
if [ ! -s "$dir/book.epub" ]; then
    python3 - "$dir" <<'PY'
import sys, zipfile
d = sys.argv[1]
para = ("The wind came down from the hills and pressed the grass flat against the earth, and "
        "Marat counted the horses twice, because the first count never agreed with the second. ")
chapters = [(f"Chapter {i + 1}", "".join(f"<p>{para * 3}</p>" for _ in range(60))) for i in range(300)]
z = zipfile.ZipFile(f"{d}/book.epub", "w", zipfile.ZIP_DEFLATED)
z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
z.writestr("META-INF/container.xml", '<container><rootfiles><rootfile full-path="c.opf"/></rootfiles></container>')
items = "".join(f'<item id="c{i}" href="c{i}.xhtml"/>' for i in range(300))
spine = "".join(f'<itemref idref="c{i}"/>' for i in range(300))
z.writestr("c.opf", f'<package><metadata><title>Bench</title></metadata><manifest>{items}'
           f'<item id="nav" href="nav.xhtml" properties="nav"/></manifest><spine>{spine}</spine></package>')
for i, (t, body) in enumerate(chapters):
    z.writestr(f"c{i}.xhtml", f"<html><body><h2>{t}</h2>{body}</body></html>")
z.writestr("nav.xhtml", "<html><body><nav><ol>" + "".join(
    f'<li><a href="c{i}.xhtml">{t}</a></li>' for i, (t, _) in enumerate(chapters)) + "</ol></nav></body></html>")
z.close()
fb = "".join(f"<section><title><p>{t}</p></title>" + body + "</section>" for t, body in chapters)
open(f"{d}/book.fb2", "w").write(f'<?xml version="1.0" encoding="utf-8"?><FictionBook><body>{fb}</body></FictionBook>')
open(f"{d}/book.txt", "w").write("Bench\n\n" + "\n\n".join(
    t + "\n\n" + "\n\n".join(para * 3 for _ in range(60)) for t, _ in chapters) + "\n")
PY
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timed() { # timed NAME CMD...: one run; appends "ms kb" to $tmp/NAME
    local name=$1
    shift
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" || {
        echo "import_bench: $* failed: $(cat "$tmp/err")" >&2
        exit 1
    }
    t1=$(date +%s%N)
    echo "$(((t1 - t0) / 1000000)) $(tail -n 1 "$tmp/rss")" >>"$tmp/$name"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mb=$(awk -v b="$(stat -c %s "$dir/book.txt")" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; runs: $RUNS, medians; text: $mb MB"
tools=(toc-epub toc-fb2 wrap-epub wrap-fb2 wrap-txt first-epub-cold first-epub-cached first-txt)
command -v pandoc >/dev/null && tools+=(pandoc-epub)
# an empty book cache (and index cache) before each uncached run, as on a first open
cold() { rm -rf "$tmp/cold" && timed "$1" env XDG_CACHE_HOME="$tmp/cold" XDG_STATE_HOME="$tmp/state" "${@:2}"; }
warm() { timed "$1" env XDG_CACHE_HOME="$tmp/warm" XDG_STATE_HOME="$tmp/state" "${@:2}"; }
warm prime "$lector" toc "$dir/book.epub" # the EPUB's text cached
for _ in $(seq "$RUNS"); do
    cold toc-epub "$lector" toc "$dir/book.epub"
    cold toc-fb2 "$lector" toc "$dir/book.fb2"
    cold wrap-epub "$lector" wrap --width 80 "$dir/book.epub"
    cold wrap-fb2 "$lector" wrap --width 80 "$dir/book.fb2"
    cold wrap-txt "$lector" wrap --width 80 "$dir/book.txt"
    cold first-epub-cold "$lector" dump "$dir/book.epub"
    warm first-epub-cached "$lector" dump "$dir/book.epub"
    warm first-txt "$lector" dump "$dir/book.txt"
    command -v pandoc >/dev/null && timed pandoc-epub pandoc -t plain "$dir/book.epub"
done
printf '%-28s %7s %9s %9s\n' work ms "MB/s" "peak RSS"
for t in "${tools[@]}"; do
    ms=$(cut -d' ' -f1 "$tmp/$t" | median)
    kb=$(cut -d' ' -f2 "$tmp/$t" | median)
    case $t in
        toc-epub) w="lector toc (import) EPUB" ;;
        toc-fb2) w="lector toc (import) FB2" ;;
        wrap-epub) w="lector wrap EPUB" ;;
        wrap-fb2) w="lector wrap FB2" ;;
        wrap-txt) w="lector wrap, same text .txt" ;;
        first-epub-cold) w="first screen EPUB, uncached" ;;
        first-epub-cached) w="first screen EPUB, cached" ;;
        first-txt) w="first screen, same text .txt" ;;
        pandoc-epub) w="pandoc -t plain EPUB" ;;
    esac
    awk -v w="$w" -v ms="$ms" -v kb="$kb" -v mb="$mb" \
        'BEGIN { printf "%-28s %7d %9.1f %6.1f MB\n", w, ms, ms ? mb * 1000 / ms : 0, kb / 1024 }'
done
command -v pandoc >/dev/null || echo "pandoc, ebook-convert: not installed here, not compared"
