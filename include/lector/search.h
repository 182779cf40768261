/* search: queries over indexed stories, ranked hits with snippets.
 *
 * One matching rule for every search (the reader's / and ?, the compare view's /, the shelf's
 * s and lector search), so that a query finds the same places everywhere and the counts agree:
 * - a word matches the words that begin with it: kazakh finds Kazakh, Kazakhs and Kazakhstan;
 * - =word matches that word whole: =kazakh finds Kazakh and not Kazakhstan;
 * - "a quoted phrase" matches its words whole, in a row, within one paragraph (across line
 *   ends); a star at its end ("the wind*") lets its last word begin a word;
 * - a bare word that splits into several (grand-mo, 北京) is a phrase whose last word begins a
 *   word, the others whole;
 * - several words and phrases must all be in one paragraph (a document); each place where one
 *   of them matches there is a match, counted once however many of them start at it;
 * - a word or phrase given twice is one (its work is done once);
 * - NEAR(a b "c d", N) (SQLite FTS5's syntax; N 10 when left out): its words and phrases stand
 *   within N other words of each other in one paragraph; only their places that are so near
 *   are matches;
 * - word~ finds the words within SEARCH_FUZZY_EDITS edits (Levenshtein, on folded letters) of
 *   it, for a name spelt wrong ("jehosaphat~" finds "Jehoshaphat").
 * Matching is case-, accent- and normalization-insensitive (the index's folding). SEARCH_SMART:
 * an uppercase letter in the query makes it case-sensitive (accents still fold), like less -i.
 * SEARCH_EXACT: case and accents count; only NFC/NFD spelling differences meet.
 *
 * Ranking is BM25 (k1 1.2, b 0.75) over documents (paragraphs) of all the stories searched
 * together, and for several words a proximity boost: the score times 1 + 0.5 / (1 + g), g the
 * fewest other words in a window of the paragraph that holds them all (side by side: half again).
 * Owns its results; borrows the Index and Text given.
 */
#ifndef LECTOR_SEARCH_H
#define LECTOR_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lector/diag.h"
#include "lector/index.h"
#include "lector/text.h"

typedef enum { SEARCH_FOLD, SEARCH_SMART, SEARCH_EXACT } SearchMode;

typedef struct Query Query;

/* The most different words and phrases in one query; NEAR's default and largest distance; the
 * edits word~ allows. */
enum {
    SEARCH_MAX_ITEMS = 64,
    SEARCH_NEAR_DEFAULT = 10,
    SEARCH_NEAR_MAX = 100000,
    SEARCH_FUZZY_EDITS = 2,
};

/* Parses q by the rule above. Fails, with one line in *diag, on a query with no word in it or
 * with more than SEARCH_MAX_ITEMS different words and phrases. */
int query_parse(const char *q, SearchMode mode, Query **out, Diag *diag);
void query_free(Query *q);
size_t query_item_count(const Query *q);

/* A query whose matches must be checked against the story's own bytes (case or accents count):
 * the search calls below then need the text. Otherwise the index alone answers them. */
bool query_needs_text(const Query *q);

/* A match: tokens [pos, pos + len) and their bytes. The bytes are found only when asked for
 * (search_match_spans), or when a strict check needed them; until then span is {0, 0}. */
typedef struct {
    uint32_t pos, len;
    Span span;
} SearchMatch;

/* Every match of the whole query in one story, in order: for one item, its matches; for several,
 * the matches of all items within documents that have every item. t may be NULL unless
 * query_needs_text. */
size_t search_matches(const Index *ix, const Text *t, const Query *q, SearchMatch **out);
/* At least the count search_matches gives, from the terms' counts alone (no position read): for
 * the caller who would rather not hold a list of millions (24 bytes a match). */
size_t search_match_bound(const Index *ix, const Query *q);
/* Fills the spans of m[0, n) (ascending). text holds len bytes of the story from offset base on,
 * which should cover the matches' paragraphs; a match outside them gets an empty span
 * (index_token_spans). */
void search_match_spans(const Index *ix, const uint8_t *text, size_t base, size_t len,
                        SearchMatch *m, size_t n);

/* Finding the matches of a query by reading a story instead of its index (the reader's search
 * before the index is built, or in a story too long to index): the same matches search_matches
 * and search_refine_span give, a document at a time. Owns its folders and buffers; borrows q. */
typedef struct SearchScanner SearchScanner;
SearchScanner *search_scanner_new(const Query *q);
void search_scanner_free(SearchScanner *s); /* NULL is a no-op */
/* The matches of the document of t made of paragraphs [p0, p1) (a paragraph and the pieces
 * joined to it; all known), in order, each with its span filled and pos its first token's
 * number within the document. *out is owned by s, valid until the next call. A document of
 * ASCII alone is looked at token by token only when every word of the query is in its bytes. */
size_t search_scan_doc(SearchScanner *s, const Text *t, size_t p0, size_t p1,
                       const SearchMatch **out);

/* The stories searched together, for ranking. */
typedef struct SearchSet SearchSet;
SearchSet *search_set_new(const Query *q);
void search_set_free(SearchSet *s);
/* Adds one story (borrowed only during the call) under the caller's number story. t is the
 * story, loaded, needed only when query_needs_text; else it may be NULL. Returns the story's
 * hits (its documents holding every item), and in *places (may be NULL) its matches, as
 * search_matches counts them: counts per story without ranking them all. */
size_t search_set_add(SearchSet *s, size_t story, const Index *ix, const Text *t, size_t *places);
/* search_set_add in two steps, so that stories can be searched on several threads and added in
 * order: search_part_new searches one story (any thread; q, ix and t borrowed during the call,
 * q shared read-only) into a part the caller owns; search_set_add_part takes the part (freed
 * by it, or by search_part_free when it is never added) and adds it as search_set_add would.
 * The set's answer does not depend on which thread searched a part, only on the order added. */
typedef struct SearchPart SearchPart;
SearchPart *search_part_new(const Query *q, size_t story, const Index *ix, const Text *t);
void search_part_free(SearchPart *p); /* NULL is a no-op */
size_t search_set_add_part(SearchSet *s, SearchPart *p, size_t *places);

typedef struct {
    size_t story;
    size_t doc;
    double score;
    SearchMatch first; /* the hit's first match, for line, column and snippet (its span is
                        * filled only if a strict check found it: see search_match_spans) */
    size_t matches;    /* matches in the document */
} SearchHit;

/* Ranks the hits; returns how many there are, with the best (all when best is 0) first in *out,
 * in order (ties: story, then position). Only those are ranked in order: the rest are not in
 * *out. Borrowed from s until the next call. */
size_t search_set_hits(SearchSet *s, size_t best, const SearchHit **out);

/* A one-line snippet around span in t: about width columns, the match marked by *hl_start and
 * *hl_end (byte offsets in the result); line ends become spaces and controls are made visible.
 * Returns a malloc'd string. */
char *search_snippet(const Text *t, Span span, int width, size_t *hl_start, size_t *hl_end);

/* The part of a match that the query matched: where its last word is a prefix, up to where that
 * prefix ends in the match's last token ("Kazakh" in "Kazakhstan"); else, or when it cannot
 * tell, [first.start, last.end). first and last are the spans of the match's first and last
 * tokens (the same for a one-token match). text is the story's bytes (offsets as the spans'). */
Span search_refine_span(const Query *q, const uint8_t *text, Span first, Span last);

/* For a query that found nothing: the word of the vocabularies of ix[0, n) (NULL entries are
 * skipped) nearest to the query's first word that none of them has -- within one edit of a word
 * of three to five letters, two of a longer one (none for one or two letters), the fewest edits
 * away, then the most frequent, its occurrences summed over them all (a tie: the first met, in
 * the order of ix and of each vocabulary) -- in its folded form ("jehoshaphat" for
 * "jehosaphat"); NULL when every word is known or none is near. malloc'd. Cost: one pass over
 * the vocabularies. */
char *search_suggest(const Query *q, const Index *const *ix, size_t n);

/* Line and column (1-based; the column in characters) of offset off in t. */
void search_line_col(const Text *t, size_t off, size_t *line, size_t *col);

/* Where a match is, for a list of hits: its bytes, line and column (as search_line_col), and a
 * snippet of about width columns with the match at [hl_start, hl_end). */
typedef struct {
    Span span;
    size_t line, col;
    char *snippet; /* malloc'd */
    size_t hl_start, hl_end;
} SearchPlace;

/* Finds m's place from the index and the story (its bytes the part q matched, as
 * search_refine_span; q may be NULL: the whole tokens): t when it is loaded, else the match's
 * paragraph alone, read from the file at path -- possible when index_clean_as_read; otherwise load
 * the story and pass it. -1 with diag when the file cannot be read or no longer matches the index.
 */
int search_place(const Index *ix, const Text *t, const char *path, const Query *q,
                 const SearchMatch *m, int width, SearchPlace *out, Diag *diag);

#endif
