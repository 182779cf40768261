/* matchlist.c: see matchlist.h.
 *
 * Data model: the matches as search_matches gives them (token position and length, ascending),
 * with their byte spans filled in lazily, a paragraph at a time: the matches of paragraph p are
 * those whose first token lies in the paragraph's positions [first, end) (two binary searches),
 * and their spans come from the index's token spans of those matches' first and last tokens
 * (index_token_spans, one call for the paragraph). The last
 * paragraph asked about is remembered, so drawing a screen in order does each paragraph once.
 *
 * Without an index (matchlist_scan_new) the story is read, a document at a time from its start
 * (search_scan_doc), and each match kept as 8 bytes: its start << 24 | its length (a longer
 * one is drawn 16 MiB long). Matches come in order, so the first at or after any place is known
 * as soon as the reading has passed it.
 */
#include "lector/matchlist.h"

#include <stdlib.h>

#include "lector/xalloc.h"

enum {
    SCAN_LEN_BITS = 24,
    /* A document is read as one up to this many bytes (a paragraph and its pieces); a longer
     * one, which only a hostile file has, in parts of this size, so that reading one never holds
     * more than its tokens: a phrase or several words across two such parts are not found. */
    SCAN_DOC_MAX = 8 << 20,
};

struct MatchList {
    const Index *ix; /* borrowed; NULL: no index, the story is read (scan mode) */
    const Text *t;   /* borrowed, complete (scan mode: loaded as the reading needs) */
    Query *q;        /* owned */
    SearchMatch *m;  /* owned, ascending by pos; span {0, 0} until known */
    size_t n;
    bool case_counts;
    /* the paragraph whose matches were last asked about, and their range in m */
    size_t cached_para, cached_lo, cached_hi;
    /* scan mode */
    Text *scan_text;   /* borrowed: t, loaded further as the reading goes */
    SearchScanner *sc; /* owned */
    uint64_t *packed;  /* owned: start << SCAN_LEN_BITS | length, ascending */
    size_t cap;
    size_t next_para; /* the first paragraph not read yet */
    size_t read_to;   /* and its first byte: every match before it is known */
    bool complete;
};

static Span unpack(uint64_t v)
{
    size_t start = (size_t)(v >> SCAN_LEN_BITS);
    return (Span){start, start + (size_t)(v & ((1u << SCAN_LEN_BITS) - 1))};
}

int matchlist_new(const Index *ix, const Text *t, const char *query, SearchMode mode,
                  MatchRule rule, MatchList **out, Diag *diag)
{
    Query *q;
    int rc = rule == MATCH_WORDS ? query_parse(query, mode, false, &q, diag)
                                 : query_parse_phrase(query, mode, &q, diag);
    if (rc != 0) return -1;
    MatchList *m = xcalloc(1, sizeof *m);
    m->ix = ix;
    m->t = t;
    m->q = q;
    m->case_counts = query_needs_text(q);
    m->n = search_matches(ix, t, q, &m->m);
    m->cached_para = SIZE_MAX;
    m->complete = true;
    *out = m;
    return 0;
}

int matchlist_scan_new(Text *t, const char *query, SearchMode mode, MatchRule rule, MatchList **out,
                       Diag *diag)
{
    Query *q;
    int rc = rule == MATCH_WORDS ? query_parse(query, mode, false, &q, diag)
                                 : query_parse_phrase(query, mode, &q, diag);
    if (rc != 0) return -1;
    MatchList *m = xcalloc(1, sizeof *m);
    m->t = m->scan_text = t;
    m->q = q;
    m->case_counts = query_needs_text(q);
    m->sc = search_scanner_new(q);
    m->cached_para = SIZE_MAX;
    *out = m;
    return 0;
}

bool matchlist_complete(const MatchList *m)
{
    return m->complete;
}

bool matchlist_scan_step(MatchList *m, size_t budget)
{
    if (m->complete) return true; /* with an index, always */
    Text *t = m->scan_text;
    size_t done = 0;
    while (!m->complete && done < budget) {
        size_t p0 = m->next_para;
        if (!text_paragraph_ready(t, p0)) {
            m->complete = true;
            break;
        }
        size_t p1 = p0 + 1, first = text_paragraph(t, p0).start; /* and its pieces: a document */
        while (text_paragraph_ready(t, p1) && text_paragraph_joined(t, p1) &&
               text_paragraph(t, p1).end - first <= SCAN_DOC_MAX)
            p1++;
        const SearchMatch *found;
        size_t k = search_scan_doc(m->sc, t, p0, p1, &found);
        if (m->n + k > m->cap) {
            m->cap = (m->n + k) * 2;
            m->packed = xreallocarray(m->packed, m->cap, sizeof *m->packed);
        }
        for (size_t i = 0; i < k; i++) {
            size_t len = found[i].span.end - found[i].span.start;
            if (len >= (1u << SCAN_LEN_BITS)) len = (1u << SCAN_LEN_BITS) - 1;
            m->packed[m->n++] = (uint64_t)found[i].span.start << SCAN_LEN_BITS | len;
        }
        done += text_paragraph(t, p1 - 1).end - first + 1;
        m->next_para = p1;
        m->read_to = text_paragraph(t, p1 - 1).end;
    }
    if (m->complete) m->read_to = text_len(t);
    return m->complete;
}

size_t matchlist_read_to(const MatchList *m)
{
    return m->ix ? text_len(m->t) : m->read_to;
}

bool matchlist_first_ready(const MatchList *m, size_t origin, int dir)
{
    if (m->complete) return true;
    if (dir > 0) return m->n && unpack(m->packed[m->n - 1]).start >= origin;
    /* backward: a match before origin, and nothing between it and origin left to read */
    return m->read_to >= origin && m->n && unpack(m->packed[0]).start < origin;
}

/* Scan mode: reads on until the first match at or after off is known, or the story ends. */
static void scan_past(MatchList *m, size_t off)
{
    while (!m->complete && (!m->n || unpack(m->packed[m->n - 1]).start < off))
        matchlist_scan_step(m, 1 << 20);
}

/* Scan mode: reads on until at least need matches are known, or the story ends. */
static void scan_count(MatchList *m, size_t need)
{
    while (!m->complete && m->n < need)
        matchlist_scan_step(m, 1 << 20);
}

void matchlist_free(MatchList *m)
{
    if (!m) return;
    query_free(m->q);
    free(m->m);
    search_scanner_free(m->sc);
    free(m->packed);
    free(m);
}

size_t matchlist_count(const MatchList *m)
{
    return m->n;
}

bool matchlist_case_counts(const MatchList *m)
{
    return m->case_counts;
}

/* The first match whose first token is at or after position pos. */
static size_t at_pos(const MatchList *m, uint32_t pos)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->m[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The first i with a[i] >= v in ascending a[0, n). */
static size_t lower_bound(const uint32_t *a, size_t n, uint32_t v)
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

/* Spans of matches [i, j) whose spans are not known yet: the query's part of their words. Each
 * match's first and last token are spanned together, each paragraph tokenized once. */
static void ensure_spans(MatchList *m, size_t i, size_t j)
{
    while (i < j && m->m[i].span.end)
        i++;
    while (j > i && m->m[j - 1].span.end)
        j--;
    if (i >= j) return;
    size_t np = 0;
    uint32_t *pos = xmalloc(2 * (j - i) * sizeof *pos);
    for (size_t x = i; x < j; x++) {
        pos[np++] = m->m[x].pos;
        if (m->m[x].len > 1) pos[np++] = m->m[x].pos + m->m[x].len - 1;
    }
    qsort(pos, np, sizeof *pos, cmp_u32);
    size_t nu = 0;
    for (size_t x = 0; x < np; x++)
        if (!nu || pos[nu - 1] != pos[x]) pos[nu++] = pos[x];
    Span *sp = xmalloc(nu * sizeof *sp);
    const uint8_t *b = text_bytes(m->t);
    index_token_spans(m->ix, b, 0, pos, nu, sp);
    for (size_t x = i; x < j; x++) {
        if (m->m[x].span.end) continue;
        Span first = sp[lower_bound(pos, nu, m->m[x].pos)];
        Span last = sp[lower_bound(pos, nu, m->m[x].pos + m->m[x].len - 1)];
        m->m[x].span = search_refine_span(m->q, b, first, last);
        if (!m->m[x].span.end) m->m[x].span.end = 1; /* a damaged index: never "unknown" again */
    }
    free(sp);
    free(pos);
}

/* The matches of paragraph para: [*lo, *hi), their spans known. */
static void para_matches(MatchList *m, size_t para, size_t *lo, size_t *hi)
{
    if (para != m->cached_para) {
        IndexParagraph ip = index_paragraph(m->ix, para);
        m->cached_lo = at_pos(m, ip.first);
        m->cached_hi = at_pos(m, ip.end);
        ensure_spans(m, m->cached_lo, m->cached_hi);
        m->cached_para = para;
    }
    *lo = m->cached_lo;
    *hi = m->cached_hi;
}

size_t matchlist_from(MatchList *m, size_t off)
{
    if (!m->ix) {
        scan_past(m, off);
        size_t lo = 0, hi = m->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (unpack(m->packed[mid]).start < off)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
    if (!m->n) return 0;
    size_t para = text_paragraph_at(m->t, off);
    if (para >= index_paragraph_count(m->ix)) return m->n;
    size_t lo, hi;
    para_matches(m, para, &lo, &hi);
    while (lo < hi && m->m[lo].span.start < off)
        lo++;
    return lo;
}

Span matchlist_span(MatchList *m, size_t i)
{
    if (i >= m->n) return (Span){0, 0};
    if (!m->ix) return unpack(m->packed[i]);
    ensure_spans(m, i, i + 1);
    return m->m[i].span;
}

Style matchlist_style_at(MatchList *m, size_t off, size_t current)
{
    if (!m->ix) { /* the last match starting at or before off, or one of the two before it */
        size_t lo = 0, hi = m->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (unpack(m->packed[mid]).start <= off)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k > 0 && k + 3 > lo; k--)
            if (unpack(m->packed[k - 1]).end > off)
                return k - 1 == current ? STYLE_CURRENT : STYLE_MATCH;
        return STYLE_TEXT;
    }
    if (!m->n) return STYLE_TEXT;
    size_t para = text_paragraph_at(m->t, off);
    if (para >= index_paragraph_count(m->ix)) return STYLE_TEXT;
    size_t lo, hi;
    para_matches(m, para, &lo, &hi);
    /* the first match ending after off */
    size_t a = lo, b = hi;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (m->m[mid].span.end <= off)
            a = mid + 1;
        else
            b = mid;
    }
    if (a < hi && m->m[a].span.start <= off) return a == current ? STYLE_CURRENT : STYLE_MATCH;
    return STYLE_TEXT;
}

size_t matchlist_first(MatchList *m, size_t origin, int dir, bool *wrapped)
{
    *wrapped = false;
    size_t i = matchlist_from(m, origin); /* scan mode: read past origin */
    if (dir > 0) {
        if (i < m->n) return i;
        if (!m->n) return m->n; /* nothing at or after origin: the story was read to its end */
        *wrapped = true;
        return 0;
    }
    if (i > 0) return i - 1;
    scan_count(m, SIZE_MAX); /* round the end: the last match of all */
    if (!m->n) return m->n;
    *wrapped = true;
    return m->n - 1;
}

size_t matchlist_step(MatchList *m, size_t cur, size_t top, int dir, long count, bool *wrapped)
{
    *wrapped = false;
    if (count < 1) count = 1;
    size_t lo = matchlist_from(m, top); /* the first match at or after the top line */
    size_t at = cur < m->n && cur >= lo ? cur : SIZE_MAX;
    if (!m->complete) { /* scan mode: know as far as the steps go; all of it to go round */
        size_t base = at != SIZE_MAX ? at : lo;
        if (dir > 0)
            scan_count(m, base + (size_t)count + 1);
        else if (base < (size_t)count + (at == SIZE_MAX))
            scan_count(m, SIZE_MAX);
    }
    if (!m->n) return m->n;
    if ((size_t)count > m->n) *wrapped = true;
    /* a count past the number of matches goes round as often as it says, but no more than
     * once through the list's work */
    count = (long)((size_t)(count - 1) % m->n) + 1;
    for (long k = 0; k < count; k++) {
        size_t i = at != SIZE_MAX ? (dir > 0 ? at + 1 : at) : lo;
        if (dir > 0 && i >= m->n) {
            i = 0;
            *wrapped = true;
        } else if (dir < 0 && i == 0) {
            i = m->n;
            *wrapped = true;
        }
        at = dir > 0 ? i : i - 1;
    }
    return at;
}

int matchlist_strip_row(const MatchList *m, size_t i, int rows)
{
    if (!m->ix) { /* by bytes: the place in the story */
        size_t len = text_len_estimate(m->t);
        if (i >= m->n || !len || rows < 1) return -1;
        int r = (int)((uint64_t)unpack(m->packed[i]).start * (uint64_t)rows / len);
        return r < rows ? r : rows - 1;
    }
    uint32_t ntokens = index_token_count(m->ix);
    if (i >= m->n || !ntokens || rows < 1) return -1;
    int r = (int)((uint64_t)m->m[i].pos * (uint64_t)rows / ntokens);
    return r < rows ? r : rows - 1;
}
