/* What import.c (containers, compression, plain formats) and import_markup.c (the libxml2
 * walkers: EPUB, FB2, HTML) share. Not a public header. */
#ifndef LECTOR_IMPORT_INTERNAL_H
#define LECTOR_IMPORT_INTERNAL_H

#include "lector/import.h"

/* A zip archive's members, read into memory by name (never to disk). */
typedef struct {
    char *name;    /* owned; as stored, which may hold "..", "/", anything */
    uint8_t *data; /* owned; NULL when not read (an image, say) */
    size_t len;
    bool encrypted; /* zip-level encryption: the data could not be read */
} ZipMember;

typedef struct {
    ZipMember *members; /* owned */
    size_t n;
} ZipArchive;

/* The member named name exactly, or NULL. */
const ZipMember *zip_find(const ZipArchive *z, const char *name);

/* Each fills out (text, title, author, language, chapters, notice) from a parsed document;
 * max_bytes bounds the text. -1 with diag when nothing could be read. */
int import_epub(const ZipArchive *z, size_t max_bytes, ImportedBook *out, Diag *diag);
int import_fb2(const uint8_t *data, size_t len, size_t max_bytes, ImportedBook *out, Diag *diag);
int import_html(const uint8_t *data, size_t len, size_t max_bytes, ImportedBook *out, Diag *diag);

/* s[0, n) as one line of valid UTF-8 (invalid bytes as U+FFFD, NUL and U+FEFF dropped, runs of
 * white space one space, trimmed), cut at about max bytes: for titles and metadata. Caller
 * frees; "" when nothing is left. */
char *import_clean_line(const uint8_t *s, size_t n, size_t max);

/* Appends a chapter (title copied) to b's list. */
void import_add_chapter(ImportedBook *b, size_t *cap, const char *title, int level, size_t offset);

#endif
