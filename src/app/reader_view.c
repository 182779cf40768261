/* reader_view.c: see reader_view.h.
 *
 * Data model: the story (Text, read in steps when big) and a Pager over it at the effective
 * measure; a place is the pager's top byte offset. The index comes from the cache when the file
 * is unchanged, else an Indexer thread builds it once the story is complete (a complete Text is
 * never written again, so the thread may read it while the view shows it). A search is a
 * MatchList, made again for each change of the query: over that index when there is one, else
 * by reading the story (a story too long to index never has one). Reading stops at the first
 * match it needs, and at SCAN_NOW_MS: past that the search waits (scan_waiting) and
 * reader_view_idle reads on between keys, then shows it; the count is completed the same way.
 */
#include "reader_view.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lector/cache.h"
#include "lector/index.h"
#include "lector/matchlist.h"
#include "lector/regex.h"
#include "lector/pager.h"
#include "lector/state.h"
#include "lector/strbuf.h"
#include "lector/xalloc.h"
#include "lector/thread.h"

enum {
    MARKS = STATE_MARKS,
    MARGIN = 2,
    SCAN_NOW_MS = 40,      /* reading for a search before the screen answers */
    SCAN_IDLE_MS = 30,     /* and at a time while waiting for keys */
    SCAN_STEP = 256 << 10, /* bytes read between two looks at the clock */
};

/* The story's index, built in a thread so that reading never waits for it. */
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

struct ReaderView {
    char *path; /* owned; "-": standard input */
    bool from_stdin;
    Text *text;
    Pager *pager;
    LayoutOptions lopt; /* the context's width function; this story's width and line ends */
    int line_ends;      /* LayoutLineEnds in effect */
    int direction;      /* BidiDirection in effect (D), kept with the place */
    BidiCache *bidi;    /* owned: the paragraph ordered last, for the next line of it */
    LayoutCell *cells;  /* owned: a line's cells, in display order (render) */
    size_t cells_cap;
    size_t marks[MARKS];
    size_t prev_jump; /* where the last jump left from; SIZE_MAX: none */
    int pending;      /* 'm' or '\'' waiting for its letter; 0: none */
    int furthest;     /* the furthest percent read; -1: none yet */
    /* the file was cut short while open: said once at once, and again after each key that
     * leaves the status line free (what the reader shows from then on can be blanks) */
    bool shrank_told, shrank_said;

    /* The saved state as loaded: leaving without a change writes nothing, so the file stays as
     * it was and its offset does not creep to the start of a row of another width each time
     * the story is opened and closed. */
    bool kept;
    StoryState kept_state;

    size_t words, words_pos; /* the story's words, counted in idle steps */
    int words_in_word;
    bool words_done;

    Index *index; /* owned: from the cache or the indexer */
    Indexer indexer;

    /* search */
    Strbuf query;         /* being typed, or the last one searched; "" when none */
    int search_dir;       /* 1: / (forward), -1: ? (backward) */
    bool prompting;       /* the query is being typed */
    bool search_pending;  /* a query typed with keys behind it, not searched yet (search_typed) */
    Strbuf pending_query; /* that query */
    size_t search_origin; /* the top when the search began: Esc and a failed search return */
    MatchList *ml;        /* owned; NULL while there is no query */
    bool scan_waiting;    /* ml reads the story and has not found the match to show yet */
    size_t cur;           /* the current match; SIZE_MAX: none */
    bool match_status;    /* the status line says "match N of M" (until another command) */
    uint8_t *strip;       /* the hit strip: per screen row, 1 when it has matches */
    int strip_rows;       /* rows it was made for; 0: to make */
};

/* --- opening and closing --------------------------------------------------------------------- */

static int effective_measure(const ViewContext *c)
{
    int m = c->measure;
    if (m > c->cols - 2 * MARGIN) m = c->cols - 2 * MARGIN;
    if (m < LAYOUT_MIN_WIDTH) m = c->cols < LAYOUT_MIN_WIDTH ? LAYOUT_MIN_WIDTH : c->cols;
    if (m > LAYOUT_MAX_WIDTH) m = LAYOUT_MAX_WIDTH;
    return m;
}

static int page_rows(const ViewContext *c)
{
    return view_page_rows(c);
}

/* An index of this file that saw it clean as read tells the story so (text_set_clean_throughout):
 * its offsets far past what is loaded are the file's. */
static void trust_index(ReaderView *rv)
{
    size_t bom;
    if (rv->index && index_clean_as_read(rv->index, &bom)) text_set_clean_throughout(rv->text);
}

static void *indexer_main(void *arg)
{
    Indexer *ix = arg;
    IndexBuildOptions opt = {.scratch_dir = ix->cache ? cache_dir(ix->cache) : NULL};
    ix->result = index_build_with(ix->text, 2, &ix->progress, &opt, NULL);
    if (ix->result && ix->cache && ix->path) {
        Diag d = {0};
        cache_store(ix->cache, ix->path, ix->text, ix->result, &d); /* a cache is optional */
    }
    atomic_store(&ix->finished, true);
    return NULL;
}

static void indexer_start(ReaderView *rv, ViewContext *c)
{
    Indexer *ix = &rv->indexer;
    ix->text = rv->text;
    ix->path = rv->from_stdin ? NULL : rv->path;
    ix->cache = c->cache;
    ix->result = NULL;
    atomic_store(&ix->finished, false);
    atomic_store(&ix->progress.done, 0);
    atomic_store(&ix->progress.cancel, false);
    ix->running = thread_start(&ix->tid, indexer_main, ix) == 0;
    if (!ix->running) { /* no thread to be had: build it here */
        indexer_main(ix);
        rv->index = ix->result;
        ix->result = NULL;
        trust_index(rv);
    }
}

/* Joins a finished indexer (wait: or waits for it); true when an index arrived. */
static bool indexer_poll(ReaderView *rv, bool wait)
{
    Indexer *ix = &rv->indexer;
    if (!ix->running || (!wait && !atomic_load(&ix->finished))) return false;
    pthread_join(ix->tid, NULL);
    ix->running = false;
    rv->index = ix->result;
    ix->result = NULL;
    trust_index(rv);
    return rv->index != NULL;
}

static void indexer_stop(ReaderView *rv)
{
    if (!rv->indexer.running) return;
    atomic_store(&rv->indexer.progress.cancel, true);
    indexer_poll(rv, true);
}

/* A story too long to index (a mapped file over INDEX_MAX_TEXT): its searches read it. */
static bool too_long_to_index(const ReaderView *rv)
{
    return text_len_estimate(rv->text) > INDEX_MAX_TEXT;
}

static size_t story_words(const ReaderView *rv)
{
    return rv->words_done ? rv->words : text_len_estimate(rv->text) / 6;
}

/* C-g, as in less: what the story is and where the reader is in it, on the status line (in rows
 * of its own when long). The file's size and byte are the file's own (text_source_offset); the
 * text's are after cleaning. */
static void file_info(ReaderView *rv, ViewContext *c)
{
    Strbuf m = STRBUF_INIT;
    strbuf_addstr(&m, rv->from_stdin ? "standard input" : rv->path);
    struct stat st;
    if (!rv->from_stdin && stat(rv->path, &st) == 0)
        strbuf_addf(&m, "  %lld bytes", (long long)st.st_size);
    static const char *const enc[] = {"UTF-8", "Windows-1251", "Latin-1"};
    TextEncoding e = text_encoding(rv->text);
    strbuf_addf(&m, "  %s", e <= TEXT_LATIN1 ? enc[e] : "?");
    const char *notice = text_notice(rv->text);
    size_t crlf, cr;
    text_line_ends_cleaned(rv->text, &crlf, &cr);
    strbuf_addf(&m, "  cleaned: %s", notice ? notice : crlf || cr ? "" : "nothing");
    const char *sep = notice ? "; " : "";
    if (crlf) {
        strbuf_addf(&m, "%s%zu CR LF line end%s read as LF", sep, crlf, crlf == 1 ? "" : "s");
        sep = "; ";
    }
    if (cr) strbuf_addf(&m, "%s%zu CR line end%s read as LF", sep, cr, cr == 1 ? "" : "s");
    bool whole = text_complete(rv->text);
    size_t paras = text_paragraph_count(rv->text), words = story_words(rv);
    strbuf_addf(&m, "  %zu paragraph%s%s  %s%zu word%s", paras, paras == 1 ? "" : "s",
                whole ? "" : " so far", rv->words_done ? "" : "about ", words,
                words == 1 ? "" : "s");
    size_t top = pager_top_offset(rv->pager);
    strbuf_addf(&m, "  top at byte %zu of the file (%d%%)", text_source_offset(rv->text, top),
                pager_top_percent(rv->pager, page_rows(c)));
    if (rv->index)
        strbuf_addstr(&m, "  index: ready");
    else if (rv->indexer.running) {
        size_t done = atomic_load(&rv->indexer.progress.done), len = text_len(rv->text);
        strbuf_addf(&m, "  index: building, %d%%",
                    len ? (int)(100.0 * (double)done / (double)len) : 0);
    } else
        strbuf_addstr(&m, too_long_to_index(rv)
                              ? "  index: none (too long to index)"
                              : "  index: not built yet (the first search builds it)");
    view_say(c, "%s", m.buf);
    strbuf_release(&m);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_layout(ReaderView *rv, ViewContext *c)
{
    rv->lopt.cluster_width = c->lopt.cluster_width;
    rv->lopt.width_ctx = c->lopt.width_ctx;
    rv->lopt.ambiguous_width = c->lopt.ambiguous_width;
    rv->lopt.sa = c->lopt.sa;
    rv->lopt.width = effective_measure(c);
    rv->lopt.line_ends = rv->line_ends;
    rv->lopt.direction = rv->direction;
    rv->lopt.korean_syllables = c->korean_syllables;
}

ReaderView *reader_view_open(ViewContext *c, const char *path, Text *preloaded, size_t at,
                             Diag *diag)
{
    Text *t = preloaded;
    bool from_stdin = !strcmp(path, "-");
    if (!t) {
        TextOpenOptions opt = {.scratch_dir = c->cache ? cache_dir(c->cache) : NULL, .raw = c->raw};
        int rc =
            from_stdin ? text_load_fd(0, "-", 0, &t, diag) : text_open_with(path, &opt, &t, diag);
        if (rc != 0) return NULL;
    }
    ReaderView *rv = xcalloc(1, sizeof *rv);
    rv->path = xstrdup(path);
    rv->from_stdin = from_stdin;
    rv->text = t;
    rv->prev_jump = SIZE_MAX;
    rv->cur = SIZE_MAX;
    rv->furthest = -1;
    rv->search_dir = 1;
    strbuf_init(&rv->query);
    for (int k = 0; k < MARKS; k++)
        rv->marks[k] = SIZE_MAX;

    /* the index first: when it saw the file clean as read, places far in are shown, found and
     * kept by reading the file there, not by loading the story up to them (text.h) */
    Diag cd = {0}; /* a damaged index file: kept aside, and said where (below) */
    if (c->cache && !from_stdin)
        rv->index = cache_lookup(c->cache, path, text_is_plain_file(t), &cd);
    trust_index(rv);
    /* the saved state next: it may choose this story's line ends */
    StoryState st;
    state_init(&st);
    int found = 0;
    if (c->state && !from_stdin) {
        Diag sd = {0};
        found = state_load(c->state, path, t, &st, &sd);
        if (found < 0) view_say(c, "%s", sd.msg);
    }
    rv->line_ends = found > 0 && st.line_ends >= 0 ? st.line_ends : c->line_ends;
    rv->direction = found > 0 && st.direction >= 0 ? st.direction : BIDI_AUTO;
    rv->bidi = bidi_cache_new();
    rv->lopt.source_width = text_source_width(t); /* the story's own line width, from its start */
    set_layout(rv, c);
    rv->pager = pager_new(t, &rv->lopt);

    if (text_notice(t))
        view_say(c, "%s", text_notice(t));
    else if (text_complete(t) && text_paragraph_count(t) == 0)
        view_say(c, "%s", text_len(t) ? "only blank lines: nothing to show" : "empty file");
    if (cd.code) view_say(c, "%s", cd.msg);
    if (found > 0) {
        pager_set_top_offset(rv->pager, st.offset);
        memcpy(rv->marks, st.marks, sizeof rv->marks);
        rv->kept = true;
        rv->kept_state = st;
        rv->furthest = st.percent;
        if (st.offset > 0 && !text_notice(t) && !cd.code && at == SIZE_MAX)
            view_say(c, "resumed at %d%%", pager_top_percent(rv->pager, page_rows(c)));
    }
    if (at != SIZE_MAX) {
        rv->prev_jump = pager_top_offset(rv->pager);
        pager_set_top_offset(rv->pager, at);
    } else { /* what is on the screen when it opens has been read */
        int pct = pager_top_percent(rv->pager, page_rows(c));
        if (pct > rv->furthest) rv->furthest = pct;
    }
    return rv;
}

static void clear_matches(ReaderView *rv)
{
    matchlist_free(rv->ml);
    rv->ml = NULL;
    rv->scan_waiting = false;
    rv->cur = SIZE_MAX;
    rv->strip_rows = 0;
}

/* Saves the place, marks and line ends unless they are still those loaded. */
static void save_state(ReaderView *rv, ViewContext *c, ReaderClose *out)
{
    if (!c->state || rv->from_stdin) return;
    Diag ld = {0};
    state_set_last(c->state, rv->path, &ld); /* the shelf starts here next time */
    /* A query still being typed is cancelled, as Esc does: its match is not the place read. */
    if (rv->prompting) pager_set_top_offset(rv->pager, rv->search_origin);
    size_t top = pager_top_offset(rv->pager);
    StoryState st;
    state_init(&st);
    st.offset = top;
    st.percent = rv->furthest;
    memcpy(st.marks, rv->marks, sizeof st.marks);
    st.line_ends = rv->line_ends == c->line_ends && (!rv->kept || rv->kept_state.line_ends < 0)
                       ? -1
                       : rv->line_ends;
    st.direction = rv->direction == BIDI_AUTO && (!rv->kept || rv->kept_state.direction < 0)
                       ? -1
                       : rv->direction;
    if (rv->kept && !memcmp(st.marks, rv->kept_state.marks, sizeof st.marks) &&
        st.percent == rv->kept_state.percent && st.line_ends == rv->kept_state.line_ends &&
        st.direction == rv->kept_state.direction) {
        pager_set_top_offset(rv->pager, rv->kept_state.offset); /* still on the row holding it? */
        if (pager_top_offset(rv->pager) == top) return;
        pager_set_top_offset(rv->pager, top);
    }
    Diag d = {0};
    if (state_save(c->state, rv->path, rv->text, &st, &d) != 0 && out) {
        out->saved = false;
        out->diag = d;
    }
}

void reader_view_close(ReaderView *rv, ViewContext *c, ReaderClose *out)
{
    if (!rv) return;
    ReaderClose r = {rv->furthest, rv->words_done ? rv->words : 0, true, {0}};
    save_state(rv, c, &r);
    indexer_stop(rv);
    clear_matches(rv);
    pager_free(rv->pager);
    bidi_cache_free(rv->bidi);
    free(rv->cells);
    index_free(rv->index);
    text_free(rv->text);
    strbuf_release(&rv->query);
    strbuf_release(&rv->pending_query);
    free(rv->strip);
    free(rv->path);
    free(rv);
    if (out) *out = r;
}

void reader_view_jump(ReaderView *rv, size_t at)
{
    rv->prev_jump = pager_top_offset(rv->pager);
    pager_set_top_offset(rv->pager, at);
}

const Text *reader_view_text(const ReaderView *rv)
{
    return rv->text;
}

int reader_view_furthest(const ReaderView *rv)
{
    return rv->furthest;
}

size_t reader_view_top(const ReaderView *rv)
{
    return pager_top_offset(rv->pager);
}

bool reader_view_loaded(const ReaderView *rv)
{
    return text_complete(rv->text);
}

void reader_view_resize(ReaderView *rv, ViewContext *c)
{
    set_layout(rv, c);
    pager_set_options(rv->pager, &rv->lopt); /* keeps the top row's first word on the top row */
    rv->strip_rows = 0;
}

void reader_view_relayout(ReaderView *rv, ViewContext *c)
{
    reader_view_resize(rv, c);
}

/* --- moving ---------------------------------------------------------------------------------- */

/* A move by reading: what comes on screen has been read. */
static void read_on(ReaderView *rv, ViewContext *c)
{
    int pct = pager_top_percent(rv->pager, page_rows(c));
    if (pct > rv->furthest) rv->furthest = pct;
}

static void jump_from_here(ReaderView *rv)
{
    rv->prev_jump = pager_top_offset(rv->pager);
}

static void scroll(ReaderView *rv, ViewContext *c, long rows)
{
    pager_scroll(rv->pager, rows, page_rows(c));
    if (rows > 0) read_on(rv, c);
}

static void set_measure(ReaderView *rv, ViewContext *c, int delta)
{
    if (delta == 0)
        c->measure = c->default_measure;
    else
        c->measure += delta;
    if (c->measure < LAYOUT_MIN_WIDTH) c->measure = LAYOUT_MIN_WIDTH;
    if (c->measure > LAYOUT_MAX_WIDTH) c->measure = LAYOUT_MAX_WIDTH;
    reader_view_resize(rv, c);
    view_say(c, "measure %d columns", rv->lopt.width);
}

static void cycle_line_ends(ReaderView *rv, ViewContext *c)
{
    static const char *const what[] = {
        [LAYOUT_ENDS_AUTO] = "line ends: auto (verse and lists keep theirs; r: keep all)",
        [LAYOUT_ENDS_KEEP] = "line ends: kept as in the file (r: reflow all)",
        [LAYOUT_ENDS_REFLOW] = "line ends: reflowed into paragraphs (r: auto)",
    };
    rv->line_ends = rv->line_ends == LAYOUT_ENDS_AUTO   ? LAYOUT_ENDS_KEEP
                    : rv->line_ends == LAYOUT_ENDS_KEEP ? LAYOUT_ENDS_REFLOW
                                                        : LAYOUT_ENDS_AUTO;
    reader_view_resize(rv, c);
    view_say(c, "%s", what[rv->line_ends]);
}

static void cycle_direction(ReaderView *rv, ViewContext *c)
{
    static const char *const what[] = {
        [BIDI_AUTO] = "direction: auto, each paragraph by its first letter (D: right to left)",
        [BIDI_RTL] = "direction: right to left (D: left to right)",
        [BIDI_LTR] = "direction: left to right (D: auto)",
    };
    rv->direction = rv->direction == BIDI_AUTO  ? BIDI_RTL
                    : rv->direction == BIDI_RTL ? BIDI_LTR
                                                : BIDI_AUTO;
    rv->lopt.direction = rv->direction; /* the same lines, drawn in another order */
    view_say(c, "%s", what[rv->direction]);
}

/* The next (dir 1) or previous (-1) chapter from the top row's: its first line on top. A plain
 * text still being read is read on until the next heading turns up or it ends. */
static void goto_chapter(ReaderView *rv, ViewContext *c, int dir)
{
    size_t top = pager_top_offset(rv->pager);
    size_t cur = text_chapter_at(rv->text, top);
    size_t want;
    if (dir > 0) {
        want = cur == SIZE_MAX ? 0 : cur + 1;
        while (text_chapter_count(rv->text) <= want && !text_complete(rv->text))
            text_load_step(rv->text);
        if (want >= text_chapter_count(rv->text)) {
            view_say(c, text_chapter_count(rv->text) ? "no chapter after this one"
                                                     : "no chapters in this story (t: contents)");
            return;
        }
    } else {
        /* inside a chapter, back to its start first, as a book's reader expects */
        if (cur == SIZE_MAX || (cur == 0 && text_chapter(rv->text, 0).offset >= top)) {
            view_say(c, "no chapter before this one");
            return;
        }
        want = text_chapter(rv->text, cur).offset < top ? cur : cur - 1;
    }
    jump_from_here(rv);
    pager_set_top_offset(rv->pager, text_chapter(rv->text, want).offset);
    if (dir > 0) read_on(rv, c);
}

/* --- search ---------------------------------------------------------------------------------- */

/* Shows match rv->cur: its line on top, as less does. */
static void show_match(ReaderView *rv)
{
    if (!rv->ml || rv->cur >= matchlist_count(rv->ml)) return;
    pager_set_top_offset(rv->pager, matchlist_span(rv->ml, rv->cur).start);
}

/* An index found damaged while searching: drop it and build it again in the background (the
 * new one replaces the cache file). */
static bool index_damaged(ReaderView *rv, ViewContext *c)
{
    if (!rv->index || !index_corrupt(rv->index)) return false;
    clear_matches(rv);
    index_free(rv->index);
    rv->index = NULL;
    view_say(c, "the search index was damaged: indexing again");
    return true;
}

/* Reads on for the search until its first match is known or ms have passed; true when known. */
static bool scan_for_first(ReaderView *rv, long ms)
{
    long until = now_ms() + ms;
    while (!matchlist_first_ready(rv->ml, rv->search_origin, rv->search_dir) && now_ms() < until)
        matchlist_scan_step(rv->ml, SCAN_STEP);
    return matchlist_first_ready(rv->ml, rv->search_origin, rv->search_dir);
}

/* How much of the story a search has read, 0-99. */
static int scan_percent(const ReaderView *rv)
{
    size_t len = text_len_estimate(rv->text), at = rv->ml ? matchlist_read_to(rv->ml) : 0;
    return !len || at >= len ? 99 : (int)(at * 100 / len);
}

/* Runs the query from the place where the search began: the first match at or after it (or
 * before it, for ?), going round the end. Without a match the view stays where the search
 * began. Without an index, or while the query is typed, the story is read for it, for
 * SCAN_NOW_MS at most: past that the search waits (scan_waiting). Reading stops at the first
 * match, where the index finds them all: "/a", the first key of "/and", would have the index
 * list most of the story's words. *wrapped: the match shown is the other side of the end. */
enum {
    INDEX_LOAD_FIRST = 128 << 20, /* bytes: see index_answers */
    INDEX_MATCHES_MAX = 1 << 20,  /* matches the index lists at once: 24 MiB of them */
};

/* Whether the index finds the query's matches (else the story is read for them). An index from
 * the cache can come before the story is read. The index finds and counts every match at once,
 * and the story is loaded only as far as the match shown (matchlist.h) -- unless case counts:
 * the index folds case, so the matches are checked in the story's bytes, all of it loaded first.
 * That is done up to INDEX_LOAD_FIRST (100 MB: about 60 ms); past it such a query reads the
 * story from the origin for the first match instead, and counts the rest as it reads. So does a
 * query that may have more than INDEX_MATCHES_MAX matches ("the" in a 1 GB story has 15
 * million): the reading keeps 8 bytes a match, at most 2 million of them (matchlist.h). A
 * pattern is always found by reading, a step at a time off the key path (regex.h). */
static bool index_answers(const ReaderView *rv, const ViewContext *c)
{
    if (!rv->index || rv->prompting || search_is_regex(rv->query.buf, NULL)) return false;
    Query *q;
    Diag d = {0};
    if (query_parse(rv->query.buf, c->search_mode, &q, &d) != 0) return true; /* no word: said */
    bool answers = search_match_bound(rv->index, q) <= INDEX_MATCHES_MAX &&
                   (text_complete(rv->text) || text_len_estimate(rv->text) <= INDEX_LOAD_FIRST ||
                    !query_needs_text(q));
    query_free(q);
    return answers;
}

static void search_run(ReaderView *rv, ViewContext *c, bool *wrapped)
{
    *wrapped = false;
    clear_matches(rv);
    pager_set_top_offset(rv->pager, rv->search_origin);
    if (!rv->query.len) return;
    Diag d = {0};
    if (index_answers(rv, c)) {
        if (matchlist_new(rv->index, rv->text, rv->query.buf, c->search_mode, &rv->ml, &d) != 0)
            return; /* no word in it (punctuation alone): nothing to show yet */
        if (index_damaged(rv, c)) return;
    } else {
        /* read from the origin on, for / (from the start for ?: what lies before the origin) */
        size_t from = rv->search_dir > 0 ? rv->search_origin : 0;
        if (matchlist_scan_new(rv->text, rv->query.buf, c->search_mode, from, &rv->ml, &d) != 0)
            return;
        if (!scan_for_first(rv, SCAN_NOW_MS)) {
            rv->scan_waiting = true;
            return;
        }
    }
    rv->cur = matchlist_first(rv->ml, rv->search_origin, rv->search_dir, wrapped);
    show_match(rv);
}

static void say_wrapped(ViewContext *c, int dir)
{
    view_say(c, dir > 0 ? "search wrapped to the top" : "search wrapped to the end");
}

/* "not found", and when case counted and case ignored would find it, that too. */
static void say_not_found(ReaderView *rv, ViewContext *c)
{
    const char *pattern;
    if (rv->ml && matchlist_stopped(rv->ml)) { /* a pattern's limit, not an absence */
        view_say(c, "%s", matchlist_stopped(rv->ml));
        return;
    }
    if (!rv->ml && search_is_regex(rv->query.buf, &pattern)) { /* why it is no pattern */
        Regex *re;
        Diag why = {0};
        if (regex_compile(pattern, c->search_mode, &re, &why) != 0) {
            view_say(c, "%s", why.msg);
            return;
        }
        regex_free(re);
    } else if (!rv->ml) { /* why it is no query ("/🍕": no word), as the shelf's s says */
        Query *q;
        Diag why = {0};
        if (query_parse(rv->query.buf, c->search_mode, &q, &why) != 0) {
            view_say(c, "%s", why.msg);
            return;
        }
        query_free(q);
    }
    size_t without_case = 0;
    MatchList *fold;
    Diag d = {0};
    /* without an index the story is read for it: only while that is quick (32 MiB) */
    bool quick = rv->index || text_len_estimate(rv->text) <= ((size_t)32 << 20);
    if (rv->ml && matchlist_case_counts(rv->ml) && c->search_mode == SEARCH_SMART && quick &&
        (rv->index ? matchlist_new(rv->index, rv->text, rv->query.buf, SEARCH_FOLD, &fold, &d)
                   : matchlist_scan_new(rv->text, rv->query.buf, SEARCH_FOLD, 0, &fold, &d)) == 0) {
        while (!matchlist_scan_step(fold, 16 << 20)) { /* without an index: read it all */
        }
        without_case = matchlist_count(fold);
        matchlist_free(fold);
    }
    Strbuf q = STRBUF_INIT;
    text_escape(rv->query.buf, rv->query.len, &q);
    char *near = NULL; /* a word spelt wrong: the story's nearest, from its index */
    Query *parsed;
    Diag qd = {0};
    if (!without_case && rv->index && !search_is_regex(rv->query.buf, NULL) &&
        query_parse(rv->query.buf, c->search_mode, &parsed, &qd) == 0) {
        const Index *ix = rv->index;
        near = search_suggest(parsed, &ix, 1);
        query_free(parsed);
    }
    if (without_case)
        view_say(c, "not found: %s (case counts; ignoring case finds %zu: type it in lower case)",
                 q.buf, without_case);
    else if (near)
        view_say(c, "not found: %s; did you mean %s?", q.buf, near);
    else
        view_say(c, "not found: %s", q.buf);
    free(near);
    strbuf_release(&q);
}

void reader_view_search_begin(ReaderView *rv, int dir)
{
    rv->prompting = true;
    rv->search_dir = dir;
    rv->search_origin = pager_top_offset(rv->pager);
    strbuf_reset(&rv->query);
    clear_matches(rv);
}

static void search_query(ReaderView *rv, ViewContext *c, const char *query)
{
    strbuf_reset(&rv->query);
    strbuf_addstr(&rv->query, query);
    bool wrapped;
    search_run(rv, c, &wrapped);
}

void reader_view_search_typed(ReaderView *rv, ViewContext *c, const char *query)
{
    /* more keys already typed (pasted, or typed faster than a search of "a" and "an" answers):
     * only the last one's query is searched; Enter searches what was not (its query differs),
     * and so does the idle time after keys that change no query (an arrow, say) */
    rv->search_pending = c->keys_waiting && c->keys_waiting(c->keys_waiting_ctx);
    if (rv->search_pending) {
        strbuf_reset(&rv->pending_query);
        strbuf_addstr(&rv->pending_query, query);
        return;
    }
    search_query(rv, c, query);
}

void reader_view_search_accept(ReaderView *rv, ViewContext *c, const char *query)
{
    rv->prompting = false;
    rv->search_pending = false;
    bool scanned = rv->ml && !matchlist_complete(rv->ml);
    if (strcmp(query, rv->query.buf) || (scanned && index_answers(rv, c))) /* it counts at once */
        search_query(rv, c, query);
    if (!rv->query.len) {
        pager_set_top_offset(rv->pager, rv->search_origin);
        return;
    }
    if (rv->scan_waiting) {
        view_say(c, "searching %d%%: the match shows when it is found", scan_percent(rv));
        return;
    }
    if (!rv->ml || !matchlist_count(rv->ml)) {
        pager_set_top_offset(rv->pager, rv->search_origin);
        say_not_found(rv, c);
        return;
    }
    bool wrapped;
    rv->cur = matchlist_first(rv->ml, rv->search_origin, rv->search_dir, &wrapped);
    show_match(rv);
    if (wrapped) say_wrapped(c, rv->search_dir);
    rv->prev_jump = rv->search_origin;
    rv->match_status = true;
}

void reader_view_search_cancel(ReaderView *rv, ViewContext *c)
{
    (void)c;
    rv->prompting = false;
    rv->search_pending = false;
    strbuf_reset(&rv->query);
    clear_matches(rv);
    pager_set_top_offset(rv->pager, rv->search_origin);
}

void reader_view_search_status(const ReaderView *rv, char *buf, size_t size)
{
    buf[0] = 0;
    if (!rv->query.len) return;
    if (rv->scan_waiting)
        snprintf(buf, size, "searching %d%%...", scan_percent(rv));
    else if (rv->ml && matchlist_count(rv->ml) && rv->cur < matchlist_count(rv->ml))
        snprintf(buf, size, "match %zu of %zu%s", rv->cur + 1, matchlist_count(rv->ml),
                 matchlist_complete(rv->ml) && !matchlist_capped(rv->ml)
                     ? ""
                     : "+"); /* still counting */
    else if (rv->ml && matchlist_count(rv->ml))
        snprintf(buf, size, "%zu match%s%s", matchlist_count(rv->ml),
                 matchlist_count(rv->ml) == 1 && !matchlist_capped(rv->ml) ? "" : "es",
                 matchlist_complete(rv->ml) && !matchlist_capped(rv->ml) ? "" : "+");
    else
        snprintf(buf, size, "not found");
}

void reader_view_show_query(ReaderView *rv, ViewContext *c, const char *query)
{
    rv->search_dir = 1;
    rv->search_origin = pager_top_offset(rv->pager);
    strbuf_reset(&rv->query);
    strbuf_addstr(&rv->query, query);
    bool wrapped;
    search_run(rv, c, &wrapped);
    rv->match_status = rv->ml && matchlist_count(rv->ml);
    if (rv->scan_waiting) view_say(c, "searching the story: its matches show when found");
}

static void step_match(ReaderView *rv, ViewContext *c, int dir, long count)
{
    if (!rv->query.len) {
        view_say(c, "no search yet: press / to search");
        return;
    }
    if (rv->ml && !matchlist_complete(rv->ml) && !matchlist_count(rv->ml))
        rv->scan_waiting = true; /* a key stopped the wait, and nothing is found yet: wait again */
    if (rv->scan_waiting) {
        view_say(c, "searching %d%%...", scan_percent(rv));
        return;
    }
    if (!rv->ml || !matchlist_count(rv->ml)) {
        say_not_found(rv, c);
        return;
    }
    size_t top = pager_top_offset(rv->pager);
    bool wrapped;
    rv->cur = matchlist_step(rv->ml, rv->cur, top, dir, count, &wrapped);
    rv->prev_jump = top;
    show_match(rv);
    rv->match_status = true;
    if (wrapped) say_wrapped(c, dir);
}

/* The first match of a search that waited for it: shown now, as if found at once. */
static void search_arrived(ReaderView *rv, ViewContext *c, bool wrapped)
{
    if (rv->prompting) return; /* the prompt shows the count as the query is typed */
    if (rv->ml && matchlist_count(rv->ml)) {
        c->message[0] = 0; /* "searching..." is over: the status line says "match 1 of N" */
        rv->match_status = true;
        rv->prev_jump = rv->search_origin;
        if (wrapped) say_wrapped(c, rv->search_dir);
    } else {
        say_not_found(rv, c);
    }
    if (rv->ml && matchlist_stopped(rv->ml)) /* a pattern's limit: said over the rest */
        view_say(c, "%s", matchlist_stopped(rv->ml));
}

/* The index arrived. A search reading the story finds what the index would, so one made
 * meanwhile goes on as it is; only one that could not start (no word yet) runs again. */
static void index_arrived(ReaderView *rv, ViewContext *c)
{
    if (!rv->query.len || rv->ml) return;
    bool wrapped;
    search_run(rv, c, &wrapped);
    if (rv->ml) search_arrived(rv, c, wrapped);
}

/* A search reading the story: on between keys, and its first match shown once found. */
static bool scan_idle(ReaderView *rv, ViewContext *c)
{
    if (!rv->ml || matchlist_complete(rv->ml)) return false;
    size_t before = matchlist_count(rv->ml);
    size_t head_before = matchlist_head_count(rv->ml); /* matches found before it renumber it */
    long until = now_ms() + SCAN_IDLE_MS;
    do /* a step at least; then on till the slice ends or a key comes */
        matchlist_scan_step(rv->ml, SCAN_STEP);
    while (!matchlist_complete(rv->ml) &&
           !(c->keys_waiting && c->keys_waiting(c->keys_waiting_ctx)) && now_ms() < until);
    if (matchlist_count(rv->ml) != before) rv->strip_rows = 0; /* the hit strip again */
    if (matchlist_capped(rv->ml))
        view_say(c, "over %zu matches: the search stopped counting there", matchlist_count(rv->ml));
    if (matchlist_stopped(rv->ml)) view_say(c, "%s", matchlist_stopped(rv->ml));
    rv->cur = matchlist_renumber(rv->ml, rv->cur, head_before);
    if (rv->scan_waiting && matchlist_first_ready(rv->ml, rv->search_origin, rv->search_dir)) {
        rv->scan_waiting = false;
        bool wrapped;
        rv->cur = matchlist_first(rv->ml, rv->search_origin, rv->search_dir, &wrapped);
        show_match(rv);
        search_arrived(rv, c, wrapped);
    }
    return true;
}

/* --- commands ------------------------------------------------------------------------------ */

ViewAction reader_view_command(ReaderView *rv, ViewContext *c, Command cmd, long count)
{
    long n = count > 0 ? count : 1;
    int prow = page_rows(c), half = prow / 2 ? prow / 2 : 1;
    rv->shrank_said = false; /* said again after this key, if nothing else is */
    if (cmd != CMD_NEXT_MATCH && cmd != CMD_PREV_MATCH && cmd != CMD_REDRAW) {
        rv->match_status = false; /* "match 3 of 7" belongs to the search's own moves */
        /* a key after a search still looking for its match wins: the match, when found, is
         * counted but not jumped to (less would have run that key after the search) */
        rv->scan_waiting = false;
    }
    switch (cmd) {
    case CMD_DOWN:
        scroll(rv, c, n);
        break;
    case CMD_UP:
        scroll(rv, c, -n);
        break;
    case CMD_PAGE_DOWN:
        if (c->book_pages) {
            if (pager_turn_pages(rv->pager, n, prow)) read_on(rv, c);
        } else
            scroll(rv, c, n * prow);
        break;
    case CMD_PAGE_UP:
        scroll(rv, c, -n * prow);
        break;
    case CMD_HALF_DOWN:
        scroll(rv, c, n * half);
        break;
    case CMD_HALF_UP:
        scroll(rv, c, -n * half);
        break;
    case CMD_WHEEL_DOWN:
        scroll(rv, c, 3);
        break;
    case CMD_WHEEL_UP:
        scroll(rv, c, -3);
        break;
    case CMD_TOP:
        jump_from_here(rv);
        pager_go_first(rv->pager);
        if (count > 1) pager_scroll(rv->pager, count - 1, prow); /* Ng: row N, as less's line N */
        break;
    case CMD_BOTTOM:
        jump_from_here(rv);
        pager_go_last(rv->pager, prow);
        break;
    case CMD_PERCENT:
        jump_from_here(rv);
        pager_go_percent(rv->pager, count > 0 ? (double)count : 0.0, prow);
        break;
    case CMD_MARK:
    case CMD_GOTO_MARK:
        rv->pending = cmd == CMD_MARK ? 'm' : '\'';
        break;
    case CMD_NARROWER:
        set_measure(rv, c, -2);
        break;
    case CMD_WIDER:
        set_measure(rv, c, +2);
        break;
    case CMD_MEASURE_RESET:
        set_measure(rv, c, 0);
        break;
    case CMD_FILE_INFO:
        file_info(rv, c);
        break;
    case CMD_LINE_ENDS:
        cycle_line_ends(rv, c);
        break;
    case CMD_TOC:
        text_load_all(rv->text); /* a plain text's headings, all of them */
        return (ViewAction){ACT_TOC, 0, 0, 0, PROMPT_SEARCH};
    case CMD_NEXT_CHAPTER:
    case CMD_PREV_CHAPTER:
        goto_chapter(rv, c, cmd == CMD_NEXT_CHAPTER ? 1 : -1);
        break;
    case CMD_DIRECTION:
        cycle_direction(rv, c);
        break;
    case CMD_SEARCH:
        return (ViewAction){ACT_PROMPT, 0, 0, 0, PROMPT_SEARCH};
    case CMD_SEARCH_BACK:
        return (ViewAction){ACT_PROMPT, 0, 0, 0, PROMPT_SEARCH_BACK};
    case CMD_NEXT_MATCH:
        step_match(rv, c, rv->search_dir, n);
        break;
    case CMD_PREV_MATCH:
        step_match(rv, c, -rv->search_dir, n);
        break;
    case CMD_SEARCH_ALL:
        return (ViewAction){ACT_PROMPT, 0, 0, 0, PROMPT_LIBRARY};
    case CMD_COMPARE:
        return (ViewAction){ACT_PICK, 0, 0, 0, PROMPT_SEARCH};
    case CMD_HELP:
        return (ViewAction){ACT_HELP, 0, 0, 0, PROMPT_SEARCH};
    case CMD_QUIT:
        return (ViewAction){ACT_LEAVE, 0, 0, 0, PROMPT_SEARCH};
    default:
        view_say(c, "press h for the keys");
    }
    return VIEW_NONE;
}

bool reader_view_wants_letter(const ReaderView *rv)
{
    return rv->pending != 0;
}

/* The letter after m or ': set a mark, go to one, or '' for the last jump. */
void reader_view_letter(ReaderView *rv, ViewContext *c, int key)
{
    int kind = rv->pending;
    rv->pending = 0;
    if (kind == '\'' && key == '\'') {
        if (rv->prev_jump == SIZE_MAX) {
            view_say(c, "no earlier position yet");
            return;
        }
        size_t here = pager_top_offset(rv->pager);
        pager_set_top_offset(rv->pager, rv->prev_jump);
        rv->prev_jump = here;
        return;
    }
    if (key < 'a' || key > 'z') {
        if (key != APP_KEY_ESC) view_say(c, "marks are the letters a to z");
        return;
    }
    if (kind == 'm') {
        rv->marks[key - 'a'] = pager_top_offset(rv->pager);
        view_say(c, "mark %c set", key);
        return;
    }
    if (rv->marks[key - 'a'] == SIZE_MAX) {
        view_say(c, "mark %c is not set", key);
        return;
    }
    jump_from_here(rv);
    pager_set_top_offset(rv->pager, rv->marks[key - 'a']);
}

/* --- background work ----------------------------------------------------------------------- */

/* Says that the story's file was cut short, once it is seen (by a load step, or a page drawn:
 * then in the same frame), and again after a key while nothing else is said. */
static void say_shrank(ReaderView *rv, ViewContext *c)
{
    if (rv->shrank_said || !text_shrank(rv->text)) return;
    rv->shrank_said = true;
    if (!rv->shrank_told || !c->message[0])
        view_say(c,
                 "the file shrank while open: what was cut off reads as NUL bytes (\xe2\x90\x80)");
    rv->shrank_told = true;
}

bool reader_view_idle(ReaderView *rv, ViewContext *c)
{
    say_shrank(rv, c);
    if (rv->search_pending && rv->prompting &&
        !(c->keys_waiting && c->keys_waiting(c->keys_waiting_ctx))) { /* typed ahead, now due */
        rv->search_pending = false;
        search_query(rv, c, rv->pending_query.buf);
        return true;
    }
    if (scan_idle(rv, c)) return true; /* a search first: someone is waiting for it */
    if (!text_complete(rv->text)) {    /* the rest of a big story, 4 MiB a step */
        const char *before = text_notice(rv->text);
        if (text_load_step(rv->text) && text_notice(rv->text) && !before)
            view_say(c, "%s", text_notice(rv->text)); /* found late: an invalid byte, say */
        return true;
    }
    if (indexer_poll(rv, false)) index_arrived(rv, c);
    if (!rv->index && !rv->indexer.running && !too_long_to_index(rv)) indexer_start(rv, c);
    if (!rv->words_done) { /* words first (for minutes left), 1 MiB a step: a key waits for it */
        text_count_words_step(rv->text, &rv->words_pos, 1 << 20, &rv->words, &rv->words_in_word,
                              rv->lopt.sa);
        if (rv->words_pos >= text_len(rv->text)) rv->words_done = true;
        return true;
    }
    return !pager_count_step(rv->pager, 64);
}

void reader_view_settle(ReaderView *rv, ViewContext *c)
{
    for (;;) {
        if (reader_view_idle(rv, c)) continue;
        if (!rv->indexer.running) break;
        if (indexer_poll(rv, true)) index_arrived(rv, c);
    }
}

/* --- drawing ------------------------------------------------------------------------------- */

/* The hit strip: one column beside the text, a map of the whole story (a row per 1/rows of it),
 * marked | where it has matches; the rows that stand for the text on the screen are drawn as a
 * dim ┃ (where they have no match), as a scroll bar's thumb, so that the strip reads as a map and
 * not as marks beside the screen's own lines. shown_from, shown_to: the bytes on the screen. */
static void draw_strip(ReaderView *rv, Grid *g, int rows, int col, size_t shown_from,
                       size_t shown_to)
{
    size_t n = rv->ml ? matchlist_count(rv->ml) : 0;
    if (!n || rows < 1 || col < 0) return;
    if (rv->strip_rows != rows) {
        free(rv->strip);
        rv->strip = xcalloc((size_t)rows, 1);
        rv->strip_rows = rows;
        for (size_t i = 0; i < n; i++) {
            int r = matchlist_strip_row(rv->ml, i, rows);
            if (r >= 0) rv->strip[r] = 1;
        }
    }
    int cur = rv->cur < n ? matchlist_strip_row(rv->ml, rv->cur, rows) : -1;
    size_t len = text_len_estimate(rv->text);
    int t0 = len ? (int)((uint64_t)shown_from * (uint64_t)rows / len) : 0;
    int t1 = len ? (int)(((uint64_t)shown_to * (uint64_t)rows + len - 1) / len) : rows;
    for (int r = 0; r < rows; r++)
        if (rv->strip[r] || r == cur)
            grid_put(g, r, col, (const uint8_t *)"|", 1, 1, r == cur ? STYLE_CURRENT : STYLE_MATCH,
                     SIZE_MAX);
        else if (r >= t0 && (r < t1 || r == t0))
            grid_put(g, r, col, (const uint8_t *)"\xe2\x94\x83", 3, 1, STYLE_DIM, SIZE_MAX);
}

/* The open story's words: counted, or estimated from its size (6 bytes a word) until then. */

void reader_view_render(ReaderView *rv, ViewContext *c, Grid *g)
{
    int prow = page_rows(c), W = rv->lopt.width;
    int left = (c->cols - W) / 2;
    if (left < 0) left = 0;
    PagerRow *rows = xcalloc((size_t)prow, sizeof *rows);
    int n = pager_rows(rv->pager, prow, rows);
    size_t base;
    const uint8_t *bytes = pager_bytes(rv->pager, &base);
    if (base) bidi_cache_forget(rv->bidi); /* the end shown from the tail: other bytes */
    for (int r = 0; r < n; r++) {
        if (rows[r].gap) continue;
        size_t nc = layout_line_cells(bytes, pager_paragraph(rv->pager, rows[r].para),
                                      &rows[r].line, &rv->lopt, c->bidi ? rv->bidi : NULL,
                                      &rv->cells, &rv->cells_cap, NULL);
        for (size_t k = 0; k < nc; k++) {
            const LayoutCell *cell = &rv->cells[k];
            size_t off = base + cell->off;
            Style st = rv->ml ? matchlist_style_at(rv->ml, off, rv->cur) : STYLE_TEXT;
            grid_put(g, r, left + cell->col, cell->glyph, cell->glyph_len, cell->width, st, off);
        }
    }
    size_t shown_from = SIZE_MAX, shown_to = 0; /* the bytes on the screen, for the strip */
    for (int r = 0; r < n; r++)
        if (!rows[r].gap) {
            if (shown_from == SIZE_MAX) shown_from = base + rows[r].line.start;
            shown_to = base + rows[r].line.end;
        }
    if (shown_from == SIZE_MAX) shown_from = 0;
    free(rows);
    say_shrank(rv, c); /* the rows just drawn may be the first to read past a cut */

    int pct = pager_top_percent(rv->pager, prow);
    size_t words = story_words(rv);
    size_t left_words = (size_t)((double)words * (100 - pct) / 100.0);
    size_t minutes = (left_words + VIEW_WPM - 1) / VIEW_WPM;
    size_t page = 0, pages = 0;
    pager_page(rv->pager, prow, &page, &pages);
    if (pages != 1) /* a story on one screen shows its matches: no strip needed */
        draw_strip(rv, g, prow, left + W + 1 < c->cols ? left + W + 1 : c->cols - 1, shown_from,
                   shown_to);
    /* "match 3 of 17" first, after a search or n; then as much as fits beside the title and a
     * message: full, short, or the percent alone */
    char match[64] = "";
    if (rv->match_status && rv->ml && rv->cur < matchlist_count(rv->ml))
        snprintf(match, sizeof match, "match %zu of %zu%s  ", rv->cur + 1, matchlist_count(rv->ml),
                 matchlist_complete(rv->ml) && !matchlist_capped(rv->ml)
                     ? ""
                     : "+"); /* still counting */
    char forms[4][192], time_left[48];
    view_format_minutes(minutes, time_left, sizeof time_left);
    if (pages)
        snprintf(forms[0], sizeof forms[0], "%s%d%%  page %zu of %zu  %s left", match, pct, page,
                 pages, time_left);
    else
        snprintf(forms[0], sizeof forms[0], "%s%d%%  %s left", match, pct, time_left);
    if (pages)
        snprintf(forms[1], sizeof forms[1], "%s%d%%  %zu/%zu", match, pct, page, pages);
    else
        snprintf(forms[1], sizeof forms[1], "%s%d%%", match, pct);
    snprintf(forms[2], sizeof forms[2], "%s%d%%", match, pct);
    snprintf(forms[3], sizeof forms[3], "%d%%", pct);
    const char *const rights[4] = {forms[0], forms[1], forms[2], forms[3]};
    /* the title, and the chapter the top row is in */
    Strbuf named = STRBUF_INIT;
    strbuf_addstr(&named, text_title(rv->text));
    /* past what is loaded (a window: G, a match far in), the chapters are not known yet: the
     * last one found so far would be a wrong name */
    size_t top = pager_top_offset(rv->pager);
    size_t ch = text_complete(rv->text) || top < text_len(rv->text) ? text_chapter_at(rv->text, top)
                                                                    : SIZE_MAX;
    if (ch != SIZE_MAX) strbuf_addf(&named, " \xc2\xb7 %s", text_chapter(rv->text, ch).title);
    view_draw_status_forms(c, g, named.buf, rights, 4);
    strbuf_release(&named);
}
