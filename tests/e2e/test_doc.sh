#!/usr/bin/env bash
# The documentation against the program: the man page renders without a warning, and names every
# option and subcommand that the binary's own --help prints and every key of the reader's help
# screen; the bash completion completes subcommands, options and stories.
# Usage: test_doc.sh LECTOR SOURCE_ROOT GENERATED_MAN_PAGE
set -u
lector=$1
src=$2
page=$3
. "$(dirname "$0")/lib.sh"
e2e_begin
export LC_ALL=C.UTF-8 LECTOR_CONFIG=/dev/null
unset LECTOR_TEXTS MANPAGER PAGER MANOPT MAN_KEEP_FORMATTING

# --- the man page renders, with no warning ------------------------------------------------------
# render PAGE WIDTH: the page as man shows it, plain text (not a terminal: no bold, no
# underline), into $tmp/man.txt; its stderr into $tmp/man.err. --warnings=w is groff's -ww,
# every warning (groff's "all" leaves out undefined macros)
render() {
    MANWIDTH=$2 man --warnings=w -E UTF-8 -l "$1" >"$tmp/man.txt" 2>"$tmp/man.err"
}
# no_unescaped_options PAGE: no option in PAGE's roff is written "-x" or "--x": "-" is a hyphen
# (U+2010 in some groffs, so that the option cannot be pasted); "\-" is the minus
no_unescaped_options() {
    ! grep -v '^\.\\"' "$1" | grep -nE '(^|[[:space:]"(|[])-{1,2}[[:alpha:]]' >&2
}
for p in "$src/doc/lector.1" "$page"; do
    render "$p" 80
    check "man -l renders $p" test $? -eq 0 -a -s "$tmp/man.txt"
    check "man --warnings=w: nothing on stderr for $p" test ! -s "$tmp/man.err"
    [ -s "$tmp/man.err" ] && cat "$tmp/man.err" >&2
    check "no line of $p wider than 80 columns at MANWIDTH=80" \
        test "$(wc -L <"$tmp/man.txt")" -le 80
    check "every option in $p is written \\- (not a hyphen)" no_unescaped_options "$p"
    groff -man -ww -z -K utf8 -Tutf8 "$p" 2>"$tmp/groff.err"
    check "groff -ww: nothing on stderr for $p" test $? -eq 0 -a ! -s "$tmp/groff.err"
    [ -s "$tmp/groff.err" ] && cat "$tmp/groff.err" >&2
    check "lexgrog finds 'lector - ...' in $p" \
        bash -c "lexgrog '$p' | grep -q ': \"lector - [a-z]'"
done
version=$("$lector" --version)
check "the generated page has no placeholder left" bash -c "! grep -q '@[A-Z]*@' '$page'"
check "the generated page names the version ($version)" grep -qF "${version#lector }" "$page"

# The page once more, wide (so that no option is split from its value), for the checks below.
render "$page" 200
cp "$tmp/man.txt" "$tmp/page.txt"
# section NAME: the text of the section NAME (a heading at column 0) of the page
section() { # (each read once, kept in $tmp)
    local f="$tmp/section-${1// /_}"
    [ -e "$f" ] || awk -v name="$1" '/^[A-Z][A-Z ]*$/ { on = ($0 == name); next } on' "$tmp/page.txt" >"$f"
    cat "$f"
}
# subsection SECTION NAME: the text of the subsection (a heading at column 3) in SECTION
subsection() {
    section "$1" | awk -v name="$2" '/^   [^ ]/ { on = ($0 == "   " name); next } on'
}
# has_word WORD: true when stdin holds WORD as a whole word (an option: not a part of a longer one)
has_word() {
    grep -qE -- "(^|[^[:alnum:]-])$(printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g')([^[:alnum:]-]|$)"
}
# in_section SECTION ERE: true when a line of SECTION matches ERE
in_section() {
    section "$1" | grep -qE -- "$2"
}
# options: the options (-x, --long) in stdin
options() { # (not dwdiff's marks: "[-removed-]")
    sed 's/\[-[^]]*-\]//g' | grep -oE -- '(^|[][ ,|(])--?[[:alpha:]][[:alnum:]-]*' | sed 's/^[^-]*//' | sort -u
}

# sub_options SUB: the options of lector SUB --help (else, when it has no --help,
# of its usage line in lector --help)
sub_options() {
    if "$lector" "$1" --help >"$tmp/sub-help" 2>&1 && grep -q "usage: lector $1" "$tmp/sub-help"; then
        options <"$tmp/sub-help"
    else
        grep -E "^(usage:)? *lector $1( |\$)" "$tmp/help" | options
    fi
}

# --- options and subcommands: the binary's --help against the page ------------------------------
"$lector" --help >"$tmp/help" 2>&1
check "lector --help exits 0" test $? -eq 0
# subcommands: the "lector SUB" (or "lector a|b|c") usage lines of --help, and a "Subcommands:"
# list of "  SUB  what it does" lines, if any
subs=$( {
    sed -n '/^Subcommands/,$p' "$tmp/help" | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'
    grep -E '^(usage:)? *lector [a-z]' "$tmp/help" |
        awk '{ print ($1 == "usage:") ? $3 : $2 }' | tr '|' '\n'
} | grep -E '^[a-z][a-z-]*$' | sort -u)
echo "subcommands in lector --help: $(echo $subs)"
check "lector --help lists subcommands" test "$(printf '%s\n' "$subs" | grep -c .)" -ge 4
opts=$(options <"$tmp/help")
check "lector --help lists options" test "$(printf '%s\n' "$opts" | grep -c .)" -ge 5
{ section SYNOPSIS; section OPTIONS; } >"$tmp/synopsis-options"
for o in $opts; do
    check "SYNOPSIS or OPTIONS names $o (lector --help)" has_word "$o" <"$tmp/synopsis-options"
done
# the reader's own options: the option lines of lector --help (two spaces, then a dash)
section OPTIONS | awk '/^   [^ ]/ { exit } { print }' >"$tmp/reader-opts" # before a subsection
for o in $(grep -E '^ +-' "$tmp/help" | options); do
    check "OPTIONS describes the reader's $o" has_word "$o" <"$tmp/reader-opts"
done
for s in $subs; do
    check "SYNOPSIS has 'lector $s'" in_section SYNOPSIS "^ +lector $s( |\$)"
    check "DESCRIPTION describes $s" in_section DESCRIPTION "^       $s( |\$)"
    subsection OPTIONS "lector $s" >"$tmp/sub-opts"
    check "OPTIONS has a subsection 'lector $s'" test -s "$tmp/sub-opts"
    for o in $(sub_options "$s"); do
        check "OPTIONS 'lector $s' describes $o" has_word "$o" <"$tmp/sub-opts"
    done
done
# Exit statuses of every subcommand
for s in $subs; do
    check "EXIT STATUS has 'lector $s'" in_section "EXIT STATUS" "^       lector $s\$"
done
for v in LECTOR_TEXTS LECTOR_CONFIG LECTOR_CACHE_DIR NO_COLOR TERM LANG LC_ALL XDG_CONFIG_HOME \
    XDG_STATE_HOME XDG_CACHE_HOME HOME; do
    check "ENVIRONMENT describes $v" in_section ENVIRONMENT "^       ([A-Z_]+, )*$v(,| |\$)"
done
# every environment variable the sources read is in ENVIRONMENT
for v in $(grep -rhoE 'getenv\("[A-Z_]+"' "$src/src" | sed 's/.*"\(.*\)"/\1/' | sort -u); do
    check "ENVIRONMENT describes $v (read by the sources)" \
        in_section ENVIRONMENT "^       ([A-Z_]+, )*$v(,| |\$)"
done

# --- keys: the reader's help screen against KEYS ------------------------------------------------
# The screens through lector dump (the real app, keys given on the command line, no terminal):
# the shelf, and the help screen of the reader (h in a story), tall enough to hold it all.
dump --size 100x50 "$src/texts"
check "the shelf shows" shows "Enter open"
printf '%s\n' "$S" >"$tmp/shelf"
dump --size 100x50 --keys h "$src/texts/ivan-baktybekova.txt"
check "h shows the help screen" shows "keys in the reader"
printf '%s\n' "$S" >"$tmp/help-screen"
subsection KEYS "The reader" >"$tmp/keys-reader"
check "KEYS has 'The reader'" test -s "$tmp/keys-reader"
# the words of each line of the reader's KEYS, between spaces (commas and tabs made spaces)
mapfile -t key_lines < <(tr -s ', \t' '   ' <"$tmp/keys-reader" | sed 's/.*/ & /')
# each row: its keys in columns 3-22 (the description starts at column 25)
rows=0
set -f # keys such as ? are words here, not patterns
while IFS= read -r line; do
    # the notes under the keys (the query rule) follow a blank row: prose, not keys
    [ -z "${line// /}" ] && [ "$rows" -gt 0 ] && break
    keys=${line:2:21}
    keys=${keys//,/ }
    keys=${keys%"${keys##*[! ]}"} # trailing blanks off
    [ -n "$keys" ] || continue
    rows=$((rows + 1))
    # a line of the reader's KEYS holds all of the row's keys, each as a word
    found=0
    for words in "${key_lines[@]}"; do
        all=1
        for k in $keys; do
            [[ $words == *" $k "* ]] || all=0
        done
        [ $all -eq 1 ] && found=1 && break
    done
    check "KEYS 'The reader' lists the help screen's keys: $keys" test $found -eq 1
done < <(sed -n '/keys in the reader/,$p' "$tmp/help-screen" | sed '1d' | sed '$d')
set +f
check "the help screen lists at least 15 rows of keys ($rows)" test "$rows" -ge 15
# the shelf's hint line: "Enter open  Space mark  c compare ..."
subsection KEYS "The shelf" >"$tmp/keys-shelf"
hint=$(grep -o 'Enter open.*' "$tmp/shelf" | sed 's/ *[0-9][0-9]* of [0-9].*//')
check "the shelf shows a hint of its keys" test -n "$hint"
for k in $(printf '%s\n' "$hint" | sed 's/   */\n/g' | awk '{ print $1 }'); do
    check "KEYS 'The shelf' lists the shelf's '$k'" has_word "$k" <"$tmp/keys-shelf"
done

# --- bash completion ----------------------------------------------------------------------------
# the current folder has a story and a folder: "nothing offered" means nothing, not an empty folder
mkdir -p "$tmp/cwd/folder" "$tmp/t/sub folder"
: >"$tmp/cwd/story.txt"
: >"$tmp/t/a.txt"
: >"$tmp/t/B.TXT"
: >"$tmp/t/notes.md"
: >"$tmp/t/picture.png"
# comp_driver: sourced by bash --norc; comp WORD...: COMPREPLY, one per line, for the command line
# WORD... with the cursor at the end of the last word (empty for "after a space")
cat >"$tmp/driver.sh" <<'EOF'
comp() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    local w last= n=0
    COMP_LINE= # the words as typed: no space around "=" (bash splits words there)
    for w in "$@"; do
        if [ $n -gt 0 ] && [ "$w" != = ] && [ "$last" != = ]; then COMP_LINE+=" "; fi
        COMP_LINE+=$w
        last=$w
        n=$((n + 1))
    done
    COMP_POINT=${#COMP_LINE}
    COMP_TYPE=9
    COMP_KEY=9
    COMPREPLY=()
    _lector lector "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sort
}
EOF
# complete MODE WORD...: the completions, with bash-completion loaded (MODE full) or not (plain)
complete_words() {
    local mode=$1
    shift
    (
        cd "$tmp/cwd" || exit 1
        bash --norc --noprofile -c '
            if [ "$1" = full ]; then . /usr/share/bash-completion/bash_completion || exit 1; fi
            . "$2" || exit 1
            complete -p lector >/dev/null || exit 1
            . "$3"
            shift 3
            comp "$@"' bash "$mode" "$src/doc/lector.bash-completion" "$tmp/driver.sh" "$@"
    )
}
modes=plain
if [ -f /usr/share/bash-completion/bash_completion ]; then
    modes="plain full"
else
    echo "note: bash-completion is not installed: only the plain compgen fallback is checked" >&2
fi
# on the completions in $out: offers WORD (exactly), lacks TEXT, offers_nothing, offers_numbers
offers() { grep -qxF -- "$1" <<<"$out"; }
lacks() { ! grep -qF -- "$1" <<<"$out"; }
offers_nothing() { [ -z "$out" ]; }
offers_numbers() { [ -n "$out" ] && ! grep -qv '^[0-9][0-9]*$' <<<"$out"; }
for m in $modes; do
    out=$(complete_words $m lector w)
    check "[$m] lector w<TAB> is wrap" test "$out" = wrap
    out=$(complete_words $m lector search --l)
    check "[$m] lector search --l<TAB> is --limit" test "$out" = --limit
    out=$(complete_words $m lector "")
    check "[$m] lector <TAB> offers stories" offers story.txt
    check "[$m] lector <TAB> offers folders" offers folder
    for s in $(printf '%s\n' wrap search index compare config $subs | sort -u); do
        check "[$m] lector <TAB> offers $s" offers "$s"
    done
    out=$(complete_words $m lector -)
    for o in $(grep -E '^ +-' "$tmp/help" | options); do
        check "[$m] lector -<TAB> offers $o" offers "$o"
    done
    check "[$m] lector -<TAB> offers - (standard input)" offers -
    for s in $subs; do
        out=$(complete_words $m lector "$s" -)
        for o in $(sub_options "$s"); do
            check "[$m] lector $s -<TAB> offers $o" offers "$o"
        done
    done
    out=$(complete_words $m lector compare "$src/texts/")
    n=0
    for f in "$src"/texts/*.txt; do
        n=$((n + 1))
        check "[$m] lector compare texts/<TAB> offers $(basename "$f")" offers "$f"
    done
    check "[$m] texts/ has stories ($n)" test "$n" -ge 2
    out=$(complete_words $m lector compare "$tmp/t/")
    check "[$m] compare offers a.txt" offers "$tmp/t/a.txt"
    check "[$m] compare offers B.TXT" offers "$tmp/t/B.TXT"
    check "[$m] compare offers a folder" offers "$tmp/t/sub folder"
    check "[$m] compare offers a book (notes.md)" offers "$tmp/t/notes.md"
    check "[$m] compare does not offer picture.png" lacks picture.png
    out=$(complete_words $m lector compare "$tmp/t/a.txt" "$tmp/t/a.txt" "$tmp/t/")
    check "[$m] compare offers nothing after A and B" offers_nothing
    out=$(complete_words $m lector wrap --width "")
    check "[$m] wrap --width <TAB> offers numbers" offers_numbers
    out=$(complete_words $m lector -w "")
    check "[$m] lector -w <TAB> offers numbers" offers_numbers
    out=$(complete_words $m lector search --limit = "") # "--limit=": bash splits at "="
    check "[$m] search --limit=<TAB> offers numbers" offers_numbers
    out=$(complete_words $m lector search --limit = 5 steppe "$tmp/t/")
    check "[$m] search --limit=5 QUERY <TAB> offers stories" offers "$tmp/t/a.txt"
    out=$(complete_words $m lector search --limit "")
    check "[$m] search --limit <TAB> offers numbers" offers_numbers
    out=$(complete_words $m lector search "")
    check "[$m] search <TAB>: the query, nothing offered" offers_nothing
    out=$(complete_words $m lector search --exact steppe "$tmp/t/")
    check "[$m] search QUERY <TAB> offers stories" offers "$tmp/t/a.txt"
    out=$(complete_words $m lector search --limit 5 steppe "$tmp/t/")
    check "[$m] search --limit 5 QUERY <TAB> offers stories" offers "$tmp/t/a.txt"
    out=$(complete_words $m lector search --limit 5 "")
    check "[$m] search --limit 5 <TAB>: the query, nothing offered" offers_nothing
done

check_done
