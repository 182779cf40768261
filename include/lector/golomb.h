/* golomb: exponential-Golomb codes of order k, the bits of the index's postings (index.c).
 *
 * A value d >= 1 (a gap between two places of a word) is written as the code of d - 1: with
 * v = d - 1 + 2^k, of L bits, L - 1 - k zero bits and then v's L bits, most significant first,
 * packed into bytes from their top bit. A gap near 2^k costs about k + 3 bits: a common word,
 * whose gaps are ~10 tokens, takes 5 bits a place where a varint takes 8, and a long gap costs
 * twice its length less k, never more (a word that comes in bursts is not punished).
 *
 * Owns nothing: the writer fills the caller's buffer and hands full ones to the caller's
 * function; the reader borrows the bytes it reads. Reading and writing a code are inline: an
 * index build writes a code per token, and a phrase search in a long story reads hundreds of
 * millions.
 */
#ifndef LECTOR_GOLOMB_H
#define LECTOR_GOLOMB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The largest order. A code is then at most 63 bits long (at k = 0; 41 at k = 24), and the
 * reader never takes more than 57 at once after its zeros. */
enum { GOLOMB_MAX_K = 24 };

/* ---- writing ---- */
typedef void GolombFlush(void *ctx, const uint8_t *bytes, size_t len);
typedef struct {
    GolombFlush *flush; /* given each full buffer, and the last part by golomb_end */
    void *ctx;
    uint64_t acc; /* the low n bits are pending, n < 8 between calls */
    int n, k;
    size_t len;
    uint64_t flushed; /* bytes handed to flush so far */
    uint8_t buf[256];
} GolombWriter;
void golomb_begin(GolombWriter *w, int k, GolombFlush *flush, void *ctx);

/* The low count bits of v (count 0-56), as they are: the postings' header uses it for k. */
static inline void golomb_put_bits(GolombWriter *w, uint64_t v, int count)
{
    if (count <= 0) return;
    w->acc = (w->acc << count) | (v & ((UINT64_C(1) << count) - 1));
    w->n += count;
    while (w->n >= 8) {
        w->n -= 8;
        w->buf[w->len++] = (uint8_t)(w->acc >> w->n);
        if (w->len == sizeof w->buf) {
            w->flush(w->ctx, w->buf, w->len);
            w->flushed += w->len;
            w->len = 0;
        }
    }
    w->acc &= (UINT64_C(1) << w->n) - 1;
}

/* One gap, 1 to 2^32 - 1, in order k. Inline: an index build writes every token's. */
static inline void golomb_put(GolombWriter *w, uint32_t gap)
{
    uint64_t v = (uint64_t)gap - 1 + (UINT64_C(1) << w->k);
    int bits = 64 - __builtin_clzll(v), all = 2 * bits - 1 - w->k; /* the zeros, then v */
    if (all <= 56) {
        golomb_put_bits(w, v, all);
    } else {
        golomb_put_bits(w, 0, bits - 1 - w->k);
        golomb_put_bits(w, v, bits);
    }
}
/* Bits written since golomb_begin: where the next code starts (the index's skips record it). */
static inline uint64_t golomb_bits_written(const GolombWriter *w)
{
    return (w->flushed + w->len) * 8 + (uint64_t)w->n;
}
/* Zero bits to the byte's end, and the rest handed over. */
void golomb_end(GolombWriter *w);
/* The order for count gaps whose lengths in bits add up to bits: their mean length, rounded,
 * less one (0 to GOLOMB_MAX_K). Near the best order for the Bible's words (1.5% more than
 * the best, where the mean gap's log2 gives 3%). */
int golomb_order(uint64_t count, uint64_t bits);

/* ---- reading ---- */
typedef struct {
    const uint8_t *s, *end; /* bytes not read into window yet */
    uint64_t window; /* bits read, not taken: the next is the top bit; below avail zeros, or the
                      * next bits as golomb_fast_get read them ahead (golomb_at_end: zeros) */
    int avail;       /* bits in window */
} GolombReader;

static inline void golomb_reader_init(GolombReader *r, const uint8_t *s, const uint8_t *end)
{
    *r = (GolombReader){.s = s, .end = end};
}

static inline void golomb_refill(GolombReader *r)
{
    while (r->avail <= 56 && r->s < r->end) {
        r->window |= (uint64_t)*r->s++ << (56 - r->avail);
        r->avail += 8;
    }
}

/* Takes count bits (1-64, at most avail) off the window. */
static inline uint64_t golomb_take(GolombReader *r, int count)
{
    uint64_t v = r->window >> (64 - count);
    r->window = count == 64 ? 0 : r->window << count;
    r->avail -= count;
    return v;
}

/* The next count bits (1-56) as they are; false when fewer are left. */
static inline bool golomb_get_bits(GolombReader *r, int count, uint64_t *v)
{
    golomb_refill(r);
    if (count > r->avail) return false;
    *v = golomb_take(r, count);
    return true;
}

/* The next gap in order k (0 to GOLOMB_MAX_K); 0 when the bits are not a code: cut short, or a
 * gap of 2^32 or more. */
static inline uint64_t golomb_get(GolombReader *r, int k)
{
    golomb_refill(r);
    if (!r->window) return 0; /* only zeros left: no code ends here */
    int z = __builtin_clzll(r->window), bits = z + 1 + k;
    if (z > 32) return 0;
    uint64_t v;
    if (z + bits <= r->avail) { /* the usual: the whole code is in the window */
        v = golomb_take(r, z + bits);
    } else { /* up to 89 bits: the zeros, then the rest refilled behind them */
        if (z) golomb_take(r, z);
        golomb_refill(r);
        if (bits > r->avail) return 0;
        v = golomb_take(r, bits);
    }
    uint64_t gap = v - (UINT64_C(1) << k) + 1;
    return gap >> 32 ? 0 : gap;
}

/* ---- reading fast ----
 * The window refilled 8 bytes at a time, for the long walks (a phrase's "the" in a 1 GB story is
 * 15 million codes): one unaligned load a code, not a loop a byte. The load leaves bits of the
 * byte at s below avail: that byte's own bits, which any later refill (this one's or
 * golomb_refill's) ORs over them unchanged, so golomb_get and golomb_fast_get can take turns. */
static inline uint64_t golomb_load_be64(const uint8_t *s)
{
    uint64_t v;
    memcpy(&v, s, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* The next gap in order k into *gap; false, nothing taken, when it cannot be read fast: within 8
 * bytes of the end, or a code longer than the window (long, or not a code at all). The caller
 * goes on with golomb_get, which tells those apart. */
static inline bool golomb_fast_get(GolombReader *r, int k, uint64_t *gap)
{
    if (r->end - r->s < 8 || r->avail > 63) return false;
    /* every time, not when low: no branch to mispredict, and a code is mostly under 16 bits */
    r->window |= golomb_load_be64(r->s) >> r->avail;
    r->s += (63 - r->avail) >> 3;
    r->avail |= 56;
    if (!r->window) return false;
    int z = __builtin_clzll(r->window), len = 2 * z + 1 + k;
    if (len > r->avail || len >= 64) return false;
    uint64_t g = (r->window >> (64 - len)) - (UINT64_C(1) << k) + 1;
    if (g >> 32) return false; /* no story has such a gap: golomb_get says no code */
    r->window <<= len;
    r->avail -= len;
    *gap = g;
    return true;
}

/* True when what is left is the padding: fewer than 8 bits, all zero. */
static inline bool golomb_at_end(const GolombReader *r)
{
    return r->s == r->end && r->avail < 8 && !r->window;
}

#endif
