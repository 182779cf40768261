/* golomb.c: what of golomb.h is not inline (the hot halves, reading and writing a code, are). */
#include "lector/golomb.h"

void golomb_begin(GolombWriter *w, int k, GolombFlush *flush, void *ctx)
{
    w->flush = flush;
    w->ctx = ctx;
    w->acc = 0;
    w->n = 0;
    w->k = k < 0 ? 0 : k > GOLOMB_MAX_K ? GOLOMB_MAX_K : k;
    w->len = 0;
    w->flushed = 0;
}

void golomb_end(GolombWriter *w)
{
    if (w->n) golomb_put_bits(w, 0, 8 - w->n);
    if (w->len) w->flush(w->ctx, w->buf, w->len);
    w->flushed += w->len;
    w->len = 0;
}

int golomb_order(uint64_t count, uint64_t bits)
{
    uint64_t mean = count ? (bits + count / 2) / count : 0;
    return mean < 1 ? 0 : mean - 1 > GOLOMB_MAX_K ? GOLOMB_MAX_K : (int)(mean - 1);
}
