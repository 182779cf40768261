/* collate.c: rows of three or more versions, from each version's alignment with the base.
 *
 * Linear in the paragraphs of all versions after the pairwise alignments: one pass over each
 * alignment's rows for its pairs, one over the base for the blocks.
 */
#include "lector/collate.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lector/xalloc.h"

struct Collation {
    size_t n;                   /* versions */
    Alignment *al[COLLATE_MAX]; /* al[v]: the base with version v; al[0] unused */
    CollateCell *cells;         /* row r's cells: cells[r * n, r * n + n) */
    size_t nrows, cap;
    Span *marks[COLLATE_MAX]; /* version v's marked words in its paired rows, ascending */
    size_t nmarks[COLLATE_MAX];
};

static CollateCell *add_row(Collation *c)
{
    if (c->nrows == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->cells = xreallocarray(c->cells, c->cap * c->n, sizeof *c->cells);
    }
    return &c->cells[c->nrows++ * c->n];
}

Collation *collate_new(const Text *const *texts, size_t n, AlignTranslation translation)
{
    if (n < 2 || n > COLLATE_MAX) return NULL;
    Collation *c = xcalloc(1, sizeof *c);
    c->n = n;
    for (size_t v = 1; v < n; v++)
        c->al[v] = align_new_with(texts[0], texts[v], translation);
    size_t nbase = align_paragraph_count(c->al[1], 0);
    /* joined[i]: some version's pair holds base paragraphs i - 1 and i (one block) */
    bool *joined = xcalloc(nbase + 1, sizeof *joined);
    /* pair_b[v][i], pair_e[v][i]: the version's paragraphs paired with base paragraph i */
    size_t *pair_b = xmalloc((n * (nbase + 1)) * sizeof *pair_b);
    size_t *pair_e = xmalloc((n * (nbase + 1)) * sizeof *pair_e);
    for (size_t v = 1; v < n; v++) {
        const AlignRow *rows = align_rows(c->al[v]);
        const Span *d = align_diff_spans(c->al[v], 1);
        size_t *pb = pair_b + v * (nbase + 1), *pe = pair_e + v * (nbase + 1);
        for (size_t i = 0; i < nbase; i++)
            pb[i] = pe[i] = SIZE_MAX;
        size_t cap = 0;
        for (size_t k = 0; k < align_row_count(c->al[v]); k++) {
            const AlignRow *r = &rows[k];
            if (!r->na || !r->nb || r->kind == ALIGN_MOVED) continue;
            for (size_t i = r->a; i < r->a + r->na; i++) {
                pb[i] = r->b;
                pe[i] = r->b + r->nb;
                if (i > r->a) joined[i] = true;
            }
            if (c->nmarks[v] + r->ndiff_b > cap) {
                cap = (c->nmarks[v] + r->ndiff_b) * 2;
                c->marks[v] = xreallocarray(c->marks[v], cap, sizeof *c->marks[v]);
            }
            if (r->ndiff_b)
                memcpy(c->marks[v] + c->nmarks[v], d + r->diff_b, r->ndiff_b * sizeof *d);
            c->nmarks[v] += r->ndiff_b;
        }
    }
    size_t next[COLLATE_MAX] = {0}, cb[COLLATE_MAX], ce[COLLATE_MAX];
    for (size_t i = 0; i < nbase;) {
        size_t e = i + 1;
        while (e < nbase && joined[e])
            e++;
        bool waiting = false;
        for (size_t v = 1; v < n; v++) { /* each version's cell: the paragraphs paired in [i, e) */
            cb[v] = SIZE_MAX;
            ce[v] = 0;
            for (size_t q = i; q < e; q++) {
                size_t b = pair_b[v * (nbase + 1) + q];
                if (b == SIZE_MAX) continue;
                if (b < cb[v]) cb[v] = b;
                if (pair_e[v * (nbase + 1) + q] > ce[v]) ce[v] = pair_e[v * (nbase + 1) + q];
            }
            waiting |= cb[v] != SIZE_MAX && cb[v] > next[v];
        }
        if (waiting) { /* what the versions added before this block */
            CollateCell *row = add_row(c);
            row[0] = (CollateCell){i, 0};
            for (size_t v = 1; v < n; v++) {
                bool w = cb[v] != SIZE_MAX && cb[v] > next[v];
                row[v] = (CollateCell){next[v], w ? cb[v] - next[v] : 0};
                if (w) next[v] = cb[v];
            }
        }
        CollateCell *row = add_row(c);
        row[0] = (CollateCell){i, e - i};
        for (size_t v = 1; v < n; v++) {
            if (cb[v] == SIZE_MAX) {
                row[v] = (CollateCell){next[v], 0};
                continue;
            }
            row[v] = (CollateCell){cb[v], ce[v] - cb[v]};
            next[v] = ce[v];
        }
        i = e;
    }
    bool left = false; /* what the versions added after the base's end */
    for (size_t v = 1; v < n; v++)
        left |= next[v] < align_paragraph_count(c->al[v], 1);
    if (left) {
        CollateCell *row = add_row(c);
        row[0] = (CollateCell){nbase, 0};
        for (size_t v = 1; v < n; v++)
            row[v] = (CollateCell){next[v], align_paragraph_count(c->al[v], 1) - next[v]};
    }
    free(joined);
    free(pair_b);
    free(pair_e);
    return c;
}

void collate_free(Collation *c)
{
    if (!c) return;
    for (size_t v = 1; v < c->n; v++) {
        align_free(c->al[v]);
        free(c->marks[v]);
    }
    free(c->cells);
    free(c);
}

size_t collate_version_count(const Collation *c)
{
    return c->n;
}

size_t collate_row_count(const Collation *c)
{
    return c->nrows;
}

const CollateCell *collate_row(const Collation *c, size_t r)
{
    return &c->cells[r * c->n];
}

Span collate_paragraph(const Collation *c, size_t v, size_t i)
{
    return v ? align_paragraph(c->al[v], 1, i) : align_paragraph(c->al[1], 0, i);
}

size_t collate_paragraph_count(const Collation *c, size_t v)
{
    return v ? align_paragraph_count(c->al[v], 1) : align_paragraph_count(c->al[1], 0);
}

const Alignment *collate_alignment(const Collation *c, size_t v)
{
    return c->al[v];
}

void collate_marks(const Collation *c, size_t r, size_t v, const Span **spans, size_t *n)
{
    const CollateCell *cell = &collate_row(c, r)[v];
    *spans = NULL;
    *n = 0;
    if (!v || !cell->n || !c->nmarks[v]) return;
    size_t from = collate_paragraph(c, v, cell->first).start;
    size_t to = collate_paragraph(c, v, cell->first + cell->n - 1).end;
    const Span *m = c->marks[v];
    size_t lo = 0, hi = c->nmarks[v];
    while (lo < hi) { /* the first mark at or past from */
        size_t mid = lo + (hi - lo) / 2;
        if (m[mid].start < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t e = lo;
    while (e < c->nmarks[v] && m[e].end <= to)
        e++;
    *spans = m + lo;
    *n = e - lo;
}
