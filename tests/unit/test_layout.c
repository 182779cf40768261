#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <uniwidth.h>

#include "corpus.h"
#include "lector/grapheme.h"
#include "lector/layout.h"
#include "lector/sabreak.h"
#include "lector/linebreak.h"
#include "lector/text.h"
#include "lector/ucd.h"

/* Wraps s (one paragraph) at width and returns the rendered lines joined by '|'. */
static char *wrap_opt(const char *s, const LayoutOptions *opt)
{
    static char out[8192];
    Strbuf sb = STRBUF_INIT;
    Span para = {0, strlen(s)};
    LayoutCursor c;
    LayoutLine line;
    layout_cursor_init(&c, (const uint8_t *)s, para, opt);
    size_t prev_end = 0;
    while (layout_cursor_next(&c, &line)) {
        cr_assert_eq(line.start, prev_end, "lines must tile the paragraph");
        prev_end = line.end;
        if (sb.len) strbuf_addch(&sb, '|');
        layout_render_line((const uint8_t *)s, &line, opt, &sb);
    }
    cr_assert_eq(prev_end, strlen(s), "the last line must end at the paragraph end");
    snprintf(out, sizeof out, "%s", sb.buf);
    strbuf_release(&sb);
    return out;
}

static char *wrap(const char *s, int width)
{
    LayoutOptions opt = {.width = width};
    return wrap_opt(s, &opt);
}

#define assert_wrap(s, width, want)                                                                \
    do {                                                                                           \
        const char *got_ = wrap((s), (width));                                                     \
        cr_assert_str_eq(got_, (want), "wrap at %d:\n got  %s\n want %s", (width), got_, (want));  \
    } while (0)

Test(layout, greedy_fill_with_hanging_spaces)
{
    assert_wrap("aaa bbb ccc", 8, "aaa bbb|ccc");
    assert_wrap("aaaa    bbbb", 8, "aaaa|bbbb");
    assert_wrap("aaaaaaa b", 8, "aaaaaaa|b");
    assert_wrap("one two three four five six", 9, "one two|three|four five|six");
    assert_wrap("exactly8 x", 8, "exactly8|x");
}

Test(layout, a_word_wider_than_the_line_breaks_between_clusters)
{
    assert_wrap("abcdefghijkl", 8, "abcdefgh|ijkl");
    /* e + combining acute, twelve times: never split from its base */
    char s[64] = "";
    for (int i = 0; i < 12; i++)
        strcat(s, "e\xcc\x81");
    const char *got = wrap(s, 8);
    cr_assert_str_eq(got,
                     "e\xcc\x81"
                     "e\xcc\x81"
                     "e\xcc\x81"
                     "e\xcc\x81"
                     "e\xcc\x81"
                     "e\xcc\x81"
                     "e\xcc\x81"
                     "e\xcc\x81|e\xcc\x81"
                     "e\xcc\x81"
                     "e\xcc\x81"
                     "e\xcc\x81",
                     "got %s", got);
}

Test(layout, cjk_is_two_columns_and_breaks_between_ideographs)
{
    assert_wrap("日本語のテキストです", 8, "日本語の|テキスト|です");
    assert_wrap("你好，世界。你好", 8, "你好，世|界。你好");
}

Test(layout, emoji_sequences_are_two_columns)
{
    const char *family = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
    const char *flag_kz = "\xf0\x9f\x87\xb0\xf0\x9f\x87\xbf";
    const char *heart_vs16 = "\xe2\x9d\xa4\xef\xb8\x8f";
    const char *thumbs_skin = "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd";
    const char *cases[] = {family, flag_kz, heart_vs16, thumbs_skin};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(layout_default_width((const uint8_t *)cases[i], strlen(cases[i]), NULL), 2,
                     "case %zu", i);
    cr_assert_eq(layout_default_width((const uint8_t *)"\xe2\x9d\xa4", 3, NULL), 1,
                 "text-style heart without VS16 is narrow");
    /* four flags in 8 columns, the fifth wraps, pairs never split */
    char s[128] = "";
    for (int i = 0; i < 5; i++)
        strcat(s, flag_kz);
    char want[160];
    snprintf(want, sizeof want, "%s%s%s%s|%s", flag_kz, flag_kz, flag_kz, flag_kz, flag_kz);
    assert_wrap(s, 8, want);
}

Test(layout, soft_hyphen_is_invisible_unless_the_line_breaks_there)
{
    assert_wrap("extra\xc2\xad"
                "ordinary",
                20, "extraordinary");
    assert_wrap("extra\xc2\xad"
                "ordinary",
                10, "extra-|ordinary");
    /* "-" needs a column: with exactly 5 columns left the hyphen point cannot be used */
    assert_wrap("abc extra\xc2\xad"
                "ordinary",
                9, "abc|extra-|ordinary");
}

Test(layout, soft_hyphen_after_a_space_or_at_a_line_start_is_not_a_hyphenation_point)
{
    /* found in review: these drew a line that was only "-", or "abc -" */
    assert_wrap("abcdefg \xc2\xad"
                "hijklmnopq",
                8, "abcdefg|hijklmno|pq");
    assert_wrap("abc \xc2\xad"
                "defghijkl",
                8, "abc|defghijk|l");
}

/* A cluster wider than the line (joined jamo, piles of spacing marks) is clipped to the line and
 * ends in "…": no row ever overflows. */
Test(layout, overwide_clusters_are_clipped_never_overflow)
{
    char jamo[64] = "", deva[128] = "\xe0\xa4\x95"; /* KA */
    for (int i = 0; i < 10; i++)
        strcat(jamo, "\xe1\x84\x80"); /* U+1100: joins into one cluster */
    for (int i = 0; i < 20; i++)
        strcat(deva, "\xe0\xa4\xbe"); /* AA sign, spacing mark */
    const char *cases[] = {jamo, deva};
    for (int k = 0; k < 2; k++) {
        LayoutOptions opt = {.width = 8};
        LayoutLine line;
        LayoutCursor c;
        layout_cursor_init(&c, (const uint8_t *)cases[k], (Span){0, strlen(cases[k])}, &opt);
        cr_assert(layout_cursor_next(&c, &line));
        cr_assert_eq(line.width, 8, "case %d: width %u", k, line.width);
        Strbuf out = STRBUF_INIT;
        layout_render_line((const uint8_t *)cases[k], &line, &opt, &out);
        cr_assert_leq(u8_strwidth((const uint8_t *)out.buf, "UTF-8"), 8, "case %d: %s", k, out.buf);
        cr_assert(strstr(out.buf, "\xe2\x80\xa6"), "case %d: clipped without an ellipsis", k);
        strbuf_release(&out);
    }
}

Test(layout, a_prepended_space_is_drawn_with_its_cluster)
{
    /* U+0600 (Prepend) + space is one cluster: visible text, not a hanging space */
    const char *s = "aaaaaaa\xd8\x80 bb";
    LayoutOptions opt = {.width = 8};
    LayoutLine line;
    LayoutCursor c;
    layout_cursor_init(&c, (const uint8_t *)s, (Span){0, strlen(s)}, &opt);
    cr_assert(layout_cursor_next(&c, &line));
    LayoutCellIter it;
    LayoutCell cell;
    int drawn = 0;
    layout_cells_begin(&it, (const uint8_t *)s, &line, &opt);
    while (layout_cells_next(&it, &cell))
        drawn = cell.col + cell.width;
    cr_assert_eq(drawn, (int)line.width, "drawn %d columns, line says %u", drawn, line.width);
}

Test(layout, nbsp_never_breaks)
{
    assert_wrap("aaaa\xc2\xa0"
                "bbbb cc",
                10,
                "aaaa\xc2\xa0"
                "bbbb|cc");
    assert_wrap("xyz 10\xc2\xa0km", 8, "xyz|10\xc2\xa0km");
}

Test(layout, tabs_go_to_the_next_multiple_of_8)
{
    assert_wrap("a\tb", 20, "a       b");
    assert_wrap("abcdefgh\tb", 20, "abcdefgh        b");
    LayoutOptions opt = {.width = 20};
    const char *s = "ab\tc";
    LayoutLine line = {0, strlen(s), 9, LAYOUT_LINE_LAST};
    cr_assert_eq(layout_offset_to_col((const uint8_t *)s, &line, &opt, 3), 8);
}

Test(layout, line_ends_reflow_but_indented_lines_keep_their_shape)
{
    assert_wrap("hard\nwrapped\ntext", 80, "hard wrapped text");
    assert_wrap("The rose is red,\n  the violet blue,\n  and so are you.", 80,
                "The rose is red,|  the violet blue,|  and so are you.");
    assert_wrap("\tindented\nfirst", 80, "        indented first");
}

Test(layout, initials_and_numbers_stay_whole)
{
    assert_wrap("И.С. Тургенев", 8, "И.С.|Тургенев");
    assert_wrap("costs $(12.50) now", 8, "costs|$(12.50)|now");
}

Test(layout, controls_are_drawn_visibly_and_never_raw)
{
    assert_wrap("a\x1b[2Jb", 20, "a\xe2\x90\x9b[2Jb"); /* ESC -> U+241B */
    assert_wrap("bell\x07!", 20, "bell\xe2\x90\x87!"); /* BEL -> U+2407 */
    assert_wrap("del\x7f", 20, "del\xe2\x90\xa1");     /* DEL -> U+2421 */
    assert_wrap("x\xc2\x9b"
                "31m",
                20, "x<U+009B>31m"); /* C1 CSI */
    assert_wrap("abc\xe2\x80\xae"
                "def",
                20, "abc<U+202E>def"); /* RLO */
    assert_wrap("\xcc\x81"
                "a",
                20,
                "\xe2\x97\x8c\xcc\x81"
                "a"); /* mark with no base */
    assert_wrap("a\x0c"
                "b",
                20, "a\xe2\x90\x8c|b"); /* form feed breaks the line */
}

/* Every code point that could drive a terminal must be its own grapheme cluster; the renderer
 * relies on it to draw them as symbols. */
Test(layout, dangerous_code_points_are_always_their_own_cluster)
{
    for (uint32_t cp = 0; cp < 0x2070; cp++) {
        int dangerous = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
                        cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
                        (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
        if (!dangerous) continue;
        unsigned gcb = UCD_GCB(ucd_props(cp));
        cr_assert(gcb == GB_CONTROL || gcb == GB_CR || gcb == GB_LF,
                  "U+%04X is not a Control cluster", cp);
        /* and rendered after a letter it never comes out raw */
        uint8_t s[8] = {'a'};
        size_t n = 1 + ucd_encode(cp, s + 1);
        s[n++] = 'b';
        LayoutOptions opt = {.width = 40};
        LayoutLine lines[4];
        LayoutCursor c;
        layout_cursor_init(&c, s, (Span){0, n}, &opt);
        Strbuf out = STRBUF_INIT;
        int k = 0;
        while (k < 4 && layout_cursor_next(&c, &lines[k]))
            layout_render_line(s, &lines[k++], &opt, &out);
        for (size_t i = 0; i < out.len; i++) {
            uint8_t b = (uint8_t)out.buf[i];
            cr_assert(b >= 0x20 && b != 0x7f, "U+%04X: raw byte %02X in output", cp, b);
            if (b == 0xc2 && i + 1 < out.len)
                cr_assert((uint8_t)out.buf[i + 1] >= 0xa0, "U+%04X: raw C1 in output", cp);
            if (b == 0xe2 && i + 2 < out.len && (uint8_t)out.buf[i + 1] == 0x80)
                cr_assert(!((uint8_t)out.buf[i + 2] >= 0xaa && (uint8_t)out.buf[i + 2] <= 0xae),
                          "U+%04X: raw bidi control in output", cp);
        }
        strbuf_release(&out);
    }
}

Test(layout, positions_map_both_ways)
{
    const char *s = "ab日本c";
    LayoutOptions opt = {.width = 40};
    LayoutLine line;
    LayoutCursor c;
    layout_cursor_init(&c, (const uint8_t *)s, (Span){0, strlen(s)}, &opt);
    cr_assert(layout_cursor_next(&c, &line));
    cr_assert_eq(line.width, 7);
    size_t offs[] = {0, 1, 2, 5, 8};
    int cols[] = {0, 1, 2, 4, 6};
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(layout_offset_to_col((const uint8_t *)s, &line, &opt, offs[i]), cols[i]);
        cr_assert_eq(layout_col_to_offset((const uint8_t *)s, &line, &opt, cols[i]), offs[i]);
    }
    cr_assert_eq(layout_col_to_offset((const uint8_t *)s, &line, &opt, 3), 2,
                 "the second column of a wide character belongs to it");
    cr_assert_eq(layout_col_to_offset((const uint8_t *)s, &line, &opt, 30), strlen(s));
}

static int sum_of_code_points(const uint8_t *s, size_t len, void *ctx)
{
    (*(int *)ctx)++;
    int w = 0;
    for (size_t i = 0; i < len;) {
        size_t n;
        w += (int)UCD_WIDTH(ucd_props(ucd_decode(s + i, s + len, &n)));
        i += n;
    }
    return w; /* a terminal that draws a ZWJ sequence as its parts */
}

Test(layout, the_width_function_is_a_parameter)
{
    const char *family = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
    char two[64];
    snprintf(two, sizeof two, "%s %s", family, family);
    LayoutOptions dflt = {.width = 8};
    cr_assert_str_eq(wrap_opt(two, &dflt), two, "default: two families fit in 5 columns");
    int calls = 0;
    LayoutOptions parts = {.width = 8, .cluster_width = sum_of_code_points, .width_ctx = &calls};
    char want[80];
    snprintf(want, sizeof want, "%s|%s", family, family);
    cr_assert_str_eq(wrap_opt(two, &parts), want, "6 + 1 + 6 columns do not fit in 8");
    cr_assert_gt(calls, 0);
    /* East Asian Ambiguous (Cyrillic is) is a knob, not a callback */
    LayoutOptions amb = {.width = 8, .ambiguous_width = 2};
    cr_assert_str_eq(wrap_opt("ёёёё ёё", &amb), "ёёёё|ёё");
    cr_assert_str_eq(wrap("ёёёё ёё", 8), "ёёёё ёё");
}

Test(layout, measured_width_profiles)
{
    const char *family = "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
    const char *flag = "\xf0\x9f\x87\xb0\xf0\x9f\x87\xbf";
    const char *heart = "\xe2\x9d\xa4\xef\xb8\x8f";
    const char *thumbs = "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd";
    LayoutWidthProfile joined = {2, 2, 2, 2}, parts = {0, 2, 1, 4};
#define W(p, s) layout_profile_width((const uint8_t *)(s), strlen(s), &(p))
    cr_assert_eq(W(joined, family), 2);
    cr_assert_eq(W(parts, family), 6, "drawn as man, woman, girl");
    cr_assert_eq(W(joined, flag), 2);
    cr_assert_eq(W(parts, heart), 1, "a terminal that ignores VS16");
    cr_assert_eq(W(joined, heart), 2);
    cr_assert_eq(W(parts, thumbs), 4, "thumb and skin tone drawn apart");
    cr_assert_eq(W(parts, "e\xcc\x81"), 1, "everything else is the default");
#undef W
}

/* --- real text ------------------------------------------------------------------------------ */

static char *fortunes(const char *dir, const char *const *names, size_t *len)
{
    Strbuf sb = STRBUF_INIT;
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s missing: apt-get install fortunes-ru fortunes-zh", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *dot = strrchr(e->d_name, '.');
        if (e->d_name[0] == '.' || (dot && (!strcmp(dot, ".dat") || !strcmp(dot, ".u8")))) continue;
        if (names) {
            int want = 0;
            for (size_t i = 0; names[i]; i++)
                want |= !strcmp(names[i], e->d_name);
            if (!want) continue;
        }
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            strbuf_add(&sb, buf, n);
        fclose(f);
    }
    closedir(d);
    return strbuf_detach(&sb, len);
}

/* Checks the layout invariants on every paragraph of a story at one width. */
static void check_story(const char *what, const char *bytes, size_t len, int width)
{
    Text *t = text_from_bytes(bytes, len, what);
    const uint8_t *s = text_bytes(t);
    LayoutOptions opt = {.width = width};
    LayoutOptions slow = {.width = width, .no_fast_path = 1};
    uint8_t *is_boundary = malloc(text_len(t) + 1);
    uint8_t *breaks = malloc(text_len(t) + 1);
    Strbuf rendered = STRBUF_INIT;
    size_t lines_checked = 0;
    for (size_t pi = 0; pi < text_paragraph_count(t); pi++) {
        Span p = text_paragraph(t, pi);
        size_t plen = p.end - p.start;
        memset(is_boundary + p.start, 0, plen + 1);
        for (size_t off = p.start; off < p.end;) {
            is_boundary[off] = 1;
            off += grapheme_next(s + off, p.end - off);
        }
        is_boundary[p.end] = 1;
        /* opportunities as layout sees them: an inner line end reads as a space */
        uint8_t *flat = malloc(plen + 1);
        memcpy(flat, s + p.start, plen);
        for (size_t k = 0; k < plen; k++)
            if (flat[k] == '\n') flat[k] = ' ';
        linebreak_string(flat, plen, breaks + p.start);
        free(flat);

        LayoutCursor c, cs;
        LayoutLine line, sline;
        layout_cursor_init(&c, s, p, &opt);
        layout_cursor_init(&cs, s, p, &slow);
        size_t expect_start = p.start;
        while (layout_cursor_next(&c, &line)) {
            lines_checked++;
            cr_assert(layout_cursor_next(&cs, &sline), "%s: slow path ended early", what);
            cr_assert(line.start == sline.start && line.end == sline.end &&
                          line.width == sline.width,
                      "%s w%d: fast path [%zu,%zu) differs from general path [%zu,%zu)", what,
                      width, line.start, line.end, sline.start, sline.end);
            cr_assert_eq(line.start, expect_start, "%s: lines must tile the paragraph", what);
            expect_start = line.end;
            cr_assert(is_boundary[line.start] && is_boundary[line.end],
                      "%s w%d: a line edge splits a grapheme cluster at %zu", what, width,
                      line.start);
            cr_assert_leq(line.width, (uint32_t)width, "%s: line wider than %d", what, width);
            /* independent width: libunistring over what we draw (no emoji in these texts) */
            strbuf_reset(&rendered);
            layout_render_line(s, &line, &opt, &rendered);
            int w = u8_strwidth((const uint8_t *)rendered.buf, "UTF-8");
            cr_assert_leq(w, width, "%s: rendered line is %d columns: %s", what, w, rendered.buf);
            /* every non-space byte drawn exactly once, in order (a control as its picture) */
            size_t ri = 0;
            for (size_t k = line.start; k < line.end; k++) {
                if (s[k] == ' ' || s[k] == '\n' || s[k] == '\t') continue;
                uint8_t want[4] = {s[k]};
                size_t wn = 1;
                if (s[k] < 0x20 || s[k] == 0x7f)
                    wn = ucd_encode(s[k] == 0x7f ? 0x2421 : 0x2400u + s[k], want);
                while (ri < rendered.len && rendered.buf[ri] == ' ')
                    ri++;
                cr_assert(ri + wn <= rendered.len && !memcmp(rendered.buf + ri, want, wn),
                          "%s: byte %zu missing or out of order in: %s", what, k, rendered.buf);
                ri += wn;
            }
            while (ri < rendered.len && rendered.buf[ri] == ' ')
                ri++;
            cr_assert_eq(ri, rendered.len, "%s: extra output in: %s", what, rendered.buf);
            /* greedy: had the line gone on to the next opportunity, it would not have fit */
            if (!(line.flags & (LAYOUT_LINE_LAST | LAYOUT_LINE_FORCED)) &&
                breaks[line.end] != LINEBREAK_NONE) {
                size_t q = line.end + 1;
                while (q < p.end && (breaks[q] == LINEBREAK_NONE || !is_boundary[q]))
                    q++;
                LayoutLine longer = {line.start, q, 0, 0};
                int lw = 0;
                LayoutCellIter it;
                LayoutCell cell;
                layout_cells_begin(&it, s, &longer, &opt);
                while (layout_cells_next(&it, &cell))
                    lw = cell.col + cell.width;
                cr_assert_gt(lw, width, "%s w%d: line [%zu,%zu) ended early: [%zu,%zu) fits in %d",
                             what, width, line.start, line.end, line.start, q, lw);
            }
        }
        cr_assert(!layout_cursor_next(&cs, &sline), "%s: slow path has more lines", what);
        cr_assert_eq(expect_start, p.end);
    }
    cr_assert_gt(lines_checked, 100, "%s: too little text to mean anything", what);
    strbuf_release(&rendered);
    free(is_boundary);
    free(breaks);
    text_free(t);
}

static const int widths[] = {8, 13, 20, 40, 79, 80, 132};
/* How many of them: all, but three under a sanitizer, where the same code paths run ten times
 * slower and the normal build has already compared all seven (scripts/test runs both). */
#if defined(__SANITIZE_ADDRESS__)
enum { NWIDTHS = 3 };
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
enum { NWIDTHS = 3 };
#else
enum { NWIDTHS = sizeof widths / sizeof *widths };
#endif
#else
enum { NWIDTHS = sizeof widths / sizeof *widths };
#endif

Test(layout_property, kjv_bible, .timeout = 240)
{
    size_t len;
    char *kjv = read_command("bible -l0 'gen1:1-rev22:21' 2>/dev/null", &len);
    cr_assert_gt(len, 4000000, "bible-kjv missing: apt-get install bible-kjv");
    for (size_t i = 0; i < NWIDTHS; i++)
        check_story("kjv", kjv, len, widths[i * (sizeof widths / sizeof *widths) / NWIDTHS]);
    free(kjv);
}

Test(layout_property, russian_fortunes, .timeout = 240)
{
    size_t len;
    char *ru = fortunes("/usr/share/games/fortunes/ru", NULL, &len);
    cr_assert_gt(len, 100000);
    for (size_t i = 0; i < NWIDTHS; i++)
        check_story("ru", ru, len, widths[i * (sizeof widths / sizeof *widths) / NWIDTHS]);
    free(ru);
}

Test(layout_property, chinese_fortunes, .timeout = 240)
{
    size_t len;
    static const char *const names[] = {"chinese", "song100", "tang300", NULL};
    char *zh = fortunes("/usr/share/games/fortunes", names, &len);
    cr_assert_gt(len, 100000);
    for (size_t i = 0; i < NWIDTHS; i++)
        check_story("zh", zh, len, widths[i * (sizeof widths / sizeof *widths) / NWIDTHS]);
    free(zh);
}

/* Laying out the first screen must not read the rest: the text is followed by memory that
 * faults on any access. */
Test(layout, first_screen_does_not_touch_the_rest)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t head = 16 * page, tail = (size_t)64 << 20;
    uint8_t *mem =
        mmap(NULL, head + tail, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(mem != MAP_FAILED);
    cr_assert_eq(mprotect(mem + head, tail, PROT_NONE), 0);
    const char *words = "Домбыра 歌 steppe songs, 1,000 miles; ";
    size_t wl = strlen(words);
    for (size_t i = 0; i + wl <= head; i += wl)
        memcpy(mem + i, words, wl);
    LayoutOptions opt = {.width = 80};
    LayoutCursor c;
    LayoutLine line;
    /* the paragraph claims 64 MiB more than is readable */
    layout_cursor_init(&c, mem, (Span){0, head + tail}, &opt);
    for (int row = 0; row < 50; row++)
        cr_assert(layout_cursor_next(&c, &line));
    cr_assert_lt(line.end, head / 2, "50 lines of 80 columns read %zu bytes", line.end);
    munmap(mem, head + tail);
}

/* The fast paths against the general path on random mixtures of the tokens that exercise the
 * rules: brackets, quotes, numbers, hyphens, soft hyphens, tabs, soft and forced line ends,
 * combining marks, emoji, NBSP, CJK and Cyrillic. */
Test(layout, fast_paths_agree_with_the_general_path_on_random_text)
{
    static const char *const tokens[] = {
        "a",
        "word",
        "Tolstoy",
        "(",
        ")",
        "[",
        "\"",
        "'",
        "$",
        "%",
        "1",
        "1,000",
        "12.5",
        ".",
        ",",
        ";",
        "!",
        "?",
        "-",
        "/",
        " ",
        " ",
        " ",
        "  ",
        "\n",
        "\n  ",
        "\t",
        "\xc2\xad",
        "e\xcc\x81",
        "\xcc\x81",
        "\xc2\xa0",
        "\xe2\x80\x94",
        "\xe6\x97\xa5\xe6\x9c\xac",
        "\xe3\x80\x82",
        "\xef\xbc\x8c",
        "\xd0\xb4\xd0\xbe\xd0\xbc",
        "\xd2\x9b",
        "\xf0\x9f\x91\x8d",
        "\xf0\x9f\x87\xb0\xf0\x9f\x87\xbf",
        "\xe2\x9d\xa4\xef\xb8\x8f",
        "\x1b",
        "\x7f",
        "\xe2\x81\xa0",
        "[-\xe2\x81\xa0word\xe2\x81\xa0-]",
        "\xe2\x80\x8b",
        "\xef\xbf\xbd",
        "\xd8\x80",
        "\xe1\x84\x80",
        "\xe0\xa4\xbe",
        "\xc2\x9b",
        "\xe2\x80\xae",
    };
    enum { NT = sizeof tokens / sizeof *tokens };
    srand(20261122);
    char buf[4096];
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = 0;
        int ntok = 1 + rand() % 200;
        for (int k = 0; k < ntok; k++) {
            const char *tok = tokens[rand() % NT];
            size_t tl = strlen(tok);
            if (len + tl >= sizeof buf) break;
            memcpy(buf + len, tok, tl);
            len += tl;
        }
        /* a paragraph has no blank line and does not start or end with a line end */
        while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
            len--;
        size_t st = 0;
        while (st < len && buf[st] == '\n')
            st++;
        if (st >= len) continue;
        int width = LAYOUT_MIN_WIDTH + rand() % 60;
        /* every other paragraph keeps its line ends (each one then a forced break) */
        int ends = iter % 2 ? LAYOUT_ENDS_KEEP : LAYOUT_ENDS_AUTO;
        LayoutOptions fast = {.width = width, .line_ends = ends},
                      slow = {.width = width, .line_ends = ends, .no_fast_path = 1};
        LayoutCursor cf, cs;
        LayoutLine lf, ls;
        layout_cursor_init(&cf, (const uint8_t *)buf, (Span){st, len}, &fast);
        layout_cursor_init(&cs, (const uint8_t *)buf, (Span){st, len}, &slow);
        for (;;) {
            bool more_f = layout_cursor_next(&cf, &lf), more_s = layout_cursor_next(&cs, &ls);
            cr_assert_eq(more_f, more_s, "iteration %d: line counts differ", iter);
            if (!more_f) break;
            uint32_t ff = lf.flags & ~(uint32_t)LAYOUT_LINE_HINTS; /* hints of the fast path */
            if (lf.start != ls.start || lf.end != ls.end || lf.width != ls.width ||
                ff != ls.flags) {
                FILE *dump = fopen("layout-random-failure.bin", "wb");
                if (dump) {
                    fwrite(buf + st, 1, len - st, dump);
                    fclose(dump);
                }
            }
            cr_assert(lf.start == ls.start && lf.end == ls.end && lf.width == ls.width &&
                          ff == ls.flags,
                      "iteration %d width %d: fast [%zu,%zu) w%u f%u, general [%zu,%zu) w%u f%u in "
                      "'%.*s'",
                      iter, width, lf.start, lf.end, lf.width, lf.flags, ls.start, ls.end, ls.width,
                      ls.flags, (int)(len - st), buf + st);
            cr_assert_leq(lf.width, (uint32_t)width);
            /* what is drawn is exactly as wide as the line says */
            LayoutCellIter it;
            LayoutCell cell;
            int drawn = 0;
            Strbuf cells = STRBUF_INIT, rendered = STRBUF_INIT;
            layout_cells_begin(&it, (const uint8_t *)buf, &lf, &fast);
            while (layout_cells_next(&it, &cell)) {
                cr_assert_eq(cell.col, drawn, "iteration %d: a gap or overlap in the cells", iter);
                drawn = cell.col + cell.width;
                strbuf_add(&cells, cell.glyph, cell.glyph_len);
            }
            layout_render_line((const uint8_t *)buf, &lf, &fast, &rendered);
            cr_assert_str_eq(rendered.buf, cells.buf,
                             "iteration %d: render_line differs from the cells", iter);
            strbuf_release(&cells);
            strbuf_release(&rendered);
            cr_assert_eq(drawn, (int)lf.width,
                         "iteration %d width %d: drew %d columns of a %u-column "
                         "line [%zu,%zu)",
                         iter, width, drawn, lf.width, lf.start, lf.end);
        }
    }
}

/* Line ends: prose wrapped by hand reflows to the measure; verse, letters and lists keep their
 * lines (auto); keep and reflow do so for every paragraph. */
Test(layout, verse_and_lists_keep_their_line_ends)
{
    /* a story wrapped at 60: its width is found from the lines followed by another */
    const char *story = "It came fast, the way storms do in Almaty at the end of the\n"
                        "summer. First the wind turned the poplars silver side up, and\n"
                        "then the sky over the peaks went the colour of a bruise.\n"
                        "\n"
                        "Roses are red,\n"
                        "violets are blue,\n"
                        "sugar is sweet,\n"
                        "and so are you.\n"
                        "\n"
                        "- milk\n"
                        "- bread\n"
                        "- a bucket the size of the city\n";
    const uint8_t *b = (const uint8_t *)story;
    int sw = layout_source_width(b, strlen(story));
    cr_assert(sw >= 58 && sw <= 62, "the story's own width: %d", sw);
    const char *verse = strstr(story, "Roses"), *list = strstr(story, "- milk");
    Span prose = {0, (size_t)(strstr(story, "\n\nRoses") - story)};
    Span poem = {(size_t)(verse - story), (size_t)(strstr(verse, "\n\n") - story)};
    Span items = {(size_t)(list - story), strlen(story) - 1};
    LayoutOptions opt = {.width = 72, .source_width = sw};
    cr_assert(!layout_keeps_line_ends(b, prose, &opt), "prose reflows");
    cr_assert(layout_keeps_line_ends(b, poem, &opt), "verse keeps its lines");
    cr_assert(layout_keeps_line_ends(b, items, &opt), "a list keeps its lines");
    opt.line_ends = LAYOUT_ENDS_KEEP;
    cr_assert(layout_keeps_line_ends(b, prose, &opt));
    opt.line_ends = LAYOUT_ENDS_REFLOW;
    cr_assert(!layout_keeps_line_ends(b, poem, &opt));
    cr_assert(!layout_keeps_line_ends(b, items, &opt));

    /* and the lines drawn: the poem line by line at 72, reflowed when asked */
    char poem_text[256];
    snprintf(poem_text, sizeof poem_text, "%.*s", (int)(poem.end - poem.start), verse);
    LayoutOptions auto_opt = {.width = 72, .source_width = sw};
    cr_assert_str_eq(wrap_opt(poem_text, &auto_opt),
                     "Roses are red,|violets are blue,|sugar is sweet,|and so are you.");
    LayoutOptions reflow = {.width = 72, .source_width = sw, .line_ends = LAYOUT_ENDS_REFLOW};
    cr_assert_str_eq(wrap_opt(poem_text, &reflow),
                     "Roses are red, violets are blue, sugar is sweet, and so are you.");
    /* a kept line wider than the measure still wraps, and the fast path agrees */
    LayoutOptions narrow = {.width = 10, .source_width = sw, .line_ends = LAYOUT_ENDS_KEEP};
    cr_assert_str_eq(wrap_opt(poem_text, &narrow),
                     "Roses are|red,|violets|are blue,|sugar is|sweet,|and so are|you.");
    narrow.no_fast_path = 1;
    cr_assert_str_eq(wrap_opt(poem_text, &narrow),
                     "Roses are|red,|violets|are blue,|sugar is|sweet,|and so are|you.");
    /* a line that ends exactly at the edge of the line still ends there */
    LayoutOptions edge = {.width = 14, .source_width = sw, .line_ends = LAYOUT_ENDS_KEEP};
    cr_assert_str_eq(wrap_opt("Roses are red,\nviolets", &edge), "Roses are red,|violets");
}

Test(layout, unknown_source_width_keeps_only_lists)
{
    const char *poem = "Roses are red,\nviolets are blue.";
    LayoutOptions opt = {.width = 72};
    cr_assert(!layout_keeps_line_ends((const uint8_t *)poem, (Span){0, strlen(poem)}, &opt),
              "without the story's width, short lines cannot be told from prose");
    const char *list = "1. one\n2) two\na) three";
    cr_assert(layout_keeps_line_ends((const uint8_t *)list, (Span){0, strlen(list)}, &opt));
    cr_assert_eq(layout_source_width((const uint8_t *)"one line\n\nanother\n", 18), 0);
}

/* The wrap's fast path counts runs of Cyrillic (lead bytes D0 D1) and CJK ideographs (U+4E00..
 * U+9FFF) by their lead bytes alone: the tables must agree that each is an ordinary code
 * point (grapheme class Other, not emoji, assigned) of line-break class AL or ID, one column
 * (at most East Asian Ambiguous) or two. */
Test(layout, the_lead_byte_runs_agree_with_the_tables)
{
    for (uint32_t cp = 0x0400; cp <= 0x047f; cp++) {
        uint32_t p = ucd_props(cp);
        cr_assert(UCD_GCB(p) == GB_OTHER && !(p & (UCD_EXTPICT | UCD_EMOJI | UCD_UNASSIGNED)),
                  "U+%04X", cp);
        cr_assert_eq(UCD_WIDTH(p), 1, "U+%04X", cp);
        cr_assert_eq(UCD_LB(p), LB_AL, "U+%04X", cp);
    }
    for (uint32_t cp = 0x4e00; cp <= 0x9fff; cp++) {
        uint32_t p = ucd_props(cp);
        cr_assert(UCD_GCB(p) == GB_OTHER && !(p & (UCD_EXTPICT | UCD_EMOJI | UCD_UNASSIGNED)),
                  "U+%04X", cp);
        cr_assert_eq(UCD_WIDTH(p), 2, "U+%04X", cp);
        cr_assert(!(p & UCD_EAW_AMBIGUOUS), "U+%04X", cp);
        cr_assert_eq(UCD_LB(p), LB_ID, "U+%04X", cp);
    }
    /* the punctuation taken with them (any line-break class: the path measures, and the line
     * breaker decides later): ordinary code points, one column (at most ambiguous) or two */
    static const struct {
        uint32_t first, last;
        unsigned width;
    } punctuation[] = {{0x00a0, 0x00ff, 1},
                       {0x2010, 0x2027, 1},
                       {0x2500, 0x257f, 1},
                       {0x3000, 0x3029, 2},
                       {0xff01, 0xff5e, 2}};
    for (size_t r = 0; r < sizeof punctuation / sizeof *punctuation; r++)
        for (uint32_t cp = punctuation[r].first; cp <= punctuation[r].last; cp++) {
            /* the soft hyphen and two emoji: left to the general path */
            if (cp == 0x00ad || cp == 0x00a9 || cp == 0x00ae) continue;
            uint32_t p = ucd_props(cp);
            cr_assert(UCD_GCB(p) == GB_OTHER && !(p & (UCD_EXTPICT | UCD_EMOJI | UCD_UNASSIGNED)),
                      "U+%04X", cp);
            cr_assert_eq(UCD_WIDTH(p), punctuation[r].width, "U+%04X", cp);
            cr_assert(punctuation[r].width == 1 || !(p & UCD_EAW_AMBIGUOUS), "U+%04X", cp);
        }
    /* and the lines come out as the general path's, with ambiguous characters wide or not */
    const char *s = "Съешь же ещё этих мягких французских булок, да выпей чаю. "
                    "中文故事从前有一座山山上有一座庙庙里有个老和尚 Жӂ Ж\xcc\x88ж 文\xcc\x81中"
                    "“引号”——《书名》、句号。（括号）！？ 〩〪 \xef\xbc\x8c\xef\xb8\x8f "
                    "\xe4\xb7\x80 \xe2\x80\xa8 \xef\xbd\x9f 日本語の文 ┌─┬─┐│├┼┤└┘ "
                    "Ça coûte très cher, ¿verdad? Straße\xc2\xa0× 5 · ½ co\xc2\xadop ©® "
                    "e\xcc\x81t\xc3\xa9\xcc\x81";
    for (int amb = 1; amb <= 2; amb++)
        for (int w = LAYOUT_MIN_WIDTH; w < 40; w++) {
            LayoutOptions fast = {.width = w, .ambiguous_width = amb};
            LayoutOptions slow = fast;
            slow.no_fast_path = 1;
            LayoutLine *a, *b;
            Span p = {0, strlen(s)};
            size_t na = layout_wrap_paragraph((const uint8_t *)s, p, &fast, &a);
            size_t nb = layout_wrap_paragraph((const uint8_t *)s, p, &slow, &b);
            cr_assert_eq(na, nb, "width %d: %zu lines, general %zu", w, na, nb);
            for (size_t i = 0; i < na; i++)
                cr_assert(a[i].start == b[i].start && a[i].end == b[i].end &&
                              a[i].width == b[i].width,
                          "width %d ambiguous %d line %zu", w, amb, i);
            free(a);
            free(b);
        }
}

/* Thai, Lao, Khmer and Burmese write words without spaces: a line breaks only between words, as
 * ICU's dictionaries find them (sabreak.h), never inside one; before, a run was one unbreakable
 * word cut at a cluster boundary wherever the line ended. */
Test(layout, thai_lao_khmer_burmese_break_between_words)
{
    assert_wrap("ภาษาไทยเป็นภาษาที่มีระดับเสียงของคำแน่นอน", 24, "ภาษาไทยเป็นภาษาที่มีระดับเสียง|ของคำแน่นอน");
    static const char *const runs[] = {
        "ภาษาไทยเป็นภาษาที่มีระดับเสียงของคำแน่นอนหรือวรรณยุกต์เช่นเดียวกับภาษาจีน", /* Thai */
        "ພາສາລາວເປັນພາສາທາງການຂອງສາທາລະນະລັດປະຊາທິປະໄຕປະຊາຊົນລາວ",         /* Lao */
        "ភាសាខ្មែរគឺជាភាសាកំណើតរបស់ជនជាតិខ្មែរនិងជាភាសាផ្លូវការរបស់ប្រទេសកម្ពុជា",  /* Khmer */
        "မြန်မာဘာသာစကားသည်မြန်မာနိုင်ငံ၏ရုံးသုံးဘာသာစကားဖြစ်သည်",                   /* Burmese */
    };
    for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
        const uint8_t *s = (const uint8_t *)runs[r];
        size_t len = strlen(runs[r]), cuts[512];
        size_t ncuts = sabreak_words(NULL, s, len, cuts, 512);
        cr_assert_gt(ncuts, 3, "run %zu: the dictionary finds its words", r);
        for (int width = 10; width <= 30; width += 5) {
            LayoutOptions opt = {.width = width};
            LayoutLine *lines;
            size_t n = layout_wrap_paragraph(s, (Span){0, len}, &opt, &lines);
            cr_assert_gt(n, 1);
            for (size_t k = 0; k + 1 < n; k++) {
                bool at_word = false;
                for (size_t j = 0; j < ncuts; j++)
                    at_word |= cuts[j] == lines[k].end;
                /* a word wider than the line is the only excuse (then: between clusters) */
                cr_assert(at_word || lines[k].width == (uint32_t)width,
                          "run %zu at %d: line %zu ends inside a word, at byte %zu", r, width, k,
                          lines[k].end);
                cr_assert_leq(lines[k].width, (uint32_t)width);
            }
            free(lines);
        }
    }
}

/* Korean is broken at its spaces, not between any two syllables (CSS word-break: keep-all). */
Test(layout, korean_breaks_at_spaces)
{
    assert_wrap("서연이가 학교에 갔다.", 10, "서연이가|학교에|갔다.");
    assert_wrap("한국어는 대한민국과 조선의 공용어이다.", 22,
                "한국어는 대한민국과|조선의 공용어이다.");
    /* a word wider than the line still breaks, between syllables */
    assert_wrap("조선민주주의인민공화국", 10, "조선민주주|의인민공화|국");
    /* korean-breaks = syllables: UAX #14's own rule, a break between any two syllables */
    LayoutOptions opt = {.width = 10, .korean_syllables = 1};
    cr_assert_str_eq(wrap_opt("서연이가 학교에 갔다.", &opt), "서연이가|학교에 갔|다.");
}

/* layout_source_width as it is defined: the lines that end in a line end and are followed by a
 * line of their paragraph (neither blank), measured in code points; the longest but the longest
 * 5% of them. A plain reference, held to the measure on texts of letters, two-byte letters,
 * spaces, tabs and line ends. */
static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int reference_source_width(const char *s)
{
    int w[4096], n = 0;
    const char *line = s;
    for (const char *nl = strchr(line, '\n'); nl; line = nl + 1, nl = strchr(line, '\n')) {
        const char *next_nl = strchr(nl + 1, '\n');
        if (!next_nl) break; /* the next line has no line end: it is not counted */
        bool blank = strspn(line, " \t") >= (size_t)(nl - line);
        bool next_blank = strspn(nl + 1, " \t") >= (size_t)(next_nl - nl - 1);
        if (blank || next_blank) continue;
        int cps = 0;
        for (const char *p = line; p < nl; p++)
            cps += ((unsigned char)*p & 0xc0) != 0x80;
        w[n++] = cps;
    }
    if (!n) return 0;
    qsort(w, (size_t)n, sizeof *w, cmp_int);
    return w[n - 1 - n / 20];
}

/* The measure reads the first 64 KiB only: lines of 39 there, of 69 after them, make 39. */
Test(layout, source_width_reads_the_first_64_kib)
{
    char short_line[41], long_line[71];
    memset(short_line, 'a', 39);
    memcpy(short_line + 39, "\n", 2);
    memset(long_line, 'b', 69);
    memcpy(long_line + 69, "\n", 2);
    Strbuf sb = STRBUF_INIT;
    while (sb.len < (70 << 10))
        strbuf_addstr(&sb, short_line);
    while (sb.len < (300 << 10))
        strbuf_addstr(&sb, long_line);
    cr_assert_eq(layout_source_width((const uint8_t *)sb.buf, sb.len), 39);
    strbuf_release(&sb);
}

Test(layout, source_width_as_defined)
{
    static const char *const pieces[] = {"a", "\xc3\xa9", " ", "\t", "\n", "ab cd", "\xd0\x96"};
    uint64_t seed = 12345;
    char text[2048];
    int measured = 0;
    for (int round = 0; round < 2000; round++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t len = 0, want = (size_t)(seed >> 40) % 1500;
        while (len + 8 < sizeof text && len < want) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            const char *p = pieces[(seed >> 33) % 7];
            /* line ends rarer than letters: lines of several bytes, some longer than a word */
            if (*p == '\n' && (seed >> 50) % 4) p = "a";
            memcpy(text + len, p, strlen(p));
            len += strlen(p);
        }
        text[len] = 0;
        int got = layout_source_width((const uint8_t *)text, len);
        cr_assert_eq(got, reference_source_width(text), "round %d, %zu bytes", round, len);
        measured += got > 8;
    }
    cr_assert(measured > 1000, "only %d texts of lines wider than 8", measured);
}
