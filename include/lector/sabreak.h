/* sabreak: where Thai, Lao, Khmer and Burmese may break a line. These scripts write words without
 * spaces between them (UAX #14 puts their letters in class SA, "needs a dictionary"); ICU's line
 * break iterator finds the words with its dictionaries for all four. lector's own UAX #14 engine
 * (linebreak.h) does everything else: layout asks here only inside a run of SA letters.
 *
 * Owns a SaBreaker: ICU's iterator and buffers, kept between calls (opening an iterator costs far
 * more than using it; ICU keeps its dictionaries loaded, process-wide, itself). Works on valid
 * UTF-8. Never touches the terminal.
 */
#ifndef LECTOR_SABREAK_H
#define LECTOR_SABREAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* cp is a letter or mark of a script of class SA: Thai, Lao, Myanmar, Khmer, Tai Le, New Tai
 * Lue, Tai Tham, Tai Viet (their blocks). */
static inline bool sabreak_is_sa(uint32_t cp)
{
    if (cp < 0x0e00 || cp > 0xaadf) return false; /* most text: one test */
    return (cp >= 0x0e00 && cp <= 0x0eff) ||      /* Thai, Lao */
           (cp >= 0x1000 && cp <= 0x109f) ||      /* Myanmar */
           (cp >= 0x1780 && cp <= 0x17ff) ||      /* Khmer */
           (cp >= 0x1950 && cp <= 0x19ff) ||      /* Tai Le, New Tai Lue, Khmer Symbols */
           (cp >= 0x1a20 && cp <= 0x1aaf) ||      /* Tai Tham */
           (cp >= 0xa9e0 && cp <= 0xa9ff) ||      /* Myanmar Extended-B */
           (cp >= 0xaa60 && cp <= 0xaadf);        /* Myanmar Extended-A, Tai Viet */
}

typedef struct SaBreaker SaBreaker;
SaBreaker *sabreak_new(void);
void sabreak_free(SaBreaker *b); /* NULL is a no-op */

/* The words of s[0, len), a run of SA text: fills cuts with the byte offsets (ascending,
 * between 0 and len exclusive, at code point starts) where a line may break, at most max of
 * them; returns how many. 0 when ICU cannot say (then the run is one word, as before). b may
 * be NULL: an iterator is opened for the call (slow: for a few calls). */
size_t sabreak_words(SaBreaker *b, const uint8_t *s, size_t len, size_t *cuts, size_t max);

#endif
