/* app.c: the router (see app.h).
 *
 * Data model: the views it owns (the shelf always; the reader, the hits and the compare view
 * while open; the help view's small state), a stack of the modes shown (the top one takes the
 * keys and is drawn), the prompt's line editors (one history for /, ? and the compare view's /,
 * one for s), and the count typed before a command. A key goes: to the prompt while one is open;
 * to the reader as a letter after m or '; into the count when a digit; else through the keymap
 * to a command of the view on top, whose ViewAction the router carries out.
 */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare_view.h"
#include "help.h"
#include "reader_view.h"
#include "results_view.h"
#include "shelf_view.h"
#include "toc_view.h"
#include "view.h"

#include "lector/collate.h"
#include "lector/library.h"
#include "lector/lineedit.h"
#include "lector/strbuf.h"
#include "lector/xalloc.h"

enum {
    MIN_COLS = 20,
    MIN_ROWS = 5,
    DEPTH = 8,       /* views on the stack at most: shelf, pick, reader, hits, compare, help */
    QUERY_MAX = 200, /* bytes of a query */
    HISTORY = 50,    /* queries kept per prompt */
    LIBRARY_HITS = 200,
};

struct App {
    ViewContext ctx;
    Keymap *keymap;     /* owned */
    SaBreaker *sa;      /* owned: Thai and its kin's dictionary, lent to every layout */
    StateStore *state;  /* owned; NULL when positions cannot be kept */
    IndexCache *cache;  /* owned; NULL when there is no cache */
    ShelfView *shelf;   /* owned */
    ReaderView *reader; /* owned; NULL when no story is open */
    size_t reader_story;
    ResultsView *results; /* owned; NULL until a search of every story */
    CompareView *compare; /* owned; NULL when not comparing */
    TocView *toc;         /* owned; NULL when the contents are not shown */
    HelpView help;
    AppMode stack[DEPTH];
    int depth;
    bool prompting;
    PromptKind prompt;
    LineEdit search_edit, library_edit;
    long count; /* typed before a command; -1: none */
    bool measure_given;
    bool open_pending; /* started on one file: it opens at the first size, once configured */
    bool done, redraw;
    Text *preloaded; /* the single story, read by app_new; owned until opened */
    Strbuf exit_note;
    AppBusyFn busy; /* borrowed, may be NULL: app_set_busy_fn */
    void *busy_ctx;
    IndexProgress build; /* a search of the shelf's indexing, while it runs */
    bool build_shown;    /* its progress was shown (the busy function called) */
};

/* --- the stack ------------------------------------------------------------------------------- */

static AppMode top_mode(const App *a)
{
    return a->depth ? a->stack[a->depth - 1] : MODE_SHELF;
}

static void remove_mode(App *a, AppMode m)
{
    for (int i = 0; i < a->depth; i++)
        if (a->stack[i] == m) {
            memmove(a->stack + i, a->stack + i + 1, (size_t)(a->depth - i - 1) * sizeof *a->stack);
            a->depth--;
            return;
        }
}

/* Shows m on top. The reader, the hits and the compare view are on the stack once: entering one
 * again takes it from where it was. */
static void push_mode(App *a, AppMode m)
{
    if (m == MODE_READER || m == MODE_RESULTS || m == MODE_COMPARE) remove_mode(a, m);
    if (a->depth == DEPTH) {
        memmove(a->stack, a->stack + 1, (DEPTH - 1) * sizeof *a->stack);
        a->depth--;
    }
    a->stack[a->depth++] = m;
}

static void close_reader(App *a)
{
    if (!a->reader) return;
    ReaderClose rc;
    reader_view_close(a->reader, &a->ctx, &rc);
    a->reader = NULL;
    shelf_view_update(a->shelf, a->reader_story, rc.percent, rc.words);
    if (!rc.saved) { /* said now, and again when the screen is given back */
        view_say(&a->ctx, "%s", rc.diag.msg);
        strbuf_addf(&a->exit_note, "%s\n", rc.diag.msg);
    }
}

/* The view on top is left: it is closed unless it is on the stack below too. */
static void pop_mode(App *a)
{
    if (!a->depth) return;
    AppMode m = a->stack[--a->depth];
    bool still = false;
    for (int i = 0; i < a->depth; i++)
        still |= a->stack[i] == m;
    if (m == MODE_READER && !still) close_reader(a);
    if (m == MODE_RESULTS && !still) {
        results_view_free(a->results);
        a->results = NULL;
    }
    if (m == MODE_COMPARE && !still) {
        compare_view_free(a->compare);
        a->compare = NULL;
    }
    if (m == MODE_TOC) { /* once: it borrows the reader's story */
        toc_view_free(a->toc);
        a->toc = NULL;
        remove_mode(a, MODE_TOC);
    }
    if (m == MODE_SHELF && shelf_view_picking(a->shelf)) shelf_view_pick(a->shelf, SIZE_MAX);
    if (!a->depth) a->done = true;
}

static KeymapView keymap_view(AppMode m)
{
    switch (m) {
    case MODE_READER:
        return KEYMAP_READER;
    case MODE_RESULTS:
        return KEYMAP_RESULTS;
    case MODE_COMPARE:
        return KEYMAP_COMPARE;
    case MODE_HELP:
        return KEYMAP_HELP;
    case MODE_TOC:
        return KEYMAP_TOC;
    default:
        return KEYMAP_SHELF;
    }
}

/* --- opening ------------------------------------------------------------------------------- */

/* Opens shelf story i where it was left (at == SIZE_MAX) or at byte at, with '' going back to
 * where it was; query: the search of every story it was opened from, highlighted in it. */
static void open_story(App *a, size_t i, size_t at, const char *query)
{
    if (a->reader && a->reader_story == i) {
        if (at != SIZE_MAX) reader_view_jump(a->reader, at);
    } else {
        Diag d = {0};
        Text *pre = a->preloaded;
        a->preloaded = NULL;
        ReaderView *rv = reader_view_open(&a->ctx, shelf_view_path(a->shelf, i), pre, at, &d);
        if (!rv) {
            view_say(&a->ctx, "%s", d.msg);
            return;
        }
        char opened[sizeof a->ctx.message]; /* what opening it said ("resumed at 40%") */
        memcpy(opened, a->ctx.message, sizeof opened);
        a->ctx.message[0] = 0;
        close_reader(a); /* a place that could not be saved is said first */
        if (!a->ctx.message[0]) memcpy(a->ctx.message, opened, sizeof opened);
        a->reader = rv;
        a->reader_story = i;
    }
    push_mode(a, MODE_READER);
    if (query) reader_view_show_query(a->reader, &a->ctx, query);
}

/* The compare view shows shelf stories idx[0, n) as versions: in columns, or the base beside
 * each in turn. */
static void set_versions(App *a, const size_t *idx, size_t n)
{
    const char *paths[COLLATE_MAX];
    for (size_t k = 0; k < n && k < COLLATE_MAX; k++)
        paths[k] = shelf_view_path(a->shelf, idx[k]);
    compare_view_set_versions(a->compare, &a->ctx, paths, n < COLLATE_MAX ? n : COLLATE_MAX);
}

int app_compare_all(App *a, bool quit_after)
{
    size_t n = shelf_view_count(a->shelf), idx[COLLATE_MAX];
    if (app_compare(a, 0, 1, quit_after) != 0) return -1;
    for (size_t k = 0; k < n && k < COLLATE_MAX; k++)
        idx[k] = k;
    if (n >= 3) set_versions(a, idx, n);
    return 0;
}

int app_compare(App *a, size_t i, size_t j, bool quit_after)
{
    Text *t[2] = {NULL, NULL};
    size_t which[2] = {i, j};
    for (int k = 0; k < 2; k++) {
        Diag d = {0};
        if (which[k] >= shelf_view_count(a->shelf) ||
            text_open(shelf_view_path(a->shelf, which[k]), 0, &t[k], &d) != 0) {
            view_say(&a->ctx, "%s",
                     which[k] < shelf_view_count(a->shelf) ? d.msg : "no such story");
            text_free(t[0]);
            return -1;
        }
        text_load_all(t[k]); /* mapped, as the reader's: no size limit, no copy */
    }
    compare_view_free(a->compare);
    a->compare = compare_view_new(t[0], t[1], shelf_view_path(a->shelf, i),
                                  shelf_view_path(a->shelf, j), &a->ctx.lopt, a->ctx.translation);
    compare_view_resize(a->compare, a->ctx.cols, a->ctx.rows);
    if (top_mode(a) == MODE_SHELF && shelf_view_picking(a->shelf)) pop_mode(a);
    if (quit_after) a->depth = 0;
    push_mode(a, MODE_COMPARE);
    return 0;
}

App *app_new(char **paths, int npaths, int measure, unsigned flags, Diag *diag)
{
    App *a = xcalloc(1, sizeof *a);
    a->shelf = shelf_view_new(paths, npaths, diag);
    if (!a->shelf) {
        free(a);
        return NULL;
    }
    a->count = -1;
    a->ctx.cols = 80;
    a->ctx.rows = 24;
    a->ctx.search_mode = SEARCH_SMART;
    a->ctx.measure = measure > 0 ? measure : APP_DEFAULT_MEASURE;
    a->ctx.raw = flags & APP_RAW;
    a->ctx.translation = flags & APP_TRANSLATION     ? ALIGN_TRANSLATION_YES
                         : flags & APP_SAME_LANGUAGE ? ALIGN_TRANSLATION_NO
                                                     : ALIGN_TRANSLATION_AUTO;
    a->ctx.default_measure = APP_DEFAULT_MEASURE;
    a->ctx.line_ends = LAYOUT_ENDS_AUTO;
    a->ctx.bidi = true;
    a->sa = sabreak_new();
    a->ctx.lopt.sa = a->sa;
    a->measure_given = measure > 0;
    a->keymap = keymap_new(NULL, 0);
    a->ctx.keymap = a->keymap;
    strbuf_init(&a->exit_note);
    lineedit_init(&a->search_edit, QUERY_MAX, HISTORY);
    lineedit_init(&a->library_edit, QUERY_MAX, HISTORY);
    Diag sd = {0};
    a->state = state_open(NULL, &sd);
    if (!a->state) view_say(&a->ctx, "%s", sd.msg);
    a->ctx.state = a->state;
    a->cache = cache_open(NULL, NULL); /* without one, each search indexes the story again */
    a->ctx.cache = a->cache;
    struct stat st;
    bool single = npaths == 1 && shelf_view_count(a->shelf) == 1 &&
                  !(strcmp(paths[0], "-") && stat(paths[0], &st) == 0 && S_ISDIR(st.st_mode));
    if (!single) {
        push_mode(a, MODE_SHELF);
        shelf_view_select_last_read(a->shelf, &a->ctx);
        if (*shelf_view_skipped(a->shelf) && !a->ctx.message[0])
            view_say(&a->ctx, "%s", shelf_view_skipped(a->shelf));
        return a;
    }
    const char *path = shelf_view_path(a->shelf, 0);
    TextOpenOptions opt = {.scratch_dir = a->cache ? cache_dir(a->cache) : NULL, .raw = a->ctx.raw};
    int rc = !strcmp(path, "-") ? text_load_fd(0, "-", 0, &a->preloaded, diag)
                                : text_open_with(path, &opt, &a->preloaded, diag);
    if (rc != 0) {
        app_free(a);
        return NULL;
    }
    a->open_pending = true; /* the configured line ends and the screen's size decide where */
    return a;
}

/* Opens the story lector was started on, once: where it resumes depends on the configuration and
 * the screen, which are known by the first resize (or the first key, if none came). */
static void open_pending_story(App *a)
{
    if (!a->open_pending) return;
    a->open_pending = false;
    char before[sizeof a->ctx.message]; /* said before it opened ("terminal did not answer") */
    memcpy(before, a->ctx.message, sizeof before);
    a->ctx.message[0] = 0;
    open_story(a, 0, SIZE_MAX, NULL);
    if (!before[0]) return;
    if (!a->ctx.message[0]) {
        memcpy(a->ctx.message, before, sizeof before);
    } else if (strcmp(a->ctx.message, before)) { /* both are said */
        char opened[sizeof a->ctx.message];
        memcpy(opened, a->ctx.message, sizeof opened);
        view_say(&a->ctx, "%s; %s", opened, before);
    }
}

void app_finish(App *a)
{
    close_reader(a);
}

const char *app_exit_note(const App *a)
{
    return a->exit_note.buf;
}

int app_finish_and_report(App *a, FILE *err)
{
    app_finish(a);
    int status = 0;
    for (const char *line = a->exit_note.buf; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        Strbuf out = STRBUF_INIT;
        strbuf_addstr(&out, "lector: ");
        text_escape(line, len, &out);
        strbuf_addch(&out, '\n');
        fwrite(out.buf, 1, out.len, err);
        strbuf_release(&out);
        line += len + (nl != NULL);
        status = 1;
    }
    return status;
}

void app_free(App *a)
{
    if (!a) return;
    app_finish(a);
    compare_view_free(a->compare);
    results_view_free(a->results);
    shelf_view_free(a->shelf);
    text_free(a->preloaded);
    state_close(a->state);
    cache_close(a->cache);
    keymap_free(a->keymap);
    sabreak_free(a->sa);
    lineedit_release(&a->search_edit);
    lineedit_release(&a->library_edit);
    strbuf_release(&a->exit_note);
    free(a);
}

void app_configure(App *a, const Config *c)
{
    keymap_free(a->keymap);
    a->keymap = keymap_new(c->bindings, c->nbindings);
    a->ctx.keymap = a->keymap;
    a->ctx.search_mode = c->smart_case ? SEARCH_SMART : SEARCH_FOLD;
    a->ctx.line_ends = c->line_ends;
    a->ctx.bidi = c->bidi != CONFIG_BIDI_OFF;
    a->ctx.korean_syllables = c->korean_syllables;
    a->ctx.book_pages = c->book_pages;
    a->ctx.lopt.korean_syllables = c->korean_syllables; /* the compare view's, from here */
    if (c->measure) {
        a->ctx.default_measure = c->measure;
        if (!a->measure_given) a->ctx.measure = c->measure;
    }
    if (a->reader) reader_view_resize(a->reader, &a->ctx);
}

void app_set_keys_waiting_fn(App *a, bool (*fn)(void *ctx), void *ctx)
{
    a->ctx.keys_waiting = fn;
    a->ctx.keys_waiting_ctx = ctx;
}

void app_set_busy_fn(App *a, AppBusyFn fn, void *ctx)
{
    a->busy = fn;
    a->busy_ctx = ctx;
}

void app_set_width_fn(App *a, LayoutWidthFn fn, void *ctx, int ambiguous_width)
{
    a->ctx.lopt.cluster_width = fn;
    a->ctx.lopt.width_ctx = ctx;
    a->ctx.lopt.ambiguous_width = ambiguous_width;
    if (a->reader) reader_view_relayout(a->reader, &a->ctx);
}

void app_resize(App *a, int cols, int rows)
{
    a->ctx.cols = cols;
    a->ctx.rows = rows;
    open_pending_story(a);
    if (a->compare) compare_view_resize(a->compare, cols, rows);
    if (a->reader) reader_view_resize(a->reader, &a->ctx);
}

/* --- the prompt ---------------------------------------------------------------------------- */

static LineEdit *prompt_edit(App *a)
{
    return a->prompt == PROMPT_LIBRARY ? &a->library_edit : &a->search_edit;
}

static void prompt_open(App *a, PromptKind kind)
{
    a->prompting = true;
    a->prompt = kind;
    lineedit_begin(prompt_edit(a));
    if (kind != PROMPT_LIBRARY && top_mode(a) == MODE_READER)
        reader_view_search_begin(a->reader, kind == PROMPT_SEARCH_BACK ? -1 : 1);
}

/* A search of the shelf's progress, while it indexes (library.h): said, and shown by the busy
 * function, which may ask it to stop. */
static void library_progress(size_t done, size_t n, void *ctx)
{
    App *a = ctx;
    view_say(&a->ctx, "searching: %zu of %zu stor%s indexed, %zu MB of text read  (Esc stops)",
             done, n, n == 1 ? "y" : "ies", atomic_load(&a->build.done) >> 20);
    a->build_shown = true;
    if (a->busy(a->busy_ctx)) atomic_store(&a->build.cancel, true);
}

/* Ranks the query's hits over every story of the shelf (library.h) and shows them. */
static void library_run(App *a, const char *query)
{
    atomic_store(&a->build.done, 0);
    atomic_store(&a->build.cancel, false);
    LibraryOptions opt = {.mode = a->ctx.search_mode,
                          .limit = LIBRARY_HITS,
                          .snippet_width = 200,
                          .flags = CACHE_VERIFY,
                          .progress = a->busy ? library_progress : NULL,
                          .progress_ctx = a,
                          .build = &a->build};
    LibraryResult r;
    Diag d = {0};
    a->build_shown = false;
    int rc = library_search(a->cache, shelf_view_paths(a->shelf), shelf_view_count(a->shelf), query,
                            &opt, &r, &d);
    if (a->build_shown) {
        a->ctx.message[0] = 0;                 /* the progress said while it ran */
        if (rc == 0 && a->busy(a->busy_ctx)) { /* Esc typed after its last call */
            library_result_release(&r);
            diag_set(&d, DIAG_INVALID, "search stopped");
            rc = -1;
        }
    }
    if (rc != 0) {
        view_say(&a->ctx, "%s", d.msg);
        return;
    }
    for (size_t i = 0; i < r.nnotes; i++) /* a damaged cache kept aside: say where */
        if (!r.notes[i].failed && r.notes[i].diag.code)
            view_say(&a->ctx, "%s", r.notes[i].diag.msg);
    if (!r.total && r.without_case)
        view_say(&a->ctx,
                 "no hits in %zu stor%s (case counts; ignoring case finds %zu: type it in lower "
                 "case)",
                 r.searched, r.searched == 1 ? "y" : "ies", r.without_case);
    else if (!r.total && r.suggestion)
        view_say(&a->ctx, "no hits in %zu stor%s; did you mean %s?", r.searched,
                 r.searched == 1 ? "y" : "ies", r.suggestion);
    else if (!r.total)
        view_say(&a->ctx, "no hits in %zu stor%s", r.searched, r.searched == 1 ? "y" : "ies");
    results_view_free(a->results);
    a->results =
        results_view_new(&r, query, shelf_view_paths(a->shelf), shelf_view_count(a->shelf));
    push_mode(a, MODE_RESULTS);
}

static void prompt_key(App *a, int key)
{
    LineEdit *e = prompt_edit(a);
    LineEditResult r = lineedit_key(e, key);
    bool in_reader = a->prompt != PROMPT_LIBRARY && top_mode(a) == MODE_READER;
    if (r == LINEEDIT_CANCEL) {
        a->prompting = false;
        if (in_reader) reader_view_search_cancel(a->reader, &a->ctx);
    } else if (r == LINEEDIT_ACCEPT) {
        a->prompting = false;
        const char *q = lineedit_text(e);
        if (a->prompt == PROMPT_LIBRARY) {
            if (*q) library_run(a, q);
        } else if (in_reader) {
            reader_view_search_accept(a->reader, &a->ctx, q);
        } else if (top_mode(a) == MODE_COMPARE && *q) {
            compare_view_search(a->compare, &a->ctx, q);
        }
    } else if (r == LINEEDIT_CHANGED && in_reader) {
        reader_view_search_typed(a->reader, &a->ctx, lineedit_text(e));
    }
}

/* --- commands ------------------------------------------------------------------------------ */

static void act(App *a, ViewAction v)
{
    switch (v.kind) {
    case ACT_NONE:
        break;
    case ACT_LEAVE:
        pop_mode(a);
        break;
    case ACT_QUIT:
        a->done = true;
        break;
    case ACT_OPEN:
        open_story(a, v.story, v.at,
                   top_mode(a) == MODE_RESULTS ? results_view_query(a->results) : NULL);
        break;
    case ACT_COMPARE: {
        size_t n;
        const size_t *idx = shelf_view_compared(a->shelf, &n);
        if (app_compare(a, v.story, v.other, false) == 0 && n >= 3) set_versions(a, idx, n);
        break;
    }
    case ACT_PICK:
        if (shelf_view_count(a->shelf) < 2) {
            view_say(&a->ctx, "only one story here: open lector on a folder to compare two");
            break;
        }
        shelf_view_pick(a->shelf, a->reader_story);
        view_say(&a->ctx, "compare with which story? Enter picks it, Esc goes back");
        push_mode(a, MODE_SHELF);
        break;
    case ACT_HELP: {
        size_t nnotes = 0;
        const HelpRow *notes = top_mode(a) == MODE_COMPARE ? compare_view_help_notes(&nnotes)
                               : top_mode(a) == MODE_SHELF
                                   ? shelf_view_help_notes(a->shelf, &nnotes)
                               : top_mode(a) == MODE_READER ? help_search_notes(&nnotes)
                                                            : NULL;
        help_view_open(&a->help, keymap_view(top_mode(a)), notes, nnotes);
        push_mode(a, MODE_HELP);
        break;
    }
    case ACT_PROMPT:
        prompt_open(a, v.prompt);
        break;
    case ACT_TOC:
        if (!a->reader) break;
        toc_view_free(a->toc);
        a->toc = toc_view_new(reader_view_text(a->reader), reader_view_top(a->reader),
                              reader_view_furthest(a->reader));
        push_mode(a, MODE_TOC);
        break;
    case ACT_JUMP:
        if (top_mode(a) == MODE_TOC) pop_mode(a);
        if (a->reader) reader_view_jump(a->reader, v.at);
        break;
    }
}

void app_command(App *a, Command cmd, long count)
{
    if (cmd == CMD_REDRAW) {
        a->redraw = true;
        return;
    }
    open_pending_story(a);
    switch (top_mode(a)) {
    case MODE_SHELF:
        act(a, shelf_view_command(a->shelf, &a->ctx, cmd, count));
        break;
    case MODE_READER:
        act(a, reader_view_command(a->reader, &a->ctx, cmd, count));
        break;
    case MODE_RESULTS:
        act(a, results_view_command(a->results, &a->ctx, cmd, count));
        break;
    case MODE_COMPARE:
        act(a, compare_view_command(a->compare, &a->ctx, cmd, count));
        break;
    case MODE_HELP:
        act(a, help_view_command(&a->help, &a->ctx, cmd, count));
        break;
    case MODE_TOC:
        act(a, toc_view_command(a->toc, &a->ctx, cmd, count));
        break;
    }
}

void app_key(App *a, int key)
{
    open_pending_story(a);
    a->ctx.message[0] = 0;
    AppMode m = top_mode(a);
    if (a->prompting) { /* every key is text, but a control key bound to drawing again */
        if ((key < 0x20 || key == 0x7f) &&
            keymap_lookup(a->keymap, keymap_view(m), key) == CMD_REDRAW)
            a->redraw = true;
        else
            prompt_key(a, key);
        return;
    }
    if (m == MODE_READER && reader_view_wants_letter(a->reader)) {
        a->count = -1;
        reader_view_letter(a->reader, &a->ctx, key);
        return;
    }
    if (key >= '0' && key <= '9') { /* a count, in every view that moves */
        long c = a->count < 0 ? 0 : a->count;
        if (c < 100000000) a->count = c * 10 + (key - '0');
        return;
    }
    long count = a->count;
    a->count = -1;
    Command cmd = keymap_lookup(a->keymap, keymap_view(m), key);
    if (key == APP_KEY_ESC && m == MODE_SHELF && shelf_view_picking(a->shelf)) cmd = CMD_QUIT;
    if (cmd == CMD_NONE && key == APP_KEY_ESC && m != MODE_HELP) return; /* Esc drops a count */
    app_command(a, cmd, count);
}

void app_click(App *a, int row, int col)
{
    (void)col;
    a->ctx.message[0] = 0;
    if (a->prompting) return;
    if (top_mode(a) == MODE_SHELF) act(a, shelf_view_click(a->shelf, &a->ctx, row));
    if (top_mode(a) == MODE_RESULTS) act(a, results_view_click(a->results, &a->ctx, row));
    if (top_mode(a) == MODE_TOC) act(a, toc_view_click(a->toc, &a->ctx, row));
}

bool app_take_redraw(App *a)
{
    bool r = a->redraw;
    a->redraw = false;
    return r;
}

/* --- background work and state ------------------------------------------------------------- */

bool app_idle(App *a)
{
    if (top_mode(a) != MODE_READER || !a->reader) return false;
    return reader_view_idle(a->reader, &a->ctx);
}

void app_settle(App *a)
{
    if (a->reader) reader_view_settle(a->reader, &a->ctx);
}

bool app_story_loaded(const App *a)
{
    return a->reader && reader_view_loaded(a->reader);
}

bool app_done(const App *a)
{
    return a->done;
}

AppMode app_mode(const App *a)
{
    return a->open_pending ? MODE_READER : top_mode(a);
}

const char *app_message(const App *a)
{
    return a->ctx.message;
}

void app_message_set(App *a, const char *msg)
{
    view_say(&a->ctx, "%s", msg);
}

size_t app_top_offset(const App *a)
{
    return a->reader ? reader_view_top(a->reader) : 0;
}

/* --- drawing ------------------------------------------------------------------------------- */

void app_render(App *a, Grid *g)
{
    open_pending_story(a);
    if (grid_cols(g) != a->ctx.cols || grid_rows(g) != a->ctx.rows)
        grid_resize(g, a->ctx.cols, a->ctx.rows);
    grid_clear(g);
    if (a->ctx.cols < MIN_COLS || a->ctx.rows < MIN_ROWS) {
        grid_put_text(g, a->ctx.rows / 2, 0, "terminal too small", a->ctx.cols, STYLE_MESSAGE);
        return;
    }
    switch (top_mode(a)) {
    case MODE_SHELF:
        shelf_view_render(a->shelf, &a->ctx, g);
        break;
    case MODE_READER:
        reader_view_render(a->reader, &a->ctx, g);
        break;
    case MODE_HELP:
        help_view_render(&a->help, &a->ctx, g);
        break;
    case MODE_RESULTS:
        results_view_render(a->results, &a->ctx, g);
        break;
    case MODE_COMPARE:
        compare_view_render(a->compare, &a->ctx, g);
        break;
    case MODE_TOC:
        toc_view_render(a->toc, &a->ctx, g);
        break;
    }
    if (!a->prompting) return;
    char right[64] = "";
    const char *lead = "search all stories: ";
    if (a->prompt != PROMPT_LIBRARY) lead = a->prompt == PROMPT_SEARCH_BACK ? "?" : "/";
    if (a->prompt != PROMPT_LIBRARY && top_mode(a) == MODE_READER)
        reader_view_search_status(a->reader, right, sizeof right);
    view_draw_prompt(&a->ctx, g, lead, prompt_edit(a), right);
}
