/* layout.c: greedy wrapping over grapheme clusters and UAX #14 opportunities.
 *
 * Data model: a paragraph is walked one grapheme cluster at a time. Each cluster is classified
 * once (classify_cluster) into a kind and a width; the same function serves the wrapper and the
 * drawing iterator, so what is measured is exactly what is drawn. The wrapper keeps the physical
 * column, the visible extent (columns up to the last non-hanging cluster) and the latest break
 * candidate: its byte offset, the visible width of the line if broken there and the line-break
 * state just before it, which is what the next line resumes from.
 *
 * Speed: three fast paths, none of which changes a result (tests/unit/test_layout.c compares
 * them with the general path line by line on the KJV, Russian and Chinese): printable ASCII is
 * one cluster of one column; an ordinary code point that nothing extends is decoded once; and
 * inside a word, a run of letters and digits is taken in one scan, since UAX #14 forbids a
 * break in it (linebreak_word_run).
 */
#include "lector/layout.h"

#include <stdlib.h>
#include <string.h>

#include "lector/grapheme.h"
#include "lector/sabreak.h"
#include "lector/ucd.h"
#include "lector/xalloc.h"

enum ClusterKind {
    CK_TEXT,           /* drawn as written */
    CK_SPACE,          /* U+0020: hangs at a line end */
    CK_SOFT_NEWLINE,   /* a line end inside a paragraph, read as a space; hangs */
    CK_FORCED_NEWLINE, /* a line end before indentation: ends the display line; hangs */
    CK_TAB,            /* to the next multiple of 8 columns */
    CK_SOFT_HYPHEN,    /* U+00AD: invisible unless the line breaks after it */
    CK_CONTROL,        /* drawn as its stand-in (text_visible_control): "␛" or "<U+202E>" */
    CK_OVERWIDE,       /* wider than the line (a pile of joined jamo or marks): clipped, "…" */
    CK_DOTTED,         /* combining mark with no base: drawn on U+25CC */
    CK_INVISIBLE,      /* zero-width format character on its own: nothing drawn */
};

#define GLYPH_MAX_BYTES                                                                            \
    128 /* bytes of one cluster sent to the terminal (a cluster of a million                       \
           marks draws its first few only) */

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
    for (size_t i = n; i < len; i += n)
        w += (int)UCD_WIDTH(ucd_props(ucd_decode(s + i, end, &n)));
    return w;
}

int layout_profile_width(const uint8_t *s, size_t len, void *ctx)
{
    const LayoutWidthProfile *prof = ctx;
    const uint8_t *end = s + len;
    size_t n;
    uint32_t p0 = ucd_props(ucd_decode(s, end, &n));
    if (UCD_GCB(p0) == GB_RI) return len >= 8 ? prof->flag : 1;
    int has_zwj = 0, has_vs16 = 0, has_modifier = 0;
    for (size_t i = 0; i < len;) {
        size_t m;
        uint32_t cp = ucd_decode(s + i, end, &m);
        has_zwj |= cp == 0x200d;
        has_vs16 |= cp == 0xfe0f;
        has_modifier |= cp >= 0x1f3fb && cp <= 0x1f3ff;
        i += m;
    }
    if (has_zwj && (p0 & UCD_EXTPICT) && prof->zwj_sequence != 2) {
        int w = 0; /* drawn as its parts: each part's own width */
        size_t part = 0;
        for (size_t i = 0; i <= len;) {
            size_t m = 0;
            uint32_t cp = i < len ? ucd_decode(s + i, end, &m) : 0x200d;
            if (cp == 0x200d) {
                if (i > part) w += layout_default_width(s + part, i - part, NULL);
                part = i + (i < len ? m : 0);
            }
            if (i >= len) break;
            i += m;
        }
        return w;
    }
    if (has_modifier && (p0 & UCD_EXTPICT)) return prof->modifier;
    if (has_vs16 && (p0 & UCD_EMOJI) && !(p0 & UCD_EMOJI_PRES)) return prof->vs16;
    return layout_default_width(s, len, NULL);
}

typedef struct {
    int kind;
    int width;
} ClusterInfo;

/* Width of a cluster that is one ordinary code point. */
static inline int simple_width(uint32_t props, const LayoutOptions *opt)
{
    int w = (int)UCD_WIDTH(props);
    if (w == 1 && (props & UCD_EAW_AMBIGUOUS) && opt->ambiguous_width == 2) w = 2;
    return w;
}

/* True when the code point at q (or the paragraph end) starts a new grapheme cluster after an
 * ordinary code point (grapheme class Other): only Extend, ZWJ and SpacingMark join it. */
static inline int starts_cluster(const uint8_t *q, const uint8_t *end)
{
    if (q >= end || *q < 0x80) return 1;
    size_t n;
    unsigned g = UCD_GCB(ucd_props(ucd_decode(q, end, &n)));
    return g != GB_EXTEND && g != GB_ZWJ && g != GB_SPACINGMARK;
}

/* An ordinary code point: its own cluster kind, drawn as written, width from the table. */
static inline int is_plain(uint32_t props)
{
    /* unassigned: drawn as "<U+XXXX>" (text_visible_control), so never plain */
    return UCD_GCB(props) == GB_OTHER && !(props & (UCD_EXTPICT | UCD_EMOJI | UCD_UNASSIGNED)) &&
           UCD_WIDTH(props) >= 1;
}

/* 1 for the ASCII letters and digits (line-break classes AL and NU), the bytes a word run may
 * take without decoding; 0 for everything else, including every byte >= 0x80. */
static const uint8_t ascii_word[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
};

/* The code point a cluster is drawn as a stand-in for (text_visible_control): its first, or
 * an unassigned one inside it (after a Prepend such as U+0600, or an emoji and a ZWJ), which
 * must not reach the terminal either. A control is always a cluster of its own. */
static uint32_t stand_in_cp(const uint8_t *s, size_t len)
{
    size_t n;
    uint32_t first = ucd_decode(s, s + len, &n);
    for (size_t i = n; i < len; i += n) {
        uint32_t cp = ucd_decode(s + i, s + len, &n);
        if (ucd_props(cp) & UCD_UNASSIGNED) return cp;
    }
    return first;
}

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
    size_t n;
    uint32_t cp = ucd_decode(s, s + len, &n);
    if (cp == 0x00ad) return (ClusterInfo){CK_SOFT_HYPHEN, 0};
    uint8_t vis[TEXT_VISIBLE_MAX];
    size_t vn = text_visible_control(stand_in_cp(s, len), vis);
    if (vn) { /* "<U+0382>" or "␛"; one wider than the line ("<U+10FFFF>" at 8) is cut */
        int w = vn > 3 ? (int)vn : 1;
        return (ClusterInfo){CK_CONTROL, w > W ? W : w};
    }
    uint32_t props = ucd_props(cp);
    if (n == len && !(props & (UCD_EXTPICT | UCD_EMOJI)) && UCD_GCB(props) != GB_RI)
        ci.width = simple_width(props, opt);
    else if (opt->cluster_width)
        ci.width = opt->cluster_width(s, len, opt->width_ctx);
    else
        ci.width = layout_default_width(s, len, NULL);
    if (ci.width < 0) ci.width = 0;
    if (ci.width > W) return (ClusterInfo){CK_OVERWIDE, W};
    if (ci.width == 0) {
        uint32_t p = props;
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
    c->para_start = para.start;
    c->keep_lines = -1;
    linebreak_init(&c->lb);
    c->lb.keep_all = !opt->korean_syllables; /* Korean breaks at its spaces (linebreak.h) */
}

/* Code points in s[0, len). */
static size_t count_cps(const uint8_t *s, size_t len)
{
    size_t cont = 0, i = 0; /* continuation bytes (10xxxxxx), 8 at a time */
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t top = w & ~(w << 1) & 0x8080808080808080ull;         /* bit 7 of each such byte */
        cont += (size_t)(((top >> 7) * 0x0101010101010101ull) >> 56); /* their sum, at most 8:
                                                   no popcount instruction in a generic build */
    }
    for (; i < len; i++)
        cont += (s[i] & 0xc0) == 0x80;
    return len - cont;
}

static bool blank_line(const uint8_t *s, size_t len)
{
    for (size_t k = 0; k < len; k++)
        if (s[k] != ' ' && s[k] != '\t') return false;
    return true;
}

int layout_source_width(const uint8_t *text, size_t len)
{
    /* 64 KiB (about a thousand lines of prose): this runs before a story's first screen, where
     * 256 KiB made a fifth of the time to it */
    enum { SAMPLE = 64 << 10, MAX_LINES = 4096 };
    if (len > SAMPLE) len = SAMPLE;
    /* the lines counted by width (past LAYOUT_MAX_WIDTH, as that): the percentile below is then
     * a walk of the counts, where sorting the widths cost a tenth of the first screen */
    uint32_t *count = xcalloc(LAYOUT_MAX_WIDTH + 1, sizeof *count);
    size_t n = 0;
    /* each line [start, i) that ends in a line end, with the next line's end (memchr: this runs
     * before a story's first screen) */
    size_t start = 0;
    const uint8_t *nl = memchr(text, '\n', len);
    bool blank = nl && blank_line(text, (size_t)(nl - text));
    while (nl && n < MAX_LINES) {
        size_t i = (size_t)(nl - text);
        const uint8_t *next = memchr(text + i + 1, '\n', len - i - 1);
        size_t next_end = next ? (size_t)(next - text) : len;
        bool next_blank = blank_line(text + i + 1, next_end - i - 1);
        /* a line followed by another of its paragraph: not blank, and the next not blank */
        if (!blank && !next_blank && next) {
            size_t w = count_cps(text + start, i - start);
            count[w < LAYOUT_MAX_WIDTH ? w : LAYOUT_MAX_WIDTH]++;
            n++;
        }
        start = i + 1;
        blank = next_blank;
        nl = next;
    }
    int width = 0;
    if (n) { /* the longest but the longest 5% (a URL, say): the (n - n / 20)th shortest */
        size_t want = n - n / 20, seen = count[0];
        while (seen < want)
            seen += count[++width];
    }
    free(count);
    return width;
}

/* A list item's marker at s (after any indentation): "- ", "* ", "+ ", "• ", "– ", "— ",
 * one to three digits or a letter and then ". " or ") ". */
static bool list_marker(const uint8_t *s, const uint8_t *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    if (end - s >= 2 && (*s == '-' || *s == '*' || *s == '+') && s[1] == ' ') return true;
    static const char *const bullets[] = {"\xe2\x80\xa2 ", "\xe2\x80\x93 ", "\xe2\x80\x94 "};
    for (size_t i = 0; i < sizeof bullets / sizeof *bullets; i++)
        if ((size_t)(end - s) >= 4 && !memcmp(s, bullets[i], 4)) return true;
    const uint8_t *p = s;
    while (p < end && p - s < 3 && *p >= '0' && *p <= '9')
        p++;
    if (p == s && p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
        p++;
        return end - p >= 2 && *p == ')' && p[1] == ' ';
    }
    return p > s && end - p >= 2 && (*p == '.' || *p == ')') && p[1] == ' ';
}

bool layout_keeps_line_ends(const uint8_t *text, Span para, const LayoutOptions *opt)
{
    if (opt->line_ends == LAYOUT_ENDS_KEEP) return true;
    if (opt->line_ends != LAYOUT_ENDS_AUTO) return false;
    if (opt->source_width == LAYOUT_LINES_MEANT) return true;
    enum { MAX_LINES = 64, MAX_BYTES = 8 << 10 };
    size_t end = para.end - para.start > MAX_BYTES ? para.start + MAX_BYTES : para.end;
    size_t lines = 0, items = 0, early = 0, joins = 0;
    size_t start = para.start;
    while (start < end && lines < MAX_LINES) {
        const uint8_t *found = memchr(text + start, '\n', end - start);
        size_t nl = found ? (size_t)(found - text) : end;
        lines++;
        items += list_marker(text + start, text + nl);
        if (nl >= end) break;
        /* the next line's first word: would it have fitted after this line? */
        size_t w = nl + 1, we = w;
        while (we < para.end && text[we] != ' ' && text[we] != '\n' && text[we] != '\t')
            we++;
        joins++;
        if (opt->source_width > 0 &&
            count_cps(text + start, nl - start) + 1 + count_cps(text + w, we - w) <=
                (size_t)opt->source_width)
            early++;
        start = nl + 1;
    }
    if (lines < 2) return false;
    return items * 2 > lines || (joins && early * 2 > joins);
}

/* Whether the cursor's paragraph keeps its line ends, decided when a line end first asks. */
static inline bool keeps_lines(LayoutCursor *c)
{
    if (c->keep_lines < 0)
        c->keep_lines = layout_keeps_line_ends(c->text, (Span){c->para_start, c->end}, c->opt);
    return c->keep_lines;
}

/* Classes after which the line-break state depends on the last two code points alone: all but
 * spaces and breaks, marks (absorbed by LB9), regional indicators (a run count) and the number
 * classes LB25 carries through (SY, IS, CL, CP). */
static inline int resyncable(uint32_t props)
{
    switch (UCD_LB(props)) {
    case LB_SP:
    case LB_BK:
    case LB_CR:
    case LB_LF:
    case LB_NL:
    case LB_CM:
    case LB_ZWJ:
    case LB_RI:
    case LB_SY:
    case LB_IS:
    case LB_CL:
    case LB_CP:
    case LB_ZW:
        return 0;
    default:
        return 1;
    }
}

/* The columns of the code point at t if it is one a run below takes by its first bytes alone
 * (Cyrillic U+0400..U+047F: 1 unless ambiguous characters are wide; CJK U+4E00..U+9FFF: 2),
 * else 0. Its sequence is then unit + 1 bytes long. */
static inline int run_unit(const uint8_t *t, size_t avail, const LayoutOptions *opt)
{
    uint8_t b = t[0];
    if ((b & 0xfe) == 0xd0 && opt->ambiguous_width != 2 && avail >= 2) return 1;
    if (((b >= 0xe5 && b <= 0xe9) || (b == 0xe4 && avail >= 2 && t[1] >= 0xb8)) && avail >= 3)
        return 2;
    return 0;
}

static inline size_t prev_cp_start(const uint8_t *t, size_t i)
{
    do
        i--;
    while ((t[i] & 0xc0) == 0x80);
    return i;
}

/* What step 1 of fast_line takes without decoding, by lead byte: printable ASCII (one column),
 * Cyrillic U+0400..U+047F (lead bytes D0 D1: one column), CJK ideographs U+4E00..U+9FFF (E5..E9,
 * and E4 before B8..BF: two columns) and, by the bytes after the lead (plain_run_checked), the
 * Latin-1 letters and signs U+00A0..U+00FF but three, the general punctuation
 * U+2010..U+2027 and box drawing U+2500..U+257F (one column), U+3000..U+3029 and the fullwidth
 * forms U+FF01..U+FF5E (two). An entry is the sequence's length | its columns << 2 | PR_CHECK (the
 * bytes after the lead decide) | PR_AMBIGUOUS (East Asian Ambiguous among them: left to the
 * general path when those are wide); 0: not taken. test_layout checks that the Unicode
 * tables agree (the_lead_byte_runs_agree_with_the_tables). */
enum { PR_CHECK = 16, PR_AMBIGUOUS = 32 };
/* clang-format off */
static const uint8_t plain_run[256] = { /* a row: 32 bytes */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 54, 54, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 38, 38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 55, 27, 27, 11, 11, 11, 11, 11, 0, 0, 0, 0, 0, 27, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
/* clang-format on */

/* Whether the sequence at s, whose lead has PR_CHECK and which is whole, is one plain_run
 * takes. */
static inline bool plain_run_checked(const uint8_t *s)
{
    uint8_t b1 = s[1];
    switch (s[0]) {
    case 0xc2: /* U+00A0..U+00BF but the soft hyphen U+00AD (drawn only at a line's end) and
                * the emoji U+00A9 U+00AE */
        return b1 >= 0xa0 && b1 != 0xad && b1 != 0xa9 && b1 != 0xae;
    case 0xc3: /* U+00C0..U+00FF */
        return true;
    case 0xe4: /* U+4E00..U+4FFF */
        return b1 >= 0xb8;
    case 0xe2: /* U+2010..U+2027, U+2500..U+257F (box drawing) */
        return (b1 == 0x80 && s[2] >= 0x90 && s[2] <= 0xa7) || b1 == 0x94 || b1 == 0x95;
    case 0xe3: /* U+3000..U+3029 (U+302A..U+302F are marks) */
        return b1 == 0x80 && s[2] <= 0xa9;
    default: /* EF: U+FF01..U+FF5E */
        return (b1 == 0xbc && s[2] >= 0x81) || (b1 == 0xbd && s[2] <= 0x9e);
    }
}

/* Set bytes (0x80 in each byte) of w that are b. */
static inline uint64_t bytes_equal(uint64_t w, uint64_t b)
{
    const uint64_t H = 0x8080808080808080ull, M = 0x7f7f7f7f7f7f7f7full;
    uint64_t z = w ^ (b * 0x0101010101010101ull);
    return ~(((z & M) + M) | z) & H;
}

/* Takes the code points the table takes from t[i], while they fit in W: *col and *content (the
 * columns up to the last one that is not a space) follow. Returns where it stopped: a byte the
 * table does not take, or the first code point that does not fit (*overflow set). The text is
 * valid UTF-8, and i a code point's start. Eight bytes of printable ASCII and Cyrillic at a time
 * when ambiguous characters are narrow: a word's columns are its bytes that are not
 * continuation bytes (10xxxxxx). */
static inline size_t measure_plain_run(const uint8_t *t, size_t i, size_t end, int W, bool narrow,
                                       int *col, int *content, int *overflow)
{
    const uint64_t H = 0x8080808080808080ull, ones = 0x0101010101010101ull;
    const size_t from = i;
    int c = *col;
    for (;;) {
        if (i >= end) break;
        if (narrow && t[i] < 0xe0) {
            while (i + 8 <= end && c + 8 <= W) {
                uint64_t w;
                memcpy(&w, t + i, 8);
                uint64_t low = w & ~H;
                /* ASCII 0x20..0x7e: high bit clear, low bits + 0x60 carry into it, + 1 do not */
                uint64_t ascii = ~w & ((low + 0x6060606060606060ull) & ~(low + ones)) & H;
                if (ascii == H) {
                    c += 8;
                    i += 8;
                    continue;
                }
                uint64_t cont = w & ~(w << 1) & H;
                uint64_t cyr = bytes_equal(w & 0xfefefefefefefefeull, 0xd0);
                uint64_t bad = ~(ascii | cont | cyr) & H;
                /* the bytes before the first the table does not take here; and a lead byte
                 * last goes with its sequence, in the next word */
                int n = bad ? __builtin_ctzll(bad) >> 3 : 8;
                if (n && (cyr >> (8 * n - 1) & 1)) n--;
                uint64_t taken = n == 8 ? H : H & ((1ull << (8 * n)) - 1);
                c += (int)((((~cont & taken) >> 7) * ones) >> 56);
                i += (size_t)n;
                if (bad || n < 8) break;
            }
        }
        if (i >= end) break;
        unsigned e = plain_run[t[i]];
        if (!e || ((e & PR_AMBIGUOUS) && !narrow)) break;
        size_t len = e & 3;
        int w = (int)(e >> 2 & 3);
        if (len > end - i || ((e & PR_CHECK) && !plain_run_checked(t + i))) break;
        if (c + w > W) {
            *overflow = 1;
            break;
        }
        c += w;
        i += len;
    }
    /* every space is a column: the content ends before the spaces that end the run, unless the
     * run is all spaces */
    size_t k = i;
    while (k > from && t[k - 1] == ' ')
        k--;
    if (k > from) *content = c - (int)(i - k);
    *col = c;
    return i;
}

/* The line [start, nl] ends at the forced line end at nl; the next starts after it. */
static void forced_end(LayoutCursor *c, LayoutLine *line, size_t start, size_t nl, int content,
                       uint32_t hints)
{
    *line = (LayoutLine){start, nl + 1, (uint32_t)content, LAYOUT_LINE_FORCED | hints};
    linebreak_init(&c->lb);
    c->lb.keep_all = !c->opt->korean_syllables;
    c->lb.started = 1;
    uint32_t bk = ucd_props(0x2028);
    linebreak_remember(&c->lb, LB_BK, LB_BK, bk);
    c->pos = nl + 1;
}

/* The line-level fast path. Most lines are "plain": every cluster one code point of table width
 * (all of ASCII prose, Cyrillic, CJK). Such a line ends at the last break opportunity at or
 * before x, the first non-hanging cluster that does not fit. The line-break state after two
 * resyncable code points depends on them alone (linebreak_remember sets every field the rules
 * read), so instead of feeding the engine the whole line we measure forward to x, resynchronise
 * it a little before x and run it over that stretch only. A forced break (inside the width or
 * right at its edge) or the paragraph end inside the width ends the line there. Returns false,
 * having changed nothing, on anything else (a mark, an emoji, a VT or FF, no opportunity in the
 * stretch); the caller then walks the line cluster by cluster. tests/unit/test_layout.c compares
 * both on three scripts. */
static bool fast_line(LayoutCursor *c, LayoutLine *line)
{
    const uint8_t *t = c->text;
    const size_t start = c->pos, end = c->end;
    const int W = c->width;
    size_t i = start;
    int col = 0, content = 0;
    /* the hints: SIMPLE once a tab or a control is met, none once a word joiner is (drawn by
     * the cells), and SOFT_ENDS at a soft line end (with either of the others) */
    uint32_t plain = LAYOUT_LINE_PLAIN, soft = 0;
    const bool narrow = c->opt->ambiguous_width != 2;
    /* 1. Measure forward to the overflow (or a forced break, or the end). A mark after what
     * measure_plain_run takes is the next code point, which the path below refuses. */
    while (i < end && col < W) {
        /* what plain_run takes (ASCII, Cyrillic, CJK, Latin-1...), counted by lead bytes */
        int full = 0;
        i = measure_plain_run(t, i, end, W, narrow, &col, &content, &full);
        if (full || i >= end || col >= W) break;
        uint8_t b = t[i];
        if (b == '\n') {
            if (t[i + 1] == ' ' || t[i + 1] == '\t' || keeps_lines(c)) { /* forced: ends here */
                forced_end(c, line, start, i, content, plain | (plain ? soft : 0));
                return true;
            }
            soft = LAYOUT_LINE_SOFT_ENDS;
            col++; /* a soft line end is a hanging space (drawn as one inside the line) */
            i++;
            continue;
        }
        if (b == '\t') { /* to the next multiple of 8, at most to the edge (classify_cluster) */
            if (plain) plain = LAYOUT_LINE_SIMPLE;
            int w = 8 - col % 8;
            col += w > W - col ? W - col : w;
            content = col;
            i++;
            continue;
        }
        if (b < 0x20 || b == 0x7f) { /* a control: one column, drawn as its picture */
            if (b == 0x0b || b == 0x0c) return false; /* VT, FF: forced breaks */
            if (plain) plain = LAYOUT_LINE_SIMPLE;
            col++;
            content = col;
            i++;
            continue;
        }
        if (b < 0x80) return false;
        /* A run of non-ASCII code points. Each is decoded once: the lookahead that proves the
         * current one is a whole cluster is the next one's own decoding. */
        size_t n;
        uint32_t cp = ucd_decode(t + i, t + end, &n), props = ucd_props(cp);
        int overflow = 0;
        for (;;) {
            /* a word joiner (compare's marks hold them): a cluster of its own (a control), no
             * columns, never makes hanging spaces visible, and is not drawn; Thai and its kin
             * break by dictionary (sabreak.h): the general path asks */
            bool joiner = cp == 0x2060;
            if (joiner)
                plain = 0;
            else if (!is_plain(props) || sabreak_is_sa(cp))
                return false;
            size_t j = i + n, nn = 0;
            uint32_t next = 0, next_cp = 0;
            /* back to the loop above at ASCII, or at a Cyrillic or CJK letter (never a mark:
             * this one is a cluster of its own) that its runs take */
            int next_ascii = j >= end || t[j] < 0x80 || run_unit(t + j, end - j, c->opt);
            if (!next_ascii) {
                next_cp = ucd_decode(t + j, t + end, &nn);
                next = ucd_props(next_cp);
                unsigned g = UCD_GCB(next);
                if (g == GB_EXTEND || g == GB_ZWJ || g == GB_SPACINGMARK) return false;
            }
            int w = simple_width(props, c->opt);
            if (col + w > W) {
                overflow = 1;
                break;
            }
            col += w;
            if (!joiner) content = col;
            i = j;
            if (next_ascii || col >= W) break;
            props = next;
            cp = next_cp;
            n = nn;
        }
        if (overflow) break;
    }
    if (i >= end) { /* the rest fits */
        *line = (LayoutLine){start, end, (uint32_t)content,
                             LAYOUT_LINE_LAST | plain | (plain ? soft : 0)};
        c->pos = end;
        return true;
    }
    size_t x = i; /* spaces and soft line ends at the edge hang: skip to the first real cluster */
    while (x < end && (t[x] == ' ' ||
                       (t[x] == '\n' && t[x + 1] != ' ' && t[x + 1] != '\t' && !keeps_lines(c))))
        x++;
    /* a forced line end right at the edge (a line of just the measure's width, or spaces
     * hanging up to one) ends the line there, as inside it */
    if (x < end && t[x] == '\n' && (t[x + 1] == ' ' || t[x + 1] == '\t' || keeps_lines(c))) {
        forced_end(c, line, start, x, content, plain | (plain ? soft : 0));
        return true;
    }
    /* x must be a cluster that really overflows: one that starts a cluster and is at least a
     * column wide (a zero-width space or a mark at the edge is no overflow) */
    if (x >= end || t[x] == '\n' || t[x] == 0x0b || t[x] == 0x0c) return false;
    if (t[x] < 0x80) {
        if (t[x] == ' ') return false;
    } else {
        size_t n;
        if (!is_plain(ucd_props(ucd_decode(t + x, t + end, &n))) || !starts_cluster(t + x, t + end))
            return false;
    }
    int col_x = col + (int)(x - i); /* column where x would start */

    /* 2. Resynchronise before the word holding x, then run the engine up to x. */
    size_t r = x;
    while (r > start && ascii_word[t[r - 1]])
        r--;
    if (r == x && t[x] >= 0x80) { /* non-ASCII: step back over letters of the same word */
        while (r > start) {
            size_t k = prev_cp_start(t, r), n;
            unsigned cls = UCD_LB(ucd_props(ucd_decode(t + k, t + end, &n)));
            if (cls != LB_AL && cls != LB_HL && cls != LB_NU) break;
            r = k;
        }
    }
    uint32_t p1 = 0, p2 = 0;
    int found = 0;
    for (int steps = 0; steps < 64 && r > start; steps++) {
        size_t k1 = prev_cp_start(t, r), n;
        if (k1 <= start) break;
        size_t k2 = prev_cp_start(t, k1);
        p1 = ucd_props(ucd_decode(t + k1, t + end, &n));
        p2 = ucd_props(ucd_decode(t + k2, t + end, &n));
        if (t[k1] != '\n' && t[k2] != '\n' && resyncable(p1) && resyncable(p2)) {
            found = 1;
            break;
        }
        r = k1;
    }
    if (!found) return false;
    /* widths of [r, x): every cluster there was measured plain in step 1 */
    int w_rx = 0;
    for (size_t y = r; y < x;) {
        size_t n;
        if (t[y] == '\t') return false; /* its width depends on a column we do not track here */
        uint32_t props = ucd_props(ucd_decode(t + y, t + end, &n));
        w_rx += (t[y] == '\n') ? 1 : simple_width(props, c->opt);
        y += n;
    }
    LinebreakState lb;
    linebreak_init(&lb);
    lb.keep_all = !c->opt->korean_syllables;
    lb.started = 1;
    linebreak_remember(&lb, UCD_LB(p2), UCD_LB(p2), p2);
    linebreak_remember(&lb, UCD_LB(p1), UCD_LB(p1), p1);
    const uint32_t space_props = ucd_props(' ');
    int ycol = col_x - w_rx, yvis = ycol, q_vis = 0;
    size_t q = 0;
    LinebreakState at_q = lb;
    for (size_t y = r; y <= x;) {
        size_t n;
        uint32_t props = ucd_props(ucd_decode(t + y, t + end, &n));
        int hang = t[y] == ' ' || t[y] == '\n';
        if (t[y] == '\n') props = space_props;
        LinebreakState before = lb;
        int action = linebreak_step_fast(&lb, props, t + y + n, t + end);
        if (action == LINEBREAK_MANDATORY) return false;
        if (action == LINEBREAK_ALLOWED && y > start) {
            q = y;
            q_vis = yvis;
            at_q = before;
        }
        int w = hang ? 1 : simple_width(props, c->opt);
        ycol += w;
        if (!hang && w > 0) yvis = ycol; /* a word joiner leaves spaces before it hanging */
        y += n;
    }
    if (!q) return false;
    /* [i, q) hangs, if anything */
    *line = (LayoutLine){start, q, (uint32_t)q_vis, plain | (plain ? soft : 0)};
    c->lb = at_q;
    c->pos = q;
    return true;
}

/* The word breaks (sabreak.h) of a window of a run of SA text, for one call of
 * layout_cursor_next: from where the run starts on the line, with SA_BACK bytes before it for
 * context when it goes on from the line before (a few words: the dictionary's choices are
 * local), to as far as the line can reach (12 bytes a column: a Thai cluster is up to four code
 * points) and a little more, at most SA_WINDOW bytes at a time. Each line asks again: the
 * window is what bounds the work, which the benchmark measures (scripts/bench bidi). */
enum { SA_WINDOW = 4096, SA_BACK = 96, SA_AHEAD = 64 };
typedef struct {
    size_t start, end; /* the window: [start, end) of the text; end == 0: none yet */
    size_t n;
    size_t cuts[SA_WINDOW / 3 + 1]; /* offsets from start */
} SaWindow;

static bool is_sa_or_mark(uint32_t cp)
{
    unsigned g = UCD_GCB(ucd_props(cp));
    return sabreak_is_sa(cp) || g == GB_EXTEND || g == GB_SPACINGMARK;
}

static bool sa_allowed(SaWindow *w, SaBreaker *b, const uint8_t *t, size_t para_start, size_t from,
                       size_t p, size_t end, int width)
{
    if (!(w->end && p > w->start && p < w->end)) {
        size_t s = from;
        while (s > para_start && from - s < SA_BACK) {
            size_t k = s - 1, n;
            while (k > para_start && (t[k] & 0xc0) == 0x80)
                k--;
            if (!is_sa_or_mark(ucd_decode(t + k, t + end, &n))) break;
            s = k;
        }
        if (p - s > SA_WINDOW / 2) { /* a long run: a window around p, from a code point */
            s = p - SA_WINDOW / 4;
            while (s < p && (t[s] & 0xc0) == 0x80)
                s++;
        }
        size_t e = s, reach = (size_t)width * 12 + SA_AHEAD + (p - s);
        if (reach > SA_WINDOW - 4) reach = SA_WINDOW - 4;
        while (e < end && e - s < reach) {
            size_t n;
            if (!is_sa_or_mark(ucd_decode(t + e, t + end, &n))) break;
            e += n;
        }
        w->start = s;
        w->end = e > p ? e : p + 1;
        w->n = sabreak_words(b, t + s, e - s, w->cuts, sizeof w->cuts / sizeof *w->cuts);
    }
    size_t want = p - w->start, lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->cuts[mid] < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->n && w->cuts[lo] == want;
}

bool layout_cursor_next(LayoutCursor *c, LayoutLine *line)
{
    if (c->pos >= c->end) return false;
    if (!c->opt->no_fast_path && fast_line(c, line)) return true;
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
    SaWindow sa; /* Thai, Lao, Khmer, Burmese: words by dictionary (sabreak.h) */
    sa.end = 0;
    size_t sa_from = 0,
           sa_end = SIZE_MAX; /* the SA run on this line; where its last cluster ends */

    const uint32_t space_props = ucd_props(' ');
    while (p < c->end) {
        /* Fast path for prose: ASCII spaces and words, in one tight loop. It stops, leaving
         * the byte to the general path, at anything else, at a word whose first letter needs
         * the full rules, and before a letter that would not fit. */
        while (fast && p < c->end) {
            uint8_t b = t[p];
            unsigned pr = lb.prev_raw;
            if (!lb.started || pr == LB_BK || pr == LB_CR || pr == LB_LF || pr == LB_NL) break;
            if (p + 1 < c->end && t[p + 1] >= 0x80) break; /* a mark may join this byte */
            if (b == ' ') { /* LB7: never a break before a space; it hangs */
                linebreak_remember(&lb, LB_SP, LB_SP, space_props);
                col++;
                p++;
                prev_shy = 0;
                continue;
            }
            if (!ascii_word[b] || col + 1 > W) break;
            int action;
            if (lb.in_spaces) /* LB8, LB14, LB18 as in linebreak_step_fast */
                action = lb.space_base == LB_OP ? LINEBREAK_NONE : LINEBREAK_ALLOWED;
            else if (linebreak_in_word(&lb))
                action = LINEBREAK_NONE;
            else
                break;
            if (action == LINEBREAK_ALLOWED && p > start && content + prev_shy <= W) {
                cand.pos = p;
                cand.content = content + prev_shy;
                cand.hyphen = prev_shy;
                cand.lb = lb;
                cand.valid = 1;
            }
            size_t room = (size_t)(W - col), q = p + 1;
            size_t lim = c->end - p > room ? p + room : c->end;
            while (q < lim && ascii_word[t[q]])
                q++;
            if (q < c->end && t[q] >= 0x80 && !starts_cluster(t + q, para_end)) q--;
            if (q - p >= 2)
                linebreak_remember(&lb, UCD_LB(ucd_props(t[q - 2])), UCD_LB(ucd_props(t[q - 2])),
                                   ucd_props(t[q - 2]));
            uint32_t lp = ucd_props(t[q - 1]);
            linebreak_remember(&lb, UCD_LB(lp), UCD_LB(lp), lp);
            col += (int)(q - p);
            content = col;
            prev_shy = 0;
            p = q;
        }
        if (p >= c->end) break;
        if (fast && linebreak_in_word(&lb)) {
            /* Inside a word every further letter or digit is a no-break (linebreak.h): take the
             * run in one scan, ASCII by table, stopping before anything that might need the
             * general path or not fit. */
            size_t q = p, run = 0, last = p, second = p;
            int w = col;
            for (;;) {
                size_t lim = c->end - q > (size_t)(W - w) ? q + (size_t)(W - w) : c->end;
                size_t q0 = q;
                while (q < lim && ascii_word[t[q]])
                    q++;
                /* a letter followed by a combining mark is a longer cluster: general path */
                if (q > q0 && q < c->end && t[q] >= 0x80 && !starts_cluster(t + q, para_end)) q--;
                if (q > q0) {
                    second = q - q0 >= 2 ? q - 2 : last;
                    last = q - 1;
                    run += q - q0;
                    w += (int)(q - q0);
                }
                if (q >= c->end || t[q] < 0x80) break;
                size_t n1;
                uint32_t props = ucd_props(ucd_decode(t + q, para_end, &n1));
                unsigned cls = UCD_LB(props);
                if ((cls != LB_AL && cls != LB_HL && cls != LB_NU) || !is_plain(props) ||
                    !starts_cluster(t + q + n1, para_end) ||
                    sabreak_is_sa(ucd_decode(t + q, para_end, &n1)))
                    break;
                int cw = simple_width(props, c->opt);
                if (w + cw > W) break;
                w += cw;
                second = last;
                last = q;
                q += n1;
                run++;
            }
            if (run) {
                size_t n1;
                uint32_t last_props = ucd_props(ucd_decode(t + last, para_end, &n1));
                uint32_t second_props = ucd_props(ucd_decode(t + second, para_end, &n1));
                linebreak_word_run(&lb, second_props, last_props, run);
                col = content = w;
                prev_shy = 0;
                p = q;
                if (p >= c->end) break;
            }
        }
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
            action = linebreak_step_fast(&lb, ucd_props(b), t + p + 1, para_end);
        } else if (fast && b == ' ' && (p + 1 >= c->end || t[p + 1] < 0x80)) {
            n = 1;
            ci.kind = CK_SPACE;
            ci.width = 1;
            action = linebreak_step_fast(&lb, ucd_props(b), t + p + 1, para_end);
        } else {
            size_t n1;
            uint32_t props = 0;
            if (fast && b >= 0x80) props = ucd_props(ucd_decode(t + p, para_end, &n1));
            if (fast && b >= 0x80 && is_plain(props) && starts_cluster(t + p + n1, para_end)) {
                /* Fast path: one ordinary code point, decoded once. */
                n = n1;
                ci.kind = CK_TEXT;
                ci.width = simple_width(props, c->opt);
                action = linebreak_step_fast(&lb, props, t + p + n1, para_end);
            } else {
                n = cluster_len(t + p, c->end - p);
                int next_byte = p + n < c->end ? t[p + n] : -1;
                if (b == '\n' && next_byte != ' ' && next_byte != '\t' && keeps_lines(c))
                    next_byte = ' '; /* read as before indentation */
                ci = classify_cluster(t + p, n, next_byte, col, W, c->opt);
                action = feed_cluster(&lb, t + p, n, ci.kind, para_end);
            }
        }
        size_t sa_n;
        if (b >= 0xe0 && sabreak_is_sa(ucd_decode(t + p, para_end, &sa_n))) {
            /* UAX #14 leaves a break between two letters of class SA to a dictionary */
            if (sa_end == p && p > start)
                action = sa_allowed(&sa, c->opt->sa, t, c->para_start, sa_from, p, c->end, W)
                             ? LINEBREAK_ALLOWED
                             : LINEBREAK_NONE;
            else
                sa_from = p;
            sa_end = p + n;
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
        /* a soft hyphen is a hyphenation point only right after visible text on this line */
        prev_shy = ci.kind == CK_SOFT_HYPHEN && p > start && col == content && content > 0;
        col += ci.width;
        if (ci.width > 0)
            content = col; /* zero-width clusters never make a hanging space visible */
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
    it->col = 0;
    it->hyphen_done = 0;
    /* what follows the last visible cluster is not drawn: hanging spaces and line ends, and
     * zero-width clusters after them. Found by clusters, not bytes (a Prepend character joins
     * the space after it), with the wrapper's own classification. */
    size_t ve = line->end;
    while (ve > line->start && (text[ve - 1] == ' ' || text[ve - 1] == '\n'))
        ve--;
    if (ve > line->start) {
        /* Common case: what precedes the trailing spaces is printable ASCII or a plain code
         * point; it is visible, and nothing joins it across the spaces. */
        size_t k = ve - 1, n;
        while (k > line->start && (text[k] & 0xc0) == 0x80)
            k--;
        if ((uint8_t)(text[ve - 1] - 0x21) < 0x5e ||
            (text[k] >= 0x80 && is_plain(ucd_props(ucd_decode(text + k, text + ve, &n))))) {
            it->visible_end = ve;
            return;
        }
    }
    ve = line->start;
    int W = clamp_width(opt->width), col = 0;
    for (size_t q = line->start; q < line->end;) {
        size_t n = cluster_len(text + q, line->end - q);
        int next_byte = q + n < line->end ? text[q + n] : -1;
        ClusterInfo ci = classify_cluster(text + q, n, next_byte, col, W, opt);
        int hangs =
            ci.kind == CK_SPACE || ci.kind == CK_SOFT_NEWLINE || ci.kind == CK_FORCED_NEWLINE;
        if (!hangs && ci.width > 0) ve = q + n;
        col += ci.width;
        q += n;
    }
    it->visible_end = ve;
}

/* Columns of the "…" that ends a cut glyph: U+2026 is East Asian Ambiguous, two columns on a
 * terminal that draws those wide. */
static int ellipsis_width(const LayoutOptions *opt)
{
    return simple_width(ucd_props(0x2026), opt);
}

/* Appends up to GLYPH_MAX_BYTES of a cluster, cut at a code point boundary. */
static size_t capped_len(const uint8_t *s, size_t len, size_t room)
{
    if (len <= room) return len;
    size_t n = room;
    while (n > 0 && (s[n] & 0xc0) == 0x80)
        n--;
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
        case CK_CONTROL: {
            cell->glyph_len = text_visible_control(stand_in_cp(t + off, n), g);
            /* "<U+10FFFF>" on a narrower line (classify_cluster): cut, then "…". It is ASCII,
             * a column a byte; a Control Picture is one column in 3 bytes and never cut. */
            if (cell->glyph_len > 3 && cell->glyph_len > (size_t)ci.width) {
                size_t keep = (size_t)(ci.width - ellipsis_width(it->opt));
                cell->glyph_len = keep + ucd_encode(0x2026, g + keep);
            }
            break;
        }
        case CK_OVERWIDE: { /* the code points that fit before a "…", then the "…" */
            size_t k = 0;
            int acc = 0, room = ci.width - ellipsis_width(it->opt);
            for (size_t i = 0; i < n;) {
                size_t m;
                int w = (int)UCD_WIDTH(ucd_props(ucd_decode(t + off + i, t + off + n, &m)));
                if (acc + w > room || k + m + 3 > sizeof cell->glyph_buf) break;
                memcpy(g + k, t + off + i, m);
                k += m;
                acc += w;
                i += m;
            }
            cell->glyph_len = k + ucd_encode(0x2026, g + k);
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

/* Appends text[from, to) of a plain line: each code point as itself, a line end as a space
 * (when the line has any: soft). */
static void add_plain(const uint8_t *text, size_t from, size_t to, bool soft, Strbuf *out)
{
    size_t at = out->len;
    strbuf_add(out, text + from, to - from);
    if (!soft) return;
    for (char *nl = memchr(out->buf + at, '\n', out->len - at); nl;
         nl = memchr(nl + 1, '\n', (size_t)(out->buf + out->len - nl - 1)))
        *nl = ' '; /* a line end inside the line reads as a space */
}

/* Columns of text[from, to) of a simple line (LAYOUT_LINE_SIMPLE) with no tab: a line end is
 * a space, a control its picture. */
static int plain_columns(const uint8_t *text, size_t from, size_t to, const LayoutOptions *opt)
{
    int cols = 0;
    for (size_t i = from; i < to;) {
        if (text[i] < 0x80) {
            cols++;
            i++;
            continue;
        }
        size_t n;
        cols += simple_width(ucd_props(ucd_decode(text + i, text + to, &n)), opt);
        i += n;
    }
    return cols;
}

void layout_render_line(const uint8_t *text, const LayoutLine *line, const LayoutOptions *opt,
                        Strbuf *out)
{
    /* each cluster draws as itself (but tabs and controls); spaces hang */
    if (line->flags & (LAYOUT_LINE_PLAIN | LAYOUT_LINE_SIMPLE)) {
        size_t ve = line->end;
        while (ve > line->start && (text[ve - 1] == ' ' || text[ve - 1] == '\n'))
            ve--;
        bool soft = line->flags & LAYOUT_LINE_SOFT_ENDS;
        if (line->flags & LAYOUT_LINE_PLAIN) {
            add_plain(text, line->start, ve, soft, out);
            return;
        }
        /* tabs and controls, as classify_cluster draws them (the fast path met each tab
         * before the edge); the columns are counted only as far as a tab needs them */
        int W = clamp_width(opt->width), col = 0;
        size_t counted = line->start;
        for (size_t p = line->start; p < ve;) {
            size_t q = p;
            while (q < ve && ((text[q] >= 0x20 && text[q] != 0x7f) || text[q] == '\n'))
                q++;
            add_plain(text, p, q, soft, out);
            if (q == ve) break;
            if (text[q] == '\t') {
                col += plain_columns(text, counted, q, opt);
                int w = 8 - col % 8;
                if (col < W && w > W - col) w = W - col;
                strbuf_add_repeat(out, ' ', (size_t)w);
                col += w;
                counted = q + 1;
            } else {
                uint8_t vis[TEXT_VISIBLE_MAX];
                strbuf_add(out, vis, text_visible_control(text[q], vis));
            }
            p = q + 1;
        }
        return;
    }
    LayoutCellIter it;
    LayoutCell cell;
    layout_cells_begin(&it, text, line, opt);
    for (;;) {
        /* Printable ASCII and plain code points draw as themselves: copy runs of them. An ASCII
         * byte that a following mark joins is left to the cell path. */
        size_t q = it.pos, last = it.pos;
        int col = it.col, last_col = it.col;
        while (q < it.visible_end) {
            if ((uint8_t)(text[q] - 0x20) < 0x5f) {
                last = q;
                last_col = col;
                q++;
                col++;
                continue;
            }
            if (text[q] < 0x80) break;
            size_t n;
            uint32_t props = ucd_props(ucd_decode(text + q, text + it.visible_end, &n));
            if (!is_plain(props) || !starts_cluster(text + q + n, text + it.visible_end)) {
                if (q > it.pos && text[last] < 0x80 &&
                    !starts_cluster(text + q, text + it.visible_end)) {
                    q = last; /* the mark belongs to the ASCII byte before it */
                    col = last_col;
                }
                break;
            }
            last = q;
            last_col = col;
            q += n;
            col += simple_width(props, opt);
        }
        if (q > it.pos) {
            strbuf_add(out, text + it.pos, q - it.pos);
            it.col = col;
            it.pos = q;
        }
        if (!layout_cells_next(&it, &cell)) break;
        strbuf_add(out, cell.glyph, cell.glyph_len);
    }
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

/* --- display order ------------------------------------------------------------------------- */

size_t layout_line_cells(const uint8_t *text, Span para, const LayoutLine *line,
                         const LayoutOptions *opt, BidiCache *bidi, LayoutCell **cells, size_t *cap,
                         bool *rtl_out)
{
    size_t n = 0;
    LayoutCellIter it;
    layout_cells_begin(&it, text, line, opt);
    for (;;) {
        if (n == *cap) {
            *cap = *cap ? *cap * 2 : 64;
            *cells = xreallocarray(*cells, *cap, sizeof **cells);
        }
        if (!layout_cells_next(&it, &(*cells)[n])) break;
        n++;
    }
    /* glyph_buf moved with the array: a glyph that points into one is re-pointed */
    for (size_t k = 0; k < n; k++)
        if ((*cells)[k].glyph != text + (*cells)[k].off) (*cells)[k].glyph = (*cells)[k].glyph_buf;
    if (rtl_out) *rtl_out = false;
    if (!bidi || n == 0 ||
        (opt->direction != BIDI_RTL && !bidi_cache_may_reorder(bidi, text, para)))
        return n;
    /* the clusters in logical order, the soft hyphen's "-" (no bytes) aside */
    size_t m = 0, hyphen = SIZE_MAX;
    size_t *off = xmalloc(n * sizeof *off), *len = xmalloc(n * sizeof *len);
    size_t *idx = xmalloc(n * sizeof *idx), *order = xmalloc(n * sizeof *order);
    bool *odd = xmalloc(n * sizeof *odd), rtl = false;
    for (size_t k = 0; k < n; k++) {
        if ((*cells)[k].len == 0) {
            hyphen = k;
            continue;
        }
        off[m] = (*cells)[k].off;
        len[m] = (*cells)[k].len;
        idx[m++] = k;
    }
    bidi_line_order(bidi, text, para, (BidiDirection)opt->direction, line->start, line->end, off,
                    len, m, order, odd, &rtl);
    LayoutCell *out = xmalloc(*cap * sizeof *out); /* the caller's room: it replaces *cells */
    size_t v = 0;
    int col = 0;
    if (rtl && hyphen != SIZE_MAX) out[v++] = (*cells)[hyphen];
    for (size_t j = 0; j < m; j++) {
        out[v] = (*cells)[idx[order[j]]];
        LayoutCell *c = &out[v++];
        if (odd[order[j]] && c->glyph == text + c->off) { /* L4: a lone bracket is mirrored */
            size_t used;
            uint32_t cp = ucd_decode(c->glyph, c->glyph + c->glyph_len, &used);
            uint32_t mirror = used == c->glyph_len ? bidi_mirror(cp) : cp;
            if (mirror != cp) {
                c->glyph_len = ucd_encode(mirror, c->glyph_buf);
                c->glyph = c->glyph_buf;
            }
        }
    }
    if (!rtl && hyphen != SIZE_MAX) out[v++] = (*cells)[hyphen];
    int total = 0;
    for (size_t k = 0; k < v; k++)
        total += out[k].width;
    int W = clamp_width(opt->width);
    col = rtl && total < W ? W - total : 0;
    for (size_t k = 0; k < v; k++) {
        out[k].col = col;
        col += out[k].width;
        if (out[k].glyph != text + out[k].off) out[k].glyph = out[k].glyph_buf; /* its own now */
    }
    free(*cells); /* out becomes the caller's array: no copy back */
    *cells = out;
    free(off);
    free(len);
    free(idx);
    free(order);
    free(odd);
    if (rtl_out) *rtl_out = rtl;
    return v;
}

void layout_render_line_visual(const uint8_t *text, Span para, const LayoutLine *line,
                               const LayoutOptions *opt, BidiCache *bidi, Strbuf *out)
{
    if (opt->direction != BIDI_RTL && !bidi_cache_may_reorder(bidi, text, para)) {
        layout_render_line(text, line, opt, out);
        return;
    }
    LayoutCell *cells = NULL;
    size_t cap = 0;
    size_t n = layout_line_cells(text, para, line, opt, bidi, &cells, &cap, NULL);
    int col = 0;
    for (size_t k = 0; k < n; k++) {
        for (; col < cells[k].col; col++)
            strbuf_addch(out, ' ');
        strbuf_add(out, cells[k].glyph, cells[k].glyph_len);
        col += cells[k].width;
    }
    free(cells);
}
