/* help: the layout of the help screens, the reader's and the compare view's.
 *
 * A help is a title and rows, each a command's keys and what it does, or prose (no keys). It is
 * laid out for the screen's width: what a command does wraps at spaces under itself, prose wraps
 * from the left edge, and below HELP_STACKED_BELOW columns the keys get a row of their own above
 * what they do, so that a help in a split pane is still read whole. A help taller than the
 * screen scrolls with the moving keys (key_scroll). Nothing here allocates or keeps a pointer.
 */
#ifndef LECTOR_HELP_H
#define LECTOR_HELP_H

#include <stddef.h>

#include "lector/grid.h"

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

#endif
