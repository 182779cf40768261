/* compare_view.c: the side-by-side view (see compare_view.h). */
#include "compare_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collate_view.h"
#include "help.h"
#include "lector/align.h"
#include "lector/collate.h"
#include "lector/index.h"
#include "lector/matchlist.h"
#include "lector/search.h"
#include "lector/strbuf.h"
#include "lector/xalloc.h"

typedef enum { BLOCK_ROW, BLOCK_GHOST, BLOCK_FOLD } BlockKind;

typedef struct {
    BlockKind kind;
    size_t row;      /* ROW: its alignment row; GHOST: the moved row; FOLD: the first row */
    size_t nrows;    /* FOLD: rows folded */
    size_t lines[2]; /* display lines of each side */
    size_t height;   /* screen lines, with the blank one after it */
    size_t start;    /* its first line in the column */
} Block;

/* A display line of one side of a block: a laid-out line, or a blank between paragraphs. */
typedef struct {
    LayoutLine line;
    Span para; /* its paragraph: what orders it for display (layout_line_cells) */
    bool blank;
} SideLine;

struct CompareView {
    Text *t[2];      /* t[0] is shown on the left (top when stacked) */
    char *name[2];   /* owned: each story's file name, to tell two of one title apart */
    Strbuf label[2]; /* owned: what pane_label made last */
    Alignment *al;
    int translation; /* AlignTranslation */
    LayoutOptions lopt;
    int source_width[2]; /* each story's own line width (layout_source_width) */
    int cols, rows;
    bool stacked, locked, folded;
    bool scores; /* %: each pair's words in common, in the gutter under its mark */
    int focus;
    size_t top[2];
    Block *blocks;
    size_t nblocks, total;
    size_t *para_block[2]; /* paragraph -> its block */
    size_t diff_block;     /* the difference ] or [ went to last; SIZE_MAX: none */
    /* search in the focused pane */
    Index *ix[2];  /* owned, built at the first search of each side */
    MatchList *ml; /* owned; the matches in side match_side */
    size_t cur;    /* the current match */
    int match_side;
    BidiCache *bidi[2]; /* owned: each side's paragraph ordered last */
    bool reorder;       /* the context's bidi, for the panes */
    LayoutCell *cells;  /* owned: a line's cells in display order */
    size_t cells_cap;
    /* three or more versions: the base beside one other at a time (v cycles) */
    char **versions;  /* owned: the versions' paths, the base first */
    size_t nversions; /* 0 or 1: just the two */
    size_t shown;     /* the version facing the base */
    int base_side;    /* the side the base is on (x swaps) */
    /* and while every version has its 30 columns, all of them in columns instead */
    CollateView *columns;    /* owned; made when first wide enough */
    bool columns_failed;     /* a version could not be read: two panes only */
    char columns_error[560]; /* why, said at the next key; "" once said */
    int said_columns;        /* what the message last said of the view: 1 in columns, 0 two
                                panes, -1 nothing yet (a resize may change it) */
};

/* --- layout ------------------------------------------------------------------------------ */

/* The display lines of one side of a block (caller frees), and their count. */
static size_t side_lines(const CompareView *v, const Block *b, int side, SideLine **out)
{
    *out = NULL;
    if (b->kind != BLOCK_ROW) return 0;
    const AlignRow *r = &align_rows(v->al)[b->row];
    size_t first = side ? r->b : r->a, n = side ? r->nb : r->na;
    const uint8_t *bytes = text_bytes(v->t[side]);
    size_t len = 0, cap = 0;
    SideLine *lines = NULL;
    LayoutOptions opt = v->lopt; /* each story's own line width, for its verse (layout.h) */
    opt.source_width = v->source_width[side];
    for (size_t i = first; i < first + n; i++) {
        LayoutLine *ll;
        size_t k = layout_wrap_paragraph(bytes, align_paragraph(v->al, side, i), &opt, &ll);
        if (len + k + 1 > cap) {
            cap = (len + k + 1) * 2;
            lines = xreallocarray(lines, cap, sizeof *lines);
        }
        Span para = align_paragraph(v->al, side, i);
        if (i > first) lines[len++] = (SideLine){{0, 0, 0, 0}, {0, 0}, true};
        for (size_t j = 0; j < k; j++)
            lines[len++] = (SideLine){ll[j], para, false};
        free(ll);
    }
    *out = lines;
    return len;
}

static int pane_width(const CompareView *v)
{
    int w = v->stacked ? v->cols - 1 : (v->cols - 3) / 2;
    return w < LAYOUT_MIN_WIDTH ? LAYOUT_MIN_WIDTH : w;
}

static int pane_height(const CompareView *v)
{
    int h = v->rows - 2; /* a title row and the status line */
    if (v->stacked) h = (h - 1) / 2;
    return h < 1 ? 1 : h;
}

static void add_block(CompareView *v, size_t *cap, Block b)
{
    if (v->nblocks == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        v->blocks = xreallocarray(v->blocks, *cap, sizeof *v->blocks);
    }
    v->blocks[v->nblocks++] = b;
}

static size_t block_at(const CompareView *v, size_t line);

/* Makes the blocks and their heights for the current width and fold state, keeping the row at
 * the top of each pane at the top (its first line when it was wrapped otherwise). */
static void relayout(CompareView *v)
{
    size_t keep_row[2] = {SIZE_MAX, SIZE_MAX}, keep_line[2] = {0, 0};
    for (int p = 0; p < 2 && v->nblocks; p++) {
        const Block *b = &v->blocks[block_at(v, v->top[p])];
        if (b->kind == BLOCK_GHOST) continue;
        keep_row[p] = b->row;
        keep_line[p] = v->top[p] - b->start;
    }
    v->stacked = v->cols < COMPARE_STACK_BELOW;
    v->lopt.width = pane_width(v);
    free(v->blocks);
    v->blocks = NULL;
    v->nblocks = 0;
    size_t cap = 0, nrows = align_row_count(v->al);
    const AlignRow *rows = align_rows(v->al);
    size_t *ghost_first, *ghost_rows; /* the moved-away notes standing before each row */
    align_moved_by_origin(v->al, &ghost_first, &ghost_rows);
    for (int s = 0; s < 2; s++) {
        free(v->para_block[s]);
        size_t np = align_paragraph_count(v->al, s);
        v->para_block[s] = xmalloc((np ? np : 1) * sizeof *v->para_block[s]);
    }
    for (size_t k = 0; k <= nrows; k++) {
        for (size_t q = ghost_first[k]; q < ghost_first[k + 1]; q++)
            add_block(v, &cap, (Block){BLOCK_GHOST, ghost_rows[q], 0, {1, 0}, 0, 0});
        if (k == nrows) break;
        size_t e = k;
        while (v->folded && e < nrows && rows[e].kind == ALIGN_SAME &&
               (e == k || ghost_first[e] == ghost_first[e + 1]))
            e++;
        if (e > k) {
            add_block(v, &cap, (Block){BLOCK_FOLD, k, e - k, {1, 1}, 0, 0});
            k = e - 1;
            continue;
        }
        add_block(v, &cap, (Block){BLOCK_ROW, k, 1, {0, 0}, 0, 0});
    }
    free(ghost_first);
    free(ghost_rows);
    size_t at = 0;
    for (size_t k = 0; k < v->nblocks; k++) {
        Block *b = &v->blocks[k];
        for (int s = 0; s < 2 && b->kind == BLOCK_ROW; s++) {
            SideLine *lines;
            b->lines[s] = side_lines(v, b, s, &lines);
            free(lines);
        }
        size_t h = b->lines[0] > b->lines[1] ? b->lines[0] : b->lines[1];
        b->height = (h ? h : 1) + 1;
        b->start = at;
        at += b->height;
        if (b->kind == BLOCK_GHOST) continue;
        size_t r0 = b->row, r1 = b->kind == BLOCK_FOLD ? b->row + b->nrows : b->row + 1;
        for (size_t r = r0; r < r1; r++) {
            for (size_t i = 0; i < rows[r].na; i++)
                v->para_block[0][rows[r].a + i] = k;
            for (size_t i = 0; i < rows[r].nb; i++)
                v->para_block[1][rows[r].b + i] = k;
        }
    }
    v->total = at;
    v->diff_block = SIZE_MAX;
    for (int p = 0; p < 2; p++) {
        if (keep_row[p] != SIZE_MAX) {
            for (size_t k = 0; k < v->nblocks; k++) {
                const Block *b = &v->blocks[k];
                size_t end = b->kind == BLOCK_FOLD ? b->row + b->nrows : b->row + 1;
                if (b->kind == BLOCK_GHOST || keep_row[p] < b->row || keep_row[p] >= end) continue;
                v->top[p] = b->start + (keep_line[p] + 1 < b->height ? keep_line[p] : 0);
                break;
            }
        }
        size_t h = (size_t)pane_height(v), most = v->total > h ? v->total - h : 0;
        if (v->top[p] > most) v->top[p] = most;
    }
}

/* The block holding column line `line` (the last one past the end). */
static size_t block_at(const CompareView *v, size_t line)
{
    size_t lo = 0, hi = v->nblocks;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->blocks[mid].start <= line)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static void realign(CompareView *v)
{
    for (int s = 0; s < 2; s++)
        v->source_width[s] = text_source_width(v->t[s]);
    align_free(v->al);
    v->al = align_new_with(v->t[0], v->t[1], (AlignTranslation)v->translation);
    relayout(v);
}

/* A version, mapped and read whole, as the reader reads a story (no copy, no size limit). */
static int load_version(const char *path, Text **out, Diag *d)
{
    if (text_open(path, 0, out, d) != 0) return -1;
    text_load_all(*out);
    return 0;
}

static char *file_name(const char *path)
{
    return xstrdup(view_file_name(path));
}

CompareView *compare_view_new(Text *a, Text *b, const char *path_a, const char *path_b,
                              const LayoutOptions *lopt, int translation)
{
    CompareView *v = xcalloc(1, sizeof *v);
    v->t[0] = a;
    v->t[1] = b;
    v->name[0] = file_name(path_a);
    v->name[1] = file_name(path_b);
    strbuf_init(&v->label[0]);
    strbuf_init(&v->label[1]);
    v->lopt = *lopt;
    v->translation = translation;
    v->locked = true;
    v->diff_block = SIZE_MAX;
    v->cols = 80;
    v->rows = 24;
    realign(v);
    return v;
}

static void clear_search(CompareView *v)
{
    matchlist_free(v->ml);
    v->ml = NULL;
    v->cur = 0;
}

void compare_view_free(CompareView *v)
{
    if (!v) return;
    clear_search(v);
    for (int s = 0; s < 2; s++) {
        index_free(v->ix[s]);
        text_free(v->t[s]);
        free(v->para_block[s]);
        free(v->name[s]);
        strbuf_release(&v->label[s]);
    }
    align_free(v->al);
    free(v->blocks);
    bidi_cache_free(v->bidi[0]);
    bidi_cache_free(v->bidi[1]);
    free(v->cells);
    for (size_t k = 0; k < v->nversions; k++)
        free(v->versions[k]);
    free(v->versions);
    collate_view_free(v->columns);
    free(v);
}

/* Whether the versions are shown in columns now: three or more, every one of them 30 columns
 * wide, all read (the first time here). */
static bool in_columns(CompareView *v)
{
    if (v->nversions < 3 || !collate_view_fits(v->nversions, v->cols)) return false;
    if (v->columns) return true;
    if (v->columns_failed) return false;
    Text **t = xcalloc(v->nversions, sizeof *t);
    for (size_t k = 0; k < v->nversions; k++) {
        Diag d = {0};
        if (load_version(v->versions[k], &t[k], &d) != 0) {
            snprintf(v->columns_error, sizeof v->columns_error, "%s: two panes only", d.msg);
            v->columns_failed = true;
            for (size_t q = 0; q < k; q++)
                text_free(t[q]);
            free(t);
            return false;
        }
    }
    v->columns = collate_view_new(t, (const char *const *)v->versions, v->nversions, &v->lopt,
                                  v->translation);
    collate_view_resize(v->columns, v->cols, v->rows);
    return v->columns != NULL;
}

bool compare_view_in_columns(CompareView *v)
{
    return in_columns(v);
}

/* Says how three or more versions are shown, when that is not what was last said: at the start,
 * and after a resize moves them from columns to two panes or back. */
static void say_layout(CompareView *v, ViewContext *c)
{
    int now = in_columns(v);
    if (v->nversions < 3 || now == v->said_columns) return;
    if (now)
        view_say(c, "%zu versions in columns, A the base (Tab: focus, V: it becomes the base)",
                 v->nversions);
    else if (v->columns_failed)
        view_say(c, "%s", v->columns_error);
    else if (v->said_columns == 1)
        view_say(c, "too narrow for %zu columns: version %zu of %zu beside the first (v: the next)",
                 v->nversions, v->shown + 1, v->nversions);
    else
        view_say(c, "version %zu of %zu beside the first (v: the next)", v->shown + 1,
                 v->nversions);
    v->said_columns = now;
}

void compare_view_set_versions(CompareView *v, ViewContext *c, const char *const *paths, size_t n)
{
    collate_view_free(v->columns);
    v->columns = NULL;
    v->columns_failed = false;
    for (size_t k = 0; k < v->nversions; k++)
        free(v->versions[k]);
    free(v->versions);
    v->versions = xmalloc((n ? n : 1) * sizeof *v->versions);
    for (size_t k = 0; k < n; k++)
        v->versions[k] = xstrdup(paths[k]);
    v->nversions = n;
    v->shown = 1;
    v->said_columns = -1;
    say_layout(v, c);
    v->columns_error[0] = 0;
}

static void show_version(CompareView *v, ViewContext *c, size_t k);

/* v: the next version faces the base (the first after the last), read afresh. */
static void next_version(CompareView *v, ViewContext *c)
{
    if (v->nversions < 3) {
        view_say(c, "two stories only: mark three or more on the shelf to cycle versions");
        return;
    }
    show_version(v, c, v->shown + 1 < v->nversions ? v->shown + 1 : 1);
}

/* Version k (>= 1) faces the base, read afresh. */
static void show_version(CompareView *v, ViewContext *c, size_t k)
{
    Text *t = NULL;
    Diag d = {0};
    if (load_version(v->versions[k], &t, &d) != 0) {
        view_say(c, "%s", d.msg);
        return;
    }
    int side = !v->base_side;
    index_free(v->ix[side]);
    v->ix[side] = NULL;
    text_free(v->t[side]);
    v->t[side] = t;
    free(v->name[side]);
    v->name[side] = file_name(v->versions[k]);
    v->shown = k;
    clear_search(v);
    realign(v);
    view_say(c, "version %zu of %zu: %s (v: the next)", k + 1, v->nversions, text_title(t));
}

/* V: another version becomes the base (the focused column's, or the one facing the base): it and
 * the first change places in the list, in the columns and in the panes, where the old base now
 * faces the new one. */
static void choose_base(CompareView *v, ViewContext *c)
{
    if (v->nversions < 3) {
        view_say(c, "two stories only: x swaps them");
        return;
    }
    size_t k = v->columns && in_columns(v) ? collate_view_focus(v->columns) : v->shown;
    if (k == 0) {
        view_say(c, "A is the base already (Tab: focus another version)");
        return;
    }
    char *p = v->versions[0];
    v->versions[0] = v->versions[k];
    v->versions[k] = p;
    if (v->columns) collate_view_set_base(v->columns, k);
    /* the panes: the new base where the old one was, the old base facing it */
    int side = v->base_side;
    Text *t = NULL;
    Diag d = {0};
    if (load_version(v->versions[0], &t, &d) != 0) {
        view_say(c, "%s", d.msg);
        return;
    }
    index_free(v->ix[side]);
    v->ix[side] = NULL;
    text_free(v->t[side]);
    v->t[side] = t;
    free(v->name[side]);
    v->name[side] = file_name(v->versions[0]);
    show_version(v, c, k);
    view_say(c, "the base is now %s (it and the first changed places)", text_title(t));
}

void compare_view_resize(CompareView *v, int cols, int rows)
{
    v->cols = cols;
    v->rows = rows;
    relayout(v);
    if (in_columns(v)) collate_view_resize(v->columns, cols, rows);
}

/* --- commands ------------------------------------------------------------------------------ */

static size_t max_top(const CompareView *v)
{
    size_t h = (size_t)pane_height(v);
    return v->total > h ? v->total - h : 0;
}

static void set_top(CompareView *v, long long top)
{
    if (top < 0) top = 0;
    if ((size_t)top > max_top(v)) top = (long long)max_top(v);
    v->top[v->focus] = (size_t)top;
    if (v->locked) v->top[!v->focus] = (size_t)top;
}

static bool block_differs(const CompareView *v, const Block *b)
{
    if (b->kind == BLOCK_FOLD) return false;
    if (b->kind == BLOCK_GHOST) return true;
    return align_rows(v->al)[b->row].kind != ALIGN_SAME;
}

/* ] and [: the next (dir 1) or previous difference, at the top when the column lets it be. It
 * counts from the last one jumped to while that is on screen, else from the top. */
static void jump_difference(CompareView *v, ViewContext *c, int dir, long count)
{
    if (!v->nblocks) return;
    for (long step = 0; step < count; step++) {
        size_t top = v->top[v->focus], h = (size_t)pane_height(v);
        size_t here = block_at(v, top);
        if (v->blocks[here].start < top && dir < 0) here++;
        if (v->diff_block < v->nblocks && v->blocks[v->diff_block].start + 1 >= top &&
            v->blocks[v->diff_block].start < top + h)
            here = v->diff_block;
        size_t found = SIZE_MAX;
        for (size_t k = here; dir > 0 ? k + 1 < v->nblocks : k > 0;) {
            k = dir > 0 ? k + 1 : k - 1;
            if (block_differs(v, &v->blocks[k])) {
                found = k;
                break;
            }
        }
        if (found == SIZE_MAX) {
            if (step == 0)
                view_say(c, dir > 0 ? "no more differences below" : "no more differences above");
            return;
        }
        set_top(v, (long long)v->blocks[found].start);
        v->diff_block = found;
    }
    size_t nth = 0, all = 0;
    for (size_t q = 0; q < v->nblocks; q++)
        if (block_differs(v, &v->blocks[q])) {
            all++;
            if (q <= v->diff_block) nth++;
        }
    view_say(c, "difference %zu of %zu", nth, all);
}

/* The paragraph of side s holding byte off (the last starting at or before it). */
static size_t para_of(const CompareView *v, int s, size_t off)
{
    size_t lo = 0, hi = align_paragraph_count(v->al, s);
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (align_paragraph(v->al, s, mid).start <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The byte of side's story at the top of its pane: where its text resumes from the top row on
 * (the line there, or the first paragraph of that side below it), as the reader's top line is
 * for n and N. */
static size_t pane_top_offset(CompareView *v, int side)
{
    size_t top = v->top[side];
    for (size_t k = v->nblocks ? block_at(v, top) : 0; k < v->nblocks; k++) {
        const Block *b = &v->blocks[k];
        if (b->kind == BLOCK_GHOST) continue;
        const AlignRow *r = &align_rows(v->al)[b->row];
        size_t first = side ? r->b : r->a, np = side ? r->nb : r->na;
        if (!np) continue;
        size_t at = align_paragraph(v->al, side, first).start;
        if (b->kind == BLOCK_ROW && b->start < top) { /* the line on the top row */
            SideLine *lines;
            size_t nl = side_lines(v, b, side, &lines), local = top - b->start;
            if (local < nl && !lines[local].blank) at = lines[local].line.start;
            free(lines);
            if (local >= nl) continue;
        }
        return at;
    }
    return text_len(v->t[side]);
}

/* Moves to match v->cur and says its number, after wrapped ("search wrapped to the top")
 * when the search went round an end: one message, so that the number is not lost. */
static void show_match(CompareView *v, ViewContext *c, const char *wrapped)
{
    Span m = matchlist_span(v->ml, v->cur);
    int s = v->match_side;
    if (!align_paragraph_count(v->al, s)) return;
    size_t lo = para_of(v, s, m.start);
    size_t k = v->para_block[s][lo];
    if (v->blocks[k].kind == BLOCK_FOLD) { /* unfold to show it */
        v->folded = false;
        relayout(v);
        k = v->para_block[s][lo];
    }
    SideLine *lines;
    size_t n = side_lines(v, &v->blocks[k], s, &lines), line = 0;
    for (size_t i = 0; i < n; i++)
        if (!lines[i].blank && lines[i].line.start <= m.start) line = i;
    free(lines);
    size_t want = v->blocks[k].start + line;
    size_t h = (size_t)pane_height(v);
    if (want < v->top[s] || want >= v->top[s] + h) {
        int f = v->focus;
        v->focus = s;
        set_top(v, (long long)want - (long long)h / 3);
        v->focus = f;
    }
    view_say(c, "%s%smatch %zu of %zu", wrapped ? wrapped : "", wrapped ? "  " : "", v->cur + 1,
             matchlist_count(v->ml));
}

void compare_view_search(CompareView *v, ViewContext *c, const char *query)
{
    if (in_columns(v)) {
        collate_view_search(v->columns, c, query);
        return;
    }
    clear_search(v);
    int s = v->focus;
    v->match_side = s;
    if (!v->ix[s]) v->ix[s] = index_build(v->t[s], 1, NULL);
    Diag d = {0};
    if (matchlist_new(v->ix[s], v->t[s], query, c->search_mode, &v->ml, &d) != 0) {
        view_say(c, "%s", d.msg);
        return;
    }
    size_t n = matchlist_count(v->ml);
    if (!n) {
        Strbuf q = STRBUF_INIT;
        text_escape(query, strlen(query), &q);
        view_say(c, "not found: %s", q.buf);
        strbuf_release(&q);
        return;
    }
    bool wrapped;
    v->cur = matchlist_first(v->ml, pane_top_offset(v, s), 1, &wrapped);
    show_match(v, c, wrapped ? "search wrapped to the top" : NULL);
}

static void step_match(CompareView *v, ViewContext *c, int dir, long count)
{
    size_t n = v->ml ? matchlist_count(v->ml) : 0;
    if (!n) {
        view_say(c, v->ml ? "not found" : "no search yet: / searches the focused pane");
        return;
    }
    bool wrapped;
    v->cur = matchlist_step(v->ml, v->cur, pane_top_offset(v, v->match_side), dir, count, &wrapped);
    show_match(v, c,
               !wrapped  ? NULL
               : dir > 0 ? "search wrapped to the top"
                         : "search wrapped to the end");
}

static const HelpRow help_notes[] = {
    {NULL, "Gutter: | same  ~ changed  < only left  > only right  m moved  = folded"},
    {NULL, "3+ versions in columns while each has 30: ABC, A-C say which hold a row."},
    {NULL, "Words only on the right in green, only on the left in red, a sentence moved in cyan, "
           "names a translation shares in bold; \xe2\x95\xb1: nothing there."},
};

const HelpRow *compare_view_help_notes(size_t *n)
{
    *n = sizeof help_notes / sizeof *help_notes;
    return help_notes;
}

ViewAction compare_view_command(CompareView *v, ViewContext *c, Command cmd, long count)
{
    long long n = count > 0 ? count : 1;
    long long page = pane_height(v);
    if (v->columns_error[0]) { /* a version unread when the screen grew: said once */
        view_say(c, "%s", v->columns_error);
        v->columns_error[0] = 0;
    }
    if (cmd == CMD_BASE) {
        choose_base(v, c);
        return VIEW_NONE;
    }
    if (in_columns(v)) return collate_view_command(v->columns, c, cmd, count);
    long long to;
    if (view_scroll(cmd, count, page, (long long)v->top[v->focus], (long long)max_top(v), &to)) {
        set_top(v, to);
        return VIEW_NONE;
    }
    switch (cmd) {
    case CMD_NEXT_DIFFERENCE:
        jump_difference(v, c, 1, (long)n);
        break;
    case CMD_PREV_DIFFERENCE:
        jump_difference(v, c, -1, (long)n);
        break;
    case CMD_FOCUS:
        v->focus = !v->focus;
        view_say(c, "focus: %s",
                 v->stacked ? (v->focus ? "bottom" : "top") : (v->focus ? "right" : "left"));
        break;
    case CMD_LOCK:
        v->locked = !v->locked;
        if (v->locked) v->top[!v->focus] = v->top[v->focus];
        view_say(c,
                 v->locked ? "scrolling locked" : "unlocked: each pane scrolls alone (Tab: focus)");
        break;
    case CMD_NEXT_VERSION:
        next_version(v, c);
        break;
    case CMD_PERCENT:
        if (v->stacked || !v->locked) {
            view_say(c, "%% needs the panes side by side, locked");
            break;
        }
        v->scores = !v->scores;
        view_say(c, v->scores ? "each pair's share of words in common under its mark (%%: off)"
                              : "figures off");
        break;
    case CMD_SWAP: {
        v->base_side = !v->base_side;
        Text *t = v->t[0];
        v->t[0] = v->t[1];
        v->t[1] = t;
        char *name = v->name[0];
        v->name[0] = v->name[1];
        v->name[1] = name;
        Index *ix = v->ix[0];
        v->ix[0] = v->ix[1];
        v->ix[1] = ix;
        clear_search(v);
        v->focus = !v->focus;
        realign(v);
        view_say(c, "swapped");
        break;
    }
    case CMD_FOLD:
        v->folded = !v->folded;
        relayout(v);
        view_say(c, v->folded ? "identical paragraphs folded (z: unfold)" : "unfolded");
        break;
    case CMD_SEARCH:
        return (ViewAction){ACT_PROMPT, 0, 0, 0, PROMPT_SEARCH};
    case CMD_NEXT_MATCH:
        step_match(v, c, 1, (long)n);
        break;
    case CMD_PREV_MATCH:
        step_match(v, c, -1, (long)n);
        break;
    case CMD_HELP:
        return (ViewAction){ACT_HELP, 0, 0, 0, PROMPT_SEARCH};
    case CMD_QUIT:
        return (ViewAction){ACT_LEAVE, 0, 0, 0, PROMPT_SEARCH};
    default:
        view_say(c, "h shows the keys of the compare view");
    }
    return VIEW_NONE;
}

/* --- drawing ------------------------------------------------------------------------------- */

static char gutter_char(const CompareView *v, const Block *b)
{
    if (b->kind == BLOCK_GHOST) return 'm';
    if (b->kind == BLOCK_FOLD) return '=';
    return align_kind_mark(align_rows(v->al)[b->row].kind);
}

static void draw_filler(Grid *g, int y, int x, int w)
{
    for (int c = 0; c < w; c += 2)
        grid_put(g, y, x + c, "\xe2\x95\xb1", 3, 1, STYLE_FILLER, SIZE_MAX); /* ╱ */
}

/* Draws pane `side` at (x, y0), w x h, from its top. */
static void draw_pane(CompareView *v, Grid *g, int side, int x, int y0, int w, int h)
{
    size_t cached = SIZE_MAX, ncached = 0;
    SideLine *lines = NULL;
    const uint8_t *bytes = text_bytes(v->t[side]);
    const Span *diff = align_diff_spans(v->al, side);
    for (int y = 0; y < h; y++) {
        size_t line = v->top[side] + (size_t)y;
        if (line >= v->total || !v->nblocks) break;
        size_t k = block_at(v, line);
        const Block *b = &v->blocks[k];
        size_t local = line - b->start;
        if (local + 1 >= b->height) continue; /* the blank after a block */
        if (b->kind == BLOCK_FOLD) {
            char note[96];
            snprintf(note, sizeof note, "\xe2\x8b\xaf %zu identical paragraph%s \xe2\x8b\xaf",
                     b->nrows, b->nrows == 1 ? "" : "s");
            grid_put_text(g, y0 + y, x, note, w, STYLE_DIM);
            continue;
        }
        if (b->kind == BLOCK_GHOST) {
            if (side == 1) {
                draw_filler(g, y0 + y, x, w);
                continue;
            }
            const AlignRow *r = &align_rows(v->al)[b->row];
            bool down = v->blocks[v->para_block[0][r->a]].start > b->start;
            Strbuf note = STRBUF_INIT;
            strbuf_addf(&note, "%s moved %s: \xc2\xb6%zu now faces \xc2\xb6%zu of %s",
                        down ? "\xe2\x86\x93" : "\xe2\x86\x91", down ? "down" : "up", r->a + 1,
                        r->b + 1, text_title(v->t[1]));
            grid_put_text(g, y0 + y, x, note.buf, w, STYLE_DIM);
            strbuf_release(&note);
            continue;
        }
        if (cached != k) {
            free(lines);
            ncached = side_lines(v, b, side, &lines);
            cached = k;
        }
        if (local >= ncached) {
            draw_filler(g, y0 + y, x, w);
            continue;
        }
        if (lines[local].blank) continue;
        const AlignRow *r = &align_rows(v->al)[b->row];
        size_t nd = side ? r->ndiff_b : r->ndiff_a;
        const Span *d = nd ? diff + (side ? r->diff_b : r->diff_a) : NULL; /* none: no array */
        size_t nm = side ? r->nmoved_b : r->nmoved_a; /* a sentence moved inside the pair */
        const Span *mv =
            nm ? align_moved_spans(v->al, side) + (side ? r->moved_b : r->moved_a) : NULL;
        /* a translation's spans are the names and numbers both hold: shown, not as changes */
        Style dstyle = align_is_translation(v->al) ? STYLE_TITLE
                       : side                      ? STYLE_ADDED
                                                   : STYLE_REMOVED;
        if (!v->bidi[side]) v->bidi[side] = bidi_cache_new();
        size_t nc =
            layout_line_cells(bytes, lines[local].para, &lines[local].line, &v->lopt,
                              v->reorder ? v->bidi[side] : NULL, &v->cells, &v->cells_cap, NULL);
        for (size_t q = 0; q < nc; q++) {
            const LayoutCell *cell = &v->cells[q];
            Style st = STYLE_TEXT;
            if (side == v->match_side && v->ml) st = matchlist_style_at(v->ml, cell->off, v->cur);
            if (st == STYLE_TEXT && nd && view_in_spans(d, nd, cell->off)) st = dstyle;
            if (st == STYLE_TEXT && nm && view_in_spans(mv, nm, cell->off)) st = STYLE_MOVED;
            grid_put(g, y0 + y, x + cell->col, cell->glyph, cell->glyph_len, cell->width, st,
                     cell->off);
        }
    }
    free(lines);
}

/* What names side's story: its title, and its file name after it when both titles are the
 * same (a draft and its edit are both "Five Windows"). Borrowed until the next call. */
static const char *pane_label(CompareView *v, int side)
{
    const char *title = text_title(v->t[side]);
    if (strcmp(title, text_title(v->t[!side])) || !strcmp(v->name[0], v->name[1])) return title;
    strbuf_reset(&v->label[side]);
    strbuf_addf(&v->label[side], "%s (%s)", title, v->name[side]);
    return v->label[side].buf;
}

static void draw_status(CompareView *v, ViewContext *c, Grid *g)
{
    AlignCounts n = align_counts(v->al);
    char forms[6][160];
    int pct = (int)(align_similarity(v->al) * 100 + 0.5);
    Strbuf t = STRBUF_INIT;
    strbuf_addf(&t, "%s \xe2\x86\x94 %s", pane_label(v, 0), pane_label(v, 1));
    /* the counts in words while they fit beside the titles and a message ("difference 2 of 9"
     * too, at 80 columns: the words without the figure, then with single spaces), else signs */
    const char *u = v->locked ? "" : "  unlocked";
    snprintf(forms[0], sizeof forms[0],
             "%d%% similar  same %zu  changed %zu  added %zu  removed %zu  moved %zu%s", pct,
             n.same, n.changed, n.only_b, n.only_a, n.moved, u);
    snprintf(forms[1], sizeof forms[1],
             "same %zu  changed %zu  added %zu  removed %zu  moved %zu%s", n.same, n.changed,
             n.only_b, n.only_a, n.moved, u);
    snprintf(forms[2], sizeof forms[2], "same %zu changed %zu added %zu removed %zu moved %zu%s",
             n.same, n.changed, n.only_b, n.only_a, n.moved, v->locked ? "" : " unlocked");
    /* then the counts that are not 0, still in words */
    const size_t count[5] = {n.same, n.changed, n.only_b, n.only_a, n.moved};
    static const char *const word[5] = {"same", "changed", "added", "removed", "moved"};
    Strbuf nz = STRBUF_INIT;
    for (int k = 0; k < 5; k++)
        if (count[k]) strbuf_addf(&nz, "%s%s %zu", nz.len ? " " : "", word[k], count[k]);
    snprintf(forms[3], sizeof forms[3], "%s%s", nz.buf, v->locked ? "" : " unlocked");
    strbuf_release(&nz);
    snprintf(forms[4], sizeof forms[4], "%d%%  =%zu ~%zu +%zu -%zu m%zu%s", pct, n.same, n.changed,
             n.only_b, n.only_a, n.moved, v->locked ? "" : " U");
    snprintf(forms[5], sizeof forms[5], "%d%%", pct);
    int nforms = 6;
    if (align_is_translation(v->al)) { /* words do not correspond: no similarity, no "same" */
        const char *la = align_language(v->al, 0), *lb = align_language(v->al, 1);
        la = *la ? la : "?";
        lb = *lb ? lb : "?";
        snprintf(forms[0], sizeof forms[0],
                 "translation %s-%s  paired %zu  added %zu  removed %zu%s", la, lb,
                 n.changed + n.same, n.only_b, n.only_a, u);
        snprintf(forms[1], sizeof forms[1], "%s-%s paired %zu added %zu removed %zu%s", la, lb,
                 n.changed + n.same, n.only_b, n.only_a, v->locked ? "" : " unlocked");
        snprintf(forms[2], sizeof forms[2], "%s-%s  ~%zu +%zu -%zu%s", la, lb, n.changed + n.same,
                 n.only_b, n.only_a, v->locked ? "" : " U");
        snprintf(forms[3], sizeof forms[3], "%s-%s", la, lb);
        nforms = 4;
    }
    const char *const rights[6] = {forms[0], forms[1], forms[2], forms[3], forms[4], forms[5]};
    view_draw_status_forms(c, g, t.buf, rights, nforms);
    strbuf_release(&t);
}

static void draw_title(CompareView *v, Grid *g, int side, int row, int x, int w)
{
    Strbuf t = STRBUF_INIT;
    strbuf_addf(&t, "%s%s", v->focus == side ? "\xe2\x96\xb8 " : "  ", pane_label(v, side));
    grid_put_text(g, row, x, t.buf, w, v->focus == side ? STYLE_TITLE : STYLE_DIM);
    strbuf_release(&t);
}

/* The gutter's mark for column line `line` at screen row y (nothing on the blank after a
 * block). */
static void draw_gutter_mark(CompareView *v, Grid *g, size_t line, int y, int x)
{
    if (line >= v->total || !v->nblocks) return;
    const Block *b = &v->blocks[block_at(v, line)];
    if (line - b->start + 1 >= b->height) return;
    char gc[2] = {gutter_char(v, b), 0};
    bool cur = v->diff_block < v->nblocks && b == &v->blocks[v->diff_block];
    if (v->scores && v->locked && !v->stacked && line == b->start + 1 && b->kind == BLOCK_ROW) {
        const AlignRow *r = &align_rows(v->al)[b->row];
        if (r->na && r->nb && r->kind != ALIGN_SAME) {
            char pct[8];
            int p = (int)(r->score * 100);
            snprintf(pct, sizeof pct, "%2d", p < 0 ? 0 : p > 99 ? 99 : p);
            grid_put_text(g, y, x - 1, pct, 2, STYLE_DIM);
            return;
        }
    }
    grid_put_text(g, y, x, gc, 1, cur ? STYLE_CURRENT : STYLE_DIM);
}

void compare_view_render(CompareView *v, ViewContext *c, Grid *g)
{
    say_layout(v, c); /* a resize (which has no context) may have changed it */
    if (in_columns(v)) {
        collate_view_render(v->columns, c, g);
        return;
    }
    v->reorder = c->bidi;
    int h = pane_height(v), w = pane_width(v);
    if (v->stacked) {
        draw_title(v, g, 0, 0, 0, v->cols);
        draw_pane(v, g, 0, 0, 1, w, h);
        draw_title(v, g, 1, 1 + h, 0, v->cols);
        draw_pane(v, g, 1, 0, 2 + h, w, h);
    } else {
        int xr = w + 3;
        draw_title(v, g, 0, 0, 0, w);
        draw_title(v, g, 1, 0, xr, v->cols - xr);
        draw_pane(v, g, 0, 0, 1, w, h);
        draw_pane(v, g, 1, xr, 1, v->cols - xr, h);
        /* the gutter says what each row is: locked, one mark for both panes' row; unlocked, the
         * panes show different rows, so each gets its own mark beside it */
        for (int y = 0; y < h; y++) {
            if (v->locked) {
                draw_gutter_mark(v, g, v->top[0] + (size_t)y, 1 + y, w + 1);
            } else {
                draw_gutter_mark(v, g, v->top[0] + (size_t)y, 1 + y, w);
                draw_gutter_mark(v, g, v->top[1] + (size_t)y, 1 + y, w + 2);
            }
        }
    }
    draw_status(v, c, g);
}
