/* fuzz_collate: three to six versions of any bytes, collated.
 *
 * Input: byte 0 is the separator; the rest splits at its occurrences into versions (at most
 * COLLATE_MAX; two to COLLATE_MAX when given, and with fewer than three pieces the pieces are
 * used again, so that there are always three).
 *
 * Invariants: tests/unit/collate_check.h (every paragraph of every version in exactly one row,
 * each version's in its own order, every row holding a paragraph, marks inside their cells,
 * ascending); and collating is a function: the same input gives the same rows twice.
 */
#include <string.h>

#include "fuzz.h"
#include "lector/collate.h"
#include "lector/text.h"

#define COLLATE_CHECK(cond, ...) FUZZ_CHECK(cond, __VA_ARGS__)
#include "../unit/collate_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAX_INPUT) return 0;
    Text *t[COLLATE_MAX];
    size_t n = 0;
    const uint8_t *at = data + 1, *end = data + size;
    while (n < COLLATE_MAX) {
        const uint8_t *sep = memchr(at, data[0], (size_t)(end - at));
        size_t len = sep ? (size_t)(sep - at) : (size_t)(end - at);
        t[n++] = text_from_bytes(at, len, "v.txt");
        if (!sep) break;
        at = sep + 1;
    }
    size_t pieces = n;
    while (n < 3) /* the pieces again */
        t[n] = t[n % pieces], n++;
    Collation *c = collate_new((const Text *const *)t, n, ALIGN_TRANSLATION_AUTO);
    FUZZ_CHECK(c, "no collation of %zu versions", n);
    collate_check(c);
    Collation *again = collate_new((const Text *const *)t, n, ALIGN_TRANSLATION_AUTO);
    FUZZ_CHECK(collate_row_count(again) == collate_row_count(c), "collating twice: %zu rows, %zu",
               collate_row_count(c), collate_row_count(again));
    for (size_t r = 0; r < collate_row_count(c); r++)
        FUZZ_CHECK(!memcmp(collate_row(c, r), collate_row(again, r), n * sizeof(CollateCell)),
                   "collating twice: row %zu differs", r);
    collate_free(again);
    collate_free(c);
    for (size_t v = 0; v < pieces; v++)
        text_free(t[v]);
    return 0;
}
