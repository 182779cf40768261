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
void query_free(Query *q);
size_t query_item_count(const Query *q);

/* A match: tokens [pos, pos + len) and their bytes. */
typedef struct {
    uint32_t pos, len;
    Span span;
} SearchMatch;

/* Every match of the whole query in one story, in order: for one item, its matches; for several,
 * the matches of all items within documents that have every item. */
size_t search_matches(const Index *ix, const Text *t, const Query *q, SearchMatch **out);

/* The stories searched together, for ranking. */
typedef struct SearchSet SearchSet;
SearchSet *search_set_new(const Query *q);
void search_set_free(SearchSet *s);
/* Adds one story (borrowed until search_set_free) under the caller's number story. */
void search_set_add(SearchSet *s, size_t story, const Index *ix, const Text *t);

typedef struct {
    size_t story;
    size_t doc;
    double score;
    SearchMatch first; /* the hit's first match, for line, column and snippet */
    size_t matches;    /* matches in the document */
} SearchHit;

/* The hits, best first (ties: story, then position). Borrowed from s. */
size_t search_set_hits(SearchSet *s, const SearchHit **out);

/* A one-line snippet around span in t: about width columns, the match marked by *hl_start and
 * *hl_end (byte offsets in the result); line ends become spaces and controls are made visible.
 * Returns a malloc'd string. */
char *search_snippet(const Text *t, Span span, int width, size_t *hl_start, size_t *hl_end);

/* Line and column (1-based; the column in characters) of offset off in t. */
void search_line_col(const Text *t, size_t off, size_t *line, size_t *col);

#endif
