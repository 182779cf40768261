/* collate: three or more versions of a story set side by side, as CollateX and Juxta do.
 *
 * The first version is the base. Each other version is aligned with it (align.h: by words, by
 * meaning in the gaps, or as a translation), and the pairwise alignments are merged into rows
 * in the order of every version:
 *   - a block is a run of base paragraphs that some version joins (a merge or a split joins
 *     them); each version's cell in the block's row is the run of its paragraphs paired with
 *     the block's (with what stands between them);
 *   - the paragraphs of a version paired with no base paragraph (added, or moved: a moved pair
 *     would break the version's order, so here it is an addition and a removal) wait for the
 *     next row where that version has a cell, and stand in a row of their own just before it,
 *     with the other versions' waiting paragraphs (or at the end).
 * So every paragraph of every version is in exactly one row, and each version's paragraphs come
 * in its own order, row after row (tests/unit/test_collate.c checks both, and fuzz_collate).
 *
 * A Collation owns the pairwise Alignments and its rows; it borrows the Texts, which must
 * outlive it. Never touches the terminal.
 */
#ifndef LECTOR_COLLATE_H
#define LECTOR_COLLATE_H

#include <stddef.h>

#include "lector/align.h"
#include "lector/text.h"

#define COLLATE_MAX 16 /* versions at most: 16 columns of 30 are already wider than a screen */

/* One version's part of a row: its paragraphs [first, first + n) (n 0: none; first is then where
 * they would be). */
typedef struct {
    size_t first, n;
} CollateCell;

typedef struct Collation Collation;

/* Collates texts[0, n) (2 <= n <= COLLATE_MAX; complete Texts), texts[0] the base. NULL when n is
 * out of range. The caller owns the result. */
Collation *collate_new(const Text *const *texts, size_t n, AlignTranslation translation);
void collate_free(Collation *c); /* NULL is a no-op */

size_t collate_version_count(const Collation *c);
size_t collate_row_count(const Collation *c);
/* Row r's cells, one per version (collate_version_count of them). Borrowed. */
const CollateCell *collate_row(const Collation *c, size_t r);
/* Version v's paragraph i, as aligned (align_paragraph). */
Span collate_paragraph(const Collation *c, size_t v, size_t i);
size_t collate_paragraph_count(const Collation *c, size_t v);
/* The alignment of the base with version v (1 <= v < count): its shares, its languages. */
const Alignment *collate_alignment(const Collation *c, size_t v);
/* The spans of version v's words (v >= 1) that the base does not have (in a translation: the
 * anchors both hold), in row r's cell: *n of them at *spans, ascending. Borrowed. */
void collate_marks(const Collation *c, size_t r, size_t v, const Span **spans, size_t *n);

#endif
