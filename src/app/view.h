/* view: what the views of the app share, and what a view asks of the router.
 *
 * A view is its own struct in its own file (shelf_view, reader_view, results_view, help,
 * compare_view): it takes commands (keymap.h) and draws into a Grid, with no terminal in sight.
 * What several views use -- the screen's size, the status message, the configuration's choices,
 * the state and cache folders -- is a ViewContext, owned by the router and lent to a view for
 * each call. A view never reaches into another view: what it wants done elsewhere (open a story,
 * leave, ask for a query) it returns as a ViewAction, and the router does it.
 *
 * Also here: the status line and the prompt, drawn the same way by every view.
 */
#ifndef LECTOR_VIEW_H
#define LECTOR_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "lector/cache.h"
#include "lector/grid.h"
#include "lector/keymap.h"
#include "lector/layout.h"
#include "lector/lineedit.h"
#include "lector/search.h"
#include "lector/state.h"

enum { VIEW_WPM = 200 }; /* words per minute, for reading time */

typedef struct {
    int cols, rows;         /* the screen */
    char message[600];      /* shown on the status line until the next key; "" when none */
    const Keymap *keymap;   /* borrowed */
    SearchMode search_mode; /* SEARCH_SMART, or SEARCH_FOLD when smart case is off */
    LayoutOptions lopt;     /* the width function (the terminal's measured widths); .width and
                               .line_ends are each view's own */
    int measure;            /* the reader's requested columns of text */
    bool raw;               /* books opened as the files they are (APP_RAW) */
    int default_measure;    /* what = returns to: the configuration's measure, else 72 */
    int line_ends;          /* LayoutLineEnds for a story that has none of its own */
    bool bidi;              /* right-to-left text is put in display order here (bidi setting) */
    bool korean_syllables;  /* korean-breaks = syllables */
    bool book_pages;        /* last-page = book: page down turns whole screens (pager.h) */
    int translation;        /* AlignTranslation: how the compare views pair (align.h) */
    StateStore *state;      /* borrowed; NULL when reading positions cannot be kept */
    IndexCache *cache;      /* borrowed; NULL when there is no cache */
    /* Whether a key is waiting (app_set_keys_waiting_fn): background work that runs in slices
     * (a search counting its matches) ends its slice early then. NULL: never asked. */
    bool (*keys_waiting)(void *ctx);
    void *keys_waiting_ctx;
} ViewContext;

/* Sets the status message (printf-style; the text is made safe when drawn). */
void view_say(ViewContext *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A reading time as people say it: "7 min", "1 h", "9 h 33 min" (into buf, cap bytes). */
void view_format_minutes(size_t minutes, char *buf, size_t cap);

/* Rows of text above the status line (at least 1). */
int view_page_rows(const ViewContext *c);

/* The status line, on the screen's last row: left (a title, a hint) and right (where you are).
 * The message goes beside left when it fits there (left cut to 12 columns with "…" if need be);
 * else on rows of its own just above the
 * status line, wrapped at spaces (as many as it takes, up to the whole screen: only on a screen
 * too small for it does it end in "…", at a space), so that neither the message nor the title
 * is cut mid-word. */
void view_draw_status(const ViewContext *c, Grid *g, const char *left, const char *right);
/* The same with right parts from the longest to the shortest ("40%  page 3 of 9  5 min left",
 * "40%  3/9", "40%"): the longest that leaves room for 12 columns of left and the message; left
 * is cut with "…" before the message has to leave the status line. */
void view_draw_status_forms(const ViewContext *c, Grid *g, const char *left,
                            const char *const *rights, int nrights);

/* A prompt on the status line: lead ("/", "search all stories: "), the line being typed with its
 * cursor (the end near the cursor shown when it is long), and right ("match 2 of 7"). */
void view_draw_prompt(const ViewContext *c, Grid *g, const char *lead, const LineEdit *e,
                      const char *right);

/* The moving commands of a list of n rows (the shelf, the hits) on its selection *sel: a row, a
 * page of page rows, the first (or, with a count, row N) and the last; a count repeats. True
 * when cmd was one of them. */
bool view_list_move(Command cmd, long count, size_t page, size_t n, size_t *sel);

/* The scrolling commands of a view of lines whose first shown line is top, page rows tall, the
 * last top possible bottom: a line (the wheel: three), a page less two lines, half a page, the
 * first (or, with a count, line N) and the last; a count repeats. True when cmd was one of them,
 * with the new top in *to, kept in [0, bottom]. */
bool view_scroll(Command cmd, long count, long long page, long long top, long long bottom,
                 long long *to);

/* Whether off is in one of spans[0, n) (sorted, not overlapping). */
bool view_in_spans(const Span *spans, size_t n, size_t off);

/* How many columns of s fit in width at most, cut at a space when one is in reach: the byte
 * length of the prefix to show. *rest: where the next row starts (spaces skipped). */
size_t view_fit_words(const char *s, int width, const char **rest);
/* Appends to out s's first row of at most width columns: s whole when it fits, else cut at a
 * space with " …" (a message's last row, a title line too long). */
void view_fit_row(const char *s, int width, Strbuf *out);
/* The file's name in path (after its last '/'; path itself when it ends in one). Points into
 * path. */
const char *view_file_name(const char *path);

typedef enum {
    ACT_NONE,    /* nothing for the router */
    ACT_LEAVE,   /* this view is done: back to the one before (q) */
    ACT_QUIT,    /* leave lector */
    ACT_OPEN,    /* open shelf story .story, at byte .at (SIZE_MAX: where it was left) */
    ACT_COMPARE, /* stories .story and .other side by side */
    ACT_PICK,    /* choose on the shelf the story to compare .story with */
    ACT_HELP,    /* this view's help */
    ACT_PROMPT,  /* ask for a query: .prompt */
    ACT_TOC,     /* the open story's table of contents */
    ACT_JUMP,    /* back to the open story, at byte .at (a chapter from the contents) */
} ActionKind;

typedef enum {
    PROMPT_SEARCH,      /* / in the reader or the compare view */
    PROMPT_SEARCH_BACK, /* ? */
    PROMPT_LIBRARY,     /* s: every story of the shelf */
} PromptKind;

typedef struct {
    ActionKind kind;
    size_t story, other, at;
    PromptKind prompt;
} ViewAction;

#define VIEW_NONE ((ViewAction){ACT_NONE, 0, 0, 0, PROMPT_SEARCH})

#endif
