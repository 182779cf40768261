/* cache.c: index files on disk. A file is the index block as index.c lays it out (that comment
 * documents the format); its name is the hash_bytes of the story's real path (seeded with the
 * importers' version less 2: path_file_for), in hex, plus ".idx", or for a book "book-", the
 * hash of its content and of what its name tells the importers (text_book_key), ".idx". A file
 * over 64 KiB is mapped read-only, so a search touches only the pages it reads; a smaller one is
 * read (CACHE_READ_MAX). Beside them: "<name>.bad", the last file of that story that was refused
 * (one per story, each replacing the one before), and "<name>.tmp-PID-N", the temp of a write in
 * progress or of a writer that was killed (swept before an open cache's first write, once it is
 * a minute old). */
#include "lector/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lector/atomicfile.h"
#include "lector/bookcache.h"
#include "lector/hash.h"
#include "lector/import.h"
#include "lector/strbuf.h"
#include "lector/xalloc.h"

struct IndexCache {
    char *dir; /* owned */
    int fail_at;
    /* the folder of the last story named (as named) and its real path, both owned or NULL: the
     * stories of a shelf share one, which realpath would resolve again, a readlink a component */
    pthread_mutex_t folder_lock; /* searches index stories on several threads */
    char *folder, *folder_real;
    /* the temps of a writer that was killed are swept before this cache's first write, not when
     * it opens: listing a cache of 100,000 stories took 21 ms of every start and every search */
    atomic_bool swept;
};

IndexCache *cache_open(const char *dir, Diag *diag)
{
    Strbuf path = STRBUF_INIT;
    if (!dir) dir = getenv("LECTOR_CACHE_DIR"); /* one cache for the reader and the subcommands */
    if (dir && *dir) {
        strbuf_addstr(&path, dir);
    } else if (atomic_xdg_dir("XDG_CACHE_HOME", ".cache", &path) == 0) {
        strbuf_addstr(&path, "/index");
    } else {
        diag_set(diag, DIAG_NOT_FOUND,
                 "the search index is not kept between runs: set HOME or XDG_CACHE_HOME");
        return NULL;
    }
    if (atomic_mkdir_p(path.buf) != 0) {
        diag_set(diag, DIAG_UNREADABLE,
                 "the search index is not kept between runs: %s: %s (set XDG_CACHE_HOME to a "
                 "folder you can write)",
                 path.buf, strerror(errno));
        strbuf_release(&path);
        return NULL;
    }
    IndexCache *c = xcalloc(1, sizeof *c);
    c->dir = strbuf_detach(&path, NULL);
    pthread_mutex_init(&c->folder_lock, NULL);
    return c;
}

void cache_close(IndexCache *c)
{
    if (!c) return;
    free(c->dir);
    free(c->folder);
    free(c->folder_real);
    pthread_mutex_destroy(&c->folder_lock);
    free(c);
}

const char *cache_dir(const IndexCache *c)
{
    return c->dir;
}

void cache_fail_at(IndexCache *c, int step)
{
    c->fail_at = step;
}

/* realpath(story) into real (PATH_MAX bytes): the real path of its folder, kept from the story
 * before when the folder is the same, and its name, when that is not a symbolic link (nor "." or
 * ".."); realpath itself otherwise. NULL when it cannot be had. not_link: the caller's lstat
 * found story not a link (it is not looked at again: a path looked up costs a shelf of small
 * stories as much as reading their indexes). */
static char *real_path(IndexCache *c, const char *story, bool not_link, char *real)
{
    const char *slash = strrchr(story, '/');
    struct stat st;
    if (!slash || slash == story || !slash[1] || !strcmp(slash, "/.") || !strcmp(slash, "/..") ||
        (!not_link && (lstat(story, &st) != 0 || S_ISLNK(st.st_mode))))
        return realpath(story, real);
    size_t dlen = (size_t)(slash - story);
    bool have = false;
    pthread_mutex_lock(&c->folder_lock);
    if (!c->folder || strlen(c->folder) != dlen || memcmp(c->folder, story, dlen) != 0) {
        char *folder = xmalloc(dlen + 1), dreal[PATH_MAX];
        memcpy(folder, story, dlen);
        folder[dlen] = 0;
        free(c->folder);
        free(c->folder_real);
        c->folder = folder;
        c->folder_real = realpath(folder, dreal) ? xstrdup(dreal) : NULL;
    }
    if (c->folder_real) /* "/" and "/x" make "/x", not "//x" */
        have = snprintf(real, PATH_MAX, "%s%s", strcmp(c->folder_real, "/") ? c->folder_real : "",
                        slash) < PATH_MAX;
    pthread_mutex_unlock(&c->folder_lock);
    return have ? real : realpath(story, real);
}

/* The name of a story's file when the story is not a book: by its real path, hashed with the
 * importers' version (counted from 2, so that the names made before it counted stay): a lector
 * whose importers might call the story a book now does not find the file made when they did not
 * (fresh_by_path trusts that). */
static void path_file_for(IndexCache *c, const char *story, bool not_link, Strbuf *out)
{
    char real[PATH_MAX];
    const char *key = real_path(c, story, not_link, real) ? real : story;
    uint64_t seed = BOOKCACHE_IMPORT_VERSION - 2;
    strbuf_addf(out, "%s/%016llx.idx", c->dir,
                (unsigned long long)hash_bytes(key, strlen(key), seed));
}

static void file_for(IndexCache *c, const char *story, Strbuf *out)
{
    uint64_t book;
    if (text_book_key(story, &book) == 1) { /* a book by its content (and importer version) */
        strbuf_addf(out, "%s/book-%016llx.idx", c->dir, (unsigned long long)book);
        return;
    }
    path_file_for(c, story, false, out);
}

static void source_of(const struct stat *st, uint64_t content_hash, IndexSource *src)
{
    *src = (IndexSource){(uint64_t)st->st_size,        (uint64_t)st->st_dev,
                         (uint64_t)st->st_ino,         (int64_t)st->st_mtim.tv_sec,
                         (int64_t)st->st_mtim.tv_nsec, content_hash};
}

static bool same_file(const IndexSource *a, const IndexSource *b)
{
    return a->size == b->size && a->dev == b->dev && a->ino == b->ino &&
           a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec;
}

enum { CACHED = 1, NONE = 0, UNREADABLE = -1, REFUSED = -2 };

/* A cache file up to this size is read into memory; a larger one is mapped. */
#define CACHE_READ_MAX (64 * 1024)

/* CACHED with *ix when file holds a usable index; NONE when there is none, or only one of an
 * earlier format (index_earlier_version), which is not damage: built anew over it, without a word
 * (a new lector would otherwise keep aside, and say so for, every story's index once);
 * UNREADABLE (note set) when it cannot be read (no permission, not a file: left where it is);
 * REFUSED (note set) when its content is not a usable index (keep_aside it). */
static int read_cached(const char *file, Index **ix, Diag *note)
{
    /* O_NONBLOCK: a FIFO put there must not hang a search (it is refused just below) */
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT) return NONE;
        diag_set(note, DIAG_UNREADABLE, "%s: %s", file, strerror(errno));
        return UNREADABLE;
    }
    struct stat st;
    int rc = UNREADABLE;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        diag_set(note, DIAG_UNREADABLE, "%s: index cache: not a file", file);
    } else if (st.st_size <= 0) {
        diag_set(note, DIAG_INVALID, "index cache: empty");
        rc = REFUSED;
    } else if (st.st_size <= CACHE_READ_MAX) {
        /* small: read, not mapped (a shelf of small stories maps one a story otherwise, and each
         * mapping's fault, unmapping and the other thread's TLB flush cost more than the copy) */
        uint8_t *buf = xmalloc((size_t)st.st_size);
        size_t got = 0;
        ssize_t r = 0;
        while (got < (size_t)st.st_size) {
            r = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break; /* an error (below), or the file shrank: what was read is judged */
            got += (size_t)r;
        }
        if (r < 0) { /* the disk, not the file: left where it is */
            diag_set(note, DIAG_UNREADABLE, "%s: %s", file, strerror(errno));
            free(buf);
        } else if (index_earlier_version(buf, got)) {
            free(buf);
            rc = NONE;
        } else { /* index_from_bytes takes buf (freed by index_free, or now when it fails) */
            rc = index_from_bytes(buf, got, false, ix, note) == 0 ? CACHED : REFUSED;
        }
    } else {
        void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            diag_set(note, DIAG_UNREADABLE, "%s: %s", file, strerror(errno));
        } else if (index_earlier_version(map, (size_t)st.st_size)) {
            munmap(map, (size_t)st.st_size);
            rc = NONE;
        } else if (index_from_bytes(map, (size_t)st.st_size, true, ix, note) == 0) {
            rc = CACHED;
        } else {
            rc = REFUSED; /* the note says why, as "index cache: truncated" */
        }
    }
    close(fd);
    return rc;
}

/* The index of a story that is not a book, from its path's file, when that is usable and fresh
 * (the file's identity is st) -- found without reading the story's head to see whether it is a
 * book (text_book_key reads 64 KiB a story: a tenth of a warm search of a shelf). Such a file is
 * made only for a story that was not one, with that identity and these importers
 * (path_file_for). Not for a story whose name may make it a book (a .md, a .html): the verdict
 * depends on the name, and a link named plain.txt to it has made a plain index under the same
 * real path. NULL otherwise, the file left as it is: the caller's whole way then says why. */
static Index *fresh_by_path(IndexCache *c, const char *path, const struct stat *st, bool not_link,
                            bool verify)
{
    if (import_name_traits(path)) return NULL;
    Strbuf file = STRBUF_INIT;
    path_file_for(c, path, not_link, &file);
    Index *ix = NULL;
    Diag ignored = {0};
    int found = read_cached(file.buf, &ix, &ignored);
    strbuf_release(&file);
    if (found != CACHED) return NULL;
    IndexSource was = index_source(ix), now;
    source_of(st, 0, &now);
    if (!same_file(&was, &now) || (verify && !index_verify_all(ix))) {
        index_free(ix);
        return NULL;
    }
    return ix;
}

/* Renames a refused cache file to "<file>.bad" (replacing the story's previous one, so that
 * the cache never holds more than one per story), and adds to the note (which says why it was
 * refused) where it went. Kept rather than overwritten by the index built next: a damaged file
 * is the evidence of a failing disk or of a bug. */
static void keep_aside(const char *file, Diag *note)
{
    Strbuf bad = STRBUF_INIT;
    strbuf_addf(&bad, "%s.bad", file);
    Diag why = *note;
    if (rename(file, bad.buf) == 0)
        diag_set(note, DIAG_INVALID, "%s; kept aside as %s", why.msg, bad.buf);
    else
        diag_set(note, DIAG_INVALID, "%s: %s (could not keep it aside: %s)", file, why.msg,
                 strerror(errno));
    strbuf_release(&bad);
}

/* Writes ix to file; -1 with note when it could not (a note already there, saying where a
 * damaged file went, is kept in front). */
static int write_block(int fd, void *ix)
{
    return index_write(ix, fd);
}

static int write_index(IndexCache *c, const char *file, const Index *ix, Diag *note)
{
    int step;
    atomic_sweep_once(&c->swept, c->dir);
    if (atomic_write_with(file, write_block, (void *)ix, false, c->fail_at, &step) == 0) return 0;
    Diag before = note ? *note : (Diag){0};
    diag_set(note, DIAG_UNREADABLE, "%s%s%s: could not %s the index cache: %s", before.msg,
             before.code ? "; then " : "", file, atomic_step_name(step),
             c->fail_at ? "injected fault" : strerror(errno));
    return -1;
}

/* Why an index of a story whose file was cut while it was read is not written: its text is not
 * the file's (the part cut off read as NUL bytes), yet the file's size and time would pass it
 * as the shorter file's. */
static void note_shrank(const char *path, Diag *d)
{
    diag_set(d, DIAG_INVALID, "%s: the file shrank while it was read: its index is not kept", path);
}

int cache_index(IndexCache *c, const char *path, int threads, int flags, Index **ix, Text **text,
                CacheReport *report, Diag *diag)
{
    return cache_index_with(c, path, threads, flags, NULL, ix, text, report, diag);
}

int cache_index_with(IndexCache *c, const char *path, int threads, int flags,
                     IndexProgress *progress, Index **ix, Text **text, CacheReport *report,
                     Diag *diag)
{
    *ix = NULL;
    *text = NULL;
    report->outcome = CACHE_NEW;
    report->note = (Diag){0};
    struct stat st;
    /* lstat first: a story that is not a link needs no second look (real_path) */
    bool not_link = lstat(path, &st) == 0 && !S_ISLNK(st.st_mode);
    bool have_stat = (not_link || stat(path, &st) == 0) && S_ISREG(st.st_mode);
    Strbuf file = STRBUF_INIT;
    Index *old = NULL;
    int found = NONE;
    if (c && have_stat) {
        Index *fresh = fresh_by_path(c, path, &st, not_link, flags & CACHE_VERIFY);
        if (fresh) {
            report->outcome = CACHE_FRESH;
            *ix = fresh;
            return 0;
        }
        file_for(c, path, &file);
        found = read_cached(file.buf, &old, &report->note);
        if (found == CACHED && (flags & CACHE_VERIFY) && !index_verify_all(old)) {
            diag_set(&report->note, DIAG_INVALID, "index cache: damaged (a page check failed)");
            index_free(old);
            old = NULL;
            found = REFUSED;
        }
        if (found == REFUSED) keep_aside(file.buf, &report->note);
        if (found < 0) report->outcome = CACHE_DAMAGED;
    }
    IndexSource now;
    if (have_stat) source_of(&st, 0, &now);
    if (found == CACHED) {
        IndexSource was = index_source(old);
        if (same_file(&was, &now)) {
            report->outcome = CACHE_FRESH;
            *ix = old;
            strbuf_release(&file);
            return 0;
        }
        report->outcome = CACHE_CHANGED;
    }
    Text *t; /* mapped when it can be: a story of any length up to INDEX_MAX_TEXT is indexed */
    TextOpenOptions topt = {.scratch_dir = c ? cache_dir(c) : NULL};
    if (text_open_with(path, &topt, &t, diag) != 0) {
        index_free(old);
        strbuf_release(&file);
        return -1;
    }
    if (!have_stat) { /* stat failed but the load did not (a race): take it now */
        struct stat again;
        if (stat(path, &again) == 0) source_of(&again, 0, &now);
    }
    if (!progress) {
        text_load_all(t);
    } else { /* a step at a time, so that a stop asked for while a long story loads is heeded */
        while (!text_load_step(t))
            if (atomic_load(&progress->cancel)) {
                diag_set(diag, DIAG_INVALID, "%s: indexing stopped", path);
                text_free(t);
                index_free(old);
                strbuf_release(&file);
                return -1;
            }
    }
    now.content_hash = text_content_hash(t);
    if (found == CACHED && index_source(old).content_hash == now.content_hash &&
        index_text_len(old) == text_len(t)) {
        report->outcome = CACHE_TOUCHED;
        *ix = old;
    } else {
        index_free(old);
        IndexBuildOptions opt = {.scratch_dir = c ? cache_dir(c) : NULL};
        *ix = index_build_with(t, threads, progress, &opt, diag);
        if (!*ix) {
            if (progress && atomic_load(&progress->cancel))
                diag_set(diag, DIAG_INVALID, "%s: indexing stopped", path);
            text_free(t);
            strbuf_release(&file);
            return -1;
        }
    }
    index_set_source(*ix, &now);
    if (c && file.len && text_shrank(t)) { /* an index of what is not the file's text now */
        note_shrank(path, &report->note);
        report->outcome = CACHE_UNCACHED;
    } else if (c && file.len && write_index(c, file.buf, *ix, &report->note) != 0) {
        report->outcome = CACHE_UNCACHED;
    }
    *text = t;
    strbuf_release(&file);
    return 0;
}

Index *cache_lookup(IndexCache *c, const char *path, bool plain, Diag *note)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return NULL;
    Index *fresh = fresh_by_path(c, path, &st, false, false);
    if (fresh) return fresh;
    Strbuf file = STRBUF_INIT;
    if (plain && !import_name_traits(path)) /* as file_for finds it, without reading the head */
        path_file_for(c, path, false, &file);
    else
        file_for(c, path, &file);
    Index *ix = NULL;
    Diag why = {0};
    int found = read_cached(file.buf, &ix, &why);
    if (found == REFUSED) { /* else the reader's own build would overwrite it unseen */
        keep_aside(file.buf, &why);
        diag_set(note, why.code, "%s", why.msg);
    }
    if (found == CACHED) {
        IndexSource was = index_source(ix), now;
        source_of(&st, 0, &now);
        if (!same_file(&was, &now)) {
            index_free(ix);
            ix = NULL;
        }
    }
    strbuf_release(&file);
    return ix;
}

int cache_store(IndexCache *c, const char *path, const Text *t, Index *ix, Diag *diag)
{
    if (text_shrank(t)) {
        note_shrank(path, diag);
        return -1;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_set(diag, DIAG_NOT_FOUND, "%s: %s", path, strerror(errno));
        return -1;
    }
    IndexSource src;
    source_of(&st, text_content_hash(t), &src);
    index_set_source(ix, &src);
    Strbuf file = STRBUF_INIT;
    file_for(c, path, &file);
    Diag note = {0}; /* fresh: diag may hold an older message, which is not ours to prefix */
    int rc = write_index(c, file.buf, ix, &note);
    if (rc != 0) diag_set(diag, note.code, "%s", note.msg);
    strbuf_release(&file);
    return rc;
}
