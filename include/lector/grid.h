/* grid: a plain cell grid that views draw into, so they can be tested without a terminal.
 *
 * Owns its cells and the bytes of their glyphs. A cell holds one grapheme cluster already made
 * safe for a terminal (layout's cells, or text put through grid_put_text), its width in columns
 * (0 marks the right half of a wide cluster), a style, and the byte offset in the story it came
 * from (SIZE_MAX when it is not story text). The TUI's painter copies a grid to curses; tests
 * compare grid_dump() with expected text. Never includes curses.
 */
#ifndef LECTOR_GRID_H
#define LECTOR_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lector/strbuf.h"

typedef enum {
    STYLE_TEXT = 0, /* story text */
    STYLE_STATUS,   /* the status line */
    STYLE_MESSAGE,  /* a short message on the status line */
    STYLE_TITLE,    /* headings: shelf header, help title */
    STYLE_SELECTED, /* the shelf's current row */
    STYLE_DIM,      /* secondary text: counts, hints */
    STYLE_MATCH,    /* a search match on screen */
    STYLE_CURRENT,  /* the current search match */
    STYLE_REMOVED,  /* compare: a word only in the left story */
    STYLE_ADDED,    /* compare: a word only in the right story */
    STYLE_FILLER,   /* compare: rows where one side has nothing to show */
    STYLE_MOVED,    /* compare: the words of a sentence moved inside a pair */
    STYLE_COUNT
} Style;

typedef struct {
    uint32_t glyph_off; /* into the grid's glyph bytes */
    uint16_t glyph_len; /* bytes; 0 for an empty cell (drawn as a space) */
    uint8_t width;      /* columns: 1 or 2; 0 for the right half of a wide cluster */
    uint8_t style;      /* Style */
    size_t src_off;     /* byte offset in the story, or SIZE_MAX */
} GridCell;

typedef struct Grid Grid;

Grid *grid_new(int cols, int rows); /* cols, rows >= 1 */
/* Text put with grid_put_text is drawn in logical order, not reordered for right-to-left
 * scripts (bidi.h): for a terminal that reorders it itself (the bidi setting off). */
void grid_set_logical_order(Grid *g, bool logical);
void grid_free(Grid *g); /* NULL is a no-op */
void grid_resize(Grid *g, int cols, int rows);
void grid_clear(Grid *g); /* every cell empty, style TEXT */
int grid_cols(const Grid *g);
int grid_rows(const Grid *g);
const GridCell *grid_cell(const Grid *g, int row, int col);
const uint8_t *grid_glyph(const Grid *g, const GridCell *c); /* borrowed until grid_clear */

/* Puts a cluster of `width` columns (1 or 2) at (row, col) with bytes that are already safe to
 * draw. Returns the columns used, 0 when it does not fit in the row (nothing is written). */
int grid_put(Grid *g, int row, int col, const void *glyph, size_t len, int width, Style style,
             size_t src_off);

/* Writes any UTF-8 text (titles, messages, file names: untrusted) on one row from col, at most
 * max_cols columns, made safe (text_escape) and cut between clusters, in display order when it
 * holds right-to-left text (bidi.h; not on a grid set to logical order). Returns columns used. */
int grid_put_text(Grid *g, int row, int col, const char *s, int max_cols, Style style);

/* The same for before, marked and after as one text, marked in style mark (a match in a
 * snippet): one text, so that a right-to-left snippet is ordered whole, its match where it
 * belongs. */
int grid_put_text_marked(Grid *g, int row, int col, const char *before, const char *marked,
                         const char *after, int max_cols, Style style, Style mark);

/* Columns that grid_put_text would use for s, uncut. */
int grid_text_width(const char *s);

/* Fills cells [col, col + n) of a row with spaces of a style. */
void grid_fill(Grid *g, int row, int col, int n, Style style);

/* Whether row row of a and b (grids of one size) shows the same: each cell's glyph, width and
 * style. */
bool grid_row_same(const Grid *a, const Grid *b, int row);

/* Appends the grid as text, one line per row, trailing spaces dropped. */
void grid_dump(const Grid *g, Strbuf *out);

#endif
