/* sabreak.c: ICU's line break iterator over one run of SA text, converted to UTF-16 with a map
 * back to bytes. A run is given whole (its words depend on their neighbours), so callers pass a
 * bounded window of it. */
#include "lector/sabreak.h"

#include <stdlib.h>
#include <unicode/ubrk.h>

#include "lector/ucd.h"
#include "lector/xalloc.h"

size_t sabreak_words(const uint8_t *s, size_t len, size_t *cuts, size_t max)
{
    if (len == 0 || len >= INT32_MAX / 2 || max == 0) return 0;
    UChar *u = xmalloc(len * sizeof *u);
    uint32_t *at = xmalloc((len + 1) * sizeof *at); /* byte offset of each unit */
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t cp = ucd_decode(s + i, s + len, &n);
        if (cp >= 0x10000) {
            at[k] = (uint32_t)i;
            u[k++] = (UChar)(0xd800 + ((cp - 0x10000) >> 10));
            cp = 0xdc00 + ((cp - 0x10000) & 0x3ff);
        }
        at[k] = (uint32_t)i;
        u[k++] = (UChar)cp;
        i += n ? n : 1;
    }
    at[k] = (uint32_t)len;
    size_t found = 0;
    UErrorCode err = U_ZERO_ERROR;
    /* the root locale: ICU picks the dictionary by script, for all four languages at once */
    UBreakIterator *bi = ubrk_open(UBRK_LINE, "", u, (int32_t)k, &err);
    if (!U_FAILURE(err) && bi) {
        for (int32_t b = ubrk_next(bi); b != UBRK_DONE && found < max; b = ubrk_next(bi)) {
            if (b <= 0 || (size_t)b >= k) continue;
            if (u[b] >= 0xdc00 && u[b] <= 0xdfff) continue; /* inside a pair: never */
            cuts[found++] = at[b];
        }
    }
    if (bi) ubrk_close(bi);
    free(u);
    free(at);
    return found;
}
