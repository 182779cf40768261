/* The index cache: reused when the story is unchanged, refreshed when it changes, and a cache
 * file that is damaged in any byte, truncated, foreign or half-written is never trusted. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lector/atomicfile.h"
#include "lector/cache.h"
#include "lector/search.h"

static char dir[256], story[300], cdir[300];

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(s, f);
    fclose(f);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/lector-cache-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(story, sizeof story, "%s/story.txt", dir);
    snprintf(cdir, sizeof cdir, "%s/cache", dir);
    write_file(story, "The steppe wind.\n\nA grandmother sang of the steppe, and the dombra "
                      "answered.\n\nThe album came out in the spring.\n");
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(cache, .init = setup, .fini = teardown);

static IndexCache *open_cache(void)
{
    Diag d = {0};
    IndexCache *c = cache_open(cdir, &d);
    cr_assert_not_null(c, "%s", d.msg);
    return c;
}

/* Indexes the story through the cache; returns the outcome, and the hits of word in *hits. */
static CacheOutcome get(IndexCache *c, int flags, const char *word, size_t *hits)
{
    Index *ix;
    Text *t;
    CacheReport r;
    Diag d = {0};
    cr_assert_eq(cache_index(c, story, 1, flags, &ix, &t, &r, &d), 0, "%s", d.msg);
    cr_assert_eq(t != NULL, r.outcome != CACHE_FRESH, "the story is read unless fresh");
    if (word) {
        Query *q;
        cr_assert_eq(query_parse(word, SEARCH_FOLD, false, &q, &d), 0);
        SearchMatch *m;
        *hits = search_matches(ix, NULL, q, &m);
        free(m);
        query_free(q);
        if (index_corrupt(ix)) *hits = SIZE_MAX;
    }
    index_free(ix);
    text_free(t);
    return r.outcome;
}

/* The one cache file in the folder. */
static void cache_file(char *out, size_t n)
{
    DIR *d = opendir(cdir);
    cr_assert_not_null(d);
    struct dirent *e;
    out[0] = 0;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".idx")) snprintf(out, n, "%s/%s", cdir, e->d_name);
    closedir(d);
    cr_assert(out[0], "no cache file in %s", cdir);
}

static size_t file_size(const char *path)
{
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    return (size_t)st.st_size;
}

static void patch_byte(const char *path, size_t off, unsigned char xor)
{
    int fd = open(path, O_RDWR);
    unsigned char b;
    cr_assert_eq(pread(fd, &b, 1, (off_t)off), 1);
    b ^= xor;
    cr_assert_eq(pwrite(fd, &b, 1, (off_t)off), 1);
    close(fd);
}

Test(cache, reused_until_the_story_changes)
{
    IndexCache *c = open_cache();
    size_t hits;
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_NEW);
    cr_assert_eq(hits, 2);
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_FRESH);
    cr_assert_eq(hits, 2);

    /* touch: a new mtime, the same text: kept, and fresh again after */
    struct timespec ts[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
    cr_assert_eq(utimensat(AT_FDCWD, story, ts, 0), 0);
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_TOUCHED);
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_FRESH);

    /* edit: a word more */
    write_file(story, "The steppe wind.\n\nA grandmother sang of the steppe, and the dombra "
                      "answered.\n\nThe steppe album came out in the spring.\n");
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_CHANGED);
    cr_assert_eq(hits, 3);
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_FRESH);
    cr_assert_eq(hits, 3);

    /* truncate */
    cr_assert_eq(truncate(story, 10), 0);
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_CHANGED);
    cr_assert_eq(hits, 1);
    cr_assert_eq(get(c, 0, "dombra", &hits), CACHE_FRESH);
    cr_assert_eq(hits, 0);

    /* replaced by another file of the same size (a new inode) */
    char other[320];
    snprintf(other, sizeof other, "%s/other", dir);
    write_file(other, "The dombr");
    cr_assert_eq(rename(other, story), 0);
    cr_assert_eq(get(c, 0, "dombr", &hits), CACHE_CHANGED);
    cr_assert_eq(hits, 1);

    /* deleted: an error naming it, no crash, no stale answer */
    cr_assert_eq(unlink(story), 0);
    Index *ix;
    Text *t;
    CacheReport r;
    Diag d = {0};
    cr_assert_eq(cache_index(c, story, 1, 0, &ix, &t, &r, &d), -1);
    cr_assert(strstr(d.msg, "story.txt"), "%s", d.msg);
    cache_close(c);
}

/* Every byte of a cache file is covered by a check: flipping any one is caught when the whole
 * file is verified (lector index does), and the index is built again. */
/* No .timeout here: Criterion leaks a timer (LSan sees it) when two timed tests overlap; the
 * meson timeout bounds the suite. */
Test(cache, any_damaged_byte_is_caught)
{
    IndexCache *c = open_cache();
    size_t hits;
    cr_assert_eq(get(c, 0, NULL, &hits), CACHE_NEW);
    char file[600];
    cache_file(file, sizeof file);
    size_t size = file_size(file);
    cr_assert_gt(size, 300);
    for (size_t off = 0; off < size; off++) {
        patch_byte(file, off, 0x10);
        cr_assert_eq(get(c, CACHE_VERIFY, "grandmother", &hits), CACHE_DAMAGED, "byte %zu of %zu",
                     off, size);
        cr_assert_eq(hits, 1, "byte %zu: the rebuilt index answers", off);
        cr_assert_eq(file_size(file), size);
    }
    cache_close(c);
}

/* Without the whole check, a search reads and checks only the pages it needs: a damaged byte is
 * found when its page is read, and the answer is flagged, never silently wrong. */
Test(cache, a_damaged_page_is_found_when_read)
{
    /* a story of many pages: 3000 words w0000.. and two of "zither", which sorts last */
    FILE *f = fopen(story, "w");
    fputs("The zither.\n\n", f);
    for (int i = 0; i < 3000; i++)
        fprintf(f, "w%04d and the steppe\n\n", i);
    fputs("A zither again.\n", f);
    fclose(f);
    IndexCache *c = open_cache();
    size_t hits;
    cr_assert_eq(get(c, 0, "zither", &hits), CACHE_NEW);
    cr_assert_eq(hits, 2);
    char file[600];
    cache_file(file, sizeof file);
    size_t size = file_size(file);
    char *bytes = malloc(size);
    FILE *cf = fopen(file, "rb");
    cr_assert_eq(fread(bytes, 1, size, cf), size);
    fclose(cf);
    char *name = memmem(bytes, size, "zither", 6);
    cr_assert_not_null(name);
    cr_assert_gt(name - bytes, 8192, "the name is pages away from the header and title");
    patch_byte(file, (size_t)(name - bytes) + 2, 0x01);
    free(bytes);
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_FRESH, "opened: the damage is elsewhere");
    cr_assert_eq(get(c, 0, "zither", &hits), CACHE_FRESH);
    cr_assert_eq(hits, SIZE_MAX, "the damaged page is found and reported");
    cr_assert_eq(get(c, CACHE_VERIFY, "zither", &hits), CACHE_DAMAGED);
    cr_assert_eq(hits, 2);
    cr_assert_eq(get(c, 0, "zither", &hits), CACHE_FRESH);
    cr_assert_eq(hits, 2);
    cache_close(c);
}

/* The cache file is refused for the reason given, and the index built again. */
static void expect_refused(IndexCache *c, const char *why)
{
    Index *ix;
    Text *t;
    CacheReport r;
    Diag d = {0};
    cr_assert_eq(cache_index(c, story, 1, 0, &ix, &t, &r, &d), 0, "%s", d.msg);
    cr_assert_eq(r.outcome, CACHE_DAMAGED, "%s", why);
    cr_assert(strstr(r.note.msg, why), "%s: %s", why, r.note.msg);
    index_free(ix);
    text_free(t);
}

Test(cache, truncated_foreign_and_garbage_files_are_refused)
{
    IndexCache *c = open_cache();
    size_t hits;
    cr_assert_eq(get(c, 0, NULL, &hits), CACHE_NEW);
    char file[600];
    cache_file(file, sizeof file);
    size_t size = file_size(file);
    /* truncated (a torn write of another tool, say) */
    cr_assert_eq(truncate(file, (off_t)(size - 8)), 0);
    expect_refused(c, "truncated");
    /* another byte order: the mark at offset 12 reads 0x04030201 */
    patch_byte(file, 12, 0x05);
    patch_byte(file, 15, 0x05);
    expect_refused(c, "byte order");
    /* another version */
    patch_byte(file, 8, 0x40);
    expect_refused(c, "version");
    /* not ours at all, and empty */
    write_file(file, "this is not an index");
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_DAMAGED);
    cr_assert_eq(hits, 2);
    write_file(file, "");
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_DAMAGED);
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_FRESH);
    cache_close(c);
}

/* A write that fails at any step leaves the previous cache file as it was (and no temp file). */
Test(cache, a_failed_write_keeps_the_previous_file)
{
    IndexCache *c = open_cache();
    size_t hits;
    cr_assert_eq(get(c, 0, NULL, &hits), CACHE_NEW);
    char file[600];
    cache_file(file, sizeof file);
    size_t size = file_size(file);
    for (int step = ATOMIC_CREATE; step <= ATOMIC_RENAME; step++) {
        write_file(story, step % 2 ? "A new text, the steppe.\n" : "Another text.\n");
        cache_fail_at(c, step);
        cr_assert_eq(get(c, 0, NULL, &hits), CACHE_UNCACHED, "step %d", step);
        cr_assert_eq(file_size(file), size, "step %d: the old file is whole", step);
        char cmd[400];
        snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) -eq 1", cdir);
        cr_assert_eq(system(cmd), 0, "step %d: no temp file left", step);
    }
    cache_fail_at(c, 0);
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_CHANGED);
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_FRESH);
    cr_assert_eq(hits, 0, "Another text.");
    cache_close(c);
}

/* Two processes refreshing the cache of one story at once: the file is always one whole
 * index, never a mix. */
Test(cache, two_processes_writing_at_once, .timeout = 60)
{
    IndexCache *c = open_cache();
    size_t hits;
    cr_assert_eq(get(c, 0, NULL, &hits), CACHE_NEW);
    for (int round = 0; round < 20; round++) {
        write_file(story, round % 2 ? "steppe steppe\n" : "the steppe and the wind\n");
        pid_t kid = fork();
        if (kid == 0) {
            IndexCache *k = cache_open(cdir, NULL);
            Index *ix;
            Text *t;
            CacheReport r;
            for (int i = 0; i < 5; i++) {
                if (cache_index(k, story, 1, 0, &ix, &t, &r, NULL) == 0) {
                    index_free(ix);
                    text_free(t);
                }
                /* another identity each time, so that each one writes */
                struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
                utimensat(AT_FDCWD, story, ts, 0);
            }
            _exit(0);
        }
        for (int i = 0; i < 5; i++) {
            get(c, 0, NULL, &hits);
            struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
            utimensat(AT_FDCWD, story, ts, 0);
        }
        int status;
        waitpid(kid, &status, 0);
        CacheOutcome o = get(c, CACHE_VERIFY, "steppe", &hits);
        cr_assert_neq(o, CACHE_DAMAGED, "round %d", round);
        cr_assert_eq(hits, round % 2 ? 2u : 1u, "round %d", round);
    }
    cache_close(c);
}
