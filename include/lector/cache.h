/* cache: the index of each story kept on disk, so that a search does not index it again.
 *
 * Owns the cache folder ($XDG_CACHE_HOME/lector/index, default ~/.cache/lector/index): one file
 * per story, named by a hash of the story's real path, or for a book (text_book_key) by a hash
 * of its content and of the importers' version ("book-<hex>.idx": a book moved or renamed keeps
 * its index, and a lector that imports books otherwise does not use an index of the old text),
 * holding the index block (index.h) with the story file's identity in its header. The cached index
 * is used when the file's size, mtime, device and inode all still match. When they do not, the
 * story is read again: if its text hashes the same (a touch, a copy back), the cached index is kept
 * and only its identity updated; else it is built again. A cache file that is damaged, truncated,
 * from another version of lector or from a machine of the other byte order is never trusted: it is
 * renamed aside to
 * "<file>.bad" (for a bug report, or to show a failing disk; one per story, each replacing the
 * one before, so that disk use stays bounded), the report's note says why and where it went,
 * and the index is built again. A cache file that cannot be read at all (no permission, not a
 * file) is left where it is, with a note.
 *
 * Writes are atomic (atomicfile.h), without fsync: a cache lost in a crash is only built again,
 * and a torn one is detected. A write that fails at any point (a full disk) leaves the previous
 * file as it was, byte for byte, and no temp file; two processes writing at once each rename a
 * whole file, never a mix; a writer killed mid-write leaves the old file or the new one, and a
 * temp that the next cache to write sweeps first, once it is a minute old.
 *
 * Never writes anywhere but its folder (never the story), and never touches the terminal.
 */
#ifndef LECTOR_CACHE_H
#define LECTOR_CACHE_H

#include <stdbool.h>

#include "lector/diag.h"
#include "lector/index.h"
#include "lector/text.h"

typedef struct IndexCache IndexCache;

/* Opens (creating it) the folder dir, or when dir is NULL $LECTOR_CACHE_DIR (set and not empty)
 * or else the XDG default, and removes the temp
 * files that writers killed over a minute ago left there; NULL with diag when it cannot be had
 * (then index without a cache). */
IndexCache *cache_open(const char *dir, Diag *diag);
void cache_close(IndexCache *c); /* NULL is a no-op */
const char *cache_dir(const IndexCache *c);

typedef enum {
    CACHE_FRESH,    /* the cached index, used as it was */
    CACHE_TOUCHED,  /* the file's identity changed, its text did not: cached index kept */
    CACHE_NEW,      /* there was none: built */
    CACHE_CHANGED,  /* the file changed: built again */
    CACHE_DAMAGED,  /* the cache file could not be used (the note says why, and where it was
                       kept aside): built again */
    CACHE_UNCACHED, /* built, but could not be written (see the note) */
} CacheOutcome;

typedef struct {
    CacheOutcome outcome;
    Diag note; /* why a cache file was refused and where it went ("index cache: truncated; kept
                  aside as /.../x.idx.bad"), or why it could not be written; code 0 if nothing */
} CacheReport;

enum { CACHE_VERIFY = 1 }; /* check every page of a cached index before using it */

/* The index of the story at path: the cached one when the file is unchanged, else built on
 * threads threads and written back. c may be NULL (no cache: always built). flags: 0 or
 * CACHE_VERIFY (without it, pages are checked as they are read: see index.h). On success *ix is
 * the caller's; *text is the story if it had to be read (the caller's, for snippets and
 * checks), else NULL. -1 with diag when the story itself cannot be read (text_open's errors) or
 * indexed (index_build_with's: too long, a scratch file failed). A story of 1 MiB or more is
 * mapped (text_open), so its length is limited only by INDEX_MAX_TEXT. */
int cache_index(IndexCache *c, const char *path, int threads, int flags, Index **ix, Text **text,
                CacheReport *report, Diag *diag);
/* cache_index, a build adding to progress (may be NULL) and stopping when it is cancelled: -1
 * then, with diag saying so. */
int cache_index_with(IndexCache *c, const char *path, int threads, int flags,
                     IndexProgress *progress, Index **ix, Text **text, CacheReport *report,
                     Diag *diag);

/* The cached index of the story at path when its file is unchanged, else NULL (nothing is read
 * but the cache file: for the reader, which reads the story itself). When the cache file was
 * refused, it is kept aside as for cache_index and note (may be NULL; untouched otherwise) says
 * why and where it went. plain: the caller knows the file is no book (text_is_plain_file), so
 * its head is not read to see (64 KiB before a big story's first screen). */
Index *cache_lookup(IndexCache *c, const char *path, bool plain, Diag *note);

/* Writes ix for the story at path (its file identity taken now, the content hash from t). For
 * an index built elsewhere (the reader builds it in the background). -1 with diag, nothing
 * written, when t's file shrank while it was read (text_shrank: the index is of a text that is
 * not the file's any more); cache_index does not write one either (its report says so). */
int cache_store(IndexCache *c, const char *path, const Text *t, Index *ix, Diag *diag);

/* Tests: make the nth write step (atomicfile.h) of later writes fail; 0 turns it off. */
void cache_fail_at(IndexCache *c, int step);

#endif
