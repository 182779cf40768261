/* index.c: building and reading the inverted index.
 *
 * Posting format (in memory, and the unit a cache would write): for each term, its positions
 * as ascending deltas, each an unsigned LEB128 varint (7 bits a byte, high bit: more follows).
 * The first delta is from -1, so position 0 is written as 1 and no delta is ever 0. Terms: an
 * arena of NUL-terminated folded strings, found through an open-addressing hash table.
 *
 * Paragraph starts: para_first[i] is the position of paragraph i's first token, so the token
 * count of a paragraph is para_first[i + 1] - para_first[i]; doc_para maps documents to their
 * first paragraph (pieces of one paragraph are one document).
 */
#include "lector/index.h"

#include <stdlib.h>
#include <string.h>

#include "lector/strbuf.h"
#include "lector/token.h"
#include "lector/xalloc.h"

typedef struct {
    uint32_t name_off, name_len;
    uint32_t last;  /* last position added + 1 (0: none yet) */
    uint32_t count; /* occurrences */
    Strbuf post;    /* varint deltas */
} Term;

struct Index {
    Term *terms;
    size_t nterms, terms_cap;
    uint32_t *table; /* term id + 1, 0: empty */
    size_t table_cap;
    Strbuf names;
    uint32_t ntokens;
    uint32_t *para_first; /* npara + 1 */
    size_t npara;
    uint32_t *doc_para; /* ndocs + 1: first paragraph of each document */
    size_t ndocs;
    size_t *para_start; /* byte offset of each paragraph, for index_token_span */
    size_t *para_end;
};

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h;
}

static void table_grow(Index *ix)
{
    size_t cap = ix->table_cap ? ix->table_cap * 2 : 4096;
    uint32_t *t = xcalloc(cap, sizeof *t);
    for (size_t i = 0; i < ix->table_cap; i++) {
        if (!ix->table[i]) continue;
        Term *term = &ix->terms[ix->table[i] - 1];
        size_t j = hash_str(ix->names.buf + term->name_off, term->name_len) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = ix->table[i];
    }
    free(ix->table);
    ix->table = t;
    ix->table_cap = cap;
}

int64_t index_lookup(const Index *ix, const char *s, size_t n)
{
    if (!ix->table_cap) return -1;
    size_t j = hash_str(s, n) & (ix->table_cap - 1);
    for (; ix->table[j]; j = (j + 1) & (ix->table_cap - 1)) {
        const Term *t = &ix->terms[ix->table[j] - 1];
        if (t->name_len == n && !memcmp(ix->names.buf + t->name_off, s, n)) return ix->table[j] - 1;
    }
    return -1;
}

static uint32_t intern(Index *ix, const char *s, size_t n)
{
    if ((ix->nterms + 1) * 2 > ix->table_cap) table_grow(ix);
    size_t j = hash_str(s, n) & (ix->table_cap - 1);
    for (; ix->table[j]; j = (j + 1) & (ix->table_cap - 1)) {
        const Term *t = &ix->terms[ix->table[j] - 1];
        if (t->name_len == n && !memcmp(ix->names.buf + t->name_off, s, n)) return ix->table[j] - 1;
    }
    if (ix->nterms == ix->terms_cap) {
        ix->terms_cap = ix->terms_cap ? ix->terms_cap * 2 : 1024;
        ix->terms = xreallocarray(ix->terms, ix->terms_cap, sizeof *ix->terms);
    }
    Term *t = &ix->terms[ix->nterms];
    *t = (Term){(uint32_t)ix->names.len, (uint32_t)n, 0, 0, STRBUF_INIT};
    strbuf_add(&ix->names, s, n);
    strbuf_addch(&ix->names, 0);
    ix->table[j] = (uint32_t)++ix->nterms;
    return (uint32_t)(ix->nterms - 1);
}

static void put_varint(Strbuf *sb, uint32_t v)
{
    uint8_t b[5];
    int n = 0;
    do {
        b[n] = v & 0x7f;
        v >>= 7;
        if (v) b[n] |= 0x80;
        n++;
    } while (v);
    strbuf_add(sb, b, (size_t)n);
}

typedef struct {
    Index *ix;
    TokenFolder *folder;
    const uint8_t *base;
} BuildCtx;

static void add_token(void *ctx, size_t start, size_t end)
{
    BuildCtx *c = ctx;
    size_t len;
    const char *f = token_fold(c->folder, c->base + start, end - start, &len);
    uint32_t id = intern(c->ix, f, len); /* may move the terms: index after */
    Term *t = &c->ix->terms[id];
    uint32_t pos = c->ix->ntokens++;
    put_varint(&t->post, pos + 1 - t->last);
    t->last = pos + 1;
    t->count++;
}

Index *index_build(Text *t)
{
    text_load_all(t);
    Index *ix = xcalloc(1, sizeof *ix);
    size_t np = text_paragraph_count(t);
    ix->npara = np;
    ix->para_first = xmalloc((np + 1) * sizeof *ix->para_first);
    ix->para_start = xmalloc((np + 1) * sizeof *ix->para_start);
    ix->para_end = xmalloc((np + 1) * sizeof *ix->para_end);
    ix->doc_para = xmalloc((np + 1) * sizeof *ix->doc_para);
    const uint8_t *bytes = text_bytes(t);
    BuildCtx c = {ix, token_folder_new(TOKEN_FOLD_ALL), bytes};
    Strbuf scratch = STRBUF_INIT;
    for (size_t i = 0; i < np; i++) {
        Span sp = text_paragraph(t, i);
        ix->para_first[i] = ix->ntokens;
        ix->para_start[i] = sp.start;
        ix->para_end[i] = sp.end;
        if (i == 0 || !text_paragraph_joined(t, i)) ix->doc_para[ix->ndocs++] = (uint32_t)i;
        c.base = bytes + sp.start; /* token_each's offsets are the paragraph's */
        token_each(c.base, sp.end - sp.start, &scratch, add_token, &c);
    }
    ix->para_first[np] = ix->ntokens;
    ix->doc_para[ix->ndocs] = (uint32_t)np;
    strbuf_release(&scratch);
    token_folder_free(c.folder);
    return ix;
}

void index_free(Index *ix)
{
    if (!ix) return;
    for (size_t i = 0; i < ix->nterms; i++)
        strbuf_release(&ix->terms[i].post);
    free(ix->terms);
    free(ix->table);
    strbuf_release(&ix->names);
    free(ix->para_first);
    free(ix->para_start);
    free(ix->para_end);
    free(ix->doc_para);
    free(ix);
}

size_t index_term_count(const Index *ix)
{
    return ix->nterms;
}

const char *index_term(const Index *ix, uint32_t id, size_t *len)
{
    *len = ix->terms[id].name_len;
    return ix->names.buf + ix->terms[id].name_off;
}

size_t index_term_frequency(const Index *ix, uint32_t id)
{
    return ix->terms[id].count;
}

size_t index_positions(const Index *ix, uint32_t id, uint32_t **out)
{
    const Term *t = &ix->terms[id];
    uint32_t *p = xmalloc((t->count ? t->count : 1) * sizeof *p);
    const uint8_t *s = (const uint8_t *)t->post.buf, *end = s + t->post.len;
    uint32_t prev = 0; /* position + 1 */
    size_t n = 0;
    while (s < end && n < t->count) {
        uint32_t v = 0;
        int shift = 0;
        while (s < end) {
            uint8_t b = *s++;
            v |= (uint32_t)(b & 0x7f) << shift;
            shift += 7;
            if (!(b & 0x80) || shift > 28) break;
        }
        prev += v;
        p[n++] = prev - 1;
    }
    *out = p;
    return n;
}

uint32_t index_token_count(const Index *ix)
{
    return ix->ntokens;
}

size_t index_doc_count(const Index *ix)
{
    return ix->ndocs;
}

/* The last i in [0, n) with a[i] <= v (a ascending, a[0] <= v). */
static size_t last_at_most(const uint32_t *a, size_t n, uint32_t v)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The paragraph holding position pos: the last whose first token is <= pos (paragraphs with no
 * token share their position with the next, which is the one that holds it). */
static size_t para_of(const Index *ix, uint32_t pos)
{
    return last_at_most(ix->para_first, ix->npara, pos);
}

size_t index_doc_of(const Index *ix, uint32_t pos)
{
    return last_at_most(ix->doc_para, ix->ndocs, (uint32_t)para_of(ix, pos));
}

void index_doc_positions(const Index *ix, size_t doc, uint32_t *first, uint32_t *end)
{
    *first = ix->para_first[ix->doc_para[doc]];
    *end = ix->para_first[ix->doc_para[doc + 1]];
}

typedef struct {
    uint32_t want, seen;
    size_t start, end;
} FindCtx;

static void find_token(void *ctx, size_t start, size_t end)
{
    FindCtx *c = ctx;
    if (c->seen++ == c->want) {
        c->start = start;
        c->end = end;
    }
}

Span index_token_span(const Index *ix, const Text *t, uint32_t pos)
{
    size_t para = para_of(ix, pos);
    FindCtx c = {pos - ix->para_first[para], 0, 0, 0};
    Strbuf scratch = STRBUF_INIT;
    const uint8_t *b = text_bytes(t) + ix->para_start[para];
    token_each(b, ix->para_end[para] - ix->para_start[para], &scratch, find_token, &c);
    strbuf_release(&scratch);
    return (Span){ix->para_start[para] + c.start, ix->para_start[para] + c.end};
}

typedef struct {
    const uint32_t *pos;
    size_t n, k; /* wanted positions, the next one */
    uint32_t at; /* position of the next token reported */
    size_t base; /* the paragraph's offset */
    Span *out;
} SpansCtx;

static void collect_spans(void *ctx, size_t start, size_t end)
{
    SpansCtx *c = ctx;
    while (c->k < c->n && c->pos[c->k] == c->at) {
        c->out[c->k++] = (Span){c->base + start, c->base + end};
    }
    c->at++;
}

void index_token_spans(const Index *ix, const Text *t, const uint32_t *pos, size_t n, Span *out)
{
    Strbuf scratch = STRBUF_INIT;
    SpansCtx c = {pos, n, 0, 0, 0, out};
    while (c.k < n) {
        size_t para = para_of(ix, pos[c.k]);
        c.at = ix->para_first[para];
        c.base = ix->para_start[para];
        size_t before = c.k;
        token_each(text_bytes(t) + c.base, ix->para_end[para] - c.base, &scratch, collect_spans,
                   &c);
        if (c.k == before) { /* not found (cannot happen with this index and text): skip it */
            out[c.k] = (Span){c.base, c.base};
            c.k++;
        }
    }
    strbuf_release(&scratch);
}

size_t index_memory(const Index *ix)
{
    size_t n = ix->terms_cap * sizeof *ix->terms + ix->table_cap * sizeof *ix->table +
               ix->names.alloc + (ix->npara + 1) * (sizeof(uint32_t) + 2 * sizeof(size_t)) +
               (ix->ndocs + 1) * sizeof(uint32_t);
    for (size_t i = 0; i < ix->nterms; i++)
        n += ix->terms[i].post.alloc;
    return n;
}
