/* fuzz_align: two stories of any bytes, aligned.
 *
 * Input: byte 0 is the separator; the rest splits at its first occurrence into story A and
 * story B. With no separator in the rest, B is A again (a story against itself).
 *
 * Invariants: all of tests/unit/align_check.h, which the unit tests hold every alignment to:
 * every paragraph of A and of B in exactly one row, rows in B's order (A's too outside moved
 * rows), counts matching the rows, diff spans a partition of ascending spans each inside one
 * paragraph of its row from a token's start to a token's end, and every score equal to the one
 * recomputed from the tokens outside the diff spans. Beyond those: a story against itself is
 * all "same" rows, each pairing a paragraph with itself, at similarity 1 (when it has a word);
 * and aligning is a function: the same input aligns the same way twice.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "lector/align.h"
#include "lector/text.h"

#define ALIGN_CHECK(cond, ...) FUZZ_CHECK(cond, __VA_ARGS__)
#include "../unit/align_check.h"

static bool same_row(const AlignRow *x, const AlignRow *y)
{
    return x->kind == y->kind && x->a == y->a && x->na == y->na && x->b == y->b && x->nb == y->nb &&
           x->score == y->score && x->diff_a == y->diff_a && x->ndiff_a == y->ndiff_a &&
           x->diff_b == y->diff_b && x->ndiff_b == y->ndiff_b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAX_INPUT) return 0;
    const uint8_t *rest = data + 1, *sep = memchr(rest, data[0], size - 1);
    size_t alen = sep ? (size_t)(sep - rest) : size - 1;
    const uint8_t *b = sep ? sep + 1 : rest;
    size_t blen = sep ? size - 1 - alen - 1 : alen;
    Text *A = text_from_bytes(rest, alen, "a.txt");
    Text *B = text_from_bytes(b, blen, "b.txt");

    Alignment *al = align_new(A, B);
    align_check_invariants(al, A, B);

    if (!sep) {
        const AlignRow *r = align_rows(al);
        size_t n = align_row_count(al);
        FUZZ_CHECK(n == align_paragraph_count(al, 0), "itself: %zu rows for %zu paragraphs%s", n,
                   align_paragraph_count(al, 0), dump_rows(al));
        for (size_t k = 0; k < n; k++)
            FUZZ_CHECK(r[k].kind == ALIGN_SAME && r[k].a == k && r[k].b == k && r[k].na == 1 &&
                           r[k].nb == 1,
                       "itself: row %zu is not paragraph %zu with itself%s", k, k, dump_rows(al));
        Toks *tok = paragraph_tokens(al, 0, A);
        size_t words = 0;
        for (size_t i = 0; i < align_paragraph_count(al, 0); i++)
            words += tok[i].n;
        toks_free(tok, align_paragraph_count(al, 0));
        FUZZ_CHECK(!words || align_similarity(al) == 1.0, "itself: similarity %.17g",
                   align_similarity(al));
    }

    /* deterministic: the same rows again */
    Alignment *again = align_new(A, B);
    size_t n = align_row_count(al);
    FUZZ_CHECK(align_row_count(again) == n, "aligning twice gives %zu rows, then %zu", n,
               align_row_count(again));
    for (size_t k = 0; k < n; k++)
        FUZZ_CHECK(same_row(&align_rows(al)[k], &align_rows(again)[k]),
                   "aligning twice gives another row %zu:%s", k, dump_rows(again));
    align_free(again);

    align_free(al);
    text_free(A);
    text_free(B);
    return 0;
}
