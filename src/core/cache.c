/* cache.c: index files on disk. A file is the index block as index.c lays it out (that comment
 * documents the format); its name is the hash_bytes of the story's real path, in hex, plus
 * ".idx". Files are mapped read-only, so a search touches only the pages it reads. */
#include "lector/cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lector/atomicfile.h"
#include "lector/hash.h"
#include "lector/strbuf.h"
#include "lector/xalloc.h"

struct IndexCache {
    char *dir; /* owned */
    int fail_at;
};

IndexCache *cache_open(const char *dir, Diag *diag)
{
    Strbuf path = STRBUF_INIT;
    if (dir) {
        strbuf_addstr(&path, dir);
    } else if (atomic_xdg_dir("XDG_CACHE_HOME", ".cache", &path) == 0) {
        strbuf_addstr(&path, "/index");
    } else {
        diag_set(diag, DIAG_NOT_FOUND, "no HOME or XDG_CACHE_HOME: the index is not kept");
        return NULL;
    }
    if (atomic_mkdir_p(path.buf) != 0) {
        diag_set(diag, DIAG_UNREADABLE, "%s: %s (the index is not kept)", path.buf,
                 strerror(errno));
        strbuf_release(&path);
        return NULL;
    }
    IndexCache *c = xcalloc(1, sizeof *c);
    c->dir = strbuf_detach(&path, NULL);
    return c;
}

void cache_close(IndexCache *c)
{
    if (!c) return;
    free(c->dir);
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

static void file_for(const IndexCache *c, const char *story, Strbuf *out)
{
    char real[PATH_MAX];
    const char *key = realpath(story, real) ? real : story;
    strbuf_addf(out, "%s/%016llx.idx", c->dir, (unsigned long long)hash_bytes(key, strlen(key), 0));
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

/* 1 with *ix when file holds a usable index, 0 when there is none, -1 (note set) when it is
 * there but unusable. */
static int read_cached(const char *file, Index **ix, Diag *note)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        diag_set(note, DIAG_UNREADABLE, "%s: %s", file, strerror(errno));
        return -1;
    }
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
        diag_set(note, DIAG_INVALID, "%s: index cache: empty or not a file", file);
    } else {
        void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            diag_set(note, DIAG_UNREADABLE, "%s: %s", file, strerror(errno));
        } else if (index_from_bytes(map, (size_t)st.st_size, true, ix, note) == 0) {
            rc = 1;
        } else {
            Diag d = *note;
            diag_set(note, DIAG_INVALID, "%s: %s", file, d.msg);
        }
    }
    close(fd);
    return rc;
}

static int write_index(IndexCache *c, const char *file, const Index *ix, Diag *note)
{
    size_t len;
    const void *bytes = index_bytes(ix, &len);
    int step;
    if (atomic_write(file, bytes, len, false, c->fail_at, &step) == 0) return 0;
    diag_set(note, DIAG_UNREADABLE, "%s: could not %s the index cache: %s", file,
             atomic_step_name(step), c->fail_at ? "injected fault" : strerror(errno));
    return -1;
}

int cache_index(IndexCache *c, const char *path, int threads, int flags, Index **ix, Text **text,
                CacheReport *report, Diag *diag)
{
    *ix = NULL;
    *text = NULL;
    report->outcome = CACHE_NEW;
    report->note = (Diag){0};
    struct stat st;
    bool have_stat = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    Strbuf file = STRBUF_INIT;
    Index *old = NULL;
    int found = 0;
    if (c && have_stat) {
        file_for(c, path, &file);
        found = read_cached(file.buf, &old, &report->note);
        if (found == 1 && (flags & CACHE_VERIFY) && !index_verify_all(old)) {
            diag_set(&report->note, DIAG_INVALID, "%s: index cache: damaged (a page check failed)",
                     file.buf);
            index_free(old);
            old = NULL;
            found = -1;
        }
        if (found < 0) report->outcome = CACHE_DAMAGED;
    }
    IndexSource now;
    if (have_stat) source_of(&st, 0, &now);
    if (found == 1) {
        IndexSource was = index_source(old);
        if (same_file(&was, &now)) {
            report->outcome = CACHE_FRESH;
            *ix = old;
            strbuf_release(&file);
            return 0;
        }
        report->outcome = CACHE_CHANGED;
    }
    Text *t;
    if (text_load(path, 0, &t, diag) != 0) {
        index_free(old);
        strbuf_release(&file);
        return -1;
    }
    if (!have_stat) { /* stat failed but the load did not (a race): take it now */
        struct stat again;
        if (stat(path, &again) == 0) source_of(&again, 0, &now);
    }
    now.content_hash = hash_bytes(text_bytes(t), text_len(t), 0);
    if (found == 1 && index_source(old).content_hash == now.content_hash &&
        index_text_len(old) == text_len(t)) {
        report->outcome = CACHE_TOUCHED;
        *ix = old;
    } else {
        index_free(old);
        *ix = index_build(t, threads, NULL);
    }
    index_set_source(*ix, &now);
    if (c && file.len && write_index(c, file.buf, *ix, &report->note) != 0)
        report->outcome = CACHE_UNCACHED;
    *text = t;
    strbuf_release(&file);
    return 0;
}

Index *cache_lookup(IndexCache *c, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return NULL;
    Strbuf file = STRBUF_INIT;
    file_for(c, path, &file);
    Index *ix = NULL;
    Diag note = {0};
    if (read_cached(file.buf, &ix, &note) == 1) {
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
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_set(diag, DIAG_NOT_FOUND, "%s: %s", path, strerror(errno));
        return -1;
    }
    IndexSource src;
    source_of(&st, hash_bytes(text_bytes(t), text_len(t), 0), &src);
    index_set_source(ix, &src);
    Strbuf file = STRBUF_INIT;
    file_for(c, path, &file);
    int rc = write_index(c, file.buf, ix, diag);
    strbuf_release(&file);
    return rc;
}
