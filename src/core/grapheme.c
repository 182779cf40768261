/* grapheme.c: UAX #29 extended grapheme cluster boundaries over the ucd table.
 *
 * Rules GB3..GB13 of Unicode 15.0 (GB9c arrived in 15.1 and is not applied). The state carried
 * along one cluster is the previous code point's break class, the length of the current run of
 * regional indicators (GB12/GB13 pair them) and whether we are inside
 * Extended_Pictographic Extend* ZWJ (GB11).
 */
#include "lector/grapheme.h"

#include "lector/ucd.h"

enum { EMOJI_NONE, EMOJI_PICT, EMOJI_PICT_ZWJ };

static int is_break(unsigned prev, unsigned cur, uint32_t cur_props, int emoji, size_t ri_run)
{
    if (prev == GB_CR && cur == GB_LF) return 0;                        /* GB3 */
    if (prev == GB_CONTROL || prev == GB_CR || prev == GB_LF) return 1; /* GB4 */
    if (cur == GB_CONTROL || cur == GB_CR || cur == GB_LF) return 1;    /* GB5 */
    if (prev == GB_L && (cur == GB_L || cur == GB_V || cur == GB_LV || cur == GB_LVT))
        return 0;                                                                         /* GB6 */
    if ((prev == GB_LV || prev == GB_V) && (cur == GB_V || cur == GB_T)) return 0;        /* GB7 */
    if ((prev == GB_LVT || prev == GB_T) && cur == GB_T) return 0;                        /* GB8 */
    if (cur == GB_EXTEND || cur == GB_ZWJ) return 0;                                      /* GB9 */
    if (cur == GB_SPACINGMARK) return 0;                                                  /* GB9a */
    if (prev == GB_PREPEND) return 0;                                                     /* GB9b */
    if (prev == GB_ZWJ && emoji == EMOJI_PICT_ZWJ && (cur_props & UCD_EXTPICT)) return 0; /* GB11 */
    if (prev == GB_RI && cur == GB_RI && (ri_run & 1)) return 0; /* GB12, GB13 */
    return 1;                                                    /* GB999 */
}

size_t grapheme_next(const uint8_t *s, size_t len)
{
    if (len == 0) return 0;
    /* ASCII followed by ASCII: the only pair that does not break is CR LF. */
    if (s[0] < 0x80 && (len == 1 || s[1] < 0x80))
        return (len > 1 && s[0] == '\r' && s[1] == '\n') ? 2 : 1;

    const uint8_t *end = s + len;
    size_t n;
    uint32_t props = ucd_props(ucd_decode(s, end, &n));
    unsigned prev = UCD_GCB(props);
    size_t ri_run = prev == GB_RI;
    int emoji = (props & UCD_EXTPICT) ? EMOJI_PICT : EMOJI_NONE;
    size_t i = n;
    while (i < len) {
        props = ucd_props(ucd_decode(s + i, end, &n));
        unsigned cur = UCD_GCB(props);
        if (is_break(prev, cur, props, emoji, ri_run)) break;
        i += n;
        ri_run = cur == GB_RI ? ri_run + 1 : 0;
        if (props & UCD_EXTPICT)
            emoji = EMOJI_PICT;
        else if (emoji == EMOJI_PICT && cur == GB_EXTEND)
            emoji = EMOJI_PICT;
        else if (emoji == EMOJI_PICT && cur == GB_ZWJ)
            emoji = EMOJI_PICT_ZWJ;
        else
            emoji = EMOJI_NONE;
        prev = cur;
    }
    return i;
}
