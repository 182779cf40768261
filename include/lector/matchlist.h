/* matchlist: the places a query matches in one story, in order, for moving between them and
 * drawing them. The reader and the compare view both use it.
 *
 * A query that starts with "re:" is a pattern (regex.h), always found by reading the story (with
 * an index too). Any other query is read by search.h's one rule (query_parse), as every search
 * reads it, so that a
 * story opened from a search of every story shows the places it was counted for. Matches are
 * found by the story's index; their bytes are found only for the matches asked about (the
 * screen's, the current one), so a word on every page of a 100 MB story costs what the index
 * costs, not a pass over the story. A match's bytes are the part of its words the query matched
 * ("Kazakh" in "Kazakhstan").
 *
 * Owns its matches and its parsed query; borrows the Index and the Text, which must outlive it.
 * With an index, the Text may still be loading (a big story opens in steps: text_open): it is
 * loaded as far as the matches asked about, so a match 10% into a 1 GB story costs the index and
 * the story's first 10%, not all of it; and where the index saw the story clean as read, not
 * even that: a match's paragraph past what is loaded is read from the file (text_read_ahead),
 * for its bytes and for drawing it. Never touches the terminal.
 */
#ifndef LECTOR_MATCHLIST_H
#define LECTOR_MATCHLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lector/grid.h"
#include "lector/index.h"
#include "lector/search.h"
#include "lector/text.h"

typedef struct MatchList MatchList;

/* The matches of query in the story t indexed by ix. -1 with diag when the query has no word. A
 * list with no match is a list (matchlist_count 0). t is loaded whole here when case counts (the
 * index folds case, so each match's bytes are checked), else as far as a call below needs. */
int matchlist_new(const Index *ix, Text *t, const char *query, SearchMode mode, MatchList **out,
                  Diag *diag);
/* The same matches without an index, by reading t (search_scan_doc), for a story whose index
 * is not built yet or never will be. Nothing is read here: each call below that needs a match
 * reads on as far as it must (matchlist_first to the first match after its origin, a step to
 * the next ones; going round the end reads it all), and matchlist_scan_step reads on in the
 * background. The reading starts at the paragraph holding origin (where a forward search
 * starts; 0 for a backward one), goes to the end, then reads the start up to there; a match
 * found there comes before those found first, so a match's number can grow while the reading
 * goes on: renumber one kept across reading (matchlist_renumber).
 * t is borrowed, and loaded as far as the reading needs. A paragraph over 8 MiB
 * with its pieces (only a hostile file has one) is read in parts of 8 MiB: a phrase across two
 * parts is not found there, where the index would find it. */
int matchlist_scan_new(Text *t, const char *query, SearchMode mode, size_t origin, MatchList **out,
                       Diag *diag);
/* Reads about budget more bytes of the story; true once it is all read. */
bool matchlist_scan_step(MatchList *m, size_t budget);
/* Every match is known (always, with an index): matchlist_count is the whole count; or the
 * reading stopped at its most matches (2,097,152: 16 MiB of them), when capped says so: a
 * count past it is not known, and what was not read yet is not found. */
bool matchlist_complete(const MatchList *m);
bool matchlist_capped(const MatchList *m);
/* Why the reading of a pattern stopped early (regex.h's limits), one line; NULL when it did not. */
const char *matchlist_stopped(const MatchList *m);
/* Scan mode: the matches found before the reading's start (0 with an index). A number kept
 * across reading is renumbered with matchlist_renumber(m, i, the count before). */
size_t matchlist_head_count(const MatchList *m);
size_t matchlist_renumber(const MatchList *m, size_t i, size_t head_before);
/* How much of the story has been read, in bytes (text_len once all of it). */
size_t matchlist_read_to(const MatchList *m);
/* matchlist_first from origin that way can answer without reading any more. */
bool matchlist_first_ready(const MatchList *m, size_t origin, int dir);
void matchlist_free(MatchList *m); /* NULL is a no-op */

/* The matches known: all of them once matchlist_complete. */
size_t matchlist_count(const MatchList *m);
/* Whether the query counted case (SEARCH_SMART with a capital, or SEARCH_EXACT). */
bool matchlist_case_counts(const MatchList *m);

/* The first match starting at or after byte off; matchlist_count when there is none. */
size_t matchlist_from(MatchList *m, size_t off);
/* The bytes of match i (< matchlist_count). */
Span matchlist_span(MatchList *m, size_t i);

/* How byte off of the story is drawn: STYLE_CURRENT inside match current, STYLE_MATCH inside
 * another match, else STYLE_TEXT. Cheap for offsets in order (one screen's cells). */
Style matchlist_style_at(MatchList *m, size_t off, size_t current);

/* The match a new search from byte origin shows: the first at or after it (dir > 0) or the last
 * before it (dir < 0), going round the story's end when there is none that way (*wrapped true).
 * matchlist_count when there is no match. */
size_t matchlist_first(MatchList *m, size_t origin, int dir, bool *wrapped);

/* n and N, count times: from match cur while it is at or below the top line (byte top), else
 * from the top line, as less searches from the screen; going round the end sets *wrapped. */
size_t matchlist_step(MatchList *m, size_t cur, size_t top, int dir, long count, bool *wrapped);

/* The row of a hit strip of rows rows (one row per 1/rows of the story, by token position)
 * where match i is. */
int matchlist_strip_row(const MatchList *m, size_t i, int rows);

#endif
