/* alignout: a comparison written out for others -- JSON for programs, one HTML page for people.
 *
 * Owns the two formats (specified at the top of alignout.c): what they hold (the versions, the
 * shares of words kept, changed, removed, added and moved, every row with its paragraphs, byte
 * spans and the spans of the words that differ) and their escaping (every byte of a story is
 * escaped; the HTML page has no script and loads nothing).
 *
 * Never touches the terminal or a file: it appends to a Strbuf the caller owns and writes.
 * Borrows the Alignment and its two Texts.
 */
#ifndef LECTOR_ALIGNOUT_H
#define LECTOR_ALIGNOUT_H

#include "lector/align.h"
#include "lector/collate.h"
#include "lector/strbuf.h"
#include "lector/text.h"

/* Each version's file name (as given on the command line) and Text, side 0 then side 1. */
typedef struct {
    const char *name[2];
    const Text *text[2];
} AlignVersions;

void alignout_json(const Alignment *al, const AlignVersions *v, Strbuf *out);
void alignout_html(const Alignment *al, const AlignVersions *v, Strbuf *out);

/* The same for three or more versions (collate.h): t[0, n) and their file names, n being
 * collate_version_count(c), the base first. */
void alignout_collation_json(const Collation *c, const Text *const *t, const char *const *names,
                             Strbuf *out);
void alignout_collation_html(const Collation *c, const Text *const *t, const char *const *names,
                             Strbuf *out);

#endif
