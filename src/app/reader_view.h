/* reader_view: one story, paged like less, with marks, search and a remembered place.
 *
 * Owns the open story (its Text and Pager), its marks, its index (from the cache, or built in a
 * thread of its own once the story is read to its end, so that reading never waits for it) and
 * its matches (matchlist.h). A place is the pager's top byte offset: marks, '' (back to where the
 * last jump started) and the saved state all keep one. The query is typed in the router's prompt,
 * which hands each change to reader_view_search_typed and the end to _accept or _cancel.
 *
 * Positions: the status line's percent and page both follow the top line (pager_top_percent,
 * pager_page). The furthest point read -- reached by reading forward (j, Space, d, the wheel),
 * not by a jump such as G, a mark or a search -- is what the shelf shows as "% read".
 */
#ifndef LECTOR_READER_VIEW_H
#define LECTOR_READER_VIEW_H

#include "view.h"

#include "lector/text.h"

typedef struct ReaderView ReaderView;

/* Opens the story at path ("-": standard input) where it was left, or at byte at (SIZE_MAX:
 * where it was left; else '' goes back to where it was left). preloaded: the story already read
 * (taken), or NULL to read it now. NULL with diag when it cannot be read. What is worth saying on
 * opening (resumed at 40%, a damaged saved state, invalid bytes) goes to c's message. */
ReaderView *reader_view_open(ViewContext *c, const char *path, Text *preloaded, size_t at,
                             Diag *diag);

/* What closing a story tells the shelf, and whether its place was kept. */
typedef struct {
    int percent;  /* the furthest read, -1: unknown */
    size_t words; /* counted; 0: not yet */
    bool saved;   /* false: the place could not be saved (diag says why) */
    Diag diag;
} ReaderClose;

/* Saves the place, marks and line ends (unless they are what was loaded), stops the indexer and
 * frees rv. out may be NULL. */
void reader_view_close(ReaderView *rv, ViewContext *c, ReaderClose *out);

ViewAction reader_view_command(ReaderView *rv, ViewContext *c, Command cmd, long count);
/* After m or ': the next key is a letter (or ' for back), not a command. */
bool reader_view_wants_letter(const ReaderView *rv);
void reader_view_letter(ReaderView *rv, ViewContext *c, int key);

/* The screen or the measure changed (c->cols, c->rows, c->measure): lay out again, keeping the
 * top row's first word on the top row. */
void reader_view_resize(ReaderView *rv, ViewContext *c);
/* c->lopt's width function changed. */
void reader_view_relayout(ReaderView *rv, ViewContext *c);

/* A step of background work (reading the rest of the story, the index, words, rows); true when
 * more remains. */
bool reader_view_idle(ReaderView *rv, ViewContext *c);
/* Tests and lector dump: all background work done, the index joined. */
void reader_view_settle(ReaderView *rv, ViewContext *c);

void reader_view_render(ReaderView *rv, ViewContext *c, Grid *g);

/* The search prompt. begin: / (dir 1) or ? (dir -1) from the top line; typed: the query so far,
 * searched at once (the view shows the first match from where the search began, or stays there
 * when there is none); accept: Enter; cancel: Esc, back to where the search began. */
void reader_view_search_begin(ReaderView *rv, int dir);
void reader_view_search_typed(ReaderView *rv, ViewContext *c, const char *query);
void reader_view_search_accept(ReaderView *rv, ViewContext *c, const char *query);
void reader_view_search_cancel(ReaderView *rv, ViewContext *c);
/* What the prompt shows on its right: "match 2 of 7", "not found", "indexing 40%...". */
void reader_view_search_status(const ReaderView *rv, char *buf, size_t size);
/* Opened at a hit of a search of all the stories: its matches of query highlighted, the hit's
 * the current one, n and N going on from it. */
void reader_view_show_query(ReaderView *rv, ViewContext *c, const char *query);

/* Shows byte at on the top row; '' goes back to where it was. */
void reader_view_jump(ReaderView *rv, size_t at);
size_t reader_view_top(const ReaderView *rv);       /* the top row's first byte */
const Text *reader_view_text(const ReaderView *rv); /* the story; borrowed */
int reader_view_furthest(const ReaderView *rv);     /* the furthest percent read; -1: none */
bool reader_view_loaded(const ReaderView *rv);      /* read to its end */

#endif
