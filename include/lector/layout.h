/* layout: wrapping a paragraph into display lines, and drawing a line safely.
 *
 * Owns no story text: it reads a Text's bytes (valid UTF-8) and produces LayoutLine values, each
 * a byte range of the text, so positions map both ways (screen <-> byte offset). The lines of a
 * paragraph tile its span exactly: every byte lands in exactly one line.
 *
 * Rules: breaks only at UAX #14 opportunities (linebreak.h) that are also grapheme boundaries
 * (grapheme.h); greedy filling (a line never ends early when the next piece would fit); spaces at
 * a line end hang (not drawn, not counted); a word wider than the line breaks between grapheme
 * clusters; a soft hyphen is invisible unless the line breaks there, then drawn as "-"; NBSP
 * never breaks; tabs advance to the next multiple of 8 columns; inside a paragraph a single line
 * end reads as a space, but one followed by indentation starts a new display line (verse keeps
 * its shape), and in a paragraph that keeps its line ends (LayoutLineEnds) every one does; a
 * forced break class (form feed, U+2028...) ends the line too.
 *
 * Display: characters that could drive a terminal are never drawn raw. C0 controls and DEL are
 * drawn as Control Pictures (U+2400..U+2421, "␛" for ESC); C1 controls, bidi controls and the
 * line/paragraph separators as "<U+XXXX>" (as less does). A combining mark with no base is drawn
 * on a dotted circle; other zero-width clusters draw nothing. Widths are per grapheme cluster:
 * the width function is a parameter (the reader measures the real terminal); the default gives
 * East Asian wide/fullwidth 2, combining marks 0, emoji presentation, ZWJ, skin-tone and flag
 * sequences 2.
 *
 * The cursor is lazy: it reads only as far into the text as the lines it returns need (plus a
 * few code points of lookahead), so the first screen of a 200 MB paragraph costs a screen's work.
 */
#ifndef LECTOR_LAYOUT_H
#define LECTOR_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lector/bidi.h"
#include "lector/linebreak.h"
#include "lector/sabreak.h"
#include "lector/strbuf.h"
#include "lector/text.h"

#define LAYOUT_MIN_WIDTH 8    /* columns; a wider stand-in ("<U+10FFFF>") is cut: "<U+10F…" */
#define LAYOUT_MAX_WIDTH 4096 /* columns */

/* Display width in columns of a grapheme cluster s[0..len) of the kinds terminals disagree on:
 * clusters of more than one code point, and those starting with an emoji or a regional
 * indicator. Any other cluster is one code point whose width is the table's (East Asian
 * Ambiguous ones: LayoutOptions.ambiguous_width). ctx is LayoutOptions.width_ctx. */
typedef int (*LayoutWidthFn)(const uint8_t *s, size_t len, void *ctx);

typedef struct {
    int width;                   /* columns, LAYOUT_MIN_WIDTH..LAYOUT_MAX_WIDTH (clamped) */
    LayoutWidthFn cluster_width; /* NULL: layout_default_width */
    void *width_ctx;             /* passed to cluster_width; borrowed */
    int ambiguous_width;         /* columns of East Asian Ambiguous characters: 2, else 1 */
    int no_fast_path;            /* 1: every cluster takes the general path (for the test that
                                    proves the ASCII fast path changes nothing) */
    int line_ends;               /* LayoutLineEnds: what a paragraph's own line ends mean */
    int source_width;            /* columns the story's lines were wrapped at, about
                                    (layout_source_width); 0: unknown; LAYOUT_LINES_MEANT: an
                                    imported book, whose every line end is meant (a <br>, a
                                    list item, a verse line): auto keeps them all */
    int direction;               /* BidiDirection of the paragraphs, for layout_line_cells */
    int korean_syllables;        /* 1: Korean breaks between any two syllables (UAX #14's
                                    default); 0: at spaces, as Korean readers expect */
    SaBreaker *sa;               /* Thai and its kin's dictionary (sabreak.h), borrowed; NULL:
                                    one is opened for each line that needs it (slow) */
} LayoutOptions;

enum { LAYOUT_LINES_MEANT = -1 };

/* Line ends inside a paragraph. Prose is often wrapped by hand at some width, and reads best
 * reflowed to the measure; verse, letters and lists mean their line ends. */
typedef enum {
    LAYOUT_ENDS_AUTO,   /* keep them in a paragraph that looks like verse or a list
                           (layout_keeps_line_ends), reflow the rest */
    LAYOUT_ENDS_KEEP,   /* every line end ends a display line */
    LAYOUT_ENDS_REFLOW, /* a line end reads as a space (but before indentation) */
} LayoutLineEnds;

/* The width the story's lines were wrapped at: the widest (in code points) of the lines of
 * text[0, len) that another line of their paragraph follows, leaving out the widest 5% of them
 * (a long URL should not count). 0 when no paragraph has two lines. Reads at most the first
 * 64 KiB. */
int layout_source_width(const uint8_t *text, size_t len);

/* Whether the paragraph para keeps its line ends under opt (see LayoutLineEnds). In auto mode: a
 * paragraph of two lines or more, most of which are list items ("- ", "* ", "• ", "1. ", "2) ",
 * "a) "), or most of whose lines end early -- the next line's first word would have fitted
 * within opt->source_width -- as verse and letters do and prose wrapped by hand does not.
 * Looks at the first 64 lines (8 KiB) at most. */
bool layout_keeps_line_ends(const uint8_t *text, Span para, const LayoutOptions *opt);

enum {
    LAYOUT_LINE_HYPHEN = 1,  /* ends at a soft hyphen: draw "-" after it (counted in width) */
    LAYOUT_LINE_FORCED = 2,  /* ends at a forced break (indented next line, form feed, ...) */
    LAYOUT_LINE_LAST = 4,    /* last line of its paragraph */
    LAYOUT_LINE_PLAIN = 8,   /* a hint: every visible cluster is one code point drawn as itself
                                (no tab or control; a line end inside reads as a space); drawing
                                it is a copy. Only the fast path sets it: compare lines without
                                it (LAYOUT_LINE_HINTS) */
    LAYOUT_LINE_SIMPLE = 16, /* a hint: as LAYOUT_LINE_PLAIN, but for tabs (spaces to the next
                                multiple of 8 columns, at most to the edge) and ASCII controls
                                (their pictures, a column each) */
    LAYOUT_LINE_SOFT_ENDS = 32, /* a hint with either: a line end inside (drawn as a space);
                                   without it, there is none */
    LAYOUT_LINE_HINTS = LAYOUT_LINE_PLAIN | LAYOUT_LINE_SIMPLE | LAYOUT_LINE_SOFT_ENDS,
};

typedef struct {
    size_t start, end; /* bytes of the text; consecutive lines of a paragraph tile it */
    uint32_t width;    /* columns drawn: hanging spaces excluded, a soft-hyphen "-" included */
    uint32_t flags;    /* LAYOUT_LINE_* */
} LayoutLine;

/* What a real terminal draws for the cluster kinds terminals disagree on, as measured by the
 * reader at start (columns). The measured width function below applies it. */
typedef struct {
    int zwj_sequence; /* a ZWJ emoji sequence: 2 when drawn as one glyph, else drawn as parts */
    int flag;         /* a pair of regional indicators */
    int vs16;         /* a text-default emoji followed by VS16 (U+FE0F): 1 or 2 */
    int modifier;     /* an emoji with a skin-tone modifier: 2, or 4 when drawn as two glyphs */
} LayoutWidthProfile;

/* A LayoutWidthFn for a LayoutWidthProfile (ctx). A ZWJ sequence not drawn as one glyph counts
 * the default width of each part; the rest is layout_default_width. */
int layout_profile_width(const uint8_t *s, size_t len, void *ctx);

/* The default cluster width (see the top of this file); ambiguous characters count 1. */
int layout_default_width(const uint8_t *s, size_t len, void *ctx);

/* A lazy cursor over the display lines of one paragraph. Plain value: copy it to remember a
 * place. Borrows text and opt; both must outlive it. */
typedef struct {
    const uint8_t *text;
    size_t pos, end;   /* next line starts at pos; the paragraph ends at end */
    size_t para_start; /* where the paragraph starts */
    const LayoutOptions *opt;
    LinebreakState lb; /* line-break state just before pos */
    int width;         /* opt->width, clamped */
    int keep_lines;    /* every line end ends a display line (layout_keeps_line_ends); -1 until
                          a line end not followed by indentation asks (most never do) */
} LayoutCursor;

void layout_cursor_init(LayoutCursor *c, const uint8_t *text, Span para, const LayoutOptions *opt);
/* Fills *line with the next display line and returns true, or returns false at the end. An empty
 * paragraph span yields no lines. */
bool layout_cursor_next(LayoutCursor *c, LayoutLine *line);

/* All lines of a paragraph into *lines (caller frees); returns the count. */
size_t layout_wrap_paragraph(const uint8_t *text, Span para, const LayoutOptions *opt,
                             LayoutLine **lines);

/* One drawn cell of a line: the grapheme cluster at text[off..off+len) drawn as glyph (UTF-8,
 * safe for a terminal) over `width` columns starting at column col. A soft hyphen's "-" has
 * len 0. glyph points into the text or into glyph_buf: valid while both are. */
typedef struct {
    size_t off, len;
    int col, width;
    const uint8_t *glyph;
    size_t glyph_len;
    uint8_t glyph_buf[160];
} LayoutCell;

typedef struct {
    const uint8_t *text;
    const LayoutLine *line;
    const LayoutOptions *opt;
    size_t pos, visible_end; /* visible_end: hanging spaces begin here */
    int col, hyphen_done;
} LayoutCellIter;

void layout_cells_begin(LayoutCellIter *it, const uint8_t *text, const LayoutLine *line,
                        const LayoutOptions *opt);
/* Next cell to draw; false at the end of the line. Zero-width clusters are skipped. */
bool layout_cells_next(LayoutCellIter *it, LayoutCell *cell);

/* The cells of line (of paragraph para) as they are drawn, left to right: in display order by
 * the bidirectional algorithm (bidi.h, through bidi's cache) with cell.col the column from the
 * line's left edge, brackets mirrored at right-to-left levels, and the line of a right-to-left
 * paragraph aligned right within opt->width. A soft hyphen's "-" goes at the line's end in
 * display order (the left end, right to left). Cells still carry their source bytes (off, len),
 * so what points into the text (highlights, marks) follows them. A paragraph that is left to
 * right throughout (bidi_may_reorder) comes out as layout_cells_next gives it, without ICU;
 * bidi NULL: always so. *cells is grown as needed (the caller owns and frees it, *cap its
 * room); returns the count. *rtl (may be NULL): the paragraph is right to left. */
size_t layout_line_cells(const uint8_t *text, Span para, const LayoutLine *line,
                         const LayoutOptions *opt, BidiCache *bidi, LayoutCell **cells, size_t *cap,
                         bool *rtl);

/* Appends the line in display order (layout_line_cells), right-to-left lines padded on the left
 * to opt->width; otherwise as layout_render_line. */
void layout_render_line_visual(const uint8_t *text, Span para, const LayoutLine *line,
                               const LayoutOptions *opt, BidiCache *bidi, Strbuf *out);

/* Appends the line as a terminal should draw it (no newline). Safe: no byte below 0x20, no DEL
 * and no C1 control ever reaches out. */
void layout_render_line(const uint8_t *text, const LayoutLine *line, const LayoutOptions *opt,
                        Strbuf *out);

/* Screen column of the cluster holding byte off (clamped to the line), and the byte offset of
 * the cluster drawn at column col (the line's end when col is past the text). */
int layout_offset_to_col(const uint8_t *text, const LayoutLine *line, const LayoutOptions *opt,
                         size_t off);
size_t layout_col_to_offset(const uint8_t *text, const LayoutLine *line, const LayoutOptions *opt,
                            int col);

#endif
