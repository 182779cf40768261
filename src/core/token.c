/* token.c: words and their folded forms.
 *
 * The fold cache is an open-addressing hash table from a word's bytes to its folded form. Keys and
 * values live in one arena (a Strbuf) and are referred to by offset, so growing the arena moves
 * nothing that the table holds. The cache is dropped when it passes CACHE_MAX_WORDS (a hostile
 * story of endless distinct words must not grow memory without bound).
 */
#include "lector/token.h"

#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <uniwbrk.h>

#include "lector/ucd.h"
#include "lector/xalloc.h"

enum { CACHE_MAX_WORDS = 1 << 20 };

typedef struct {
    uint64_t hash; /* 0: empty */
    uint32_t key_off, key_len, val_off, val_len;
} CacheEntry;

struct TokenFolder {
    int flags;
    CacheEntry *table;
    size_t cap, used; /* cap: a power of two */
    Strbuf arena;
    Strbuf out; /* the ASCII fast path's result */
};

TokenFolder *token_folder_new(int flags)
{
    TokenFolder *f = xcalloc(1, sizeof *f);
    /* the cache's table comes with the first word that is not ASCII: a folder made for one
     * match's refining (search_refine_span) need not clear 24 KiB */
    f->flags = flags;
    return f;
}

void token_folder_free(TokenFolder *f)
{
    if (!f) return;
    free(f->table);
    strbuf_release(&f->arena);
    strbuf_release(&f->out);
    free(f);
}

bool token_unspaced(uint32_t cp)
{
    return (cp >= 0x0e00 && cp <= 0x0eff) ||   /* Thai, Lao */
           (cp >= 0x1000 && cp <= 0x109f) ||   /* Myanmar */
           (cp >= 0x1780 && cp <= 0x17ff) ||   /* Khmer */
           (cp >= 0x2e80 && cp <= 0x2fdf) ||   /* CJK radicals */
           (cp >= 0x3005 && cp <= 0x3007) ||   /* 々 〆 〇 */
           (cp >= 0x3021 && cp <= 0x3029) ||   /* Hangzhou numerals */
           (cp >= 0x3040 && cp <= 0x30ff) ||   /* Hiragana, Katakana */
           (cp >= 0x3100 && cp <= 0x312f) ||   /* Bopomofo */
           (cp >= 0x31a0 && cp <= 0x31ff) ||   /* Bopomofo ext., Katakana ext. */
           (cp >= 0x3400 && cp <= 0x4dbf) ||   /* CJK ext. A */
           (cp >= 0x4e00 && cp <= 0x9fff) ||   /* CJK */
           (cp >= 0xf900 && cp <= 0xfaff) ||   /* CJK compatibility */
           (cp >= 0xff66 && cp <= 0xff9f) ||   /* halfwidth Katakana */
           (cp >= 0x1b000 && cp <= 0x1b16f) || /* kana supplement, ext. */
           (cp >= 0x20000 && cp <= 0x3ffff);   /* CJK ext. B.. */
}

/* Scripts whose marks are accents to ignore in a search: Latin, Greek, Cyrillic. Elsewhere (Thai
 * vowels, Devanagari viramas, ...) a mark is part of the spelling and stays. */
static bool accents_fold(uint32_t base)
{
    return (base >= 0x41 && base <= 0x24f) || (base >= 0x1e00 && base <= 0x1eff) ||
           (base >= 0x370 && base <= 0x3ff) || (base >= 0x1f00 && base <= 0x1fff) ||
           (base >= 0x400 && base <= 0x52f);
}

/* The exception list: marks that make a letter of its own in its alphabet. */
static bool mark_makes_a_letter(uint32_t base, uint32_t mark)
{
    bool cyrillic = base >= 0x400 && base <= 0x52f;
    if (cyrillic && mark == 0x0306) return true;                           /* й Й ў Ў */
    if ((base == 0x0456 || base == 0x0406) && mark == 0x0308) return true; /* ї Ї */
    return false;
}

/* Invisible characters that change how a word breaks or joins, never how it is spelled: the
 * soft hyphen ("extra\u00ADordinary" is "extraordinary"), zero-width space, non-joiner and
 * joiner, the word joiner and invisible operators, and the byte-order mark. Dropped from every
 * token, so that a query typed without them finds the word (and one pasted with them too). */
static bool spelling_ignores(uint32_t cp)
{
    return cp == 0x00ad || (cp >= 0x200b && cp <= 0x200d) || (cp >= 0x2060 && cp <= 0x2064) ||
           cp == 0xfeff;
}

/* Spellings of the apostrophe a word keeps (token_each keeps one between digits and after a
 * Hebrew letter): U+2018, U+2019, U+02BC and the Hebrew geresh U+05F3, each spelt as U+0027 in
 * a folded word, so that "5’000" meets "5'000" and "ג׳ירפה" meets "ג'ירפה". (U+FF07 is one
 * already, by NFKC.) */
static bool apostrophe_spelling(uint32_t cp)
{
    return cp == 0x2018 || cp == 0x2019 || cp == 0x02bc || cp == 0x05f3;
}

/* d (len bytes) without the characters spelling ignores, and with its apostrophes as U+0027
 * when fold_apostrophes, in place (each is shorter); returns the new length. */
static size_t drop_ignored(uint8_t *d, size_t len, bool fold_apostrophes)
{
    size_t w = 0;
    for (size_t i = 0; i < len;) {
        size_t k;
        uint32_t cp = ucd_decode(d + i, d + len, &k);
        if (fold_apostrophes && apostrophe_spelling(cp)) {
            d[w++] = '\'';
        } else if (!spelling_ignores(cp)) {
            memmove(d + w, d + i, k);
            w += k;
        }
        i += k;
    }
    return w;
}

/* The slow path: libunistring's normalization and case folding, then the marks. */
static void fold_slow(int flags, const uint8_t *s, size_t n, Strbuf *out)
{
    size_t len = 0;
    uint8_t *d;
    if (flags & TOKEN_FOLD_CASE)
        d = u8_casefold(s, n, NULL, (flags & TOKEN_FOLD_MARKS) ? UNINORM_NFKD : UNINORM_NFKC, NULL,
                        &len);
    else
        d = u8_normalize((flags & TOKEN_FOLD_MARKS) ? UNINORM_NFKD : UNINORM_NFC, s, n, NULL, &len);
    if (!d) { /* out of memory inside libunistring: match on the bytes as they are */
        strbuf_add(out, s, n);
        return;
    }
    len = drop_ignored(d, len, flags != 0); /* exact (no folding): the apostrophe as written */
    if (!(flags & TOKEN_FOLD_MARKS)) {
        strbuf_add(out, d, len);
        free(d);
        return;
    }
    Strbuf bare = STRBUF_INIT;
    uint32_t base = 0;
    for (size_t i = 0; i < len;) {
        size_t k;
        uint32_t cp = ucd_decode(d + i, d + len, &k);
        bool mark = uc_is_general_category(cp, UC_CATEGORY_Mn);
        if (!mark) base = cp;
        if (!mark || !accents_fold(base) || mark_makes_a_letter(base, cp))
            strbuf_add(&bare, d + i, k);
        i += k;
    }
    free(d);
    size_t clen = 0;
    uint8_t *c = u8_normalize(UNINORM_NFC, (const uint8_t *)bare.buf, bare.len, NULL, &clen);
    if (c) {
        strbuf_add(out, c, clen);
        free(c);
    } else {
        strbuf_add(out, bare.buf, bare.len);
    }
    strbuf_release(&bare);
}

static uint64_t hash_bytes(const uint8_t *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ull;
    return h | 1; /* never 0, the empty mark */
}

static void cache_grow(TokenFolder *f)
{
    size_t cap = f->cap * 2;
    CacheEntry *t = xcalloc(cap, sizeof *t);
    for (size_t i = 0; i < f->cap; i++) {
        if (!f->table[i].hash) continue;
        size_t j = f->table[i].hash & (cap - 1);
        while (t[j].hash)
            j = (j + 1) & (cap - 1);
        t[j] = f->table[i];
    }
    free(f->table);
    f->table = t;
    f->cap = cap;
}

const char *token_fold(TokenFolder *f, const uint8_t *s, size_t n, size_t *len)
{
    size_t i = 0;
    while (i < n && s[i] < 0x80)
        i++;
    if (i == n) { /* ASCII: NFKC leaves it alone, case folding is tolower */
        f->out.len = 0;
        strbuf_grow(&f->out, n + 1);
        for (size_t k = 0; k < n; k++) {
            uint8_t c = s[k];
            f->out.buf[k] =
                (char)((f->flags & TOKEN_FOLD_CASE) && c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        f->out.len = n;
        f->out.buf[n] = 0;
        *len = n;
        return f->out.buf;
    }
    if (!f->table) {
        f->cap = 1024;
        f->table = xcalloc(f->cap, sizeof *f->table);
    }
    uint64_t h = hash_bytes(s, n);
    size_t j = h & (f->cap - 1);
    for (; f->table[j].hash; j = (j + 1) & (f->cap - 1)) {
        CacheEntry *e = &f->table[j];
        if (e->hash == h && e->key_len == n && !memcmp(f->arena.buf + e->key_off, s, n)) {
            *len = e->val_len;
            return f->arena.buf + e->val_off;
        }
    }
    if (f->used >= CACHE_MAX_WORDS || f->arena.len > (UINT32_MAX >> 1)) {
        memset(f->table, 0, f->cap * sizeof *f->table);
        f->used = 0;
        f->arena.len = 0;
        j = h & (f->cap - 1);
    }
    CacheEntry e = {h, (uint32_t)f->arena.len, (uint32_t)n, 0, 0};
    strbuf_add(&f->arena, s, n);
    e.val_off = (uint32_t)f->arena.len;
    fold_slow(f->flags, s, n, &f->arena);
    e.val_len = (uint32_t)(f->arena.len - e.val_off);
    strbuf_addch(&f->arena, 0);
    f->table[j] = e;
    if (++f->used * 2 > f->cap) cache_grow(f);
    *len = e.val_len;
    return f->arena.buf + e.val_off;
}

static bool is_word_char(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    return uc_is_alnum(cp);
}

/* A combining code point: it belongs to the character before it. */
static bool joins_previous(uint32_t cp)
{
    unsigned gb = UCD_GCB(ucd_props(cp));
    return gb == GB_EXTEND || gb == GB_SPACINGMARK || gb == GB_ZWJ;
}

/* The word-break classes of ASCII (UAX #29, WordBreakProperty.txt): ALetter, Numeric,
 * ExtendNumLet ('_'), MidLetter (':'), MidNumLet ('.'), MidNum (',' ';'), and the apostrophe
 * ('\'') as MidNum: it joins digits ("1'000") but, unlike UAX #29, not letters (split_apostrophes);
 * everything else here (spaces, line ends, punctuation) only ever breaks, as far as words are
 * concerned. */
enum { A_OTHER, A_LETTER, A_DIGIT, A_EXTEND, A_MIDLETTER, A_MIDNUMLET, A_MIDNUM };

static const uint8_t ascii_class[128] = {
    ['0'] = A_DIGIT,     ['1'] = A_DIGIT,   ['2'] = A_DIGIT,  ['3'] = A_DIGIT,
    ['4'] = A_DIGIT,     ['5'] = A_DIGIT,   ['6'] = A_DIGIT,  ['7'] = A_DIGIT,
    ['8'] = A_DIGIT,     ['9'] = A_DIGIT,   ['_'] = A_EXTEND, [':'] = A_MIDLETTER,
    ['.'] = A_MIDNUMLET, ['\''] = A_MIDNUM, [','] = A_MIDNUM, [';'] = A_MIDNUM,
};

static int aclass(uint8_t c)
{
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return A_LETTER;
    return ascii_class[c];
}

/* Words of pure ASCII text: the UAX #29 rules that can apply to ASCII (WB5-WB13b), exactly;
 * WB3-WB4 and WB999 only ever break where no word is. The unit tests hold it to u8_wordbreaks. */
static void ascii_words(const uint8_t *s, size_t n, TokenFn fn, void *ctx)
{
    size_t i = 0;
    while (i < n) {
        int c = aclass(s[i]);
        if (c != A_LETTER && c != A_DIGIT && c != A_EXTEND) {
            i++;
            continue;
        }
        size_t a = i;
        bool word = c != A_EXTEND;
        int prev = c;
        i++;
        while (i < n) {
            int cur = aclass(s[i]);
            if (cur == A_LETTER || cur == A_DIGIT || cur == A_EXTEND) { /* WB5, 8-10, 13a-b */
                word |= cur != A_EXTEND;
                prev = cur;
                i++;
                continue;
            }
            int next = i + 1 < n ? aclass(s[i + 1]) : A_OTHER;
            if ((prev == A_LETTER && next == A_LETTER &&
                 (cur == A_MIDLETTER || cur == A_MIDNUMLET)) || /* WB6, WB7 */
                (prev == A_DIGIT && next == A_DIGIT &&
                 (cur == A_MIDNUM || cur == A_MIDNUMLET))) { /* WB11, WB12 */
                prev = next;
                i += 2;
                continue;
            }
            break;
        }
        if (word) fn(ctx, a, i);
    }
}

bool token_ascii(const uint8_t *s, size_t n)
{
    size_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= s[i];
    return !(acc & 0x8080808080808080ull);
}

void token_each(const uint8_t *s, size_t n, Strbuf *scratch, TokenFn fn, void *ctx)
{
    if (n == 0) return;
    if (token_ascii(s, n)) {
        ascii_words(s, n, fn, ctx);
        return;
    }
    token_each_unicode(s, n, scratch, fn, ctx);
}

size_t token_apostrophe_len(const uint8_t *s, const uint8_t *end)
{
    if (s >= end) return 0;
    if (*s == '\'') return 1;
    if (end - s >= 2 && s[0] == 0xca && s[1] == 0xbc) return 2; /* U+02BC, a letter to UAX #29 */
    if (end - s < 3) return 0;
    if (s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0x98 || s[2] == 0x99)) return 3;
    return s[0] == 0xef && s[1] == 0xbc && s[2] == 0x87 ? 3 : 0;
}

/* Hebrew_Letter (WordBreakProperty.txt): an apostrophe after one is a geresh ("ג'ירפה"). */
static bool hebrew_letter(uint32_t cp)
{
    return (cp >= 0x05d0 && cp <= 0x05f2) || (cp >= 0xfb1d && cp <= 0xfb4f);
}

static bool holds_word_char(const uint8_t *s, size_t a, size_t b)
{
    for (size_t i = a; i < b;) {
        size_t k = 1;
        uint32_t cp = s[i] < 0x80 ? s[i] : ucd_decode(s + i, s + b, &k);
        if (is_word_char(cp)) return true;
        i += k;
    }
    return false;
}

/* The word [a, b) as tokens split at its apostrophes: "country's" is "country" and "s",
 * "l'homme" "l" and "homme", as FTS5's unicode61 and rg -w see them, so that a word is found
 * with its possessive or its elided article (UAX #29 makes one word of each; a phrase query
 * spells it back). Kept whole: an apostrophe between digits ("1'000"), one after a Hebrew
 * letter (a geresh) and one before a mark. */
static void split_apostrophes(const uint8_t *s, size_t a, size_t b, TokenFn fn, void *ctx)
{
    size_t start = a;
    uint32_t prev = 0; /* the last code point before i that is neither a mark nor ignored */
    for (size_t i = a; i < b;) {
        size_t k = 1;
        uint32_t cp = s[i] < 0x80 ? s[i] : ucd_decode(s + i, s + b, &k);
        size_t q = token_apostrophe_len(s + i, s + b);
        if (q && !hebrew_letter(prev)) {
            /* what follows it, past what spelling ignores (a soft hyphen: WB4 passes it too) */
            size_t after = i + q, kn;
            uint32_t next = 0;
            while (after < b && spelling_ignores(next = ucd_decode(s + after, s + b, &kn)))
                after += kn;
            /* at the word's edge (U+02BC, which UAX #29 counts a letter): not the word's; inside
             * it, a split but before a mark (WB4: the apostrophe's) or between digits */
            bool edge = i == start || after == b;
            if (edge || (is_word_char(next) && !(uc_is_digit(prev) && uc_is_digit(next)))) {
                if (i > start && holds_word_char(s, start, i)) fn(ctx, start, i);
                start = i = i + q;
                prev = 0;
                continue;
            }
        }
        if (!joins_previous(cp) && !spelling_ignores(cp)) prev = cp;
        i += k;
    }
    if (holds_word_char(s, start, b)) fn(ctx, start, b);
}

/* Whether [a, b) may hold an apostrophe: a byte one of them starts with (most words hold none,
 * and split_apostrophes decodes every code point: 7% of indexing Russian). */
static bool may_hold_apostrophe(const uint8_t *s, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (s[i] == '\'' || s[i] == 0xca || s[i] == 0xe2 || s[i] == 0xef) return true;
    return false;
}

void token_each_unicode(const uint8_t *s, size_t n, Strbuf *scratch, TokenFn fn, void *ctx)
{
    if (n == 0) return;
    strbuf_grow(scratch, n);
    char *brk = scratch->buf;
    u8_wordbreaks(s, n, brk);
    size_t a = 0;
    while (a < n) {
        size_t b = a + 1;
        while (b < n && !brk[b])
            b++;
        /* the segment [a, b): a word if it holds a letter or digit. A mark counts as its base
         * does, as in UAX #29 (WB4): spaces, a control or punctuation carrying an alphabetic
         * mark (U+0345, a Devanagari vowel sign) make no word (a query cannot spell the spaces
         * or the NUL of one). */
        bool word = false, unspaced = false;
        for (size_t i = a; i < b;) {
            size_t k;
            uint32_t cp = s[i] < 0x80 ? s[i] : ucd_decode(s + i, s + b, &k);
            if (s[i] < 0x80) k = 1;
            if (i == a || !joins_previous(cp)) word |= is_word_char(cp);
            unspaced |= token_unspaced(cp);
            i += k;
        }
        if (word && !unspaced) {
            if (may_hold_apostrophe(s, a, b))
                split_apostrophes(s, a, b, fn, ctx);
            else
                fn(ctx, a, b);
        } else if (word) { /* a token per character, with its marks */
            size_t i = a;
            while (i < b) {
                size_t k, start = i;
                uint32_t cp = ucd_decode(s + i, s + b, &k);
                i += k;
                while (i < b) {
                    size_t k2;
                    uint32_t next = ucd_decode(s + i, s + b, &k2);
                    if (!joins_previous(next)) break;
                    i += k2;
                }
                if (is_word_char(cp)) fn(ctx, start, i);
            }
        }
        a = b;
    }
}
