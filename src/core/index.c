/* index.c: building, writing out and reading back the inverted index.
 *
 * The block (the same bytes in memory and in a cache file; all integers in the writing machine's
 * byte order, which the header records):
 *
 *   Header      fixed size (struct Header): magic "LECTORIX", format version, byte-order mark
 *               0x01020304, sizes, the source file's identity (size, device, inode, mtime,
 *               content hash), facts about the story (text length, clean-as-read, BOM), counts,
 *               the offset of each section, a hash of the checks array, and last a hash of the
 *               header itself.
 *   title       the story's title, UTF-8.
 *   names       every folded term, concatenated in byte order, no separators.
 *   terms       nterms + 1 records {name_off, post_off, count}: term i's name is
 *               names[name_off(i), name_off(i + 1)) and its postings post[post_off(i),
 *               post_off(i + 1)); the last record is a sentinel holding the section ends. Each
 *               field is an unsigned integer of 1 to 4 bytes, little-endian whatever the
 *               machine, as wide as its largest value needs (the header's term_widths: bytes
 *               of name_off, post_off, count, a byte each from the lowest): 8 bytes a term in
 *               a 4 MB story, not 12, a sixth of its index.
 *   dir         ceil(nterms / DIR_EVERY) keys: the first 8 bytes of the name of every DIR_EVERY-th
 *               term (0, 64, 128, ...), zero-padded. A lookup bisects these (a page or two) and
 *               then only the 64 terms between two keys: a bisection of the whole table read
 *               and checked nine pages of terms and names in a 4 MB story (a quarter of a rare
 *               word's search of a shelf of 24), this reads three or four.
 *   post        per term, its positions as ascending deltas (the first from -1, so position 0
 *               is a delta of 1 and no delta is 0), as a bit stream, most significant bit of
 *               each byte first: 5 bits k (0-24), then each delta d as the exponential-Golomb
 *               code of order k of d - 1: with v = d - 1 + 2^k, of L bits, L - 1 - k zero bits
 *               and then v's L bits; zero bits to the byte's end (golomb.h). The writer takes
 *               k as the mean length in bits of the term's deltas, rounded, less one (0 to
 *               24): a position costs about log2 of its gap plus two bits, where a byte-wise
 *               varint costs at least 8 (a common word's gap is ~10 tokens).
 *               A term of SKIP_MIN places or more has skips after its codes (from the byte the
 *               padding ends): an entry before every E-th code j (from 0: j = E, 2E, ...; E =
 *               skip_every(count): SKIP_EVERY, doubled while there would be over SKIP_MAX),
 *               two LEB128 varints: how far the position + 1 of code j - 1 is past the entry
 *               before's (from 0), and how far in bits the start of code j is past the entry
 *               before's (the first from the term's first byte, the 5 bits of k included);
 *               then the entries' length in bytes (u32). A walk to a far position reads on
 *               through the entries (forward only, as it goes) and jumps to the last one before
 *               it instead of decoding every code on the way: a phrase's "the" is read only near
 *               the places of its rarer words. The writer leaves out entries past bit 2^32 - 1.
 *   para        per paragraph or piece, and a sentinel holding the token count and the text
 *               length: npara + 1 first tokens, then npara + 1 records {start, end, line,
 *               column} (two arrays: a search by position reads the first tokens of many
 *               paragraphs, and the rest of the few it shows). Each field is little-endian, 1 to
 *               4 bytes (the header's para_widths, 2 bits each from the lowest, the width less
 *               one, the first token's first): the first token's as the token count needs, the
 *               others' as the text length (plus one) does; 15 bytes a paragraph in a 4 MB story.
 *   docs        ndocs + 1 u32: each document's first paragraph (the pieces of one long paragraph
 *               are one document); the sentinel is npara. Left out (the header's flag
 *               FLAG_DOCS_ARE_PARAS) when every paragraph is a document of its own, as in most
 *               stories: document i is then paragraph i.
 *   checks      one u64 per 4 KiB page of everything between the header and the checks: the
 *               hash of the page, seeded with its number (so that swapped pages fail too).
 *
 * Sections start at multiples of 8. A block read back is checked in two steps: index_from_bytes
 * checks the header, the checks array, the title and docs sections (small, and read by every
 * search), and the first and last chunks of the paragraphs' first tokens (the table's ends);
 * names, terms, postings and the rest of the paragraph table -- most of the bytes -- are checked
 * when first read, page by page, and
 * the records by chunks of PARA_CHUNK of each array (their pages, their bounds, and their order,
 * with the record before the chunk), so a search reads and checks only the pages it needs: the
 * table of a 1 GB story is 11 MB, and checking it whole at every open was half of a rare word's
 * search.
 * Every read is bounds-checked as well, so even bytes that pass the checks cannot make it read
 * outside the block.
 */
#define _GNU_SOURCE /* copy_file_range */
#include "lector/index.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lector/atomicfile.h"
#include "lector/golomb.h"
#include "lector/hash.h"
#include "lector/strbuf.h"
#include "lector/token.h"
#include "lector/xalloc.h"
#include "lector/thread.h"

/* INDEX_VERSION: 2 since a mark counts as its base for a word (token.c): a block of version 1
 * may hold tokens that the tokenizer no longer finds, and index_token_spans would misplace. 3
 * since soft hyphens and zero-width characters are dropped from tokens. 4: postings as
 * exponential-Golomb codes, not varints (the index 0.30x the text, not 0.36x). 5: skips in
 * the postings of common terms, and the paragraph records packed (which pays for them). 6: the
 * paragraphs' first tokens apart from the rest of their records, each checked when read. 7: the
 * terms' directory. 8: words split at their apostrophes (token.c). 9: the apostrophes a word
 * keeps folded to one, U+02BC one of them. 10: what spelling ignores beside an apostrophe passed
 * over. */
enum { INDEX_VERSION = 10, PAGE = 4096, MAX_THREADS = 8, FLAG_CLEAN = 1, FLAG_DOCS_ARE_PARAS = 2 };
/* Paragraph records checked together when one is first read (see the top): about a page's. */
enum { PARA_CHUNK = 256, DIR_EVERY = 64, DIR_KEY = 8 };
#define INDEX_MAGIC "LECTORIX"
#define BYTE_ORDER_MARK 0x01020304u

typedef struct {
    char magic[8];
    uint32_t version, byte_order, header_size, page_size;
    uint64_t total_size;
    uint64_t src_size, src_dev, src_ino;
    int64_t src_mtime_sec, src_mtime_nsec;
    uint64_t src_hash;
    uint64_t text_len;
    uint32_t flags, bom;
    uint32_t ntokens, npara, ndocs, nterms;
    uint32_t term_widths; /* bytes of a term record's fields: name_off, post_off, count */
    uint32_t para_widths; /* bytes of a paragraph record's fields, less one, 2 bits each */
    uint64_t title_off, title_len, names_off, names_len, terms_off, dir_off, post_off, post_len,
        para_off, docs_off, checks_off, npages;
    uint64_t checks_check; /* hash of the checks array */
    uint64_t header_check; /* hash of every field above; keep last */
} Header;

/* Skips (see post, at the top): an entry every SKIP_EVERY codes, in terms of SKIP_MIN places or
 * more, about 4 bytes. 128: a bit for every four places of the words that have them, and a seek
 * decodes at most 128 codes past its jump, 64 on average. 4096: a term with fewer is walked
 * code by code in about 10 us, and leaving skips out of those keeps the index under 0.30x the
 * text (0.2987x for a 4 MB Bible; 0.3003x from 1024 places on). At most SKIP_MAX entries a
 * term, which the writer holds until the term's codes are out (a 4 GB story of one word has
 * 2^31 places). */
enum { SKIP_EVERY = 128, SKIP_MIN = 4096, SKIP_MAX = 1 << 19 };

static uint64_t skip_every(uint64_t count)
{
    uint64_t every = SKIP_EVERY;
    while (count / every > SKIP_MAX)
        every *= 2;
    return every;
}

/* The skips of the term being written. */
typedef struct {
    bool on;            /* the term gets skips */
    uint64_t every;     /* skip_every of its count */
    uint64_t code;      /* codes written */
    uint64_t at;        /* the position of the last code written, plus one */
    uint64_t last_prev; /* the entry before's fields */
    uint64_t last_bit;
    Strbuf entries;
} SkipWriter;

static size_t encode_varint(uint8_t buf[5], uint32_t v);

/* One gap into w, noting a skip entry first when the code is an every-th one. */
static inline void skip_put(GolombWriter *w, SkipWriter *sk, uint32_t gap)
{
    if (sk->on && sk->code && sk->code % sk->every == 0) {
        uint64_t bit = golomb_bits_written(w);
        if (bit > UINT32_MAX) {
            sk->on = false; /* the entries so far stand */
        } else {
            uint8_t buf[5];
            strbuf_add(&sk->entries, buf, encode_varint(buf, (uint32_t)(sk->at - sk->last_prev)));
            strbuf_add(&sk->entries, buf, encode_varint(buf, (uint32_t)(bit - sk->last_bit)));
            sk->last_prev = sk->at;
            sk->last_bit = bit;
        }
    }
    golomb_put(w, gap);
    sk->at += gap;
    sk->code++;
}

/* A term record as the merge writes it (12 bytes, in memory or a scratch file); the block's
 * are packed (see terms, at the top). */
typedef struct {
    uint32_t name_off, post_off, count;
} TermRec;

/* Bytes for a field that holds values up to max: 1 to 4. */
static unsigned field_width(uint64_t max)
{
    return max < (1u << 8) ? 1 : max < (1u << 16) ? 2 : max < (1u << 24) ? 3 : 4;
}

static unsigned term_rec_size(uint32_t widths)
{
    return (widths & 0xff) + (widths >> 8 & 0xff) + (widths >> 16 & 0xff);
}

static uint8_t *put_le(uint8_t *p, uint32_t v, unsigned width)
{
    for (unsigned i = 0; i < width; i++)
        *p++ = (uint8_t)(v >> (8 * i));
    return p;
}

static uint32_t get_le(const uint8_t *p, unsigned width)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

typedef struct {
    uint32_t first, start, end, line, col;
} ParaRec;

enum { PARA_FIELDS = 5 };

static unsigned para_width(uint32_t widths, int field)
{
    return (widths >> (2 * field) & 3) + 1;
}

static unsigned para_rec_size(uint32_t widths)
{
    unsigned n = 0;
    for (int f = 0; f < PARA_FIELDS; f++)
        n += para_width(widths, f);
    return n;
}

/* The widths for a story of ntokens tokens and len bytes. */
static uint32_t para_widths_for(uint64_t ntokens, uint64_t len)
{
    uint32_t w = field_width(ntokens) - 1;
    for (int f = 1; f < PARA_FIELDS; f++)
        w |= (field_width(len + 1) - 1) << (2 * f);
    return w;
}

/* The bytes of a record but its first token (which goes to the other array). */
static unsigned para_rest_size(uint32_t widths)
{
    return para_rec_size(widths) - para_width(widths, 0);
}

/* r's fields but the first token, packed at p; the end of them. */
static uint8_t *para_pack_rest(uint8_t *p, const ParaRec *r, uint32_t widths)
{
    const uint32_t v[PARA_FIELDS] = {r->first, r->start, r->end, r->line, r->col};
    for (int f = 1; f < PARA_FIELDS; f++)
        p = put_le(p, v[f], para_width(widths, f));
    return p;
}

struct Index {
    uint8_t *block;
    size_t size;
    bool mapped;
    int fd; /* the scratch file of a block built into one (shared mapping), else -1 */
    Header *h;
    /* page states, for a block read back: 0 not checked yet, 1 good, 2 damaged; NULL for a
     * block built here. Atomic (relaxed), as reads of one index may run on several threads:
     * two that check the same page at once write the same verdict. */
    _Atomic uint8_t *pages;
    /* the states of the paragraphs' first tokens and of their other fields, by chunk of
     * PARA_CHUNK, as pages's; NULL with pages */
    _Atomic uint8_t *first_state, *rest_state;
    atomic_bool corrupt; /* atomic: cursors of one index may walk on several threads */
};

/* Reads: the writable state behind a const Index (checking a page is not a change anyone sees,
 * except through index_corrupt). */
static Index *mut(const Index *ix)
{
    return (Index *)ix;
}

static uint64_t page_hash(const uint8_t *block, const Header *h, uint64_t page)
{
    uint64_t from = h->header_size + page * PAGE, to = from + PAGE;
    if (to > h->checks_off) to = h->checks_off;
    return hash_bytes(block + from, to - from, page);
}

/* Checks the pages holding [off, off + len) of the body; false if one is damaged. */
static bool need(const Index *cix, uint64_t off, uint64_t len)
{
    Index *ix = mut(cix);
    if (!ix->pages) return true;
    const Header *h = ix->h;
    if (off < h->header_size || off + len > h->checks_off || off + len < off) {
        ix->corrupt = true;
        return false;
    }
    if (!len) return true;
    const uint64_t *checks = (const uint64_t *)(ix->block + h->checks_off);
    for (uint64_t p = (off - h->header_size) / PAGE; p <= (off + len - 1 - h->header_size) / PAGE;
         p++) {
        uint8_t st = atomic_load_explicit(&ix->pages[p], memory_order_relaxed);
        if (st == 0) {
            st = page_hash(ix->block, h, p) == checks[p] ? 1 : 2;
            atomic_store_explicit(&ix->pages[p], st, memory_order_relaxed);
        }
        if (st == 2) {
            ix->corrupt = true;
            return false;
        }
    }
    return true;
}

static uint64_t header_hash(const Header *h)
{
    return hash_bytes(h, offsetof(Header, header_check), 0);
}

/* ---- building ----
 *
 * Each thread takes a share of the paragraphs (by bytes) and folds their tokens into a table of
 * terms, each with its postings. When a thread's table passes its share of the memory budget it
 * is written out, sorted by term, as a *run*, and the table starts again empty. A story whose
 * threads never pass the budget keeps each thread's one run in memory and gets its block in
 * memory; a longer one writes its runs to a scratch file and builds its block in a scratch file
 * too (both unlinked at once, in the scratch folder), so that the memory a build holds stays near
 * the budget whatever the story's length: the runs are merged term by term, in byte order,
 * through a heap, each read through a small buffer. What still grows with the story is 4 bytes a
 * paragraph (the tokens in each), beside the 24 the Text holds. Both ways give the same bytes.
 *
 * A run (written and read back only here, in one process):
 *   per term, in byte order: varint name length, the name, varint count, varints first and
 *   last (the position + 1 of its first and last occurrences, counted from the thread's first
 *   position), varint bits (the lengths in bits of its deltas after the first, added up, at
 *   most 2^32 - 1), varint postings length, the postings (varint deltas, the first from -1 of
 *   the thread's positions).
 */

static uint64_t align8(uint64_t v)
{
    return (v + 7) & ~(uint64_t)7;
}

/* The default budget: the tables of all threads together (runs are flushed past it). */
enum { BUILD_BUDGET = 24 << 20, IO_BUF = 64 << 10, RELEASE_BYTES = 8 << 20 };

/* Somewhere to write a section or a run: memory, or a file written from its start on. */
typedef struct {
    Strbuf *mem; /* in memory (not owned), else: */
    int fd;      /* a scratch file (owned), written in order through buf */
    uint8_t *buf;
    size_t n;
    uint64_t len; /* bytes written in all */
    int err;      /* errno of a write that failed; the rest is then dropped */
} Out;

static void out_to_file(Out *o, int fd)
{
    *o = (Out){.fd = fd, .buf = xmalloc(IO_BUF), .err = fd < 0 ? (errno ? errno : EIO) : 0};
}

static void out_to_mem(Out *o, Strbuf *sb)
{
    *o = (Out){.mem = sb, .fd = -1};
}

static void out_flush(Out *o)
{
    for (size_t done = 0; done < o->n && !o->err;) {
        ssize_t w = write(o->fd, o->buf + done, o->n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            o->err = w < 0 ? errno : ENOSPC;
        else
            done += (size_t)w;
    }
    o->n = 0;
}

static void out_put(Out *o, const void *data, size_t n)
{
    o->len += n;
    if (o->mem) {
        strbuf_add(o->mem, data, n);
        return;
    }
    if (o->err) return;
    if (o->n + n > IO_BUF) out_flush(o);
    if (n >= IO_BUF) {
        o->n = n; /* big: written straight from data */
        uint8_t *keep = o->buf;
        o->buf = (uint8_t *)data;
        out_flush(o);
        o->buf = keep;
        return;
    }
    memcpy(o->buf + o->n, data, n);
    o->n += n;
}

static void out_pad8(Out *o)
{
    static const uint8_t zeros[8];
    out_put(o, zeros, (size_t)(align8(o->len) - o->len));
}

/* golomb.h's writer handing its bytes to an Out. */
static void out_golomb(void *ctx, const uint8_t *bytes, size_t len)
{
    out_put(ctx, bytes, len);
}

/* v as an unsigned LEB128 varint into buf; its length. */
static size_t encode_varint(uint8_t buf[5], uint32_t v)
{
    size_t n = 0;
    do {
        buf[n] = v & 0x7f;
        v >>= 7;
        if (v) buf[n] |= 0x80;
        n++;
    } while (v);
    return n;
}

static void out_varint(Out *o, uint32_t v)
{
    uint8_t buf[5];
    out_put(o, buf, encode_varint(buf, v));
}

static void out_close(Out *o)
{
    if (o->fd >= 0) close(o->fd);
    free(o->buf);
    o->fd = -1;
    o->buf = NULL;
}

/* A run, or a section, read back in order: from memory or through a buffer from a file. */
typedef struct {
    const uint8_t *mem; /* in memory: the bytes [pos, end) are left */
    int fd;
    uint64_t off, end; /* file: [off, end) not read into buf yet */
    uint8_t *buf;
    size_t bufsize; /* file: of buf; 0 means IO_BUF */
    size_t pos, n;  /* buf[pos, n) read, not taken (memory: mem[pos, n)) */
    bool failed;
} Src;

static bool src_fill(Src *s)
{
    if (s->pos < s->n) return true;
    if (s->mem || s->off >= s->end || s->failed) return false;
    size_t size = s->bufsize ? s->bufsize : IO_BUF;
    size_t want = s->end - s->off < size ? (size_t)(s->end - s->off) : size;
    ssize_t r;
    do
        r = pread(s->fd, s->buf, want, (off_t)s->off);
    while (r < 0 && errno == EINTR);
    if (r <= 0) {
        s->failed = true;
        return false;
    }
    s->off += (uint64_t)r;
    s->pos = 0;
    s->n = (size_t)r;
    return true;
}

static bool src_varint(Src *s, uint32_t *v, size_t *used)
{
    uint32_t x = 0;
    for (int shift = 0, k = 1; shift <= 28 && src_fill(s); shift += 7, k++) {
        uint8_t b = s->mem ? s->mem[s->pos++] : s->buf[s->pos++];
        x |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            if (used) *used = (size_t)k;
            return true;
        }
    }
    s->failed = true;
    return false;
}

/* Takes n bytes: copied to dst (when not NULL) and written to o (when not NULL). */
static bool src_take(Src *s, uint64_t n, uint8_t *dst, Out *o)
{
    while (n) {
        if (!src_fill(s)) {
            s->failed = true;
            return false;
        }
        size_t k = s->n - s->pos < n ? s->n - s->pos : (size_t)n;
        const uint8_t *p = (s->mem ? s->mem : s->buf) + s->pos;
        if (dst) {
            memcpy(dst, p, k);
            dst += k;
        }
        if (o) out_put(o, p, k);
        s->pos += k;
        n -= k;
    }
    return true;
}

typedef struct {
    uint32_t name_off, name_len;
    uint32_t last;  /* last position added + 1 (0: none yet) */
    uint32_t count; /* occurrences */
    uint32_t first; /* the first position added + 1 */
    uint32_t bits;  /* the lengths in bits of its deltas after the first, added (saturated) */
    Strbuf post;    /* varint deltas */
} BTerm;

/* Where a run went: memory, or [off, off + len) of its builder's scratch file. */
typedef struct {
    Strbuf mem;
    bool in_file;
    uint64_t off, len;
} RunRef;

/* One thread's share: paragraphs [p0, p1), positions from 0. */
typedef struct {
    Text *text; /* only read */
    size_t p0, p1;
    IndexProgress *progress;
    BTerm *terms;
    size_t nterms, terms_cap;
    uint32_t *table; /* term id + 1, 0: empty */
    size_t table_cap;
    Strbuf names;
    size_t post_bytes; /* postings held, for the budget */
    size_t budget;
    uint32_t ntokens;
    uint32_t *para_tokens; /* tokens in each paragraph */
    TokenFolder *folder;
    const uint8_t *base;
    bool cancelled;
    const char *scratch_dir;
    Out spill; /* runs written out; fd -1 until the first */
    RunRef *runs;
    size_t nruns;
    int err; /* errno of a scratch file that failed */
} Builder;

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h;
}

static void table_grow(Builder *b)
{
    size_t cap = b->table_cap ? b->table_cap * 2 : 4096;
    uint32_t *t = xcalloc(cap, sizeof *t);
    for (size_t i = 0; i < b->table_cap; i++) {
        if (!b->table[i]) continue;
        BTerm *term = &b->terms[b->table[i] - 1];
        size_t j = hash_str(b->names.buf + term->name_off, term->name_len) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = b->table[i];
    }
    free(b->table);
    b->table = t;
    b->table_cap = cap;
}

static uint32_t intern(Builder *b, const char *s, size_t n)
{
    if ((b->nterms + 1) * 2 > b->table_cap) table_grow(b);
    size_t j = hash_str(s, n) & (b->table_cap - 1);
    for (; b->table[j]; j = (j + 1) & (b->table_cap - 1)) {
        const BTerm *t = &b->terms[b->table[j] - 1];
        if (t->name_len == n && !memcmp(b->names.buf + t->name_off, s, n)) return b->table[j] - 1;
    }
    if (b->nterms == b->terms_cap) {
        b->terms_cap = b->terms_cap ? b->terms_cap * 2 : 1024;
        b->terms = xreallocarray(b->terms, b->terms_cap, sizeof *b->terms);
    }
    BTerm *t = &b->terms[b->nterms];
    *t = (BTerm){.name_off = (uint32_t)b->names.len, .name_len = (uint32_t)n, .post = STRBUF_INIT};
    strbuf_add(&b->names, s, n);
    b->table[j] = (uint32_t)++b->nterms;
    return (uint32_t)(b->nterms - 1);
}

static void put_varint(Strbuf *sb, uint32_t v)
{
    uint8_t buf[5];
    strbuf_add(sb, buf, encode_varint(buf, v));
}

static void add_token(void *ctx, size_t start, size_t end)
{
    Builder *b = ctx;
    size_t len;
    const char *f = token_fold(b->folder, b->base + start, end - start, &len);
    uint32_t id = intern(b, f, len); /* may move the terms: index after */
    BTerm *t = &b->terms[id];
    uint32_t pos = b->ntokens++;
    size_t before = t->post.len;
    uint32_t delta = pos + 1 - t->last;
    put_varint(&t->post, delta);
    uint32_t bits = (uint32_t)(32 - __builtin_clz(delta));
    if (t->count)
        t->bits = t->bits > UINT32_MAX - bits ? UINT32_MAX : t->bits + bits;
    else
        t->first = pos + 1;
    b->post_bytes += t->post.len - before;
    t->last = pos + 1;
    t->count++;
}

/* What the table holds, about: postings and names with the slack of their doubling buffers, and
 * per term its record, its hash slots and a buffer's least allocation. */
static size_t builder_memory(const Builder *b)
{
    return 2 * (b->post_bytes + b->names.len) + b->terms_cap * sizeof(BTerm) +
           b->table_cap * sizeof(uint32_t) + b->nterms * 32;
}

typedef struct {
    const char *name;
    uint32_t len, id;
} SortTerm;

static int cmp_sortterm(const void *a, const void *b)
{
    const SortTerm *x = a, *y = b;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Writes the table out as a run (to the scratch file unless in_memory) and empties it. */
static void builder_flush(Builder *b, bool in_memory)
{
    SortTerm *st = xmalloc((b->nterms ? b->nterms : 1) * sizeof *st);
    for (size_t i = 0; i < b->nterms; i++)
        st[i] = (SortTerm){b->names.buf + b->terms[i].name_off, b->terms[i].name_len, (uint32_t)i};
    qsort(st, b->nterms, sizeof *st, cmp_sortterm);
    b->runs = xreallocarray(b->runs, b->nruns + 1, sizeof *b->runs);
    RunRef *r = &b->runs[b->nruns++];
    *r = (RunRef){.mem = STRBUF_INIT, .in_file = !in_memory};
    Out mem, *o = &b->spill;
    if (in_memory) {
        out_to_mem(&mem, &r->mem);
        o = &mem;
    } else if (!b->spill.buf) {
        errno = 0;
        out_to_file(&b->spill, atomic_scratch_open(b->scratch_dir));
    }
    r->off = o->len;
    for (size_t i = 0; i < b->nterms; i++) {
        BTerm *t = &b->terms[st[i].id];
        out_varint(o, t->name_len);
        out_put(o, st[i].name, t->name_len);
        out_varint(o, t->count);
        out_varint(o, t->first);
        out_varint(o, t->last);
        out_varint(o, t->bits);
        out_varint(o, (uint32_t)t->post.len);
        out_put(o, t->post.buf, t->post.len);
        strbuf_release(&t->post);
    }
    r->len = o->len - r->off;
    if (!in_memory) {
        out_flush(o);
        if (o->err) b->err = o->err;
    }
    free(st);
    /* all of it freed, not kept for the next run: a table grown for one part of the story
     * must not count against the budget of the rest */
    free(b->terms);
    free(b->table);
    b->terms = NULL;
    b->table = NULL;
    b->terms_cap = b->table_cap = b->nterms = 0;
    b->post_bytes = 0;
    strbuf_release(&b->names);
}

static void *builder_run(void *arg)
{
    Builder *b = arg;
    const uint8_t *bytes = text_bytes(b->text);
    Strbuf scratch = STRBUF_INIT;
    b->folder = token_folder_new(TOKEN_FOLD_ALL);
    b->para_tokens = xmalloc((b->p1 - b->p0 + 1) * sizeof *b->para_tokens);
    size_t released = b->p0 < b->p1 ? text_paragraph(b->text, b->p0).start : 0;
    for (size_t i = b->p0; i < b->p1 && !b->err; i++) {
        if (b->progress && atomic_load_explicit(&b->progress->cancel, memory_order_relaxed)) {
            b->cancelled = true;
            break;
        }
        Span sp = text_paragraph(b->text, i);
        uint32_t before = b->ntokens;
        b->base = bytes + sp.start; /* token_each's offsets are the paragraph's */
        token_each(b->base, sp.end - sp.start, &scratch, add_token, b);
        b->para_tokens[i - b->p0] = b->ntokens - before;
        if (b->progress)
            atomic_fetch_add_explicit(&b->progress->done, sp.end - sp.start, memory_order_relaxed);
        if (builder_memory(b) > b->budget) builder_flush(b, false);
        if (sp.end - released >= RELEASE_BYTES) { /* read once: out of memory behind us */
            text_release(b->text, released, sp.end);
            released = sp.end;
        }
    }
    if (!b->cancelled && !b->err) builder_flush(b, b->nruns == 0);
    strbuf_release(&scratch);
    token_folder_free(b->folder);
    b->folder = NULL;
    return NULL;
}

static void builder_release(Builder *b)
{
    for (size_t i = 0; i < b->nterms; i++)
        strbuf_release(&b->terms[i].post);
    free(b->terms);
    free(b->table);
    strbuf_release(&b->names);
    free(b->para_tokens);
    for (size_t i = 0; i < b->nruns; i++)
        strbuf_release(&b->runs[i].mem);
    free(b->runs);
    out_close(&b->spill);
}

/* A run being merged: its next term, read up to its postings. */
typedef struct {
    Src src;
    uint32_t base;  /* its builder's first position in the story */
    uint32_t order; /* runs in story order */
    Strbuf name;
    uint32_t count, first, last, bits, post_len;
} RunCursor;

static bool cursor_next(RunCursor *c)
{
    uint32_t n;
    if (!src_fill(&c->src)) return false; /* the end (or a failure, in src.failed) */
    strbuf_reset(&c->name);
    if (!src_varint(&c->src, &n, NULL)) return false;
    strbuf_grow(&c->name, n);
    c->name.len = n;
    c->name.buf[n] = 0;
    return src_take(&c->src, n, (uint8_t *)c->name.buf, NULL) &&
           src_varint(&c->src, &c->count, NULL) && src_varint(&c->src, &c->first, NULL) &&
           src_varint(&c->src, &c->last, NULL) && src_varint(&c->src, &c->bits, NULL) &&
           src_varint(&c->src, &c->post_len, NULL);
}

static int cmp_run_order(const void *a, const void *b)
{
    const RunCursor *x = *(RunCursor *const *)a, *y = *(RunCursor *const *)b;
    return (x->order > y->order) - (x->order < y->order);
}

static bool cursor_before(const RunCursor *a, const RunCursor *b)
{
    size_t n = a->name.len < b->name.len ? a->name.len : b->name.len;
    int c = memcmp(a->name.buf, b->name.buf, n);
    if (c) return c < 0;
    if (a->name.len != b->name.len) return a->name.len < b->name.len;
    return a->order < b->order;
}

static void heap_down(RunCursor **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && cursor_before(h[l], h[m])) m = l;
        if (l + 1 < n && cursor_before(h[l + 1], h[m])) m = l + 1;
        if (m == i) return;
        RunCursor *t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* The sections a build writes; then put together into the block. */
typedef struct {
    Strbuf mem[6];
    Out names, terms, post, para, docs, firsts; /* para: the records but their first tokens */
    Strbuf dir;                                 /* the terms' directory, in memory (small) */
    uint32_t nterms, ntokens, ndocs, max_count, para_widths;
} Sections;

/* Merges every builder's runs into names, terms and post; false on a read or write failure, or
 * when a section outgrows its 32-bit offsets. */
static bool merge_runs(Builder *bs, int nb, Sections *s, size_t budget)
{
    size_t nruns = 0;
    for (int k = 0; k < nb; k++)
        nruns += bs[k].nruns;
    /* the runs' read buffers share half the budget, from a page to IO_BUF each */
    size_t bufsize = budget / 2 / (nruns ? nruns : 1);
    if (bufsize > IO_BUF) bufsize = IO_BUF;
    if (bufsize < PAGE) bufsize = PAGE;
    RunCursor *cur = xcalloc(nruns ? nruns : 1, sizeof *cur);
    RunCursor **heap = xmalloc((nruns ? nruns : 1) * sizeof *heap);
    RunCursor **same = xmalloc((nruns ? nruns : 1) * sizeof *same); /* the runs of one term */
    size_t *walk = xmalloc((nruns ? nruns : 1) * sizeof *walk);
    size_t nheap = 0, r = 0;
    bool ok = true;
    uint32_t base = 0;
    for (int k = 0; k < nb; k++) {
        for (size_t i = 0; i < bs[k].nruns; i++, r++) {
            const RunRef *ref = &bs[k].runs[i];
            RunCursor *c = &cur[r];
            c->name = (Strbuf)STRBUF_INIT;
            c->base = base;
            c->order = (uint32_t)r;
            if (ref->in_file) {
                size_t size = ref->len < bufsize ? (size_t)ref->len + 1 : bufsize;
                c->src = (Src){.fd = bs[k].spill.fd,
                               .off = ref->off,
                               .end = ref->off + ref->len,
                               .buf = xmalloc(size),
                               .bufsize = size};
            } else {
                c->src = (Src){.mem = (const uint8_t *)ref->mem.buf, .fd = -1, .n = ref->mem.len};
            }
            if (cursor_next(c)) heap[nheap++] = c;
            ok &= !c->src.failed;
        }
        base += bs[k].ntokens;
    }
    for (size_t i = nheap; i-- > 0;)
        heap_down(heap, nheap, i);
    Strbuf name = STRBUF_INIT;
    SkipWriter sk = {.entries = STRBUF_INIT};
    while (nheap && ok) {
        strbuf_reset(&name);
        strbuf_add(&name, heap[0]->name.buf, heap[0]->name.len);
        TermRec rec = {(uint32_t)s->names.len, (uint32_t)s->post.len, 0};
        if (s->names.len > UINT32_MAX || s->post.len > UINT32_MAX || s->nterms == UINT32_MAX - 1) {
            ok = false; /* too big for the format's offsets */
            break;
        }
        out_put(&s->names, name.buf, name.len);
        if (s->nterms % DIR_EVERY == 0) {
            char key[DIR_KEY] = {0};
            memcpy(key, name.buf, name.len < DIR_KEY ? name.len : DIR_KEY);
            strbuf_add(&s->dir, key, DIR_KEY);
        }
        /* The code's order needs the term's count and its deltas' lengths: the runs holding it
         * are all in the heap now, at its top (a run's parents are not after it), found by a
         * walk that goes down only from a run of the term. */
        uint64_t count = 0, bits = 0;
        size_t nsame = 0, nwalk = 0;
        walk[nwalk++] = 0;
        while (nwalk) {
            size_t i = walk[--nwalk];
            RunCursor *c = heap[i];
            if (c->name.len != name.len || memcmp(c->name.buf, name.buf, name.len)) continue;
            if (2 * i + 1 < nheap) walk[nwalk++] = 2 * i + 1;
            if (2 * i + 2 < nheap) walk[nwalk++] = 2 * i + 2;
            same[nsame++] = c;
        }
        qsort(same, nsame, sizeof *same, cmp_run_order); /* each first delta is from the last */
        for (size_t i = 0, prev = 0; i < nsame; i++) {   /* the same sum however the runs fell */
            const RunCursor *c = same[i];
            count += c->count;
            bits += c->bits + (uint64_t)(32 - __builtin_clz(c->base + c->first - (uint32_t)prev));
            prev = c->base + c->last;
        }
        GolombWriter w;
        bool skipping = count >= SKIP_MIN;
        sk.on = skipping;
        sk.every = skip_every(count);
        sk.code = sk.at = sk.last_prev = sk.last_bit = 0;
        strbuf_reset(&sk.entries);
        int k = golomb_order(count, bits);
        golomb_begin(&w, k, out_golomb, &s->post);
        golomb_put_bits(&w, (uint64_t)k, 5);
        uint32_t prev = 0; /* position + 1 of the occurrence before */
        while (nheap && heap[0]->name.len == name.len &&
               !memcmp(heap[0]->name.buf, name.buf, name.len)) {
            RunCursor *c = heap[0];
            size_t left = c->post_len;
            for (uint32_t i = 0; i < c->count && ok;) {
                /* one-byte deltas straight from the run's buffer: most of them */
                const uint8_t *p = (c->src.mem ? c->src.mem : c->src.buf) + c->src.pos;
                size_t n = c->src.n - c->src.pos;
                if (n > left) n = left;
                if (n > c->count - i) n = c->count - i;
                size_t j = 0;
                if (i > 0)
                    for (; j < n && p[j] && p[j] < 0x80; j++)
                        skip_put(&w, &sk, p[j]);
                c->src.pos += j;
                left -= j;
                i += (uint32_t)j;
                if (i == c->count) break;
                uint32_t d;
                size_t used;
                ok = src_varint(&c->src, &d, &used) && used <= left && d > 0;
                left -= ok ? used : 0;
                if (i == 0) d = c->base + d - prev; /* only the first delta changes */
                ok = ok && d > 0;                   /* a run out of order: not a gap */
                if (ok) skip_put(&w, &sk, d);
                i++;
            }
            if (!ok || left) {
                ok = false;
                break;
            }
            prev = c->base + c->last;
            rec.count += c->count;
            if (cursor_next(c)) {
                heap_down(heap, nheap, 0);
            } else {
                ok &= !c->src.failed;
                heap[0] = heap[--nheap];
                heap_down(heap, nheap, 0);
            }
        }
        golomb_end(&w);
        if (skipping) {
            uint32_t n = (uint32_t)sk.entries.len;
            out_put(&s->post, sk.entries.buf, sk.entries.len);
            out_put(&s->post, &n, sizeof n);
        }
        if (rec.count > s->max_count) s->max_count = rec.count;
        out_put(&s->terms, &rec, sizeof rec);
        s->nterms++;
    }
    if (ok) {
        TermRec end = {(uint32_t)s->names.len, (uint32_t)s->post.len, 0};
        ok = s->names.len <= UINT32_MAX && s->post.len <= UINT32_MAX;
        out_put(&s->terms, &end, sizeof end);
    }
    strbuf_release(&name);
    strbuf_release(&sk.entries);
    for (size_t i = 0; i < nruns; i++) {
        strbuf_release(&cur[i].name);
        free(cur[i].src.buf);
    }
    free(cur);
    free(heap);
    free(same);
    free(walk);
    return ok;
}

/* The para and docs sections: where each paragraph starts (line, column) and its first token. */
static void write_paragraphs(Text *t, Builder *bs, int nb, Sections *s)
{
    size_t np = text_paragraph_count(t);
    uint64_t ntokens = 0;
    for (int k = 0; k < nb; k++)
        ntokens += bs[k].ntokens;
    s->para_widths = para_widths_for(ntokens, text_len(t));
    const unsigned w0 = para_width(s->para_widths, 0);
    uint8_t packed[4 * PARA_FIELDS];
    uint32_t ndocs = 0, pos = 0;
    const uint8_t *bytes = text_bytes(t);
    size_t line = 1, scanned = 0, col_pos = 0, col = 1; /* col: the column at byte col_pos */
    size_t released = 0;
    for (int k = 0; k < nb; k++) {
        for (size_t i = bs[k].p0; i < bs[k].p1; i++) {
            Span sp = text_paragraph(t, i);
            for (const uint8_t *p = bytes + scanned;
                 (p = memchr(p, '\n', sp.start - (size_t)(p - bytes))) != NULL; p++) {
                line++;
                col_pos = (size_t)(p - bytes) + 1;
                col = 1;
            }
            scanned = sp.start;
            for (; col_pos < sp.start; col_pos++) /* from the last count on: pieces of one long
                                                   * line must not recount it each time */
                col += (bytes[col_pos] & 0xc0) != 0x80;
            if (col_pos - released >= RELEASE_BYTES) {
                text_release(t, released, col_pos);
                released = col_pos;
            }
            ParaRec rec = {pos, (uint32_t)sp.start, (uint32_t)sp.end, (uint32_t)line,
                           (uint32_t)col};
            out_put(&s->firsts, packed, (size_t)(put_le(packed, pos, w0) - packed));
            out_put(&s->para, packed,
                    (size_t)(para_pack_rest(packed, &rec, s->para_widths) - packed));
            if (i == 0 || !text_paragraph_joined(t, i)) {
                uint32_t d = (uint32_t)i;
                out_put(&s->docs, &d, sizeof d);
                ndocs++;
            }
            pos += bs[k].para_tokens[i - bs[k].p0];
        }
    }
    text_release(t, released, text_len(t));
    ParaRec end = {pos, (uint32_t)text_len(t), (uint32_t)text_len(t), 0, 0};
    out_put(&s->firsts, packed, (size_t)(put_le(packed, pos, w0) - packed));
    out_put(&s->para, packed, (size_t)(para_pack_rest(packed, &end, s->para_widths) - packed));
    uint32_t d = (uint32_t)np;
    out_put(&s->docs, &d, sizeof d);
    s->ndocs = ndocs;
    s->ntokens = pos;
}

static bool docs_are_paras(const Sections *s, size_t npara)
{
    return s->ndocs == npara;
}

/* Bytes of the terms' directory. */
static uint64_t dir_size(const Header *h)
{
    return ((uint64_t)h->nterms + DIR_EVERY - 1) / DIR_EVERY * DIR_KEY;
}

/* The header for sections of these sizes, with every offset; the hashes are left to fill. */
static Header make_header(Text *t, const Sections *s)
{
    const char *title = text_title(t);
    size_t title_len = strlen(title) + 1; /* with its NUL */
    Header h = {0};
    memcpy(h.magic, INDEX_MAGIC, 8);
    h.version = INDEX_VERSION;
    h.byte_order = BYTE_ORDER_MARK;
    h.header_size = sizeof h;
    h.page_size = PAGE;
    h.text_len = text_len(t);
    size_t bom = text_len(t) ? text_source_offset(t, 0) : 0;
    h.flags = text_clean_as_read(t) ? FLAG_CLEAN : 0;
    if (docs_are_paras(s, text_paragraph_count(t))) h.flags |= FLAG_DOCS_ARE_PARAS;
    h.bom = (uint32_t)bom;
    h.ntokens = s->ntokens;
    h.npara = (uint32_t)text_paragraph_count(t);
    h.ndocs = s->ndocs;
    h.para_widths = s->para_widths;
    h.nterms = s->nterms;
    uint64_t off = align8(sizeof h);
    h.title_off = off;
    h.title_len = title_len;
    off = align8(off + title_len);
    h.names_off = off;
    h.names_len = s->names.len;
    off = align8(off + s->names.len);
    h.terms_off = off;
    h.term_widths =
        field_width(s->names.len) | field_width(s->post.len) << 8 | field_width(s->max_count) << 16;
    off = align8(off + ((uint64_t)s->nterms + 1) * term_rec_size(h.term_widths));
    h.dir_off = off;
    off = align8(off + dir_size(&h));
    h.post_off = off;
    h.post_len = s->post.len;
    off = align8(off + s->post.len);
    h.para_off = off;
    off = align8(off + s->firsts.len + s->para.len);
    h.docs_off = off;
    off = align8(off + (h.flags & FLAG_DOCS_ARE_PARAS ? 0 : s->docs.len));
    h.checks_off = off;
    h.npages = (off - sizeof h + PAGE - 1) / PAGE;
    h.total_size = off + h.npages * sizeof(uint64_t);
    return h;
}

static void seal_header(Header *h, const uint64_t *checks)
{
    h->checks_check = hash_bytes(checks, h->npages * sizeof *checks, 0);
    h->header_check = header_hash(h);
}

/* The merge's term records from src, packed to h's widths into dst (or onto o). */
static bool pack_terms(Src *src, const Header *h, uint8_t *dst, Out *o)
{
    unsigned wn = h->term_widths & 0xff, wp = h->term_widths >> 8 & 0xff,
             wc = h->term_widths >> 16 & 0xff;
    for (uint64_t i = 0; i <= h->nterms; i++) {
        TermRec r;
        uint8_t packed[sizeof r], *end = packed;
        if (!src_take(src, sizeof r, (uint8_t *)&r, NULL)) return false;
        end = put_le(put_le(put_le(end, r.name_off, wn), r.post_off, wp), r.count, wc);
        if (dst) {
            memcpy(dst, packed, (size_t)(end - packed));
            dst += end - packed;
        } else {
            out_put(o, packed, (size_t)(end - packed));
        }
    }
    return true;
}

/* The block in memory, from sections held in memory. */
static Index *block_in_memory(Text *t, Sections *s)
{
    Header h = make_header(t, s);
    Index *ix = xcalloc(1, sizeof *ix);
    ix->size = h.total_size;
    ix->fd = -1;
    ix->block = xcalloc(1, ix->size);
    memcpy(ix->block + h.title_off, text_title(t), h.title_len);
    memcpy(ix->block + h.names_off, s->mem[0].buf, s->mem[0].len);
    Src terms = {.mem = (const uint8_t *)s->mem[1].buf, .fd = -1, .n = s->mem[1].len};
    pack_terms(&terms, &h, ix->block + h.terms_off, NULL);
    memcpy(ix->block + h.dir_off, s->dir.buf, s->dir.len);
    memcpy(ix->block + h.post_off, s->mem[2].buf, s->mem[2].len);
    memcpy(ix->block + h.para_off, s->mem[5].buf, s->mem[5].len);
    memcpy(ix->block + h.para_off + s->mem[5].len, s->mem[3].buf, s->mem[3].len);
    if (!(h.flags & FLAG_DOCS_ARE_PARAS))
        memcpy(ix->block + h.docs_off, s->mem[4].buf, s->mem[4].len);
    uint64_t *checks = (uint64_t *)(ix->block + h.checks_off);
    for (uint64_t p = 0; p < h.npages; p++)
        checks[p] = page_hash(ix->block, &h, p);
    seal_header(&h, checks);
    memcpy(ix->block, &h, sizeof h);
    ix->h = (Header *)ix->block;
    return ix;
}

/* Appends the whole of section file fd (len bytes) to o, in the kernel where it can. */
static void out_copy_file(Out *o, int fd, uint64_t len)
{
    out_flush(o);
    o->len += len;
    loff_t from = 0;
    while (len && !o->err) {
        ssize_t w = copy_file_range(fd, &from, o->fd, NULL, len, 0);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break; /* no such call here, or across file systems: copy by hand */
        len -= (uint64_t)w;
    }
    Src src = {
        .fd = fd, .off = (uint64_t)from, .end = (uint64_t)from + len, .buf = xmalloc(IO_BUF)};
    if (len && !o->err && !src_take(&src, len, NULL, o) && !o->err) o->err = EIO;
    out_flush(o);
    free(src.buf);
}

/* The block in a scratch file (mapped), from sections in scratch files; NULL on a failure. */
static Index *block_in_file(Text *t, Sections *s, const char *dir)
{
    Header h = make_header(t, s);
    Out o;
    errno = 0;
    out_to_file(&o, atomic_scratch_open(dir));
    Header zero = {0};
    out_put(&o, &zero, sizeof zero);
    out_pad8(&o);
    out_put(&o, text_title(t), h.title_len);
    Out *sec[] = {&s->names, &s->terms, &s->post, &s->para, &s->docs};
    for (int i = 0; i < 5; i++) {
        out_pad8(&o);
        out_flush(sec[i]);
        if (sec[i]->err) o.err = sec[i]->err;
        if (sec[i] == &s->terms) { /* packed on the way; the directory after them */
            Src terms = {.fd = s->terms.fd, .end = s->terms.len, .buf = xmalloc(IO_BUF)};
            if (!pack_terms(&terms, &h, NULL, &o) && !o.err) o.err = EIO;
            free(terms.buf);
            out_pad8(&o);
            out_put(&o, s->dir.buf, s->dir.len);
            continue;
        }
        if (sec[i] == &s->docs && (h.flags & FLAG_DOCS_ARE_PARAS)) continue;
        if (sec[i] == &s->para) { /* the first tokens, then the rest */
            out_flush(&s->firsts);
            if (s->firsts.err) o.err = s->firsts.err;
            out_copy_file(&o, s->firsts.fd, s->firsts.len);
        }
        out_copy_file(&o, sec[i]->fd, sec[i]->len);
    }
    out_pad8(&o);
    out_flush(&o);
    /* each page's check, reading the body back a buffer at a time */
    uint64_t *checks = xmalloc((h.npages ? h.npages : 1) * sizeof *checks);
    Src body = {.fd = o.fd, .off = h.header_size, .end = h.checks_off, .buf = xmalloc(IO_BUF)};
    uint8_t page[PAGE];
    for (uint64_t p = 0; p < h.npages && !o.err; p++) {
        uint64_t n = h.checks_off - (h.header_size + p * PAGE);
        if (n > PAGE) n = PAGE;
        if (!src_take(&body, n, page, NULL)) o.err = EIO;
        checks[p] = hash_bytes(page, (size_t)n, p);
    }
    free(body.buf);
    out_put(&o, checks, h.npages * sizeof *checks);
    out_flush(&o);
    seal_header(&h, checks);
    free(checks);
    if (!o.err && pwrite(o.fd, &h, sizeof h, 0) != (ssize_t)sizeof h) o.err = errno ? errno : EIO;
    void *map = MAP_FAILED;
    if (!o.err) map = mmap(NULL, h.total_size, PROT_READ | PROT_WRITE, MAP_SHARED, o.fd, 0);
    if (map == MAP_FAILED) {
        out_close(&o);
        return NULL;
    }
    Index *ix = xcalloc(1, sizeof *ix);
    ix->block = map;
    ix->size = h.total_size;
    ix->mapped = true;
    ix->fd = o.fd;
    ix->h = (Header *)map;
    free(o.buf);
    return ix;
}

Index *index_build_with(Text *t, int threads, IndexProgress *progress, const IndexBuildOptions *opt,
                        Diag *diag)
{
    text_load_all(t);
    size_t np = text_paragraph_count(t), len = text_len(t);
    if (len > INDEX_MAX_TEXT) {
        diag_set(diag, DIAG_TOO_LARGE, "too long to index (over %zu MiB)", INDEX_MAX_TEXT >> 20);
        return NULL;
    }
    if (threads < 1) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if (len < ((size_t)256 << 10)) threads = 1; /* not worth a thread */
    size_t budget = opt && opt->budget ? opt->budget : BUILD_BUDGET;
    const char *dir = opt ? opt->scratch_dir : NULL;
    Builder bs[MAX_THREADS];
    memset(bs, 0, sizeof bs);
    /* share the paragraphs out by bytes */
    size_t p = 0;
    int nb = 0;
    for (int k = 0; k < threads && (p < np || nb == 0); k++) {
        size_t target = len / (size_t)threads * (size_t)(k + 1), p1 = p;
        if (k == threads - 1)
            p1 = np;
        else
            while (p1 < np && text_paragraph(t, p1).start < target)
                p1++;
        bs[nb++] = (Builder){.text = t,
                             .p0 = p,
                             .p1 = p1,
                             .progress = progress,
                             .budget = budget / (size_t)threads,
                             .scratch_dir = dir,
                             .spill = {.fd = -1}};
        p = p1;
    }
    pthread_t tid[MAX_THREADS];
    bool started[MAX_THREADS] = {false};
    for (int k = 1; k < nb; k++)
        started[k] = thread_start(&tid[k], builder_run, &bs[k]) == 0;
    builder_run(&bs[0]);
    for (int k = 1; k < nb; k++) {
        if (started[k])
            pthread_join(tid[k], NULL);
        else
            builder_run(&bs[k]); /* no thread to be had: do it here */
    }
    Index *ix = NULL;
    bool cancelled = false, spilled = false;
    int err = 0;
    uint64_t tokens = 0;
    for (int k = 0; k < nb; k++) {
        cancelled |= bs[k].cancelled;
        spilled |= bs[k].spill.buf != NULL;
        if (bs[k].err) err = bs[k].err;
        tokens += bs[k].ntokens;
    }
    if (cancelled) {
        diag_set(diag, DIAG_OK, "indexing cancelled");
    } else if (err) {
        diag_set(diag, DIAG_UNREADABLE, "could not index: a scratch file failed: %s",
                 strerror(err));
    } else if (tokens >= UINT32_MAX) {
        diag_set(diag, DIAG_TOO_LARGE, "too many words to index");
    } else {
        Sections s = {.dir = STRBUF_INIT};
        Out *outs[] = {&s.names, &s.terms, &s.post, &s.para, &s.docs, &s.firsts};
        for (int i = 0; i < 6; i++) {
            s.mem[i] = (Strbuf)STRBUF_INIT;
            errno = 0;
            if (spilled)
                out_to_file(outs[i], atomic_scratch_open(dir));
            else
                out_to_mem(outs[i], &s.mem[i]);
        }
        bool ok = merge_runs(bs, nb, &s, budget);
        for (int k = 0; k < nb; k++) { /* the tables are done with: free them before the block */
            free(bs[k].terms);
            bs[k].terms = NULL;
            free(bs[k].table);
            bs[k].table = NULL;
        }
        if (ok) {
            write_paragraphs(t, bs, nb, &s);
            ix = spilled ? block_in_file(t, &s, dir) : block_in_memory(t, &s);
        }
        int werr = 0;
        for (int i = 0; i < 6; i++) {
            if (outs[i]->err) werr = outs[i]->err;
            out_close(outs[i]);
            strbuf_release(&s.mem[i]);
        }
        strbuf_release(&s.dir);
        if (!ix)
            diag_set(diag, DIAG_UNREADABLE, "could not index: %s",
                     werr ? strerror(werr)
                     : ok ? "its scratch file failed"
                          : "too big");
    }
    for (int k = 0; k < nb; k++)
        builder_release(&bs[k]);
    return ix;
}

Index *index_build(Text *t, int threads, IndexProgress *progress)
{
    return index_build_with(t, threads, progress, NULL, NULL);
}

void index_free(Index *ix)
{
    if (!ix) return;
    if (ix->mapped)
        munmap(ix->block, ix->size);
    else
        free(ix->block);
    if (ix->fd >= 0) close(ix->fd);
    free(ix->pages);
    free(ix->first_state);
    free(ix->rest_state);
    free(ix);
}

const void *index_bytes(const Index *ix, size_t *len)
{
    *len = ix->size;
    return ix->block;
}

int index_write(const Index *ix, int fd)
{
    if (ix->fd < 0) {
        Out o;
        out_to_file(&o, fd);
        out_put(&o, ix->block, ix->size);
        out_flush(&o);
        int err = o.err;
        free(o.buf);
        return err ? (errno = err, -1) : 0;
    }
    /* the built block's own file: copied in the kernel, never read into this process */
    Out o; /* the mapping is shared: the file holds the header as changed since */
    out_to_file(&o, fd);
    out_copy_file(&o, ix->fd, ix->size);
    int err = o.err;
    free(o.buf);
    return err ? (errno = err, -1) : 0;
}

/* ---- reading back ---- */

static bool section_ok(const Header *h, uint64_t off, uint64_t len)
{
    return off % 8 == 0 && off >= h->header_size && off <= h->checks_off &&
           len <= h->checks_off - off;
}

static bool widths_ok(uint32_t w)
{
    for (int i = 0; i < 3; i++, w >>= 8)
        if ((w & 0xff) < 1 || (w & 0xff) > 4) return false;
    return w == 0;
}

static uint64_t docs_size(const Header *h)
{
    return h->flags & FLAG_DOCS_ARE_PARAS ? 0 : ((uint64_t)h->ndocs + 1) * sizeof(uint32_t);
}

/* Document i's first paragraph (i up to ndocs: the sentinel). */
static uint32_t doc_first(const Index *ix, size_t i)
{
    if (ix->h->flags & FLAG_DOCS_ARE_PARAS) return (uint32_t)i;
    uint32_t d;
    memcpy(&d, ix->block + ix->h->docs_off + i * sizeof d, sizeof d);
    return d;
}

/* get_le by one 4-byte load, for the paragraph records, read at every search: the 3 bytes past
 * a record's last field are in the block. index_from_bytes made sure that the table (its
 * sentinel at least, 5 bytes) ends before the page checks, which end the block; the body is then
 * not empty, so there is a page, and its check's 8 bytes come after the table. */
static uint32_t get_le_load(const uint8_t *p, unsigned width)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return width == 4 ? v : v & ((UINT32_C(1) << (8 * width)) - 1);
}

/* The paragraphs' first tokens, and the array of the rest of their records after them. */
static const uint8_t *para_firsts(const Index *ix)
{
    return ix->block + ix->h->para_off;
}

static const uint8_t *para_rests(const Index *ix)
{
    return para_firsts(ix) + ((size_t)ix->h->npara + 1) * para_width(ix->h->para_widths, 0);
}

/* The record at p but its first token, of fields as wide as w says. */
static inline ParaRec para_unpack_rest(const uint8_t *p, uint32_t w)
{
    uint32_t v[PARA_FIELDS] = {0};
    for (int f = 1; f < PARA_FIELDS; f++) {
        v[f] = get_le_load(p, para_width(w, f));
        p += para_width(w, f);
    }
    return (ParaRec){0, v[1], v[2], v[3], v[4]};
}

/* The records [from, hi) of chunk c of either array, to check: from is the record before the
 * chunk, if any (so that any two neighbours read are in order, whichever chunks hold them). */
static size_t para_chunk_span(const Index *ix, size_t c, size_t *from, size_t *hi)
{
    size_t lo = c * PARA_CHUNK;
    *hi = lo + PARA_CHUNK;
    if (*hi > (size_t)ix->h->npara + 1) *hi = (size_t)ix->h->npara + 1;
    *from = lo ? lo - 1 : 0;
    return lo;
}

static bool para_chunk_verdict(const Index *cix, _Atomic uint8_t *state, bool ok)
{
    atomic_store_explicit(state, ok ? 1 : 2, memory_order_relaxed);
    if (!ok) mut(cix)->corrupt = true;
    return ok;
}

/* Checks chunk c of the first tokens: their pages, each at most the token count, ascending. A
 * search by position relies on no more: its bisection keeps, of the values it read, the one at
 * or before the target and the next one past it, which are neighbours at its end. */
static bool para_first_check(const Index *ix, size_t c)
{
    const Header *h = ix->h;
    const unsigned w0 = para_width(h->para_widths, 0);
    size_t from, hi, lo = para_chunk_span(ix, c, &from, &hi);
    bool ok = lo < hi && need(ix, h->para_off + from * w0, (hi - from) * w0);
    const uint8_t *p = para_firsts(ix) + from * w0;
    for (uint32_t before = 0; ok && from < hi; from++, p += w0) {
        uint32_t v = get_le_load(p, w0);
        ok = v <= h->ntokens && v >= before;
        before = v;
    }
    return para_chunk_verdict(ix, &ix->first_state[c], ok);
}

/* Checks chunk c of the rest of the records: their pages, start <= end <= the text's length,
 * each start at or past the end before. */
static bool para_rest_check(const Index *ix, size_t c)
{
    const Header *h = ix->h;
    const uint32_t pw = h->para_widths;
    const size_t rs = para_rest_size(pw);
    size_t from, hi, lo = para_chunk_span(ix, c, &from, &hi);
    const uint8_t *p = para_rests(ix) + from * rs;
    bool ok = lo < hi && need(ix, (uint64_t)(p - ix->block), (hi - from) * rs);
    for (uint32_t before = 0; ok && from < hi; from++, p += rs) {
        ParaRec r = para_unpack_rest(p, pw);
        ok = r.start <= r.end && r.end <= h->text_len && r.start >= before;
        before = r.end;
    }
    return para_chunk_verdict(ix, &ix->rest_state[c], ok);
}

/* Whether record i's first token, or the rest of it, can be read: its chunk checked (now, if
 * not yet) and sound. A block built here has no states: it is trusted. */
static inline bool para_first_ok(const Index *ix, size_t i)
{
    if (!ix->first_state) return true;
    uint8_t st = atomic_load_explicit(&ix->first_state[i / PARA_CHUNK], memory_order_relaxed);
    return st == 1 || (st == 0 && para_first_check(ix, i / PARA_CHUNK));
}

static inline bool para_rest_ok(const Index *ix, size_t i)
{
    if (!ix->rest_state) return true;
    uint8_t st = atomic_load_explicit(&ix->rest_state[i / PARA_CHUNK], memory_order_relaxed);
    return st == 1 || (st == 0 && para_rest_check(ix, i / PARA_CHUNK));
}

/* A paragraph's first token, for the searches by position; in a damaged chunk, the token count
 * (an empty paragraph at the end; index_corrupt says so). */
static uint32_t para_first(const Index *ix, size_t i)
{
    if (!para_first_ok(ix, i)) return ix->h->ntokens;
    unsigned w0 = para_width(ix->h->para_widths, 0);
    return get_le_load(para_firsts(ix) + i * w0, w0);
}

/* Paragraph record i (at most npara), unpacked; the fields of a damaged chunk read as an empty
 * paragraph at the end. */
static ParaRec para_get(const Index *ix, size_t i)
{
    const uint32_t w = ix->h->para_widths;
    ParaRec r = {0, (uint32_t)ix->h->text_len, (uint32_t)ix->h->text_len, 0, 0};
    if (para_rest_ok(ix, i)) r = para_unpack_rest(para_rests(ix) + i * para_rest_size(w), w);
    r.first = para_first(ix, i);
    return r;
}

/* A paragraph's end alone, for the search by byte offset: the reader's match styles ask it for
 * every cell drawn. */
static uint32_t para_end(const Index *ix, size_t i)
{
    if (!para_rest_ok(ix, i)) return (uint32_t)ix->h->text_len;
    uint32_t w = ix->h->para_widths;
    return get_le_load(para_rests(ix) + i * para_rest_size(w) + para_width(w, 1), para_width(w, 2));
}

static int reject(Index *ix, Diag *diag, const char *why)
{
    diag_set(diag, DIAG_INVALID, "index cache: %s", why);
    index_free(ix);
    return -1;
}

bool index_earlier_version(const void *block, size_t len)
{
    Header h;
    if (len < offsetof(Header, header_size)) return false;
    memcpy(&h, block, len < sizeof h ? offsetof(Header, header_size) : sizeof h);
    if (memcmp(h.magic, INDEX_MAGIC, 8) != 0 || h.byte_order != BYTE_ORDER_MARK || h.version < 1 ||
        h.version >= INDEX_VERSION)
        return false;
    /* a header of this version whose version field was damaged (a bit lost) is damage, kept
     * aside as such: its hash holds with the version put back */
    if (len >= sizeof h) {
        h.version = INDEX_VERSION;
        if (header_hash(&h) == h.header_check) return false;
    }
    return true;
}

int index_from_bytes(void *owned, size_t len, bool mapped, Index **out, Diag *diag)
{
    *out = NULL;
    Index *ix = xcalloc(1, sizeof *ix);
    ix->block = owned;
    ix->size = len;
    ix->mapped = mapped;
    ix->fd = -1;
    if (len < sizeof(Header) || ((uintptr_t)owned & 7)) return reject(ix, diag, "too short");
    Header *h = (Header *)ix->block;
    ix->h = h;
    if (memcmp(h->magic, INDEX_MAGIC, 8) != 0) return reject(ix, diag, "not an index file");
    if (h->byte_order != BYTE_ORDER_MARK)
        return reject(ix, diag, "written on a machine of another byte order");
    if (h->version != INDEX_VERSION) return reject(ix, diag, "from another version of lector");
    if (h->header_size != sizeof *h || h->page_size != PAGE || header_hash(h) != h->header_check)
        return reject(ix, diag, "damaged header");
    if (h->total_size != len) return reject(ix, diag, "truncated");
    uint64_t body = h->checks_off - h->header_size;
    if (h->checks_off < h->header_size || h->checks_off % 8 ||
        h->npages != (body + PAGE - 1) / PAGE || h->npages > len / 8 ||
        h->checks_off + h->npages * 8 != h->total_size)
        return reject(ix, diag, "damaged layout");
    if (hash_bytes(ix->block + h->checks_off, h->npages * 8, 0) != h->checks_check)
        return reject(ix, diag, "damaged page checks");
    if (!section_ok(h, h->title_off, h->title_len) || !section_ok(h, h->names_off, h->names_len) ||
        !widths_ok(h->term_widths) ||
        !section_ok(h, h->terms_off, ((uint64_t)h->nterms + 1) * term_rec_size(h->term_widths)) ||
        !section_ok(h, h->dir_off, dir_size(h)) || !section_ok(h, h->post_off, h->post_len) ||
        h->para_widths >> (2 * PARA_FIELDS) ||
        !section_ok(h, h->para_off, ((uint64_t)h->npara + 1) * para_rec_size(h->para_widths)) ||
        !section_ok(h, h->docs_off, docs_size(h)) ||
        ((h->flags & FLAG_DOCS_ARE_PARAS) && h->ndocs != h->npara) ||
        h->text_len > INDEX_MAX_TEXT || h->names_len > UINT32_MAX || h->post_len > UINT32_MAX)
        return reject(ix, diag, "damaged layout");
    ix->pages = xcalloc(h->npages ? h->npages : 1, 1);
    ix->first_state = xcalloc(h->npara / PARA_CHUNK + 1, 1);
    ix->rest_state = xcalloc(h->npara / PARA_CHUNK + 1, 1);
    /* the small sections every search reads: checked and validated now */
    if (!need(ix, h->title_off, h->title_len) || !need(ix, h->docs_off, docs_size(h)))
        return reject(ix, diag, "damaged (a page check failed)");
    if (h->title_len == 0 || ix->block[h->title_off + h->title_len - 1] != 0)
        return reject(ix, diag, "damaged title");
    /* the paragraph table's ends, which every search by position starts from: the first
     * paragraph starts at token 0, the sentinel holds the token count (the chunks between are
     * checked when read) */
    if (!para_first_ok(ix, 0) || !para_first_ok(ix, h->npara) || para_first(ix, 0) != 0 ||
        para_first(ix, h->npara) != h->ntokens)
        return reject(ix, diag, "damaged paragraph table");
    for (uint32_t i = 0; i <= h->ndocs; i++) {
        uint32_t d = doc_first(ix, i);
        if (d > h->npara || (i && d <= doc_first(ix, i - 1)) || (i == 0 && d != 0 && h->npara))
            return reject(ix, diag, "damaged document table");
    }
    if (doc_first(ix, h->ndocs) != h->npara) return reject(ix, diag, "damaged document table");
    *out = ix;
    return 0;
}

void index_reseal(void *block, size_t len)
{
    if (len < sizeof(Header) || ((uintptr_t)block & 7)) return;
    Header *h = block;
    /* the layout tests of index_from_bytes, as far as the checks' place depends on them */
    if (h->header_size == sizeof *h && h->checks_off >= h->header_size && h->checks_off % 8 == 0 &&
        h->checks_off <= len && h->npages == (h->checks_off - h->header_size + PAGE - 1) / PAGE &&
        h->npages <= (len - h->checks_off) / 8) {
        uint64_t *checks = (uint64_t *)((uint8_t *)block + h->checks_off);
        for (uint64_t p = 0; p < h->npages; p++)
            checks[p] = page_hash(block, h, p);
        h->checks_check = hash_bytes(checks, h->npages * sizeof *checks, 0);
    }
    h->header_check = header_hash(h);
}

bool index_verify_all(Index *ix)
{
    if (!ix->pages) return true;
    for (uint64_t p = 0; p < ix->h->npages; p++)
        if (!need(ix, ix->h->header_size + p * PAGE, 1)) return false;
    for (size_t i = 0; i <= ix->h->npara; i += PARA_CHUNK)
        if (!para_first_ok(ix, i) || !para_rest_ok(ix, i)) return false;
    return true;
}

bool index_corrupt(const Index *ix)
{
    return ix->corrupt;
}

IndexSource index_source(const Index *ix)
{
    const Header *h = ix->h;
    return (IndexSource){h->src_size,      h->src_dev,        h->src_ino,
                         h->src_mtime_sec, h->src_mtime_nsec, h->src_hash};
}

void index_set_source(Index *ix, const IndexSource *src)
{
    if (ix->mapped && ix->fd < 0) { /* a read-only mapping: take a copy to change */
        uint8_t *copy = xmalloc(ix->size);
        memcpy(copy, ix->block, ix->size);
        munmap(ix->block, ix->size);
        ix->block = copy;
        ix->mapped = false;
        ix->h = (Header *)copy;
    }
    Header *h = ix->h;
    h->src_size = src->size;
    h->src_dev = src->dev;
    h->src_ino = src->ino;
    h->src_mtime_sec = src->mtime_sec;
    h->src_mtime_nsec = src->mtime_nsec;
    h->src_hash = src->content_hash;
    h->header_check = header_hash(h);
}

const char *index_title(const Index *ix)
{
    return (const char *)ix->block + ix->h->title_off; /* its NUL checked on reading */
}

size_t index_text_len(const Index *ix)
{
    return ix->h->text_len;
}

bool index_clean_as_read(const Index *ix, size_t *bom)
{
    *bom = ix->h->bom;
    return ix->h->flags & FLAG_CLEAN;
}

size_t index_term_count(const Index *ix)
{
    return ix->h->nterms;
}

/* Term i's record and the next one (its ends), checked; false if damaged. */
static bool term_recs(const Index *ix, uint32_t i, TermRec *r, TermRec *next)
{
    const Header *h = ix->h;
    unsigned wn = h->term_widths & 0xff, wp = h->term_widths >> 8 & 0xff,
             wc = h->term_widths >> 16 & 0xff, size = wn + wp + wc;
    if (i >= h->nterms || !need(ix, h->terms_off + (uint64_t)i * size, 2 * size)) return false;
    const uint8_t *p = ix->block + h->terms_off + (uint64_t)i * size;
    *r = (TermRec){get_le(p, wn), get_le(p + wn, wp), get_le(p + wn + wp, wc)};
    p += size;
    *next = (TermRec){get_le(p, wn), get_le(p + wn, wp), get_le(p + wn + wp, wc)};
    if (r->name_off > next->name_off || next->name_off > h->names_len ||
        r->post_off > next->post_off || next->post_off > h->post_len) {
        mut(ix)->corrupt = true;
        return false;
    }
    return true;
}

const char *index_term(const Index *ix, uint32_t id, size_t *len)
{
    TermRec r, next;
    *len = 0;
    if (!term_recs(ix, id, &r, &next) ||
        !need(ix, ix->h->names_off + r.name_off, next.name_off - r.name_off))
        return "";
    *len = next.name_off - r.name_off;
    return (const char *)ix->block + ix->h->names_off + r.name_off;
}

void index_each_term(const Index *ix, uint32_t first, uint32_t end, IndexTermFn fn, void *ctx)
{
    const Header *h = ix->h;
    unsigned wn = h->term_widths & 0xff, wp = h->term_widths >> 8 & 0xff,
             wc = h->term_widths >> 16 & 0xff, size = wn + wp + wc;
    if (end > h->nterms) end = h->nterms;
    if (first >= end) return;
    /* the records [first, end] (the last one's end is the next's start) and the names */
    if (!need(ix, h->terms_off + (uint64_t)first * size, (uint64_t)(end - first + 1) * size))
        return;
    const uint8_t *p = ix->block + h->terms_off + (uint64_t)first * size;
    TermRec r = {get_le(p, wn), get_le(p + wn, wp), get_le(p + wn + wp, wc)};
    for (uint32_t i = first; i < end; i++) {
        p += size;
        TermRec next = {get_le(p, wn), get_le(p + wn, wp), get_le(p + wn + wp, wc)};
        /* term_recs's checks, and the name's pages as index_term checks them */
        if (r.name_off > next.name_off || next.name_off > h->names_len ||
            r.post_off > next.post_off || next.post_off > h->post_len) {
            mut(ix)->corrupt = true;
            return;
        }
        if (!need(ix, h->names_off + r.name_off, next.name_off - r.name_off)) return;
        if (!fn(ctx, i, (const char *)ix->block + h->names_off + r.name_off,
                next.name_off - r.name_off, r.count > h->ntokens ? 0 : r.count))
            return;
        r = next;
    }
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c) return c;
    return an < bn ? -1 : an > bn;
}

/* The first of the directory's nkeys keys above key (after: else not below it), each read
 * where its page is checked (a damaged page reads as above every key). */
static uint64_t dir_bound(const Index *ix, const char key[DIR_KEY], uint64_t nkeys, bool after)
{
    const Header *h = ix->h;
    uint64_t a = 0, b = nkeys;
    while (a < b) {
        uint64_t mid = a + (b - a) / 2;
        uint64_t off = h->dir_off + mid * DIR_KEY;
        int c = need(ix, off, DIR_KEY) ? memcmp(ix->block + off, key, DIR_KEY) : 1;
        if (c < 0 || (after && c == 0))
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

/* The first term id not below s[0, n) in byte order. */
static uint32_t lower_bound_term(const Index *ix, const char *s, size_t n)
{
    const Header *h = ix->h;
    uint32_t lo = 0, hi = h->nterms;
    /* the directory first: terms before a key less than s's are less than s, and terms from a
     * key greater than it greater (a name's first 8 bytes, padded, order as the names do), so
     * the answer is after the last term keyed below s's key and at or before the first keyed
     * above it; a damaged directory only misleads the bisection below, within the table */
    uint64_t nkeys = dir_size(h) / DIR_KEY;
    if (nkeys > 1) {
        char key[DIR_KEY] = {0};
        memcpy(key, s, n < DIR_KEY ? n : DIR_KEY);
        uint64_t a = dir_bound(ix, key, nkeys, false), c = dir_bound(ix, key, nkeys, true);
        if (a > 0) lo = (uint32_t)((a - 1) * DIR_EVERY + 1);
        if (c < nkeys) hi = (uint32_t)(c * DIR_EVERY);
        if (lo > hi) lo = hi; /* a damaged directory: an empty answer, not a wild one */
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        size_t tl;
        const char *term = index_term(ix, mid, &tl);
        if (cmp_bytes(term, tl, s, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int64_t index_lookup(const Index *ix, const char *s, size_t n)
{
    uint32_t i = lower_bound_term(ix, s, n);
    size_t tl;
    if (i >= ix->h->nterms) return -1;
    const char *term = index_term(ix, i, &tl);
    return tl == n && !memcmp(term, s, n) ? (int64_t)i : -1;
}

static bool term_has_prefix(const Index *ix, uint32_t id, const char *prefix, size_t len)
{
    size_t tl;
    const char *term = index_term(ix, id, &tl);
    return tl >= len && !memcmp(term, prefix, len);
}

void index_prefix_range(const Index *ix, const char *prefix, size_t len, uint32_t *first,
                        uint32_t *end)
{
    *first = lower_bound_term(ix, prefix, len);
    uint32_t n = ix->h->nterms;
    if (*first >= n || !term_has_prefix(ix, *first, prefix, len)) {
        *end = *first;
        return;
    }
    /* the first term past the prefix: galloping from the first with it, then bisecting (a
     * prefix's terms are a few neighbours; a bisection of the rest of the table would check the
     * pages of terms and names far from them: a third of the pages righteous* read) */
    uint32_t lo = *first, hi = n; /* lo has the prefix; hi has not, or is the end */
    for (uint64_t step = 1;; step *= 2) {
        uint64_t probe = (uint64_t)lo + step;
        if (probe >= n) break;
        if (!term_has_prefix(ix, (uint32_t)probe, prefix, len)) {
            hi = (uint32_t)probe;
            break;
        }
        lo = (uint32_t)probe;
    }
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (term_has_prefix(ix, mid, prefix, len))
            lo = mid;
        else
            hi = mid;
    }
    *end = hi;
}

/* A varint of the skips at *p (before end) into *v; false when cut short or over 32 bits. */
static bool skip_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; *p < end && shift < 35; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return *v <= UINT32_MAX;
    }
    return false;
}

/* Reads c's next skip entry into skip_code, skip_prev and skip_bit; false, skip_code 0, when
 * there is none (or it is damaged: jumps then stop, the codes themselves still read). */
static bool skip_next(IndexCursor *c)
{
    uint64_t dp, db;
    if (c->skip >= c->skip_end || !skip_varint(&c->skip, c->skip_end, &dp) ||
        !skip_varint(&c->skip, c->skip_end, &db) || !dp || !db) {
        c->skip_code = 0;
        c->skip = c->skip_end;
        return false;
    }
    c->skip_code += c->every;
    c->skip_prev += dp;
    c->skip_bit += db;
    return true;
}

/* Starts c on term id's postings; false (and corrupt marked when it is damaged) if none. */
static bool cursor_start(const Index *ix, uint32_t id, IndexCursor *c, uint32_t *count)
{
    TermRec r, next;
    *c = (IndexCursor){0};
    if (!term_recs(ix, id, &r, &next) ||
        !need(ix, ix->h->post_off + r.post_off, next.post_off - r.post_off))
        return false;
    const uint8_t *start = ix->block + ix->h->post_off + r.post_off,
                  *end = ix->block + ix->h->post_off + next.post_off;
    bool bad = false;
    if (r.count >= SKIP_MIN) { /* the skips, at the end: their length last */
        uint32_t n = 0;
        if (end - start >= 4) memcpy(&n, end - 4, 4);
        bad = end - start < 4 || (uint64_t)n + 4 > (uint64_t)(end - start);
        if (!bad) {
            c->skip = end - 4 - n;
            c->skip_end = end - 4;
            c->every = skip_every(r.count);
            end = c->skip;
            skip_next(c);
        }
    }
    c->start = start;
    c->end = end;
    c->count = r.count;
    golomb_reader_init(&c->bits, start, end);
    c->ntokens = ix->h->ntokens;
    uint64_t k;
    if (bad || r.count == 0 || r.count > ix->h->ntokens || /* a term occurs once a token at most */
        !golomb_get_bits(&c->bits, 5, &k) || k > GOLOMB_MAX_K) {
        mut(ix)->corrupt = true;
        *c = (IndexCursor){0};
        return false;
    }
    c->k = (int)k;
    c->left = *count = r.count;
    return true;
}

/* One more position into c->prev; false, the rest dropped and corrupt marked, when the bits
 * are damaged: not a code, past the token count, or (after the last) more than the padding. */
static bool cursor_step(const Index *ix, IndexCursor *c)
{
    uint64_t d = c->left ? golomb_get(&c->bits, c->k) : 0;
    c->prev += d;
    c->left -= c->left ? 1 : 0;
    if (d == 0 || c->prev > c->ntokens || (!c->left && !golomb_at_end(&c->bits))) {
        mut(ix)->corrupt = true; /* what was read stands, the rest goes */
        c->left = 0;
        return false;
    }
    return true;
}

size_t index_positions(const Index *ix, uint32_t id, uint32_t **out, size_t *n, size_t *cap)
{
    IndexCursor c;
    uint32_t count;
    if (!cursor_start(ix, id, &c, &count)) return 0;
    if (*n + count > *cap) {
        *cap = (*n + count) * 2 + 16;
        *out = xreallocarray(*out, *cap, sizeof **out);
    }
    uint32_t *p = *out + *n;
    size_t k = 0;
    uint64_t gap;
    while (c.left > 1 && c.prev <= c.ntokens && golomb_fast_get(&c.bits, c.k, &gap)) {
        c.prev += gap;
        c.left--;
        p[k++] = (uint32_t)(c.prev - 1);
    }
    if (c.prev > c.ntokens) { /* as cursor_step: what was read stands */
        mut(ix)->corrupt = true;
        c.left = 0;
        k -= k ? 1 : 0;
    }
    while (c.left && cursor_step(ix, &c))
        p[k++] = (uint32_t)(c.prev - 1);
    *n += k;
    return k;
}

uint32_t index_term_occurrences(const Index *ix, uint32_t id)
{
    TermRec r, next;
    if (!term_recs(ix, id, &r, &next) || r.count > ix->h->ntokens) return 0;
    return r.count;
}

bool index_cursor_init(const Index *ix, uint32_t id, IndexCursor *c)
{
    uint32_t count;
    return cursor_start(ix, id, c, &count);
}

/* Jumps c to the last skip entry before want (a position + 1) when that is ahead of c, reading
 * on through the entries; false, the walk ended and corrupt marked, when the entry cannot be
 * right: behind the walk, past the token count or outside the codes. */
static bool cursor_jump(const Index *ix, IndexCursor *c, uint64_t want)
{
    if (!c->skip_code || c->skip_prev >= want) return true;
    uint64_t code, prev, bit;
    do {
        code = c->skip_code;
        prev = c->skip_prev;
        bit = c->skip_bit;
    } while (skip_next(c) && c->skip_prev < want);
    if (code <= (uint64_t)c->count - c->left) return true; /* already past it */
    if (prev < c->prev || prev > c->ntokens || bit < 5 ||
        bit / 8 >= (uint64_t)(c->end - c->start) || code >= c->count) {
        mut(ix)->corrupt = true;
        c->left = 0;
        return false;
    }
    golomb_reader_init(&c->bits, c->start + bit / 8, c->end);
    uint64_t skip;
    if (bit % 8) golomb_get_bits(&c->bits, (int)(bit % 8), &skip);
    c->prev = prev;
    c->left = (uint32_t)(c->count - code);
    return true;
}

bool index_cursor_seek(const Index *ix, IndexCursor *c, uint32_t target, uint32_t *pos)
{
    /* fast through all but the last code, whose padding cursor_step checks */
    uint64_t want = (uint64_t)target + 1;
    if (c->prev < want && !cursor_jump(ix, c, want)) return false;
    if (c->prev < want && c->left > 1) {
        GolombReader r = c->bits;
        uint64_t prev = c->prev, gap, ntokens = c->ntokens;
        uint32_t left = c->left;
        int k = c->k; /* locals, which the compiler keeps in registers: a walk is millions long */
        while (prev < want && left > 1 && prev <= ntokens && golomb_fast_get(&r, k, &gap)) {
            prev += gap;
            left--;
        }
        c->bits = r;
        c->prev = prev;
        c->left = left;
        if (prev > c->ntokens) { /* as cursor_step */
            mut(ix)->corrupt = true;
            c->left = 0;
            return false;
        }
    }
    while (c->prev == 0 || c->prev - 1 < target)
        if (!c->left || !cursor_step(ix, c)) return false;
    *pos = (uint32_t)(c->prev - 1);
    return true;
}

uint32_t index_token_count(const Index *ix)
{
    return ix->h->ntokens;
}

size_t index_paragraph_count(const Index *ix)
{
    return ix->h->npara;
}

size_t index_paragraph_of(const Index *ix, uint32_t pos)
{
    size_t lo = 0, hi = ix->h->npara; /* the last paragraph whose first token is <= pos */
    if (!hi) return 0;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (para_first(ix, mid) <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

size_t index_paragraph_at(const Index *ix, size_t off)
{
    size_t lo = 0, hi = ix->h->npara; /* the first whose end is past off (ends ascend) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (para_end(ix, mid) <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

IndexParagraph index_paragraph(const Index *ix, size_t para)
{
    if (para > ix->h->npara) para = ix->h->npara;
    ParaRec p = para_get(ix, para);
    uint32_t end = para < ix->h->npara ? para_first(ix, para + 1) : p.first;
    if (end < p.first) end = p.first; /* the next one's chunk damaged (reads as the end) */
    return (IndexParagraph){p.first, end, {p.start, p.end}, p.line, p.col};
}

size_t index_doc_count(const Index *ix)
{
    return ix->h->ndocs;
}

size_t index_doc_of(const Index *ix, uint32_t pos)
{
    size_t para = index_paragraph_of(ix, pos), lo = 0, hi = ix->h->ndocs;
    if (!hi) return 0;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (doc_first(ix, mid) <= para)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

size_t index_doc_from(const Index *ix, uint32_t pos, size_t from)
{
    /* here, not in the caller: a NEAR query on 1 GB took a sixth of its time in the calls of
     * index_doc_positions a gallop made */
    size_t n = ix->h->ndocs, lo = from, step = 1, hi;
    for (;;) {
        hi = lo + step;
        if (hi >= n) {
            hi = n;
            break;
        }
        if (para_first(ix, doc_first(ix, hi)) > pos) break;
        lo = hi;
        step *= 2;
    }
    while (hi - lo > 1) { /* doc lo starts at or before pos, doc hi after it */
        size_t mid = lo + (hi - lo) / 2;
        if (para_first(ix, doc_first(ix, mid)) <= pos)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void index_doc_positions(const Index *ix, size_t doc, uint32_t *first, uint32_t *end)
{
    if (doc >= ix->h->ndocs) {
        *first = *end = ix->h->ntokens;
        return;
    }
    uint32_t p0 = doc_first(ix, doc), p1 = doc_first(ix, doc + 1);
    /* a document of pieces: its records are not neighbours, so every chunk between is checked
     * (each once), for the pieces to be in order (index_doc_of finds the piece first); a
     * damaged chunk among them reads as the end, which the clamp below keeps in range */
    for (size_t i = p0; i < p1; i += PARA_CHUNK)
        para_first_ok(ix, i);
    *first = para_first(ix, p0);
    *end = para_first(ix, p1);
    if (*end < *first) { /* a chunk between damaged (reads as the end) */
        mut(ix)->corrupt = true;
        *end = *first;
    }
}

/* The first piece of a paragraph index_token_spans tokenizes; each next is twice as long. Small:
 * a hit near a paragraph's start (most of a search's snippets) tokenizes 256 bytes, not 2 KiB
 * (with 2 KiB, tokenizing was a seventh of a one-story search that shows 20 hits). */
enum { SPAN_PIECE = 256 };

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
    while (c->k < c->n && c->pos[c->k] == c->at)
        c->out[c->k++] = (Span){c->base + start, c->base + end};
    c->at++;
}

void index_token_spans(const Index *ix, const uint8_t *text, size_t base, size_t len,
                       const uint32_t *pos, size_t n, Span *out)
{
    Strbuf scratch = STRBUF_INIT;
    SpansCtx c = {pos, n, 0, 0, 0, out};
    while (c.k < n) {
        size_t para = index_paragraph_of(ix, pos[c.k]);
        ParaRec p = para_get(ix, para);
        uint32_t end_pos = para < ix->h->npara ? para_first(ix, para + 1) : p.first;
        c.at = p.first;
        size_t before = c.k;
        /* a paragraph outside the bytes given: an index of a longer story than the one open */
        if (p.start >= base && p.end - base <= len && pos[c.k] < ix->h->ntokens) {
            /* in pieces, each cut before a space or a line end (where a word always ends, and
             * what follows is read the same), up to the last token wanted in the paragraph: a
             * hit near the start of a long one does not tokenize the rest */
            size_t from = p.start, piece = SPAN_PIECE;
            while (from < p.end && c.k < n && pos[c.k] < end_pos) {
                size_t cut = p.end;
                if (p.end - from > piece) {
                    const uint8_t *q = text + (from + piece - base), *e = text + (p.end - base);
                    while (q < e && *q != ' ' && *q != '\n')
                        q++;
                    cut = (size_t)(q - text) + base;
                }
                c.base = from;
                token_each(text + (from - base), cut - from, &scratch, collect_spans, &c);
                from = cut;
                piece *= 2;
            }
        }
        while (c.k < n && c.k == before) { /* not found (a stale index): an empty span */
            out[c.k] = (Span){p.start, p.start};
            c.k++;
        }
    }
    strbuf_release(&scratch);
}
