#!/usr/bin/env bash
# The shelf, the reader and search, through `lector dump` (the real app with keys given on the
# command line, its screens printed as text: no terminal, no waiting; src/cli/cmd_dump.c). Each
# check reads a screen printed after some keys. What needs a real terminal (signals, Ctrl-Z, the
# mouse, colours as drawn, the width probe, a story on a pipe) is in test_tmux.sh.
# Usage: test_reader.sh LECTOR TEXTS_DIR
# shellcheck disable=SC2016 # checks written eval '...' expand when they run
set -u
lector=$1
texts=$2
. "$(dirname "$0")/lib.sh"
e2e_begin
export LC_ALL=C.UTF-8 # ${row:i:n} counts characters
ivan=$texts/ivan-baktybekova.txt
sezim=$texts/sezim-baktybekova.txt
ivan_top="Ivan Baktybekova was a 35-year-old Kazakhstani singer-songwriter who had"

# The shelf, then a story.
nstories=$(find "$texts" -maxdepth 1 -name '*.txt' | wc -l)
dump "$texts"
check "shelf lists the stories ($nstories)" shows "lector: $nstories stories"
check "shelf lists Sezim's story" shows "Sezim Baktybekova"
check "shelf shows words and minutes" shows "447 words  3 min"
# A long book's time in hours: 114,603 words (its title's too) at 200 a minute are 574 minutes
long_dir=$(mktemp -d)
{ echo "A Long Book"; echo; yes "one two three four five six seven eight nine ten" | head -n 11460 | paste -d' ' - - - - - - - - - - | sed 'a\
'; } >"$long_dir/long.txt"
dump --size 100x10 --keys "<dump><Enter><dump>" "$long_dir"
on 1
check "shelf: a long book's reading time in hours" shows "114603 words  9 h 34 min"
on 2
check "reader: its time left in hours" status_has "9 h 34 min left"
rm -rf "$long_dir"
# Titles that end in an invisible joiner (a file name, a first line): drawn without it, so that
# it cannot join with what the terminal draws after it; the info column stays where it was
zw_dir=$(mktemp -d)
printf 'Hello there.\n' >"$zw_dir/$(printf 'Joiner\342\200\215.txt')"
printf '\360\237\221\251\342\200\215\n\nText.\n' >"$zw_dir/woman.txt"
dump --size 60x6 "$zw_dir"
check "titles ending in U+200D: drawn without it, the rows unshifted" \
    eval '! grep -q "$(printf "\342\200\215")" <<<"$S" && grep -qx " Joiner  *2 words  1 min" <<<"$S" && [ "$(grep -c "words  1 min$" <<<"$S")" -eq 2 ]'
rm -rf "$zw_dir"
# Space past the end stops as less does: the story's last line on the last row above the status
# line, the screen full, however many more times Space is pressed (a copy: its place is saved)
end_dir=$(mktemp -d)
cp "$ivan" "$end_dir/"
dump --size 80x10 --keys "      " "$end_dir/${ivan##*/}"
check "Space past the end: the last line at the bottom, the page full" \
    eval '[[ $(row 9) == *"this was just the beginning of an incredible journey." ]] && [ -n "$(row 1)" ] && status_has "100%" || said "$S"'
# last-page = book keeps a book's pages: each Space a whole screen, the last page part empty
rm -rf "$end_dir/state"
printf 'last-page = book\n' >"$end_dir/config"
dump_env="LECTOR_CONFIG=$end_dir/config XDG_STATE_HOME=$end_dir/state" dump --size 80x10 --keys "<dump>       " "$end_dir/${ivan##*/}"
on 2
check "last-page = book: whole screens, the last page part empty" \
    eval 'shows "incredible journey." && [ -z "$(row 9)" ] && status_has "100%" || said "$S"'
rm -rf "$end_dir"
# The hit strip is a map of the whole story: | where matches are, a dim ┃ over the rows that stand
# for what is on the screen (at the end: its last row; top_is in lib.sh reads past the strip)
strip_dir=$(mktemp -d) # a copy: its place is saved
cp "$ivan" "$strip_dir/"
dump_env="XDG_STATE_HOME=$strip_dir/state" dump --size 80x12 --keys "/Moscow<Enter><dump>G<dump>" "$strip_dir/${ivan##*/}"
rm -rf "$strip_dir"
on 1
check "hit strip: the matches' rows marked, the screen's part of the story a thumb" \
    eval '[ "$(grep -c "|$" <<<"$S")" -eq 2 ] && [ "$(grep -c "┃$" <<<"$S")" -ge 1 ] || said "$S"'
on 2
check "hit strip at the end: the thumb on the strip's last row" eval '[[ $(row 11) == *"┃" ]] && [[ $(row 1) != *"┃" ]] || said "$S"'
# C-g: about the file, as less says it: path, size, encoding and what was cleaned, paragraphs,
# words, the byte at the top and the percent, the index's state
info_dir=$(mktemp -d)
printf 'Caf\351\r\n\r\nLe caf\351 \351tait pr\352t.\r\n' >"$info_dir/latin1.txt"
dump --size 80x12 --keys "<C-g>" "$info_dir/latin1.txt"
check "C-g: path, size, encoding, what was cleaned, paragraphs, words, position, index" \
    eval 'msg=$(tr "\n" " " <<<"$S" | tr -s " "); [[ $msg == *"latin1.txt 29 bytes Latin-1 cleaned: not UTF-8: converted from Latin-1; 3 CR LF line ends read as LF 2 paragraphs 5 words top at byte 0 of the file (100%) index: "* ]] || said "$msg"'
# one paragraph of Korean: its words counted (Hangul runs are words), "paragraph" in the singular
printf '\354\225\210\353\205\225\355\225\230\354\204\270\354\232\224 \354\227\254\353\237\254\353\266\204\n' >"$info_dir/ko.txt"
dump --size 80x12 --keys "<C-g>" "$info_dir/ko.txt"
check "C-g: a Korean paragraph's words" \
    eval 'msg=$(tr "\n" " " <<<"$S" | tr -s " "); [[ $msg == *" 1 paragraph 2 words top at byte 0"* ]] || said "$msg"'
rm -rf "$info_dir"
pick_keys "Ivan Baktybekova"
dump --keys "$pick<dump><Enter><dump>G<dump>g" "$texts"
on 1
check "shelf: Ivan's story selected by its title ($pick)" status_has " $pick_n of $nstories"
on 2
check "Enter opens the selected story" top_is "$ivan_top"
# The top line is the story's first: 0% and the first of its two pages (pages are screens).
check "status line" eval '[[ $(status) =~ ^\ Ivan\ Baktybekova\ +0%\ \ page\ 1\ of\ 2\ \ 3\ min\ left$ ]] || said "status line"'
on 3
check "G goes to the end" status_has "100%  page 2 of 2"
check "the last words are on screen" shows "an incredible journey."
on 4
check "g back to the beginning" top_is "$ivan_top"

# Resize keeps the top row's first word on the top row.
rm -rf "$tmp/state"
dump --keys "5j<dump><resize:40x12><dump><resize:80x24>" "$ivan"
on 1
first_word=$(top | awk '{ print $1 }')
check "5j moved the top row" eval '[ "$(top)" != "$ivan_top" ] || said "5j"'
on 2
check "resize to 40x12 keeps the top word ($first_word)" eval 'head -n 1 <<<"$S" | grep -qw -- "$first_word" || said resize'
on 3
check "and back to 80x24" eval 'head -n 1 <<<"$S" | grep -qw -- "$first_word" || said resize'

# Marks: set at the top, go away, come back; a percent; q to the shelf, q out.
rm -rf "$tmp/state"
dump --keys "$pick<Enter>5jma<dump>G'a<dump>''<dump>50%<dump>q<dump>q<dump>" "$texts"
on 1
check "mark set" status_has "mark a set"
mark_top=$(top)
on 2
check "' a returns to the mark" top_is "$mark_top"
on 3
check "'' returns to before the jump" status_has "100%"
on 4
check "50% jumps to the middle" status_has " 50%  page 2 of 2"
on 5
check "q goes back to the shelf" status_has " Enter open  Space mark  c compare  s search  q quit"
# q on the shelf ends lector: the keys after it (a <dump>) are not read, so the screen printed
# at the end is the fifth and last. (In a terminal, its status: test_tmux.sh.)
check "q on the shelf quits (the keys after it not read)" test "$(screens)" -eq 6

# Quit and reopen: the position is restored.
rm -rf "$tmp/state"
dump --keys "20j" "$ivan"
saved_top=$(top)
dump "$ivan"
check "reopening resumes where we left" status_has "resumed at"
check "the same top line ($saved_top)" top_is "$saved_top"

# The shelf starts on the story read last; its "% read" is the furthest point read going forward
# (a peek at the end with G is not reading it).
pick_keys "Sezim Baktybekova"
rm -rf "$tmp/state"
dump --keys "$pick<Enter>10jq" "$texts"
dump "$texts"
check "the shelf starts on the story read last (Sezim's, $pick_n of $nstories)" status_has " $pick_n of $nstories"
read_pct() { grep "^ Sezim Baktybekova " <<<"$S" | grep -oE '[0-9]+% read$' | grep -oE '^[0-9]+'; }
pct=$(read_pct)
check "% read: part of the story read (${pct:-none}%)" test "${pct:-0}" -gt 0 -a "${pct:-100}" -lt 100
dump --keys "<Enter>Gq" "$texts"
check "% read: a G peek at the end does not count" test "$(read_pct)" = "$pct"
dump --keys "<Enter><Space>q" "$texts"
check "% read: a page forward to the end does (100%)" test "$(read_pct)" = 100

# Line ends: in a paragraph that looks like verse, a letter or a list they are kept (Five
# Windows' notes, line by line as written); r cycles auto, keep all, reflow all.
dump --keys "/Құрметті<Enter><dump>r<dump>r<dump>r" "$texts/five-windows.txt"
note1="Құрметті көршілер! Менің мысығым Аяз кеше кешке"
note2="жоғалып кетті. Ол сұр түсті, құйрығы ұзын,"
on 1
check "line ends auto: the note as written, line by line" \
    eval '[ "$(top)" = "$note1" ] && [ "$(row 2 | sed "s/^ *//; s/ *\$//")" = "$note2" ] || said note'
on 2
check "r: line ends kept" status_has "line ends: kept as in the file"
on 3
check "r again: reflowed, the note's lines joined" \
    eval '[[ $(status) == *"line ends: reflowed into paragraphs"* ]] && [[ $(top) == "$note1 жоғалып"* ]] || said reflow'
on 4
check "r again: auto, the note line by line again" \
    eval '[[ $(status) == *"line ends: auto"* ]] && [ "$(top)" = "$note1" ] || said auto'

# One file opens the reader directly.
rm -rf "$tmp/state"
dump "$sezim"
check "one file opens the reader" shows "Sezim Baktybekova was a talented"

# A story full of escape sequences: each shown as a visible stand-in (that none reaches the
# terminal: test_tmux.sh).
printf 'Title \033]0;HACKED\007\n\nClear \033[2J bell \007 C1 \302\233 RLO \342\200\256 end.\n' >"$tmp/hostile.txt"
dump --size 60x12 "$tmp/hostile.txt"
check "hostile story shown with symbols" shows "Clear ␛[2J bell ␇ C1 <U+009B> RLO <U+202E> end."

# The mouse wheel's keys scroll (the wheel itself in a terminal: test_tmux.sh).
rm -rf "$tmp/state"
dump --keys "<WheelDown><dump><WheelUp>" "$ivan"
on 1
check "wheel down scrolls" eval '[ "$(top)" != "$ivan_top" ] || said wheel'
on 2
check "wheel up scrolls back" top_is "$ivan_top"

# Search: as you type, every match highlighted, the current one distinct, n/N, Esc.
rm -rf "$tmp/state"
dump --styles --keys "/kazakh<dump><Enter>n<dump>NN<dump>g/zzqx<dump><Esc><dump>/Cafe<Enter>" "$ivan"
on 1
check "incremental search counts the matches (kazakh is in Kazakhstan too)" status_has "match 1 of 8"
check "the current match is drawn as the current one (H), the others as matches (h)" \
    eval '[ "$(style_of 1 Kazakhstani 6)" = HHHHHH ] && [ "$(style_of 4 Kazakh 6)" = hhhhhh ] || said styles'
on 2
check "n goes to the next match" status_has "match 2 of 8"
on 3
check "N before the first wraps to the end, and says so" status_has "search wrapped to the end"
on 4
check "a query with no match says so" status_has "not found"
on 5
check "Esc cancels and returns to where the search began" top_is "$ivan_top"
on 6
check "a capital makes case count: no Cafe here" status_has "not found: Cafe"
# too narrow for the message beside the title: it takes a row of its own, and the status line
# keeps the match's number (it fell to the percent alone)
dump --size 41x13 --keys "/kazakh<Enter>N<dump>" "$ivan"
check "at 41 columns, a wrap's message on its own row" eval '[[ $(row $((dump_rows - 1))) == *"search wrapped to the end"* ]] || said rows'
check "at 41 columns, the status line keeps the match's number" status_has "match 8 of 8"
rm -rf "$tmp/state" # that place is not where the dumps below start
# The one rule (search.h): a quoted phrase is one match per place; unquoted words are each a
# match in the paragraphs that have them all.
dump --keys '/"vast steppes"' "$ivan"
check "a quoted phrase is one match per place (match 1 of 1)" status_has "match 1 of 1"
dump --keys "/vast steppes" "$ivan"
check "two words: each a match where both are (match 1 of 2)" status_has "match 1 of 2"
# A word pasted 300 times is the word once: the same count (40 copies once took 38 s
# on a 1 MB story and counted each place 40 times).
python3 -I -S -c 'import sys
open(sys.argv[1], "w").write("Title\n\n" + "".join("The wind and the steppe, line %d.\n\n" % i for i in range(400)))' "$tmp/big.txt"
dump --keys "/the<Enter>" "$tmp/big.txt"
one=$(status | grep -o "match 1 of [0-9]*")
dump_limit=90 dump --keys "/$(printf 'the %.0s' $(seq 300))<Enter>" "$tmp/big.txt"
check "300 copies of a word: the count of one ($one)" eval '[ -n "$one" ] && status_has "$one"'
dump --size 100x50 --keys "h" "$ivan"
check "h in the reader: the query rule under the keys" shows "Searching (/, ?, s): a word finds the words that begin with it"
# re: makes the query a pattern (PCRE2): punctuation too, and a bad one says why
dump --styles --keys '/re:Kazakh(stan)?<Enter>' "$ivan"
check "/re:PATTERN finds the pattern's matches" status_has "match 1 of 8"
dump --keys '/re:(<Enter>' "$ivan"
check "/re: with a bad pattern says why and where" shows "does not compile: missing closing parenthesis at 2"
dump --keys '/🍕<Enter>' "$ivan"
check "/ with no word (an emoji) says so, and what finds symbols, as s does" \
    shows "the query has no words to search for (only spaces, punctuation or"

# Library search: s from the shelf, ranked hits, Enter opens the story at the hit, '' goes back;
# q returns to the hits, q again to the shelf, q leaves.
rm -rf "$tmp/state" "$tmp/cache"
# =debut: the word whole, once in each story (album is also in "album's": Sezim's paragraph first)
dump --styles --keys "s<dump>=debut<Enter><dump><Enter><dump>''<dump>q<dump>q<dump>q<dump>" "$texts"
on 1
check "s asks for a search of every story" status_has "search all stories:"
on 2
check "library search lists the ranked hits (paragraphs)" \
    shows "2 matches in 2 paragraphs of 2 stories for =debut"
check "each hit names its story" \
    eval '[[ $(row 2) == " Ivan Baktybekova "* ]] && [[ $(row 3) == " Sezim Baktybekova "* ]] || said hits'
check "the selected hit's row is drawn selected (S), its match as the current one (H)" \
    eval '[[ $(style_of 2 debut 5) == HHHHH ]] && [[ $(style_row 2) =~ ^S+H{5}S+$ ]] || said styles'
check "the other hits' matches are drawn as matches (h)" eval '[ "$(style_of 3 debut 5)" = hhhhh ] || said styles'
on 3
check "Enter opens the story at the hit, the match current" status_has "match 1 of"
# strip_marked: a row has a | in column 77 (from 0; the text ends at 75), drawn as a match
strip_marked() {
    local y l
    for ((y = 1; y < dump_rows; y++)); do
        l=$(row "$y")
        [ "${l:77:1}" = "|" ] && [[ $(style_row "$y") =~ ^.{77}[hH]$ ]] && return 0
    done
    said "no mark in the hit strip"
}
check "the hit strip marks where the matches are (a | beside the text, drawn as a match)" strip_marked
on 4
check "'' goes back to where the story was" top_is "$ivan_top"
on 5
check "q returns to the hits" shows "2 matches in 2 paragraphs of 2 stories for =debut"
on 6
check "q again returns to the shelf, where s was pressed" status_has " Enter open  Space mark"
check "q on the shelf then leaves (the keys after it not read)" test "$(screens)" -eq 7

# nothing on the shelf because of capitals: said as the reader says it
dump --keys "sDOMBRA<Enter>" "$texts"
check "shelf search: no hits because of capitals, and what ignoring case finds" \
    shows "no hits in 3 stories (case counts; ignoring case finds 2: type it in lower"

# two stories of one title among the hits: each named with its file's name too
mkdir -p "$tmp/twins"
printf 'Twins\n\nA river ran by the mill.\n' >"$tmp/twins/one.txt"
printf 'Twins\n\nThe river was wide.\n' >"$tmp/twins/two.txt"
dump --keys "sriver<Enter>" "$tmp/twins"
check "hits of two stories of one title: each with its file's name" \
    eval 'shows " Twins (one.txt) (1)" && shows " Twins (two.txt) (1)"'

# A place that cannot be saved (the story's state file made a folder): said on stderr, one line,
# and the status is 1; the screens are printed all the same. (In a terminal: test_tmux.sh.)
rm -rf "$tmp/state"
dump "$ivan"
state=$(ls "$tmp"/state/lector/*.state)
rm -f "$state"
mkdir "$state"
dump --keys "jj" "$ivan"
check "place not saved: status 1 ($dump_rc)" test "$dump_rc" -eq 1
check "place not saved: one line on stderr says so ($dump_err)" \
    eval '[[ $dump_err == "lector: reading position not saved: "*"${state##*/}"* ]] && [ "$(wc -l <<<"$dump_err")" -eq 1 ]'
check "place not saved: the screen printed all the same" shows "singing traditional folk songs"
rmdir "$state"

# h: the keys of the view it is pressed in (one key table; the man page against it: test_doc.sh).
dump --keys "h<dump>q<Enter>h" "$texts"
on 1
check "h on the shelf: the shelf's keys" shows "lector: keys on the shelf"
on 2
check "h in a story: the reader's keys" shows "lector: keys in the reader"
check "the reader's help lists one command's keys on a row (Space  f  PgDn)" shows "Space  f  PgDn "

# Right to left (UAX #9, through ICU): an Arabic paragraph in display order and aligned right,
# its number in order and its brackets mirrored; a Hebrew word inside English reversed in place;
# D sets the direction (right to left), and the story keeps it with its place.
printf '\xd8\xb9\xd9\x86\xd9\x88\xd8\xa7\xd9\x86\n\n' >"$tmp/rtl.txt"
printf 'كان عمره 42 سنة (تقريبا).\n\nEnglish with שלום inside.\n' >>"$tmp/rtl.txt"
rm -rf "$tmp/state"
dump --size 40x8 --keys "<dump>D" "$tmp/rtl.txt"
on 1
check "right to left: the title aligned right" eval '[ "$(row 1)" = "                                 ناونع" ] || said "row 1"'
check "right to left: Arabic reversed, the number in order, brackets mirrored" \
    eval '[ "$(row 3)" = "             .(ابيرقت) ةنس 42 هرمع ناك" ] || said "row 3"'
check "right to left: a Hebrew word inside English" eval '[ "$(row 5)" = "  English with םולש inside." ] || said "row 5"'
on 2
check "D: right to left, said" shows "direction: right to left"
check "D: the English paragraph right to left" eval '[ "$(row 5)" = "             .inside םולש English with" ] || said "row 5"'
dump --size 40x8 "$tmp/rtl.txt"
check "D: the story keeps its direction" eval '[ "$(row 5)" = "             .inside םולש English with" ] || said "row 5"'
check "D: kept in the state file" grep -qx "direction rtl" "$tmp"/state/lector/*.state

# Too small.
dump --size 15x4 "$sezim"
check "terminal too small" shows "terminal too"

check_done
