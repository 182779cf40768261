/* pager: a story seen as display rows at one width, and a place in it.
 *
 * Owns a small cache of laid-out paragraphs and, once counted, one line count per paragraph;
 * borrows the Text, and loads more of it (text_open) only as far as the rows asked for need:
 * paging through the start of a 100 MB story reads the start of it. Rows are the display lines of
 * each paragraph with one blank (gap) row between paragraphs. The place is a row, anchored on the
 * byte offset of its first byte, so that a new width or terminal size keeps the same words on the
 * top row (GUIDE.md section 2). Counting all rows (for "page N of M") is done in steps the caller
 * runs when idle, never in the way of a key. Never touches the terminal.
 */
#ifndef LECTOR_PAGER_H
#define LECTOR_PAGER_H

#include <stdbool.h>
#include <stddef.h>

#include "lector/layout.h"
#include "lector/text.h"

typedef struct {
    size_t para; /* paragraph index */
    size_t line; /* line in it; == its line count for the gap row after it */
} PagerPos;

typedef struct {
    int gap; /* 1: the blank row between two paragraphs */
    size_t para;
    LayoutLine line; /* valid when !gap */
} PagerRow;

typedef struct Pager Pager;

/* width: the text column in columns; opt supplies the width function (copied). */
Pager *pager_new(Text *t, const LayoutOptions *opt);
void pager_free(Pager *p); /* NULL is a no-op */

/* Changes the column width and keeps the reader's place on the top row: the byte the reader
 * last moved to (not the new top row's first byte, so resizing back and forth does not drift). */
void pager_set_width(Pager *p, int width);
int pager_width(const Pager *p);

size_t pager_top_offset(const Pager *p); /* the anchor: first byte of the top row */
/* Makes the row holding byte off the top row. More than 16 MiB past what is loaded of a story
 * still being read, shown from a window of the file around it (text_open_window) rather than by
 * loading up to it; the rows are the story's all the same. */
void pager_set_top_offset(Pager *p, size_t off);
PagerPos pager_top(const Pager *p);

/* Moves the top by rows (negative: up), never before the first row nor past the point where
 * the last row is at the bottom of a page of page_rows. Returns the rows actually moved. */
long pager_scroll(Pager *p, long rows, int page_rows);
/* Turns pages as a book does (the config's last-page = book): the top moves down page_rows rows
 * per page while the row it lands on exists, so the last page may be part empty. Returns the
 * rows moved (0 on the last page). */
long pager_turn_pages(Pager *p, long pages, int page_rows);
void pager_go_first(Pager *p);
void pager_go_last(Pager *p, int page_rows); /* the last page */
/* Goes to percent (0..100) of the story, like less's N%: the row that pager_top_percent calls N%
 * (by rows once they are counted; until then the first row starting at or after N% of the
 * bytes), or the last page. */
void pager_go_percent(Pager *p, double percent, int page_rows);

/* The bytes the rows' lines index, and in *base what to add to those offsets to make them the
 * story's (not 0 only while a place far past what is loaded of a story still being read is
 * shown from a window of its file: its end after G, a search's match, a jump, a place resumed). */
const uint8_t *pager_bytes(const Pager *p, size_t *base);
/* The span of a row's paragraph (PagerRow.para) in those bytes: the context that orders a
 * line for display (layout_line_cells). */
Span pager_paragraph(const Pager *p, size_t para);

/* Fills up to n rows from the top; returns how many there are. */
int pager_rows(Pager *p, int n, PagerRow *rows);

/* Percent of the story (by bytes) read when the page of page_rows ends: 100 at the end. */
int pager_percent(Pager *p, int page_rows);

/* Where the top line is, the one place the status line reports, as a percent: 0 at the start,
 * 100 once the end is on the page of page_rows (the top at its furthest), in between by rows
 * once they are counted (pager_count_step), by bytes until then. pager_go_percent(N) then
 * shows N (give or take one row when the story has fewer than 100 rows to go through). */
int pager_top_percent(Pager *p, int page_rows);

/* Pages of about page_rows, by the top line too, so that the page and the percent agree: page 1
 * at the start, the last page at the end, and the top row placed between them as the percent
 * places it (one row off either end keeps that end's page). False until the rows are counted. */
bool pager_page(Pager *p, int page_rows, size_t *page, size_t *pages);

/* New layout options (width, line ends, ...), keeping the reader's place as pager_set_width. */
void pager_set_options(Pager *p, const LayoutOptions *opt);

/* Counts rows for up to budget paragraphs; true when all are counted. */
bool pager_count_step(Pager *p, size_t budget);
/* When counted: total rows and the index of the top row; false before. */
bool pager_row_index(Pager *p, size_t *top_row, size_t *total_rows);

#endif
