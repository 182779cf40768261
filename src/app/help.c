/* help.c: see help.h. The rows are numbered over the whole help and only those between top and
 * top + shown are drawn, so measuring and drawing are the same walk. */
#include "help.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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
        put(&w, 2, rows[i].keys, (int)strlen(rows[i].keys), stacked ? cols - 3 : 22, STYLE_TITLE);
        w.row += stacked;
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
