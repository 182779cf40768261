/* text.c: decoding untrusted bytes into a story.
 *
 * Data model. `src` is the file as read; `bytes` the clean UTF-8 the rest of lector sees. The two
 * differ only where the decoder replaced or dropped something, so the map between them is
 * checkpoints: for each 1 KiB block of `bytes`, the clean and source offsets of the first code
 * point starting in it. Mapping an offset back re-runs the decoder from the checkpoint, at most
 * ~1 KiB of work, for ~1.5% memory. The decoder is a single step function (decode_step) used both
 * for the whole load and for that replay, so the two cannot disagree.
 */
#define _GNU_SOURCE /* memfd_create */
#include "lector/text.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <unicase.h>

#include "lector/atomicfile.h"
#include "lector/bookcache.h"
#include "lector/chapter.h"
#include "lector/grapheme.h"
#include "lector/hash.h"
#include "lector/import.h"
#include "lector/layout.h"
#include "lector/mapfile.h"
#include "lector/strbuf.h"
#include "lector/token.h"
#include "lector/ucd.h"
#include "lector/xalloc.h"

enum {
    CHECKPOINT_SHIFT = 10,
    /* A paragraph longer than this is cut into pieces (see text.h): laying one out stays cheap
     * however the story is written, one line of 100 MB included. */
    PIECE_MAX = 64 << 10,
    /* A grapheme cluster longer than this is cut (at a code point) into pieces: 16 pieces. Laying
     * out one such cluster holds several copies of it (the piece, its line, the output), so this
     * bounds `lector wrap`'s memory on a hostile stream: at 4 MiB it peaked at 16 MiB. */
    CLUSTER_MAX = 1 << 20,
    /* text_open reads files up to this size at once; larger ones in steps. */
    LAZY_MIN_BYTES = 1 << 20,
    FIRST_STEP_BYTES = 256 << 10,
    STEP_BYTES = 4 << 20,
    ALL_STEP_BYTES = 16 << 20, /* text_load_all of a mapped file: released a step at a time */
};

typedef struct {
    size_t clean_off, src_off;
} Checkpoint;

/* How load_fd makes a story of what it read: a book imported (or from the book cache) whole,
 * its cached text in steps (text_open's way), or the bytes as they are. */
typedef enum { LOAD_WHOLE, LOAD_LAZY, LOAD_RAW } LoadMode;

typedef struct {
    size_t start, end;
    bool joined; /* a piece that continues the paragraph before it */
} Para;

struct Text {
    MapFile *map; /* owned: the file, mapped (text_open); src or bytes point into it */
    uint8_t *src; /* the bytes as read; owned unless in map; NULL when bytes are they (but a BOM) */
    size_t src_len;
    size_t src_start; /* 3 when a BOM was dropped */
    uint8_t *store;   /* owned; bytes points into it */
    uint8_t *bytes;   /* clean UTF-8 */
    size_t len;       /* while loading: the part known to be clean */
    Para *paras;      /* owned */
    size_t npara, para_cap;
    Checkpoint *checkpoints; /* one per 1 KiB block of bytes; owned */
    size_t ncheckpoints;
    char *title; /* owned */
    int title_is_first_line;
    bool title_is_name; /* made from the file's name: not the book's, so not cached */
    TextEncoding encoding;
    size_t replacements;
    size_t crlf_ends, cr_ends; /* line ends read as LF: CR LF pairs, CRs alone */
    char *notice;              /* owned, may be NULL */
    size_t words;              /* SIZE_MAX until text_word_count counts them */

    /* The paragraph splitter, resumable: text_open feeds it the story in steps. */
    size_t split_pos;   /* next byte to scan */
    size_t line_start;  /* start of the line being scanned */
    bool line_blank;    /* that line holds only spaces and tabs so far */
    bool blank_run;     /* and more than PIECE_MAX of them: they belong to no paragraph */
    bool open;          /* a paragraph (or piece) is open */
    bool piece_joined;  /* it continues the one before */
    size_t piece_start; /* its first byte */
    size_t piece_end;   /* the end of its last complete line */
    size_t cut_wait;    /* a long cluster at the piece's start is undecided: look again when
                           this many bytes from piece_start are loaded (0: look now) */

    /* Loading in steps (text_open); complete is set for every other way in. */
    bool complete;
    int fd; /* open while loading; owned */
    size_t file_size, nread;
    bool prefix_high; /* the clean prefix shown so far has bytes >= 0x80 */
    bool binary;      /* looks_binary on the first bytes */
    int read_errno;   /* a read that failed part way */
    bool shrank;      /* the file was found shorter than when it was opened */
    size_t copy_max;  /* the most of a mapped file that is cleaned into memory */
    bool copy_cut;    /* the story ends there: the rest needed cleaning too */
    char *name;       /* for the title; owned */

    /* A mapped file found to need cleaning is cleaned a step at a time into a scratch file of
     * three times its size (sparse: clean text is at most 3 bytes per source byte), mapped
     * read-only; bytes then point into that mapping. Memory holds a piece being cleaned, not
     * the story. Without a scratch file, load_rest_cleaned cleans into memory as before. */
    char *scratch_dir; /* where (atomicfile.h: atomic_scratch_open); owned, may be NULL */
    uint8_t *out_map;  /* the scratch file's mapping, NULL when not cleaning that way */
    size_t out_cap;    /* its size */
    int out_fd;        /* the scratch file, open while loading (owned) */
    size_t out_len;    /* clean bytes written to it */
    size_t clean_pos;  /* the next source byte to clean */
    size_t cp_cap;     /* room in checkpoints */
    Strbuf piece;      /* a piece of clean bytes on its way to the scratch file */
    int out_errno;     /* a write to it failed: the story ends where the writes did */

    /* The book's structure: from its importer (import.h), or headings found in plain text as
     * its paragraphs are listed (chapter.h; push_para). */
    Chapter *chapters; /* owned, with their titles; offsets ascending */
    size_t nchapters, chap_cap;
    int chap_min_level;      /* the top level found: text_chapter counts levels from it */
    bool chapters_given;     /* the importer named them: none are looked for */
    bool no_chapters;        /* a stream: its paragraphs pass through, none is kept */
    size_t bare_para;        /* 1 + the paragraph of a bare heading ("CHAPTER I."), else 0 */
    char *author, *language; /* owned, NULL when unknown */
    char *import_notice;     /* owned: what the importer said, before the notice's own words */
    uint64_t source_key;     /* a book's BookKey.content (bookcache.h); 0 for any other story */
    ImportFormat format;
    const char *compression; /* static, NULL when none */
    bool imported;           /* the text is not the file's bytes (a book, compressed) */
    bool plain_file;         /* text_is_plain_file */
    bool clean_throughout;   /* the caller knows the whole file clean as read (see text.h) */
    bool hold_loaded;        /* loading keeps what it loads; the caller releases (text.h) */
};

/* Windows-1251, 0x80..0xBF (0xC0..0xFF are U+0410..U+044F); 0x98 is unassigned. */
static const uint16_t cp1251_high[64] = {
    0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021, 0x20AC, 0x2030, 0x0409,
    0x2039, 0x040A, 0x040C, 0x040B, 0x040F, 0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0xFFFD, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F, 0x00A0,
    0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7, 0x0401, 0x00A9, 0x0404, 0x00AB,
    0x00AC, 0x00AD, 0x00AE, 0x0407, 0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6,
    0x00B7, 0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457,
};

/* Length of the well-formed UTF-8 sequence at s, or, when ill-formed, minus the length of its
 * maximal subpart (at least 1). Table 3-7 of the Unicode Standard. */
static int utf8_sequence(const uint8_t *s, size_t avail)
{
    uint8_t c = s[0];
    int need;
    uint8_t lo = 0x80, hi = 0xbf;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else {
        return -1;
    }
    int i = 1;
    for (; i < need; i++) {
        if ((size_t)i >= avail) return -i;
        uint8_t b = s[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return -i;
    }
    return need;
}

/* The end of the valid UTF-8 from i (stopping at a CR too when stop_at_cr), before n: ASCII 64
 * bytes at a time with SSE2 (else 32); ASCII mixed with two-byte sequences (Cyrillic, Greek,
 * Arabic...) 16 bytes at a time with SSE2, else 8; three-byte ones (CJK) two at a time. *high is
 * set when the run has a byte >= 0x80. A sequence cut by n ends the run as an invalid one would. */
static inline size_t utf8_run(const uint8_t *s, size_t i, size_t n, bool stop_at_cr, bool *high)
{
    while (i < n) {
#if defined(__SSE2__)
        /* ASCII, 64 bytes at a time (what most stories are most of): four loads, one test of
         * their top bits and, when it stops there, one of CRs among them */
        while (i + 64 <= n) {
            const __m128i *p = (const __m128i *)(const void *)(s + i);
            __m128i v0 = _mm_loadu_si128(p), v1 = _mm_loadu_si128(p + 1),
                    v2 = _mm_loadu_si128(p + 2), v3 = _mm_loadu_si128(p + 3);
            __m128i any = _mm_or_si128(_mm_or_si128(v0, v1), _mm_or_si128(v2, v3));
            if (_mm_movemask_epi8(any)) break;
            if (stop_at_cr) {
                const __m128i cr = _mm_set1_epi8(0x0d);
                __m128i is_cr =
                    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v0, cr), _mm_cmpeq_epi8(v1, cr)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v2, cr), _mm_cmpeq_epi8(v3, cr)));
                if (_mm_movemask_epi8(is_cr)) break;
            }
            i += 64;
        }
#endif
        /* ASCII, 32 bytes at a time */
        while (i + 32 <= n && s[i] < 0x80) {
            /* four words, each loaded on its own: copied as one array, they went through the
             * stack, and the loads that read them back waited on its stores */
            uint64_t w0, w1, w2, w3;
            memcpy(&w0, s + i, 8);
            memcpy(&w1, s + i + 8, 8);
            memcpy(&w2, s + i + 16, 8);
            memcpy(&w3, s + i + 24, 8);
            if ((w0 | w1 | w2 | w3) & 0x8080808080808080ull) break;
            if (stop_at_cr) {
                const uint64_t one = 0x0101010101010101ull, top = 0x8080808080808080ull,
                               crs = 0x0d0d0d0d0d0d0d0dull;
                uint64_t x0 = w0 ^ crs, x1 = w1 ^ crs, x2 = w2 ^ crs, x3 = w3 ^ crs;
                if ((((x0 - one) & ~x0) | ((x1 - one) & ~x1) | ((x2 - one) & ~x2) |
                     ((x3 - one) & ~x3)) &
                    top)
                    break;
            }
            i += 32;
        }
        if (i >= n) break;
#if defined(__SSE2__)
        /* As the word test below, 16 bytes at a time (SSE2 is in every x86-64): a mask bit per
         * byte, from its top bits (bit 6 and 5 shifted up by adding the bytes to themselves) */
        if (i + 16 <= n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            unsigned hi = (unsigned)_mm_movemask_epi8(v);
            unsigned cr = stop_at_cr
                              ? (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x0d)))
                              : 0;
            if (!hi && !cr) {
                i += 16;
                continue;
            }
            __m128i v1 = _mm_add_epi8(v, v);
            unsigned b6 = (unsigned)_mm_movemask_epi8(v1);
            unsigned b5 = (unsigned)_mm_movemask_epi8(_mm_add_epi8(v1, v1));
            unsigned c0c1 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
                _mm_and_si128(v, _mm_set1_epi8((char)0xfe)), _mm_set1_epi8((char)0xc0)));
            unsigned cont = hi & ~b6;
            unsigned lead = hi & b6 & ~b5 & ~c0c1 & (cont >> 1);
            unsigned bad = ~((~hi & ~cr) | lead | (cont & (lead << 1))) & 0xffffu;
            size_t take = bad ? (size_t)__builtin_ctz(bad) : 16;
            if (take) {
                if (hi & ((1u << take) - 1)) *high = true; /* only set: callers may pass it unset */
                i += take;
                continue;
            }
        }
#endif
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            /* no high bit (and no CR, 0x0d, when it stops there) in any of the 8 bytes */
            uint64_t cr = w ^ 0x0d0d0d0d0d0d0d0dull;
            uint64_t is_cr =
                stop_at_cr ? (cr - 0x0101010101010101ull) & ~cr & 0x8080808080808080ull : 0;
            if (!(w & 0x8080808080808080ull) && !is_cr) {
                i += 8;
                continue;
            }
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* ASCII and two-byte sequences (110xxxxx 10xxxxxx, the lead not C0 or C1: Latin,
             * Greek, Cyrillic, Hebrew, Arabic) mixed: the bytes before the first that is not
             * ASCII (nor a CR), a lead whose continuation byte follows in the word, or a
             * continuation byte after such a lead. (A CR's test may mark a byte after a CR too:
             * only the first mark counts, and the first is a CR.) */
            const uint64_t H = 0x8080808080808080ull;
            uint64_t b6 = (w << 1) & H, b5 = (w << 2) & H, hi = w & H;
            uint64_t cont = hi & ~b6;
            uint64_t not_c0_c1 = ((w & 0x1e1e1e1e1e1e1e1eull) + 0x7e7e7e7e7e7e7e7eull) & H;
            uint64_t lead = hi & b6 & ~b5 & not_c0_c1 & (cont >> 8);
            uint64_t good = (~hi & H & ~is_cr) | lead | (cont & (lead << 8));
            uint64_t bad = ~good & H;
            size_t take = bad ? (size_t)__builtin_ctzll(bad) >> 3 : 8;
            if (take) {
                if (take == 8 ? hi : hi & ((1ull << (8 * take)) - 1))
                    *high = true; /* only set: callers may pass it unset */
                i += take;
                continue;
            }
#endif
        }
        uint8_t c = s[i];
        if (c < 0x80) {
            if (c == '\r' && stop_at_cr) break;
            i++;
            continue;
        }
        /* A run of sequences, one after another up to the next ASCII byte, without the word
         * tests above: a line of Chinese is hundreds of three-byte sequences in a row. */
        size_t run = i;
        while (i < n && (c = s[i]) >= 0x80) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            if (i + 8 <= n) { /* two three-byte sequences at once (leads E1..EF but ED) */
                uint64_t w;
                memcpy(&w, s + i, 8);
                unsigned l0 = (unsigned)w & 0x0f, l1 = (unsigned)(w >> 24) & 0x0f;
                if ((w & 0x0000c0c0f0c0c0f0ull) == 0x00008080e08080e0ull && l0 && l0 != 0x0d &&
                    l1 && l1 != 0x0d) {
                    i += 6;
                    continue;
                }
            }
#endif
            /* three bytes, but for E0 and ED (their second byte has a narrower range): CJK */
            if (c >= 0xe1 && c <= 0xef && c != 0xed && i + 2 < n && (s[i + 1] & 0xc0) == 0x80 &&
                (s[i + 2] & 0xc0) == 0x80) {
                i += 3;
            } else if (c >= 0xc2 && c <= 0xdf && i + 1 < n && (s[i + 1] & 0xc0) == 0x80) {
                i += 2;
            } else {
                int k = utf8_sequence(s + i, n - i);
                if (k < 0) break;
                i += (size_t)k;
            }
        }
        if (i > run) *high = true;        /* only what went out counts (callers act on it) */
        if (i < n && s[i] >= 0x80) break; /* a sequence that is not one */
    }
    return i;
}

/* One decoding step at src[i]: the code point to emit (or -1 for none) and bytes consumed. */
static long decode_step(const uint8_t *src, size_t n, size_t i, TextEncoding enc, size_t *used)
{
    uint8_t c = src[i];
    if (c == '\r') {
        *used = (i + 1 < n && src[i + 1] == '\n') ? 2 : 1;
        return '\n';
    }
    if (c < 0x80) {
        *used = 1;
        return c;
    }
    if (enc == TEXT_CP1251) {
        *used = 1;
        return c >= 0xc0 ? 0x0410 + (c - 0xc0) : cp1251_high[c - 0x80];
    }
    if (enc == TEXT_LATIN1) {
        *used = 1;
        return c;
    }
    int k = utf8_sequence(src + i, n - i);
    if (k < 0) {
        *used = (size_t)-k;
        return 0xfffd;
    }
    *used = (size_t)k;
    size_t len;
    return ucd_decode(src + i, src + i + k, &len);
}

/* What detect_encoding counts, gathered a chunk at a time (text_stream reads a file once). */
typedef struct {
    size_t multibyte, invalid, high, in_long_runs, c1, letters;
    size_t run; /* the run of high bytes the input so far ends in */
} EncodingStats;

/* Counts s[0, n) into st. Returns the bytes taken: all of them when final, else all but a
 * sequence cut by the chunk's end, which the caller gives again with the next chunk. */
static size_t encoding_stats_feed(EncodingStats *st, const uint8_t *s, size_t n, bool final)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            if (st->run >= 3) st->in_long_runs += st->run;
            st->run = 0;
            i++;
            continue;
        }
        int k = utf8_sequence(s + i, n - i);
        if (!final && k == -(int)(n - i)) break;
        size_t step = k > 1 ? (size_t)k : 1;
        if (k > 1)
            st->multibyte++;
        else
            st->invalid++;
        for (size_t j = i; j < i + step; j++) {
            if (s[j] < 0xa0) st->c1++;
            if (s[j] >= 0xc0) st->letters++; /* А..я in Windows-1251, À..ÿ in Latin-1 */
        }
        st->high += step;
        st->run += step;
        i += step;
    }
    if (final) {
        if (st->run >= 3) st->in_long_runs += st->run;
        st->run = 0;
    }
    return i;
}

/* Chooses the encoding. UTF-8 unless the file is clearly not UTF-8 (invalid sequences, and valid
 * multi-byte ones too few to be more than chance: a Windows-1251 "СЁ" is also valid UTF-8) and
 * its high bytes read clearly as one legacy encoding: Cyrillic in Windows-1251 comes in words,
 * runs of three or more high bytes; Latin-1 as lone accented letters (or two, as in "Größe")
 * between ASCII ones, and never uses 0x80..0x9F. Both have their letters at 0xC0..0xFF, where
 * broken UTF-8 has mostly continuation bytes. Anything in between: no guess (U+FFFD). */
static TextEncoding encoding_choose(const EncodingStats *st)
{
    if (st->invalid == 0 || st->multibyte * 20 > st->invalid) return TEXT_UTF8;
    if (st->high < 3 || st->letters * 10 < st->high * 8) return TEXT_UTF8;
    if (st->in_long_runs * 2 >= st->high) return TEXT_CP1251;
    if (st->c1 == 0 && st->in_long_runs * 10 <= st->high) return TEXT_LATIN1;
    return TEXT_UTF8;
}

static TextEncoding detect_encoding(const uint8_t *s, size_t n)
{
    bool high = false;
    if (utf8_run(s, 0, n, false, &high) == n) return TEXT_UTF8; /* no invalid byte: the usual */
    EncodingStats st = {0};
    encoding_stats_feed(&st, s, n, true);
    return encoding_choose(&st);
}

/* A plain text's chapters: a short paragraph that reads as a heading (chapter.h), and the
 * line after a bare one ("CHAPTER I." then "Down the Rabbit-Hole") as its title. */
enum { CHAPTERS_MAX = 100000 }; /* a story of a million numbered lines is not a book of chapters */

static void add_chapter(Text *t, char *title, int level, size_t offset)
{
    if (t->nchapters == t->chap_cap) {
        t->chap_cap = t->chap_cap ? t->chap_cap * 2 : 16;
        t->chapters = xreallocarray(t->chapters, t->chap_cap, sizeof *t->chapters);
    }
    if (!t->nchapters || level < t->chap_min_level) t->chap_min_level = level;
    t->chapters[t->nchapters++] = (Chapter){title, level, offset};
}

static void find_heading(Text *t, size_t start, size_t end, bool joined)
{
    size_t bare = t->bare_para;
    t->bare_para = 0;
    if (joined || end - start > CHAPTER_HEADING_MAX || t->nchapters >= CHAPTERS_MAX) return;
    int level;
    bool is_bare;
    char *title = chapter_heading(t->bytes + start, end - start, &level, &is_bare);
    if (title) {
        add_chapter(t, title, level, start);
        if (is_bare) t->bare_para = t->npara; /* this paragraph's number + 1 */
        return;
    }
    if (bare && bare + 1 == t->npara) { /* the paragraph right after a bare heading */
        Chapter *c = &t->chapters[t->nchapters - 1];
        char *joined_title = chapter_subtitle(c->title, t->bytes + start, end - start);
        if (joined_title) {
            free(c->title);
            c->title = joined_title;
        }
    }
}

static void push_para(Text *t, size_t start, size_t end, bool joined)
{
    if (t->npara == t->para_cap) {
        t->para_cap = t->para_cap ? t->para_cap * 2 : 16;
        t->paras = xreallocarray(t->paras, t->para_cap, sizeof *t->paras);
    }
    t->paras[t->npara++] = (Para){start, end, joined};
    if (!t->chapters_given && !t->no_chapters) find_heading(t, start, end, joined);
}

/* Where to end a piece of an over-long line that starts at from: after the last space before
 * limit that does not start a cluster (a combining mark may follow a space), else at the last
 * cluster boundary at or before limit, else after the one cluster longer than a piece that
 * starts there (a letter under a million marks stays one cluster), or, when that cluster is
 * longer than CLUSTER_MAX, at a code point boundary CLUSTER_MAX into it. The bytes up to avail
 * (> limit) are loaded; beyond, unknown unless final. 0: not decidable yet (a long cluster still
 * being read). A cluster is never looked at past CLUSTER_MAX + 1 bytes, so that reading one in
 * steps costs each step a bounded look. */
static size_t find_cut(const uint8_t *s, size_t from, size_t limit, size_t avail, bool final)
{
    for (size_t k = limit; k > from + PIECE_MAX / 2; k--) {
        if (s[k - 1] != ' ') continue;
        size_t n;
        uint32_t next = ucd_decode(s + k, s + avail, &n);
        unsigned gb = UCD_GCB(ucd_props(next));
        if (gb != GB_EXTEND && gb != GB_ZWJ && gb != GB_SPACINGMARK) return k;
    }
    size_t at = from;
    for (;;) {
        size_t room = avail - at < (size_t)CLUSTER_MAX + 1 ? avail - at : (size_t)CLUSTER_MAX + 1;
        size_t n = grapheme_next(s + at, room);
        if (at + n > limit) {
            if (at > from) return at;
            if (n > CLUSTER_MAX) { /* hostile: cut inside the cluster, at a code point */
                size_t k = at + CLUSTER_MAX;
                while (k > at && (s[k] & 0xc0) == 0x80)
                    k--;
                return k;
            }
            return at + n < avail || final ? at + n : 0;
        }
        at += n;
    }
}

/* Ends pieces of the open paragraph while it is longer than PIECE_MAX with its current line
 * ending at end (avail bytes loaded, final: no more will come). Between lines when the
 * paragraph has earlier lines, else inside the line (find_cut). */
static void cut_pieces(Text *t, size_t end, size_t avail, bool final)
{
    while (t->open && end - t->piece_start > PIECE_MAX) {
        size_t cut;
        if (t->piece_start < t->line_start) {
            push_para(t, t->piece_start, t->piece_end, t->piece_joined);
            cut = t->line_start;
        } else {
            /* a long cluster still arriving is looked at again only once twice as much of its
             * line is loaded (or the line's end), so that reading it in small steps costs linear
             * time, not quadratic */
            if (!final && end == avail && avail - t->piece_start < t->cut_wait) return;
            cut = find_cut(t->bytes, t->piece_start, t->piece_start + PIECE_MAX, avail, final);
            if (!cut) t->cut_wait = 2 * (avail - t->piece_start);
            if (!cut || cut >= end) return;
            push_para(t, t->piece_start, cut, t->piece_joined);
        }
        t->piece_start = cut;
        t->piece_joined = true;
        t->cut_wait = 0;
    }
}

/* The line ends of s[.., end), found 64 bytes at a time and handed out one by one: memchr per
 * line cost a call and its setup for each line of ~100 bytes (a third of loading a story). */
typedef struct {
    const uint8_t *s;
    size_t end;
    size_t block;  /* the 64 bytes mask is about start here */
    uint64_t mask; /* their line ends not yet handed out */
} LineEnds;

static void line_ends_init(LineEnds *le, const uint8_t *s, size_t end)
{
    *le = (LineEnds){s, end, SIZE_MAX, 0};
}

/* The first line end at or after from (at or after the last one asked for), or NULL. */
static const uint8_t *line_ends_next(LineEnds *le, size_t from)
{
    for (;;) {
        if (le->block != SIZE_MAX && from < le->block + 64) {
            uint64_t m =
                from > le->block ? le->mask & (~(uint64_t)0 << (from - le->block)) : le->mask;
            if (m) {
                le->mask = m;
                return le->s + le->block + (size_t)__builtin_ctzll(m);
            }
            from = le->block + 64;
        }
        if (from >= le->end) return NULL;
        if (le->end - from < 64) { /* the last bytes: as before */
            le->block = SIZE_MAX;
            return memchr(le->s + from, '\n', le->end - from);
        }
#if defined(__SSE2__)
        const __m128i nl = _mm_set1_epi8('\n');
        const __m128i *p = (const __m128i *)(const void *)(le->s + from);
        uint64_t m0 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p), nl)),
                 m1 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p + 1), nl)),
                 m2 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p + 2), nl)),
                 m3 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p + 3), nl));
        le->mask = m0 | m1 << 16 | m2 << 32 | m3 << 48;
#else
        le->mask = 0;
        for (int k = 0; k < 64; k++)
            le->mask |= (uint64_t)(le->s[from + k] == '\n') << k;
#endif
        le->block = from;
    }
}

/* Splits bytes [split_pos, upto) into paragraphs: runs of non-blank lines. A paragraph is
 * added when it ends (a blank line, a piece cut, or the end when final), so the ones listed are
 * final while the rest is still being read. */
static void split_advance(Text *t, size_t upto, bool final)
{
    const uint8_t *s = t->bytes;
    size_t i = t->split_pos;
    LineEnds ends;
    line_ends_init(&ends, s, upto);
    while (i < upto) {
        const uint8_t *nl = line_ends_next(&ends, i);
        size_t seg_end = nl ? (size_t)(nl - s) : upto;
        if (t->line_blank) {
            size_t j = i;
            while (j < seg_end && (s[j] == ' ' || s[j] == '\t'))
                j++;
            /* A line that starts with more than PIECE_MAX blanks (hostile: spaces without end)
             * ends the paragraph before it, and its blanks are in none, so that a window over
             * the story need not keep them. Decided on the count, not on where reads stop. */
            if (t->blank_run || j - t->line_start > PIECE_MAX) {
                if (t->open) {
                    push_para(t, t->piece_start, t->piece_end, t->piece_joined);
                    t->open = false;
                }
                t->blank_run = true;
                t->line_start = j;
            }
            if (j < seg_end) {
                t->line_blank = false;
                if (!t->open) {
                    t->open = true;
                    t->piece_joined = false;
                    t->piece_start = t->piece_end = t->line_start;
                    t->cut_wait = 0;
                }
            }
        }
        if (!t->line_blank) cut_pieces(t, seg_end, upto, final);
        if (!nl) {
            i = seg_end;
            break;
        }
        if (!t->line_blank) {
            t->piece_end = seg_end;
        } else if (t->open) {
            push_para(t, t->piece_start, t->piece_end, t->piece_joined);
            t->open = false;
        }
        t->line_start = i = seg_end + 1;
        t->line_blank = true;
        t->blank_run = false;
    }
    t->split_pos = i;
    if (final && t->open) {
        if (!t->line_blank) t->piece_end = upto;
        push_para(t, t->piece_start, t->piece_end, t->piece_joined);
        t->open = false;
    }
}

/* "ivan-baktybekova.txt" -> "Ivan Baktybekova": base name, no extension (nor the one under a
 * compression's: "cut.txt.gz" -> "Cut"), separators to spaces, each word capitalised. The name's
 * bytes are untrusted too: they go through the decoder. */
static char *title_from_name(const char *name)
{
    if (!name || !*name || !strcmp(name, "-")) return xstrdup("(standard input)");
    const char *base = strrchr(name, '/');
    base = base && base[1] ? base + 1 : name;
    size_t n = strlen(base);
    for (int round = 0; round < 2; round++) {
        const char *dot = memrchr(base, '.', n);
        if (!dot || dot == base) break;
        size_t ext = n - (size_t)(dot - base);
        bool compressed = (ext == 3 && (!memcmp(dot, ".gz", 3) || !memcmp(dot, ".xz", 3))) ||
                          (ext == 4 && (!memcmp(dot, ".bz2", 4) || !memcmp(dot, ".zst", 4)));
        n = (size_t)(dot - base);
        if (!compressed) break;
    }
    Strbuf sb = STRBUF_INIT;
    bool word_start = true;
    for (size_t i = 0; i < n;) {
        size_t used;
        long cp = decode_step((const uint8_t *)base, n, i, TEXT_UTF8, &used);
        i += used;
        if (cp == '-' || cp == '_' || cp == ' ' || cp == '\n') {
            if (sb.len && sb.buf[sb.len - 1] != ' ') strbuf_addch(&sb, ' ');
            word_start = true;
            continue;
        }
        if (word_start) cp = (long)uc_toupper((ucs4_t)cp);
        word_start = false;
        strbuf_add_utf8(&sb, (uint32_t)cp);
    }
    while (sb.len && sb.buf[sb.len - 1] == ' ')
        sb.buf[--sb.len] = 0;
    if (!sb.len) strbuf_addstr(&sb, "(untitled)");
    return strbuf_detach(&sb, NULL);
}

/* The first line is a title when it is short (at most 80 bytes and 12 words), does not end
 * like a sentence (. , ; :), a blank line follows it, and more text follows that. */
static void choose_title(Text *t, const char *name)
{
    /* while loading, the second paragraph may still be open */
    bool more = t->npara >= 2 || (t->npara == 1 && t->open);
    bool next_is_piece = t->npara >= 2 ? t->paras[1].joined : t->open && t->piece_joined;
    if (more && !next_is_piece) {
        Para p = t->paras[0];
        const uint8_t *s = t->bytes + p.start;
        size_t n = p.end - p.start;
        bool one_line = memchr(s, '\n', n) == NULL;
        size_t words = 0;
        for (size_t i = 0; i < n; i++)
            if (s[i] != ' ' && s[i] != '\t' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
                words++;
        /* a sentence is not a title: no full stop, comma, semicolon or colon at its end */
        size_t last = n;
        while (last > 0 && (s[last - 1] == ' ' || s[last - 1] == '\t'))
            last--;
        int sentence = last > 0 && strchr(".,;:", s[last - 1]) != NULL;
        if (one_line && n <= 80 && words <= 12 && !sentence) {
            size_t a = 0, b = n;
            while (a < b && (s[a] == ' ' || s[a] == '\t'))
                a++;
            while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
                b--;
            char *title = xmalloc(b - a + 1);
            memcpy(title, s + a, b - a);
            title[b - a] = 0;
            t->title = title;
            t->title_is_first_line = 1;
            return;
        }
    }
    t->title = title_from_name(name);
    t->title_is_name = true;
}

static bool looks_binary(const uint8_t *s, size_t n)
{
    size_t probe = n < 65536 ? n : 65536, controls = 0, i = 0;
#if defined(__SSE2__)
    /* 16 bytes at a time (a byte at a time was most of building a paragraph's Text for a
     * search's snippet): the control characters counted are those at or below 0x1f that are
     * not one of the five a text may hold */
    for (; probe - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()))) return true;
        __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        __m128i allowed =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                         _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
                                                   _mm_cmpeq_epi8(v, _mm_set1_epi8('\f'))),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8(0x1b))));
        controls +=
            (size_t)__builtin_popcount((unsigned)_mm_movemask_epi8(_mm_andnot_si128(allowed, low)));
    }
#endif
    for (; i < probe; i++) {
        if (s[i] == 0) return true;
        if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f' &&
            s[i] != 0x1b)
            controls++;
    }
    return probe && controls * 10 > probe;
}

static void add_checkpoint(Text *t, size_t *cap, size_t clean_off, size_t src_off)
{
    if (t->ncheckpoints == *cap)
        t->checkpoints = xreallocarray(t->checkpoints, *cap *= 2, sizeof *t->checkpoints);
    t->checkpoints[t->ncheckpoints++] = (Checkpoint){clean_off, src_off};
}

/* The end of the run from i that the loader leaves as it is: valid UTF-8 with no CR. ASCII is
 * skipped 8 bytes at a time. *high is set when the run has a byte >= 0x80. */
static size_t clean_utf8_run(const uint8_t *s, size_t i, size_t n, bool *high)
{
    return utf8_run(s, i, n, true, high);
}

static bool is_clean_utf8(const uint8_t *s, size_t n)
{
    bool high = false;
    return clean_utf8_run(s, 0, n, &high) == n;
}

/* The notice: how the bytes were read, and whether they look like text at all. */
static void set_notice(Text *t)
{
    Strbuf note = STRBUF_INIT;
    /* First, as less says it first: a status line cut short must still say what matters most. */
    if (t->binary) strbuf_addstr(&note, "looks like a binary file");
    if (note.len && (t->encoding != TEXT_UTF8 || t->replacements)) strbuf_addstr(&note, "; ");
    if (t->encoding == TEXT_CP1251)
        strbuf_addstr(&note, "not UTF-8: converted from Windows-1251");
    else if (t->encoding == TEXT_LATIN1)
        strbuf_addstr(&note, "not UTF-8: converted from Latin-1");
    if (t->encoding != TEXT_UTF8 && t->replacements)
        strbuf_addf(&note, " (%zu byte%s with no character there, shown as \xef\xbf\xbd)",
                    t->replacements, t->replacements == 1 ? "" : "s");
    else if (t->replacements)
        strbuf_addf(&note, "not valid UTF-8: %zu invalid sequence%s shown as \xef\xbf\xbd",
                    t->replacements, t->replacements == 1 ? "" : "s");
    if (t->read_errno)
        strbuf_addf(&note, "%sread failed after %zu bytes (%s): the rest is missing",
                    note.len ? "; " : "", t->nread, strerror(t->read_errno));
    if (t->out_errno)
        strbuf_addf(&note,
                    "%sthe story ends after %zu MiB: cleaning it into a scratch file failed (%s)",
                    note.len ? "; " : "", t->out_len >> 20, strerror(t->out_errno));
    if (t->copy_cut)
        strbuf_addf(&note,
                    "%sonly the first %zu MiB shown: the rest needs cleaning, too much to copy",
                    note.len ? "; " : "", t->copy_max >> 20);
    if (text_shrank(t))
        strbuf_addf(
            &note,
            "%sthe file shrank while open: what was cut off reads as NUL bytes (\xe2\x90\x80)",
            note.len ? "; " : "");
    if (t->import_notice) { /* the importer's words first: they say what the book lost */
        Strbuf all = STRBUF_INIT;
        strbuf_addf(&all, "%s%s%s", t->import_notice, note.len ? "; " : "",
                    note.len ? note.buf : "");
        strbuf_release(&note);
        note = all;
    }
    free(t->notice);
    t->notice = note.len ? strbuf_detach(&note, NULL) : NULL;
    strbuf_release(&note);
}

/* Decodes src[i, len) onto out by t's encoding, counting replacements, and keeping the
 * checkpoint map when cp_cap is not NULL. Bytes that stay as they are (ASCII but CR, and in
 * UTF-8 files valid sequences) are copied a run at a time. Returns where it stopped: len when
 * final, else before the last three bytes, which may be a sequence or a CR LF the next chunk
 * completes (the caller gives them again). */
static size_t clean_chunk(Text *t, const uint8_t *src, size_t i, size_t len, bool final,
                          Strbuf *out, size_t *cp_cap, size_t base)
{
    size_t limit = final ? len : len > 3 ? len - 3 : 0;
    while (i < limit) {
        /* Source and clean offsets move together inside a run, so each block it crosses gets
         * its checkpoint at the first code point start. */
        size_t run = i;
        if (t->encoding == TEXT_UTF8) { /* a sequence cut by limit is decoded below */
            bool high;
            run = utf8_run(src, i, limit, true, &high);
        } else {
            while (run < limit && src[run] < 0x80 && src[run] != '\r')
                run++;
        }
        size_t c0 = base + out->len; /* the clean offset, for the checkpoints */
        if (run > i) {
            size_t n = run - i;
            if (cp_cap && (t->ncheckpoints << CHECKPOINT_SHIFT) <= c0)
                add_checkpoint(t, cp_cap, c0, i);
            while (cp_cap && (t->ncheckpoints << CHECKPOINT_SHIFT) < c0 + n) {
                size_t at = (t->ncheckpoints << CHECKPOINT_SHIFT) - c0;
                while (at < n && (src[i + at] & 0xc0) == 0x80)
                    at++;
                if (at == n) break; /* the next code point start comes after this run */
                add_checkpoint(t, cp_cap, c0 + at, i + at);
            }
            strbuf_add(out, src + i, n);
            i = run;
            continue;
        }
        size_t used;
        long cp = decode_step(src, len, i, t->encoding, &used);
        if (src[i] == '\r') {
            if (used == 2)
                t->crlf_ends++;
            else
                t->cr_ends++;
        }
        if (cp == 0xfffd && !(used == 3 && src[i] == 0xef)) t->replacements++;
        if (cp_cap && (t->ncheckpoints << CHECKPOINT_SHIFT) <= c0) add_checkpoint(t, cp_cap, c0, i);
        strbuf_add_utf8(out, (uint32_t)cp);
        i += used;
    }
    return i;
}

/* Decodes src[start, len) into a new clean buffer (t->store), keeping the checkpoint map. */
static void clean_into(Text *t, const uint8_t *src, size_t len, size_t start)
{
    /* Clean text is at most 3 bytes per source byte (a lone invalid byte becomes U+FFFD). */
    Strbuf out = STRBUF_INIT;
    strbuf_grow(&out, len - start + 16);
    size_t cp_cap = 16;
    t->checkpoints = xmalloc(cp_cap * sizeof *t->checkpoints);
    clean_chunk(t, src, start, len, true, &out, &cp_cap, 0);
    t->store = (uint8_t *)strbuf_detach(&out, &t->len);
    t->bytes = t->store;
}

/* Takes ownership of src (malloc'd, len + 1 bytes). bk: the book src was imported from, whose
 * structure the story takes (its chapters, when its text is clean: their offsets are then the
 * story's), or NULL. */
static Text *text_build_book(uint8_t *src, size_t len, const char *name, ImportedBook *bk)
{
    Text *t = xcalloc(1, sizeof *t);
    if (bk) {
        t->imported = bk->format != IMPORT_PLAIN || bk->compression;
        t->format = bk->format;
        t->compression = bk->compression;
        t->author = bk->author;
        t->language = bk->language;
        bk->author = bk->language = NULL;
        if (bk->format != IMPORT_PLAIN && bk->format != IMPORT_GUTENBERG && bk->text_is_clean) {
            t->chapters_given = true;
            for (size_t i = 0; i < bk->nchapters; i++) {
                add_chapter(t, bk->chapters[i].title, bk->chapters[i].level,
                            bk->chapters[i].offset);
                bk->chapters[i].title = NULL;
            }
        }
    }
    t->words = SIZE_MAX;
    t->fd = -1;
    t->complete = true;
    t->line_blank = true;
    t->nread = t->src_len = len;
    t->binary = looks_binary(src, len);
    size_t i = 0;
    if (len >= 3 && src[0] == 0xef && src[1] == 0xbb && src[2] == 0xbf) i = 3;
    t->src_start = i;
    if (i == 0 && is_clean_utf8(src, len)) {
        /* Nothing to change (valid UTF-8, no CR, no BOM): the bytes as read are the text. One
         * copy in memory, offsets map 1:1. */
        t->store = t->bytes = src;
        t->bytes[len] = 0;
        t->len = len;
        t->encoding = TEXT_UTF8;
    } else {
        t->src = src;
        t->encoding = detect_encoding(src + i, len - i);
        clean_into(t, src, len, i);
    }
    split_advance(t, t->len, true);
    if (bk && bk->title) {
        t->title = bk->title;
        bk->title = NULL;
    } else
        choose_title(t, name);
    if (bk) {
        t->import_notice = bk->notice;
        bk->notice = NULL;
    }
    set_notice(t);
    return t;
}

static Text *text_build(uint8_t *src, size_t len, const char *name)
{
    return text_build_book(src, len, name, NULL);
}

Text *text_from_bytes(const void *bytes, size_t len, const char *name)
{
    uint8_t *copy = xmalloc(len + 1);
    if (len) memcpy(copy, bytes, len);
    return text_build(copy, len, name);
}

/* As text_build_book and split_advance have it: clean UTF-8 without a byte-order mark is kept as
 * it is; a paragraph is a run of lines with something but spaces and tabs in each, cut in
 * pieces past PIECE_MAX. */
bool text_bytes_are_one_paragraph(const void *bytes, size_t len)
{
    const uint8_t *s = bytes;
    if (!len || len > PIECE_MAX) return false;
    if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) return false;
    for (size_t i = 0; i < len;) {
        const uint8_t *nl = memchr(s + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - s) : len, j = i;
        while (j < end && (s[j] == ' ' || s[j] == '\t'))
            j++;
        if (j == end) return false; /* a blank line */
        i = end + 1;
        if (nl && i == len) return false; /* a line end last: a blank line after it */
    }
    return is_clean_utf8(s, len);
}

static Text *open_cached_book(int fd, BookCacheEntry *e, const char *name, bool lazy, uint64_t key);

/* The book's cache file (bookcache.h) for its key: its text when one is there
 * (*out set, 1); else 0, and file names where the import should be kept ("" when nowhere). */
static int find_cached_book(const char *name, bool lazy, const BookKey *key, Strbuf *file,
                            Text **out)
{
    if (bookcache_file(key, file) != 0) return 0;
    BookCacheEntry e;
    int fd;
    if (bookcache_read(file->buf, key, &e, &fd) != 0) return 0;
    *out = open_cached_book(fd, &e, name, lazy, key->content);
    return *out != NULL;
}

/* Keeps t, just imported, in the book cache (bookcache.h) as file. A failure only costs the next
 * open an import again: not worth a word. */
static void keep_imported(Text *t, const BookKey *key, const char *file)
{
    BookCacheEntry e = {.format = t->format,
                        .compression = t->compression,
                        .title = t->title_is_name ? NULL : t->title,
                        .author = t->author,
                        .language = t->language,
                        .notice = t->notice,
                        .chapters = t->chapters,
                        .nchapters = t->nchapters};
    (void)bookcache_write(file, key, t->bytes, t->len, &e);
}

/* The story from buf (malloc'd, len + 1 bytes; taken): imported when it is a book (its text
 * from the book cache when it is there), built as it is otherwise or when mode is LOAD_RAW. */
static int build_story(uint8_t *buf, size_t len, const char *name, LoadMode mode, Text **out,
                       Diag *diag)
{
    if (mode == LOAD_RAW ||
        !import_wanted(buf, len < IMPORT_HEAD_BYTES ? len : IMPORT_HEAD_BYTES, name)) {
        *out = text_build(buf, len, name);
        return 0;
    }
    BookKey key;
    bookcache_key(buf, len, import_name_traits(name), &key);
    Strbuf file = STRBUF_INIT;
    if (find_cached_book(name, mode == LOAD_LAZY, &key, &file, out)) {
        free(buf);
        strbuf_release(&file);
        return 0;
    }
    ImportedBook bk;
    Diag why = {0};
    int rc = import_bytes(buf, len, name, NULL, &bk, &why);
    free(buf);
    if (rc != 0) {
        size_t k = strlen(name); /* the importer may have named the file already */
        if (!strncmp(why.msg, name, k) && why.msg[k] == ':')
            diag_set(diag, why.code ? why.code : DIAG_INVALID, "%s", why.msg);
        else
            diag_set(diag, why.code ? why.code : DIAG_INVALID, "%s: %s", name, why.msg);
        strbuf_release(&file);
        return -1;
    }
    uint8_t *text = bk.text;
    bk.text = NULL;
    *out = text_build_book(text, bk.len, name, &bk);
    (*out)->source_key = key.content;
    import_book_release(&bk);
    if (file.len) keep_imported(*out, &key, file.buf);
    strbuf_release(&file);
    return 0;
}

static int load_fd(int fd, const char *name, size_t max_bytes, LoadMode mode, Text **out,
                   Diag *diag)
{
    if (!max_bytes) max_bytes = TEXT_MAX_BYTES;
    size_t cap = 65536, len = 0;
    uint8_t *buf = xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if (cap > max_bytes) break;
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0) {
            if (errno == EINTR) continue;
            diag_set(diag, DIAG_UNREADABLE, "%s: %s", name, strerror(errno));
            free(buf);
            return -1;
        }
        if (got == 0) break;
        len += (size_t)got;
        if (len > max_bytes) break;
    }
    if (len > max_bytes) {
        diag_set(diag, DIAG_TOO_LARGE, "%s: larger than the %zu MiB limit for a story", name,
                 max_bytes >> 20);
        free(buf);
        return -1;
    }
    if (len == cap) buf = xrealloc(buf, len + 1);
    return build_story(buf, len, name, mode, out, diag);
}

int text_load_fd(int fd, const char *name, size_t max_bytes, Text **out, Diag *diag)
{
    return load_fd(fd, name, max_bytes, LOAD_WHOLE, out, diag);
}

/* Opens path for reading as a story: a regular file within max_bytes, or a one-line refusal. */
static int open_story_file(const char *path, size_t max_bytes, struct stat *st, Diag *diag)
{
    int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        diag_set(diag, e == ENOENT || e == ENOTDIR ? DIAG_NOT_FOUND : DIAG_UNREADABLE, "%s: %s",
                 path, e == ENOENT ? "no such file" : strerror(e));
        return -1;
    }
    if (fstat(fd, st) != 0) {
        diag_set(diag, DIAG_UNREADABLE, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        const char *what = S_ISDIR(st->st_mode)    ? "is a folder, not a story file"
                           : S_ISFIFO(st->st_mode) ? "is a pipe (FIFO); to read a pipe, use: "
                                                     "command | lector -"
                           : S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)
                               ? "is a device, not a story file"
                               : "is not a regular file";
        diag_set(diag, DIAG_NOT_FILE, "%s: %s", path, what);
        close(fd);
        return -1;
    }
    if ((uintmax_t)st->st_size > max_bytes) {
        diag_set(diag, DIAG_TOO_LARGE, "%s: %jd MiB is over the %zu MiB limit for a story", path,
                 (intmax_t)(st->st_size >> 20), max_bytes >> 20);
        close(fd);
        return -1;
    }
    /* Regular files never block; clear O_NONBLOCK so reads behave plainly. */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

int text_load(const char *path, size_t max_bytes, Text **out, Diag *diag)
{
    if (!max_bytes) max_bytes = TEXT_MAX_BYTES;
    struct stat st;
    int fd = open_story_file(path, max_bytes, &st, diag);
    if (fd < 0) return -1;
    int rc = text_load_fd(fd, path, max_bytes, out, diag);
    close(fd);
    return rc;
}

/* Reads up to want more bytes of the file; false when no more will come (the end, or a read
 * error, kept for the notice). A file that shrank since it was opened just ends early. */
static bool read_more(Text *t, size_t want)
{
    if (t->map) { /* nothing to read: the loaded part just grows, as far as the file still goes */
        struct stat st;
        if (fstat(t->fd, &st) == 0 && (uintmax_t)st.st_size < t->file_size) {
            t->shrank = true;
            t->file_size = (size_t)st.st_size > t->nread ? (size_t)st.st_size : t->nread;
        }
        if (mapfile_cut(t->map)) { /* a read found it cut: stop where the loader is */
            t->shrank = true;
            t->file_size = t->nread;
        }
        t->nread += t->file_size - t->nread < want ? t->file_size - t->nread : want;
        return t->nread < t->file_size;
    }
    uint8_t *buf = t->src ? t->src : t->store;
    while (want > 0 && t->nread < t->file_size) {
        size_t n = t->file_size - t->nread < want ? t->file_size - t->nread : want;
        ssize_t got = read(t->fd, buf + t->nread, n);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            if (got < 0) t->read_errno = errno;
            t->file_size = t->nread;
            break;
        }
        t->nread += (size_t)got;
        want -= (size_t)got;
    }
    return t->nread < t->file_size;
}

static void finish_loading(Text *t)
{
    close(t->fd);
    t->fd = -1;
    if (t->out_map) close(t->out_fd); /* the mapping keeps the scratch file */
    strbuf_release(&t->piece);
    t->complete = true;
    t->src_len = t->nread;
    /* A mapped file has its NUL after it (mapfile.h); one that shrank, the zeros past its end */
    if (!t->src && !t->map) t->bytes[t->len] = 0;
    if (!t->title) choose_title(t, t->name);
    set_notice(t);
}

/* The file turned out to need cleaning (an invalid sequence, a CR) after a clean prefix was
 * shown: read the rest and clean it all at once. The prefix comes out the same, so every
 * offset and paragraph handed out so far stays true. A legacy encoding is only taken when that
 * prefix is ASCII, the one case where converting it changes nothing. */
static void load_rest_cleaned(Text *t)
{
    while (read_more(t, SIZE_MAX)) {
    }
    uint8_t *src = t->map ? (uint8_t *)mapfile_bytes(t->map) : t->store;
    size_t end = t->nread;
    if (t->map && end - t->src_start > t->copy_max) { /* bounded: end at a line end before it */
        end = t->src_start + t->copy_max;
        size_t keep = t->src_start + t->len, nl = end;
        while (nl > keep && src[nl - 1] != '\n')
            nl--;
        if (nl > keep) end = nl;
        t->copy_cut = true;
        t->nread = end;
    }
    if (!t->map) src[t->nread] = 0;
    t->src = src;
    t->store = NULL;
    size_t start = t->src_start;
    t->encoding = detect_encoding(src + start, end - start);
    if (t->encoding != TEXT_UTF8 && t->prefix_high) t->encoding = TEXT_UTF8;
    clean_into(t, src, end, start);
    split_advance(t, t->len, true);
    finish_loading(t);
}

/* The encoding of a file found dirty at byte from: judged on up to TEXT_MAX_BYTES from there
 * (as text_stream judges a file), and UTF-8 if the clean prefix shown has UTF-8 in it (see
 * load_rest_cleaned). */
static TextEncoding dirty_encoding(Text *t, size_t from)
{
    if (t->prefix_high) return TEXT_UTF8;
    size_t n = t->file_size - from < TEXT_MAX_BYTES ? t->file_size - from : TEXT_MAX_BYTES;
    EncodingStats st = {0};
    for (size_t off = 0; off < n;) {
        size_t k = n - off < ALL_STEP_BYTES ? n - off : ALL_STEP_BYTES;
        size_t used = encoding_stats_feed(&st, t->src + from + off, k, off + k == n);
        mapfile_release(t->map, from + off, used);
        if (!used) break;
        off += used;
    }
    return encoding_choose(&st);
}

static int write_all_at(int fd, const uint8_t *p, size_t n, size_t off)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return w < 0 ? errno : ENOSPC;
        p += w, n -= (size_t)w, off += (size_t)w;
    }
    return 0;
}

/* One step of cleaning into the scratch file: up to want more source bytes, a piece of 1 MiB at
 * a time (memory holds one clean piece), written, then split from the mapping. */
static void clean_step(Text *t, size_t want)
{
    enum { CLEAN_PIECE = 1 << 20 };
    bool more = t->nread < t->file_size;
    if (t->nread < t->clean_pos + want) more = read_more(t, t->clean_pos + want - t->nread);
    size_t end = t->clean_pos + want < t->nread ? t->clean_pos + want : t->nread;
    bool final = !more && end == t->nread;
    size_t checked = t->len, from = t->clean_pos;
    while (t->clean_pos < end && !t->out_errno) {
        size_t stop = end - t->clean_pos > CLEAN_PIECE ? t->clean_pos + CLEAN_PIECE : end;
        bool last = final && stop == end;
        strbuf_reset(&t->piece);
        size_t used =
            clean_chunk(t, t->src, t->clean_pos, stop, last, &t->piece, &t->cp_cap, t->out_len);
        if (used == t->clean_pos)
            break; /* a sequence cut by the step's end: the next finishes it */
        int err = write_all_at(t->out_fd, (const uint8_t *)t->piece.buf, t->piece.len, t->out_len);
        if (err) {
            /* the disk is full, say: the story ends with what was written; whatever a failed
             * write left after it is cut off, so the text still ends in a NUL */
            t->out_errno = err;
            if (ftruncate(t->out_fd, (off_t)t->out_len) == 0) {
                int ignored = ftruncate(t->out_fd, (off_t)t->out_cap);
                (void)ignored;
            }
            break;
        }
        t->out_len += t->piece.len;
        t->clean_pos = used;
    }
    mapfile_release(t->map, from, t->clean_pos - from); /* the source pages, read once */
    t->src_len = t->clean_pos;
    if (t->out_errno)
        final = true;
    else if (final && t->clean_pos < end)
        final = false; /* not all of it yet */
    if (t->bytes != t->out_map && t->out_len >= t->len) t->bytes = t->out_map;
    if (t->bytes != t->out_map) return; /* still catching up with the prefix shown */
    t->len = t->out_len;
    split_advance(t, t->len, final);
    if (!t->title && (t->npara >= 2 || (t->npara == 1 && t->open) || final))
        choose_title(t, t->name);
    if (!t->hold_loaded) text_release(t, checked, t->len);
    if (final) finish_loading(t);
}

/* A mapped file turned out to need cleaning: from here on it is cleaned in steps into a scratch
 * file (clean_step), the clean prefix already shown first, at once, so that text_bytes and every
 * offset stay true. false when no scratch file can be had. */
static bool begin_clean_steps(Text *t, size_t dirty_at)
{
    size_t n = t->file_size - t->src_start;
    if (n > (SIZE_MAX - 4096) / 3) return false;
    size_t cap = 3 * n + 1; /* and the NUL after the text: the file's zeros past what is written */
    int fd = atomic_scratch_open(t->scratch_dir);
    if (fd < 0) return false;
    void *p = MAP_FAILED;
    if (ftruncate(fd, (off_t)cap) == 0) p = mmap(NULL, cap, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        close(fd);
        return false;
    }
    t->out_map = p;
    t->out_cap = cap;
    t->out_fd = fd;
    t->src = (uint8_t *)mapfile_bytes(t->map);
    t->encoding = dirty_encoding(t, dirty_at);
    t->cp_cap = 16;
    t->checkpoints = xmalloc(t->cp_cap * sizeof *t->checkpoints);
    t->clean_pos = t->src_start;
    while (t->bytes != t->out_map && !t->out_errno) /* the prefix, and a first step's worth */
        clean_step(t, t->src_start + t->len - t->clean_pos + FIRST_STEP_BYTES);
    if (t->bytes == t->out_map) return true;
    /* the prefix shown could not be written: undo, and clean into memory instead */
    munmap(t->out_map, cap);
    close(fd);
    t->out_map = NULL;
    t->out_errno = 0;
    t->out_len = 0;
    free(t->checkpoints);
    t->checkpoints = NULL;
    t->ncheckpoints = 0;
    t->replacements = t->crlf_ends = t->cr_ends = 0;
    t->src = NULL;
    t->encoding = TEXT_UTF8;
    return false;
}

/* One step of loading: reads up to want bytes, checks them and splits what is clean. The clean
 * prefix is used where it was read (no copy): bytes == store + src_start. */
static void load_step(Text *t, size_t want)
{
    if (t->out_map) {
        clean_step(t, want);
        return;
    }
    bool first = t->nread == 0;
    size_t checked = t->len;
    bool more = read_more(t, want);
    const uint8_t *s = t->map ? mapfile_bytes(t->map) : t->store;
    if (first) {
        t->binary = looks_binary(s, t->nread);
        if (t->nread >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) t->src_start = 3;
        t->bytes = (uint8_t *)s + t->src_start;
    }
    size_t n = t->nread;
    /* checked and split a piece at a time, so that splitting reads what checking just brought
     * into the cache, not 4-16 MiB later */
    enum { PIECE_BYTES = 256 << 10 };
    size_t i = t->src_start + t->len;
    while (n - i > PIECE_BYTES) {
        size_t to = i + PIECE_BYTES, at = clean_utf8_run(s, i, to, &t->prefix_high);
        if (at < to) { /* a CR, an invalid sequence, or one cut by the piece: as below */
            i = at;
            break;
        }
        i = to;
        t->len = i - t->src_start;
        t->src_len = i;
        split_advance(t, t->len, false);
    }
    i = clean_utf8_run(s, i, n, &t->prefix_high);
    /* stopped by a CR or an invalid sequence: dirty, unless it is a sequence cut by the end of
     * what this step read, which the next step finishes */
    bool dirty = i < n && (s[i] == '\r' || !more || utf8_sequence(s + i, n - i) != -(int)(n - i));
    t->len = i - t->src_start;
    t->src_len = i;
    if (dirty) {
        if (!t->map || !begin_clean_steps(t, i)) load_rest_cleaned(t);
        return;
    }
    split_advance(t, t->len, !more);
    if (!t->title && (t->npara >= 2 || (t->npara == 1 && t->open) || !more))
        choose_title(t, t->name);
    /* checked once and split: held only while shown (a story read whole holds no more than a
     * step of it; what is shown again comes back from the page cache) */
    if (!t->hold_loaded) text_release(t, checked, t->len);
    if (!more) finish_loading(t);
}

/* A buffer for a big file. Aligned to 2 MiB and offered to transparent huge pages: reading
 * 100 MB into it then takes half the time, most of which is the kernel handing out pages. */
static uint8_t *alloc_story_buffer(size_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, 2u << 20, n) != 0 || !p) return xmalloc(n);
#ifdef MADV_HUGEPAGE
    madvise(p, n, MADV_HUGEPAGE); /* advice only: its failure changes nothing */
#endif
    return p;
}

/* Whether the file's first bytes say it is a book to import (import.h). */
static bool file_wants_import(int fd, const char *path)
{
    uint8_t *head = xmalloc(IMPORT_HEAD_BYTES);
    ssize_t got = pread(fd, head, IMPORT_HEAD_BYTES, 0);
    bool wanted = got > 0 && import_wanted(head, (size_t)got, path);
    free(head);
    return wanted;
}

int text_book_key(const char *path, uint64_t *key)
{
    struct stat st;
    Diag ignored = {0};
    int fd = open_story_file(path, SIZE_MAX, &st, &ignored);
    if (fd < 0) return -1;
    int rc = 0;
    if (st.st_size > 0 && (uintmax_t)st.st_size <= TEXT_MAX_BYTES && file_wants_import(fd, path)) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            rc = -1;
        } else {
            BookKey k;
            bookcache_key(m, (size_t)st.st_size, import_name_traits(path), &k);
            *key = k.name;
            munmap(m, (size_t)st.st_size);
            rc = 1;
        }
    }
    close(fd);
    return rc;
}

int text_open(const char *path, size_t max_bytes, Text **out, Diag *diag)
{
    return text_open_with(path, &(TextOpenOptions){.max_bytes = max_bytes}, out, diag);
}

/* A story read from fd in steps (text.h, text_open): the first size bytes of the file, mapped
 * when they can be. Takes fd (closed on failure). NULL with diag when it cannot be read at all.
 * Nothing is read yet: start_loading does that, once the caller has set what it knows. */
static Text *mapped_new(int fd, size_t size, const char *name, const TextOpenOptions *opt,
                        size_t max_bytes, Diag *diag)
{
    MapFile *map = NULL;
    Diag md = {0};
    if (mapfile_open(fd, size, name, &map, &md) != 0 &&
        size > max_bytes) { /* no mapping to be had: read it, if within bounds */
        diag_set(diag, DIAG_TOO_LARGE, "%s: %s; %zu MiB is too large to read instead", name, md.msg,
                 size >> 20);
        close(fd);
        return NULL;
    }
    Text *t = xcalloc(1, sizeof *t);
    t->words = SIZE_MAX;
    t->fd = fd;
    t->line_blank = true;
    t->file_size = size;
    t->copy_max = max_bytes;
    t->map = map;
    if (!map) {
        t->store = t->bytes = alloc_story_buffer(t->file_size + 1);
        t->store[t->file_size] = 0;
    }
    t->name = xstrdup(name);
    if (opt && opt->scratch_dir) t->scratch_dir = xstrdup(opt->scratch_dir);
    t->encoding = TEXT_UTF8;
    return t;
}

static void start_loading(Text *t)
{
    load_step(t, FIRST_STEP_BYTES);
    while (!t->title) /* a first paragraph longer than a step */
        load_step(t, STEP_BYTES);
    set_notice(t);
}

/* The book's text from its cache file (bookcache.h; fd and e taken), in steps like any story
 * when lazy, else whole. NULL when it cannot be read (the caller imports the book instead). */
static Text *open_cached_book(int fd, BookCacheEntry *e, const char *name, bool lazy, uint64_t key)
{
    Diag d = {0};
    Text *t = mapped_new(fd, e->text_len, name, NULL, TEXT_MAX_BYTES, &d);
    if (!t) {
        bookcache_entry_release(e);
        return NULL;
    }
    t->imported = e->format != IMPORT_PLAIN || e->compression;
    t->format = e->format;
    t->compression = e->compression;
    t->source_key = key;
    t->title = e->title;
    t->author = e->author;
    t->language = e->language;
    t->import_notice = e->notice;
    e->title = e->author = e->language = e->notice = NULL;
    t->chapters_given = true; /* those the import had, found or named: none are looked for */
    for (size_t i = 0; i < e->nchapters; i++) {
        add_chapter(t, e->chapters[i].title, e->chapters[i].level, e->chapters[i].offset);
        e->chapters[i].title = NULL;
    }
    bookcache_entry_release(e);
    start_loading(t);
    if (!lazy) text_load_all(t);
    return t;
}

int text_open_with(const char *path, const TextOpenOptions *opt, Text **out, Diag *diag)
{
    size_t max_bytes = opt && opt->max_bytes ? opt->max_bytes : TEXT_MAX_BYTES;
    struct stat st;
    int fd = open_story_file(path, SIZE_MAX, &st, diag);
    if (fd < 0) return -1;
    bool raw = opt && opt->raw;
    if ((size_t)st.st_size < LAZY_MIN_BYTES || (!raw && file_wants_import(fd, path))) {
        /* a book is imported whole, in memory, read within max_bytes (or its cached text is
         * read in steps, as a story is) */
        int rc = -1;
        if ((uintmax_t)st.st_size > max_bytes)
            diag_set(diag, DIAG_TOO_LARGE, "%s: %jd MiB is over the %zu MiB limit for a book", path,
                     (intmax_t)(st.st_size >> 20), max_bytes >> 20);
        else
            rc = load_fd(fd, path, max_bytes, raw ? LOAD_RAW : LOAD_LAZY, out, diag);
        close(fd);
        return rc;
    }
    Text *t = mapped_new(fd, (size_t)st.st_size, path, opt, max_bytes, diag);
    if (!t) return -1;
    t->plain_file = !raw; /* file_wants_import said no */
    start_loading(t);
    *out = t;
    return 0;
}

bool text_load_step(Text *t)
{
    if (!t->complete) load_step(t, STEP_BYTES);
    return t->complete;
}

void text_load_all(Text *t)
{
    while (!t->complete)
        load_step(t, t->map ? ALL_STEP_BYTES : SIZE_MAX / 2);
}

void text_hold_loaded(Text *t)
{
    t->hold_loaded = true;
}

void text_release(const Text *t, size_t from, size_t to)
{
    if (from >= to) return;
    if (t->out_map && t->bytes == t->out_map) { /* the scratch file's pages: written, kept */
        size_t pg = (size_t)sysconf(_SC_PAGESIZE);
        size_t a = (from + pg - 1) & ~(pg - 1), b = to & ~(pg - 1);
        if (a < b) madvise(t->out_map + a, b - a, MADV_DONTNEED);
        return;
    }
    if (!t->map || t->src) return; /* the text is not the mapping's bytes */
    mapfile_release(t->map, t->src_start + from, to - from);
}

uint64_t text_content_hash(const Text *t)
{
    enum { PIECE = 8 << 20 }; /* a multiple of 32, as hash_stripes wants */
    HashState h;
    hash_begin(&h, 0);
    size_t off = 0, len = t->len;
    for (; len - off >= PIECE; off += PIECE) {
        hash_stripes(&h, t->bytes + off, PIECE);
        text_release(t, off, off + PIECE);
    }
    size_t whole = (len - off) & ~(size_t)31;
    hash_stripes(&h, t->bytes + off, whole);
    uint64_t v = hash_end(&h, t->bytes + off + whole, len - off - whole);
    text_release(t, off, len);
    return v;
}

void text_load_until(Text *t, size_t off)
{
    while (!t->complete && t->len <= off)
        load_step(t, STEP_BYTES);
}

bool text_paragraph_ready(Text *t, size_t i)
{
    while (!t->complete && t->npara <= i)
        load_step(t, STEP_BYTES);
    return i < t->npara;
}

/* Bytes [from, to) of the file (its own offsets, a BOM included), read with pread, and the NUL
 * after them: malloc'd. *got says how many were read (fewer when the file is shorter now). */
static uint8_t *read_source(const Text *t, size_t from, size_t to, size_t *got)
{
    uint8_t *buf = xmalloc(to - from + 1);
    size_t n = 0;
    while (n < to - from) {
        ssize_t r = pread(t->fd, buf + n, to - from - n, (off_t)(from + n));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    buf[n] = 0;
    *got = n;
    return buf;
}

/* Whether bytes past what is loaded can be read from the file at the offsets the story will
 * give them: the story is the file's bytes as read so far (clean, not imported) and still has
 * its file open. The bytes themselves must be clean UTF-8 too (checked by the callers). */
static bool can_read_ahead(const Text *t)
{
    return !t->complete && !t->src && !t->imported && t->fd >= 0;
}

/* Whether bytes far past what is loaded can be read at their offsets: as above, and the whole
 * file is known clean as read (text_set_clean_throughout), so that no byte to clean between
 * moves them. */
static bool can_read_far(const Text *t)
{
    return can_read_ahead(t) && t->clean_throughout;
}

void text_set_clean_throughout(Text *t)
{
    t->clean_throughout = true;
}

/* Where a window of buf[0, n) starts: after the first blank line at or before limit (a
 * paragraph's start), else (only when line_end) after the first line end at or before it;
 * SIZE_MAX when neither. */
static size_t window_start(const uint8_t *buf, size_t n, size_t limit, bool line_end)
{
    size_t first_nl = SIZE_MAX;
    for (size_t i = 0; i < n && i <= limit; i++) {
        if (buf[i] != '\n') continue;
        if (first_nl == SIZE_MAX && i + 1 <= limit) first_nl = i + 1;
        size_t j = i + 1;
        while (j < n && (buf[j] == ' ' || buf[j] == '\t'))
            j++;
        if (j < n && buf[j] == '\n' && j + 1 <= limit) return j + 1;
    }
    return line_end ? first_nl : SIZE_MAX;
}

/* Where a window of buf[0, n) that must hold byte `past` ends: at the start of the last blank
 * line after it (a paragraph's end); 0 when there is none. */
static size_t window_end(const uint8_t *buf, size_t n, size_t past)
{
    for (size_t i = n; i-- > past;) {
        if (buf[i] != '\n') continue;
        size_t j = i;
        while (j > past && (buf[j - 1] == ' ' || buf[j - 1] == '\t'))
            j--;
        if (j > past && buf[j - 1] == '\n') return j;
    }
    return 0;
}

/* w when its bytes are the ones it was made of (clean UTF-8 with no CR, and no U+FEFF first,
 * which a Text takes for a byte-order mark and drops): its offsets are those bytes'. Else frees
 * it: NULL. */
static Text *as_read(Text *w)
{
    if (w && text_clean_as_read(w) && w->src_start == 0) return w;
    text_free(w);
    return NULL;
}

Text *text_open_tail(const Text *t, size_t *base)
{
    if (!can_read_ahead(t)) return NULL;
    enum { TAIL_BYTES = 256 << 10 };
    size_t end = t->file_size;
    size_t from = end > TAIL_BYTES ? end - TAIL_BYTES : 0;
    if (from < t->src_start + t->len) return NULL; /* the loaded part reaches it: no need */
    size_t got;
    uint8_t *buf = read_source(t, from, end, &got);
    /* from a line end when no blank line is near: its first rows may wrap otherwise than the
     * story's, which G's speed on a 1 GB story of one paragraph is worth */
    size_t start = window_start(buf, got, got, true);
    /* Offsets in it are the story's less base only if the story is clean UTF-8 to its end, as
     * far as this tail shows: if not, no shortcut. */
    Text *tail = got == end - from && start < got
                     ? as_read(text_from_bytes(buf + start, got - start, t->name))
                     : NULL;
    if (tail) *base = from + start - t->src_start;
    free(buf);
    return tail;
}

Text *text_open_window(const Text *t, size_t off, size_t *base, bool *to_end)
{
    if (!can_read_far(t)) return NULL;
    enum { BEFORE = 64 << 10, AFTER = 192 << 10 };
    size_t at = t->src_start + off, size = t->file_size;
    if (at >= size) return NULL;
    size_t from = at > BEFORE ? at - BEFORE : 0, to = size - at > AFTER ? at + AFTER : size;
    if (from < t->src_start + t->len) return NULL; /* the loaded part reaches it: no need */
    size_t got;
    uint8_t *buf = read_source(t, from, to, &got);
    /* from a paragraph's start to a paragraph's end, so that its paragraphs are the story's
     * (laid out alike, cut in pieces alike); without a blank line near, no window */
    size_t start = window_start(buf, got, at - from, false);
    size_t end = to == size ? got : window_end(buf, got, at - from);
    Text *w = got == to - from && start != SIZE_MAX && start <= at - from && end > at - from
                  ? as_read(text_from_bytes(buf + start, end - start, t->name))
                  : NULL;
    if (w) {
        *base = from + start - t->src_start;
        *to_end = to == size;
    }
    free(buf);
    return w;
}

uint8_t *text_read_ahead(const Text *t, size_t from, size_t to)
{
    if (!can_read_far(t) || from > to || to - from > TEXT_READ_AHEAD_MAX ||
        t->src_start + to > t->file_size)
        return NULL;
    size_t got;
    uint8_t *buf = read_source(t, t->src_start + from, t->src_start + to, &got);
    /* the range may cut a sequence at either end (a place's fingerprint, its surroundings):
     * what is checked is the whole sequences in it */
    size_t a = 0, b = got;
    while (a < b && a < 3 && (buf[a] & 0xc0) == 0x80)
        a++;
    for (size_t k = 1; k <= 3 && k <= b - a; k++) {
        uint8_t c = buf[b - k];
        if ((c & 0xc0) == 0x80) continue;
        size_t want = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        if (want > k) b -= k; /* a sequence the range ends inside */
        break;
    }
    if (got != to - from || !is_clean_utf8(buf + a, b - a)) {
        free(buf);
        return NULL;
    }
    return buf;
}

bool text_shrank(const Text *t)
{
    return t->shrank || (t->map && mapfile_cut(t->map));
}

bool text_clean_as_read(const Text *t)
{
    return t->src == NULL && !t->imported;
}

bool text_complete(const Text *t)
{
    return t->complete;
}

size_t text_len_estimate(const Text *t)
{
    if (t->complete) return t->len;
    if (t->out_map && t->clean_pos > t->src_start) { /* the rest grows as what was cleaned did */
        double grew = (double)t->out_len / (double)(t->clean_pos - t->src_start);
        return t->len + (size_t)((double)(t->file_size - t->clean_pos) * grew);
    }
    return t->file_size - t->src_start;
}

bool text_paragraph_joined(const Text *t, size_t i)
{
    return t->paras[i].joined;
}

void text_free(Text *t)
{
    if (!t) return;
    if (t->fd >= 0) close(t->fd);
    free(t->name);
    if (t->out_map) {
        munmap(t->out_map, t->out_cap);
        if (!t->complete) close(t->out_fd);
    }
    strbuf_release(&t->piece);
    free(t->scratch_dir);
    if (!t->map) free(t->src);
    free(t->store);
    mapfile_close(t->map);
    free(t->paras);
    free(t->checkpoints);
    free(t->title);
    free(t->notice);
    for (size_t i = 0; i < t->nchapters; i++)
        free(t->chapters[i].title);
    free(t->chapters);
    free(t->author);
    free(t->language);
    free(t->import_notice);
    free(t);
}

size_t text_document_end(const Text *t, size_t p)
{
    size_t e = p + 1;
    while (e < t->npara && t->paras[e].joined)
        e++;
    return e;
}

size_t text_chapter_count(const Text *t)
{
    return t->nchapters;
}

Chapter text_chapter(const Text *t, size_t i)
{
    Chapter c = t->chapters[i];
    c.level = c.level - t->chap_min_level + 1;
    return c;
}

size_t text_chapter_at(const Text *t, size_t off)
{
    size_t lo = 0, hi = t->nchapters; /* the first chapter starting after off */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->chapters[mid].offset <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : SIZE_MAX;
}

uint64_t text_source_key(const Text *t)
{
    return t->source_key;
}

const char *text_author(const Text *t)
{
    return t->author;
}

const char *text_language(const Text *t)
{
    return t->language;
}

const char *text_format(const Text *t)
{
    return import_format_name(t->format);
}

const char *text_compression(const Text *t)
{
    return t->compression;
}

bool text_imported(const Text *t)
{
    return t->imported;
}

bool text_is_plain_file(const Text *t)
{
    return t->plain_file;
}

static bool lines_meant(ImportFormat f)
{
    return f == IMPORT_EPUB || f == IMPORT_FB2 || f == IMPORT_HTML || f == IMPORT_MARKDOWN;
}

int text_source_width(Text *t)
{
    if (lines_meant(t->format)) return LAYOUT_LINES_MEANT;
    /* layout_source_width reads the first 64 KiB, within what the first load step gives: asking
     * for byte 256 Ki itself would read and check 4 MiB more before the first screen (4 ms of a
     * 100 MB story's start) */
    text_load_until(t, (64 << 10) - 1);
    return layout_source_width(t->bytes, t->len);
}

#if defined(__SSE2__)
/* A bit per byte of the 16 at p (all ASCII): set for a letter or a digit. */
static inline uint32_t ascii_alnum16(const uint8_t *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* A-Z as a-z */
    __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
                                   _mm_cmplt_epi8(l, _mm_set1_epi8('z' + 1)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(letter, digit));
}
#endif

/* Thai and its kin write words without spaces: a run of their letters is counted in the words
 * the dictionary finds (sabreak_words), a window of it at a time; a window that ends inside the
 * run is taken only up to its last word's start, the next window going on from there, so that
 * no word is cut (but one longer than a window, which goes on as one word). ICU is slower than
 * the rest of the count (about 60 MB/s of Thai here, against GB/s of ASCII), so a step counts at
 * most budget / SA_COUNT_COST bytes of these runs: a key in the reader waits for one step (the
 * reader's 1 MiB: 128 KiB of Thai, about 2 ms). */
enum { SA_COUNT_WINDOW = 4096, SA_COUNT_CUTS = 1024, SA_COUNT_COST = 8, SA_IN_WORD = 2 };

/* The words of the SA run from t's byte i (a letter or mark of it), a window of it: adds them
 * to *w and returns where the words counted end. *inw is SA_IN_WORD when a window before ended
 * inside a word (its rest is not a new word), and is left so for the next window. */
static size_t count_sa_window(const Text *t, size_t i, SaBreaker *sa, size_t *w, int *inw)
{
    size_t j = i, lim = t->len - i > SA_COUNT_WINDOW ? i + SA_COUNT_WINDOW : t->len;
    bool more = false; /* the run goes on past the window */
    while (j < t->len) {
        size_t k;
        uint32_t cp = ucd_decode(t->bytes + j, t->bytes + t->len, &k);
        if (!sabreak_is_sa(cp)) break;
        if (j + k > lim) {
            more = true;
            break;
        }
        j += k;
    }
    size_t cuts[SA_COUNT_CUTS];
    size_t n = sabreak_words(sa, t->bytes + i, j - i, cuts, SA_COUNT_CUTS), words = n + 1;
    int next = 1;    /* the run ended in a word */
    if (more && n) { /* up to the last word's start: it is counted with what follows it */
        j = i + cuts[n - 1];
        words = n;
        next = 0;
    } else if (more) { /* no word's end in a whole window: it goes on */
        next = SA_IN_WORD;
    }
    *w += words - (*inw == SA_IN_WORD);
    *inw = next;
    return j;
}

void text_count_words_step(const Text *t, size_t *pos, size_t budget, size_t *words, int *in_word,
                           SaBreaker *sa)
{
    size_t i = *pos, end = t->len - i > budget ? i + budget : t->len;
    size_t w = *words, sa_left = budget / SA_COUNT_COST;
    int inw = *in_word;
    while (i < end || (i < t->len && (t->bytes[i] & 0xc0) == 0x80)) {
#if defined(__SSE2__)
        /* 64 ASCII bytes at a time: a word starts at each letter or digit after none (the
         * loop below, a byte at a time, was most of the reader's idle time on a big story) */
        while (i < end && end - i >= 64) { /* i passes end inside a sequence the budget cut */
            const uint8_t *p = t->bytes + i;
            const __m128i *q = (const __m128i *)(const void *)p;
            __m128i any =
                _mm_or_si128(_mm_or_si128(_mm_loadu_si128(q), _mm_loadu_si128(q + 1)),
                             _mm_or_si128(_mm_loadu_si128(q + 2), _mm_loadu_si128(q + 3)));
            if (_mm_movemask_epi8(any)) break;
            uint64_t a = (uint64_t)ascii_alnum16(p) | (uint64_t)ascii_alnum16(p + 16) << 16 |
                         (uint64_t)ascii_alnum16(p + 32) << 32 |
                         (uint64_t)ascii_alnum16(p + 48) << 48;
            w += (size_t)__builtin_popcountll(a & ~(a << 1 | (uint64_t)(inw != 0)));
            inw = (int)(a >> 63);
            i += 64;
        }
        if (i >= end && !(i < t->len && (t->bytes[i] & 0xc0) == 0x80)) break;
#endif
        uint8_t b = t->bytes[i];
        if (b < 0x80) { /* ASCII: letters and digits are AL/NU, the rest ends a word */
            int alnum = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
            w += alnum && !inw;
            inw = alnum;
            i++;
            continue;
        }
        size_t n;
        uint32_t cp = ucd_decode(t->bytes + i, t->bytes + t->len, &n);
        unsigned cls = UCD_LB(ucd_props(cp));
        if (sa && sabreak_is_sa(cp)) {
            size_t j = count_sa_window(t, i, sa, &w, &inw);
            sa_left = j - i < sa_left ? sa_left - (j - i) : 0;
            i = j;
            if (!sa_left && i < end) end = i; /* ICU's share of the step is spent */
            continue;
        }
        if (cls == LB_ID || (cls == LB_NS && token_unspaced(cp))) {
            w++; /* ideographs and kana (the small ones are NS): a word each */
            inw = 0;
        } else if (cls == LB_AL || cls == LB_HL || cls == LB_NU || (cls >= LB_H2 && cls <= LB_JT)) {
            w += !inw; /* letters, digits, and Hangul (Korean puts spaces between words) */
            inw = 1;
        } else if (cls != LB_CM) { /* a combining mark continues what it follows */
            inw = 0;
        }
        i += n;
    }
    text_release(t, *pos, i); /* counted once: not held (text_release) */
    *pos = i;
    *words = w;
    *in_word = inw;
}

size_t text_word_count(const Text *t, SaBreaker *sa)
{
    if (t->words != SIZE_MAX) return t->words;
    size_t pos = 0, words = 0;
    int in_word = 0;
    while (pos < t->len) /* ICU's share of a step may end it early */
        text_count_words_step(t, &pos, t->len - pos, &words, &in_word, sa);
    if (t->complete) ((Text *)t)->words = words; /* a cache: the story itself is unchanged */
    return words;
}

const uint8_t *text_bytes(const Text *t)
{
    return t->bytes;
}
size_t text_len(const Text *t)
{
    return t->len;
}
size_t text_paragraph_count(const Text *t)
{
    return t->npara;
}
Span text_paragraph(const Text *t, size_t i)
{
    return (Span){t->paras[i].start, t->paras[i].end};
}
const char *text_title(const Text *t)
{
    return t->title;
}
int text_title_is_first_line(const Text *t)
{
    return t->title_is_first_line;
}
TextEncoding text_encoding(const Text *t)
{
    return t->encoding;
}
size_t text_replacements(const Text *t)
{
    return t->replacements;
}
void text_line_ends_cleaned(const Text *t, size_t *crlf, size_t *cr)
{
    *crlf = t->crlf_ends;
    *cr = t->cr_ends;
}

const char *text_notice(const Text *t)
{
    return t->notice;
}

size_t text_paragraph_at(const Text *t, size_t off)
{
    size_t lo = 0, hi = t->npara;
    while (lo < hi) { /* first paragraph whose end is >= off */
        size_t mid = lo + (hi - lo) / 2;
        if (t->paras[mid].end <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t text_visible_control(uint32_t cp, uint8_t out[TEXT_VISIBLE_MAX])
{
    if (cp < 0x20) return ucd_encode(0x2400 + cp, out);
    if (cp == 0x7f) return ucd_encode(0x2421, out);
    if (cp < 0x80) return 0;
    if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 ||
        (ucd_props(cp) & UCD_UNASSIGNED)) {
        static const char hex[] = "0123456789ABCDEF";
        int digits = cp > 0xfffff ? 6 : cp > 0xffff ? 5 : 4;
        memcpy(out, "<U+", 3);
        for (int k = 0; k < digits; k++)
            out[3 + k] = (uint8_t)hex[(cp >> (4 * (digits - 1 - k))) & 0xf];
        out[3 + digits] = '>';
        return (size_t)digits + 4;
    }
    return 0;
}

void text_escape(const void *bytes, size_t len, Strbuf *out)
{
    const uint8_t *s = bytes;
    for (size_t i = 0; i < len;) {
        size_t used = 1;
        /* decode_step reads CR as a line end; here it is a control like any other */
        long cp = s[i] == '\r' ? '\r' : decode_step(s, len, i, TEXT_UTF8, &used);
        uint8_t vis[TEXT_VISIBLE_MAX];
        size_t n = text_visible_control((uint32_t)cp, vis);
        if (n)
            strbuf_add(out, vis, n);
        else
            strbuf_add_utf8(out, (uint32_t)cp);
        i += used;
    }
}

size_t text_source_offset(const Text *t, size_t off)
{
    if (off >= t->len) return t->src_len;
    if (!t->src) return off + t->src_start; /* the source was the text itself */
    size_t k = off >> CHECKPOINT_SHIFT;
    if (k >= t->ncheckpoints) k = t->ncheckpoints ? t->ncheckpoints - 1 : 0;
    while (k > 0 && t->checkpoints[k].clean_off > off)
        k--;
    size_t clean = t->ncheckpoints ? t->checkpoints[k].clean_off : 0;
    size_t src = t->ncheckpoints ? t->checkpoints[k].src_off : t->src_start;
    while (clean < off && src < t->src_len) {
        size_t used;
        long cp = decode_step(t->src, t->src_len, src, t->encoding, &used);
        uint8_t tmp[4];
        clean += ucd_encode((uint32_t)cp, tmp);
        src += used;
    }
    return src;
}

/* --- text_stream ---------------------------------------------------------------------------- */

enum {
    STREAM_READ = 256 << 10,      /* bytes read at a time */
    STREAM_HEAD = 256 << 10,      /* clean bytes known before the first paragraph goes out */
    STREAM_PIPE_DETECT = 4 << 20, /* a pipe's encoding is judged on this much of what follows */
};
/* A file's encoding is judged on at most this much of what follows its first invalid byte: all
 * of any story text_load takes, and a bounded wait before the first line of a bigger one. */
#define STREAM_DETECT_MAX ((off_t)TEXT_MAX_BYTES)

/* Data model: t is a Text whose bytes are a window of the story (win), the part not yet handed
 * out plus what was just read; its splitter and paragraph list work on window offsets, and the
 * window is shifted down (stream_compact) once every paragraph listed has been handed out. In
 * the clean mode the file's bytes are read straight into the window and only checked; once a
 * CR or an invalid byte is met, the rest goes through raw and is cleaned into the window. */
struct TextStream {
    Text t;
    Strbuf win;   /* t.bytes == win.buf; t.len == win.len */
    size_t pend;  /* bytes after win.len read but not checked (a sequence cut by a read) */
    uint8_t *raw; /* owned: read, not cleaned yet (cleaning mode) */
    size_t raw_len, raw_cap;
    bool cleaning;  /* the rest of the input is cleaned */
    bool eof, done; /* nothing more to read; every paragraph split */
    bool started;   /* a paragraph was handed out: the encoding can no longer change */
    bool seekable;  /* fd is a regular file: the rest can be looked at with pread */
    bool own_fd;
    bool bom_checked; /* the first three bytes were looked at for a BOM */
    int fd;
    uint8_t probe[65536]; /* the input's first bytes, BOM and all, for looks_binary */
    size_t probe_len;
    off_t offset;  /* bytes read from fd */
    size_t next;   /* the next paragraph of t.paras to hand out */
    uint8_t *head; /* owned: the story's first STREAM_HEAD clean bytes (or all), kept */
    size_t head_len;
    bool head_kept;
};

/* Reads up to n bytes into buf; 0 at the end or on an error (kept for the notice). */
static size_t stream_read(TextStream *s, uint8_t *buf, size_t n)
{
    for (;;) {
        ssize_t got = read(s->fd, buf, n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) s->t.read_errno = errno;
        if (got <= 0) {
            s->eof = true;
            return 0;
        }
        s->offset += got;
        s->t.nread += (size_t)got;
        if (s->probe_len < sizeof s->probe) {
            size_t n = sizeof s->probe - s->probe_len < (size_t)got ? sizeof s->probe - s->probe_len
                                                                    : (size_t)got;
            memcpy(s->probe + s->probe_len, buf, n);
            s->probe_len += n;
        }
        return (size_t)got;
    }
}

static void raw_reserve(TextStream *s, size_t extra)
{
    if (s->raw_len + extra <= s->raw_cap) return;
    s->raw_cap = s->raw_len + extra;
    s->raw = xrealloc(s->raw, s->raw_cap);
}

/* What stream_look_ahead hands raw and the rest of the file to: takes what it can of b[0, n)
 * and returns how much (the rest, a sequence cut by the chunk's end, comes again in front of the
 * next chunk), or SIZE_MAX to stop. final: nothing follows. */
typedef size_t (*LookFn)(void *ctx, const uint8_t *b, size_t n, bool final);

/* raw, then the rest of the (regular) file from the stream's place, through feed: read with
 * pread, so nothing is kept and the place stays; at most STREAM_DETECT_MAX of it. false when
 * feed stopped. */
static bool stream_look_ahead(TextStream *s, LookFn feed, void *ctx)
{
    size_t took = feed(ctx, s->raw, s->raw_len, s->eof);
    if (took == SIZE_MAX) return false;
    if (s->eof) return true;
    uint8_t *buf = xmalloc(STREAM_READ + 4);
    size_t carry = s->raw_len - took;
    memcpy(buf, s->raw + took, carry);
    off_t at = s->offset;
    bool whole = true;
    for (;;) {
        ssize_t got =
            at - s->offset < STREAM_DETECT_MAX ? pread(s->fd, buf + carry, STREAM_READ, at) : 0;
        if (got < 0 && errno == EINTR) continue;
        bool last = got <= 0;
        size_t n = carry + (got > 0 ? (size_t)got : 0);
        took = feed(ctx, buf, n, last);
        if (took == SIZE_MAX) {
            whole = false;
            break;
        }
        if (last) break;
        at += got;
        carry = n - took;
        memmove(buf, buf + took, carry);
    }
    free(buf);
    return whole;
}

/* Valid UTF-8 but for a sequence cut at the chunk's end, which is not final: that much taken. */
static size_t feed_valid(void *ctx, const uint8_t *b, size_t n, bool final)
{
    (void)ctx;
    bool high;
    size_t v = utf8_run(b, 0, n, false, &high);
    bool ok = v == n || (!final && n - v < 4 && utf8_sequence(b + v, n - v) == -(int)(n - v));
    return ok ? v : SIZE_MAX;
}

static size_t feed_stats(void *ctx, const uint8_t *b, size_t n, bool final)
{
    return encoding_stats_feed(ctx, b, n, final);
}

/* The encoding of what is in raw and what follows it in the input. A regular file is looked at
 * (up to STREAM_DETECT_MAX) without being kept; a pipe is read ahead into raw, up to
 * STREAM_PIPE_DETECT. */
static TextEncoding stream_detect(TextStream *s)
{
    if (!s->seekable) {
        while (!s->eof && s->raw_len < STREAM_PIPE_DETECT) {
            raw_reserve(s, STREAM_READ);
            s->raw_len += stream_read(s, s->raw + s->raw_len, STREAM_READ);
        }
        return detect_encoding(s->raw, s->raw_len);
    }
    /* valid UTF-8 throughout (a CR, not an invalid byte, made it dirty): the usual, and cheap */
    if (stream_look_ahead(s, feed_valid, NULL)) return TEXT_UTF8;
    EncodingStats st = {0};
    stream_look_ahead(s, feed_stats, &st);
    return encoding_choose(&st);
}

/* From window byte at on, the input needs cleaning: what is left of the window goes to raw,
 * and the encoding is chosen for the rest. Before any paragraph went out, the whole story is
 * judged and cleaned from its start (as text_load does); after, an ASCII prefix changes nothing
 * whatever the encoding, and a prefix with UTF-8 in it keeps the rest UTF-8 (as text_open). */
static void stream_start_cleaning(TextStream *s, size_t at)
{
    Text *t = &s->t;
    size_t from = s->started ? at : 0;
    size_t n = s->win.len + s->pend - from;
    raw_reserve(s, n + STREAM_READ); /* raw is empty: cleaning starts once */
    memcpy(s->raw, s->win.buf + from, n);
    s->raw_len = n;
    s->win.len = from;
    s->win.buf[from] = 0;
    s->pend = 0;
    s->cleaning = true;
    if (!s->started) { /* start again: nothing was split that must be kept */
        t->npara = 0;
        t->split_pos = t->line_start = 0;
        t->line_blank = true;
        t->open = false;
        t->prefix_high = false;
    }
    /* a prefix with UTF-8 in it that went out already decides (as text_open): no need to read
     * ahead (the whole rest of a file, as a second pass, for a story whose first CR comes after
     * its start); before anything went out, prefix_high is false and the whole story decides */
    t->encoding = s->started && t->prefix_high ? TEXT_UTF8 : stream_detect(s);
}

/* Reads one more chunk into the window and splits it; at the end, splits the rest. */
static void stream_fill(TextStream *s)
{
    Text *t = &s->t;
    if (!s->cleaning) {
        strbuf_grow(&s->win, s->pend + STREAM_READ + 4);
        uint8_t *b = (uint8_t *)s->win.buf;
        size_t got = s->eof ? 0 : stream_read(s, b + s->win.len + s->pend, STREAM_READ);
        size_t avail = s->win.len + s->pend + got;
        if (!s->bom_checked) { /* the first bytes: a BOM is dropped */
            if (avail < 3 && !s->eof) {
                s->pend = avail;
                return;
            }
            s->bom_checked = true;
            if (avail >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
                memmove(b, b + 3, avail - 3);
                avail -= 3;
                t->src_start = 3;
            }
        }
        size_t i = clean_utf8_run(b, s->win.len, avail, &t->prefix_high);
        bool cut = i < avail && b[i] != '\r' && !s->eof &&
                   utf8_sequence(b + i, avail - i) == -(int)(avail - i);
        s->win.len = i;
        s->pend = avail - i;
        b[avail] = 0;
        if (i < avail && !cut) stream_start_cleaning(s, i);
    }
    if (s->cleaning) {
        raw_reserve(s, STREAM_READ);
        if (!s->eof) s->raw_len += stream_read(s, s->raw + s->raw_len, STREAM_READ);
        strbuf_grow(&s->win, s->raw_len * 3 + 4);
        size_t used = clean_chunk(t, s->raw, 0, s->raw_len, s->eof, &s->win, NULL, 0);
        memmove(s->raw, s->raw + used, s->raw_len - used);
        s->raw_len -= used;
    }
    t->bytes = (uint8_t *)s->win.buf;
    t->len = s->win.len;
    bool final = s->eof && !s->pend && !s->raw_len;
    split_advance(t, t->len, final);
    if (final) s->done = true;
}

/* Drops the window's bytes before the paragraph still open (every listed one was handed out). */
static void stream_compact(TextStream *s)
{
    Text *t = &s->t;
    size_t d = t->open ? t->piece_start : t->line_start;
    if (d > t->split_pos) d = t->split_pos;
    size_t keep = s->win.len + s->pend - d;
    memmove(s->win.buf, s->win.buf + d, keep + 1);
    s->win.len -= d;
    t->len = s->win.len;
    /* A piece cut inside a long line starts after the line does, and the piece's earlier end
     * is stale until the line ends: both are then only compared or overwritten, never read. */
    t->split_pos -= d;
    t->line_start = t->line_start > d ? t->line_start - d : 0;
    if (t->open) {
        t->piece_start -= d;
        t->piece_end = t->piece_end > d ? t->piece_end - d : 0;
    }
    t->npara = 0;
    s->next = 0;
}

/* Keeps the story's head once the window holds it (or all there is): before the first
 * paragraph goes out, the window may drop blank lines, which the head must still show. */
static void stream_keep_head(TextStream *s, bool now)
{
    if (s->head_kept || !(now || s->done || s->win.len >= STREAM_HEAD)) return;
    s->head_len = s->win.len < STREAM_HEAD ? s->win.len : STREAM_HEAD;
    s->head = xmalloc(s->head_len ? s->head_len : 1);
    memcpy(s->head, s->win.buf, s->head_len);
    s->head_kept = true;
}

/* While the title waits for a second paragraph (nothing handed out yet), drops the blank lines
 * after the first one (or before any): they are in no paragraph, and without end they would
 * fill memory. */
static void stream_drop_blanks(TextStream *s)
{
    Text *t = &s->t;
    if (!s->head_kept || t->open || t->npara > 1) return;
    size_t from = t->npara ? t->paras[0].end : 0, to = t->line_start;
    if (to <= from) return;
    size_t gap = to - from;
    memmove(s->win.buf + from, s->win.buf + to, s->win.len + s->pend - to + 1);
    s->win.len -= gap;
    t->len = s->win.len;
    t->split_pos -= gap;
    t->line_start -= gap;
}

/* Whether the input is a pipe or terminal with nothing to read within ms milliseconds (a
 * producer that writes slowly: tail -f, a person typing). */
static bool stream_idle(const TextStream *s, int ms)
{
    if (s->seekable || s->eof) return false;
    struct pollfd p = {s->fd, POLLIN, 0};
    return poll(&p, 1, ms) == 0;
}

int text_stream_open_fd(int fd, const char *name, bool own_fd, TextStream **out, Diag *diag)
{
    (void)diag;
    TextStream *s = xcalloc(1, sizeof *s);
    struct stat st;
    s->fd = fd;
    s->own_fd = own_fd;
    s->seekable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    off_t at = s->seekable ? lseek(fd, 0, SEEK_CUR) : 0;
    s->offset = at > 0 ? at : 0;
    strbuf_init(&s->win);
    Text *t = &s->t;
    t->words = SIZE_MAX;
    t->fd = -1;
    t->line_blank = true;
    t->encoding = TEXT_UTF8;
    t->name = xstrdup(name ? name : "-");
    t->no_chapters = true;
    /* Before the first paragraph goes out: the story's head (its line width) and its title
     * (the first paragraph, and whether a second follows). A slow pipe is not waited for once
     * the title is known: its head is what has come. */
    for (;;) {
        bool titled = t->npara >= 2 || (t->npara == 1 && t->open);
        if (s->done || (titled && s->head_kept)) break;
        if (titled && stream_idle(s, 100)) break;
        stream_fill(s);
        stream_keep_head(s, false);
        stream_drop_blanks(s);
    }
    stream_keep_head(s, true);
    choose_title(t, t->name);
    *out = s;
    return 0;
}

static int stream_open(const char *path, bool raw, TextStream **out, Diag *diag)
{
    if (!strcmp(path, "-")) return text_stream_open_fd(STDIN_FILENO, "-", false, out, diag);
    struct stat st;
    int fd = open_story_file(path, SIZE_MAX, &st, diag);
    if (fd < 0) return -1;
    if (!raw && file_wants_import(fd, path)) {
        /* a book: imported whole (text.h's limits), then streamed from a memory file */
        Text *t;
        int rc = text_load_fd(fd, path, 0, &t, diag);
        close(fd);
        if (rc != 0) return -1;
        int mfd = memfd_create("lector-book", MFD_CLOEXEC);
        if (mfd < 0 || write_all_at(mfd, text_bytes(t), text_len(t), 0) != 0 ||
            lseek(mfd, 0, SEEK_SET) != 0) {
            diag_set(diag, DIAG_UNREADABLE, "%s: no memory file for the book (%s)", path,
                     strerror(errno));
            if (mfd >= 0) close(mfd);
            text_free(t);
            return -1;
        }
        ImportFormat format = t->format;
        char *said = t->notice ? xstrdup(t->notice) : NULL; /* the import's, for the stream's */
        text_free(t);
        if (text_stream_open_fd(mfd, path, true, out, diag) != 0) {
            free(said);
            return -1;
        }
        (*out)->t.format = format;
        (*out)->t.import_notice = said;
        return 0;
    }
    return text_stream_open_fd(fd, path, true, out, diag);
}

int text_stream_open(const char *path, TextStream **out, Diag *diag)
{
    return stream_open(path, false, out, diag);
}

int text_stream_open_raw(const char *path, TextStream **out, Diag *diag)
{
    return stream_open(path, true, out, diag);
}

int text_stream_source_width(const TextStream *s)
{
    if (lines_meant(s->t.format)) return LAYOUT_LINES_MEANT;
    return layout_source_width(s->head, s->head_len);
}

void text_stream_head(const TextStream *s, const uint8_t **bytes, size_t *len)
{
    *bytes = s->head;
    *len = s->head_len;
}

bool text_stream_waiting(const TextStream *s)
{
    return stream_idle(s, 0);
}

const char *text_stream_title(const TextStream *s)
{
    return s->t.title;
}

bool text_stream_next(TextStream *s, const uint8_t **bytes, Span *para, bool *joined)
{
    while (s->next == s->t.npara) {
        if (s->done) return false;
        stream_compact(s);
        stream_fill(s);
    }
    s->started = true;
    Para p = s->t.paras[s->next++];
    *bytes = (const uint8_t *)s->win.buf;
    *para = (Span){p.start, p.end};
    *joined = p.joined;
    return true;
}

const char *text_stream_notice(TextStream *s)
{
    s->t.binary = looks_binary(s->probe, s->probe_len);
    set_notice(&s->t);
    return s->t.notice;
}

void text_stream_free(TextStream *s)
{
    if (!s) return;
    if (s->own_fd) close(s->fd);
    strbuf_release(&s->win);
    free(s->head);
    free(s->raw);
    free(s->t.paras);
    free(s->t.title);
    free(s->t.notice);
    free(s->t.import_notice);
    free(s->t.name);
    free(s);
}
