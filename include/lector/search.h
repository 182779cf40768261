/* search: queries over indexed stories, ranked hits with snippets.
 *
 * A query is items ANDed together; an item is a word or a "quoted phrase" (a bare word that
 * splits into several tokens, such as grand-mother or 北京, is a phrase too). A word matches
 * the terms equal to it after folding (token.h); `word*` matches terms that start with it; in
 * substring mode (the reader's `/`) a word matches terms that contain it, as less would find
 * "mother" in "grandmother". A phrase's words are consecutive tokens of one paragraph, across
 * line ends.
 *
 * Matching is case-, accent- and normalization-insensitive (the index's folding). SEARCH_SMART:
 * an uppercase letter in the query makes it case-sensitive (accents still fold), like less -i.
 * SEARCH_EXACT: case and accents count; only NFC/NFD spelling differences meet.
 *
 * Ranking is BM25 (k1 1.2, b 0.75) over documents (paragraphs) of all the stories searched
 * together. Owns its results; borrows the Index and Text given.
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

/* Parses q. Fails, with one line in *diag, on a query with no word in it. */
int query_parse(const char *q, SearchMode mode, bool substring, Query **out, Diag *diag);
/* For finding places in one story (the reader's / and ?, the compare view's /): the whole of q
 * is one phrase, its words in a row, each matching the words that contain it (substring mode),
 * so that a query of two words is one match per place where they stand together, as in less.
 * Fails as query_parse. */
int query_parse_phrase(const char *q, SearchMode mode, Query **out, Diag *diag);
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
/* Fills the spans of m[0, n) (ascending). text holds the story's bytes from offset base on, at
 * least over the matches' paragraphs (index_token_spans). */
void search_match_spans(const Index *ix, const uint8_t *text, size_t base, SearchMatch *m,
                        size_t n);

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
/* Adds one story (borrowed only during the call) under the caller's number story. text is the
 * story's bytes (text_bytes), needed only when query_needs_text; else it may be NULL. Returns the
 * story's hits (its documents holding every item): counts per story without ranking them all. */
size_t search_set_add(SearchSet *s, size_t story, const Index *ix, const uint8_t *text);

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

/* In substring mode, the part of a match that the query matched: "mother" in the token
 * "grandmother"; for a phrase, from where its first word starts in the match's first token to
 * where its last word ends in its last token. first and last are the spans of those tokens (the
 * same for a one-token match). Else, or when it cannot tell, [first.start, last.end). text is
 * the story's bytes (offsets as the spans'). */
Span search_refine_span(const Query *q, const uint8_t *text, Span first, Span last);

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

/* Finds m's place from the index and the story: t when it is loaded, else the match's paragraph
 * alone, read from the file at path -- possible when index_clean_as_read; otherwise load the
 * story and pass it. -1 with diag when the file cannot be read or no longer matches the index. */
int search_place(const Index *ix, const Text *t, const char *path, const SearchMatch *m, int width,
                 SearchPlace *out, Diag *diag);

#endif
