/* fuzz_cache: any bytes as an index cache file (the index block of index.h, which is all a
 * cache file holds).
 *
 * Each input is read twice through index_from_bytes: as it is (from malloc'd memory), where any
 * change to a real block fails a hash; and resealed (index_reseal: the hashes rewritten to
 * match, in an anonymous mapping as cache.c maps its files), so that the fuzzer's changes reach
 * the layout and table checks and the bounds checks of every reader behind them.
 *
 * Invariants: a block is refused with a reason, or accepted; when accepted, every reader stays
 * in range whatever the bytes say: terms and their positions (strictly ascending, below the
 * token count, no more than the term's count), lookups (a term found is the term asked for),
 * prefix ranges, paragraphs and documents (spans inside the text length, positions inside the
 * token count), token spans over a stand-in text of the block's text length, and searches
 * (matches in range and ascending, their spans, places and snippets). A failed page check shows
 * in index_corrupt. ASan and UBSan watch every read.
 */
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <unistr.h>

#include "fuzz.h"
#include "lector/index.h"
#include "lector/search.h"
#include "lector/text.h"

/* Bounds on the work per input: a block may claim millions of terms. */
enum { MAX_TERMS = 200, MAX_PARAS = 1000, MAX_TEXT = 1 << 20 };

static void check_matches(const Index *ix, const Text *t, const SearchMatch *m, size_t n)
{
    uint32_t ntok = index_token_count(ix);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(m[i].pos < ntok && m[i].len >= 1 && m[i].len <= ntok - m[i].pos,
                   "match %zu at %u+%u of %u tokens", i, m[i].pos, m[i].len, ntok);
        FUZZ_CHECK(i == 0 || m[i].pos >= m[i - 1].pos, "matches not ascending at %zu", i);
        if (t)
            FUZZ_CHECK(m[i].span.start <= m[i].span.end && m[i].span.end <= text_len(t),
                       "match %zu spans [%zu, %zu) of %zu bytes", i, m[i].span.start, m[i].span.end,
                       text_len(t));
    }
}

static void search(const Index *ix, const Text *t, const char *qs, SearchMode mode)
{
    Query *q;
    Diag d = {0};
    if (query_parse(qs, mode, &q, &d) != 0) return;
    if (query_needs_text(q) && !t) {
        query_free(q);
        return;
    }
    SearchMatch *m;
    size_t n = search_matches(ix, t, q, &m);
    check_matches(ix, NULL, m, n);
    if (t && n) {
        search_match_spans(ix, text_bytes(t), 0, text_len(t), m, n);
        check_matches(ix, t, m, n);
        SearchPlace place;
        Diag pd = {0};
        if (search_place(ix, t, NULL, q, &m[0], 40, &place, &pd) == 0) {
            size_t sl = strlen(place.snippet);
            FUZZ_CHECK(place.hl_start <= place.hl_end && place.hl_end <= sl &&
                           u8_check((const uint8_t *)place.snippet, sl) == NULL,
                       "place snippet [%zu, %zu) of %zu", place.hl_start, place.hl_end, sl);
            free(place.snippet);
        }
    }
    free(m);

    SearchSet *set = search_set_new(q);
    search_set_add(set, 0, ix, t, NULL);
    const SearchHit *hits;
    size_t nh = search_set_hits(set, 4, &hits);
    for (size_t i = 0; i < nh && i < 4; i++)
        FUZZ_CHECK(hits[i].doc < index_doc_count(ix) && !isnan(hits[i].score),
                   "hit %zu in document %zu of %zu, score %g", i, hits[i].doc, index_doc_count(ix),
                   hits[i].score);
    search_set_free(set);
    query_free(q);
}

/* index_each_term's walk checked against index_term, term by term. */
typedef struct {
    const Index *ix;
    uint32_t next, seen;
} Walk;

static bool walked_term(void *ctx, uint32_t id, const char *name, size_t len, uint32_t count)
{
    Walk *w = ctx;
    FUZZ_CHECK(id == w->next, "the walk gave term %u after %u", id, w->next);
    size_t tl;
    const char *term = index_term(w->ix, id, &tl);
    FUZZ_CHECK(index_corrupt(w->ix) || (tl == len && !memcmp(term, name, len)),
               "the walk's term %u is not index_term's", id);
    FUZZ_CHECK(count <= index_token_count(w->ix), "term %u occurs %u times", id, count);
    w->next = id + 1;
    return ++w->seen < MAX_TERMS;
}

/* Everything a reader of an accepted block may ask. */
static void exercise(Index *ix)
{
    uint32_t ntok = index_token_count(ix);
    size_t nterms = index_term_count(ix), npara = index_paragraph_count(ix);
    size_t ndocs = index_doc_count(ix), tlen = index_text_len(ix), bom;
    FUZZ_CHECK(tlen <= INDEX_MAX_TEXT, "text length %zu", tlen); /* index_from_bytes checks it */
    (void)strlen(index_title(ix)); /* NUL-terminated inside the block (ASan would see) */
    (void)index_clean_as_read(ix, &bom);
    (void)index_source(ix);

    /* a stand-in story of the block's length: the bytes differ, the bounds are the same */
    Text *t = NULL;
    if (tlen <= MAX_TEXT) {
        char *fake = malloc(tlen + 1);
        for (size_t i = 0; i < tlen; i++)
            fake[i] = "ab c\n"[i % 5];
        t = text_from_bytes(fake, tlen, "fake.txt");
        FUZZ_CHECK(text_len(t) == tlen, "stand-in text of %zu bytes, not %zu", text_len(t), tlen);
        free(fake);
    }

    Walk walk = {ix, 0, 0};
    index_each_term(ix, 0, (uint32_t)nterms, walked_term, &walk);
    FUZZ_CHECK(walk.seen <= nterms, "the walk gave %u of %zu terms", walk.seen, nterms);

    uint32_t *pos = NULL;
    size_t cap = 0;
    for (size_t id = 0; id < nterms && id < MAX_TERMS; id++) {
        size_t tl;
        const char *term = index_term(ix, (uint32_t)id, &tl);
        size_t n = 0, got = index_positions(ix, (uint32_t)id, &pos, &n, &cap);
        FUZZ_CHECK(got == n && got <= ntok, "term %zu: %zu positions of %u tokens", id, got, ntok);
        for (size_t i = 0; i < got; i++)
            FUZZ_CHECK(pos[i] < ntok && (i == 0 || pos[i] > pos[i - 1]),
                       "term %zu: position %zu is %u (tokens %u)", id, i, pos[i], ntok);
        if (t && got) {
            Span *sp = malloc(got * sizeof *sp);
            index_token_spans(ix, text_bytes(t), 0, text_len(t), pos, got, sp);
            for (size_t i = 0; i < got; i++)
                FUZZ_CHECK(sp[i].start <= sp[i].end && sp[i].end <= tlen,
                           "token %u spans [%zu, %zu) of %zu bytes", pos[i], sp[i].start, sp[i].end,
                           tlen);
            free(sp);
        }
        int64_t found = index_lookup(ix, term, tl);
        if (found >= 0) {
            size_t fl;
            const char *f = index_term(ix, (uint32_t)found, &fl);
            FUZZ_CHECK(fl == tl && !memcmp(f, term, tl), "lookup of term %zu gave term %lld", id,
                       (long long)found);
        }
        uint32_t first, end;
        index_prefix_range(ix, term, tl, &first, &end);
        FUZZ_CHECK(first <= end && end <= nterms, "prefix range [%u, %u) of %zu terms", first, end,
                   nterms);
        if (id < 4) { /* the term as a query, in the modes the reader and lector search use */
            char *qs = strndup(term, tl);
            search(ix, t, qs, SEARCH_FOLD);
            search(ix, t, qs, SEARCH_SMART);
            free(qs);
        }
    }
    free(pos);

    for (size_t i = 0; i <= npara && i < MAX_PARAS; i++) {
        IndexParagraph p = index_paragraph(ix, i);
        FUZZ_CHECK(p.first <= p.end && p.end <= ntok && p.span.start <= p.span.end &&
                       p.span.end <= tlen,
                   "paragraph %zu: tokens [%u, %u) of %u, bytes [%zu, %zu) of %zu", i, p.first,
                   p.end, ntok, p.span.start, p.span.end, tlen);
    }
    for (uint32_t k = 0; k < ntok && k < MAX_PARAS; k++) {
        uint32_t p = k * (ntok / MAX_PARAS + 1);
        if (p >= ntok) break;
        FUZZ_CHECK(index_paragraph_of(ix, p) < (npara ? npara : 1), "token %u in paragraph %zu", p,
                   index_paragraph_of(ix, p));
        size_t doc = index_doc_of(ix, p);
        FUZZ_CHECK(doc < (ndocs ? ndocs : 1), "token %u in document %zu of %zu", p, doc, ndocs);
        uint32_t f, e;
        index_doc_positions(ix, doc, &f, &e);
        FUZZ_CHECK(f <= e && e <= ntok, "document %zu holds [%u, %u) of %u", doc, f, e, ntok);
    }
    search(ix, t, "\"a b\" c*", SEARCH_FOLD);
    search(ix, t, "a", SEARCH_EXACT);

    /* a damaged page, found now or earlier, shows */
    if (!index_verify_all(ix)) FUZZ_CHECK(index_corrupt(ix), "a page check failed unreported");
    text_free(t);
}

static void take(void *block, size_t size, bool mapped)
{
    Index *ix;
    Diag d = {0};
    if (index_from_bytes(block, size, mapped, &ix, &d) != 0) {
        FUZZ_CHECK(d.code != 0 && d.msg[0], "block refused without a reason");
        return;
    }
    exercise(ix);
    index_free(ix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) return 0;
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    take(copy, size, false);

    if (size) {
        uint8_t *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        FUZZ_CHECK(map != MAP_FAILED, "mmap of %zu bytes", size);
        memcpy(map, data, size);
        index_reseal(map, size);
        /* read-only, as cache.c maps a file: a reader that writes to the block faults */
        FUZZ_CHECK(mprotect(map, size, PROT_READ) == 0, "mprotect");
        take(map, size, true);
    }
    return 0;
}
