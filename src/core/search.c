/* search.c: query parsing, matching over the index, BM25, snippets.
 *
 * Matching a word is a vocabulary operation: equal (hash lookup), prefix or substring (a scan of
 * the terms, a few thousand to a few hundred thousand strings), then the union of the matched
 * terms' positions. A phrase is its first word's positions filtered by the others at +1, +2, ...
 * (binary search) within one document. A case- or accent-sensitive query checks each candidate's
 * own bytes, folded the stricter way, against the query folded the same way.
 */
#include "lector/search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>

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
} QWord;

typedef struct {
    QWord *w;
    size_t n;
} QItem;

struct Query {
    QItem *items;
    size_t n;
    int strict_flags; /* -1: no check beyond the index's folding */
    bool substring;
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

void query_free(Query *q)
{
    if (!q) return;
    for (size_t i = 0; i < q->n; i++) {
        for (size_t k = 0; k < q->items[i].n; k++) {
            free(q->items[i].w[k].folded);
            free(q->items[i].w[k].strict);
        }
        free(q->items[i].w);
    }
    free(q->items);
    free(q);
}

size_t query_item_count(const Query *q)
{
    return q->n;
}

int query_parse(const char *text, SearchMode mode, bool substring, Query **out, Diag *diag)
{
    Query *q = xcalloc(1, sizeof *q);
    q->substring = substring;
    size_t tn = strlen(text);
    q->strict_flags = mode == SEARCH_EXACT                          ? 0
                      : mode == SEARCH_SMART && has_upper(text, tn) ? TOKEN_FOLD_MARKS
                                                                    : -1;
    TokenFolder *all = token_folder_new(TOKEN_FOLD_ALL);
    TokenFolder *strict = q->strict_flags >= 0 ? token_folder_new(q->strict_flags) : NULL;
    Strbuf spans = STRBUF_INIT, scratch = STRBUF_INIT;
    size_t cap = 0;
    for (size_t i = 0; i < tn;) {
        while (i < tn && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
            i++;
        if (i >= tn) break;
        size_t a, b;
        if (text[i] == '"') {
            a = ++i;
            while (i < tn && text[i] != '"')
                i++;
            b = i;
            if (i < tn) i++;
        } else {
            a = i;
            while (i < tn && text[i] != ' ' && text[i] != '\t' && text[i] != '\n')
                i++;
            b = i;
        }
        bool prefix = b > a && text[b - 1] == '*';
        if (prefix) b--;
        spans.len = 0;
        SplitCtx c = {text + a, &spans};
        token_each((const uint8_t *)text + a, b - a, &scratch, add_span, &c);
        size_t nw = spans.len / (2 * sizeof(size_t));
        if (!nw) continue;
        if (q->n == cap) {
            cap = cap ? cap * 2 : 4;
            q->items = xreallocarray(q->items, cap, sizeof *q->items);
        }
        QItem *it = &q->items[q->n++];
        it->n = nw;
        it->w = xcalloc(nw, sizeof *it->w);
        const size_t *sp = (const size_t *)(void *)spans.buf;
        for (size_t k = 0; k < nw; k++) {
            const char *w = text + a + sp[2 * k];
            size_t wl = sp[2 * k + 1] - sp[2 * k];
            it->w[k].folded = dup_fold(all, w, wl, &it->w[k].flen);
            if (strict) it->w[k].strict = dup_fold(strict, w, wl, &it->w[k].slen);
            it->w[k].prefix = prefix && k + 1 == nw;
        }
    }
    strbuf_release(&spans);
    strbuf_release(&scratch);
    token_folder_free(all);
    token_folder_free(strict);
    if (!q->n) {
        diag_set(diag, DIAG_USAGE,
                 "the query has no words to search for (only spaces or "
                 "punctuation)");
        query_free(q);
        return -1;
    }
    *out = q;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static bool term_matches(const char *term, size_t tl, const QWord *w, bool substring)
{
    if (substring) {
        if (w->flen > tl) return false;
        if (w->prefix) return !memcmp(term, w->folded, w->flen);
        return strstr(term, w->folded) != NULL;
    }
    if (w->prefix) return tl >= w->flen && !memcmp(term, w->folded, w->flen);
    return tl == w->flen && !memcmp(term, w->folded, tl);
}

/* The positions of every term w matches, ascending. */
static size_t word_positions(const Index *ix, const QWord *w, bool substring, uint32_t **out)
{
    if (!w->prefix && !substring) {
        int64_t id = index_lookup(ix, w->folded, w->flen);
        if (id < 0) {
            *out = NULL;
            return 0;
        }
        return index_positions(ix, (uint32_t)id, out);
    }
    uint32_t *all = NULL;
    size_t n = 0, cap = 0, terms = 0;
    for (size_t id = 0; id < index_term_count(ix); id++) {
        size_t tl;
        const char *term = index_term(ix, (uint32_t)id, &tl);
        if (!term_matches(term, tl, w, substring)) continue;
        uint32_t *p;
        size_t k = index_positions(ix, (uint32_t)id, &p);
        if (n + k > cap) {
            cap = (n + k) * 2;
            all = xreallocarray(all, cap, sizeof *all);
        }
        memcpy(all + n, p, k * sizeof *p);
        n += k;
        free(p);
        terms++;
    }
    if (terms > 1) qsort(all, n, sizeof *all, cmp_u32);
    *out = all;
    return n;
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

static bool contains_u32(const uint32_t *a, size_t n, uint32_t v)
{
    size_t i = lower_bound_u32(a, n, v);
    return i < n && a[i] == v;
}

/* A token's own bytes, folded the strict way, against the query word. */
static bool strict_ok(TokenFolder *f, const Text *t, Span sp, const QWord *w, bool substring)
{
    size_t len;
    const char *s = token_fold(f, text_bytes(t) + sp.start, sp.end - sp.start, &len);
    if (w->prefix || substring) {
        if (w->slen > len) return false;
        if (!substring) return !memcmp(s, w->strict, w->slen);
        return w->prefix ? !memcmp(s, w->strict, w->slen) : strstr(s, w->strict) != NULL;
    }
    return len == w->slen && !memcmp(s, w->strict, len);
}

/* The matches of one item, ascending, with spans. */
static size_t item_matches(const Index *ix, const Text *t, const Query *q, const QItem *it,
                           SearchMatch **out)
{
    uint32_t **sets = xcalloc(it->n, sizeof *sets);
    size_t *counts = xcalloc(it->n, sizeof *counts);
    for (size_t k = 0; k < it->n; k++)
        counts[k] = word_positions(ix, &it->w[k], q->substring, &sets[k]);
    SearchMatch *m = xmalloc((counts[0] ? counts[0] : 1) * sizeof *m);
    size_t n = 0;
    for (size_t i = 0; i < counts[0]; i++) {
        uint32_t p = sets[0][i];
        bool ok = true;
        for (size_t k = 1; k < it->n && ok; k++)
            ok = p + k < index_token_count(ix) && contains_u32(sets[k], counts[k], p + (uint32_t)k);
        if (ok && it->n > 1) ok = index_doc_of(ix, p) == index_doc_of(ix, p + (uint32_t)it->n - 1);
        if (ok) m[n++] = (SearchMatch){p, (uint32_t)it->n, {0, 0}};
    }
    for (size_t k = 0; k < it->n; k++)
        free(sets[k]);
    free(sets);
    free(counts);

    /* spans of every token of every match: tokenize each paragraph once */
    size_t ntok = n * it->n;
    uint32_t *pos = xmalloc((ntok ? ntok : 1) * sizeof *pos);
    for (size_t i = 0, j = 0; i < n; i++)
        for (uint32_t k = 0; k < m[i].len; k++)
            pos[j++] = m[i].pos + k;
    /* index_token_spans wants ascending positions, once each; a phrase can overlap itself
     * ("la la la"), so sort when needed and drop repeats */
    uint32_t *uniq = xmalloc((ntok ? ntok : 1) * sizeof *uniq);
    memcpy(uniq, pos, ntok * sizeof *uniq);
    bool sorted = true;
    for (size_t i = 1; i < ntok && sorted; i++)
        sorted = uniq[i - 1] <= uniq[i];
    if (!sorted) qsort(uniq, ntok, sizeof *uniq, cmp_u32);
    size_t nu = 0;
    for (size_t i = 0; i < ntok; i++)
        if (!nu || uniq[nu - 1] != uniq[i]) uniq[nu++] = uniq[i];
    Span *uspans = xmalloc((nu ? nu : 1) * sizeof *uspans);
    index_token_spans(ix, t, uniq, nu, uspans);
    Span *spans = xmalloc((ntok ? ntok : 1) * sizeof *spans);
    for (size_t i = 0; i < ntok; i++)
        spans[i] = uspans[lower_bound_u32(uniq, nu, pos[i])];
    TokenFolder *f = q->strict_flags >= 0 ? token_folder_new(q->strict_flags) : NULL;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const Span *s = spans + i * it->n;
        bool ok = true;
        for (size_t k = 0; f && k < it->n && ok; k++)
            ok = strict_ok(f, t, s[k], &it->w[k], q->substring);
        if (!ok) continue;
        m[kept] = m[i];
        m[kept].span = (Span){s[0].start, s[it->n - 1].end};
        kept++;
    }
    token_folder_free(f);
    free(uspans);
    free(uniq);
    free(spans);
    free(pos);
    *out = m;
    return kept;
}

static int cmp_match(const void *a, const void *b)
{
    const SearchMatch *x = a, *y = b;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Per item matches, and the documents that have them all (ascending). */
typedef struct {
    SearchMatch **m;
    size_t *n;
    size_t *docs; /* documents with every item */
    size_t ndocs;
} ItemMatches;

static void match_items(const Index *ix, const Text *t, const Query *q, ItemMatches *im)
{
    im->m = xcalloc(q->n, sizeof *im->m);
    im->n = xcalloc(q->n, sizeof *im->n);
    for (size_t i = 0; i < q->n; i++)
        im->n[i] = item_matches(ix, t, q, &q->items[i], &im->m[i]);
    /* documents of the first item, kept while every other item has one there */
    im->docs = xmalloc((im->n[0] ? im->n[0] : 1) * sizeof *im->docs);
    im->ndocs = 0;
    for (size_t k = 0; k < im->n[0]; k++) {
        size_t d = index_doc_of(ix, im->m[0][k].pos);
        if (im->ndocs && im->docs[im->ndocs - 1] == d) continue;
        bool all = true;
        for (size_t i = 1; i < q->n && all; i++) {
            uint32_t first, end;
            index_doc_positions(ix, d, &first, &end);
            size_t lo = 0, hi = im->n[i];
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (im->m[i][mid].pos < first)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            all = lo < im->n[i] && im->m[i][lo].pos < end;
        }
        if (all) im->docs[im->ndocs++] = d;
    }
}

static void item_matches_free(const Query *q, ItemMatches *im)
{
    for (size_t i = 0; i < q->n; i++)
        free(im->m[i]);
    free(im->m);
    free(im->n);
    free(im->docs);
}

static bool doc_listed(const size_t *docs, size_t n, size_t d)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (docs[mid] < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && docs[lo] == d;
}

size_t search_matches(const Index *ix, const Text *t, const Query *q, SearchMatch **out)
{
    ItemMatches im;
    match_items(ix, t, q, &im);
    size_t total = 0;
    for (size_t i = 0; i < q->n; i++)
        total += im.n[i];
    SearchMatch *m = xmalloc((total ? total : 1) * sizeof *m);
    size_t n = 0;
    for (size_t i = 0; i < q->n; i++)
        for (size_t k = 0; k < im.n[i]; k++)
            if (q->n == 1 || doc_listed(im.docs, im.ndocs, index_doc_of(ix, im.m[i][k].pos)))
                m[n++] = im.m[i][k];
    if (q->n > 1) qsort(m, n, sizeof *m, cmp_match);
    item_matches_free(q, &im);
    *out = m;
    return n;
}

/* Ranking. */
typedef struct {
    SearchHit hit;
    uint32_t dl;   /* the document's tokens */
    size_t tf_off; /* q->n term frequencies at tfs[tf_off] */
} Candidate;

struct SearchSet {
    const Query *q;
    Candidate *c;
    size_t n, cap;
    uint32_t *tfs;
    size_t ntfs, tfs_cap;
    size_t *df; /* per item: documents holding it, over all stories */
    uint64_t docs, tokens;
    SearchHit *hits;
    bool ranked;
};

SearchSet *search_set_new(const Query *q)
{
    SearchSet *s = xcalloc(1, sizeof *s);
    s->q = q;
    s->df = xcalloc(q->n, sizeof *s->df);
    return s;
}

void search_set_free(SearchSet *s)
{
    if (!s) return;
    free(s->c);
    free(s->tfs);
    free(s->df);
    free(s->hits);
    free(s);
}

void search_set_add(SearchSet *s, size_t story, const Index *ix, const Text *t)
{
    const Query *q = s->q;
    ItemMatches im;
    match_items(ix, t, q, &im);
    s->docs += index_doc_count(ix);
    s->tokens += index_token_count(ix);
    for (size_t i = 0; i < q->n; i++) {
        size_t last = SIZE_MAX;
        for (size_t k = 0; k < im.n[i]; k++) {
            size_t d = index_doc_of(ix, im.m[i][k].pos);
            if (d != last) s->df[i]++;
            last = d;
        }
    }
    size_t *cursor = xcalloc(q->n, sizeof *cursor);
    for (size_t j = 0; j < im.ndocs; j++) {
        size_t d = im.docs[j];
        uint32_t first, end;
        index_doc_positions(ix, d, &first, &end);
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 64;
            s->c = xreallocarray(s->c, s->cap, sizeof *s->c);
        }
        if (s->ntfs + q->n > s->tfs_cap) {
            s->tfs_cap = (s->ntfs + q->n) * 2;
            s->tfs = xreallocarray(s->tfs, s->tfs_cap, sizeof *s->tfs);
        }
        Candidate *c = &s->c[s->n++];
        *c = (Candidate){{story, d, 0, {UINT32_MAX, 0, {0, 0}}, 0}, end - first, s->ntfs};
        for (size_t i = 0; i < q->n; i++) {
            uint32_t tf = 0;
            while (cursor[i] < im.n[i] && im.m[i][cursor[i]].pos < first)
                cursor[i]++;
            while (cursor[i] < im.n[i] && im.m[i][cursor[i]].pos < end) {
                const SearchMatch *m = &im.m[i][cursor[i]];
                if (m->pos < c->hit.first.pos) c->hit.first = *m;
                tf++;
                cursor[i]++;
            }
            s->tfs[s->ntfs++] = tf;
            c->hit.matches += tf;
        }
    }
    free(cursor);
    item_matches_free(q, &im);
    s->ranked = false;
}

static int cmp_hit(const void *a, const void *b)
{
    const SearchHit *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    if (x->story != y->story) return x->story < y->story ? -1 : 1;
    return x->first.pos < y->first.pos ? -1 : x->first.pos > y->first.pos;
}

size_t search_set_hits(SearchSet *s, const SearchHit **out)
{
    if (!s->ranked) {
        const double k1 = 1.2, b = 0.75;
        double N = (double)s->docs, avgdl = s->docs ? (double)s->tokens / N : 1;
        if (avgdl <= 0) avgdl = 1;
        free(s->hits);
        s->hits = xmalloc((s->n ? s->n : 1) * sizeof *s->hits);
        for (size_t j = 0; j < s->n; j++) {
            Candidate *c = &s->c[j];
            double score = 0;
            for (size_t i = 0; i < s->q->n; i++) {
                double df = (double)s->df[i], tf = s->tfs[c->tf_off + i];
                double idf = log(1.0 + (N - df + 0.5) / (df + 0.5));
                score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * c->dl / avgdl));
            }
            c->hit.score = score;
            s->hits[j] = c->hit;
        }
        qsort(s->hits, s->n, sizeof *s->hits, cmp_hit);
        s->ranked = true;
    }
    *out = s->hits;
    return s->n;
}

void search_line_col(const Text *t, size_t off, size_t *line, size_t *col)
{
    const uint8_t *b = text_bytes(t);
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

char *search_snippet(const Text *t, Span span, int width, size_t *hl_start, size_t *hl_end)
{
    const uint8_t *b = text_bytes(t);
    size_t pi = text_paragraph_at(t, span.start);
    Span para = pi < text_paragraph_count(t) ? text_paragraph(t, pi) : span;
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
