/* pager.c: rows over paragraphs.
 *
 * Data model: a place is (paragraph, line). Lines come from a small cache of laid-out paragraphs
 * (CACHE_SLOTS, least recently used replaced), so memory does not grow with the story beyond one
 * uint32 per paragraph once rows are counted. Moving by a row steps through lines, then the gap
 * row, then the next paragraph. The last page's top (the furthest the top may go) is found by
 * walking back from the end and is kept until the width or page height changes.
 *
 * A place far past what is loaded of a story still being read (its end, by G; a search's match,
 * a jump) is shown from a *window*: about 256 KiB of the file around it, a small complete Text
 * of its own (text_open_window, text_open_tail), whose offsets plus base are the story's. Rows
 * are over the window until a step leaves it (up past its first row, or down past its last when
 * it does not end where the story does) or the story is read: then the story is loaded up to
 * there and the rows are over it again, the top and the row being stepped from kept on the same
 * words (leave_window).
 */
#include "lector/pager.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lector/xalloc.h"

enum {
    CACHE_SLOTS = 64,
    /* bytes past what is loaded beyond which a place is shown from a window rather than by
     * loading up to it (16 MiB load in about 8 ms) */
    WINDOW_AHEAD = 16 << 20,
};

typedef struct {
    size_t para;       /* SIZE_MAX: empty slot */
    LayoutLine *lines; /* owned */
    size_t n;
    unsigned long used; /* for LRU */
} CacheSlot;

struct Pager {
    Text *text;   /* what the rows are over: the story, or window; internal offsets are in it */
    Text *story;  /* loaded further as rows are asked for */
    Text *window; /* owned; NULL unless a place far past what was loaded is shown (see above) */
    bool to_end;  /* the window ends where the story does (G's) */
    size_t base;  /* the story's offset of the window's first byte; 0 without a window */
    unsigned long left; /* windows left so far: a walk of rows that left one starts again */
    LayoutOptions opt;
    PagerPos top;
    size_t anchor; /* byte the reader is at: moved by reading, never by a new width, so that
                      resizing back and forth returns to the same view */
    CacheSlot cache[CACHE_SLOTS];
    unsigned long tick;
    uint32_t *counts;  /* line count per paragraph, filled by pager_count_step; owned */
    size_t counted;    /* paragraphs counted so far */
    size_t *prefix;    /* rows before each paragraph, once all are counted; owned */
    PagerPos last_top; /* cached top of the last page */
    int last_top_rows; /* the page height it was computed for; 0: none */
    bool cut_seen;     /* the story's file was found cut short (text_shrank): layouts redone */
};

static void cache_clear(Pager *p)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(p->cache[i].lines);
        p->cache[i] = (CacheSlot){SIZE_MAX, NULL, 0, 0};
    }
}

static void counts_clear(Pager *p)
{
    free(p->prefix);
    p->prefix = NULL;
    p->counted = 0;
    p->last_top_rows = 0;
}

Pager *pager_new(Text *t, const LayoutOptions *opt)
{
    Pager *p = xcalloc(1, sizeof *p);
    p->text = p->story = t;
    p->opt = *opt;
    for (int i = 0; i < CACHE_SLOTS; i++)
        p->cache[i].para = SIZE_MAX;
    return p;
}

void pager_free(Pager *p)
{
    if (!p) return;
    cache_clear(p);
    free(p->counts);
    free(p->prefix);
    text_free(p->window);
    free(p);
}

static size_t npara(const Pager *p)
{
    return text_paragraph_count(p->text);
}

/* Paragraph i exists (loading the story up to it). */
static bool have(Pager *p, size_t i)
{
    return i < npara(p) || text_paragraph_ready(p->text, i);
}

/* A gap row comes before paragraph i: it starts a paragraph, not a piece of one. */
static bool gap_before(Pager *p, size_t i)
{
    return !text_paragraph_joined(p->text, i);
}

/* A file cut short while mapped reads as NUL bytes from the cut on (text_shrank): the
 * paragraphs there lay out otherwise than their text did, so the lines and counts made before
 * are dropped, once, and made again over what is there now. */
static void notice_cut(Pager *p)
{
    if (p->cut_seen || !text_shrank(p->story)) return;
    p->cut_seen = true;
    cache_clear(p);
    counts_clear(p);
    free(p->counts);
    p->counts = NULL;
}

/* The lines of paragraph i, laid out on demand. Borrowed until the next call. */
static const CacheSlot *lines_of(Pager *p, size_t i)
{
    notice_cut(p);
    CacheSlot *victim = &p->cache[0];
    for (int k = 0; k < CACHE_SLOTS; k++) {
        CacheSlot *s = &p->cache[k];
        if (s->para == i) {
            s->used = ++p->tick;
            return s;
        }
        if (s->used < victim->used) victim = s;
    }
    free(victim->lines);
    victim->para = i;
    victim->n = layout_wrap_paragraph(text_bytes(p->text), text_paragraph(p->text, i), &p->opt,
                                      &victim->lines);
    victim->used = ++p->tick;
    return victim;
}

static size_t nlines(Pager *p, size_t i)
{
    return lines_of(p, i)->n;
}

static int pos_cmp(PagerPos a, PagerPos b)
{
    if (a.para != b.para) return a.para < b.para ? -1 : 1;
    return a.line < b.line ? -1 : a.line > b.line;
}

static void leave_window(Pager *p, PagerPos *pos);

/* pos on a row of its paragraph as laid out now: a place kept from before its bytes changed
 * (a file cut short or rewritten while mapped) may be past its last line; then its last line. */
static void fit_row(Pager *p, PagerPos *pos)
{
    size_t lines = nlines(p, pos->para);
    if (pos->line > lines || (pos->line == lines && lines && !have(p, pos->para + 1)))
        pos->line = lines ? lines - 1 : 0;
}

/* One row forward or back; false at the ends. */
static bool step(Pager *p, PagerPos *pos, int dir)
{
    if (!have(p, 0)) return false;
    fit_row(p, pos);
    if (dir > 0) {
        size_t lines = nlines(p, pos->para);
        if (pos->line + 1 < lines) {
            pos->line++;
        } else if (pos->line + 1 == lines && have(p, pos->para + 1)) {
            if (gap_before(p, pos->para + 1)) {
                pos->line = lines; /* the gap row */
            } else {
                pos->para++;
                pos->line = 0;
            }
        } else if (pos->line == lines && have(p, pos->para + 1)) {
            pos->para++;
            pos->line = 0;
        } else if (p->window && !p->to_end) { /* the window's last row: on in the story */
            leave_window(p, pos);
            return step(p, pos, 1);
        } else {
            return false;
        }
        return true;
    }
    if (pos->line > 0) {
        pos->line--;
        return true;
    }
    if (pos->para == 0) return false; /* a window's too: see pager_scroll */
    bool gap = gap_before(p, pos->para);
    pos->para--;
    pos->line = nlines(p, pos->para); /* the gap after it */
    if (!gap) pos->line--;            /* or its last line, for a piece */
    return true;
}

static PagerPos last_row(Pager *p)
{
    text_load_all(p->text);
    size_t n = npara(p);
    if (n == 0) return (PagerPos){0, 0};
    size_t lines = nlines(p, n - 1);
    return (PagerPos){n - 1, lines ? lines - 1 : 0};
}

static PagerPos last_top(Pager *p, int page_rows)
{
    if (p->last_top_rows == page_rows) return p->last_top;
    PagerPos pos = last_row(p);
    for (int k = 1; k < page_rows && step(p, &pos, -1); k++) {
    }
    p->last_top = pos;
    p->last_top_rows = page_rows;
    return pos;
}

static size_t top_offset(const Pager *p);
static size_t pos_offset(const Pager *p, PagerPos pos);
static bool top_rows(Pager *p, int page_rows, size_t *top, size_t *last_top);
static void go_row(Pager *p, size_t row);

/* The top row moved by reading: the anchor follows it. */
static void moved(Pager *p)
{
    p->anchor = top_offset(p);
}

/* Puts the row holding off on top, leaving the anchor alone. */
static void place(Pager *p, size_t off);

static void drop_window(Pager *p);

/* The row of the story that is line `line` of the paragraph starting at para_start (a window's
 * row, its offsets made the story's; the row's own first byte is row_off): the same paragraph
 * there, as both start at a paragraph start, laid out alike; else (G's tail, begun at a line
 * end inside a paragraph) the row holding row_off. */
static PagerPos story_row(Pager *p, size_t para_start, size_t line, size_t row_off)
{
    text_load_until(p->story, para_start);
    size_t i = text_paragraph_at(p->story, para_start);
    if (text_paragraph_ready(p->story, i) && text_paragraph(p->story, i).start == para_start) {
        size_t n = nlines(p, i);
        /* the gap row after it only where the story has one */
        if (line >= n) line = have(p, i + 1) && gap_before(p, i + 1) ? n : (n ? n - 1 : 0);
        return (PagerPos){i, line};
    }
    PagerPos keep = p->top;
    place(p, row_off);
    PagerPos at = p->top;
    p->top = keep;
    return at;
}

/* Back to the story from the window, loading it up to there: the top row and *pos (a row being
 * stepped from; may be the top, or NULL) stay on the same words, as offsets in the story
 * (window offsets plus base while the story is clean as read up to there). If reading it found
 * bytes to clean, those offsets moved: the end of the story is then the honest place for G's
 * window, and for another the offset it had, near its words. */
static void leave_window(Pager *p, PagerPos *pos)
{
    size_t top_start = p->base + text_paragraph(p->text, p->top.para).start, top_line = p->top.line;
    size_t top_off = p->base + pos_offset(p, p->top);
    size_t pos_start = pos ? p->base + text_paragraph(p->text, pos->para).start : 0;
    size_t pos_off = pos ? p->base + pos_offset(p, *pos) : 0;
    size_t pos_line = pos ? pos->line : 0, anchor = p->base + p->anchor;
    bool to_end = p->to_end;
    drop_window(p);
    p->left++;
    text_load_until(p->story, top_start > pos_start ? top_start : pos_start);
    if (!text_clean_as_read(p->story)) {
        size_t off = to_end ? SIZE_MAX : anchor;
        place(p, off);
        p->anchor = off == SIZE_MAX ? pager_top_offset(p) : off;
        if (pos) *pos = p->top;
        return;
    }
    PagerPos top = story_row(p, top_start, top_line, top_off);
    if (pos) *pos = story_row(p, pos_start, pos_line, pos_off);
    p->top = top;
    p->anchor = anchor;
}

/* Drops the window for a place that is not in it. */
static void drop_window(Pager *p)
{
    if (!p->window) return;
    text_free(p->window);
    p->window = NULL;
    p->text = p->story;
    p->base = 0;
    cache_clear(p);
    counts_clear(p);
}

/* Shows the rows over window w (owned from now) whose first byte is the story's byte base. */
static void enter_window(Pager *p, Text *w, size_t base, bool to_end)
{
    drop_window(p);
    cache_clear(p);
    counts_clear(p);
    p->window = p->text = w;
    p->base = base;
    p->to_end = to_end;
}

void pager_set_width(Pager *p, int width)
{
    LayoutOptions opt = p->opt;
    opt.width = width;
    pager_set_options(p, &opt);
}

void pager_set_options(Pager *p, const LayoutOptions *opt)
{
    p->opt = *opt;
    cache_clear(p);
    counts_clear(p);
    free(p->counts);
    p->counts = NULL;
    place(p, p->anchor);
}

int pager_width(const Pager *p)
{
    return p->opt.width;
}
PagerPos pager_top(const Pager *p)
{
    return p->top;
}

/* Row pos's first byte, in p->text. */
static size_t pos_offset(const Pager *p, PagerPos pos)
{
    if (npara(p) == 0) return 0;
    Pager *mp = (Pager *)p; /* the cache is not part of the observable state */
    const CacheSlot *s = lines_of(mp, pos.para);
    if (pos.line < s->n) return s->lines[pos.line].start;
    /* a gap row: anchor on the next paragraph */
    if (pos.para + 1 < npara(p)) return text_paragraph(p->text, pos.para + 1).start;
    return text_paragraph(p->text, pos.para).end;
}

/* The top row's first byte, in p->text. */
static size_t top_offset(const Pager *p)
{
    return pos_offset(p, p->top);
}

size_t pager_top_offset(const Pager *p)
{
    return p->base + top_offset(p);
}

void pager_set_top_offset(Pager *p, size_t off)
{
    if (p->window) {
        if (off >= p->base && off - p->base < text_len(p->window)) {
            place(p, off - p->base);
            p->anchor = off - p->base;
            return;
        }
        drop_window(p);
    }
    /* far past what is loaded: from a window, as less shows a place without reading up to it */
    size_t base;
    bool to_end;
    Text *w = !text_complete(p->story) && off > text_len(p->story) &&
                      off - text_len(p->story) > WINDOW_AHEAD
                  ? text_open_window(p->story, off, &base, &to_end)
                  : NULL;
    if (w) {
        enter_window(p, w, base, to_end);
        off -= base;
    }
    place(p, off);
    p->anchor = off;
}

const uint8_t *pager_bytes(const Pager *p, size_t *base)
{
    *base = p->base;
    return text_bytes(p->text);
}

Span pager_paragraph(const Pager *p, size_t para)
{
    return text_paragraph(p->text, para);
}

static void place(Pager *p, size_t off)
{
    text_load_until(p->text, off);
    size_t n = npara(p);
    if (n == 0) {
        p->top = (PagerPos){0, 0};
        return;
    }
    size_t i = text_paragraph_at(p->text, off);
    if (i >= n) {
        p->top = last_row(p);
        return;
    }
    Span sp = text_paragraph(p->text, i);
    if (off < sp.start) { /* in the gap before paragraph i */
        p->top = (PagerPos){i, 0};
        return;
    }
    const CacheSlot *s = lines_of(p, i);
    size_t line = 0;
    while (line + 1 < s->n && s->lines[line + 1].start <= off)
        line++;
    p->top = (PagerPos){i, line};
}

long pager_scroll(Pager *p, long rows, int page_rows)
{
    long n = 0;
    if (rows > 0) {
        /* The top may move while the page's bottom row can: the last page stays full. Walking
         * the bottom row, not measuring from the end, loads a long story only as far as read. */
        PagerPos bottom = p->top;
        for (int k = 1; k < page_rows && step(p, &bottom, 1); k++) {
        }
        while (n < rows && step(p, &bottom, 1) && step(p, &p->top, 1))
            n++;
    } else {
        while (n > rows && step(p, &p->top, -1))
            n--;
        /* above a window: the story, read up to here (only here: G's walk back from the end
         * of a tail shorter than a page must not read a 16 GB story to its start) */
        if (n > rows && p->window && pos_cmp(p->top, (PagerPos){0, 0}) == 0) {
            leave_window(p, NULL);
            while (n > rows && step(p, &p->top, -1))
                n--;
        }
    }
    if (n) moved(p);
    return n;
}

long pager_turn_pages(Pager *p, long pages, int page_rows)
{
    long n = 0;
    for (long k = 0; k < pages; k++) {
        PagerPos to = p->top;
        int r = 0;
        while (r < page_rows && step(p, &to, 1))
            r++;
        if (r < page_rows) break; /* no row a page down: this is the last page */
        p->top = to;
        n += r;
    }
    if (n) moved(p);
    return n;
}

void pager_go_first(Pager *p)
{
    drop_window(p);
    p->top = (PagerPos){0, 0};
    moved(p);
}

void pager_go_last(Pager *p, int page_rows)
{
    /* Still reading a long story: show its end from the file's end, as less does, rather than
     * wait for the rest. The tail is left for the story once that is read (pager_count_step). */
    if (p->window && !p->to_end) drop_window(p);
    size_t base;
    Text *tail = p->window || text_complete(p->story) ? NULL : text_open_tail(p->story, &base);
    if (tail) enter_window(p, tail, base, true);
    p->top = last_top(p, page_rows);
    moved(p);
}

void pager_go_percent(Pager *p, double percent, int page_rows)
{
    if (percent < 0) percent = 0;
    if (percent > 100) percent = 100;
    drop_window(p);
    size_t top, last;
    if (top_rows(p, page_rows, &top, &last)) { /* the row pager_top_percent calls N% */
        size_t row = (size_t)((double)last * percent / 100.0);
        if ((double)row * 100.0 < (double)last * percent) row++;
        go_row(p, row > last ? last : row);
        return;
    }
    size_t len = text_len_estimate(p->text);
    size_t target = (size_t)((double)len * percent / 100.0);
    if ((double)target * 100.0 < (double)len * percent) target++; /* round up: shows N, not N-1 */
    pager_set_top_offset(p, target);
    if (pager_top_offset(p) < target) { /* the row holding it starts before: the next row */
        PagerPos next = p->top;
        if (step(p, &next, 1)) {
            p->top = next;
            moved(p);
        }
    }
    PagerPos bottom = p->top;
    int k = 1;
    while (k < page_rows && step(p, &bottom, 1))
        k++;
    if (k < page_rows) { /* the end is on this page: show a full last page */
        PagerPos limit = last_top(p, page_rows);
        if (pos_cmp(p->top, limit) > 0) {
            p->top = limit;
            moved(p);
        }
    }
}

int pager_rows(Pager *p, int n, PagerRow *rows)
{
    if (npara(p) == 0) return 0;
    fit_row(p, &p->top);
    unsigned long left = p->left;
    PagerPos pos = p->top;
    int k = 0;
    while (k < n) {
        const CacheSlot *s = lines_of(p, pos.para);
        if (pos.line < s->n)
            rows[k] = (PagerRow){0, pos.para, s->lines[pos.line]};
        else
            rows[k] = (PagerRow){1, pos.para, {0, 0, 0, 0}};
        k++;
        if (k == n) break; /* no step past the last row (it would leave a window early) */
        bool more = step(p, &pos, 1);
        if (p->left != left) { /* the step left a window: the rows so far were its own */
            left = p->left;
            pos = p->top;
            k = 0;
            continue;
        }
        if (!more) break;
    }
    return k;
}

/* A row follows pos: a step from it would succeed (a window that does not end where the story
 * does has one after its last: known without leaving it, which would move the rows the caller
 * holds, pos among them, into the story). */
static bool row_after(Pager *p, PagerPos pos)
{
    if (p->window && !p->to_end && pos.para + 1 >= npara(p)) {
        size_t n = nlines(p, pos.para);
        if (pos.line + 1 >= n) return true;
    }
    return step(p, &pos, 1);
}

int pager_percent(Pager *p, int page_rows)
{
    size_t len = text_len_estimate(p->story);
    if (len == 0 || !have(p, 0)) return 100;
    PagerPos pos = p->top; /* moved into the story by a step that leaves a window */
    for (int k = 1; k < page_rows && step(p, &pos, 1); k++) {
    }
    if (!row_after(p, pos)) return 100; /* the last row is on this page */
    const CacheSlot *s = lines_of(p, pos.para);
    size_t end = pos.line < s->n ? s->lines[pos.line].end : text_paragraph(p->text, pos.para).end;
    return (int)((double)(p->base + end) * 100.0 / (double)len);
}

/* The last row is on the page of page_rows from the top. */
static bool end_on_page(Pager *p, int page_rows)
{
    PagerPos pos = p->top;
    for (int k = 1; k < page_rows && step(p, &pos, 1); k++) {
    }
    return !row_after(p, pos);
}

/* Once the rows are counted: the top row and the furthest the top can go (0: the story fits). */
static bool top_rows(Pager *p, int page_rows, size_t *top, size_t *last_top)
{
    size_t total;
    if (page_rows < 1 || !pager_row_index(p, top, &total)) return false;
    *last_top = total > (size_t)page_rows ? total - (size_t)page_rows : 0;
    return true;
}

int pager_top_percent(Pager *p, int page_rows)
{
    size_t top, last;
    if (top_rows(p, page_rows, &top, &last)) /* by rows, as the page is */
        return !last || top >= last ? 100 : (int)((double)top * 100.0 / (double)last);
    size_t len = text_len_estimate(p->story);
    if (len == 0 || !have(p, 0) || end_on_page(p, page_rows)) return 100;
    int pct = (int)((double)pager_top_offset(p) * 100.0 / (double)len);
    return pct > 99 ? 99 : pct;
}

bool pager_page(Pager *p, int page_rows, size_t *page, size_t *pages)
{
    size_t top, last;
    if (!top_rows(p, page_rows, &top, &last)) return false;
    if (!last) {
        *page = *pages = 1;
        return true;
    }
    /* about a page of rows per page, the first at the top and the last at the end, the top row
     * placed between them as the percent places it: one row off either end keeps its page */
    size_t rows = (size_t)page_rows, n = (last + rows / 2) / rows + 1;
    if (n < 2) n = 2;
    if (top > last) top = last;
    *pages = n;
    *page = 1 + (size_t)((double)top * (double)(n - 1) / (double)last + 0.5);
    return true;
}

/* Puts row `row` (as pager_row_index counts them) on top. */
static void go_row(Pager *p, size_t row)
{
    size_t n = npara(p), lo = 0, hi = n;
    while (hi - lo > 1) { /* the last paragraph starting at or before row */
        size_t mid = lo + (hi - lo) / 2;
        if (p->prefix[mid] <= row)
            lo = mid;
        else
            hi = mid;
    }
    PagerPos pos = {lo, row - p->prefix[lo]};
    size_t lines = p->counts[lo] + (lo + 1 < n && gap_before(p, lo + 1));
    if (pos.line >= lines) pos.line = lines ? lines - 1 : 0;
    p->top = pos;
    moved(p);
}

bool pager_count_step(Pager *p, size_t budget)
{
    notice_cut(p);
    if (!text_complete(p->story)) { /* rows are counted over the whole story */
        text_load_step(p->story);
        return false;
    }
    if (p->window) leave_window(p, NULL);
    size_t n = npara(p);
    if (!p->counts) p->counts = xcalloc(n + 1, sizeof *p->counts);
    size_t first = p->counted;
    while (p->counted < n && budget-- > 0) {
        LayoutCursor c;
        LayoutLine line;
        uint32_t k = 0;
        layout_cursor_init(&c, text_bytes(p->text), text_paragraph(p->text, p->counted), &p->opt);
        while (layout_cursor_next(&c, &line))
            k++;
        p->counts[p->counted++] = k;
    }
    if (p->counted > first) /* laid out once to be counted: not held (text_release) */
        text_release(p->text, text_paragraph(p->text, first).start,
                     text_paragraph(p->text, p->counted - 1).end);
    if (p->counted < n) return false;
    if (!p->prefix) {
        p->prefix = xmalloc((n + 1) * sizeof *p->prefix);
        size_t rows = 0;
        for (size_t i = 0; i < n; i++) {
            p->prefix[i] = rows;
            rows += p->counts[i] + (i + 1 < n && gap_before(p, i + 1)); /* gaps between */
        }
        p->prefix[n] = rows;
    }
    return true;
}

bool pager_row_index(Pager *p, size_t *top_row, size_t *total_rows)
{
    notice_cut(p);
    if (!p->prefix) return false;
    *top_row = p->prefix[p->top.para] + p->top.line;
    *total_rows = p->prefix[npara(p)];
    return true;
}
