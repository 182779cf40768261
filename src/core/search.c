/* search.c: query parsing, matching over the index, BM25, snippets.
 *
 * Matching a word is a vocabulary operation: equal (hash lookup) or prefix (the range of terms
 * that start with it, in the sorted vocabulary), then the union of the matched terms'
 * positions. A phrase is its first word's positions filtered by the others at +1, +2, ...
 * (binary search) within one document. A case- or accent-sensitive query checks each candidate's
 * own bytes, folded the stricter way, against the query folded the same way.
 */
#include "lector/search.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <unistd.h>

#include "lector/hash.h"
#include "lector/strbuf.h"
#include "lector/token.h"
#include "lector/ucd.h"
#include "lector/xalloc.h"

typedef struct {
    char *folded; /* TOKEN_FOLD_ALL: the index's form */
    size_t flen;
    char *strict; /* folded with the query's strict flags; NULL when none */
    size_t slen;
    bool prefix;
    bool fuzzy; /* word~: the words within SEARCH_FUZZY_EDITS edits of it */
} QWord;

typedef struct {
    QWord *w;
    size_t n;
    int group; /* its NEAR group (Query.near), -1 for none */
} QItem;

/* NEAR(...): items [first, first + n) must stand within dist words of each other. */
typedef struct {
    size_t first, n;
    uint32_t dist;
} NearGroup;

struct Query {
    QItem *items;
    size_t n;
    int strict_flags; /* -1: no check beyond the index's folding */
    NearGroup *near;  /* owned */
    size_t nnear;
};

typedef struct {
    const char *s;
    Strbuf *spans; /* pairs of size_t */
} SplitCtx;

static void add_span(void *ctx, size_t start, size_t end)
{
    SplitCtx *c = ctx;
    size_t pair[2] = {start, end};
    strbuf_add(c->spans, pair, sizeof pair);
}

static bool has_upper(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k;
        uint32_t cp = ucd_decode((const uint8_t *)s + i, (const uint8_t *)s + n, &k);
        if (uc_is_upper(cp)) return true;
        i += k;
    }
    return false;
}

static char *dup_fold(TokenFolder *f, const char *s, size_t n, size_t *len)
{
    const char *r = token_fold(f, (const uint8_t *)s, n, len);
    char *d = xmalloc(*len + 1);
    memcpy(d, r, *len + 1);
    return d;
}

static void item_free(QItem *it);

void query_free(Query *q)
{
    if (!q) return;
    for (size_t i = 0; i < q->n; i++)
        item_free(&q->items[i]);
    free(q->items);
    free(q->near);
    free(q);
}

size_t query_item_count(const Query *q)
{
    return q->n;
}

static bool same_item(const QItem *a, const QItem *b)
{
    if (a->n != b->n) return false;
    for (size_t k = 0; k < a->n; k++) {
        const QWord *x = &a->w[k], *y = &b->w[k];
        if (x->prefix != y->prefix || x->fuzzy != y->fuzzy || x->flen != y->flen ||
            memcmp(x->folded, y->folded, x->flen) ||
            (x->strict && (x->slen != y->slen || memcmp(x->strict, y->strict, x->slen))))
            return false;
    }
    return true;
}

static void item_free(QItem *it)
{
    for (size_t k = 0; k < it->n; k++) {
        free(it->w[k].folded);
        free(it->w[k].strict);
    }
    free(it->w);
}

typedef struct {
    Query *q;
    TokenFolder *all, *strict;
    Strbuf spans, scratch;
    size_t cap;
    int group; /* the NEAR group of the items being read, -1 outside one */
} ParseCtx;

/* Adds the item text[a, b) (quoted: a phrase; whole: =word; fuzzy: word~) to the query; 1 when
 * added, 0 when it had no word or was there already, -1 (diag) when it was one too many. */
static int add_item(ParseCtx *pc, const char *text, size_t a, size_t b, bool quoted, bool whole,
                    Diag *diag)
{
    Query *q = pc->q;
    /* the last word is a prefix: a bare word always (its words before that are whole, as in
     * "grand-mo"), a phrase's only with a star; =word never; word~ is a fuzzy whole word */
    bool star = b > a && text[b - 1] == '*';
    if (star) b--;
    bool fuzzy = !quoted && !whole && !star && b > a && text[b - 1] == '~';
    if (fuzzy) b--;
    bool prefix = star || (!quoted && !whole && !fuzzy);
    pc->spans.len = 0;
    SplitCtx c = {text + a, &pc->spans};
    token_each((const uint8_t *)text + a, b - a, &pc->scratch, add_span, &c);
    size_t nw = pc->spans.len / (2 * sizeof(size_t));
    if (!nw) return 0;
    QItem it = {xcalloc(nw, sizeof *it.w), nw, pc->group};
    const size_t *sp = (const size_t *)(void *)pc->spans.buf;
    for (size_t k = 0; k < nw; k++) {
        const char *w = text + a + sp[2 * k];
        size_t wl = sp[2 * k + 1] - sp[2 * k];
        it.w[k].folded = dup_fold(pc->all, w, wl, &it.w[k].flen);
        if (pc->strict) it.w[k].strict = dup_fold(pc->strict, w, wl, &it.w[k].slen);
        it.w[k].prefix = prefix && k + 1 == nw;
        it.w[k].fuzzy = fuzzy && nw == 1;
    }
    /* a word given twice is one item: the same work, the same places (within a NEAR group, or
     * outside them) */
    for (size_t k = 0; k < q->n; k++)
        if (q->items[k].group == it.group && same_item(&q->items[k], &it)) {
            item_free(&it);
            return 0;
        }
    if (q->n == SEARCH_MAX_ITEMS) {
        item_free(&it);
        diag_set(diag, DIAG_USAGE, "the query has more than %d different words or phrases",
                 SEARCH_MAX_ITEMS);
        return -1;
    }
    if (q->n == pc->cap) {
        pc->cap = pc->cap ? pc->cap * 2 : 4;
        q->items = xreallocarray(q->items, pc->cap, sizeof *q->items);
    }
    q->items[q->n++] = it;
    return 1;
}

/* Reads the items of text[from, to) into the query; -1 (diag) on too many. */
static int add_items(ParseCtx *pc, const char *text, size_t from, size_t to, Diag *diag)
{
    for (size_t i = from; i < to;) {
        while (i < to && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
            i++;
        if (i >= to) break;
        /* NEAR(a b "c d", N): its items within N words of each other (FTS5's syntax) */
        if (pc->group < 0 && to - i > 5 && !memcmp(text + i, "NEAR(", 5)) {
            const char *close = memchr(text + i + 5, ')', to - i - 5);
            if (close) {
                size_t a = i + 5, b = (size_t)(close - text), end = b;
                uint32_t dist = SEARCH_NEAR_DEFAULT;
                const char *comma = NULL;
                for (size_t k = a; k < b; k++)
                    if (text[k] == ',') comma = text + k;
                if (comma) {
                    char *num_end;
                    unsigned long v = strtoul(comma + 1, &num_end, 10);
                    while (*num_end == ' ')
                        num_end++;
                    if (num_end == close && v <= SEARCH_NEAR_MAX) {
                        dist = (uint32_t)v;
                        end = (size_t)(comma - text);
                    }
                }
                Query *q = pc->q;
                pc->group = (int)q->nnear;
                size_t first = q->n;
                int rc = add_items(pc, text, a, end, diag);
                pc->group = -1;
                if (rc < 0) return -1;
                if (q->n - first >= 2) {
                    q->near = xreallocarray(q->near, q->nnear + 1, sizeof *q->near);
                    q->near[q->nnear++] = (NearGroup){first, q->n - first, dist};
                } else { /* one item alone is near nothing: an item as any other */
                    for (size_t k = first; k < q->n; k++)
                        q->items[k].group = -1;
                }
                i = b + 1;
                continue;
            }
        }
        size_t a, b;
        bool quoted = text[i] == '"', whole = false;
        if (quoted) {
            a = ++i;
            while (i < to && text[i] != '"')
                i++;
            b = i;
            if (i < to) i++;
        } else {
            if (text[i] == '=') { /* =word: the whole word only */
                whole = true;
                i++;
            }
            a = i;
            while (i < to && text[i] != ' ' && text[i] != '\t' && text[i] != '\n')
                i++;
            b = i;
        }
        if (add_item(pc, text, a, b, quoted, whole, diag) < 0) return -1;
    }
    return 0;
}

int query_parse(const char *text, SearchMode mode, Query **out, Diag *diag)
{
    Query *q = xcalloc(1, sizeof *q);
    size_t tn = strlen(text);
    q->strict_flags = mode == SEARCH_EXACT                          ? 0
                      : mode == SEARCH_SMART && has_upper(text, tn) ? TOKEN_FOLD_MARKS
                                                                    : -1;
    /* NEAR is syntax, not a capital asking for case to count */
    if (mode == SEARCH_SMART && q->strict_flags >= 0 && strstr(text, "NEAR(")) {
        Strbuf rest = STRBUF_INIT;
        for (const char *p = text; *p;) {
            const char *n = strstr(p, "NEAR(");
            size_t k = n ? (size_t)(n - p) : strlen(p);
            strbuf_add(&rest, p, k);
            p += k + (n ? 5 : 0);
            if (!n) break;
        }
        if (!has_upper(rest.buf ? rest.buf : "", rest.len)) q->strict_flags = -1;
        strbuf_release(&rest);
    }
    ParseCtx pc = {.q = q, .all = token_folder_new(TOKEN_FOLD_ALL), .group = -1};
    pc.strict = q->strict_flags >= 0 ? token_folder_new(q->strict_flags) : NULL;
    strbuf_init(&pc.spans);
    strbuf_init(&pc.scratch);
    int rc = add_items(&pc, text, 0, tn, diag);
    strbuf_release(&pc.spans);
    strbuf_release(&pc.scratch);
    token_folder_free(pc.all);
    token_folder_free(pc.strict);
    if (rc < 0) {
        query_free(q);
        return -1;
    }
    if (!q->n) {
        diag_set(diag, DIAG_USAGE,
                 "the query has no words to search for (only spaces, punctuation or "
                 "symbols: re:PATTERN finds those)");
        query_free(q);
        return -1;
    }
    *out = q;
    return 0;
}

/* The first i with a[i] >= v in ascending a[0, n); n if none. */
static size_t lower_bound_u32(const uint32_t *a, size_t n, uint32_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first i >= from with a[i] >= v in ascending a[0, n) (n if none): steps of 1, 2, 4, ...
 * then a bisection, so a walk through a long list costs the log of each jump. */
static size_t gallop_u32(const uint32_t *a, size_t n, size_t from, uint32_t v)
{
    if (from >= n || a[from] >= v) return from;
    size_t lo = from, step = 1; /* a[lo] < v */
    while (lo + step < n && a[lo + step] < v) {
        lo += step;
        step *= 2;
    }
    size_t hi = lo + step < n ? lo + step : n;
    return lo + 1 + lower_bound_u32(a + lo + 1, hi - lo - 1, v);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

bool query_needs_text(const Query *q)
{
    return q->strict_flags >= 0;
}

/* Whether a[0, an) and b[0, bn) (UTF-8) are within max edits (insert, delete, substitute a code
 * point) of each other: the banded Levenshtein distance, given up past max. */
static bool within_edits(const char *a, size_t an, const char *b, size_t bn, int max)
{
    enum { LONGEST = 64 };
    uint32_t x[LONGEST], y[LONGEST];
    size_t nx = 0, ny = 0;
    uint64_t mx = 0, my = 0; /* the code points as bits (cp & 63) */
    for (size_t i = 0; i < an; nx++) {
        if (nx == LONGEST) return false;
        size_t k;
        x[nx] = ucd_decode((const uint8_t *)a + i, (const uint8_t *)a + an, &k);
        mx |= 1ull << (x[nx] & 63);
        i += k;
    }
    for (size_t i = 0; i < bn; ny++) {
        if (ny == LONGEST) return false;
        size_t k;
        y[ny] = ucd_decode((const uint8_t *)b + i, (const uint8_t *)b + bn, &k);
        my |= 1ull << (y[ny] & 63);
        i += k;
    }
    if ((nx > ny ? nx - ny : ny - nx) > (size_t)max) return false;
    /* each edit brings one code point in at most, so a holds at most max bits that b has not,
     * and b of a's (two code points sharing a bit only hide a difference): most words of a
     * vocabulary fail this, without the table below (a word spelt wrong is looked for through
     * every story's whole vocabulary: 0.8 ms a 4 MB story) */
    if (__builtin_popcountll(mx & ~my) > max || __builtin_popcountll(my & ~mx) > max) return false;
    int prev[LONGEST + 1], cur[LONGEST + 1];
    for (size_t j = 0; j <= ny; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= nx; i++) {
        cur[0] = (int)i;
        int best = cur[0];
        for (size_t j = 1; j <= ny; j++) {
            int sub = prev[j - 1] + (x[i - 1] != y[j - 1]);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            if (cur[j] < best) best = cur[j];
        }
        if (best > max) return false;
        memcpy(prev, cur, (ny + 1) * sizeof *prev);
    }
    return prev[ny] <= max;
}

static bool term_matches(const char *term, size_t tl, const QWord *w)
{
    if (w->fuzzy) return within_edits(term, tl, w->folded, w->flen, SEARCH_FUZZY_EDITS);
    if (w->flen > tl) return false;
    if (w->prefix) return !memcmp(term, w->folded, w->flen);
    return tl == w->flen && !memcmp(term, w->folded, tl);
}

typedef struct {
    uint32_t pos;
    uint32_t item; /* within the group */
    uint32_t doc;  /* the document holding pos (near_filter fills it) */
} NearEntry;

/* Merges the n ascending lists list[i][from[i], to[i]) into out (room for them all), by position
 * and then list: what sorting them would give, in linear time (n is a query's few items). at:
 * n of the caller's room. Returns how many. */
static size_t merge_positions(uint32_t *const *list, const size_t *from, const size_t *to, size_t n,
                              size_t *at, NearEntry *out)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        at[i] = from[i];
        total += to[i] - from[i];
    }
    if (n == 2) { /* NEAR(a b): without a branch on which is next (their places interleave at
                   * random, and a mispredicted branch a place was a fifth of NEAR on 1 GB) */
        /* a list with no place may be NULL (a damaged index): no arithmetic on it */
        const uint32_t *a = list[0] ? list[0] + from[0] : NULL,
                       *ae = list[0] ? list[0] + to[0] : NULL;
        const uint32_t *b = list[1] ? list[1] + from[1] : NULL,
                       *be = list[1] ? list[1] + to[1] : NULL;
        size_t k = 0;
        while (a < ae && b < be) {
            bool take_b = *b < *a; /* a tie: the first list's first, as below */
            out[k++] = (NearEntry){take_b ? *b : *a, take_b, 0};
            a += !take_b;
            b += take_b;
        }
        while (a < ae)
            out[k++] = (NearEntry){*a++, 0, 0};
        while (b < be)
            out[k++] = (NearEntry){*b++, 1, 0};
        return total;
    }
    for (size_t k = 0; k < total; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (at[i] < to[i] && (best == n || list[i][at[i]] < list[best][at[best]])) best = i;
        out[k] = (NearEntry){list[best][at[best]++], (uint32_t)best, 0};
    }
    return total;
}

/* Sorts positions that are all distinct and below ntokens: through a bitmap when they are many
 * (the union of the terms a short substring matches can be most of a story), else qsort. */
static void sort_positions(uint32_t *p, size_t n, uint32_t ntokens)
{
    if (n < 2) return; /* also p NULL: no term had a position (a damaged index) */
    if (n < 4096 || n < ntokens / 64) {
        qsort(p, n, sizeof *p, cmp_u32);
        return;
    }
    size_t words = ((size_t)ntokens + 63) / 64;
    uint64_t *bits = xcalloc(words ? words : 1, sizeof *bits);
    for (size_t i = 0; i < n; i++)
        if (p[i] < ntokens) bits[p[i] / 64] |= (uint64_t)1 << (p[i] % 64);
    size_t k = 0;
    for (size_t w = 0; w < words; w++)
        for (uint64_t b = bits[w]; b; b &= b - 1)
            p[k++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(b));
    free(bits);
}

/* Merges the ascending lists a[0, na) and b[0, nb), whose values are distinct, into out,
 * without a branch on which comes next (a prefix's terms' places interleave at random). */
static void merge_two(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t *out)
{
    const uint32_t *ae = a + na, *be = b + nb;
    while (a < ae && b < be) {
        bool take_b = *b < *a;
        *out++ = take_b ? *b : *a;
        a += !take_b;
        b += take_b;
    }
    memcpy(out, a, (size_t)(ae - a) * sizeof *a);
    out += ae - a;
    memcpy(out, b, (size_t)(be - b) * sizeof *b);
}

/* Sorts (*list)[0, run[nruns]), made of nruns ascending runs starting at run[0..nruns) (and
 * ending at the next), of distinct values: runs merged two by two, in rounds (n log nruns). A
 * loop choosing the least of every run for each place mispredicted a branch a place: three
 * terms of "aaron" were 8% of a NEAR query on 1 GB. run is the caller's, changed. */
static void merge_runs(uint32_t **list, size_t *run, size_t nruns)
{
    size_t n = run[nruns];
    if (!n) return; /* *list may be NULL: no arithmetic on it */
    uint32_t *from = *list, *to = xmalloc(n * sizeof *to);
    while (nruns > 1) {
        size_t k = 0;
        for (size_t r = 0; r < nruns; r += 2) {
            size_t lo = run[r], mid = run[r + 1], hi = r + 2 <= nruns ? run[r + 2] : mid;
            if (r + 1 < nruns)
                merge_two(from + lo, mid - lo, from + mid, hi - mid, to + lo);
            else
                memcpy(to + lo, from + lo, (mid - lo) * sizeof *to);
            run[k++] = lo;
        }
        run[k] = n;
        nruns = k;
        uint32_t *swap = from;
        from = to;
        to = swap;
    }
    if (from != *list) { /* the merged list is in the scratch: keep it, free the other */
        free(*list);
        *list = from;
    } else {
        free(to);
    }
}

enum { MERGED_TERMS = 16 }; /* a few terms' runs are merged, more sorted */

/* word_positions's walk of the terms a word may match. */
typedef struct {
    const Index *ix;
    const QWord *w;
    uint32_t **out;
    size_t n, cap, terms;
    size_t run[MERGED_TERMS + 1];
} PositionsWalk;

static bool add_term_positions(void *ctx, uint32_t id, const char *term, size_t tl, uint32_t count)
{
    (void)count;
    PositionsWalk *pw = ctx;
    if (!term_matches(term, tl, pw->w)) return true;
    if (pw->terms < MERGED_TERMS) pw->run[pw->terms] = pw->n;
    index_positions(pw->ix, id, pw->out, &pw->n, &pw->cap);
    pw->terms++;
    return true;
}

/* The positions of every term w matches, ascending. */
static size_t word_positions(const Index *ix, const QWord *w, uint32_t **out)
{
    *out = NULL;
    if (!w->prefix && !w->fuzzy) {
        size_t n = 0, cap = 0;
        int64_t id = index_lookup(ix, w->folded, w->flen);
        if (id >= 0) index_positions(ix, (uint32_t)id, out, &n, &cap);
        return n;
    }
    uint32_t first = 0, end = (uint32_t)index_term_count(ix);
    if (w->prefix) index_prefix_range(ix, w->folded, w->flen, &first, &end);
    PositionsWalk pw = {.ix = ix, .w = w, .out = out};
    index_each_term(ix, first, end, add_term_positions, &pw);
    if (pw.terms > 1 && pw.terms <= MERGED_TERMS) { /* each term's run is ascending */
        pw.run[pw.terms] = pw.n;
        merge_runs(out, pw.run, pw.terms);
    } else if (pw.terms > 1) {
        sort_positions(*out, pw.n, index_token_count(ix));
    }
    return pw.n;
}

/* word_occurrences's walk: the occurrences of the terms w matches, summed. */
typedef struct {
    const QWord *w;
    size_t n;
} OccurrencesWalk;

static bool add_term_occurrences(void *ctx, uint32_t id, const char *term, size_t tl,
                                 uint32_t count)
{
    (void)id;
    OccurrencesWalk *ow = ctx;
    if (term_matches(term, tl, ow->w)) ow->n += count;
    return true;
}

/* How many places word w has: its term's occurrences, or its terms' summed (a prefix's, a fuzzy
 * word's: the terms word_positions would read, counted and not read). */
static size_t word_occurrences(const Index *ix, const QWord *w)
{
    if (!w->prefix && !w->fuzzy) {
        int64_t id = index_lookup(ix, w->folded, w->flen);
        return id >= 0 ? index_term_occurrences(ix, (uint32_t)id) : 0;
    }
    uint32_t first = 0, end = (uint32_t)index_term_count(ix);
    if (w->prefix) index_prefix_range(ix, w->folded, w->flen, &first, &end);
    OccurrencesWalk ow = {w, 0};
    index_each_term(ix, first, end, add_term_occurrences, &ow);
    return ow.n;
}

size_t search_match_bound(const Index *ix, const Query *q)
{
    size_t bound = 0;
    for (size_t i = 0; i < q->n; i++) { /* an item matches at most where its rarest word is */
        const QItem *it = &q->items[i];
        size_t least = SIZE_MAX;
        for (size_t k = 0; k < it->n && least; k++) {
            size_t c = word_occurrences(ix, &it->w[k]);
            if (c < least) least = c;
        }
        bound += least;
    }
    return bound;
}

/* Walks the documents of ascending positions: the document holding pos, and its end. */
typedef struct {
    const Index *ix;
    size_t doc;
    uint32_t first, end;
} DocCursor;

static void doc_cursor_init(DocCursor *c, const Index *ix)
{
    c->ix = ix;
    c->doc = 0;
    index_doc_positions(ix, 0, &c->first, &c->end);
}

static size_t doc_cursor_at(DocCursor *c, uint32_t pos)
{
    if (pos < c->end && pos >= c->first) return c->doc;
    if (pos < c->first) { /* backwards: not in a walk; look it up */
        c->doc = index_doc_of(c->ix, pos);
        index_doc_positions(c->ix, c->doc, &c->first, &c->end);
        return c->doc;
    }
    /* forward: a gallop from here (matches are dense or sparse, and both are cheap) */
    c->doc = index_doc_from(c->ix, pos, c->doc);
    index_doc_positions(c->ix, c->doc, &c->first, &c->end);
    return c->doc;
}

/* A token's own bytes, folded the strict way, against the query word. */
static bool strict_ok(TokenFolder *f, const uint8_t *text, Span sp, const QWord *w)
{
    size_t len;
    const char *s = token_fold(f, text + sp.start, sp.end - sp.start, &len);
    if (w->fuzzy) return within_edits(s, len, w->strict, w->slen, SEARCH_FUZZY_EDITS);
    if (w->slen > len) return false;
    if (w->prefix) return !memcmp(s, w->strict, w->slen);
    return len == w->slen && !memcmp(s, w->strict, len);
}

static const SearchMatch NO_MATCH = {UINT32_MAX, 0, {0, 0}};

typedef struct {
    size_t places, word;
} WordLoad;

static int cmp_load_asc(const void *a, const void *b)
{
    const WordLoad *x = a, *y = b;
    if (x->places != y->places) return x->places < y->places ? -1 : 1;
    return x->word < y->word ? -1 : x->word > y->word;
}

/* The candidates m[0, n) of a phrase (the places of its first word) kept where each word walked
 * with a cursor (term[k] >= 0; the others are checked) is at its offset; returns how many. The
 * words walk rarest first, each over the candidates the ones before it kept, and a cursor jumps
 * over the places between two candidates (index.c, skips): "the son of man" reads "the" near
 * the few places where "son" and "man" already stand two apart, not its whole list. */
static size_t phrase_walks(const Index *ix, const int64_t *term, const size_t *counts,
                           IndexCursor *cur, size_t nw, uint32_t *m, size_t n)
{
    WordLoad *order = xmalloc(nw * sizeof *order);
    size_t nord = 0;
    for (size_t k = 0; k < nw; k++)
        if (term[k] >= 0) order[nord++] = (WordLoad){counts[k], k};
    qsort(order, nord, sizeof *order, cmp_load_asc);
    for (size_t j = 0; j < nord && n; j++) {
        uint32_t k = (uint32_t)order[j].word, at;
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            if (!index_cursor_seek(ix, &cur[k], m[i] + k, &at)) break; /* the list ends */
            if (at == m[i] + k) m[kept++] = m[i];
        }
        n = kept;
    }
    free(order);
    return n;
}

/* The first positions of the matches of one item, ascending. */
static size_t item_matches(const Index *ix, const uint8_t *text, size_t text_len, const Query *q,
                           const QItem *it, uint32_t **out)
{
    uint32_t **sets = xcalloc(it->n, sizeof *sets);
    size_t *counts = xcalloc(it->n, sizeof *counts), *at = xcalloc(it->n, sizeof *at);
    /* a word that is one term (not a prefix, not a part) is counted, not read, unless it is
     * the rarest: the others are walked with a cursor (a phrase's "the" in a long story would
     * be hundreds of MB as an array) */
    int64_t *term = xmalloc(it->n * sizeof *term);
    IndexCursor *cur = xcalloc(it->n, sizeof *cur);
    for (size_t k = 0; k < it->n; k++) {
        const QWord *w = &it->w[k];
        term[k] = -2; /* several terms, or none looked up */
        if (it->n > 1 && !w->prefix && !w->fuzzy) {
            term[k] = index_lookup(ix, w->folded, w->flen);
            counts[k] = term[k] >= 0 ? index_term_occurrences(ix, (uint32_t)term[k]) : 0;
        } else {
            counts[k] = word_positions(ix, w, &sets[k]);
        }
    }
    /* a phrase: walk its rarest word's positions, and find the others at their offsets in
     * their (longer) lists, galloping through an array or decoding through a cursor */
    size_t r = 0;
    for (size_t k = 1; k < it->n; k++)
        if (counts[k] < counts[r]) r = k;
    if (term[r] != -2) { /* the rarest is read whole: it becomes the matches */
        if (term[r] >= 0) counts[r] = word_positions(ix, &it->w[r], &sets[r]);
        term[r] = -2;
    }
    bool none = false;
    for (size_t k = 0; k < it->n; k++)
        if (term[k] != -2 && (term[k] < 0 || !index_cursor_init(ix, (uint32_t)term[k], &cur[k])))
            none = true;   /* a word not in the story: no phrase */
    uint32_t *m = sets[r]; /* filtered in place, into the phrase's first positions */
    size_t n = counts[r];
    if (it->n > 1 && none) {
        n = 0;
    } else if (it->n > 1) {
        /* the words read as arrays first; then the walks; then the document's end, for the
         * few candidates left */
        n = 0;
        for (size_t i = 0; i < counts[r]; i++) {
            if (m[i] < r) continue;
            uint32_t p = m[i] - (uint32_t)r;
            bool ok = true;
            for (size_t k = 0; k < it->n && ok; k++) {
                if (k == r || term[k] != -2) continue;
                at[k] = gallop_u32(sets[k], counts[k], at[k], p + (uint32_t)k);
                ok = at[k] < counts[k] && sets[k][at[k]] == p + k;
            }
            if (ok) m[n++] = p;
        }
        n = phrase_walks(ix, term, counts, cur, it->n, m, n);
        DocCursor dc;
        doc_cursor_init(&dc, ix);
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            doc_cursor_at(&dc, m[i]);
            if (m[i] + it->n - 1 < dc.end) m[kept++] = m[i];
        }
        n = kept;
    }
    for (size_t k = 0; k < it->n; k++)
        if (k != r) free(sets[k]);
    free(sets);
    free(counts);
    free(at);
    free(term);
    free(cur);
    if (q->strict_flags >= 0 && text && n) {
        /* every token of every match, ascending and once each (a phrase can overlap itself,
         * "la la la"), spanned in one pass per paragraph */
        size_t ntok = n * it->n, nu = 0;
        uint32_t *uniq = xmalloc(ntok * sizeof *uniq);
        for (size_t i = 0; i < n; i++)
            for (uint32_t k = 0; k < it->n; k++)
                uniq[nu++] = m[i] + k;
        if (it->n > 1) qsort(uniq, nu, sizeof *uniq, cmp_u32);
        size_t w = 0;
        for (size_t i = 0; i < nu; i++)
            if (!w || uniq[w - 1] != uniq[i]) uniq[w++] = uniq[i];
        nu = w;
        Span *sp = xmalloc(nu * sizeof *sp);
        index_token_spans(ix, text, 0, text_len, uniq, nu, sp);
        TokenFolder *f = token_folder_new(q->strict_flags);
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            bool ok = true;
            for (uint32_t k = 0; k < it->n && ok; k++)
                ok = strict_ok(f, text, sp[lower_bound_u32(uniq, nu, m[i] + k)], &it->w[k]);
            if (ok) m[kept++] = m[i];
        }
        token_folder_free(f);
        free(sp);
        free(uniq);
        n = kept;
    }
    *out = m;
    return n;
}

/* Per item: its matches, and per document holding one, the document, how many and the first. */
typedef struct {
    size_t doc, tf;
    uint32_t first;
} DocHit;

typedef struct {
    uint32_t **m;
    size_t *n;
    DocHit **dh;
    size_t *ndh;
    size_t *docs; /* documents with every item, ascending */
    size_t ndocs;
    /* when one NEAR holds every item (of two or more): every item's places, merged by position
     * (and item), each with its document, as near_filter keeps them; else NULL. What the match
     * list, the documents' hits and the ranking's gaps are made from, rather than each merging
     * the items' lists and looking up documents again (two thirds of a NEAR query on 1 GB) */
    NearEntry *merged;
    size_t nmerged;
} ItemMatches;

/* Drops, from each of a NEAR group's lists m[i][0, n[i]) (ascending), the places with no place
 * of another list at most reach places away: only the others can stand in a window that holds
 * every item (its places are at most the items' words and the distance, less one, apart: the
 * sweep's reach), so the sweep gives the same windows without them. Two pointers a pair of
 * lists, linear in the places, before the merge, the documents and the sweep, which then see
 * only the places near another item's: 61,200 of moses's and aaron's 287,760 on 1 GB. */
static void near_prefilter(uint32_t **m, size_t *n, size_t items, uint64_t reach)
{
    bool **near = xcalloc(items, sizeof *near);
    for (size_t i = 0; i < items; i++)
        near[i] = xcalloc(n[i] ? n[i] : 1, sizeof **near);
    for (size_t i = 0; i < items; i++)
        for (size_t j = 0; j < items; j++) {
            if (j == i) continue;
            const uint32_t *a = m[i], *b = m[j];
            size_t q = 0, nb = n[j];
            for (size_t k = 0; k < n[i]; k++) {
                uint64_t x = a[k];
                while (q < nb && (uint64_t)b[q] + reach < x)
                    q++;
                if (q < nb && b[q] <= x + reach) near[i][k] = true;
            }
        }
    for (size_t i = 0; i < items; i++) {
        size_t kept = 0;
        for (size_t k = 0; k < n[i]; k++)
            if (near[i][k]) m[i][kept++] = m[i][k];
        n[i] = kept;
        free(near[i]);
    }
    free(near);
}

/* Keeps, of each NEAR group's items' first positions m[i][0, n[i]) (ascending), those that stand
 * in a window of one document (ix NULL: all positions are in one) that holds every item of the
 * group with at most dist other words in it. A sweep over the group's positions merged: for each
 * right end, the widest window that is short enough; when it holds every item, each position
 * in it is near the others. Linear in the positions. */
static void near_filter(const Index *ix, const Query *q, uint32_t **m, size_t *n, NearEntry **all,
                        size_t *nall)
{
    for (size_t g = 0; g < q->nnear; g++) {
        const NearGroup *ng = &q->near[g];
        size_t total = 0, lens = 0;
        for (size_t i = 0; i < ng->n; i++) {
            total += n[ng->first + i];
            lens += q->items[ng->first + i].n;
        }
        if (ng->n > 1) {
            near_prefilter(m + ng->first, n + ng->first, ng->n, (uint64_t)lens + ng->dist - 1);
            total = 0;
            for (size_t i = 0; i < ng->n; i++)
                total += n[ng->first + i];
        }
        NearEntry *e = xmalloc((total ? total : 1) * sizeof *e);
        bool *keep = xcalloc(total ? total : 1, sizeof *keep);
        /* merged, not sorted: a sort took a third of a NEAR query's time on 1 GB */
        size_t *from = xcalloc(2 * ng->n, sizeof *from), *at = from + ng->n;
        size_t ne = merge_positions(m + ng->first, from, n + ng->first, ng->n, at, e);
        free(from);
        if (ix) { /* each place's document, once (the window's two ends would look twice) */
            DocCursor dc;
            doc_cursor_init(&dc, ix);
            size_t w = 0;
            for (size_t r = 0; r < ne; r++) {
                e[w].doc = (uint32_t)doc_cursor_at(&dc, e[r].pos);
                e[w].pos = e[r].pos;
                e[w].item = e[r].item;
                /* not in the document found (a place past the tokens: a damaged index): not a
                 * place, and never in a window with another such */
                w += e[w].pos >= dc.first && e[w].pos < dc.end;
            }
            ne = w;
        }
        size_t *count = xcalloc(ng->n, sizeof *count), have = 0, l = 0, marked = 0;
        for (size_t r = 0; r < ne; r++) {
            if (count[e[r].item]++ == 0) have++;
            /* the widest window ending at r: in r's document, at most dist other words */
            uint64_t end = (uint64_t)e[r].pos + q->items[ng->first + e[r].item].n;
            while (l < r && (e[l].doc != e[r].doc || end - e[l].pos > (uint64_t)lens + ng->dist)) {
                if (--count[e[l].item] == 0) have--;
                l++;
            }
            if (have < ng->n) continue;
            /* it holds every item: each of its positions is near the others */
            for (size_t k = marked > l ? marked : l; k <= r; k++)
                keep[k] = true;
            marked = r + 1;
        }
        /* each item's list: its kept positions, in order */
        size_t *w = xcalloc(ng->n, sizeof *w), kept = 0;
        for (size_t k = 0; k < ne; k++)
            if (keep[k]) {
                m[ng->first + e[k].item][w[e[k].item]++] = e[k].pos;
                e[kept++] = e[k];
            }
        for (size_t i = 0; i < ng->n; i++)
            n[ng->first + i] = w[i];
        free(w);
        free(count);
        free(keep);
        if (all && ix && q->nnear == 1 && ng->first == 0 && ng->n == q->n && ng->n > 1) {
            *all = e; /* the merged places, kept */
            *nall = kept;
        } else {
            free(e);
        }
    }
}

static void match_items(const Index *ix, const Text *t, const Query *q, ItemMatches *im)
{
    im->m = xcalloc(q->n, sizeof *im->m);
    im->n = xcalloc(q->n, sizeof *im->n);
    im->dh = xcalloc(q->n, sizeof *im->dh);
    im->ndh = xcalloc(q->n, sizeof *im->ndh);
    for (size_t i = 0; i < q->n; i++)
        im->n[i] = item_matches(ix, t ? text_bytes(t) : NULL, t ? text_len(t) : 0, q, &q->items[i],
                                &im->m[i]);
    im->merged = NULL;
    im->nmerged = 0;
    near_filter(ix, q, im->m, im->n, &im->merged, &im->nmerged);
    if (im->merged) { /* each item's documents from the merged places: no lookup */
        size_t *cap = xcalloc(q->n, sizeof *cap);
        for (size_t k = 0; k < im->nmerged; k++) {
            const NearEntry *e = &im->merged[k];
            DocHit **dh = &im->dh[e->item];
            size_t *nd = &im->ndh[e->item];
            if (*nd && (*dh)[*nd - 1].doc == e->doc) {
                (*dh)[*nd - 1].tf++;
                continue;
            }
            if (*nd == cap[e->item]) {
                cap[e->item] = cap[e->item] ? cap[e->item] * 2 : 64;
                *dh = xreallocarray(*dh, cap[e->item], sizeof **dh);
            }
            (*dh)[(*nd)++] = (DocHit){e->doc, 1, e->pos};
        }
        free(cap);
    }
    for (size_t i = 0; i < q->n && !im->merged; i++) {
        DocHit *dh = NULL;
        size_t nd = 0, cap = 0;
        DocCursor dc;
        doc_cursor_init(&dc, ix);
        const uint32_t *m = im->m[i];
        for (size_t k = 0; k < im->n[i];) {
            size_t d = doc_cursor_at(&dc, m[k]);
            if (nd == cap) {
                cap = cap ? cap * 2 : 64;
                dh = xreallocarray(dh, cap, sizeof *dh);
            }
            size_t from = k;
            while (k < im->n[i] && m[k] < dc.end) /* the rest of this document's matches */
                k++;
            if (k == from) { /* not in the document found: a position past the token count or
                              * a damaged table (index_corrupt); not reached otherwise */
                k++;
                continue;
            }
            dh[nd++] = (DocHit){d, k - from, m[from]};
        }
        im->dh[i] = dh;
        im->ndh[i] = nd;
    }
    /* documents of the first item, kept while every other item has one there (a merge) */
    im->docs = xmalloc((im->ndh[0] ? im->ndh[0] : 1) * sizeof *im->docs);
    im->ndocs = 0;
    size_t *at = xcalloc(q->n, sizeof *at);
    for (size_t k = 0; k < im->ndh[0]; k++) {
        size_t d = im->dh[0][k].doc;
        bool all = true;
        for (size_t i = 1; i < q->n && all; i++) {
            while (at[i] < im->ndh[i] && im->dh[i][at[i]].doc < d)
                at[i]++;
            all = at[i] < im->ndh[i] && im->dh[i][at[i]].doc == d;
        }
        if (all) im->docs[im->ndocs++] = d;
    }
    free(at);
}

static void item_matches_free(const Query *q, ItemMatches *im)
{
    for (size_t i = 0; i < q->n; i++) {
        free(im->m[i]);
        free(im->dh[i]);
    }
    free(im->m);
    free(im->n);
    free(im->dh);
    free(im->ndh);
    free(im->docs);
    free(im->merged);
}

/* The places the items' matches make, in the documents that have every item: ascending, one per
 * first token (where two items start at one token, "the" and "th", the longer match). */
static size_t collect_matches(const Index *ix, const Query *q, const ItemMatches *im,
                              SearchMatch **out)
{
    size_t total = 0;
    for (size_t i = 0; i < q->n; i++)
        total += im->n[i];
    SearchMatch *m = xmalloc((total ? total : 1) * sizeof *m);
    size_t n = 0;
    if (q->n == 1) {
        for (size_t k = 0; k < im->n[0]; k++)
            m[k] = (SearchMatch){im->m[0][k], (uint32_t)q->items[0].n, {0, 0}};
        n = im->n[0];
    } else if (im->merged) { /* merged already, each in a window of one document with all */
        for (size_t k = 0; k < im->nmerged; k++)
            m[k] =
                (SearchMatch){im->merged[k].pos, (uint32_t)q->items[im->merged[k].item].n, {0, 0}};
        n = im->nmerged;
    } else {
        /* each item's matches in the documents that hold every item (ascending, kept in
         * place), then merged by position: a sort of them all was a fifth of a NEAR query */
        uint32_t *pos = xmalloc((total ? total : 1) * sizeof *pos), **list;
        size_t *from = xmalloc(3 * q->n * sizeof *from), *to = from + q->n, *at = to + q->n;
        list = xmalloc(q->n * sizeof *list);
        for (size_t i = 0; i < q->n; i++) {
            DocCursor dc;
            doc_cursor_init(&dc, ix);
            size_t d_at = 0;
            from[i] = n;
            for (size_t k = 0; k < im->n[i]; k++) {
                size_t d = doc_cursor_at(&dc, im->m[i][k]);
                while (d_at < im->ndocs && im->docs[d_at] < d)
                    d_at++;
                if (d_at < im->ndocs && im->docs[d_at] == d) pos[n++] = im->m[i][k];
            }
            to[i] = n;
            list[i] = pos;
        }
        NearEntry *e = xmalloc((n ? n : 1) * sizeof *e);
        merge_positions(list, from, to, q->n, at, e);
        for (size_t k = 0; k < n; k++)
            m[k] = (SearchMatch){e[k].pos, (uint32_t)q->items[e[k].item].n, {0, 0}};
        free(e);
        free(list);
        free(from);
        free(pos);
    }
    if (q->n > 1) {
        size_t w = 0;
        for (size_t k = 0; k < n; k++) {
            if (w && m[w - 1].pos == m[k].pos) {
                if (m[k].len > m[w - 1].len) m[w - 1].len = m[k].len;
                continue;
            }
            m[w++] = m[k];
        }
        n = w;
    }
    *out = m;
    return n;
}

size_t search_matches(const Index *ix, const Text *t, const Query *q, SearchMatch **out)
{
    ItemMatches im;
    match_items(ix, t, q, &im);
    size_t n = collect_matches(ix, q, &im, out);
    item_matches_free(q, &im);
    return n;
}

void search_match_spans(const Index *ix, const uint8_t *text, size_t base, size_t len,
                        SearchMatch *m, size_t n)
{
    /* the first and last token of each match, ascending and once each for index_token_spans */
    uint32_t *pos = xmalloc((2 * n + 1) * sizeof *pos);
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        pos[np++] = m[i].pos;
        if (m[i].len > 1) pos[np++] = m[i].pos + m[i].len - 1;
    }
    bool sorted = true;
    for (size_t i = 1; i < np && sorted; i++)
        sorted = pos[i - 1] <= pos[i];
    if (!sorted) qsort(pos, np, sizeof *pos, cmp_u32);
    size_t nu = 0;
    for (size_t i = 0; i < np; i++)
        if (!nu || pos[nu - 1] != pos[i]) pos[nu++] = pos[i];
    Span *sp = xmalloc((nu + 1) * sizeof *sp);
    index_token_spans(ix, text, base, len, pos, nu, sp);
    for (size_t i = 0; i < n; i++) {
        size_t a = lower_bound_u32(pos, nu, m[i].pos);
        size_t b = lower_bound_u32(pos, nu, m[i].pos + m[i].len - 1);
        /* a damaged index may place the last token before the first (its paragraph's start,
         * index_token_spans): the match is then its first token's span */
        m[i].span = (Span){sp[a].start, sp[b].end >= sp[a].start ? sp[b].end : sp[a].end};
    }
    free(sp);
    free(pos);
}

/* Ranking: a candidate a document holding every item, made a SearchHit (with its part's story)
 * only while the best are picked: 24 bytes, where a hit is 80, and a common word has a candidate
 * in most documents (=lord in 1 GB: hundreds of thousands, each written once, in fresh memory). */
typedef struct {
    uint32_t doc;
    uint32_t dl;               /* the document's tokens */
    uint32_t first, first_len; /* its first match (UINT32_MAX when none yet) */
    uint32_t matches;          /* as search_matches counts them */
    uint32_t gap; /* the fewest other words in a window holding every item; UINT32_MAX: one item */
} Candidate;

/* BM25's score is multiplied by 1 + PROXIMITY / (1 + gap): words side by side count half again,
 * a word between them a quarter, ten between them a twentieth. */
#define PROXIMITY 0.5

static uint32_t window_gap(const Query *q, const NearEntry *e, size_t ne, size_t lens,
                           size_t *count);

/* The fewest words, other than the items', in a window of document [first, end) that holds a
 * match of every item: a sweep over their matches there, merged. mi[i]: where item i's matches
 * in m[i] reach (moved past the document); buf: the caller's room, reused; scratch: 3 * q->n of
 * the caller's room. */
static uint32_t doc_gap(const Query *q, const ItemMatches *im, size_t *mi, uint32_t first,
                        uint32_t end, NearEntry **buf, size_t *cap, size_t *scratch)
{
    size_t lens = 0, total = 0, *count = scratch, *from = scratch + q->n, *at = from + q->n;
    for (size_t i = 0; i < q->n; i++) {
        lens += q->items[i].n;
        while (mi[i] < im->n[i] && im->m[i][mi[i]] < first)
            mi[i]++;
        from[i] = mi[i];
        while (mi[i] < im->n[i] && im->m[i][mi[i]] < end)
            mi[i]++;
        total += mi[i] - from[i];
    }
    if (total > *cap) {
        *cap = total * 2;
        *buf = xreallocarray(*buf, *cap, sizeof **buf);
    }
    NearEntry *e = *buf;
    size_t ne = merge_positions(im->m, from, mi, q->n, at, e);
    return window_gap(q, e, ne, lens, count);
}

/* doc_gap's sweep over a document's places e[0, ne), merged; count: q->n of the caller's room. */
static uint32_t window_gap(const Query *q, const NearEntry *e, size_t ne, size_t lens,
                           size_t *count)
{
    memset(count, 0, q->n * sizeof *count);
    size_t have = 0, l = 0;
    uint64_t best = UINT32_MAX;
    for (size_t r = 0; r < ne; r++) {
        if (count[e[r].item]++ == 0) have++;
        while (have == q->n && count[e[l].item] > 1) /* the shortest window ending at r */
            count[e[l++].item]--;
        if (have < q->n) continue;
        uint64_t span = (uint64_t)e[r].pos + q->items[e[r].item].n - e[l].pos;
        uint64_t gap = span > lens ? span - lens : 0;
        if (gap < best) best = gap;
    }
    return (uint32_t)best;
}

/* One story's candidates, as search_part_new leaves them. */
struct SearchPart {
    size_t story;
    Candidate *c; /* n of them: one a document holding every item */
    size_t n;
    uint32_t *tfs; /* q->n term frequencies a candidate: c[j]'s at tfs[j * q->n] */
    size_t ntfs;
    size_t *df;    /* per item: the story's documents holding it */
    size_t nitems; /* q->n */
    uint64_t docs, tokens;
    size_t places; /* its matches, as search_matches counts them */
};

struct SearchSet {
    const Query *q;
    SearchPart **parts; /* owned: those with candidates, in the order added */
    size_t nparts, parts_cap;
    size_t n;   /* candidates in all the parts */
    size_t *df; /* per item: documents holding it, over all stories */
    uint64_t docs, tokens;
    SearchHit *hits;
};

SearchSet *search_set_new(const Query *q)
{
    SearchSet *s = xcalloc(1, sizeof *s);
    s->q = q;
    s->df = xcalloc(q->n, sizeof *s->df);
    return s;
}

void search_part_free(SearchPart *p)
{
    if (!p) return;
    free(p->c);
    free(p->tfs);
    free(p->df);
    free(p);
}

void search_set_free(SearchSet *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nparts; i++)
        search_part_free(s->parts[i]);
    free(s->parts);
    free(s->df);
    free(s->hits);
    free(s);
}

SearchPart *search_part_new(const Query *q, size_t story, const Index *ix, const Text *t)
{
    SearchPart *s = xcalloc(1, sizeof *s);
    s->story = story;
    ItemMatches im;
    match_items(ix, t, q, &im);
    /* one item: its places are the matches, a document's count its term frequency (the match
     * list, 16 bytes a place, was 3 MB for =lord over a shelf, made to be counted) */
    SearchMatch *pl = NULL;
    size_t npl = q->n == 1 ? im.n[0] : collect_matches(ix, q, &im, &pl), at_pl = 0;
    s->places = npl;
    s->docs = index_doc_count(ix);
    s->tokens = index_token_count(ix);
    s->nitems = q->n;
    s->df = xcalloc(q->n ? q->n : 1, sizeof *s->df);
    for (size_t i = 0; i < q->n; i++)
        s->df[i] = im.ndh[i];
    size_t *at = xcalloc(q->n, sizeof *at), *mi = xcalloc(q->n, sizeof *mi), cap = 0;
    size_t *count = xcalloc(3 * q->n, sizeof *count); /* doc_gap's room */
    NearEntry *buf = NULL;
    size_t lens = 0, mk = 0; /* the items' words; im.merged's first place not yet passed */
    for (size_t i = 0; i < q->n; i++)
        lens += q->items[i].n;
    s->c = xmalloc((im.ndocs ? im.ndocs : 1) * sizeof *s->c); /* a candidate a document */
    s->tfs = xmalloc((im.ndocs * q->n + 1) * sizeof *s->tfs);
    for (size_t j = 0; j < im.ndocs; j++) {
        size_t d = im.docs[j];
        uint32_t first, end;
        index_doc_positions(ix, d, &first, &end);
        uint32_t gap = UINT32_MAX;
        if (im.merged) { /* the document's places, merged already */
            while (mk < im.nmerged && im.merged[mk].pos < first)
                mk++;
            size_t from = mk;
            while (mk < im.nmerged && im.merged[mk].pos < end)
                mk++;
            gap = window_gap(q, im.merged + from, mk - from, lens, count);
        } else if (q->n > 1) {
            gap = doc_gap(q, &im, mi, first, end, &buf, &cap, count);
        }
        Candidate *c = &s->c[s->n++];
        *c = (Candidate){(uint32_t)d, end - first, NO_MATCH.pos, NO_MATCH.len, 0, gap};
        for (size_t i = 0; i < q->n; i++) {
            while (im.dh[i][at[i]].doc < d) /* every item has d: no bound needed */
                at[i]++;
            const DocHit *h = &im.dh[i][at[i]];
            if (h->first < c->first) {
                c->first = h->first;
                c->first_len = (uint32_t)q->items[i].n;
            }
            s->tfs[s->ntfs++] = (uint32_t)h->tf;
        }
        if (!pl) { /* one item */
            c->matches = (uint32_t)im.dh[0][at[0]].tf;
            continue;
        }
        while (at_pl < npl && pl[at_pl].pos < first) /* the places in d: as the reader counts */
            at_pl++;
        for (; at_pl < npl && pl[at_pl].pos < end; at_pl++)
            c->matches++;
    }
    free(at);
    free(mi);
    free(count);
    free(buf);
    free(pl);
    item_matches_free(q, &im);
    return s;
}

size_t search_set_add_part(SearchSet *s, SearchPart *p, size_t *places)
{
    if (places) *places = p->places;
    s->docs += p->docs;
    s->tokens += p->tokens;
    for (size_t i = 0; i < s->q->n && i < p->nitems; i++)
        s->df[i] += p->df[i];
    size_t hits = p->n;
    if (!p->n) {
        search_part_free(p);
        return 0;
    }
    if (s->nparts == s->parts_cap) {
        s->parts_cap = s->parts_cap ? s->parts_cap * 2 : 16;
        s->parts = xreallocarray(s->parts, s->parts_cap, sizeof *s->parts);
    }
    s->parts[s->nparts++] = p;
    s->n += p->n;
    return hits;
}

size_t search_set_add(SearchSet *s, size_t story, const Index *ix, const Text *t, size_t *places)
{
    return search_set_add_part(s, search_part_new(s->q, story, ix, t), places);
}

static int cmp_hit(const void *a, const void *b)
{
    const SearchHit *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    if (x->story != y->story) return x->story < y->story ? -1 : 1;
    return x->first.pos < y->first.pos ? -1 : x->first.pos > y->first.pos;
}

/* Sift-down in a heap of hits whose root is the worst (cmp_hit's largest). */
static void sift_down(SearchHit *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cmp_hit(&h[l], &h[m]) > 0) m = l;
        if (r < n && cmp_hit(&h[r], &h[m]) > 0) m = r;
        if (m == i) return;
        SearchHit t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

size_t search_set_hits(SearchSet *s, size_t best, const SearchHit **out)
{
    const double k1 = 1.2, b = 0.75;
    double N = (double)s->docs, avgdl = s->docs ? (double)s->tokens / N : 1;
    if (avgdl <= 0) avgdl = 1;
    free(s->hits);
    size_t k = best && best < s->n ? best : s->n, kept = 0;
    s->hits = xmalloc((k ? k : 1) * sizeof *s->hits);
    double *idf = xmalloc((s->q->n ? s->q->n : 1) * sizeof *idf);
    for (size_t i = 0; i < s->q->n; i++) {
        double df = (double)s->df[i];
        idf[i] = log(1.0 + (N - df + 0.5) / (df + 0.5));
    }
    for (size_t pi = 0; pi < s->nparts; pi++)
        for (size_t j = 0; j < s->parts[pi]->n; j++) {
            const SearchPart *p = s->parts[pi];
            const Candidate *c = &p->c[j];
            double score = 0;
            for (size_t i = 0; i < s->q->n; i++) {
                double tf = p->tfs[j * s->q->n + i];
                score += idf[i] * tf * (k1 + 1) / (tf + k1 * (1 - b + b * c->dl / avgdl));
            }
            if (c->gap != UINT32_MAX) score *= 1 + PROXIMITY / (1 + (double)c->gap);
            SearchHit hit = {p->story, c->doc, score, {c->first, c->first_len, {0, 0}}, c->matches};
            if (k == s->n) {
                s->hits[kept++] = hit;
            } else if (kept < k) { /* a heap of the k best so far, the worst on top */
                s->hits[kept++] = hit;
                if (kept == k)
                    for (size_t i = k / 2 + 1; i-- > 0;)
                        sift_down(s->hits, k, i);
            } else if (cmp_hit(&hit, &s->hits[0]) < 0) {
                s->hits[0] = hit;
                sift_down(s->hits, k, 0);
            }
        }
    free(idf);
    if (k) qsort(s->hits, k, sizeof *s->hits, cmp_hit);
    *out = s->hits;
    return s->n;
}

/* search_line_col over bytes b (a text's, or one paragraph's). */
static void line_col_in(const uint8_t *b, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, start = 0;
    for (const uint8_t *p = b; (p = memchr(p, '\n', off - (size_t)(p - b))) != NULL; p++) {
        l++;
        start = (size_t)(p - b) + 1;
    }
    size_t c = 1;
    for (size_t i = start; i < off; i++)
        c += (b[i] & 0xc0) != 0x80;
    *line = l;
    *col = c;
}

void search_line_col(const Text *t, size_t off, size_t *line, size_t *col)
{
    line_col_in(text_bytes(t), off, line, col);
}

/* Appends bytes [a, b) of t to out as one line: line ends and tabs as spaces, controls visible. */
static void add_flat(Strbuf *out, const uint8_t *s, size_t a, size_t b)
{
    Strbuf tmp = STRBUF_INIT;
    for (size_t i = a; i < b; i++) {
        uint8_t c = s[i];
        if (c == '\n' || c == '\t' || c == '\f') c = ' ';
        if (c == ' ' && tmp.len && tmp.buf[tmp.len - 1] == ' ') continue;
        strbuf_addch(&tmp, (char)c);
    }
    text_escape(tmp.buf, tmp.len, out);
    strbuf_release(&tmp);
}

/* search_snippet of span in paragraph para of bytes b. */
static char *snippet_in(const uint8_t *b, Span para, Span span, int width, size_t *hl_start,
                        size_t *hl_end)
{
    if (para.start > span.start) para.start = span.start;
    if (para.end < span.end) para.end = span.end;
    size_t mchars = 0;
    for (size_t i = span.start; i < span.end; i++)
        mchars += (b[i] & 0xc0) != 0x80;
    long room = width - (long)mchars;
    if (room < 0) room = 0;
    size_t before = (size_t)room / 3, after = (size_t)room - before;
    size_t a = span.start;
    for (size_t k = 0; k < before && a > para.start;) {
        a--;
        if ((b[a] & 0xc0) != 0x80) k++;
    }
    if (a > para.start) { /* start at a word: after the first space */
        size_t s = a;
        while (s < span.start && b[s] != ' ' && b[s] != '\n')
            s++;
        if (s < span.start) a = s + 1;
    }
    size_t e = span.end;
    for (size_t k = 0; k < after && e < para.end;) {
        e++;
        while (e < para.end && (b[e] & 0xc0) == 0x80)
            e++;
        k++;
    }
    if (e < para.end) { /* end at a word */
        size_t s = e;
        while (s > span.end && b[s - 1] != ' ' && b[s - 1] != '\n')
            s--;
        if (s > span.end) e = s - 1;
    }
    Strbuf out = STRBUF_INIT;
    if (a > para.start) strbuf_addstr(&out, "…");
    add_flat(&out, b, a, span.start);
    *hl_start = out.len;
    add_flat(&out, b, span.start, span.end);
    *hl_end = out.len;
    add_flat(&out, b, span.end, e);
    if (e < para.end) strbuf_addstr(&out, "…");
    return strbuf_detach(&out, NULL);
}

char *search_snippet(const Text *t, Span span, int width, size_t *hl_start, size_t *hl_end)
{
    size_t pi = text_paragraph_at(t, span.start);
    Span para = pi < text_paragraph_count(t) ? text_paragraph(t, pi) : span;
    return snippet_in(text_bytes(t), para, span, width, hl_start, hl_end);
}

/* The paragraph para read from the file, into *bytes (malloc'd, NUL-ended) when it is one clean
 * paragraph (text_bytes_are_one_paragraph: the bytes a Text of them would hold, its one
 * paragraph all of them), else as a Text of its own into *t: most hits' paragraphs are placed
 * from their bytes, without building a Text (its checks, its split, its title) for each. -1 with
 * diag when it cannot be read, or is not the bytes the index saw. */
static int read_paragraph(const Index *ix, const char *path, IndexParagraph para, char **bytes,
                          Text **t, Diag *diag)
{
    *bytes = NULL;
    *t = NULL;
    size_t bom, len = para.span.end - para.span.start;
    if (!index_clean_as_read(ix, &bom)) {
        diag_set(diag, DIAG_INVALID, "%s: the story must be loaded to show this hit", path);
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        diag_set(diag, DIAG_UNREADABLE, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = xmalloc(len + 1);
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fd, buf + got, len - got, (off_t)(bom + para.span.start + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got == len && text_bytes_are_one_paragraph(buf, len)) {
        buf[len] = 0;
        *bytes = buf;
        return 0;
    }
    *t = got == len ? text_from_bytes(buf, len, NULL) : NULL;
    free(buf);
    if (*t && text_len(*t) != len) { /* not the bytes the index saw: the file changed */
        text_free(*t);
        *t = NULL;
    }
    if (!*t) {
        diag_set(diag, DIAG_INVALID,
                 "%s: changed since it was indexed: search again to index it anew", path);
        return -1;
    }
    return 0;
}

int search_place(const Index *ix, const Text *t, const char *path, const Query *q,
                 const SearchMatch *m, int width, SearchPlace *out, Diag *diag)
{
    *out = (SearchPlace){{0, 0}, 1, 1, NULL, 0, 0};
    SearchMatch one = *m;
    if (t) {
        if (!one.span.end) search_match_spans(ix, text_bytes(t), 0, text_len(t), &one, 1);
        if (q && one.len == 1) one.span = search_refine_span(q, text_bytes(t), one.span, one.span);
        out->span = one.span;
        search_line_col(t, one.span.start, &out->line, &out->col);
        out->snippet = search_snippet(t, one.span, width, &out->hl_start, &out->hl_end);
        return 0;
    }
    IndexParagraph para = index_paragraph(ix, index_paragraph_of(ix, m->pos));
    char *raw;
    Text *pt;
    if (read_paragraph(ix, path, para, &raw, &pt, diag) != 0) return -1;
    const uint8_t *b = pt ? text_bytes(pt) : (const uint8_t *)raw;
    size_t blen = pt ? text_len(pt) : para.span.end - para.span.start;
    if (!one.span.end) search_match_spans(ix, b, para.span.start, blen, &one, 1);
    Span local = {one.span.start - para.span.start, one.span.end - para.span.start};
    if (q && one.len == 1) local = search_refine_span(q, b, local, local);
    one.span = (Span){local.start + para.span.start, local.end + para.span.start};
    out->span = one.span;
    size_t line, col;
    line_col_in(b, local.start, &line, &col);
    out->line = para.line + line - 1;
    out->col = line == 1 ? para.col + col - 1 : col;
    out->snippet = pt ? search_snippet(pt, local, width, &out->hl_start, &out->hl_end)
                      : snippet_in(b, (Span){0, blen}, local, width, &out->hl_start, &out->hl_end);
    text_free(pt);
    free(raw);
    return 0;
}

/* The part of token tok that query word w matched when w is a prefix: from the token's start
 * to the shortest end that still folds to it ("Kazakh" in "Kazakhstan"). False when w is a whole
 * word, the token does not start with it, or it is too long to look at (then the whole token). */
static bool refine_word(const Query *q, const QWord *w, const uint8_t *text, Span tok, Span *out)
{
    int flags = q->strict_flags >= 0 ? q->strict_flags : TOKEN_FOLD_ALL;
    const char *needle = q->strict_flags >= 0 ? w->strict : w->folded;
    size_t nlen = q->strict_flags >= 0 ? w->slen : w->flen;
    if (!w->prefix || tok.end - tok.start > 256 || !nlen) return false;
    TokenFolder *f = token_folder_new(flags);
    bool found = false;
    for (size_t b = tok.start + 1; b <= tok.end && !found; b++) {
        if (b < tok.end && (text[b] & 0xc0) == 0x80) continue;
        size_t len;
        const char *part = token_fold(f, text + tok.start, b - tok.start, &len);
        if (len >= nlen && !memcmp(part, needle, nlen)) {
            *out = (Span){tok.start, b};
            found = true;
        }
    }
    token_folder_free(f);
    return found;
}

Span search_refine_span(const Query *q, const uint8_t *text, Span first, Span last)
{
    Span r = {first.start, last.end};
    /* the item of the match: one of its length whose last word the last token starts with */
    for (size_t i = 0; i < q->n; i++) {
        const QItem *it = &q->items[i];
        if ((it->n == 1) != (first.start == last.start && first.end == last.end)) continue;
        Span b;
        if (refine_word(q, &it->w[it->n - 1], text, last, &b)) {
            r.end = b.end;
            break;
        }
    }
    return r;
}

/* --- suggestions ----------------------------------------------------------------------------- */

/* Whether word w has a term in ix (as it matches: a prefix or whole). */
static bool word_known(const Index *ix, const QWord *w)
{
    if (w->prefix) {
        uint32_t first = 0, end = 0;
        index_prefix_range(ix, w->folded, w->flen, &first, &end);
        return first < end;
    }
    return index_lookup(ix, w->folded, w->flen) >= 0;
}

/* A word near the query's, with its occurrences in the stories walked so far. */
typedef struct {
    const char *term; /* into an index's block */
    size_t len;
    uint64_t count;
    int edits; /* from the query's word: 1 or 2 */
} NearWord;

/* search_suggest's walk of the vocabularies: every word near w, each counted over all the
 * stories (a word is the most frequent by its sum, not by its count in one story), with how
 * many edits away it is. */
typedef struct {
    const QWord *w;
    size_t letters;  /* w's code points */
    int max;         /* edits: 1 or 2 (suggest_edits) */
    NearWord *words; /* in the order first met */
    size_t n, cap;
    uint32_t *slots; /* open addressing by the word's hash: 0 empty, else 1 + its index */
    size_t nslots;   /* a power of two, over twice n */
} SuggestWalk;

static uint32_t *near_slot(SuggestWalk *sw, const char *term, size_t tl)
{
    size_t mask = sw->nslots - 1, i = (size_t)hash_bytes(term, tl, 0) & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t *slot = &sw->slots[i];
        if (!*slot) return slot;
        const NearWord *nw = &sw->words[*slot - 1];
        if (nw->len == tl && !memcmp(nw->term, term, tl)) return slot;
    }
}

static bool near_term(void *ctx, uint32_t id, const char *term, size_t tl, uint32_t count)
{
    (void)id;
    SuggestWalk *sw = ctx;
    const QWord *w = sw->w;
    /* a word of more or fewer letters than max edits make is not near: told by counting code
     * points (an edit adds or drops one, whatever its bytes), which rules out most words before
     * the edit table; tl cannot be under the letters less max, nor over 4 bytes a letter */
    size_t lo = sw->letters > (size_t)sw->max ? sw->letters - (size_t)sw->max : 0,
           hi = sw->letters + (size_t)sw->max;
    if (tl < lo || tl > 4 * hi) return true;
    size_t letters = 0;
    for (size_t i = 0; i < tl && letters <= hi; i++)
        letters += ((unsigned char)term[i] & 0xc0) != 0x80;
    if (letters < lo || letters > hi || !within_edits(term, tl, w->folded, w->flen, sw->max))
        return true;
    if (2 * (sw->n + 1) >= sw->nslots) { /* grown before it fills: a probe always ends */
        free(sw->slots);
        sw->nslots = sw->nslots ? 2 * sw->nslots : 64;
        sw->slots = xcalloc(sw->nslots, sizeof *sw->slots);
        for (size_t i = 0; i < sw->n; i++)
            *near_slot(sw, sw->words[i].term, sw->words[i].len) = (uint32_t)(i + 1);
    }
    uint32_t *slot = near_slot(sw, term, tl);
    if (!*slot) {
        if (sw->n == sw->cap) {
            sw->cap = sw->cap ? 2 * sw->cap : 16;
            sw->words = xreallocarray(sw->words, sw->cap, sizeof *sw->words);
        }
        /* the second test only for the few words that passed the first */
        int edits = sw->max == 1 || within_edits(term, tl, w->folded, w->flen, 1) ? 1 : 2;
        sw->words[sw->n] = (NearWord){term, tl, 0, edits};
        *slot = (uint32_t)++sw->n;
    }
    sw->words[*slot - 1].count += count;
    return true;
}

/* The code points of s[0, len). */
static size_t letters_in(const char *s, size_t len)
{
    size_t letters = 0;
    for (size_t i = 0; i < len; i++)
        letters += ((unsigned char)s[i] & 0xc0) != 0x80;
    return letters;
}

/* How many edits a word spelt wrong of this many letters (code points) may be from the word
 * named for it, as search engines' "auto" fuzziness has it: none for one or two letters (any
 * word of two letters is two edits from any other), one for three to five, two for more. */
static int suggest_edits(size_t letters)
{
    return letters <= 2 ? 0 : letters <= 5 ? 1 : 2;
}

char *search_suggest(const Query *q, const Index *const *ix, size_t n)
{
    for (size_t i = 0; i < q->n; i++) {
        const QItem *it = &q->items[i];
        for (size_t k = 0; k < it->n; k++) {
            const QWord *w = &it->w[k];
            size_t letters = letters_in(w->folded, w->flen);
            int max = suggest_edits(letters);
            if (w->fuzzy || !max) continue;
            bool known = false;
            for (size_t s = 0; s < n && !known; s++)
                known = ix[s] && word_known(ix[s], w);
            if (known) continue;
            /* the vocabularies' words within max edits of it, each with its count */
            SuggestWalk sw = {.w = w, .letters = letters, .max = max};
            for (size_t s = 0; s < n; s++)
                if (ix[s])
                    index_each_term(ix[s], 0, (uint32_t)index_term_count(ix[s]), near_term, &sw);
            /* the fewest edits, then the most frequent, as a spelling corrector ranks them (a
             * common word two edits away, "steppes" for "stepe", is not what was meant when a
             * word one edit away, "steppe", is there); a tie goes to the word met first */
            const NearWord *best = NULL;
            for (size_t j = 0; j < sw.n; j++) {
                const NearWord *nw = &sw.words[j];
                if (!best || nw->edits < best->edits ||
                    (nw->edits == best->edits && nw->count > best->count))
                    best = nw;
            }
            char *out = NULL;
            if (best) {
                out = xmalloc(best->len + 1);
                memcpy(out, best->term, best->len);
                out[best->len] = 0;
            }
            free(sw.words);
            free(sw.slots);
            if (out) return out;
        }
    }
    return NULL;
}

/* --- reading a story instead of its index --------------------------------------------------- */

struct SearchScanner {
    const Query *q;            /* borrowed */
    TokenFolder *all, *strict; /* owned; strict NULL when the query has no strict check */
    Strbuf scratch;            /* token_each's */
    Span *tok;                 /* the document's tokens, absolute offsets */
    Strbuf folds;              /* their folded forms, one after another */
    size_t *fold, *flen;       /* each one's offset in folds, and length */
    size_t ntok, tokcap;
    SearchMatch *m; /* the document's matches */
    size_t nm, mcap;
    bool ascii_words; /* every query word folds to ASCII */
};

SearchScanner *search_scanner_new(const Query *q)
{
    SearchScanner *s = xcalloc(1, sizeof *s);
    s->q = q;
    s->all = token_folder_new(TOKEN_FOLD_ALL);
    s->strict = q->strict_flags >= 0 ? token_folder_new(q->strict_flags) : NULL;
    strbuf_init(&s->scratch);
    strbuf_init(&s->folds);
    s->ascii_words = true; /* a fuzzy word may differ from an ASCII token: it does not count */
    for (size_t i = 0; i < q->n; i++)
        for (size_t k = 0; k < q->items[i].n; k++)
            for (size_t b = 0; b < q->items[i].w[k].flen && !q->items[i].w[k].fuzzy; b++)
                if ((unsigned char)q->items[i].w[k].folded[b] >= 0x80) s->ascii_words = false;
    return s;
}

void search_scanner_free(SearchScanner *s)
{
    if (!s) return;
    token_folder_free(s->all);
    token_folder_free(s->strict);
    strbuf_release(&s->scratch);
    strbuf_release(&s->folds);
    free(s->tok);
    free(s->fold);
    free(s->flen);
    free(s->m);
    free(s);
}

/* How common an ASCII byte is in English text: letters from the commonest (e) to the rarest;
 * a digit or a sign is rarer than any letter. The byte of a needle looked for first is its
 * rarest, found with memchr, as ripgrep does. */
static int byte_rank(uint8_t c)
{
    static const char common[] = "zqxjkvbpygfwmucldrhsnioate"; /* rarest first */
    const char *p = c >= 'a' && c <= 'z' ? strchr(common, c) : NULL;
    return p ? 1 + (int)(p - common) : 0;
}

static bool ascii_icase_at(const uint8_t *h, const char *needle, size_t m)
{
    for (size_t k = 0; k < m; k++) {
        uint8_t x = h[k];
        if (x >= 'A' && x <= 'Z') x = (uint8_t)(x + 32);
        if (x != (uint8_t)needle[k]) return false;
    }
    return true;
}

/* needle (lower-case ASCII, m > 0 bytes) in h[0, n), ignoring ASCII case. */
static bool ascii_icase_find(const uint8_t *h, size_t n, const char *needle, size_t m)
{
    if (m > n) return false;
    size_t r = 0; /* the rarest byte of the needle */
    for (size_t k = 1; k < m; k++)
        if (byte_rank((uint8_t)needle[k]) < byte_rank((uint8_t)needle[r])) r = k;
    uint8_t lo = (uint8_t)needle[r], up = lo >= 'a' && lo <= 'z' ? (uint8_t)(lo - 32) : lo;
    const uint8_t *p = h + r, *end = h + (n - m) + r + 1; /* where that byte can stand */
    /* the next place of each case at or after p, each looked for again only once p passes it
     * (looking for one case again at every place of the other is quadratic in a paragraph of
     * capitals); NULL: not looked for yet */
    const uint8_t *a = NULL, *b = NULL;
    bool a_none = false, b_none = up == lo;
    while (p < end) {
        if (!a_none && (!a || a < p) && !(a = memchr(p, lo, (size_t)(end - p)))) a_none = true;
        if (!b_none && (!b || b < p) && !(b = memchr(p, up, (size_t)(end - p)))) b_none = true;
        const uint8_t *c = a_none ? (b_none ? NULL : b) : b_none ? a : (a < b ? a : b);
        if (!c) return false;
        if (ascii_icase_at(c - r, needle, m)) return true;
        p = c + 1;
    }
    return false;
}

typedef struct {
    SearchScanner *s;
    size_t base;
} ScanTokCtx;

static void scan_add_token(void *ctx, size_t start, size_t end)
{
    ScanTokCtx *c = ctx;
    SearchScanner *s = c->s;
    if (s->ntok == s->tokcap) {
        s->tokcap = s->tokcap ? 2 * s->tokcap : 256;
        s->tok = xreallocarray(s->tok, s->tokcap, sizeof *s->tok);
        s->fold = xreallocarray(s->fold, s->tokcap, sizeof *s->fold);
        s->flen = xreallocarray(s->flen, s->tokcap, sizeof *s->flen);
    }
    s->tok[s->ntok++] = (Span){c->base + start, c->base + end};
}

static void scan_push(SearchScanner *s, uint32_t pos, uint32_t len, Span span)
{
    if (s->nm == s->mcap) {
        s->mcap = s->mcap ? 2 * s->mcap : 64;
        s->m = xreallocarray(s->m, s->mcap, sizeof *s->m);
    }
    s->m[s->nm++] = (SearchMatch){pos, len, span};
}

static int cmp_match_span(const void *a, const void *b)
{
    const SearchMatch *x = a, *y = b;
    if (x->pos != y->pos) return x->pos < y->pos ? -1 : 1;
    return x->len < y->len ? -1 : x->len > y->len;
}

size_t search_scan_doc(SearchScanner *s, const Text *t, size_t p0, size_t p1,
                       const SearchMatch **out)
{
    const Query *q = s->q;
    const uint8_t *text = text_bytes(t);
    s->nm = 0;
    *out = s->m;
    if (p0 >= p1) return 0;
    size_t a = text_paragraph(t, p0).start, b = text_paragraph(t, p1 - 1).end;
    /* ASCII folds to lower case alone (token.h), so a word of the query that is not in the
     * document's bytes, case aside, cannot be in one of its folded tokens */
    if (token_ascii(text + a, b - a)) {
        if (!s->ascii_words) return 0;
        for (size_t i = 0; i < q->n; i++)
            for (size_t k = 0; k < q->items[i].n; k++) {
                const QWord *w = &q->items[i].w[k];
                if (w->flen && !w->fuzzy && !ascii_icase_find(text + a, b - a, w->folded, w->flen))
                    return 0;
            }
    }
    s->ntok = 0;
    for (size_t p = p0; p < p1; p++) { /* as the index numbers them: piece by piece */
        Span sp = text_paragraph(t, p);
        ScanTokCtx c = {s, sp.start};
        token_each(text + sp.start, sp.end - sp.start, &s->scratch, scan_add_token, &c);
    }
    strbuf_reset(&s->folds);
    for (size_t i = 0; i < s->ntok; i++) {
        const char *f = token_fold(s->all, text + s->tok[i].start, s->tok[i].end - s->tok[i].start,
                                   &s->flen[i]);
        s->fold[i] = s->folds.len;
        strbuf_add(&s->folds, f, s->flen[i]);
    }
    /* each item's first positions, then NEAR's filter (as near_filter does over the index) */
    uint32_t **pos = xcalloc(q->n, sizeof *pos);
    size_t *npos = xcalloc(q->n, sizeof *npos);
    bool all = true;
    for (size_t i = 0; i < q->n && all; i++) {
        const QItem *it = &q->items[i];
        size_t cap = 0;
        for (size_t p = 0; p + it->n <= s->ntok; p++) {
            bool ok = true;
            for (size_t k = 0; k < it->n && ok; k++)
                ok = term_matches(s->folds.buf + s->fold[p + k], s->flen[p + k], &it->w[k]);
            for (size_t k = 0; k < it->n && ok && s->strict; k++)
                ok = strict_ok(s->strict, text, s->tok[p + k], &it->w[k]);
            if (!ok) continue;
            if (npos[i] == cap) {
                cap = cap ? cap * 2 : 16;
                pos[i] = xreallocarray(pos[i], cap, sizeof *pos[i]);
            }
            pos[i][npos[i]++] = (uint32_t)p;
        }
        all = npos[i] > 0; /* every item must be in the document */
    }
    if (all) near_filter(NULL, q, pos, npos, NULL, NULL);
    for (size_t i = 0; i < q->n && all; i++)
        all = npos[i] > 0;
    for (size_t i = 0; i < q->n && all; i++) {
        const QItem *it = &q->items[i];
        for (size_t k = 0; k < npos[i]; k++) {
            uint32_t p = pos[i][k];
            scan_push(s, p, (uint32_t)it->n,
                      search_refine_span(q, text, s->tok[p], s->tok[p + it->n - 1]));
        }
    }
    for (size_t i = 0; i < q->n; i++)
        free(pos[i]);
    free(pos);
    free(npos);
    if (!all) {
        s->nm = 0;
        return 0;
    }
    if (q->n > 1) { /* one match per place, the longest, as collect_matches */
        qsort(s->m, s->nm, sizeof *s->m, cmp_match_span);
        size_t w = 0;
        for (size_t k = 0; k < s->nm; k++) {
            if (w && s->m[w - 1].pos == s->m[k].pos) {
                if (s->m[k].len > s->m[w - 1].len) s->m[w - 1] = s->m[k];
                continue;
            }
            s->m[w++] = s->m[k];
        }
        s->nm = w;
    }
    *out = s->m;
    return s->nm;
}
