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

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data, *end = p + len;
    uint64_t h;
    if (len >= 32) {
        uint64_t a = seed + P1 + P2, b = seed + P2, c = seed, d = seed - P1;
        for (; end - p >= 32; p += 32) {
            a = round64(a, read64(p));
            b = round64(b, read64(p + 8));
            c = round64(c, read64(p + 16));
            d = round64(d, read64(p + 24));
        }
        h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18);
        h = (h ^ round64(0, a)) * P1 + P3;
        h = (h ^ round64(0, b)) * P1 + P3;
        h = (h ^ round64(0, c)) * P1 + P3;
        h = (h ^ round64(0, d)) * P1 + P3;
    } else {
        h = seed + P3;
    }
    h += (uint64_t)len;
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
