/* alignout.c: JSON and HTML for a comparison.
 *
 * JSON (lector compare --json), one object, UTF-8:
 *   {"format": "lector-compare", "version": 1, "translation": true | false (align.h),
 *    "versions": [{"name": file name as given, "title": ..., "language": ISO 639-1 or "",
 *                  "offsets": "file" | "text", "paragraphs": count}, ...two],
 *    "shares": {"kept", "changed", "removed", "added", "moved": 0..1, adding up to 1},
 *    "counts": {"same", "changed", "removed", "added", "moved": rows of each kind},
 *    "rows": [{"kind": "same" | "changed" | "removed" | "added" | "moved",
 *              "score": 0..1 (the pair's words in common; 0 for a one-sided row),
 *              "paragraphs": [[A's, 1-based], [B's]] (an empty list for the side it lacks),
 *              "spans": [[start, end] | null, ...]: the row's bytes on each side,
 *              "differences": [[[start, end], ...], [...]]: the words only on that side (in
 *                             a translation: the names and numbers both sides hold),
 *              "moved_words": [[[start, end], ...], [...]]: a sentence moved inside the
 *                             pair, on each side (present when there is one),
 *              "moved_from": for a moved row, the index of the row before which its A
 *                            paragraph stood (the number of rows when at the end)}]}
 * Byte offsets are half-open. "offsets": "file" says they are offsets in the file as it is on
 * disk (a plain story: the cleaning lector does -- CR LF, bad bytes, a legacy encoding -- is
 * undone by text_source_offset); "text" says they are offsets in the UTF-8 text lector made of
 * the file (an e-book, a compressed story). Strings are escaped as JSON requires; bytes that are
 * not UTF-8 (a file name) become U+FFFD.
 *
 * HTML (lector compare --html FILE): one page with its style inside; no script, no link, no
 * image, nothing loaded. A table of three columns (A, the gutter, B) and a row per alignment
 * row; words only in A are <del>, only in B <ins>; the gutter gives the mark (| ~ < > m) and the
 * pair's score. Under 40em the columns stack. Every byte of a story is escaped (& < > " and the
 * control characters, shown as U+FFFD).
 */
#include "lector/alignout.h"

#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "lector/xalloc.h"

static void json_string(Strbuf *out, const char *s, size_t n)
{
    strbuf_addch(out, '"');
    for (size_t i = 0; i < n;) {
        ucs4_t c;
        int k = u8_mbtoucr(&c, (const uint8_t *)s + i, n - i);
        if (k <= 0) {
            strbuf_addstr(out, "\\ufffd");
            i++;
            continue;
        }
        if (c == '"' || c == '\\')
            strbuf_addch(out, '\\'), strbuf_addch(out, (char)c);
        else if (c < 0x20 || c == 0x7F || c == 0x2028 || c == 0x2029)
            strbuf_addf(out, "\\u%04x", (unsigned)c);
        else
            strbuf_add(out, s + i, (size_t)k);
        i += (size_t)k;
    }
    strbuf_addch(out, '"');
}

static bool file_offsets(const Text *t)
{
    return !text_imported(t) && !text_compression(t);
}

static size_t out_offset(const Text *t, size_t off)
{
    return file_offsets(t) ? text_source_offset(t, off) : off;
}

/* [[A's spans], [B's spans]]: sp[0][a0, a0 + na) and sp[1][b0, b0 + nb) as offsets. */
static void json_span_pairs(Strbuf *out, const AlignVersions *v, const Span *const sp[2], size_t a0,
                            size_t na, size_t b0, size_t nb)
{
    for (int s = 0; s < 2; s++) {
        size_t first = s ? b0 : a0, n = s ? nb : na;
        strbuf_addstr(out, s ? ", [" : "[[");
        for (size_t i = 0; i < n; i++)
            strbuf_addf(out, "%s[%zu, %zu]", i ? ", " : "",
                        out_offset(v->text[s], sp[s][first + i].start),
                        out_offset(v->text[s], sp[s][first + i].end));
        strbuf_addch(out, ']');
    }
    strbuf_addch(out, ']');
}

/* "versions": each one's name, title, language (as the alignment decided it), offsets and
 * paragraphs. */
static void versions_json(const Text *const *t, const char *const *names, size_t n,
                          const size_t *paras, const char *const *langs, Strbuf *out)
{
    strbuf_addstr(out, " \"versions\": [");
    for (size_t v = 0; v < n; v++) {
        strbuf_addstr(out, v ? ",\n  {\"name\": " : "\n  {\"name\": ");
        json_string(out, names[v], strlen(names[v]));
        strbuf_addstr(out, ", \"title\": ");
        json_string(out, text_title(t[v]), strlen(text_title(t[v])));
        strbuf_addstr(out, ", \"language\": ");
        json_string(out, langs[v], strlen(langs[v]));
        strbuf_addf(out, ", \"offsets\": \"%s\", \"paragraphs\": %zu}",
                    file_offsets(t[v]) ? "file" : "text", paras[v]);
    }
    strbuf_addstr(out, "],\n");
}

void alignout_json(const Alignment *al, const AlignVersions *v, Strbuf *out)
{
    strbuf_addf(out, "{\"format\": \"lector-compare\", \"version\": 1, \"translation\": %s,\n",
                align_is_translation(al) ? "true" : "false");
    size_t paras[2] = {align_paragraph_count(al, 0), align_paragraph_count(al, 1)};
    const char *langs[2] = {align_language(al, 0), align_language(al, 1)};
    versions_json(v->text, v->name, 2, paras, langs, out);
    AlignShares sh = align_shares(al);
    AlignCounts c = align_counts(al);
    strbuf_addf(out,
                " \"shares\": {\"kept\": %.4f, \"changed\": %.4f, \"removed\": %.4f, "
                "\"added\": %.4f, \"moved\": %.4f},\n",
                sh.kept, sh.changed, sh.removed, sh.added, sh.moved);
    strbuf_addf(out,
                " \"counts\": {\"same\": %zu, \"changed\": %zu, \"removed\": %zu, \"added\": %zu, "
                "\"moved\": %zu},\n \"rows\": [",
                c.same, c.changed, c.only_a, c.only_b, c.moved);
    const AlignRow *rows = align_rows(al);
    for (size_t k = 0; k < align_row_count(al); k++) {
        const AlignRow *r = &rows[k];
        strbuf_addf(out, "%s\n  {\"kind\": \"%s\", \"score\": %.4f, \"paragraphs\": [",
                    k ? "," : "", align_kind_name(r->kind), r->score);
        for (int s = 0; s < 2; s++) {
            size_t first = s ? r->b : r->a, n = s ? r->nb : r->na;
            strbuf_addstr(out, s ? ", [" : "[");
            for (size_t i = 0; i < n; i++)
                strbuf_addf(out, "%s%zu", i ? ", " : "", first + i + 1);
            strbuf_addch(out, ']');
        }
        strbuf_addstr(out, "], \"spans\": [");
        for (int s = 0; s < 2; s++) {
            size_t first = s ? r->b : r->a, n = s ? r->nb : r->na;
            if (s) strbuf_addstr(out, ", ");
            if (!n) {
                strbuf_addstr(out, "null");
                continue;
            }
            Span a = align_paragraph(al, s, first), b = align_paragraph(al, s, first + n - 1);
            strbuf_addf(out, "[%zu, %zu]", out_offset(v->text[s], a.start),
                        out_offset(v->text[s], b.end));
        }
        strbuf_addstr(out, "], \"differences\": ");
        const Span *d[2] = {align_diff_spans(al, 0), align_diff_spans(al, 1)};
        json_span_pairs(out, v, d, r->diff_a, r->ndiff_a, r->diff_b, r->ndiff_b);
        if (r->nmoved_a || r->nmoved_b) {
            strbuf_addstr(out, ", \"moved_words\": ");
            const Span *m[2] = {align_moved_spans(al, 0), align_moved_spans(al, 1)};
            json_span_pairs(out, v, m, r->moved_a, r->nmoved_a, r->moved_b, r->nmoved_b);
        }
        if (r->kind == ALIGN_MOVED)
            strbuf_addf(out, ", \"moved_from\": %zu", align_moved_origin(al, k));
        strbuf_addch(out, '}');
    }
    strbuf_addstr(out, "\n]}\n");
}

/* s[0, n) of a story (valid UTF-8) as HTML text. */
static void html_text(Strbuf *out, const uint8_t *s, size_t n)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\n':
        case '\t':
            break;
        default:
            if (s[i] < 0x20 || s[i] == 0x7F) rep = "\xEF\xBF\xBD";
        }
        if (!rep) continue;
        strbuf_add(out, s + at, i - at);
        strbuf_addstr(out, rep);
        at = i + 1;
    }
    strbuf_add(out, s + at, n - at);
}

/* Any bytes (a file name) as HTML text: what is not UTF-8 becomes U+FFFD. */
static void html_name(Strbuf *out, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        ucs4_t c;
        int k = u8_mbtoucr(&c, (const uint8_t *)s + i, n - i);
        if (k <= 0) {
            strbuf_addstr(out, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        html_text(out, (const uint8_t *)s + i, (size_t)k);
        i += (size_t)k;
    }
}

/* Paragraph sp of a story as a <p>, the marks d[*k ...] inside it as tag (*k moves past them). */
static void html_paragraph(Strbuf *out, const uint8_t *b, Span sp, const Span *d, size_t nd,
                           size_t *k, const char *tag, const uint8_t *moved)
{
    strbuf_addstr(out, "<p>");
    size_t at = sp.start;
    for (; *k < nd && d[*k].start < sp.end; (*k)++) {
        const char *t = moved && moved[*k] ? "em" : tag; /* a sentence moved inside the pair */
        html_text(out, b + at, d[*k].start - at);
        strbuf_addf(out, "<%s>", t);
        html_text(out, b + d[*k].start, d[*k].end - d[*k].start);
        strbuf_addf(out, "</%s>", t);
        at = d[*k].end;
    }
    html_text(out, b + at, sp.end - at);
    strbuf_addstr(out, "</p>");
}

/* One side of a row: its paragraphs, each a <p>, the words only on that side marked. */
static void html_side(Strbuf *out, const Alignment *al, const Text *t, int side, const AlignRow *r)
{
    const char *tag = align_is_translation(al) ? "mark" : side ? "ins" : "del";
    size_t nd = side ? r->ndiff_b : r->ndiff_a, nm = side ? r->nmoved_b : r->nmoved_a;
    const Span *d = nd ? align_diff_spans(al, side) + (side ? r->diff_b : r->diff_a) : NULL;
    const Span *m = nm ? align_moved_spans(al, side) + (side ? r->moved_b : r->moved_a) : NULL;
    /* both kinds of marks in one list, in order, each knowing its kind */
    Span *all = xmalloc((nd + nm + 1) * sizeof *all);
    uint8_t *moved = xmalloc(nd + nm + 1);
    size_t n = 0, i = 0, j = 0;
    while (i < nd || j < nm) {
        bool take_m = j < nm && (i == nd || m[j].start < d[i].start);
        moved[n] = take_m;
        all[n++] = take_m ? m[j++] : d[i++];
    }
    size_t k = 0, first = side ? r->b : r->a, count = side ? r->nb : r->na;
    for (size_t q = first; q < first + count; q++)
        html_paragraph(out, text_bytes(t), align_paragraph(al, side, q), all, n, &k, tag, moved);
    free(all);
    free(moved);
}

static const char HTML_STYLE[] =
    "body{font-family:Georgia,serif;margin:1.5em auto;max-width:72em;padding:0 1em;"
    "color:#222;background:#fdfdf8;line-height:1.45}"
    "h1{font-size:1.3em}table{border-collapse:collapse;width:100%;table-layout:fixed}"
    "th{text-align:left;border-bottom:2px solid #888;padding:.3em .5em}"
    "td{vertical-align:top;padding:.2em .6em;border-bottom:1px solid #e4e4dc}"
    "td.g{width:3.2em;text-align:center;font-family:monospace;color:#666}"
    "th.g{width:3.2em}td p{margin:.2em 0 .6em}"
    "mark{background:#fff0b3}em{background:#d6e4fb;font-style:normal}del{background:#fbd9d3;text-"
    "decoration:line-through}ins{background:#"
    "d4f2d0;"
    "text-decoration:none}tr.removed td.a{background:#fcefec}tr.added td.b{background:#eef9ec}"
    "tr.moved td{background:#eef1fb}td.none{background:repeating-linear-gradient(45deg,"
    "#f4f4ee,#f4f4ee 6px,#ebebe3 6px,#ebebe3 12px)}.shares span{margin-right:1.2em}"
    "@media (max-width:40em){table,tbody,tr,td,th{display:block;width:auto}thead{display:none}"
    "td.g{text-align:left;width:auto}td.none{display:none}td[data-v]::before{"
    "content:attr(data-v);display:block;font-size:.8em;color:#777}}";

void alignout_html(const Alignment *al, const AlignVersions *v, Strbuf *out)
{
    strbuf_addstr(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
    html_name(out, text_title(v->text[0]));
    strbuf_addstr(out, " | ");
    html_name(out, text_title(v->text[1]));
    strbuf_addf(out, "</title>\n<style>%s</style></head>\n<body>\n<h1>", HTML_STYLE);
    for (int s = 0; s < 2; s++) {
        if (s) strbuf_addstr(out, " and ");
        html_name(out, text_title(v->text[s]));
        strbuf_addstr(out, " <small>(");
        html_name(out, v->name[s]);
        strbuf_addstr(out, ")</small>");
    }
    AlignShares sh = align_shares(al);
    strbuf_addf(out,
                "</h1>\n<p class=\"shares\"><span>kept %.0f%%</span><span>changed %.0f%%</span>"
                "<span>removed %.0f%%</span><span>added %.0f%%</span><span>moved %.0f%%</span>"
                " of the words of both</p>\n<table>\n<thead><tr><th>",
                sh.kept * 100, sh.changed * 100, sh.removed * 100, sh.added * 100, sh.moved * 100);
    html_name(out, text_title(v->text[0]));
    strbuf_addstr(out, "</th><th class=\"g\"></th><th>");
    html_name(out, text_title(v->text[1]));
    strbuf_addstr(out, "</th></tr></thead>\n<tbody>\n");
    const AlignRow *rows = align_rows(al);
    for (size_t k = 0; k < align_row_count(al); k++) {
        const AlignRow *r = &rows[k];
        strbuf_addf(out, "<tr class=\"%s\" id=\"r%zu\">", align_kind_name(r->kind), k + 1);
        for (int s = 0; s < 2; s++) {
            size_t n = s ? r->nb : r->na;
            if (s) {
                strbuf_addf(out, "<td class=\"g\" title=\"%s\">%c", align_kind_name(r->kind),
                            align_kind_mark(r->kind));
                if (r->na && r->nb) strbuf_addf(out, "<br>%.0f%%", r->score * 100);
                strbuf_addstr(out, "</td>");
            }
            if (!n) {
                strbuf_addf(out, "<td class=\"%s none\"></td>", s ? "b" : "a");
                continue;
            }
            strbuf_addf(out, "<td class=\"%s\" data-v=\"", s ? "b" : "a"); /* stacked: named */
            html_name(out, text_title(v->text[s]));
            strbuf_addstr(out, "\">");
            if (s == 0 && r->kind == ALIGN_MOVED) {
                size_t o = align_moved_origin(al, k);
                if (o < align_row_count(al))
                    strbuf_addf(out,
                                "<p><small>moved: it stood before <a href=\"#r%zu\">row %zu</a>"
                                "</small></p>",
                                o + 1, o + 1);
                else
                    strbuf_addstr(out, "<p><small>moved: it stood at the end</small></p>");
            }
            html_side(out, al, v->text[s], s, r);
            strbuf_addstr(out, "</td>");
        }
        strbuf_addstr(out, "</tr>\n");
    }
    strbuf_addstr(out, "</tbody></table>\n</body></html>\n");
}

/* ---- three or more versions (collate.h) ----
 *
 * JSON (lector compare --json A B C...), one object:
 *   {"format": "lector-collation", "version": 1,
 *    "versions": [{"name", "title", "language", "offsets", "paragraphs"} ...N, the base first],
 *    "shares": [{"version": v (1-based, 2..N), "translation": bool, "kept", "changed",
 *                "removed", "added", "moved"}]: each version against the base,
 *    "rows": [{"in": [versions holding a paragraph in the row, 1-based],
 *              "paragraphs": [[version 1's, 1-based], ...N],
 *              "spans": [[start, end] | null, ...N],
 *              "marks": [[], [[start, end], ...], ...N]: version v's words the base lacks (in a
 *                       translation: the anchors both hold); the base's list is empty}]}
 * Offsets as for two versions.
 */

void alignout_collation_json(const Collation *c, const Text *const *t, const char *const *names,
                             Strbuf *out)
{
    size_t n = collate_version_count(c), paras[COLLATE_MAX] = {0};
    const char *langs[COLLATE_MAX] = {0};
    for (size_t v = 0; v < n; v++) {
        paras[v] = collate_paragraph_count(c, v);
        langs[v] = v ? align_language(collate_alignment(c, v), 1)
                     : align_language(collate_alignment(c, 1), 0);
    }
    strbuf_addstr(out, "{\"format\": \"lector-collation\", \"version\": 1,\n");
    versions_json(t, names, n, paras, langs, out);
    strbuf_addstr(out, " \"shares\": [");
    for (size_t v = 1; v < n; v++) {
        const Alignment *al = collate_alignment(c, v);
        AlignShares sh = align_shares(al);
        strbuf_addf(out,
                    "%s\n  {\"version\": %zu, \"translation\": %s, \"kept\": %.4f, \"changed\": "
                    "%.4f, \"removed\": %.4f, \"added\": %.4f, \"moved\": %.4f}",
                    v > 1 ? "," : "", v + 1, align_is_translation(al) ? "true" : "false", sh.kept,
                    sh.changed, sh.removed, sh.added, sh.moved);
    }
    strbuf_addstr(out, "],\n \"rows\": [");
    for (size_t r = 0; r < collate_row_count(c); r++) {
        const CollateCell *row = collate_row(c, r);
        strbuf_addstr(out, r ? ",\n  {\"in\": [" : "\n  {\"in\": [");
        for (size_t v = 0, k = 0; v < n; v++)
            if (row[v].n) strbuf_addf(out, "%s%zu", k++ ? ", " : "", v + 1);
        strbuf_addstr(out, "], \"paragraphs\": [");
        for (size_t v = 0; v < n; v++) {
            strbuf_addstr(out, v ? ", [" : "[");
            for (size_t i = 0; i < row[v].n; i++)
                strbuf_addf(out, "%s%zu", i ? ", " : "", row[v].first + i + 1);
            strbuf_addch(out, ']');
        }
        strbuf_addstr(out, "], \"spans\": [");
        for (size_t v = 0; v < n; v++) {
            if (v) strbuf_addstr(out, ", ");
            if (!row[v].n) {
                strbuf_addstr(out, "null");
                continue;
            }
            Span a = collate_paragraph(c, v, row[v].first);
            Span b = collate_paragraph(c, v, row[v].first + row[v].n - 1);
            strbuf_addf(out, "[%zu, %zu]", out_offset(t[v], a.start), out_offset(t[v], b.end));
        }
        strbuf_addstr(out, "], \"marks\": [");
        for (size_t v = 0; v < n; v++) {
            const Span *m;
            size_t nm;
            collate_marks(c, r, v, &m, &nm);
            strbuf_addstr(out, v ? ", [" : "[");
            for (size_t k = 0; k < nm; k++)
                strbuf_addf(out, "%s[%zu, %zu]", k ? ", " : "", out_offset(t[v], m[k].start),
                            out_offset(t[v], m[k].end));
            strbuf_addch(out, ']');
        }
        strbuf_addstr(out, "]}");
    }
    strbuf_addstr(out, "\n]}\n");
}

/* Version v's paragraphs in a cell, each a <p>, the marks m[0, nm) as tag. */
static void html_cell(Strbuf *out, const Collation *c, const Text *t, size_t v,
                      const CollateCell *cell, const Span *m, size_t nm, const char *tag)
{
    size_t k = 0;
    for (size_t i = cell->first; i < cell->first + cell->n; i++)
        html_paragraph(out, text_bytes(t), collate_paragraph(c, v, i), m, nm, &k, tag, NULL);
}

void alignout_collation_html(const Collation *c, const Text *const *t, const char *const *names,
                             Strbuf *out)
{
    size_t n = collate_version_count(c);
    strbuf_addstr(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
    html_name(out, text_title(t[0]));
    strbuf_addf(out, " and %zu other versions</title>\n<style>%s</style></head>\n<body>\n<h1>",
                n - 1, HTML_STYLE);
    html_name(out, text_title(t[0]));
    strbuf_addf(out, ": %zu versions</h1>\n<ol class=\"versions\">", n);
    for (size_t v = 0; v < n; v++) {
        strbuf_addstr(out, "<li>");
        html_name(out, text_title(t[v]));
        strbuf_addstr(out, " <small>(");
        html_name(out, names[v]);
        strbuf_addstr(out, ")</small>");
        if (v) {
            const Alignment *al = collate_alignment(c, v);
            AlignShares sh = align_shares(al);
            if (align_is_translation(al))
                strbuf_addstr(out, ": a translation of 1");
            else
                strbuf_addf(out, ": %.0f%% of the words kept from 1, %.0f%% moved", sh.kept * 100,
                            sh.moved * 100);
        } else
            strbuf_addstr(out, ": the base");
        strbuf_addstr(out, "</li>");
    }
    strbuf_addstr(out, "</ol>\n<table>\n<thead><tr><th class=\"g\">in</th>");
    for (size_t v = 0; v < n; v++) {
        strbuf_addf(out, "<th>%zu. ", v + 1);
        html_name(out, text_title(t[v]));
        strbuf_addstr(out, "</th>");
    }
    strbuf_addstr(out, "</tr></thead>\n<tbody>\n");
    for (size_t r = 0; r < collate_row_count(c); r++) {
        const CollateCell *row = collate_row(c, r);
        strbuf_addf(out, "<tr id=\"r%zu\"><td class=\"g\">", r + 1);
        for (size_t v = 0; v < n; v++)
            strbuf_addstr(out, row[v].n ? "\xe2\x97\x8f" : "\xc2\xb7"); /* ● · */
        strbuf_addstr(out, "</td>");
        for (size_t v = 0; v < n; v++) {
            if (!row[v].n) {
                strbuf_addstr(out, "<td class=\"none\"></td>");
                continue;
            }
            strbuf_addstr(out, "<td data-v=\"");
            html_name(out, text_title(t[v]));
            strbuf_addstr(out, "\">");
            const Span *m;
            size_t nm;
            collate_marks(c, r, v, &m, &nm);
            bool tr = v && align_is_translation(collate_alignment(c, v));
            html_cell(out, c, t[v], v, &row[v], m, nm, tr ? "mark" : "ins");
            strbuf_addstr(out, "</td>");
        }
        strbuf_addstr(out, "</tr>\n");
    }
    strbuf_addstr(out, "</tbody></table>\n</body></html>\n");
}
