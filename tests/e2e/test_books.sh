#!/usr/bin/env bash
# Books end to end: EPUB, FB2, HTML, Markdown, Gutenberg and compressed files (made by
# make_books.py) through lector toc, wrap and search, the shelf and the reader (lector dump), and
# the hostile ones (a zip bomb, DRM, escape sequences in a title, a truncated gzip).
# Usage: test_books.sh LECTOR
set -u
lector=$1
. "$(dirname "$0")/lib.sh"
e2e_begin
export LC_ALL=C.UTF-8
python=$(command -v python3)
books=$tmp/books
"$python" -I -S "$(dirname "$0")/make_books.py" "$books" || exit 1

run() {
    timeout $((30 * patience)) "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}
has() { grep -qF -- "$1" <<<"$out" || { echo "without: $1" >&2; return 1; }; }

# --- lector toc: every format, its title, author and chapters ----------------------------------
run "$lector" toc "$books/steppe.epub"
check "toc epub: status 0" test "$rc" -eq 0
check "toc epub: title" has "# title: The Steppe Book"
check "toc epub: author" has "# author: Aigerim Sadyk"
check "toc epub: the nav's chapters, with places" has $'2\t1\tChapter 2: The River\t44%'
run "$lector" toc "$books/steppe-ncx.epub"
check "toc epub 2: the NCX's chapters" has $'3\t1\tPart 3: The Town'
run "$lector" toc "$books/dala.fb2" "$books/more/dala-zipped.fb2.zip"
check "toc fb2 and fb2.zip: both, sections as chapters" \
    test "$(grep -c $'2\t1\t2-тарау Өзен' "$tmp/out")" -eq 2
check "toc fb2: the author" has "# author: Абай Құнанбайұлы"
run "$lector" toc "$books/page.html" "$books/notes.md"
check "toc html: headings, nested" has $'2\t2\tPart A'
check "toc markdown: its first heading is its title" has "# title: Field Notes"
check "toc markdown: headings" has $'3\t2\tWeather'
run "$lector" toc "$books/pg-alice.txt"
check "toc gutenberg: title from the header" has "# title: Alice's Adventures in Wonderland"
check "toc gutenberg: chapters with their titles" has $'1\t1\tCHAPTER I: Down the Rabbit-Hole'
run "$lector" toc "$books/wind.txt.gz"
check "toc .txt.gz: read by content" has "# format: text (gzip)"
check "toc .txt.gz: a plain text's headings" has $'2\t1\tChapter 2'
run "$lector" toc --raw "$books/pg-alice.txt"
check "toc --raw: the file as it is" has "# format: text"

# --- hostile books -------------------------------------------------------------------------------
run "$lector" wrap "$books/bomb.epub"
check "zip bomb: refused, status 2" test "$rc" -eq 2
check "zip bomb: one line naming the limit" \
    eval '[ "$(wc -l <<<"$err")" -eq 1 ] && [[ "$err" == *"compression bomb"* ]]'
run "$lector" wrap "$books/drm.epub"
check "DRM: refused, saying so" eval '[ "$rc" -eq 2 ] && [[ "$err" == *"encrypted (DRM)"* ]]'
run "$lector" toc "$books/escapes.epub"
check "escapes in a title: nothing raw" eval '! LC_ALL=C grep -q -P "[\x00-\x08\x0b-\x1f\x7f]" "$tmp/out"'
check "escapes in a title: the bidi override shown" has "<U+202E>title"
run "$lector" wrap "$books/cut.txt.gz"
check "truncated gzip: what could be read is printed" eval '[ "$rc" -eq 0 ] && grep -q "Line 100 of" "$tmp/out"'
run "$lector" toc "$books/cut.txt.gz"
check "a compressed story's title from its name, without .txt.gz" grep -qx "# title: Cut" "$tmp/out"
cp "$books/cut.txt.gz" "$tmp/renamed-cut.txt.gz"
run "$lector" toc "$tmp/renamed-cut.txt.gz"
check "renamed, the same content: the title of its new name, not the cached one" \
    grep -qx "# title: Renamed Cut" "$tmp/out"
run "$lector" wrap "$books/cut.txt.gz"
check "truncated gzip: and said" eval '[[ "$err" == *"the gzip data ends early"* ]]'

# --- lector wrap and search ----------------------------------------------------------------------
run "$lector" wrap --width 60 "$books/steppe.epub"
check "wrap epub: status 0" test "$rc" -eq 0
check "wrap epub: verse lines kept as lines" has $'A song of the road:\nfirst line of the song\nsecond line of the song'
check "wrap epub: no markup" eval '! grep -q "<" "$tmp/out"'
run "$lector" wrap "$books/page.html"
check "wrap html: no script, no style" eval '! grep -q "alert\|color:red" "$tmp/out"'
run "$lector" wrap "$books/wind.txt.gz"
check "wrap .txt.gz: the story, not binary" has "The wind came from the east."
run "$lector" wrap "$books/pg-alice.txt"
check "wrap gutenberg: no licence" eval 'has "Alice was beginning" && ! grep -q "License" "$tmp/out"'
run env XDG_CACHE_HOME="$tmp/cache" "$lector" search ferryman "$books"
check "search a folder of books: status 2, a DRM book and a bomb could not be read" test "$rc" -eq 2
check "search a folder of books: the EPUB's hit, printed still" has "steppe.epub:"
check "search: the hit names its chapter" has "[Chapter 2: The River]"
check "search: the hit in the NCX book names its chapter too" has "[Part 2: The River]"
run env XDG_CACHE_HOME="$tmp/cache" "$lector" search жол "$books"
check "search: the zipped FB2 in a subfolder is searched" has "more/dala-zipped.fb2.zip:"

# --- the shelf and the reader (lector dump) ------------------------------------------------------
: >"$books/picture.png"
ln -s .. "$books/more/loop"
dump --size 100x30 "$books"
check "shelf: a book's title and author" shows "The Steppe Book — Aigerim Sadyk"
check "shelf: the subfolder's book" shows "Дала — Абай Құнанбайұлы"
check "shelf: a Gutenberg book's title" shows "Alice's Adventures in Wonderland — Lewis Carroll"
check "shelf: says what it skipped and why" shows "skipped 1 file that lector does not read (1 .png)"
check "shelf: a folder link back is listed once" test "$(grep -c "Дала — " <<<"$S")" -eq 2
check "shelf: the line says where the details are" shows "(h lists them)"
dump --size 120x30 --keys "h" "$books"
check "h on the shelf: each skipped file, with why" \
    shows "$books/picture.png: not a kind of file lector reads (by its name)"
check "h on the shelf: the link back, with why" \
    shows "$books/more/loop: a link back to a folder already listed"
check "h on the shelf: the shelf's own keys above" shows "search all the stories"
dump --size 100x14 --keys "<dump>t<dump>j<Enter><dump>''<dump>]<dump>" "$books/steppe.epub"
on 1
check "reader: the status line names the chapter" status_has "The Steppe Book · Chapter 1: The Road"
on 2
check "t: the contents, nested, with places" shows "Chapter 2: The River"
check "t: the current chapter selected" status_has "chapter 1 of 3"
on 3
check "Enter: the chapter on top" eval 'head -n 1 <<<"$S" | grep -q "The River"'
check "Enter: the status line names it" status_has "Chapter 2: The River"
on 4
check "'': back where it was" status_has "Chapter 1: The Road"
on 5
check "]: the next chapter" status_has "Chapter 2: The River"
dump --size 100x6 --keys "<dump>]<dump>]<dump>[<dump>" "$books/pg-alice.txt"
on 1
check "a Gutenberg text opens at its first heading, named" status_has "CHAPTER I: Down the Rabbit-Hole"
on 2
check "]: the next chapter" status_has "CHAPTER II: The Pool of Tears"
on 3
check "] at the last: said so" status_has "no chapter after this one"
on 4
check "[: the one before" status_has "CHAPTER I: Down"

# --- on request, the file as it is ---------------------------------------------------------------
run "$lector" wrap --raw "$books/pg-alice.txt"
check "wrap --raw: the Gutenberg header and licence kept" \
    eval 'has "*** START OF THE PROJECT GUTENBERG EBOOK" && grep -q "License" "$tmp/out"'
dump --size 100x6 --raw "$books/pg-alice.txt"
check "lector --raw: the reader opens the file as it is" shows "The Project Gutenberg eBook of Alice"
dump --size 100x6 "$books/pg-alice.txt"
check "and without it, the story alone" lacks "The Project Gutenberg eBook"

# --- the book cache and places kept by content ---------------------------------------------------
rm -rf "$tmp/cache"
run env XDG_CACHE_HOME="$tmp/cache" "$lector" toc "$books/steppe.epub"
first=$out
check "book cache: the import kept" test "$(find "$tmp/cache/lector/books" -name '*.book' | wc -l)" -eq 1
run env XDG_CACHE_HOME="$tmp/cache" "$lector" toc "$books/steppe.epub"
check "book cache: the cached book reads the same" test "$out" = "$first"
mkdir -p "$tmp/elsewhere"
dump --size 100x14 --keys "]]" "$books/steppe.epub" # the place saved as it quits
cp "$books/steppe.epub" "$tmp/elsewhere/renamed.epub"
dump --size 100x14 "$tmp/elsewhere/renamed.epub"
check "a book copied and renamed opens where it was read" status_has "Chapter 3: The Town"
check_done
