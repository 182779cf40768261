/* shelf_view.c: see shelf_view.h.
 *
 * Data model: an array of entries in shelf order (the order of the paths given, a folder's
 * stories sorted by name). An entry's title and words are looked up the first time its row is
 * drawn (the story is opened then, and read whole only up to SHELF_COUNT_WHOLE: a longer one is
 * read as far as its first step, its words estimated from that), its progress from the saved
 * state likewise; the reader's own figures replace both when it closes the story.
 */
#include "shelf_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collate_view.h"
#include "lector/collate.h"
#include "lector/library.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/xalloc.h"

/* A story up to this long is read whole for its words (a few ms); a longer one's are estimated
 * from its first step, so that a shelf of any stories lists at once. */
enum { SHELF_COUNT_WHOLE = 16 << 20 };

typedef struct {
    char *title;        /* owned; NULL until the row is shown */
    size_t words;       /* valid when title != NULL */
    bool words_guessed; /* words is an estimate: only the story's start was read */
    int percent;        /* the furthest read, -1: unknown */
    bool failed;        /* could not be loaded (title holds the reason) */
    bool state_checked; /* percent was looked up in the saved state */
    bool marked;        /* marked with Space, to compare */
} Entry;

struct ShelfView {
    char **paths; /* owned, each too */
    Entry *e;     /* owned, one per path */
    size_t n, sel, top;
    size_t pick_of;      /* picking the partner of this story; SIZE_MAX: not picking */
    char skipped[256];   /* what the folders' listing left out, one line; "" when nothing */
    LibrarySkipped skip; /* owned: its details, for the help's notes */
    HelpRow *skip_rows;  /* owned: the query rule (static), then the skipped (skip's strings) */
    size_t nskip_rows;
    char skip_header[96];
    size_t sel_shelf;             /* while picking: the shelf's own selection, given back after */
    size_t compared[COLLATE_MAX]; /* the stories c compared last, in shelf order */
    size_t ncompared;
};

static int cmp_detail(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

ShelfView *shelf_view_new(char **paths, int npaths, Diag *diag)
{
    ShelfView *s = xcalloc(1, sizeof *s);
    s->pick_of = SIZE_MAX;
    size_t cap = 0;
    LibrarySkipped skipped = {0}; /* moved to s->skip below */
    for (int i = 0; i < npaths; i++) {
        struct stat st;
        bool folder = strcmp(paths[i], "-") && stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode);
        if (folder) {
            if (library_add_path_report(paths[i], &s->paths, &s->n, &cap, &skipped, diag) != 0) {
                library_skipped_release(&skipped);
                shelf_view_free(s);
                return NULL;
            }
        } else {
            if (s->n == cap)
                s->paths = xreallocarray(s->paths, cap = cap * 2 + 8, sizeof *s->paths);
            s->paths[s->n++] = xstrdup(paths[i]);
        }
    }
    library_skipped_describe(&skipped, s->skipped, sizeof s->skipped);
    s->skip = skipped;
    /* h's notes: the query rule, then what was skipped, path by path */
    size_t nrule;
    const HelpRow *rule = help_search_notes(&nrule);
    s->skip_rows = xcalloc(nrule + s->skip.ndetails + 2, sizeof *s->skip_rows);
    for (size_t i = 0; i < nrule; i++)
        s->skip_rows[s->nskip_rows++] = rule[i];
    if (s->skip.ndetails) { /* the details; said with the one line */
        size_t total = skipped.files + skipped.folders + skipped.loops;
        qsort(s->skip.details, s->skip.ndetails, sizeof *s->skip.details, cmp_detail);
        snprintf(s->skip_header, sizeof s->skip_header, "Skipped (%zu%s):", s->skip.ndetails,
                 total > s->skip.ndetails ? " named, of more" : "");
        s->skip_rows[s->nskip_rows++] = (HelpRow){NULL, ""};
        s->skip_rows[s->nskip_rows++] = (HelpRow){NULL, s->skip_header};
        for (size_t i = 0; i < s->skip.ndetails; i++)
            s->skip_rows[s->nskip_rows++] = (HelpRow){NULL, s->skip.details[i]};
        size_t k = strlen(s->skipped);
        snprintf(s->skipped + k, sizeof s->skipped - k, " (h lists them)");
    }
    if (s->n == 0) {
        diag_set(diag, DIAG_NOT_FOUND,
                 "%s: no stories or books in this folder or its subfolders (lector lists .txt, "
                 ".epub, .fb2, .html, .md and their .gz; give a file's path to open any other)",
                 npaths ? paths[0] : "");
        shelf_view_free(s);
        return NULL;
    }
    s->e = xcalloc(s->n, sizeof *s->e);
    for (size_t i = 0; i < s->n; i++)
        s->e[i].percent = -1;
    return s;
}

void shelf_view_free(ShelfView *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->paths[i]);
        if (s->e) free(s->e[i].title);
    }
    free(s->paths);
    free(s->e);
    library_skipped_release(&s->skip);
    free(s->skip_rows);
    free(s);
}

const HelpRow *shelf_view_help_notes(const ShelfView *s, size_t *n)
{
    *n = s->nskip_rows;
    return s->skip_rows;
}

size_t shelf_view_count(const ShelfView *s)
{
    return s->n;
}

const char *shelf_view_path(const ShelfView *s, size_t i)
{
    return i < s->n ? s->paths[i] : "";
}

const char *const *shelf_view_paths(const ShelfView *s)
{
    return (const char *const *)s->paths;
}

/* Fills in an entry's title and word count (opens the story, reads it: SHELF_COUNT_WHOLE); sa
 * counts Thai and its kin's words (text_word_count). */
static void entry_stats(ShelfView *s, size_t i, SaBreaker *sa)
{
    Entry *e = &s->e[i];
    if (e->title) return;
    Text *t = NULL;
    Diag d = {0};
    if (!strcmp(s->paths[i], "-")) { /* standard input is read once, by the reader */
        e->title = xstrdup("standard input");
        return;
    }
    if (text_open_with(s->paths[i], NULL, &t, &d) != 0) {
        e->title = xstrdup(d.msg);
        e->failed = true;
        return;
    }
    /* a book's author after its title, as a library lists it */
    Strbuf title = STRBUF_INIT;
    strbuf_addstr(&title, text_title(t));
    if (text_author(t)) strbuf_addf(&title, " \xe2\x80\x94 %s", text_author(t));
    e->title = strbuf_detach(&title, NULL);
    if (text_len_estimate(t) <= SHELF_COUNT_WHOLE) text_load_all(t);
    e->words = text_word_count(t, sa);      /* of what is read so far */
    if (!text_complete(t) && text_len(t)) { /* scaled to the whole at the same density */
        e->words = (size_t)((double)e->words * (double)text_len_estimate(t) / (double)text_len(t));
        e->words_guessed = true;
    }
    text_free(t);
}

const char *shelf_view_skipped(const ShelfView *s)
{
    return s->skipped;
}

void shelf_view_select_last_read(ShelfView *s, ViewContext *c)
{
    Strbuf last = STRBUF_INIT, key = STRBUF_INIT;
    if (c->state && state_get_last(c->state, &last) == 0) {
        for (size_t i = 0; i < s->n; i++) {
            strbuf_reset(&key);
            state_story_key(s->paths[i], &key);
            if (!strcmp(key.buf, last.buf)) {
                s->sel = i;
                break;
            }
        }
    }
    strbuf_release(&last);
    strbuf_release(&key);
}

void shelf_view_update(ShelfView *s, size_t i, int percent, size_t words)
{
    if (i >= s->n) return;
    if (percent >= 0) s->e[i].percent = percent;
    s->e[i].state_checked = true;
    if (words && s->e[i].title) {
        s->e[i].words = words;
        s->e[i].words_guessed = false;
    }
}

void shelf_view_pick(ShelfView *s, size_t of)
{
    if (of != SIZE_MAX && s->pick_of == SIZE_MAX) s->sel_shelf = s->sel;
    if (of == SIZE_MAX && s->pick_of != SIZE_MAX && s->sel_shelf < s->n) s->sel = s->sel_shelf;
    s->pick_of = of;
    if (of != SIZE_MAX) s->sel = of + 1 < s->n ? of + 1 : 0;
}

bool shelf_view_picking(const ShelfView *s)
{
    return s->pick_of != SIZE_MAX;
}

static size_t rows_shown(const ViewContext *c)
{
    int r = view_page_rows(c) - 1; /* one header row */
    return r < 1 ? 1 : (size_t)r;
}

/* c on the shelf: the marked stories (two, or up to COLLATE_MAX versions, the first the base),
 * or the one marked and the selected one. */
static ViewAction compare_marked(ShelfView *s, ViewContext *c)
{
    size_t m[COLLATE_MAX], n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->e[i].marked) {
            if (n < COLLATE_MAX) m[n] = i;
            n++;
        }
    if (n == 1 && m[0] != s->sel) m[n++] = s->sel;
    if (n > COLLATE_MAX) {
        view_say(c, "%zu stories are marked: compare takes at most %d (Space unmarks one)", n,
                 COLLATE_MAX);
        return VIEW_NONE;
    }
    if (n < 2) {
        view_say(c, "compare takes two stories or more: mark them with Space, then press c");
        return VIEW_NONE;
    }
    for (size_t i = 0; i < s->n; i++)
        s->e[i].marked = false;
    memcpy(s->compared, m, n * sizeof *m);
    s->ncompared = n;
    return (ViewAction){ACT_COMPARE, m[0], m[1], 0, PROMPT_SEARCH};
}

const size_t *shelf_view_compared(const ShelfView *s, size_t *n)
{
    *n = s->ncompared;
    return s->compared;
}

static ViewAction picked(ShelfView *s, ViewContext *c)
{
    if (s->sel == s->pick_of) {
        view_say(c, "that is the same story: pick another one");
        return VIEW_NONE;
    }
    s->compared[0] = s->pick_of; /* two stories: no older list of versions */
    s->compared[1] = s->sel;
    s->ncompared = 2;
    return (ViewAction){ACT_COMPARE, s->pick_of, s->sel, 0, PROMPT_SEARCH}; /* the router
                                                                        ends the picking */
}

ViewAction shelf_view_command(ShelfView *s, ViewContext *c, Command cmd, long count)
{
    if (s->pick_of != SIZE_MAX) {
        if (cmd == CMD_OPEN || cmd == CMD_COMPARE) return picked(s, c);
        if (cmd == CMD_QUIT) {
            shelf_view_pick(s, SIZE_MAX);
            return (ViewAction){ACT_LEAVE, 0, 0, 0, PROMPT_SEARCH};
        }
        if (cmd == CMD_SELECT || cmd == CMD_SEARCH_ALL) cmd = CMD_NONE; /* not while picking */
    }
    if (view_list_move(cmd, count, rows_shown(c), s->n, &s->sel)) return VIEW_NONE;
    switch (cmd) {
    case CMD_SELECT: /* mark, to compare, and on to the next */
        s->e[s->sel].marked = !s->e[s->sel].marked;
        view_list_move(CMD_DOWN, 1, 0, s->n, &s->sel);
        break;
    case CMD_COMPARE:
        return compare_marked(s, c);
    case CMD_OPEN:
        return (ViewAction){ACT_OPEN, s->sel, 0, SIZE_MAX, PROMPT_SEARCH};
    case CMD_SEARCH_ALL:
        return (ViewAction){ACT_PROMPT, 0, 0, 0, PROMPT_LIBRARY};
    case CMD_HELP:
        return (ViewAction){ACT_HELP, 0, 0, 0, PROMPT_SEARCH};
    case CMD_QUIT:
        return (ViewAction){ACT_QUIT, 0, 0, 0, PROMPT_SEARCH};
    default:
        view_say(c, s->pick_of != SIZE_MAX
                        ? "compare with which story? Enter picks it, Esc goes back"
                        : "Enter opens a story, Space marks two and c compares "
                          "them, s searches them all, q quits, h shows the keys");
    }
    return VIEW_NONE;
}

ViewAction shelf_view_click(ShelfView *s, ViewContext *c, int row)
{
    size_t shown = rows_shown(c);
    if (row < 1 || (size_t)row > shown || s->top + (size_t)row - 1 >= s->n) return VIEW_NONE;
    s->sel = s->top + (size_t)row - 1;
    return shelf_view_command(s, c, CMD_OPEN, -1);
}

void shelf_view_render(ShelfView *s, ViewContext *c, Grid *g)
{
    size_t prow = rows_shown(c);
    if (s->sel < s->top) s->top = s->sel;
    if (s->sel >= s->top + prow) s->top = s->sel - prow + 1;
    size_t marked = 0;
    for (size_t i = 0; i < s->n; i++)
        marked += s->e[i].marked;
    char header[96];
    snprintf(header, sizeof header, "lector: %zu stor%s", s->n, s->n == 1 ? "y" : "ies");
    grid_put_text(g, 0, 1, header, c->cols - 2, STYLE_TITLE);
    for (size_t r = 0; r < prow && s->top + r < s->n; r++) {
        size_t i = s->top + r;
        Entry *e = &s->e[i];
        entry_stats(s, i, c->lopt.sa);
        if (!e->state_checked && c->state && strcmp(s->paths[i], "-")) {
            StoryState st;
            Diag sd = {0};
            int found = state_load(c->state, s->paths[i], NULL, &st, &sd);
            if (found > 0) e->percent = st.percent;
            if (found < 0) view_say(c, "%s", sd.msg); /* kept aside: opening it will not say */
        }
        e->state_checked = true;
        Style st = i == s->sel ? STYLE_SELECTED : STYLE_TEXT;
        char info[128], minutes[48];
        view_format_minutes((e->words + VIEW_WPM - 1) / VIEW_WPM, minutes, sizeof minutes);
        if (e->failed)
            snprintf(info, sizeof info, "cannot open");
        else if (e->percent >= 0)
            snprintf(info, sizeof info, "%s%zu words  %s  %d%% read",
                     e->words_guessed ? "about " : "", e->words, minutes, e->percent);
        else
            snprintf(info, sizeof info, "%s%zu words  %s", e->words_guessed ? "about " : "",
                     e->words, minutes);
        int iw = grid_text_width(info);
        if (iw > c->cols / 2 && !e->failed) { /* shorter: progress, else reading time */
            if (e->percent >= 0)
                snprintf(info, sizeof info, "%d%% read", e->percent);
            else
                snprintf(info, sizeof info, "%s", minutes);
            iw = grid_text_width(info);
        }
        if (iw > c->cols / 2) iw = 0;
        int y = 1 + (int)r;
        if (st == STYLE_SELECTED) grid_fill(g, y, 0, c->cols, st);
        /* a marked story: its letter in the comparison (A the base, as the columns and
         * lector compare name them), highlighted, and its title bold */
        if (e->marked) {
            size_t nth = 0;
            for (size_t q = 0; q < i; q++)
                nth += s->e[q].marked;
            char letter[2] = {nth < COLLATE_MAX ? (char)('A' + nth) : '+', 0};
            grid_put_text(g, y, 0, letter, 1, STYLE_CURRENT);
        }
        int tx = e->marked ? 2 : 1; /* a marked title stands one column in, after its letter */
        grid_put_text(g, y, tx, e->title, c->cols - 1 - tx - (iw ? iw + 2 : 0),
                      e->marked && st != STYLE_SELECTED ? STYLE_TITLE : st);
        if (iw)
            grid_put_text(g, y, c->cols - 1 - iw, info, iw, st == STYLE_SELECTED ? st : STYLE_DIM);
    }
    char right[64];
    snprintf(right, sizeof right, "%zu of %zu", s->sel + 1, s->n);
    const char *hint = "Enter open  Space mark  c compare  s search  q quit  h keys";
    if (grid_text_width(hint) + grid_text_width(right) + 4 > c->cols)
        hint = "Enter open  s search  q quit"; /* the short form; h lists the rest */
    char marks[96];
    if (marked) {
        snprintf(marks, sizeof marks, "%zu marked: %s", marked,
                 marked == 1            ? "c compares it with the selected story"
                 : marked == 2          ? "c compares them"
                 : marked > COLLATE_MAX ? "compare takes at most 16"
                 : collate_view_fits(marked, c->cols)
                     ? "c sets them in columns, the first the base"
                     : "c compares the first with each (v: the next)");
        hint = marks;
    }
    if (s->pick_of != SIZE_MAX) hint = "compare with: Enter pick  Esc back";
    view_draw_status(c, g, hint, right);
}
