/* keymap.c: the table of default bindings, and key -> command lookup over it.
 *
 * Data model: default_rows is the one table. A row is a set of views (a bit each), a command, up
 * to KEYS default keys and the help screen's words for it. A command can have a row per view
 * where it means something else there ("forward one line" in the reader, "the next story" on
 * the shelf); a row whose what is NULL shares the help line of the row before it ("d  u" is
 * "forward, back half a page"). The help lists a view's rows in table order.
 *
 * A Keymap adds the configuration's bindings. Lookup in view v: the last configured binding of
 * the key whose command v has; else the default row of v that lists the key, unless the
 * configuration bound that key to a command v has (then the key left its default).
 */
#include "lector/keymap.h"

#include <stdlib.h>
#include <string.h>

#include "lector/xalloc.h"

enum { KEYS = 6 };

enum {
    ROW_COUNT_FIRST = 1, /* the count is part of the command: "N%" */
    ROW_LETTER = 2,      /* a letter follows: "m letter" */
    ROW_HIDDEN = 4,      /* not on the help screen */
};

#define V(v) (1u << (v))
#define SHELF V(KEYMAP_SHELF)
#define READER V(KEYMAP_READER)
#define RESULTS V(KEYMAP_RESULTS)
#define COMPARE V(KEYMAP_COMPARE)
#define HELP V(KEYMAP_HELP)
#define TOC V(KEYMAP_TOC)
#define ALL (SHELF | READER | RESULTS | COMPARE | HELP | TOC)

typedef struct {
    unsigned views;
    Command cmd;
    int keys[KEYS]; /* 0-terminated when fewer */
    unsigned flags; /* ROW_* */
    const char *what;
} Row;

static const Row default_rows[] = {
    /* the shelf */
    {SHELF, CMD_DOWN, {'j', APP_KEY_DOWN}, 0, "the next story"},
    {SHELF, CMD_UP, {'k', APP_KEY_UP}, 0, "the story before"},
    {SHELF, CMD_PAGE_DOWN, {'f', APP_KEY_PGDN}, 0, "a page down, up"},
    {SHELF, CMD_PAGE_UP, {'b', APP_KEY_PGUP}, 0, NULL},
    {SHELF, CMD_TOP, {'g', APP_KEY_HOME}, 0, "the first, the last story"},
    {SHELF, CMD_BOTTOM, {'G', APP_KEY_END}, 0, NULL},
    {SHELF,
     CMD_OPEN,
     {APP_KEY_ENTER, 'l', APP_KEY_RIGHT},
     0,
     "open the story (a click on it opens it too)"},
    {SHELF, CMD_SELECT, {' '}, 0, "mark the story to compare it, and go on to the next"},
    {SHELF,
     CMD_COMPARE,
     {'c'},
     0,
     "compare the marked stories (A the base; or the one marked and this one)"},
    {SHELF, CMD_SEARCH_ALL, {'s'}, 0, "search all the stories (ranked hits)"},
    {SHELF, CMD_WHEEL_DOWN, {APP_KEY_WHEEL_DOWN}, ROW_HIDDEN, NULL},
    {SHELF, CMD_WHEEL_UP, {APP_KEY_WHEEL_UP}, ROW_HIDDEN, NULL},
    {SHELF, CMD_HELP, {'h', APP_KEY_F1}, 0, "this help"},
    {SHELF, CMD_QUIT, {'q'}, 0, "quit"},

    /* the reader */
    {READER,
     CMD_DOWN,
     {'j', 'e', APP_KEY_DOWN, APP_KEY_ENTER},
     0,
     "forward one line (a count first: N lines)"},
    {READER, CMD_UP, {'k', 'y', APP_KEY_UP}, 0, "back one line"},
    {READER, CMD_PAGE_DOWN, {' ', 'f', APP_KEY_PGDN}, 0, "forward one page"},
    {READER, CMD_PAGE_UP, {'b', APP_KEY_PGUP}, 0, "back one page"},
    {READER, CMD_HALF_DOWN, {'d'}, 0, "forward, back half a page"},
    {READER, CMD_HALF_UP, {'u'}, 0, NULL},
    {READER, CMD_TOP, {'g', APP_KEY_HOME, '<'}, 0, "the beginning (a count first: row N)"},
    {READER, CMD_BOTTOM, {'G', APP_KEY_END, '>'}, 0, "the end"},
    {READER,
     CMD_PERCENT,
     {'%', 'p'},
     ROW_COUNT_FIRST,
     "N percent into the story (the top line's place, as the status line shows it)"},
    {READER, CMD_MARK, {'m'}, ROW_LETTER, "set a mark here"},
    {READER, CMD_GOTO_MARK, {'\''}, ROW_LETTER, "go to a mark ('' back to before the last jump)"},
    {READER, CMD_NARROWER, {'-'}, 0, "narrower, wider, default measure"},
    {READER, CMD_WIDER, {'+'}, 0, NULL},
    {READER, CMD_MEASURE_RESET, {'='}, 0, NULL},
    {READER,
     CMD_LINE_ENDS,
     {'r'},
     0,
     "line ends: auto (verse and lists keep theirs), keep all, reflow all"},
    {READER,
     CMD_DIRECTION,
     {'D'},
     0,
     "paragraph direction: auto (by its first letter), right to left, left to right"},
    {READER, CMD_TOC, {'t'}, 0, "the table of contents (Enter goes to a chapter; '' comes back)"},
    {READER,
     CMD_FILE_INFO,
     {7 /* C-g */},
     0,
     "about the file: size, encoding, what was cleaned, where you are"},
    {READER, CMD_NEXT_CHAPTER, {']'}, 0, "the next, previous chapter"},
    {READER, CMD_PREV_CHAPTER, {'['}, 0, NULL},
    {READER, CMD_WHEEL_DOWN, {APP_KEY_WHEEL_DOWN}, 0, "scroll"},
    {READER, CMD_WHEEL_UP, {APP_KEY_WHEEL_UP}, 0, NULL},
    {READER,
     CMD_SEARCH,
     {'/'},
     0,
     "search on, back (Esc cancels; Up: history; a capital makes case count)"},
    {READER, CMD_SEARCH_BACK, {'?'}, 0, NULL},
    {READER, CMD_NEXT_MATCH, {'n'}, 0, "next, previous match"},
    {READER, CMD_PREV_MATCH, {'N'}, 0, NULL},
    {READER, CMD_SEARCH_ALL, {'s'}, 0, "search all the stories on the shelf (ranked hits)"},
    {READER, CMD_COMPARE, {'c'}, 0, "compare this story with another, side by side"},
    {READER, CMD_HELP, {'h', APP_KEY_F1}, 0, "this help"},
    {READER, CMD_QUIT, {'q'}, 0, "back to the shelf (quit when one story was opened)"},

    /* the hits of a search of all the stories */
    {RESULTS, CMD_DOWN, {'j', APP_KEY_DOWN}, 0, "the next, previous hit"},
    {RESULTS, CMD_UP, {'k', APP_KEY_UP}, 0, NULL},
    {RESULTS, CMD_PAGE_DOWN, {' ', 'f', APP_KEY_PGDN}, 0, "a page down, up"},
    {RESULTS, CMD_PAGE_UP, {'b', APP_KEY_PGUP}, 0, NULL},
    {RESULTS, CMD_TOP, {'g', APP_KEY_HOME}, 0, "the first, the last hit"},
    {RESULTS, CMD_BOTTOM, {'G', APP_KEY_END}, 0, NULL},
    {RESULTS,
     CMD_OPEN,
     {APP_KEY_ENTER, 'l', APP_KEY_RIGHT},
     0,
     "open the story at the hit (a click on it opens it too)"},
    {RESULTS, CMD_SEARCH_ALL, {'s'}, 0, "search again"},
    {RESULTS, CMD_WHEEL_DOWN, {APP_KEY_WHEEL_DOWN}, ROW_HIDDEN, NULL},
    {RESULTS, CMD_WHEEL_UP, {APP_KEY_WHEEL_UP}, ROW_HIDDEN, NULL},
    {RESULTS, CMD_HELP, {'h', APP_KEY_F1}, 0, "this help"},
    {RESULTS, CMD_QUIT, {'q', APP_KEY_ESC, APP_KEY_LEFT}, 0, "back"},

    /* two stories side by side */
    {COMPARE,
     CMD_DOWN,
     {'j', APP_KEY_DOWN, APP_KEY_ENTER},
     0,
     "a line down, up (N lines; wheel too)"},
    {COMPARE, CMD_UP, {'k', APP_KEY_UP}, 0, NULL},
    {COMPARE, CMD_PAGE_DOWN, {' ', 'f', APP_KEY_PGDN}, 0, "a page down, up"},
    {COMPARE, CMD_PAGE_UP, {'b', APP_KEY_PGUP}, 0, NULL},
    {COMPARE, CMD_HALF_DOWN, {'d'}, 0, "half a page down, up"},
    {COMPARE, CMD_HALF_UP, {'u'}, 0, NULL},
    {COMPARE, CMD_TOP, {'g', APP_KEY_HOME}, 0, "the beginning, the end"},
    {COMPARE, CMD_BOTTOM, {'G', APP_KEY_END}, 0, NULL},
    {COMPARE, CMD_NEXT_DIFFERENCE, {']'}, 0, "the next, previous difference"},
    {COMPARE, CMD_PREV_DIFFERENCE, {'['}, 0, NULL},
    {COMPARE, CMD_FOCUS, {'\t'}, 0, "focus the other pane (the next column)"},
    {COMPARE, CMD_LOCK, {'L'}, 0, "unlock scrolling (only the focused pane moves), lock"},
    {COMPARE, CMD_SWAP, {'x'}, 0, "swap the panes"},
    {COMPARE, CMD_NEXT_VERSION, {'v'}, 0, "next version beside the base; V: that one is the base"},
    {COMPARE, CMD_BASE, {'V'}, 0, NULL},
    {COMPARE, CMD_PERCENT, {'%'}, 0, "each pair's score (words in common) under its mark"},
    {COMPARE, CMD_FOLD, {'z'}, 0, "fold / unfold identical paragraphs"},
    {COMPARE, CMD_SEARCH, {'/'}, 0, "search the focused pane; next, previous match"},
    {COMPARE, CMD_NEXT_MATCH, {'n'}, 0, NULL},
    {COMPARE, CMD_PREV_MATCH, {'N'}, 0, NULL},
    {COMPARE, CMD_WHEEL_DOWN, {APP_KEY_WHEEL_DOWN}, ROW_HIDDEN, NULL},
    {COMPARE, CMD_WHEEL_UP, {APP_KEY_WHEEL_UP}, ROW_HIDDEN, NULL},
    {COMPARE, CMD_HELP, {'h', APP_KEY_F1}, 0, "this help"},
    {COMPARE, CMD_QUIT, {'q', APP_KEY_ESC}, 0, "leave the compare view"},

    /* the table of contents */
    {TOC, CMD_DOWN, {'j', APP_KEY_DOWN}, 0, "the next, previous chapter"},
    {TOC, CMD_UP, {'k', APP_KEY_UP}, 0, NULL},
    {TOC, CMD_PAGE_DOWN, {' ', 'f', APP_KEY_PGDN}, 0, "a page down, up"},
    {TOC, CMD_PAGE_UP, {'b', APP_KEY_PGUP}, 0, NULL},
    {TOC, CMD_TOP, {'g', APP_KEY_HOME}, 0, "the first, the last chapter"},
    {TOC, CMD_BOTTOM, {'G', APP_KEY_END}, 0, NULL},
    {TOC, CMD_OPEN, {APP_KEY_ENTER, 'l', APP_KEY_RIGHT}, 0, "go to the chapter (a click too)"},
    {TOC, CMD_WHEEL_DOWN, {APP_KEY_WHEEL_DOWN}, ROW_HIDDEN, NULL},
    {TOC, CMD_WHEEL_UP, {APP_KEY_WHEEL_UP}, ROW_HIDDEN, NULL},
    {TOC, CMD_HELP, {'h', APP_KEY_F1}, 0, "this help"},
    {TOC, CMD_QUIT, {'q', 't', APP_KEY_ESC, APP_KEY_LEFT}, 0, "back to the story"},

    /* a help screen: the moving keys scroll it, any other key returns */
    {HELP, CMD_DOWN, {'j', APP_KEY_DOWN, APP_KEY_ENTER}, 0, NULL},
    {HELP, CMD_UP, {'k', APP_KEY_UP}, 0, NULL},
    {HELP, CMD_PAGE_DOWN, {' ', 'f', APP_KEY_PGDN}, 0, NULL},
    {HELP, CMD_PAGE_UP, {'b', APP_KEY_PGUP}, 0, NULL},
    {HELP, CMD_TOP, {'g', APP_KEY_HOME}, 0, NULL},
    {HELP, CMD_BOTTOM, {'G', APP_KEY_END}, 0, NULL},
    {HELP, CMD_WHEEL_DOWN, {APP_KEY_WHEEL_DOWN}, 0, NULL},
    {HELP, CMD_WHEEL_UP, {APP_KEY_WHEEL_UP}, 0, NULL},

    /* everywhere */
    {ALL, CMD_REDRAW, {12 /* C-l */}, 0, "draw the screen again"},
};

enum { NROWS = sizeof default_rows / sizeof *default_rows };

static const char *const command_names[CMD_COUNT] = {
    [CMD_DOWN] = "down",
    [CMD_UP] = "up",
    [CMD_PAGE_DOWN] = "page-down",
    [CMD_PAGE_UP] = "page-up",
    [CMD_HALF_DOWN] = "half-down",
    [CMD_HALF_UP] = "half-up",
    [CMD_TOP] = "top",
    [CMD_BOTTOM] = "bottom",
    [CMD_MARK] = "mark",
    [CMD_GOTO_MARK] = "goto-mark",
    [CMD_NARROWER] = "narrower",
    [CMD_WIDER] = "wider",
    [CMD_MEASURE_RESET] = "measure-reset",
    [CMD_SEARCH] = "search",
    [CMD_SEARCH_BACK] = "search-back",
    [CMD_NEXT_MATCH] = "next-match",
    [CMD_PREV_MATCH] = "prev-match",
    [CMD_SEARCH_ALL] = "search-all",
    [CMD_COMPARE] = "compare",
    [CMD_HELP] = "help",
    [CMD_QUIT] = "quit",
    [CMD_PERCENT] = "percent",
    [CMD_WHEEL_DOWN] = "wheel-down",
    [CMD_WHEEL_UP] = "wheel-up",
    [CMD_OPEN] = "open",
    [CMD_SELECT] = "select",
    [CMD_LINE_ENDS] = "line-ends",
    [CMD_DIRECTION] = "direction",
    [CMD_NEXT_DIFFERENCE] = "next-difference",
    [CMD_PREV_DIFFERENCE] = "prev-difference",
    [CMD_FOCUS] = "focus",
    [CMD_LOCK] = "lock",
    [CMD_SWAP] = "swap",
    [CMD_FOLD] = "fold",
    [CMD_REDRAW] = "redraw",
    [CMD_TOC] = "toc",
    [CMD_NEXT_CHAPTER] = "next-chapter",
    [CMD_PREV_CHAPTER] = "prev-chapter",
    [CMD_NEXT_VERSION] = "next-version",
    [CMD_BASE] = "base-version",
    [CMD_FILE_INFO] = "file-info",
};

static const char *const view_names[KEYMAP_VIEWS] = {
    [KEYMAP_SHELF] = "shelf",     [KEYMAP_READER] = "reader", [KEYMAP_RESULTS] = "results",
    [KEYMAP_COMPARE] = "compare", [KEYMAP_HELP] = "help",     [KEYMAP_TOC] = "toc",
};

/* The configuration's bindings as each view sees them: for each key the last binding whose command
 * the view has, in the file's order of those (the help lists them so), and the same sorted by key
 * for lookup. A configuration of thousands of lines (it may hold up to 1 MiB) then costs a
 * logarithm per key typed and a line per binding in the help, not a pass over the file for each. */
typedef struct {
    KeyBinding *bound;  /* owned */
    KeyBinding *by_key; /* owned */
    size_t n;
} ViewBindings;

struct Keymap {
    ViewBindings views[KEYMAP_VIEWS];
};

const char *keymap_command_name(Command cmd)
{
    return cmd >= 0 && cmd < CMD_COUNT ? command_names[cmd] : "?";
}

Command keymap_command_from_name(const char *name, size_t len)
{
    for (int i = 0; i < CMD_COUNT; i++)
        if (strlen(command_names[i]) == len && !memcmp(name, command_names[i], len))
            return (Command)i;
    return CMD_NONE;
}

const char *keymap_view_name(KeymapView v)
{
    return v < KEYMAP_VIEWS ? view_names[v] : "?";
}

bool keymap_view_has(KeymapView v, Command cmd)
{
    for (size_t i = 0; i < NROWS; i++)
        if (default_rows[i].cmd == cmd && (default_rows[i].views & V(v))) return true;
    return false;
}

static int binding_key_cmp(const void *x, const void *y)
{
    const KeyBinding *a = x, *b = y;
    return (a->key > b->key) - (a->key < b->key);
}

/* Binding i of b[0, n) sorted by key, then by place in the file (a stable order for qsort). */
typedef struct {
    KeyBinding b;
    size_t at;
} Placed;

static int placed_cmp(const void *x, const void *y)
{
    const Placed *a = x, *b = y;
    if (a->b.key != b->b.key) return (a->b.key > b->b.key) - (a->b.key < b->b.key);
    return (a->at > b->at) - (a->at < b->at);
}

static int placed_at_cmp(const void *x, const void *y)
{
    const Placed *a = x, *b = y;
    return (a->at > b->at) - (a->at < b->at);
}

static void view_bindings(ViewBindings *vb, KeymapView v, const KeyBinding *b, size_t n)
{
    Placed *p = xreallocarray(NULL, n ? n : 1, sizeof *p);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (keymap_view_has(v, b[i].command)) p[m++] = (Placed){b[i], i};
    qsort(p, m, sizeof *p, placed_cmp);
    size_t k = 0; /* the last of each key */
    for (size_t i = 0; i < m; i++)
        if (i + 1 == m || p[i + 1].b.key != p[i].b.key) p[k++] = p[i];
    vb->n = k;
    vb->by_key = xreallocarray(NULL, k ? k : 1, sizeof *vb->by_key);
    for (size_t i = 0; i < k; i++)
        vb->by_key[i] = p[i].b;
    qsort(p, k, sizeof *p, placed_at_cmp);
    vb->bound = xreallocarray(NULL, k ? k : 1, sizeof *vb->bound);
    for (size_t i = 0; i < k; i++)
        vb->bound[i] = p[i].b;
    free(p);
}

Keymap *keymap_new(const KeyBinding *b, size_t n)
{
    Keymap *km = xcalloc(1, sizeof *km);
    for (int v = 0; v < KEYMAP_VIEWS; v++)
        view_bindings(&km->views[v], (KeymapView)v, b, n);
    return km;
}

void keymap_free(Keymap *km)
{
    if (!km) return;
    for (int v = 0; v < KEYMAP_VIEWS; v++) {
        free(km->views[v].bound);
        free(km->views[v].by_key);
    }
    free(km);
}

/* The configured command of key in v: the file's last binding of it whose command v has. */
static Command bound_command(const Keymap *km, KeymapView v, int key)
{
    if (!km) return CMD_NONE;
    const ViewBindings *vb = &km->views[v];
    KeyBinding want = {.key = key};
    const KeyBinding *hit = bsearch(&want, vb->by_key, vb->n, sizeof want, binding_key_cmp);
    return hit ? hit->command : CMD_NONE;
}

static bool row_has_key(const Row *r, int key)
{
    for (int k = 0; k < KEYS && r->keys[k]; k++)
        if (r->keys[k] == key) return true;
    return false;
}

Command keymap_lookup(const Keymap *km, KeymapView v, int key)
{
    Command c = bound_command(km, v, key);
    if (c != CMD_NONE) return c;
    for (size_t i = 0; i < NROWS; i++)
        if ((default_rows[i].views & V(v)) && row_has_key(&default_rows[i], key))
            return default_rows[i].cmd;
    return CMD_NONE;
}

static void add_key(Strbuf *out, size_t start, const char *prefix, int key)
{
    char name[16];
    key_to_name(key, name, sizeof name);
    strbuf_addf(out, "%s%s%s", out->len > start ? "  " : "", prefix, name);
}

static const Row *row_of(KeymapView v, Command cmd)
{
    for (size_t i = 0; i < NROWS; i++)
        if (default_rows[i].cmd == cmd && (default_rows[i].views & V(v))) return &default_rows[i];
    return NULL;
}

void keymap_keys(const Keymap *km, KeymapView v, Command cmd, Strbuf *out)
{
    size_t start = out->len;
    const Row *r = row_of(v, cmd);
    const char *prefix = r && (r->flags & ROW_COUNT_FIRST) ? "N" : "";
    for (int k = 0; r && k < KEYS && r->keys[k]; k++)
        if (keymap_lookup(km, v, r->keys[k]) == cmd) add_key(out, start, prefix, r->keys[k]);
    const ViewBindings *vb = km ? &km->views[v] : NULL;
    for (size_t i = 0; vb && i < vb->n; i++) { /* each key once, bound to what it runs here */
        int key = vb->bound[i].key;
        if (vb->bound[i].command != cmd) continue;
        if (r && row_has_key(r, key)) continue; /* listed with the defaults */
        add_key(out, start, prefix, key);
    }
    if (out->len == start) strbuf_addstr(out, "(none)");
    if (r && (r->flags & ROW_LETTER)) strbuf_addstr(out, " letter");
}

size_t keymap_help(const Keymap *km, KeymapView v, KeymapHelpRow **rows)
{
    size_t n = 0;
    KeymapHelpRow *out = xcalloc(NROWS, sizeof *out);
    for (size_t i = 0; i < NROWS; i++) {
        const Row *r = &default_rows[i];
        if (!(r->views & V(v)) || (r->flags & ROW_HIDDEN)) continue;
        if (!r->what && n) { /* shares the line before */
            strbuf_addstr(&out[n - 1].keys, ", ");
            keymap_keys(km, v, r->cmd, &out[n - 1].keys);
            continue;
        }
        if (!r->what) continue;
        strbuf_init(&out[n].keys);
        keymap_keys(km, v, r->cmd, &out[n].keys);
        out[n].what = r->what;
        n++;
    }
    *rows = out;
    return n;
}

void keymap_help_free(KeymapHelpRow *rows, size_t n)
{
    if (!rows) return;
    for (size_t i = 0; i < n; i++)
        strbuf_release(&rows[i].keys);
    free(rows);
}
