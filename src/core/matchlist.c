/* matchlist.c: see matchlist.h.
 *
 * Data model: the matches as search_matches gives them (token position and length, ascending),
 * with their byte spans filled in lazily, a paragraph at a time: the matches of paragraph p are
 * those whose first token lies in the paragraph's positions [first, end) (two binary searches),
 * and their spans come from the index's token spans of those matches' first and last tokens
 * (index_token_spans, one call for the paragraph). The last
 * paragraph asked about is remembered, so drawing a screen in order does each paragraph once.
 */
#include "lector/matchlist.h"

#include <stdlib.h>

#include "lector/xalloc.h"

struct MatchList {
    const Index *ix; /* borrowed */
    const Text *t;   /* borrowed, complete */
    Query *q;        /* owned */
    SearchMatch *m;  /* owned, ascending by pos; span {0, 0} until known */
    size_t n;
    bool case_counts;
    /* the paragraph whose matches were last asked about, and their range in m */
    size_t cached_para, cached_lo, cached_hi;
};

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
    *out = m;
    return 0;
}

void matchlist_free(MatchList *m)
{
    if (!m) return;
    query_free(m->q);
    free(m->m);
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
    ensure_spans(m, i, i + 1);
    return m->m[i].span;
}

Style matchlist_style_at(MatchList *m, size_t off, size_t current)
{
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
    if (!m->n) return m->n;
    size_t i = matchlist_from(m, origin);
    if (dir > 0) {
        if (i < m->n) return i;
        *wrapped = true;
        return 0;
    }
    if (i > 0) return i - 1;
    *wrapped = true;
    return m->n - 1;
}

size_t matchlist_step(MatchList *m, size_t cur, size_t top, int dir, long count, bool *wrapped)
{
    *wrapped = false;
    if (!m->n) return m->n;
    if (count < 1) count = 1;
    if ((size_t)count > m->n) *wrapped = true;
    size_t lo = matchlist_from(m, top); /* the first match at or after the top line */
    size_t at = cur < m->n && cur >= lo ? cur : SIZE_MAX;
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
    uint32_t ntokens = index_token_count(m->ix);
    if (i >= m->n || !ntokens || rows < 1) return -1;
    int r = (int)((uint64_t)m->m[i].pos * (uint64_t)rows / ntokens);
    return r < rows ? r : rows - 1;
}
