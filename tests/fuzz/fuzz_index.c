/* fuzz_index: tokenizer, index and query over any bytes.
 *
 * Input: the story's bytes; the same bytes (to their first NUL) are also a query.
 *
 * Invariants:
 *   index against the tokenizer: the story's tokens, found again here with token_each over
 *     each paragraph and folded with token_fold, are the index's positions exactly: as many, the
 *     same sorted vocabulary (index_term), each term looked up to its own id, each term's
 *     positions (index_positions) the positions of its tokens, and a cursor's seeks to targets
 *     at strides near and far (through the skips, for a term of thousands) the next of them,
 *     each token's bytes
 *     (index_token_spans) its own; paragraphs and documents as text.h lists them, each with the
 *     line and column it starts at.
 *   search: a query for an indexed token, as written in the story (bare, with a star, whole as
 *     =token, with smart case and exact), finds that token (the first occurrence of
 *     SAMPLED_TERMS terms spread over the vocabulary, per input); every match is in range and
 *     ascending, and matches span exactly their tokens.
 *   patterns: the input itself as a pattern (regex.h) compiles or is refused with a reason on
 *     one line; its matches stay inside their paragraphs, ascending and not empty, and the
 *     reader's list counts them the same.
 *   query parsing: the input itself as a query, in every mode, parses or is refused with a
 *     reason; when it parses (and is short), and as its first bytes cut anywhere, its matches,
 *     spans, ranked hits and snippets stay in range.
 *   the block: index_bytes read back with index_from_bytes passes every page check and gives
 *     the same positions for the sampled terms.
 *   reading instead of the index: a match list made by reading the story (matchlist_scan_new,
 *     from its middle) has the same matches as the index's, span for span, for the input as a
 *     query and for each sampled token, by both of the reader's rules.
 */
#include <math.h>
#include <string.h>
#include <unistr.h>

#include "fuzz.h"
#include "lector/index.h"
#include "lector/matchlist.h"
#include "lector/regex.h"
#include "lector/search.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/token.h"

/* Bounds on the work per input, which a query multiplies: a strict (smart case, exact) query
 * tokenizes again every paragraph it matches in, and the input as a query can have hundreds of
 * words. SAMPLED_TERMS tokens are each looked for in every mode; the input is parsed as a query
 * whole, but searched only as its first RAW_QUERY_BYTES or when it has at most RAW_QUERY_ITEMS
 * items. */
enum { SAMPLED_TERMS = 8, RAW_QUERY_BYTES = 64, RAW_QUERY_ITEMS = 4 };

typedef struct {
    Span span;    /* the token's bytes in the text */
    char *folded; /* token_fold, TOKEN_FOLD_ALL; malloc'd */
    size_t flen;
    uint32_t pos;
} Tok;

typedef struct {
    Tok *v;
    size_t n, cap, base;
    TokenFolder *folder;
    const uint8_t *text;
} Toks;

static void add_tok(void *ctx, size_t start, size_t end)
{
    Toks *t = ctx;
    if (t->n == t->cap) t->v = realloc(t->v, (t->cap = t->cap ? 2 * t->cap : 64) * sizeof *t->v);
    Tok *k = &t->v[t->n];
    k->span = (Span){t->base + start, t->base + end};
    const char *f = token_fold(t->folder, t->text + k->span.start, end - start, &k->flen);
    k->folded = malloc(k->flen + 1);
    memcpy(k->folded, f, k->flen + 1);
    k->pos = (uint32_t)t->n++;
}

static int cmp_folded(const void *a, const void *b)
{
    const Tok *x = *(const Tok *const *)a, *y = *(const Tok *const *)b;
    size_t n = x->flen < y->flen ? x->flen : y->flen;
    int c = memcmp(x->folded, y->folded, n);
    if (c) return c;
    if (x->flen != y->flen) return x->flen < y->flen ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Matches in range and ascending; the first nspans span exactly their tokens (finding the
 * spans tokenizes each paragraph concerned again: a sample keeps this linear). */
static void check_matches(const Index *ix, const Text *t, const Query *q, const Toks *toks,
                          SearchMatch *m, size_t n, size_t nspans)
{
    uint32_t ntok = index_token_count(ix);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(m[i].len >= 1 && m[i].pos < ntok && m[i].len <= ntok - m[i].pos,
                   "match %zu at %u+%u of %u tokens", i, m[i].pos, m[i].len, ntok);
        FUZZ_CHECK(i == 0 || m[i].pos >= m[i - 1].pos, "matches not ascending at %zu", i);
    }
    if (nspans > n) nspans = n;
    search_match_spans(ix, text_bytes(t), 0, text_len(t), m, nspans);
    for (size_t i = 0; i < nspans; i++) {
        Span sp = m[i].span;
        FUZZ_CHECK(sp.start < sp.end && sp.end <= text_len(t), "match %zu spans [%zu, %zu) of %zu",
                   i, sp.start, sp.end, text_len(t));
        Span want = {toks->v[m[i].pos].span.start, toks->v[m[i].pos + m[i].len - 1].span.end};
        FUZZ_CHECK(sp.start == want.start && sp.end == want.end,
                   "match %zu at %u+%u spans [%zu, %zu), its tokens [%zu, %zu)", i, m[i].pos,
                   m[i].len, sp.start, sp.end, want.start, want.end);
        Span r = search_refine_span(q, text_bytes(t), toks->v[m[i].pos].span,
                                    toks->v[m[i].pos + m[i].len - 1].span);
        FUZZ_CHECK(r.start >= sp.start && r.end <= sp.end && r.start <= r.end,
                   "refined span [%zu, %zu) outside [%zu, %zu)", r.start, r.end, sp.start, sp.end);
    }
}

static int cmp_span(const void *a, const void *b)
{
    const Span *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* Every span of m, sorted (two words of a query can match one place in either order). */
static Span *list_spans(MatchList *m, size_t *n)
{
    while (!matchlist_scan_step(m, 1 << 20)) {
    }
    *n = matchlist_count(m);
    Span *v = malloc((*n + 1) * sizeof *v);
    for (size_t i = 0; i < *n; i++)
        v[i] = matchlist_span(m, i);
    qsort(v, *n, sizeof *v, cmp_span);
    return v;
}

/* The story read for query qs finds what its index finds. */
static void scan_agrees(const Index *ix, const Text *t, const char *qs, SearchMode mode)
{
    MatchList *a, *b;
    Diag d = {0};
    int ra = matchlist_new(ix, (Text *)t, qs, mode, &a, &d);
    int rb = matchlist_scan_new((Text *)t, qs, mode, text_len(t) / 2, &b, &d);
    FUZZ_CHECK(ra == rb, "query \"%s\": the index %s it, the reading %s it", qs,
               ra ? "refuses" : "takes", rb ? "refuses" : "takes");
    if (ra) return;
    size_t na, nb;
    Span *sa = list_spans(a, &na), *sb = list_spans(b, &nb);
    FUZZ_CHECK(na == nb, "query \"%s\" (mode %d): index %zu matches, reading %zu", qs, (int)mode,
               na, nb);
    for (size_t i = 0; i < na; i++)
        FUZZ_CHECK(sa[i].start == sb[i].start && sa[i].end == sb[i].end,
                   "query \"%s\" match %zu: index [%zu, %zu), reading [%zu, %zu)", qs, i,
                   sa[i].start, sa[i].end, sb[i].start, sb[i].end);
    free(sa);
    free(sb);
    matchlist_free(a);
    matchlist_free(b);
}

/* A query for one token as written: it must find that token. */
static void find_token(const Index *ix, const Text *t, const Toks *toks, const Tok *k,
                       const char *lead, const char *suffix, SearchMode mode)
{
    const uint8_t *b = text_bytes(t);
    Strbuf qs = STRBUF_INIT;
    strbuf_addstr(&qs, lead);
    strbuf_add(&qs, b + k->span.start, k->span.end - k->span.start);
    strbuf_addstr(&qs, suffix);
    Query *q;
    Diag d = {0};
    FUZZ_CHECK(query_parse(qs.buf, mode, &q, &d) == 0, "query \"%s\" refused: %s", qs.buf, d.msg);
    SearchMatch *m;
    size_t n = search_matches(ix, t, q, &m), i = 0;
    while (i < n && m[i].pos < k->pos)
        i++;
    FUZZ_CHECK(i < n && m[i].pos == k->pos && m[i].len == 1,
               "query \"%s\" (mode %d) does not find token %u at [%zu, %zu)", qs.buf, (int)mode,
               k->pos, k->span.start, k->span.end);
    check_matches(ix, t, q, toks, m, n, 0);
    check_matches(ix, t, q, toks, m + i, 1, 1);
    free(m);
    query_free(q);
    if (!*suffix && mode == SEARCH_SMART) scan_agrees(ix, t, qs.buf, mode);
    strbuf_release(&qs);
}

/* The input itself as a pattern (regex.h): compiled, or refused with a reason on one line;
 * when compiled, its matches in every paragraph are inside it, ascending and not empty, and the
 * reader's list of them (matchlist) counts the same. */
static void raw_pattern(const Text *t, const char *qs)
{
    if (!*qs) return; /* "re:" alone is a word, which needs an index */
    Regex *re;
    Diag d = {0};
    if (regex_compile(qs, SEARCH_SMART, &re, &d) != 0) {
        FUZZ_CHECK(d.msg[0] && !strchr(d.msg, '\n'), "a refused pattern without a one-line reason");
        return;
    }
    size_t total = 0, np = text_paragraph_count(t);
    bool stopped = false;
    for (size_t p = 0; p < np && !stopped;) {
        size_t p1 = text_document_end(t, p);
        Span a = text_paragraph(t, p), b = text_paragraph(t, p1 - 1);
        const Span *m;
        size_t k = regex_scan(re, text_bytes(t), a.start, b.end, &m, &stopped);
        for (size_t i = 0; i < k; i++)
            FUZZ_CHECK(m[i].start >= a.start && m[i].start < m[i].end && m[i].end <= b.end &&
                           (i == 0 || m[i].start >= m[i - 1].end),
                       "pattern match %zu at [%zu, %zu) in [%zu, %zu)", i, m[i].start, m[i].end,
                       a.start, b.end);
        total += k;
        p = p1;
    }
    regex_free(re);
    if (stopped) return;
    Strbuf q = STRBUF_INIT;
    strbuf_addf(&q, "re:%s", qs);
    MatchList *ml;
    if (matchlist_new(NULL, (Text *)t, q.buf, SEARCH_SMART, &ml, &d) == 0) {
        FUZZ_CHECK(matchlist_stopped(ml) || matchlist_count(ml) == total,
                   "the reader counts %zu matches of the pattern, a scan %zu", matchlist_count(ml),
                   total);
        matchlist_free(ml);
    }
    strbuf_release(&q);
}

/* The input itself as a query: parsed whole; searched when short (see RAW_QUERY_ITEMS). */
static void raw_query(const Index *ix, const Text *t, const Toks *toks, const char *qs,
                      SearchMode mode)
{
    Query *q;
    Diag d = {0};
    if (query_parse(qs, mode, &q, &d) != 0) {
        FUZZ_CHECK(d.code != 0 && d.msg[0], "query refused without a reason");
        return;
    }
    FUZZ_CHECK(query_item_count(q) >= 1, "a query with no item parsed");
    if (query_item_count(q) > RAW_QUERY_ITEMS) {
        query_free(q);
        return;
    }
    SearchMatch *m;
    size_t n = search_matches(ix, t, q, &m);
    check_matches(ix, t, q, toks, m, n, 16);
    free(m);
    scan_agrees(ix, t, qs, mode);

    SearchSet *set = search_set_new(q);
    search_set_add(set, 7, ix, t, NULL);
    const SearchHit *hits;
    size_t nh = search_set_hits(set, 3, &hits);
    for (size_t i = 0; i < nh && i < 3; i++) {
        const SearchHit *h = &hits[i];
        FUZZ_CHECK(h->story == 7 && h->doc < index_doc_count(ix) && h->matches >= 1 &&
                       isfinite(h->score),
                   "hit %zu: story %zu doc %zu matches %zu score %g", i, h->story, h->doc,
                   h->matches, h->score);
        FUZZ_CHECK(index_doc_of(ix, h->first.pos) == h->doc, "hit %zu: first match in doc %zu", i,
                   index_doc_of(ix, h->first.pos));
        SearchMatch first = h->first;
        search_match_spans(ix, text_bytes(t), 0, text_len(t), &first, 1);
        size_t hl_start, hl_end;
        char *snip = search_snippet(t, first.span, 60, &hl_start, &hl_end);
        size_t sl = strlen(snip);
        FUZZ_CHECK(hl_start <= hl_end && hl_end <= sl, "snippet highlight [%zu, %zu) of %zu",
                   hl_start, hl_end, sl);
        FUZZ_CHECK(u8_check((const uint8_t *)snip, sl) == NULL, "snippet not valid UTF-8");
        free(snip);
    }
    search_set_free(set);
    query_free(q);
}

/* The index's positions of term id, which must be exactly the tokens' run[0, n). */
static void check_positions(const Index *ix, uint32_t id, Tok *const *run, size_t n)
{
    uint32_t *pos = NULL;
    size_t np = 0, cap = 0;
    size_t got = index_positions(ix, id, &pos, &np, &cap);
    FUZZ_CHECK(got == n && np == n, "term %u: %zu positions, %zu tokens", id, got, n);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(pos[i] == run[i]->pos, "term %u occurrence %zu at %u, token at %u", id, i,
                   pos[i], run[i]->pos);
    /* a cursor's seeks, near and far (through the skips of a common term), land on the same */
    uint32_t ntok = index_token_count(ix);
    /* from a stride that seeks about 4 times per place: the work follows the places, not the
     * story, for each of its terms */
    for (uint32_t stride = (uint32_t)(ntok / (4 * n + 1)) + 1; stride <= ntok;
         stride = stride * 5 + 3) {
        IndexCursor c;
        FUZZ_CHECK(index_cursor_init(ix, id, &c), "term %u: no cursor", id);
        size_t at = 0;
        for (uint64_t target = stride / 2; target <= ntok; target += stride) {
            while (at < n && pos[at] < target)
                at++;
            uint32_t p;
            bool found = index_cursor_seek(ix, &c, (uint32_t)target, &p);
            FUZZ_CHECK(found == (at < n) && (!found || p == pos[at]),
                       "term %u: a seek to %llu (stride %u) gives %u, not %u", id,
                       (unsigned long long)target, stride, found ? p : UINT32_MAX,
                       at < n ? pos[at] : UINT32_MAX);
            if (!found) break;
        }
    }
    free(pos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) return 0;
    Text *t = text_from_bytes(data, size, "fuzz.txt");
    Index *ix = index_build(t, 1, NULL);
    FUZZ_CHECK(ix != NULL, "index_build failed");
    const uint8_t *b = text_bytes(t);

    /* the tokens, independently, with where each paragraph starts */
    Toks toks = {.folder = token_folder_new(TOKEN_FOLD_ALL), .text = b};
    Strbuf scratch = STRBUF_INIT;
    size_t np = text_paragraph_count(t), line = 1, col = 1, scanned = 0;
    FUZZ_CHECK(index_paragraph_count(ix) == np, "%zu paragraphs indexed of %zu",
               index_paragraph_count(ix), np);
    size_t docs = 0;
    for (size_t i = 0; i < np; i++) {
        Span sp = text_paragraph(t, i);
        for (; scanned < sp.start; scanned++) {
            if (b[scanned] == '\n') {
                line++;
                col = 1;
            } else if ((b[scanned] & 0xc0) != 0x80) {
                col++;
            }
        }
        uint32_t first = (uint32_t)toks.n;
        toks.base = sp.start;
        token_each(b + sp.start, sp.end - sp.start, &scratch, add_tok, &toks);
        IndexParagraph ip = index_paragraph(ix, i);
        FUZZ_CHECK(ip.first == first && ip.end == toks.n && ip.span.start == sp.start &&
                       ip.span.end == sp.end && ip.line == line && ip.col == col,
                   "paragraph %zu: tokens [%u, %u) span [%zu, %zu) at %zu:%zu; expected [%u, %zu) "
                   "[%zu, %zu) at %zu:%zu",
                   i, ip.first, ip.end, ip.span.start, ip.span.end, ip.line, ip.col, first, toks.n,
                   sp.start, sp.end, line, col);
        docs += i == 0 || !text_paragraph_joined(t, i);
        for (uint32_t p = first; p < toks.n; p++) {
            FUZZ_CHECK(index_paragraph_of(ix, p) == i, "token %u in paragraph %zu, not %zu", p,
                       index_paragraph_of(ix, p), i);
            uint32_t f, e;
            index_doc_positions(ix, index_doc_of(ix, p), &f, &e);
            FUZZ_CHECK(f <= p && p < e, "token %u: its document holds [%u, %u)", p, f, e);
        }
    }
    strbuf_release(&scratch);
    FUZZ_CHECK(index_token_count(ix) == toks.n, "%u tokens indexed, the tokenizer finds %zu",
               index_token_count(ix), toks.n);
    FUZZ_CHECK(index_doc_count(ix) == docs, "%zu documents, %zu expected", index_doc_count(ix),
               docs);

    /* every token's bytes, as the index finds them again */
    uint32_t *all = malloc((toks.n + 1) * sizeof *all);
    Span *spans = malloc((toks.n + 1) * sizeof *spans);
    for (size_t i = 0; i < toks.n; i++)
        all[i] = (uint32_t)i;
    index_token_spans(ix, b, 0, text_len(t), all, toks.n, spans);
    for (size_t i = 0; i < toks.n; i++)
        FUZZ_CHECK(spans[i].start == toks.v[i].span.start && spans[i].end == toks.v[i].span.end,
                   "token %zu spans [%zu, %zu), the tokenizer says [%zu, %zu)", i, spans[i].start,
                   spans[i].end, toks.v[i].span.start, toks.v[i].span.end);
    free(all);
    free(spans);

    /* the vocabulary: each term in byte order, with exactly its tokens' positions */
    Tok **sorted = malloc((toks.n + 1) * sizeof *sorted);
    for (size_t i = 0; i < toks.n; i++)
        sorted[i] = &toks.v[i];
    qsort(sorted, toks.n, sizeof *sorted, cmp_folded);
    size_t nterms = index_term_count(ix);
    Tok **firsts = malloc((nterms + 1) * sizeof *firsts);
    uint32_t id = 0;
    for (size_t i = 0; i < toks.n;) {
        size_t j = i + 1;
        while (j < toks.n && sorted[j]->flen == sorted[i]->flen &&
               !memcmp(sorted[j]->folded, sorted[i]->folded, sorted[i]->flen))
            j++;
        FUZZ_CHECK(id < nterms, "more distinct folded tokens than the %zu terms", nterms);
        size_t tl;
        const char *term = index_term(ix, id, &tl);
        FUZZ_CHECK(tl == sorted[i]->flen && !memcmp(term, sorted[i]->folded, tl),
                   "term %u is \"%.*s\", the tokens say \"%s\"", id, (int)tl, term,
                   sorted[i]->folded);
        FUZZ_CHECK(index_lookup(ix, sorted[i]->folded, sorted[i]->flen) == id,
                   "\"%s\" looked up to %lld, not %u", sorted[i]->folded,
                   (long long)index_lookup(ix, sorted[i]->folded, sorted[i]->flen), id);
        check_positions(ix, id, sorted + i, j - i);
        firsts[id++] = sorted[i];
        i = j;
    }
    FUZZ_CHECK(id == nterms, "%zu terms, %u distinct folded tokens", nterms, id);

    /* a query for a token as written finds it, in every mode */
    for (size_t s = 0; s < SAMPLED_TERMS && s < nterms; s++) {
        const Tok *k = firsts[nterms <= SAMPLED_TERMS ? s : s * nterms / SAMPLED_TERMS];
        find_token(ix, t, &toks, k, "", "", SEARCH_FOLD);
        find_token(ix, t, &toks, k, "", "", SEARCH_SMART);
        find_token(ix, t, &toks, k, "", "", SEARCH_EXACT);
        find_token(ix, t, &toks, k, "=", "", SEARCH_SMART);
        find_token(ix, t, &toks, k, "", "*", SEARCH_FOLD);
    }

    /* the input as a query */
    char *qs = malloc(size + 1);
    memcpy(qs, data, size);
    qs[size] = 0;
    for (int mode = SEARCH_FOLD; mode <= SEARCH_EXACT; mode++)
        raw_query(ix, t, &toks, qs, (SearchMode)mode);
    raw_pattern(t, qs);
    if (size > RAW_QUERY_BYTES) { /* its start, cut anywhere (in a character, too) */
        qs[RAW_QUERY_BYTES] = 0;
        raw_query(ix, t, &toks, qs, SEARCH_FOLD);
        raw_query(ix, t, &toks, qs, SEARCH_SMART);
    }
    free(qs);

    /* the block read back answers the same */
    size_t blen;
    const void *block = index_bytes(ix, &blen);
    void *copy = malloc(blen);
    memcpy(copy, block, blen);
    Index *back;
    Diag d = {0};
    FUZZ_CHECK(index_from_bytes(copy, blen, false, &back, &d) == 0, "index block refused: %s",
               d.msg);
    FUZZ_CHECK(index_verify_all(back) && !index_corrupt(back), "index block fails its checks");
    FUZZ_CHECK(index_term_count(back) == nterms && index_token_count(back) == toks.n &&
                   !strcmp(index_title(back), text_title(t)) && index_text_len(back) == text_len(t),
               "index block read back differs");
    for (size_t s = 0; s < SAMPLED_TERMS && s < nterms; s++) {
        uint32_t tid = (uint32_t)(nterms <= SAMPLED_TERMS ? s : s * nterms / SAMPLED_TERMS);
        size_t j = 0;
        const Tok *k = firsts[tid];
        while (sorted[j] != k)
            j++;
        size_t e = j;
        while (e < toks.n && sorted[e]->flen == k->flen &&
               !memcmp(sorted[e]->folded, k->folded, k->flen))
            e++;
        check_positions(back, tid, sorted + j, e - j);
    }
    index_free(back);

    free(firsts);
    free(sorted);
    for (size_t i = 0; i < toks.n; i++)
        free(toks.v[i].folded);
    free(toks.v);
    token_folder_free(toks.folder);
    index_free(ix);
    text_free(t);
    return 0;
}
