/* view.c: the status line and the prompt (see view.h). */
#include "view.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lector/grapheme.h"
#include "lector/strbuf.h"
#include "lector/text.h"

void view_say(ViewContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
}

int view_page_rows(const ViewContext *c)
{
    return c->rows - 1 > 1 ? c->rows - 1 : 1;
}

void view_format_minutes(size_t minutes, char *buf, size_t cap)
{
    if (minutes < 60)
        snprintf(buf, cap, "%zu min", minutes);
    else if (minutes % 60 == 0)
        snprintf(buf, cap, "%zu h", minutes / 60);
    else
        snprintf(buf, cap, "%zu h %zu min", minutes / 60, minutes % 60);
}

bool view_scroll(Command cmd, long count, long long page, long long top, long long bottom,
                 long long *to)
{
    long long n = count > 0 ? count : 1, t = top;
    long long step = page > 2 ? page - 2 : 1, half = page / 2 ? page / 2 : 1;
    switch (cmd) {
    case CMD_DOWN:
    case CMD_UP:
        t += cmd == CMD_DOWN ? n : -n;
        break;
    case CMD_WHEEL_DOWN:
    case CMD_WHEEL_UP:
        t += cmd == CMD_WHEEL_DOWN ? 3 : -3;
        break;
    case CMD_PAGE_DOWN:
    case CMD_PAGE_UP:
        t += (cmd == CMD_PAGE_DOWN ? n : -n) * step;
        break;
    case CMD_HALF_DOWN:
    case CMD_HALF_UP:
        t += (cmd == CMD_HALF_DOWN ? n : -n) * half;
        break;
    case CMD_TOP:
        t = count > 1 ? count - 1 : 0; /* Ng: line N */
        break;
    case CMD_BOTTOM:
        t = bottom;
        break;
    default:
        return false;
    }
    *to = t < 0 ? 0 : t > bottom ? bottom : t;
    return true;
}

bool view_in_spans(const Span *s, size_t n, size_t off)
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

bool view_list_move(Command cmd, long count, size_t page, size_t n, size_t *sel)
{
    long long by = count > 0 ? count : 1, to = (long long)*sel;
    switch (cmd) {
    case CMD_DOWN:
    case CMD_WHEEL_DOWN:
        to += by;
        break;
    case CMD_UP:
    case CMD_WHEEL_UP:
        to -= by;
        break;
    case CMD_PAGE_DOWN:
        to += by * (long long)page;
        break;
    case CMD_PAGE_UP:
        to -= by * (long long)page;
        break;
    case CMD_TOP:
        to = count > 0 ? count - 1 : 0; /* Ng: row N */
        break;
    case CMD_BOTTOM:
        to = (long long)n - 1;
        break;
    default:
        return false;
    }
    if (to >= (long long)n) to = (long long)n - 1;
    if (to < 0) to = 0;
    *sel = (size_t)to;
    return true;
}

/* Columns of s[0, n). */
static int width_of(const char *s, size_t n)
{
    Strbuf b = STRBUF_INIT;
    strbuf_add(&b, s, n);
    int w = grid_text_width(b.buf);
    strbuf_release(&b);
    return w;
}

size_t view_fit_words(const char *s, int width, const char **rest)
{
    size_t n = strlen(s), best = 0;
    if (width_of(s, n) <= width) {
        *rest = s + n;
        return n;
    }
    for (size_t i = 1; i < n; i++) /* the last space before the edge */
        if (s[i] == ' ' && s[i - 1] != ' ') {
            if (width_of(s, i) > width) break;
            best = i;
        }
    if (!best) { /* one word wider than the row: cut it between characters */
        size_t i = 0;
        while (i < n) {
            size_t k = i + 1;
            while (k < n && ((unsigned char)s[k] & 0xc0) == 0x80)
                k++;
            if (width_of(s, k) > width) break;
            i = k;
        }
        best = i ? i : 1;
        while (best < n && ((unsigned char)s[best] & 0xc0) == 0x80)
            best++;
    }
    const char *r = s + best;
    while (*r == ' ')
        r++;
    *rest = r;
    return best;
}

void view_fit_row(const char *s, int width, Strbuf *out)
{
    const char *rest;
    size_t len = view_fit_words(s, width, &rest);
    if (*rest && width > 2) { /* more than fits: end at a space, with "…" */
        strbuf_add(out, s, view_fit_words(s, width - 2, &rest));
        strbuf_addstr(out, " \xe2\x80\xa6");
    } else {
        strbuf_add(out, s, len);
    }
}

/* The message on rows of its own above the status line, wrapped at spaces. */
static void draw_message_rows(const ViewContext *c, Grid *g)
{
    int width = c->cols - 2, most = c->rows - 1 > 1 ? c->rows - 1 : 1;
    int n = 0;
    for (const char *s = c->message; *s && n < 64; n++)
        view_fit_words(s, width, &s);
    int shown = n < most ? n : most, row = c->rows - 1 - shown;
    const char *s = c->message;
    for (int k = 0; k < shown; k++, row++) {
        const char *rest;
        size_t len = view_fit_words(s, width, &rest);
        Strbuf line = STRBUF_INIT;
        if (k + 1 == shown) /* the last row: the rest, cut with "…" when more than fits */
            view_fit_row(s, width, &line);
        else
            strbuf_add(&line, s, len);
        grid_fill(g, row, 0, c->cols, STYLE_MESSAGE);
        grid_put_text(g, row, 1, line.buf, width, STYLE_MESSAGE);
        strbuf_release(&line);
        s = rest;
    }
}

/* Draws s in at most max columns; when it does not fit, cut between characters with "…". */
static int put_cut(Grid *g, int row, int col, const char *s, int max, Style st)
{
    if (max <= 0) return 0;
    if (grid_text_width(s) <= max) return grid_put_text(g, row, col, s, max, st);
    int used = grid_put_text(g, row, col, s, max - 1, st);
    return used + grid_put_text(g, row, col + used, "\xe2\x80\xa6", 1, st);
}

void view_draw_status_forms(const ViewContext *c, Grid *g, const char *left,
                            const char *const *rights, int nrights)
{
    enum { MIN_LEFT = 12 }; /* columns of a title worth showing */
    int row = c->rows - 1, cols = c->cols;
    grid_fill(g, row, 0, cols, STYLE_STATUS);
    int lw = grid_text_width(left), mw = c->message[0] ? grid_text_width(c->message) : 0;
    int want_left = lw < MIN_LEFT ? lw : MIN_LEFT, gap = lw && mw ? 3 : 0;
    int form = -1, rw = 0;
    bool beside = false;
    /* the longest right part that leaves room for the left and the message beside it; else,
     * the message on rows of its own, the longest that leaves room for the left (not the
     * shortest: "match 3 of 17" went with the message to a row of its own) */
    for (int pass = mw ? 0 : 1; pass < 2 && form < 0; pass++)
        for (int i = 0; i < nrights; i++) {
            int w = grid_text_width(rights[i]);
            if (want_left + (pass ? 0 : gap + mw) <= cols - 2 - (w ? w + 2 : 0)) {
                form = i;
                beside = !pass;
                break;
            }
        }
    if (form < 0) form = nrights - 1;
    rw = nrights ? grid_text_width(rights[form]) : 0;
    if (rw > cols - 2) rw = 0;
    int room = cols - 2 - (rw ? rw + 2 : 0);
    int lroom = beside ? room - gap - mw : room;
    int used = put_cut(g, row, 1, left, lw < lroom ? lw : lroom, STYLE_STATUS);
    if (beside)
        grid_put_text(g, row, 1 + used + gap, c->message, mw, STYLE_MESSAGE);
    else if (mw)
        draw_message_rows(c, g);
    if (rw) grid_put_text(g, row, cols - 1 - rw, rights[form], rw, STYLE_STATUS);
}

void view_draw_status(const ViewContext *c, Grid *g, const char *left, const char *right)
{
    view_draw_status_forms(c, g, left, &right, 1);
}

void view_draw_prompt(const ViewContext *c, Grid *g, const char *lead, const LineEdit *e,
                      const char *right)
{
    int row = c->rows - 1;
    grid_fill(g, row, 0, c->cols, STYLE_STATUS);
    int rw = right ? grid_text_width(right) : 0;
    if (rw + 4 >= c->cols / 2) rw = 0;
    int room = c->cols - 2 - (rw ? rw + 2 : 0);
    /* what is before the cursor, escaped, then the rest: a long line shows the part around the
     * cursor, its start cut */
    Strbuf before = STRBUF_INIT, after = STRBUF_INIT;
    strbuf_addstr(&before, lead);
    text_escape(e->text.buf, e->cursor, &before);
    text_escape(e->text.buf + e->cursor, e->text.len - e->cursor, &after);
    const char *from = before.buf;
    while (*from && grid_text_width(from) > room - 1) {
        from++;
        while (((unsigned char)*from & 0xc0) == 0x80)
            from++;
    }
    int x = 1 + grid_put_text(g, row, 1, from, room - 1, STYLE_STATUS);
    /* the cursor: the cluster under it reversed, or a reversed space at the end */
    const char *under = after.buf;
    size_t ulen = grapheme_next((const uint8_t *)under, after.len);
    Strbuf cur = STRBUF_INIT;
    if (ulen)
        strbuf_add(&cur, under, ulen);
    else
        strbuf_addch(&cur, ' ');
    int cw = grid_put_text(g, row, x, cur.buf, 1 + room - x, STYLE_CURRENT);
    grid_put_text(g, row, x + cw, after.buf + ulen, 1 + room - x - cw, STYLE_STATUS);
    strbuf_release(&cur);
    strbuf_release(&before);
    strbuf_release(&after);
    if (rw) grid_put_text(g, row, c->cols - 1 - rw, right, rw, STYLE_STATUS);
}

const char *view_file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}
