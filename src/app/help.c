/* help.c: see help.h. The rows are numbered over the whole help and only those between top and
 * top + shown are drawn, so measuring and drawing are the same walk. */
#include "help.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lector/xalloc.h"

typedef struct {
    Grid *g;
    int top, shown, row;
} Walk;

static void put(Walk *w, int col, const char *s, int len, int max_cols, Style style)
{
    if (!w->g || w->row < w->top || w->row - w->top >= w->shown || max_cols <= 0) return;
    char line[512];
    snprintf(line, sizeof line, "%.*s", len, s);
    grid_put_text(w->g, w->row - w->top, col, line, max_cols, style);
}

/* s wrapped at spaces into rows of at most width columns from col; a word longer than width is
 * cut into pieces of width. */
static void put_wrapped(Walk *w, int col, int width, const char *s, Style style)
{
    if (!*s) w->row++; /* a blank row */
    while (*s) {
        int len = (int)strlen(s);
        if (width > 0 && len > width) { /* the last space that keeps the row within the width */
            int cut = width;
            while (cut > 0 && s[cut] != ' ')
                cut--;
            len = cut > 0 ? cut : width;
        }
        put(w, col, s, len, width, style);
        w->row++;
        for (s += len; *s == ' '; s++)
            ;
    }
}

int help_draw(Grid *g, int cols, int top, int shown, const char *title, const HelpRow *rows,
              size_t n)
{
    bool stacked = cols < HELP_STACKED_BELOW;
    int what_x = stacked ? 6 : 26, what_w = cols - what_x - 1;
    Walk w = {g, top, shown, 0};
    put_wrapped(&w, 1, cols - 2, title, STYLE_TITLE);
    w.row++;
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].keys) {
            put_wrapped(&w, 1, cols - 2, rows[i].what, STYLE_TEXT);
            continue;
        }
        /* keys too wide for their column get a row of their own, as on a narrow screen */
        bool own_row = stacked || grid_text_width(rows[i].keys) > 22;
        put(&w, 2, rows[i].keys, (int)strlen(rows[i].keys), own_row ? cols - 3 : 22, STYLE_TITLE);
        w.row += own_row;
        put_wrapped(&w, what_x, what_w, rows[i].what, STYLE_TEXT);
    }
    return w.row;
}

void help_status(int cols, int height, int shown, int *top, HelpStatus *st)
{
    int most = height > shown ? height - shown : 0;
    if (*top > most) *top = most;
    st->where[0] = 0;
    st->hint = "any key returns";
    if (!most) return;
    snprintf(st->where, sizeof st->where, "rows %d-%d of %d", *top + 1, *top + shown, height);
    st->hint = cols >= 64 ? "j k Space b scroll  any other key returns" : "j k scroll";
}

static const char *const titles[KEYMAP_VIEWS] = {
    [KEYMAP_SHELF] = "lector: keys on the shelf",
    [KEYMAP_READER] = "lector: keys in the reader",
    [KEYMAP_RESULTS] = "lector: keys in the hits of a search of all the stories",
    [KEYMAP_COMPARE] = "Compare: two stories side by side, paragraphs paired by content",
    [KEYMAP_HELP] = "lector: help",
    [KEYMAP_TOC] = "lector: keys in the table of contents",
};

void help_view_open(HelpView *h, KeymapView of, const HelpRow *notes, size_t nnotes)
{
    h->of = of;
    h->title = of < KEYMAP_VIEWS ? titles[of] : "lector";
    h->notes = notes;
    h->nnotes = nnotes;
    h->top = 0;
}

/* Draws the help from row top on into g's first shown rows (g NULL: none); returns its height
 * at this width. */
static int help_layout(const HelpView *h, const ViewContext *c, Grid *g, int top, int shown)
{
    KeymapHelpRow *keys;
    size_t nk = keymap_help(c->keymap, h->of, &keys);
    size_t n = nk + (h->nnotes ? h->nnotes + 1 : 0);
    HelpRow *rows = xcalloc(n ? n : 1, sizeof *rows);
    for (size_t i = 0; i < nk; i++)
        rows[i] = (HelpRow){keys[i].keys.buf, keys[i].what};
    if (h->nnotes) {
        rows[nk] = (HelpRow){NULL, ""};
        memcpy(rows + nk + 1, h->notes, h->nnotes * sizeof *rows);
    }
    int height = help_draw(g, c->cols, top, shown, h->title, rows, n);
    free(rows);
    keymap_help_free(keys, nk);
    return height;
}

ViewAction help_view_command(HelpView *h, ViewContext *c, Command cmd, long count)
{
    int shown = c->rows - 1, most = help_layout(h, c, NULL, 0, 0) - shown;
    long n = count > 0 ? count : 1;
    int to = h->top;
    switch (most > 0 ? cmd : CMD_NONE) {
    case CMD_DOWN:
        to += (int)(n < 100000 ? n : 100000);
        break;
    case CMD_UP:
        to -= (int)(n < 100000 ? n : 100000);
        break;
    case CMD_WHEEL_DOWN:
        to += 3;
        break;
    case CMD_WHEEL_UP:
        to -= 3;
        break;
    case CMD_PAGE_DOWN:
        to += shown;
        break;
    case CMD_PAGE_UP:
        to -= shown;
        break;
    case CMD_TOP:
        to = 0;
        break;
    case CMD_BOTTOM:
        to = most;
        break;
    case CMD_REDRAW:
        break;
    default:
        return (ViewAction){ACT_LEAVE, 0, 0, 0, PROMPT_SEARCH};
    }
    h->top = to < 0 ? 0 : to > most ? most : to;
    return VIEW_NONE;
}

void help_view_render(HelpView *h, ViewContext *c, Grid *g)
{
    int shown = c->rows - 1;
    HelpStatus st;
    help_status(c->cols, help_layout(h, c, NULL, 0, 0), shown, &h->top, &st);
    help_layout(h, c, g, h->top, shown);
    view_draw_status(c, g, st.hint, st.where);
}

static const HelpRow search_notes[] = {
    {NULL, ""},
    {NULL, "Searching (/, ?, s): a word finds the words that begin with it (kazakh: Kazakhstan "
           "too); =word the whole word; \"a phrase\" its words in a row; several words, each "
           "place in the paragraphs that have them all; NEAR(a b, 5) within 5 words; word~ within "
           "two letters' change; re:PATTERN a regular expression (PCRE2). A capital makes case "
           "count. The strip beside the text maps the whole story: | matches, \xe2\x94\x83 the "
           "screen."},
};

const HelpRow *help_search_notes(size_t *n)
{
    *n = sizeof search_notes / sizeof *search_notes;
    return search_notes;
}
