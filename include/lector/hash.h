/* hash: a fast 64-bit hash of bytes, for checksums of the index cache and content fingerprints.
 *
 * Not cryptographic: it detects accidents (a torn write, a flipped bit, an edited file), not an
 * adversary who crafts a cache file -- and a crafted cache can only make search wrong, never
 * crash it, because every read of the cache is bounds-checked as well. Four independent lanes of
 * multiply-rotate over 8-byte words, so it runs at several GB/s. The value depends on the byte
 * order of the machine, which is fine: a cache from another byte order is refused before any
 * check is compared. Owns nothing.
 */
#ifndef LECTOR_HASH_H
#define LECTOR_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);

/* The same hash in pieces, for bytes not all in memory at once: hash_begin, then hash_stripes
 * on each piece but the last (each a multiple of 32 bytes long; the rest of a piece is
 * ignored), then hash_end on the last (under 32 bytes). Gives hash_bytes of the whole. */
typedef struct {
    uint64_t a, b, c, d, seed, len;
} HashState;
void hash_begin(HashState *s, uint64_t seed);
void hash_stripes(HashState *s, const void *data, size_t len);
uint64_t hash_end(const HashState *s, const void *rest, size_t len);

#endif
