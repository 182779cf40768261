/* regex: regular expressions over a story's text, with PCRE2 (the field's own library: Perl
 * syntax, Unicode properties, and limits that stop a catastrophic pattern).
 *
 * A query that starts with "re:" is a pattern, in every search (search_is_regex): the reader's
 * / and ?, the compare view's /, and lector search --regex (which takes the pattern without the
 * prefix). Patterns are compiled for UTF-8 with Unicode properties (\p{Cyrillic}, \w and case
 * folding by Unicode's rules); case counts only when the pattern has an uppercase letter, as the
 * word search's smart case. ^ and $ match at line ends. A match never crosses a paragraph: the
 * text is matched a paragraph (with its pieces) at a time. Empty matches are not matches.
 *
 * Each match attempt is bounded by PCRE2's match and depth limits (REGEX_MATCH_LIMIT steps,
 * REGEX_DEPTH_LIMIT of backtracking depth): a pattern that exceeds them stops the scan with a
 * message, and what was found before stays. Owns its compiled pattern and buffers; never touches
 * the terminal.
 */
#ifndef LECTOR_REGEX_H
#define LECTOR_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lector/diag.h"
#include "lector/search.h"
#include "lector/text.h"

enum { REGEX_MATCH_LIMIT = 1000000, REGEX_DEPTH_LIMIT = 10000 };

typedef struct Regex Regex;

/* Whether query is a pattern ("re:" and something after it); *pattern is then what follows. */
bool search_is_regex(const char *query, const char **pattern);

/* Compiles pattern, case as mode says (SEARCH_SMART: caseless unless it has an uppercase letter;
 * SEARCH_FOLD: caseless; SEARCH_EXACT: case counts). -1 with one line in diag naming the error
 * and its position ("missing closing parenthesis at 4"). */
int regex_compile(const char *pattern, SearchMode mode, Regex **out, Diag *diag);
void regex_free(Regex *re); /* NULL is a no-op */
/* Whether case counts for this pattern. */
bool regex_case_counts(const Regex *re);

/* The matches in text[a, b) (one paragraph or document), in order, not overlapping, each a span
 * of absolute offsets; *out is owned by re, valid until the next call. A match that hit a limit
 * stops the scan: *stopped is set (it stays set) and the rest of text is not looked at. */
size_t regex_scan(Regex *re, const uint8_t *text, size_t a, size_t b, const Span **out,
                  bool *stopped);

/* Words the pattern cannot match without (at its top level, outside groups, classes and
 * optional parts: "Kazakh" of "\\bKazakh(stan)?"), each of three or more letters or digits of
 * the Latin, Greek or Cyrillic scripts, folded as the index folds its terms (token.h), into
 * out (each malloc'd), at most max of them; returns how many. None when the pattern has an
 * alternation, inline options or anything this reading is not sure of: a search may then rule
 * out a story whose index has no term holding one of them (library.h), and never one that
 * matches. */
size_t regex_required_words(const Regex *re, char **out, size_t max);

/* Why a scan stopped, one line, for the status line or stderr. */
const char *regex_stop_reason(const Regex *re);

#endif
