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
#include "lector/strbuf.h"
#include "lector/text.h"

/* Each version's file name (as given on the command line) and Text, side 0 then side 1. */
typedef struct {
    const char *name[2];
    const Text *text[2];
} AlignVersions;

void alignout_json(const Alignment *al, const AlignVersions *v, Strbuf *out);
void alignout_html(const Alignment *al, const AlignVersions *v, Strbuf *out);

#endif
