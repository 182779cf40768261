/* hash.c: four lanes of 64-bit multiply-rotate (in the spirit of xxHash64's main loop), folded
 * together with the tail. */
#include "lector/hash.h"

#include <string.h>

static const uint64_t P1 = 0x9e3779b185ebca87ull, P2 = 0xc2b2ae3d27d4eb4full,
                      P3 = 0x165667b19e3779f9ull;

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t round64(uint64_t acc, uint64_t w)
{
    return rotl(acc + w * P2, 31) * P1;
}

static uint64_t read64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

void hash_begin(HashState *s, uint64_t seed)
{
    *s = (HashState){seed + P1 + P2, seed + P2, seed, seed - P1, seed, 0};
}

void hash_stripes(HashState *s, const void *data, size_t len)
{
    const unsigned char *p = data, *end = p + (len & ~(size_t)31);
    uint64_t a = s->a, b = s->b, c = s->c, d = s->d;
    for (; p < end; p += 32) {
        a = round64(a, read64(p));
        b = round64(b, read64(p + 8));
        c = round64(c, read64(p + 16));
        d = round64(d, read64(p + 24));
    }
    *s = (HashState){a, b, c, d, s->seed, s->len + (len & ~(size_t)31)};
}

uint64_t hash_end(const HashState *s, const void *rest, size_t len)
{
    const unsigned char *p = rest, *end = p + len;
    uint64_t h, total = s->len + len;
    if (s->len) {
        h = rotl(s->a, 1) + rotl(s->b, 7) + rotl(s->c, 12) + rotl(s->d, 18);
        h = (h ^ round64(0, s->a)) * P1 + P3;
        h = (h ^ round64(0, s->b)) * P1 + P3;
        h = (h ^ round64(0, s->c)) * P1 + P3;
        h = (h ^ round64(0, s->d)) * P1 + P3;
    } else {
        h = s->seed + P3;
    }
    h += total;
    for (; end - p >= 8; p += 8)
        h = rotl(h ^ round64(0, read64(p)), 27) * P1 + P3;
    for (; p < end; p++)
        h = rotl(h ^ (*p * P3), 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    return h ^ (h >> 32);
}

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed)
{
    HashState s;
    hash_begin(&s, seed);
    hash_stripes(&s, data, len);
    size_t done = len & ~(size_t)31;
    return hash_end(&s, (const unsigned char *)data + done, len - done);
}
