/* grid.c: cells in one array, glyph bytes in one Strbuf, both reused across frames. */
#include "lector/grid.h"

#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <unistr.h>

#include "lector/layout.h"
#include "lector/text.h"
#include "lector/xalloc.h"

struct Grid {
    int cols, rows;
    GridCell *cells; /* rows * cols */
    Strbuf glyphs;
    bool logical; /* grid_set_logical_order */
};

Grid *grid_new(int cols, int rows)
{
    Grid *g = xcalloc(1, sizeof *g);
    strbuf_init(&g->glyphs);
    grid_resize(g, cols, rows);
    return g;
}

void grid_set_logical_order(Grid *g, bool logical)
{
    g->logical = logical;
}

void grid_free(Grid *g)
{
    if (!g) return;
    free(g->cells);
    strbuf_release(&g->glyphs);
    free(g);
}

void grid_resize(Grid *g, int cols, int rows)
{
    g->cols = cols < 1 ? 1 : cols;
    g->rows = rows < 1 ? 1 : rows;
    free(g->cells);
    g->cells = xcalloc((size_t)g->cols * (size_t)g->rows, sizeof *g->cells);
    grid_clear(g);
}

void grid_clear(Grid *g)
{
    strbuf_reset(&g->glyphs);
    for (size_t i = 0; i < (size_t)g->cols * (size_t)g->rows; i++)
        g->cells[i] = (GridCell){0, 0, 1, STYLE_TEXT, SIZE_MAX};
}

int grid_cols(const Grid *g)
{
    return g->cols;
}
int grid_rows(const Grid *g)
{
    return g->rows;
}

const GridCell *grid_cell(const Grid *g, int row, int col)
{
    return &g->cells[(size_t)row * (size_t)g->cols + (size_t)col];
}

const uint8_t *grid_glyph(const Grid *g, const GridCell *c)
{
    return (const uint8_t *)g->glyphs.buf + c->glyph_off;
}

int grid_put(Grid *g, int row, int col, const void *glyph, size_t len, int width, Style style,
             size_t src_off)
{
    if (row < 0 || row >= g->rows || col < 0 || width < 1 || col + width > g->cols) return 0;
    if (len > UINT16_MAX) len = UINT16_MAX;
    GridCell *c = &g->cells[(size_t)row * (size_t)g->cols + (size_t)col];
    c->glyph_off = (uint32_t)g->glyphs.len;
    c->glyph_len = (uint16_t)len;
    c->width = (uint8_t)width;
    c->style = (uint8_t)style;
    c->src_off = src_off;
    strbuf_add(&g->glyphs, glyph, len);
    for (int k = 1; k < width; k++)
        c[k] = (GridCell){0, 0, 0, (uint8_t)style, src_off};
    return width;
}

/* The length of glyph without the invisible format characters at its end (a joiner, a
 * direction mark): inside put_text's string nothing follows them in their cluster, so they join
 * nothing there, but drawn they would join with what the terminal draws next (a title ending in
 * U+200D before an emoji in the next column: one glyph, and the row shifts). */
static size_t without_trailing_format(const uint8_t *glyph, size_t len)
{
    while (len > 0) {
        const uint8_t *start = glyph + len - 1;
        while (start > glyph && (*start & 0xc0) == 0x80)
            start--;
        ucs4_t uc;
        if (u8_mbtouc(&uc, start, (size_t)(glyph + len - start)) != glyph + len - start ||
            !uc_is_general_category(uc, UC_CATEGORY_Cf) || start == glyph)
            break;
        len = (size_t)(start - glyph);
    }
    return len;
}

/* Walks the clusters of escaped text; calls put for each (NULL grid: only measures). */
/* parts[0], parts[1] and parts[2] as one text, parts[1] in style mark (a match in a snippet):
 * escaped a part at a time, so that the marked bytes are known whatever the escaping did. */
static int put_text(Grid *g, int row, int col, const char *const parts[3], int max_cols,
                    Style style, Style mark)
{
    Strbuf safe = STRBUF_INIT;
    size_t mark_from = 0, mark_to = 0;
    for (int k = 0; k < 3; k++) {
        if (k == 1) mark_from = safe.len;
        text_escape(parts[k], strlen(parts[k]), &safe);
        if (k == 1) mark_to = safe.len;
    }
#define STYLE_AT(off) ((off) >= mark_from && (off) < mark_to ? mark : style)
    LayoutOptions opt = {.width = LAYOUT_MAX_WIDTH};
    LayoutLine line = {0, safe.len, 0, LAYOUT_LINE_LAST};
    LayoutCellIter it;
    LayoutCell cell;
    int used = 0;
    bool reorder =
        !(g && g->logical) && bidi_may_reorder((const uint8_t *)safe.buf, (Span){0, safe.len});
    layout_cells_begin(&it, (const uint8_t *)safe.buf, &line, &opt);
    while (layout_cells_next(&it, &cell)) {
        /* the line is never broken here, so even a trailing space is drawn */
        if (used + cell.width > max_cols) {
            line.end = cell.off; /* what fits, in logical order, is what is shown */
            break;
        }
        if (g && !reorder)
            grid_put(g, row, col + used, cell.glyph,
                     without_trailing_format(cell.glyph, cell.glyph_len), cell.width,
                     STYLE_AT(cell.off), SIZE_MAX);
        used += cell.width;
    }
    if (g && reorder) { /* a title in Arabic or Hebrew: in display order, from col on */
        BidiCache *bidi = bidi_cache_new();
        LayoutCell *cells = NULL;
        size_t cap = 0;
        size_t n = layout_line_cells((const uint8_t *)safe.buf, (Span){0, line.end}, &line, &opt,
                                     bidi, &cells, &cap, NULL);
        for (size_t k = 0; k < n; k++)
            grid_put(g, row, col + cells[k].col - cells[0].col, cells[k].glyph,
                     without_trailing_format(cells[k].glyph, cells[k].glyph_len), cells[k].width,
                     STYLE_AT(cells[k].off), SIZE_MAX);
        free(cells);
        bidi_cache_free(bidi);
    }
    /* trailing spaces are hanging in layout's terms; a status text wants them */
    for (size_t k = safe.len; k > 0 && safe.buf[k - 1] == ' ' && used < max_cols; k--) {
        if (g) grid_put(g, row, col + used, " ", 1, 1, style, SIZE_MAX);
        used++;
    }
    strbuf_release(&safe);
    return used;
#undef STYLE_AT
}

int grid_put_text(Grid *g, int row, int col, const char *s, int max_cols, Style style)
{
    const char *parts[3] = {s, "", ""};
    return put_text(g, row, col, parts, max_cols, style, style);
}

int grid_put_text_marked(Grid *g, int row, int col, const char *before, const char *marked,
                         const char *after, int max_cols, Style style, Style mark)
{
    const char *parts[3] = {before, marked, after};
    return put_text(g, row, col, parts, max_cols, style, mark);
}

int grid_text_width(const char *s)
{
    const char *parts[3] = {s, "", ""};
    return put_text(NULL, 0, 0, parts, 1 << 30, STYLE_TEXT, STYLE_TEXT);
}

void grid_fill(Grid *g, int row, int col, int n, Style style)
{
    for (int k = 0; k < n; k++)
        grid_put(g, row, col + k, " ", 1, 1, style, SIZE_MAX);
}

bool grid_row_same(const Grid *a, const Grid *b, int row)
{
    if (a->cols != b->cols || a->rows != b->rows || row < 0 || row >= a->rows) return false;
    for (int c = 0; c < a->cols; c++) {
        const GridCell *x = grid_cell(a, row, c), *y = grid_cell(b, row, c);
        if (x->glyph_len != y->glyph_len || x->width != y->width || x->style != y->style ||
            memcmp(grid_glyph(a, x), grid_glyph(b, y), x->glyph_len))
            return false;
    }
    return true;
}

void grid_dump(const Grid *g, Strbuf *out)
{
    for (int r = 0; r < g->rows; r++) {
        size_t keep = out->len;
        for (int c = 0; c < g->cols; c++) {
            const GridCell *cell = grid_cell(g, r, c);
            if (cell->width == 0) continue;
            if (cell->glyph_len)
                strbuf_add(out, grid_glyph(g, cell), cell->glyph_len);
            else
                strbuf_addch(out, ' ');
            if (!(cell->glyph_len == 1 && grid_glyph(g, cell)[0] == ' ') && cell->glyph_len)
                keep = out->len;
        }
        out->len = keep; /* drop trailing spaces */
        out->buf[out->len] = 0;
        strbuf_addch(out, '\n');
    }
}
