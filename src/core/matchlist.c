/* matchlist.c: see matchlist.h.
 *
 * Data model: the matches as search_matches gives them (token position and length, ascending),
 * with their byte spans filled in lazily, a paragraph at a time: the matches of paragraph p are
 * those whose first token lies in the paragraph's positions [first, end) (two binary searches),
 * and their spans come from the index's token spans of those matches' first and last tokens
 * (index_token_spans, one call for the paragraph). The last
 * paragraph asked about is remembered, so drawing a screen in order does each paragraph once.
 *
 * Without an index (matchlist_scan_new) the story is read a document at a time (search_scan_doc),
 * and each match kept as 8 bytes: its start << 24 | its length (a longer one is drawn 16 MiB
 * long). The reading starts at the document holding the search's origin and goes to the end
 * (the tail run), then from the start up to there (the head run); the list in story order is
 * head then tail, so a match's number grows when the head run finds more: callers that keep
 * one across reading find it again by its offset. Each run comes in order, so the first match
 * at or after a place in it is known as soon as its reading has passed that place.
 */
#include "lector/matchlist.h"

#include <stdlib.h>

#include "lector/regex.h"
#include "lector/xalloc.h"

enum {
    SCAN_LEN_BITS = 24,
    /* A document is read as one up to this many bytes (a paragraph and its pieces); a longer
     * one, which only a hostile file has, in parts of this size, so that reading one never holds
     * more than its tokens: a phrase or several words across two such parts are not found. */
    SCAN_DOC_MAX = 8 << 20,
    /* The most matches a reading keeps (16 MiB of them): "/e" in a 16 GB story would otherwise
     * keep gigabytes. Past it the reading stops, and the list says it was cut (matchlist_capped).
     */
    SCAN_MAX_MATCHES = 2 << 20,
};

/* One run of the reading: paragraphs [next, end_para) still to read. */
typedef struct {
    uint64_t *v; /* owned: start << SCAN_LEN_BITS | length, ascending */
    size_t n, cap;
    size_t next, end_para;
    size_t read_to; /* the end of what it has read */
    bool done;
} ScanRun;

struct MatchList {
    const Index *ix; /* borrowed; NULL: no index, the story is read (scan mode) */
    Text *t;         /* borrowed: loaded as far as the spans asked about (scan mode: as far as
                        the reading), or whole when case counts */
    Query *q;        /* owned */
    SearchMatch *m;  /* owned, ascending by pos; span {0, 0} until known */
    size_t n;
    bool case_counts;
    /* the paragraph whose matches were last asked about, and their range in m */
    size_t cached_para, cached_lo, cached_hi;
    bool no_read_ahead; /* text_read_ahead failed once (the file changed): not tried again */
    /* scan mode: n == head.n + tail.n */
    Text *scan_text;   /* borrowed: t, loaded further as the reading goes */
    SearchScanner *sc; /* owned; NULL for a pattern */
    Regex *re;         /* owned: the pattern of a "re:" query (regex.h), else NULL */
    bool re_stopped;   /* the pattern hit a PCRE2 limit: the reading stopped there */
    ScanRun head, tail;
    size_t start_off; /* the first byte of the tail run (of its first paragraph) */
    bool complete;    /* both runs read, or reading stopped at SCAN_MAX_MATCHES */
    bool capped;      /* it stopped there */
};

static Span unpack(uint64_t v)
{
    size_t start = (size_t)(v >> SCAN_LEN_BITS);
    return (Span){start, start + (size_t)(v & ((1u << SCAN_LEN_BITS) - 1))};
}

int matchlist_new(const Index *ix, Text *t, const char *query, SearchMode mode, MatchList **out,
                  Diag *diag)
{
    if (search_is_regex(query, NULL)) { /* a pattern reads the story: all of it, now */
        if (matchlist_scan_new(t, query, mode, 0, out, diag) != 0) return -1;
        while (!matchlist_scan_step(*out, SIZE_MAX / 4)) {
        }
        return 0;
    }
    Query *q;
    if (query_parse(query, mode, &q, diag) != 0) return -1;
    MatchList *m = xcalloc(1, sizeof *m);
    m->ix = ix;
    m->t = t;
    m->q = q;
    m->case_counts = query_needs_text(q);
    if (m->case_counts) text_load_all(t); /* every match's bytes are checked */
    m->n = search_matches(ix, t, q, &m->m);
    m->cached_para = SIZE_MAX;
    m->complete = true;
    *out = m;
    return 0;
}

int matchlist_scan_new(Text *t, const char *query, SearchMode mode, size_t origin, MatchList **out,
                       Diag *diag)
{
    const char *pattern;
    Query *q = NULL;
    Regex *re = NULL;
    if (search_is_regex(query, &pattern) ? regex_compile(pattern, mode, &re, diag) != 0
                                         : query_parse(query, mode, &q, diag) != 0)
        return -1;
    MatchList *m = xcalloc(1, sizeof *m);
    m->t = m->scan_text = t;
    m->q = q;
    m->re = re;
    m->case_counts = re ? regex_case_counts(re) : query_needs_text(q);
    if (q) m->sc = search_scanner_new(q);
    m->cached_para = SIZE_MAX;
    size_t start = 0; /* the document holding origin: its first paragraph, not a joined piece */
    if (origin > 0) {
        text_load_until(t, origin);
        start = text_paragraph_at(t, origin);
        while (start > 0 && start < text_paragraph_count(t) && text_paragraph_joined(t, start))
            start--;
    }
    m->start_off = start < text_paragraph_count(t) ? text_paragraph(t, start).start : text_len(t);
    m->head = (ScanRun){.next = 0, .end_para = start, .done = start == 0};
    m->tail = (ScanRun){.next = start, .end_para = SIZE_MAX, .read_to = m->start_off};
    *out = m;
    return 0;
}

bool matchlist_complete(const MatchList *m)
{
    return m->complete;
}

size_t matchlist_head_count(const MatchList *m)
{
    return m->ix ? 0 : m->head.n;
}

size_t matchlist_renumber(const MatchList *m, size_t i, size_t head_before)
{
    return i >= head_before && i != SIZE_MAX ? i + (matchlist_head_count(m) - head_before) : i;
}

static Span unpack_at(const MatchList *m, size_t i)
{
    return unpack(i < m->head.n ? m->head.v[i] : m->tail.v[i - m->head.n]);
}

/* Reads about budget more bytes of run r, a document at a time. */
static void run_step(MatchList *m, ScanRun *r, size_t budget)
{
    Text *t = m->scan_text;
    size_t done = 0;
    while (!r->done && done < budget && m->head.n + m->tail.n < SCAN_MAX_MATCHES) {
        size_t p0 = r->next;
        if (p0 >= r->end_para || !text_paragraph_ready(t, p0)) {
            r->done = true;
            break;
        }
        size_t p1 = p0 + 1, first = text_paragraph(t, p0).start; /* and its pieces: a document */
        while (p1 < r->end_para && text_paragraph_ready(t, p1) && text_paragraph_joined(t, p1) &&
               text_paragraph(t, p1).end - first <= SCAN_DOC_MAX)
            p1++;
        const SearchMatch *found = NULL;
        const Span *spans = NULL;
        size_t k = m->re ? regex_scan(m->re, text_bytes(t), first, text_paragraph(t, p1 - 1).end,
                                      &spans, &m->re_stopped)
                         : search_scan_doc(m->sc, t, p0, p1, &found);
        if (r->n + k > r->cap) {
            r->cap = (r->n + k) * 2;
            r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
        }
        for (size_t i = 0; i < k; i++) {
            Span sp = spans ? spans[i] : found[i].span;
            size_t len = sp.end - sp.start;
            if (len >= (1u << SCAN_LEN_BITS)) len = (1u << SCAN_LEN_BITS) - 1;
            r->v[r->n++] = (uint64_t)sp.start << SCAN_LEN_BITS | len;
        }
        if (m->re_stopped) { /* a limit: what was found stays, the rest is not read */
            m->head.done = m->tail.done = true;
            break;
        }
        done += text_paragraph(t, p1 - 1).end - first + 1;
        r->next = p1;
        r->read_to = text_paragraph(t, p1 - 1).end;
    }
    m->n = m->head.n + m->tail.n;
    if (m->n >= SCAN_MAX_MATCHES) m->capped = m->head.done = m->tail.done = true;
    m->complete = m->head.done && m->tail.done;
}

bool matchlist_capped(const MatchList *m)
{
    return m->capped;
}

const char *matchlist_stopped(const MatchList *m)
{
    return m->re_stopped ? regex_stop_reason(m->re) : NULL;
}

bool matchlist_scan_step(MatchList *m, size_t budget)
{
    if (m->complete) return true; /* with an index, always */
    run_step(m, m->tail.done ? &m->head : &m->tail, budget);
    return m->complete;
}

size_t matchlist_read_to(const MatchList *m)
{
    if (m->complete) return text_len(m->t);
    return m->tail.read_to - m->start_off + m->head.read_to;
}

static size_t run_last(const ScanRun *r)
{
    return unpack(r->v[r->n - 1]).start;
}

bool matchlist_first_ready(const MatchList *m, size_t origin, int dir)
{
    if (m->complete) return true;
    const ScanRun *in = origin >= m->start_off ? &m->tail : &m->head;
    const ScanRun *after = in == &m->tail ? &m->head : &m->tail; /* where it goes on */
    if (dir > 0) return (in->n && run_last(in) >= origin) || (in->done && after->n);
    /* backward: a match before origin, and nothing between it and origin left to read */
    return in->read_to >= origin && in->n && unpack(in->v[0]).start < origin;
}

/* Scan mode: reads on until the first match at or after off is known, or the story ends. */
static void scan_past(MatchList *m, size_t off)
{
    ScanRun *in = off >= m->start_off ? &m->tail : &m->head;
    while (!in->done && (!in->n || run_last(in) < off))
        run_step(m, in, 1 << 20);
    if (in == &m->head && (!in->n || run_last(in) < off)) /* then the tail's first */
        while (!m->tail.done && !m->tail.n)
            run_step(m, &m->tail, 1 << 20);
}

/* Scan mode: reads all that is left. */
static void scan_all(MatchList *m)
{
    while (!matchlist_scan_step(m, 16 << 20)) {
    }
}

void matchlist_free(MatchList *m)
{
    if (!m) return;
    query_free(m->q);
    free(m->m);
    search_scanner_free(m->sc);
    regex_free(m->re);
    free(m->head.v);
    free(m->tail.v);
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
 * match's first and last token are spanned together, each paragraph tokenized once. Their
 * paragraphs' bytes come from the story, loaded up to them; or, past what is loaded of a story
 * the index saw clean as read, from its file (text_read_ahead), so that showing a match 90 MB
 * into a story being read costs a read of its paragraph, not a load of the 90 MB. Without
 * may_load only that way: false when it cannot (the spans stay unknown). */
static bool ensure_spans(MatchList *m, size_t i, size_t j, bool may_load)
{
    while (i < j && m->m[i].span.end)
        i++;
    while (j > i && m->m[j - 1].span.end)
        j--;
    if (i >= j) return true;
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
    size_t from = index_paragraph(m->ix, index_paragraph_of(m->ix, pos[0])).span.start;
    size_t need = index_paragraph(m->ix, index_paragraph_of(m->ix, pos[nu - 1])).span.end;
    size_t bom, base = 0, len;
    uint8_t *ahead = NULL;
    if (!text_complete(m->t) && need > text_len(m->t) && !m->no_read_ahead &&
        index_clean_as_read(m->ix, &bom)) {
        ahead = text_read_ahead(m->t, from, need);
        /* drawing asks once a cell: a failure is not retried at every one */
        m->no_read_ahead = !ahead && need - from <= TEXT_READ_AHEAD_MAX;
    }
    if (!ahead && !may_load) {
        free(pos);
        return false;
    }
    const uint8_t *b;
    if (ahead) {
        b = ahead;
        base = from;
        len = need - from;
    } else { /* their paragraphs loaded (the bytes may move as the story loads: looked up after) */
        text_load_until(m->t, need);
        b = text_bytes(m->t);
        len = text_len(m->t);
    }
    Span *sp = xmalloc(nu * sizeof *sp);
    index_token_spans(m->ix, b, base, len, pos, nu, sp);
    for (size_t x = 0; x < nu; x++) { /* as offsets in b; past its end: not the indexed story */
        sp[x] = (Span){sp[x].start - base, sp[x].end - base};
        if (sp[x].start > len || sp[x].end > len) sp[x] = (Span){len, len};
    }
    for (size_t x = i; x < j; x++) {
        if (m->m[x].span.end) continue;
        Span first = sp[lower_bound(pos, nu, m->m[x].pos)];
        Span last = sp[lower_bound(pos, nu, m->m[x].pos + m->m[x].len - 1)];
        Span r = search_refine_span(m->q, b, first, last);
        m->m[x].span = (Span){r.start + base, r.end + base};
        if (!m->m[x].span.end) m->m[x].span.end = 1; /* a damaged index: never "unknown" again */
    }
    free(sp);
    free(pos);
    free(ahead);
    return true;
}

/* The matches of paragraph para: [*lo, *hi), their spans known; false (without may_load) when
 * they cannot be without loading the story up to them. */
static bool para_matches(MatchList *m, size_t para, size_t *lo, size_t *hi, bool may_load)
{
    if (para != m->cached_para) {
        IndexParagraph ip = index_paragraph(m->ix, para);
        size_t a = at_pos(m, ip.first), b = at_pos(m, ip.end);
        if (!ensure_spans(m, a, b, may_load)) return false;
        m->cached_lo = a;
        m->cached_hi = b;
        m->cached_para = para;
    }
    *lo = m->cached_lo;
    *hi = m->cached_hi;
    return true;
}

size_t matchlist_from(MatchList *m, size_t off)
{
    if (!m->ix) {
        scan_past(m, off);
        bool tail = off >= m->start_off;
        const ScanRun *r = tail ? &m->tail : &m->head;
        size_t lo = 0, hi = r->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (unpack(r->v[mid]).start < off)
                lo = mid + 1;
            else
                hi = mid;
        }
        return tail ? m->head.n + lo : lo; /* past the head's last: the tail's first */
    }
    if (!m->n) return 0;
    /* by the index's paragraphs: off may be past what is loaded (the end shown by G) */
    size_t para = index_paragraph_at(m->ix, off);
    if (para >= index_paragraph_count(m->ix)) return m->n;
    size_t lo, hi;
    para_matches(m, para, &lo, &hi, true);
    while (lo < hi && m->m[lo].span.start < off)
        lo++;
    return lo;
}

Span matchlist_span(MatchList *m, size_t i)
{
    if (i >= m->n) return (Span){0, 0};
    if (!m->ix) return unpack_at(m, i);
    ensure_spans(m, i, i + 1, true);
    return m->m[i].span;
}

Style matchlist_style_at(MatchList *m, size_t off, size_t current)
{
    if (!m->ix) { /* the last match starting at or before off, or one of the two before it */
        size_t lo = 0, hi = m->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (unpack_at(m, mid).start <= off)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k > 0 && k + 3 > lo; k--)
            if (unpack_at(m, k - 1).end > off)
                return k - 1 == current ? STYLE_CURRENT : STYLE_MATCH;
        return STYLE_TEXT;
    }
    /* a place not loaded yet (a window's: the end shown by G, a match far in) is drawn plain
     * unless its matches' bytes can be read from the file: else they would load the story up
     * to it */
    if (!m->n) return STYLE_TEXT;
    size_t para = index_paragraph_at(m->ix, off);
    if (para >= index_paragraph_count(m->ix)) return STYLE_TEXT;
    size_t lo, hi;
    if (!para_matches(m, para, &lo, &hi, text_complete(m->t) || off < text_len(m->t)))
        return STYLE_TEXT;
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
        if (!m->ix) /* round the end: the first of all */
            while (!m->complete && !m->head.n && !(m->head.done && m->tail.n))
                matchlist_scan_step(m, 1 << 20);
        if (!m->n) return m->n; /* no match at all */
        *wrapped = true;
        return 0;
    }
    /* the match before i: known in the run origin is in, else the whole list is needed */
    if (!m->ix && !(origin >= m->start_off ? i > m->head.n : i > 0)) {
        scan_all(m);
        i = matchlist_from(m, origin);
    }
    if (i > 0) return i - 1;
    if (!m->n) return m->n;
    *wrapped = true;
    return m->n - 1;
}

/* Scan mode: reads what a step of count from base that way needs, and returns base's number
 * after it (the head run's new matches come before it). */
static size_t scan_for_step(MatchList *m, size_t base, int dir, long count)
{
    if (m->complete) return base;
    size_t head_before = m->head.n;
    if (dir > 0) {
        if (base < m->head.n)
            while (!m->head.done) /* the head's next ones come before the tail's */
                run_step(m, &m->head, 16 << 20);
        size_t at = matchlist_renumber(m, base, head_before);
        while (!m->tail.done && m->n <= at + (size_t)count)
            run_step(m, &m->tail, 1 << 20);
        if (m->n <= at + (size_t)count) scan_all(m); /* round the end */
    } else if (base < m->head.n + (size_t)count) {   /* into the head, or round the end */
        scan_all(m);
    }
    return matchlist_renumber(m, base, head_before);
}

size_t matchlist_step(MatchList *m, size_t cur, size_t top, int dir, long count, bool *wrapped)
{
    *wrapped = false;
    if (count < 1) count = 1;
    size_t head_before = matchlist_head_count(m);
    size_t lo = matchlist_from(m, top);            /* the first match at or after the top line */
    cur = matchlist_renumber(m, cur, head_before); /* reading to the top may have found more */
    size_t at = cur < m->n && cur >= lo ? cur : SIZE_MAX;
    if (!m->complete) { /* scan mode: know as far as the steps go; all of it to go round */
        size_t base = scan_for_step(m, at != SIZE_MAX ? at : lo, dir, count);
        if (at != SIZE_MAX)
            at = base;
        else
            lo = base;
        if (at == SIZE_MAX) lo = matchlist_from(m, top);
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
        int r = (int)((uint64_t)unpack_at(m, i).start * (uint64_t)rows / len);
        return r < rows ? r : rows - 1;
    }
    uint32_t ntokens = index_token_count(m->ix);
    if (i >= m->n || !ntokens || rows < 1) return -1;
    int r = (int)((uint64_t)m->m[i].pos * (uint64_t)rows / ntokens);
    return r < rows ? r : rows - 1;
}
