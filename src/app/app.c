/* app.c: state, named commands, the key table and the views.
 *
 * Data model: the shelf is an array of entries (path, and once looked at: title, word count);
 * stats are computed only for rows the shelf view shows, so a folder of 10,000 stories opens at
 * once. The reader holds one story (Text + Pager); a place in it is the pager's top byte offset,
 * which is also what marks and "back to where I was" ('') remember.
 */
#include "app.h"
#include "compare_view.h"
#include "help.h"

#include "lector/cache.h"
#include "lector/index.h"
#include "lector/search.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lector/xalloc.h"

enum { MARKS = 26, MARGIN = 2, MIN_COLS = 20, MIN_ROWS = 5, HISTORY = 50, LIB_HITS = 200 };

/* A hit of a library search, ready to show. */
typedef struct {
    size_t story;  /* shelf entry */
    Span span;     /* the match's bytes in the story */
    int percent;   /* where in the story */
    char *snippet; /* owned; the match at [hl_start, hl_end) */
    size_t hl_start, hl_end;
} LibHit;

/* The open story's index, built in a thread so that reading never waits for it. The thread
 * starts once the story is read to its end (a complete Text is never written again, so the
 * thread may read it while the reader shows it), builds, saves to the cache, and sets finished;
 * the main thread joins it from app_idle. */
typedef struct {
    pthread_t tid;
    bool running; /* started and not joined yet (main thread only) */
    atomic_bool finished;
    IndexProgress progress;
    Text *text;        /* borrowed, complete */
    const char *path;  /* borrowed; NULL: not cached (standard input) */
    IndexCache *cache; /* borrowed; may be NULL */
    Index *result;     /* the thread's until finished, then the main thread's */
} Indexer;

struct App {
    ShelfEntry *shelf;
    size_t nshelf, sel, shelf_top;
    int single; /* started on one file: q leaves lector from the reader */
    AppMode mode, mode_before_help;
    int help_top; /* the help screen's first row shown, when it is taller than the screen */
    int cols, rows;
    /* the open story */
    Text *text;
    Pager *pager;
    size_t open_index;
    int measure;            /* requested columns of text */
    int default_measure;    /* what = returns to: the configuration's measure, else 72 */
    bool measure_given;     /* the measure came from the command line: the configuration yields */
    SearchMode search_mode; /* SEARCH_SMART, or SEARCH_FOLD when smart case is off */
    ConfigBinding *keymap;  /* owned: the configuration's keys, each to its command */
    size_t nkeymap;
    LayoutOptions lopt;  /* width function; .width is the effective measure */
    size_t marks[MARKS]; /* byte offsets; SIZE_MAX: unset */
    size_t prev_jump;    /* where a jump left from; SIZE_MAX: none */
    long count;          /* a number typed before a command; -1: none */
    int pending;         /* 'm' or '\'' waiting for its letter; 0: none */

    /* The saved state as loaded: leaving without moving writes nothing, so the file stays as it
     * was (a signal at start-up changes nothing) and its offset does not creep to the start of
     * a row of another width each time the story is opened and closed. */
    bool kept;                /* a saved state was loaded */
    size_t kept_off;          /* its offset, bytes */
    size_t kept_marks[MARKS]; /* its marks */

    char message[600];
    bool done;
    Text *preloaded;         /* the single story, loaded once by app_new; owned until opened */
    StateStore *state;       /* NULL when positions cannot be kept (said once on the status line) */
    size_t words, words_pos; /* the open story's word count, counted in idle steps */
    int words_in_word, words_done;
    /* search in the open story */
    IndexCache *cache; /* NULL when no cache folder can be had */
    Index *index;      /* from the cache or the indexer; owned */
    Indexer indexer;
    bool prompting;         /* a query is being typed after / or ? */
    int search_dir;         /* 1: / (forward), -1: ? (backward) */
    Strbuf query;           /* being typed, or the last one searched */
    size_t search_origin;   /* the top when the prompt opened: Esc returns there */
    SearchMatch *matches;   /* owned; ascending */
    size_t nmatches, cur;   /* cur: the current match */
    char *history[HISTORY]; /* owned; newest last */
    int nhistory, hist_pos;
    Query *q;       /* the query of the matches, for highlighting part of a word */
    uint8_t *strip; /* the hit strip: per screen row, 1 when it has matches */
    int strip_rows; /* rows it was made for; 0: to make */
    /* library search: across every story of the shelf */
    bool lib_prompting;
    Strbuf lib_query;
    AppMode lib_from; /* the view it was asked from */
    LibHit *lib_hits; /* owned, best first */
    size_t nlib, lib_total, lib_sel, lib_top;
    /* compare */
    CompareView *cmp; /* owned; the view while MODE_COMPARE */
    AppMode cmp_from; /* where q returns to */
    bool cmp_quit;    /* q leaves lector (started as lector compare A B) */
    size_t cmp_pick;  /* the reader's story waiting for its partner; SIZE_MAX: none */
};

/* --- shelf ------------------------------------------------------------------------------- */

static int cmp_path(const void *a, const void *b)
{
    return strcmp(((const ShelfEntry *)a)->path, ((const ShelfEntry *)b)->path);
}

static void shelf_add(App *a, size_t *cap, const char *path)
{
    if (a->nshelf == *cap)
        a->shelf = xreallocarray(a->shelf, *cap = *cap * 2 + 16, sizeof *a->shelf);
    a->shelf[a->nshelf++] = (ShelfEntry){xstrdup(path), NULL, 0, -1, 0, 0, 0};
}

/* Adds a folder's .txt files; -1 with diag when it cannot be read. */
static int shelf_add_folder(App *a, size_t *cap, const char *dir, Diag *diag)
{
    DIR *d = opendir(dir);
    if (!d) {
        diag_set(diag, DIAG_NOT_FOUND, "%s: cannot open the folder: %s", dir, strerror(errno));
        return -1;
    }
    size_t first = a->nshelf;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.' || n < 5 || strcmp(e->d_name + n - 4, ".txt")) continue;
        Strbuf path = STRBUF_INIT;
        strbuf_addf(&path, "%s/%s", dir, e->d_name);
        shelf_add(a, cap, path.buf);
        strbuf_release(&path);
    }
    closedir(d);
    qsort(a->shelf + first, a->nshelf - first, sizeof *a->shelf, cmp_path);
    return 0;
}

/* Fills in an entry's title and word count (loads the story once). */
static void shelf_stats(ShelfEntry *e)
{
    if (e->title) return;
    Text *t = NULL;
    Diag d = {0};
    if (text_load(e->path, 0, &t, &d) != 0) {
        e->title = xstrdup(d.msg);
        e->failed = 1;
        return;
    }
    e->title = xstrdup(text_title(t));
    e->words = text_word_count(t);
    text_free(t);
}

/* --- reader ------------------------------------------------------------------------------ */

static int page_rows(const App *a)
{
    return a->rows - 1 > 1 ? a->rows - 1 : 1;
}

/* The text column: the measure, or the screen less a margin each side when narrower. */
static int effective_measure(const App *a)
{
    int m = a->measure;
    if (m > a->cols - 2 * MARGIN) m = a->cols - 2 * MARGIN;
    if (m < LAYOUT_MIN_WIDTH) m = a->cols < LAYOUT_MIN_WIDTH ? LAYOUT_MIN_WIDTH : a->cols;
    if (m > LAYOUT_MAX_WIDTH) m = LAYOUT_MAX_WIDTH;
    return m;
}

static void message(App *a, const char *fmt, const char *arg)
{
    snprintf(a->message, sizeof a->message, fmt, arg ? arg : "");
}

/* Saves the open story's place and marks, unless they are still those loaded. The story is being
 * closed: the pager may be left at the search's origin, or re-anchored on its top row. */
static void save_state(App *a)
{
    const char *path = a->shelf[a->open_index].path;
    if (!a->state || !strcmp(path, "-")) return;
    /* A query still being typed is cancelled, as Esc does: its match is not the place read. */
    if (a->prompting) pager_set_top_offset(a->pager, a->search_origin);
    size_t top = pager_top_offset(a->pager);
    if (a->kept && !memcmp(a->marks, a->kept_marks, sizeof a->marks)) {
        pager_set_top_offset(a->pager, a->kept_off); /* still on the row holding it? */
        if (pager_top_offset(a->pager) == top) return;
        pager_set_top_offset(a->pager, top);
    }
    StoryState st;
    state_init(&st);
    st.offset = pager_top_offset(a->pager);
    st.percent = pager_percent(a->pager, page_rows(a));
    memcpy(st.marks, a->marks, sizeof st.marks);
    Diag d = {0};
    if (state_save(a->state, path, a->text, &st, &d) != 0) message(a, "%s", d.msg);
}

static void clear_matches(App *a);
static void search_run(App *a);
static void lib_clear(App *a);
static void draw_status(App *a, Grid *g, const char *left, const char *right);
static bool help_scroll(App *a, int key);

static void *indexer_main(void *arg)
{
    Indexer *ix = arg;
    ix->result = index_build(ix->text, 2, &ix->progress);
    if (ix->result && ix->cache && ix->path) {
        Diag d = {0};
        cache_store(ix->cache, ix->path, ix->text, ix->result, &d); /* a cache is optional */
    }
    atomic_store(&ix->finished, true);
    return NULL;
}

static void indexer_start(App *a)
{
    Indexer *ix = &a->indexer;
    ix->text = a->text;
    ix->path = strcmp(a->shelf[a->open_index].path, "-") ? a->shelf[a->open_index].path : NULL;
    ix->cache = a->cache;
    ix->result = NULL;
    atomic_store(&ix->finished, false);
    atomic_store(&ix->progress.done, 0);
    atomic_store(&ix->progress.cancel, false);
    ix->running = pthread_create(&ix->tid, NULL, indexer_main, ix) == 0;
    if (!ix->running) indexer_main(ix); /* no thread to be had: build it here */
    if (!ix->running) {
        a->index = ix->result;
        ix->result = NULL;
    }
}

/* Joins a finished indexer (wait: or waits for it); true when an index arrived. */
static bool indexer_poll(App *a, bool wait)
{
    Indexer *ix = &a->indexer;
    if (!ix->running || (!wait && !atomic_load(&ix->finished))) return false;
    pthread_join(ix->tid, NULL);
    ix->running = false;
    a->index = ix->result;
    ix->result = NULL;
    return a->index != NULL;
}

static void indexer_stop(App *a)
{
    if (!a->indexer.running) return;
    atomic_store(&a->indexer.progress.cancel, true);
    indexer_poll(a, true);
}

/* How far the index is, 0-99, while it is being made (or the story read first). */
static int index_percent(const App *a)
{
    size_t len = text_len_estimate(a->text);
    if (!a->indexer.running || !len) return 0;
    size_t done = atomic_load(&a->indexer.progress.done);
    return done >= len ? 99 : (int)(done * 100 / len);
}

/* An index found damaged while searching: drop it and build it again in the background (the
 * new one replaces the cache file). */
static void check_index(App *a)
{
    if (a->index && index_corrupt(a->index)) {
        index_free(a->index);
        a->index = NULL;
        message(a, "the search index was damaged: indexing again%s", "");
    }
}

static void close_story(App *a)
{
    if (!a->text) return;
    save_state(a);
    a->shelf[a->open_index].percent = pager_percent(a->pager, page_rows(a));
    a->shelf[a->open_index].state_checked = 1;
    indexer_stop(a);
    pager_free(a->pager);
    index_free(a->index);
    text_free(a->text);
    a->pager = NULL;
    a->text = NULL;
    a->index = NULL;
    clear_matches(a);
    a->prompting = false;
}

/* "-" is standard input: it can be read once, so it is only ever a single story. */
static int load(const char *path, Text **t, Diag *d)
{
    if (!strcmp(path, "-")) return text_load_fd(0, "-", 0, t, d);
    return text_open(path, 0, t, d);
}

static void jump_from_here(App *a)
{
    a->prev_jump = pager_top_offset(a->pager);
}

/* Opens shelf entry i where it was left (at == SIZE_MAX), or at byte at, with '' going back to
 * where it was left. */
static void open_story(App *a, size_t i, size_t at)
{
    Text *t = NULL;
    Diag d = {0};
    if (a->single && a->preloaded) {
        t = a->preloaded;
        a->preloaded = NULL;
    } else if (load(a->shelf[i].path, &t, &d) != 0) {
        message(a, "%s", d.msg);
        return;
    }
    close_story(a);
    a->text = t;
    a->open_index = i;
    a->lopt.width = effective_measure(a);
    a->pager = pager_new(t, &a->lopt);
    for (int k = 0; k < MARKS; k++)
        a->marks[k] = SIZE_MAX;
    a->kept = false;
    a->prev_jump = SIZE_MAX;
    a->mode = MODE_READER;
    a->words = a->words_pos = 0;
    a->words_in_word = a->words_done = 0;
    if (!a->shelf[i].title) a->shelf[i].title = xstrdup(text_title(t));
    if (text_notice(t))
        message(a, "%s", text_notice(t));
    else if (text_complete(t) && text_paragraph_count(t) == 0)
        message(a, "%s", text_len(t) ? "only blank lines: nothing to show" : "empty file");
    Diag cd = {0}; /* a damaged index file: kept aside, and said where */
    if (a->cache && strcmp(a->shelf[i].path, "-"))
        a->index = cache_lookup(a->cache, a->shelf[i].path, &cd);
    if (cd.code) message(a, "%s", cd.msg);
    if (a->state && strcmp(a->shelf[i].path, "-")) {
        StoryState st;
        Diag sd = {0};
        int found = state_load(a->state, a->shelf[i].path, t, &st, &sd);
        if (found < 0) {
            message(a, "%s", sd.msg);
        } else if (found > 0) {
            pager_set_top_offset(a->pager, st.offset);
            memcpy(a->marks, st.marks, sizeof a->marks);
            a->kept = true;
            a->kept_off = st.offset;
            memcpy(a->kept_marks, st.marks, sizeof a->kept_marks);
            if (st.offset > 0 && !text_notice(t) && !cd.code && at == SIZE_MAX) {
                char pct[16];
                snprintf(pct, sizeof pct, "%d%%", pager_percent(a->pager, page_rows(a)));
                message(a, "resumed at %s", pct);
            }
        }
    }
    if (at != SIZE_MAX) {
        jump_from_here(a);
        pager_set_top_offset(a->pager, at);
    }
}

App *app_new(char **paths, int npaths, int measure, Diag *diag)
{
    App *a = xcalloc(1, sizeof *a);
    a->cur = SIZE_MAX;
    a->cmp_pick = SIZE_MAX;
    size_t cap = 0;
    a->measure = measure > 0 ? measure : APP_DEFAULT_MEASURE;
    a->default_measure = APP_DEFAULT_MEASURE;
    a->measure_given = measure > 0;
    a->search_mode = SEARCH_SMART;
    a->cols = 80;
    a->rows = 24;
    a->count = -1;
    a->prev_jump = SIZE_MAX;
    Diag sd = {0};
    a->state = state_open(NULL, &sd);
    if (!a->state) message(a, "%s", sd.msg);
    a->cache = cache_open(NULL, NULL); /* without one, each search indexes the story again */
    for (int i = 0; i < npaths; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (shelf_add_folder(a, &cap, paths[i], diag) != 0) {
                app_free(a);
                return NULL;
            }
        } else {
            shelf_add(a, &cap, paths[i]);
        }
    }
    if (a->nshelf == 0) {
        diag_set(diag, DIAG_NOT_FOUND,
                 "%s: no .txt stories in this folder (lector lists .txt files; give a file's "
                 "path to open any other)",
                 npaths ? paths[0] : "");
        app_free(a);
        return NULL;
    }
    a->mode = MODE_SHELF;
    if (npaths == 1 && a->nshelf == 1) {
        struct stat st;
        if (!(stat(paths[0], &st) == 0 && S_ISDIR(st.st_mode))) {
            a->single = 1;
            if (load(a->shelf[0].path, &a->preloaded, diag) != 0) {
                app_free(a);
                return NULL;
            }
            open_story(a, 0, SIZE_MAX);
        }
    }
    return a;
}

void app_free(App *a)
{
    if (!a) return;
    compare_view_free(a->cmp);
    close_story(a);
    text_free(a->preloaded);
    state_close(a->state);
    cache_close(a->cache);
    lib_clear(a);
    strbuf_release(&a->lib_query);
    free(a->strip);
    strbuf_release(&a->query);
    for (int i = 0; i < a->nhistory; i++)
        free(a->history[i]);
    for (size_t i = 0; i < a->nshelf; i++) {
        free(a->shelf[i].path);
        free(a->shelf[i].title);
    }
    free(a->shelf);
    free(a->keymap);
    free(a);
}

void app_set_width_fn(App *a, LayoutWidthFn fn, void *ctx, int ambiguous_width)
{
    a->lopt.cluster_width = fn;
    a->lopt.width_ctx = ctx;
    a->lopt.ambiguous_width = ambiguous_width;
    if (a->pager) {
        size_t off = pager_top_offset(a->pager);
        pager_free(a->pager);
        a->pager = pager_new(a->text, &a->lopt);
        pager_set_top_offset(a->pager, off);
    }
}

void app_resize(App *a, int cols, int rows)
{
    a->cols = cols;
    a->rows = rows;
    if (a->cmp) compare_view_resize(a->cmp, cols, rows);
    if (a->pager) { /* keeps the top row's first word on the top row */
        a->lopt.width = effective_measure(a);
        pager_set_width(a->pager, a->lopt.width);
    }
}

/* --- commands ---------------------------------------------------------------------------- */

static long take_count(App *a, long dflt)
{
    long n = a->count >= 0 ? a->count : dflt;
    a->count = -1;
    return n;
}

static void cmd_line_down(App *a)
{
    pager_scroll(a->pager, take_count(a, 1), page_rows(a));
}
static void cmd_line_up(App *a)
{
    pager_scroll(a->pager, -take_count(a, 1), page_rows(a));
}
static void cmd_page_down(App *a)
{
    pager_scroll(a->pager, take_count(a, 1) * page_rows(a), page_rows(a));
}
static void cmd_page_up(App *a)
{
    pager_scroll(a->pager, -take_count(a, 1) * page_rows(a), page_rows(a));
}
static void cmd_half_down(App *a)
{
    pager_scroll(a->pager, take_count(a, 1) * (page_rows(a) / 2 ? page_rows(a) / 2 : 1),
                 page_rows(a));
}
static void cmd_half_up(App *a)
{
    pager_scroll(a->pager, -take_count(a, 1) * (page_rows(a) / 2 ? page_rows(a) / 2 : 1),
                 page_rows(a));
}
static void cmd_wheel_down(App *a)
{
    pager_scroll(a->pager, 3, page_rows(a));
}
static void cmd_wheel_up(App *a)
{
    pager_scroll(a->pager, -3, page_rows(a));
}

static void cmd_first(App *a)
{
    long n = take_count(a, -1);
    jump_from_here(a);
    pager_go_first(a->pager);
    if (n > 1) pager_scroll(a->pager, n - 1, page_rows(a)); /* Ng: row N, as less's line N */
}

static void cmd_last(App *a)
{
    a->count = -1;
    jump_from_here(a);
    pager_go_last(a->pager, page_rows(a));
}

static void cmd_percent(App *a)
{
    long n = take_count(a, 0);
    jump_from_here(a);
    pager_go_percent(a->pager, (double)n, page_rows(a));
}

static void cmd_measure(App *a, int delta)
{
    if (delta == 0)
        a->measure = a->default_measure;
    else
        a->measure += delta;
    if (a->measure < LAYOUT_MIN_WIDTH) a->measure = LAYOUT_MIN_WIDTH;
    if (a->measure > LAYOUT_MAX_WIDTH) a->measure = LAYOUT_MAX_WIDTH;
    a->lopt.width = effective_measure(a);
    pager_set_width(a->pager, a->lopt.width);
    char num[32];
    snprintf(num, sizeof num, "%d", a->lopt.width);
    message(a, "measure %s columns", num);
}
static void cmd_narrow(App *a)
{
    cmd_measure(a, -2);
}
static void cmd_widen(App *a)
{
    cmd_measure(a, +2);
}
static void cmd_measure_reset(App *a)
{
    cmd_measure(a, 0);
}

static void cmd_help(App *a)
{
    a->mode_before_help = a->mode;
    a->mode = MODE_HELP;
    a->help_top = 0;
}

int app_compare(App *a, size_t i, size_t j, bool quit_after)
{
    Text *t[2] = {NULL, NULL};
    size_t which[2] = {i, j};
    for (int k = 0; k < 2; k++) {
        Diag d = {0};
        if (which[k] >= a->nshelf || text_load(a->shelf[which[k]].path, 0, &t[k], &d) != 0) {
            message(a, "%s", which[k] < a->nshelf ? d.msg : "no such story");
            text_free(t[0]);
            return -1;
        }
    }
    compare_view_free(a->cmp);
    a->cmp = compare_view_new(t[0], t[1], &a->lopt);
    compare_view_set_search_mode(a->cmp, a->search_mode);
    compare_view_resize(a->cmp, a->cols, a->rows);
    if (a->mode != MODE_COMPARE) a->cmp_from = a->mode;
    a->cmp_quit = quit_after;
    a->mode = MODE_COMPARE;
    return 0;
}

static void compare_key(App *a, int key)
{
    if (compare_view_key(a->cmp, key)) return;
    compare_view_free(a->cmp);
    a->cmp = NULL;
    a->mode = a->cmp_from;
    if (a->cmp_quit) a->done = true;
}

/* c in the reader: pick the other story on the shelf. */
static void cmd_compare_with(App *a)
{
    if (a->nshelf < 2) {
        message(a, "only one story here: open lector on a folder to compare two%s", "");
        return;
    }
    a->cmp_pick = a->open_index;
    a->mode = MODE_SHELF;
    a->sel = a->open_index + 1 < a->nshelf ? a->open_index + 1 : 0;
    message(a, "compare with which story? Enter picks it, Esc goes back%s", "");
}

static void cmd_back(App *a)
{
    if (a->single) {
        close_story(a);
        a->done = true;
        return;
    }
    close_story(a);
    a->mode = MODE_SHELF;
}

/* Search. The query is matched by the story's index (built at the first search: the whole
 * story is read then), words as substrings (as less finds "mother" in "grandmother"), case-,
 * accent- and normalization-insensitive unless the query has an uppercase letter. */
static void clear_matches(App *a)
{
    free(a->matches);
    a->matches = NULL;
    a->nmatches = 0;
    a->cur = SIZE_MAX;
    query_free(a->q);
    a->q = NULL;
    a->strip_rows = 0;
}

/* Matches hold token positions; their bytes are found only for the matches a view needs (the
 * screen's, the current one), so that a search for a word on every page of a 100 MB story
 * costs what the index costs, not a pass over the story. */
static void ensure_spans(App *a, size_t i, size_t j)
{
    while (i < j) {
        while (i < j && a->matches[i].span.end)
            i++;
        size_t k = i;
        while (k < j && !a->matches[k].span.end)
            k++;
        if (k > i) {
            const uint8_t *b = text_bytes(a->text);
            search_match_spans(a->index, b, 0, a->matches + i, k - i);
            for (size_t m = i; m < k && a->q; m++) /* /kaz marks "Kaz" of "Kazakh" */
                a->matches[m].span = search_refine_span(a->q, b, a->matches[m].span);
        }
        i = k;
    }
}

/* The first match at or after token position pos. */
static size_t match_at_pos(const App *a, uint32_t pos)
{
    size_t lo = 0, hi = a->nmatches;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->matches[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first match starting at or after byte off (nmatches if none). */
static size_t match_from(App *a, size_t off)
{
    if (!a->nmatches) return 0;
    size_t para = text_paragraph_at(a->text, off);
    if (para >= index_paragraph_count(a->index)) return a->nmatches;
    IndexParagraph ip = index_paragraph(a->index, para);
    size_t lo = match_at_pos(a, ip.first), end = match_at_pos(a, ip.end);
    ensure_spans(a, lo, end); /* those in off's paragraph: which side of off */
    while (lo < end && a->matches[lo].span.start < off)
        lo++;
    return lo;
}

/* Shows match a->cur: its line on top, as less does. */
static void show_match(App *a)
{
    if (a->cur >= a->nmatches) return;
    ensure_spans(a, a->cur, a->cur + 1);
    pager_set_top_offset(a->pager, a->matches[a->cur].span.start);
}

/* Runs the query from the place where the prompt opened: the first match at or after it (or
 * before it, for ?), wrapping around. Until the index is ready there is nothing to run: the
 * status line says how far it is, and app_idle runs the query when it arrives. */
static void search_run(App *a)
{
    clear_matches(a);
    if (!a->query.len) {
        pager_set_top_offset(a->pager, a->search_origin);
        return;
    }
    if (!a->index) return;
    text_load_all(a->text); /* an index from the cache can come before the story is all read */
    Query *q;
    Diag d = {0};
    if (query_parse(a->query.buf, a->search_mode, true, &q, &d) != 0) return;
    a->nmatches = search_matches(a->index, a->text, q, &a->matches);
    a->q = q;
    check_index(a);
    if (!a->index) {
        clear_matches(a);
        return;
    }
    if (!a->nmatches) return;
    size_t i = match_from(a, a->search_origin);
    if (a->search_dir > 0)
        a->cur = i < a->nmatches ? i : 0;
    else
        a->cur = i > 0 ? i - 1 : a->nmatches - 1;
    show_match(a);
}

static void history_add(App *a)
{
    if (!a->query.len) return;
    if (a->nhistory && !strcmp(a->history[a->nhistory - 1], a->query.buf)) return;
    if (a->nhistory == HISTORY) {
        free(a->history[0]);
        memmove(a->history, a->history + 1, (HISTORY - 1) * sizeof *a->history);
        a->nhistory--;
    }
    a->history[a->nhistory++] = xstrdup(a->query.buf);
}

static void start_search(App *a, int dir)
{
    a->prompting = true;
    a->search_dir = dir;
    a->search_origin = pager_top_offset(a->pager);
    a->query.len = 0;
    strbuf_addstr(&a->query, ""); /* a NUL-terminated empty buffer */
    a->hist_pos = a->nhistory;
    clear_matches(a);
}

static void cmd_search_forward(App *a)
{
    start_search(a, 1);
}
static void cmd_search_backward(App *a)
{
    start_search(a, -1);
}

static void step_match(App *a, int dir)
{
    if (!a->query.len) {
        message(a, "no search yet: press / to search%s", "");
        return;
    }
    if (!a->index) {
        char pct[32];
        snprintf(pct, sizeof pct, "%d%%", index_percent(a));
        message(a, "indexing %s...", pct);
        return;
    }
    if (!a->nmatches) {
        message(a, "not found: %s", a->query.buf);
        return;
    }
    long n = take_count(a, 1);
    size_t top = pager_top_offset(a->pager);
    /* From the current match while it is on or below the top line; after scrolling above or
     * past it, from the top line, as less searches from the screen. */
    size_t lo = match_from(a, top); /* the first match at or after the top line */
    size_t at = a->cur < a->nmatches && a->cur >= lo ? a->cur : SIZE_MAX;
    for (long k = 0; k < n; k++) {
        size_t i = at != SIZE_MAX ? (dir > 0 ? at + 1 : at) : lo;
        if (dir > 0 && i >= a->nmatches) {
            i = 0;
            message(a, "search wrapped to the top%s", "");
        } else if (dir < 0 && i == 0) {
            i = a->nmatches;
            message(a, "search wrapped to the end%s", "");
        }
        at = dir > 0 ? i : i - 1;
    }
    a->cur = at;
    a->prev_jump = top;
    show_match(a);
}

static void cmd_next_match(App *a)
{
    step_match(a, a->search_dir);
}
static void cmd_prev_match(App *a)
{
    step_match(a, -a->search_dir);
}

/* --- library search ---------------------------------------------------------------------- */

static void lib_clear(App *a)
{
    for (size_t i = 0; i < a->nlib; i++)
        free(a->lib_hits[i].snippet);
    free(a->lib_hits);
    a->lib_hits = NULL;
    a->nlib = a->lib_total = a->lib_sel = a->lib_top = 0;
}

static void cmd_library_search(App *a)
{
    a->lib_prompting = true;
    a->lib_from = a->mode;
    a->lib_query.len = 0;
    strbuf_addstr(&a->lib_query, "");
}

/* Ranks the query's hits over every story of the shelf (indexes from the cache, built and saved
 * for the stories that have none or changed), best first, as lector search does. */
static void lib_run(App *a)
{
    lib_clear(a);
    Query *q;
    Diag d = {0};
    if (query_parse(a->lib_query.buf, a->search_mode, false, &q, &d) != 0) {
        message(a, "%s", d.msg);
        return;
    }
    Index **ix = xcalloc(a->nshelf, sizeof *ix);
    Text **tx = xcalloc(a->nshelf, sizeof *tx);
    SearchSet *set = search_set_new(q);
    size_t searched = 0;
    for (size_t i = 0; i < a->nshelf; i++) {
        if (!strcmp(a->shelf[i].path, "-")) continue; /* standard input: only in its reader */
        CacheReport r;
        Diag sd = {0};
        if (cache_index(a->cache, a->shelf[i].path, 2, CACHE_VERIFY, &ix[i], &tx[i], &r, &sd) != 0)
            continue;
        if (r.outcome == CACHE_DAMAGED) message(a, "%s", r.note.msg); /* kept aside: say where */
        if (query_needs_text(q) && !tx[i] && text_load(a->shelf[i].path, 0, &tx[i], &sd) != 0)
            continue;
        search_set_add(set, i, ix[i], tx[i] ? text_bytes(tx[i]) : NULL);
        searched++;
    }
    const SearchHit *h;
    a->lib_total = search_set_hits(set, LIB_HITS, &h);
    size_t n = a->lib_total < LIB_HITS ? a->lib_total : LIB_HITS;
    a->lib_hits = xcalloc(n ? n : 1, sizeof *a->lib_hits);
    for (size_t k = 0; k < n; k++) {
        size_t i = h[k].story, bom;
        if (!tx[i] && !index_clean_as_read(ix[i], &bom)) text_load(a->shelf[i].path, 0, &tx[i], &d);
        SearchPlace pl;
        if (search_place(ix[i], tx[i], a->shelf[i].path, &h[k].first, 200, &pl, &d) != 0) continue;
        size_t len = index_text_len(ix[i]);
        a->lib_hits[a->nlib++] = (LibHit){
            i,          pl.span,     len ? (int)((double)pl.span.start * 100.0 / (double)len) : 0,
            pl.snippet, pl.hl_start, pl.hl_end};
        if (!a->shelf[i].title) a->shelf[i].title = xstrdup(index_title(ix[i]));
    }
    for (size_t i = 0; i < a->nshelf; i++) {
        index_free(ix[i]);
        text_free(tx[i]);
    }
    free(ix);
    free(tx);
    search_set_free(set);
    query_free(q);
    a->mode = MODE_RESULTS;
    if (!a->lib_total) {
        char what[64];
        snprintf(what, sizeof what, "%zu stor%s", searched, searched == 1 ? "y" : "ies");
        message(a, "no hits in %s", what);
    }
}

static void lib_prompt_key(App *a, int key)
{
    if (key == APP_KEY_ESC) {
        a->lib_prompting = false;
        return;
    }
    if (key == APP_KEY_ENTER || key == '\n' || key == '\r') {
        a->lib_prompting = false;
        if (a->lib_query.len) lib_run(a);
        return;
    }
    if (key == APP_KEY_BACKSPACE || key == 0x7f || key == 8) {
        if (!a->lib_query.len) {
            a->lib_prompting = false;
            return;
        }
        do
            a->lib_query.len--;
        while (a->lib_query.len && (a->lib_query.buf[a->lib_query.len] & 0xc0) == 0x80);
        a->lib_query.buf[a->lib_query.len] = 0;
    } else if (key >= 0x20 && key < 0x110000 && key != 0x7f && a->lib_query.len < 200) {
        strbuf_add_utf8(&a->lib_query, (uint32_t)key);
    }
}

/* Opens the selected hit: its story at the hit, the query's matches highlighted, the hit the
 * current one; '' goes back to where the story was. */
static void lib_open(App *a)
{
    if (a->lib_sel >= a->nlib) return;
    const LibHit *h = &a->lib_hits[a->lib_sel];
    if (a->text && a->open_index == h->story) {
        jump_from_here(a);
        pager_set_top_offset(a->pager, h->span.start);
    } else {
        open_story(a, h->story, h->span.start);
        if (!a->text || a->open_index != h->story) return; /* it could not be opened */
    }
    a->mode = MODE_READER;
    /* the same words, searched in the story: highlights, n and N */
    a->search_dir = 1;
    a->search_origin = h->span.start;
    a->query.len = 0;
    strbuf_addstr(&a->query, a->lib_query.buf);
    history_add(a);
    search_run(a);
    if (!a->index) message(a, "indexing the story: its matches show when ready%s", "");
}

static void results_key(App *a, int key)
{
    size_t page = (size_t)(page_rows(a) > 2 ? page_rows(a) - 1 : 1);
    switch (key) {
    case 'j':
    case APP_KEY_DOWN:
    case APP_KEY_WHEEL_DOWN:
        if (a->lib_sel + 1 < a->nlib) a->lib_sel++;
        break;
    case 'k':
    case APP_KEY_UP:
    case APP_KEY_WHEEL_UP:
        if (a->lib_sel > 0) a->lib_sel--;
        break;
    case ' ':
    case 'f':
    case APP_KEY_PGDN:
        a->lib_sel = a->lib_sel + page < a->nlib ? a->lib_sel + page : (a->nlib ? a->nlib - 1 : 0);
        break;
    case 'b':
    case APP_KEY_PGUP:
        a->lib_sel = a->lib_sel > page ? a->lib_sel - page : 0;
        break;
    case 'g':
    case APP_KEY_HOME:
        a->lib_sel = 0;
        break;
    case 'G':
    case APP_KEY_END:
        a->lib_sel = a->nlib ? a->nlib - 1 : 0;
        break;
    case APP_KEY_ENTER:
    case 'l':
    case APP_KEY_RIGHT:
        lib_open(a);
        break;
    case 's':
        cmd_library_search(a);
        a->lib_from = a->text && a->lib_from == MODE_READER ? MODE_READER : MODE_SHELF;
        break;
    case 'q':
    case APP_KEY_ESC:
    case APP_KEY_LEFT:
        a->mode = a->lib_from == MODE_READER && a->text ? MODE_READER : MODE_SHELF;
        break;
    default:
        message(a, "Enter opens the hit, q goes back, s searches again%s", "");
    }
}

static void render_results(App *a, Grid *g)
{
    int prow = page_rows(a) - 1;
    if (prow < 1) prow = 1;
    if (a->lib_sel < a->lib_top) a->lib_top = a->lib_sel;
    if (a->lib_sel >= a->lib_top + (size_t)prow) a->lib_top = a->lib_sel - (size_t)prow + 1;
    Strbuf head = STRBUF_INIT;
    strbuf_addf(&head, "%zu hit%s for ", a->lib_total, a->lib_total == 1 ? "" : "s");
    text_escape(a->lib_query.buf, a->lib_query.len, &head);
    if (a->lib_total > a->nlib) strbuf_addf(&head, " (the best %zu)", a->nlib);
    grid_put_text(g, 0, 1, head.buf, a->cols - 2, STYLE_TITLE);
    strbuf_release(&head);
    int tw = a->cols / 4 > 24 ? 24 : a->cols / 4; /* the title column */
    for (int r = 0; r < prow && a->lib_top + (size_t)r < a->nlib; r++) {
        size_t i = a->lib_top + (size_t)r;
        const LibHit *h = &a->lib_hits[i];
        bool sel = i == a->lib_sel;
        Style st = sel ? STYLE_SELECTED : STYLE_TEXT;
        if (sel) grid_fill(g, 1 + r, 0, a->cols, st);
        const char *title = a->shelf[h->story].title ? a->shelf[h->story].title : "";
        grid_put_text(g, 1 + r, 1, title, tw, sel ? st : STYLE_DIM);
        char pct[16];
        snprintf(pct, sizeof pct, "%3d%%", h->percent);
        int pw = grid_text_width(pct), x = 2 + tw, room = a->cols - x - pw - 2;
        if (room > 8) { /* the snippet, the match marked and in view: its start cut to fit */
            char *s = h->snippet;
            char keep = s[h->hl_start];
            s[h->hl_start] = 0;
            const char *from = s;
            int used = 0;
            while (*from && grid_text_width(from) > room / 3) {
                from++;
                while ((*from & 0xc0) == 0x80)
                    from++;
            }
            if (from != s) used = grid_put_text(g, 1 + r, x, "…", room, st);
            used += grid_put_text(g, 1 + r, x + used, from, room - used, st);
            s[h->hl_start] = keep;
            keep = s[h->hl_end];
            s[h->hl_end] = 0;
            used += grid_put_text(g, 1 + r, x + used, s + h->hl_start, room - used,
                                  sel ? STYLE_CURRENT : STYLE_MATCH);
            s[h->hl_end] = keep;
            grid_put_text(g, 1 + r, x + used, s + h->hl_end, room - used, st);
        }
        grid_put_text(g, 1 + r, a->cols - 1 - pw, pct, pw, sel ? st : STYLE_DIM);
    }
    char right[64] = "";
    if (a->nlib) snprintf(right, sizeof right, "hit %zu of %zu", a->lib_sel + 1, a->nlib);
    draw_status(a, g, "Enter open  q back  s search again", right);
}

/* The library search prompt, on the status line of whatever view it was asked from. */
static void draw_lib_prompt(App *a, Grid *g)
{
    int row = a->rows - 1;
    grid_fill(g, row, 0, a->cols, STYLE_STATUS);
    Strbuf line = STRBUF_INIT;
    strbuf_addstr(&line, "search all stories: ");
    text_escape(a->lib_query.buf, a->lib_query.len, &line);
    const char *shown = line.buf; /* a long query shows its end, where the typing is */
    while (grid_text_width(shown) > a->cols - 2 && *shown) {
        shown++;
        while ((*shown & 0xc0) == 0x80)
            shown++;
    }
    grid_put_text(g, row, 1, shown, a->cols - 2, STYLE_STATUS);
    strbuf_release(&line);
}

/* A key while the query is typed. */
static void prompt_key(App *a, int key)
{
    if (key == APP_KEY_ESC) {
        a->prompting = false;
        a->query.len = 0;
        a->query.buf[0] = 0;
        clear_matches(a);
        pager_set_top_offset(a->pager, a->search_origin);
        return;
    }
    if (key == APP_KEY_ENTER || key == '\n' || key == '\r') {
        a->prompting = false;
        history_add(a);
        if (a->query.len && !a->index)
            message(a, "indexing: the search runs when it is ready%s", "");
        else if (a->query.len && !a->nmatches)
            message(a, "not found: %s", a->query.buf);
        if (a->nmatches) a->prev_jump = a->search_origin;
        return;
    }
    if (key == APP_KEY_UP || key == APP_KEY_DOWN) {
        int p = a->hist_pos + (key == APP_KEY_UP ? -1 : 1);
        if (p < 0 || p > a->nhistory) return;
        a->hist_pos = p;
        a->query.len = 0;
        strbuf_addstr(&a->query, p < a->nhistory ? a->history[p] : "");
    } else if (key == APP_KEY_BACKSPACE || key == 0x7f || key == 8) {
        if (!a->query.len) { /* backspace on an empty query leaves the prompt, as in less */
            prompt_key(a, APP_KEY_ESC);
            return;
        }
        do
            a->query.len--;
        while (a->query.len && (a->query.buf[a->query.len] & 0xc0) == 0x80);
        a->query.buf[a->query.len] = 0;
    } else if (key >= 0x20 && key < 0x110000 && key != 0x7f) {
        if (a->query.len < 200) strbuf_add_utf8(&a->query, (uint32_t)key);
    } else {
        return;
    }
    search_run(a);
}
static void cmd_mark(App *a)
{
    a->pending = 'm';
}
static void cmd_goto_mark(App *a)
{
    a->pending = '\'';
}

/* The letter after m or ': set a mark, go to one, or '' for the last jump. */
static void finish_mark(App *a, int key)
{
    int kind = a->pending;
    a->pending = 0;
    if (kind == '\'' && key == '\'') {
        if (a->prev_jump == SIZE_MAX) {
            message(a, "no earlier position yet%s", NULL);
            return;
        }
        size_t here = pager_top_offset(a->pager);
        pager_set_top_offset(a->pager, a->prev_jump);
        a->prev_jump = here;
        return;
    }
    if (key < 'a' || key > 'z') {
        message(a, "marks are the letters a to z%s", NULL);
        return;
    }
    char name[2] = {(char)key, 0};
    if (kind == 'm') {
        a->marks[key - 'a'] = pager_top_offset(a->pager);
        message(a, "mark %s set", name);
        return;
    }
    if (a->marks[key - 'a'] == SIZE_MAX) {
        message(a, "mark %s is not set", name);
        return;
    }
    jump_from_here(a);
    pager_set_top_offset(a->pager, a->marks[key - 'a']);
}

typedef struct {
    int key;
    void (*run)(App *a);
    int cmd;          /* the ConfigCommand the configuration binds keys to; -1: none */
    const char *keys; /* for the help screen: NULL when listed with the row before; "": made
                         from the keys of every row with this run (and the configuration's) */
    const char *what;
} KeyBinding;

/* The reader's keys, as data: the help screen is made from this table, and the configuration
 * binds a key to a command by making it act as the command's first key here. */
static const KeyBinding reader_keys[] = {
    {'j', cmd_line_down, CMD_DOWN, "", "forward one line (a count first: N lines)"},
    {'e', cmd_line_down, -1, NULL, NULL},
    {APP_KEY_DOWN, cmd_line_down, -1, NULL, NULL},
    {APP_KEY_ENTER, cmd_line_down, -1, NULL, NULL},
    {'k', cmd_line_up, CMD_UP, "", "back one line"},
    {'y', cmd_line_up, -1, NULL, NULL},
    {APP_KEY_UP, cmd_line_up, -1, NULL, NULL},
    {' ', cmd_page_down, -1, "", "forward one page"},
    {'f', cmd_page_down, CMD_PAGE_DOWN, NULL, NULL}, /* the shelf's page down too */
    {APP_KEY_PGDN, cmd_page_down, -1, NULL, NULL},
    {'b', cmd_page_up, CMD_PAGE_UP, "", "back one page"},
    {APP_KEY_PGUP, cmd_page_up, -1, NULL, NULL},
    {'d', cmd_half_down, CMD_HALF_DOWN, "", "forward, back half a page"},
    {'u', cmd_half_up, CMD_HALF_UP, NULL, NULL},
    {'g', cmd_first, CMD_TOP, "", "the beginning (a count first: row N)"},
    {APP_KEY_HOME, cmd_first, -1, NULL, NULL},
    {'<', cmd_first, -1, NULL, NULL},
    {'G', cmd_last, CMD_BOTTOM, "", "the end"},
    {APP_KEY_END, cmd_last, -1, NULL, NULL},
    {'>', cmd_last, -1, NULL, NULL},
    {'%', cmd_percent, -1, "", "N percent into the story"},
    {'p', cmd_percent, -1, NULL, NULL},
    {'m', cmd_mark, CMD_MARK, "", "set a mark here"},
    {'\'', cmd_goto_mark, CMD_GOTO_MARK, "", "go to a mark ('' back to before the last jump)"},
    {'-', cmd_narrow, CMD_NARROWER, "", "narrower, wider, default measure"},
    {'+', cmd_widen, CMD_WIDER, NULL, NULL},
    {'=', cmd_measure_reset, CMD_MEASURE_RESET, NULL, NULL},
    {APP_KEY_WHEEL_DOWN, cmd_wheel_down, -1, "mouse wheel", "scroll"},
    {APP_KEY_WHEEL_UP, cmd_wheel_up, -1, NULL, NULL},
    {'/', cmd_search_forward, CMD_SEARCH, "",
     "search on, back (Esc cancels; Up: history; a capital makes case count)"},
    {'?', cmd_search_backward, CMD_SEARCH_BACK, NULL, NULL},
    {'n', cmd_next_match, CMD_NEXT_MATCH, "", "next, previous match"},
    {'N', cmd_prev_match, CMD_PREV_MATCH, NULL, NULL},
    {'s', cmd_library_search, CMD_SEARCH_ALL, "",
     "search all the stories on the shelf (ranked hits)"},
    {'c', cmd_compare_with, CMD_COMPARE, "", "compare this story with another, side by side"},
    {'h', cmd_help, CMD_HELP, "", "this help"},
    {APP_KEY_F1, cmd_help, -1, NULL, NULL},
    {'q', cmd_back, CMD_QUIT, "", "back to the shelf (quit when one story was opened)"},
};

/* The key a command's configured keys act as: the key of its row with cmd set, which the shelf,
 * the results list and the compare view also give that meaning. */
static int command_key(int cmd)
{
    for (size_t i = 0; i < sizeof reader_keys / sizeof *reader_keys; i++)
        if (reader_keys[i].cmd == cmd) return reader_keys[i].key;
    return -1;
}

/* A key as the views should see it: a key the configuration bound acts as its command's key.
 * Not while a query or a mark's letter is being typed: there every key is itself. */
static int bound_key(const App *a, int key)
{
    if (a->lib_prompting || a->prompting || a->pending) return key;
    if (a->mode == MODE_COMPARE && a->cmp && compare_view_typing(a->cmp)) return key;
    for (size_t i = a->nkeymap; i-- > 0;) /* a later line of the file wins */
        if (a->keymap[i].key == key) return command_key((int)a->keymap[i].command);
    return key;
}

static bool key_rebound(const App *a, int key)
{
    for (size_t i = 0; i < a->nkeymap; i++)
        if (a->keymap[i].key == key) return true;
    return false;
}

/* The keys of the command run for the help screen: the table's keys for it that the
 * configuration left alone, then the configuration's own. */
static void command_keys(const App *a, void (*run)(App *), Strbuf *out)
{
    char name[16];
    size_t start = out->len;
    int cmd = -1;
    for (size_t j = 0; j < sizeof reader_keys / sizeof *reader_keys; j++) {
        if (reader_keys[j].run != run) continue;
        if (reader_keys[j].cmd >= 0) cmd = reader_keys[j].cmd;
        if (key_rebound(a, reader_keys[j].key)) continue;
        key_to_name(reader_keys[j].key, name, sizeof name);
        strbuf_addf(out, "%s%s%s", out->len > start ? "  " : "", run == cmd_percent ? "N" : "",
                    name); /* N%: the count is the percent */
    }
    for (size_t j = 0; cmd >= 0 && j < a->nkeymap; j++) {
        if ((int)a->keymap[j].command != cmd || bound_key(a, a->keymap[j].key) != command_key(cmd))
            continue; /* bound again later, to another command */
        bool again = false;
        for (size_t k = j + 1; k < a->nkeymap; k++)
            again |= a->keymap[k].key == a->keymap[j].key;
        if (again) continue; /* "key.down = x x": listed once, at its last line */
        key_to_name(a->keymap[j].key, name, sizeof name);
        strbuf_addf(out, "%s%s", out->len > start ? "  " : "", name);
    }
    if (out->len == start) strbuf_addstr(out, "(none)");
    if (cmd == CMD_MARK || cmd == CMD_GOTO_MARK) strbuf_addstr(out, " letter");
}

/* The help screen's keys for row i, with the commands that share its line ("d  u" is "d, u"). */
static void help_keys(const App *a, size_t i, Strbuf *out)
{
    if (reader_keys[i].keys[0]) {
        strbuf_addstr(out, reader_keys[i].keys);
        return;
    }
    command_keys(a, reader_keys[i].run, out);
    for (size_t j = i + 1; j < sizeof reader_keys / sizeof *reader_keys && !reader_keys[j].keys;
         j++) {
        bool listed = false;
        for (size_t k = i; k < j; k++)
            listed |= reader_keys[k].run == reader_keys[j].run;
        if (listed) continue;
        strbuf_addstr(out, ", ");
        command_keys(a, reader_keys[j].run, out);
    }
}

void app_configure(App *a, const Config *c)
{
    free(a->keymap);
    a->nkeymap = c->nbindings;
    a->keymap = a->nkeymap ? xreallocarray(NULL, a->nkeymap, sizeof *a->keymap) : NULL;
    if (a->nkeymap) memcpy(a->keymap, c->bindings, a->nkeymap * sizeof *a->keymap);
    a->search_mode = c->smart_case ? SEARCH_SMART : SEARCH_FOLD;
    if (c->measure) {
        a->default_measure = c->measure;
        if (!a->measure_given) {
            a->measure = c->measure;
            a->lopt.width = effective_measure(a);
            if (a->pager) pager_set_width(a->pager, a->lopt.width);
        }
    }
}

static void reader_key(App *a, int key)
{
    if (a->prompting) {
        prompt_key(a, key);
        return;
    }
    if (a->pending) {
        finish_mark(a, key);
        return;
    }
    if (key >= '0' && key <= '9') {
        long c = a->count < 0 ? 0 : a->count;
        if (c < 100000000) a->count = c * 10 + (key - '0');
        return;
    }
    for (size_t i = 0; i < sizeof reader_keys / sizeof *reader_keys; i++)
        if (reader_keys[i].key == key) {
            reader_keys[i].run(a);
            return;
        }
    a->count = -1;
    if (key == APP_KEY_ESC) return;
    message(a, "press h for the keys%s", NULL);
}

/* c on the shelf: the two marked stories, or the one marked and the selected one. */
static void shelf_compare(App *a)
{
    size_t m[2], n = 0;
    for (size_t i = 0; i < a->nshelf && n < 3; i++)
        if (a->shelf[i].marked) {
            if (n < 2) m[n] = i;
            n++;
        }
    if (n == 1 && m[0] != a->sel) m[n++] = a->sel;
    if (n != 2) {
        message(a, "mark two stories with Space, then press c to compare them%s", "");
        return;
    }
    if (app_compare(a, m[0], m[1], false) == 0)
        for (size_t i = 0; i < a->nshelf; i++)
            a->shelf[i].marked = 0;
}

static void shelf_key(App *a, int key)
{
    size_t n = a->nshelf;
    if (a->cmp_pick != SIZE_MAX) { /* picking the partner of the reader's story */
        if (key == APP_KEY_ENTER || key == 'l' || key == APP_KEY_RIGHT || key == 'c') {
            size_t other = a->sel;
            if (other == a->cmp_pick) {
                message(a, "that is the same story: pick another one%s", "");
                return;
            }
            a->mode = MODE_READER;
            size_t pick = a->cmp_pick;
            a->cmp_pick = SIZE_MAX;
            app_compare(a, pick, other, false);
            return;
        }
        if (key == APP_KEY_ESC || key == 'q') {
            a->cmp_pick = SIZE_MAX;
            a->mode = MODE_READER;
            return;
        }
    }
    switch (key) {
    case 'j':
    case APP_KEY_DOWN:
    case APP_KEY_WHEEL_DOWN:
        if (a->sel + 1 < n) a->sel++;
        break;
    case 'k':
    case APP_KEY_UP:
    case APP_KEY_WHEEL_UP:
        if (a->sel > 0) a->sel--;
        break;
    case ' ': /* mark, to compare, and on to the next */
        if (a->cmp_pick != SIZE_MAX) break;
        a->shelf[a->sel].marked = !a->shelf[a->sel].marked;
        if (a->sel + 1 < n) a->sel++;
        break;
    case 'c':
        shelf_compare(a);
        break;
    case 'f':
    case APP_KEY_PGDN:
        a->sel = a->sel + (size_t)page_rows(a) < n ? a->sel + (size_t)page_rows(a) : n - 1;
        break;
    case 'b':
    case APP_KEY_PGUP:
        a->sel = a->sel > (size_t)page_rows(a) ? a->sel - (size_t)page_rows(a) : 0;
        break;
    case 'g':
    case APP_KEY_HOME:
        a->sel = 0;
        break;
    case 'G':
    case APP_KEY_END:
        a->sel = n - 1;
        break;
    case APP_KEY_ENTER:
    case 'l':
    case APP_KEY_RIGHT:
        open_story(a, a->sel, SIZE_MAX);
        break;
    case 'h':
    case APP_KEY_F1:
        cmd_help(a);
        break;
    case 's':
        cmd_library_search(a);
        break;
    case 'q':
        a->done = true;
        break;
    default:
        message(a,
                "Enter opens a story, Space marks two and c compares them, s searches them all, "
                "q quits, h shows the keys%s",
                NULL);
    }
}

void app_key(App *a, int key)
{
    a->message[0] = 0;
    key = bound_key(a, key);
    if (a->lib_prompting) {
        lib_prompt_key(a, key);
        return;
    }
    switch (a->mode) {
    case MODE_RESULTS:
        results_key(a, key);
        break;
    case MODE_HELP:
        if (!help_scroll(a, key)) a->mode = a->mode_before_help;
        break;
    case MODE_SHELF:
        shelf_key(a, key);
        break;
    case MODE_READER:
        reader_key(a, key);
        break;
    case MODE_COMPARE:
        compare_key(a, key);
        break;
    }
}

/* The background index arrived: a query typed or entered meanwhile runs now. */
static void index_arrived(App *a)
{
    if (!a->query.len) return;
    search_run(a);
    if (a->prompting) return; /* the prompt shows the count as the query is typed */
    if (a->nmatches)
        a->message[0] = 0; /* "indexing..." is over: the status line says "match 1 of N" */
    else
        message(a, "not found: %s", a->query.buf);
}

bool app_idle(App *a)
{
    if (a->mode != MODE_READER || !a->pager) return false;
    if (!text_complete(a->text)) { /* the rest of a big story, 4 MiB a step */
        const char *before = text_notice(a->text);
        if (text_load_step(a->text) && text_notice(a->text) && !before)
            message(a, "%s", text_notice(a->text)); /* found late: an invalid byte, say */
        return true;
    }
    if (indexer_poll(a, false)) index_arrived(a);
    if (!a->index && !a->indexer.running) indexer_start(a);
    if (!a->words_done) { /* words first (for minutes left), 4 MB a step */
        text_count_words_step(a->text, &a->words_pos, 4 << 20, &a->words, &a->words_in_word);
        if (a->words_pos >= text_len(a->text)) {
            a->words_done = 1;
            a->shelf[a->open_index].words = a->words;
        }
        return true;
    }
    return !pager_count_step(a->pager, 64);
}

void app_settle(App *a)
{
    for (;;) {
        if (app_idle(a)) continue;
        if (!a->indexer.running) break;
        if (indexer_poll(a, true)) index_arrived(a);
    }
}

/* The open story's words: counted, or estimated from its size (6 bytes a word) until then. */
static size_t story_words(const App *a)
{
    return a->words_done ? a->words : text_len_estimate(a->text) / 6;
}

bool app_story_loaded(const App *a)
{
    return a->text && text_complete(a->text);
}

bool app_done(const App *a)
{
    return a->done;
}
AppMode app_mode(const App *a)
{
    return a->mode;
}
const char *app_message(const App *a)
{
    if (a->mode == MODE_COMPARE && a->cmp) return compare_view_message(a->cmp);
    return a->message;
}
void app_message_set(App *a, const char *msg)
{
    message(a, "%s", msg);
}
size_t app_top_offset(const App *a)
{
    return a->pager ? pager_top_offset(a->pager) : 0;
}

/* --- views ------------------------------------------------------------------------------- */

/* The status line: left part in STATUS, a message (if any) after it. */
static void draw_status(App *a, Grid *g, const char *left, const char *right)
{
    int row = a->rows - 1, cols = a->cols;
    grid_fill(g, row, 0, cols, STYLE_STATUS);
    int rw = grid_text_width(right);
    if (rw > cols - 1) rw = 0;
    int room_right = cols - 2 - (rw ? rw + 1 : 0); /* all but the right part */
    int mw = a->message[0] ? grid_text_width(a->message) : 0;
    int used = grid_text_width(left);
    if (mw && used + 3 + mw > room_right && room_right > 4) {
        /* a message too long to sit beside the title takes its place, whole if it can */
        grid_put_text(g, row, 1, a->message, room_right, STYLE_MESSAGE);
    } else if (mw && room_right <= 4 && cols > 4) { /* no room beside anything: it wins */
        grid_put_text(g, row, 1, a->message, cols - 2, STYLE_MESSAGE);
        return;
    } else {
        used = grid_put_text(g, row, 1, left, cols - 2 - (rw ? rw + 2 : 0), STYLE_STATUS);
        if (mw)
            grid_put_text(g, row, 1 + used + 3, a->message, room_right - used - 3, STYLE_MESSAGE);
    }
    if (rw) grid_put_text(g, row, cols - 1 - rw, right, rw, STYLE_STATUS);
}

/* The style of the story's byte off: a search match, the current one, or text. Looks among
 * matches [from, to), whose spans are known (the screen's). */
static Style match_style(const App *a, size_t from, size_t to, size_t off)
{
    size_t lo = from, hi = to;
    while (lo < hi) { /* the first match ending after off */
        size_t mid = lo + (hi - lo) / 2;
        if (a->matches[mid].span.end <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < to && a->matches[lo].span.start <= off)
        return lo == a->cur ? STYLE_CURRENT : STYLE_MATCH;
    return STYLE_TEXT;
}

/* The prompt, on the status line: "/query" and how many matches. */
static void draw_prompt(App *a, Grid *g)
{
    int row = a->rows - 1;
    grid_fill(g, row, 0, a->cols, STYLE_STATUS);
    char right[64] = "";
    if (a->query.len && !a->index)
        snprintf(right, sizeof right, "indexing %d%%...", index_percent(a));
    else if (a->query.len && a->nmatches)
        snprintf(right, sizeof right, "match %zu of %zu", a->cur + 1, a->nmatches);
    else if (a->query.len)
        snprintf(right, sizeof right, "not found");
    int rw = grid_text_width(right);
    Strbuf line = STRBUF_INIT;
    strbuf_addch(&line, a->search_dir > 0 ? '/' : '?');
    text_escape(a->query.buf, a->query.len, &line);
    int room = a->cols - 2 - (rw ? rw + 2 : 0);
    int w = grid_text_width(line.buf);
    /* a long query shows its end, where the typing is */
    const char *shown = line.buf;
    while (w > room && *shown) {
        shown++;
        while ((*shown & 0xc0) == 0x80)
            shown++;
        w = grid_text_width(shown);
    }
    grid_put_text(g, row, 1, shown, room, STYLE_STATUS);
    if (rw && rw + 4 < a->cols) grid_put_text(g, row, a->cols - 1 - rw, right, rw, STYLE_STATUS);
    strbuf_release(&line);
}

/* The hit strip: one column beside the text, a row per 1/rows of the story, marked where it
 * has matches (by token position: close to the byte position, and known without the text). */
static void draw_strip(App *a, Grid *g, int rows, int col)
{
    if (!a->nmatches || rows < 1 || col < 0) return;
    uint32_t ntokens = index_token_count(a->index);
    if (!ntokens) return;
    if (a->strip_rows != rows) {
        free(a->strip);
        a->strip = xcalloc((size_t)rows, 1);
        a->strip_rows = rows;
        for (size_t i = 0; i < a->nmatches; i++)
            a->strip[(uint64_t)a->matches[i].pos * (uint64_t)rows / ntokens] = 1;
    }
    int cur = a->cur < a->nmatches
                  ? (int)((uint64_t)a->matches[a->cur].pos * (uint64_t)rows / ntokens)
                  : -1;
    for (int r = 0; r < rows; r++)
        if (a->strip[r] || r == cur)
            grid_put(g, r, col, (const uint8_t *)"|", 1, 1, r == cur ? STYLE_CURRENT : STYLE_MATCH,
                     SIZE_MAX);
}

static void render_reader(App *a, Grid *g)
{
    int prow = page_rows(a), W = a->lopt.width;
    int left = (a->cols - W) / 2;
    if (left < 0) left = 0;
    PagerRow *rows = xcalloc((size_t)prow, sizeof *rows);
    int n = pager_rows(a->pager, prow, rows);
    size_t base;
    const uint8_t *bytes = pager_bytes(a->pager, &base);
    size_t m0 = 0, m1 = 0; /* the matches on screen (and one before: a phrase may reach in) */
    if (a->nmatches && n > 0) {
        size_t v0 = SIZE_MAX, v1 = 0;
        for (int r = 0; r < n; r++) {
            if (rows[r].gap) continue;
            if (v0 == SIZE_MAX) v0 = base + rows[r].line.start;
            v1 = base + rows[r].line.end;
        }
        if (v0 != SIZE_MAX) {
            m0 = match_from(a, v0);
            if (m0 > 0) m0--;
            m1 = match_from(a, v1);
            ensure_spans(a, m0, m1);
        }
    }
    for (int r = 0; r < n; r++) {
        if (rows[r].gap) continue;
        LayoutCellIter it;
        LayoutCell cell;
        layout_cells_begin(&it, bytes, &rows[r].line, &a->lopt);
        while (layout_cells_next(&it, &cell))
            grid_put(g, r, left + cell.col, cell.glyph, cell.glyph_len, cell.width,
                     match_style(a, m0, m1, base + cell.off), base + cell.off);
    }
    free(rows);

    int pct = pager_percent(a->pager, prow);
    size_t words = story_words(a);
    size_t left_words = (size_t)((double)words * (100 - pct) / 100.0);
    size_t minutes = (left_words + APP_WPM - 1) / APP_WPM;
    size_t top_row, total, page = 0, pages = 0;
    if (pager_row_index(a->pager, &top_row, &total)) {
        pages = (total + (size_t)prow - 1) / (size_t)prow;
        page = pct == 100 ? pages : top_row / (size_t)prow + 1;
    }
    if (pages != 1) /* a story on one screen shows its matches: no strip needed */
        draw_strip(a, g, prow, left + W + 1 < a->cols ? left + W + 1 : a->cols - 1);
    if (a->prompting) {
        draw_prompt(a, g);
        return;
    }
    /* "match 3 of 17" first, while a search is on; then as much as fits beside at least 12
     * columns of title: full, short, or the percent alone. */
    char match[64] = "";
    if (a->nmatches && a->cur < a->nmatches && !a->message[0])
        snprintf(match, sizeof match, "match %zu of %zu  ", a->cur + 1, a->nmatches);
    char right[192];
    for (int form = 0; form < 4; form++) {
        if (form == 0 && pages)
            snprintf(right, sizeof right, "%s%d%%  page %zu of %zu  %zu min left", match, pct, page,
                     pages, minutes);
        else if (form == 0)
            snprintf(right, sizeof right, "%s%d%%  %zu min left", match, pct, minutes);
        else if (form == 1 && pages)
            snprintf(right, sizeof right, "%s%d%%  %zu/%zu", match, pct, page, pages);
        else if (form <= 2)
            snprintf(right, sizeof right, "%s%d%%", match, pct);
        else
            snprintf(right, sizeof right, "%d%%", pct);
        if (grid_text_width(right) + 2 + 12 <= a->cols - 2) break;
    }
    draw_status(a, g, text_title(a->text), right);
}

static void render_shelf(App *a, Grid *g)
{
    int prow = page_rows(a) - 1; /* one header row */
    if (prow < 1) prow = 1;
    if (a->sel < a->shelf_top) a->shelf_top = a->sel;
    if (a->sel >= a->shelf_top + (size_t)prow) a->shelf_top = a->sel - (size_t)prow + 1;
    char header[96];
    snprintf(header, sizeof header, "lector: %zu stor%s", a->nshelf, a->nshelf == 1 ? "y" : "ies");
    grid_put_text(g, 0, 1, header, a->cols - 2, STYLE_TITLE);
    for (int r = 0; r < prow && a->shelf_top + (size_t)r < a->nshelf; r++) {
        size_t i = a->shelf_top + (size_t)r;
        ShelfEntry *e = &a->shelf[i];
        shelf_stats(e);
        if (!e->state_checked && a->state) {
            StoryState st;
            Diag sd = {0};
            int found = state_load(a->state, e->path, NULL, &st, &sd);
            if (found > 0) e->percent = st.percent;
            if (found < 0) message(a, "%s", sd.msg); /* kept aside: opening it will not say */
            e->state_checked = 1;
        }
        Style st = i == a->sel ? STYLE_SELECTED : STYLE_TEXT;
        char info[96];
        if (e->failed)
            snprintf(info, sizeof info, "cannot open");
        else if (e->percent >= 0)
            snprintf(info, sizeof info, "%zu words  %zu min  %d%% read", e->words,
                     (e->words + APP_WPM - 1) / APP_WPM, e->percent);
        else
            snprintf(info, sizeof info, "%zu words  %zu min", e->words,
                     (e->words + APP_WPM - 1) / APP_WPM);
        int iw = grid_text_width(info);
        if (iw > a->cols / 2 && !e->failed) { /* shorter: progress, else reading time */
            if (e->percent >= 0)
                snprintf(info, sizeof info, "%d%% read", e->percent);
            else
                snprintf(info, sizeof info, "%zu min", (e->words + APP_WPM - 1) / APP_WPM);
            iw = grid_text_width(info);
        }
        if (iw > a->cols / 2) iw = 0;
        if (st == STYLE_SELECTED) grid_fill(g, 1 + r, 0, a->cols, st);
        if (e->marked) grid_put_text(g, 1 + r, 0, "*", 1, st);
        grid_put_text(g, 1 + r, 1, e->title, a->cols - 2 - (iw ? iw + 2 : 0), st);
        if (iw)
            grid_put_text(g, 1 + r, a->cols - 1 - iw, info, iw,
                          st == STYLE_SELECTED ? st : STYLE_DIM);
    }
    char right[64];
    snprintf(right, sizeof right, "%zu of %zu", a->sel + 1, a->nshelf);
    const char *hint = "Enter open  Space mark  c compare  s search  q quit  h keys";
    if (grid_text_width(hint) + grid_text_width(right) + 4 > a->cols)
        hint = "Enter open  s search  q quit"; /* the short form; h lists the rest */
    if (a->cmp_pick != SIZE_MAX)
        hint = "compare with: Enter pick  Esc back";
    else if (a->message[0])
        hint = ""; /* a message (why a story cannot open, say) matters more than the key hint */
    draw_status(a, g, hint, right);
}

/* The reader's help, drawn from top on into g's first shown rows (g NULL: none); returns its
 * height at this width. Its rows are the table's rows with keys, the keys as bound now. */
static int help_layout(App *a, Grid *g, int top, int shown)
{
    enum { N = sizeof reader_keys / sizeof *reader_keys };
    HelpRow rows[N];
    Strbuf keys[N];
    size_t n = 0;
    for (size_t i = 0; i < N; i++) {
        if (!reader_keys[i].keys) continue;
        keys[n] = (Strbuf)STRBUF_INIT;
        help_keys(a, i, &keys[n]);
        rows[n] = (HelpRow){keys[n].buf, reader_keys[i].what};
        n++;
    }
    int height = help_draw(g, a->cols, top, shown, "lector: keys in the reader", rows, n);
    for (size_t i = 0; i < n; i++)
        strbuf_release(&keys[i]);
    return height;
}

/* On a screen too short for the whole help, the moving keys scroll it (as less's help does)
 * and any other key returns; false: the key returns. */
static bool help_scroll(App *a, int key)
{
    int shown = a->rows - 1, most = help_layout(a, NULL, 0, 0) - shown;
    return most > 0 && key_scroll(key, shown, most, &a->help_top);
}

static void render_help(App *a, Grid *g)
{
    int shown = a->rows - 1;
    HelpStatus st;
    help_status(a->cols, help_layout(a, NULL, 0, 0), shown, &a->help_top, &st);
    help_layout(a, g, a->help_top, shown);
    draw_status(a, g, st.hint, st.where);
}

void app_render(App *a, Grid *g)
{
    if (grid_cols(g) != a->cols || grid_rows(g) != a->rows) grid_resize(g, a->cols, a->rows);
    grid_clear(g);
    if (a->cols < MIN_COLS || a->rows < MIN_ROWS) {
        grid_put_text(g, a->rows / 2, 0, "terminal too small", a->cols, STYLE_MESSAGE);
        return;
    }
    switch (a->mode) {
    case MODE_SHELF:
        render_shelf(a, g);
        break;
    case MODE_READER:
        render_reader(a, g);
        break;
    case MODE_HELP:
        render_help(a, g);
        break;
    case MODE_RESULTS:
        render_results(a, g);
        break;
    case MODE_COMPARE:
        compare_view_render(a->cmp, g);
        break;
    }
    if (a->lib_prompting) draw_lib_prompt(a, g);
}
