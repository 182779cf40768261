/* Building an index within a memory budget: a build that outgrows it writes sorted runs to
 * scratch files and merges them, and must give the very bytes of a build held in memory. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lector/golomb.h"
#include "lector/index.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/token.h"
#include "memstat.h"

/* A story of about size bytes: paragraphs of lines of words from words[], plus made-up words
 * (a vocabulary that grows with the story, as names and misspellings do), and now and then one
 * paragraph over 64 KiB (pieces). */
static void make_story(Strbuf *sb, size_t size, const char *const *words, size_t nwords,
                       unsigned seed)
{
    strbuf_addstr(sb, "A Title\n\n");
    while (sb->len < size) {
        seed = seed * 1103515245u + 12345u;
        bool long_one = (seed >> 16) % 97 == 0;
        int lines = long_one ? 3000 : 1 + (int)((seed >> 8) % 9);
        for (int l = 0; l < lines; l++) {
            int n = 3 + (int)((seed >> 3) % 12);
            for (int w = 0; w < n; w++) {
                seed = seed * 1103515245u + 12345u;
                if ((seed >> 20) % 5 == 0)
                    strbuf_addf(sb, "w%u", (seed >> 4) % 100000);
                else
                    strbuf_addstr(sb, words[(seed >> 8) % nwords]);
                if (w + 1 < n) strbuf_addch(sb, ' ');
            }
            strbuf_addch(sb, '\n');
        }
        strbuf_addch(sb, '\n');
    }
}

static const char *const mixed[] = {"word",     "Word",      "Қазақ", "тілі", "漢字", "かな",
                                    "👍🏽", "e\xcc\x81", "naïve", "the",  "and",  "x"};

static void assert_same_block(const Index *a, const Index *b, const char *what)
{
    size_t na, nb;
    const void *ba = index_bytes(a, &na), *bb = index_bytes(b, &nb);
    cr_assert_eq(na, nb, "%s: %zu bytes against %zu", what, na, nb);
    cr_assert(!memcmp(ba, bb, na), "%s: the bytes differ", what);
}

/* What index_write puts in a file: read back whole. */
static void written(const Index *ix, Strbuf *out)
{
    char path[] = "/tmp/lector-index-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    unlink(path);
    cr_assert_eq(index_write(ix, fd), 0);
    char buf[65536];
    ssize_t r;
    lseek(fd, 0, SEEK_SET);
    while ((r = read(fd, buf, sizeof buf)) > 0)
        strbuf_add(out, buf, (size_t)r);
    close(fd);
}

/* The block of bytes read back as the cache reads it; every page checks. */
static Index *read_back(const void *bytes, size_t n)
{
    void *copy = malloc(n ? n : 1);
    memcpy(copy, bytes, n);
    Index *back;
    Diag d = {0};
    cr_assert_eq(index_from_bytes(copy, n, false, &back, &d), 0, "%s", d.msg);
    cr_assert(index_verify_all(back));
    return back;
}

/* Budgets from one byte (a run after every paragraph) to a few pages, on one thread and three:
 * the block is the in-memory build's, byte for byte, and so is what index_write writes of it
 * (copied file to file for a spilled build). */
Test(index, a_build_in_runs_gives_the_bytes_of_a_build_in_memory)
{
    const size_t sizes[] = {0, 40, 300 << 10};
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        Strbuf sb = STRBUF_INIT;
        if (sizes[z]) make_story(&sb, sizes[z], mixed, sizeof mixed / sizeof *mixed, (unsigned)z);
        Text *t = text_from_bytes(sb.buf, sb.len, "story");
        Index *whole = index_build(t, 1, NULL);
        cr_assert(whole);
        Strbuf want = STRBUF_INIT;
        written(whole, &want);
        size_t n;
        index_bytes(whole, &n);
        cr_assert_eq(want.len, n);
        const size_t budgets[] = {1, 4096, 64 << 10};
        for (size_t b = 0; b < sizeof budgets / sizeof *budgets; b++) {
            for (int threads = 1; threads <= 3; threads += 2) {
                IndexBuildOptions opt = {.budget = budgets[b]};
                Diag d = {0};
                Index *ix = index_build_with(t, threads, NULL, &opt, &d);
                cr_assert(ix, "%s", d.msg);
                char what[96];
                snprintf(what, sizeof what, "%zu bytes, budget %zu, %d threads", sb.len, budgets[b],
                         threads);
                assert_same_block(whole, ix, what);
                Strbuf got = STRBUF_INIT;
                written(ix, &got);
                cr_assert(got.len == want.len && !memcmp(got.buf, want.buf, got.len),
                          "%s: index_write differs", what);
                strbuf_release(&got);
                index_free(read_back(want.buf, n));
                index_free(ix);
            }
        }
        strbuf_release(&want);
        index_free(whole);
        text_free(t);
        strbuf_release(&sb);
    }
}

/* Every term is found by index_lookup, and nothing between two terms is: with thousands of
 * terms (the directory's keys every 64 of them), runs of terms sharing their first 8 bytes (one
 * key over many blocks), terms shorter than a key, of other scripts, and prefixes over them. */
Test(index, lookups_through_the_terms_directory_find_every_term)
{
    Strbuf sb = STRBUF_INIT;
    const char *stems[] = {"a", "b", "prefixed", "prefixedness", "қазақ", "z"};
    size_t nwords = 0;
    for (size_t k = 0; k < sizeof stems / sizeof *stems; k++)
        for (int i = 0; i < 700; i++) {
            strbuf_addf(&sb, "%s%d%s", stems[k], i * 3, i % 9 == 8 ? "\n\n" : " ");
            nwords++;
        }
    Text *t = text_from_bytes(sb.buf, sb.len, "story");
    Index *ix = index_build(t, 1, NULL);
    cr_assert_eq(index_term_count(ix), nwords);
    for (size_t k = 0; k < sizeof stems / sizeof *stems; k++) {
        for (int i = 0; i < 700; i++) {
            char w[64];
            for (int d = 0; d < 3; d++) { /* i * 3 is a term; i * 3 + 1 and + 2 are not */
                int len = snprintf(w, sizeof w, "%s%d", stems[k], i * 3 + d);
                int64_t id = index_lookup(ix, w, (size_t)len);
                if (d) {
                    cr_assert_eq(id, -1, "%s is not a term", w);
                    continue;
                }
                cr_assert_geq(id, 0, "%s not found", w);
                size_t tl;
                const char *term = index_term(ix, (uint32_t)id, &tl);
                cr_assert(tl == (size_t)len && !memcmp(term, w, tl), "%s found as %.*s", w, (int)tl,
                          term);
            }
        }
        uint32_t first, end; /* the stem as a prefix: its 700 terms, and more for "prefixed" */
        index_prefix_range(ix, stems[k], strlen(stems[k]), &first, &end);
        cr_assert_eq(end - first, strcmp(stems[k], "prefixed") ? 700u : 1400u, "%s*", stems[k]);
    }
    cr_assert_eq(index_lookup(ix, "", 0), -1);
    cr_assert_eq(index_lookup(ix, "zz", 2), -1);
    cr_assert_eq(index_lookup(ix, "0", 1), -1);
    cr_assert(!index_corrupt(ix));
    index_free(ix);
    text_free(t);
    strbuf_release(&sb);
}

/* index_each_term's walk records what it is given, and stops when told. */
typedef struct {
    const Index *ix;
    uint32_t next, calls, stop_after;
} TermWalk;

static bool check_term(void *ctx, uint32_t id, const char *name, size_t len, uint32_t count)
{
    TermWalk *w = ctx;
    cr_assert_eq(id, w->next, "the terms in order");
    size_t tl;
    const char *term = index_term(w->ix, id, &tl);
    cr_assert(len == tl && !memcmp(name, term, tl), "term %u: %.*s, not %.*s", id, (int)len, name,
              (int)tl, term);
    cr_assert_eq(count, index_term_occurrences(w->ix, id), "term %u's occurrences", id);
    w->next++;
    return ++w->calls != w->stop_after;
}

/* A walk of the terms gives each one's name and occurrences as index_term and
 * index_term_occurrences do, over the whole vocabulary or a range of it, and stops when told. */
Test(index, a_walk_of_the_terms_gives_what_each_lookup_does)
{
    Strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 3000; i++) /* words of two scripts, some often, with paragraphs */
        strbuf_addf(&sb, "%s%d%s", i % 3 ? "steppe" : "қазақ", i % 7 ? i % 400 : 7,
                    i % 11 == 10 ? "\n\n" : " ");
    Text *t = text_from_bytes(sb.buf, sb.len, "story");
    Index *ix = index_build(t, 1, NULL);
    uint32_t n = (uint32_t)index_term_count(ix);
    cr_assert_gt(n, 300);
    TermWalk w = {ix, 0, 0, 0};
    index_each_term(ix, 0, n, check_term, &w);
    cr_assert_eq(w.calls, n, "every term");
    w = (TermWalk){ix, 100, 0, 0};
    index_each_term(ix, 100, 250, check_term, &w);
    cr_assert_eq(w.calls, 150, "the range's terms");
    w = (TermWalk){ix, 7, 0, 3};
    index_each_term(ix, 7, n + 10, check_term, &w);
    cr_assert_eq(w.calls, 3, "stopped when told");
    w = (TermWalk){ix, n - 2, 0, 0};
    index_each_term(ix, n - 2, n + 10, check_term, &w);
    cr_assert_eq(w.calls, 2, "a range past the end stops at it");
    index_each_term(ix, 5, 5, check_term, &w);
    cr_assert_eq(w.calls, 2, "an empty range");
    cr_assert(!index_corrupt(ix));
    index_free(ix);
    text_free(t);
    strbuf_release(&sb);
}

/* A spilled index's file identity can be set after the build (the shared mapping is written
 * through), and what is written then carries it. */
Test(index, a_spilled_block_takes_its_source_and_writes_it)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 100 << 10, mixed, sizeof mixed / sizeof *mixed, 3);
    Text *t = text_from_bytes(sb.buf, sb.len, "story");
    IndexBuildOptions opt = {.budget = 1};
    Index *ix = index_build_with(t, 1, NULL, &opt, NULL), *whole = index_build(t, 1, NULL);
    cr_assert(ix && whole);
    IndexSource src = {1234, 5, 6, 7, 8, 99};
    index_set_source(ix, &src);
    index_set_source(whole, &src);
    Strbuf got = STRBUF_INIT, want = STRBUF_INIT;
    written(ix, &got);
    written(whole, &want);
    cr_assert(got.len == want.len && !memcmp(got.buf, want.buf, got.len));
    Index *back = read_back(got.buf, got.len);
    cr_assert_eq(index_source(back).content_hash, 99);
    index_free(back);
    strbuf_release(&got);
    strbuf_release(&want);
    index_free(ix);
    index_free(whole);
    text_free(t);
    strbuf_release(&sb);
}

/* A build that must spill where it cannot write fails with a line saying so, and leaves nothing;
 * the same story within the default budget never touches the folder. */
Test(index, a_scratch_folder_that_fails_is_a_message)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 50 << 10, mixed, sizeof mixed / sizeof *mixed, 4);
    Text *t = text_from_bytes(sb.buf, sb.len, "story");
    IndexBuildOptions opt = {.scratch_dir = "/nonexistent/lector-scratch", .budget = 1};
    Diag d = {0};
    cr_assert_null(index_build_with(t, 2, NULL, &opt, &d));
    cr_assert(strstr(d.msg, "scratch"), "%s", d.msg);
    opt.budget = 0;
    d = (Diag){0};
    Index *ix = index_build_with(t, 2, NULL, &opt, &d);
    cr_assert(ix, "%s", d.msg);
    index_free(ix);
    text_free(t);
    strbuf_release(&sb);
}

/* The memory a build holds follows its budget, not the story: a 24 MiB story of a growing
 * vocabulary, mapped, indexed with a 2 MiB budget, holds about 4 MiB of its own at its peak
 * (with no budget, 44). Sampled every millisecond while it builds. */
Test(index, a_long_story_is_built_within_its_budget)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 24 << 20, mixed, sizeof mixed / sizeof *mixed, 5);
    char path[] = "/tmp/lector-index-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, sb.buf, sb.len), (ssize_t)sb.len);
    close(fd);
    strbuf_release(&sb);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0, "%s", d.msg);
    text_load_all(t); /* its paragraph list is the Text's, not the build's */
    long before = rss_anon_kb();
    Sampler *s = sampler_start("RssAnon:");
    IndexBuildOptions opt = {.budget = 2 << 20};
    Index *ix = index_build_with(t, 2, NULL, &opt, &d);
    long grew = sampler_stop(s) - before;
    cr_assert(ix, "%s", d.msg);
#ifndef UNDER_ASAN
    cr_assert_lt(grew, 8 << 10, "a build with a 2 MiB budget held %ld KiB", grew);
#else
    (void)grew;
#endif
    index_free(ix);
    text_free(t);
    unlink(path);
}

/* A cursor gives each term's positions as index_positions does, whether stepped through one by
 * one or sent ahead to targets; it never goes back, and ends where the list ends. */
Test(index, a_cursor_walks_the_positions_index_positions_lists)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 200 << 10, mixed, sizeof mixed / sizeof *mixed, 6);
    Text *t = text_from_bytes(sb.buf, sb.len, "story");
    Index *ix = index_build(t, 1, NULL);
    cr_assert(ix);
    size_t nterms = index_term_count(ix), checked = 0;
    for (uint32_t id = 0; id < nterms; id += 1 + (uint32_t)(nterms / 300)) {
        uint32_t *p = NULL;
        size_t n = 0, cap = 0;
        index_positions(ix, id, &p, &n, &cap);
        cr_assert_eq(index_term_occurrences(ix, id), n);
        IndexCursor c;
        cr_assert(index_cursor_init(ix, id, &c));
        uint32_t at;
        for (size_t i = 0; i < n; i++) { /* each in turn */
            cr_assert(index_cursor_seek(ix, &c, i ? p[i - 1] + 1 : 0, &at));
            cr_assert_eq(at, p[i], "term %u, position %zu", id, i);
        }
        cr_assert_not(index_cursor_seek(ix, &c, p[n - 1] + 1, &at), "past the last");
        cr_assert(index_cursor_init(ix, id, &c));
        for (size_t i = 0; i < n; i += 7) { /* ahead to a target between two positions */
            uint32_t target = i ? p[i - 1] + 1 : 0;
            cr_assert(index_cursor_seek(ix, &c, target, &at));
            cr_assert_eq(at, p[i]);
            cr_assert(index_cursor_seek(ix, &c, 0, &at), "a target behind stays put");
            cr_assert_eq(at, p[i]);
        }
        free(p);
        checked++;
    }
    cr_assert_gt(checked, 100);
    cr_assert_not(index_corrupt(ix));
    index_free(ix);
    text_free(t);
    strbuf_release(&sb);
}

/* Every gap a word can leave before its next place, from 1 to a million tokens, in any order
 * (a word in bursts, then long absent): the positions read back are the ones written. */
Test(index, positions_read_back_for_every_gap)
{
    const uint32_t gaps[] = {1,  1,     1,      2, 3, 1,     1, 1, 5000, 1,   1, 1 << 20,
                             2,  70000, 1,      1, 7, 65537, 1, 3, 1,    129, 1, 1,
                             16, 17,    300000, 1, 1, 1,     1, 1, 1,    1,   2, 1};
    const size_t ngaps = sizeof gaps / sizeof *gaps;
    /* "x" at the chosen places, "y" (a word at huge gaps only) at every 400,000th, "w" between */
    Strbuf sb = STRBUF_INIT;
    uint32_t *want = malloc(ngaps * sizeof *want);
    uint32_t pos = 0, next = 0;
    for (size_t i = 0; i < ngaps; i++) {
        next += gaps[i];
        for (; pos < next; pos++)
            strbuf_addstr(&sb, pos && pos % 400000 == 0 ? "y " : "w ");
        want[i] = pos++;
        strbuf_addstr(&sb, "x ");
    }
    Text *t = text_from_bytes(sb.buf, sb.len, "gaps");
    for (int threads = 1; threads <= 3; threads += 2) {
        Index *ix = index_build(t, threads, NULL);
        cr_assert(ix);
        int64_t x = index_lookup(ix, "x", 1), y = index_lookup(ix, "y", 1);
        cr_assert(x >= 0 && y >= 0);
        uint32_t *p = NULL;
        size_t n = 0, cap = 0;
        cr_assert_eq(index_positions(ix, (uint32_t)x, &p, &n, &cap), ngaps);
        for (size_t i = 0; i < ngaps; i++)
            cr_assert_eq(p[i], want[i], "place %zu: %u, not %u", i, p[i], want[i]);
        n = 0;
        size_t ny = index_positions(ix, (uint32_t)y, &p, &n, &cap);
        cr_assert_eq(ny, pos / 400000);
        for (size_t i = 0; i < ny; i++)
            cr_assert_eq(p[i] % 400000, 0);
        cr_assert_not(index_corrupt(ix));
        free(p);
        index_free(ix);
    }
    text_free(t);
    free(want);
    strbuf_release(&sb);
}

/* A word that comes every few tokens costs a few bits a place, not a byte (a varint's least):
 * a story of three words, each a gap of 2 or 4 from itself, indexes in under 0.6 bytes a token. */
Test(index, a_common_word_costs_less_than_a_byte_a_place)
{
    Strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 100000; i++)
        strbuf_addstr(&sb, i % 2 ? "the dog " : "the cat ");
    Text *t = text_from_bytes(sb.buf, sb.len, "common");
    Index *ix = index_build(t, 1, NULL);
    cr_assert(ix);
    size_t len, tokens = index_token_count(ix);
    index_bytes(ix, &len);
    cr_assert_eq(tokens, 200000);
    cr_assert_lt(len, tokens * 6 / 10, "%zu bytes for %zu tokens", len, tokens);
    index_free(ix);
    text_free(t);
    strbuf_release(&sb);
}

static void into_strbuf(void *ctx, const uint8_t *bytes, size_t len)
{
    strbuf_add(ctx, bytes, len);
}

/* golomb.h: gaps of every length from 1 bit to 32, in every order, mixed so that codes of up to
 * 64 bits start at every bit of the reader's window, read back as written; the stream then ends
 * in its padding; cut short, or only zeros, it reads as no code. */
Test(index, golomb_codes_read_back_in_every_order)
{
    unsigned seed = 7;
    uint32_t gaps[4000];
    for (int k = 0; k <= GOLOMB_MAX_K; k++) {
        for (size_t i = 0; i < sizeof gaps / sizeof *gaps; i++) {
            seed = seed * 1103515245u + 12345u;
            int len = 1 + (int)((seed >> 8) % 32); /* its length in bits */
            uint32_t top = len == 32 ? 0x80000000u : 1u << (len - 1);
            gaps[i] = top | ((seed * 2654435761u) & (top - 1));
            if (i % 97 == 0) gaps[i] = UINT32_MAX;
            if (i % 89 == 0) gaps[i] = 1;
        }
        Strbuf sb = STRBUF_INIT;
        GolombWriter w;
        golomb_begin(&w, k, into_strbuf, &sb);
        golomb_put_bits(&w, (uint64_t)k, 5);
        for (size_t i = 0; i < sizeof gaps / sizeof *gaps; i++)
            golomb_put(&w, gaps[i]);
        golomb_end(&w);
        GolombReader r;
        golomb_reader_init(&r, (const uint8_t *)sb.buf, (const uint8_t *)sb.buf + sb.len);
        uint64_t got_k;
        cr_assert(golomb_get_bits(&r, 5, &got_k));
        cr_assert_eq(got_k, (uint64_t)k);
        for (size_t i = 0; i < sizeof gaps / sizeof *gaps; i++) {
            cr_assert_not(golomb_at_end(&r));
            uint64_t g = golomb_get(&r, k);
            cr_assert_eq(g, gaps[i], "order %d, gap %zu: %llu, not %u", k, i, (unsigned long long)g,
                         gaps[i]);
        }
        cr_assert(golomb_at_end(&r), "order %d: more than the padding is left", k);
        cr_assert_eq(golomb_get(&r, k), 0);
        /* the fast reader, handing over to golomb_get where it stops and at every 7th code (in
         * the middle of a window it filled ahead), reads the same gaps and ends the same */
        golomb_reader_init(&r, (const uint8_t *)sb.buf, (const uint8_t *)sb.buf + sb.len);
        golomb_get_bits(&r, 5, &got_k);
        size_t fast = 0;
        for (size_t i = 0; i < sizeof gaps / sizeof *gaps; i++) {
            uint64_t g;
            if (i % 7 != 6 && golomb_fast_get(&r, k, &g)) {
                fast++;
            } else {
                g = golomb_get(&r, k);
            }
            cr_assert_eq(g, gaps[i], "order %d, fast, gap %zu: %llu, not %u", k, i,
                         (unsigned long long)g, gaps[i]);
        }
        cr_assert(golomb_at_end(&r), "order %d, fast: more than the padding is left", k);
        cr_assert_gt(fast, sizeof gaps / sizeof *gaps / 2, "order %d: %zu read fast", k, fast);
        /* cut short by a byte: the codes before the cut read as written, the cut one not */
        golomb_reader_init(&r, (const uint8_t *)sb.buf, (const uint8_t *)sb.buf + sb.len - 1);
        golomb_get_bits(&r, 5, &got_k);
        size_t read = 0;
        for (uint64_t g; (g = golomb_get(&r, k)) != 0; read++)
            cr_assert_eq(g, gaps[read], "order %d, cut, gap %zu", k, read);
        cr_assert_lt(read, sizeof gaps / sizeof *gaps, "order %d", k);
        cr_assert_geq(read + 8, sizeof gaps / sizeof *gaps, "order %d: only %zu read", k, read);
        strbuf_release(&sb);
    }
    const uint8_t zeros[16] = {0};
    GolombReader r;
    golomb_reader_init(&r, zeros, zeros + sizeof zeros);
    cr_assert_eq(golomb_get(&r, 0), 0, "only zeros are no code");
    /* 33 zeros, then a one and 40 bits: a gap of 2^33 or more, which no story has */
    const uint8_t big[10] = {0, 0, 0, 0, 0x40, 0xff, 0xff, 0xff, 0xff, 0xff};
    golomb_reader_init(&r, big, big + sizeof big);
    cr_assert_eq(golomb_get(&r, 0), 0, "a gap of 2^33 is no code");
    /* in order 24, 10 zeros, then a one and 34 bits: a gap of 2^35 - 2^24, in a code of 45 bits
     * that the fast reader could take whole: it leaves it, and golomb_get says no code */
    uint8_t wide[24];
    memset(wide, 0xff, sizeof wide);
    wide[0] = 0, wide[1] = 0x3f;
    golomb_reader_init(&r, wide, wide + sizeof wide);
    uint64_t g = 7;
    cr_assert_not(golomb_fast_get(&r, 24, &g), "a gap of 2^35 - 2^24 read fast: %llu",
                  (unsigned long long)g);
    cr_assert_eq(golomb_get(&r, 24), 0);
    /* 31 zeros, then a one and 31 bits: the largest gap, 2^32 - 1 */
    const uint8_t top[8] = {0, 0, 0, 0x01, 0xff, 0xff, 0xff, 0xfe};
    golomb_reader_init(&r, top, top + sizeof top);
    cr_assert_eq(golomb_get(&r, 0), UINT32_MAX);
    cr_assert_eq(golomb_order(0, 0), 0);
    cr_assert_eq(golomb_order(10, 41), 3); /* a mean length of 4.1 bits */
    cr_assert_eq(golomb_order(1, 32), GOLOMB_MAX_K);
}

/* A block of "w" at each of 6000 places whose page checks are good but whose postings say a
 * place past the last token (a forged cache), read back; *id is w's term. The caller frees the
 * index and the first one, *built, which the block was made from. */
static Index *forged_gap(Index **built, Text **t, int64_t *id)
{
    Strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 6000; i++) /* "w" at every place: gaps of 1, order 0, one bit each */
        strbuf_addstr(&sb, "w ");
    *t = text_from_bytes(sb.buf, sb.len, "w.txt");
    strbuf_release(&sb);
    *built = index_build(*t, 1, NULL);
    cr_assert(*built);
    size_t len;
    const uint8_t *bytes = index_bytes(*built, &len);
    uint8_t *forged = malloc(len);
    memcpy(forged, bytes, len);
    /* the postings are the longest run of 0xff bytes; three bytes in its middle become 23
     * zeros and a one: a code of 47 bits, a gap of over 2^23 */
    size_t best = 0, best_at = 0, run = 0;
    for (size_t i = 0; i < len; i++) {
        run = forged[i] == 0xff ? run + 1 : 0;
        if (run > best) best = run, best_at = i + 1 - run;
    }
    cr_assert_geq(best, 600, "the postings: %zu bytes of 0xff", best);
    size_t at = best_at + best / 2;
    forged[at] = 0, forged[at + 1] = 0, forged[at + 2] = 1;
    index_reseal(forged, len);
    Index *back;
    Diag d = {0};
    cr_assert_eq(index_from_bytes(forged, len, false, &back, &d), 0, "%s", d.msg);
    *id = index_lookup(back, "w", 1);
    cr_assert_geq(*id, 0);
    return back;
}

/* The forged block of forged_gap: the walks of index_positions and index_cursor_seek, fast or
 * not, stop at the place before the forged one and say the index is damaged; nothing past the
 * token count comes out. */
Test(index, a_forged_gap_past_the_last_token_stops_the_walk)
{
    Index *ix;
    Text *t;
    int64_t id;
    Index *back = forged_gap(&ix, &t, &id);
    uint32_t ntok = index_token_count(back), *pos = NULL;
    size_t n = 0, cap = 0, got = index_positions(back, (uint32_t)id, &pos, &n, &cap);
    cr_assert(index_corrupt(back));
    cr_assert_gt(got, 1000, "the places before the forged one are read: %zu", got);
    cr_assert_lt(got, 6000);
    for (size_t i = 0; i < got; i++)
        cr_assert(pos[i] == i, "place %zu is %u (of %u tokens)", i, pos[i], ntok);
    /* a walk place by place reads every code, the forged one too */
    IndexCursor c;
    cr_assert(index_cursor_init(back, (uint32_t)id, &c));
    uint32_t p = 0, walked = 0;
    bool found;
    while ((found = index_cursor_seek(back, &c, walked, &p)) && p == walked)
        walked++;
    cr_assert(!found || p < ntok, "the walk gave %u of %u tokens", p, ntok);
    cr_assert_not(found, "the walk stops at the forged gap, not past it (at %u)", p);
    cr_assert_gt(walked, 1000);
    cr_assert_lt(walked, 6000);
    free(pos);
    index_free(back);
    index_free(ix);
    text_free(t);
}

/* A seek far ahead jumps (the skips at the end of a common term's postings) instead of decoding
 * the codes on the way: over the forged gap of forged_gap, which it never reads, to the right
 * place, the index not found damaged. */
Test(index, a_far_seek_jumps_over_the_codes_between)
{
    Index *ix;
    Text *t;
    int64_t id;
    Index *back = forged_gap(&ix, &t, &id);
    uint32_t ntok = index_token_count(back), p;
    IndexCursor c;
    cr_assert(index_cursor_init(back, (uint32_t)id, &c));
    cr_assert(index_cursor_seek(back, &c, 10, &p) && p == 10);
    cr_assert(index_cursor_seek(back, &c, ntok - 1, &p), "the last place is found");
    cr_assert_eq(p, ntok - 1);
    cr_assert_not(index_corrupt(back), "the forged code was read");
    index_free(back);
    index_free(ix);
    text_free(t);
}

/* Seeks through skips land where a walk through every position would: for a word at every
 * place, one at every seventh, and one in bursts, at targets near and far, ascending. */
Test(index, seeks_with_skips_agree_with_the_positions)
{
    Strbuf sb = STRBUF_INIT;
    uint64_t rng = 7;
    for (int i = 0; i < 40000; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        const char *w = i % 7 == 0                              ? "seven"
                        : (i / 500) % 5 == 0 && (rng >> 40) % 3 ? "burst"
                                                                : "x";
        strbuf_addstr(&sb, w);
        strbuf_addstr(&sb, i % 97 == 96 ? "\n\n" : " ");
    }
    Text *t = text_from_bytes(sb.buf, sb.len, "s.txt");
    Index *ix = index_build(t, 2, NULL);
    cr_assert(ix);
    const char *words[] = {"x", "seven", "burst"};
    for (size_t w = 0; w < 3; w++) {
        int64_t id = index_lookup(ix, words[w], strlen(words[w]));
        cr_assert_geq(id, 0);
        uint32_t *pos = NULL;
        size_t n = 0, cap = 0;
        index_positions(ix, (uint32_t)id, &pos, &n, &cap);
        cr_assert_gt(n, 4000, "%s: %zu places, enough for skips", words[w], n);
        for (uint32_t stride = 1; stride < 30000; stride = stride * 3 + 1) {
            IndexCursor c;
            cr_assert(index_cursor_init(ix, (uint32_t)id, &c));
            size_t at = 0;
            for (uint32_t target = stride / 2;; target += stride) {
                while (at < n && pos[at] < target)
                    at++;
                uint32_t p;
                bool found = index_cursor_seek(ix, &c, target, &p);
                cr_assert_eq(found, at < n, "%s stride %u target %u", words[w], stride, target);
                if (!found) break;
                cr_assert_eq(p, pos[at], "%s stride %u target %u: %u, not %u", words[w], stride,
                             target, p, pos[at]);
            }
        }
        free(pos);
    }
    cr_assert_not(index_corrupt(ix));
    index_free(ix);
    text_free(t);
    strbuf_release(&sb);
}

typedef struct {
    Span *v;
    size_t n;
    size_t base;
} SpanList;

static void add_whole_span(void *ctx, size_t start, size_t end)
{
    SpanList *l = ctx;
    l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = (Span){l->base + start, l->base + end};
}

/* index_token_spans tokenizes a long paragraph in pieces cut before a space, and stops after the
 * last token it was asked for: every token still gets the span a tokenizer given the whole
 * paragraph finds, wherever the pieces fall. The paragraph (60 KB) mixes scripts, words joined
 * by an apostrophe or a point, and a mark that is a letter (U+0345) after most spaces: cut after
 * a space instead of before it, a piece would start with that mark and make a word of it. */
Test(index, token_spans_read_in_pieces_are_the_whole_paragraphs)
{
    const char *words[] = {"steppe",
                           "don't",
                           "3.14",
                           "\xe5\x8c\x97\xe4\xba\xac",
                           "\xd2\x9b\xd0\xb0\xd0\xb7\xd0\xb0\xd2\x9b",
                           "\xe0\xb8\xa0\xe0\xb8\xb2\xe0\xb8\xa9\xe0\xb8\xb2",
                           "caf\xc3\xa9",
                           "x"};
    Strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "A short one first.\n\n");
    uint64_t rng = 3;
    while (sb.len < 60000) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        strbuf_addstr(&sb, words[(rng >> 33) % 8]);
        strbuf_addstr(&sb, (rng >> 20) % 4 ? " \xcd\x85" : (rng >> 24) % 5 ? " " : "\n");
    }
    strbuf_addstr(&sb, "\n\nAnd a short one last.\n");
    Text *t = text_from_bytes(sb.buf, sb.len, "p.txt");
    Index *ix = index_build(t, 1, NULL);
    cr_assert(ix);
    cr_assert_eq(index_paragraph_count(ix), 3);
    IndexParagraph p = index_paragraph(ix, 1);
    SpanList whole = {NULL, 0, p.span.start};
    Strbuf scratch = STRBUF_INIT;
    token_each(text_bytes(t) + p.span.start, p.span.end - p.span.start, &scratch, add_whole_span,
               &whole);
    cr_assert_eq(whole.n, p.end - p.first, "the index and the tokenizer count alike");
    cr_assert_gt(whole.n, 5000);
    /* every token at once (through every cut), then some alone, then every 97th together */
    uint32_t *all = malloc(whole.n * sizeof *all);
    Span *spans = malloc(whole.n * sizeof *spans);
    for (uint32_t k = 0; k < whole.n; k++)
        all[k] = p.first + k;
    index_token_spans(ix, text_bytes(t), 0, text_len(t), all, whole.n, spans);
    for (uint32_t k = 0; k < whole.n; k++)
        cr_assert(spans[k].start == whole.v[k].start && spans[k].end == whole.v[k].end,
                  "token %u of all: [%zu, %zu), not [%zu, %zu)", k, spans[k].start, spans[k].end,
                  whole.v[k].start, whole.v[k].end);
    free(all);
    free(spans);
    for (uint32_t k = 0; k < whole.n; k += 13) {
        uint32_t pos = p.first + k;
        Span sp;
        index_token_spans(ix, text_bytes(t), 0, text_len(t), &pos, 1, &sp);
        cr_assert(sp.start == whole.v[k].start && sp.end == whole.v[k].end,
                  "token %u: [%zu, %zu), not [%zu, %zu)", k, sp.start, sp.end, whole.v[k].start,
                  whole.v[k].end);
    }
    uint32_t *many = malloc(whole.n * sizeof *many);
    Span *got = malloc(whole.n * sizeof *got);
    size_t nm = 0;
    for (uint32_t k = 0; k < whole.n; k += 97)
        many[nm++] = p.first + k;
    many[nm++] = p.end; /* the first token of the next paragraph */
    index_token_spans(ix, text_bytes(t), 0, text_len(t), many, nm, got);
    for (size_t i = 0; i + 1 < nm; i++)
        cr_assert(got[i].start == whole.v[many[i] - p.first].start, "token %u", many[i]);
    IndexParagraph last = index_paragraph(ix, 2);
    cr_assert_eq(got[nm - 1].start, last.span.start, "the next paragraph's first word");
    free(many);
    free(got);
    free(whole.v);
    strbuf_release(&scratch);
    index_free(ix);
    text_free(t);
    strbuf_release(&sb);
}

/* A story of PARAS paragraphs of one word each: paragraph i's first token is i, so the first
 * tokens are 0, 1, 2... as 2-byte fields, and the block's copy is forged where they lie. */
enum { PARAS = 2000 };

static uint8_t *one_word_paragraphs(Text **t, size_t *len, size_t *firsts)
{
    Strbuf sb = STRBUF_INIT;
    for (int i = 0; i < PARAS; i++)
        strbuf_addstr(&sb, "w\n\n");
    *t = text_from_bytes(sb.buf, sb.len, "story");
    strbuf_release(&sb);
    Index *ix = index_build(*t, 1, NULL);
    cr_assert_eq(index_paragraph_count(ix), PARAS);
    const uint8_t *bytes = index_bytes(ix, len);
    uint8_t *copy = malloc(*len);
    memcpy(copy, bytes, *len);
    index_free(ix);
    uint8_t want[2 * 64];
    for (int i = 0; i < 64; i++)
        want[2 * i] = (uint8_t)i, want[2 * i + 1] = 0;
    size_t at = 0;
    while (at + sizeof want <= *len && memcmp(copy + at, want, sizeof want) != 0)
        at++;
    cr_assert_leq(at + sizeof want, *len, "the first tokens 0, 1, 2... as 2-byte fields");
    *firsts = at;
    return copy;
}

/* The paragraph table is checked by chunks when read, not whole at open: a first token out of
 * order far from what a search reads opens and is not felt; a search that reads it finds the
 * index damaged, and what it answers stays within the story. */
Test(index, a_damaged_first_token_is_found_when_read_not_at_open)
{
    Text *t;
    size_t len, firsts;
    uint8_t *forged = one_word_paragraphs(&t, &len, &firsts);
    forged[firsts + 2 * 1500] = 0, forged[firsts + 2 * 1500 + 1] = 0; /* 1500 -> 0 */
    index_reseal(forged, len);
    Index *ix;
    Diag d = {0};
    cr_assert_eq(index_from_bytes(forged, len, false, &ix, &d), 0, "%s", d.msg);
    cr_assert_not(index_corrupt(ix));
    cr_assert_eq(index_paragraph_of(ix, 10), 10);
    cr_assert_eq(index_doc_of(ix, 300), 300);
    cr_assert_not(index_corrupt(ix), "the chunk of paragraph 1500 was read");
    size_t p = index_paragraph_of(ix, 1510);
    cr_assert(index_corrupt(ix), "a first token out of order, read, not found");
    cr_assert_lt(p, PARAS);
    for (size_t i = 1490; i < 1530; i++) {
        IndexParagraph ip = index_paragraph(ix, i);
        cr_assert(ip.first <= ip.end && ip.end <= PARAS, "paragraph %zu: [%u, %u)", i, ip.first,
                  ip.end);
        uint32_t f, e;
        index_doc_positions(ix, i, &f, &e);
        cr_assert(f <= e && e <= PARAS, "document %zu: [%u, %u)", i, f, e);
    }
    cr_assert_not(index_verify_all(ix));
    index_free(ix);
    text_free(t);
}

/* The rest of a record (its bytes, line, column) likewise: a paragraph whose start is past its
 * end is not felt until read; then it reads as an empty one within the story. */
Test(index, a_damaged_paragraph_span_is_found_when_read_not_at_open)
{
    Text *t;
    size_t len, firsts;
    uint8_t *forged = one_word_paragraphs(&t, &len, &firsts);
    /* after the PARAS + 1 first tokens: records of four 2-byte fields {start, end, line, col} */
    size_t rec = firsts + 2 * (PARAS + 1) + 8 * 1500;
    uint16_t start, end;
    memcpy(&start, forged + rec, 2);
    memcpy(&end, forged + rec + 2, 2);
    cr_assert_eq(start, 3 * 1500, "paragraph 1500 starts at byte %u", start);
    cr_assert_eq(end, start + 1);
    forged[rec] = 0xff, forged[rec + 1] = 0xff; /* past its end and the story's */
    index_reseal(forged, len);
    Index *ix;
    Diag d = {0};
    cr_assert_eq(index_from_bytes(forged, len, false, &ix, &d), 0, "%s", d.msg);
    IndexParagraph ip = index_paragraph(ix, 10);
    cr_assert_eq(ip.span.start, 30);
    cr_assert_eq(index_paragraph_at(ix, 30), 10);
    cr_assert_not(index_corrupt(ix), "the chunk of paragraph 1500 was read");
    ip = index_paragraph(ix, 1500);
    cr_assert(index_corrupt(ix), "a start past its end, read, not found");
    cr_assert(ip.span.start <= ip.span.end && ip.span.end <= text_len(t), "[%zu, %zu) of %zu",
              ip.span.start, ip.span.end, text_len(t));
    cr_assert_lt(index_paragraph_at(ix, 3 * 1510), PARAS + 1);
    index_free(ix);
    text_free(t);
}
