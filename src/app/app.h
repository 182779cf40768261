/* app: lector's interactive state and commands, with no terminal in sight.
 *
 * Owns the shelf (a list of story paths), the open story (its Text and Pager), marks, the
 * measure and the status message. Keys arrive as AppKey codes (the TUI maps curses' codes to
 * them) and are looked up in a table of named commands; views draw the state into a Grid.
 * Unit tests drive it through app_key() and compare grid dumps.
 */
#ifndef LECTOR_APP_H
#define LECTOR_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "lector/config.h"
#include "lector/grid.h"
#include "lector/keys.h"
#include "lector/layout.h"
#include "lector/pager.h"
#include "lector/state.h"
#include "lector/text.h"

enum { APP_WPM = 200 };            /* words per minute, for reading time */
enum { APP_DEFAULT_MEASURE = 72 }; /* columns of text */

typedef enum { MODE_SHELF, MODE_READER, MODE_HELP, MODE_RESULTS, MODE_COMPARE } AppMode;

typedef struct {
    char *path;        /* owned */
    char *title;       /* owned; NULL until the story is looked at */
    size_t words;      /* valid when title != NULL */
    int percent;       /* read so far (saved state or this session), -1: unknown */
    int failed;        /* 1: could not be loaded (title holds the reason) */
    int state_checked; /* 1: percent was looked up in the saved state */
    int marked;        /* 1: marked with Space, to compare */
} ShelfEntry;

typedef struct App App;

/* paths: story files (a folder is expanded into its .txt files, sorted); measure: 0 for the
 * default. With one file the reader opens at once. Returns NULL and fills diag when no story
 * can be listed (a missing folder, say). */
App *app_new(char **paths, int npaths, int measure, Diag *diag);
void app_free(App *a);
/* Applies the configuration: its measure (unless one was given to app_new), smart case, and its
 * key bindings (copied). Call before the first key. */
void app_configure(App *a, const Config *c);

/* The layout width function the reader uses (the TUI's measured widths). Borrowed. */
void app_set_width_fn(App *a, LayoutWidthFn fn, void *ctx, int ambiguous_width);

void app_key(App *a, int key); /* one key press */
/* Opens shelf entries i and j side by side (the compare view); quit_after: q leaves lector. Fails
 * with a message on the status line when one cannot be read. */
int app_compare(App *a, size_t i, size_t j, bool quit_after);
void app_resize(App *a, int cols, int rows);
void app_render(App *a, Grid *g);    /* draws the current view into g (its size is the screen) */
bool app_idle(App *a);               /* a step of background work; true when more remains */
void app_settle(App *a);             /* tests: all background work done, the index joined */
bool app_story_loaded(const App *a); /* the open story is read to its end */
bool app_done(const App *a);         /* q was pressed on the last screen */
AppMode app_mode(const App *a);
const char *app_message(const App *a);
void app_message_set(App *a, const char *msg); /* shown once on the status line */

/* For tests and the e2e harness: the reader's top byte offset. */
size_t app_top_offset(const App *a);

#endif
