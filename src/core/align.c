/* align.c: pairing the paragraphs of two stories, and the word diff inside each pair.
 *
 * Data, per side: the paragraphs (pieces joined), every token as {term id, byte span}, and each
 * paragraph's bag of words: its distinct terms, ascending, with counts. Term ids come from one
 * vocabulary shared by both sides, so that equal ids mean equal folded words. Weights are
 * (1 + ln tf) * idf, idf = ln((N + 1) / df) over the N paragraphs of both stories: a word in
 * every paragraph weighs next to nothing, which keeps "the" and "and" from pairing unrelated
 * paragraphs (but two one-paragraph stories still have weights). Paragraphs equal but for
 * spacing always pair, words or not.
 *
 * Cost: tokenizing is linear; candidates are bounded per paragraph (ALIGN_RARE_TERMS of its
 * rarest words, each followed only when it is in at most ALIGN_MAX_DF paragraphs of B, and at most
 * ALIGN_CANDIDATES paragraphs scored exactly); the chain is O(E log n) over those E pairs; the
 * word diff is quadratic only inside one pair, and bounded (LCS_MAX_CELLS), past which the
 * middle of the pair is marked changed as a whole.
 */
#include "lector/align.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>

#include "lector/hash.h"
#include "lector/stem.h"
#include "lector/strbuf.h"
#include "lector/token.h"
#include "lector/xalloc.h"
#include "lector/thread.h"

enum {
    MOVED_MIN_WORDS = 3,       /* a sentence this long or longer can count as moved in a pair */
    MOVED_MAX_SENTENCES = 256, /* sentences of a pair's side looked at, at most (quadratic) */
    GAP_MAX_WORK = 100000000,  /* a gap's programme: cells x words compared per cell, at most */
    GAP_MAX_CELLS = 4000000,   /* a gap's dynamic programme, at most (a band past this) */
    ALIGN_RARE_TERMS = 12,     /* rarest words of a paragraph followed to find candidates */
    ALIGN_CANDIDATES = 24,     /* candidates per paragraph scored exactly */
    ALIGN_NEIGHBOURS = 2,      /* B paragraphs either side of the diagonal, always scored */
    ALIGN_MAX_DF = 128,        /* a word followed only when in at most this many of B's */
    ALIGN_GAP_SCORED = 8,      /* a gap between anchors this small or smaller: scored first */
    LCS_MAX_CELLS = 4000000,   /* word diff table bound (uint16 cells: 8 MB) */
};
#define ALIGN_MIN_CONTAINED 0.6 /* share of a paragraph's weight found in a pair to join it */
#define ALIGN_GAP_MIN 0.06      /* meaning similarity for two paragraphs in a gap to pair at all */
#define ALIGN_GAP_FLOOR 0.03    /* ... a pair's worth is its similarity above this */
#define TRANSLATION_SIGMA 0.25  /* spread of ln(length ratio) of a paragraph and its translation */
#define TRANSLATION_BAND 32    /* a long translation's band: paragraphs either side of its centre */
#define TRANSLATION_MIN 0.3    /* a translation's similarity for two paragraphs to pair at all */
#define TRANSLATION_FLOOR 0.25 /* ... its worth is the similarity above this */
#define TRANSLATION_JOIN 0.05  /* ... less this for each paragraph joined */
#define ALIGN_JOIN_MIN 0.06    /* meaning similarity for a paragraph to join a pair beside it */
#define ALIGN_END_MIN                                                                              \
    0.05 /* meaning similarity for a story's last paragraph to join the pair before */
#define ALIGN_GAP_JOIN 0.02 /* ... less this for each paragraph joined to it */

/* A word's count in a paragraph. Its weight, (1 + ln tf) * idf, is worked out where it is used
 * (bag_weight), not kept: a bag per paragraph takes about as many entries as the story has
 * words, and 8 bytes instead of 16 each halves what the bags of a big story take. */
typedef struct {
    uint32_t term, tf;
} Bag;

/* What a bag's words are weighed by: idf per word (or stem), and 1 + ln tf for the counts below
 * TF_TABLE (a logarithm was a sixth of the time of pairing two 10 MB versions). */
enum { TF_TABLE = 64 };
typedef struct {
    const double *idf;
    const double *tf;
} Weights;

static inline double bag_weight(const Weights *w, Bag b)
{
    return (b.tf < TF_TABLE ? w->tf[b.tf] : 1 + log((double)b.tf)) * w->idf[b.term];
}

typedef struct {
    const Text *t;
    const uint8_t *bytes;
    size_t npara;
    Span *para;
    size_t *tok0;   /* npara + 1: paragraph i's tokens are [tok0[i], tok0[i + 1]) */
    uint32_t *term; /* per token; where its bytes are is found again for the pairs that need it
                       (pair_spans): 8 bytes a token kept would double the memory a side takes */
    size_t ntok, tokcap;
    size_t *bag0; /* npara + 1 */
    Bag *bag;
    double *norm;       /* per paragraph: length of its weight vector */
    int *group;         /* per paragraph: its pair's index, or -1 */
    uint32_t *twin;     /* per paragraph: the other side's paragraph equal to it, when each is the
                           only one of its text on its side (an anchor); NO_TWIN otherwise */
    size_t *twin_ntok;  /* per paragraph: a twin's tokens, counted, not kept (0 for the others) */
    size_t twin_tokens; /* their sum */
    uint64_t *hash;     /* per paragraph: text_hash, by find_twins */
    uint8_t *in_order;  /* side A, per paragraph: a twin of the longest run of twins in order on
                           both sides (find_twins), the anchors between which the gaps are */
    size_t *sbag0;      /* npara + 1: paragraph i's stems are sbag[sbag0[i], sbag0[i + 1]) */
    Bag *sbag;          /* its bag of stems (stem ids), weighed by the stems' idf */
    double *snorm;      /* per paragraph: the length of that vector */
    size_t released;    /* the text's bytes before this were last given back (release_behind) */
} Side;

/* A pass over a mapped story reads it all; the bytes behind the pass are given back to the file
 * (text_release) a few MiB at a time, so that aligning holds a few MiB of each story's pages,
 * not the stories (they are read again, from the file, by the next pass). */
enum { RELEASE_STEP = 4 << 20 };

static void release_behind(Side *s, size_t upto)
{
    if (upto >= s->released + RELEASE_STEP) {
        text_release(s->t, s->released, upto);
        s->released = upto;
    }
}

/* At the end of a pass: all of it. */
static void release_all(Side *s)
{
    text_release(s->t, 0, text_len(s->t));
    s->released = 0;
}

#define NO_TWIN UINT32_MAX

typedef struct {
    char *names; /* Strbuf bytes */
    size_t *off; /* name i is names[off[i], off[i + 1]) */
    size_t n, cap;
    uint32_t *table; /* id + 1, 0 empty */
    size_t tcap;
    Strbuf buf;
} Vocab;

typedef struct {
    size_t a, na, b, nb;
    double cos;
    int moved;
} Pair;

typedef struct {
    Span *v;
    size_t n, cap;
    const uint8_t *bytes; /* the story's */
    size_t base;          /* collect_token: the paragraph being tokenized */
    /* A translation's rows: the tokens' words too, folded and found in vocab, in term[0, n) */
    TokenFolder *folder; /* NULL: the bytes only */
    Vocab *vocab;
    uint32_t *term;
    size_t tcap;
    /* owned; bit t set when the side's token t is an anchor both sides hold (stem_bags): the
     * other tokens' words are not folded and looked up (term NO_ANCHOR), which was a quarter of
     * a translation's time */
    uint8_t *anchors;
    size_t tok; /* the side's number of the token collected first (pair_spans) */
} SpanList;

enum { NO_ANCHOR = UINT32_MAX }; /* SpanList.term: no anchor, its word not looked up */

struct Alignment {
    Side side[2];
    double *idf;
    size_t nterms;
    uint32_t *stem_of;        /* per term: its stem's id */
    double *sidf;             /* per stem */
    double tf[TF_TABLE];      /* 1 + ln tf */
    Weights by_word, by_stem; /* idf and tf, sidf and tf */
    size_t nstems;
    char lang[2][4];    /* each side's language (stem.h), "" unknown */
    bool translation;   /* the sides are in different languages: pairs by length and anchors */
    double len_ratio;   /* translation: B's letters per letter of A, over the whole stories */
    size_t *letters[2]; /* translation: per paragraph, its letters (code points not spaces) */
    AlignRow *rows;
    size_t nrows;
    Span *diff[2];
    size_t ndiff[2], diffcap[2];
    Span *moved[2]; /* the words moved inside a pair (a sentence moved), per side */
    size_t nmoved[2], movedcap[2];
    size_t common, total[2]; /* tokens in the word diffs' common subsequences; all tokens */
    size_t words[5];         /* tokens of both sides by what became of them, AlignKind's order:
                                kept, changed, removed (A's only), added (B's only), moved */
    size_t *fixed;           /* the rows not moved that hold A paragraphs: their a ascends */
    size_t nfixed;
    Strbuf tok_scratch;    /* pair_row's: the tokenizer's */
    SpanList pair_span[2]; /* and the bytes of the pair's tokens on each side (pair_spans) */
};

/* ---- vocabulary ---- */

static uint32_t vocab_intern(Vocab *v, const char *s, size_t len)
{
    uint64_t h = hash_bytes(s, len, 0);
    size_t mask = v->tcap - 1;
    for (size_t k = (size_t)h & mask;; k = (k + 1) & mask) {
        uint32_t id = v->table[k];
        if (!id) {
            if (v->n + 1 >= v->cap) {
                v->cap = v->cap ? v->cap * 2 : 1024;
                v->off = xreallocarray(v->off, v->cap + 1, sizeof *v->off);
            }
            v->off[v->n] = v->buf.len;
            strbuf_add(&v->buf, s, len);
            v->off[v->n + 1] = v->buf.len;
            v->table[k] = (uint32_t)++v->n;
            if (v->n * 2 > v->tcap) { /* grow and rehash */
                size_t ncap = v->tcap * 2;
                uint32_t *nt = xcalloc(ncap, sizeof *nt);
                for (size_t i = 0; i < v->tcap; i++) {
                    uint32_t e = v->table[i];
                    if (!e) continue;
                    const char *name = v->buf.buf + v->off[e - 1];
                    size_t nlen = v->off[e] - v->off[e - 1];
                    size_t m = (size_t)hash_bytes(name, nlen, 0) & (ncap - 1);
                    while (nt[m])
                        m = (m + 1) & (ncap - 1);
                    nt[m] = e;
                }
                free(v->table);
                v->table = nt;
                v->tcap = ncap;
            }
            return (uint32_t)(v->n - 1);
        }
        if (v->off[id] - v->off[id - 1] == len && memcmp(v->buf.buf + v->off[id - 1], s, len) == 0)
            return id - 1;
    }
}

/* ---- tokens and bags ---- */

typedef struct {
    Side *s;
    Vocab *v;
    TokenFolder *folder;
    size_t base;
} TokCtx;

static void add_tok(void *ctx, size_t start, size_t end)
{
    TokCtx *c = ctx;
    Side *s = c->s;
    size_t len;
    const char *f = token_fold(c->folder, s->bytes + c->base + start, end - start, &len);
    if (s->ntok == s->tokcap) {
        s->tokcap = s->tokcap ? s->tokcap * 2 : 1024;
        s->term = xreallocarray(s->term, s->tokcap, sizeof *s->term);
    }
    s->term[s->ntok++] = vocab_intern(c->v, f, len);
}

/* Sorts a[0, n) ascending: a radix sort a byte at a time (as many bytes as the largest has),
 * through tmp[0, n). Linear, without qsort's call per comparison. */
static void sort_terms(uint32_t *a, uint32_t *tmp, size_t n)
{
    uint32_t most = 0, *from = a, *to = tmp;
    for (size_t k = 0; k < n; k++)
        most |= a[k];
    for (unsigned shift = 0; shift < 32 && most >> shift; shift += 8) {
        size_t at[257] = {0};
        for (size_t k = 0; k < n; k++)
            at[((from[k] >> shift) & 255) + 1]++;
        for (size_t b = 0; b < 256; b++)
            at[b + 1] += at[b];
        for (size_t k = 0; k < n; k++)
            to[at[(from[k] >> shift) & 255]++] = from[k];
        uint32_t *t = from;
        from = to;
        to = t;
    }
    if (from != a) memcpy(a, from, n * sizeof *a);
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* The radix sort's second buffer is kept to paragraphs of at most this many words: past it (a
 * story of one enormous paragraph) qsort sorts in place, and the scratch stays n words. */
enum { RADIX_MAX_TERMS = 1 << 20 };

/* Room make_bag needs for n tokens' terms. */
static size_t bag_scratch(size_t n)
{
    return n ? n + (n <= RADIX_MAX_TERMS ? n : 0) : 1;
}

/* The bag of the tokens terms[0, n): distinct terms ascending with counts, appended to *out.
 * scratch has room for bag_scratch(n) terms. */
static size_t make_bag(const uint32_t *terms, size_t n, uint32_t *scratch, Bag **out, size_t *len,
                       size_t *cap)
{
    if (!n) return 0;
    memcpy(scratch, terms, n * sizeof *scratch);
    if (n <= 48) { /* most paragraphs: an insertion sort */
        for (size_t k = 1; k < n; k++) {
            uint32_t x = scratch[k];
            size_t q = k;
            while (q > 0 && scratch[q - 1] > x) {
                scratch[q] = scratch[q - 1];
                q--;
            }
            scratch[q] = x;
        }
    } else if (n <= RADIX_MAX_TERMS) {
        sort_terms(scratch, scratch + n, n);
    } else {
        qsort(scratch, n, sizeof *scratch, cmp_u32);
    }
    size_t added = 0;
    for (size_t k = 0; k < n;) {
        size_t e = k;
        while (e < n && scratch[e] == scratch[k])
            e++;
        if (*len == *cap) {
            *cap = *cap ? *cap * 2 : 1024;
            *out = xreallocarray(*out, *cap, sizeof **out);
        }
        (*out)[(*len)++] = (Bag){scratch[k], (uint32_t)(e - k)};
        added++;
        k = e;
    }
    return added;
}

static void side_paragraphs(Side *s, const Text *t)
{
    s->t = t;
    s->bytes = text_bytes(t);
    size_t n = text_paragraph_count(t);
    s->para = xmalloc((n ? n : 1) * sizeof *s->para);
    for (size_t i = 0; i < n; i++) {
        Span sp = text_paragraph(t, i);
        if (i && s->npara && text_paragraph_joined(t, i))
            s->para[s->npara - 1].end = sp.end;
        else
            s->para[s->npara++] = sp;
    }
    s->group = xmalloc((s->npara ? s->npara : 1) * sizeof *s->group);
    s->twin = xmalloc((s->npara ? s->npara : 1) * sizeof *s->twin);
    for (size_t i = 0; i < s->npara; i++) {
        s->group[i] = -1;
        s->twin[i] = NO_TWIN;
    }
}

static void count_tok(void *ctx, size_t start, size_t end)
{
    (void)start;
    (void)end;
    (*(size_t *)ctx)++;
}

/* A twin is paired with its twin whatever its words, so its tokens are only counted (for the
 * shares of words kept, changed...), on side A (B's twin has the same words), on a thread of
 * their own while the pairing goes on: counting them was a fifth of pairing two versions.
 * Without a thread, here and now. */
typedef struct {
    Side *A;
    pthread_t thread;
    bool running;
} TwinCount;

static void *count_twin_tokens(void *arg)
{
    Side *A = arg;
    Strbuf scratch = STRBUF_INIT;
    size_t released = 0; /* its own: A->released is the other thread's */
    for (size_t i = 0; i < A->npara; i++) {
        if (A->twin[i] == NO_TWIN) continue;
        token_each(A->bytes + A->para[i].start, A->para[i].end - A->para[i].start, &scratch,
                   count_tok, &A->twin_ntok[i]);
        A->twin_tokens += A->twin_ntok[i];
        if (A->para[i].start >= released + RELEASE_STEP) { /* as release_behind */
            text_release(A->t, released, A->para[i].start);
            released = A->para[i].start;
        }
    }
    text_release(A->t, released, text_len(A->t));
    strbuf_release(&scratch);
    return NULL;
}

/* Starts counting A's twins' tokens; twin_ntok and twin_tokens are A's thread's until
 * twin_count_finish. */
static void twin_count_start(TwinCount *c, Side *A)
{
    c->A = A;
    A->twin_ntok = xcalloc(A->npara ? A->npara : 1, sizeof *A->twin_ntok);
    c->running = thread_start(&c->thread, count_twin_tokens, A) == 0;
    if (!c->running) count_twin_tokens(A);
}

/* Waits for the count, and gives B's twins their twins' counts. */
static void twin_count_finish(TwinCount *c, Side *B)
{
    if (c->running) pthread_join(c->thread, NULL);
    c->running = false;
    B->twin_tokens = 0;
    for (size_t j = 0; j < B->npara; j++) {
        B->twin_ntok[j] = B->twin[j] != NO_TWIN ? c->A->twin_ntok[B->twin[j]] : 0;
        B->twin_tokens += B->twin_ntok[j];
    }
}

/* The tokens of every paragraph but the twins (TwinCount), folded and kept: folding words is the
 * costly part, and most paragraphs of two versions are twins. */
static void side_tokens(Side *s, Vocab *v)
{
    s->tok0 = xmalloc((s->npara + 1) * sizeof *s->tok0);
    if (!s->twin_ntok) s->twin_ntok = xcalloc(s->npara ? s->npara : 1, sizeof *s->twin_ntok);
    /* allocated even for a side with no token at all, so that term + tok0[i] is never
     * arithmetic on NULL (undefined, even adding 0) */
    s->tokcap = 64;
    s->term = xmalloc(s->tokcap * sizeof *s->term);
    TokCtx c = {s, v, token_folder_new(TOKEN_FOLD_ALL), 0};
    Strbuf scratch = STRBUF_INIT;
    for (size_t i = 0; i < s->npara; i++) {
        s->tok0[i] = s->ntok;
        c.base = s->para[i].start;
        if (s->twin[i] != NO_TWIN) continue;
        token_each(s->bytes + c.base, s->para[i].end - c.base, &scratch, add_tok, &c);
        release_behind(s, c.base);
    }
    s->tok0[s->npara] = s->ntok;
    release_all(s);
    strbuf_release(&scratch);
    token_folder_free(c.folder);
}

static void side_bags(Side *s)
{
    size_t len = 0, cap = 16, most = 0;
    s->bag = xmalloc(cap * sizeof *s->bag); /* never NULL: see side_tokens */
    for (size_t i = 0; i < s->npara; i++)
        if (s->tok0[i + 1] - s->tok0[i] > most) most = s->tok0[i + 1] - s->tok0[i];
    uint32_t *scratch = xmalloc(bag_scratch(most) * sizeof *scratch);
    s->bag0 = xmalloc((s->npara + 1) * sizeof *s->bag0);
    for (size_t i = 0; i < s->npara; i++) {
        s->bag0[i] = len;
        make_bag(s->term + s->tok0[i], s->tok0[i + 1] - s->tok0[i], scratch, &s->bag, &len, &cap);
    }
    s->bag0[s->npara] = len;
    free(scratch);
}

/* Frees the bags, which only pairing uses (a translation's rows use its stems'). */
static void side_drop_bags(Side *s, bool stems)
{
    free(s->bag0);
    free(s->bag);
    free(s->norm);
    s->bag0 = NULL;
    s->bag = NULL;
    s->norm = NULL;
    if (!stems) return;
    free(s->sbag0);
    free(s->sbag);
    free(s->snorm);
    s->sbag0 = NULL;
    s->sbag = NULL;
    s->snorm = NULL;
}

/* Frees what aligning needs and the rows do not: all but the paragraphs. */
static void side_drop_work(Side *s)
{
    side_drop_bags(s, true);
    free(s->tok0);
    free(s->term);
    free(s->group);
    free(s->twin);
    free(s->twin_ntok);
    free(s->hash);
    free(s->in_order);
    *s = (Side){.t = s->t, .bytes = s->bytes, .npara = s->npara, .para = s->para};
}

static void side_free(Side *s)
{
    side_drop_work(s);
    free(s->para);
}

/* ---- similarity ---- */

/* Weighs the bag b[0, n) and returns the length of its vector. */
static double bag_weigh(const Weights *w, const Bag *b, size_t n)
{
    double sum = 0;
    for (size_t k = 0; k < n; k++) {
        double x = bag_weight(w, b[k]);
        sum += x * x;
    }
    return sqrt(sum);
}

/* ln((N + 1) / df) for each of n words (0 for one in no paragraph), as a new array. */
static double *idf_from_df(const size_t *df, size_t n, double N)
{
    double *idf = xmalloc((n ? n : 1) * sizeof *idf);
    for (size_t t = 0; t < n; t++)
        idf[t] = df[t] ? log((N + 1) / (double)df[t]) : 0;
    return idf;
}

/* Weighs the npara bags bag[bag0[i], bag0[i + 1]); their lengths, as a new array. */
static double *weigh_bags(const Weights *w, const Bag *bag, const size_t *bag0, size_t npara)
{
    double *norm = xmalloc((npara ? npara : 1) * sizeof *norm);
    for (size_t i = 0; i < npara; i++)
        norm[i] = bag_weigh(w, bag + bag0[i], bag0[i + 1] - bag0[i]);
    return norm;
}

/* Cosine of bags x and y (norms given, weights by idf), and the share of x's weight that y holds
 * too. */
static double bag_cosine(const Weights *w, const Bag *x, size_t nx, double normx, const Bag *y,
                         size_t ny, double normy, double *contained)
{
    double dot = 0, in = 0, all = 0;
    size_t i = 0, j = 0;
    while (i < nx) {
        while (j < ny && y[j].term < x[i].term)
            j++;
        double wx = bag_weight(w, x[i]);
        all += wx;
        if (j < ny && y[j].term == x[i].term) {
            double wy = bag_weight(w, y[j]);
            dot += wx * wy;
            in += x[i].tf <= y[j].tf ? wx : wy; /* the weight of the count both hold */
        }
        i++;
    }
    if (contained) *contained = all > 0 ? in / all : 0;
    return normx > 0 && normy > 0 ? dot / (normx * normy) : 0;
}

/* bag_cosine without the share, with x's weights spread out by word (dense[term]; 0 for the
 * words x lacks): a load per word of y instead of a merge of both bags, each step of which was a
 * branch no predictor learns. The same sum in the same order (y's words ascending; x's absent
 * add nothing). */
static double bag_cosine_dense(const Weights *w, const double *dense, double normx, const Bag *y,
                               size_t ny, double normy)
{
    if (!(normx > 0 && normy > 0)) return 0;
    double dot = 0;
    for (size_t j = 0; j < ny; j++) {
        double wx = dense[y[j].term];
        if (wx != 0) dot += wx * bag_weight(w, y[j]);
    }
    return dot / (normx * normy);
}

/* The cosine of bags x and y (norms given), walking the smaller and finding its words in the
 * larger by binary search: what the gaps' programme computes per cell, where one side may be a
 * paragraph of 100,000 words facing many short ones. */
static double bag_cosine_small(const Weights *w, const Bag *x, size_t nx, double normx,
                               const Bag *y, size_t ny, double normy)
{
    if (!(normx > 0 && normy > 0)) return 0;
    if (nx > ny) {
        const Bag *t = x;
        x = y;
        y = t;
        size_t tn = nx;
        nx = ny;
        ny = tn;
    }
    double dot = 0;
    size_t lo = 0;
    for (size_t i = 0; i < nx; i++) {
        size_t a = lo, b = ny;
        while (a < b) {
            size_t mid = a + (b - a) / 2;
            if (y[mid].term < x[i].term)
                a = mid + 1;
            else
                b = mid;
        }
        if (a < ny && y[a].term == x[i].term) dot += bag_weight(w, x[i]) * bag_weight(w, y[a]);
        lo = a;
    }
    return dot / (normx * normy);
}

/* The bag of paragraphs [p, p + n) of side s, weighed, as a new array; its length in *norm. */
static Bag *group_bag(const Alignment *al, const Side *s, size_t p, size_t n, size_t *len,
                      double *norm)
{
    size_t ntok = s->tok0[p + n] - s->tok0[p];
    uint32_t *scratch = xmalloc(bag_scratch(ntok) * sizeof *scratch);
    Bag *out = NULL;
    size_t cap = 0;
    *len = 0;
    make_bag(s->term + s->tok0[p], ntok, scratch, &out, len, &cap);
    free(scratch);
    *norm = bag_weigh(&al->by_word, out, *len);
    return out;
}

static double group_cosine(const Alignment *al, size_t a, size_t na, size_t b, size_t nb)
{
    size_t lx, ly;
    double cx, cy;
    Bag *x = group_bag(al, &al->side[0], a, na, &lx, &cx);
    Bag *y = group_bag(al, &al->side[1], b, nb, &ly, &cy);
    double cos = bag_cosine(&al->by_word, x, lx, cx, y, ly, cy, NULL);
    free(x);
    free(y);
    return cos;
}

/* ---- candidates ---- */

/* Equal but for runs of spaces and line ends. */
static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

static bool same_text(const uint8_t *x, Span a, const uint8_t *y, Span b)
{
    /* most equal paragraphs are equal byte for byte */
    if (a.end - a.start == b.end - b.start && !memcmp(x + a.start, y + b.start, a.end - a.start))
        return true;
    size_t i = a.start, j = b.start;
    for (;;) {
        bool sx = false, sy = false;
        while (i < a.end && is_blank(x[i]))
            i++, sx = true;
        while (j < b.end && is_blank(y[j]))
            j++, sy = true;
        if (i == a.end || j == b.end) return i == a.end && j == b.end;
        if (sx != sy || x[i] != y[j]) return false;
        i++;
        j++;
    }
}

/* same_text, of the two texts in NFC: one spelt with combining marks (NFD) and the other with
 * precomposed letters are the same text to a reader (and to the word diff, whose tokens are
 * folded: such a pair was "changed" with no word marked). */
static bool same_text_nfc(const uint8_t *x, Span a, const uint8_t *y, Span b)
{
    if (token_ascii(x + a.start, a.end - a.start) && token_ascii(y + b.start, b.end - b.start))
        return false; /* NFC leaves ASCII as it is */
    size_t la = 0, lb = 0;
    uint8_t *na = u8_normalize(UNINORM_NFC, x + a.start, a.end - a.start, NULL, &la);
    uint8_t *nb = na ? u8_normalize(UNINORM_NFC, y + b.start, b.end - b.start, NULL, &lb) : NULL;
    bool same = nb && same_text(na, (Span){0, la}, nb, (Span){0, lb});
    free(na);
    free(nb);
    return same;
}

/* hash_bytes of a paragraph's text as same_text compares it: each run of spaces, tabs and line
 * ends made one space, none at the end. */
static uint64_t text_hash(const uint8_t *b, Span sp)
{
    size_t s = sp.start, e = sp.end;
    while (e > s && is_blank(b[e - 1]))
        e--;
    /* a paragraph on one line with single spaces is its own text: hashed where it is (a loop
     * the compiler makes wide, without a branch a byte) */
    unsigned odd = 0;
    for (size_t i = s; i + 1 < e; i++)
        odd |= (unsigned)(b[i] == '\t') | (unsigned)(b[i] == '\n') |
               ((unsigned)(b[i] == ' ') & (unsigned)(b[i + 1] == ' '));
    if (!odd) return hash_bytes(b + s, e - s, 0);
    HashState st;
    hash_begin(&st, 0);
    uint8_t buf[4096]; /* a multiple of 32: hash_stripes takes it whole */
    size_t n = 0;
    bool space = false;
    for (size_t i = s; i < e; i++) {
        if (is_blank(b[i])) {
            space = true;
            continue;
        }
        if (n + 2 > sizeof buf) {
            hash_stripes(&st, buf, n & ~(size_t)31);
            memmove(buf, buf + (n & ~(size_t)31), n & 31);
            n &= 31;
        }
        if (space) buf[n++] = ' ';
        space = false;
        buf[n++] = b[i];
    }
    size_t whole = n & ~(size_t)31;
    hash_stripes(&st, buf, whole);
    return hash_end(&st, buf + whole, n - whole);
}

typedef struct {
    uint64_t h;
    uint32_t i;
} Keyed;

static int cmp_keyed(const void *x, const void *y)
{
    const Keyed *a = x, *b = y;
    if (a->h != b->h) return a->h < b->h ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* Sorts k[0, n), made in ascending i, by cmp_keyed: a radix sort of h a byte at a time, through
 * tmp[0, n), which keeps each hash's paragraphs in the order of i. */
static void sort_keyed(Keyed *k, Keyed *tmp, size_t n)
{
    if (n < 64) {
        for (size_t a = 1; a < n; a++) {
            Keyed x = k[a];
            size_t q = a;
            while (q > 0 && cmp_keyed(&k[q - 1], &x) > 0) {
                k[q] = k[q - 1];
                q--;
            }
            k[q] = x;
        }
        return;
    }
    Keyed *from = k, *to = tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t at[257] = {0};
        for (size_t a = 0; a < n; a++)
            at[((from[a].h >> shift) & 255) + 1]++;
        for (size_t b = 0; b < 256; b++)
            at[b + 1] += at[b];
        for (size_t a = 0; a < n; a++)
            to[at[(from[a].h >> shift) & 255]++] = from[a];
        Keyed *t = from;
        from = to;
        to = t;
    }
    /* eight passes: the sorted keys are back in k */
}

/* The first of k[0, n) (sorted by cmp_keyed) not below {h, i}. */
static size_t keyed_lower(const Keyed *k, size_t n, uint64_t h, uint32_t i)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k[mid].h < h || (k[mid].h == h && k[mid].i < i))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct {
    uint32_t a, b;
    double cos;
} Edge;

typedef struct {
    Edge *e;
    size_t n, cap;
} Edges;

static void edges_add(Edges *es, uint32_t a, uint32_t b, double cos)
{
    if (es->n == es->cap) {
        es->cap = es->cap ? es->cap * 2 : 1024;
        es->e = xreallocarray(es->e, es->cap, sizeof *es->e);
    }
    es->e[es->n++] = (Edge){a, b, cos};
}

typedef struct {
    double score;
    uint32_t j;
} Scored;

static int cmp_scored(const void *x, const void *y) /* best first; ties by place */
{
    const Scored *a = x, *b = y;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return (a->j > b->j) - (a->j < b->j);
}

/* Keeps the best k of best[0, n) (by cmp_scored) in best[0, k), in that order (n <= k: all, as
 * they are): a heap of the k
 * best so far, its worst on top, then sorted; n log k, where sorting all n would cost n log n
 * for every paragraph. */
static size_t keep_best(Scored *best, size_t n, size_t k)
{
    if (n <= k) return n; /* all of them, in the order found */
    for (size_t i = 0; i < n; i++) {
        size_t at;
        if (i < k) { /* grow the heap: sift up */
            at = i;
            while (at > 0 && cmp_scored(&best[(at - 1) / 2], &best[at]) < 0) {
                Scored t = best[at];
                best[at] = best[(at - 1) / 2];
                best[(at - 1) / 2] = t;
                at = (at - 1) / 2;
            }
            continue;
        }
        if (cmp_scored(&best[i], &best[0]) >= 0) continue; /* no better than the worst kept */
        best[0] = best[i];
        at = 0;
        for (;;) { /* sift down */
            size_t l = 2 * at + 1, r = l + 1, w = at;
            if (l < k && cmp_scored(&best[l], &best[w]) > 0) w = l;
            if (r < k && cmp_scored(&best[r], &best[w]) > 0) w = r;
            if (w == at) break;
            Scored t = best[at];
            best[at] = best[w];
            best[w] = t;
            at = w;
        }
    }
    qsort(best, k, sizeof *best, cmp_scored);
    return k;
}

/* Candidate pairs above ALIGN_MIN_PAIR: for each paragraph of A, the paragraphs of its gap
 * between anchors when the gap is small and one of them is a strong pair; else the paragraphs of
 * B sharing its rarest words, plus those about as far into B as it is into A. */
static void find_candidates(Alignment *al, Edges *out)
{
    Side *A = &al->side[0], *B = &al->side[1];
    size_t nt = al->nterms;
    /* B's inverted index: term -> paragraphs holding it */
    size_t *post0 = xcalloc(nt + 1, sizeof *post0);
    for (size_t k = 0; k < B->bag0[B->npara]; k++)
        post0[B->bag[k].term + 1]++;
    for (size_t t = 0; t < nt; t++)
        post0[t + 1] += post0[t];
    uint32_t *post = xmalloc((B->bag0[B->npara] ? B->bag0[B->npara] : 1) * sizeof *post);
    size_t *fill = xmalloc((nt ? nt : 1) * sizeof *fill);
    memcpy(fill, post0, nt * sizeof *fill);
    for (size_t j = 0; j < B->npara; j++)
        for (size_t k = B->bag0[j]; k < B->bag0[j + 1]; k++)
            post[fill[B->bag[k].term]++] = (uint32_t)j;
    free(fill);
    size_t max_df = ALIGN_MAX_DF; /* a word in more paragraphs than this is no clue */
    Scored *best = xmalloc((size_t)(ALIGN_RARE_TERMS * ALIGN_MAX_DF + 2 * ALIGN_NEIGHBOURS + 1) *
                           sizeof *best);

    double *acc = xcalloc(B->npara ? B->npara : 1, sizeof *acc);
    uint8_t *seen = xcalloc(B->npara ? B->npara : 1, 1); /* in touched (acc may stay 0) */
    uint32_t *touched = xmalloc((B->npara ? B->npara : 1) * sizeof *touched);
    size_t ntouched = 0;
    Bag *rare = NULL;
    size_t rarecap = 0;
    double *dense = xcalloc(nt ? nt : 1, sizeof *dense); /* paragraph i's weights, by word */
    /* the gap each paragraph of A is in, between anchors (twins in order): [ga0, ga1) of A and
     * [gb0, gb1) of B */
    size_t ga0 = 0, ga1 = 0, gb0 = 0, gb1 = 0;
    for (size_t i = 0; i < A->npara; i++) {
        if (A->twin[i] != NO_TWIN) continue; /* paired with its twin below */
        const Bag *bag = A->bag + A->bag0[i];
        size_t nb = A->bag0[i + 1] - A->bag0[i];
        for (size_t k = 0; k < nb; k++)
            dense[bag[k].term] = bag_weight(&al->by_word, bag[k]);
        if (i >= ga1) { /* a new gap: from the anchor before i to the next */
            ga0 = i;
            gb0 = 0;
            for (size_t q = i; q-- > 0;)
                if (A->in_order[q]) {
                    ga0 = q + 1;
                    gb0 = A->twin[q] + 1;
                    break;
                }
            ga1 = i + 1;
            while (ga1 < A->npara && !A->in_order[ga1])
                ga1++;
            gb1 = ga1 < A->npara ? A->twin[ga1] : B->npara;
        }
        /* In a small gap, a paragraph most like one of the gap's is paired in order, whatever it
         * is like elsewhere (the anchors around outweigh any pair across them): its pairs in the
         * gap are its candidates, and the search of all B for it is spared (a search that was
         * most of the cost of pairing two versions, whose changes are mostly in place). */
        if (ga1 - ga0 <= ALIGN_GAP_SCORED && gb1 > gb0 && gb1 - gb0 <= ALIGN_GAP_SCORED) {
            double gap_best = 0;
            size_t first = out->n;
            for (size_t j = gb0; j < gb1; j++) {
                if (B->twin[j] != NO_TWIN) continue;
                double cos = bag_cosine_dense(&al->by_word, dense, A->norm[i], B->bag + B->bag0[j],
                                              B->bag0[j + 1] - B->bag0[j], B->norm[j]);
                if (cos >= ALIGN_MIN_WEAK) edges_add(out, (uint32_t)i, (uint32_t)j, cos);
                if (cos > gap_best) gap_best = cos;
            }
            if (gap_best >= ALIGN_MIN_PAIR) {
                for (size_t k = 0; k < nb; k++)
                    dense[bag[k].term] = 0;
                continue;
            }
            out->n = first; /* not found in the gap: searched for everywhere */
        }
        if (nb > rarecap) {
            rarecap = nb;
            rare = xreallocarray(rare, rarecap, sizeof *rare);
        }
        /* its rarest words in B: by B's document frequency, ascending (selection of the first) */
        size_t nr = 0;
        for (size_t k = 0; k < nb; k++) {
            size_t df = post0[bag[k].term + 1] - post0[bag[k].term];
            if (df && df <= max_df) rare[nr++] = (Bag){bag[k].term, (uint32_t)df};
        }
        size_t take = nr < ALIGN_RARE_TERMS ? nr : ALIGN_RARE_TERMS;
        for (size_t k = 0; k < take; k++) {
            size_t m = k;
            for (size_t q = k + 1; q < nr; q++)
                if (rare[q].tf < rare[m].tf) m = q;
            Bag tmp = rare[k];
            rare[k] = rare[m];
            rare[m] = tmp;
            for (size_t p = post0[rare[k].term]; p < post0[rare[k].term + 1]; p++) {
                uint32_t j = post[p];
                if (!seen[j]) {
                    seen[j] = 1;
                    touched[ntouched++] = j;
                }
                acc[j] += al->idf[rare[k].term];
            }
        }
        /* the diagonal */
        if (B->npara) {
            size_t d = A->npara ? (size_t)((double)i * (double)B->npara / (double)A->npara) : 0;
            size_t lo = d > ALIGN_NEIGHBOURS ? d - ALIGN_NEIGHBOURS : 0;
            for (size_t j = lo; j <= d + ALIGN_NEIGHBOURS && j < B->npara; j++) {
                if (!seen[j]) {
                    seen[j] = 1;
                    touched[ntouched++] = (uint32_t)j;
                }
                acc[j] += 1e-9;
            }
        }
        /* the best ALIGN_CANDIDATES by shared rare weight, scored exactly */
        for (size_t c = 0; c < ntouched; c++)
            best[c] = (Scored){acc[touched[c]], touched[c]};
        size_t nbest = keep_best(best, ntouched, ALIGN_CANDIDATES);
        for (size_t c = 0; c < nbest; c++) {
            uint32_t j = best[c].j;
            double cos = bag_cosine_dense(&al->by_word, dense, A->norm[i], B->bag + B->bag0[j],
                                          B->bag0[j + 1] - B->bag0[j], B->norm[j]);
            if (cos >= ALIGN_MIN_WEAK) edges_add(out, (uint32_t)i, j, cos);
        }
        for (size_t k = 0; k < nb; k++)
            dense[bag[k].term] = 0;
        for (size_t c = 0; c < ntouched; c++)
            acc[touched[c]] = 0, seen[touched[c]] = 0;
        ntouched = 0;
    }
    /* paragraphs equal but for spacing pair whatever their words (a scene break "* * *" has
     * none; a word in every paragraph weighs little): up to 16 equal ones each, the nearest to
     * the diagonal, so that the k-th of many equal paragraphs (a novel's scene breaks) can pair
     * with the k-th. B's twins are not among them: a twin is paired with its twin (one found in
     * a gap may have its text elsewhere in A, and its words are not kept). */
    Keyed *keyed = xmalloc((B->npara ? B->npara : 1) * sizeof *keyed);
    size_t nkeyed = 0;
    for (size_t j = 0; j < B->npara; j++)
        if (B->twin[j] == NO_TWIN) keyed[nkeyed++] = (Keyed){B->hash[j], (uint32_t)j};
    Keyed *keyed_tmp = xmalloc((nkeyed ? nkeyed : 1) * sizeof *keyed_tmp);
    sort_keyed(keyed, keyed_tmp, nkeyed);
    free(keyed_tmp);
    for (size_t i = 0; i < A->npara; i++) {
        if (A->twin[i] != NO_TWIN) { /* the only one of its text on each side */
            edges_add(out, (uint32_t)i, A->twin[i], 1.0);
            continue;
        }
        uint64_t h = A->hash[i];
        uint32_t d = (uint32_t)(A->npara ? (double)i * (double)B->npara / (double)A->npara : 0);
        size_t lo = keyed_lower(keyed, nkeyed, h, 0), at = keyed_lower(keyed, nkeyed, h, d);
        size_t end = keyed_lower(keyed, nkeyed, h, UINT32_MAX); /* the equal ones: [lo, end) */
        size_t from = at > lo + 8 ? at - 8 : lo, to = end - from > 16 ? from + 16 : end;
        if (to - from < 16) from = to > lo + 16 ? to - 16 : lo;
        for (size_t k = from; k < to; k++)
            if (same_text(A->bytes, A->para[i], B->bytes, B->para[keyed[k].i]))
                edges_add(out, (uint32_t)i, keyed[k].i, 1.0);
    }
    free(keyed);
    /* the local diagonal: beside the last strong pair above, as far down B as A went since (a
     * paragraph of common words only has no rare word to be found by) */
    {
        double *top = xcalloc(A->npara ? A->npara : 1, sizeof *top);
        uint32_t *topb = xcalloc(A->npara ? A->npara : 1, sizeof *topb);
        for (size_t k = 0; k < out->n; k++)
            if (out->e[k].cos > top[out->e[k].a]) {
                top[out->e[k].a] = out->e[k].cos;
                topb[out->e[k].a] = out->e[k].b;
            }
        long ai = -1, bj = -1;
        for (size_t i = 0; i < A->npara; i++) {
            double found = 0;
            long at = -1;
            if (A->twin[i] != NO_TWIN) { /* an anchor: the diagonal goes through its twin */
                ai = (long)i;
                bj = (long)A->twin[i];
                continue;
            }
            if (ai >= 0 && B->npara) {
                long d = bj + ((long)i - ai);
                for (long j = d - ALIGN_NEIGHBOURS; j <= d + ALIGN_NEIGHBOURS; j++) {
                    if (j < 0 || j >= (long)B->npara) continue;
                    const Bag *bag = A->bag + A->bag0[i];
                    double cos = bag_cosine(&al->by_word, bag, A->bag0[i + 1] - A->bag0[i],
                                            A->norm[i], B->bag + B->bag0[j],
                                            B->bag0[j + 1] - B->bag0[j], B->norm[j], NULL);
                    if (cos >= ALIGN_MIN_WEAK) edges_add(out, (uint32_t)i, (uint32_t)j, cos);
                    if (cos > found) found = cos, at = j;
                }
            }
            /* the next anchor: a strong pair here on the diagonal, else the best one anywhere
             * (after an insertion, a deletion or a move the diagonal is lost) */
            if (found >= ALIGN_MIN_MOVED) {
                ai = (long)i;
                bj = at;
            } else if (top[i] >= ALIGN_MIN_MOVED) {
                ai = (long)i;
                bj = (long)topb[i];
            }
        }
        free(top);
        free(topb);
    }
    /* a weak pair stays only when each is the other's best */
    double *best_a = xcalloc(A->npara ? A->npara : 1, sizeof *best_a);
    double *best_b = xcalloc(B->npara ? B->npara : 1, sizeof *best_b);
    for (size_t k = 0; k < out->n; k++) {
        const Edge *e = &out->e[k];
        if (e->cos > best_a[e->a]) best_a[e->a] = e->cos;
        if (e->cos > best_b[e->b]) best_b[e->b] = e->cos;
    }
    size_t kept = 0;
    for (size_t k = 0; k < out->n; k++) {
        const Edge *e = &out->e[k];
        if (e->cos >= ALIGN_MIN_PAIR || (e->cos == best_a[e->a] && e->cos == best_b[e->b]))
            out->e[kept++] = *e;
    }
    out->n = kept;
    free(best_a);
    free(best_b);
    free(rare);
    free(dense);
    free(best);
    free(seen);
    free(acc);
    free(touched);
    free(post);
    free(post0);
}

/* ---- the chain ---- */

static int cmp_edge_chain(const void *x, const void *y)
{
    const Edge *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return (a->b < b->b) - (a->b > b->b); /* b descending: one A paragraph never chains twice */
}

/* Sorts e[0, n) by cmp_edge_chain, every a below na: by a with a counting sort, then each a's
 * few edges (at most ALIGN_CANDIDATES scored, 16 equal and 10 on the diagonals) by b, in
 * place. */
static void sort_edges_for_chain(Edge *e, size_t n, size_t na)
{
    size_t *at = xcalloc(na + 1, sizeof *at);
    for (size_t k = 0; k < n; k++)
        at[e[k].a + 1]++;
    for (size_t i = 0; i < na; i++)
        at[i + 1] += at[i];
    Edge *sorted = xmalloc(n * sizeof *sorted);
    for (size_t k = 0; k < n; k++)
        sorted[at[e[k].a]++] = e[k];
    free(at);
    for (size_t k = 1; k < n; k++) {
        Edge x = sorted[k];
        size_t q = k;
        while (q > 0 && cmp_edge_chain(&sorted[q - 1], &x) > 0) {
            sorted[q] = sorted[q - 1];
            q--;
        }
        sorted[q] = x;
    }
    memcpy(e, sorted, n * sizeof *e);
    free(sorted);
}

/* The heaviest chain of edges increasing in both a and b, every a below na; its edges, in
 * order, into *chain. */
static size_t heaviest_chain(Edge *e, size_t n, size_t na, size_t nb, Edge **chain)
{
    *chain = NULL;
    if (!n) return 0;
    sort_edges_for_chain(e, n, na);
    /* Fenwick tree over b of the best chain ending at or before b: (value, edge) */
    double *tv = xcalloc(nb + 1, sizeof *tv);
    long *te = xmalloc((nb + 1) * sizeof *te);
    for (size_t k = 0; k <= nb; k++)
        te[k] = -1;
    double *dp = xmalloc(n * sizeof *dp);
    long *back = xmalloc(n * sizeof *back);
    long best = -1;
    for (size_t k = 0; k < n; k++) {
        double v = 0;
        long from = -1;
        for (size_t q = e[k].b; q > 0; q -= q & -q) /* prefix [0, b): positions 1..b */
            if (te[q] >= 0 && tv[q] > v) {
                v = tv[q];
                from = te[q];
            }
        dp[k] = v + e[k].cos;
        back[k] = from;
        for (size_t q = e[k].b + 1; q <= nb; q += q & -q)
            if (te[q] < 0 || dp[k] > tv[q]) {
                tv[q] = dp[k];
                te[q] = (long)k;
            }
        if (best < 0 || dp[k] > dp[best]) best = (long)k;
    }
    size_t len = 0;
    for (long k = best; k >= 0; k = back[k])
        len++;
    *chain = xmalloc(len * sizeof **chain);
    size_t at = len;
    for (long k = best; k >= 0; k = back[k])
        (*chain)[--at] = e[k];
    free(tv);
    free(te);
    free(dp);
    free(back);
    return len;
}

/* ---- split, merge, moved ---- */

/* Grows pair p by free paragraphs next to it (on side `side`) that it mostly holds, while that
 * makes the pair more similar. lo/hi bound the growth: the neighbouring pairs. */
static void grow_pair(Alignment *al, Pair *p, int side, size_t lo, size_t hi)
{
    Side *s = &al->side[side];
    for (int dir = 1; dir >= -1; dir -= 2) {
        for (;;) {
            size_t first = side ? p->b : p->a, n = side ? p->nb : p->na;
            size_t cand;
            if (dir > 0) {
                cand = first + n;
                if (cand >= hi || cand >= s->npara) break;
            } else {
                if (first == 0 || first - 1 < lo) break;
                cand = first - 1;
            }
            if (s->group[cand] != -1 || s->tok0[cand + 1] == s->tok0[cand]) break;
            size_t na = p->na, nb = p->nb, a = p->a, b = p->b;
            if (side) {
                nb++;
                if (dir < 0) b--;
            } else {
                na++;
                if (dir < 0) a--;
            }
            double cos = group_cosine(al, a, na, b, nb), contained, norm;
            size_t lo_len;
            const Side *o = &al->side[!side]; /* how much of the candidate the pair holds */
            Bag *other = group_bag(al, o, side ? p->a : p->b, side ? p->na : p->nb, &lo_len, &norm);
            bag_cosine(&al->by_word, s->bag + s->bag0[cand], s->bag0[cand + 1] - s->bag0[cand], 1,
                       other, lo_len, 1, &contained);
            free(other);
            if (contained < ALIGN_MIN_CONTAINED || cos <= p->cos + 0.01) break;
            p->a = a;
            p->na = na;
            p->b = b;
            p->nb = nb;
            p->cos = cos;
            s->group[cand] = -2; /* taken; numbered when the pairs are */
        }
    }
}

static int cmp_edge_cos(const void *x, const void *y) /* ties as the chain left them */
{
    const Edge *a = x, *b = y;
    if (a->cos != b->cos) return (a->cos < b->cos) - (a->cos > b->cos);
    return cmp_edge_chain(x, y);
}

/* ---- meaning: stems, and the gaps between strong pairs ---- */

/* Each term's stem (stem.h) as an id of its own vocabulary, from the language of side A (of B
 * when A's is unknown). */
static void make_stems(Alignment *al, const Vocab *v)
{
    const char *lang = al->lang[0][0] ? al->lang[0] : al->lang[1];
    Stemmer *st = stemmer_new(al->translation ? "" : lang);
    Transliterator *tr = al->translation ? translit_new() : NULL;
    Strbuf latin = STRBUF_INIT;
    Vocab sv = {0};
    sv.tcap = 1024;
    sv.table = xcalloc(sv.tcap, sizeof *sv.table);
    vocab_intern(&sv, "", 0); /* id 0: no anchor (a translation's other words) */
    al->stem_of = xmalloc((v->n ? v->n : 1) * sizeof *al->stem_of);
    for (size_t t = 0; t < v->n; t++) {
        size_t len;
        const char *w = v->buf.buf + v->off[t], *stem;
        size_t n = v->off[t + 1] - v->off[t];
        if (tr) { /* an anchor: a number, or a word of three letters or more, in Latin letters */
            translit_latin(tr, w, n, &latin);
            bool digit = false;
            for (size_t q = 0; q < latin.len; q++)
                digit |= latin.buf[q] >= '0' && latin.buf[q] <= '9';
            stem = latin.len ? latin.buf : "";
            len = digit || latin.len >= 3 ? latin.len : 0;
        } else
            stem = stemmer_stem(st, w, n, &len);
        al->stem_of[t] = vocab_intern(&sv, stem, len);
    }
    strbuf_release(&latin);
    translit_free(tr);
    al->nstems = sv.n;
    stemmer_free(st);
    free(sv.table);
    free(sv.off);
    strbuf_release(&sv.buf);
}

/* Each paragraph's bag of stems, weighed by the stems' idf over the paragraphs searched. */
static void stem_bags(Alignment *al)
{
    size_t *df = xcalloc(al->nstems ? al->nstems : 1, sizeof *df);
    uint8_t *sides = xcalloc(al->nstems ? al->nstems : 1, 1); /* bit k: on side k */
    for (int k = 0; k < 2; k++)
        for (size_t t = 0; t < al->side[k].ntok; t++)
            sides[al->stem_of[al->side[k].term[t]]] |= (uint8_t)(1 << k);
    double N = 0;
    for (int k = 0; k < 2; k++) {
        Side *s = &al->side[k];
        size_t len = 0, cap = 16, most = 0;
        s->sbag = xmalloc(cap * sizeof *s->sbag);
        s->sbag0 = xmalloc((s->npara + 1) * sizeof *s->sbag0);
        for (size_t i = 0; i < s->npara; i++)
            if (s->tok0[i + 1] - s->tok0[i] > most) most = s->tok0[i + 1] - s->tok0[i];
        uint32_t *stems = xmalloc((most ? most : 1) * sizeof *stems);
        uint32_t *scratch = xmalloc(bag_scratch(most) * sizeof *scratch);
        for (size_t i = 0; i < s->npara; i++) {
            s->sbag0[i] = len;
            size_t n = 0;
            for (size_t t = s->tok0[i]; t < s->tok0[i + 1]; t++) {
                uint32_t id = al->stem_of[s->term[t]];
                /* a translation's bags hold its anchors only: the other stems weigh nothing
                 * (below), and a pseudo-word per word of a story in Latin letters would make the
                 * bags as big as the tokens */
                if (!al->translation || (id && sides[id] == 3)) stems[n++] = id;
            }
            make_bag(stems, n, scratch, &s->sbag, &len, &cap);
            N += s->twin[i] == NO_TWIN;
        }
        s->sbag0[s->npara] = len;
        for (size_t q = 0; q < len; q++)
            df[s->sbag[q].term]++;
        if (al->translation) { /* the tokens that can be marked: see SpanList.anchors */
            uint8_t *bits = xcalloc(s->ntok / 8 + 1, 1);
            for (size_t t = 0; t < s->ntok; t++) {
                uint32_t id = al->stem_of[s->term[t]];
                if (id && sides[id] == 3) bits[t >> 3] |= (uint8_t)(1 << (t & 7));
            }
            al->pair_span[k].anchors = bits;
        }
        free(stems);
        free(scratch);
    }
    al->sidf = idf_from_df(df, al->nstems, N);
    al->by_stem = (Weights){al->sidf, al->tf};
    /* a translation's anchors are what both sides hold: a word that is no anchor, or a name
     * on one side only, weighs nothing */
    for (size_t t = 0; al->translation && t < al->nstems; t++)
        if (t == 0 || sides[t] != 3) al->sidf[t] = 0;
    free(sides);
    free(df);
    for (int k = 0; k < 2; k++) {
        Side *s = &al->side[k];
        s->snorm = weigh_bags(&al->by_stem, s->sbag, s->sbag0, s->npara);
    }
}

/* The stem bag of paragraphs [p, p + n) of s: the paragraph's own for one, else merged into
 * *scratch (weighed, norm in *norm). */
static const Bag *group_stems(const Alignment *al, const Side *s, size_t p, size_t n, Bag **scratch,
                              size_t *cap, size_t *len, double *norm)
{
    if (n == 1) {
        *len = s->sbag0[p + 1] - s->sbag0[p];
        *norm = s->snorm[p];
        return s->sbag + s->sbag0[p];
    }
    size_t all = s->sbag0[p + n] - s->sbag0[p];
    if (2 * all + 2 > *cap) { /* + 2: never NULL, though a translation's bags may be empty */
        *cap = 2 * all + 2;
        *scratch = xreallocarray(*scratch, *cap, sizeof **scratch);
    }
    /* each paragraph's bag is sorted: merged one into the next, counts of a word added */
    Bag *cur = *scratch, *tmp = *scratch + all;
    size_t nc = s->sbag0[p + 1] - s->sbag0[p];
    if (nc) memcpy(cur, s->sbag + s->sbag0[p], nc * sizeof *cur);
    for (size_t q = p + 1; q < p + n; q++) {
        const Bag *y = s->sbag + s->sbag0[q];
        size_t ny = s->sbag0[q + 1] - s->sbag0[q], i = 0, j = 0, nt = 0;
        while (i < nc || j < ny) {
            if (j == ny || (i < nc && cur[i].term < y[j].term))
                tmp[nt++] = cur[i++];
            else if (i == nc || y[j].term < cur[i].term)
                tmp[nt++] = y[j++];
            else {
                tmp[nt] = cur[i++];
                tmp[nt++].tf += y[j++].tf;
            }
        }
        Bag *t = cur;
        cur = tmp;
        tmp = t;
        nc = nt;
    }
    *len = nc;
    *norm = bag_weigh(&al->by_stem, cur, nc);
    return cur;
}

typedef struct {
    Bag *x, *y;
    size_t xcap, ycap;
} StemScratch;

/* How alike A's paragraphs [a, a + na) and B's [b, b + nb) are in meaning: the cosine of their
 * stem vectors. */
static double meaning_sim(const Alignment *al, StemScratch *sc, size_t a, size_t na, size_t b,
                          size_t nb)
{
    double p = 1; /* a translation: how well the lengths fit (Gale and Church) */
    if (al->translation) {
        size_t la = 0, lb = 0;
        for (size_t i = a; i < a + na; i++)
            la += al->letters[0][i];
        for (size_t j = b; j < b + nb; j++)
            lb += al->letters[1][j];
        double r = log(((double)lb + 20) / ((double)la * al->len_ratio + 20));
        p = exp(-r * r / (2 * TRANSLATION_SIGMA * TRANSLATION_SIGMA));
        if (p < TRANSLATION_MIN) return p * 0.6; /* below the minimum whatever the anchors */
    }
    size_t lx, ly;
    double nx, ny, cos = 0;
    bool ax = false, ay = false; /* any weight on each side (a translation's anchors may be none) */
    for (size_t i = a; i < a + na && !ax; i++)
        ax = al->side[0].snorm[i] > 0;
    for (size_t j = b; j < b + nb && !ay; j++)
        ay = al->side[1].snorm[j] > 0;
    if (ax && ay) {
        const Bag *x = group_stems(al, &al->side[0], a, na, &sc->x, &sc->xcap, &lx, &nx);
        const Bag *y = group_stems(al, &al->side[1], b, nb, &sc->y, &sc->ycap, &ly, &ny);
        cos = bag_cosine_small(&al->by_stem, x, lx, nx, y, ly, ny);
    }
    if (al->translation) return p * (0.6 + 0.4 * cos); /* and the anchors shared */
    /* relative length: a retelling keeps about the length of what it retells, so of two groups
     * about as similar, the one of matching length is the one meant */
    const Side *A = &al->side[0], *B = &al->side[1];
    double wa = (double)(A->tok0[a + na] - A->tok0[a]), wb = (double)(B->tok0[b + nb] - B->tok0[b]);
    double r = wa < wb ? (wa + 1) / (wb + 1) : (wb + 1) / (wa + 1);
    return cos * (0.5 + 0.5 * r);
}

/* A twin (a paragraph equal to one on the other side) among paragraphs [p, p + n) of s: it
 * pairs with its twin (as moved, when out of order) and nothing else; its words are counted,
 * not kept. */
static bool has_twin(const Side *s, size_t p, size_t n)
{
    for (size_t i = p; i < p + n; i++)
        if (s->twin[i] != NO_TWIN) return true;
    return false;
}

/* A translation's pairing of A [a, a + na) with B [b, b + nb) that its lengths alone put below
 * TRANSLATION_MIN (meaning_sim's Gale and Church fit p): told without log and exp, from the
 * ratio of the lengths and the bounds [lo, hi] outside which p < TRANSLATION_MIN (fit_bounds).
 * The bounds have a margin, so a pairing near them is left to meaning_sim: the answer is
 * meaning_sim's own, never a guess. */
static void fit_bounds(double *lo, double *hi)
{
    double r = TRANSLATION_SIGMA * sqrt(2 * log(1 / TRANSLATION_MIN)); /* |ln ratio| at p = MIN */
    *lo = exp(-r) * (1 - 1e-6);
    *hi = exp(r) * (1 + 1e-6);
}

static bool lengths_rule_out(const Alignment *al, double lo, double hi, size_t a, size_t na,
                             size_t b, size_t nb)
{
    size_t la = 0, lb = 0;
    for (size_t i = a; i < a + na; i++)
        la += al->letters[0][i];
    for (size_t j = b; j < b + nb; j++)
        lb += al->letters[1][j];
    double x = ((double)lb + 20) / ((double)la * al->len_ratio + 20);
    return x < lo || x > hi;
}

/* What pairing [a, a + na) with [b, b + nb) of similarity sim is worth to the gap's alignment
 * (leaving a paragraph unpaired is worth 0): the similarity above ALIGN_GAP_FLOOR, less a little
 * for each paragraph joined, so that a merge must be more alike than the pair it grows from. */
static double gap_gain(const Alignment *al, double sim, size_t na, size_t nb)
{
    if (al->translation) {
        if (sim < TRANSLATION_MIN) return -1;
        return sim - TRANSLATION_FLOOR - TRANSLATION_JOIN * (double)(na + nb - 2);
    }
    if (sim < ALIGN_GAP_MIN) return -1;
    return sim - ALIGN_GAP_FLOOR - ALIGN_GAP_JOIN * (double)(na + nb - 2);
}

/* Aligns the gap A [a0, a1) x B [b0, b1) left between two strong pairs: the order-preserving
 * alignment of most gain (gap_gain), each step pairing 1-3 paragraphs of A with 1-3 of B or
 * leaving one unpaired. A dynamic programme over the cells (i, j) of the gap, within a band
 * about its diagonal when the gap is big (GAP_MAX_CELLS in all): linear in the gap's size.
 * The pairs found are appended to *out, in order. */
static void align_gap(Alignment *al, StemScratch *sc, size_t a0, size_t a1, size_t b0, size_t b1,
                      Pair *out, size_t *nout)
{
    size_t n = a1 - a0, m = b1 - b0;
    if (!n || !m) return;
    /* the cells the gap may have: a budget of work, a cell comparing about the smaller side's
     * words (bag_cosine_small) */
    const Side *SA = &al->side[0], *SB = &al->side[1];
    size_t wa = SA->sbag0[a1] - SA->sbag0[a0], wb = SB->sbag0[b1] - SB->sbag0[b0];
    /* a cell: one pair and up to four groups merged and compared, a binary search per word */
    size_t per_cell = 16 * (1 + (wa / n < wb / m ? wa / n : wb / m));
    size_t max_cells =
        GAP_MAX_WORK / per_cell < GAP_MAX_CELLS ? GAP_MAX_WORK / per_cell : GAP_MAX_CELLS;
    size_t half = m + 1; /* the band's half width */
    if ((n + 1) * (m + 1) > max_cells) {
        half = max_cells / (2 * (n + 1));
        size_t slope = m / n + 4; /* wide enough that each row's band meets the next's */
        if (half < slope) half = slope;
    }
    /* a translation's band follows the letters: paragraph i of A faces the B paragraph as far
     * into B's letters (by the stories' ratio), which keeps it narrow */
    size_t *center = NULL;
    if (al->translation && (n + 1) * (m + 1) > GAP_MAX_CELLS / 4) {
        if (half > TRANSLATION_BAND) half = TRANSLATION_BAND;
        center = xmalloc((n + 1) * sizeof *center);
        double la = 0, lb = 0;
        size_t j = 0;
        for (size_t i = 0; i <= n; i++) {
            while (j < m && lb + (double)al->letters[1][b0 + j] / 2 < la * al->len_ratio)
                lb += (double)al->letters[1][b0 + j++];
            center[i] = i == n ? m : j;
            if (i < n) la += (double)al->letters[0][a0 + i];
        }
    }
    /* a translation's cells: most are ruled out by their lengths, which is cheaper to tell
     * than the similarity (a log and an exp each; a third of a translation's time) */
    double fit_lo = 0, fit_hi = 0;
    if (al->translation) fit_bounds(&fit_lo, &fit_hi);
    size_t *lo = xmalloc((n + 1) * sizeof *lo), *row = xmalloc((n + 2) * sizeof *row);
    row[0] = 0;
    size_t prev_hi = 0;
    for (size_t i = 0; i <= n; i++) {
        size_t c = center ? center[i] : (size_t)((double)i * (double)m / (double)n);
        lo[i] = c > half ? c - half : 0;
        size_t hi = c + half < m ? c + half : m;
        if (i == n) hi = m;
        /* every row's first cell reachable from the row above: lo[i - 1] <= lo[i] <= its end */
        if (i && lo[i] < lo[i - 1]) lo[i] = lo[i - 1];
        if (i && lo[i] > prev_hi) lo[i] = prev_hi;
        if (hi < lo[i]) hi = lo[i];
        prev_hi = hi;
        row[i + 1] = row[i] + (hi - lo[i] + 1);
    }
    free(center);
    size_t cells = row[n + 1];
    double *f = xmalloc(cells * sizeof *f);
    float *s1 = xmalloc(cells * sizeof *s1); /* sim of A[i-1] and B[j-1], or -1 */
    uint8_t *move = xmalloc(cells);          /* (na << 2 | nb) of the step into the cell */
#define CELL(i, j) (row[i] + ((j)-lo[i]))
#define IN(i, j) ((j) >= lo[i] && (j)-lo[i] < row[(i) + 1] - row[i])
    for (size_t i = 0; i <= n; i++)
        for (size_t j = lo[i]; IN(i, j); j++) {
            size_t c = CELL(i, j);
            double best = -1e300;
            uint8_t mv = 0;
            s1[c] = -1;
            if (i && j && !has_twin(&al->side[0], a0 + i - 1, 1) &&
                !has_twin(&al->side[1], b0 + j - 1, 1))
                s1[c] = al->translation &&
                                lengths_rule_out(al, fit_lo, fit_hi, a0 + i - 1, 1, b0 + j - 1, 1)
                            ? 0 /* below TRANSLATION_MIN: worth nothing (gap_gain) */
                            : (float)meaning_sim(al, sc, a0 + i - 1, 1, b0 + j - 1, 1);
            if (!i && !j) best = 0;
            if (i && IN(i - 1, j) && f[CELL(i - 1, j)] > best)
                best = f[CELL(i - 1, j)], mv = 1 << 2;
            if (j && IN(i, j - 1) && f[CELL(i, j - 1)] > best) best = f[CELL(i, j - 1)], mv = 1;
            for (size_t ka = 1; ka <= 3 && ka <= i; ka++)
                for (size_t kb = 1; kb <= 3 && kb <= j; kb++) {
                    /* one paragraph split in up to three, or up to three merged into one */
                    if ((ka > 1 && kb > 1) || !IN(i - ka, j - kb)) continue;
                    if (has_twin(&al->side[0], a0 + i - ka, ka) ||
                        has_twin(&al->side[1], b0 + j - kb, kb))
                        continue;
                    double sim;
                    if (ka == 1 && kb == 1)
                        sim = s1[c];
                    else {
                        /* a group is worth scoring only when one of its corners pairs */
                        size_t ci = i - ka + 1, cj = j - kb + 1;
                        bool corner = al->translation || s1[c] >= ALIGN_GAP_MIN ||
                                      (IN(ci, cj) && s1[CELL(ci, cj)] >= ALIGN_GAP_MIN) ||
                                      (IN(i, cj) && s1[CELL(i, cj)] >= ALIGN_GAP_MIN) ||
                                      (IN(ci, j) && s1[CELL(ci, j)] >= ALIGN_GAP_MIN);
                        if (!corner) continue;
                        if (al->translation &&
                            lengths_rule_out(al, fit_lo, fit_hi, a0 + i - ka, ka, b0 + j - kb, kb))
                            continue; /* below TRANSLATION_MIN: worth nothing */
                        sim = meaning_sim(al, sc, a0 + i - ka, ka, b0 + j - kb, kb);
                    }
                    double g = gap_gain(al, sim, ka, kb);
                    if (g <= 0) continue;
                    double v = f[CELL(i - ka, j - kb)] + g;
                    if (v > best) best = v, mv = (uint8_t)(ka << 2 | kb);
                }
            f[c] = best;
            move[c] = mv;
        }
    /* the path back from (n, m), its pairs reversed into place */
    size_t first = *nout;
    for (size_t i = n, j = m; i || j;) {
        uint8_t mv = move[CELL(i, j)];
        size_t ka = mv >> 2, kb = mv & 3;
        if (!mv) break; /* unreachable: the band is built so that it is not */
        if (ka && kb) {
            size_t a = a0 + i - ka, b = b0 + j - kb;
            double cos = al->translation ? 0 : group_cosine(al, a, ka, b, kb); /* no idf there */
            out[(*nout)++] = (Pair){a, ka, b, kb, cos, 0};
        }
        i -= ka;
        j -= kb;
    }
#undef CELL
#undef IN
    for (size_t x = first, y = *nout; x + 1 < y; x++, y--) {
        Pair t = out[x];
        out[x] = out[y - 1];
        out[y - 1] = t;
    }
    free(lo);
    free(row);
    free(f);
    free(s1);
    free(move);
}

/* The ends of two versions meet: where one story goes on after its last pair and the other
 * does not (a retelling that draws its ending out over more paragraphs), the paragraphs left
 * over join that pair when they share something with it (ALIGN_END_MIN), up to three in all;
 * the same before the first pair. Inside a story an unpaired paragraph stays one (added or
 * removed): only the ends are known to correspond. */
static void join_ends(Alignment *al, StemScratch *sc, Pair *p, size_t n)
{
    if (!n) return;
    const Side *A = &al->side[0], *B = &al->side[1];
    for (int end = 0; end < 2; end++) {
        Pair *q = end ? &p[n - 1] : &p[0];
        if (has_twin(A, q->a, q->na) || has_twin(B, q->b, q->nb)) continue; /* twins stay 1:1 */
        for (int side = 0; side < 2; side++) {
            size_t *first = side ? &q->b : &q->a, *len = side ? &q->nb : &q->na;
            size_t other_first = side ? q->a : q->b, other_len = side ? q->na : q->nb;
            size_t total = side ? B->npara : A->npara, other_total = side ? A->npara : B->npara;
            bool other_done = end ? other_first + other_len == other_total : other_first == 0;
            if (!other_done || other_len != 1) continue;
            while (*len < 3) {
                size_t cand;
                if (end) {
                    if (*first + *len >= total) break;
                    cand = *first + *len;
                } else {
                    if (*first == 0) break;
                    cand = *first - 1;
                }
                if (has_twin(side ? B : A, cand, 1)) break;
                double sim = side ? meaning_sim(al, sc, other_first, 1, cand, 1)
                                  : meaning_sim(al, sc, cand, 1, other_first, 1);
                if (sim < ALIGN_END_MIN) break;
                if (!end) (*first)--;
                (*len)++;
            }
        }
        q->cos = group_cosine(al, q->a, q->na, q->b, q->nb);
    }
}

/* A free paragraph next to a pair joins it (a split or a merge of up to three) when it is alike
 * in meaning to the pair's other side on its own (ALIGN_JOIN_MIN) and the pair grown is no less
 * alike than it was: what grow_pair does for the words a split keeps, for a retelling's. */
static void grow_by_meaning(Alignment *al, StemScratch *sc, Pair *p, size_t n)
{
    const Side *A = &al->side[0], *B = &al->side[1];
    for (size_t k = 0; k < n; k++) {
        Pair *q = &p[k];
        if (has_twin(A, q->a, q->na) || has_twin(B, q->b, q->nb)) continue; /* twins stay 1:1 */
        for (int side = 1; side >= 0; side--) {
            if ((side ? q->na : q->nb) != 1) continue; /* one paragraph facing up to three */
            size_t lo = k ? (side ? p[k - 1].b + p[k - 1].nb : p[k - 1].a + p[k - 1].na) : 0;
            size_t hi = k + 1 < n ? (side ? p[k + 1].b : p[k + 1].a) : (side ? B->npara : A->npara);
            for (int dir = 1; dir >= -1; dir -= 2) {
                for (;;) {
                    size_t *first = side ? &q->b : &q->a, *len = side ? &q->nb : &q->na;
                    if (*len >= 3) break;
                    size_t cand;
                    if (dir > 0) {
                        if (*first + *len >= hi) break;
                        cand = *first + *len;
                    } else {
                        if (*first <= lo) break;
                        cand = *first - 1;
                    }
                    if (has_twin(side ? B : A, cand, 1)) break;
                    size_t nf = dir < 0 ? *first - 1 : *first;
                    double own, now, grown;
                    if (side) {
                        own = meaning_sim(al, sc, q->a, 1, cand, 1);
                        now = meaning_sim(al, sc, q->a, 1, *first, *len);
                        grown = meaning_sim(al, sc, q->a, 1, nf, *len + 1);
                    } else {
                        own = meaning_sim(al, sc, cand, 1, q->b, 1);
                        now = meaning_sim(al, sc, *first, *len, q->b, 1);
                        grown = meaning_sim(al, sc, nf, *len + 1, q->b, 1);
                    }
                    if (own < ALIGN_JOIN_MIN || grown < now) break;
                    *first = nf;
                    (*len)++;
                }
            }
        }
        q->cos = group_cosine(al, q->a, q->na, q->b, q->nb);
    }
}

/* The strong pairs (grown by their splits and merges) kept, and each gap between two of them
 * aligned by meaning (align_gap): strong[0, nstrong) in order, the pairs of all, in order, into
 * out (room for one per paragraph of A). */
static size_t align_by_meaning(Alignment *al, const Pair *strong, size_t nstrong, Pair *out)
{
    const Side *A = &al->side[0], *B = &al->side[1];
    StemScratch sc = {0};
    size_t n = 0, a0 = 0, b0 = 0;
    for (size_t k = 0; k <= nstrong; k++) {
        size_t a1 = k < nstrong ? strong[k].a : A->npara, b1 = k < nstrong ? strong[k].b : B->npara;
        align_gap(al, &sc, a0, a1, b0, b1, out, &n);
        if (k == nstrong) break;
        out[n++] = strong[k];
        a0 = a1 + strong[k].na;
        b0 = b1 + strong[k].nb;
    }
    if (!al->translation) { /* a translation's merges are the programme's own (lengths) */
        grow_by_meaning(al, &sc, out, n);
        join_ends(al, &sc, out, n);
    }
    free(sc.x);
    free(sc.y);
    return n;
}

/* ---- word diff ---- */

static void span_add(Span **v, size_t *n, size_t *cap, Span sp)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        *v = xreallocarray(*v, *cap, sizeof **v);
    }
    (*v)[(*n)++] = sp;
}

static void collect_token(void *ctx, size_t start, size_t end)
{
    SpanList *l = ctx;
    if (l->folder) {
        if (l->n == l->tcap) {
            l->tcap = l->tcap ? l->tcap * 2 : 256;
            l->term = xreallocarray(l->term, l->tcap, sizeof *l->term);
        }
        size_t t = l->tok + l->n, len;
        if (l->anchors && !(l->anchors[t >> 3] >> (t & 7) & 1)) {
            l->term[l->n] = NO_ANCHOR;
        } else {
            const char *f = token_fold(l->folder, l->bytes + l->base + start, end - start, &len);
            l->term[l->n] = vocab_intern(l->vocab, f, len);
        }
    }
    span_add(&l->v, &l->n, &l->cap, (Span){l->base + start, l->base + end});
}

/* The bytes of the tokens of paragraphs [p, p + n) of side s, as side_tokens found them (the
 * same tokenizer over the same bytes; a twin's tokens are not kept, so not found here either),
 * in l->v[0, l->n): token tok0[p] + k is l->v[k]; with l->folder, their words in l->term too. */
static void pair_spans(const Side *s, size_t p, size_t n, Strbuf *scratch, SpanList *l)
{
    l->n = 0;
    l->bytes = s->bytes;
    l->tok = s->tok0[p];
    for (size_t i = p; i < p + n; i++) {
        if (s->twin[i] != NO_TWIN) continue;
        l->base = s->para[i].start;
        token_each(s->bytes + l->base, s->para[i].end - l->base, scratch, collect_token, l);
    }
    if (l->n != s->tok0[p + n] - s->tok0[p]) abort(); /* the tokenizer is deterministic */
}

/* Marks in keep[] the tokens of x (and y) that are in a longest common subsequence; returns its
 * length. Past LCS_MAX_CELLS the untrimmed middle is all unmarked. */
static size_t lcs_mark(const uint32_t *x, size_t nx, const uint32_t *y, size_t ny, uint8_t *kx,
                       uint8_t *ky)
{
    memset(kx, 0, nx);
    memset(ky, 0, ny);
    size_t pre = 0, suf = 0;
    while (pre < nx && pre < ny && x[pre] == y[pre]) {
        kx[pre] = ky[pre] = 1;
        pre++;
    }
    while (suf < nx - pre && suf < ny - pre && x[nx - 1 - suf] == y[ny - 1 - suf]) {
        kx[nx - 1 - suf] = ky[ny - 1 - suf] = 1;
        suf++;
    }
    size_t n = nx - pre - suf, m = ny - pre - suf, common = pre + suf;
    if (!n || !m || n * m > LCS_MAX_CELLS) return common;
    const uint32_t *xs = x + pre, *ys = y + pre;
    uint16_t *t = xcalloc((n + 1) * (m + 1), sizeof *t); /* t[i][j]: LCS of xs[i..], ys[j..] */
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;) {
            uint16_t *c = &t[i * (m + 1) + j];
            if (xs[i] == ys[j])
                *c = (uint16_t)(t[(i + 1) * (m + 1) + j + 1] + 1);
            else {
                uint16_t down = t[(i + 1) * (m + 1) + j], right = t[i * (m + 1) + j + 1];
                *c = down > right ? down : right;
            }
        }
    size_t i = 0, j = 0;
    while (i < n && j < m) {
        if (xs[i] == ys[j]) {
            kx[pre + i] = ky[pre + j] = 1;
            common++;
            i++;
            j++;
        } else if (t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1])
            i++;
        else
            j++;
    }
    free(t);
    return common;
}

/* A sentence of a pair's tokens: [t0, t1), and a hash of its words. */
typedef struct {
    size_t t0, t1;
    uint64_t h;
} Sentence;

/* The sentences of tokens [0, n) of side s from token `first`: a sentence ends where the bytes
 * between two tokens hold . ! ? or their CJK forms. Only those of MOVED_MIN_WORDS or more. */
static size_t sentences(const Side *s, const Span *span, size_t n, const uint32_t *term,
                        Sentence *out)
{
    size_t ns = 0, start = 0;
    for (size_t k = 0; k < n; k++) {
        bool end = k + 1 == n;
        if (!end) {
            const uint8_t *b = s->bytes;
            for (size_t q = span[k].end; q < span[k + 1].start && !end; q++)
                end = b[q] == '.' || b[q] == '!' || b[q] == '?' ||
                      (b[q] == 0xE3 && b[q + 1] == 0x80 && b[q + 2] == 0x82) || /* 。 */
                      (b[q] == 0xEF && b[q + 1] == 0xBC && (b[q + 2] == 0x81 || b[q + 2] == 0x9F));
        }
        if (!end) continue;
        if (k + 1 - start >= MOVED_MIN_WORDS) {
            uint64_t h = 1469598103934665603u;
            for (size_t q = start; q <= k; q++)
                h = (h ^ term[q]) * 1099511628211u;
            out[ns++] = (Sentence){start, k + 1, h};
        }
        start = k + 1;
    }
    return ns;
}

/* Sentences moved inside a pair: a sentence found once in x's and once in y's (the same words)
 * that is not in the longest run of such sentences in the same order on both sides. Their
 * tokens are set to values no other token has in xs and ys (copies of x and y), so that the
 * common subsequence leaves them alone, and marked 2 in kx and ky afterwards (pair_row).
 * Returns the tokens so set on each side. */
static size_t hide_moved_sentences(const Alignment *al, const Span *const spans[2], uint32_t *xs,
                                   size_t nx, uint32_t *ys, size_t ny, uint8_t *mx, uint8_t *my)
{
    const Side *A = &al->side[0], *B = &al->side[1];
    memset(mx, 0, nx);
    memset(my, 0, ny);
    Sentence *sa = xmalloc((nx / MOVED_MIN_WORDS + 1) * sizeof *sa);
    Sentence *sb = xmalloc((ny / MOVED_MIN_WORDS + 1) * sizeof *sb);
    size_t na = sentences(A, spans[0], nx, xs, sa), nb = sentences(B, spans[1], ny, ys, sb);
    if (na > MOVED_MAX_SENTENCES || nb > MOVED_MAX_SENTENCES) { /* the matching is quadratic */
        free(sa);
        free(sb);
        return 0;
    }
    /* matches: sentences once on each side with the same words (a, b) */
    size_t *ma = xmalloc((na + 1) * sizeof *ma), nm = 0, hidden = 0;
    size_t *mb = xmalloc((na + 1) * sizeof *mb);
    for (size_t i = 0; i < na; i++) {
        size_t found = SIZE_MAX, ca = 0, cb = 0;
        for (size_t k = 0; k < na; k++)
            ca += sa[k].h == sa[i].h;
        for (size_t j = 0; j < nb; j++)
            if (sb[j].h == sa[i].h) cb++, found = j;
        if (ca != 1 || cb != 1) continue;
        size_t len = sa[i].t1 - sa[i].t0;
        if (sb[found].t1 - sb[found].t0 != len ||
            memcmp(xs + sa[i].t0, ys + sb[found].t0, len * sizeof *xs))
            continue;
        ma[nm] = i;
        mb[nm++] = found;
    }
    /* the longest run increasing in b (quadratic in the few matched sentences) stays in order */
    size_t *lis = xmalloc((nm + 1) * sizeof *lis), *prev = xmalloc((nm + 1) * sizeof *prev);
    size_t best = SIZE_MAX;
    for (size_t k = 0; k < nm; k++) {
        lis[k] = 1;
        prev[k] = SIZE_MAX;
        for (size_t q = 0; q < k; q++)
            if (mb[q] < mb[k] && lis[q] + 1 > lis[k]) lis[k] = lis[q] + 1, prev[k] = q;
        if (best == SIZE_MAX || lis[k] > lis[best]) best = k;
    }
    uint8_t *in_order = xcalloc(nm + 1, 1);
    for (size_t k = best; k != SIZE_MAX; k = prev[k])
        in_order[k] = 1;
    for (size_t k = 0; k < nm; k++) {
        if (in_order[k]) continue;
        const Sentence *x = &sa[ma[k]], *y = &sb[mb[k]];
        for (size_t t = x->t0; t < x->t1; t++)
            xs[t] = UINT32_MAX, mx[t] = 1;
        for (size_t t = y->t0; t < y->t1; t++)
            ys[t] = UINT32_MAX - 1, my[t] = 1;
        hidden += x->t1 - x->t0;
    }
    free(in_order);
    free(lis);
    free(prev);
    free(ma);
    free(mb);
    free(sa);
    free(sb);
    return hidden;
}

/* Whether [a, b) of bytes is one apostrophe: two tokens split from one word (token.h). */
static bool joined(const uint8_t *bytes, size_t a, size_t b)
{
    return b > a && token_apostrophe_len(bytes + a, bytes + b) == b - a;
}

/* The runs of tokens of paragraphs [p, p + n) of side s whose keep[] is value, as spans appended
 * to *v; a run never crosses from one paragraph into the next. span: the tokens' bytes
 * (pair_spans). Returns how many. */
static size_t runs_of(Alignment *al, int side, size_t p, size_t n, const Span *span,
                      const uint8_t *keep, uint8_t value, Span **v, size_t *nv, size_t *cap)
{
    const Side *s = &al->side[side];
    size_t t0 = s->tok0[p], added = 0;
    for (size_t i = p; i < p + n; i++) {
        size_t t1 = s->tok0[i + 1];
        for (size_t k = s->tok0[i]; k < t1;) {
            if (keep[k - t0] != value) {
                k++;
                continue;
            }
            size_t e = k;
            while (e < t1 && keep[e - t0] == value)
                e++;
            Span sp = {span[k - t0].start, span[e - 1 - t0].end};
            /* with the apostrophe that joins it to a word's other part: "country['s]", "[l']" */
            if (k > s->tok0[i] && joined(s->bytes, span[k - 1 - t0].end, sp.start))
                sp.start = span[k - 1 - t0].end;
            if (e < t1 && joined(s->bytes, sp.end, span[e - t0].start)) sp.end = span[e - t0].start;
            span_add(v, nv, cap, sp);
            added++;
            k = e;
        }
    }
    return added;
}

static size_t diff_spans(Alignment *al, int side, size_t p, size_t n, const Span *span,
                         const uint8_t *keep)
{
    return runs_of(al, side, p, n, span, keep, 0, &al->diff[side], &al->ndiff[side],
                   &al->diffcap[side]);
}

static void add_row(Alignment *al, size_t *cap, AlignRow r)
{
    if (al->nrows == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        al->rows = xreallocarray(al->rows, *cap, sizeof *al->rows);
    }
    al->rows[al->nrows++] = r;
}

/* A translated pair's row: its spans are the anchors both sides hold (names, numbers: words
 * do not correspond across languages), its score the similarity that paired it, its words all
 * carried over (kept). Frees ka and kb. */
static AlignRow translated_row(Alignment *al, const Pair *p, const Span *const spans[2],
                               uint8_t *ka, uint8_t *kb, size_t ta, size_t tb)
{
    const Side *A = &al->side[0], *B = &al->side[1];
    StemScratch sc = {0};
    size_t lx, ly;
    double nx, ny;
    const Bag *x = group_stems(al, A, p->a, p->na, &sc.x, &sc.xcap, &lx, &nx);
    const Bag *y = group_stems(al, B, p->b, p->nb, &sc.y, &sc.ycap, &ly, &ny);
    /* mark (keep = 0: drawn) the tokens whose anchor the other side holds */
    for (int side = 0; side < 2; side++) {
        const Bag *other = side ? x : y;
        size_t no = side ? lx : ly;
        const uint32_t *term = al->pair_span[side].term;
        uint8_t *k = side ? kb : ka;
        for (size_t t = 0; t < (side ? tb : ta); t++) {
            if (term[t] == NO_ANCHOR) {
                k[t] = 1;
                continue;
            }
            uint32_t id = al->stem_of[term[t]];
            size_t lo = 0, hi = no;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (other[mid].term < id)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            k[t] = !(id && lo < no && other[lo].term == id);
        }
    }
    AlignRow r = {ALIGN_CHANGED, p->a, p->na, p->b, p->nb, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    r.score = meaning_sim(al, &sc, p->a, p->na, p->b, p->nb);
    r.diff_a = al->ndiff[0];
    r.ndiff_a = diff_spans(al, 0, p->a, p->na, spans[0], ka);
    r.diff_b = al->ndiff[1];
    r.ndiff_b = diff_spans(al, 1, p->b, p->nb, spans[1], kb);
    al->words[ALIGN_SAME] += ta + tb;
    al->common += (ta + tb) / 2;
    free(sc.x);
    free(sc.y);
    free(ka);
    free(kb);
    return r;
}

/* A row for pair p: its word diff, score and kind. */
static AlignRow pair_row(Alignment *al, const Pair *p)
{
    const Side *A = &al->side[0], *B = &al->side[1];
    if (p->na == 1 && p->nb == 1 && A->twin[p->a] == p->b) { /* the same words: no diff */
        al->common += A->twin_ntok[p->a];
        al->words[p->moved ? ALIGN_MOVED : ALIGN_SAME] += 2 * A->twin_ntok[p->a];
        AlignRow r = {
            p->moved ? ALIGN_MOVED : ALIGN_SAME, p->a, 1, p->b, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
        r.diff_a = al->ndiff[0];
        r.diff_b = al->ndiff[1];
        return r;
    }
    size_t ta = A->tok0[p->a + p->na] - A->tok0[p->a], tb = B->tok0[p->b + p->nb] - B->tok0[p->b];
    uint8_t *ka = xmalloc(ta ? ta : 1), *kb = xmalloc(tb ? tb : 1);
    pair_spans(A, p->a, p->na, &al->tok_scratch, &al->pair_span[0]);
    pair_spans(B, p->b, p->nb, &al->tok_scratch, &al->pair_span[1]);
    const Span *const spans[2] = {al->pair_span[0].v, al->pair_span[1].v};
    if (al->translation) return translated_row(al, p, spans, ka, kb, ta, tb);
    /* a sentence moved inside the pair: kept out of the common subsequence, marked moved */
    uint32_t *xs = xmalloc((ta ? ta : 1) * sizeof *xs), *ys = xmalloc((tb ? tb : 1) * sizeof *ys);
    uint8_t *mx = xmalloc(ta ? ta : 1), *my = xmalloc(tb ? tb : 1);
    if (ta) memcpy(xs, A->term + A->tok0[p->a], ta * sizeof *xs);
    if (tb) memcpy(ys, B->term + B->tok0[p->b], tb * sizeof *ys);
    size_t moved = hide_moved_sentences(al, spans, xs, ta, ys, tb, mx, my);
    size_t common = lcs_mark(xs, ta, ys, tb, ka, kb);
    for (size_t t = 0; t < ta; t++)
        if (mx[t]) ka[t] = 2;
    for (size_t t = 0; t < tb; t++)
        if (my[t]) kb[t] = 2;
    free(xs);
    free(ys);
    free(mx);
    free(my);
    al->common += common;
    al->words[p->moved ? ALIGN_MOVED : ALIGN_SAME] += 2 * common;
    al->words[ALIGN_MOVED] += 2 * moved;
    al->words[ALIGN_CHANGED] += ta + tb - 2 * common - 2 * moved;
    AlignRow r = {ALIGN_CHANGED, p->a, p->na, p->b, p->nb, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    r.diff_a = al->ndiff[0];
    r.ndiff_a = diff_spans(al, 0, p->a, p->na, spans[0], ka);
    r.diff_b = al->ndiff[1];
    r.ndiff_b = diff_spans(al, 1, p->b, p->nb, spans[1], kb);
    for (int side = 0; side < 2; side++) {
        size_t *first = side ? &r.moved_b : &r.moved_a, *count = side ? &r.nmoved_b : &r.nmoved_a;
        *first = al->nmoved[side];
        *count =
            runs_of(al, side, side ? p->b : p->a, side ? p->nb : p->na, spans[side], side ? kb : ka,
                    2, &al->moved[side], &al->nmoved[side], &al->movedcap[side]);
    }
    common += moved; /* the score: the words both hold, in order or moved */
    free(ka);
    free(kb);
    Span sa = {A->para[p->a].start, A->para[p->a + p->na - 1].end};
    Span sb = {B->para[p->b].start, B->para[p->b + p->nb - 1].end};
    /* texts equal in NFC have equal folded words: only such a pair is normalized to see */
    bool same = p->na == 1 && p->nb == 1 &&
                (same_text(A->bytes, sa, B->bytes, sb) ||
                 (common == ta && ta == tb && same_text_nfc(A->bytes, sa, B->bytes, sb)));
    r.score = ta + tb ? 2.0 * (double)common / (double)(ta + tb) : (same ? 1 : 0);
    if (p->moved)
        r.kind = ALIGN_MOVED;
    else if (same)
        r.kind = ALIGN_SAME;
    return r;
}

/* ---- the whole ---- */

/* A row of one paragraph facing a gap: A's paragraph a (before B's b), or B's b (before A's a). */
static AlignRow one_sided(Alignment *al, AlignKind kind, size_t a, size_t b)
{
    const Side *s = &al->side[kind == ALIGN_ONLY_B];
    size_t i = kind == ALIGN_ONLY_B ? b : a;
    al->words[kind] += s->tok0[i + 1] - s->tok0[i] + s->twin_ntok[i];
    AlignRow r = {kind, a, kind == ALIGN_ONLY_A, b, kind == ALIGN_ONLY_B, 0, 0, 0, 0, 0, 0, 0,
                  0,    0};
    return r;
}

/* The word diffs of the pair rows are most of make_rows (an LCS per changed pair) and each is
 * alone: past ROWS_THREADED tokens in changed pairs, a second thread computes the later ones,
 * in a copy of the alignment whose outputs (spans, counts, scratch) are its own and whose
 * sides' release marks are its own; its spans are appended to the alignment's afterwards, its
 * rows' offsets moved by what came before. A translation's rows find words in the shared
 * vocabulary: one thread. */
enum { ROWS_THREADED = 200000 };

typedef struct {
    size_t row;    /* its place in al->rows */
    const Pair *p; /* the pair it is */
} PairTodo;

typedef struct {
    PairTodo *v;
    size_t n, cap;
    size_t weight; /* the tokens of its pairs that are not twins (theirs is no diff) */
} Todo;

static size_t pair_weight(const Alignment *al, const Pair *p)
{
    const Side *A = &al->side[0], *B = &al->side[1];
    if (p->na == 1 && p->nb == 1 && A->twin[p->a] == p->b) return 0;
    return A->tok0[p->a + p->na] - A->tok0[p->a] + B->tok0[p->b + p->nb] - B->tok0[p->b];
}

/* A row for pair p, its word diff left for pair_rows. */
static void add_pair_todo(Alignment *al, size_t *cap, Todo *t, const Pair *p)
{
    if (t->n == t->cap) t->v = xreallocarray(t->v, t->cap *= 2, sizeof *t->v);
    t->v[t->n++] = (PairTodo){al->nrows, p};
    t->weight += pair_weight(al, p);
    add_row(al, cap, (AlignRow){0});
}

typedef struct {
    Alignment *al; /* the thread's copy */
    const PairTodo *todo;
    size_t n;
} RowsWorker;

static void pair_rows(Alignment *al, const PairTodo *todo, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const Pair *p = todo[k].p;
        al->rows[todo[k].row] = pair_row(al, p);
        release_behind(&al->side[0], al->side[0].para[p->a].start);
        release_behind(&al->side[1], al->side[1].para[p->b].start);
    }
}

static void *rows_worker_main(void *arg)
{
    RowsWorker *w = arg;
    pair_rows(w->al, w->todo, w->n);
    return NULL;
}

/* The outputs of a copy of al (rows_worker) after al's own: spans appended, the copy's rows
 * (todo) pointed at them, counts added. Frees the copy's. */
static void merge_rows(Alignment *al, Alignment *w, const PairTodo *todo, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        AlignRow *r = &al->rows[todo[k].row];
        r->diff_a += al->ndiff[0];
        r->diff_b += al->ndiff[1];
        r->moved_a += al->nmoved[0];
        r->moved_b += al->nmoved[1];
    }
    for (int side = 0; side < 2; side++) {
        for (size_t k = 0; k < w->ndiff[side]; k++)
            span_add(&al->diff[side], &al->ndiff[side], &al->diffcap[side], w->diff[side][k]);
        for (size_t k = 0; k < w->nmoved[side]; k++)
            span_add(&al->moved[side], &al->nmoved[side], &al->movedcap[side], w->moved[side][k]);
        free(w->diff[side]);
        free(w->moved[side]);
        free(w->pair_span[side].v);
        free(w->pair_span[side].term);
    }
    al->common += w->common;
    for (int k = 0; k < 5; k++)
        al->words[k] += w->words[k];
    strbuf_release(&w->tok_scratch);
}

static void make_rows(Alignment *al, const Pair *pairs, size_t nchain)
{
    Side *A = &al->side[0], *B = &al->side[1];
    size_t cap = 0;
    /* the rows in order; a pair's is filled in below (pair_rows) */
    Todo t = {xmalloc(64 * sizeof *t.v), 0, 64, 0};
    /* next_chain_a[j]: the A start of the first in-order pair at or after B paragraph j */
    size_t *next_a = xmalloc((B->npara + 1) * sizeof *next_a);
    size_t nexta = A->npara;
    size_t k = nchain;
    for (size_t j = B->npara + 1; j-- > 0;) {
        while (k > 0 && pairs[k - 1].b >= j) {
            k--;
            nexta = pairs[k].a;
        }
        next_a[j] = nexta;
    }
    size_t ia = 0;
    for (size_t j = 0; j < B->npara;) {
        int g = B->group[j];
        if (g >= 0 && !pairs[g].moved) {
            const Pair *p = &pairs[g];
            for (; ia < p->a; ia++)
                if (A->group[ia] == -1) add_row(al, &cap, one_sided(al, ALIGN_ONLY_A, ia, j));
            add_pair_todo(al, &cap, &t, p);
            ia = p->a + p->na;
            j = p->b + p->nb;
            continue;
        }
        for (; ia < next_a[j]; ia++) /* deletions of this gap first */
            if (A->group[ia] == -1) add_row(al, &cap, one_sided(al, ALIGN_ONLY_A, ia, j));
        if (g >= 0)
            add_pair_todo(al, &cap, &t, &pairs[g]);
        else
            add_row(al, &cap, one_sided(al, ALIGN_ONLY_B, ia, j));
        j++;
    }
    for (; ia < A->npara; ia++)
        if (A->group[ia] == -1) add_row(al, &cap, one_sided(al, ALIGN_ONLY_A, ia, B->npara));
    free(next_a);
    /* the later pairs, half the changed tokens, to a second thread */
    size_t mine = t.n;
    if (!al->translation && t.weight >= ROWS_THREADED)
        for (size_t half = 0, m = 0; m < t.n; m++) {
            if (half >= t.weight / 2) {
                mine = m;
                break;
            }
            half += pair_weight(al, t.v[m].p);
        }
    Alignment copy;
    RowsWorker w = {&copy, t.v + mine, t.n - mine};
    pthread_t thread;
    bool threaded = false;
    if (mine < t.n) {
        copy = *al;
        memset(copy.diff, 0, sizeof copy.diff);
        memset(copy.ndiff, 0, sizeof copy.ndiff);
        memset(copy.diffcap, 0, sizeof copy.diffcap);
        memset(copy.moved, 0, sizeof copy.moved);
        memset(copy.nmoved, 0, sizeof copy.nmoved);
        memset(copy.movedcap, 0, sizeof copy.movedcap);
        copy.common = 0;
        memset(copy.words, 0, sizeof copy.words);
        copy.tok_scratch = (Strbuf)STRBUF_INIT;
        copy.pair_span[0] = copy.pair_span[1] = (SpanList){0};
        /* its release marks start where its pairs do (this thread's are before) */
        copy.side[0].released = A->para[w.todo[0].p->a].start;
        copy.side[1].released = B->para[w.todo[0].p->b].start;
        threaded = thread_start(&thread, rows_worker_main, &w) == 0;
        if (!threaded) rows_worker_main(&w); /* then here, before this thread's own */
    }
    pair_rows(al, t.v, mine);
    if (mine < t.n) {
        if (threaded) pthread_join(thread, NULL);
        merge_rows(al, &copy, w.todo, w.n);
    }
    free(t.v);
    release_all(A);
    release_all(B);
    al->fixed = xmalloc((al->nrows ? al->nrows : 1) * sizeof *al->fixed);
    for (size_t r = 0; r < al->nrows; r++)
        if (al->rows[r].kind != ALIGN_MOVED && al->rows[r].na) al->fixed[al->nfixed++] = r;
}

/* Twins among the paragraphs ka[0, na) of A and kb[0, nb) of B (keyed by text_hash, in order
 * of paragraph), sorted through tmp (room for either): a text that is exactly once in each is
 * that paragraph's twin. */
static void twins_among(Side *A, Side *B, Keyed *ka, size_t na, Keyed *kb, size_t nb, Keyed *tmp)
{
    sort_keyed(ka, tmp, na);
    sort_keyed(kb, tmp, nb);
    size_t x = 0, y = 0;
    while (x < na && y < nb) {
        uint64_t h = ka[x].h;
        if (h != kb[y].h) {
            if (h < kb[y].h)
                x++;
            else
                y++;
            continue;
        }
        size_t xe = x, ye = y;
        while (xe < na && ka[xe].h == h)
            xe++;
        while (ye < nb && kb[ye].h == h)
            ye++;
        uint32_t i = ka[x].i, j = kb[y].i;
        if (xe - x == 1 && ye - y == 1 && same_text(A->bytes, A->para[i], B->bytes, B->para[j])) {
            A->twin[i] = j;
            B->twin[j] = i;
        }
        x = xe;
        y = ye;
    }
}

/* The longest run of twins in order on both sides (patience sorting, O(n log n)): per A
 * paragraph, whether its twin is in that run. */
static uint8_t *twins_in_order(const Side *A, size_t nb)
{
    uint8_t *in = xcalloc(A->npara ? A->npara : 1, 1);
    uint32_t *tail = xmalloc((nb ? nb : 1) * sizeof *tail); /* A paragraph ending each length */
    uint32_t *prev = xmalloc((A->npara ? A->npara : 1) * sizeof *prev);
    size_t len = 0;
    for (size_t i = 0; i < A->npara; i++) {
        uint32_t j = A->twin[i];
        if (j == NO_TWIN) continue;
        size_t lo = 0, hi = len; /* the first run whose last twin is at or past j */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (A->twin[tail[mid]] < j)
                lo = mid + 1;
            else
                hi = mid;
        }
        prev[i] = lo ? tail[lo - 1] : NO_TWIN;
        tail[lo] = (uint32_t)i;
        if (lo == len) len++;
    }
    for (uint32_t i = len ? tail[len - 1] : NO_TWIN; i != NO_TWIN; i = prev[i])
        in[i] = 1;
    free(tail);
    free(prev);
    return in;
}

/* Anchors, as patience diff takes them: a paragraph whose text (but for spacing) is on each side
 * exactly once is that paragraph's twin. Then, between two twins in order on both sides, a text
 * exactly once in each of the gaps (a verse that a story repeats elsewhere: patience diff's
 * recursion, one level). Most paragraphs of two versions are twins; the search for candidates
 * skips them (their pair is the equal one), so its cost follows what changed. */
static void find_twins(Side *A, Side *B)
{
    Keyed *ka = xmalloc((A->npara ? A->npara : 1) * sizeof *ka);
    Keyed *kb = xmalloc((B->npara ? B->npara : 1) * sizeof *kb);
    Keyed *tmp = xmalloc((A->npara > B->npara ? A->npara : B->npara ? B->npara : 1) * sizeof *tmp);
    Side *side[2] = {A, B};
    Keyed *keys[2] = {ka, kb};
    for (int k = 0; k < 2; k++) {
        Side *s = side[k];
        s->hash = xmalloc((s->npara ? s->npara : 1) * sizeof *s->hash);
        for (size_t i = 0; i < s->npara; i++) {
            s->hash[i] = text_hash(s->bytes, s->para[i]);
            keys[k][i] = (Keyed){s->hash[i], (uint32_t)i};
            release_behind(s, s->para[i].start);
        }
    }
    twins_among(A, B, ka, A->npara, kb, B->npara, tmp);
    uint8_t *in_order = A->in_order = twins_in_order(A, B->npara);
    size_t a0 = 0, b0 = 0;
    for (size_t i = 0; i <= A->npara; i++) {
        if (i < A->npara && !in_order[i]) continue;
        size_t b1 = i < A->npara ? A->twin[i] : B->npara; /* the gap: [a0, i) and [b0, b1) */
        size_t na = 0, nb = 0;
        for (size_t p = a0; p < i; p++)
            if (A->twin[p] == NO_TWIN) ka[na++] = (Keyed){A->hash[p], (uint32_t)p};
        for (size_t p = b0; p < b1; p++)
            if (B->twin[p] == NO_TWIN) kb[nb++] = (Keyed){B->hash[p], (uint32_t)p};
        if (na && nb) twins_among(A, B, ka, na, kb, nb, tmp);
        a0 = i + 1;
        b0 = b1 + 1;
    }
    free(tmp);
    free(ka);
    free(kb);
}

/* A translation found by the languages alone must show it: when no pair shares a name or a
 * number, two stories in different languages are not one story (lengths alone pair anything),
 * and only their twins stay paired. --translation trusts the lengths. Returns the pairs kept. */
static size_t drop_unanchored(const Alignment *al, Pair *p, size_t n)
{
    const Side *A = &al->side[0], *B = &al->side[1];
    StemScratch sc = {0};
    size_t kept = 0, guessed = 0;
    bool anchored = false;
    for (size_t k = 0; k < n && !anchored; k++) {
        if (has_twin(A, p[k].a, p[k].na)) continue;
        guessed++;
        size_t lx, ly;
        double nx, ny;
        const Bag *x = group_stems(al, A, p[k].a, p[k].na, &sc.x, &sc.xcap, &lx, &nx);
        const Bag *y = group_stems(al, B, p[k].b, p[k].nb, &sc.y, &sc.ycap, &ly, &ny);
        anchored = bag_cosine(&al->by_stem, x, lx, nx, y, ly, ny, NULL) > 0;
    }
    free(sc.x);
    free(sc.y);
    if (anchored || guessed < 2) return n;
    for (size_t k = 0; k < n; k++)
        if (has_twin(A, p[k].a, p[k].na)) p[kept++] = p[k];
    return kept;
}

/* Each paragraph's bag of words, weighed by idf over the paragraphs of both (but the twins'):
 * what candidates are found and scored by. */
static void words_weighed(Alignment *al)
{
    Side *A = &al->side[0], *B = &al->side[1];
    side_bags(A);
    side_bags(B);
    /* idf over the paragraphs of both */
    size_t *df = xcalloc(al->nterms ? al->nterms : 1, sizeof *df);
    for (int s = 0; s < 2; s++)
        for (size_t k = 0; k < al->side[s].bag0[al->side[s].npara]; k++)
            df[al->side[s].bag[k].term]++;
    size_t twins = 0; /* weights are of the paragraphs that were searched: all but the twins */
    for (size_t i = 0; i < A->npara; i++)
        twins += A->twin[i] != NO_TWIN;
    double N = (double)(A->npara + B->npara - 2 * twins);
    al->idf = idf_from_df(df, al->nterms, N);
    al->by_word = (Weights){al->idf, al->tf};
    free(df);
    for (int s = 0; s < 2; s++) {
        Side *sd = &al->side[s];
        sd->norm = weigh_bags(&al->by_word, sd->bag, sd->bag0, sd->npara);
    }
}

Alignment *align_new(const Text *a, const Text *b)
{
    return align_new_with(a, b, ALIGN_TRANSLATION_AUTO);
}

/* Per paragraph of s, its letters: code points that are not spaces. */
static size_t *count_letters(const Side *s, size_t *total)
{
    size_t *n = xcalloc(s->npara ? s->npara : 1, sizeof *n);
    for (size_t i = 0; i < s->npara; i++) {
        for (size_t q = s->para[i].start; q < s->para[i].end; q++) {
            uint8_t c = s->bytes[q];
            n[i] += (c & 0xC0) != 0x80 && c != ' ' && c != '\n' && c != '\t';
        }
        *total += n[i];
    }
    return n;
}

Alignment *align_new_with(const Text *a, const Text *b, AlignTranslation translation)
{
    Alignment *al = xcalloc(1, sizeof *al);
    for (uint32_t tf = 1; tf < TF_TABLE; tf++)
        al->tf[tf] = tf == 1 ? 1.0 : 1 + log((double)tf);
    Vocab v = {0};
    v.tcap = 1024;
    v.table = xcalloc(v.tcap, sizeof *v.table);
    side_paragraphs(&al->side[0], a);
    side_paragraphs(&al->side[1], b);
    find_twins(&al->side[0], &al->side[1]);
    release_all(&al->side[0]);
    release_all(&al->side[1]);
    TwinCount twin_count;
    twin_count_start(&twin_count, &al->side[0]);
    side_tokens(&al->side[0], &v);
    side_tokens(&al->side[1], &v);
    al->nterms = v.n;
    for (int k = 0; k < 2; k++) {
        const Text *t = k ? b : a;
        const char *code = stem_language_code(text_language(t));
        if (!*code) code = stem_guess_language(text_bytes(t), text_len(t));
        snprintf(al->lang[k], sizeof al->lang[k], "%s", code);
    }
    al->translation = translation == ALIGN_TRANSLATION_YES ||
                      (translation == ALIGN_TRANSLATION_AUTO && al->lang[0][0] && al->lang[1][0] &&
                       strcmp(al->lang[0], al->lang[1]) != 0);
    if (al->translation) {
        size_t la = 0, lb = 0;
        al->letters[0] = count_letters(&al->side[0], &la);
        al->letters[1] = count_letters(&al->side[1], &lb);
        al->len_ratio = la && lb ? (double)lb / (double)la : 1;
    }
    release_all(&al->side[0]); /* read whole by the language's guess and the letters' count */
    release_all(&al->side[1]);
    make_stems(al, &v);
    Side *A = &al->side[0], *B = &al->side[1];
    stem_bags(al);
    if (al->translation) {
        /* the rows want the words of the pairs' tokens, found again in v (pair_spans); pairing
         * translations looks at their stems' bags only, not at the words */
        for (int k = 0; k < 2; k++) {
            free(al->side[k].term);
            al->side[k].term = NULL;
            al->pair_span[k].folder = token_folder_new(TOKEN_FOLD_ALL);
            al->pair_span[k].vocab = &v;
        }
    }
    Edges es = {0};
    if (al->translation) { /* words are not compared: the twins, then lengths and anchors */
        for (size_t i = 0; i < A->npara; i++)
            if (A->twin[i] != NO_TWIN) edges_add(&es, (uint32_t)i, A->twin[i], 1.0);
    } else {
        words_weighed(al);
        find_candidates(al, &es);
        release_all(A); /* read by the search for equal paragraphs (B whole) */
        release_all(B);
    }
    Edge *chain;
    size_t nchain = heaviest_chain(es.e, es.n, A->npara, B->npara, &chain);
    /* the strong pairs of the chain: in order and alike in words (ALIGN_MIN_PAIR), or twins */
    Pair *strong = xmalloc((nchain ? nchain : 1) * sizeof *strong);
    size_t nstrong = 0;
    for (size_t k = 0; k < nchain; k++) {
        /* in a translation only twins: words shared across languages are few and misleading */
        if ((al->translation || chain[k].cos < ALIGN_MIN_PAIR) && A->twin[chain[k].a] != chain[k].b)
            continue;
        strong[nstrong++] = (Pair){chain[k].a, 1, chain[k].b, 1, chain[k].cos, 0};
        A->group[chain[k].a] = -2;
        B->group[chain[k].b] = -2;
    }
    free(chain);
    /* split and merge: grow each strong pair within the gap its neighbours leave */
    for (size_t k = 0; k < nstrong; k++) {
        size_t alo = k ? strong[k - 1].a + strong[k - 1].na : 0;
        size_t blo = k ? strong[k - 1].b + strong[k - 1].nb : 0;
        size_t ahi = k + 1 < nstrong ? strong[k + 1].a : A->npara;
        size_t bhi = k + 1 < nstrong ? strong[k + 1].b : B->npara;
        if (al->translation) break;
        grow_pair(al, &strong[k], 1, blo, bhi);
        grow_pair(al, &strong[k], 0, alo, ahi);
    }
    /* the gaps between them, by meaning */
    Pair *pairs = xmalloc((2 * A->npara + 1) * sizeof *pairs);
    nchain = align_by_meaning(al, strong, nstrong, pairs);
    free(strong);
    if (al->translation && translation == ALIGN_TRANSLATION_AUTO)
        nchain = drop_unanchored(al, pairs, nchain);
    size_t npairs = nchain;
    for (size_t k = 0; k < npairs; k++) {
        for (size_t i = 0; i < pairs[k].na; i++)
            A->group[pairs[k].a + i] = (int)k;
        for (size_t j = 0; j < pairs[k].nb; j++)
            B->group[pairs[k].b + j] = (int)k;
    }
    /* moved: the most similar free pairs first (the others are sorted out before: a pair with
     * a paragraph paired already stays so) */
    size_t nfree = 0;
    for (size_t k = 0; k < es.n && !al->translation; k++)
        if (es.e[k].cos >= ALIGN_MIN_MOVED && A->group[es.e[k].a] == -1 &&
            B->group[es.e[k].b] == -1)
            es.e[nfree++] = es.e[k];
    if (nfree) qsort(es.e, nfree, sizeof *es.e, cmp_edge_cos);
    for (size_t k = 0; k < nfree; k++) {
        Edge e = es.e[k];
        if (A->group[e.a] != -1 || B->group[e.b] != -1) continue;
        pairs[npairs] = (Pair){e.a, 1, e.b, 1, e.cos, 1};
        A->group[e.a] = B->group[e.b] = (int)npairs;
        npairs++;
    }
    free(es.e);
    side_drop_bags(A, !al->translation); /* the pairs are found: the word diffs need no bags */
    side_drop_bags(B, !al->translation);
    twin_count_finish(&twin_count, B);
    al->total[0] = A->ntok + A->twin_tokens;
    al->total[1] = B->ntok + B->twin_tokens;
    make_rows(al, pairs, nchain);
    free(pairs);
    strbuf_release(&al->tok_scratch);
    for (int k = 0; k < 2; k++) {
        free(al->pair_span[k].v);
        free(al->pair_span[k].term);
        free(al->pair_span[k].anchors);
        token_folder_free(al->pair_span[k].folder);
        al->pair_span[k] = (SpanList){0};
    }
    free(v.table);
    free(v.off);
    strbuf_release(&v.buf);
    /* the rows are made: what found them goes (the rows and spans are what is asked for) */
    side_drop_work(A);
    side_drop_work(B);
    free(al->idf);
    free(al->stem_of);
    free(al->letters[0]);
    free(al->letters[1]);
    free(al->sidf);
    al->idf = al->sidf = NULL;
    al->stem_of = NULL;
    al->letters[0] = al->letters[1] = NULL;
    al->by_word = al->by_stem = (Weights){0};
    return al;
}

void align_free(Alignment *al)
{
    if (!al) return;
    side_free(&al->side[0]);
    side_free(&al->side[1]);
    free(al->idf);
    free(al->stem_of);
    free(al->letters[0]);
    free(al->letters[1]);
    free(al->sidf);
    free(al->rows);
    free(al->fixed);
    free(al->diff[0]);
    free(al->diff[1]);
    free(al->moved[0]);
    free(al->moved[1]);
    free(al);
}

size_t align_paragraph_count(const Alignment *al, int side)
{
    return al->side[side != 0].npara;
}

Span align_paragraph(const Alignment *al, int side, size_t i)
{
    return al->side[side != 0].para[i];
}

size_t align_row_count(const Alignment *al)
{
    return al->nrows;
}

const AlignRow *align_rows(const Alignment *al)
{
    return al->rows;
}

const Span *align_diff_spans(const Alignment *al, int side)
{
    return al->diff[side != 0];
}

size_t align_moved_origin(const Alignment *al, size_t row)
{
    size_t a = al->rows[row].a, lo = 0, hi = al->nfixed; /* the first fixed row past a */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (al->rows[al->fixed[mid]].a > a)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo < al->nfixed ? al->fixed[lo] : al->nrows;
}

void align_moved_by_origin(const Alignment *al, size_t **first, size_t **moved)
{
    size_t n = al->nrows;
    size_t *f = xcalloc(n + 2, sizeof *f), *m = xmalloc((n ? n : 1) * sizeof *m);
    size_t *origin = xmalloc((n ? n : 1) * sizeof *origin);
    for (size_t r = 0; r < n; r++) { /* a counting sort by origin, stable */
        origin[r] = al->rows[r].kind == ALIGN_MOVED ? align_moved_origin(al, r) : SIZE_MAX;
        if (origin[r] != SIZE_MAX) f[origin[r] + 1]++;
    }
    for (size_t k = 0; k <= n; k++)
        f[k + 1] += f[k];
    size_t *fill = xmalloc((n + 1) * sizeof *fill);
    memcpy(fill, f, (n + 1) * sizeof *fill);
    for (size_t r = 0; r < n; r++)
        if (origin[r] != SIZE_MAX) m[fill[origin[r]]++] = r;
    free(fill);
    free(origin);
    *first = f;
    *moved = m;
}

double align_similarity(const Alignment *al)
{
    size_t all = al->total[0] + al->total[1];
    if (!all) return al->side[0].npara == al->side[1].npara ? 1 : 0;
    return (double)al->words[ALIGN_SAME] / (double)all;
}

AlignShares align_shares(const Alignment *al)
{
    size_t all = al->total[0] + al->total[1];
    AlignShares sh = {0};
    if (!all) {
        sh.kept = align_similarity(al);
        return sh;
    }
    sh.kept = (double)al->words[ALIGN_SAME] / (double)all;
    sh.changed = (double)al->words[ALIGN_CHANGED] / (double)all;
    sh.removed = (double)al->words[ALIGN_ONLY_A] / (double)all;
    sh.added = (double)al->words[ALIGN_ONLY_B] / (double)all;
    sh.moved = (double)al->words[ALIGN_MOVED] / (double)all;
    return sh;
}

AlignCounts align_counts(const Alignment *al)
{
    AlignCounts c = {0};
    for (size_t k = 0; k < al->nrows; k++) {
        switch (al->rows[k].kind) {
        case ALIGN_SAME:
            c.same++;
            break;
        case ALIGN_CHANGED:
            c.changed++;
            break;
        case ALIGN_ONLY_A:
            c.only_a++;
            break;
        case ALIGN_ONLY_B:
            c.only_b++;
            break;
        case ALIGN_MOVED:
            c.moved++;
            break;
        }
    }
    return c;
}

const char *align_kind_name(AlignKind k)
{
    static const char *const names[] = {"same", "changed", "removed", "added", "moved"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

char align_kind_mark(AlignKind k)
{
    static const char marks[] = "|~<>m";
    return (unsigned)k < sizeof marks - 1 ? marks[k] : '?';
}

bool align_is_translation(const Alignment *al)
{
    return al->translation;
}

const char *align_language(const Alignment *al, int side)
{
    return al->lang[side != 0];
}

const Span *align_moved_spans(const Alignment *al, int side)
{
    return al->moved[side != 0];
}
