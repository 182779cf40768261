/* bidi.c: UAX #9 through ICU's ubidi, a paragraph at a time.
 *
 * ICU works on UTF-16. The cached paragraph is kept as UTF-16 with, for each unit, the byte
 * offset (from the paragraph's start) of the code point it belongs to, and one more entry for
 * the end: a byte offset maps to a unit by binary search, a unit to bytes by lookup. Paragraph
 * separators inside the span (a line end, U+2029, U+0085, U+001C..U+001E) are given to ICU as
 * spaces, so the span is one paragraph to it, as it is to layout.
 */
#include "lector/bidi.h"

#include <stdlib.h>
#include <string.h>

#include "icu_lazy.h"
#include "lector/ucd.h"
#include "lector/xalloc.h"

struct BidiCache {
    bool valid; /* the fields below describe text[para] read with dir */
    const uint8_t *text;
    Span para;
    BidiDirection dir;
    bool rtl;         /* the paragraph's level is odd */
    UChar *u16;       /* the paragraph in UTF-16; owned */
    uint32_t *u16_at; /* byte offset of each unit's code point, from para.start; +1 entry */
    size_t u16_len, u16_cap;
    UBiDi *para_bidi;         /* owned; holds u16 */
    UBiDi *line_bidi;         /* owned */
    bool opened;              /* ICU asked for them (once: NULL then means no ICU) */
    int32_t *map;             /* a line's logical-to-visual map; owned */
    const uint8_t *scan_text; /* bidi_cache_may_reorder's last question (NULL: none), */
    Span scan;                /* and its answer */
    bool scan_result;
    size_t *slot; /* visual index -> cluster, for ordering; owned */
    size_t map_cap;
};

BidiCache *bidi_cache_new(void)
{
    /* ICU's objects are opened by the first paragraph that needs them: a story with no
     * right-to-left letter never loads ICU (icu_lazy.h; 4 ms of every reader's start) */
    return xcalloc(1, sizeof(BidiCache));
}

void bidi_cache_free(BidiCache *c)
{
    if (!c) return;
    if (c->line_bidi) icu_api()->bidi_close(c->line_bidi);
    if (c->para_bidi) icu_api()->bidi_close(c->para_bidi);
    free(c->u16);
    free(c->u16_at);
    free(c->map);
    free(c->slot);
    free(c);
}

void bidi_cache_forget(BidiCache *c)
{
    if (!c) return;
    c->valid = false;
    c->scan_text = NULL;
}

bool bidi_cache_may_reorder(BidiCache *c, const uint8_t *text, Span span)
{
    if (c->scan_text != text || c->scan.start != span.start || c->scan.end != span.end) {
        c->scan_text = text;
        c->scan = span;
        c->scan_result = bidi_may_reorder(text, span);
    }
    return c->scan_result;
}

bool bidi_may_reorder(const uint8_t *text, Span span)
{
    const uint8_t *s = text + span.start, *end = text + span.end;
    for (; s < end; s++) {
        uint8_t b = *s;
        if (b < 0xd6) continue;
        if (b <= 0xdf) return true; /* U+0580..U+07FF: Hebrew, Arabic, Syriac, Thaana, N'Ko */
        if (end - s < 3) break;
        uint8_t b1 = s[1], b2 = s[2];
        if (b == 0xe0 && b1 >= 0xa0 && b1 <= 0xa3) return true; /* U+0800..U+08FF */
        if (b == 0xe2 && b1 == 0x80 && (b2 == 0x8f || (b2 >= 0xaa && b2 <= 0xae))) return true;
        if (b == 0xe2 && b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9) return true; /* isolates */
        if (b == 0xef &&
            ((b1 >= 0xac && b1 <= 0xb7) || (b1 == 0xb9 && b2 >= 0xb0) || b1 == 0xba || b1 == 0xbb))
            return true; /* presentation forms: U+FB1D..U+FDFF, U+FE70..U+FEFF */
        if (end - s < 4) continue;
        if (b == 0xf0 && ((b1 == 0x90 && b2 >= 0xa0) || b1 == 0x9e)) /* U+10800.., U+1E000.. */
            return true;
    }
    return false;
}

/* The first unit at or after byte offset off (from para.start). */
static size_t unit_at(const BidiCache *c, size_t off)
{
    size_t lo = 0, hi = c->u16_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->u16_at[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int resolve_paragraph(BidiCache *c, const uint8_t *text, Span para, BidiDirection dir)
{
    if (c->valid && c->text == text && c->para.start == para.start && c->para.end == para.end &&
        c->dir == dir)
        return 0;
    c->valid = false;
    if (!c->opened) { /* NULL when ICU cannot be loaded or memory is out: then logical order */
        const IcuApi *icu = icu_api();
        c->opened = true;
        c->para_bidi = icu ? icu->bidi_open() : NULL;
        c->line_bidi = icu ? icu->bidi_open() : NULL;
    }
    size_t n = para.end - para.start; /* at most one unit per byte */
    if (n >= INT32_MAX || !c->para_bidi || !c->line_bidi) return -1;
    if (n + 1 > c->u16_cap) {
        c->u16_cap = n + 1;
        c->u16 = xreallocarray(c->u16, c->u16_cap, sizeof *c->u16);
        c->u16_at = xreallocarray(c->u16_at, c->u16_cap, sizeof *c->u16_at);
    }
    size_t k = 0;
    const uint8_t *s = text + para.start, *end = text + para.end;
    for (size_t i = 0; i < n;) {
        size_t used;
        uint32_t cp = ucd_decode(s + i, end, &used);
        if (cp == '\n' || cp == '\r' || (cp >= 0x1c && cp <= 0x1e) || cp == 0x85 || cp == 0x2029)
            cp = ' ';
        /* Embeddings, overrides and isolates are drawn as stand-ins ("<U+202E>", layout.h), so
         * that a story cannot reverse text unseen: shown, they are not obeyed (a neutral, to
         * ICU). The marks (LRM, RLM, ALM) are obeyed and drawn as nothing. */
        if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) cp = 0xfffd;
        if (cp >= 0x10000) {
            c->u16_at[k] = (uint32_t)i;
            c->u16[k++] = (UChar)(0xd800 + ((cp - 0x10000) >> 10));
            c->u16_at[k] = (uint32_t)i;
            c->u16[k++] = (UChar)(0xdc00 + ((cp - 0x10000) & 0x3ff));
        } else {
            c->u16_at[k] = (uint32_t)i;
            c->u16[k++] = (UChar)cp;
        }
        i += used ? used : 1;
    }
    c->u16_at[k] = (uint32_t)n;
    c->u16_len = k;
    UErrorCode err = U_ZERO_ERROR;
    UBiDiLevel level = dir == BIDI_RTL ? 1 : dir == BIDI_LTR ? 0 : UBIDI_DEFAULT_LTR;
    icu_api()->bidi_set_para(c->para_bidi, c->u16, (int32_t)k, level, NULL, &err);
    if (U_FAILURE(err)) return -1;
    c->rtl = icu_api()->bidi_para_level(c->para_bidi) & 1;
    c->text = text;
    c->para = para;
    c->dir = dir;
    c->valid = true;
    return 0;
}

static void identity(size_t n, size_t *order, bool *odd, bool *rtl)
{
    for (size_t k = 0; k < n; k++) {
        order[k] = k;
        odd[k] = false;
    }
    *rtl = false;
}

int bidi_line_order(BidiCache *c, const uint8_t *text, Span para, BidiDirection dir,
                    size_t line_start, size_t line_end, const size_t *off, const size_t *len,
                    size_t n, size_t *order, bool *odd, bool *rtl)
{
    if (resolve_paragraph(c, text, para, dir) != 0) {
        identity(n, order, odd, rtl);
        return -1;
    }
    *rtl = c->rtl;
    if (n == 0) return 0;
    size_t s16 = unit_at(c, line_start - para.start), e16 = unit_at(c, line_end - para.start);
    size_t m = e16 - s16;
    UErrorCode err = U_ZERO_ERROR;
    icu_api()->bidi_set_line(c->para_bidi, (int32_t)s16, (int32_t)e16, c->line_bidi, &err);
    if (m > c->map_cap) {
        c->map_cap = m;
        c->map = xreallocarray(c->map, m, sizeof *c->map);
        c->slot = xreallocarray(c->slot, m, sizeof *c->slot);
    }
    if (!U_FAILURE(err)) icu_api()->bidi_logical_map(c->line_bidi, c->map, &err);
    const UBiDiLevel *levels = U_FAILURE(err) ? NULL : icu_api()->bidi_levels(c->line_bidi, &err);
    if (U_FAILURE(err) || !levels) {
        identity(n, order, odd, rtl);
        return -1;
    }
    for (size_t v = 0; v < m; v++)
        c->slot[v] = SIZE_MAX;
    /* a cluster is drawn where the first of its units (in display order) is: its units stay
     * together, in their own order. Clusters come in logical order, so their units are found
     * by walking the line once. */
    size_t u = s16;
    for (size_t k = 0; k < n; k++) {
        size_t from = off[k] - para.start, to = off[k] + len[k] - para.start;
        if (u > s16 && c->u16_at[u - 1] >= from) u = unit_at(c, from); /* out of order: search */
        while (u < e16 && c->u16_at[u] < from)
            u++;
        size_t a = u - s16;
        while (u < e16 && c->u16_at[u] < to)
            u++;
        size_t b = u - s16;
        int32_t key = INT32_MAX;
        for (size_t q = a; q < b && q < m; q++)
            if (c->map[q] >= 0 && c->map[q] < key) key = c->map[q];
        odd[k] = a < m && (levels[a] & 1);
        if (key != INT32_MAX && (size_t)key < m) c->slot[key] = k;
    }
    size_t v = 0;
    for (size_t u = 0; u < m; u++)
        if (c->slot[u] != SIZE_MAX) order[v++] = c->slot[u];
    if (v != n) { /* a cluster outside the line (a caller's mistake): keep logical order */
        identity(n, order, odd, rtl);
        *rtl = c->rtl;
        return -1;
    }
    return 0;
}

uint32_t bidi_mirror(uint32_t cp)
{
    /* Below U+2000 only these few are Bidi_Mirrored (UCD): no call for every Arabic letter */
    if (cp < 0x2000 && !(cp < 0x80 ? (cp == '(' || cp == ')' || cp == '<' || cp == '>' ||
                                      cp == '[' || cp == ']' || cp == '{' || cp == '}')
                                   : (cp == 0xab || cp == 0xbb || (cp >= 0x0f3a && cp <= 0x0f3d) ||
                                      cp == 0x169b || cp == 0x169c)))
        return cp;
    const IcuApi *icu = icu_api();
    return icu ? (uint32_t)icu->char_mirror((UChar32)cp) : cp;
}

const char *bidi_direction_name(BidiDirection d)
{
    return d == BIDI_LTR ? "ltr" : d == BIDI_RTL ? "rtl" : "auto";
}

int bidi_direction_parse(const char *s)
{
    if (!strcmp(s, "auto")) return BIDI_AUTO;
    if (!strcmp(s, "ltr")) return BIDI_LTR;
    if (!strcmp(s, "rtl")) return BIDI_RTL;
    return -1;
}
