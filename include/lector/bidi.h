/* bidi: display order for right-to-left text (UAX #9, the Unicode Bidirectional Algorithm, as
 * ICU 72 implements it for Unicode 15.0).
 *
 * Owns a cache (BidiCache) of the paragraph it resolved last: a screen draws the lines of one
 * paragraph one after another, and each asks for the same paragraph's levels. Works on valid
 * UTF-8 byte ranges and byte offsets; knows nothing of cells, columns or the terminal (layout
 * puts the cells in the order given here).
 *
 * The levels are resolved over a whole paragraph (rules P2-P3, X1-X10, W1-W7, N0-N2, I1-I2);
 * lines are chosen on the logical text (layout.h), and each is then ordered by rules L1-L2
 * (trailing whitespace to the paragraph level, runs reversed by level), a grapheme cluster at a
 * time so that a letter and its marks, or an emoji sequence, is never taken apart; L4 mirrors
 * brackets at odd levels (bidi_mirror). A line end inside a paragraph reads as a space here, as
 * it does in layout (UAX #9 would make it a paragraph separator): a reflowed paragraph, or a
 * stanza, is one paragraph with one direction. Embeddings, overrides and isolates (U+202A..U+202E,
 * U+2066..U+2069) are drawn as visible stand-ins by layout and are not obeyed here (a story
 * cannot reverse text unseen); the marks LRM, RLM and ALM are obeyed, and drawn as nothing.
 */
#ifndef LECTOR_BIDI_H
#define LECTOR_BIDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lector/text.h"

/* A paragraph's direction: from its first strong character (auto: P2-P3, left to right when it
 * has none), or set. */
typedef enum { BIDI_AUTO, BIDI_LTR, BIDI_RTL } BidiDirection;

typedef struct BidiCache BidiCache;

BidiCache *bidi_cache_new(void);
void bidi_cache_free(BidiCache *c); /* NULL is a no-op */

/* text[span] holds a right-to-left character (Hebrew, Arabic, Syriac, Thaana, N'Ko and the
 * other right-to-left blocks) or a bidi control: false means that in a paragraph of direction
 * auto or ltr it is drawn left to right as written, with no need to ask ICU. May say true of
 * text that turns out to need nothing (it looks at UTF-8 lead bytes, not at properties). */
bool bidi_may_reorder(const uint8_t *text, Span span);

/* bidi_may_reorder of text[span], remembered for the last span asked about: a screen asks once
 * for each of its rows, and the rows of one paragraph would scan it again each time. */
bool bidi_cache_may_reorder(BidiCache *c, const uint8_t *text, Span span);

/* The display order of one line of paragraph para (line_start..line_end, inside it), given as n
 * clusters: cluster k covers text[off[k], off[k] + len[k]), in logical order. Fills order[v]
 * with the k drawn v-th from the left, odd[k] with whether cluster k is at an odd (right-to-left)
 * level, and *rtl with whether the paragraph is (its lines are aligned right). -1 when ICU
 * fails (no memory; a paragraph over 2^31 UTF-16 units): then order is the identity, nothing is
 * odd, and *rtl is false. c caches the paragraph for the next line: text must stay as it is
 * while c holds it (bidi_cache_forget, when it may change). */
int bidi_line_order(BidiCache *c, const uint8_t *text, Span para, BidiDirection dir,
                    size_t line_start, size_t line_end, const size_t *off, const size_t *len,
                    size_t n, size_t *order, bool *odd, bool *rtl);

/* Forgets the cached paragraph (its text is about to be freed or replaced). */
void bidi_cache_forget(BidiCache *c);

/* The mirrored form of cp for display at an odd level (rule L4: "(" for ")", "«" for "»"); cp
 * when it has none. */
uint32_t bidi_mirror(uint32_t cp);

/* "auto", "ltr" or "rtl"; and back (-1 for anything else). */
const char *bidi_direction_name(BidiDirection d);
int bidi_direction_parse(const char *s);

#endif
