#!/usr/bin/env bash
# The compare view in tmux: two stories side by side, keys in, screen out. Polls the screen until
# what is expected shows (never a bare sleep as the check). Usage: test_compare.sh LECTOR TEXTS_DIR
set -u
lector=$1
texts=$2
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8 # ${row:i:n} counts characters: the filler ╱ is one column but three bytes
tmux_begin lector-compare
a=$texts/ivan-baktybekova.txt
b=$texts/sezim-baktybekova.txt

# A bad path: one line on stderr naming it and status 2, before any screen.
err=$("$lector" compare "$a" /nonexistent 2>&1 >/dev/null)
status=$?
check "bad path: status 2 (got $status)" test "$status" -eq 2
check "bad path: one line on stderr naming the path ($err)" \
    test -n "$err" -a "$err" = "${err%%$'\n'*}" -a "$err" != "${err#*/nonexistent}"
start 80x24 compare "$a" /nonexistent
check "bad path on a terminal: named" wait_for "/nonexistent"
check "bad path on a terminal: status 2" wait_for "EXIT=2"

# What the view looks like at 80x24: a title row, panes of 38 columns with the gutter in column
# 39 (from 0) between them, the right pane from column 41, and the status line on row 24. The
# checks below look at $S, one capture of the screen (wait_screen).
row() { sed -n "$1p" <<<"$S"; }
trim() { # trailing spaces off: a half row ends in padding only when the other half is drawn
    local x=$1
    printf '%s' "${x%"${x##*[! ]}"}"
}
lhalf() {
    local l
    l=$(row "$1")
    trim "${l:0:38}"
}
rhalf() {
    local l
    l=$(row "$1")
    printf '%s' "${l:41}"
}
gutter() { # the middle column of the pane rows, blanks left out
    local y l
    for y in $(seq 2 23); do
        l=$(row "$y")
        printf '%s' "${l:39:1}"
    done
}
titles_are() { [ "$(lhalf 1)" = "$1" ] && [ "$(rhalf 1)" = "$2" ]; }
row_is() { [ "$(row "$1")" = "$2" ]; }
halves_are() { [ "$(lhalf "$1")" = "$2" ] && [ "$(rhalf "$1")" = "$3" ]; }
# The first row of the block after the top one: the first gutter mark after a blank.
next_block_row() {
    local y l was_blank=0
    for y in $(seq 3 23); do
        l=$(row "$y")
        if [ -z "${l:39:1}" ] || [ "${l:39:1}" = " " ]; then
            was_blank=1
        elif [ "$was_blank" = 1 ]; then
            row "$y"
            return
        fi
    done
}
counts_re='[0-9]+% similar  same ([0-9]+)  changed ([0-9]+)  added ([0-9]+)  removed ([0-9]+)  moved ([0-9]+)'
status_has_counts() { [[ $(row 24) =~ $counts_re ]]; }

start 80x24 compare "$a" "$b"
check "both titles on the first row, the left one focused" \
    wait_screen titles_are "▸ Ivan Baktybekova" "  Sezim Baktybekova"
check "text on both sides" wait_screen halves_are 2 "Ivan Baktybekova was a 35-year-old" \
    "Sezim Baktybekova was a talented young"
gutter_re='^[~<>|m=]+$' # | same, ~ changed, < only left, > only right, m moved, = folded
gutter_marks() { [[ $(gutter) =~ $gutter_re ]] && [[ $(gutter) == *"~"* ]] && [[ $(gutter) == *"<"* ]]; }
check "the gutter column says what each row is (~ changed, < only left)" wait_screen gutter_marks
check "the status line: similarity and the counts" wait_screen status_has_counts
added=${BASH_REMATCH[3]}
removed=${BASH_REMATCH[4]}
check "a removed word is drawn red (black on red)" wait_styled $'\e\\[\\([0-9]*;\\)*41mIvan'
check "an added word is drawn green (black on green)" wait_styled $'\e\\[\\([0-9]*;\\)*42mSezim'

# Locked, j moves both panes; ] brings the next difference to the top, [ goes back.
wait_screen status_has_counts >/dev/null
old3=$(row 3)
tm send-keys -t e2e j
check "j moves both panes a line (locked)" wait_screen row_is 2 "$old3"
tm send-keys -t e2e g
check "g back to the top" wait_screen halves_are 2 "Ivan Baktybekova was a 35-year-old" \
    "Sezim Baktybekova was a talented young"
top0=$(row 2)
next1=$(next_block_row)
tm send-keys -t e2e "]"
check "] puts the next difference at the top (${next1:0:38})" wait_screen row_is 2 "$next1"
check "] marks the difference in the gutter (bold reverse)" wait_styled $'\e\\[1;7m[~<>m]'
next2=$(next_block_row)
tm send-keys -t e2e "]"
check "] again: the one after (${next2:41})" wait_screen row_is 2 "$next2"
has_only_right() { [[ $(gutter) == *">"* ]]; }
check "the gutter shows > (only right) there" wait_screen has_only_right
tm send-keys -t e2e "["
check "[ goes back to the previous difference" wait_screen row_is 2 "$next1"
tm send-keys -t e2e "["
check "[ again: the first one" wait_screen row_is 2 "$top0"

# Unlocked, j moves only the focused pane; Tab moves the focus; L locks again (the other pane
# comes to the focused one's line).
l3=$(lhalf 3) l4=$(lhalf 4) r2=$(rhalf 2) r4=$(rhalf 4)
tm send-keys -t e2e L
check "L unlocks" wait_for "unlocked: each pane scrolls alone (Tab: focus)"
tm send-keys -t e2e j
check "unlocked: j moves the left pane only" wait_screen halves_are 2 "$l3" "$r2"
says_unlocked() { [[ $(row 24) == *"moved "[0-9]*"  unlocked" ]]; }
check "the status line says unlocked" wait_screen says_unlocked
tm send-keys -t e2e Tab
check "Tab: the marker moves to the right title" \
    wait_screen titles_are "  Ivan Baktybekova" "▸ Sezim Baktybekova"
tm send-keys -t e2e j j
check "unlocked: j moves the right pane only" wait_screen halves_are 2 "$l3" "$r4"
tm send-keys -t e2e L
check "L locks again" wait_for "scrolling locked"
check "locking brings the other pane to the focused one's line" wait_screen halves_are 2 "$l4" "$r4"
old3=$(row 3)
tm send-keys -t e2e j
check "locked again: j moves both" wait_screen row_is 2 "$old3"

# x swaps the stories: titles, sides and the added/removed counts; the focus stays on its story.
tm send-keys -t e2e g x
check "x swaps the titles" wait_screen titles_are "▸ Sezim Baktybekova" "  Ivan Baktybekova"
check "x says so" wait_for "swapped"
check "and the sides" wait_screen halves_are 2 "Sezim Baktybekova was a talented young" \
    "Ivan Baktybekova was a 35-year-old"
swapped_counts() { status_has_counts && [ "${BASH_REMATCH[3]}" = "$removed" ] && [ "${BASH_REMATCH[4]}" = "$added" ]; }
check "added and removed trade places (added $removed, removed $added)" wait_screen swapped_counts
tm send-keys -t e2e x Tab
check "x again, Tab: back as at the start" \
    wait_screen titles_are "▸ Ivan Baktybekova" "  Sezim Baktybekova"

# Below 60 columns the panes stack: the second title in the middle of the screen.
tm resize-window -t e2e -x 50 -y 24
stacked() {
    local y
    [ "$(row 1)" = "▸ Ivan Baktybekova" ] || return 1
    y=$(grep -nx '  Sezim Baktybekova' <<<"$S" | cut -d: -f1)
    [ -n "$y" ] && [ "$y" -ge 11 ] && [ "$y" -le 13 ]
}
check "50 columns: stacked, the second title in the middle" wait_screen stacked
wide_rows() { grep -q "^Ivan Baktybekova was a 35-year-old Kazakhstani" <<<"$S"; }
check "50 columns: the story runs wider than a side pane" wait_screen wide_rows
tm resize-window -t e2e -x 80 -y 24
check "80 columns: side by side again" \
    wait_screen titles_are "▸ Ivan Baktybekova" "  Sezim Baktybekova"
check "80 columns: the gutter is back" wait_screen gutter_marks

# Search in the focused pane: jazz is only in Sezim's story.
njazz=$(grep -oi jazz "$b" | wc -l)
tm send-keys -t e2e / j a z z
check "/ shows the query" wait_for "/jazz"
tm send-keys -t e2e Enter
check "the left story has no jazz" wait_for "not found: jazz"
tm send-keys -t e2e Tab / j a z z Enter
check "the right one has $njazz: match 1 of $njazz" wait_for "match 1 of $njazz"
check "the current match is in reverse video" wait_styled $'\e\\[1;7mjazz'
tm send-keys -t e2e n
check "n: match 2" wait_for "match 2 of $njazz"

# h shows the keys, any key returns; q quits and gives the terminal back.
tm send-keys -t e2e h
check "h shows the keys" wait_for "Compare: two stories side by side"
tm send-keys -t e2e j
check "any key returns" wait_screen status_has_counts
tm send-keys -t e2e q
check "q quits with status 0" wait_for "EXIT=0"
no_alternate_screen() { [ "$(tm display -p -t e2e '#{alternate_on}')" = 0 ]; }
check "the terminal is back to normal (no alternate screen left)" no_alternate_screen

# Identical paragraphs (|) and z folding them: the story against itself with one word changed
# and a paragraph added.
sed 's/vast steppes/wide steppes/' "$a" >"$tmp/ivan-edited.txt"
printf '\nA new closing paragraph, only here.\n' >>"$tmp/ivan-edited.txt"
start 80x24 compare "$a" "$tmp/ivan-edited.txt"
same_marks() { [[ $(gutter) == *"~"*"|"* ]]; }
check "| for the identical paragraphs, after the changed one" wait_screen same_marks
check "the changed word on both sides" wait_screen halves_are 4 "it all. Born in the vast steppes of" \
    "it all. Born in the wide steppes of"
tm send-keys -t e2e z
check "z folds the identical paragraphs" wait_for "⋯ 7 identical paragraphs ⋯"
folded_marks() { [[ $(gutter) == *"~="*">"* ]]; }
check "the fold is marked = in the gutter, the added paragraph >" wait_screen folded_marks
tm send-keys -t e2e z
check "z unfolds" wait_screen same_marks
tm send-keys -t e2e q
check "q quits" wait_for "EXIT=0"

# shelf_marks: the titles marked with a * in column 0, one a line
shelf_marks() { sed -n '2,23{/^\*/{s/^\*//;s/  .*//;p}}' <<<"$S"; }

# From the shelf: Space marks (and moves down), c compares the two marked, q comes back.
start 80x24 "$texts"
check "shelf" wait_for "Sezim Baktybekova"
check "Ivan's story selected by its title" shelf_pick "Ivan Baktybekova"
tm send-keys -t e2e Space
marked1() { [ "$(shelf_marks)" = "Ivan Baktybekova" ] && grep -qx ' Sezim Baktybekova  .*' <<<"$S"; }
check "Space marks the selected story (a * in column 0), and only it" wait_screen marked1
tm send-keys -t e2e Space
marked2() { [ "$(shelf_marks)" = $'Ivan Baktybekova\nSezim Baktybekova' ]; }
check "Space marks the next one, Sezim's" wait_screen marked2
tm send-keys -t e2e c
check "c compares the two marked" wait_screen titles_are "▸ Ivan Baktybekova" "  Sezim Baktybekova"
tm send-keys -t e2e q
unmarked() {
    [ -z "$(shelf_marks)" ] && grep -qx ' Ivan Baktybekova  .*' <<<"$S" &&
        grep -qx ' Sezim Baktybekova  .*' <<<"$S"
}
check "q returns to the shelf, the marks cleared" wait_screen unmarked

# From the reader: c shows the shelf to pick the other story, Enter picks it, q comes back.
check "Ivan's story selected again" shelf_pick "Ivan Baktybekova"
tm send-keys -t e2e Enter
check "it opens" wait_for "page 1 of"
tm send-keys -t e2e c
check "c asks for the other story" wait_for "compare with which story? Enter picks it"
check "Sezim's story selected by its title" shelf_pick "Sezim Baktybekova"
check "the shelf's hint says how to pick" wait_for "compare with: Enter pick"
tm send-keys -t e2e Enter
check "Enter picks it: compared" wait_screen titles_are "▸ Ivan Baktybekova" "  Sezim Baktybekova"
tm send-keys -t e2e q
check "q returns to the reader" wait_for "page 1 of"
tm send-keys -t e2e q q
check "q, q: the shelf, then out" wait_for "EXIT=0"

check_done
