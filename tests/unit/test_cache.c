/* The index cache: reused when the story is unchanged, refreshed when it changes, and a cache
 * file that is damaged in any byte, truncated, foreign or half-written is never trusted: it is
 * kept aside (one per story) with a note saying where. And nothing lost: a write that fails at
 * any point (an injected fault, a file size limit at every byte, a full tmpfs) leaves the
 * previous file byte for byte and no temp; writers racing in processes and threads, with readers
 * reading all along, only ever show whole indexes; a writer killed at a random moment leaves the
 * old file or the new one; and the story itself is never written. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsfault.h"
#include "lector/atomicfile.h"
#include "lector/cache.h"
#include "lector/hash.h"
#include "lector/search.h"
#include "lector/state.h"
#include "lector/strbuf.h"

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
        cr_assert_eq(query_parse(word, SEARCH_FOLD, &q, &d), 0);
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

/* Indexes path through the cache (ix and t for the caller to free); the outcome, and the
 * report in *out when it is not NULL. */
static CacheOutcome index_through(IndexCache *c, const char *path, Index **ix, Text **t,
                                  CacheReport *out)
{
    CacheReport r;
    Diag d = {0};
    cr_assert_eq(cache_index(c, path, 1, 0, ix, t, &r, &d), 0, "%s", d.msg);
    if (out) *out = r;
    return r.outcome;
}

/* The one cache file in the folder (not a ".idx.bad" kept aside, nor a temp). */
static void cache_file(char *out, size_t n)
{
    cr_assert(fs_find(cdir, ".idx", out, n), "no cache file in %s", cdir);
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

/* A small cache file is read into memory, not mapped: cut to nothing while its index is in use
 * (a hand, a disk tool), the index still answers from what was read, where a mapping's pages past
 * the new end would kill the process (SIGBUS). */
Test(cache, a_small_cache_file_cut_while_in_use_is_not_felt)
{
    IndexCache *c = open_cache();
    size_t hits;
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_NEW);
    Index *ix;
    Text *t;
    cr_assert_eq(index_through(c, story, &ix, &t, NULL), CACHE_FRESH);
    char file[600];
    cache_file(file, sizeof file);
    cr_assert_lt(file_size(file), 64 * 1024);
    cr_assert_eq(truncate(file, 0), 0);
    cr_assert(index_verify_all(ix), "every page read back whole");
    int64_t id = index_lookup(ix, "steppe", 6);
    cr_assert_geq(id, 0);
    uint32_t *pos = NULL;
    size_t n = 0, cap = 0;
    cr_assert_eq(index_positions(ix, (uint32_t)id, &pos, &n, &cap), 2);
    free(pos);
    index_free(ix);
    text_free(t);
    cache_close(c);
}

/* A story whose file is cut short while it is read: its text past the cut reads as NUL bytes,
 * so an index built of it is not the file's; kept, it would be taken as the shorter file's (its
 * size and time are the file's now) and describe another text. Not written. */
Test(cache, an_index_of_a_story_cut_while_read_is_not_kept)
{
    Strbuf sb = STRBUF_INIT;
    while (sb.len < (2u << 20)) /* mapped: over 1 MiB */
        strbuf_addstr(&sb, "The steppe wind sang to the dombra all night long.\n\n");
    FILE *f = fopen(story, "w");
    cr_assert_not_null(f);
    fwrite(sb.buf, 1, sb.len, f);
    fclose(f);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(story, 0, &t, &d), 0, "%s", d.msg);
    text_load_all(t);
    Index *ix = index_build(t, 1, NULL);
    cr_assert_not_null(ix);
    cr_assert_eq(truncate(story, 1000), 0);
    cr_assert_eq(((const volatile uint8_t *)text_bytes(t))[1 << 20], 0, "cut off: NUL bytes");
    cr_assert(text_shrank(t));
    IndexCache *c = open_cache();
    cr_assert_eq(cache_store(c, story, t, ix, &d), -1);
    cr_assert(strstr(d.msg, "shrank while it was read"), "%s", d.msg);
    cr_assert_null(cache_lookup(c, story, false, NULL), "nothing kept for the shorter file");
    index_free(ix);
    text_free(t);
    cache_close(c);
    strbuf_release(&sb);
}

/* A story that is not a book keeps the file name that lector gave it before the importers'
 * version counted in it (a hash of its real path: a new name would orphan every index on
 * disk), found fresh again through the lookup that does not read the story's head; a book's
 * file is named by its content, and found too. */
Test(cache, a_story_file_keeps_its_name_and_a_book_has_its_own)
{
    IndexCache *c = open_cache();
    size_t hits;
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_NEW);
    char real[PATH_MAX], want[PATH_MAX + 64], found[PATH_MAX];
    cr_assert_not_null(realpath(story, real));
    snprintf(want, sizeof want, "%s/%016llx.idx", cdir,
             (unsigned long long)hash_bytes(real, strlen(real), 0));
    cache_file(found, sizeof found);
    cr_assert_str_eq(found, want);
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_FRESH);
    cr_assert_eq(hits, 2);
    Diag d = {0};
    Index *ix = cache_lookup(c, story, false, &d);
    cr_assert_not_null(ix, "the reader finds it: %s", d.msg);
    index_free(ix);
    /* named by a link to it, or through a link to its folder: the same real path, the same file
     * (the folder's real path is kept from one story to the next: the link is still seen) */
    char link[320], via[320], through[340];
    snprintf(link, sizeof link, "%s/link.txt", dir);
    snprintf(via, sizeof via, "%s/via", dir);
    snprintf(through, sizeof through, "%s/via/story.txt", dir);
    cr_assert_eq(symlink("story.txt", link), 0);
    cr_assert_eq(symlink(dir, via), 0);
    const char *names[] = {link, through, story, link};
    for (size_t k = 0; k < 4; k++) {
        Index *lix;
        Text *lt;
        CacheReport r;
        cr_assert_eq(cache_index(c, names[k], 1, 0, &lix, &lt, &r, &d), 0, "%s", d.msg);
        cr_assert_eq(r.outcome, CACHE_FRESH, "%s", names[k]);
        index_free(lix);
        text_free(lt);
    }
    cache_file(found, sizeof found);
    cr_assert_str_eq(found, want, "still the one file");
    /* a story of the same name in another folder is another story */
    char sub[320], other[340];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    snprintf(other, sizeof other, "%s/sub/story.txt", dir);
    cr_assert_eq(mkdir(sub, 0700), 0);
    write_file(other, "The steppe wind.\n");
    const char *twice[] = {other, story};
    CacheOutcome want_outcome[] = {CACHE_NEW, CACHE_FRESH};
    for (size_t k = 0; k < 2; k++) {
        Index *oix;
        Text *ot;
        CacheReport r;
        cr_assert_eq(cache_index(c, twice[k], 1, 0, &oix, &ot, &r, &d), 0, "%s", d.msg);
        cr_assert_eq(r.outcome, want_outcome[k], "%s", twice[k]);
        index_free(oix);
        text_free(ot);
    }

    char book[320];
    snprintf(book, sizeof book, "%s/story.md", dir);
    write_file(book, "# The steppe\n\nA grandmother sang of the *steppe*.\n");
    Index *bix;
    Text *t;
    CacheReport r;
    cr_assert_eq(cache_index(c, book, 1, 0, &bix, &t, &r, &d), 0, "%s", d.msg);
    cr_assert_eq(r.outcome, CACHE_NEW);
    index_free(bix);
    text_free(t);
    cr_assert_eq(cache_index(c, book, 1, 0, &bix, &t, &r, &d), 0, "%s", d.msg);
    cr_assert_eq(r.outcome, CACHE_FRESH);
    index_free(bix);
    text_free(t);
    DIR *dd = opendir(cdir);
    int books = 0;
    for (struct dirent *e; (e = readdir(dd));)
        books += strncmp(e->d_name, "book-", 5) == 0;
    closedir(dd);
    cr_assert_eq(books, 1, "the book's file is named by its content");
    ix = cache_lookup(c, book, false, &d);
    cr_assert_not_null(ix, "the reader finds the book's: %s", d.msg);
    index_free(ix);
    cache_close(c);
}

/* A story reached by a link of a plain name shares the index of the file it leads to (both
 * name one real path): found fresh through the link after a build through the file, with no
 * second cache file. */
Test(cache, a_link_to_a_story_shares_its_index)
{
    IndexCache *c = open_cache();
    char alias[320];
    snprintf(alias, sizeof alias, "%s/alias.txt", dir);
    cr_assert_eq(symlink("story.txt", alias), 0);
    Index *ix;
    Text *t;
    cr_assert_eq(index_through(c, story, &ix, &t, NULL), CACHE_NEW);
    index_free(ix);
    text_free(t);
    cr_assert_eq(index_through(c, alias, &ix, &t, NULL), CACHE_FRESH,
                 "the link finds the file's index");
    index_free(ix);
    text_free(t);
    cr_assert_eq(fs_count(cdir, ".idx"), 1, "one cache file for the story and its link");
    cache_close(c);
}

/* Whether a story is a book depends on its name too (a .md file is one), so a link named
 * otherwise than the file it leads to is another story: neither is served the other's index,
 * though both have one real path (a link plain.txt first makes a plain index under real.md's
 * real path, which real.md, a book, must not take). */
Test(cache, a_link_named_as_a_book_or_not_is_its_own_story)
{
    IndexCache *c = open_cache();
    /* two texts: a book is found by its content, which the two pairs must not share */
    const char *body = "A grandmother sang of the **steppe**.\n",
               *other = "A grandfather sang of the **river**.\n";
    char md[320], txt[320], to_md[320], to_txt[320];
    snprintf(md, sizeof md, "%s/real.md", dir);
    snprintf(txt, sizeof txt, "%s/real.txt", dir);
    snprintf(to_md, sizeof to_md, "%s/plain.txt", dir); /* a plain name for the book */
    snprintf(to_txt, sizeof to_txt, "%s/book.md", dir); /* a book's name for the plain story */
    write_file(md, body);
    write_file(txt, other);
    cr_assert_eq(symlink("real.md", to_md), 0);
    cr_assert_eq(symlink("real.txt", to_txt), 0);
    /* each link first, then the file it leads to; then all again, each found as itself */
    const char *names[] = {to_md, md, to_txt, txt, to_md, md, to_txt, txt};
    bool book[] = {false, true, true, false, false, true, true, false};
    const char *text[] = {body, body, other, other, body, body, other, other};
    for (size_t k = 0; k < 8; k++) {
        Index *ix;
        Text *t;
        CacheReport r;
        Diag d = {0};
        cr_assert_eq(cache_index(c, names[k], 1, 0, &ix, &t, &r, &d), 0, "%s", d.msg);
        cr_assert_eq(r.outcome, k < 4 ? CACHE_NEW : CACHE_FRESH, "%s (%zu)", names[k], k);
        /* the book's text has lost its markup's four stars */
        cr_assert_eq(index_text_len(ix), strlen(text[k]) - (book[k] ? 4 : 0), "%s (%zu)", names[k],
                     k);
        index_free(ix);
        text_free(t);
    }
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
    char file[600], bad[700];
    cache_file(file, sizeof file);
    snprintf(bad, sizeof bad, "%s.bad", file);
    size_t size;
    char *orig = fs_slurp(file, &size);
    cr_assert_gt(size, 300);
    for (size_t off = 0; off < size; off++) {
        patch_byte(file, off, 0x10);
        cr_assert_eq(get(c, CACHE_VERIFY, "grandmother", &hits), CACHE_DAMAGED, "byte %zu of %zu",
                     off, size);
        cr_assert_eq(hits, 1, "byte %zu: the rebuilt index answers", off);
        cr_assert(fs_holds(file, orig, size), "byte %zu: rebuilt as it was", off);
        orig[off] ^= 0x10;
        cr_assert(fs_holds(bad, orig, size), "byte %zu: the damaged file is kept aside", off);
        orig[off] ^= 0x10;
        cr_assert_eq(fs_count(cdir, ""), 2, "byte %zu: one file kept aside, no more", off);
    }
    free(orig);
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

/* The cache file is refused for the reason given, kept aside as "<file>.bad" (which the note
 * names, and which holds the refused bytes), and the index built again. */
static void expect_refused(IndexCache *c, const char *why)
{
    char file[600], bad[700], want[800];
    cache_file(file, sizeof file);
    snprintf(bad, sizeof bad, "%s.bad", file);
    size_t len;
    char *refused = fs_slurp(file, &len);
    Index *ix;
    Text *t;
    CacheReport r;
    Diag d = {0};
    cr_assert_eq(cache_index(c, story, 1, 0, &ix, &t, &r, &d), 0, "%s", d.msg);
    cr_assert_eq(r.outcome, CACHE_DAMAGED, "%s", why);
    cr_assert(strstr(r.note.msg, why), "%s: %s", why, r.note.msg);
    snprintf(want, sizeof want, "; kept aside as %s", bad);
    cr_assert(strstr(r.note.msg, want), "%s: %s", why, r.note.msg);
    cr_assert(fs_holds(bad, refused, len), "%s: the refused bytes are kept", why);
    cr_assert_eq(fs_count(cdir, ".bad"), 1, "one per story");
    free(refused);
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
    write_file(file, "this is not an index, but it is as long as the header of one, or longer: "
                     "a text file put there by some other program, or another one's cache, which "
                     "lector must not read as its own, nor delete before someone has looked, "
                     "whatever its length.");
    expect_refused(c, "not an index file");
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_FRESH);
    cr_assert_eq(hits, 2);
    write_file(file, "");
    expect_refused(c, "empty");
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
    size_t size;
    char *before = fs_slurp(file, &size);
    static const char *names[] = {"", "create", "write", "sync", "rename"};
    for (int step = ATOMIC_CREATE; step <= ATOMIC_RENAME; step++) {
        write_file(story, step % 2 ? "A new text, the steppe.\n" : "Another text.\n");
        cache_fail_at(c, step);
        Index *ix;
        Text *t;
        CacheReport r;
        Diag d = {0};
        cr_assert_eq(cache_index(c, story, 1, 0, &ix, &t, &r, &d), 0, "%s", d.msg);
        cr_assert_eq(r.outcome, CACHE_UNCACHED, "step %d", step);
        cr_assert(strstr(r.note.msg, names[step]) && strstr(r.note.msg, "injected"), "%s",
                  r.note.msg);
        cr_assert(fs_holds(file, before, size), "step %d: the old file, byte for byte", step);
        cr_assert_eq(fs_count(cdir, ""), 1, "step %d: no temp file left", step);
        index_free(ix);
        text_free(t);
    }
    free(before);
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
                if (cache_index(k, story, 1, CACHE_VERIFY, &ix, &t, &r, NULL) == 0) {
                    index_free(ix);
                    text_free(t);
                    if (r.outcome == CACHE_DAMAGED) _exit(1); /* it read a mix */
                }
                /* another identity each time, so that each one writes */
                struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
                utimensat(AT_FDCWD, story, ts, 0);
            }
            _exit(0);
        }
        for (int i = 0; i < 5; i++) {
            cr_assert_neq(get(c, CACHE_VERIFY, NULL, &hits), CACHE_DAMAGED, "round %d", round);
            struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
            utimensat(AT_FDCWD, story, ts, 0);
        }
        int status;
        waitpid(kid, &status, 0);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "round %d: the child read a mix",
                  round);
        CacheOutcome o = get(c, CACHE_VERIFY, "steppe", &hits);
        cr_assert_neq(o, CACHE_DAMAGED, "round %d", round);
        cr_assert_eq(hits, round % 2 ? 2u : 1u, "round %d", round);
    }
    cache_close(c);
}

/* Through cache_lookup (the reader's way in) a damaged file is kept aside too, before the
 * reader's own build would overwrite it, and the note says where; damage after damage there is
 * never more than one file kept aside for the story. */
Test(cache, the_reader_keeps_a_damaged_file_aside_too)
{
    IndexCache *c = open_cache();
    size_t hits;
    cr_assert_eq(get(c, 0, NULL, &hits), CACHE_NEW);
    char file[600], bad[700];
    cache_file(file, sizeof file);
    snprintf(bad, sizeof bad, "%s.bad", file);
    Diag note = {0};
    Index *ix = cache_lookup(c, story, false, &note);
    cr_assert_not_null(ix);
    cr_assert_eq(note.code, 0, "nothing to say: %s", note.msg);
    index_free(ix);
    for (int round = 0; round < 3; round++) {
        char junk[400];
        snprintf(junk, sizeof junk, "%0300d: damaged, and long enough for a header", round);
        write_file(file, junk);
        /* and the same when the reader knows the story is no book (text_is_plain_file) */
        ix = cache_lookup(c, story, round % 2 == 1, &note);
        cr_assert_null(ix);
        cr_assert(strstr(note.msg, "not an index file") && strstr(note.msg, "kept aside as ") &&
                      strstr(note.msg, bad),
                  "%s", note.msg);
        cr_assert(fs_holds(bad, junk, strlen(junk)), "round %d", round);
        cr_assert_neq(access(file, F_OK), 0, "moved, not copied");
        cr_assert_eq(fs_count(cdir, ""), 1, "round %d: one file kept aside per story", round);
        cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_NEW, "then built again");
        cr_assert_eq(hits, 2);
    }
    Index *again = cache_lookup(c, story, false, NULL); /* note may be NULL */
    cr_assert_not_null(again);
    index_free(again);
    cache_close(c);
}

/* A cache "file" that is a folder or a FIFO is not a damaged file of ours: left where it is
 * (with a note), the index built anyway, and a FIFO never hangs the read. */
Test(cache, what_cannot_be_read_is_left_in_place)
{
    IndexCache *c = open_cache();
    size_t hits;
    cr_assert_eq(get(c, 0, NULL, &hits), CACHE_NEW);
    char file[600];
    cache_file(file, sizeof file);
    for (int kind = 0; kind < 2; kind++) {
        cr_assert(unlink(file) == 0 || rmdir(file) == 0);
        cr_assert_eq(kind ? mkfifo(file, 0600) : mkdir(file, 0700), 0);
        Index *ix;
        Text *t;
        CacheReport r;
        Diag d = {0};
        cr_assert_eq(cache_index(c, story, 1, 0, &ix, &t, &r, &d), 0, "%s", d.msg);
        /* a folder stays (a file cannot be renamed over it); a FIFO is replaced by the index */
        cr_assert_eq(r.outcome, kind ? CACHE_DAMAGED : CACHE_UNCACHED, "kind %d", kind);
        cr_assert(strstr(r.note.msg, "not a file"), "%s", r.note.msg);
        cr_assert_eq(fs_count(cdir, ".bad"), 0, "not kept aside");
        struct stat st;
        cr_assert_eq(stat(file, &st), 0);
        cr_assert(kind ? S_ISREG(st.st_mode) : S_ISDIR(st.st_mode));
        index_free(ix);
        text_free(t);
        Diag note = {0};
        ix = cache_lookup(c, story, false, &note);
        cr_assert_eq(ix != NULL, kind == 1, "%s", note.msg);
        index_free(ix);
    }
    cache_close(c);
}

/* Indexes text (copied), for the tests that store indexes of their own. */
static Index *build(const char *text, size_t len, Text **t)
{
    *t = text_from_bytes(text, len, "story.txt");
    return index_build(*t, 1, NULL);
}

/* A story of n numbered paragraphs: an index of about n * 35 bytes. Caller frees. */
static char *numbered(int n, size_t *len)
{
    Strbuf sb = STRBUF_INIT;
    for (int i = 0; i < n; i++)
        strbuf_addf(&sb, "w%04d and the steppe\n\n", i);
    return strbuf_detach(&sb, len);
}

/* The limits to try for a new file of len bytes: every one up to 4,700 (the header, the small
 * sections and the first page boundaries), then every 97th, and the last few. */
static bool next_limit(size_t *n, size_t len)
{
    if (*n >= len + 1) return false;
    *n = *n < 4700 || *n + 12 > len ? *n + 1 : *n + 97;
    if (*n > len + 1) *n = len + 1;
    return true;
}

/* A real full disk at every byte (a file size limit: write() fails with EFBIG past byte n, as
 * when a disk fills partway): for a 360-byte index every n, for a 10 KB one a dense sample,
 * cache_store fails cleanly (-1, a message naming the write and the error), the previous file
 * stays byte for byte, and no temp is left; from the whole size on, it succeeds. */
Test(cache, a_full_disk_at_any_byte_keeps_the_previous_file)
{
    IndexCache *c = open_cache();
    size_t hits, big_len;
    cr_assert_eq(get(c, 0, NULL, &hits), CACHE_NEW);
    char file[600];
    cache_file(file, sizeof file);
    size_t old_len;
    char *old_bytes = fs_slurp(file, &old_len);
    char *big = numbered(400, &big_len);
    const struct {
        const char *text;
        size_t len;
    } news[] = {{"The steppe.\n\nA new grandmother.\n\nThe spring album came out.\n", 0},
                {big, big_len}};
    int tried = 0;
    for (size_t v = 0; v < 2; v++) {
        Text *t;
        Index *ix = build(news[v].text, news[v].len ? news[v].len : strlen(news[v].text), &t);
        Diag d = {0};
        cr_assert_eq(cache_store(c, story, t, ix, &d), 0, "%s", d.msg);
        size_t new_len;
        char *new_bytes = fs_slurp(file, &new_len);
        cr_assert_gt(new_len, v ? 10000 : 300, "%zu", new_len);
        cr_log_info("a new file of %zu bytes", new_len);
        write_file(file, ""); /* then the old bytes back */
        FILE *f = fopen(file, "wb");
        fwrite(old_bytes, 1, old_len, f);
        fclose(f);
        for (size_t n = 0;; tried++) {
            Diag e = {0};
            fs_limit(n);
            int rc = cache_store(c, story, t, ix, &e);
            fs_limit(RLIM_INFINITY);
            if (n < new_len) {
                cr_assert_eq(rc, -1, "limit %zu of %zu: must fail", n, new_len);
                cr_assert(strstr(e.msg, "write") && strstr(e.msg, strerror(EFBIG)), "%zu: %s", n,
                          e.msg);
                cr_assert(fs_holds(file, old_bytes, old_len), "limit %zu: the previous file", n);
            } else {
                cr_assert_eq(rc, 0, "limit %zu of %zu: fits: %s", n, new_len, e.msg);
                cr_assert(fs_holds(file, new_bytes, new_len), "limit %zu: the new file", n);
                f = fopen(file, "wb");
                fwrite(old_bytes, 1, old_len, f);
                fclose(f);
            }
            cr_assert_eq(fs_count(cdir, ""), 1, "limit %zu: a temp file was left", n);
            if (!next_limit(&n, new_len)) break;
        }
        free(new_bytes);
        index_free(ix);
        text_free(t);
    }
    cr_log_info("%d limits tried", tried);
    free(big);
    free(old_bytes);
    cache_close(c);
}

typedef struct {
    FsRace *race;
    Text *t;
    Index *ix;
    char *old_bytes, *new_bytes;
    size_t old_len, new_len;
} Tmpfs;

/* In the tmpfs child: the disk full with 0, 1, 2, ... pages free until the new index fits;
 * then out of inodes. */
static int tmpfs_cache(void *arg)
{
    Tmpfs *x = arg;
    FsRace *r = x->race;
    IndexCache *c = cache_open(cdir, NULL);
    FS_CHECK(r, c, "cache_open on the tmpfs");
    Index *ix;
    Text *t;
    CacheReport rep;
    FS_CHECK(r, cache_index(c, story, 1, 0, &ix, &t, &rep, NULL) == 0, "the first index");
    index_free(ix);
    text_free(t);
    char file[600], filler[400];
    FS_CHECK(r, fs_find(cdir, ".idx", file, sizeof file), "no cache file");
    FS_CHECK(r, fs_holds(file, x->old_bytes, x->old_len), "the tmpfs writes other bytes");
    snprintf(filler, sizeof filler, "%s/filler", cdir);
    int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FS_CHECK(r, fd >= 0, "filler: %s", strerror(errno));
    static char page[4096];
    off_t size = 0;
    ssize_t w;
    while ((w = write(fd, page, sizeof page)) > 0)
        size += w;
    FS_CHECK(r, w < 0 && errno == ENOSPC, "the tmpfs did not fill: %s", strerror(errno));
    int pages = (int)((x->new_len + 4095) / 4096), fit = -1;
    for (int free_pages = 0; free_pages <= pages + 1 && fit < 0; free_pages++) {
        FS_CHECK(r, ftruncate(fd, size - (off_t)free_pages * 4096) == 0, "ftruncate");
        Diag d = {0};
        if (cache_store(c, story, x->t, x->ix, &d) == 0) {
            fit = free_pages;
            FS_CHECK(r, fs_holds(file, x->new_bytes, x->new_len), "the new file");
        } else {
            FS_CHECK(r, strstr(d.msg, "write") && strstr(d.msg, strerror(ENOSPC)), "%s", d.msg);
            FS_CHECK(r, fs_holds(file, x->old_bytes, x->old_len), "%d free: the old file",
                     free_pages);
        }
        FS_CHECK(r, fs_count(cdir, ".tmp-") == 0, "%d free pages: a temp file left", free_pages);
    }
    FS_CHECK(r, fit == pages, "fitted with %d pages free, for a file of %d pages", fit, pages);
    close(fd);
    FS_CHECK(r, unlink(filler) == 0, "unlink");
    char name[700];
    for (int k = 0;; k++) {
        snprintf(name, sizeof name, "%s/i%d", cdir, k);
        int f = open(name, O_WRONLY | O_CREAT, 0600);
        if (f < 0) {
            FS_CHECK(r, errno == ENOSPC, "inodes: %s", strerror(errno));
            break;
        }
        close(f);
    }
    Diag d = {0};
    FS_CHECK(r, cache_store(c, story, x->t, x->ix, &d) == -1, "no inode: must fail");
    FS_CHECK(r, strstr(d.msg, "create") && strstr(d.msg, strerror(ENOSPC)), "%s", d.msg);
    FS_CHECK(r, fs_holds(file, x->new_bytes, x->new_len), "no inode: the previous file");
    cache_close(c);
    return 0;
}

/* The same with a real full disk, ENOSPC, on a tmpfs of 256 KiB, for a 35 KB index (9 pages):
 * it fails with 0 to 8 pages free, each time leaving the old file and no temp, and fits with
 * 9 (only where the system lets a test mount a tmpfs, in a mount namespace of its own). */
Test(cache, a_full_tmpfs_keeps_the_previous_file)
{
    Tmpfs x = {fs_shared(sizeof(FsRace)), NULL, NULL, NULL, NULL, 0, 0};
    IndexCache *c = open_cache(); /* the bytes each write should make, found outside the tmpfs */
    size_t hits, len;
    cr_assert_eq(get(c, 0, NULL, &hits), CACHE_NEW);
    char file[600];
    cache_file(file, sizeof file);
    x.old_bytes = fs_slurp(file, &x.old_len);
    char *big = numbered(1400, &len);
    x.ix = build(big, len, &x.t);
    cr_assert_eq(cache_store(c, story, x.t, x.ix, NULL), 0);
    x.new_bytes = fs_slurp(file, &x.new_len);
    cr_assert_gt(x.new_len, 8 * 4096);
    cr_log_info("a new file of %zu bytes", x.new_len);
    cache_close(c);
    int rc = fs_in_tmpfs(cdir, "size=256k,nr_inodes=64", tmpfs_cache, &x);
    free(big);
    free(x.old_bytes);
    free(x.new_bytes);
    index_free(x.ix);
    text_free(x.t);
    if (rc < 0) cr_skip_test("cannot mount a tmpfs here (not root?): ENOSPC not tested");
    cr_assert_eq(rc, 0, "%s", x.race->why);
}

/* The versions the race writers store: writer k's story has 30 + 300 * k paragraphs, so that
 * the indexes are of 1 to 8 pages: a mix of two is caught by a length or a checksum. */
enum { RACE_WRITERS = 3 };
typedef struct {
    char *text;
    size_t len, text_len;
    uint64_t hash;
} RaceVersion;
static RaceVersion versions[RACE_WRITERS];

static void race_versions(void)
{
    for (int k = 0; k < RACE_WRITERS; k++) {
        versions[k].text = numbered(30 + 300 * k, &versions[k].len);
        Text *t = text_from_bytes(versions[k].text, versions[k].len, "story.txt");
        versions[k].text_len = text_len(t);
        versions[k].hash = hash_bytes(text_bytes(t), text_len(t), 0);
        text_free(t);
    }
}

/* A reader: looks the index up until told to stop; each must be whole, check in every page,
 * and be one of the versions. */
static void race_read(FsRace *r)
{
    IndexCache *c = cache_open(cdir, NULL);
    int last = -1;
    atomic_fetch_add(&r->ready, 1);
    while (!atomic_load(&r->stop)) {
        Diag note = {0};
        Index *ix = cache_lookup(c, story, false, &note);
        int which = -1;
        for (int k = 0; ix && k < RACE_WRITERS; k++)
            if (index_text_len(ix) == versions[k].text_len &&
                index_source(ix).content_hash == versions[k].hash)
                which = k;
        bool whole = ix && index_verify_all(ix) && which >= 0;
        index_free(ix);
        if (!whole) {
            fs_fail(r, "read %ld: %s: %s", atomic_load(&r->reads),
                    ix ? "a damaged index or another" : "no index", note.msg);
            break;
        }
        atomic_fetch_add(&r->reads, 1);
        if (which != last) atomic_fetch_add(&r->seen, 1);
        last = which;
    }
    cache_close(c);
}

static void race_write(FsRace *r, int k, int stores)
{
    IndexCache *c = cache_open(cdir, NULL);
    Text *t;
    Index *ix = build(versions[k].text, versions[k].len, &t);
    for (int i = 0; i < stores; i++) {
        Diag d = {0};
        if (cache_store(c, story, t, ix, &d) != 0)
            fs_fail(r, "writer %d store %d: %s", k, i, d.msg);
        atomic_fetch_add(&r->saves, 1);
    }
    index_free(ix);
    text_free(t);
    cache_close(c);
}

static void race_verdict(FsRace *r, int writers, int stores)
{
    cr_log_info("%ld writes, %ld whole reads, %ld changes seen", atomic_load(&r->saves),
                atomic_load(&r->reads), atomic_load(&r->seen));
    cr_assert_eq(atomic_load(&r->fails), 0, "%ld failures; the first: %s", atomic_load(&r->fails),
                 r->why);
    cr_assert_eq(atomic_load(&r->saves), writers * stores);
    cr_assert_geq(atomic_load(&r->seen), 3, "the readers never saw a store: no race (%ld reads)",
                  atomic_load(&r->reads));
    cr_assert_eq(fs_count(cdir, ""), 1, "only the cache file: no temp, nothing kept aside");
    for (int k = 0; k < RACE_WRITERS; k++)
        free(versions[k].text);
}

/* Three processes storing the index of one story 200 times each, every one a different index,
 * while two more look it up all along: every lookup finds one whole index, all its pages
 * checked, never a mix; no store fails. */
Test(cache, two_processes_storing_at_once_never_mix)
{
    enum { READERS = 2, STORES = 200 };
    race_versions();
    FsRace *r = fs_shared(sizeof *r);
    {
        IndexCache *c = open_cache();
        Text *t;
        Index *ix = build(versions[0].text, versions[0].len, &t);
        cr_assert_eq(cache_store(c, story, t, ix, NULL), 0);
        index_free(ix);
        text_free(t);
        cache_close(c);
    }
    for (int k = 0; k < READERS; k++)
        if (fork() == 0) {
            alarm(120); /* should the test fail before it stops them */
            race_read(r);
            _exit(0);
        }
    while (atomic_load(&r->ready) < READERS)
        usleep(1000);
    pid_t writer[RACE_WRITERS];
    for (int k = 0; k < RACE_WRITERS; k++)
        if ((writer[k] = fork()) == 0) {
            race_write(r, k, STORES);
            _exit(0);
        }
    for (int k = 0; k < RACE_WRITERS; k++) {
        int status;
        cr_assert_eq(waitpid(writer[k], &status, 0), writer[k]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d died", k);
    }
    atomic_store(&r->stop, 1);
    cr_assert(fs_wait_all(), "a reader died");
    race_verdict(r, RACE_WRITERS, STORES);
}

typedef struct {
    FsRace *race;
    int k;
} RaceThread;

static void *race_thread(void *arg)
{
    RaceThread *rt = arg;
    if (rt->k < 0)
        race_read(rt->race);
    else
        race_write(rt->race, rt->k, 300);
    return NULL;
}

/* Three threads of one process storing at once (the reader's indexer stores while its shelf
 * search may), and one looking up: the same. */
Test(cache, two_threads_storing_at_once_never_mix)
{
    race_versions();
    FsRace *r = fs_shared(sizeof *r);
    RaceThread rt[1 + RACE_WRITERS] = {{r, -1}, {r, 0}, {r, 1}, {r, 2}};
    pthread_t tid[1 + RACE_WRITERS];
    race_write(r, 0, 1);
    atomic_store(&r->saves, 0);
    cr_assert_eq(pthread_create(&tid[0], NULL, race_thread, &rt[0]), 0);
    while (atomic_load(&r->ready) < 1)
        usleep(1000);
    for (int k = 1; k <= RACE_WRITERS; k++)
        cr_assert_eq(pthread_create(&tid[k], NULL, race_thread, &rt[k]), 0);
    for (int k = 1; k <= RACE_WRITERS; k++)
        pthread_join(tid[k], NULL);
    atomic_store(&r->stop, 1);
    pthread_join(tid[0], NULL);
    race_verdict(r, RACE_WRITERS, 300);
}

/* A writer killed (SIGKILL) at a random moment of its stores, 150 times: the cache file is
 * always the old index or one of the new ones, byte for byte, and is used as it is. The temps
 * the killed writers left are never read, and the next cache_open removes them once they are a
 * minute old. */
Test(cache, a_writer_killed_at_any_moment_leaves_a_whole_file)
{
    enum { KILLS = 150 };
    IndexCache *c = open_cache();
    char *texts[3], *bytes[3], file[600];
    size_t tlen[3], len[3];
    Text *t[3];
    Index *ix[3];
    for (int k = 2; k >= 0; k--) { /* ends with version 0 in place */
        texts[k] = numbered(20 + 200 * k, &tlen[k]);
        ix[k] = build(texts[k], tlen[k], &t[k]);
        cr_assert_eq(cache_store(c, story, t[k], ix[k], NULL), 0);
        cache_file(file, sizeof file);
        bytes[k] = fs_slurp(file, &len[k]);
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 10; i++)
        cache_store(c, story, t[1 + i % 2], ix[1 + i % 2], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long cycle_us = ((b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000) / 5;
    cr_assert_eq(cache_store(c, story, t[0], ix[0], NULL), 0);
    unsigned seed = 54321;
    int seen[3] = {0};
    for (int kill_no = 0; kill_no < KILLS; kill_no++) {
        int go[2];
        cr_assert_eq(pipe(go), 0);
        pid_t kid = fork();
        if (kid == 0) {
            alarm(60); /* should the test fail before it kills this one */
            IndexCache *kc = cache_open(cdir, NULL);
            close(go[0]);
            if (write(go[1], "g", 1) != 1) _exit(1);
            for (unsigned i = 0;; i++)
                cache_store(kc, story, t[1 + i % 2], ix[1 + i % 2], NULL);
        }
        close(go[1]);
        char ch;
        ssize_t got = read(go[0], &ch, 1);
        close(go[0]);
        if (got == 1) fs_jitter(&seed, 2 * cycle_us + 10);
        kill(kid, SIGKILL);
        int status;
        cr_assert_eq(waitpid(kid, &status, 0), kid);
        cr_assert_eq(got, 1, "the writer did not start");
        int which = -1;
        for (int k = 0; k < 3; k++)
            if (fs_holds(file, bytes[k], len[k])) which = k;
        cr_assert_neq(which, -1, "kill %d: the file is none of the versions, or missing", kill_no);
        seen[which]++;
        Diag note = {0};
        Index *back = cache_lookup(c, story, false, &note);
        cr_assert_not_null(back, "kill %d: %s", kill_no, note.msg);
        cr_assert(index_verify_all(back));
        cr_assert_eq(index_text_len(back), text_len(t[which]));
        index_free(back);
    }
    cr_assert_gt(seen[1] + seen[2], 0, "no kill came after a store: the test tested nothing");
    int temps = fs_count(cdir, ".tmp-");
    cr_assert_leq(temps, KILLS, "more temps than kills");
    cr_log_info("%d kills: old %d, new %d + %d; %d temps left", KILLS, seen[0], seen[1], seen[2],
                temps);
    char name[700];
    snprintf(name, sizeof name, "%s.tmp-1-1", file);
    write_file(name, "LECTORIX half");
    DIR *dd = opendir(cdir);
    struct dirent *e;
    while ((e = readdir(dd)))
        if (strstr(e->d_name, ".tmp-")) {
            snprintf(name, sizeof name, "%s/%s", cdir, e->d_name);
            fs_age(name, 2 * 60);
        }
    closedir(dd);
    snprintf(name, sizeof name, "%s.tmp-2-2", file); /* a live writer's: kept */
    write_file(name, "LECTORIX half");
    cache_close(c);
    c = open_cache();
    write_file(story, "A story written again, so that it is stored again.\n");
    size_t hits;
    cr_assert_eq(get(c, 0, NULL, &hits), CACHE_CHANGED); /* the store sweeps first */
    cr_assert_eq(fs_count(cdir, ".tmp-"), 1, "swept, but for the young one");
    cr_assert_eq(fs_count(cdir, ""), 2);
    for (int k = 0; k < 3; k++) {
        free(texts[k]);
        free(bytes[k]);
        index_free(ix[k]);
        text_free(t[k]);
    }
    cache_close(c);
}

/* The story's own file and folder are never written, whatever the cache and the state do: its
 * bytes, size, inode, mtime and ctime (which any write, chmod or utime would move) are as they
 * were, and its folder holds the same names with the same mtime (nothing made or removed
 * there). The folder is read-only too, but the tests may run as root, where that binds
 * nothing: the stat comparison is the proof. */
Test(cache, the_story_itself_is_never_written)
{
    char books[300], path[400];
    snprintf(books, sizeof books, "%s/books", dir);
    cr_assert_eq(mkdir(books, 0700), 0);
    snprintf(path, sizeof path, "%s/story.txt", books);
    write_file(path, "The steppe wind.\n\nA grandmother sang of the steppe.\n\nThe end.\n");
    cr_assert_eq(chmod(path, 0444), 0);
    cr_assert_eq(chmod(books, 0555), 0);
    struct stat before, books_before, after, books_after;
    cr_assert_eq(stat(path, &before), 0);
    cr_assert_eq(stat(books, &books_before), 0);
    size_t len;
    char *bytes = fs_slurp(path, &len);
    usleep(20000); /* a write now would move the times past the granularity of the clock */

    IndexCache *c = open_cache();
    char sdir[400];
    snprintf(sdir, sizeof sdir, "%s/state", dir);
    StateStore *s = state_open(sdir, NULL);
    cr_assert_not_null(s);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_load(path, 0, &t, &d), 0, "%s", d.msg);
    Index *ix;
    Text *t2;
    CacheReport r;
    for (int round = 0; round < 2; round++) { /* built and stored, then fresh */
        cr_assert_eq(cache_index(c, path, 2, CACHE_VERIFY, &ix, &t2, &r, &d), 0, "%s", d.msg);
        cr_assert_eq(r.outcome, round ? CACHE_FRESH : CACHE_NEW);
        index_free(ix);
        text_free(t2);
    }
    ix = cache_lookup(c, path, false, NULL);
    cr_assert_not_null(ix);
    cr_assert_eq(cache_store(c, path, t, ix, &d), 0, "%s", d.msg);
    index_free(ix);
    char file[600];
    cache_file(file, sizeof file); /* damaged: kept aside and built again */
    write_file(file, "junk");
    cr_assert_eq(cache_index(c, path, 1, 0, &ix, &t2, &r, &d), 0);
    cr_assert_eq(r.outcome, CACHE_DAMAGED);
    index_free(ix);
    text_free(t2);
    cache_fail_at(c, ATOMIC_RENAME); /* a failed write */
    ix = index_build(t, 1, NULL);
    cr_assert_eq(cache_store(c, path, t, ix, &d), -1);
    index_free(ix);
    StoryState st, back;
    state_init(&st);
    st.offset = 20;
    st.marks[0] = 5;
    cr_assert_eq(state_save(s, path, t, &st, &d), 0, "%s", d.msg);
    cr_assert_eq(state_load(s, path, t, &back, &d), 1);
    char sfile[600];
    cr_assert(fs_find(sdir, ".state", sfile, sizeof sfile));
    write_file(sfile, "junk"); /* damaged: kept aside */
    cr_assert_eq(state_load(s, path, t, &back, &d), -1);
    state_fail_at(s, ATOMIC_WRITE);
    cr_assert_eq(state_save(s, path, t, &st, &d), -1);
    state_close(s);
    cache_close(c);
    text_free(t);

    cr_assert_eq(stat(path, &after), 0);
    cr_assert_eq(stat(books, &books_after), 0);
    cr_assert(fs_holds(path, bytes, len), "the story's bytes");
    cr_assert_eq(after.st_ino, before.st_ino, "the same file, not a new one renamed in");
    cr_assert_eq(after.st_size, before.st_size);
    cr_assert_eq(after.st_mode, before.st_mode);
    cr_assert(after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
                  after.st_mtim.tv_nsec == before.st_mtim.tv_nsec,
              "the story's mtime");
    cr_assert(after.st_ctim.tv_sec == before.st_ctim.tv_sec &&
                  after.st_ctim.tv_nsec == before.st_ctim.tv_nsec,
              "the story's ctime");
    cr_assert(books_after.st_mtim.tv_sec == books_before.st_mtim.tv_sec &&
                  books_after.st_mtim.tv_nsec == books_before.st_mtim.tv_nsec,
              "a name was made or removed in the story's folder");
    cr_assert_eq(fs_count(books, ""), 1, "only the story in its folder");
    free(bytes);
    cr_assert_eq(chmod(books, 0700), 0); /* for teardown, as a user */
}

/* The first store of an open cache sweeps only its own temps, only when a minute old; a temp is
 * never read; and a cache only read from lists nothing (opening a cache of 100,000 stories
 * listed them all at every start: 21 ms). */
Test(cache, stale_temps_are_swept_and_never_read)
{
    IndexCache *c = open_cache();
    size_t hits;
    cr_assert_eq(get(c, 0, NULL, &hits), CACHE_NEW);
    char file[600], name[700];
    cache_file(file, sizeof file);
    const struct {
        const char *suffix;
        int age, swept;
    } temps[] = {{".tmp-123-4", 120, 1},
                 {".tmp-99", 120, 1},
                 {".tmp-5-6", 10, 0},
                 {".tmp-7x", 120, 0},
                 {".bad", 120, 0}};
    for (size_t k = 0; k < sizeof temps / sizeof *temps; k++) {
        snprintf(name, sizeof name, "%s%s", file, temps[k].suffix);
        write_file(name, "junk");
        fs_age(name, temps[k].age);
    }
    cr_assert_eq(get(c, CACHE_VERIFY, "steppe", &hits), CACHE_FRESH, "temps are not read");
    cache_close(c);
    c = open_cache();
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_FRESH);
    for (size_t k = 0; k < sizeof temps / sizeof *temps; k++) { /* read from: nothing swept */
        snprintf(name, sizeof name, "%s%s", file, temps[k].suffix);
        cr_assert_eq(access(name, F_OK), 0, "%s swept by a cache only read", temps[k].suffix);
    }
    write_file(story, "The steppe again, written anew.\n");
    cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_CHANGED, "stored again");
    for (size_t k = 0; k < sizeof temps / sizeof *temps; k++) {
        snprintf(name, sizeof name, "%s%s", file, temps[k].suffix);
        cr_assert_eq(access(name, F_OK) != 0, temps[k].swept, "%s", temps[k].suffix);
    }
    cache_close(c);
}

/* The story given n numbered paragraphs (numbered()), indexed through c once; the cache file's
 * bytes, with its version set back to 4 (the format before skips) and, when reseal, its checks
 * and header hash made to match (an index as an earlier lector wrote it), else not (a bit lost in
 * this version's file), written back. */
static void set_back_to_version_4(IndexCache *c, int n, bool reseal)
{
    size_t len, hits;
    char *text = numbered(n, &len);
    write_file(story, text);
    free(text);
    cr_assert_eq(get(c, 0, NULL, &hits), CACHE_CHANGED);
    char file[600];
    cache_file(file, sizeof file);
    size_t size;
    char *bytes = fs_slurp(file, &size);
    uint32_t old = 4;
    memcpy(bytes + 8, &old, sizeof old); /* after the magic */
    if (reseal) index_reseal(bytes, size);
    int fd = open(file, O_WRONLY | O_TRUNC);
    cr_assert_eq(write(fd, bytes, size), (ssize_t)size);
    close(fd);
    free(bytes);
}

/* A cache file of an earlier version of lector (an upgrade) is not damage: it is built anew in
 * its place without a note, and nothing is kept aside (a search after an upgrade said so for
 * every story, and left a .bad file for each), whether it is read (small) or mapped (over 64
 * KiB). A file of this version whose version field alone was damaged is still damage: kept
 * aside, with a note. */
Test(cache, an_earlier_versions_file_is_replaced_without_a_word)
{
    IndexCache *c = open_cache();
    size_t hits;
    cr_assert_eq(get(c, 0, NULL, &hits), CACHE_NEW);
    const int sizes[] = {100, 4000}; /* a small file, read; one of over 64 KiB, mapped */
    for (int k = 0; k < 2; k++) {
        set_back_to_version_4(c, sizes[k], true);
        char file[600];
        cache_file(file, sizeof file);
        bool big = file_size(file) > 64 * 1024;
        cr_assert_eq(big, k == 1, "%d paragraphs: %zu bytes", sizes[k], file_size(file));
        Index *ix;
        Text *t;
        CacheReport r;
        cr_assert_eq(index_through(c, story, &ix, &t, &r), CACHE_NEW,
                     "%d: built anew (outcome %d: %s)", sizes[k], r.outcome, r.note.msg);
        cr_assert_eq(r.note.code, DIAG_OK, "%d: no note: %s", sizes[k], r.note.msg);
        index_free(ix);
        text_free(t);
        cr_assert_eq(fs_count(cdir, ".bad"), 0, "%d: nothing kept aside", sizes[k]);
        cr_assert_eq(get(c, 0, "steppe", &hits), CACHE_FRESH, "%d: this version's now", sizes[k]);
    }
    set_back_to_version_4(c, 100, false);
    expect_refused(c, "from another version of lector");
    cache_close(c);
}
