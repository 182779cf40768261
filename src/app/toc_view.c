/* toc_view.c: see toc_view.h. */
#include "toc_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lector/strbuf.h"
#include "lector/xalloc.h"

struct TocView {
    const Text *t; /* borrowed from the reader */
    size_t sel, top;
    int furthest;
};

TocView *toc_view_new(const Text *t, size_t at, int furthest)
{
    TocView *v = xcalloc(1, sizeof *v);
    v->t = t;
    v->furthest = furthest;
    size_t cur = text_chapter_at(t, at);
    v->sel = cur == SIZE_MAX ? 0 : cur;
    return v;
}

void toc_view_free(TocView *v)
{
    free(v);
}

static size_t rows_shown(const ViewContext *c)
{
    int r = view_page_rows(c) - 1; /* one header row */
    return r < 1 ? 1 : (size_t)r;
}

ViewAction toc_view_command(TocView *v, ViewContext *c, Command cmd, long count)
{
    size_t n = text_chapter_count(v->t);
    if (view_list_move(cmd, count, rows_shown(c), n, &v->sel)) return VIEW_NONE;
    switch (cmd) {
    case CMD_OPEN:
        if (v->sel >= n) break;
        return (ViewAction){ACT_JUMP, 0, 0, text_chapter(v->t, v->sel).offset, PROMPT_SEARCH};
    case CMD_HELP:
        return (ViewAction){ACT_HELP, 0, 0, 0, PROMPT_SEARCH};
    case CMD_QUIT:
        return (ViewAction){ACT_LEAVE, 0, 0, 0, PROMPT_SEARCH};
    default:
        view_say(c, "Enter goes to the chapter, q back to the story, h shows the keys");
    }
    return VIEW_NONE;
}

ViewAction toc_view_click(TocView *v, ViewContext *c, int row)
{
    if (row < 1 || (size_t)row > rows_shown(c) ||
        v->top + (size_t)row - 1 >= text_chapter_count(v->t))
        return VIEW_NONE;
    v->sel = v->top + (size_t)row - 1;
    return toc_view_command(v, c, CMD_OPEN, -1);
}

/* How much of chapter i has been read, in percent: the part of its bytes before the furthest
 * place read. */
static int share_read(const TocView *v, size_t i)
{
    size_t len = text_len(v->t);
    if (v->furthest < 0 || !len) return 0;
    size_t start = text_chapter(v->t, i).offset;
    size_t end = i + 1 < text_chapter_count(v->t) ? text_chapter(v->t, i + 1).offset : len;
    size_t read = (size_t)((double)len * v->furthest / 100.0);
    if (read <= start) return 0;
    if (read >= end || end == start) return 100;
    return (int)((read - start) * 100 / (end - start));
}

void toc_view_render(TocView *v, ViewContext *c, Grid *g)
{
    size_t n = text_chapter_count(v->t), prow = rows_shown(c);
    if (v->sel >= n && n) v->sel = n - 1;
    if (v->sel < v->top) v->top = v->sel;
    if (v->sel >= v->top + prow) v->top = v->sel - prow + 1;
    Strbuf head = STRBUF_INIT;
    strbuf_addf(&head, "Contents: ");
    text_escape(text_title(v->t), strlen(text_title(v->t)), &head);
    grid_put_text(g, 0, 1, head.buf, c->cols - 2, STYLE_TITLE);
    strbuf_release(&head);
    if (!n)
        grid_put_text(g, 2, 2,
                      "no chapters: this story has no table of contents, and no headings "
                      "were found in it",
                      c->cols - 4, STYLE_DIM);
    size_t len = text_len(v->t);
    for (size_t r = 0; r < prow && v->top + r < n; r++) {
        size_t i = v->top + r;
        Chapter ch = text_chapter(v->t, i);
        int y = 1 + (int)r;
        bool sel = i == v->sel;
        Style st = sel ? STYLE_SELECTED : STYLE_TEXT;
        if (sel) grid_fill(g, y, 0, c->cols, st);
        char right[48];
        int read = share_read(v, i);
        int at = len ? (int)((double)ch.offset * 100.0 / (double)len) : 0;
        if (read >= 100)
            snprintf(right, sizeof right, "read  %3d%%", at);
        else if (read > 0)
            snprintf(right, sizeof right, "%d%% read  %3d%%", read, at);
        else
            snprintf(right, sizeof right, "%3d%%", at);
        int rw = grid_text_width(right);
        int indent = 1 + 2 * (ch.level - 1 < 6 ? ch.level - 1 : 6);
        int room = c->cols - indent - rw - 3;
        if (room > 4) grid_put_text(g, y, indent, ch.title, room, st);
        grid_put_text(g, y, c->cols - 1 - rw, right, rw, sel ? st : STYLE_DIM);
    }
    char where[64] = "";
    if (n) snprintf(where, sizeof where, "chapter %zu of %zu", v->sel + 1, n);
    view_draw_status(c, g, "Enter go there  q back  h keys", where);
}
