/* bookcache: the text of each imported book kept on disk, so that a book opens as fast as a
 * plain story of the same size, and is not imported again every time it is opened.
 *
 * Owns the folder $LECTOR_CACHE_DIR/books, else $XDG_CACHE_HOME/lector/books (else
 * ~/.cache/lector/books): one file per book, named by a hash of the book file's bytes, of what
 * its name tells the importers and of BOOKCACHE_IMPORT_VERSION (bookcache_key). The key is the
 * content, not the path: a book that is moved, renamed or downloaded again finds its text (and
 * text.h its places, state.h), and an importer that changes (a new version of lector that reads
 * books differently) bumps the version, so that every book is imported again rather than shown with
 * yesterday's text.
 *
 * A cache file holds the story's clean text first, so that text.h can map and page it like any
 * story (only what is shown is read), then the book's structure and a trailer; the format is at
 * the top of bookcache.c. It is never trusted: a file that is not exactly that (truncated, from
 * another version, chapters out of range, not UTF-8, a different source) is a miss, and the book
 * is imported again and the file replaced. Writes are atomic (atomicfile.h), without fsync: a
 * cache lost in a crash is only imported again. A write that fails (a full disk, no folder)
 * only costs the next open its import; it is not reported.
 *
 * Never writes anywhere but its folder (never the book), and never touches the terminal.
 */
#ifndef LECTOR_BOOKCACHE_H
#define LECTOR_BOOKCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "lector/import.h"
#include "lector/strbuf.h"

/* Bump when the importers' output changes for any book: cached texts of older ones are then
 * never used. */
enum { BOOKCACHE_IMPORT_VERSION = 2 };

/* The most a cache file's structure part may take: a book's chapters and metadata. */
enum { BOOKCACHE_MAX_META = 16 << 20 };

/* What a cache file says of its book, besides the text. */
typedef struct {
    ImportFormat format;
    const char *compression;         /* static (as ImportedBook's), NULL when none */
    char *title, *author, *language; /* owned; NULL when unknown */
    char *notice;                    /* owned; NULL, or the story's notice as first opened */
    Chapter *chapters;               /* owned, with their titles; offsets ascending, < text_len */
    size_t nchapters;
    size_t text_len; /* the story's bytes, at the start of the file */
} BookCacheEntry;

/* What a book file is known by: hashes of its bytes, of what its name tells the importers
 * (import_name_traits: the same bytes as a.md and as a.html are two books) and of
 * BOOKCACHE_IMPORT_VERSION. name names its cache file, check is kept inside it; 128 bits with
 * len, so that two books that differ are never taken for each other. content is name without the
 * traits: what the book's places are kept by (text_source_key), the same for a.md renamed a.txt. */
typedef struct {
    uint64_t name, check, content;
    size_t len;
} BookKey;
void bookcache_key(const void *data, size_t len, uint32_t name_traits, BookKey *k);

/* The cache file for the book known by k, into out (appended); -1 when there is no folder for it
 * (no HOME, or it cannot be made). */
int bookcache_file(const BookKey *k, Strbuf *out);

/* Reads the cache file's structure into *e and returns 0, with *fd open on the file (the
 * caller's; the text is its first e->text_len bytes); -1 when there is no usable file for k
 * (then nothing is open and there is nothing to release). */
int bookcache_read(const char *file, const BookKey *k, BookCacheEntry *e, int *fd);

/* Writes text[0, len) and e (whose text_len is ignored) as the cache file for k, atomically.
 * -1 with errno when it could not. */
int bookcache_write(const char *file, const BookKey *k, const uint8_t *text, size_t len,
                    const BookCacheEntry *e);

void bookcache_entry_release(BookCacheEntry *e); /* frees what e owns; e is then empty */

#endif
