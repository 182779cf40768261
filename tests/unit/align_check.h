/* align_check.h: what align.h promises of any alignment, checked. Shared by the unit tests
 * (tests/unit/test_align.c) and the fuzz target (tests/fuzz/fuzz_align.c), so that hand-made
 * cases and fuzzed ones are held to the same rules.
 *
 * The includer defines ALIGN_CHECK(cond, fmt, ...) first: Criterion's cr_assert in a unit test,
 * an abort in a fuzz target. align_check_invariants checks the rows (every paragraph of A and B
 * in exactly one row, B's order, A's order outside moved rows, where added paragraphs stand),
 * the counts, the diff spans (a partition, ascending, each inside one paragraph of its row and
 * from a token's start to a token's end) and the scores, recomputed from the tokens (token.h).
 */
#ifndef LECTOR_TEST_ALIGN_CHECK_H
#define LECTOR_TEST_ALIGN_CHECK_H

#ifndef ALIGN_CHECK
#error "define ALIGN_CHECK(cond, fmt, ...) before including align_check.h"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lector/align.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/token.h"

/* ---- tokens of a paragraph, as align sees them ---- */

typedef struct {
    Span *v;
    size_t n, cap, base;
} Toks;

static void toks_add(void *ctx, size_t start, size_t end)
{
    Toks *t = ctx;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = realloc(t->v, t->cap * sizeof *t->v);
    }
    t->v[t->n++] = (Span){t->base + start, t->base + end};
}

/* Whether bytes[a, b) is one apostrophe (token_apostrophe_len). */
static bool apostrophe_between(const uint8_t *bytes, size_t a, size_t b)
{
    return b > a && token_apostrophe_len(bytes + a, bytes + b) == b - a;
}

/* The tokens of each paragraph of one side, by byte offset in that side's text. */
static Toks *paragraph_tokens(const Alignment *al, int side, const Text *t)
{
    size_t n = align_paragraph_count(al, side);
    Toks *all = calloc(n + 1, sizeof *all);
    Strbuf scratch = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        Span sp = align_paragraph(al, side, i);
        all[i].base = sp.start;
        token_each(text_bytes(t) + sp.start, sp.end - sp.start, &scratch, toks_add, &all[i]);
    }
    strbuf_release(&scratch);
    return all;
}

static void toks_free(Toks *all, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(all[i].v);
    free(all);
}

/* ---- a row dump, for failure messages ---- */

static const char *dump_rows(const Alignment *al)
{
    static char out[8192];
    Strbuf sb = STRBUF_INIT;
    const AlignRow *r = align_rows(al);
    for (size_t i = 0; i < align_row_count(al) && sb.len < sizeof out - 200; i++)
        strbuf_addf(&sb, "\n  %zu: %-7s a %zu+%zu  b %zu+%zu  score %.3f  diffs %zu/%zu", i,
                    align_kind_name(r[i].kind), r[i].a, r[i].na, r[i].b, r[i].nb, r[i].score,
                    r[i].ndiff_a, r[i].ndiff_b);
    snprintf(out, sizeof out, "%s", sb.len ? sb.buf : "\n  (no rows)");
    strbuf_release(&sb);
    return out;
}

/* ---- what align.h promises of any alignment ---- */

static int align_check_cmp_span(const void *x, const void *y)
{
    const Span *a = x, *b = y;
    return (a->start > b->start) - (a->start < b->start);
}

static void align_check_invariants(const Alignment *al, const Text *A, const Text *B)
{
    const Text *tx[2] = {A, B};
    size_t np[2];
    for (int side = 0; side < 2; side++) {
        const Text *t = tx[side];
        np[side] = align_paragraph_count(al, side);
        size_t joined = 0;
        for (size_t i = 0; i < text_paragraph_count(t); i++)
            joined += text_paragraph_joined(t, i);
        /* pieces of a long paragraph count as one; otherwise text's paragraphs, as they are */
        ALIGN_CHECK(np[side] == text_paragraph_count(t) - joined, "side %d: paragraph count", side);
        size_t prev_end = 0;
        for (size_t i = 0; i < np[side]; i++) {
            Span sp = align_paragraph(al, side, i);
            ALIGN_CHECK(sp.start < sp.end && sp.end <= text_len(t), "side %d paragraph %zu", side,
                        i);
            ALIGN_CHECK(i == 0 || sp.start > prev_end, "side %d paragraph %zu overlaps", side, i);
            prev_end = sp.end;
            if (!joined) {
                Span tp = text_paragraph(t, i);
                ALIGN_CHECK(tp.start == sp.start && tp.end == sp.end, "side %d paragraph %zu", side,
                            i);
            }
        }
    }

    size_t nrows = align_row_count(al);
    const AlignRow *rows = align_rows(al);
    ALIGN_CHECK(nrows == 0 || rows, "rows");
    unsigned char *seen[2] = {calloc(np[0] + 1, 1), calloc(np[1] + 1, 1)};
    AlignCounts want = {0};
    size_t next_b = 0, next_a = 0, ndiff[2] = {0, 0};
    for (size_t k = 0; k < nrows; k++) {
        const AlignRow *r = &rows[k];
        switch (r->kind) {
        case ALIGN_SAME:
            want.same++;
            ALIGN_CHECK(r->na >= 1 && r->nb >= 1, "row %zu: same, one-sided%s", k, dump_rows(al));
            ALIGN_CHECK(r->ndiff_a == 0 && r->ndiff_b == 0, "row %zu: same, with diffs%s", k,
                        dump_rows(al));
            ALIGN_CHECK(fabs(r->score - 1) < 1e-9, "row %zu: same, score %g", k, r->score);
            break;
        case ALIGN_CHANGED:
        case ALIGN_MOVED:
            if (r->kind == ALIGN_CHANGED)
                want.changed++;
            else
                want.moved++;
            ALIGN_CHECK(r->na >= 1 && r->nb >= 1, "row %zu: a pair, one-sided%s", k, dump_rows(al));
            break;
        case ALIGN_ONLY_A:
            want.only_a++;
            ALIGN_CHECK(r->na >= 1 && r->nb == 0, "row %zu: only A%s", k, dump_rows(al));
            ALIGN_CHECK(r->ndiff_b == 0, "row %zu: only A, with diffs in B", k);
            ALIGN_CHECK(r->score == 0, "row %zu: one-sided, score %g", k, r->score);
            break;
        case ALIGN_ONLY_B:
            want.only_b++;
            ALIGN_CHECK(r->na == 0 && r->nb >= 1, "row %zu: only B%s", k, dump_rows(al));
            ALIGN_CHECK(r->ndiff_a == 0, "row %zu: only B, with diffs in A", k);
            ALIGN_CHECK(r->score == 0, "row %zu: one-sided, score %g", k, r->score);
            break;
        default:
            ALIGN_CHECK(0, "row %zu: kind %d", k, (int)r->kind);
        }
        ALIGN_CHECK(r->score >= 0 && r->score <= 1, "row %zu: score %g", k, r->score);
        ALIGN_CHECK(r->a + r->na <= np[0] && r->b + r->nb <= np[1], "row %zu out of range%s", k,
                    dump_rows(al));
        for (size_t x = 0; x < r->na; x++) {
            ALIGN_CHECK(seen[0][r->a + x] == 0, "A paragraph %zu in two rows%s", r->a + x,
                        dump_rows(al));
            seen[0][r->a + x] = 1;
        }
        for (size_t y = 0; y < r->nb; y++) {
            ALIGN_CHECK(seen[1][r->b + y] == 0, "B paragraph %zu in two rows%s", r->b + y,
                        dump_rows(al));
            seen[1][r->b + y] = 1;
        }
        /* reading order: B's order, every B paragraph in turn */
        if (r->nb) {
            ALIGN_CHECK(r->b == next_b, "row %zu: not in B's order%s", k, dump_rows(al));
            next_b = r->b + r->nb;
        }
        /* A's paragraphs that are not moved keep A's order too (the chain increases in both) */
        if (r->kind != ALIGN_MOVED && r->na) {
            ALIGN_CHECK(r->a >= next_a, "row %zu: not in A's order%s", k, dump_rows(al));
            next_a = r->a + r->na;
        }
        /* an added paragraph's a is where it would go in A: between its neighbours in order */
        if (r->kind == ALIGN_ONLY_B) {
            size_t hi = np[0];
            for (size_t k2 = k + 1; k2 < nrows; k2++)
                if (rows[k2].kind != ALIGN_MOVED && rows[k2].na) {
                    hi = rows[k2].a;
                    break;
                }
            ALIGN_CHECK(r->a >= next_a && r->a <= hi,
                        "row %zu: added at a=%zu, not in [%zu, %zu]%s", k, r->a, next_a, hi,
                        dump_rows(al));
        }
        /* removals come before additions in the same gap */
        if (k > 0 && r->kind == ALIGN_ONLY_A)
            ALIGN_CHECK(rows[k - 1].kind != ALIGN_ONLY_B, "row %zu: removed after added%s", k,
                        dump_rows(al));
        ndiff[0] += r->ndiff_a;
        ndiff[1] += r->ndiff_b;
        /* a moved row's origin: the first row not moved holding a later A paragraph */
        if (r->kind == ALIGN_MOVED) {
            size_t origin = nrows;
            for (size_t k2 = 0; k2 < nrows && origin == nrows; k2++)
                if (rows[k2].kind != ALIGN_MOVED && rows[k2].na && rows[k2].a > r->a) origin = k2;
            ALIGN_CHECK(align_moved_origin(al, k) == origin, "row %zu: moved from before row %zu%s",
                        k, origin, dump_rows(al));
        }
    }
    /* the moved rows grouped by origin: each once, under its origin, ascending */
    {
        size_t *first, *moved, count = 0;
        align_moved_by_origin(al, &first, &moved);
        ALIGN_CHECK(first[0] == 0, "moved rows grouped: starts at %zu", first[0]);
        for (size_t k = 0; k <= nrows; k++)
            for (size_t q = first[k]; q < first[k + 1]; q++) {
                size_t g = moved[q];
                ALIGN_CHECK(g < nrows && rows[g].kind == ALIGN_MOVED &&
                                align_moved_origin(al, g) == k &&
                                (q == first[k] || moved[q - 1] < g),
                            "moved rows grouped: %zu under row %zu%s", g, k, dump_rows(al));
                count++;
            }
        size_t want_moved = 0;
        for (size_t k = 0; k < nrows; k++)
            want_moved += rows[k].kind == ALIGN_MOVED;
        ALIGN_CHECK(count == want_moved, "moved rows grouped: %zu of %zu", count, want_moved);
        free(first);
        free(moved);
    }
    for (int side = 0; side < 2; side++)
        for (size_t i = 0; i < np[side]; i++)
            ALIGN_CHECK(seen[side][i] == 1, "side %d paragraph %zu in no row%s", side, i,
                        dump_rows(al));
    free(seen[0]);
    free(seen[1]);

    AlignCounts got = align_counts(al);
    ALIGN_CHECK(got.same == want.same && got.changed == want.changed && got.only_a == want.only_a &&
                    got.only_b == want.only_b && got.moved == want.moved,
                "align_counts %zu/%zu/%zu/%zu/%zu, rows say %zu/%zu/%zu/%zu/%zu", got.same,
                got.changed, got.only_a, got.only_b, got.moved, want.same, want.changed,
                want.only_a, want.only_b, want.moved);

    /* diff spans: each row's slice, together a partition of the array, ascending in the text,
     * inside the row's paragraphs, from a token's start to a token's end (or the apostrophe
     * joining it to the next or the token before) */
    Toks *tok[2] = {paragraph_tokens(al, 0, A), paragraph_tokens(al, 1, B)};
    size_t total_tokens[2] = {0, 0};
    for (int side = 0; side < 2; side++)
        for (size_t i = 0; i < np[side]; i++)
            total_tokens[side] += tok[side][i].n;
    for (int side = 0; side < 2; side++) {
        const Span *sp = align_diff_spans(al, side);
        ALIGN_CHECK(ndiff[side] == 0 || sp, "side %d: no diff spans", side);
        /* in row order: ascending, but for a moved row's spans on A (they stand at B's place);
         * and, sorted, apart */
        Span *sorted = malloc((ndiff[side] + 1) * sizeof *sorted);
        for (size_t i = 0; i < ndiff[side]; i++) {
            ALIGN_CHECK(sp[i].start < sp[i].end && sp[i].end <= text_len(tx[side]),
                        "side %d diff span %zu", side, i);
            sorted[i] = sp[i];
        }
        for (size_t k = 0; k < nrows; k++) {
            size_t d = side ? rows[k].diff_b : rows[k].diff_a;
            size_t nd = side ? rows[k].ndiff_b : rows[k].ndiff_a;
            for (size_t i = d + 1; i < d + nd && d + nd <= ndiff[side]; i++)
                ALIGN_CHECK(sp[i].start > sp[i - 1].end,
                            "row %zu side %d: diff spans %zu and %zu not ascending and apart", k,
                            side, i - 1, i);
            if (nd && k > 0 && (side == 1 || rows[k].kind != ALIGN_MOVED))
                for (size_t k2 = k; k2-- > 0;) { /* the last span before, of a row not moved */
                    size_t d2 = side ? rows[k2].diff_b : rows[k2].diff_a;
                    size_t nd2 = side ? rows[k2].ndiff_b : rows[k2].ndiff_a;
                    if (!nd2 || (side == 0 && rows[k2].kind == ALIGN_MOVED)) continue;
                    ALIGN_CHECK(d2 + nd2 <= ndiff[side] && sp[d].start > sp[d2 + nd2 - 1].end,
                                "side %d: row %zu's diff spans not after row %zu's%s", side, k, k2,
                                dump_rows(al));
                    break;
                }
        }
        qsort(sorted, ndiff[side], sizeof *sorted, align_check_cmp_span);
        for (size_t i = 1; i < ndiff[side]; i++)
            ALIGN_CHECK(sorted[i].start > sorted[i - 1].end,
                        "side %d: diff spans [%zu,%zu) and [%zu,%zu) overlap or touch", side,
                        sorted[i - 1].start, sorted[i - 1].end, sorted[i].start, sorted[i].end);
        free(sorted);
        unsigned char *used = calloc(ndiff[side] + 1, 1);
        for (size_t k = 0; k < nrows; k++) {
            const AlignRow *r = &rows[k];
            size_t d = side ? r->diff_b : r->diff_a, nd = side ? r->ndiff_b : r->ndiff_a;
            size_t p = side ? r->b : r->a, npar = side ? r->nb : r->na;
            if (!nd) continue;
            ALIGN_CHECK(npar > 0 && d + nd <= ndiff[side], "row %zu side %d: diff slice", k, side);
            Span lo = align_paragraph(al, side, p), hi = align_paragraph(al, side, p + npar - 1);
            for (size_t i = d; i < d + nd; i++) {
                ALIGN_CHECK(used[i] == 0, "side %d diff span %zu in two rows", side, i);
                used[i] = 1;
                ALIGN_CHECK(sp[i].start >= lo.start && sp[i].end <= hi.end,
                            "row %zu side %d: diff span [%zu,%zu) outside its paragraphs [%zu,%zu)",
                            k, side, sp[i].start, sp[i].end, lo.start, hi.end);
                int starts = 0, ends = 0, one_paragraph = 0;
                for (size_t q = p; q < p + npar; q++) {
                    Span ps = align_paragraph(al, side, q);
                    one_paragraph |= sp[i].start >= ps.start && sp[i].end <= ps.end;
                    const Toks *tq = &tok[side][q];
                    const uint8_t *bytes = text_bytes(side ? B : A);
                    for (size_t j = 0; j < tq->n; j++) {
                        /* at a token's edge, or at the apostrophe that joins it to the token
                         * before (after) it */
                        starts += tq->v[j].start == sp[i].start ||
                                  (j + 1 < tq->n && tq->v[j].end == sp[i].start &&
                                   apostrophe_between(bytes, sp[i].start, tq->v[j + 1].start));
                        ends += tq->v[j].end == sp[i].end ||
                                (j > 0 && tq->v[j].start == sp[i].end &&
                                 apostrophe_between(bytes, tq->v[j - 1].end, sp[i].end));
                    }
                }
                ALIGN_CHECK(one_paragraph,
                            "row %zu side %d: diff span [%zu,%zu) crosses paragraphs", k, side,
                            sp[i].start, sp[i].end);
                ALIGN_CHECK(starts && ends, "row %zu side %d: diff span [%zu,%zu) cuts a word", k,
                            side, sp[i].start, sp[i].end);
            }
        }
        for (size_t i = 0; i < ndiff[side]; i++)
            ALIGN_CHECK(used[i] == 1, "side %d diff span %zu in no row", side, i);
        free(used);
    }

    /* scores: 2 * common / (tokens in A + tokens in B), common being the tokens outside the
     * diff spans -- the same count on both sides (a common subsequence) */
    size_t common_total = 0, words[5] = {0}; /* by AlignKind, as align_shares counts */
    for (size_t k = 0; k < nrows; k++) {
        const AlignRow *r = &rows[k];
        if (!r->na || !r->nb) {
            int side = r->nb != 0;
            size_t p = side ? r->b : r->a;
            words[r->kind] += tok[side][p].n;
            continue;
        }
        size_t n[2] = {0, 0}, common[2] = {0, 0}, moved[2] = {0, 0};
        for (int side = 0; side < 2; side++) {
            const Span *sp = align_diff_spans(al, side);
            size_t d = side ? r->diff_b : r->diff_a, nd = side ? r->ndiff_b : r->ndiff_a;
            size_t p = side ? r->b : r->a, npar = side ? r->nb : r->na;
            for (size_t q = p; q < p + npar; q++)
                for (size_t j = 0; j < tok[side][q].n; j++) {
                    Span t = tok[side][q].v[j];
                    int inside = 0;
                    for (size_t i = d; i < d + nd; i++) {
                        inside |= t.start >= sp[i].start && t.end <= sp[i].end;
                        ALIGN_CHECK(t.end <= sp[i].start || t.start >= sp[i].end ||
                                        (t.start >= sp[i].start && t.end <= sp[i].end),
                                    "row %zu side %d: a token straddles a diff span", k, side);
                    }
                    n[side]++;
                    common[side] += !inside;
                    /* inside a span of words moved within the pair: apart from the diff */
                    const Span *mv = align_moved_spans(al, side);
                    size_t m0 = side ? r->moved_b : r->moved_a,
                           nm = side ? r->nmoved_b : r->nmoved_a;
                    int in_moved = 0;
                    for (size_t i = m0; i < m0 + nm; i++) {
                        in_moved |= t.start >= mv[i].start && t.end <= mv[i].end;
                        ALIGN_CHECK(t.end <= mv[i].start || t.start >= mv[i].end ||
                                        (t.start >= mv[i].start && t.end <= mv[i].end),
                                    "row %zu side %d: a token straddles a moved span", k, side);
                    }
                    ALIGN_CHECK(!(inside && in_moved),
                                "row %zu side %d: a word both moved and "
                                "differing",
                                k, side);
                    moved[side] += (size_t)in_moved;
                }
        }
        if (align_is_translation(al)) { /* spans: shared anchors; words carried over, kept */
            ALIGN_CHECK(r->kind == ALIGN_CHANGED || r->kind == ALIGN_SAME, "row %zu: kind %d", k,
                        r->kind);
            words[ALIGN_SAME] += n[0] + n[1];
            continue;
        }
        ALIGN_CHECK(common[0] == common[1],
                    "row %zu (a %zu+%zu, b %zu+%zu): %zu tokens of A outside the diff, %zu of B", k,
                    r->a, r->na, r->b, r->nb, common[0], common[1]);
        if (r->kind == ALIGN_SAME)
            ALIGN_CHECK(common[0] == n[0] && n[0] == n[1], "row %zu: same but tokens differ", k);
        if (n[0] + n[1]) {
            double want_score = 2.0 * common[0] / (double)(n[0] + n[1]);
            ALIGN_CHECK(fabs(r->score - want_score) < 1e-6,
                        "row %zu: score %.6f, its diff says 2*%zu/(%zu+%zu) = %.6f", k, r->score,
                        common[0], n[0], n[1], want_score);
        }
        if (r->kind != ALIGN_MOVED) common_total += common[0] - moved[0];
        ALIGN_CHECK(moved[0] == moved[1], "row %zu: %zu words moved in A, %zu in B", k, moved[0],
                    moved[1]);
        words[r->kind == ALIGN_MOVED ? ALIGN_MOVED : ALIGN_SAME] += 2 * (common[0] - moved[0]);
        words[ALIGN_MOVED] += 2 * moved[0];
        words[ALIGN_CHANGED] += n[0] + n[1] - 2 * common[0];
    }
    double sim = align_similarity(al);
    ALIGN_CHECK(sim >= 0 && sim <= 1, "similarity %g", sim);
    if (total_tokens[0] + total_tokens[1]) {
        /* the shares: what the rows say became of each word, adding up to all of them */
        AlignShares sh = align_shares(al);
        double all = (double)(total_tokens[0] + total_tokens[1]);
        double got[5] = {sh.kept, sh.changed, sh.removed, sh.added, sh.moved};
        for (int kind = 0; kind < 5; kind++)
            ALIGN_CHECK(fabs(got[kind] - (double)words[kind] / all) < 1e-6,
                        "share of %s %.6f, the rows say %zu of %.0f", align_kind_name(kind),
                        got[kind], words[kind], all);
        ALIGN_CHECK(fabs(sh.kept + sh.changed + sh.removed + sh.added + sh.moved - 1) < 1e-6,
                    "shares do not add up to 1");
        double want_sim = align_is_translation(al)
                              ? sh.kept
                              : 2.0 * common_total / (double)(total_tokens[0] + total_tokens[1]);
        ALIGN_CHECK(fabs(sim - want_sim) < 1e-6,
                    "similarity %.6f, the rows say 2*%zu/(%zu+%zu) = %.6f", sim, common_total,
                    total_tokens[0], total_tokens[1], want_sim);
    }
    toks_free(tok[0], np[0]);
    toks_free(tok[1], np[1]);
}

#endif
