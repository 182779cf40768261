/* grapheme: extended grapheme clusters (UAX #29, Unicode 15.0), the unit lector never splits.
 *
 * Owns nothing. Works on valid UTF-8 only (text.h makes it so). Cluster segmentation is
 * determined by starting from a known boundary, so callers can resume at any cluster start
 * with no saved state: that is what lets layout be lazy.
 */
#ifndef LECTOR_GRAPHEME_H
#define LECTOR_GRAPHEME_H

#include <stddef.h>
#include <stdint.h>

/* Byte length of the grapheme cluster that starts at s[0]; 0 when len == 0. s must start at a
 * cluster boundary. Never reads past s + len. */
size_t grapheme_next(const uint8_t *s, size_t len);

#endif
