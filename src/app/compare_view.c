/* compare_view.c: the side-by-side view (see compare_view.h). */
#include "compare_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "help.h"
#include "lector/align.h"
#include "lector/index.h"
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
    bool blank;
} SideLine;

struct CompareView {
    Text *t[2]; /* t[0] is shown on the left (top when stacked) */
    Alignment *al;
    LayoutOptions lopt;
    int cols, rows;
    bool stacked, locked, folded, help;
    int help_top; /* the help's first row shown, when it is taller than the screen */
    int focus;
    size_t top[2];
    Block *blocks;
    size_t nblocks, total;
    size_t *para_block[2]; /* paragraph -> its block */
    size_t diff_block;     /* the difference ] or [ went to last; SIZE_MAX: none */
    char message[600];
    /* search in the focused pane */
    bool prompting;
    int search_mode; /* SearchMode */
    Strbuf query;
    Index *ix[2];
    Span *matches;
    size_t nmatches, cur;
    int match_side;
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
    for (size_t i = first; i < first + n; i++) {
        LayoutLine *ll;
        size_t k = layout_wrap_paragraph(bytes, align_paragraph(v->al, side, i), &v->lopt, &ll);
        if (len + k + 1 > cap) {
            cap = (len + k + 1) * 2;
            lines = xreallocarray(lines, cap, sizeof *lines);
        }
        if (i > first) lines[len++] = (SideLine){{0, 0, 0, 0}, true};
        for (size_t j = 0; j < k; j++)
            lines[len++] = (SideLine){ll[j], false};
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
    size_t *ghost = xmalloc((nrows ? nrows : 1) * sizeof *ghost);
    bool *ghosted = xcalloc(nrows + 1, sizeof *ghosted); /* a moved-away note stands before it */
    for (size_t k = 0; k < nrows; k++) {
        ghost[k] = rows[k].kind == ALIGN_MOVED ? align_moved_origin(v->al, k) : SIZE_MAX;
        if (ghost[k] != SIZE_MAX) ghosted[ghost[k]] = true;
    }
    for (int s = 0; s < 2; s++) {
        free(v->para_block[s]);
        size_t np = align_paragraph_count(v->al, s);
        v->para_block[s] = xmalloc((np ? np : 1) * sizeof *v->para_block[s]);
    }
    for (size_t k = 0; k <= nrows; k++) {
        for (size_t g = 0; g < nrows && ghosted[k]; g++)
            if (ghost[g] == k) add_block(v, &cap, (Block){BLOCK_GHOST, g, 0, {1, 0}, 0, 0});
        if (k == nrows) break;
        size_t e = k;
        while (v->folded && e < nrows && rows[e].kind == ALIGN_SAME && (e == k || !ghosted[e]))
            e++;
        if (e > k) {
            add_block(v, &cap, (Block){BLOCK_FOLD, k, e - k, {1, 1}, 0, 0});
            k = e - 1;
            continue;
        }
        add_block(v, &cap, (Block){BLOCK_ROW, k, 1, {0, 0}, 0, 0});
    }
    free(ghost);
    free(ghosted);
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
    align_free(v->al);
    v->al = align_new(v->t[0], v->t[1]);
    relayout(v);
}

CompareView *compare_view_new(Text *a, Text *b, const LayoutOptions *lopt)
{
    CompareView *v = xcalloc(1, sizeof *v);
    v->search_mode = SEARCH_SMART;
    v->t[0] = a;
    v->t[1] = b;
    v->lopt = *lopt;
    v->locked = true;
    v->diff_block = SIZE_MAX;
    v->cols = 80;
    v->rows = 24;
    strbuf_init(&v->query);
    realign(v);
    return v;
}

static void clear_search(CompareView *v)
{
    free(v->matches);
    v->matches = NULL;
    v->nmatches = v->cur = 0;
}

void compare_view_free(CompareView *v)
{
    if (!v) return;
    clear_search(v);
    for (int s = 0; s < 2; s++) {
        index_free(v->ix[s]);
        text_free(v->t[s]);
        free(v->para_block[s]);
    }
    align_free(v->al);
    free(v->blocks);
    strbuf_release(&v->query);
    free(v);
}

void compare_view_resize(CompareView *v, int cols, int rows)
{
    v->cols = cols;
    v->rows = rows;
    relayout(v);
}

/* --- keys ---------------------------------------------------------------------------------- */

static void say(CompareView *v, const char *fmt, const char *arg)
{
    snprintf(v->message, sizeof v->message, fmt, arg);
}

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

static void scroll(CompareView *v, long long by)
{
    set_top(v, (long long)v->top[v->focus] + by);
}

static bool block_differs(const CompareView *v, const Block *b)
{
    if (b->kind == BLOCK_FOLD) return false;
    if (b->kind == BLOCK_GHOST) return true;
    return align_rows(v->al)[b->row].kind != ALIGN_SAME;
}

/* ] and [: the next (dir 1) or previous difference, at the top when the column lets it be. It
 * counts from the last one jumped to while that is on screen, else from the top. */
static void jump_difference(CompareView *v, int dir)
{
    if (!v->nblocks) return;
    size_t top = v->top[v->focus], h = (size_t)pane_height(v);
    size_t here = block_at(v, top);
    if (v->blocks[here].start < top && dir < 0) here++;
    if (v->diff_block < v->nblocks && v->blocks[v->diff_block].start + 1 >= top &&
        v->blocks[v->diff_block].start < top + h)
        here = v->diff_block;
    for (size_t k = here; dir > 0 ? k + 1 < v->nblocks : k > 0;) {
        k = dir > 0 ? k + 1 : k - 1;
        if (block_differs(v, &v->blocks[k])) {
            set_top(v, (long long)v->blocks[k].start);
            v->diff_block = k;
            size_t nth = 0, all = 0;
            for (size_t q = 0; q < v->nblocks; q++)
                if (block_differs(v, &v->blocks[q])) {
                    all++;
                    if (q <= k) nth++;
                }
            snprintf(v->message, sizeof v->message, "difference %zu of %zu", nth, all);
            return;
        }
    }
    say(v, dir > 0 ? "no more differences below%s" : "no more differences above%s", "");
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

static void show_match(CompareView *v)
{
    Span m = v->matches[v->cur];
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
    char msg[64];
    snprintf(msg, sizeof msg, "match %zu of %zu", v->cur + 1, v->nmatches);
    say(v, "%s", msg);
}

static void run_search(CompareView *v)
{
    clear_search(v);
    int s = v->focus;
    v->match_side = s;
    if (!v->ix[s]) v->ix[s] = index_build(v->t[s], 1, NULL);
    Query *q;
    Diag d = {0};
    if (query_parse(v->query.buf ? v->query.buf : "", (SearchMode)v->search_mode, true, &q, &d) !=
        0) {
        say(v, "%s", d.msg);
        return;
    }
    SearchMatch *m;
    size_t n = search_matches(v->ix[s], v->t[s], q, &m);
    search_match_spans(v->ix[s], text_bytes(v->t[s]), 0, m, n);
    query_free(q);
    v->matches = xmalloc((n ? n : 1) * sizeof *v->matches);
    for (size_t i = 0; i < n; i++)
        v->matches[i] = m[i].span;
    free(m);
    v->nmatches = n;
    if (!n) {
        say(v, "not found: %s", v->query.buf);
        return;
    }
    /* the first match at or after the top of the focused pane */
    size_t top = v->top[s];
    v->cur = 0;
    for (size_t i = 0; i < n; i++) {
        const Block *b = &v->blocks[v->para_block[s][para_of(v, s, v->matches[i].start)]];
        if (b->start + b->height > top) {
            v->cur = i;
            break;
        }
    }
    show_match(v);
}

static void step_match(CompareView *v, int dir)
{
    if (!v->nmatches) {
        say(v, v->query.len ? "not found: %s" : "no search yet: / searches the focused pane%s",
            v->query.len ? v->query.buf : "");
        return;
    }
    bool wrapped = false;
    if (dir > 0) {
        wrapped = v->cur + 1 == v->nmatches;
        v->cur = wrapped ? 0 : v->cur + 1;
    } else {
        wrapped = v->cur == 0;
        v->cur = wrapped ? v->nmatches - 1 : v->cur - 1;
    }
    show_match(v);
    if (wrapped)
        say(v, dir > 0 ? "search went on from the top%s" : "search went on from the end%s", "");
}

static void prompt_key(CompareView *v, int key)
{
    if (key == APP_KEY_ESC) {
        v->prompting = false;
        return;
    }
    if (key == APP_KEY_ENTER) {
        v->prompting = false;
        if (v->query.len) run_search(v);
        return;
    }
    if (key == APP_KEY_BACKSPACE || key == 127 || key == 8) {
        while (v->query.len && (v->query.buf[v->query.len - 1] & 0xc0) == 0x80)
            v->query.len--;
        if (v->query.len) v->query.len--;
        if (v->query.buf) v->query.buf[v->query.len] = 0;
        return;
    }
    if (key >= 0x20 && key < 0x110000 && key != 0x7f) strbuf_add_utf8(&v->query, (uint32_t)key);
}

bool compare_view_typing(const CompareView *v)
{
    return v->prompting;
}

void compare_view_set_search_mode(CompareView *v, int mode)
{
    v->search_mode = mode;
}

static const HelpRow help_rows[] = {
    {"j k  Down Up  Enter", "a line down, up (the mouse wheel scrolls too)"},
    {"Space f b  PgDn PgUp", "a page down, up"},
    {"d u", "half a page down, up"},
    {"g G  Home End", "the beginning, the end"},
    {"] [", "the next, previous difference"},
    {"Tab", "focus the other pane"},
    {"L", "unlock scrolling (only the focused pane moves), lock"},
    {"x", "swap the panes"},
    {"z", "fold / unfold identical paragraphs"},
    {"/  n N", "search the focused pane; next, previous match"},
    {"h  F1", "this help"},
    {"q  Esc", "leave the compare view"},
    {NULL, ""},
    {NULL, "Gutter: | same  ~ changed  < only left  > only right  m moved  = folded"},
    {NULL, "Words only on the left are marked in red (underlined without colour), words only "
           "on the right in green (reversed); \xe2\x95\xb1 fills rows where one side has "
           "nothing."},
};
static const char help_title[] = "Compare: two stories side by side, paragraphs paired by content";

static int help_height(const CompareView *v)
{
    return help_draw(NULL, v->cols, 0, 0, help_title, help_rows,
                     sizeof help_rows / sizeof *help_rows);
}

/* On a screen too short for the whole help, the moving keys scroll it and any other key
 * returns; false: the key returns. */
static bool help_scroll(CompareView *v, int key)
{
    int shown = v->rows - 1, most = help_height(v) - shown;
    return most > 0 && key_scroll(key, shown, most, &v->help_top);
}

static void render_help(CompareView *v, Grid *g)
{
    int shown = v->rows - 1;
    HelpStatus st;
    help_status(v->cols, help_height(v), shown, &v->help_top, &st);
    help_draw(g, v->cols, v->help_top, shown, help_title, help_rows,
              sizeof help_rows / sizeof *help_rows);
    grid_fill(g, shown, 0, v->cols, STYLE_STATUS);
    int ww = grid_text_width(st.where);
    grid_put_text(g, shown, v->cols - 1 - ww, st.where, ww, STYLE_STATUS);
    grid_put_text(g, shown, 1, st.hint, v->cols - 3 - ww, STYLE_STATUS);
}

bool compare_view_key(CompareView *v, int key)
{
    v->message[0] = 0;
    if (v->help) {
        if (!help_scroll(v, key)) v->help = false;
        return true;
    }
    if (v->prompting) {
        prompt_key(v, key);
        return true;
    }
    long long page = pane_height(v);
    switch (key) {
    case 'j':
    case APP_KEY_DOWN:
    case APP_KEY_ENTER:
        scroll(v, 1);
        break;
    case 'k':
    case APP_KEY_UP:
        scroll(v, -1);
        break;
    case APP_KEY_WHEEL_DOWN:
        scroll(v, 3);
        break;
    case APP_KEY_WHEEL_UP:
        scroll(v, -3);
        break;
    case ' ':
    case 'f':
    case APP_KEY_PGDN:
        scroll(v, page > 2 ? page - 2 : 1);
        break;
    case 'b':
    case APP_KEY_PGUP:
        scroll(v, -(page > 2 ? page - 2 : 1));
        break;
    case 'd':
        scroll(v, page / 2);
        break;
    case 'u':
        scroll(v, -page / 2);
        break;
    case 'g':
    case APP_KEY_HOME:
        set_top(v, 0);
        break;
    case 'G':
    case APP_KEY_END:
        set_top(v, (long long)max_top(v));
        break;
    case ']':
        jump_difference(v, 1);
        break;
    case '[':
        jump_difference(v, -1);
        break;
    case '\t':
        v->focus = !v->focus;
        say(v, "focus: %s",
            v->stacked ? (v->focus ? "bottom" : "top") : (v->focus ? "right" : "left"));
        break;
    case 'L':
        v->locked = !v->locked;
        if (v->locked) v->top[!v->focus] = v->top[v->focus];
        say(v,
            v->locked ? "scrolling locked%s" : "unlocked: each pane scrolls alone (Tab: focus)%s",
            "");
        break;
    case 'x': {
        Text *t = v->t[0];
        v->t[0] = v->t[1];
        v->t[1] = t;
        Index *ix = v->ix[0];
        v->ix[0] = v->ix[1];
        v->ix[1] = ix;
        clear_search(v);
        v->focus = !v->focus;
        realign(v);
        say(v, "swapped%s", "");
        break;
    }
    case 'z':
        v->folded = !v->folded;
        relayout(v);
        say(v, v->folded ? "identical paragraphs folded (z: unfold)%s" : "unfolded%s", "");
        break;
    case '/':
        v->prompting = true;
        strbuf_reset(&v->query);
        if (v->query.buf) v->query.buf[0] = 0;
        break;
    case 'n':
        step_match(v, 1);
        break;
    case 'N':
        step_match(v, -1);
        break;
    case 'h':
    case APP_KEY_F1:
        v->help = true;
        v->help_top = 0;
        break;
    case 'q':
    case APP_KEY_ESC:
        return false;
    default:
        say(v, "h shows the keys of the compare view%s", "");
    }
    return true;
}

/* --- drawing ------------------------------------------------------------------------------- */

static char gutter_char(const CompareView *v, const Block *b)
{
    if (b->kind == BLOCK_GHOST) return 'm';
    if (b->kind == BLOCK_FOLD) return '=';
    return align_kind_mark(align_rows(v->al)[b->row].kind);
}

static bool in_spans(const Span *s, size_t n, size_t off)
{
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first span ending after off */
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid].end <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && s[lo].start <= off;
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
        const Span *d = diff + (side ? r->diff_b : r->diff_a);
        size_t nd = side ? r->ndiff_b : r->ndiff_a;
        Style dstyle = side ? STYLE_ADDED : STYLE_REMOVED;
        LayoutCellIter it;
        LayoutCell cell;
        layout_cells_begin(&it, bytes, &lines[local].line, &v->lopt);
        while (layout_cells_next(&it, &cell)) {
            Style st = STYLE_TEXT;
            if (side == v->match_side && v->nmatches && in_spans(v->matches, v->nmatches, cell.off))
                st = in_spans(&v->matches[v->cur], 1, cell.off) ? STYLE_CURRENT : STYLE_MATCH;
            else if (nd && in_spans(d, nd, cell.off))
                st = dstyle;
            grid_put(g, y0 + y, x + cell.col, cell.glyph, cell.glyph_len, cell.width, st, cell.off);
        }
    }
    free(lines);
}

static void draw_status(CompareView *v, Grid *g)
{
    int row = v->rows - 1;
    grid_fill(g, row, 0, v->cols, STYLE_STATUS);
    if (v->prompting) {
        Strbuf p = STRBUF_INIT;
        strbuf_addf(&p, "/%s", v->query.buf ? v->query.buf : "");
        grid_put_text(g, row, 0, p.buf, v->cols, STYLE_STATUS);
        strbuf_release(&p);
        return;
    }
    AlignCounts c = align_counts(v->al);
    char right[160];
    int pct = (int)(align_similarity(v->al) * 100 + 0.5);
    /* the left part: a message in full when there is one, else what room the counts leave */
    int want = v->message[0] ? grid_text_width(v->message) : 0;
    for (int form = 0; form < 4; form++) {
        if (form == 0)
            snprintf(right, sizeof right,
                     "%d%% similar  same %zu  changed %zu  added %zu  removed %zu  moved %zu%s",
                     pct, c.same, c.changed, c.only_b, c.only_a, c.moved,
                     v->locked ? "" : "  unlocked");
        else if (form == 1)
            snprintf(right, sizeof right, "%d%%  =%zu ~%zu +%zu -%zu m%zu%s", pct, c.same,
                     c.changed, c.only_b, c.only_a, c.moved, v->locked ? "" : " U");
        else if (form == 2)
            snprintf(right, sizeof right, "%d%%", pct);
        else
            right[0] = 0;
        if (want + grid_text_width(right) + 4 <= v->cols) break;
    }
    int rw = grid_text_width(right);
    int room = v->cols - 2 - (rw ? rw + 2 : 0);
    if (v->message[0]) {
        grid_put_text(g, row, 1, v->message, room, STYLE_MESSAGE);
    } else {
        Strbuf t = STRBUF_INIT;
        strbuf_addf(&t, "%s \xe2\x86\x94 %s", text_title(v->t[0]), text_title(v->t[1]));
        grid_put_text(g, row, 1, t.buf, room, STYLE_STATUS);
        strbuf_release(&t);
    }
    if (rw) grid_put_text(g, row, v->cols - 1 - rw, right, rw, STYLE_STATUS);
}

static void draw_title(CompareView *v, Grid *g, int side, int row, int x, int w)
{
    Strbuf t = STRBUF_INIT;
    strbuf_addf(&t, "%s%s", v->focus == side ? "\xe2\x96\xb8 " : "  ", text_title(v->t[side]));
    grid_put_text(g, row, x, t.buf, w, v->focus == side ? STYLE_TITLE : STYLE_DIM);
    strbuf_release(&t);
}

void compare_view_render(CompareView *v, Grid *g)
{
    if (v->help) {
        render_help(v, g);
        return;
    }
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
        for (int y = 0; y < h; y++) { /* the gutter follows the focused pane */
            size_t line = v->top[v->focus] + (size_t)y;
            if (line >= v->total || !v->nblocks) break;
            const Block *b = &v->blocks[block_at(v, line)];
            if (line - b->start + 1 >= b->height) continue;
            char gc[2] = {gutter_char(v, b), 0};
            bool cur = v->diff_block < v->nblocks && b == &v->blocks[v->diff_block];
            grid_put_text(g, 1 + y, w + 1, gc, 1, cur ? STYLE_CURRENT : STYLE_DIM);
        }
    }
    draw_status(v, g);
}

const char *compare_view_message(const CompareView *v)
{
    return v->message;
}
