/* The library: a folder's stories listed, indexed through the cache (or without one), and one
 * search over a shelf whose counts agree with a brute-force count over the texts; and what goes
 * wrong on the way (a damaged cache file, a story that cannot be read, standard input, a query of
 * no word) becomes a note or an error, never a wrong answer. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsfault.h"
#include "lector/hash.h"
#include "lector/library.h"
#include "lector/matchlist.h"
#include "lector/regex.h"
#include "lector/search.h"
#include "lector/xalloc.h"

#define TEXTS LECTOR_SOURCE_DIR "/texts"

static char dir[256], cdir[300];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/lector-library-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cdir, sizeof cdir, "%s/cache", dir);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(library, .init = setup, .fini = teardown);

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(s, f);
    fclose(f);
}

static void free_paths(char **paths, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(paths[k]);
    free(paths);
}

static IndexCache *open_cache(void)
{
    Diag d = {0};
    IndexCache *c = cache_open(cdir, &d);
    cr_assert_not_null(c, "%s", d.msg);
    return c;
}

/* The shipped stories, as library_list_folder gives them. */
static char **shipped(size_t *n)
{
    char **paths;
    Diag d = {0};
    cr_assert_eq(library_list_folder(TEXTS, &paths, n, &d), 0, "%s", d.msg);
    cr_assert_geq(*n, 3, "the shipped texts are in %s", TEXTS);
    return paths;
}

static LibraryOptions options(size_t limit)
{
    return (LibraryOptions){.mode = SEARCH_SMART, .limit = limit, .snippet_width = 70};
}

static void search_ok(IndexCache *c, char **paths, size_t n, const char *query,
                      const LibraryOptions *opt, LibraryResult *r)
{
    Diag d = {0};
    cr_assert_eq(library_search(c, (const char *const *)paths, n, query, opt, r, &d), 0, "%s: %s",
                 query, d.msg);
}

/* --- listing ------------------------------------------------------------------------------ */

Test(library, a_folder_lists_its_stories_and_books_sorted)
{
    char shelf[300], path[512];
    snprintf(shelf, sizeof shelf, "%s/shelf", dir);
    cr_assert_eq(mkdir(shelf, 0755), 0);
    const char *names[] = {"b.txt",     "a.txt", ".hidden.txt", "notes.md", "c.txt.bak",
                           ".txt",      "Z.txt", "a.TXT",       "x.pdf",    "y.pdf",
                           "book.epub", "s.gz",  "pic.png"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", shelf, names[i]);
        write_file(path, "A story.\n");
    }
    /* a subfolder with a book, one too deep, and a link back up (a loop) */
    snprintf(path, sizeof path, "%s/sub", shelf);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/sub/in-sub.fb2", shelf);
    write_file(path, "<FictionBook/>");
    snprintf(path, sizeof path, "%s/sub/up", shelf);
    cr_assert_eq(symlink("..", path), 0);
    char deep[400];
    snprintf(deep, sizeof deep, "%s/d1", shelf);
    for (int k = 2; k <= 6; k++) {
        cr_assert_eq(mkdir(deep, 0755), 0);
        size_t l = strlen(deep);
        snprintf(deep + l, sizeof deep - l, "/d%d", k);
    }
    cr_assert_eq(mkdir(deep, 0755), 0);
    snprintf(path, sizeof path, "%s/too-deep.txt", deep);
    write_file(path, "Too deep.\n");
    char **paths;
    size_t n;
    Diag d = {0};
    LibrarySkipped sk;
    cr_assert_eq(library_list_folder_report(shelf, &paths, &n, &sk, &d), 0, "%s", d.msg);
    /* byte order, as ls in the C locale; not hidden, not .bak, .pdf or .png */
    const char *want[] = {"Z.txt",     "a.TXT",    "a.txt", "b.txt",
                          "book.epub", "notes.md", "s.gz",  "sub/in-sub.fb2"};
    cr_assert_eq(n, 8, "got %zu", n);
    for (size_t i = 0; i < 8; i++) {
        snprintf(path, sizeof path, "%s/%s", shelf, want[i]);
        cr_assert_str_eq(paths[i], path, "story %zu", i);
    }
    cr_assert_eq(sk.files, 4, "c.txt.bak, x.pdf, y.pdf, pic.png (got %zu)", sk.files);
    cr_assert_eq(sk.loops, 1, "sub/up leads back to the shelf");
    cr_assert_eq(sk.folders, 1, "d5 is deeper than %d levels", LIBRARY_DEPTH);
    char line[256];
    library_skipped_describe(&sk, line, sizeof line);
    cr_assert(strstr(line, "skipped 4 files that lector does not read (") && strstr(line, "2 .pdf"),
              "%s", line);
    /* and each by its path, with why */
    cr_assert_eq(sk.ndetails, 6, "4 files, a loop, a folder (got %zu)", sk.ndetails);
    const char *why[][2] = {{"/x.pdf: ", "not a kind of file lector reads"},
                            {"/c.txt.bak: ", "not a kind of file lector reads"},
                            {"/sub/up: ", "a link back to a folder already listed"},
                            {"/d5: ", "a folder too deep"}};
    for (size_t k = 0; k < 4; k++) {
        bool found = false;
        for (size_t i = 0; i < sk.ndetails; i++)
            found |= strstr(sk.details[i], why[k][0]) && strstr(sk.details[i], why[k][1]);
        cr_assert(found, "no detail %s%s", why[k][0], why[k][1]);
    }
    library_skipped_release(&sk);
    cr_assert_null(sk.details);
    free_paths(paths, n);
}

Test(library, an_empty_folder_lists_nothing_and_a_missing_one_fails)
{
    char **paths = (char **)1;
    size_t n = 7;
    Diag d = {0};
    cr_assert_eq(library_list_folder(dir, &paths, &n, &d), 0, "an empty folder: %s", d.msg);
    cr_assert_eq(n, 0);
    cr_assert_null(paths);

    char missing[300];
    snprintf(missing, sizeof missing, "%s/no-such-folder", dir);
    paths = (char **)1;
    cr_assert_eq(library_list_folder(missing, &paths, &n, &d), -1);
    cr_assert_eq(d.code, DIAG_NOT_FOUND);
    cr_assert(strstr(d.msg, "no-such-folder"), "the message names the folder: %s", d.msg);
    cr_assert_null(paths);
    cr_assert_eq(n, 0);
}

Test(library, add_path_takes_a_file_or_a_folders_stories)
{
    char **paths = NULL;
    size_t n = 0, cap = 0;
    Diag d = {0};
    const char *story = TEXTS "/ivan-baktybekova.txt";
    cr_assert_eq(library_add_path(story, &paths, &n, &cap, &d), 0, "%s", d.msg);
    cr_assert_eq(library_add_path(TEXTS, &paths, &n, &cap, &d), 0, "%s", d.msg);
    size_t nshelf;
    char **shelf = shipped(&nshelf);
    cr_assert_eq(n, 1 + nshelf);
    cr_assert_str_eq(paths[0], story);
    for (size_t k = 0; k < nshelf; k++)
        cr_assert_str_eq(paths[1 + k], shelf[k]);
    free_paths(shelf, nshelf);

    char missing[300];
    snprintf(missing, sizeof missing, "%s/nope.txt", dir);
    cr_assert_eq(library_add_path(missing, &paths, &n, &cap, &d), -1);
    cr_assert_eq(n, 1 + nshelf, "nothing added");
    char want[400];
    snprintf(want, sizeof want, "%s: no such file or folder", missing);
    cr_assert_str_eq(d.msg, want, "the words of lector's other path errors");
    free_paths(paths, n);
}

/* --- indexing ----------------------------------------------------------------------------- */

Test(library, indexing_through_the_cache_then_from_it)
{
    size_t n;
    char **paths = shipped(&n);
    IndexCache *c = open_cache();
    const CacheOutcome want[] = {CACHE_NEW, CACHE_FRESH};
    for (int round = 0; round < 2; round++) {
        LibraryStory *s = library_index(c, (const char *const *)paths, n, 0, NULL, NULL);
        for (size_t k = 0; k < n; k++) {
            cr_assert_str_eq(s[k].path, paths[k]);
            cr_assert_not(s[k].failed, "%s", s[k].diag.msg);
            cr_assert_not_null(s[k].index);
            cr_assert_eq(s[k].report.outcome, want[round], "round %d, %s: outcome %d", round,
                         paths[k], (int)s[k].report.outcome);
            cr_assert_eq(s[k].text != NULL, round == 0, "the story is read only when built");
        }
        library_stories_free(s, n);
    }
    cr_assert_eq(fs_count(cdir, ".idx"), (int)n, "one cache file per story");
    cache_close(c);
    free_paths(paths, n);
}

/* LIBRARY_RELEASE (lector index): the same outcomes and sizes, but no story's index or text is
 * kept, so that memory does not follow the shelf. */
Test(library, indexing_that_keeps_only_the_reports)
{
    size_t n;
    char **paths = shipped(&n);
    IndexCache *c = open_cache();
    LibraryStory *kept = library_index(NULL, (const char *const *)paths, n, 0, NULL, NULL);
    LibraryStory *s = library_index(c, (const char *const *)paths, n, LIBRARY_RELEASE, NULL, NULL);
    for (size_t k = 0; k < n; k++) {
        cr_assert_not(s[k].failed, "%s", s[k].diag.msg);
        cr_assert_eq(s[k].report.outcome, CACHE_NEW);
        cr_assert_null(s[k].index, "released");
        cr_assert_null(s[k].text, "released");
        size_t len;
        index_bytes(kept[k].index, &len);
        cr_assert_eq(s[k].index_size, len, "%s: the index's size", paths[k]);
        cr_assert_eq(s[k].text_size, index_text_len(kept[k].index), "%s: the text's size",
                     paths[k]);
        cr_assert_gt(s[k].text_size, 0);
    }
    library_stories_free(s, n);
    library_stories_free(kept, n);
    cr_assert_eq(fs_count(cdir, ".idx"), (int)n, "written all the same");
    cache_close(c);
    free_paths(paths, n);
}

Test(library, indexing_without_a_cache_builds_every_time_and_saves_nothing)
{
    size_t n;
    char **paths = shipped(&n);
    for (int round = 0; round < 2; round++) {
        LibraryStory *s = library_index(NULL, (const char *const *)paths, n, 0, NULL, NULL);
        for (size_t k = 0; k < n; k++) {
            cr_assert_not(s[k].failed, "%s", s[k].diag.msg);
            cr_assert_eq(s[k].report.outcome, CACHE_NEW, "round %d: built", round);
            cr_assert_not_null(s[k].index);
        }
        library_stories_free(s, n);
    }
    library_stories_free(NULL, 0);
    free_paths(paths, n);
}

typedef struct {
    pthread_t caller;
    int calls;
    size_t last, n;
    bool wrong_thread, backwards;
} Watch;

static void watch(size_t done, size_t n, void *ctx)
{
    Watch *w = ctx;
    w->calls++;
    w->wrong_thread |= !pthread_equal(pthread_self(), w->caller);
    w->backwards |= done < w->last || done > n;
    w->last = done;
    w->n = n;
}

/* Long enough to be watched: the same story of some megabytes, many times over, more times until
 * a run lasts past the first report (a quarter of a second), however fast the machine. */
Test(library, progress_is_reported_from_the_callers_thread, .timeout = 240)
{
    Strbuf big = STRBUF_INIT;
    size_t len;
    char *one = fs_slurp(TEXTS "/five-windows.txt", &len);
    cr_assert_not_null(one);
    while (big.len < (3u << 20))
        strbuf_add(&big, one, len);
    free(one);
    char path[400];
    snprintf(path, sizeof path, "%s/big.txt", dir);
    write_file(path, big.buf);
    strbuf_release(&big);
    enum { MOST = 128 };
    const char *paths[MOST];
    for (int k = 0; k < MOST; k++)
        paths[k] = path;
    Watch w = {.caller = pthread_self()};
    for (size_t n = 8; n <= MOST && !w.calls; n *= 2) {
        w = (Watch){.caller = pthread_self()};
        LibraryStory *s = library_index(NULL, paths, n, 0, watch, &w);
        for (size_t k = 0; k < n; k++)
            cr_assert_not(s[k].failed, "%s", s[k].diag.msg);
        library_stories_free(s, n);
        cr_assert(!w.calls || w.n == n, "n is the stories asked for");
    }
    cr_assert_gt(w.calls, 0, "a long run is watched at least once");
    cr_assert_not(w.wrong_thread, "progress comes from the caller's thread");
    cr_assert_not(w.backwards, "done only grows, up to n");
}

/* --- searching ---------------------------------------------------------------------------- */

static bool word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80 || c == '\'';
}

/* Whether paragraph p[0, len) holds word as a whole word, ASCII case folded. */
/* How many words of p[0, len) begin with word (ASCII, case aside): the search rule's places. */
static size_t words_beginning(const char *p, size_t len, const char *word)
{
    size_t wl = strlen(word), n = 0;
    for (size_t i = 0; i + wl <= len; i++) {
        if (strncasecmp(p + i, word, wl) != 0) continue;
        if (i > 0 && word_byte((unsigned char)p[i - 1])) continue;
        n++;
    }
    return n;
}

/* The paragraphs (blank-line separated) of the file holding, for every word of words (space
 * separated), a word that begins with it: into *paras; returns the places there (the words that
 * begin with one of them), as the reader counts them. */
static size_t brute_count_paras(const char *path, const char *words, size_t *paras)
{
    size_t len;
    char *s = fs_slurp(path, &len);
    cr_assert_not_null(s, "%s", path);
    size_t places = 0, start = 0;
    *paras = 0;
    while (start < len) {
        char *sep = memmem(s + start, len - start, "\n\n", 2);
        size_t end = sep ? (size_t)(sep - s) : len;
        bool all = end > start;
        size_t here = 0;
        char *copy = xstrdup(words), *save = NULL;
        for (char *w = strtok_r(copy, " ", &save); w && all; w = strtok_r(NULL, " ", &save)) {
            size_t k = words_beginning(s + start, end - start, w);
            all = k > 0;
            here += k;
        }
        free(copy);
        if (all) {
            places += here;
            (*paras)++;
        }
        start = end + 2;
        while (start < len && s[start] == '\n')
            start++;
    }
    free(s);
    return places;
}

static size_t brute_count(const char *path, const char *words)
{
    size_t paras;
    return brute_count_paras(path, words, &paras);
}

Test(library, counts_agree_with_a_brute_force_count)
{
    size_t n;
    char **paths = shipped(&n);
    IndexCache *c = open_cache();
    const char *queries[] = {"the", "kazakh", "music", "her music", "window", "dombra", "zzyzx"};
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        LibraryOptions opt = options(0);
        LibraryResult r;
        search_ok(c, paths, n, queries[i], &opt, &r);
        size_t total = 0, places = 0;
        for (size_t k = 0; k < n; k++) {
            size_t paras, want = brute_count_paras(paths[k], queries[i], &paras);
            cr_assert_eq(r.per_story[k], want, "%s in %s: %zu, brute force %zu", queries[i],
                         paths[k], r.per_story[k], want);
            total += paras;
            places += want;
        }
        cr_assert_eq(r.total, total, "%s: paragraphs", queries[i]);
        cr_assert_eq(r.matches, places, "%s: matches", queries[i]);
        cr_assert_eq(r.nhits, total, "%s: limit 0 places them all", queries[i]);
        cr_assert_eq(r.searched, n);
        cr_assert_eq(r.nnotes, 0, "%s: %s", queries[i], r.nnotes ? r.notes[0].diag.msg : "");
        library_result_release(&r);
    }
    cr_assert_gt(brute_count(paths[0], "the") + brute_count(paths[1], "kazakh"), 0,
                 "the queries do find something");
    cache_close(c);
    free_paths(paths, n);
}

/* Each hit's place agrees with the story read whole: its bytes, line and column, percent,
 * title and snippet. Through the cache, so that paragraphs are read from the files alone. */
Test(library, hits_are_placed_as_the_whole_story_shows_them)
{
    size_t n;
    char **paths = shipped(&n);
    IndexCache *c = open_cache();
    LibraryStory *s = library_index(c, (const char *const *)paths, n, 0, NULL, NULL);
    library_stories_free(s, n); /* cached: the search reads no story whole */
    LibraryOptions opt = options(0);
    LibraryResult r;
    search_ok(c, paths, n, "kazakh", &opt, &r);
    cr_assert_gt(r.nhits, 3);
    for (size_t h = 0; h < r.nhits; h++) {
        const LibraryHit *hit = &r.hits[h];
        Text *t;
        Diag d = {0};
        cr_assert_eq(text_load(paths[hit->story], 0, &t, &d), 0, "%s", d.msg);
        const char *b = (const char *)text_bytes(t);
        cr_assert_eq(hit->span.end - hit->span.start, 6, "the part that matched: Kazakh(stan)");
        cr_assert_eq(strncasecmp(b + hit->span.start, "kazakh", 6), 0, "hit %zu's bytes", h);
        size_t line, col;
        search_line_col(t, hit->span.start, &line, &col);
        cr_assert_eq(hit->line, line, "hit %zu: line", h);
        cr_assert_eq(hit->col, col, "hit %zu: column", h);
        cr_assert_eq(hit->percent, (int)(hit->span.start * 100 / text_len(t)));
        cr_assert_str_eq(hit->title, text_title(t));
        cr_assert_eq(hit->hl_end - hit->hl_start, 6);
        cr_assert_eq(strncasecmp(hit->snippet + hit->hl_start, "kazakh", 6), 0, "%s", hit->snippet);
        if (h) cr_assert_geq(r.hits[h - 1].score, hit->score, "best first");
        text_free(t);
    }
    library_result_release(&r);
    cache_close(c);
    free_paths(paths, n);
}

Test(library, the_limit_keeps_the_best_and_the_counts)
{
    size_t n;
    char **paths = shipped(&n);
    LibraryOptions all = options(0), three = options(3), counts = options(0);
    counts.count_only = true;
    LibraryResult ra, r3, rc;
    search_ok(NULL, paths, n, "the", &all, &ra);
    search_ok(NULL, paths, n, "the", &three, &r3);
    search_ok(NULL, paths, n, "the", &counts, &rc);
    cr_assert_gt(ra.total, 3);
    cr_assert_eq(r3.nhits, 3);
    cr_assert_eq(rc.nhits, 0, "count only: nothing placed");
    cr_assert_eq(r3.total, ra.total);
    cr_assert_eq(rc.total, ra.total);
    for (size_t k = 0; k < n; k++) {
        cr_assert_eq(r3.per_story[k], ra.per_story[k], "per story, whatever the limit");
        cr_assert_eq(rc.per_story[k], ra.per_story[k]);
    }
    for (size_t h = 0; h < 3; h++) {
        cr_assert_eq(r3.hits[h].story, ra.hits[h].story, "hit %zu", h);
        cr_assert_eq(r3.hits[h].span.start, ra.hits[h].span.start, "hit %zu", h);
        cr_assert_str_eq(r3.hits[h].snippet, ra.hits[h].snippet);
    }
    library_result_release(&ra);
    library_result_release(&r3);
    library_result_release(&rc);
    free_paths(paths, n);
}

/* A story of many pages, "zither" in its first and last paragraphs: its name in the cache file
 * is pages away from what opening the file checks. */
static void write_long_story(const char *path, const char *extra)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "The zither of %s.\n\n", extra);
    for (int i = 0; i < 3000; i++)
        fprintf(f, "w%04d and the steppe\n\n", i);
    fprintf(f, "A zither again, %s.\n", extra);
    fclose(f);
}

/* A search adds the bytes it indexes to build->done, and stops when build->cancel is set, from
 * its progress or before it starts: -1, saying so, and nothing indexed after the stop. */
static void cancel_at_once(size_t done, size_t n, void *ctx)
{
    (void)done;
    (void)n;
    atomic_store(&((IndexProgress *)ctx)->cancel, true);
}

Test(library, a_search_counts_what_it_indexes_and_stops_when_asked)
{
    char paths_buf[3][400];
    const char *paths[3];
    size_t bytes = 0;
    for (int k = 0; k < 3; k++) {
        snprintf(paths_buf[k], sizeof paths_buf[k], "%s/story%d.txt", dir, k);
        write_long_story(paths_buf[k], k == 1 ? "the middle" : "another");
        paths[k] = paths_buf[k];
        struct stat st;
        cr_assert_eq(stat(paths[k], &st), 0);
        bytes += (size_t)st.st_size;
    }
    IndexProgress build = {0};
    LibraryOptions opt = options(5);
    opt.build = &build;
    LibraryResult r;
    Diag d = {0};
    /* no cache: every story built, its bytes counted */
    cr_assert_eq(library_search(NULL, paths, 3, "zither", &opt, &r, &d), 0, "%s", d.msg);
    cr_assert_eq(r.searched, 3);
    size_t done = atomic_load(&build.done); /* the paragraphs' bytes, not the lines between */
    cr_assert(done > bytes / 2 && done <= bytes, "%zu of %zu bytes", done, bytes);
    library_result_release(&r);

    IndexCache *c = open_cache();
    atomic_store(&build.cancel, true); /* stopped before it starts: nothing indexed */
    cr_assert_eq(library_search(c, paths, 3, "zither", &opt, &r, &d), -1);
    cr_assert_str_eq(d.msg, "search stopped");
    DIR *dd = opendir(cdir);
    cr_assert_not_null(dd);
    size_t files = 0;
    for (struct dirent *e; (e = readdir(dd));)
        files += strstr(e->d_name, ".idx") != NULL;
    closedir(dd);
    cr_assert_eq(files, 0, "no story indexed after the stop");

    /* stopped from its progress, reported as soon as a build begins: a long story's build stops
     * there, long before its end */
    char longp[400];
    snprintf(longp, sizeof longp, "%s/long.txt", dir);
    Strbuf sb = STRBUF_INIT;
    while (sb.len < (8u << 20))
        strbuf_addstr(&sb, "The zither over the steppe, and the road on and on.\n\n");
    write_file(longp, sb.buf);
    size_t long_bytes = sb.len;
    strbuf_release(&sb);
    const char *with_long[] = {longp, paths[0], paths[1]};
    atomic_store(&build.cancel, false);
    atomic_store(&build.done, 0);
    opt.progress = cancel_at_once;
    opt.progress_ctx = &build;
    d = (Diag){0};
    cr_assert_eq(library_search(c, with_long, 3, "zither", &opt, &r, &d), -1);
    cr_assert_str_eq(d.msg, "search stopped");
    cr_assert_lt(atomic_load(&build.done), long_bytes / 2, "the long story's build stopped early");
    Diag note = {0};
    cr_assert_null(cache_lookup(c, longp, false, &note), "and nothing of it was kept");
    /* a pattern, read story by story, says so too */
    atomic_store(&build.cancel, false);
    cr_assert_eq(library_search(c, paths, 3, "re:zither", &opt, &r, &d), -1);
    cr_assert_str_eq(d.msg, "search stopped");
    cache_close(c);
}

/* Flips a byte of the term "zither" in the cache file of story. */
static void damage_cache_file(const char *story)
{
    char real[PATH_MAX], file[700];
    cr_assert_not_null(realpath(story, real));
    snprintf(file, sizeof file, "%s/%016llx.idx", cdir,
             (unsigned long long)hash_bytes(real, strlen(real), 0));
    size_t size;
    char *bytes = fs_slurp(file, &size);
    cr_assert_not_null(bytes, "the cache file of %s", story);
    char *name = memmem(bytes, size, "zither", 6);
    cr_assert_not_null(name);
    size_t off = (size_t)(name - bytes) + 2;
    cr_assert_gt(off, 8192, "the name is pages away from the header and title");
    free(bytes);
    int fd = open(file, O_RDWR);
    cr_assert_geq(fd, 0);
    unsigned char b;
    cr_assert_eq(pread(fd, &b, 1, (off_t)off), 1);
    b ^= 0x01;
    cr_assert_eq(pwrite(fd, &b, 1, (off_t)off), 1);
    close(fd);
}

static void assert_same_hits(const LibraryResult *a, const LibraryResult *b, size_t n)
{
    cr_assert_eq(a->total, b->total, "total %zu, undamaged %zu", a->total, b->total);
    cr_assert_eq(a->nhits, b->nhits);
    for (size_t k = 0; k < n; k++)
        cr_assert_eq(a->per_story[k], b->per_story[k], "story %zu", k);
    for (size_t h = 0; h < a->nhits; h++) {
        cr_assert_eq(a->hits[h].story, b->hits[h].story, "hit %zu", h);
        cr_assert_eq(a->hits[h].span.start, b->hits[h].span.start, "hit %zu", h);
        cr_assert_eq(a->hits[h].line, b->hits[h].line, "hit %zu", h);
        cr_assert_str_eq(a->hits[h].snippet, b->hits[h].snippet, "hit %zu", h);
        cr_assert_float_eq(a->hits[h].score, b->hits[h].score, 1e-9, "hit %zu", h);
    }
}

/* Found damaged on the way (the pages are checked as the query reads them): both damaged
 * indexes are checked whole, kept aside, built again, and the query run once more, so that the
 * answer is the undamaged one, with a note for each, in story order among the others. */
Test(library, damaged_cache_files_are_rebuilt_and_the_answer_is_whole)
{
    char *paths[4];
    const char *who[] = {"one", NULL, "two", "three"};
    for (int k = 0; k < 4; k++) {
        char path[400];
        snprintf(path, sizeof path, "%s/long-%s.txt", dir, who[k] ? who[k] : "gone");
        if (who[k]) write_long_story(path, who[k]);
        paths[k] = xstrdup(path);
    }
    IndexCache *c = open_cache();
    LibraryOptions opt = options(0);
    LibraryResult clean, again;
    search_ok(c, paths, 4, "zither", &opt, &clean);
    cr_assert_eq(clean.total, 6);
    cr_assert_eq(clean.nnotes, 1, "the story that is not there");

    damage_cache_file(paths[0]);
    damage_cache_file(paths[3]);
    LibraryStory *s = library_index(c, (const char *const *)paths, 4, 0, NULL, NULL);
    for (int k = 0; k < 4; k++) /* not found on opening: the query must find it */
        cr_assert(k == 1 || s[k].report.outcome == CACHE_FRESH, "story %d", k);
    library_stories_free(s, 4);

    search_ok(c, paths, 4, "zither", &opt, &again);
    assert_same_hits(&again, &clean, 4);
    cr_assert_eq(again.nnotes, 3, "a note for each damaged file, one for the missing story");
    size_t want_story[] = {0, 1, 3};
    for (size_t i = 0; i < 3; i++) {
        const LibraryNote *note = &again.notes[i];
        cr_assert_eq(note->story, want_story[i], "note %zu is story %zu's", i, want_story[i]);
        cr_assert_eq(note->failed, i == 1, "a rebuilt story is still searched");
        cr_assert(strstr(note->diag.msg, i == 1 ? "long-gone.txt" : "kept aside"), "%s",
                  note->diag.msg);
    }
    cr_assert_eq(again.searched, 3);
    cr_assert_eq(fs_count(cdir, ".bad"), 2, "the damaged files are kept aside");
    library_result_release(&again);

    search_ok(c, paths, 4, "zither", &opt, &again); /* rebuilt and saved: fresh and sound */
    assert_same_hits(&again, &clean, 4);
    cr_assert_eq(again.nnotes, 1);
    library_result_release(&again);
    library_result_release(&clean);
    cache_close(c);
    for (int k = 0; k < 4; k++)
        free(paths[k]);
}

Test(library, a_story_that_cannot_be_read_is_a_note_and_the_others_answer)
{
    char missing[300], folder[300];
    snprintf(missing, sizeof missing, "%s/gone.txt", dir);
    snprintf(folder, sizeof folder, "%s/folder.txt", dir);
    cr_assert_eq(mkdir(folder, 0755), 0);
    char *paths[] = {TEXTS "/ivan-baktybekova.txt", missing, folder,
                     TEXTS "/sezim-baktybekova.txt"};
    IndexCache *c = open_cache();
    LibraryOptions opt = options(0);
    LibraryResult r;
    search_ok(c, paths, 4, "kazakh", &opt, &r);
    cr_assert_eq(r.nnotes, 2);
    cr_assert_eq(r.notes[0].story, 1);
    cr_assert(r.notes[0].failed);
    cr_assert(strstr(r.notes[0].diag.msg, "gone.txt"), "%s", r.notes[0].diag.msg);
    cr_assert_eq(r.notes[1].story, 2);
    cr_assert(r.notes[1].failed);
    cr_assert(strstr(r.notes[1].diag.msg, "folder"), "%s", r.notes[1].diag.msg);
    cr_assert_eq(r.searched, 2);
    cr_assert_eq(r.per_story[0], brute_count(paths[0], "kazakh"));
    cr_assert_eq(r.per_story[1], 0);
    cr_assert_eq(r.per_story[2], 0);
    cr_assert_eq(r.per_story[3], brute_count(paths[3], "kazakh"));
    cr_assert_gt(r.per_story[0] * r.per_story[3], 0, "both readable stories answer");
    cr_assert_eq(r.matches, r.per_story[0] + r.per_story[3]);
    library_result_release(&r);
    cache_close(c);
}

/* A strict query (case counts) checks the stories' own bytes: from the cache, where no story was
 * read to index it, they are read for it. */
Test(library, a_strict_query_reads_the_stories)
{
    char *paths[] = {TEXTS "/ivan-baktybekova.txt", TEXTS "/sezim-baktybekova.txt"};
    LibraryOptions opt = options(0);
    opt.mode = SEARCH_EXACT;
    LibraryResult strict, folded;
    IndexCache *c = open_cache();
    search_ok(c, paths, 2, "kazakh", &opt, &strict); /* cached now */
    library_result_release(&strict);
    search_ok(c, paths, 2, "Kazakh", &opt, &strict); /* from the cache: the texts are read */
    opt.mode = SEARCH_FOLD;
    search_ok(c, paths, 2, "kazakh", &opt, &folded);
    cr_assert_gt(strict.total, 0);
    cr_assert_eq(strict.total, folded.total, "every Kazakh is capitalized in these stories");
    cr_assert_eq(strict.nnotes, 0);
    library_result_release(&strict);
    opt.mode = SEARCH_EXACT;
    search_ok(c, paths, 2, "kazakh", &opt, &strict);
    cr_assert_eq(strict.total, 0, "case counts");
    library_result_release(&strict);
    library_result_release(&folded);
    cache_close(c);
}

Test(library, standard_input_is_a_note)
{
    char *paths[] = {"-", TEXTS "/ivan-baktybekova.txt"};
    LibraryOptions opt = options(0);
    LibraryResult r;
    search_ok(NULL, paths, 2, "kazakh", &opt, &r);
    cr_assert_eq(r.nnotes, 1);
    cr_assert_eq(r.notes[0].story, 0);
    cr_assert(r.notes[0].failed, "left out of the search");
    cr_assert(strstr(r.notes[0].diag.msg, "standard input"), "%s", r.notes[0].diag.msg);
    cr_assert_eq(r.searched, 1);
    cr_assert_eq(r.per_story[0], 0);
    cr_assert_gt(r.per_story[1], 0);
    library_result_release(&r);
}

Test(library, a_query_of_no_word_is_refused)
{
    char *paths[] = {TEXTS "/ivan-baktybekova.txt"};
    LibraryOptions opt = options(0);
    LibraryResult r = {.total = 99};
    Diag d = {0};
    cr_assert_eq(library_search(NULL, (const char *const *)paths, 1, " ... !? ", &opt, &r, &d), -1);
    cr_assert_neq(d.code, 0);
    cr_assert(strstr(d.msg, "no words"), "%s", d.msg);
    cr_assert_eq(r.total, 0, "*out empty");
    cr_assert_null(r.hits);
    cr_assert_null(r.per_story);
    cr_assert_null(r.notes);
    library_result_release(&r); /* and releasable */
}

/* A pattern (re:) across the shelf: each story's count is what the reader's list of matches
 * finds in it, the hits come in story order, placed on the pattern's bytes; a bad pattern is
 * refused with its reason. */
Test(library, a_pattern_across_the_shelf_agrees_with_the_reader)
{
    size_t n;
    char **paths = shipped(&n);
    LibraryOptions opt = options(0);
    LibraryResult r;
    search_ok(NULL, paths, n, "re:Kazakh\\w*|steppes?", &opt, &r);
    size_t sum = 0;
    for (size_t k = 0; k < n; k++) {
        Text *t;
        Diag d = {0};
        cr_assert_eq(text_load(paths[k], 0, &t, &d), 0, "%s", d.msg);
        MatchList *m;
        cr_assert_eq(matchlist_new(NULL, t, "re:Kazakh\\w*|steppes?", SEARCH_SMART, &m, &d), 0);
        cr_assert_eq(r.per_story[k], matchlist_count(m), "%s: %zu, the reader %zu", paths[k],
                     r.per_story[k], matchlist_count(m));
        sum += matchlist_count(m);
        matchlist_free(m);
        text_free(t);
    }
    cr_assert_eq(r.matches, sum);
    cr_assert_eq(r.nhits, sum, "limit 0: every match placed");
    for (size_t h = 1; h < r.nhits; h++)
        cr_assert(r.hits[h].story > r.hits[h - 1].story ||
                      (r.hits[h].story == r.hits[h - 1].story &&
                       r.hits[h].span.start > r.hits[h - 1].span.start),
                  "story order");
    cr_assert_gt(sum, 10);
    library_result_release(&r);
    Diag d = {0};
    cr_assert_neq(library_search(NULL, (const char *const *)paths, n, "re:(", &opt, &r, &d), 0);
    cr_assert(strstr(d.msg, "does not compile"), "%s", d.msg);
    free_paths(paths, n);
}

/* A story long enough to be read in steps (a step searched as it is loaded, then let go): the
 * pattern's hits are those of the story read whole, document by document, each at its line and
 * column (counted here byte by byte: characters, after Cyrillic on the line) and its percent of
 * the whole story (not of what was loaded when it was found); among them one
 * across every piece of a paragraph that the first step's end cuts (its document waits for the
 * rest of it). */
Test(library, a_pattern_in_a_story_read_in_steps_is_placed_as_read_whole)
{
    char path[300];
    snprintf(path, sizeof path, "%s/long.txt", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    size_t written = 0;
    for (int i = 0; written < (200u << 10); i++) /* short paragraphs, near the first step's end */
        written += (size_t)fprintf(f, "Абай %d alpha\nomega line %d.\n\n", i, i);
    for (int i = 0; i < 11000; i++) /* one line of 132 KB: pieces, across the step's end */
        written += (size_t)fprintf(f, "alpha omega ");
    written += (size_t)fprintf(f, "\n\n");
    for (int i = 0; written < (1300u << 10); i++)
        written += (size_t)fprintf(f, "Line %d of Жетісу, alpha\nomega\n\n", i);
    fclose(f);
    const char *query = "re:alpha[\\s\\w]*omega";
    char *paths[1] = {path};
    LibraryOptions opt = options(0);
    LibraryResult r;
    search_ok(NULL, paths, 1, query, &opt, &r);

    Text *t;
    Diag d = {0};
    cr_assert_eq(text_load(path, 0, &t, &d), 0, "%s", d.msg);
    Regex *re;
    cr_assert_eq(regex_compile(query + 3, SEARCH_SMART, &re, &d), 0, "%s", d.msg);
    const uint8_t *b = text_bytes(t);
    size_t np = text_paragraph_count(t), h = 0, across = 0, at = 0, line = 1, col = 1;
    bool stopped = false;
    for (size_t p = 0; p < np;) {
        size_t p1 = text_document_end(t, p);
        const Span *m;
        size_t nm = regex_scan(re, b, text_paragraph(t, p).start, text_paragraph(t, p1 - 1).end, &m,
                               &stopped);
        for (size_t i = 0; i < nm; i++, h++) {
            for (; at < m[i].start; at++) { /* the place's line and column */
                col = b[at] == '\n' ? 1 : col + ((b[at] & 0xc0) != 0x80);
                line += b[at] == '\n';
            }
            cr_assert_lt(h, r.nhits, "fewer hits than the story read whole");
            cr_assert_eq(r.hits[h].span.start, m[i].start, "hit %zu", h);
            cr_assert_eq(r.hits[h].span.end, m[i].end, "hit %zu", h);
            cr_assert_eq(r.hits[h].line, line, "hit %zu", h);
            cr_assert_eq(r.hits[h].col, col, "hit %zu: column", h);
            cr_assert_eq(r.hits[h].percent, (int)(m[i].start * 100 / text_len(t)),
                         "hit %zu: percent of the whole story", h);
            across += p1 - p > 2 && m[i].start <= text_paragraph(t, p).start + 12 &&
                      m[i].end >= text_paragraph(t, p1 - 1).end - 12;
        }
        p = p1;
    }
    cr_assert_eq(r.nhits, h, "as many hits as the story read whole");
    cr_assert_eq(across, 1, "one hit over a paragraph of three pieces or more");
    cr_assert_gt(h, 8000);
    regex_free(re);
    text_free(t);
    library_result_release(&r);
}

/* Story i of a shelf in dir: its path (s<i>.txt, i zero-padded to digits), malloc'd; when
 * made, its file opened in *f for the caller to write on (its first paragraph "Story i." written)
 * and close; else (a story that is missing) *f NULL and no file. */
static char *new_story(int i, int digits, bool made, FILE **f)
{
    char name[300];
    snprintf(name, sizeof name, "%s/s%0*d.txt", dir, digits, i);
    *f = NULL;
    if (made) {
        *f = fopen(name, "w");
        cr_assert_not_null(*f);
        fprintf(*f, "Story %d.\n\n", i);
    }
    return strdup(name);
}

/* A pattern over many stories (searched on two threads) answers as one story after another
 * would: each story's count, the first limit hits in story order, a note for a story that
 * cannot be read where it stands, and, when the pattern gives up in a story, nothing of the
 * stories after it -- whichever thread searched them meanwhile. */
Test(library, a_pattern_over_many_stories_answers_as_one_after_another, .timeout = 120)
{
    enum { N = 40, GIVES_UP = 27, MISSING = 9 };
    char *paths[N];
    for (int i = 0; i < N; i++) {
        FILE *f;
        paths[i] = new_story(i, 2, i != MISSING, &f);
        if (!f) continue;
        for (int k = 0; k < i % 4; k++)
            fprintf(f, "The dombra%d, played %d.\n\n", k, i);
        if (i == GIVES_UP) /* what ^(\w+\s?)*$ backtracks over without end */
            fputs("word word word word word word word word word word word word word word word "
                  "word word word word word word word word word word word!\n",
                  f);
        fclose(f);
    }
    const char *pattern = "dombra\\d|^(\\w+\\s?)*$";
    Regex *re;
    Diag d = {0};
    cr_assert_eq(regex_compile(pattern, SEARCH_SMART, &re, &d), 0, "%s", d.msg);
    char query[64];
    snprintf(query, sizeof query, "re:%s", pattern);
    for (size_t limit = 0; limit <= 7; limit += 7) {
        LibraryOptions opt = options(limit);
        LibraryResult r;
        search_ok(NULL, paths, N, query, &opt, &r);
        /* one story after another, here */
        size_t h = 0, matches = 0;
        bool stopped = false;
        for (int i = 0; i < N && !stopped; i++) {
            size_t count = 0;
            Text *t;
            Diag e = {0};
            if (i == MISSING) {
                cr_assert_eq(text_load(paths[i], 0, &t, &e), -1);
                cr_assert_eq(r.per_story[i], 0);
                continue;
            }
            cr_assert_eq(text_load(paths[i], 0, &t, &e), 0, "%s", e.msg);
            for (size_t p = 0; p < text_paragraph_count(t) && !stopped;) {
                size_t p1 = text_document_end(t, p);
                const Span *m;
                size_t nm = regex_scan(re, text_bytes(t), text_paragraph(t, p).start,
                                       text_paragraph(t, p1 - 1).end, &m, &stopped);
                for (size_t k = 0; k < nm && (!limit || h < limit); k++, h++) {
                    cr_assert_lt(h, r.nhits, "limit %zu: hit %zu", limit, h);
                    cr_assert_eq(r.hits[h].story, (size_t)i, "limit %zu: hit %zu", limit, h);
                    cr_assert_eq(r.hits[h].span.start, m[k].start);
                    cr_assert_eq(r.hits[h].span.end, m[k].end);
                }
                count += nm;
                p = p1;
            }
            cr_assert_eq(r.per_story[i], count, "limit %zu: story %d", limit, i);
            matches += count;
            cr_assert_eq(stopped, i == GIVES_UP, "story %d", i);
            text_free(t);
        }
        cr_assert(stopped && r.stopped);
        for (int i = GIVES_UP + 1; i < N; i++)
            cr_assert_eq(r.per_story[i], 0, "story %d, after the one that gave up", i);
        cr_assert_eq(r.nhits, h, "limit %zu", limit);
        cr_assert_eq(r.matches, matches);
        bool missing_noted = false;
        for (size_t k = 0; k < r.nnotes; k++)
            missing_noted |= r.notes[k].story == MISSING && r.notes[k].failed;
        cr_assert(missing_noted, "the missing story's note");
        library_result_release(&r);
    }
    regex_free(re);
    for (int i = 0; i < N; i++)
        free(paths[i]);
}

/* A ranked search over a shelf (each story searched on the thread that opened it, the second
 * thread started once the first has worked a while, and the stories of two batches) answers as
 * the stories added one after another: the same hits in the same order with the same scores and
 * counts, per story and in all, a missing story noted and not searched. */
Test(library, a_ranked_search_over_many_stories_answers_as_one_after_another, .timeout = 120)
{
    enum { N = LIBRARY_BATCH + 44, MISSING = 17 };
    char **paths = calloc(N, sizeof *paths);
    for (int i = 0; i < N; i++) {
        FILE *f;
        paths[i] = new_story(i, 3, i != MISSING, &f);
        if (!f) continue;
        for (int k = 0; k < i % 5; k++)
            fprintf(f, "The dombra played %s on day %d; the steppe %s.\n\n", k % 2 ? "long" : "low",
                    i, i % 3 ? "listened" : "and the dombra slept");
        fclose(f);
    }
    const char *queries[] = {"dombra", "=dombra steppe", "\"the dombra\"", "NEAR(dombra steppe, 3)",
                             "play*"};
    IndexCache *c = open_cache();
    for (size_t qi = 0; qi < sizeof queries / sizeof *queries; qi++) {
        for (int round = 0; round < 2; round++) { /* cold (built), then warm (mapped) */
            LibraryOptions opt = options(0);
            LibraryResult r;
            search_ok(c, paths, N, queries[qi], &opt, &r);
            /* one story after another, here */
            Query *q;
            Diag d = {0};
            cr_assert_eq(query_parse(queries[qi], SEARCH_SMART, &q, &d), 0);
            LibraryStory *st = library_index(c, (const char *const *)paths, N, 0, NULL, NULL);
            SearchSet *set = search_set_new(q);
            size_t matches = 0, searched = 0;
            for (int i = 0; i < N; i++) {
                cr_assert_eq(st[i].failed, i == MISSING, "story %d", i);
                size_t places = 0;
                if (!st[i].failed) {
                    search_set_add(set, (size_t)i, st[i].index, NULL, &places);
                    searched++;
                }
                cr_assert_eq(r.per_story[i], places, "%s: story %d", queries[qi], i);
                matches += places;
            }
            const SearchHit *h;
            size_t total = search_set_hits(set, 0, &h);
            cr_assert_gt(total, 20, "%s", queries[qi]);
            cr_assert_eq(r.total, total, "%s", queries[qi]);
            cr_assert_eq(r.nhits, total);
            cr_assert_eq(r.matches, matches);
            cr_assert_eq(r.searched, searched);
            for (size_t k = 0; k < total; k++) {
                cr_assert_eq(r.hits[k].story, h[k].story, "%s: hit %zu", queries[qi], k);
                cr_assert_float_eq(r.hits[k].score, h[k].score, 1e-12, "%s: hit %zu", queries[qi],
                                   k);
            }
            bool missing_noted = false;
            for (size_t k = 0; k < r.nnotes; k++)
                missing_noted |= r.notes[k].story == MISSING && r.notes[k].failed;
            cr_assert(missing_noted, "the missing story's note");
            search_set_free(set);
            library_stories_free(st, N);
            query_free(q);
            library_result_release(&r);
        }
    }
    cache_close(c);
    free_paths(paths, N);
}

/* A search holds a batch of stories at a time, not the shelf: 700 stories, searched warm (their
 * cache files mapped), never more than LIBRARY_BATCH at once, and the same hits and counts as
 * the stories one by one. (On a shelf of 65,000 stories the process once ran out of mappings.) */
Test(library, a_big_shelf_is_searched_a_batch_at_a_time, .timeout = 120)
{
    enum { N = 700 };
    char **paths = calloc(N, sizeof *paths);
    for (int i = 0; i < N; i++) {
        char name[64], text[160];
        snprintf(name, sizeof name, "story-%03d.txt", i);
        snprintf(text, sizeof text, "Story %d\n\nThe steppe %s on day %d.%s\n", i,
                 i % 7 ? "was quiet" : "sang", i, i == 650 ? " The dombra played." : "");
        paths[i] = malloc(strlen(dir) + strlen(name) + 2);
        sprintf(paths[i], "%s/%s", dir, name);
        write_file(paths[i], text);
    }
    IndexCache *c = open_cache();
    LibraryOptions opt = options(0);
    for (int round = 0; round < 2; round++) { /* cold (built), then warm (mapped) */
        LibraryResult r;
        search_ok(c, paths, N, "sang", &opt, &r);
        cr_assert(r.most_open <= LIBRARY_BATCH && r.most_open < N, "held %zu at once", r.most_open);
        cr_assert_eq(r.matches, N / 7, "every seventh story sings");
        cr_assert_eq(r.nhits, N / 7);
        for (size_t h = 0; h < r.nhits; h++)
            cr_assert_eq(r.hits[h].story % 7, 0);
        library_result_release(&r);
        search_ok(c, paths, N, "dombra", &opt, &r);
        cr_assert_eq(r.nhits, 1, "a hit in the last batch is placed");
        cr_assert_eq(r.hits[0].story, 650);
        cr_assert(strstr(r.hits[0].snippet, "dombra"), "%s", r.hits[0].snippet);
        library_result_release(&r);
    }
    cache_close(c);
    free_paths(paths, N);
}

/* A pattern's words rule out, by their cached indexes, the stories that cannot match: those are
 * not read, and the counts are the same as reading them all. */
Test(library, a_pattern_reads_only_the_stories_that_can_match)
{
    size_t n;
    char **paths = shipped(&n);
    IndexCache *c = open_cache();
    LibraryStory *st = library_index(c, (const char *const *)paths, n, 0, NULL, NULL);
    library_stories_free(st, n);
    LibraryOptions opt = options(0);
    LibraryResult with, without;
    search_ok(c, paths, n, "re:Kazakh\\w*", &opt, &with);
    search_ok(NULL, paths, n, "re:Kazakh\\w*", &opt, &without);
    cr_assert_gt(with.narrowed, 0, "a story with no Kazakh is ruled out unread");
    cr_assert_eq(without.narrowed, 0);
    cr_assert_eq(with.matches, without.matches);
    for (size_t k = 0; k < n; k++)
        cr_assert_eq(with.per_story[k], without.per_story[k]);
    cr_assert_eq(with.searched, without.searched);
    library_result_release(&with);
    library_result_release(&without);
    cache_close(c);
    free_paths(paths, n);
}
