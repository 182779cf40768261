/* layout.c: greedy wrapping over grapheme clusters and UAX #14 opportunities.
 *
 * Data model: a paragraph is walked one grapheme cluster at a time. Each cluster is classified
 * once (classify_cluster) into a kind and a width; the same function serves the wrapper and the
 * drawing iterator, so what is measured is exactly what is drawn. The wrapper keeps the physical
 * column, the visible extent (columns up to the last non-hanging cluster) and the latest break
 * candidate: its byte offset, the visible width of the line if broken there and the line-break
 * state just before it, which is what the next line resumes from.
 *
 * Speed: a run of printable ASCII takes a fast path (one table lookup per byte, no decoding, no
 * grapheme scan); tests/unit/test_layout.c proves it produces the same lines as the general
 * path on the same text.
 */
#include "lector/layout.h"

#include <stdlib.h>
#include <string.h>

#include "lector/grapheme.h"
#include "lector/ucd.h"
#include "lector/xalloc.h"

enum ClusterKind {
    CK_TEXT,          /* drawn as written */
    CK_SPACE,         /* U+0020: hangs at a line end */
    CK_SOFT_NEWLINE,  /* a line end inside a paragraph, read as a space; hangs */
    CK_FORCED_NEWLINE,/* a line end before indentation: ends the display line; hangs */
    CK_TAB,           /* to the next multiple of 8 columns */
    CK_SOFT_HYPHEN,   /* U+00AD: invisible unless the line breaks after it */
    CK_PICTURE,       /* C0 control or DEL, drawn as a Control Picture */
    CK_NOTATION,      /* C1, bidi control, U+2028/9: drawn as <U+XXXX> */
    CK_DOTTED,        /* combining mark with no base: drawn on U+25CC */
    CK_INVISIBLE,     /* zero-width format character on its own: nothing drawn */
};

#define GLYPH_MAX_BYTES 128 /* bytes of one cluster sent to the terminal (a cluster of a million
                               marks draws its first few only) */

static int notation_cp(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
           cp == 0x2029;
}

int layout_default_width(const uint8_t *s, size_t len, void *ctx)
{
    (void)ctx;
    if (len == 1) return s[0] >= 0x20 && s[0] < 0x7f ? 1 : 0;
    const uint8_t *end = s + len;
    size_t n;
    uint32_t p0 = ucd_props(ucd_decode(s, end, &n));
    if (UCD_GCB(p0) == GB_RI) return len >= 8 ? 2 : 1; /* a flag is a pair */
    if (p0 & (UCD_EXTPICT | UCD_EMOJI)) {
        /* Emoji: the first code point decides, except that VS16 asks for emoji presentation.
         * ZWJ sequences and skin-tone modifiers draw as one wide glyph. */
        for (size_t i = n; i + 3 <= len; i++)
            if (s[i] == 0xef && s[i + 1] == 0xb8 && s[i + 2] == 0x8f) return 2; /* U+FE0F */
        if (p0 & UCD_EXTPICT) return (p0 & UCD_EMOJI_PRES) ? 2 : (int)UCD_WIDTH(p0);
    }
    int w = (int)UCD_WIDTH(p0);
    for (size_t i = n; i < len; i += n) w += (int)UCD_WIDTH(ucd_props(ucd_decode(s + i, end, &n)));
    return w;
}

typedef struct {
    int kind;
    int width;
} ClusterInfo;

/* Kind and width of the cluster text[off..off+len), drawn from column col on a line of width W.
 * next_byte is the byte after the cluster inside the paragraph, or -1 at its end. */
static ClusterInfo classify_cluster(const uint8_t *s, size_t len, int next_byte, int col, int W,
                                    const LayoutOptions *opt)
{
    ClusterInfo ci = {CK_TEXT, 1};
    uint8_t c = s[0];
    if (len == 1 && c >= 0x21 && c < 0x7f) return ci; /* printable ASCII is one column, always */
    if (c == ' ' && len == 1) return (ClusterInfo){CK_SPACE, 1};
    if (c == '\n') {
        if (next_byte == ' ' || next_byte == '\t') return (ClusterInfo){CK_FORCED_NEWLINE, 0};
        return (ClusterInfo){CK_SOFT_NEWLINE, 1};
    }
    if (c == '\t') {
        int w = 8 - col % 8;
        if (col < W && w > W - col) w = W - col;
        return (ClusterInfo){CK_TAB, w};
    }
    if (c < 0x20 || c == 0x7f) return (ClusterInfo){CK_PICTURE, 1};
    size_t n;
    uint32_t cp = ucd_decode(s, s + len, &n);
    if (cp == 0x00ad) return (ClusterInfo){CK_SOFT_HYPHEN, 0};
    if (notation_cp(cp)) return (ClusterInfo){CK_NOTATION, 8};
    ci.width = opt->cluster_width ? opt->cluster_width(s, len, opt->width_ctx)
                                  : layout_default_width(s, len, NULL);
    if (ci.width < 0) ci.width = 0;
    if (ci.width == 0) {
        uint32_t p = ucd_props(cp);
        if (UCD_GCB(p) == GB_EXTEND || UCD_GCB(p) == GB_SPACINGMARK || UCD_GCB(p) == GB_ZWJ)
            return (ClusterInfo){CK_DOTTED, 1};
        return (ClusterInfo){CK_INVISIBLE, 0};
    }
    return ci;
}

static size_t cluster_len(const uint8_t *s, size_t avail)
{
    if (avail >= 2 && s[0] < 0x80 && s[1] < 0x80) return 1;
    return grapheme_next(s, avail);
}

/* Feeds every code point of a cluster to the line breaker; returns the action before its first
 * code point. A line end inside a paragraph is fed as a space, or as a mandatory break (BK)
 * when indentation follows. */
static int feed_cluster(LinebreakState *lb, const uint8_t *s, size_t len, int kind,
                        const uint8_t *para_end)
{
    if (kind == CK_SOFT_NEWLINE) return linebreak_step(lb, ucd_props(' '), s + 1, para_end);
    if (kind == CK_FORCED_NEWLINE) return linebreak_step(lb, ucd_props(0x2028), s + 1, para_end);
    int action = LINEBREAK_NONE;
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t props = ucd_props(ucd_decode(s + i, s + len, &n));
        int a = linebreak_step(lb, props, s + i + n, para_end);
        if (i == 0) action = a;
        i += n;
    }
    return action;
}

static int clamp_width(int w)
{
    return w < LAYOUT_MIN_WIDTH ? LAYOUT_MIN_WIDTH : w > LAYOUT_MAX_WIDTH ? LAYOUT_MAX_WIDTH : w;
}

void layout_cursor_init(LayoutCursor *c, const uint8_t *text, Span para, const LayoutOptions *opt)
{
    c->text = text;
    c->pos = para.start;
    c->end = para.end;
    c->opt = opt;
    c->width = clamp_width(opt->width);
    linebreak_init(&c->lb);
}

/* Line-break props of printable ASCII, for the fast path. */
static uint32_t ascii_props(uint8_t b)
{
    return ucd_props(b);
}

bool layout_cursor_next(LayoutCursor *c, LayoutLine *line)
{
    if (c->pos >= c->end) return false;
    const uint8_t *t = c->text;
    const uint8_t *para_end = t + c->end;
    const size_t start = c->pos;
    const int W = c->width;
    const int fast = !c->opt->no_fast_path;
    size_t p = start;
    int col = 0, content = 0, prev_shy = 0;
    LinebreakState lb = c->lb;
    struct {
        size_t pos;
        int content, hyphen, valid;
        LinebreakState lb;
    } cand = {0, 0, 0, 0, {0}};

    while (p < c->end) {
        LinebreakState before = lb;
        size_t n;
        ClusterInfo ci;
        int action;
        uint8_t b = t[p];
        if (fast && b >= 0x21 && b < 0x7f && (p + 1 >= c->end || t[p + 1] < 0x80)) {
            /* Fast path: a printable ASCII cluster of one byte, width 1. */
            n = 1;
            ci.kind = CK_TEXT;
            ci.width = 1;
            action = linebreak_step(&lb, ascii_props(b), t + p + 1, para_end);
        } else if (fast && b == ' ' && (p + 1 >= c->end || t[p + 1] < 0x80)) {
            n = 1;
            ci.kind = CK_SPACE;
            ci.width = 1;
            action = linebreak_step(&lb, ascii_props(b), t + p + 1, para_end);
        } else {
            n = cluster_len(t + p, c->end - p);
            int next_byte = p + n < c->end ? t[p + n] : -1;
            ci = classify_cluster(t + p, n, next_byte, col, W, c->opt);
            action = feed_cluster(&lb, t + p, n, ci.kind, para_end);
        }
        if (p > start) {
            if (action == LINEBREAK_MANDATORY) {
                *line = (LayoutLine){start, p, (uint32_t)content, LAYOUT_LINE_FORCED};
                c->lb = before;
                c->pos = p;
                return true;
            }
            if (action == LINEBREAK_ALLOWED && content + prev_shy <= W) {
                cand.pos = p;
                cand.content = content + prev_shy;
                cand.hyphen = prev_shy;
                cand.lb = before;
                cand.valid = 1;
            }
        }
        if (ci.kind == CK_SPACE || ci.kind == CK_SOFT_NEWLINE || ci.kind == CK_FORCED_NEWLINE) {
            col += ci.width; /* hangs: not part of the visible extent */
            p += n;
            prev_shy = 0;
            continue;
        }
        if (col + ci.width > W && p > start) {
            if (cand.valid) {
                *line = (LayoutLine){start, cand.pos, (uint32_t)cand.content,
                                     cand.hyphen ? LAYOUT_LINE_HYPHEN : 0u};
                c->lb = cand.lb;
                c->pos = cand.pos;
            } else { /* no opportunity: break between grapheme clusters */
                *line = (LayoutLine){start, p, (uint32_t)content, 0};
                c->lb = before;
                c->pos = p;
            }
            return true;
        }
        col += ci.width;
        content = col;
        prev_shy = ci.kind == CK_SOFT_HYPHEN;
        p += n;
    }
    *line = (LayoutLine){start, c->end, (uint32_t)content, LAYOUT_LINE_LAST};
    c->pos = c->end;
    return true;
}

size_t layout_wrap_paragraph(const uint8_t *text, Span para, const LayoutOptions *opt,
                             LayoutLine **lines)
{
    LayoutCursor c;
    layout_cursor_init(&c, text, para, opt);
    size_t n = 0, cap = 8;
    LayoutLine *out = xmalloc(cap * sizeof *out);
    LayoutLine line;
    while (layout_cursor_next(&c, &line)) {
        if (n == cap) out = xreallocarray(out, cap *= 2, sizeof *out);
        out[n++] = line;
    }
    *lines = out;
    return n;
}

void layout_cells_begin(LayoutCellIter *it, const uint8_t *text, const LayoutLine *line,
                        const LayoutOptions *opt)
{
    it->text = text;
    it->line = line;
    it->opt = opt;
    it->pos = line->start;
    size_t ve = line->end;
    while (ve > line->start && (text[ve - 1] == ' ' || text[ve - 1] == '\n')) ve--;
    it->visible_end = ve;
    it->col = 0;
    it->hyphen_done = 0;
}

/* Appends up to GLYPH_MAX_BYTES of a cluster, cut at a code point boundary. */
static size_t capped_len(const uint8_t *s, size_t len, size_t room)
{
    if (len <= room) return len;
    size_t n = room;
    while (n > 0 && (s[n] & 0xc0) == 0x80) n--;
    return n;
}

bool layout_cells_next(LayoutCellIter *it, LayoutCell *cell)
{
    const uint8_t *t = it->text;
    int W = clamp_width(it->opt->width);
    while (it->pos < it->visible_end) {
        size_t off = it->pos;
        size_t n = cluster_len(t + off, it->visible_end - off);
        int next_byte = off + n < it->line->end ? t[off + n] : -1;
        ClusterInfo ci = classify_cluster(t + off, n, next_byte, it->col, W, it->opt);
        it->pos += n;
        if (ci.width == 0) continue;
        cell->off = off;
        cell->len = n;
        cell->col = it->col;
        cell->width = ci.width;
        cell->glyph = cell->glyph_buf;
        uint8_t *g = cell->glyph_buf;
        switch (ci.kind) {
        case CK_TEXT:
            cell->glyph = t + off;
            cell->glyph_len = capped_len(t + off, n, GLYPH_MAX_BYTES);
            break;
        case CK_SPACE:
        case CK_SOFT_NEWLINE:
        case CK_FORCED_NEWLINE:
            g[0] = ' ';
            cell->glyph_len = 1;
            break;
        case CK_TAB:
            memset(g, ' ', (size_t)ci.width);
            cell->glyph_len = (size_t)ci.width;
            break;
        case CK_PICTURE:
            cell->glyph_len = ucd_encode(t[off] == 0x7f ? 0x2421 : 0x2400u + t[off], g);
            break;
        case CK_NOTATION: {
            size_t used;
            uint32_t cp = ucd_decode(t + off, t + off + n, &used);
            static const char hex[] = "0123456789ABCDEF";
            memcpy(g, "<U+", 3);
            for (int k = 0; k < 4; k++) g[3 + k] = (uint8_t)hex[(cp >> (12 - 4 * k)) & 0xf];
            g[7] = '>';
            cell->glyph_len = 8;
            break;
        }
        case CK_DOTTED: {
            size_t k = ucd_encode(0x25cc, g);
            size_t m = capped_len(t + off, n, sizeof cell->glyph_buf - k);
            memcpy(g + k, t + off, m);
            cell->glyph_len = k + m;
            break;
        }
        default:
            continue;
        }
        it->col += ci.width;
        return true;
    }
    if ((it->line->flags & LAYOUT_LINE_HYPHEN) && !it->hyphen_done) {
        it->hyphen_done = 1;
        cell->off = it->visible_end;
        cell->len = 0;
        cell->col = it->col;
        cell->width = 1;
        cell->glyph = cell->glyph_buf;
        cell->glyph_buf[0] = '-';
        cell->glyph_len = 1;
        it->col += 1;
        return true;
    }
    return false;
}

void layout_render_line(const uint8_t *text, const LayoutLine *line, const LayoutOptions *opt,
                        Strbuf *out)
{
    LayoutCellIter it;
    LayoutCell cell;
    layout_cells_begin(&it, text, line, opt);
    while (layout_cells_next(&it, &cell)) strbuf_add(out, cell.glyph, cell.glyph_len);
}

int layout_offset_to_col(const uint8_t *text, const LayoutLine *line, const LayoutOptions *opt,
                         size_t off)
{
    LayoutCellIter it;
    LayoutCell cell;
    layout_cells_begin(&it, text, line, opt);
    int col = 0;
    while (layout_cells_next(&it, &cell)) {
        if (off < cell.off + cell.len || cell.len == 0) return cell.col;
        col = cell.col + cell.width;
    }
    return col;
}

size_t layout_col_to_offset(const uint8_t *text, const LayoutLine *line, const LayoutOptions *opt,
                            int col)
{
    LayoutCellIter it;
    LayoutCell cell;
    layout_cells_begin(&it, text, line, opt);
    while (layout_cells_next(&it, &cell))
        if (col < cell.col + cell.width) return cell.len ? cell.off : line->end;
    return line->end;
}
