/* import: turns a book file into a story's text and its structure.
 *
 * Reads EPUB 2 and 3, FB2 (and .fb2.zip), HTML, Markdown (CommonMark) and Project Gutenberg
 * plain text, each also compressed with gzip, xz, bzip2 or zstd (found by content, not by
 * name). Out comes UTF-8 text in lector's story form -- paragraphs separated by a blank line,
 * verse and list lines kept as lines -- with the book's title, author, language and chapters
 * (title, nesting level, byte offset into the text). text.h calls it when a file is not a plain
 * story (import_wanted); everything after that works on the text as on any story.
 *
 * The libraries do the parsing (the field's own, all Debian packages): libarchive opens zip
 * and every compression, libxml2's XML and HTML parsers read the markup (recovering from
 * broken markup as browsers do), cmark reads CommonMark. The code here walks their results.
 *
 * Untrusted input: nothing is ever extracted to disk (archive members are read into memory by
 * name, so a member named "../x" or "/etc/x" names nothing); no external entity, DTD or network
 * resource is ever loaded, and entities are never expanded into the text; decompression stops
 * at a ratio and an absolute cap (ImportLimits) with a message naming the limit; an encrypted
 * (DRM) book is refused with a message saying so. What can be read of a damaged book is kept,
 * and notice says what could not.
 *
 * Owns nothing between calls; an ImportedBook owns its fields. Never touches the terminal.
 */
#ifndef LECTOR_IMPORT_H
#define LECTOR_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lector/diag.h"

typedef enum {
    IMPORT_PLAIN, /* a text file: not imported */
    IMPORT_EPUB,
    IMPORT_FB2,
    IMPORT_HTML,
    IMPORT_MARKDOWN,
    IMPORT_GUTENBERG, /* plain text between the START and END lines */
} ImportFormat;

/* A chapter of a book: where it starts and what it is called. */
typedef struct {
    char *title;   /* owned; valid UTF-8, one line, may hold controls (shown escaped) */
    int level;     /* 1 for the top level, 2 inside it... */
    size_t offset; /* byte offset into the story's text, at a paragraph start */
} Chapter;

typedef struct {
    ImportFormat format;
    const char *compression; /* "gzip", "xz", "bzip2", "zstd" or NULL; static */
    uint8_t *text;           /* owned; NUL-terminated; see text_is_clean below */
    size_t len;
    /* The text is valid UTF-8 with LF line ends and no BOM, so offsets into it stay offsets
     * into the story (every format but Gutenberg text, which is passed on as the file's bytes
     * for text.h to clean, and has no chapters here). */
    bool text_is_clean;
    char *title, *author, *language; /* owned; NULL when the book does not say */
    Chapter *chapters;               /* owned; offsets ascending, each < len */
    size_t nchapters;
    char *notice; /* owned; NULL, or one line on what could not be read */
} ImportedBook;

/* The limits on what a book may expand to. 0 fields take the defaults. */
typedef struct {
    size_t max_bytes; /* the most text or decompressed data: IMPORT_MAX_BYTES */
    size_t max_ratio; /* the most a compressed input may expand, as a multiple of its size,
                         beyond the first 16 MiB (a real book compresses 3-10x): 100 */
} ImportLimits;
#define IMPORT_MAX_BYTES ((size_t)256 << 20)

/* How many bytes of a file's start import_wanted needs to decide (less for a shorter file). */
enum { IMPORT_HEAD_BYTES = 65536 };

/* True when the file whose first bytes are head[0, n) (and whose name is name, may be NULL)
 * is a book to import rather than a plain story: compressed, a zip, FB2, HTML, Markdown by
 * its name, or a Project Gutenberg text. */
bool import_wanted(const uint8_t *head, size_t n, const char *name);

/* What a book's name (may be NULL) tells its importers, as bits: for the name and for each name
 * under it that a decompression leaves (story.md.gz: story.md), whether it names Markdown and
 * whether HTML. The same bytes under two names of different traits import differently (a.md and
 * a.html), so a book is known by its bytes and these (bookcache.h). 0 for most names. */
uint32_t import_name_traits(const char *name);

/* Imports the book in data[0, len) (name: for its format and messages). On success *out owns
 * everything; release it with import_book_release. -1 with one line in diag when nothing can be
 * read (not a book, encrypted, a bomb); *out is then empty. */
int import_bytes(const uint8_t *data, size_t len, const char *name, const ImportLimits *lim,
                 ImportedBook *out, Diag *diag);
void import_book_release(ImportedBook *b);

/* "EPUB", "FB2", "HTML", "Markdown", "Project Gutenberg text", "text" */
const char *import_format_name(ImportFormat f);

#endif
