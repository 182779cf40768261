/* app: the router. It owns the views (shelf, reader, results, help, compare) and the prompt, and
 * hands each key to the view on top as a command (keymap.h); what a view asks for (open a story,
 * leave, a query) it does. No terminal in sight: the TUI maps curses' keys to AppKey codes and
 * copies the grid that app_render fills; tests and `lector dump` drive it the same way.
 *
 * Views are a stack: a view opened from another returns to it when left (q), so a story opened
 * from the hits of a search returns to those hits, and a help screen to the view it describes;
 * leaving the last view leaves lector. The reader, the hits and the compare view are each on it
 * at most once.
 */
#ifndef LECTOR_APP_H
#define LECTOR_APP_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "lector/config.h"
#include "lector/grid.h"
#include "lector/keymap.h"
#include "lector/keys.h"
#include "lector/layout.h"

enum { APP_DEFAULT_MEASURE = 72 }; /* columns of text */

typedef enum { MODE_SHELF, MODE_READER, MODE_HELP, MODE_RESULTS, MODE_COMPARE, MODE_TOC } AppMode;

typedef struct App App;

/* How app_new opens stories: APP_RAW opens books as the files they are (a Project Gutenberg
 * book with its licence, an HTML page as markup), not imported (text.h, TextOpenOptions.raw). */
enum {
    APP_RAW = 1,
    APP_TRANSLATION = 2,   /* the compare views pair stories as translations (--translation) */
    APP_SAME_LANGUAGE = 4, /* ... or as one language, whatever their scripts (--same-language) */
};

/* paths: story files, folders (a folder gives its .txt stories, sorted) or "-" (standard
 * input); measure: 0 for the default; flags: APP_* or 0. With one file the reader opens at
 * once. NULL with diag when no story can be listed or the one file cannot be read. */
App *app_new(char **paths, int npaths, int measure, unsigned flags, Diag *diag);
/* Closes the open story (saving its place) and frees everything. */
void app_free(App *a);
/* Applies the configuration: its measure (unless one was given to app_new), smart case, line
 * ends and key bindings (copied). Call before the first app_resize: a story given alone opens
 * then, with the configuration's line ends and at the screen's size. */
void app_configure(App *a, const Config *c);

/* The layout width function (the TUI's measured widths). Borrowed. */
void app_set_width_fn(App *a, LayoutWidthFn fn, void *ctx, int ambiguous_width);

/* Work that takes long inside a key's answer (a search of the shelf that indexes a story) calls
 * fn(ctx) as it begins to index and then about four times a second, having put its progress on
 * the status line: fn shows the screen (app_render) and returns true when the user asked to
 * stop (the work then stops and says so; a stop asked for after the last call, while the hits
 * were placed, is asked once more at the end). NULL: no such calls, the work runs to its end.
 * Borrowed. */
typedef bool (*AppBusyFn)(void *ctx);
void app_set_busy_fn(App *a, AppBusyFn fn, void *ctx);

/* fn(ctx): whether a key is waiting to be read, asked between steps of background work so that a
 * slice of it ends when one is (a key waited up to 30 ms for a search counting its matches).
 * NULL: never asked. Borrowed. */
void app_set_keys_waiting_fn(App *a, bool (*fn)(void *ctx), void *ctx);

void app_key(App *a, int key); /* one key press */
/* For tests: what a key bound to cmd does in the view on top, with a count (-1: none). */
void app_command(App *a, Command cmd, long count);
/* A click of the first mouse button at a screen cell: on the shelf or the hits, opens that
 * row's story. */
void app_click(App *a, int row, int col);
/* Opens shelf entries i and j side by side (the compare view); quit_after: leaving it leaves
 * lector. -1, with a message, when one cannot be read. */
int app_compare(App *a, size_t i, size_t j, bool quit_after);
/* The same for every story of the shelf (given on the command line) as versions: the first
 * beside the second, v cycling through the others (at most COLLATE_MAX). */
int app_compare_all(App *a, bool quit_after);
void app_resize(App *a, int cols, int rows);
void app_render(App *a, Grid *g);    /* draws the view on top into g (its size is the screen) */
bool app_idle(App *a);               /* a step of background work; true when more remains */
void app_settle(App *a);             /* all background work done, the index joined */
bool app_story_loaded(const App *a); /* the open story is read to its end (benchmarks) */
bool app_done(const App *a);         /* lector is to end */
AppMode app_mode(const App *a);
const char *app_message(const App *a);
void app_message_set(App *a, const char *msg); /* shown on the status line until a key */
/* Ctrl-L asked for the whole screen to be drawn again; true once per asking. */
bool app_take_redraw(App *a);

/* Closes the open story, saving its place. Then app_exit_note says what the user must hear of
 * after the screen is given back: each place that could not be saved this run, one per line
 * ("" when nothing). */
void app_finish(App *a);
const char *app_exit_note(const App *a);
/* app_finish, then each line of the exit note on err as "lector: ..." (escaped: it names files).
 * Returns 1 when there was one (the exit status it calls for), else 0. */
int app_finish_and_report(App *a, FILE *err);

/* For tests and the e2e harness: the reader's top byte offset. */
size_t app_top_offset(const App *a);

#endif
