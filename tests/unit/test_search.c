/* Search against a brute-force reference on real text, and each matching rule on its own. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <math.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "lector/index.h"
#include "lector/search.h"
#include "lector/strbuf.h"
#include "lector/token.h"

/* The reference: every token of every document, folded, in order. */
typedef struct {
    char **folded;
    char **raw;
    size_t *doc;
    size_t n, cap;
    const uint8_t *base;
    size_t cur_doc;
    TokenFolder *f;
} Ref;

static void ref_add(void *ctx, size_t start, size_t end)
{
    Ref *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 4096;
        r->folded = realloc(r->folded, r->cap * sizeof *r->folded);
        r->raw = realloc(r->raw, r->cap * sizeof *r->raw);
        r->doc = realloc(r->doc, r->cap * sizeof *r->doc);
    }
    size_t len;
    r->folded[r->n] = strdup(token_fold(r->f, r->base + start, end - start, &len));
    r->raw[r->n] = strndup((const char *)r->base + start, end - start);
    r->doc[r->n] = r->cur_doc;
    r->n++;
}

static Ref reference(const Text *t)
{
    Ref r = {0};
    r.f = token_folder_new(TOKEN_FOLD_ALL);
    Strbuf scratch = STRBUF_INIT;
    size_t doc = 0;
    for (size_t i = 0; i < text_paragraph_count(t); i++) {
        if (i > 0 && !text_paragraph_joined(t, i)) doc++;
        Span sp = text_paragraph(t, i);
        r.base = text_bytes(t) + sp.start;
        r.cur_doc = doc;
        token_each(r.base, sp.end - sp.start, &scratch, ref_add, &r);
    }
    strbuf_release(&scratch);
    token_folder_free(r.f);
    return r;
}

static void ref_free(Ref *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->folded[i]);
        free(r->raw[i]);
    }
    free(r->folded);
    free(r->raw);
    free(r->doc);
}

static size_t match_bound(const Index *ix, const char *query)
{
    Query *q;
    Diag d = {0};
    cr_assert_eq(query_parse(query, SEARCH_FOLD, &q, &d), 0, "%s: %s", query, d.msg);
    size_t bound = search_match_bound(ix, q);
    query_free(q);
    return bound;
}

static size_t count_matches(const Index *ix, const Text *t, const char *query)
{
    Query *q;
    Diag d = {0};
    cr_assert_eq(query_parse(query, SEARCH_FOLD, &q, &d), 0, "%s: %s", query, d.msg);
    SearchMatch *m;
    size_t n = search_matches(ix, t, q, &m);
    size_t bound = search_match_bound(ix, q);
    cr_assert_geq(bound, n, "%s: bound %zu under the %zu matches", query, bound, n);
    search_match_spans(ix, text_bytes(t), 0, text_len(t), m, n);
    for (size_t i = 0; i < n; i++) /* each match's span holds its tokens' bytes */
        cr_assert(m[i].span.start < m[i].span.end && m[i].span.end <= text_len(t));
    free(m);
    query_free(q);
    return n;
}

/* Words, prefixes and phrases sampled from the story: the index finds exactly what a plain scan
 * of the same folded tokens finds. */
static void check_against_reference(const char *name, const void *bytes, size_t len)
{
    Text *t = text_from_bytes(bytes, len, name);
    /* built on one thread or on four (paragraphs shared out, postings merged): the same bytes */
    Index *one = index_build(t, 1, NULL), *four = index_build(t, 4, NULL);
    size_t n1, n4;
    const void *b1 = index_bytes(one, &n1), *b4 = index_bytes(four, &n4);
    cr_assert(n1 == n4 && !memcmp(b1, b4, n1), "%s: threaded build differs", name);
    index_free(four);
    /* and searched as read back from those bytes, as from the cache (checked page by page) */
    void *copy = malloc(n1);
    memcpy(copy, b1, n1);
    index_free(one);
    Index *ix;
    Diag d = {0};
    cr_assert_eq(index_from_bytes(copy, n1, false, &ix, &d), 0, "%s: %s", name, d.msg);
    Ref r = reference(t);
    cr_assert_eq(index_token_count(ix), r.n, "%s: token count", name);
    size_t step = r.n / 40 + 1, checked = 0;
    for (size_t s = 0; s + 2 < r.n; s += step) {
        /* a word */
        size_t want = 0;
        for (size_t i = 0; i < r.n; i++)
            want += !strcmp(r.folded[i], r.folded[s]);
        char *qw = malloc(strlen(r.raw[s]) + 3);
        sprintf(qw, "\"%s\"", r.raw[s]);
        cr_assert_eq(count_matches(ix, t, qw), want, "%s: word %s", name, r.raw[s]);
        sprintf(qw, "=%s", r.raw[s]); /* =word: the same, and its places are its bound */
        if (!strchr(r.raw[s], '"') && !strchr(r.raw[s], ' ')) {
            cr_assert_eq(count_matches(ix, t, qw), want, "%s: =%s", name, r.raw[s]);
            cr_assert_eq(match_bound(ix, qw), want, "%s: bound of =%s", name, r.raw[s]);
        }
        free(qw);
        /* the bare word: every token that begins with it (when it is one token as typed) */
        size_t wantb = 0, flen = strlen(r.folded[s]);
        for (size_t i = 0; i < r.n; i++)
            wantb += !strncmp(r.folded[i], r.folded[s], flen);
        Query *one;
        Diag qd = {0};
        if (query_parse(r.raw[s], SEARCH_FOLD, &one, &qd) == 0) {
            bool single = query_item_count(one) == 1;
            query_free(one);
            if (single && !strchr(r.raw[s], '"') && r.raw[s][0] != '=')
                cr_assert_eq(count_matches(ix, t, r.raw[s]), wantb, "%s: bare %s", name, r.raw[s]);
        }
        /* a prefix: the first two bytes of an ASCII word, when both are letters or digits (a
         * query word ends at a '.': "2.*" is the prefix 2) */
        if (strlen(r.folded[s]) >= 3 && (unsigned char)r.folded[s][0] < 0x80 &&
            (unsigned char)r.folded[s][1] < 0x80 && isalnum((unsigned char)r.folded[s][0]) &&
            isalnum((unsigned char)r.folded[s][1])) {
            char pre[8] = {r.folded[s][0], r.folded[s][1], '*', 0};
            size_t wantp = 0;
            for (size_t i = 0; i < r.n; i++)
                wantp += !strncmp(r.folded[i], r.folded[s], 2);
            cr_assert_eq(count_matches(ix, t, pre), wantp, "%s: prefix %s", name, pre);
        }
        /* NEAR of this word and the one three on, within 5 words: each occurrence of either
         * with one of the other in its document at most 5 words away */
        if (r.doc[s] == r.doc[s + 2] && strcmp(r.folded[s], r.folded[s + 2]) &&
            !strpbrk(r.raw[s], "\"(), ") && !strpbrk(r.raw[s + 2], "\"(), ")) {
            size_t wantn = 0;
            for (size_t i = 0; i < r.n; i++) {
                bool is_a = !strcmp(r.folded[i], r.folded[s]),
                     is_b = !strcmp(r.folded[i], r.folded[s + 2]);
                if (!is_a && !is_b) continue;
                const char *other = is_a ? r.folded[s + 2] : r.folded[s];
                bool near = false;
                for (size_t j = i > 6 ? i - 6 : 0; j < r.n && j <= i + 6 && !near; j++)
                    near = j != i && r.doc[j] == r.doc[i] && !strcmp(r.folded[j], other);
                wantn += near;
            }
            Strbuf q = STRBUF_INIT;
            strbuf_addf(&q, "NEAR(\"%s\" \"%s\", 5)", r.raw[s], r.raw[s + 2]);
            cr_assert_eq(count_matches(ix, t, q.buf), wantn, "%s: %s", name, q.buf);
            cr_assert_geq(wantn, 2);
            strbuf_release(&q);
        }
        /* a phrase of three tokens, when they are in one document */
        if (r.doc[s] == r.doc[s + 2]) {
            size_t wantph = 0;
            for (size_t i = 0; i + 2 < r.n; i++)
                wantph += r.doc[i] == r.doc[i + 2] && !strcmp(r.folded[i], r.folded[s]) &&
                          !strcmp(r.folded[i + 1], r.folded[s + 1]) &&
                          !strcmp(r.folded[i + 2], r.folded[s + 2]);
            Strbuf q = STRBUF_INIT;
            strbuf_addf(&q, "\"%s %s %s\"", r.raw[s], r.raw[s + 1], r.raw[s + 2]);
            cr_assert_eq(count_matches(ix, t, q.buf), wantph, "%s: phrase %s", name, q.buf);
            cr_assert_geq(wantph, 1);
            /* its bound: the places of its rarest word */
            size_t rarest = SIZE_MAX;
            for (size_t k = s; k < s + 3; k++) {
                size_t c = 0;
                for (size_t i = 0; i < r.n; i++)
                    c += !strcmp(r.folded[i], r.folded[k]);
                if (c < rarest) rarest = c;
            }
            cr_assert_eq(match_bound(ix, q.buf), rarest, "%s: bound of %s", name, q.buf);
            strbuf_release(&q);
        }
        checked++;
    }
    cr_assert_gt(checked, 10);
    cr_assert(index_verify_all(ix) && !index_corrupt(ix));
    ref_free(&r);
    index_free(ix);
    text_free(t);
}

Test(search_reference, kjv, .timeout = 300)
{
    size_t len;
    char *kjv = read_command("bible -l0 'gen1:1-ex40:38' 2>/dev/null", &len);
    cr_assert_gt(len, 100000, "bible-kjv missing: apt-get install bible-kjv");
    check_against_reference("kjv", kjv, len);
    free(kjv);
}

Test(search_reference, russian_and_chinese_fortunes, .timeout = 300)
{
    size_t len;
    char *ru =
        read_command("cat /usr/share/games/fortunes/ru/* 2>/dev/null | head -c 600000", &len);
    cr_assert_gt(len, 100000, "fortunes-ru missing");
    check_against_reference("ru", ru, len);
    free(ru);
    char *zh =
        read_command("cat /usr/share/games/fortunes/chinese /usr/share/games/fortunes/tang300"
                     " /usr/share/games/fortunes/song100 2>/dev/null | head -c 400000",
                     &len);
    cr_assert_gt(len, 50000, "fortunes-zh missing");
    check_against_reference("zh", zh, len);
    free(zh);
}

Test(search_reference, shipped_stories_and_hostile_text)
{
    size_t len;
    char *stories = read_command("cat " LECTOR_SOURCE_DIR "/texts/*.txt", &len);
    cr_assert_gt(len, 1000);
    check_against_reference("stories", stories, len);
    free(stories);
    /* random bytes, with words and escape sequences mixed in */
    Strbuf h = STRBUF_INIT;
    unsigned seed = 1;
    const char *bits[] = {"word ", "\x1b[2J", "café ", "\xff\xfe",
                          "ёлка ", "\n\n",    "北京 ", "\r\n"};
    for (int i = 0; i < 60000; i++) {
        seed = seed * 1103515245u + 12345u;
        if ((seed >> 16) % 3)
            strbuf_addstr(&h, bits[(seed >> 8) % 8]);
        else
            strbuf_addch(&h, (char)(seed >> 5));
    }
    check_against_reference("hostile", h.buf, h.len);
    strbuf_release(&h);
}

/* Phrases of common words (each but the rarest walked with a cursor, rarest first, jumping
 * through the skips of lists of thousands of places): found exactly where a scan of the folded
 * tokens finds them, across paragraphs that end before the phrase does, and past the last place
 * of one of its words. */
Test(search_reference, phrases_of_common_words_walked_through_skips)
{
    const char *words[] = {"the", "The", "of", "and", "lord", "son", "man"};
    const unsigned weight[] = {30, 8, 18, 20, 12, 6, 6}; /* out of 100 */
    Strbuf sb = STRBUF_INIT;
    unsigned seed = 11;
    for (int i = 0; i < 200000; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned x = (seed >> 8) % 100, w = 0;
        while (x >= weight[w])
            x -= weight[w++];
        strbuf_addstr(&sb, words[w]);
        strbuf_addstr(&sb, (seed >> 4) % 53 == 0 ? "\n\n" : " ");
    }
    strbuf_addstr(&sb, "\n\nthe son of the son of the son of the"); /* no man after these */
    Text *t = text_from_bytes(sb.buf, sb.len, "common");
    Index *ix = index_build(t, 1, NULL);
    Ref r = reference(t);
    const char *phrases[][6] = {{"the", "son", "of", "man"},
                                {"of", "the", "lord"},
                                {"the", "the"},
                                {"son", "of", "the", "man", "and", "the"},
                                {"and", "the", "lord", "of"},
                                {"the", "son", "of", "the"}};
    for (size_t p = 0; p < sizeof phrases / sizeof *phrases; p++) {
        size_t nw = 0;
        Strbuf q = STRBUF_INIT;
        strbuf_addch(&q, '"');
        for (; nw < 6 && phrases[p][nw]; nw++)
            strbuf_addf(&q, "%s%s", nw ? " " : "", phrases[p][nw]);
        strbuf_addch(&q, '"');
        size_t want = 0, places = 0;
        for (size_t i = 0; i + nw <= r.n; i++) {
            bool ok = r.doc[i] == r.doc[i + nw - 1];
            for (size_t k = 0; k < nw && ok; k++)
                ok = !strcmp(r.folded[i + k], phrases[p][k]);
            want += ok;
        }
        size_t rarest = SIZE_MAX; /* its places are an array; the others' are walked */
        for (size_t k = 0; k < nw; k++) {
            size_t c = 0;
            for (size_t i = 0; i < r.n; i++)
                c += !strcmp(r.folded[i], phrases[p][k]);
            places += c;
            if (c < rarest) rarest = c;
        }
        places -= rarest;
        cr_assert_gt(places, 70000, "%s: %zu places, too few to need skips", q.buf, places);
        cr_assert_gt(want, 0, "%s", q.buf);
        cr_assert_eq(count_matches(ix, t, q.buf), want, "%s", q.buf);
        strbuf_release(&q);
    }
    cr_assert_not(index_corrupt(ix));
    ref_free(&r);
    index_free(ix);
    text_free(t);
    strbuf_release(&sb);
}

static Index *build(const char *s, Text **t)
{
    *t = text_from_bytes(s, strlen(s), NULL);
    return index_build(*t, 1, NULL);
}

static size_t hits(const char *story, const char *query, SearchMode mode)
{
    Text *t;
    Index *ix = build(story, &t);
    Query *q;
    Diag d = {0};
    cr_assert_eq(query_parse(query, mode, &q, &d), 0);
    SearchMatch *m;
    size_t n = search_matches(ix, t, q, &m);
    free(m);
    query_free(q);
    index_free(ix);
    text_free(t);
    return n;
}

/* The code points of UTF-8 s (1 and 2-byte sequences) into cp; their count. */
static size_t code_points(const char *s, uint32_t *cp)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p < 0x80) {
            cp[n++] = *p++;
        } else {
            cp[n++] = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
            p += 2;
        }
    }
    return n;
}

static size_t levenshtein(const char *a, const char *b)
{
    uint32_t x[32], y[32];
    size_t nx = code_points(a, x), ny = code_points(b, y), d[33][33];
    for (size_t i = 0; i <= nx; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= ny; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= nx; i++)
        for (size_t j = 1; j <= ny; j++) {
            size_t sub = d[i - 1][j - 1] + (x[i - 1] != y[j - 1]), del = d[i - 1][j] + 1,
                   ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[nx][ny];
}

/* word~ finds exactly the words of the story within two edits of it (Levenshtein over code
 * points, worked here by brute force), in Latin and Cyrillic: a vocabulary of random words and
 * of words one and two edits from others (a letter changed, added, dropped, two swapped). */
Test(search, a_fuzzy_word_finds_exactly_the_words_within_two_edits)
{
    const char *latin = "abdehilnorst", *cyrillic[] = {"а", "б", "в", "д", "е", "и", "к", "л",
                                                       "м", "н", "о", "р", "с", "т", "у", "я"};
    enum { WORDS = 300 };
    static char words[WORDS][64];
    uint32_t seed = 12345;
    size_t nw = 0;
    while (nw < WORDS) {
        char w[64] = "";
        seed = seed * 1103515245u + 12345u;
        bool cyr = seed >> 16 & 1;
        size_t len = 3 + (seed >> 8) % 6;
        if (nw >= 40 && nw % 2) { /* an edit or two of an earlier word */
            strcpy(w, words[(seed >> 4) % nw]);
            for (int e = 0; e < 1 + (int)(seed >> 20) % 2; e++) {
                seed = seed * 1103515245u + 12345u;
                uint32_t cp[32];
                size_t n = code_points(w, cp), at = (seed >> 8) % n;
                uint32_t other = cp[(seed >> 12) % n]; /* a letter of its own script */
                int kind = (int)(seed >> 16) % 4;
                if (kind == 0) cp[at] = other;
                if (kind == 1 && n < 12) {
                    memmove(cp + at + 1, cp + at, (n - at) * sizeof *cp);
                    cp[at] = other;
                    n++;
                }
                if (kind == 2 && n > 3) {
                    memmove(cp + at, cp + at + 1, (n - at - 1) * sizeof *cp);
                    n--;
                }
                if (kind == 3 && at + 1 < n) {
                    uint32_t c = cp[at];
                    cp[at] = cp[at + 1];
                    cp[at + 1] = c;
                }
                char *o = w;
                for (size_t i = 0; i < n; i++) {
                    if (cp[i] < 0x80) {
                        *o++ = (char)cp[i];
                    } else {
                        *o++ = (char)(0xc0 | cp[i] >> 6);
                        *o++ = (char)(0x80 | (cp[i] & 0x3f));
                    }
                }
                *o = 0;
            }
        } else {
            for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                if (cyr)
                    strcat(w, cyrillic[(seed >> 16) % 16]);
                else
                    strncat(w, latin + (seed >> 16) % 12, 1);
            }
        }
        bool seen = false;
        for (size_t k = 0; k < nw && !seen; k++)
            seen = !strcmp(words[k], w);
        if (!seen) strcpy(words[nw++], w);
    }
    Strbuf story = STRBUF_INIT;
    for (size_t k = 0; k < nw; k++)
        strbuf_addf(&story, "%s%s", words[k], k % 20 == 19 ? "\n\n" : " ");
    size_t probes = 0, found = 0;
    for (size_t k = 0; k < nw; k += 7) {
        char query[80];
        snprintf(query, sizeof query, "%.63s~", words[k]);
        size_t want = 0;
        for (size_t j = 0; j < nw; j++)
            want += levenshtein(words[k], words[j]) <= 2;
        cr_assert_eq(hits(story.buf, query, SEARCH_SMART), want, "%s", query);
        probes++;
        found += want;
    }
    cr_assert_gt(found, probes * 2, "the probes have near words to find");
    strbuf_release(&story);
}

Test(search, folding_in_queries)
{
    cr_assert_eq(hits("A café, a CAFE and a cafe\xcc\x81.", "cafe", SEARCH_SMART), 3);
    cr_assert_eq(hits("Ёлка и ЕЛКА и ёлка.", "елка", SEARCH_SMART), 3);
    cr_assert_eq(hits("йод и иод", "иод", SEARCH_SMART), 1);
    cr_assert_eq(hits("Die Straße, die STRASSE.", "strasse", SEARCH_SMART), 2);
    cr_assert_eq(hits("the ﬁsh and the fish", "fish", SEARCH_SMART), 2);
}

/* A soft hyphen or a zero-width character inside a word changes where it may break, not how it
 * is spelled: the word is found as typed without them, in every mode, and as a substring. */
Test(search, soft_hyphens_and_zero_width_characters_are_not_spelling)
{
    const char *s = "An extra\u00adordinary cat. Электри\u00adчество. hello\u200bworld? co\u2060op";
    cr_assert_eq(hits(s, "extraordinary", SEARCH_SMART), 1);
    cr_assert_eq(hits(s, "extraordinary", SEARCH_EXACT), 1);
    cr_assert_eq(hits(s, "extra\u00adordinary", SEARCH_SMART), 1, "pasted with it too");
    cr_assert_eq(hits(s, "extraord", SEARCH_SMART), 1, "its start, across it");
    cr_assert_eq(hits(s, "электричество", SEARCH_SMART), 1);
    cr_assert_eq(hits(s, "coop", SEARCH_SMART), 1);
    cr_assert_eq(hits(s, "world", SEARCH_SMART), 1, "a zero-width space still divides");
}

Test(search, smart_case_and_exact)
{
    const char *s = "Lord, lord, LORD and lórd.";
    cr_assert_eq(hits(s, "lord", SEARCH_SMART), 4);
    cr_assert_eq(hits(s, "Lord", SEARCH_SMART), 1, "an uppercase letter: case counts");
    cr_assert_eq(hits(s, "lord", SEARCH_EXACT), 1);
    cr_assert_eq(hits(s, "lórd", SEARCH_EXACT), 1);
    cr_assert_eq(hits(s, "lord", SEARCH_FOLD), 4);
}

Test(search, phrases_across_line_ends_but_not_paragraphs)
{
    const char *s = "and the son\nof man said\n\nthe son\n\nof man";
    cr_assert_eq(hits(s, "\"the son of man\"", SEARCH_SMART), 1);
    cr_assert_eq(hits(s, "\"son of\"", SEARCH_SMART), 1);
}

/* The one rule (search.h): a word finds the words that begin with it, =word the word whole, a
 * quoted phrase whole words in a row; a word given twice is one. */
Test(search, the_one_rule_and_unspaced_words)
{
    const char *s = "The steppes, a steppe; grandmother and mother. 我爱北京天安门。";
    cr_assert_eq(hits(s, "steppe*", SEARCH_SMART), 2);
    cr_assert_eq(hits(s, "steppe", SEARCH_SMART), 2, "the words that begin with it");
    cr_assert_eq(hits(s, "=steppe", SEARCH_SMART), 1, "the whole word");
    cr_assert_eq(hits(s, "\"a steppe\"", SEARCH_SMART), 1);
    cr_assert_eq(hits(s, "\"a steppe*\"", SEARCH_SMART), 1);
    cr_assert_eq(hits(s, "\"the steppe\"", SEARCH_SMART), 0, "a phrase's words are whole");
    cr_assert_eq(hits(s, "mother", SEARCH_SMART), 1, "not inside grandmother");
    cr_assert_eq(hits(s, "grand", SEARCH_SMART), 1);
    cr_assert_eq(hits(s, "mother mother mother", SEARCH_SMART), 1, "repeated: one item");
    cr_assert_eq(hits(s, "step steppe", SEARCH_SMART), 2, "two items at one place: counted once");
    cr_assert_eq(hits(s, "北京", SEARCH_SMART), 1, "a Chinese word inside a sentence");
    cr_assert_eq(hits(s, "京北", SEARCH_SMART), 0);
}

/* A query's work is linear in its distinct words: one given 300 times is one item (a query of
 * 40 copies of a word once took 38 s on a 1 MB story, and counted each place 40 times). Past
 * SEARCH_MAX_ITEMS different words the query is refused with a reason. */
Test(search, repeated_words_are_one_item_and_many_words_are_refused)
{
    Strbuf q = STRBUF_INIT;
    for (int i = 0; i < 300; i++)
        strbuf_addstr(&q, i % 2 ? "The " : "the ");
    strbuf_addstr(&q, "\"the wind\" \"the  wind\" =the");
    Query *parsed;
    Diag d = {0};
    cr_assert_eq(query_parse(q.buf, SEARCH_FOLD, &parsed, &d), 0, "%s", d.msg);
    cr_assert_eq(query_item_count(parsed), 3, "the, \"the wind\", =the");
    query_free(parsed);
    strbuf_reset(&q);
    for (int i = 0; i <= SEARCH_MAX_ITEMS; i++)
        strbuf_addf(&q, "word%d ", i);
    cr_assert_neq(query_parse(q.buf, SEARCH_FOLD, &parsed, &d), 0);
    cr_assert(strstr(d.msg, "more than"), "%s", d.msg);
    strbuf_release(&q);
}

/* A word is found in its possessive and after an elided article, as FTS5 and rg -w find it
 * ("LORD'S", "l'homme": UAX #29 makes one word of each); the whole form still finds itself. */
Test(search, a_word_is_found_in_its_possessive_and_after_an_elision)
{
    const char *s = "The LORD'S house.\n\nL'homme et l\xe2\x80\x99"
                    "enfant.\n\n"
                    "The lord of the house.\n\nWe don't know.\n";
    cr_assert_eq(hits(s, "=lord", SEARCH_SMART), 2, "LORD'S and lord");
    cr_assert_eq(hits(s, "homme", SEARCH_SMART), 1);
    cr_assert_eq(hits(s, "=enfant", SEARCH_SMART), 1, "after a typographic apostrophe");
    cr_assert_eq(hits(s, "=lord's", SEARCH_SMART), 1, "the whole form: a phrase of its parts");
    cr_assert_eq(hits(s, "don't", SEARCH_SMART), 1);
    cr_assert_eq(hits(s, "\"l'enfant\"", SEARCH_SMART), 1, "either apostrophe in the query");
    /* the apostrophe a word keeps, or U+02BC, however it is spelt */
    const char *k = "5\xe2\x80\x99"
                    "000 francs.\n\n\xd7\x92\xd7\xb3\xd7\x99\xd7\xa8\xd7\xa4\xd7\x94.\n\n"
                    "\xd1\x81\xd1\x96\xd0\xbc\xca\xbc\xd1\x8f\n";
    cr_assert_eq(hits(k, "=5'000", SEARCH_SMART), 1);
    cr_assert_eq(hits(k, "\xd7\x92'\xd7\x99\xd7\xa8\xd7\xa4\xd7\x94", SEARCH_SMART), 1, "a geresh");
    cr_assert_eq(hits(k, "\xd1\x81\xd1\x96\xd0\xbc'\xd1\x8f", SEARCH_SMART), 1,
                 "Ukrainian's U+02BC");
}

/* NEAR(a b, N): only the places of a and b that stand within N words of each other in one
 * paragraph; word~ finds the words within two edits; a word spelt wrong gets the nearest. */
Test(search, near_fuzzy_and_suggestions)
{
    const char *s = "The wind came down from the hills and pressed the grass.\n\n"
                    "The grass was wind blown, far away from any hills at all.\n\n"
                    "Jehoshaphat was king; so was Jehoshaphat's son, and Josaphat was not.\n\n"
                    "wind\n\nhills\n";
    cr_assert_eq(hits(s, "NEAR(wind hills, 3)", SEARCH_SMART), 0, "four words between");
    cr_assert_eq(hits(s, "NEAR(wind hills, 4)", SEARCH_SMART), 2);
    cr_assert_eq(hits(s, "NEAR(wind hills, 6)", SEARCH_SMART), 4);
    cr_assert_eq(hits(s, "NEAR(wind hills)", SEARCH_SMART), 4, "10 by default");
    cr_assert_eq(hits(s, "wind hills", SEARCH_SMART), 4, "not across paragraphs either way");
    cr_assert_eq(hits(s, "NEAR(\"the hills\" grass, 3)", SEARCH_SMART), 2, "a phrase in it");
    cr_assert_eq(hits(s, "NEAR(wind hills, 4) grass", SEARCH_SMART), 3, "and another word");
    /* two items at one place (a word and a prefix of it): 0 words apart, each "wind" near */
    cr_assert_eq(hits(s, "NEAR(wind wi, 1)", SEARCH_SMART), 3);
    cr_assert_eq(hits(s, "NEAR(wi wind, 1)", SEARCH_SMART), 3);
    cr_assert_eq(hits(s, "jehosaphat~", SEARCH_SMART), 3,
                 "Jehoshaphat, Jehoshaphat's and Josaphat: two edits away");
    cr_assert_eq(hits(s, "jehoshaphat", SEARCH_SMART), 2, "Jehoshaphat and Jehoshaphat's");
    cr_assert_eq(hits(s, "hils~", SEARCH_SMART), 3);
    Text *t;
    Index *ix = build(s, &t);
    Query *q;
    Diag d = {0};
    cr_assert_eq(query_parse("jehosaphat king", SEARCH_SMART, &q, &d), 0);
    const Index *one = ix;
    char *near = search_suggest(q, &one, 1);
    cr_assert_not_null(near);
    cr_assert_str_eq(near, "jehoshaphat", "the most frequent of the near words");
    free(near);
    query_free(q);
    cr_assert_eq(query_parse("wind hills", SEARCH_SMART, &q, &d), 0);
    cr_assert_null(search_suggest(q, &one, 1), "every word is there");
    query_free(q);
    index_free(ix);
    text_free(t);
}

/* Checks the word search_suggest names for query over the stories built from texts[0, n):
 * want, or none when want is NULL; why says what the case shows. */
static void expect_suggestion(const char *const *texts, size_t n, const char *query,
                              const char *want, const char *why)
{
    Text *t[4];
    Index *ix[4];
    cr_assert_leq(n, 4);
    for (size_t i = 0; i < n; i++)
        ix[i] = build(texts[i], &t[i]);
    Query *q;
    Diag d = {0};
    cr_assert_eq(query_parse(query, SEARCH_SMART, &q, &d), 0, "%s", d.msg);
    char *near = search_suggest(q, (const Index *const *)ix, n);
    if (want)
        cr_assert(near && !strcmp(near, want), "%s: %s named %s, not %s", why, query,
                  near ? near : "nothing", want);
    else
        cr_assert_null(near, "%s: %s named %s", why, query, near);
    free(near);
    query_free(q);
    for (size_t i = 0; i < n; i++) {
        index_free(ix[i]);
        text_free(t[i]);
    }
}

/* The word named for one spelt wrong: of the words the fewest edits away, the most frequent over
 * all the stories, its occurrences summed (dombrka is the more frequent in the first story,
 * dombra over both, whatever their order); a word one edit away beats a more frequent word two
 * edits away (dobra), as a spelling corrector ranks them. */
Test(search, a_suggestion_is_the_nearest_then_most_frequent_word_over_all_the_stories)
{
    const char *a = "Dombrka and dombrka, then a dombra.\n", *b = "Dombra; dombra.\n";
    expect_suggestion(&a, 1, "dombrra", "dombrka", "the first story alone: 2 against 1");
    const char *both[] = {a, b}, *turned[] = {b, a};
    expect_suggestion(both, 2, "dombrra", "dombra", "over both: 3 against 2");
    expect_suggestion(turned, 2, "dombrra", "dombra", "over both, the other way round");
    const char *c = "dobra dobra dobra dobra, and one dombra\n";
    expect_suggestion(&c, 1, "dombrra", "dombra", "one edit away (1), not two (dobra, 4)");
    const char *d = "dobra dobra, dobra\n";
    expect_suggestion(&d, 1, "dombrra", "dobra", "two edits away when no word is nearer");
}

/* How far the named word may be goes by the word's length in letters (code points), as search
 * engines' "auto" fuzziness: none for two letters (any two-letter word is two edits from any
 * other: Korean 흥뷰 named the Russian "не"), one for three to five, two for more; and a letter
 * is a code point, not a byte (흥부, one syllable short of 흥부와, was three bytes short). */
Test(search, a_suggestion_is_as_near_as_the_word_is_long)
{
    const char *a = "не не не, и a a a.\n";
    expect_suggestion(&a, 1, "흥뷰", NULL, "two letters: no word is near enough");
    const char *b = "steppes steppes steppes steppes steppes\n";
    expect_suggestion(&b, 1, "stepe", NULL, "five letters: one edit, and steppes is two");
    const char *c = "steppes steppes steppes steppes steppes, one steppe\n";
    expect_suggestion(&c, 1, "stepe", "steppe", "five letters: one edit");
    expect_suggestion(&b, 1, "stappees", "steppes", "eight letters: two edits");
    const char *k = "흥부 흥부, 놀부\n";
    expect_suggestion(&k, 1, "흥부와", "흥부", "one syllable (three bytes) less");
}

/* Two paragraphs alike but for how far apart the words stand: the nearer ranks first (BM25
 * alone ties them, and a tie goes to the earlier paragraph, the far one here). */
Test(search, nearer_words_rank_first)
{
    const char *story = "the dombra and the long road home, and then the steppe\n\n"
                        "the dombra and the steppe, and then the long road home\n";
    Query *q;
    Diag d = {0};
    cr_assert_eq(query_parse("dombra steppe", SEARCH_SMART, &q, &d), 0);
    SearchSet *set = search_set_new(q);
    Text *t;
    Index *ix = build(story, &t);
    search_set_add(set, 0, ix, NULL, NULL);
    const SearchHit *h;
    cr_assert_eq(search_set_hits(set, 0, &h), 2);
    cr_assert_eq(h[0].doc, 1, "two words apart beats eight");
    cr_assert_gt(h[0].score, h[1].score);
    search_set_free(set);
    query_free(q);
    index_free(ix);
    text_free(t);
}

Test(search, empty_or_punctuation_queries_are_refused)
{
    Query *q;
    Diag d = {0};
    cr_assert_neq(query_parse("", SEARCH_SMART, &q, &d), 0);
    cr_assert_neq(query_parse(" ... !? -- ", SEARCH_SMART, &q, &d), 0);
    cr_assert(strstr(d.msg, "no words"));
}

/* Ranking on a tiny shelf: a rare word outweighs a common one, more occurrences in a short
 * paragraph outrank one in a long paragraph, and every hit has both words. */
Test(search, bm25_order_on_a_small_shelf)
{
    const char *stories[] = {
        "the dombra plays\n\nthe wind and the steppe and the long long road home again",
        "dombra dombra, the steppe\n\nnothing here",
        "the steppe the steppe the steppe\n\nthe dombra and the steppe",
    };
    Query *q;
    Diag d = {0};
    cr_assert_eq(query_parse("dombra steppe", SEARCH_SMART, &q, &d), 0);
    SearchSet *set = search_set_new(q);
    Text *t[3];
    Index *ix[3];
    for (int i = 0; i < 3; i++) {
        ix[i] = build(stories[i], &t[i]);
        search_set_add(set, (size_t)i, ix[i], NULL, NULL);
    }
    const SearchHit *h;
    size_t n = search_set_hits(set, 0, &h);
    cr_assert_eq(n, 2, "paragraphs with both words: story 1's first, story 2's second");
    cr_assert_eq(h[0].story, 1, "two dombras in a short paragraph rank first");
    cr_assert_eq(h[1].story, 2);
    cr_assert_gt(h[0].score, h[1].score);
    cr_assert_eq(h[0].matches, 3);
    double second = h[1].score;
    /* asked for the best one only: the same one first */
    cr_assert_eq(search_set_hits(set, 1, &h), 2);
    cr_assert_eq(h[0].story, 1);
    cr_assert_gt(h[0].score, second);
    search_set_free(set);
    for (int i = 0; i < 3; i++) {
        index_free(ix[i]);
        text_free(t[i]);
    }
    query_free(q);
}

/* BM25 with the proximity boost, worked by hand for each hit of two words over two stories of
 * two paragraphs each (4 documents of 3, 1, 5 and 3 words: the average 3): each document's own
 * term frequencies, length and gap (other words in the narrowest window holding both) make its
 * score, whatever the story or the order the stories came in. */
Test(search, bm25_scores_each_document_by_its_own_counts)
{
    const char *stories[] = {
        "dombra steppe dombra\n\nwind",
        "the dombra and the steppe\n\nsteppe steppe dombra",
    };
    struct {
        size_t story, doc;
        double tf_dombra, tf_steppe, dl, gap;
    } want[] = {{0, 0, 2, 1, 3, 0}, {1, 0, 1, 1, 5, 2}, {1, 1, 1, 2, 3, 0}};
    const double k1 = 1.2, b = 0.75, N = 4, avgdl = 3, df = 3; /* both words in 3 documents */
    const double idf = log(1.0 + (N - df + 0.5) / (df + 0.5));
    Query *q;
    Diag d = {0};
    cr_assert_eq(query_parse("dombra steppe", SEARCH_SMART, &q, &d), 0);
    Text *t[2];
    Index *ix[2];
    for (int i = 0; i < 2; i++)
        ix[i] = build(stories[i], &t[i]);
    for (int order = 0; order < 2; order++) { /* the stories added in either order */
        SearchSet *set = search_set_new(q);
        for (int k = 0; k < 2; k++) {
            int i = order ? 1 - k : k;
            search_set_add(set, (size_t)i, ix[i], NULL, NULL);
        }
        const SearchHit *h;
        cr_assert_eq(search_set_hits(set, 0, &h), 3);
        for (size_t w = 0; w < 3; w++) {
            double score = 0;
            for (int word = 0; word < 2; word++) {
                double tf = word ? want[w].tf_steppe : want[w].tf_dombra;
                score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * want[w].dl / avgdl));
            }
            score *= 1 + 0.5 / (1 + want[w].gap);
            bool found = false;
            for (size_t j = 0; j < 3; j++) {
                if (h[j].story != want[w].story || h[j].doc != want[w].doc) continue;
                found = true;
                cr_assert_float_eq(h[j].score, score, 1e-9, "story %zu, document %zu: %g, not %g",
                                   want[w].story, want[w].doc, h[j].score, score);
                cr_assert_eq(h[j].matches, (size_t)(want[w].tf_dombra + want[w].tf_steppe));
            }
            cr_assert(found, "story %zu, document %zu is a hit", want[w].story, want[w].doc);
        }
        search_set_free(set);
    }
    for (int i = 0; i < 2; i++) {
        index_free(ix[i]);
        text_free(t[i]);
    }
    query_free(q);
}

/* Where every paragraph with one word has the other, NEAR(a b, N) with N wider than any
 * paragraph ranks as "a b" does: the same hits, scores, counts and first places (its places,
 * documents and gaps come from the places NEAR kept, merged once, where "a b" merges each
 * document's; a paragraph with one of them alone would count for "a b"'s document frequency and
 * not for NEAR's). */
Test(search, a_wide_near_ranks_as_its_words_do)
{
    const char *stories[] = {
        "the dombra plays on the long steppe\n\nthe wind and the long long road home again",
        "dombra dombra, the steppe\n\nnothing here\n\nsteppe, steppe; a dombra far from the "
        "steppe and the other dombra",
        "the steppe, the steppe, the steppe and a dombra\n\nthe dombra and the steppe",
    };
    const char *queries[] = {"dombra steppe", "NEAR(dombra steppe, 50)"};
    const SearchHit *h[2];
    size_t n[2];
    SearchSet *set[2];
    Query *q[2];
    Text *t[3];
    Index *ix[3];
    for (int i = 0; i < 3; i++)
        ix[i] = build(stories[i], &t[i]);
    for (int k = 0; k < 2; k++) {
        Diag d = {0};
        cr_assert_eq(query_parse(queries[k], SEARCH_SMART, &q[k], &d), 0);
        set[k] = search_set_new(q[k]);
        for (int i = 0; i < 3; i++)
            search_set_add(set[k], (size_t)i, ix[i], NULL, NULL);
        n[k] = search_set_hits(set[k], 0, &h[k]);
    }
    cr_assert_eq(n[0], 5, "the paragraphs with both words");
    cr_assert_eq(n[1], n[0]);
    for (size_t j = 0; j < n[0]; j++) {
        cr_assert(h[1][j].story == h[0][j].story && h[1][j].doc == h[0][j].doc, "hit %zu", j);
        cr_assert_float_eq(h[1][j].score, h[0][j].score, 1e-12, "hit %zu: %g, not %g", j,
                           h[1][j].score, h[0][j].score);
        cr_assert_eq(h[1][j].matches, h[0][j].matches, "hit %zu", j);
        cr_assert_eq(h[1][j].first.pos, h[0][j].first.pos, "hit %zu", j);
    }
    for (int k = 0; k < 2; k++) {
        search_set_free(set[k]);
        query_free(q[k]);
    }
    for (int i = 0; i < 3; i++) {
        index_free(ix[i]);
        text_free(t[i]);
    }
}

/* A query of one item (a word, a prefix, a phrase): each hit counts its paragraph's places of it,
 * and the story's places are all of them, as the match list counts them. */
Test(search, one_item_counts_its_places_per_paragraph)
{
    const char *story = "dombra, dombra and the steppe; the dombras\n\nno word here\n\n"
                        "the steppe, the dombra. The Steppe and the steppe\n\ndombra\n";
    const char *queries[] = {"=dombra", "dombra*", "\"the steppe\""};
    const size_t per_para[3][4] = {{2, 0, 1, 1}, {3, 0, 1, 1}, {1, 0, 3, 0}};
    Text *t;
    Index *ix = build(story, &t);
    for (size_t k = 0; k < 3; k++) {
        Query *q;
        Diag d = {0};
        cr_assert_eq(query_parse(queries[k], SEARCH_SMART, &q, &d), 0, "%s", d.msg);
        SearchSet *set = search_set_new(q);
        size_t places;
        search_set_add(set, 0, ix, NULL, &places);
        const SearchHit *h;
        size_t n = search_set_hits(set, 0, &h), want_places = 0, want_hits = 0;
        for (size_t p = 0; p < 4; p++) {
            want_places += per_para[k][p];
            want_hits += per_para[k][p] > 0;
        }
        cr_assert_eq(places, want_places, "%s: %zu places", queries[k], places);
        cr_assert_eq(n, want_hits, "%s", queries[k]);
        for (size_t j = 0; j < n; j++)
            cr_assert_eq(h[j].matches, per_para[k][h[j].doc], "%s, paragraph %zu: %zu", queries[k],
                         h[j].doc, h[j].matches);
        SearchMatch *m;
        cr_assert_eq(search_matches(ix, t, q, &m), want_places, "%s", queries[k]);
        free(m);
        search_set_free(set);
        query_free(q);
    }
    index_free(ix);
    text_free(t);
}

Test(search, snippets_and_positions)
{
    const char *s = "First line.\nSecond line with the word\x1b[31m here, and more words after it "
                    "to make it long enough to be cut somewhere on the right side.";
    Text *t = text_from_bytes(s, strlen(s), NULL);
    const char *w = strstr(s, "word");
    Span sp = {(size_t)(w - s), (size_t)(w - s) + 4};
    size_t line, col, a, b;
    search_line_col(t, sp.start, &line, &col);
    cr_assert_eq(line, 2);
    cr_assert_eq(col, 22);
    char *snip = search_snippet(t, sp, 40, &a, &b);
    cr_assert(!strncmp(snip + a, "word", 4) && b - a == 4);
    cr_assert_null(strchr(snip, '\x1b'), "escape sequences are made visible: %s", snip);
    cr_assert_null(strchr(snip, '\n'));
    free(snip);
    text_free(t);
}
