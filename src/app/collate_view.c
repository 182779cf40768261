/* collate_view.c: versions in columns (see collate_view.h). */
#include "collate_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lector/align.h"
#include "lector/bidi.h"
#include "lector/collate.h"
#include "lector/index.h"
#include "lector/matchlist.h"
#include "lector/search.h"
#include "lector/strbuf.h"
#include "lector/xalloc.h"

/* A collation row on screen: its first line in the column of lines, and its height (the tallest
 * cell, at least one line, and the blank line after it). */
typedef struct {
    size_t start, height;
} RowBlock;

/* A display line of one cell: a laid-out line, or the blank between two paragraphs. */
typedef struct {
    LayoutLine line;
    Span para;
    bool blank;
} CellLine;

struct CollateView {
    Text **t;                /* owned, and the array: t[0] the base */
    char *name[COLLATE_MAX]; /* owned: each version's file name, for titles that are the same */
    size_t n;
    Collation *col;  /* owned */
    int translation; /* AlignTranslation */
    LayoutOptions lopt;
    int cols, rows;
    size_t top, focus;
    RowBlock *blocks;              /* one per collation row */
    size_t total;                  /* lines in the column */
    size_t *para_row[COLLATE_MAX]; /* owned: version k's paragraph -> its row */
    size_t diff_row;               /* the row ] or [ went to last; SIZE_MAX: none */
    Index *ix[COLLATE_MAX];        /* owned, built at the first search of each version */
    MatchList *ml;                 /* owned: the matches in version match_ver */
    size_t cur, match_ver;
    BidiCache *bidi[COLLATE_MAX]; /* owned */
    bool reorder;
    LayoutCell *cells; /* owned: a line's cells in display order */
    size_t cells_cap;
};

/* The gutter of letters, a space, then n columns with " │ " between each two (the text of one
 * never touches the rule, as in the two panes' gutter). */
enum { COLUMN_GAP = 3 };

static int column_width_for(size_t n, int cols)
{
    return (cols - (int)n - 1 - COLUMN_GAP * ((int)n - 1)) / (int)n;
}

bool collate_view_fits(size_t n, int cols)
{
    return n >= 3 && n <= COLLATE_MAX && column_width_for(n, cols) >= COLLATE_VIEW_MIN_COLUMNS;
}

static int column_width(const CollateView *v)
{
    int w = column_width_for(v->n, v->cols);
    return w < LAYOUT_MIN_WIDTH ? LAYOUT_MIN_WIDTH : w;
}

static int column_x(const CollateView *v, size_t k)
{
    return (int)v->n + 1 + (int)k * (column_width(v) + COLUMN_GAP);
}

static int page_height(const CollateView *v)
{
    int h = v->rows - 2; /* the title row and the status line */
    return h < 1 ? 1 : h;
}

/* The display lines of version k's cell in row r (caller frees), and their count. */
static size_t cell_lines(const CollateView *v, size_t r, size_t k, CellLine **out)
{
    const CollateCell *cell = &collate_row(v->col, r)[k];
    const uint8_t *bytes = text_bytes(v->t[k]);
    LayoutOptions opt = v->lopt;
    opt.source_width = text_source_width(v->t[k]);
    CellLine *lines = NULL;
    size_t len = 0, cap = 0;
    for (size_t i = cell->first; i < cell->first + cell->n; i++) {
        Span para = collate_paragraph(v->col, k, i);
        LayoutLine *ll;
        size_t m = layout_wrap_paragraph(bytes, para, &opt, &ll);
        if (len + m + 1 > cap) {
            cap = (len + m + 1) * 2;
            lines = xreallocarray(lines, cap, sizeof *lines);
        }
        if (i > cell->first) lines[len++] = (CellLine){{0, 0, 0, 0}, {0, 0}, true};
        for (size_t j = 0; j < m; j++)
            lines[len++] = (CellLine){ll[j], para, false};
        free(ll);
    }
    *out = lines;
    return len;
}

static size_t max_top(const CollateView *v)
{
    size_t h = (size_t)page_height(v);
    return v->total > h ? v->total - h : 0;
}

/* The row holding column line `line` (the last one past the end). */
static size_t row_at(const CollateView *v, size_t line)
{
    size_t lo = 0, hi = collate_row_count(v->col);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->blocks[mid].start <= line)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Lays the rows out for the current width, keeping the row at the top there. */
static void relayout(CollateView *v)
{
    size_t nrows = collate_row_count(v->col);
    size_t keep = v->blocks && nrows ? row_at(v, v->top) : 0;
    size_t keep_line = v->blocks && nrows ? v->top - v->blocks[keep].start : 0;
    v->lopt.width = column_width(v);
    free(v->blocks);
    v->blocks = xmalloc((nrows ? nrows : 1) * sizeof *v->blocks);
    size_t at = 0;
    for (size_t r = 0; r < nrows; r++) {
        size_t h = 1;
        for (size_t k = 0; k < v->n; k++) {
            CellLine *lines;
            size_t m = cell_lines(v, r, k, &lines);
            free(lines);
            if (m > h) h = m;
        }
        v->blocks[r] = (RowBlock){at, h + 1};
        at += h + 1;
    }
    v->total = at;
    v->top = nrows && keep < nrows
                 ? v->blocks[keep].start + (keep_line + 1 < v->blocks[keep].height ? keep_line : 0)
                 : 0;
    if (v->top > max_top(v)) v->top = max_top(v);
    v->diff_row = SIZE_MAX;
}

/* Collates the texts afresh and lays them out. */
static void recollate(CollateView *v)
{
    collate_free(v->col);
    v->col = collate_new((const Text *const *)v->t, v->n, (AlignTranslation)v->translation);
    for (size_t k = 0; k < v->n; k++) {
        free(v->para_row[k]);
        size_t np = collate_paragraph_count(v->col, k);
        v->para_row[k] = xmalloc((np ? np : 1) * sizeof *v->para_row[k]);
    }
    for (size_t r = 0; r < collate_row_count(v->col); r++) {
        const CollateCell *row = collate_row(v->col, r);
        for (size_t k = 0; k < v->n; k++)
            for (size_t i = row[k].first; i < row[k].first + row[k].n; i++)
                v->para_row[k][i] = r;
    }
    free(v->blocks);
    v->blocks = NULL;
    relayout(v);
}

CollateView *collate_view_new(Text **texts, const char *const *paths, size_t n,
                              const LayoutOptions *lopt, int translation)
{
    if (n < 3 || n > COLLATE_MAX) {
        for (size_t k = 0; k < n; k++)
            text_free(texts[k]);
        free(texts);
        return NULL;
    }
    CollateView *v = xcalloc(1, sizeof *v);
    v->t = texts;
    v->n = n;
    for (size_t k = 0; k < n; k++)
        v->name[k] = xstrdup(view_file_name(paths[k]));
    v->lopt = *lopt;
    v->translation = translation;
    v->cols = 120;
    v->rows = 24;
    recollate(v);
    return v;
}

static void clear_search(CollateView *v)
{
    matchlist_free(v->ml);
    v->ml = NULL;
    v->cur = 0;
}

void collate_view_free(CollateView *v)
{
    if (!v) return;
    clear_search(v);
    collate_free(v->col);
    for (size_t k = 0; k < v->n; k++) {
        index_free(v->ix[k]);
        bidi_cache_free(v->bidi[k]);
        free(v->para_row[k]);
        text_free(v->t[k]);
        free(v->name[k]);
    }
    free(v->t);
    free(v->blocks);
    free(v->cells);
    free(v);
}

void collate_view_resize(CollateView *v, int cols, int rows)
{
    v->cols = cols;
    v->rows = rows;
    relayout(v);
}

size_t collate_view_focus(const CollateView *v)
{
    return v->focus;
}

void collate_view_set_base(CollateView *v, size_t k)
{
    if (k == 0 || k >= v->n) return;
    Text *t = v->t[0];
    v->t[0] = v->t[k];
    v->t[k] = t;
    char *name = v->name[0];
    v->name[0] = v->name[k];
    v->name[k] = name;
    Index *ix = v->ix[0];
    v->ix[0] = v->ix[k];
    v->ix[k] = ix;
    clear_search(v);
    v->focus = 0;
    recollate(v);
}

/* --- commands ------------------------------------------------------------------------------ */

static void set_top(CollateView *v, long long top)
{
    if (top < 0) top = 0;
    if ((size_t)top > max_top(v)) top = (long long)max_top(v);
    v->top = (size_t)top;
}

/* A row differs when a version lacks it, or a version has words there the base lacks. */
static bool row_differs(const CollateView *v, size_t r)
{
    const CollateCell *row = collate_row(v->col, r);
    for (size_t k = 0; k < v->n; k++) {
        if (!row[k].n) return true;
        if (!k) continue;
        const Span *m;
        size_t nm;
        collate_marks(v->col, r, k, &m, &nm);
        if (nm && !align_is_translation(collate_alignment(v->col, k))) return true;
    }
    return false;
}

/* ] and [: the next (dir 1) or previous row that differs, at the top; counted from the last one
 * jumped to while it is on screen, else from the top. */
static void jump_difference(CollateView *v, ViewContext *c, int dir, long count)
{
    size_t nrows = collate_row_count(v->col);
    if (!nrows) return;
    for (long step = 0; step < count; step++) {
        size_t h = (size_t)page_height(v), here = row_at(v, v->top);
        if (v->blocks[here].start < v->top && dir < 0) here++;
        if (v->diff_row < nrows && v->blocks[v->diff_row].start + 1 >= v->top &&
            v->blocks[v->diff_row].start < v->top + h)
            here = v->diff_row;
        size_t found = SIZE_MAX;
        for (size_t r = here; dir > 0 ? r + 1 < nrows : r > 0;) {
            r = dir > 0 ? r + 1 : r - 1;
            if (row_differs(v, r)) {
                found = r;
                break;
            }
        }
        if (found == SIZE_MAX) {
            if (step == 0)
                view_say(c, dir > 0 ? "no more differences below" : "no more differences above");
            return;
        }
        set_top(v, (long long)v->blocks[found].start);
        v->diff_row = found;
    }
    size_t nth = 0, all = 0;
    for (size_t r = 0; r < nrows; r++)
        if (row_differs(v, r)) {
            all++;
            if (r <= v->diff_row) nth++;
        }
    view_say(c, "difference %zu of %zu", nth, all);
}

/* Version k's paragraph holding byte off (the last starting at or before it). */
static size_t para_of(const CollateView *v, size_t k, size_t off)
{
    size_t lo = 0, hi = collate_paragraph_count(v->col, k);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (collate_paragraph(v->col, k, mid).start <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The byte of version k at the top of the screen: the line on the top row, or the first of its
 * paragraphs below it. */
static size_t top_offset(const CollateView *v, size_t k)
{
    size_t nrows = collate_row_count(v->col);
    for (size_t r = nrows ? row_at(v, v->top) : 0; r < nrows; r++) {
        const CollateCell *cell = &collate_row(v->col, r)[k];
        if (!cell->n) continue;
        size_t at = collate_paragraph(v->col, k, cell->first).start;
        if (v->blocks[r].start < v->top) {
            CellLine *lines;
            size_t nl = cell_lines(v, r, k, &lines), local = v->top - v->blocks[r].start;
            if (local < nl && !lines[local].blank) at = lines[local].line.start;
            free(lines);
            if (local >= nl) continue;
        }
        return at;
    }
    return text_len(v->t[k]);
}

/* Moves to match v->cur and says its number, after wrapped ("search wrapped to the top")
 * when the search went round an end: one message, so that the number is not lost. */
static void show_match(CollateView *v, ViewContext *c, const char *wrapped)
{
    Span m = matchlist_span(v->ml, v->cur);
    size_t k = v->match_ver;
    if (!collate_paragraph_count(v->col, k)) return;
    size_t r = v->para_row[k][para_of(v, k, m.start)];
    CellLine *lines;
    size_t nl = cell_lines(v, r, k, &lines), line = 0;
    for (size_t i = 0; i < nl; i++)
        if (!lines[i].blank && lines[i].line.start <= m.start) line = i;
    free(lines);
    size_t want = v->blocks[r].start + line, h = (size_t)page_height(v);
    if (want < v->top || want >= v->top + h) set_top(v, (long long)want - (long long)h / 3);
    view_say(c, "%s%smatch %zu of %zu", wrapped ? wrapped : "", wrapped ? "  " : "", v->cur + 1,
             matchlist_count(v->ml));
}

void collate_view_search(CollateView *v, ViewContext *c, const char *query)
{
    clear_search(v);
    size_t k = v->focus;
    v->match_ver = k;
    if (!v->ix[k]) v->ix[k] = index_build(v->t[k], 1, NULL);
    Diag d = {0};
    if (matchlist_new(v->ix[k], v->t[k], query, c->search_mode, &v->ml, &d) != 0) {
        view_say(c, "%s", d.msg);
        return;
    }
    if (!matchlist_count(v->ml)) {
        Strbuf q = STRBUF_INIT;
        text_escape(query, strlen(query), &q);
        view_say(c, "not found: %s", q.buf);
        strbuf_release(&q);
        return;
    }
    bool wrapped;
    v->cur = matchlist_first(v->ml, top_offset(v, k), 1, &wrapped);
    show_match(v, c, wrapped ? "search wrapped to the top" : NULL);
}

static void step_match(CollateView *v, ViewContext *c, int dir, long count)
{
    size_t n = v->ml ? matchlist_count(v->ml) : 0;
    if (!n) {
        view_say(c, v->ml ? "not found" : "no search yet: / searches the focused column");
        return;
    }
    bool wrapped;
    v->cur = matchlist_step(v->ml, v->cur, top_offset(v, v->match_ver), dir, count, &wrapped);
    show_match(v, c,
               !wrapped  ? NULL
               : dir > 0 ? "search wrapped to the top"
                         : "search wrapped to the end");
}

ViewAction collate_view_command(CollateView *v, ViewContext *c, Command cmd, long count)
{
    long long n = count > 0 ? count : 1, to;
    if (view_scroll(cmd, count, page_height(v), (long long)v->top, (long long)max_top(v), &to)) {
        set_top(v, to);
        return VIEW_NONE;
    }
    switch (cmd) {
    case CMD_NEXT_DIFFERENCE:
    case CMD_PREV_DIFFERENCE:
        jump_difference(v, c, cmd == CMD_NEXT_DIFFERENCE ? 1 : -1, (long)n);
        break;
    case CMD_FOCUS:
        v->focus = (v->focus + 1) % v->n;
        view_say(c, "focus: %c, %s", (int)('A' + v->focus), text_title(v->t[v->focus]));
        break;
    case CMD_NEXT_VERSION:
        view_say(c, "all %zu versions are in columns (V: the focused one becomes the base)", v->n);
        break;
    case CMD_SEARCH:
        return (ViewAction){ACT_PROMPT, 0, 0, 0, PROMPT_SEARCH};
    case CMD_NEXT_MATCH:
    case CMD_PREV_MATCH:
        step_match(v, c, cmd == CMD_NEXT_MATCH ? 1 : -1, (long)n);
        break;
    case CMD_HELP:
        return (ViewAction){ACT_HELP, 0, 0, 0, PROMPT_SEARCH};
    case CMD_QUIT:
        return (ViewAction){ACT_LEAVE, 0, 0, 0, PROMPT_SEARCH};
    case CMD_LOCK:
    case CMD_SWAP:
    case CMD_PERCENT:
    case CMD_FOLD:
        view_say(c, "in columns, all scroll together: that key works with two panes (a narrower "
                    "screen)");
        break;
    default:
        view_say(c, "h shows the keys of the compare view");
    }
    return VIEW_NONE;
}

/* --- drawing ------------------------------------------------------------------------------- */

/* Version k's column from the top row on, at x, w wide, h rows from y0. */
static void draw_column(CollateView *v, Grid *g, size_t k, int x, int y0, int w, int h)
{
    size_t nrows = collate_row_count(v->col), cached = SIZE_MAX, ncached = 0;
    CellLine *lines = NULL;
    const uint8_t *bytes = text_bytes(v->t[k]);
    bool translation = k && align_is_translation(collate_alignment(v->col, k));
    for (int y = 0; y < h && nrows; y++) {
        size_t line = v->top + (size_t)y;
        if (line >= v->total) break;
        size_t r = row_at(v, line), local = line - v->blocks[r].start;
        if (local + 1 >= v->blocks[r].height) continue; /* the blank after a row */
        if (cached != r) {
            free(lines);
            ncached = cell_lines(v, r, k, &lines);
            cached = r;
        }
        if (!ncached) {
            for (int col = 0; col < w; col += 2)
                grid_put(g, y0 + y, x + col, "\xe2\x95\xb1", 3, 1, STYLE_FILLER, SIZE_MAX);
            continue;
        }
        if (local >= ncached || lines[local].blank) continue;
        const Span *marks = NULL;
        size_t nm = 0;
        if (k) collate_marks(v->col, r, k, &marks, &nm);
        if (!v->bidi[k]) v->bidi[k] = bidi_cache_new();
        size_t nc =
            layout_line_cells(bytes, lines[local].para, &lines[local].line, &v->lopt,
                              v->reorder ? v->bidi[k] : NULL, &v->cells, &v->cells_cap, NULL);
        for (size_t q = 0; q < nc; q++) {
            const LayoutCell *cell = &v->cells[q];
            Style st = STYLE_TEXT;
            if (k == v->match_ver && v->ml) st = matchlist_style_at(v->ml, cell->off, v->cur);
            if (st == STYLE_TEXT && nm && view_in_spans(marks, nm, cell->off))
                st = translation ? STYLE_TITLE : STYLE_ADDED;
            grid_put(g, y0 + y, x + cell->col, cell->glyph, cell->glyph_len, cell->width, st,
                     cell->off);
        }
    }
    free(lines);
}

/* The letters of the versions holding each row, on its first line ('-' for one that lacks it). */
static void draw_holders(CollateView *v, Grid *g, int y0, int h)
{
    size_t nrows = collate_row_count(v->col);
    for (int y = 0; y < h && nrows; y++) {
        size_t line = v->top + (size_t)y;
        if (line >= v->total) break;
        size_t r = row_at(v, line);
        if (line != v->blocks[r].start) continue;
        const CollateCell *row = collate_row(v->col, r);
        char who[COLLATE_MAX + 1];
        for (size_t k = 0; k < v->n; k++)
            who[k] = row[k].n ? (char)('A' + k) : '-';
        who[v->n] = 0;
        bool cur = r == v->diff_row;
        grid_put_text(g, y0 + y, 0, who, (int)v->n, cur ? STYLE_CURRENT : STYLE_DIM);
    }
}

static void draw_status(CollateView *v, ViewContext *c, Grid *g)
{
    Strbuf left = STRBUF_INIT, full = STRBUF_INIT, shorter = STRBUF_INIT;
    strbuf_addf(&left, "%zu versions, A the base: %s", v->n, text_title(v->t[0]));
    /* each version against the base: its kept share, or its languages when a translation */
    for (size_t k = 1; k < v->n; k++) {
        const Alignment *al = collate_alignment(v->col, k);
        if (align_is_translation(al)) {
            const char *la = align_language(al, 0), *lb = align_language(al, 1);
            strbuf_addf(&full, "%s%c %s-%s", k > 1 ? "  " : "", (int)('A' + k), *la ? la : "?",
                        *lb ? lb : "?");
        } else {
            int pct = (int)(align_similarity(al) * 100 + 0.5);
            strbuf_addf(&full, "%s%c %d%% similar", k > 1 ? "  " : "", (int)('A' + k), pct);
            strbuf_addf(&shorter, "%s%c %d%%", shorter.len ? " " : "", (int)('A' + k), pct);
        }
    }
    const char *rights[3] = {full.buf, shorter.buf, ""};
    view_draw_status_forms(c, g, left.buf, rights, 3);
    strbuf_release(&left);
    strbuf_release(&full);
    strbuf_release(&shorter);
}

void collate_view_render(CollateView *v, ViewContext *c, Grid *g)
{
    v->reorder = c->bidi;
    int h = page_height(v), w = column_width(v);
    for (size_t k = 0; k < v->n; k++) {
        int x = column_x(v, k);
        Strbuf t = STRBUF_INIT;
        strbuf_addf(&t, "%s%c %s", v->focus == k ? "\xe2\x96\xb8 " : "  ", (int)('A' + k),
                    text_title(v->t[k]));
        for (size_t q = 0; q < v->n; q++) /* another of the same title: the file names them */
            if (q != k && !strcmp(text_title(v->t[q]), text_title(v->t[k]))) {
                strbuf_addf(&t, " (%s)", v->name[k]);
                break;
            }
        grid_put_text(g, 0, x, t.buf, w, v->focus == k ? STYLE_TITLE : STYLE_DIM);
        strbuf_release(&t);
        draw_column(v, g, k, x, 1, w, h);
        if (k + 1 < v->n)
            for (int y = 0; y < h; y++)
                grid_put(g, 1 + y, x + w + 1, "\xe2\x94\x82", 3, 1, STYLE_DIM, SIZE_MAX); /* │ */
    }
    draw_holders(v, g, 1, h);
    draw_status(v, c, g);
}
