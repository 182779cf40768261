/* help: the help view, and the layout of a help screen.
 *
 * A help is a title and rows, each a command's keys and what it does, or prose (no keys). It is
 * laid out for the screen's width: what a command does wraps at spaces under itself, prose wraps
 * from the left edge, and below HELP_STACKED_BELOW columns the keys get a row of their own above
 * what they do, so that a help in a split pane is still read whole. A help taller than the
 * screen scrolls with the moving keys. The help view shows the help of the view it was asked
 * from: that view's keys as bound now (keymap_help), and any notes the view adds.
 */
#ifndef LECTOR_HELP_H
#define LECTOR_HELP_H

#include <stddef.h>

#include "lector/grid.h"

#include "view.h"

enum { HELP_STACKED_BELOW = 57 };

typedef struct {
    const char *keys; /* NULL: a row of prose */
    const char *what; /* wrapped by bytes: ASCII exactly, other text a little early, never
                         over the width; "" with no keys: a blank row */
} HelpRow;

/* Draws the help's rows from row top of the whole on into g's rows 0 to shown - 1 (g NULL: draws
 * nothing), at the width cols, and returns how many rows the whole help takes at that width. */
int help_draw(Grid *g, int cols, int top, int shown, const char *title, const HelpRow *rows,
              size_t n);

/* What a help's status line says: the keys' words, and where the screen is in the help. */
typedef struct {
    const char *hint; /* "any key returns", or how to scroll when it does not fit */
    char where[48];   /* "rows 3-12 of 40"; "" when the whole help fits */
} HelpStatus;

/* For a help height rows tall on shown rows of cols columns: brings *top back within it (the
 * screen may have grown since) and fills *st. */
void help_status(int cols, int height, int shown, int *top, HelpStatus *st);

/* The query rule (search.h), as notes for the helps of the views that search: the reader's and
 * the shelf's. Static. */
const HelpRow *help_search_notes(size_t *n);

/* The help view. */
typedef struct {
    KeymapView of;        /* whose keys */
    const char *title;    /* static */
    const HelpRow *notes; /* static prose after the keys; may be NULL */
    size_t nnotes;
    int top; /* the first row shown, when it is taller than the screen */
} HelpView;

/* The help of view `of`, from its top. */
void help_view_open(HelpView *h, KeymapView of, const HelpRow *notes, size_t nnotes);
/* The moving commands scroll a help taller than the screen; any other key leaves (ACT_LEAVE). */
ViewAction help_view_command(HelpView *h, ViewContext *c, Command cmd, long count);
void help_view_render(HelpView *h, ViewContext *c, Grid *g);

#endif
