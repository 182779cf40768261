/* results_view.c: see results_view.h. */
#include "results_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/xalloc.h"

struct ResultsView {
    LibraryResult r; /* owned */
    char *query;     /* owned */
    char **names;    /* owned, one a hit: its story's title, with its file's name when another
                        story of the hits has that title ("Draft (draft.txt)"), as compare does */
    size_t sel, top;
};

ResultsView *results_view_new(LibraryResult *r, const char *query, const char *const *paths,
                              size_t npaths)
{
    ResultsView *v = xcalloc(1, sizeof *v);
    v->r = *r;
    memset(r, 0, sizeof *r);
    v->query = xstrdup(query);
    v->names = xcalloc(v->r.nhits ? v->r.nhits : 1, sizeof *v->names);
    for (size_t i = 0; i < v->r.nhits; i++) {
        const LibraryHit *h = &v->r.hits[i];
        const char *title = h->title ? h->title : "";
        bool shared = false; /* the hits are a limit's few: each against the others will do */
        for (size_t j = 0; j < v->r.nhits && !shared; j++)
            shared = v->r.hits[j].story != h->story && v->r.hits[j].title &&
                     !strcmp(v->r.hits[j].title, title);
        Strbuf name = STRBUF_INIT;
        strbuf_addstr(&name, title);
        if (shared && h->story < npaths) { /* the name escaped: it is the user's, any bytes */
            strbuf_addstr(&name, " (");
            const char *file = view_file_name(paths[h->story]);
            text_escape(file, strlen(file), &name);
            strbuf_addch(&name, ')');
        }
        v->names[i] = strbuf_detach(&name, NULL);
    }
    return v;
}

void results_view_free(ResultsView *v)
{
    if (!v) return;
    for (size_t i = 0; i < v->r.nhits; i++)
        free(v->names[i]);
    free(v->names);
    library_result_release(&v->r);
    free(v->query);
    free(v);
}

const char *results_view_query(const ResultsView *v)
{
    return v->query;
}

static size_t rows_shown(const ViewContext *c)
{
    int r = view_page_rows(c) - 1; /* one header row */
    return r < 1 ? 1 : (size_t)r;
}

ViewAction results_view_command(ResultsView *v, ViewContext *c, Command cmd, long count)
{
    if (view_list_move(cmd, count, rows_shown(c), v->r.nhits, &v->sel)) return VIEW_NONE;
    switch (cmd) {
    case CMD_OPEN:
        if (v->sel >= v->r.nhits) break;
        return (ViewAction){ACT_OPEN, v->r.hits[v->sel].story, 0, v->r.hits[v->sel].span.start,
                            PROMPT_SEARCH};
    case CMD_SEARCH_ALL:
        return (ViewAction){ACT_PROMPT, 0, 0, 0, PROMPT_LIBRARY};
    case CMD_HELP:
        return (ViewAction){ACT_HELP, 0, 0, 0, PROMPT_SEARCH};
    case CMD_QUIT:
        return (ViewAction){ACT_LEAVE, 0, 0, 0, PROMPT_SEARCH};
    default:
        view_say(c, "Enter opens the hit, q goes back, s searches again, h shows the keys");
    }
    return VIEW_NONE;
}

ViewAction results_view_click(ResultsView *v, ViewContext *c, int row)
{
    if (row < 1 || (size_t)row > rows_shown(c) || v->top + (size_t)row - 1 >= v->r.nhits)
        return VIEW_NONE;
    v->sel = v->top + (size_t)row - 1;
    return results_view_command(v, c, CMD_OPEN, -1);
}

void results_view_render(ResultsView *v, ViewContext *c, Grid *g)
{
    size_t prow = rows_shown(c);
    if (v->sel < v->top) v->top = v->sel;
    if (v->sel >= v->top + prow) v->top = v->sel - prow + 1;
    Strbuf head = STRBUF_INIT;
    size_t stories = 0;
    for (size_t k = 0; k < v->r.nper_story; k++)
        stories += v->r.per_story[k] > 0;
    strbuf_addf(&head, "%zu match%s in %zu paragraph%s of %zu stor%s for ", v->r.matches,
                v->r.matches == 1 ? "" : "es", v->r.total, v->r.total == 1 ? "" : "s", stories,
                stories == 1 ? "y" : "ies");
    text_escape(v->query, strlen(v->query), &head);
    if (v->r.total > v->r.nhits) strbuf_addf(&head, " (the best %zu)", v->r.nhits);
    Strbuf row = STRBUF_INIT; /* cut at a word with "…", as a message is */
    view_fit_row(head.buf, c->cols - 2, &row);
    grid_put_text(g, 0, 1, row.buf, c->cols - 2, STYLE_TITLE);
    strbuf_release(&row);
    strbuf_release(&head);
    int tw = c->cols / 3 > 32 ? 32 : c->cols / 3; /* the title (and chapter) column */
    for (size_t r = 0; r < prow && v->top + r < v->r.nhits; r++) {
        size_t i = v->top + r;
        const LibraryHit *h = &v->r.hits[i];
        int y = 1 + (int)r;
        bool sel = i == v->sel;
        Style st = sel ? STYLE_SELECTED : STYLE_TEXT;
        if (sel) grid_fill(g, y, 0, c->cols, st);
        Strbuf where = STRBUF_INIT; /* the story, and the chapter of the hit */
        strbuf_addstr(&where, v->names[i]);
        if (h->chapter) strbuf_addf(&where, " \xc2\xb7 %s", h->chapter);
        /* the story's matches, as the reader counts them when it is opened from here: kept
         * whole when the title is cut */
        char count[32];
        snprintf(count, sizeof count, " (%zu)",
                 h->story < v->r.nper_story ? v->r.per_story[h->story] : 0);
        int cw = grid_text_width(count), title_room = tw - cw > 1 ? tw - cw : 1;
        int used =
            grid_put_text(g, y, 1, where.buf ? where.buf : "", title_room, sel ? st : STYLE_DIM);
        grid_put_text(g, y, 1 + used, count, tw - used, sel ? st : STYLE_DIM);
        strbuf_release(&where);
        char pct[16];
        snprintf(pct, sizeof pct, "%3d%%", h->percent);
        int pw = grid_text_width(pct), x = 2 + tw, room = c->cols - x - pw - 2;
        if (room > 8) { /* the snippet, the match marked and in view: its start cut to fit */
            Strbuf before = STRBUF_INIT, match = STRBUF_INIT;
            strbuf_add(&before, h->snippet, h->hl_start);
            strbuf_add(&match, h->snippet + h->hl_start, h->hl_end - h->hl_start);
            const char *from = before.buf;
            int used = 0;
            while (*from && grid_text_width(from) > room / 3) {
                from++;
                while (((unsigned char)*from & 0xc0) == 0x80)
                    from++;
            }
            if (from != before.buf) used = grid_put_text(g, y, x, "\xe2\x80\xa6", room, st);
            /* one text, so that a right-to-left snippet is ordered whole (grid.h) */
            grid_put_text_marked(g, y, x + used, from, match.buf, h->snippet + h->hl_end,
                                 room - used, st, sel ? STYLE_CURRENT : STYLE_MATCH);
            strbuf_release(&before);
            strbuf_release(&match);
        }
        grid_put_text(g, y, c->cols - 1 - pw, pct, pw, sel ? st : STYLE_DIM);
    }
    char right[64] = "";
    if (v->r.nhits) snprintf(right, sizeof right, "hit %zu of %zu", v->sel + 1, v->r.nhits);
    view_draw_status(c, g, "Enter open  q back  s search again  h keys", right);
}
