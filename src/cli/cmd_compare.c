/* cmd_compare.c: `lector compare A B` -- two stories side by side, paragraphs aligned by content.
 *
 * On a terminal it opens the interactive compare view. Otherwise it prints the view as text: A on
 * the left, B on the right, each wrapped at its own pane width, a gutter between them saying what
 * the row is (| same, ~ changed, < only in A, > only in B, m moved), and the words that differ
 * marked as dwdiff does, [-removed-] in A and {+added+} in B. --pairs prints the alignment itself,
 * a tab-separated row per pair or unpaired paragraph.
 *
 * Printed (or --pairs), the exit status is diff's: 0 when the stories are the same (every row
 * "same"), 1 when they differ, 2 on a bad option or path. The interactive view exits 0, as the
 * reader does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "lector/align.h"
#include "lector/alignout.h"
#include "lector/atomicfile.h"
#include "lector/layout.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/xalloc.h"
#include "tui.h"

static void compare_usage(FILE *f)
{
    fputs("usage: lector compare [--width N] [--pairs | --stat | --json | --html FILE] A B\n"
          "Shows two stories side by side, paragraphs paired by content, differing words marked.\n"
          "On a terminal it opens the compare view; otherwise it prints it as text, with a gutter\n"
          "of | same, ~ changed, < only in A, > only in B, m moved, and [-removed-] {+added+}.\n"
          "  -w, --width N   total width in columns (20-4096; default: the terminal's, or 80)\n"
          "  --pairs         print the alignment: A<TAB>B<TAB>SCORE[<TAB>moved] per row, A and B\n"
          "                  1-based paragraph numbers (several joined by commas) or -\n"
          "  --stat          print what became of the words: the shares kept, changed, removed,\n"
          "                  added and moved\n"
          "  --json          print the alignment as JSON (rows, byte offsets, differing words)\n"
          "  --html FILE     write the comparison as one self-contained HTML page (- for stdout)\n"
          "  --translation   B translates A: pair by lengths, names and numbers, not words\n"
          "                  (the default when their languages differ)\n"
          "  --same-language never treat the two as a translation\n"
          "  -h, --help      show this help\n"
          "Exit status: 0 the same, 1 different, 2 trouble.\n",
          f);
}

/* Paragraphs [p, p + n) of one side with its differing words marked, blank lines between. */
static void marked_text(const Alignment *al, const Text *t, int side, size_t p, size_t n,
                        const Span *diff, size_t ndiff, Strbuf *out)
{
    const uint8_t *b = text_bytes(t);
    /* a word joiner (U+2060) inside each mark: no line breaks between a mark and its word; a
     * translation's spans are the names and numbers both sides hold: {=Ivan=} */
    bool shared = align_is_translation(al);
    const char *open = shared ? "{=\xe2\x81\xa0"
                       : side ? "{+\xe2\x81\xa0"
                              : "[-\xe2\x81\xa0",
               *close = shared ? "\xe2\x81\xa0=}"
                        : side ? "\xe2\x81\xa0+}"
                               : "\xe2\x81\xa0-]";
    size_t d = 0;
    for (size_t i = p; i < p + n; i++) {
        Span sp = align_paragraph(al, side, i);
        if (i > p) strbuf_addstr(out, "\n\n");
        size_t at = sp.start;
        for (; d < ndiff && diff[d].start < sp.end && diff[d].end <= sp.end; d++) {
            strbuf_add(out, b + at, diff[d].start - at);
            strbuf_addstr(out, open);
            strbuf_add(out, b + diff[d].start, diff[d].end - diff[d].start);
            strbuf_addstr(out, close);
            at = diff[d].end;
        }
        strbuf_add(out, b + at, sp.end - at);
    }
}

typedef struct {
    Strbuf text; /* rendered lines, each NUL-ended */
    size_t *off; /* line k starts at text.buf + off[k] */
    int *width;
    size_t n, cap;
} Pane;

static void pane_reset(Pane *p)
{
    strbuf_reset(&p->text);
    p->n = 0;
}

static void pane_add(Pane *p, const char *s, size_t len, int width)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->off = xreallocarray(p->off, p->cap, sizeof *p->off);
        p->width = xreallocarray(p->width, p->cap, sizeof *p->width);
    }
    p->off[p->n] = p->text.len;
    p->width[p->n] = width;
    strbuf_add(&p->text, s, len);
    strbuf_addch(&p->text, 0);
    p->n++;
}

/* Lays the bytes out at width into p, a blank line between paragraphs. */
static void pane_layout(Pane *p, const char *bytes, size_t len, const LayoutOptions *opt)
{
    Text *t = text_from_bytes(bytes, len, NULL);
    const uint8_t *tb = text_bytes(t);
    Strbuf line = STRBUF_INIT;
    for (size_t i = 0; i < text_paragraph_count(t); i++) {
        if (i && !text_paragraph_joined(t, i)) pane_add(p, "", 0, 0);
        LayoutCursor c;
        LayoutLine l;
        layout_cursor_init(&c, tb, text_paragraph(t, i), opt);
        while (layout_cursor_next(&c, &l)) {
            strbuf_reset(&line);
            layout_render_line(tb, &l, opt, &line);
            pane_add(p, line.buf ? line.buf : "", line.len, (int)l.width);
        }
    }
    strbuf_release(&line);
    text_free(t);
}

static void print_rows(const Alignment *al, Text *ta, Text *tb, int width, Strbuf *out)
{
    int pw = (width - 3) / 2; /* pane width: A, " g ", B */
    /* each story's own line width, for its verse and letters (layout.h), as the view has it */
    LayoutOptions opt = {.width = pw, .source_width = text_source_width(ta)};
    LayoutOptions opt_b = {.width = pw, .source_width = text_source_width(tb)};
    Pane pa = {STRBUF_INIT, NULL, NULL, 0, 0}, pb = {STRBUF_INIT, NULL, NULL, 0, 0};
    Strbuf mark = STRBUF_INIT;
    const AlignRow *rows = align_rows(al);
    size_t nrows = align_row_count(al);
    const Span *da = align_diff_spans(al, 0), *db = align_diff_spans(al, 1);
    /* ghosts: where each moved paragraph of A stood */
    size_t *ghost_first, *ghost_rows;
    align_moved_by_origin(al, &ghost_first, &ghost_rows);
    for (size_t k = 0; k <= nrows; k++) {
        for (size_t q = ghost_first[k]; q < ghost_first[k + 1]; q++) { /* notes before row k */
            size_t g = ghost_rows[q];
            strbuf_reset(&mark);
            strbuf_addf(&mark, "(paragraph %zu moved: see %zu of B)", rows[g].a + 1, rows[g].b + 1);
            pane_reset(&pa);
            pane_layout(&pa, mark.buf, mark.len, &opt);
            for (size_t l = 0; l < pa.n; l++)
                strbuf_addf(out, "%s%*s m\n", pa.text.buf + pa.off[l], pw - pa.width[l], "");
            strbuf_addf(out, "%*s  \n", pw, "");
        }
        if (k == nrows) break;
        const AlignRow *r = &rows[k];
        pane_reset(&pa);
        pane_reset(&pb);
        if (r->na) {
            strbuf_reset(&mark);
            marked_text(al, ta, 0, r->a, r->na, r->ndiff_a ? da + r->diff_a : NULL, r->ndiff_a,
                        &mark);
            pane_layout(&pa, mark.buf ? mark.buf : "", mark.len, &opt);
        }
        if (r->nb) {
            strbuf_reset(&mark);
            marked_text(al, tb, 1, r->b, r->nb, r->ndiff_b ? db + r->diff_b : NULL, r->ndiff_b,
                        &mark);
            pane_layout(&pb, mark.buf ? mark.buf : "", mark.len, &opt_b);
        }
        size_t n = pa.n > pb.n ? pa.n : pb.n;
        char g = align_kind_mark(r->kind);
        for (size_t l = 0; l < n; l++) {
            if (l < pa.n)
                strbuf_addf(out, "%s%*s", pa.text.buf + pa.off[l], pw - pa.width[l], "");
            else
                strbuf_addf(out, "%*s", pw, "");
            strbuf_addf(out, " %c", g);
            if (l < pb.n) {
                strbuf_addch(out, ' ');
                strbuf_addstr(out, pb.text.buf + pb.off[l]);
            }
            strbuf_addch(out, '\n');
        }
        if (k + 1 < nrows) strbuf_addf(out, "%*s  \n", pw, "");
        if (out->len >= 1 << 16) {
            fwrite(out->buf, 1, out->len, stdout);
            strbuf_reset(out);
        }
    }
    free(ghost_first);
    free(ghost_rows);
    strbuf_release(&mark);
    strbuf_release(&pa.text);
    strbuf_release(&pb.text);
    free(pa.off);
    free(pa.width);
    free(pb.off);
    free(pb.width);
}

static void add_numbers(Strbuf *out, size_t first, size_t n)
{
    if (!n) {
        strbuf_addch(out, '-');
        return;
    }
    for (size_t i = 0; i < n; i++)
        strbuf_addf(out, "%s%zu", i ? "," : "", first + i + 1);
}

static void print_pairs(const Alignment *al, Strbuf *out)
{
    const AlignRow *rows = align_rows(al);
    for (size_t k = 0; k < align_row_count(al); k++) {
        const AlignRow *r = &rows[k];
        add_numbers(out, r->a, r->na);
        strbuf_addch(out, '\t');
        add_numbers(out, r->b, r->nb);
        strbuf_addf(out, "\t%.2f%s\n", r->score, r->kind == ALIGN_MOVED ? "\tmoved" : "");
        if (out->len >= 1 << 16) {
            fwrite(out->buf, 1, out->len, stdout);
            strbuf_reset(out);
        }
    }
}

/* What became of the words, one line each: the shares of align_shares. */
static void print_stat(const Alignment *al, Strbuf *out)
{
    AlignShares sh = align_shares(al);
    AlignCounts c = align_counts(al);
    strbuf_addf(out,
                "kept     %5.1f%%\nchanged  %5.1f%%\nremoved  %5.1f%%\nadded    %5.1f%%\n"
                "moved    %5.1f%%\n",
                sh.kept * 100, sh.changed * 100, sh.removed * 100, sh.added * 100, sh.moved * 100);
    strbuf_addf(out, "paragraph rows: same %zu, changed %zu, removed %zu, added %zu, moved %zu\n",
                c.same, c.changed, c.only_a, c.only_b, c.moved);
}

/* Loads a story to compare: a regular file (or "-" for stdin), else one error line. */
static Text *load_story(const char *path, Diag *d)
{
    Text *t = NULL;
    struct stat st;
    if (strcmp(path, "-") == 0) {
        if (text_load_fd(STDIN_FILENO, "-", 0, &t, d) == 0) return t;
    } else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        diag_set(d, DIAG_INVALID, "%s: is a folder; compare takes two story files", path);
    } else if (text_load(path, 0, &t, d) == 0)
        return t;
    cli_error("%s", d->msg);
    return NULL;
}

int cmd_compare(int argc, char **argv, const Config *cfg)
{
    static const struct option longopts[] = {
        {"width", required_argument, NULL, 'w'},
        {"pairs", no_argument, NULL, 'p'},
        {"stat", no_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"html", required_argument, NULL, 'H'},
        {"translation", no_argument, NULL, 'T'},
        {"same-language", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int width = 0, pairs = 0, stat_only = 0, json = 0, opt;
    const char *html = NULL;
    AlignTranslation translation = ALIGN_TRANSLATION_AUTO;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+w:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'w': {
            char *end;
            errno = 0;
            long w = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || w < 20 || w > LAYOUT_MAX_WIDTH) {
                cli_error("--width: '%s' is not a whole number from 20 to %d", optarg,
                          LAYOUT_MAX_WIDTH);
                return EXIT_USAGE;
            }
            width = (int)w;
            break;
        }
        case 'p':
            pairs = 1;
            break;
        case 's':
            stat_only = 1;
            break;
        case 'j':
            json = 1;
            break;
        case 'H':
            html = optarg;
            break;
        case 'T':
            translation = ALIGN_TRANSLATION_YES;
            break;
        case 'S':
            translation = ALIGN_TRANSLATION_NO;
            break;
        case 'h':
            compare_usage(stdout);
            return 0;
        default:
            if (optopt == 'w')
                cli_error("--width needs a number of columns");
            else if (optopt == 'H')
                cli_error("--html needs the file to write (- for standard output)");
            else if (optopt)
                cli_error("unknown option '-%c' (see: lector compare --help)", optopt);
            else
                cli_error("unknown option '%s' (see: lector compare --help)", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        cli_error("compare needs two stories, A and B (see: lector compare --help)");
        return EXIT_USAGE;
    }
    if (pairs + stat_only + json + (html != NULL) > 1) {
        cli_error("choose one of --pairs, --stat, --json and --html");
        return EXIT_USAGE;
    }
    char *paths[2] = {argv[optind], argv[optind + 1]};
    if (!strcmp(paths[0], "-") && !strcmp(paths[1], "-")) {
        cli_error("only one of the two stories can be standard input");
        return EXIT_USAGE;
    }
    if (html && strcmp(html, "-")) { /* never write over a story being compared */
        struct stat hs, ps;
        for (int i = 0; i < 2; i++)
            if (stat(html, &hs) == 0 && stat(paths[i], &ps) == 0 && hs.st_dev == ps.st_dev &&
                hs.st_ino == ps.st_ino) {
                cli_error("--html %s: that is one of the stories; choose another file", html);
                return EXIT_USAGE;
            }
    }
    if (!pairs && !stat_only && !json && !html && isatty(STDOUT_FILENO) && tui_can_draw() &&
        strcmp(paths[0], "-") && strcmp(paths[1], "-")) {
        /* a bad path: one line and status 2, before the screen (the view reads the stories,
         * and says why one cannot be read, before it takes the terminal) */
        for (int i = 0; i < 2; i++) {
            struct stat st;
            if (stat(paths[i], &st) != 0) {
                cli_path_error(paths[i]);
                return EXIT_USAGE;
            }
            if (S_ISDIR(st.st_mode)) {
                cli_error("%s: is a folder; compare takes two story files", paths[i]);
                return EXIT_USAGE;
            }
        }
        return tui_run_compare(paths[0], paths[1], 0, cfg);
    }
    Diag d = {0};
    Text *ta = load_story(paths[0], &d);
    if (!ta) return EXIT_USAGE;
    Text *tb = load_story(paths[1], &d);
    if (!tb) {
        text_free(ta);
        return EXIT_USAGE;
    }
    if (!width) {
        struct winsize ws;
        width = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20 ? ws.ws_col : 80;
    }
    Alignment *al = align_new_with(ta, tb, translation);
    Strbuf out = STRBUF_INIT;
    AlignVersions ver = {{paths[0], paths[1]}, {ta, tb}};
    int status = 0;
    if (pairs)
        print_pairs(al, &out);
    else if (stat_only)
        print_stat(al, &out);
    else if (json)
        alignout_json(al, &ver, &out);
    else if (html)
        alignout_html(al, &ver, &out);
    else
        print_rows(al, ta, tb, width, &out);
    if (html && strcmp(html, "-")) {
        int step;
        if (atomic_write(html, out.buf, out.len, false, 0, &step) != 0) {
            cli_error("--html %s: %s", html, strerror(errno));
            status = EXIT_USAGE;
        }
    } else
        fwrite(out.buf, 1, out.len, stdout);
    strbuf_release(&out);
    AlignCounts c = align_counts(al);
    int differ = c.changed || c.only_a || c.only_b || c.moved;
    align_free(al);
    text_free(ta);
    text_free(tb);
    if (status || cli_output_failed()) return EXIT_USAGE; /* 1 says "they differ" */
    return differ ? 1 : 0;
}
