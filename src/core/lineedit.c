/* lineedit.c: see lineedit.h. A line is short (a query: at most a few hundred bytes), so the
 * cluster before the cursor is found by walking the clusters from the start of the line: no
 * backward segmentation rules are needed, and the answer is the forward walk's by construction. */
#include "lector/lineedit.h"

#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "lector/grapheme.h"
#include "lector/keys.h"
#include "lector/xalloc.h"

enum {
    CTRL_A = 1,
    CTRL_B = 2,
    CTRL_D = 4,
    CTRL_E = 5,
    CTRL_F = 6,
    CTRL_H = 8,
    CTRL_K = 11,
    CTRL_U = 21,
    CTRL_W = 23
};

void lineedit_init(LineEdit *e, size_t max_len, size_t max_lines)
{
    memset(e, 0, sizeof *e);
    strbuf_init(&e->text);
    strbuf_init(&e->typed);
    e->max_len = max_len;
    e->max_lines = max_lines ? max_lines : 1;
}

void lineedit_release(LineEdit *e)
{
    strbuf_release(&e->text);
    strbuf_release(&e->typed);
    for (size_t i = 0; i < e->nhistory; i++)
        free(e->history[i]);
    free(e->history);
    e->history = NULL;
    e->nhistory = e->hist_pos = e->cursor = 0;
}

const char *lineedit_text(const LineEdit *e)
{
    return e->text.buf;
}

size_t lineedit_len(const LineEdit *e)
{
    return e->text.len;
}

void lineedit_begin(LineEdit *e)
{
    strbuf_reset(&e->text);
    strbuf_reset(&e->typed);
    e->cursor = 0;
    e->hist_pos = e->nhistory;
}

/* The end of the last whole cluster of s that fits in max bytes. */
static size_t fit_clusters(const uint8_t *s, size_t len, size_t max)
{
    size_t at = 0;
    while (at < len) {
        size_t k = grapheme_next(s + at, len - at);
        if (!k || at + k > max) break;
        at += k;
    }
    return at;
}

void lineedit_set(LineEdit *e, const char *s)
{
    strbuf_reset(&e->text);
    size_t n = strlen(s);
    /* valid UTF-8 only: a history line is ours, but a caller's string may be anything */
    const uint8_t *bad = u8_check((const uint8_t *)s, n);
    if (bad) n = (size_t)(bad - (const uint8_t *)s);
    n = fit_clusters((const uint8_t *)s, n, e->max_len);
    strbuf_add(&e->text, s, n);
    e->cursor = e->text.len;
}

/* The start of the cluster that ends at the cursor (the cursor itself at the start). */
static size_t cluster_before(const LineEdit *e, size_t at)
{
    const uint8_t *s = (const uint8_t *)e->text.buf;
    size_t pos = 0, last = 0;
    while (pos < at) {
        last = pos;
        size_t k = grapheme_next(s + pos, e->text.len - pos);
        if (!k) break;
        pos += k;
    }
    return last;
}

static size_t cluster_after(const LineEdit *e, size_t at)
{
    return at + grapheme_next((const uint8_t *)e->text.buf + at, e->text.len - at);
}

/* Removes bytes [a, b) and leaves the cursor at a. */
static LineEditResult cut(LineEdit *e, size_t a, size_t b)
{
    if (a >= b) return LINEEDIT_NONE;
    memmove(e->text.buf + a, e->text.buf + b, e->text.len - b + 1); /* with the NUL */
    e->text.len -= b - a;
    e->cursor = a;
    return LINEEDIT_CHANGED;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* The last cluster boundary at or before byte at. */
static size_t boundary_floor(const LineEdit *e, size_t at)
{
    size_t pos = 0;
    while (pos < at) {
        size_t k = grapheme_next((const uint8_t *)e->text.buf + pos, e->text.len - pos);
        if (!k || pos + k > at) break;
        pos += k;
    }
    return pos;
}

/* C-w: back over spaces, then over the word before them. */
static size_t word_start(const LineEdit *e)
{
    size_t at = e->cursor;
    while (at > 0 && is_space(e->text.buf[at - 1]))
        at--;
    while (at > 0 && !is_space(e->text.buf[at - 1]))
        at--;
    return boundary_floor(e, at);
}

static LineEditResult insert(LineEdit *e, int key)
{
    if (key < 0x20 || key == 0x7f || key >= 0x110000 || (key >= 0xd800 && key <= 0xdfff) ||
        (key >= 0x80 && key < 0xa0))
        return LINEEDIT_NONE;
    uint8_t u[4];
    int n = u8_uctomb(u, (ucs4_t)key, sizeof u);
    if (n <= 0 || e->text.len + (size_t)n > e->max_len) return LINEEDIT_NONE;
    strbuf_grow(&e->text, (size_t)n);
    memmove(e->text.buf + e->cursor + n, e->text.buf + e->cursor, e->text.len - e->cursor + 1);
    memcpy(e->text.buf + e->cursor, u, (size_t)n);
    e->text.len += (size_t)n;
    /* a combining mark joins the cluster before it: the cursor goes past the whole cluster */
    size_t start = cluster_before(e, e->cursor);
    size_t end = start;
    while (end < e->cursor + (size_t)n)
        end = cluster_after(e, end);
    e->cursor = end;
    return LINEEDIT_CHANGED;
}

static LineEditResult history_to(LineEdit *e, size_t pos)
{
    if (pos > e->nhistory || pos == e->hist_pos) return LINEEDIT_NONE;
    if (e->hist_pos == e->nhistory) { /* leaving the line being typed: keep it */
        strbuf_reset(&e->typed);
        strbuf_add(&e->typed, e->text.buf, e->text.len);
    }
    e->hist_pos = pos;
    lineedit_set(e, pos < e->nhistory ? e->history[pos] : e->typed.buf);
    return LINEEDIT_CHANGED;
}

void lineedit_remember(LineEdit *e, const char *s)
{
    if (!*s) return;
    if (e->nhistory && !strcmp(e->history[e->nhistory - 1], s)) return;
    if (e->nhistory == e->max_lines) {
        free(e->history[0]);
        memmove(e->history, e->history + 1, (e->nhistory - 1) * sizeof *e->history);
        e->nhistory--;
    }
    e->history = xreallocarray(e->history, e->nhistory + 1, sizeof *e->history);
    e->history[e->nhistory++] = xstrdup(s);
    e->hist_pos = e->nhistory;
}

LineEditResult lineedit_key(LineEdit *e, int key)
{
    switch (key) {
    case APP_KEY_ENTER:
        lineedit_remember(e, e->text.buf);
        e->hist_pos = e->nhistory;
        return LINEEDIT_ACCEPT;
    case APP_KEY_ESC:
        return LINEEDIT_CANCEL;
    case APP_KEY_BACKSPACE:
    case CTRL_H:
    case 0x7f:
        if (!e->text.len) return LINEEDIT_CANCEL;
        return cut(e, cluster_before(e, e->cursor), e->cursor);
    case APP_KEY_DELETE:
    case CTRL_D:
        return cut(e, e->cursor, cluster_after(e, e->cursor));
    case APP_KEY_LEFT:
    case CTRL_B:
        e->cursor = cluster_before(e, e->cursor);
        return LINEEDIT_NONE;
    case APP_KEY_RIGHT:
    case CTRL_F:
        e->cursor = cluster_after(e, e->cursor);
        return LINEEDIT_NONE;
    case APP_KEY_HOME:
    case CTRL_A:
        e->cursor = 0;
        return LINEEDIT_NONE;
    case APP_KEY_END:
    case CTRL_E:
        e->cursor = e->text.len;
        return LINEEDIT_NONE;
    case CTRL_U:
        return cut(e, 0, e->cursor);
    case CTRL_K:
        return cut(e, e->cursor, e->text.len);
    case CTRL_W:
        return cut(e, word_start(e), e->cursor);
    case APP_KEY_UP:
        return e->hist_pos ? history_to(e, e->hist_pos - 1) : LINEEDIT_NONE;
    case APP_KEY_DOWN:
        return history_to(e, e->hist_pos + 1);
    default:
        return insert(e, key);
    }
}
