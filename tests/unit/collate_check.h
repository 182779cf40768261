/* collate_check.h: what every Collation must be, checked by test_collate and fuzz_collate.
 * Define COLLATE_CHECK(cond, ...) before including it. */
#ifndef LECTOR_COLLATE_CHECK_H
#define LECTOR_COLLATE_CHECK_H

#include "lector/collate.h"

/* Every paragraph of every version in exactly one row, each version's in its own order: row
 * after row, a version's cells start where its previous one ended and together cover all of
 * its paragraphs; a row holds at least one paragraph. Returns the rows. */
static size_t collate_check(const Collation *c)
{
    size_t n = collate_version_count(c), at[COLLATE_MAX] = {0};
    for (size_t r = 0; r < collate_row_count(c); r++) {
        const CollateCell *row = collate_row(c, r);
        size_t held = 0;
        for (size_t v = 0; v < n; v++) {
            COLLATE_CHECK(row[v].first == at[v],
                          "row %zu, version %zu: starts at paragraph %zu, the one after the last "
                          "row's is %zu",
                          r, v, row[v].first, at[v]);
            at[v] += row[v].n;
            held += row[v].n;
            if (v && row[v].n) { /* its marks inside its cell, ascending, apart */
                const Span *m;
                size_t nm;
                collate_marks(c, r, v, &m, &nm);
                Span from = collate_paragraph(c, v, row[v].first);
                Span to = collate_paragraph(c, v, row[v].first + row[v].n - 1);
                for (size_t k = 0; k < nm; k++) {
                    COLLATE_CHECK(m[k].start >= from.start && m[k].end <= to.end &&
                                      m[k].start < m[k].end,
                                  "row %zu version %zu: a mark outside its cell", r, v);
                    COLLATE_CHECK(!k || m[k].start >= m[k - 1].end, "row %zu: marks overlap", r);
                }
            }
        }
        COLLATE_CHECK(held > 0, "row %zu holds no paragraph", r);
    }
    for (size_t v = 0; v < n; v++)
        COLLATE_CHECK(at[v] == collate_paragraph_count(c, v),
                      "version %zu: rows hold %zu of its %zu paragraphs", v, at[v],
                      collate_paragraph_count(c, v));
    return collate_row_count(c);
}

#endif
