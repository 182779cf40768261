/* The app's views and commands, on grids of several sizes, without a terminal. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "lector/strbuf.h"

static char dir[256];

static void write_file(const char *name, const char *content)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(content, f);
    fclose(f);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/lector-app-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char state[300];
    snprintf(state, sizeof state, "%s/state", dir); /* never the real home */
    setenv("XDG_STATE_HOME", state, 1);
    snprintf(state, sizeof state, "%s/cache", dir);
    setenv("XDG_CACHE_HOME", state, 1);
    write_file("tiny-tale.txt", "One two three four five six seven eight nine ten.\n\n"
                                "Second paragraph here.\n");
    write_file("a-first.txt", "Alpha story words.\n");
    write_file("b-second.txt", "Beta story has four words.\n");
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static App *open_app(const char *name, int cols, int rows)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *paths[] = {name[0] ? path : dir};
    Diag d = {0};
    App *a = app_new(paths, 1, 0, 0, &d);
    cr_assert_not_null(a, "app_new: %s", d.msg);
    app_resize(a, cols, rows);
    return a;
}

static const char *dump(App *a, int cols, int rows)
{
    static char out[65536];
    Grid *g = grid_new(cols, rows);
    app_render(a, g);
    Strbuf sb = STRBUF_INIT;
    grid_dump(g, &sb);
    snprintf(out, sizeof out, "%s", sb.buf);
    strbuf_release(&sb);
    grid_free(g);
    return out;
}

static void keys(App *a, const char *s)
{
    for (; *s; s++)
        app_key(a, *s == '\n' ? APP_KEY_ENTER : *s);
}

TestSuite(app, .init = setup, .fini = teardown);

Test(app, reader_at_20x5_exact)
{
    App *a = open_app("tiny-tale.txt", 20, 5);
    cr_assert_eq(app_mode(a), MODE_READER, "one file opens the reader");
    cr_assert_str_eq(dump(a, 20, 5), "  One two three\n"
                                     "  four five six\n"
                                     "  seven eight nine\n"
                                     "  ten.\n"
                                     " Tiny Tale       0%\n"); /* the top line's place */
    keys(a, "jjjjjjjjjj"); /* past the end: the last page stops with the last row at the bottom */
    cr_assert_str_eq(dump(a, 20, 5), "  ten.\n"
                                     "\n"
                                     "  Second paragraph\n"
                                     "  here.\n"
                                     " Tiny Tale     100%\n");
    keys(a, "g");
    cr_assert(strstr(dump(a, 20, 5), "  One two three\n") == dump(a, 20, 5));
    app_free(a);
}

Test(app, the_column_is_centred_at_the_measure)
{
    App *a = open_app("tiny-tale.txt", 200, 60);
    const char *d = dump(a, 200, 60);
    /* 72 columns centred in 200: 64 columns of margin */
    char want[128];
    snprintf(want, sizeof want, "%*sOne two three four five six seven eight nine ten.\n", 64, "");
    cr_assert(!strncmp(d, want, strlen(want)), "got: %.100s", d);
    app_free(a);
}

Test(app, too_small_says_so)
{
    App *a = open_app("tiny-tale.txt", 19, 5);
    cr_assert(strstr(dump(a, 19, 5), "terminal too small"));
    app_resize(a, 20, 4);
    cr_assert(strstr(dump(a, 20, 4), "terminal too"));
    app_resize(a, 20, 5);
    cr_assert_null(strstr(dump(a, 20, 5), "terminal too"), "20x5 is enough");
    app_free(a);
}

Test(app, counts_marks_and_back)
{
    App *a = open_app("tiny-tale.txt", 20, 5);
    size_t top0 = app_top_offset(a);
    keys(a, "2j");
    size_t top2 = app_top_offset(a);
    keys(a, "k");
    keys(a, "j");
    cr_assert_eq(app_top_offset(a), top2);
    keys(a, "k");
    keys(a, "k");
    cr_assert_eq(app_top_offset(a), top0, "2j then k k is back where we started");
    keys(a, "2j");
    keys(a, "ma");
    cr_assert_str_eq(app_message(a), "mark a set");
    keys(a, "G");
    size_t end = app_top_offset(a);
    cr_assert_neq(end, top2);
    keys(a, "'a");
    cr_assert_eq(app_top_offset(a), top2, "'a returns to the mark");
    keys(a, "''");
    cr_assert_eq(app_top_offset(a), end, "'' returns to where the jump left from");
    keys(a, "3g");
    cr_assert_eq(app_top_offset(a), top2, "3g is the third row, as 2j from the top");
    keys(a, "'z");
    cr_assert_str_eq(app_message(a), "mark z is not set");
    keys(a, "0%");
    cr_assert_eq(app_top_offset(a), top0);
    app_free(a);
}

Test(app, measure_keys_keep_the_place)
{
    App *a = open_app("tiny-tale.txt", 100, 24);
    keys(a, "-");
    cr_assert_str_eq(app_message(a), "measure 70 columns");
    keys(a, "++++");
    cr_assert_str_eq(app_message(a), "measure 78 columns");
    keys(a, "=");
    cr_assert_str_eq(app_message(a), "measure 72 columns");
    app_free(a);
}

Test(app, help_lists_the_keys_and_any_key_returns)
{
    App *a = open_app("tiny-tale.txt", 80, 24);
    keys(a, "h");
    cr_assert_eq(app_mode(a), MODE_HELP);
    const char *d = dump(a, 80, 24);
    cr_assert(strstr(d, "Space  f  PgDn") && strstr(d, "' letter"), "help: %s", d);
    keys(a, "x");
    cr_assert_eq(app_mode(a), MODE_READER);
    app_free(a);
}

/* On a short screen the help scrolls with the moving keys, as less's does, and says so; any
 * other key still returns. On a screen it fits, every key returns. */
Test(app, help_scrolls_on_a_short_screen)
{
    App *a = open_app("tiny-tale.txt", 80, 12);
    keys(a, "h");
    const char *d = dump(a, 80, 12);
    cr_assert(strstr(d, "lector: keys in the reader") && !strstr(d, "this help"), "%s", d);
    cr_assert(strstr(d, "scroll") && strstr(d, "rows 1-11 of"), "the status says so:\n%s", d);
    keys(a, "j");
    cr_assert_eq(app_mode(a), MODE_HELP, "j scrolls, not returns");
    d = dump(a, 80, 12);
    cr_assert(!strstr(d, "lector: keys in the reader") && strstr(d, "rows 2-12 of"), "%s", d);
    keys(a, "G");
    d = dump(a, 80, 12);
    cr_assert(strstr(d, "case count"), "the end: the query rule's last words:\n%s", d);
    cr_assert(!strstr(d, "forward one line"), "%s", d);
    keys(a, "GGjjj"); /* stays at the end */
    cr_assert_str_eq(dump(a, 80, 12), d);
    keys(a, "bbbbbb");
    d = dump(a, 80, 12);
    cr_assert(strstr(d, "rows 1-11 of"), "b goes back a screen, not past the top:\n%s", d);
    app_resize(a, 80, 48); /* the screen grew: all of it, from the top */
    d = dump(a, 80, 48);
    cr_assert(strstr(d, "lector: keys in the reader") && strstr(d, "this help"), "%s", d);
    cr_assert(strstr(d, "any key returns") && !strstr(d, "b scroll"), "%s", d);
    cr_assert(strstr(d, "\n                          makes case count)\n"),
              "a long line wraps under itself, not cut at the edge:\n%s", d);
    app_resize(a, 40, 40); /* narrow: the keys on a row of their own, what they do below */
    d = dump(a, 40, 40);
    cr_assert(strstr(d, "\n  j  e  Down  Enter\n      forward one line (a count first:\n"
                        "      N lines)\n"),
              "%s", d);
    app_resize(a, 80, 48);
    keys(a, "j");
    cr_assert_eq(app_mode(a), MODE_READER, "fits: j returns");
    app_resize(a, 80, 12);
    keys(a, "hx");
    cr_assert_eq(app_mode(a), MODE_READER, "x returns");
    keys(a, "hGxh"); /* opened again: from the top */
    cr_assert(strstr(dump(a, 80, 12), "rows 1-11 of"), "%s", dump(a, 80, 12));
    app_free(a);
}

/* A story of any length is listed with its title, and words estimated from its start, as fast
 * as a short one: here 300 MiB (over what a story read whole may be), a file with holes. */
Test(app, shelf_lists_a_story_of_any_length)
{
    char path[512];
    snprintf(path, sizeof path, "%s/huge.txt", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("Huge Tale\n\n", f);
    for (int i = 0; i < 100000; i++) /* 1 MB of text, a word every 5 bytes */
        fputs("word ", f);
    fclose(f);
    cr_assert_eq(truncate(path, (off_t)300 << 20), 0);
    App *a = open_app("", 80, 8);
    const char *d = dump(a, 80, 8);
    const char *row = strstr(d, " Huge Tale");
    cr_assert_not_null(row, "listed by its title:\n%s", d);
    cr_assert_null(strstr(d, "cannot open"), "%s", d);
    const char *about = strstr(row, "about ");
    cr_assert_not_null(about, "an estimate says so:\n%s", d);
    size_t words = strtoull(about + 6, NULL, 10), whole = ((size_t)300 << 20) / 5;
    cr_assert(words > whole * 9 / 10 && words < whole * 11 / 10, "%zu words, about %zu", words,
              whole);
    app_free(a);
}

/* A search of the shelf shows its progress while it indexes, through the busy function, which
 * can stop it: then nothing is shown but a message, and the shelf stays. */
typedef struct {
    App *a;
    int calls;
    bool stop, said_progress;
} BusyWatch;

static bool busy_watch(void *ctx)
{
    BusyWatch *w = ctx;
    w->calls++;
    w->said_progress |= strstr(app_message(w->a), "searching: ") != NULL;
    return w->stop;
}

Test(app, a_search_of_the_shelf_shows_its_progress_and_stops_when_asked)
{
    Strbuf big = STRBUF_INIT; /* long enough to be indexing when progress is first reported */
    strbuf_addstr(&big, "Steppe Song\n\n");
    while (big.len < (4u << 20))
        strbuf_addstr(&big, "The wind over the steppe sang of the zither and the road.\n\n");
    write_file("steppe-song.txt", big.buf);
    strbuf_release(&big);
    for (int stop = 1; stop >= 0; stop--) {
        App *a = open_app("", 80, 12);
        BusyWatch w = {.a = a, .stop = stop};
        app_set_busy_fn(a, busy_watch, &w);
        keys(a, "szither\n");
        cr_assert_gt(w.calls, 0, "the busy function is called");
        cr_assert(w.said_progress, "with the progress on the status line");
        if (stop) {
            cr_assert_eq(app_mode(a), MODE_SHELF);
            cr_assert(strstr(app_message(a), "search stopped"), "%s", app_message(a));
        } else {
            cr_assert_eq(app_mode(a), MODE_RESULTS, "%s", app_message(a));
            cr_assert_null(strstr(app_message(a), "searching"), "the progress is gone: %s",
                           app_message(a));
        }
        app_free(a);
    }
}

Test(app, shelf_lists_sorted_and_opens)
{
    App *a = open_app("", 40, 8);
    cr_assert_eq(app_mode(a), MODE_SHELF);
    /* titles from file names: none of the first lines is a title (they end like sentences) */
    cr_assert_str_eq(dump(a, 40, 8), " lector: 3 stories\n"
                                     " A First                 3 words  1 min\n"
                                     " B Second                5 words  1 min\n"
                                     " Tiny Tale              13 words  1 min\n"
                                     "\n\n\n"
                                     " Enter open  s search  q quit    1 of 3\n");
    keys(a, "j\n");
    cr_assert_eq(app_mode(a), MODE_READER);
    cr_assert(strstr(dump(a, 40, 8), "Beta story has four words."));
    keys(a, "q");
    cr_assert_eq(app_mode(a), MODE_SHELF);
    cr_assert(strstr(dump(a, 40, 8), "% read"), "the shelf shows progress: %s", dump(a, 40, 8));
    keys(a, "q");
    cr_assert(app_done(a));
    app_free(a);
}

Test(app, a_shelf_of_ten_thousand_stories)
{
    char sub[512];
    snprintf(sub, sizeof sub, "%s/many", dir);
    cr_assert_eq(mkdir(sub, 0700), 0);
    for (int i = 0; i < 10000; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/story-%05d.txt", sub, i);
        FILE *f = fopen(path, "w");
        fprintf(f, "Story number %d.\n", i);
        fclose(f);
    }
    char *paths[] = {sub};
    Diag d = {0};
    App *a = app_new(paths, 1, 0, 0, &d);
    cr_assert_not_null(a);
    app_resize(a, 60, 10);
    cr_assert(strstr(dump(a, 60, 10), "lector: 10000 stories"));
    keys(a, "G");
    cr_assert(strstr(dump(a, 60, 10), "Story 09999") || strstr(dump(a, 60, 10), "Story 9999"), "%s",
              dump(a, 60, 10));
    cr_assert(strstr(dump(a, 60, 10), "10000 of 10000"));
    app_free(a);
}

/* The style of the first cell of the first occurrence of word on screen. */
static int style_of(App *a, int cols, int rows, const char *word)
{
    Grid *g = grid_new(cols, rows);
    app_render(a, g);
    int style = -1;
    for (int r = 0; r < rows && style < 0; r++) {
        Strbuf line = STRBUF_INIT;
        int col_of[512];
        for (int c = 0; c < cols; c++) {
            const GridCell *cell = grid_cell(g, r, c);
            col_of[line.len < 512 ? line.len : 511] = c;
            if (cell->glyph_len)
                strbuf_add(&line, grid_glyph(g, cell), cell->glyph_len);
            else
                strbuf_addch(&line, ' ');
        }
        char *at = strstr(line.buf, word);
        if (at) style = grid_cell(g, r, col_of[at - line.buf])->style;
        strbuf_release(&line);
    }
    grid_free(g);
    return style;
}

Test(app, search_as_you_type_n_and_esc)
{
    write_file(
        "search.txt",
        "Mother and grandmother, said the story.\n\nA line.\n\nMOTHER again, and a mother.\n");
    App *a = open_app("search.txt", 60, 8);
    /* typed before the index is made: the story is read for it, and the matches show at once */
    keys(a, "/moth");
    cr_assert(strstr(dump(a, 60, 8), "/moth"), "%s", dump(a, 60, 8));
    cr_assert(strstr(dump(a, 60, 8), "match 1 of 3"), "%s", dump(a, 60, 8));
    app_settle(a);
    cr_assert(strstr(dump(a, 60, 8), "match 1 of 3"), "%s", dump(a, 60, 8));
    cr_assert_eq(style_of(a, 60, 8, "Mother"), STYLE_CURRENT);
    cr_assert_eq(style_of(a, 60, 8, "mother."), STYLE_MATCH, "a word that begins with it");
    cr_assert_eq(style_of(a, 60, 8, "er."), STYLE_TEXT, "only the part that matched");
    cr_assert_eq(style_of(a, 60, 8, "grandmother"), STYLE_TEXT, "not inside a word");
    keys(a, "\n");
    keys(a, "n");
    cr_assert(strstr(dump(a, 60, 8), "match 2 of 3"), "%s", dump(a, 60, 8));
    keys(a, "n");
    cr_assert(strstr(dump(a, 60, 8), "match 3 of 3"));
    keys(a, "n");
    cr_assert(strstr(app_message(a), "wrapped to the top"), "%s", app_message(a));
    keys(a, "N");
    cr_assert(strstr(app_message(a), "wrapped to the end"), "%s", app_message(a));
    /* Esc returns to where the search began */
    keys(a, "g");
    size_t top = app_top_offset(a);
    keys(a, "/again");
    cr_assert_neq(app_top_offset(a), top);
    app_key(a, APP_KEY_ESC);
    cr_assert_eq(app_top_offset(a), top);
    cr_assert_eq(style_of(a, 60, 8, "Mother"), STYLE_TEXT, "no highlight after Esc");
    /* a capital: case counts */
    keys(a, "/MOTHER\n");
    cr_assert(strstr(dump(a, 60, 8), "match 1 of 1"), "%s", dump(a, 60, 8));
    /* history: Up brings the last query back */
    keys(a, "/");
    app_key(a, APP_KEY_UP);
    cr_assert(strstr(dump(a, 60, 8), "/MOTHER"));
    app_key(a, APP_KEY_ESC);
    app_free(a);
}

/* 16 MB of Cyrillic paragraphs, then one with "zebra" in it. */
static void write_far_zebra(const char *name)
{
    Strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "Хабар\n\n");
    while (sb.len < (16u << 20))
        strbuf_addstr(&sb, "Алдын ала рахмет, қалың ел, қазақ тілі.\n\n");
    strbuf_addstr(&sb, "Соңында бір zebra.\n");
    write_file(name, sb.buf);
    strbuf_release(&sb);
}

/* Enter pressed before the index is made: the story is read for the search, and its first
 * match shown at once; where the match is further than the reader reads before the screen
 * answers, the search says it is searching, reads on between keys, and then shows it. */
Test(app, a_search_before_the_index_reads_the_story)
{
    write_file("wait.txt", "Mother and grandmother.\n\nNothing else.\n");
    App *a = open_app("wait.txt", 60, 8);
    keys(a, "/moth\n");
    cr_assert(strstr(dump(a, 60, 8), "match 1 of 1"), "%s", dump(a, 60, 8));
    cr_assert_null(strstr(dump(a, 60, 8), "indexing"), "%s", dump(a, 60, 8));
    app_free(a);

    write_file("wait2.txt", "Mother and grandmother.\n");
    a = open_app("wait2.txt", 60, 8);
    keys(a, "/zebra\n");
    cr_assert(strstr(app_message(a), "not found: zebra"), "%s", app_message(a));
    app_free(a);

    /* 16 MB of Cyrillic (read token by token: ~150 ms here, the reader waits 40) before it */
    write_far_zebra("far.txt");
    write_far_zebra("far2.txt"); /* far.txt gets an index: this one is searched afresh */
    a = open_app("far.txt", 60, 8);
    keys(a, "/zebra\n");
    cr_assert(strstr(app_message(a), "searching"), "%s\n%s", app_message(a), dump(a, 60, 8));
    cr_assert(strstr(dump(a, 60, 8), "searching"), "%s", dump(a, 60, 8));
    app_settle(a);
    cr_assert(strstr(dump(a, 60, 8), "zebra"), "%s", dump(a, 60, 8));
    cr_assert(strstr(dump(a, 60, 8), "match 1 of 1"), "%s", dump(a, 60, 8));
    app_free(a);
    /* a key pressed while it searches is not undone when the match is found */
    a = open_app("far2.txt", 60, 8);
    keys(a, "/zebra\n");
    cr_assert(strstr(app_message(a), "searching"), "%s", app_message(a));
    keys(a, "jj");
    size_t top = app_top_offset(a);
    cr_assert_gt(top, 0);
    app_settle(a);
    cr_assert_eq(app_top_offset(a), top, "the view stays where the keys took it");
    keys(a, "n");
    cr_assert(strstr(dump(a, 60, 8), "zebra"), "n goes to it: %s", dump(a, 60, 8));
    app_free(a);
}

/* With the index cached, a match far into a story still being read is shown at once from a
 * window of the file, highlighted, before the story is read up to it; the status line names no
 * chapter there until the chapters up to it are known (the last one found would be wrong). */
Test(app, a_far_match_with_an_index_is_shown_before_the_story_is_read_to_it)
{
    Strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "Хабар\n\nChapter 1\n\n");
    while (sb.len < (40u << 20))
        strbuf_addstr(&sb, "Алдын ала рахмет, қалың ел, қазақ тілі.\n\n");
    strbuf_addstr(&sb, "Chapter 2\n\nСоңында бір zebra.\n\nТағы бір жол.\n");
    write_file("windowed.txt", sb.buf);
    strbuf_release(&sb);
    App *a = open_app("windowed.txt", 60, 8);
    app_settle(a); /* read, indexed, the index cached */
    keys(a, "/zebra\n");
    cr_assert(strstr(dump(a, 60, 8), "Chapter 2"), "%s", dump(a, 60, 8));
    app_free(a);
    a = open_app("windowed.txt", 60, 8);
    cr_assert(!app_story_loaded(a), "resumed: %s", dump(a, 60, 8));
    keys(a, "g"); /* the place kept is the start */
    app_free(a);

    a = open_app("windowed.txt", 60, 8);
    cr_assert(!app_story_loaded(a));
    keys(a, "/zebra\n");
    const char *screen = dump(a, 60, 8);
    cr_assert(strstr(screen, "zebra"), "%s", screen);
    cr_assert(strstr(screen, "match 1 of 1"), "%s", screen);
    cr_assert_null(strstr(screen, "Chapter 1"), "no chapter known there yet: %s", screen);
    cr_assert(!app_story_loaded(a), "shown from a window, the story not read up to it");
    size_t top = app_top_offset(a);
    cr_assert_gt(top, (size_t)40 << 20);
    app_settle(a);
    cr_assert(app_story_loaded(a));
    cr_assert_eq(app_top_offset(a), top, "the same place once the story is read");
    cr_assert(strstr(dump(a, 60, 8), "Chapter 2"), "%s", dump(a, 60, 8));
    app_free(a);

    /* CR LF line ends in its middle: the story's offsets past them are not the file's (the index
     * says it was not clean as read), so no window: the match is where it is */
    Strbuf crlf = STRBUF_INIT;
    strbuf_addstr(&crlf, "Хабар\n\n");
    while (crlf.len < (20u << 20))
        strbuf_addstr(&crlf, "Алдын ала рахмет, қалың ел, қазақ тілі.\n\n");
    while (crlf.len < (22u << 20))
        strbuf_addstr(&crlf, "Алдын ала рахмет, қалың ел.\r\n\r\n");
    while (crlf.len < (40u << 20))
        strbuf_addstr(&crlf, "Алдын ала рахмет, қалың ел, қазақ тілі.\n\n");
    strbuf_addstr(&crlf, "Соңында бір zebra.\n\nТағы бір жол.\n");
    write_file("crlf.txt", crlf.buf);
    strbuf_release(&crlf);
    a = open_app("crlf.txt", 60, 8);
    app_settle(a);
    keys(a, "g");
    app_free(a);
    a = open_app("crlf.txt", 60, 8);
    keys(a, "/zebra\n");
    cr_assert(strstr(dump(a, 60, 8), "zebra"), "%s", dump(a, 60, 8));
    cr_assert(strstr(dump(a, 60, 8), "match 1 of 1"), "%s", dump(a, 60, 8));
    app_free(a);
    a = open_app("crlf.txt", 60, 8); /* and resumed there */
    cr_assert(strstr(dump(a, 60, 8), "zebra"), "%s", dump(a, 60, 8));
    app_free(a);
}

static bool key_waits(void *ctx)
{
    (*(int *)ctx)++;
    return true;
}

/* A search reading the story between keys asks, after each step, whether a key is waiting, and
 * ends its slice when one is: the key is not kept waiting for the rest of the slice. */
Test(app, a_search_reading_between_keys_stops_its_slice_for_a_key)
{
    write_far_zebra("slices.txt");
    App *a = open_app("slices.txt", 60, 8);
    int asked = 0;
    app_set_keys_waiting_fn(a, key_waits, &asked);
    keys(a, "/zebra\n");
    cr_assert(strstr(app_message(a), "searching"), "%s", app_message(a));
    asked = 0;
    app_idle(a);
    cr_assert_eq(asked, 1, "asked %d times in one slice (after its first step, before the clock)",
                 asked);
    cr_assert(strstr(app_message(a), "searching"), "one step does not read 16 MB: %s",
              app_message(a));
    app_set_keys_waiting_fn(a, NULL, NULL);
    app_settle(a);
    cr_assert(strstr(dump(a, 60, 8), "zebra"), "%s", dump(a, 60, 8));
    app_free(a);
}

static bool keys_come(void *ctx)
{
    (void)ctx;
    return true;
}

/* Keys typed faster than the search answers: a key with more behind it searches nothing, and
 * Enter searches what was typed. */
Test(app, a_search_typed_ahead_searches_once)
{
    write_file("ahead.txt", "Mother and grandmother.\n\nNothing else.\n");
    App *a = open_app("ahead.txt", 60, 8);
    app_set_keys_waiting_fn(a, keys_come, NULL);
    keys(a, "/moth");
    cr_assert_null(strstr(dump(a, 60, 8), "match"), "searched with keys waiting: %s",
                   dump(a, 60, 8));
    keys(a, "\n");
    cr_assert(strstr(dump(a, 60, 8), "match 1 of 1"), "%s", dump(a, 60, 8));
    app_free(a);
    /* keys that edit no query came last (an arrow, say): the query is searched once none wait */
    a = open_app("ahead.txt", 60, 8);
    app_set_keys_waiting_fn(a, keys_come, NULL);
    keys(a, "/grand");
    app_set_keys_waiting_fn(a, NULL, NULL);
    cr_assert_null(strstr(dump(a, 60, 8), "match"), "%s", dump(a, 60, 8));
    app_idle(a);
    cr_assert(strstr(dump(a, 60, 8), "match 1 of 1"), "searched when idle: %s", dump(a, 60, 8));
    app_free(a);
}

/* Library search: s from the shelf, ranked hits with the match marked, Enter opens the story
 * at the hit with its matches highlighted, '' goes back, q returns to the shelf. */
Test(app, library_search_to_a_hit_and_back)
{
    Strbuf big = STRBUF_INIT; /* a story long enough to scroll, the word deep inside */
    strbuf_addstr(&big, "The Long Road\n\n");
    for (int i = 0; i < 60; i++)
        strbuf_addf(&big, "Paragraph %d of the road, with nothing to find in it.\n\n", i);
    strbuf_addstr(&big, "Here the dombra played at last.\n\n");
    for (int i = 0; i < 20; i++)
        strbuf_addf(&big, "More road %d.\n\n", i);
    write_file("long-road.txt", big.buf);
    strbuf_release(&big);
    write_file("dombra-song.txt", "Dombra Song\n\nThe dombra, the dombra, the dombra sang.\n");
    App *a = open_app("", 60, 10);
    keys(a, "s");
    cr_assert(strstr(dump(a, 60, 10), "search all stories:"), "%s", dump(a, 60, 10));
    keys(a, "dombra\n");
    const char *d = dump(a, 60, 10);
    /* a title is a paragraph too; the reader will count the story's 4 */
    cr_assert(strstr(d, "5 matches in 3 paragraphs of 2 stories for dombra"), "%s", d);
    cr_assert(strstr(d, "Dombra Song (4)"), "%s", d);
    app_resize(a, 34, 10); /* narrow: the title is cut, its count is not */
    cr_assert(strstr(dump(a, 34, 10), "(4)") && !strstr(dump(a, 34, 10), "Dombra Song (4)"), "%s",
              dump(a, 34, 10));
    /* and the first line is cut at a word, with "…", never inside one */
    cr_assert(!strncmp(dump(a, 34, 10), " 5 matches in 3 paragraphs of 2 \xe2\x80\xa6\n",
                       strlen(" 5 matches in 3 paragraphs of 2 \xe2\x80\xa6\n")),
              "%s", dump(a, 34, 10));
    app_resize(a, 60, 10);
    d = dump(a, 60, 10);
    /* best first: three dombras in a short paragraph outrank one in a longer one */
    cr_assert(strstr(d, "Dombra Song") < strstr(d, "The Long Road"), "%s", d);
    cr_assert_eq(style_of(a, 60, 10, "dombra, the"), STYLE_CURRENT, "the selected hit's match");
    cr_assert_eq(style_of(a, 60, 10, "dombra played"), STYLE_MATCH);
    cr_assert(strstr(d, "hit 1 of 3"), "%s", d);
    keys(a, "jj\n");
    cr_assert_eq(app_mode(a), MODE_READER);
    app_settle(a);
    d = dump(a, 60, 10);
    cr_assert(strstr(d, "Here the dombra played"), "%s", d);
    cr_assert_eq(style_of(a, 60, 10, "dombra played"), STYLE_CURRENT, "%s", d);
    cr_assert(strstr(d, "match 1 of 1"), "%s", d);
    /* the hit strip: a mark in the column beside the text, where the match is */
    cr_assert(strchr(d, '|'), "%s", d);
    size_t at_hit = app_top_offset(a);
    keys(a, "''");
    cr_assert_lt(app_top_offset(a), at_hit, "'' goes back to where the story was");
    keys(a, "''");
    cr_assert_eq(app_top_offset(a), at_hit);
    /* from the reader too, and q returns to it */
    keys(a, "s");
    keys(a, "road\n");
    cr_assert_eq(app_mode(a), MODE_RESULTS);
    keys(a, "q");
    cr_assert_eq(app_mode(a), MODE_READER);
    /* no hits: said, and still a results view to leave */
    keys(a, "szither\n");
    cr_assert(strstr(app_message(a), "no hits"), "%s", app_message(a));
    keys(a, "q");
    cr_assert_eq(app_mode(a), MODE_READER);
    app_free(a);
}

/* A story opened from a search of two words shows the hits it was listed for (each word, by the
 * shelf's rule, not the reader's phrase rule), and says nothing about where it was last left. */
Test(app, a_story_opened_from_a_two_word_search_shows_its_hits)
{
    Strbuf big = STRBUF_INIT;
    strbuf_addstr(&big, "Steppe\n\n");
    for (int i = 0; i < 40; i++)
        strbuf_addf(&big, "Line %d of the steppe.\n\n", i);
    strbuf_addstr(&big, "The horse ran before the dombra played.\n\n");
    for (int i = 0; i < 40; i++)
        strbuf_addf(&big, "Tail %d.\n\n", i);
    write_file("steppe.txt", big.buf);
    strbuf_release(&big);
    App *a = open_app("steppe.txt", 60, 10);
    keys(a, "G"); /* a place saved at the end */
    app_free(a);

    a = open_app("", 60, 10);
    keys(a, "sdombra horse\n");
    const char *d = dump(a, 60, 10);
    cr_assert(strstr(d, "hit"), "%s", d);
    keys(a, "\n");
    cr_assert_eq(app_mode(a), MODE_READER);
    app_settle(a);
    d = dump(a, 60, 10);
    cr_assert(strstr(d, "The horse ran before the dombra"), "%s", d);
    cr_assert(strstr(d, "match 1 of 2"), "%s", d);
    cr_assert_eq(style_of(a, 60, 10, "horse"), STYLE_CURRENT, "%s", d);
    cr_assert_eq(style_of(a, 60, 10, "dombra"), STYLE_MATCH, "%s", d);
    cr_assert(!strstr(app_message(a), "resumed"), "opened at a hit: %s", app_message(a));
    app_free(a);
}

/* One story given on the command line opens once configured: the configured line ends lay it
 * out, and they are not saved for it as its own. */
Test(app, one_story_opens_with_the_configured_line_ends)
{
    write_file("verse.txt", "Short line one\nshort line two\nshort line three\n");
    char path[512];
    snprintf(path, sizeof path, "%s/verse.txt", dir);
    char *paths[] = {path};
    Config cfg;
    config_init(&cfg);
    cfg.line_ends = LAYOUT_ENDS_REFLOW;
    Diag d = {0};
    App *a = app_new(paths, 1, 0, 0, &d);
    cr_assert_not_null(a, "%s", d.msg);
    app_configure(a, &cfg);
    app_resize(a, 70, 6);
    const char *out = dump(a, 70, 6);
    cr_assert(strstr(out, "Short line one short line two short line three"), "%s", out);
    app_free(a);

    cfg.line_ends = LAYOUT_ENDS_KEEP; /* now configured otherwise: it follows, nothing was kept */
    a = app_new(paths, 1, 0, 0, &d);
    cr_assert_not_null(a, "%s", d.msg);
    app_configure(a, &cfg);
    app_resize(a, 70, 6);
    out = dump(a, 70, 6);
    cr_assert(strstr(out, "Short line one\n"), "%s", out);
    app_free(a);
    config_free(&cfg);
}

/* A notice given before the story opens (the TUI's "terminal did not answer") is not lost to
 * what opening it says. */
Test(app, a_notice_before_the_story_opens_is_kept)
{
    Strbuf big = STRBUF_INIT;
    for (int i = 0; i < 80; i++)
        strbuf_addf(&big, "Paragraph %d.\n\n", i);
    write_file("long.txt", big.buf);
    strbuf_release(&big);
    App *a = open_app("long.txt", 40, 8);
    keys(a, "G");
    app_free(a);
    char path[512];
    snprintf(path, sizeof path, "%s/long.txt", dir);
    char *paths[] = {path};
    Diag d = {0};
    a = app_new(paths, 1, 0, 0, &d);
    cr_assert_not_null(a, "%s", d.msg);
    app_message_set(a, "terminal did not answer");
    app_resize(a, 40, 8);
    cr_assert(strstr(app_message(a), "resumed at") && strstr(app_message(a), "did not answer"),
              "%s", app_message(a));
    app_free(a);
}

/* --- the compare view ------------------------------------------------------------------------ */

static const char *const compare_left =
    "Ivan grew up on the steppe where her grandmother sang old songs every evening.\n\n"
    "She studied music in Almaty and wrote lyrics about love and loss and resilience.\n\n"
    "The debut album sold well across the whole country within a single winter.\n\n"
    "Labels from abroad called, but she promised to stay true to her language.\n\n"
    "At the festival in Moscow the crowd rose for the dombra and the old melodies.\n";
/* the same, but: album paragraph reworded by one word, the labels paragraph removed, a new one
 * added at the end */
static const char *const compare_right =
    "Ivan grew up on the steppe where her grandmother sang old songs every evening.\n\n"
    "She studied music in Almaty and wrote lyrics about love and loss and resilience.\n\n"
    "The debut album sold well across the whole country within a single summer.\n\n"
    "At the festival in Moscow the crowd rose for the dombra and the old melodies.\n\n"
    "Years later she opened a school where children learn the songs of the steppe.\n";

static App *open_compare(int cols, int rows)
{
    write_file("left.txt", compare_left);
    write_file("right.txt", compare_right);
    char l[512], r[512];
    snprintf(l, sizeof l, "%s/left.txt", dir);
    snprintf(r, sizeof r, "%s/right.txt", dir);
    char *paths[] = {l, r};
    Diag d = {0};
    App *a = app_new(paths, 2, 0, 0, &d);
    cr_assert_not_null(a, "app_new: %s", d.msg);
    app_resize(a, cols, rows);
    cr_assert_eq(app_mode(a), MODE_SHELF);
    keys(a, "  c"); /* mark both, compare */
    cr_assert_eq(app_mode(a), MODE_COMPARE, "message: %s", app_message(a));
    return a;
}

/* The text of the cells of a style on a rendered grid, in reading order, spaces between runs. */
static void styled_text(App *a, int cols, int rows, Style style, int col0, int col1, char *out,
                        size_t cap)
{
    Grid *g = grid_new(cols, rows);
    app_render(a, g);
    size_t n = 0;
    out[0] = 0;
    for (int r = 0; r < rows; r++) {
        int prev = 0;
        for (int c = col0; c < col1; c++) {
            const GridCell *cell = grid_cell(g, r, c);
            if (cell->style != style || !cell->glyph_len) {
                prev = 0;
                continue;
            }
            if (!prev && n && n + 1 < cap) out[n++] = ' ';
            const uint8_t *gl = grid_glyph(g, cell);
            for (size_t k = 0; k < cell->glyph_len && n + 1 < cap; k++)
                out[n++] = (char)gl[k];
            prev = 1;
        }
    }
    out[n] = 0;
    grid_free(g);
}

static char row_char(const char *dumped, int row, int col)
{
    const char *p = dumped;
    for (int r = 0; r < row && p; r++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    if (!p) return 0;
    const char *end = strchr(p, '\n');
    if (!end) end = p + strlen(p);
    return col < end - p ? p[col] : ' ';
}

Test(app, compare_from_shelf_marks_the_differing_words)
{
    App *a = open_compare(100, 30);
    const char *s = dump(a, 100, 30);
    cr_assert(strstr(s, "Left") && strstr(s, "Right"), "both titles:\n%s", s);
    cr_assert(strstr(s, "same 3") && strstr(s, "changed 1") && strstr(s, "added 1") &&
                  strstr(s, "removed 1"),
              "counts on the status line:\n%s", s);
    char words[256];
    styled_text(a, 100, 30, STYLE_REMOVED, 0, 48, words, sizeof words);
    cr_assert_str_eq(words, "winter");
    styled_text(a, 100, 30, STYLE_ADDED, 51, 100, words, sizeof words);
    cr_assert_str_eq(words, "summer");
    cr_assert(strstr(s, " < ") || strchr(s, '<'), "a removed row in the gutter:\n%s", s);
    app_free(a);
}

Test(app, compare_scrolls_locked_and_unlocked)
{
    App *a = open_compare(80, 12);
    static char before[65536], after[65536];
    snprintf(before, sizeof before, "%s", dump(a, 80, 12));
    app_key(a, 'j'); /* locked: both panes move a line */
    snprintf(after, sizeof after, "%s", dump(a, 80, 12));
    for (int r = 1; r < 10; r++)
        for (int c = 0; c < 80; c++)
            if (c != 39) /* the gutter may mark a current difference */
                cr_assert_eq(row_char(before, r + 1, c), row_char(after, r, c),
                             "both panes scrolled:\n%s\n---\n%s", before, after);
    app_key(a, 'L');
    cr_assert(strstr(app_message(a), "unlocked"), "%s", app_message(a));
    app_message_set(a, ""); /* the message's own rows would cover the panes' last ones */
    snprintf(before, sizeof before, "%s", dump(a, 80, 12));
    app_key(a, 'j');
    snprintf(after, sizeof after, "%s", dump(a, 80, 12));
    int left_moved = 1, right_same = 1; /* the focused (left) pane moved a line, the right not */
    for (int r = 1; r < 10; r++) {
        for (int c = 0; c < 38; c++)
            if (row_char(before, r + 1, c) != row_char(after, r, c)) left_moved = 0;
        for (int c = 42; c < 80; c++)
            if (row_char(before, r, c) != row_char(after, r, c)) right_same = 0;
    }
    cr_assert(left_moved, "left pane scrolled:\n%s\n---\n%s", before, after);
    cr_assert(right_same, "right pane stayed:\n%s\n---\n%s", before, after);
    app_key(a, 'L');
    cr_assert(strstr(app_message(a), "locked"), "%s", app_message(a));
    keys(a, "g");
    snprintf(before, sizeof before, "%s", dump(a, 80, 12));
    cr_assert(strstr(before, "Ivan grew up") && strstr(before + 42, "Ivan grew up"),
              "both at the top after g:\n%s", before);
    app_free(a);
}

Test(app, compare_jumps_between_differences)
{
    App *a = open_compare(80, 8);
    app_key(a, ']');
    const char *s = dump(a, 80, 8);
    char g = row_char(s, 1, 39);
    cr_assert(g == '~' || g == '<' || g == '>' || g == 'm', "a difference on top (%c):\n%s", g, s);
    cr_assert(strstr(s, "winter"), "the changed pair first:\n%s", s);
    app_key(a, ']');
    s = dump(a, 80, 8);
    cr_assert(strstr(s, "Labels") && !strstr(s, "winter"), "then the removed one:\n%s", s);
    app_key(a, '[');
    s = dump(a, 80, 8);
    cr_assert(strstr(s, "winter"), "[ goes back:\n%s", s);
    for (int i = 0; i < 10; i++)
        app_key(a, ']');
    cr_assert(strstr(app_message(a), "no more differences"), "%s", app_message(a));
    app_free(a);
}

Test(app, compare_swaps_folds_stacks_and_searches)
{
    App *a = open_compare(80, 24);
    const char *s = dump(a, 80, 24);
    cr_assert(strstr(s, "\xe2\x96\xb8 Left"), "focus on the left:\n%s", s);
    app_key(a, '\t');
    s = dump(a, 80, 24);
    cr_assert(strstr(s, "\xe2\x96\xb8 Right"), "Tab moves focus:\n%s", s);
    app_key(a, 'x');
    cr_assert_str_eq(app_message(a), "swapped");
    app_message_set(a, ""); /* the counts in words, with no message beside them */
    s = dump(a, 80, 24);
    const char *r = strstr(s, "Right"), *l = strstr(s, "Left");
    cr_assert(r && l && r < l, "x swaps the panes:\n%s", s);
    cr_assert(strstr(s, "added 1") && strstr(s, "removed 1"), "%s", s);
    app_key(a, 'z');
    s = dump(a, 80, 24);
    cr_assert(strstr(s, "identical paragraph"), "z folds the same rows:\n%s", s);
    app_key(a, 'z');
    app_resize(a, 50, 24);
    s = dump(a, 50, 24);
    int title_rows = 0;
    for (const char *p = s; (p = strstr(p, "Left")); p++)
        title_rows++;
    cr_assert(strstr(s, "Right") && strstr(s, "Left"), "%s", s);
    cr_assert(row_char(s, 1, 25) != '~', "stacked: no gutter in the middle:\n%s", s);
    app_resize(a, 80, 24);
    app_key(a, '/');
    keys(a, "dombra\n");
    cr_assert(strstr(app_message(a), "match 1 of 1"), "%s", app_message(a));
    app_key(a, 'n');
    cr_assert(strstr(app_message(a), "wrapped to the top"), "%s", app_message(a));
    cr_assert(strstr(app_message(a), "match 1 of 1"), "the number kept: %s", app_message(a));
    app_key(a, 'q');
    cr_assert_eq(app_mode(a), MODE_SHELF);
    app_free(a);
}

/* The compare view's help lists every key it takes, and scrolls on a short screen. */
Test(app, compare_help_lists_its_keys_and_scrolls)
{
    App *a = open_compare(80, 24);
    app_key(a, 'h');
    const char *s = dump(a, 80, 24);
    cr_assert(strstr(s, "Enter") && strstr(s, "Space  f  PgDn, b  PgUp") &&
                  strstr(s, "wheel too") && strstr(s, "v, V") && strstr(s, "h  F1") &&
                  strstr(s, "any key returns") &&
                  strstr(s, "only on the right in green"), /* no line cut at 80 columns */
              "%s", s);
    app_key(a, 'j');
    s = dump(a, 80, 24);
    cr_assert(!strstr(s, "any key returns") && strstr(s, "Left"), "fits: j returns\n%s", s);
    app_resize(a, 40, 50); /* narrow: keys above what they do, the prose wrapped */
    app_key(a, 'h');
    s = dump(a, 40, 50);
    cr_assert(strstr(s, "\n  ], [\n      the next, previous difference\n") &&
                  strstr(s, "\n Gutter: | same  ~ changed  < only left\n"),
              "%s", s);
    app_key(a, 'q');
    app_resize(a, 80, 10);
    app_key(a, APP_KEY_F1);
    s = dump(a, 80, 10);
    cr_assert(strstr(s, "Compare: two stories") && strstr(s, "any other key returns") &&
                  strstr(s, "rows 1-9 of") && !strstr(s, "Gutter"),
              "%s", s);
    app_key(a, 'G');
    s = dump(a, 80, 10);
    cr_assert(strstr(s, "Gutter") && strstr(s, "nothing there") && !strstr(s, "Compare: two"),
              "G: the end\n%s", s);
    app_key(a, 'k');
    cr_assert(strstr(dump(a, 80, 10), "Gutter"), "k: one row up, still in the help");
    app_key(a, 'q');
    s = dump(a, 80, 10);
    cr_assert(strstr(s, "Left") && !strstr(s, "Gutter"), "q returns to the view\n%s", s);
    cr_assert_eq(app_mode(a), MODE_COMPARE);
    app_free(a);
}

Test(app, compare_from_the_reader_picks_the_other_story)
{
    App *a = open_app("", 80, 24);
    keys(a, "\n"); /* a-first */
    cr_assert_eq(app_mode(a), MODE_READER);
    app_key(a, 'c');
    cr_assert_eq(app_mode(a), MODE_SHELF);
    cr_assert(strstr(app_message(a), "compare with"), "%s", app_message(a));
    keys(a, "\n");
    cr_assert_eq(app_mode(a), MODE_COMPARE, "%s", app_message(a));
    const char *s = dump(a, 80, 24);
    cr_assert(strstr(s, "A First") && strstr(s, "B Second"), "%s", s);
    app_key(a, 'q');
    cr_assert_eq(app_mode(a), MODE_READER);
    app_free(a);
}

/* Picking a story to compare with borrows the shelf's selection and gives it back. */
Test(app, picking_leaves_the_shelf_selection_where_it_was)
{
    App *a = open_app("", 80, 24);
    keys(a, "jj\n"); /* the third story, tiny-tale */
    app_key(a, 'c');
    cr_assert(strstr(dump(a, 80, 24), "1 of 3"), "the pick starts on the next story (round)");
    app_key(a, APP_KEY_ESC);
    cr_assert_eq(app_mode(a), MODE_READER);
    app_key(a, 'q');
    cr_assert_eq(app_mode(a), MODE_SHELF);
    cr_assert(strstr(dump(a, 80, 24), "3 of 3"), "%s", dump(a, 80, 24));
    keys(a, "\nc\nqq"); /* compared with a-first, then back to the shelf */
    cr_assert_eq(app_mode(a), MODE_SHELF);
    cr_assert(strstr(dump(a, 80, 24), "3 of 3"), "%s", dump(a, 80, 24));
    app_free(a);
}

static void configure(App *a, const char *text)
{
    Config c;
    config_init(&c);
    config_parse(&c, text, strlen(text));
    cr_assert_eq(c.nwarnings, 0, "line %d: %s", c.nwarnings ? c.warnings[0].line : 0,
                 c.nwarnings ? c.warnings[0].what : "");
    app_configure(a, &c);
    config_free(&c); /* the app keeps its own copy */
}

/* A bound key acts as its command in the reader and on the shelf; the default keys still work
 * unless bound to something else; while typing a query every key is itself. */
Test(app, configured_keys_act_everywhere_but_in_a_query)
{
    App *a = open_app("", 80, 10);
    configure(a, "key.down = x\nkey.quit = Q\nkey.page-down = w\nkey.top = j\n");
    /* shelf: a-first, b-second, tiny-tale */
    keys(a, "x");
    cr_assert(strstr(dump(a, 80, 10), "2 of 3"), "x moves down the shelf: %s", dump(a, 80, 10));
    keys(a, "k");
    cr_assert(strstr(dump(a, 80, 10), "1 of 3"), "k still moves up");
    keys(a, "j");
    cr_assert(strstr(dump(a, 80, 10), "1 of 3"), "j is now top, not down");
    app_free(a);

    Strbuf big = STRBUF_INIT;
    for (int i = 0; i < 400; i++)
        strbuf_addf(&big, "word%d ", i); /* one paragraph, many rows */
    write_file("long.txt", big.buf);
    strbuf_release(&big);
    a = open_app("long.txt", 60, 10);
    configure(a, "key.down = x x\nkey.quit = Q\nkey.page-down = w\nkey.top = j\n"
                 "key.mark = p\n");
    size_t top0 = app_top_offset(a);
    keys(a, "x");
    size_t one = app_top_offset(a);
    cr_assert_gt(one, top0, "x is a line down");
    keys(a, "e");
    size_t two = app_top_offset(a);
    cr_assert_gt(two, one, "e, a default key of down, still works: %zu %zu %zu", top0, one, two);
    keys(a, "w");
    cr_assert_gt(app_top_offset(a), two + 300, "w is a page down");
    keys(a, "j");
    cr_assert_eq(app_top_offset(a), top0, "j was bound to top");
    keys(a, "3e");
    size_t three = app_top_offset(a);
    keys(a, "j3x");
    cr_assert_eq(app_top_offset(a), three, "a count before a bound key: 3x is 3e");
    keys(a, "j");
    /* typing a query: x and j are letters */
    keys(a, "/xj");
    cr_assert(strstr(dump(a, 60, 10), "/xj"), "%s", dump(a, 60, 10));
    app_key(a, APP_KEY_ESC);
    /* a mark's letter is a letter */
    keys(a, "mx");
    cr_assert_str_eq(app_message(a), "mark x set");
    /* the help screen lists the configured keys, and leaves out the default ones taken away */
    app_resize(a, 80, 48);
    keys(a, "h");
    const char *d = dump(a, 80, 48);
    cr_assert(strstr(d, "j  e  Down  Enter") == NULL, "j is not down any more: %s", d);
    cr_assert(strstr(d, "e  Down  Enter  x ") && !strstr(d, "x  x"), "x listed once: %s", d);
    cr_assert(strstr(d, "m  p letter") && strstr(d, "N%  ") && !strstr(d, "Np"),
              "p is a mark's key now, not a percent's: %s", d);
    cr_assert(strstr(d, "Space  f  PgDn  w"), "%s", d);
    cr_assert(strstr(d, "q  Q"), "%s", d);
    keys(a, " ");
    keys(a, "Q");
    cr_assert(app_done(a), "Q quits a single story");
    app_free(a);
}

Test(app, configured_measure_smart_case_and_command_line_measure)
{
    App *a = open_app("tiny-tale.txt", 100, 24);
    configure(a, "measure = 40\n");
    const char *d = dump(a, 100, 24);
    /* 40 columns centred in 100 */
    cr_assert(!strncmp(d + 30, "One two three four five six seven", 33), "%.120s", d);
    keys(a, "++=");
    cr_assert_str_eq(app_message(a), "measure 40 columns", "= returns to the configured one");
    app_free(a);

    /* --width (given to app_new) wins over the configuration */
    char path[512];
    snprintf(path, sizeof path, "%s/tiny-tale.txt", dir);
    char *paths[] = {path};
    Diag dg = {0};
    a = app_new(paths, 1, 50, 0, &dg);
    app_resize(a, 100, 24);
    configure(a, "measure = 40\n");
    keys(a, "+");
    cr_assert_str_eq(app_message(a), "measure 52 columns");
    app_free(a);

    write_file("case.txt", "Mother and MOTHER and mother.\n");
    a = open_app("case.txt", 60, 8);
    configure(a, "smart-case = no\n");
    app_settle(a);
    keys(a, "/MOTHER\n");
    app_settle(a);
    cr_assert(strstr(dump(a, 60, 8), "match 1 of 3"), "no smart case: %s", dump(a, 60, 8));
    app_free(a);
    a = open_app("case.txt", 60, 8);
    app_settle(a);
    keys(a, "/MOTHER\n");
    app_settle(a);
    cr_assert(strstr(dump(a, 60, 8), "match 1 of 1"), "smart case: %s", dump(a, 60, 8));
    app_free(a);
}

/* --- the defects a new reader met (issue 15), each with the behaviour that fixes it ----------- */

/* A story of many pages: "Page N." paragraphs, one word on page four that a longer query's
 * prefix matches. */
static App *open_pages(int cols, int rows)
{
    Strbuf s = STRBUF_INIT;
    strbuf_addstr(&s, "Many Pages\n\n");
    for (int i = 0; i < 120; i++) {
        strbuf_addf(&s, "Paragraph %d of many, with words that fill a line or two of the page.\n\n",
                    i);
        if (i == 60) strbuf_addstr(&s, "Here stands the barometer of Mrs Sato.\n\n");
    }
    write_file("many-pages.txt", s.buf);
    strbuf_release(&s);
    App *a = open_app("many-pages.txt", cols, rows);
    app_settle(a);
    return a;
}

/* A search that ends without a match leaves the view where it was before /, and '' returns to
 * where the last jump started, not to where the typing went. */
Test(app, a_failed_search_leaves_the_view_where_it_was)
{
    App *a = open_pages(60, 12);
    keys(a, "5j");
    size_t origin = app_top_offset(a);
    keys(a, "/barometer");
    cr_assert_gt(app_top_offset(a), origin, "while it matches, the view shows the match");
    keys(a, "zz");
    cr_assert_eq(app_top_offset(a), origin, "no match: back where the search began");
    keys(a, "\n");
    cr_assert_eq(app_top_offset(a), origin);
    cr_assert(strstr(app_message(a), "not found: barometerzz"), "%s", app_message(a));
    keys(a, "''");
    cr_assert_eq(app_top_offset(a), origin, "no jump was made: '' has nowhere to go");
    cr_assert(strstr(app_message(a), "no earlier position"), "%s", app_message(a));
    /* a search that finds: '' returns to where it began */
    keys(a, "/barometer\n");
    size_t found = app_top_offset(a);
    cr_assert_gt(found, origin);
    keys(a, "''");
    cr_assert_eq(app_top_offset(a), origin);
    keys(a, "''");
    cr_assert_eq(app_top_offset(a), found);
    app_free(a);
}

/* Counts work in every view that moves: 5j in the compare view is five lines. */
Test(app, counts_in_the_compare_view_and_on_the_shelf)
{
    App *a = open_compare(80, 12);
    static char one[65536], five[65536];
    keys(a, "j");
    snprintf(one, sizeof one, "%s", dump(a, 80, 12));
    keys(a, "g5j");
    snprintf(five, sizeof five, "%s", dump(a, 80, 12));
    for (int c = 0; c < 38; c++)
        cr_assert_eq(row_char(five, 1, c), row_char(one, 5, c), "5j is five lines:\n%s\n--\n%s",
                     one, five);
    app_free(a);
    a = open_app("", 40, 8);
    keys(a, "2j");
    cr_assert(strstr(dump(a, 40, 8), "3 of 5"), "%s", dump(a, 40, 8));
    keys(a, "2k");
    cr_assert(strstr(dump(a, 40, 8), "1 of 5"), "%s", dump(a, 40, 8));
    app_free(a);
}

/* A quoted phrase is one match per place its words stand together; unquoted, each word that
 * begins with one of them is a match, in paragraphs that have them all. */
Test(app, a_query_of_two_words_is_one_match_per_place)
{
    write_file("chapters.txt",
               "Chapter 12 begins here.\n\nChapter 1 is not it, nor 12 chapters.\n\n"
               "Back to chapter 12 again.\n");
    App *a = open_app("chapters.txt", 60, 10);
    app_settle(a);
    keys(a, "/chapter 12\n");
    cr_assert(strstr(dump(a, 60, 10), "match 1 of 7"), "%s", dump(a, 60, 10));
    keys(a, "/\"chapter 12\"\n");
    cr_assert(strstr(dump(a, 60, 10), "match 1 of 2"), "%s", dump(a, 60, 10));
    cr_assert_eq(style_of(a, 60, 10, "Chapter 12 begins"), STYLE_CURRENT);
    cr_assert_eq(style_of(a, 60, 10, " 12 begins"), STYLE_CURRENT, "the space and 12 too");
    cr_assert_eq(style_of(a, 60, 10, "Chapter 1 is"), STYLE_TEXT);
    app_free(a);
}

/* A long message is never cut mid-word, and the title stays on the status line. */
Test(app, a_long_message_wraps_at_words_and_the_title_stays)
{
    App *a = open_app("tiny-tale.txt", 40, 10);
    app_message_set(a, "reading positions not kept: /a/very/long/path/to/a/state/folder: "
                       "Permission denied (set XDG_STATE_HOME to a folder you can write)");
    const char *d = dump(a, 40, 10);
    cr_assert(strstr(d, " Tiny Tale"), "the title stays:\n%s", d);
    cr_assert(strstr(d, "\n Permission denied (set XDG_STATE_HOME\n") &&
                  strstr(d, "\n to a folder you can write)\n"),
              "wrapped between words, all of it:\n%s", d);
    app_message_set(a, "short");
    d = dump(a, 40, 10);
    cr_assert(strstr(d, " Tiny Tale   short "), "beside the title when it fits:\n%s", d);
    app_free(a);
}

/* The percent and the page both follow the top line: 50% shows 50%, the end is 100% on the last
 * page, and a row back from the end is still the last page. */
Test(app, the_percent_and_the_page_agree)
{
    App *a = open_pages(60, 12);
    keys(a, "50%");
    cr_assert(strstr(dump(a, 60, 12), " 50%  page "), "%s", dump(a, 60, 12));
    keys(a, "G");
    const char *d = dump(a, 60, 12);
    const char *of = strstr(d, " of ");
    cr_assert(strstr(d, "100%  page") && of, "%s", d);
    int page, pages;
    cr_assert_eq(sscanf(strstr(d, "page "), "page %d of %d", &page, &pages), 2);
    cr_assert_eq(page, pages, "the end is on the last page: %s", d);
    keys(a, "k");
    d = dump(a, 60, 12);
    cr_assert_eq(sscanf(strstr(d, "page "), "page %d of %d", &page, &pages), 2);
    cr_assert_eq(page, pages, "a row back is still on the last page: %s", d);
    keys(a, "g");
    cr_assert(strstr(dump(a, 60, 12), "  0%  page 1 of"), "%s", dump(a, 60, 12));
    app_free(a);
}

/* "match 5 of 8" belongs to the search: a move that is not the search's drops it. Opening another
 * story does not show the first one's "not found". The first search says when it went round. */
Test(app, the_status_line_says_only_what_is_true_now)
{
    write_file("m.txt", "Mother one.\n\nA line.\n\nMother two.\n\nMother three, the end.\n");
    App *a = open_app("", 60, 12);
    keys(a, "jj\n"); /* m.txt, after a-first, b-second */
    cr_assert(strstr(dump(a, 60, 12), "Mother one"), "%s", dump(a, 60, 12));
    app_settle(a);
    keys(a, "/mother\n");
    cr_assert(strstr(dump(a, 60, 12), "match 1 of 3"), "%s", dump(a, 60, 12));
    keys(a, "n");
    cr_assert(strstr(dump(a, 60, 12), "match 2 of 3"), "%s", dump(a, 60, 12));
    keys(a, "k");
    cr_assert_null(strstr(dump(a, 60, 12), "match 2 of 3"), "k is no search move:\n%s",
                   dump(a, 60, 12));
    keys(a, "/zebra\n");
    cr_assert(strstr(app_message(a), "not found"), "%s", app_message(a));
    keys(a, "qk\n"); /* back, and open b-second */
    cr_assert_null(strstr(dump(a, 60, 12), "not found"), "%s", dump(a, 60, 12));
    keys(a, "n"); /* the search was the other story's */
    cr_assert(strstr(app_message(a), "no search yet"), "%s", app_message(a));
    app_free(a);
    a = open_pages(60, 12); /* from the end, a word before it */
    keys(a, "G/barometer\n");
    cr_assert(strstr(app_message(a), "wrapped to the top"), "the first search says it too: %s",
              app_message(a));
    app_free(a);
}

/* Three marked stories are compared as versions: the first beside the second, then (v) beside
 * the third; seventeen would be too many, and one alone too few. */
Test(app, three_marked_stories_are_versions)
{
    App *a = open_app("", 60, 10);
    keys(a, "   ");
    cr_assert(strstr(dump(a, 60, 10), "3 marked"), "the footer counts them: %s", dump(a, 60, 10));
    keys(a, "c");
    cr_assert_eq(app_mode(a), MODE_COMPARE);
    cr_assert(strstr(app_message(a), "version 2 of 3 beside the first"), "%s", app_message(a));
    keys(a, "v");
    cr_assert(strstr(app_message(a), "version 3 of 3"), "%s", app_message(a));
    keys(a, "v");
    cr_assert(strstr(app_message(a), "version 2 of 3"), "v goes round: %s", app_message(a));
    app_free(a);
}

/* A pick after a comparison of versions compares two: v has no older list of versions to use
 * (the review found "version 2 of 3" on a picked pair). */
Test(app, a_picked_pair_after_versions_is_two_stories)
{
    App *a = open_app("", 60, 10);
    keys(a, "   c");
    cr_assert(strstr(app_message(a), "version 2 of 3"), "%s", app_message(a));
    keys(a, "q");
    cr_assert_eq(app_mode(a), MODE_SHELF);
    keys(a, "g\nc\n"); /* open the first, compare with the one picked */
    cr_assert_eq(app_mode(a), MODE_COMPARE);
    keys(a, "v");
    cr_assert(strstr(app_message(a), "two stories only"), "%s", app_message(a));
    app_free(a);
}

/* With scrolling unlocked, each pane's gutter mark stands beside it and describes its rows. */
Test(app, unlocked_each_pane_has_its_own_gutter_mark)
{
    App *a = open_compare(80, 10);
    keys(a, "L");
    app_key(a, '\t'); /* focus the right pane, and move it alone */
    keys(a, "4j");
    app_message_set(a, "");
    const char *s = dump(a, 80, 10);
    /* the right pane's rows moved 4 lines: its first row is a different block's than the left */
    cr_assert_neq(row_char(s, 1, 41), row_char(s, 1, 0), "%s", s);
    cr_assert(row_char(s, 1, 38) == '|' && row_char(s, 1, 40) != ' ', "%s", s);
    /* the right mark follows the right pane: where it shows the changed album pair, '~' */
    int found = 0;
    for (int r = 1; r < 9; r++) {
        char left = row_char(s, r, 38), right = row_char(s, r, 40);
        (void)left;
        if (right == '~') found = 1;
    }
    cr_assert(found, "%s", s);
    app_free(a);
}

/* Verse keeps its line ends, prose reflows; r cycles auto, keep, reflow, and the choice is kept
 * with the story's place. */
Test(app, verse_keeps_its_lines_and_r_is_remembered)
{
    write_file("poem.txt",
               "A Poem\n\n"
               "The storm came fast, the way storms do in Almaty at the end of summer, and\n"
               "the wind turned the poplars silver side up before the rain came down.\n\n"
               "Roses are red,\nviolets are blue,\nsugar is sweet,\nand so are you.\n");
    App *a = open_app("poem.txt", 100, 20);
    const char *d = dump(a, 100, 20);
    cr_assert(strstr(d, "Roses are red,\n") && strstr(d, "violets are blue,\n"), "%s", d);
    cr_assert(strstr(d, "end of summer,\n") && strstr(d, "  and the wind turned"),
              "prose reflowed:\n%s", d);
    keys(a, "r");
    cr_assert(strstr(app_message(a), "kept"), "%s", app_message(a));
    d = dump(a, 100, 20);
    cr_assert(
        strstr(d, "  the wind turned the poplars silver side up before the rain came down.\n"),
        "keep: every line as in the file:\n%s", d);
    keys(a, "r");
    d = dump(a, 100, 20);
    cr_assert(strstr(d, "Roses are red, violets are blue,"), "reflow: verse too:\n%s", d);
    keys(a, "q");
    cr_assert(app_done(a));
    app_free(a);
    a = open_app("poem.txt", 100, 20);
    d = dump(a, 100, 20);
    cr_assert(strstr(d, "Roses are red, violets are blue,"), "reflow kept for the story:\n%s", d);
    app_free(a);
}

/* The shelf starts on the story read last; "% read" is the furthest point read, not a peek at
 * the end with G. */
Test(app, the_shelf_starts_on_the_story_read_last)
{
    App *a = open_app("", 60, 10);
    keys(a, "jj\n"); /* tiny-tale */
    keys(a, "q");
    app_free(a);
    a = open_app("", 60, 10);
    cr_assert(strstr(dump(a, 60, 10), "3 of 3"), "%s", dump(a, 60, 10));
    app_free(a);

    App *p = open_pages(60, 12);
    keys(p, "Gkq"); /* a look at the end, and a line back: no reading */
    app_free(p);
    a = open_app("", 60, 10);
    cr_assert(strstr(dump(a, 60, 10), "Many Pages") && strstr(dump(a, 60, 10), "  0% read"),
              "G is a peek, not reading:\n%s", dump(a, 60, 10));
    app_free(a);
    p = open_pages(60, 12);
    keys(p, "'' 10j"); /* back to the top, then read on a page and ten lines */
    keys(p, "q");
    app_free(p);
    a = open_app("", 60, 10);
    const char *d = dump(a, 60, 10);
    cr_assert(strstr(d, "Many Pages") && !strstr(d, " 0% read") && strstr(d, "% read"), "%s", d);
    app_free(a);
}

/* Smart case: a query with a capital that finds nothing says when ignoring case would. */
Test(app, smart_case_says_when_case_is_why_nothing_was_found)
{
    write_file("case.txt", "the kazakh steppe, and the kazakh songs.\n");
    App *a = open_app("case.txt", 60, 8);
    app_settle(a);
    keys(a, "/Kazakh\n");
    cr_assert(strstr(app_message(a), "not found: Kazakh (case counts; ignoring case finds 2"), "%s",
              app_message(a));
    keys(a, "/Zebra\n");
    cr_assert_str_eq(app_message(a), "not found: Zebra");
    app_free(a);
}

/* A place that cannot be saved is said when the story closes and kept for after the screen is
 * given back (the TUI prints it on stderr and exits non-zero). */
Test(app, a_place_that_cannot_be_saved_is_never_silent)
{
    write_file("unsaved.txt", "One paragraph.\n\nTwo paragraphs.\n\nThree.\n");
    App *a = open_app("unsaved.txt", 40, 5);
    keys(a, "j");
    /* the state file's place is taken by a folder: the save's rename fails, even for root */
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "f=$(ls -d %s/state/lector 2>/dev/null) && for s in $(ls %s/state/lector); do :; done;"
             "mkdir -p %s/state/lector",
             dir, dir, dir);
    cr_assert_eq(system(cmd), 0);
    Strbuf key = STRBUF_INIT;
    app_finish(a); /* saves once, to learn the file's name */
    cr_assert_str_eq(app_exit_note(a), "", "the first save works");
    app_free(a);
    snprintf(cmd, sizeof cmd,
             "cd %s/state/lector && for f in *.state; do rm \"$f\" && mkdir \"$f\"; done", dir);
    cr_assert_eq(system(cmd), 0);
    a = open_app("unsaved.txt", 40, 5);
    keys(a, "jj");
    app_finish(a);
    cr_assert(strstr(app_exit_note(a), "reading position not saved"), "%s", app_exit_note(a));
    cr_assert(strstr(app_message(a), "reading position not saved"), "%s", app_message(a));
    strbuf_release(&key);
    app_free(a);
}

/* A click on a shelf row opens that story; on the hits, that hit. */
Test(app, a_click_opens_the_story_of_the_row)
{
    App *a = open_app("", 60, 10);
    app_click(a, 2, 5); /* the second story's row */
    cr_assert_eq(app_mode(a), MODE_READER);
    cr_assert(strstr(dump(a, 60, 10), "Beta story"), "%s", dump(a, 60, 10));
    keys(a, "q");
    app_click(a, 9, 5); /* the status line: nothing */
    cr_assert_eq(app_mode(a), MODE_SHELF);
    app_free(a);
}

/* Every view's help comes from the one key map: the shelf's lists the shelf's keys. Ctrl-L asks
 * for the screen to be drawn again in every view. */
Test(app, each_view_has_its_own_help_and_c_l_redraws)
{
    App *a = open_app("", 80, 24);
    keys(a, "h");
    const char *d = dump(a, 80, 24);
    cr_assert(strstr(d, "keys on the shelf") && strstr(d, "mark the story to compare"), "%s", d);
    cr_assert_null(strstr(d, "forward one line"), "not the reader's: %s", d);
    keys(a, "x");
    cr_assert_eq(app_mode(a), MODE_SHELF);
    app_key(a, 12);
    cr_assert(app_take_redraw(a));
    cr_assert(!app_take_redraw(a), "once per asking");
    app_command(a, CMD_OPEN, -1); /* a command, as a unit test calls it */
    cr_assert_eq(app_mode(a), MODE_READER);
    app_command(a, CMD_PAGE_DOWN, 1);
    keys(a, "/alp");
    app_key(a, 12); /* while a query is typed too, and the query stays as it was */
    cr_assert(app_take_redraw(a), "C-l in a prompt");
    cr_assert(strstr(dump(a, 80, 24), "/alp"), "%s", dump(a, 80, 24));
    app_free(a);
}

/* q in a story opened from the hits of a search returns to the hits, at the same row. */
Test(app, a_story_opened_from_the_hits_returns_to_them)
{
    App *a = open_app("", 60, 10);
    keys(a, "sstory\n");
    cr_assert_eq(app_mode(a), MODE_RESULTS);
    keys(a, "j\n");
    cr_assert_eq(app_mode(a), MODE_READER);
    keys(a, "q");
    cr_assert_eq(app_mode(a), MODE_RESULTS);
    cr_assert(strstr(dump(a, 60, 10), "hit 2 of"), "%s", dump(a, 60, 10));
    keys(a, "q");
    cr_assert_eq(app_mode(a), MODE_SHELF);
    /* from a story: the hits, a hit, then q q: the story now shows the hit's, so the hits and
     * the shelf, not the story twice */
    keys(a, "\nsstory\nj\n");
    cr_assert_eq(app_mode(a), MODE_READER);
    keys(a, "q");
    cr_assert_eq(app_mode(a), MODE_RESULTS);
    keys(a, "q");
    cr_assert_eq(app_mode(a), MODE_SHELF);
    app_free(a);
}

/* A story of 3000 chapters of 20 short lines, as a verse edition's, at path. */
static void write_verses(const char *path)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    for (int i = 0; i < 3000; i++) {
        fprintf(f, "Chapter %d\n\n", i);
        for (int v = 1; v <= 20; v++)
            fprintf(f, "  %d A short verse.\n", v);
        fputs("\n", f);
    }
    fclose(f);
}

/* A story whose file is cut short while it is open, after its pages were counted: the part cut
 * off reads as NUL bytes, which lay out in fewer rows than its verses did. A jump there shows
 * them (it showed a blank page, the place kept past its paragraph's last row) and says why in
 * the same frame, and paging goes on (Space stayed put). */
Test(app, a_story_cut_short_after_its_pages_were_counted_still_pages)
{
    char path[512];
    snprintf(path, sizeof path, "%s/verses.txt", dir);
    write_verses(path);
    App *a = open_app("verses.txt", 160, 12); /* room for the pages beside a message */
    while (app_idle(a)) {                     /* loaded, and its rows counted */
    }
    const char *of = strstr(dump(a, 160, 12), "page 1 of ");
    cr_assert_not_null(of, "%s", dump(a, 160, 12));
    size_t pages = strtoull(of + 10, NULL, 10);
    cr_assert_eq(truncate(path, 1000), 0);
    keys(a, "50%");
    const char *d = dump(a, 160, 12);
    cr_assert(strstr(d, "\xe2\x90\x80"), "the cut-off part shows as NUL bytes:\n%s", d);
    cr_assert(strstr(d, "shrank while open"), "said in the frame that found it:\n%s", d);
    char *before = strdup(d); /* dump's buffer is reused */
    keys(a, " ");
    d = dump(a, 160, 12);
    cr_assert(strstr(d, "\xe2\x90\x80"), "%s", d);
    cr_assert(strcmp(d, before) != 0, "Space moves on:\n%s", d);
    free(before);
    keys(a, "G");
    cr_assert(strstr(dump(a, 160, 12), "100%"), "%s", dump(a, 160, 12));
    keys(a, "g");
    while (app_idle(a)) { /* counted again, over what is there now: fewer rows */
    }
    of = strstr(dump(a, 160, 12), "page 1 of ");
    cr_assert_not_null(of, "%s", dump(a, 160, 12));
    cr_assert_lt(strtoull(of + 10, NULL, 10), pages * 2 / 3, "%s", dump(a, 160, 12));
    app_free(a);
}

/* The same story's file rewritten in place while open, its size kept (no cut to notice): its
 * verses' line ends become spaces, so its chapters lay out in fewer rows than were counted. A
 * place kept from the count past a chapter's last row now is shown from that row, and Space
 * pages on. */
Test(app, a_story_rewritten_in_place_while_open_still_pages)
{
    char path[512];
    snprintf(path, sizeof path, "%s/verses.txt", dir);
    write_verses(path);
    FILE *f;
    App *a = open_app("verses.txt", 80, 12);
    while (app_idle(a)) {
    }
    f = fopen(path, "r+"); /* the same bytes but a verse's line end, which becomes a space */
    cr_assert_not_null(f);
    Strbuf sb = STRBUF_INIT;
    int ch;
    while ((ch = fgetc(f)) != EOF)
        strbuf_addch(&sb, (char)ch);
    for (size_t i = 0; i + 2 < sb.len; i++)
        if (sb.buf[i] == '\n' && sb.buf[i + 1] == ' ' && sb.buf[i + 2] == ' ') sb.buf[i] = ' ';
    rewind(f);
    cr_assert_eq(fwrite(sb.buf, 1, sb.len, f), sb.len);
    fclose(f);
    strbuf_release(&sb);
    keys(a, "50%");
    const char *d = dump(a, 80, 12);
    cr_assert(strstr(d, "A short verse."), "the rows there:\n%s", d);
    char *before = strdup(d); /* dump's buffer is reused */
    keys(a, " ");
    d = dump(a, 80, 12);
    cr_assert(strcmp(d, before) != 0, "Space moves on:\n%s", d);
    free(before);
    cr_assert(strstr(d, "A short verse."), "%s", d);
    app_free(a);
}

/* Three versions side by side in columns while each has its 30 columns: a resize too narrow
 * for them shows the base beside one version, and the message says that, not "in columns"
 * still; wide again, columns again, and it says so. */
Test(app, three_versions_say_how_they_are_shown_after_a_resize)
{
    write_file("v1.txt", compare_left);
    write_file("v2.txt", compare_right);
    write_file("v3.txt", compare_right);
    char p1[512], p2[512], p3[512];
    snprintf(p1, sizeof p1, "%s/v1.txt", dir);
    snprintf(p2, sizeof p2, "%s/v2.txt", dir);
    snprintf(p3, sizeof p3, "%s/v3.txt", dir);
    char *paths[] = {p1, p2, p3};
    Diag d = {0};
    App *a = app_new(paths, 3, 0, 0, &d);
    cr_assert_not_null(a, "app_new: %s", d.msg);
    app_resize(a, 133, 20);
    keys(a, "   c");
    cr_assert_eq(app_mode(a), MODE_COMPARE, "message: %s", app_message(a));
    dump(a, 133, 20);
    cr_assert(strstr(app_message(a), "3 versions in columns"), "%s", app_message(a));
    app_resize(a, 60, 12);
    dump(a, 60, 12);
    cr_assert(strstr(app_message(a), "too narrow for 3 columns: version 2 of 3 beside"), "%s",
              app_message(a));
    app_resize(a, 133, 20);
    dump(a, 133, 20);
    cr_assert(strstr(app_message(a), "3 versions in columns"), "%s", app_message(a));
    app_free(a);
}
