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
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "cli.h"
#include "lector/align.h"
#include "lector/alignout.h"
#include "lector/atomicfile.h"
#include "lector/collate.h"
#include "lector/layout.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/xalloc.h"
#include "lector/thread.h"
#include "tui.h"

static void compare_usage(FILE *f)
{
    fputs("usage: lector compare [--width N] [--pairs | --stat | --json | --html FILE] A B [C...]\n"
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
          "Three or more versions (at most 16): the first is the base; one column per version\n"
          "while each has 30 columns, a first column saying which versions hold the row (AB-D),\n"
          "else the base beside each version in turn; --pairs prints a column per version.\n"
          "Exit status: 0 the same, 1 different, 2 trouble.\n",
          f);
}

/* Paragraphs [p, p + n) of one side with its differing words marked, blank lines between; the
 * words of a sentence moved inside the pair {~so~} on both sides. */
static void marked_text(const Alignment *al, const Text *t, int side, const AlignRow *r,
                        Strbuf *out)
{
    const uint8_t *b = text_bytes(t);
    size_t p = side ? r->b : r->a, n = side ? r->nb : r->na;
    size_t nd = side ? r->ndiff_b : r->ndiff_a, nm = side ? r->nmoved_b : r->nmoved_a;
    const Span *diff = nd ? align_diff_spans(al, side) + (side ? r->diff_b : r->diff_a) : NULL;
    const Span *mv = nm ? align_moved_spans(al, side) + (side ? r->moved_b : r->moved_a) : NULL;
    /* a word joiner (U+2060) inside each mark: no line breaks between a mark and its word; a
     * translation's spans are the names and numbers both sides hold: {=Ivan=} */
    bool shared = align_is_translation(al);
    const char *open = shared ? "{=\xe2\x81\xa0"
                       : side ? "{+\xe2\x81\xa0"
                              : "[-\xe2\x81\xa0",
               *close = shared ? "\xe2\x81\xa0=}"
                        : side ? "\xe2\x81\xa0+}"
                               : "\xe2\x81\xa0-]";
    size_t d = 0, m = 0;
    for (size_t i = p; i < p + n; i++) {
        Span sp = align_paragraph(al, side, i);
        if (i > p) strbuf_addstr(out, "\n\n");
        size_t at = sp.start;
        for (;;) { /* the next mark of either kind in this paragraph */
            bool has_d = d < nd && diff[d].start < sp.end, has_m = m < nm && mv[m].start < sp.end;
            if (!has_d && !has_m) break;
            bool is_m = has_m && (!has_d || mv[m].start < diff[d].start);
            Span x = is_m ? mv[m++] : diff[d++];
            strbuf_add(out, b + at, x.start - at);
            strbuf_addstr(out, is_m ? "{~\xe2\x81\xa0" : open);
            strbuf_add(out, b + x.start, x.end - x.start);
            strbuf_addstr(out, is_m ? "\xe2\x81\xa0~}" : close);
            at = x.end;
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

/* Starts a line of the given width: its bytes are what is added to p->text next, then a NUL. */
static void pane_line(Pane *p, int width)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->off = xreallocarray(p->off, p->cap, sizeof *p->off);
        p->width = xreallocarray(p->width, p->cap, sizeof *p->width);
    }
    p->off[p->n] = p->text.len;
    p->width[p->n] = width;
    p->n++;
}

/* Lays the bytes out at width into p, a blank line between paragraphs. */
static void pane_layout(Pane *p, const char *bytes, size_t len, const LayoutOptions *opt)
{
    /* most rows are one paragraph each side: laid out where they are, without a Text */
    Text *t = text_bytes_are_one_paragraph(bytes, len) ? NULL : text_from_bytes(bytes, len, NULL);
    const uint8_t *tb = t ? text_bytes(t) : (const uint8_t *)bytes;
    size_t n = t ? text_paragraph_count(t) : 1;
    for (size_t i = 0; i < n; i++) {
        if (i && !text_paragraph_joined(t, i)) {
            pane_line(p, 0);
            strbuf_addch(&p->text, 0);
        }
        LayoutCursor c;
        LayoutLine l;
        layout_cursor_init(&c, tb, t ? text_paragraph(t, i) : (Span){0, len}, opt);
        while (layout_cursor_next(&c, &l)) {
            pane_line(p, (int)l.width);
            layout_render_line(tb, &l, opt, &p->text);
            strbuf_addch(&p->text, 0);
        }
    }
    text_free(t);
}

/* Line l of pane p, padded with spaces to pw columns. */
static void add_pane_line(Strbuf *out, const Pane *p, size_t l, int pw)
{
    const char *s = p->text.buf + p->off[l];
    size_t len = (l + 1 < p->n ? p->off[l + 1] : p->text.len) - p->off[l] - 1; /* its NUL */
    strbuf_add(out, s, len);
    if (pw > p->width[l]) strbuf_add_repeat(out, ' ', (size_t)(pw - p->width[l]));
}

/* What every row is printed with (print_rows); read only while the rows are printed. */
typedef struct {
    const Alignment *al;
    const Text *ta, *tb;
    const AlignRow *rows;
    size_t nrows;
    const size_t *ghost_first, *ghost_rows; /* align_moved_by_origin */
    LayoutOptions opt, opt_b;
    int pw; /* a pane's width */
} RowsPrint;

/* A run of rows printed into out, with the printer's scratch. */
typedef struct {
    size_t from, to; /* rows [from, to), nrows the end (where the last moved notes are) */
    Strbuf out;
    Pane pa, pb;
    Strbuf mark, mark_b;
} RowsChunk;

static void chunk_free(RowsChunk *c)
{
    strbuf_release(&c->out);
    strbuf_release(&c->mark);
    strbuf_release(&c->mark_b);
    strbuf_release(&c->pa.text);
    strbuf_release(&c->pb.text);
    free(c->pa.off);
    free(c->pa.width);
    free(c->pb.off);
    free(c->pb.width);
}

/* The notes of the paragraphs moved from before row k, then row k (none at nrows). */
static void print_row(const RowsPrint *x, RowsChunk *c, size_t k)
{
    Strbuf *out = &c->out;
    Pane *pa = &c->pa, *pb = &c->pb;
    int pw = x->pw;
    for (size_t q = x->ghost_first[k]; q < x->ghost_first[k + 1]; q++) { /* notes before row k */
        const AlignRow *g = &x->rows[x->ghost_rows[q]];
        strbuf_reset(&c->mark);
        strbuf_addf(&c->mark, "(paragraph %zu moved: see %zu of B)", g->a + 1, g->b + 1);
        pane_reset(pa);
        pane_layout(pa, c->mark.buf, c->mark.len, &x->opt);
        for (size_t l = 0; l < pa->n; l++) {
            add_pane_line(out, pa, l, pw);
            strbuf_addstr(out, " m\n");
        }
        strbuf_add_repeat(out, ' ', (size_t)pw + 2);
        strbuf_addch(out, '\n');
    }
    if (k == x->nrows) return;
    const AlignRow *r = &x->rows[k];
    pane_reset(pa);
    pane_reset(pb);
    const Pane *right = pb;
    if (r->na) {
        strbuf_reset(&c->mark);
        marked_text(x->al, x->ta, 0, r, &c->mark);
        pane_layout(pa, c->mark.buf, c->mark.len, &x->opt);
    }
    if (r->nb) {
        strbuf_reset(&c->mark_b);
        marked_text(x->al, x->tb, 1, r, &c->mark_b);
        /* most rows are the same text on both sides: laid out once when both stories are laid
         * out alike */
        if (r->na && c->mark_b.len == c->mark.len &&
            !memcmp(c->mark_b.buf, c->mark.buf, c->mark.len) &&
            x->opt_b.source_width == x->opt.source_width)
            right = pa;
        else
            pane_layout(pb, c->mark_b.buf, c->mark_b.len, &x->opt_b);
    }
    size_t n = pa->n > right->n ? pa->n : right->n;
    char g = align_kind_mark(r->kind);
    for (size_t l = 0; l < n; l++) {
        if (l < pa->n)
            add_pane_line(out, pa, l, pw);
        else
            strbuf_add_repeat(out, ' ', (size_t)pw);
        char gutter[3] = {' ', g, ' '};
        strbuf_add(out, gutter, l < right->n ? 3 : 2);
        if (l < right->n) add_pane_line(out, right, l, 0);
        strbuf_addch(out, '\n');
    }
    if (k + 1 < x->nrows) {
        strbuf_add_repeat(out, ' ', (size_t)pw + 2);
        strbuf_addch(out, '\n');
    }
}

static void print_chunk(const RowsPrint *x, RowsChunk *c)
{
    strbuf_reset(&c->out);
    for (size_t k = c->from; k < c->to; k++)
        print_row(x, c, k);
}

/* A second printer, on its own thread: laying rows out is most of printing two long stories, and
 * each row is laid out alone, so that two printers take turns by chunks of rows, each printing
 * one while the other prints the next, and the chunks are written in order. */
typedef struct {
    const RowsPrint *x;
    RowsChunk chunk;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    enum { PRINTER_IDLE, PRINTER_ASKED, PRINTER_DONE, PRINTER_QUIT } state;
} Printer;

static void *printer_main(void *arg)
{
    Printer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->state != PRINTER_ASKED && w->state != PRINTER_QUIT)
            pthread_cond_wait(&w->cond, &w->lock);
        if (w->state == PRINTER_QUIT) break;
        pthread_mutex_unlock(&w->lock);
        print_chunk(w->x, &w->chunk);
        pthread_mutex_lock(&w->lock);
        w->state = PRINTER_DONE;
        pthread_cond_broadcast(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static void printer_set(Printer *w, int state)
{
    pthread_mutex_lock(&w->lock);
    w->state = state;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void printer_wait(Printer *w)
{
    pthread_mutex_lock(&w->lock);
    while (w->state != PRINTER_DONE)
        pthread_cond_wait(&w->cond, &w->lock);
    w->state = PRINTER_IDLE;
    pthread_mutex_unlock(&w->lock);
}

/* Writes c's rows to stdout, after what out holds (a failure is stdout's error, seen at the
 * end as any other write's). */
static void write_chunk(Strbuf *out, const RowsChunk *c)
{
    if (out->len) {
        fwrite(out->buf, 1, out->len, stdout);
        strbuf_reset(out);
    }
    fwrite(c->out.buf, 1, c->out.len, stdout);
}

enum { ROWS_CHUNK = 512 };

static void print_rows(const Alignment *al, Text *ta, Text *tb, int width, Strbuf *out)
{
    int pw = (width - 3) / 2; /* pane width: A, " g ", B */
    /* each story's own line width, for its verse and letters (layout.h), as the view has it */
    RowsPrint x = {.al = al,
                   .ta = ta,
                   .tb = tb,
                   .rows = align_rows(al),
                   .nrows = align_row_count(al),
                   .opt = {.width = pw, .source_width = text_source_width(ta)},
                   .opt_b = {.width = pw, .source_width = text_source_width(tb)},
                   .pw = pw};
    /* ghosts: where each moved paragraph of A stood */
    size_t *ghost_first, *ghost_rows;
    align_moved_by_origin(al, &ghost_first, &ghost_rows);
    x.ghost_first = ghost_first;
    x.ghost_rows = ghost_rows;
    RowsChunk mine = {.out = STRBUF_INIT,
                      .pa = {STRBUF_INIT, NULL, NULL, 0, 0},
                      .pb = {STRBUF_INIT, NULL, NULL, 0, 0},
                      .mark = STRBUF_INIT,
                      .mark_b = STRBUF_INIT};
    Printer w = {.x = &x, .chunk = mine, .state = PRINTER_IDLE};
    pthread_t thread;
    bool threaded = x.nrows + 1 > ROWS_CHUNK && pthread_mutex_init(&w.lock, NULL) == 0;
    if (threaded && pthread_cond_init(&w.cond, NULL) != 0) {
        pthread_mutex_destroy(&w.lock);
        threaded = false;
    }
    if (threaded && thread_start(&thread, printer_main, &w) != 0) {
        pthread_cond_destroy(&w.cond);
        pthread_mutex_destroy(&w.lock);
        threaded = false;
    }
    size_t end = x.nrows + 1; /* k = nrows: the notes after the last row */
    for (size_t k = 0; k < end; k += 2 * ROWS_CHUNK) {
        mine.from = k;
        mine.to = end - k > ROWS_CHUNK ? k + ROWS_CHUNK : end;
        w.chunk.from = mine.to;
        w.chunk.to = end - mine.to > ROWS_CHUNK ? mine.to + ROWS_CHUNK : end;
        bool next = w.chunk.from < w.chunk.to;
        if (next && threaded) printer_set(&w, PRINTER_ASKED);
        print_chunk(&x, &mine);
        write_chunk(out, &mine);
        if (!next) continue;
        if (threaded)
            printer_wait(&w);
        else
            print_chunk(&x, &w.chunk);
        write_chunk(out, &w.chunk);
    }
    if (threaded) {
        printer_set(&w, PRINTER_QUIT);
        pthread_join(thread, NULL);
        pthread_cond_destroy(&w.cond);
        pthread_mutex_destroy(&w.lock);
    }
    chunk_free(&mine);
    chunk_free(&w.chunk);
    free(ghost_first);
    free(ghost_rows);
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

typedef enum { OUT_TEXT, OUT_PAIRS, OUT_STAT, OUT_JSON, OUT_HTML } Output;

/* Before the compare view takes the screen: a path that is missing or a folder is one line and
 * false (the view reads the stories, and says why one cannot be read, before the terminal). */
static bool paths_are_files(char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            cli_path_error(paths[i]);
            return false;
        }
        if (S_ISDIR(st.st_mode)) {
            cli_error("%s: is a folder; compare takes story files", paths[i]);
            return false;
        }
    }
    return true;
}

/* The output to the --html file (whole or not at all), else to stdout: 0, or EXIT_USAGE said. */
static int write_output(const char *html, const Strbuf *out)
{
    if (!html || !strcmp(html, "-")) {
        fwrite(out->buf, 1, out->len, stdout);
        return 0;
    }
    int step;
    if (atomic_write(html, out->buf, out->len, false, 0, &step) == 0) return 0;
    cli_error("--html %s: %s", html, strerror(errno));
    return EXIT_USAGE;
}

/* Whether --html would write over one of the stories being compared (then said). */
static bool html_over_a_story(const char *html, char *const *paths, size_t n)
{
    struct stat hs, ps;
    if (!html || !strcmp(html, "-") || stat(html, &hs) != 0) return false;
    for (size_t v = 0; v < n; v++)
        if (stat(paths[v], &ps) == 0 && hs.st_dev == ps.st_dev && hs.st_ino == ps.st_ino) {
            cli_error("--html %s: that is one of the stories; choose another file", html);
            return true;
        }
    return false;
}

/* Three or more versions in columns, one per version, while each has 30 columns: a column of
 * letters first says which versions the row holds (ABC, A-C), then each version's paragraphs,
 * the words a version has that the base lacks marked {+so+} (a translation's shared anchors
 * {=so=}). Narrower, the base beside each other version in turn, as two are printed. */
static void print_versions(const Collation *c, Text *const *t, const char *const *names, int width,
                           Strbuf *out)
{
    size_t n = collate_version_count(c);
    for (size_t v = 0; v < n; v++)
        strbuf_addf(out, "%c: %s%s\n", (int)('A' + v), names[v], v ? "" : " (the base)");
    int pw = (width - (int)n - 1 - 2 * ((int)n - 1)) / (int)n;
    if (pw < 30) {
        for (size_t v = 1; v < n; v++) {
            strbuf_addf(out, "\n== A | %c: %d columns are too few for %zu side by side ==\n\n",
                        (int)('A' + v), width, n);
            print_rows(collate_alignment(c, v), t[0], t[v], width, out);
        }
        return;
    }
    Pane pane[COLLATE_MAX];
    LayoutOptions opt[COLLATE_MAX];
    for (size_t v = 0; v < n; v++) {
        pane[v] = (Pane){STRBUF_INIT, NULL, NULL, 0, 0};
        opt[v] = (LayoutOptions){.width = pw, .source_width = text_source_width(t[v])};
    }
    Strbuf mark = STRBUF_INIT;
    strbuf_addch(out, '\n');
    for (size_t r = 0; r < collate_row_count(c); r++) {
        const CollateCell *row = collate_row(c, r);
        size_t lines = 0;
        for (size_t v = 0; v < n; v++) {
            pane_reset(&pane[v]);
            if (!row[v].n) continue;
            const Span *m;
            size_t nm;
            collate_marks(c, r, v, &m, &nm);
            strbuf_reset(&mark);
            bool tr = v && align_is_translation(collate_alignment(c, v));
            const uint8_t *b = text_bytes(t[v]);
            size_t k = 0;
            for (size_t i = row[v].first; i < row[v].first + row[v].n; i++) {
                Span sp = collate_paragraph(c, v, i);
                if (i > row[v].first) strbuf_addstr(&mark, "\n\n");
                size_t at = sp.start;
                for (; k < nm && m[k].start < sp.end; k++) {
                    strbuf_add(&mark, b + at, m[k].start - at);
                    strbuf_addstr(&mark, tr ? "{=\xe2\x81\xa0" : "{+\xe2\x81\xa0");
                    strbuf_add(&mark, b + m[k].start, m[k].end - m[k].start);
                    strbuf_addstr(&mark, tr ? "\xe2\x81\xa0=}" : "\xe2\x81\xa0+}");
                    at = m[k].end;
                }
                strbuf_add(&mark, b + at, sp.end - at);
            }
            pane_layout(&pane[v], mark.buf ? mark.buf : "", mark.len, &opt[v]);
            if (pane[v].n > lines) lines = pane[v].n;
        }
        for (size_t l = 0; l < lines; l++) {
            for (size_t v = 0; v < n; v++)
                strbuf_addch(out, !l && row[v].n ? (char)('A' + v) : l ? ' ' : '-');
            strbuf_addch(out, ' ');
            for (size_t v = 0; v < n; v++) {
                bool last = v + 1 == n;
                if (l < pane[v].n) {
                    strbuf_addstr(out, pane[v].text.buf + pane[v].off[l]);
                    if (!last) strbuf_addf(out, "%*s", pw - pane[v].width[l], "");
                } else if (!last)
                    strbuf_addf(out, "%*s", pw, "");
                if (!last) strbuf_addstr(out, "  ");
            }
            strbuf_addch(out, '\n');
        }
        if (r + 1 < collate_row_count(c)) strbuf_addch(out, '\n');
        if (out->len >= 1 << 16) {
            fwrite(out->buf, 1, out->len, stdout);
            strbuf_reset(out);
        }
    }
    strbuf_release(&mark);
    for (size_t v = 0; v < n; v++) {
        strbuf_release(&pane[v].text);
        free(pane[v].off);
        free(pane[v].width);
    }
}

static Text *load_story(const char *path, Diag *d);

/* The compare view pairs as the printed outputs do. */
static unsigned app_flags_of(AlignTranslation translation)
{
    return translation == ALIGN_TRANSLATION_YES  ? APP_TRANSLATION
           : translation == ALIGN_TRANSLATION_NO ? APP_SAME_LANGUAGE
                                                 : 0;
}

/* lector compare A B C...: the versions collated (collate.h), printed as o says. */
static int compare_versions(char **paths, size_t n, Output o, const char *html, int width,
                            AlignTranslation translation, const Config *cfg)
{
    size_t stdin_uses = 0;
    for (size_t v = 0; v < n; v++)
        stdin_uses += !strcmp(paths[v], "-");
    if (stdin_uses > 1) {
        cli_error("only one of the versions can be standard input");
        return EXIT_USAGE;
    }
    if (html_over_a_story(html, paths, n)) return EXIT_USAGE;
    if (o == OUT_TEXT && isatty(STDOUT_FILENO) && tui_can_draw() && !stdin_uses) {
        /* the compare view: the first beside each other in turn (v) */
        if (!paths_are_files(paths, n)) return EXIT_USAGE;
        return tui_run_compare(paths, (int)n, 0, app_flags_of(translation), cfg);
    }
    Text *t[COLLATE_MAX];
    Diag d = {0};
    for (size_t v = 0; v < n; v++) {
        t[v] = load_story(paths[v], &d);
        if (!t[v]) {
            for (size_t k = 0; k < v; k++)
                text_free(t[k]);
            return EXIT_USAGE;
        }
    }
    if (!width) {
        struct winsize ws;
        width = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20 ? ws.ws_col : 80;
    }
    Collation *c = collate_new((const Text *const *)t, n, translation);
    Strbuf out = STRBUF_INIT;
    const char *const *names = (const char *const *)paths;
    int status = 0, differ = 0;
    for (size_t r = 0; r < collate_row_count(c); r++) {
        const CollateCell *row = collate_row(c, r);
        for (size_t v = 0; v < n; v++)
            differ |= !row[v].n;
    }
    for (size_t v = 1; v < n; v++) {
        AlignCounts k = align_counts(collate_alignment(c, v));
        differ |= k.changed || k.only_a || k.only_b || k.moved;
    }
    switch (o) {
    case OUT_PAIRS:
        for (size_t r = 0; r < collate_row_count(c); r++) {
            const CollateCell *row = collate_row(c, r);
            for (size_t v = 0; v < n; v++) {
                if (v) strbuf_addch(&out, '\t');
                add_numbers(&out, row[v].first, row[v].n);
            }
            strbuf_addch(&out, '\n');
            if (out.len >= 1 << 16) {
                fwrite(out.buf, 1, out.len, stdout);
                strbuf_reset(&out);
            }
        }
        break;
    case OUT_STAT:
        for (size_t v = 1; v < n; v++) {
            strbuf_addf(&out, "%s%c (%s) against A:\n", v > 1 ? "\n" : "", (int)('A' + v),
                        paths[v]);
            print_stat(collate_alignment(c, v), &out);
        }
        break;
    case OUT_JSON:
        alignout_collation_json(c, (const Text *const *)t, names, &out);
        break;
    case OUT_HTML:
        alignout_collation_html(c, (const Text *const *)t, names, &out);
        break;
    case OUT_TEXT:
        print_versions(c, t, names, width, &out);
        break;
    }
    status = write_output(html, &out);
    strbuf_release(&out);
    collate_free(c);
    for (size_t v = 0; v < n; v++)
        text_free(t[v]);
    if (status || cli_output_failed()) return EXIT_USAGE;
    return differ ? 1 : 0;
}

/* Loads a story to compare: a regular file (or "-" for stdin), else one error line. */
static Text *load_story(const char *path, Diag *d)
{
    Text *t = NULL;
    struct stat st;
    if (strcmp(path, "-") == 0) {
        if (text_load_fd(STDIN_FILENO, "-", 0, &t, d) == 0) return t;
    } else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        diag_set(d, DIAG_INVALID, "%s: is a folder; compare takes story files", path);
    } else if (text_open(path, 0, &t, d) == 0) {
        /* mapped, not copied: no size limit, and aligning gives the pages back behind itself */
        text_load_all(t);
        return t;
    }
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
    if (argc - optind < 2) {
        cli_error("compare needs two stories, A and B, or more (see: lector compare --help)");
        return EXIT_USAGE;
    }
    if (argc - optind > COLLATE_MAX) {
        cli_error("compare takes at most %d versions (%d given)", COLLATE_MAX, argc - optind);
        return EXIT_USAGE;
    }
    if (pairs + stat_only + json + (html != NULL) > 1) {
        cli_error("choose one of --pairs, --stat, --json and --html");
        return EXIT_USAGE;
    }
    if (argc - optind > 2) {
        Output o = pairs       ? OUT_PAIRS
                   : stat_only ? OUT_STAT
                   : json      ? OUT_JSON
                   : html      ? OUT_HTML
                               : OUT_TEXT;
        return compare_versions(argv + optind, (size_t)(argc - optind), o, html, width, translation,
                                cfg);
    }
    char *paths[2] = {argv[optind], argv[optind + 1]};
    if (!strcmp(paths[0], "-") && !strcmp(paths[1], "-")) {
        cli_error("only one of the two stories can be standard input");
        return EXIT_USAGE;
    }
    if (html_over_a_story(html, paths, 2)) return EXIT_USAGE;
    if (!pairs && !stat_only && !json && !html && isatty(STDOUT_FILENO) && tui_can_draw() &&
        strcmp(paths[0], "-") && strcmp(paths[1], "-")) {
        if (!paths_are_files(paths, 2)) return EXIT_USAGE;
        return tui_run_compare(paths, 2, 0, app_flags_of(translation), cfg);
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
    status = write_output(html, &out);
    strbuf_release(&out);
    AlignCounts c = align_counts(al);
    int differ = c.changed || c.only_a || c.only_b || c.moved;
    align_free(al);
    text_free(ta);
    text_free(tb);
    if (status || cli_output_failed()) return EXIT_USAGE; /* 1 says "they differ" */
    return differ ? 1 : 0;
}
