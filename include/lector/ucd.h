/* ucd: the Unicode character properties lector needs, in one lookup.
 *
 * Owns the generated property tables (src/core/ucd_tables.c, made by scripts/gen-ucd.py from
 * Unicode 15.0 as Debian's unicode-data ships it) and a fast UTF-8 decoder for text that is
 * already known to be valid. libunistring 1.0 carries Unicode 14 data and does not expose the
 * line-break class, so the break engines read this table instead: one load per code point gives
 * the line-break class, grapheme-break class, width and emoji flags.
 *
 * Never allocates; never validates (see text.h for turning untrusted bytes into valid UTF-8).
 */
#ifndef LECTOR_UCD_H
#define LECTOR_UCD_H

#include <stddef.h>
#include <stdint.h>

/* Line_Break classes after rule LB1 (AI, SG, XX -> AL; SA -> CM or AL; CJ -> NS). */
enum UcdLineBreak {
    LB_BK,
    LB_CR,
    LB_LF,
    LB_NL,
    LB_SP,
    LB_ZW,
    LB_ZWJ,
    LB_CM,
    LB_WJ,
    LB_GL,
    LB_OP,
    LB_CL,
    LB_CP,
    LB_QU,
    LB_NS,
    LB_EX,
    LB_SY,
    LB_IS,
    LB_PR,
    LB_PO,
    LB_NU,
    LB_AL,
    LB_HL,
    LB_ID,
    LB_IN,
    LB_HY,
    LB_BA,
    LB_BB,
    LB_B2,
    LB_CB,
    LB_EB,
    LB_EM,
    LB_H2,
    LB_H3,
    LB_JL,
    LB_JV,
    LB_JT,
    LB_RI,
    LB_COUNT
};

enum UcdGraphemeBreak {
    GB_OTHER,
    GB_CR,
    GB_LF,
    GB_CONTROL,
    GB_EXTEND,
    GB_ZWJ,
    GB_RI,
    GB_PREPEND,
    GB_SPACINGMARK,
    GB_L,
    GB_V,
    GB_T,
    GB_LV,
    GB_LVT
};

/* Bit layout of a property value; scripts/gen-ucd.py writes it. */
#define UCD_LB(p) ((p)&0x3fu)
#define UCD_GCB(p) (((p) >> 6) & 0xfu)
#define UCD_WIDTH(p) (((p) >> 10) & 0x3u) /* columns: 0, 1 or 2 (East Asian Wide/Full) */
#define UCD_EXTPICT 0x01000u              /* Extended_Pictographic */
#define UCD_EMOJI 0x02000u                /* Emoji */
#define UCD_EMOJI_PRES 0x04000u           /* Emoji_Presentation */
#define UCD_EAW_FWH 0x08000u              /* East_Asian_Width F, W or H (rule LB30) */
#define UCD_EXTPICT_CN 0x10000u           /* Extended_Pictographic and unassigned (LB30b) */
#define UCD_EAW_AMBIGUOUS 0x20000u        /* East_Asian_Width A */
#define UCD_UNASSIGNED 0x40000u           /* General_Category Cn: unassigned or a noncharacter */

extern const uint32_t ucd_values[];
extern const uint16_t ucd_stage1[];
extern const uint8_t ucd_stage2[];

static inline uint32_t ucd_props(uint32_t cp)
{
    if (cp > 0x10ffff) cp = 0xfffd;
    return ucd_values[ucd_stage2[((uint32_t)ucd_stage1[cp >> 7] << 7) | (cp & 127u)]];
}

/* Decodes one code point of VALID UTF-8 at s (s < end). Stores the byte length in *len.
 * Callers must only pass text produced by text_load()/text_from_bytes() or known-valid
 * literals; on a truncated sequence it returns U+FFFD and consumes what is left. */
static inline uint32_t ucd_decode(const uint8_t *s, const uint8_t *end, size_t *len)
{
    uint8_t c = s[0];
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    if ((size_t)(end - s) < n) {
        *len = (size_t)(end - s);
        return 0xfffd;
    }
    *len = n;
    if (n == 2) return ((uint32_t)(c & 0x1f) << 6) | (s[1] & 0x3f);
    if (n == 3)
        return ((uint32_t)(c & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
    return ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
           ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

/* Encodes cp (<= 0x10ffff, not a surrogate) as UTF-8 into out[4]; returns the byte count. */
size_t ucd_encode(uint32_t cp, uint8_t out[4]);

#endif
