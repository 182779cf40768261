/* index: an inverted index of one story, with positions, in one flat block of bytes.
 *
 * A story's tokens (token.h) are numbered 0, 1, 2, ... in order: their positions. For each folded
 * term the index keeps the positions it occurs at; for each paragraph, the position of its first
 * token, its byte span, and the line and column it starts at. A token's bytes are found again by
 * tokenizing its paragraph (index_token_spans): the index does not store offsets, which keeps it
 * near a byte and a half per token. Documents, for ranking, are paragraphs; the pieces of a long
 * paragraph (text.h) are one.
 *
 * The block is the same in memory and on disk (format at the top of index.c): index_build makes
 * it, index_bytes hands it to the cache, index_from_bytes takes one back. A block from outside is
 * never trusted: every access is bounds-checked, and the bytes are verified against per-page
 * checksums before first use. When a check fails the index says so (index_corrupt) and answers
 * as if the damaged part were empty; the caller rebuilds it. It never crashes on bad bytes.
 *
 * Owns its block (malloc'd, or a mapping handed to index_from_bytes); borrows nothing after
 * index_build returns.
 */
#ifndef LECTOR_INDEX_H
#define LECTOR_INDEX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lector/diag.h"
#include "lector/golomb.h"
#include "lector/text.h"

typedef struct Index Index;

/* Where a story came from, for the cache to tell whether it is still the same file. */
typedef struct {
    uint64_t size, dev, ino;
    int64_t mtime_sec, mtime_nsec;
    uint64_t content_hash; /* hash_bytes of the story's text (text_bytes), seed 0 */
} IndexSource;

/* For building in the background: the builder adds to done as it goes (bytes of text indexed,
 * out of text_len) and stops early, returning NULL, when cancel is set. */
typedef struct {
    atomic_size_t done;
    atomic_bool cancel;
} IndexProgress;

/* The longest story indexed: byte offsets and positions in the block are 32 bits (a story over
 * it can be read, mapped, but not indexed). */
#define INDEX_MAX_TEXT ((size_t)UINT32_MAX)

typedef struct {
    /* Where a build that outgrows its budget writes its scratch files (created unlinked, so
     * that nothing is left behind); NULL: $TMPDIR, else /tmp. The cache passes its own folder,
     * which is on disk where /tmp may be memory. */
    const char *scratch_dir;
    /* The memory the build's term tables may hold, all threads together, before they are
     * written out (index.c, "building"); 0: 24 MiB. Tests set it small. */
    size_t budget;
} IndexBuildOptions;

/* Indexes all of t (loading it to its end) on up to threads threads (1 or more; paragraphs are
 * shared out and the postings merged), in memory near opt's budget whatever t's length: a
 * story whose tables outgrow it is built through scratch files, and its block is then a scratch
 * file of its own, mapped (index_write copies it without reading it in). opt may be NULL, and
 * so may progress. NULL with a line in diag (may be NULL) for a story over INDEX_MAX_TEXT, or
 * when a scratch file fails (a full disk); NULL (diag code 0) when cancelled. The index refers
 * to t's paragraphs by number and offset: use it with that Text, or with the same file read
 * again. */
Index *index_build_with(Text *t, int threads, IndexProgress *progress, const IndexBuildOptions *opt,
                        Diag *diag);
/* index_build_with with no options and no diag. */
Index *index_build(Text *t, int threads, IndexProgress *progress);
void index_free(Index *ix); /* NULL is a no-op */

/* The block, for writing to a cache file. Borrowed. */
const void *index_bytes(const Index *ix, size_t *len);
/* Writes the block to fd (from its current offset): 0, or -1 with errno. A block built into a
 * scratch file is copied file to file (copy_file_range), not read into this process. */
int index_write(const Index *ix, int fd);
/* Takes a block read back. owned is freed by index_free with free() (mapped false) or munmap()
 * (mapped true), also on failure. Checks the header (magic, version, byte order, sizes, header
 * checksum) and the small sections; fails with one line in *diag when it cannot be used. The
 * rest is checked page by page as it is read. */
int index_from_bytes(void *owned, size_t len, bool mapped, Index **out, Diag *diag);
/* True when block (len bytes, not taken) is an index of an earlier format, as an earlier lector
 * wrote it on a machine of this byte order: not damage, only out of date (index_from_bytes
 * refuses it too); the cache builds it anew in its place, without a word. A later format, or
 * another byte order, is refused as foreign, as before. */
bool index_earlier_version(const void *block, size_t len);
/* For tests and fuzzing: rewrites the hashes in a block (each page's check, the hash of the
 * checks, the header's own) to match its bytes, whatever else is wrong with it, so that a fuzzer's
 * changes reach the checks behind the hashes instead of all failing at the first one. Writes only
 * inside block[0, len); when the header does not say where the page checks are within len bytes,
 * only the header's hash is rewritten (and nothing when len is shorter than a header). */
void index_reseal(void *block, size_t len);
/* Checks every page now; false (and index_corrupt) when one is damaged. */
bool index_verify_all(Index *ix);
/* A check failed since the index was read: what it answered may be incomplete. */
bool index_corrupt(const Index *ix);

/* The source identity stored in the block; index_set_source fills it before writing. */
IndexSource index_source(const Index *ix);
void index_set_source(Index *ix, const IndexSource *src);
/* Facts about the story at build time, so that a search can show hits without reading the whole
 * file: its title, text length, and whether its text is the file's bytes as they are (but a
 * BOM of bom bytes), so that a paragraph can be read straight from the file. */
const char *index_title(const Index *ix);
size_t index_text_len(const Index *ix);
bool index_clean_as_read(const Index *ix, size_t *bom);

size_t index_term_count(const Index *ix);
/* Terms are in byte order; id is the rank. The term's folded bytes (not NUL-terminated in
 * general: use the length). */
const char *index_term(const Index *ix, uint32_t id, size_t *len);
/* The id of a folded term; -1 when the story does not have it. */
int64_t index_lookup(const Index *ix, const char *folded, size_t len);
/* The ids [*first, *end) of the terms starting with prefix. */
void index_prefix_range(const Index *ix, const char *prefix, size_t len, uint32_t *first,
                        uint32_t *end);
/* The positions of term id, ascending, appended to *out (grown with xreallocarray; *cap its
 * capacity); returns how many were added. */
size_t index_positions(const Index *ix, uint32_t id, uint32_t **out, size_t *n, size_t *cap);
/* How many times term id occurs (its positions' count), without reading them; 0 if damaged. */
uint32_t index_term_occurrences(const Index *ix, uint32_t id);
/* The terms [first, end) in order, each to fn with its name (into the block, len bytes) and its
 * occurrences, as index_term and index_term_occurrences give them, until fn returns false: a
 * walk of a vocabulary (a word spelt wrong, word~) checks the records' pages once for the walk
 * and reads them in a row, where each index_term checks and reads its own. A damaged record ends
 * the walk (index_corrupt says so). */
typedef bool (*IndexTermFn)(void *ctx, uint32_t id, const char *name, size_t len, uint32_t count);
void index_each_term(const Index *ix, uint32_t first, uint32_t end, IndexTermFn fn, void *ctx);

/* A walk through term id's positions, decoded as it goes: for the common words of a phrase,
 * whose lists would be hundreds of MB as arrays in a long story. Borrows the index. */
typedef struct {
    GolombReader bits; /* the term's postings (golomb.h), borrowed from the index */
    uint64_t prev;     /* the current position + 1; 0 before the first */
    uint32_t left;     /* positions not decoded yet */
    uint32_t ntokens;
    int k; /* the code's order */
    uint32_t count;
    /* the skips (index.c), borrowed: where every every-th code starts, to jump to */
    const uint8_t *start, *end;     /* the term's codes */
    const uint8_t *skip, *skip_end; /* the entries not read yet */
    uint64_t every;
    uint64_t skip_code, skip_prev,
        skip_bit; /* the next entry (its code, prev, bit); code 0: none */
} IndexCursor;
/* Starts a walk; false when the term has no positions (or they are damaged: index_corrupt). */
bool index_cursor_init(const Index *ix, uint32_t id, IndexCursor *c);
/* Moves to the first position >= target (never back) and puts it in *pos; false when there is
 * none left. In a term with skips (index.c) a far target is reached by a jump, decoding at most
 * the codes of one skip's span past it (128 in most terms, 64 on average). It reads only the
 * postings index_cursor_init checked: cursors of one index may walk on different threads at once.
 */
bool index_cursor_seek(const Index *ix, IndexCursor *c, uint32_t target, uint32_t *pos);

uint32_t index_token_count(const Index *ix);
size_t index_paragraph_count(const Index *ix);
/* The paragraph holding position pos (paragraphs with no token share their position with the
 * next, which is the one returned). */
size_t index_paragraph_of(const Index *ix, uint32_t pos);
typedef struct {
    uint32_t first, end; /* positions [first, end) */
    Span span;           /* bytes of the paragraph (piece) in the text */
    size_t line, col;    /* where it starts: 1-based line, column in characters */
} IndexParagraph;
IndexParagraph index_paragraph(const Index *ix, size_t para);
/* The paragraph holding byte off of the story, or the first one after it; the count if none (as
 * text_paragraph_at, from the index alone: for a story still loading). */
size_t index_paragraph_at(const Index *ix, size_t off);
/* Documents (paragraphs, pieces joined): how many, which one holds a position, and its span of
 * positions [first, end). */
size_t index_doc_count(const Index *ix);
size_t index_doc_of(const Index *ix, uint32_t pos);
/* index_doc_of for a walk forward: the document holding pos, looked for from document from on
 * (which starts at or before pos), galloping then bisecting; the same answer, in steps that
 * grow with the distance from `from`, not with the story (on a damaged table, index_corrupt,
 * either may answer a document that does not hold pos: a document, and in range). */
size_t index_doc_from(const Index *ix, uint32_t pos, size_t from);
void index_doc_positions(const Index *ix, size_t doc, uint32_t *first, uint32_t *end);

/* The spans of the tokens at pos[0..n) (ascending), tokenizing each paragraph once. text holds
 * len bytes of the story from offset base on (the whole text_bytes with base 0, or one paragraph
 * read from the file); a token whose paragraph is not all in them (an index of a longer story
 * than the one open) gets an empty span at its paragraph's start. */
void index_token_spans(const Index *ix, const uint8_t *text, size_t base, size_t len,
                       const uint32_t *pos, size_t n, Span *out);

#endif
