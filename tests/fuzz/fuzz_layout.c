/* fuzz_layout: loading any bytes as a story, then wrapping every paragraph.
 *
 * Input: byte 0 sets the width (2..65 columns, so widths under LAYOUT_MIN_WIDTH test the
 * clamp), byte 1 the options (ambiguous width 2, a measured width profile and its values); the
 * rest is the story's bytes.
 *
 * Invariants:
 *   text: valid UTF-8 and NUL-terminated; a story read clean is the input itself (less a BOM);
 *     read as a stream (text_stream, from a memory file), the same paragraphs, title and notice;
 *     paragraphs ascending, non-empty, apart, inside the text, and only blanks (space, tab, line
 *     end) outside them; text_paragraph_at finds the paragraph holding an offset; source offsets
 *     strictly increase and stay inside the input.
 *   lines: each paragraph's lines tile its span in order (every byte in exactly one line, no gap
 *     or overlap, none empty), only the last is marked last; the fast paths give exactly the lines
 *     of the general path; a copied cursor resumes with the same lines.
 *   width: no line wider than the (clamped) width; its cells lie left to right without gap or
 *     overlap and add up to its width, over ascending byte ranges inside the line; the rendered
 *     line is the cells' glyphs, valid UTF-8 with nothing a terminal would act on, and measured
 *     again cluster by cluster (grapheme_next, then the width function layout.h defines) it is
 *     no wider than the line.
 *   positions: every column of a cell maps to the cell's offset and every byte of the cell to
 *     its column; any byte of a line maps to the column of the first cell ending after it and
 *     back to that cell's offset (zero-width and hanging bytes belong to what follows).
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <unistr.h>

#include "fuzz.h"
#include "lector/grapheme.h"
#include "lector/bidi.h"
#include "lector/layout.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/ucd.h"

/* Lines of one paragraph, through a cursor; cur_at, when not NULL, gets a copy of the cursor as
 * it stood before line `at`. */
static size_t wrap(const uint8_t *text, Span para, const LayoutOptions *opt, LayoutLine **out,
                   size_t at, LayoutCursor *cur_at)
{
    LayoutCursor c;
    layout_cursor_init(&c, text, para, opt);
    size_t n = 0, cap = 16;
    LayoutLine *v = malloc(cap * sizeof *v), line;
    for (;;) {
        if (cur_at && n == at) *cur_at = c;
        if (!layout_cursor_next(&c, &line)) break;
        if (n == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = line;
        FUZZ_CHECK(n <= para.end - para.start, "more lines than bytes in [%zu, %zu)", para.start,
                   para.end);
    }
    *out = v;
    return n;
}

/* The width of rendered UTF-8, measured cluster by cluster as layout.h defines it: one code
 * point counts its table width (East Asian Ambiguous: opt's), a longer cluster or an emoji or
 * regional indicator what the width function says. */
static int measure(const uint8_t *s, size_t len, const LayoutOptions *opt)
{
    int w = 0;
    for (size_t i = 0; i < len;) {
        size_t n = grapheme_next(s + i, len - i), k;
        FUZZ_CHECK(n > 0 && n <= len - i, "grapheme_next %zu at %zu of %zu", n, i, len);
        uint32_t props = ucd_props(ucd_decode(s + i, s + i + n, &k));
        int cw;
        if (k == n && !(props & (UCD_EXTPICT | UCD_EMOJI)) && UCD_GCB(props) != GB_RI) {
            cw = (int)UCD_WIDTH(props);
            if (cw == 1 && (props & UCD_EAW_AMBIGUOUS) && opt->ambiguous_width == 2) cw = 2;
        } else {
            cw = opt->cluster_width ? opt->cluster_width(s + i, n, opt->width_ctx)
                                    : layout_default_width(s + i, n, NULL);
        }
        w += cw > 0 ? cw : 0;
        i += n;
    }
    return w;
}

/* Nothing in rendered output may drive a terminal: valid UTF-8, and no code point that
 * text_visible_control would have to stand in for (C0, DEL, C1, bidi controls, U+2028/9,
 * unassigned code points). */
static void check_safe(const uint8_t *s, size_t len)
{
    FUZZ_CHECK(u8_check(s, len) == NULL, "rendered line is not valid UTF-8");
    for (size_t i = 0; i < len;) {
        ucs4_t cp;
        int n = u8_mbtouc(&cp, s + i, len - i);
        uint8_t vis[TEXT_VISIBLE_MAX];
        FUZZ_CHECK(text_visible_control(cp, vis) == 0, "rendered line holds U+%04X raw",
                   (unsigned)cp);
        i += (size_t)n;
    }
}

typedef struct {
    size_t off, len;
    int col, width;
} Cell;

/* Positions are checked both ways on the first, last and two middle lines of each paragraph, at
 * most POSITION_LINES lines of an input, for POSITION_SAMPLES cells and bytes of each: every
 * lookup walks its line, and a check of every byte on every line made an input cost 50 times
 * its layout (a bug in the mapping shows on any line). */
enum { POSITION_LINES = 16, POSITION_SAMPLES = 8 };

static void check_line(const Text *t, const LayoutLine *line, const LayoutOptions *opt, int W,
                       bool positions)
{
    const uint8_t *text = text_bytes(t);
    FUZZ_CHECK(line->width <= (uint32_t)W, "line [%zu, %zu) is %u columns, wider than %d",
               line->start, line->end, line->width, W);

    /* cells: contiguous columns adding up to the line's width, ascending bytes inside it */
    LayoutCellIter it;
    LayoutCell cell;
    size_t ncells = 0, cap = 16;
    Cell *cells = malloc(cap * sizeof *cells);
    Strbuf glyphs = STRBUF_INIT, rendered = STRBUF_INIT;
    int col = 0;
    size_t prev_end = line->start;
    layout_cells_begin(&it, text, line, opt);
    while (layout_cells_next(&it, &cell)) {
        FUZZ_CHECK(cell.col == col && cell.width >= 1, "cell at column %d (width %d), expected %d",
                   cell.col, cell.width, col);
        FUZZ_CHECK(cell.off >= prev_end && cell.off + cell.len <= line->end,
                   "cell [%zu, +%zu) out of order or outside line [%zu, %zu)", cell.off, cell.len,
                   line->start, line->end);
        FUZZ_CHECK(cell.len > 0 || (line->flags & LAYOUT_LINE_HYPHEN),
                   "an empty cell on a line not ending at a soft hyphen");
        col += cell.width;
        prev_end = cell.off + cell.len;
        if (ncells == cap) cells = realloc(cells, (cap *= 2) * sizeof *cells);
        cells[ncells++] = (Cell){cell.off, cell.len, cell.col, cell.width};
        strbuf_add(&glyphs, cell.glyph, cell.glyph_len);
    }
    FUZZ_CHECK(col == (int)line->width, "cells of line [%zu, %zu) add up to %d, the line says %u",
               line->start, line->end, col, line->width);

    /* the rendered line: the cells' glyphs, safe, and no wider than the line when measured */
    layout_render_line(text, line, opt, &rendered);
    FUZZ_CHECK(rendered.len == glyphs.len && !memcmp(rendered.buf, glyphs.buf, glyphs.len),
               "layout_render_line differs from the cells' glyphs on line [%zu, %zu)", line->start,
               line->end);
    check_safe((const uint8_t *)rendered.buf, rendered.len);
    int measured = measure((const uint8_t *)rendered.buf, rendered.len, opt);
    FUZZ_CHECK(measured <= (int)line->width, "line [%zu, %zu) renders %d columns wide, says %u",
               line->start, line->end, measured, line->width);

    /* positions, both ways, for a sample of the cells (each lookup walks the line: checking
     * every cell would make a line cost the square of its length) */
    for (size_t i = 0; positions && i < ncells; i += ncells / POSITION_SAMPLES + 1) {
        const Cell *c = &cells[i];
        /* its first and last column, its first and last byte */
        int col_step = c->width > 1 ? c->width - 1 : 1;
        size_t byte_step = c->len > 1 ? c->len - 1 : 1;
        for (int x = c->col; x < c->col + c->width; x += col_step) {
            size_t off = layout_col_to_offset(text, line, opt, x);
            size_t want = c->len ? c->off : line->end;
            FUZZ_CHECK(off == want, "column %d of line [%zu, %zu) maps to %zu, its cell is at %zu",
                       x, line->start, line->end, off, want);
        }
        for (size_t o = c->off; o < c->off + c->len; o += byte_step) {
            int x = layout_offset_to_col(text, line, opt, o);
            FUZZ_CHECK(x == c->col, "byte %zu maps to column %d, its cell is at %d", o, x, c->col);
        }
    }
    FUZZ_CHECK(layout_col_to_offset(text, line, opt, col) == line->end,
               "the column past line [%zu, %zu) does not map to its end", line->start, line->end);

    /* any byte: to the column of the first cell ending after it, and back to that cell */
    size_t step = (line->end - line->start) / POSITION_SAMPLES + 1, k = 0;
    for (size_t o = line->start; positions && o < line->end; o += step) {
        while (k < ncells && cells[k].len && cells[k].off + cells[k].len <= o)
            k++;
        int want_col = k < ncells ? cells[k].col : col;
        size_t want_off = k < ncells && cells[k].len ? cells[k].off : line->end;
        int x = layout_offset_to_col(text, line, opt, o);
        FUZZ_CHECK(x == want_col, "byte %zu of line [%zu, %zu) maps to column %d, expected %d", o,
                   line->start, line->end, x, want_col);
        size_t back = layout_col_to_offset(text, line, opt, x);
        FUZZ_CHECK(back == want_off, "byte %zu -> column %d -> byte %zu, expected %zu", o, x, back,
                   want_off);
    }
    free(cells);
    strbuf_release(&glyphs);
    strbuf_release(&rendered);
}

/* The same bytes as a stream give the same paragraphs, title and notice. */
static void check_stream(const Text *t, const uint8_t *src, size_t size)
{
    int fd = memfd_create("fuzz", 0);
    if (fd < 0) return; /* no memory files here: nothing to compare */
    size_t at = 0;
    while (at < size) {
        ssize_t w = write(fd, src + at, size - at);
        if (w <= 0) break;
        at += (size_t)w;
    }
    lseek(fd, 0, SEEK_SET);
    TextStream *s;
    Diag d = {0};
    FUZZ_CHECK(text_stream_open_fd(fd, "fuzz.txt", true, &s, &d) == 0, "stream: %s", d.msg);
    const uint8_t *b;
    Span p;
    bool joined;
    size_t i = 0;
    while (text_stream_next(s, &b, &p, &joined)) {
        FUZZ_CHECK(i < text_paragraph_count(t), "stream: more than %zu paragraphs",
                   text_paragraph_count(t));
        Span q = text_paragraph(t, i);
        FUZZ_CHECK(p.end - p.start == q.end - q.start &&
                       !memcmp(b + p.start, text_bytes(t) + q.start, q.end - q.start) &&
                       joined == text_paragraph_joined(t, i),
                   "stream: paragraph %zu differs", i);
        i++;
    }
    FUZZ_CHECK(i == text_paragraph_count(t), "stream: %zu paragraphs, want %zu", i,
               text_paragraph_count(t));
    FUZZ_CHECK(!strcmp(text_stream_title(s), text_title(t)), "stream: title '%s', want '%s'",
               text_stream_title(s), text_title(t));
    const char *n1 = text_stream_notice(s), *n2 = text_notice(t);
    FUZZ_CHECK((!n1 && !n2) || (n1 && n2 && !strcmp(n1, n2)), "stream: notice '%s', want '%s'",
               n1 ? n1 : "", n2 ? n2 : "");
    text_stream_free(s);
}

static void check_text(const Text *t, const uint8_t *src, size_t size)
{
    const uint8_t *b = text_bytes(t);
    size_t len = text_len(t);
    FUZZ_CHECK(b[len] == 0, "text not NUL-terminated");
    FUZZ_CHECK(u8_check(b, len) == NULL, "text is not valid UTF-8");
    FUZZ_CHECK(u8_check((const uint8_t *)text_title(t), strlen(text_title(t))) == NULL,
               "title is not valid UTF-8");
    if (text_clean_as_read(t)) {
        size_t bom = size >= 3 && !memcmp(src, "\xef\xbb\xbf", 3) ? 3 : 0;
        FUZZ_CHECK(len == size - bom && !memcmp(b, src + bom, len),
                   "a story read clean is not its input");
    }

    /* paragraphs, and only blanks between them */
    size_t np = text_paragraph_count(t), at = 0;
    for (size_t i = 0; i < np; i++) {
        Span p = text_paragraph(t, i);
        FUZZ_CHECK(p.start < p.end && p.end <= len && (i == 0 || p.start >= at),
                   "paragraph %zu [%zu, %zu) after %zu in %zu bytes", i, p.start, p.end, at, len);
        for (size_t o = at; o < p.start; o++)
            FUZZ_CHECK(b[o] == ' ' || b[o] == '\t' || b[o] == '\n',
                       "byte %zu (0x%02x) is in no paragraph", o, b[o]);
        at = p.end;
    }
    for (size_t o = at; o < len; o++)
        FUZZ_CHECK(b[o] == ' ' || b[o] == '\t' || b[o] == '\n',
                   "byte %zu (0x%02x) is in no paragraph", o, b[o]);

    size_t step = len / 16 + 1, prev_src = 0, para = 0;
    for (size_t o = 0; o < len; o += step) {
        while (para < np && text_paragraph(t, para).end <= o)
            para++;
        FUZZ_CHECK(text_paragraph_at(t, o) == para, "text_paragraph_at(%zu) = %zu, expected %zu", o,
                   text_paragraph_at(t, o), para);
        if ((b[o] & 0xc0) == 0x80) continue; /* not a code point start */
        size_t src_off = text_source_offset(t, o);
        FUZZ_CHECK(src_off < size && (o == 0 || src_off > prev_src),
                   "text offset %zu comes from source offset %zu (previous %zu, size %zu)", o,
                   src_off, prev_src, size);
        prev_src = src_off;
    }
}

/* A line in display order (layout_line_cells) holds the cells of the line in logical order, each
 * once, side by side from one column on, within the measure. */
static void check_display(const uint8_t *text, Span para, const LayoutLine *line,
                          const LayoutOptions *opt, BidiCache *bidi, int W)
{
    LayoutCell *cells = NULL, *logical = NULL;
    size_t cap = 0, lcap = 0;
    bool rtl;
    size_t n = layout_line_cells(text, para, line, opt, bidi, &cells, &cap, &rtl);
    size_t m = layout_line_cells(text, para, line, opt, NULL, &logical, &lcap, NULL);
    FUZZ_CHECK(n == m, "line [%zu, %zu): %zu cells in display order, %zu in logical", line->start,
               line->end, n, m);
    int col = n ? cells[0].col : 0;
    FUZZ_CHECK(col >= 0, "line [%zu, %zu) starts at column %d", line->start, line->end, col);
    for (size_t k = 0; k < n; k++) {
        FUZZ_CHECK(cells[k].col == col, "line [%zu, %zu): cell %zu at %d, not %d", line->start,
                   line->end, k, cells[k].col, col);
        col += cells[k].width;
        size_t found = 0;
        for (size_t j = 0; j < m; j++)
            found += logical[j].off == cells[k].off && logical[j].len == cells[k].len;
        FUZZ_CHECK(found == 1, "line [%zu, %zu): cell at %zu is not one of its cells",
                   line->start, line->end, cells[k].off);
    }
    FUZZ_CHECK(col <= (W > (int)line->width ? W : (int)line->width),
               "line [%zu, %zu): drawn to column %d of %d", line->start, line->end, col, W);
    free(cells);
    free(logical);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > FUZZ_MAX_INPUT) return 0;
    LayoutWidthProfile prof = {
        .zwj_sequence = data[1] & 4 ? 2 : 0,
        .flag = data[1] & 8 ? 2 : 1,
        .vs16 = data[1] & 16 ? 2 : 1,
        .modifier = data[1] & 32 ? 4 : 2,
    };
    LayoutOptions opt = {
        .width = 2 + (data[0] & 63),
        .cluster_width = data[1] & 2 ? layout_profile_width : NULL,
        .width_ctx = &prof,
        .ambiguous_width = data[1] & 1 ? 2 : 1,
        .line_ends = (data[1] >> 6) % 3,     /* auto, keep, reflow */
        .source_width = (data[0] >> 6) * 20, /* the story's own width: unknown, 20, 40, 60 */
        .direction = (data[0] ^ data[1]) % 3, /* BidiDirection */
    };
    BidiCache *bidi = bidi_cache_new();
    LayoutOptions slow = opt;
    slow.no_fast_path = 1;
    int W = opt.width < LAYOUT_MIN_WIDTH ? LAYOUT_MIN_WIDTH : opt.width;

    Text *t = text_from_bytes(data + 2, size - 2, "fuzz.txt");
    check_text(t, data + 2, size - 2);
    check_stream(t, data + 2, size - 2);
    const uint8_t *text = text_bytes(t);
    size_t position_lines = 0;
    for (size_t i = 0; i < text_paragraph_count(t); i++) {
        Span p = text_paragraph(t, i);
        LayoutLine *lines, *general;
        LayoutCursor mid;
        size_t n = wrap(text, p, &opt, &lines, 0, NULL);
        size_t half = n / 2;
        size_t ng = wrap(text, p, &slow, &general, half, &mid);
        FUZZ_CHECK(n >= 1, "paragraph %zu [%zu, %zu) has no line", i, p.start, p.end);

        /* the fast paths change nothing */
        FUZZ_CHECK(ng == n, "paragraph %zu: %zu lines, %zu on the general path", i, n, ng);
        for (size_t k = 0; k < n; k++)
            FUZZ_CHECK(
                lines[k].start == general[k].start && lines[k].end == general[k].end &&
                    lines[k].width == general[k].width &&
                    (lines[k].flags & ~(uint32_t)LAYOUT_LINE_HINTS) == general[k].flags,
                "paragraph %zu line %zu: [%zu, %zu) w%u f%u, general path [%zu, %zu) w%u f%u", i, k,
                lines[k].start, lines[k].end, lines[k].width, lines[k].flags, general[k].start,
                general[k].end, general[k].width, general[k].flags);

        /* a cursor is a plain value: a copy resumes where it stood */
        LayoutLine line;
        for (size_t k = half; k < n; k++) {
            FUZZ_CHECK(layout_cursor_next(&mid, &line) && line.start == general[k].start &&
                           line.end == general[k].end,
                       "paragraph %zu: a copied cursor's line %zu differs", i, k);
        }
        FUZZ_CHECK(!layout_cursor_next(&mid, &line), "paragraph %zu: a copied cursor goes on", i);

        /* the lines tile the paragraph */
        for (size_t k = 0; k < n; k++) {
            size_t want = k ? lines[k - 1].end : p.start;
            FUZZ_CHECK(lines[k].start == want && lines[k].start < lines[k].end,
                       "paragraph %zu [%zu, %zu) line %zu is [%zu, %zu), expected to start at %zu",
                       i, p.start, p.end, k, lines[k].start, lines[k].end, want);
            FUZZ_CHECK(!(lines[k].flags & LAYOUT_LINE_LAST) == (k + 1 < n),
                       "paragraph %zu line %zu of %zu: flags %u", i, k, n, lines[k].flags);
            bool positions = (k == 0 || k + 1 == n || k == n / 3 || k == 2 * n / 3) &&
                             position_lines < POSITION_LINES;
            position_lines += positions;
            check_line(t, &lines[k], &opt, W, positions);
            if (positions) check_display(text, p, &lines[k], &opt, bidi, W);
        }
        FUZZ_CHECK(lines[n - 1].end == p.end, "paragraph %zu [%zu, %zu) lines end at %zu", i,
                   p.start, p.end, lines[n - 1].end);
        /* a paragraph that keeps its line ends: every one ends a display line */
        if (layout_keeps_line_ends(text, p, &opt))
            for (size_t k = 0; k < n; k++) {
                const void *nl =
                    memchr(text + lines[k].start, '\n', lines[k].end - lines[k].start - 1);
                FUZZ_CHECK(!nl,
                           "paragraph %zu keeps its line ends, but line %zu [%zu, %zu) goes "
                           "on past one",
                           i, k, lines[k].start, lines[k].end);
            }
        free(lines);
        free(general);
    }
    text_free(t);
    bidi_cache_free(bidi);
    return 0;
}
