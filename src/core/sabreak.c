/* sabreak.c: ICU's line break iterator over one run of SA text, converted to UTF-16 with a map
 * back to bytes. A run is given whole (its words depend on their neighbours), so callers pass a
 * bounded window of it. */
#include "lector/sabreak.h"

#include <stdlib.h>

#include "icu_lazy.h"
#include "lector/ucd.h"
#include "lector/xalloc.h"

struct SaBreaker {
    UBreakIterator *bi; /* owned; opened by the first run that needs it */
    bool opened;        /* asked for: NULL then means no ICU */
    UChar *u;           /* the run in UTF-16; owned */
    uint32_t *at;       /* byte offset of each unit; owned */
    size_t cap;
};

static UBreakIterator *open_iterator(void)
{
    const IcuApi *icu = icu_api();
    if (!icu) return NULL; /* then no dictionary: breaks as UAX #14 gives them */
    UErrorCode err = U_ZERO_ERROR;
    /* the root locale: ICU picks the dictionary by script, for all four languages at once */
    UBreakIterator *bi = icu->brk_open(UBRK_LINE, "", NULL, 0, &err);
    if (U_FAILURE(err)) {
        if (bi) icu->brk_close(bi);
        return NULL;
    }
    return bi;
}

SaBreaker *sabreak_new(void)
{
    /* the iterator waits for the first Thai-like run: a story with none never loads ICU */
    return xcalloc(1, sizeof(SaBreaker));
}

void sabreak_free(SaBreaker *b)
{
    if (!b) return;
    if (b->bi) icu_api()->brk_close(b->bi);
    free(b->u);
    free(b->at);
    free(b);
}

size_t sabreak_words(SaBreaker *b, const uint8_t *s, size_t len, size_t *cuts, size_t max)
{
    if (len == 0 || len >= INT32_MAX / 2 || max == 0) return 0;
    SaBreaker local = {0};
    if (b && !b->opened) {
        b->opened = true;
        b->bi = open_iterator();
    }
    if (!b || !b->bi) {
        local.bi = open_iterator();
        if (!local.bi) return 0;
        b = &local;
    }
    if (len + 1 > b->cap) {
        b->cap = len + 1;
        b->u = xreallocarray(b->u, b->cap, sizeof *b->u);
        b->at = xreallocarray(b->at, b->cap, sizeof *b->at);
    }
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t cp = ucd_decode(s + i, s + len, &n);
        if (cp >= 0x10000) {
            b->at[k] = (uint32_t)i;
            b->u[k++] = (UChar)(0xd800 + ((cp - 0x10000) >> 10));
            cp = 0xdc00 + ((cp - 0x10000) & 0x3ff);
        }
        b->at[k] = (uint32_t)i;
        b->u[k++] = (UChar)cp;
        i += n ? n : 1;
    }
    b->at[k] = (uint32_t)len;
    size_t found = 0;
    UErrorCode err = U_ZERO_ERROR;
    const IcuApi *icu = icu_api(); /* loaded: b->bi is its */
    icu->brk_set_text(b->bi, b->u, (int32_t)k, &err);
    if (!U_FAILURE(err)) {
        for (int32_t p = icu->brk_next(b->bi); p != UBRK_DONE && found < max;
             p = icu->brk_next(b->bi)) {
            if (p <= 0 || (size_t)p >= k) continue;
            if (b->u[p] >= 0xdc00 && b->u[p] <= 0xdfff) continue; /* inside a pair: never */
            cuts[found++] = b->at[p];
        }
    }
    if (b == &local) {
        icu->brk_close(local.bi);
        free(local.u);
        free(local.at);
    }
    return found;
}
