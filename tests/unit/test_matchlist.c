/* The match list the reader and the compare view share: a query is one phrase, matches are
 * places in the text, and moving between them goes round the ends. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corpus.h"
#include "lector/index.h"
#include "lector/strbuf.h"
#include "lector/matchlist.h"
#include "lector/text.h"

typedef struct {
    Text *t;
    Index *ix;
    MatchList *m;
} Fixture;

static Fixture find(const char *story, size_t len, const char *query, SearchMode mode)
{
    Fixture f;
    f.t = text_from_bytes(story, len, "t.txt");
    f.ix = index_build(f.t, 1, NULL);
    Diag d = {0};
    cr_assert_eq(matchlist_new(f.ix, f.t, query, mode, &f.m, &d), 0, "%s: %s", query, d.msg);
    return f;
}

static void done(Fixture *f)
{
    matchlist_free(f->m);
    index_free(f->ix);
    text_free(f->t);
}

static const char *span_text(Fixture *f, size_t i, char *buf, size_t size)
{
    Span s = matchlist_span(f->m, i);
    snprintf(buf, size, "%.*s", (int)(s.end - s.start), (const char *)text_bytes(f->t) + s.start);
    return buf;
}

/* A quoted phrase is one match where its words stand together; unquoted, the words are each a
 * match, in paragraphs that have them all (search.h's one rule). */
Test(matchlist, a_phrase_is_one_match_per_place)
{
    const char *s = "Chapter 12 begins. Then chapter 1, and CHAPTER 12 again.\n\n"
                    "Twelve: 12 chapters, chapter\n12 across a line end.\n";
    Fixture f = find(s, strlen(s), "\"chapter 12\"", SEARCH_SMART);
    cr_assert_eq(matchlist_count(f.m), 3, "three places, not 6 words");
    char buf[64];
    cr_assert_str_eq(span_text(&f, 0, buf, sizeof buf), "Chapter 12");
    cr_assert_str_eq(span_text(&f, 1, buf, sizeof buf), "CHAPTER 12");
    cr_assert_str_eq(span_text(&f, 2, buf, sizeof buf), "chapter\n12");
    done(&f);
    f = find(s, strlen(s), "chapter 12", SEARCH_SMART);
    cr_assert_eq(matchlist_count(f.m), 9, "Chapter 12 chapter CHAPTER 12, 12 chapters chapter 12");
    cr_assert_str_eq(span_text(&f, 6, buf, sizeof buf), "chapter", "the part that matched");
    done(&f);
    /* a hyphenated pair is the phrase of its words */
    s = "Алдын ала рахмет! Алдын-ала емес.\n";
    f = find(s, strlen(s), "\"алдын ала\"", SEARCH_SMART);
    cr_assert_eq(matchlist_count(f.m), 2);
    cr_assert_str_eq(span_text(&f, 0, buf, sizeof buf), "Алдын ала");
    cr_assert_str_eq(span_text(&f, 1, buf, sizeof buf), "Алдын-ала");
    done(&f);
}

Test(matchlist, the_story_s_note_in_kazakh_is_one_match)
{
    size_t len;
    char *story = read_command("cat " LECTOR_SOURCE_DIR "/texts/five-windows.txt", &len);
    Fixture f = find(story, len, "\"алдын ала\"", SEARCH_SMART);
    cr_assert_eq(matchlist_count(f.m), 1);
    done(&f);
    f = find(story, len, "\"Алдын ала рахмет\"", SEARCH_SMART);
    cr_assert_eq(matchlist_count(f.m), 1);
    done(&f);
    free(story);
}

/* Single words against a count made by hand: the tokens (runs of ASCII letters) that begin with
 * the word, ignoring case, in the shipped English story. */
Test(matchlist, counts_agree_with_a_scan_of_the_words)
{
    size_t len;
    char *story = read_command("cat " LECTOR_SOURCE_DIR "/texts/ivan-baktybekova.txt", &len);
    const char *words[] = {"ivan", "music", "her", "an", "a", "zzz"};
    for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
        size_t want = 0, wl = strlen(words[w]);
        for (size_t i = 0; i < len;) {
            if (!isalnum((unsigned char)story[i])) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < len && isalnum((unsigned char)story[j]))
                j++;
            if (i + wl <= j && !strncasecmp(story + i, words[w], wl)) want++;
            i = j;
        }
        Fixture f = find(story, len, words[w], SEARCH_FOLD);
        cr_assert_eq(matchlist_count(f.m), want, "%s: %zu, a scan finds %zu", words[w],
                     matchlist_count(f.m), want);
        done(&f);
    }
    free(story);
}

Test(matchlist, styles_first_and_steps)
{
    const char *s = "Mother and motherland.\n\nA line.\n\nMOTHER again, and a mother.\n";
    Fixture f = find(s, strlen(s), "mother", SEARCH_SMART);
    cr_assert_eq(matchlist_count(f.m), 4);
    const char *g = strstr(s, "motherland");
    size_t land = (size_t)(g - s) + 6;
    cr_assert_eq(matchlist_style_at(f.m, land - 1, 0), STYLE_MATCH);
    cr_assert_eq(matchlist_style_at(f.m, land, 0), STYLE_TEXT, "land is not the query's");
    cr_assert_eq(matchlist_style_at(f.m, 0, 0), STYLE_CURRENT);
    cr_assert_eq(matchlist_style_at(f.m, 6, 0), STYLE_TEXT, "the space after it");
    bool wrapped;
    size_t line = (size_t)(strstr(s, "A line") - s);
    cr_assert_eq(matchlist_first(f.m, line, 1, &wrapped), 2);
    cr_assert(!wrapped);
    cr_assert_eq(matchlist_first(f.m, line, -1, &wrapped), 1);
    size_t end = strlen(s);
    cr_assert_eq(matchlist_first(f.m, end, 1, &wrapped), 0);
    cr_assert(wrapped, "past the last one: round to the top");
    cr_assert_eq(matchlist_first(f.m, 0, -1, &wrapped), 3);
    cr_assert(wrapped);
    /* n from match 1 (on screen: at or below the top) */
    cr_assert_eq(matchlist_step(f.m, 1, 0, 1, 1, &wrapped), 2);
    cr_assert_eq(matchlist_step(f.m, 1, 0, 1, 2, &wrapped), 3, "a count");
    cr_assert(!wrapped);
    cr_assert_eq(matchlist_step(f.m, 3, 0, 1, 1, &wrapped), 0);
    cr_assert(wrapped);
    cr_assert_eq(matchlist_step(f.m, 0, 0, -1, 1, &wrapped), 3);
    cr_assert(wrapped);
    /* the current match scrolled above the top: from the top line instead */
    cr_assert_eq(matchlist_step(f.m, 0, line, 1, 1, &wrapped), 2);
    cr_assert_eq(matchlist_step(f.m, 0, line, 1, 9, &wrapped), 2, "9 of 4 is round twice, and 1");
    cr_assert(wrapped);
    done(&f);
    /* a capital: case counts */
    f = find(s, strlen(s), "MOTHER", SEARCH_SMART);
    cr_assert_eq(matchlist_count(f.m), 1);
    cr_assert(matchlist_case_counts(f.m));
    done(&f);
}

Test(matchlist, no_word_is_refused_and_no_match_is_a_list)
{
    Text *t = text_from_bytes("Some text.\n", 11, NULL);
    Index *ix = index_build(t, 1, NULL);
    MatchList *m;
    Diag d = {0};
    cr_assert_neq(matchlist_new(ix, t, " ,.! ", SEARCH_SMART, &m, &d), 0);
    cr_assert(d.msg[0]);
    cr_assert_eq(matchlist_new(ix, t, "absent", SEARCH_SMART, &m, &d), 0);
    cr_assert_eq(matchlist_count(m), 0);
    bool w;
    cr_assert_eq(matchlist_first(m, 0, 1, &w), 0);
    cr_assert_eq(matchlist_style_at(m, 0, 0), STYLE_TEXT);
    matchlist_free(m);
    index_free(ix);
    text_free(t);
}

/* --- without an index: the story read instead ------------------------------------------------- */

typedef struct {
    size_t start, end;
} Pair;

static int cmp_pair(const void *a, const void *b)
{
    const Pair *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* Every span of m, read to its end, sorted (a query of several words may list two matches at
 * one place in either order). */
static Pair *all_spans(MatchList *m, const Text *t, size_t *n)
{
    while (!matchlist_scan_step(m, 1 << 20)) {
    }
    /* with an index, spans are found a paragraph at a time, as a screen is drawn */
    for (size_t p = 0; p < text_paragraph_count(t); p++)
        matchlist_style_at(m, text_paragraph(t, p).start, SIZE_MAX);
    *n = matchlist_count(m);
    Pair *p = malloc((*n + 1) * sizeof *p);
    for (size_t i = 0; i < *n; i++) {
        Span s = matchlist_span(m, i);
        p[i] = (Pair){s.start, s.end};
    }
    qsort(p, *n, sizeof *p, cmp_pair);
    return p;
}

/* The scan and the index agree on query q: every match, and where a search from a few places
 * lands and steps to, asked of a list that has read nothing yet. */
static void check_scan(Text *t, const Index *ix, const char *q, SearchMode mode)
{
    MatchList *a, *b;
    Diag d = {0};
    int ra = matchlist_new(ix, t, q, mode, &a, &d);
    /* read from the middle: the tail run, then the head */
    int rb = matchlist_scan_new(t, q, mode, text_len(t) / 2, &b, &d);
    cr_assert_eq(ra, rb, "%s", q);
    if (ra != 0) return;
    size_t len = text_len(t);
    size_t origins[] = {0, len / 2, len - len / 10, len};
    /* where searches land: in one mode (reading a list afresh each time is the slow part) */
    for (size_t k = 0; mode == SEARCH_SMART && k < sizeof origins / sizeof *origins; k++) {
        for (int dir = -1; dir <= 1; dir += 2) {
            MatchList *fresh;
            /* as the reader makes it: from the origin for /, from the start for ? */
            cr_assert_eq(matchlist_scan_new(t, q, mode, dir > 0 ? origins[k] : 0, &fresh, &d), 0);
            bool wa, wb;
            size_t ia = matchlist_first(a, origins[k], dir, &wa);
            size_t ib = matchlist_first(fresh, origins[k], dir, &wb);
            Span sa = matchlist_span(a, ia), sb = matchlist_span(fresh, ib);
            cr_assert(sa.start == sb.start && wa == wb,
                      "%s (mode %d) from %zu dir %d: %zu, not %zu", q, mode, origins[k], dir,
                      sb.start, sa.start);
            for (long count = 1; count <= 7; count += 3) {
                ia = matchlist_step(a, ia, origins[k], dir, count, &wa);
                ib = matchlist_step(fresh, ib, origins[k], dir, count, &wb);
                sa = matchlist_span(a, ia);
                sb = matchlist_span(fresh, ib);
                cr_assert(sa.start == sb.start && wa == wb, "%s: a step of %ld from %zu dir %d", q,
                          count, origins[k], dir);
            }
            matchlist_free(fresh);
        }
    }
    size_t na, nb;
    Pair *pa = all_spans(a, t, &na), *pb = all_spans(b, t, &nb);
    cr_assert_eq(na, nb, "%s (mode %d): the scan finds %zu, the index %zu", q, mode, nb, na);
    for (size_t i = 0; i < na; i++)
        cr_assert(pa[i].start == pb[i].start && pa[i].end == pb[i].end,
                  "%s: match %zu at %zu-%zu, the index says %zu-%zu", q, i, pb[i].start, pb[i].end,
                  pa[i].start, pa[i].end);
    if (na) { /* drawn alike: inside, just before and just after each of a few */
        for (size_t i = 0; i < na; i += na / 7 + 1) {
            size_t offs[] = {pa[i].start, pa[i].end - 1, pa[i].end,
                             pa[i].start ? pa[i].start - 1 : 0};
            for (size_t k = 0; k < 4; k++)
                cr_assert_eq(matchlist_style_at(a, offs[k], SIZE_MAX) != STYLE_TEXT,
                             matchlist_style_at(b, offs[k], SIZE_MAX) != STYLE_TEXT,
                             "%s: drawn differently at %zu", q, offs[k]);
        }
    }
    free(pa);
    free(pb);
    matchlist_free(a);
    matchlist_free(b);
}

static void check_scans(Text *t, const char *const *queries, size_t nq)
{
    Index *ix = index_build(t, 1, NULL);
    SearchMode modes[] = {SEARCH_FOLD, SEARCH_SMART, SEARCH_EXACT};
    for (size_t i = 0; i < nq; i++)
        for (size_t m = 0; m < 3; m++) {
            check_scan(t, ix, queries[i], modes[m]);
        }
    index_free(ix);
}

/* Reading the story finds what its index finds, match for match, on English (ASCII documents
 * take a shortcut), Russian, Chinese and Kazakh, with phrases, parts of words, capitals,
 * accents, prefixes and several words. */
Test(matchlist, reading_the_story_finds_what_the_index_finds)
{
    size_t len;
    char *kjv = read_command("bible -l0 'gen1:1-gen12:20' 2>/dev/null", &len);
    Text *t = text_from_bytes(kjv, len, "kjv.txt");
    const char *en[] = {"lord",      "LORD",  "Lord God",          "he sa",
                        "the earth", "abr*",  "and the",           "Abram Sarai",
                        "begat",     "zzz",   "in the beginning",  "ëarth",
                        "e",         "A",     "NEAR(lord god, 3)", "NEAR(\"the earth\" heaven)",
                        "abrham~",   "=lord", "\"the lord\""};
    check_scans(t, en, sizeof en / sizeof *en);
    text_free(t);
    free(kjv);
    char *ru =
        read_command("cat /usr/share/games/fortunes/ru/* 2>/dev/null | head -c 120000", &len);
    t = text_from_bytes(ru, len, "ru.txt");
    const char *rus[] = {"и",       "елка", "ЁЛКА", "не зна",          "Жизнь*",
                         "что это", "the",  "вода", "NEAR(не это, 2)", "жызнь~"};
    check_scans(t, rus, sizeof rus / sizeof *rus);
    text_free(t);
    free(ru);
    char *zh = read_command("head -c 200000 /usr/share/games/fortunes/chinese 2>/dev/null", &len);
    t = text_from_bytes(zh, len, "zh.txt");
    const char *zhs[] = {"人", "天下", "不知", "a"};
    check_scans(t, zhs, sizeof zhs / sizeof *zhs);
    text_free(t);
    free(zh);
    char *kk = read_command("cat " LECTOR_SOURCE_DIR "/texts/*.txt", &len);
    t = text_from_bytes(kk, len, "texts.txt");
    const char *kks[] = {"алдын ала", "Алдын",   "ала",    "ivan music", "Sezim",
                         "café",      "windows", "=sezim", "sezim's"};
    check_scans(t, kks, sizeof kks / sizeof *kks);
    text_free(t);
    free(kk);
    /* words split at their apostrophes: the reading splits them as the index does */
    const char *ap = "L'homme et l\xe2\x80\x99"
                     "enfant.\n\n5\xe2\x80\x99"
                     "000 francs; don't, can't.\n\n"
                     "\xd1\x81\xd1\x96\xd0\xbc\xca\xbc\xd1\x8f l\xe2\x80\x99\xc2\xad"
                     "homme.\n";
    t = text_from_bytes(ap, strlen(ap), "ap.txt");
    const char *aps[] = {
        "homme", "=l", "l'enfant", "5'000", "don't", "=t", "\xd1\x81\xd1\x96\xd0\xbc'\xd1\x8f"};
    check_scans(t, aps, sizeof aps / sizeof *aps);
    MatchList *m;
    Diag d = {0};
    cr_assert_eq(matchlist_scan_new(t, "homme", SEARCH_SMART, 0, &m, &d), 0);
    while (!matchlist_scan_step(m, 1 << 20)) {
    }
    cr_assert_eq(matchlist_count(m), 2,
                 "the reading finds homme in l'homme and l'\xc2\xad"
                 "homme");
    matchlist_free(m);
    text_free(t);
}

/* Pieces of a paragraph over 64 KiB are one document: a phrase across two pieces is found. */
Test(matchlist, reading_finds_phrases_across_pieces)
{
    Strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "Title\n\n");
    for (int i = 0; i < 30000; i++)
        strbuf_addstr(&sb, i % 997 ? "word " : "Café olé ");
    strbuf_addstr(&sb, "\n\nend\n");
    Text *t = text_from_bytes(sb.buf, sb.len, NULL);
    cr_assert_gt(text_paragraph_count(t), 3, "the long paragraph is in pieces");
    const char *q[] = {"word word", "cafe ole", "ole word", "wor"};
    check_scans(t, q, sizeof q / sizeof *q);
    text_free(t);
    strbuf_release(&sb);
}

/* A search reads only as far as its first match: on a big story, a word near its start is shown
 * without reading the rest. */
Test(matchlist, reading_stops_at_the_first_match_it_needs)
{
    Strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "Title\n\nA needle here.\n\n");
    while (sb.len < (8u << 20))
        strbuf_addstr(&sb, "Hay and more hay, and a needle.\n\n");
    Text *t = text_from_bytes(sb.buf, sb.len, NULL);
    MatchList *m;
    Diag d = {0};
    cr_assert_eq(matchlist_scan_new(t, "needle", SEARCH_SMART, 0, &m, &d), 0);
    cr_assert(!matchlist_first_ready(m, 0, 1), "nothing read yet");
    matchlist_scan_step(m, 4096);
    cr_assert(matchlist_first_ready(m, 0, 1));
    cr_assert(!matchlist_first_ready(m, sb.len / 2, 1), "the middle is not read yet");
    cr_assert(!matchlist_first_ready(m, 5, -1), "backward from before the first: round the end");
    cr_assert_lt(matchlist_read_to(m), (size_t)1 << 20);
    bool w;
    size_t i = matchlist_first(m, 0, 1, &w);
    cr_assert_eq(i, 0);
    cr_assert_eq(matchlist_span(m, 0).start, 9);
    cr_assert(!matchlist_complete(m), "the rest is not read for the first match");
    cr_assert_lt(matchlist_count(m), 100000);
    while (!matchlist_scan_step(m, 1 << 20)) {
    }
    cr_assert_gt(matchlist_count(m), 200000);
    matchlist_free(m);
    /* from the middle: what lies before it is not read for the first match there */
    size_t mid = sb.len / 2;
    cr_assert_eq(matchlist_scan_new(t, "needle", SEARCH_SMART, mid, &m, &d), 0);
    i = matchlist_first(m, mid, 1, &w);
    cr_assert(!w);
    cr_assert_geq(matchlist_span(m, i).start, mid);
    cr_assert_lt(matchlist_span(m, i).start, mid + 100);
    cr_assert_lt(matchlist_read_to(m), (size_t)2 << 20, "read %zu bytes", matchlist_read_to(m));
    /* the head found later comes first: the match keeps its place by its offset */
    size_t at = matchlist_span(m, i).start, head_before = matchlist_head_count(m);
    while (!matchlist_scan_step(m, 1 << 20)) {
    }
    cr_assert_gt(matchlist_from(m, at), i);
    cr_assert_eq(matchlist_renumber(m, i, head_before), matchlist_from(m, at));
    cr_assert_eq(matchlist_span(m, matchlist_from(m, at)).start, at);
    matchlist_free(m);
    text_free(t);
    strbuf_release(&sb);
}

/* n after scrolling above where a search began, before the reading got there: the match list
 * reads the part above for the top line, which renumbers the matches after it; the current
 * match is still the one stepped from (found by a review: it stepped from a stale number). */
Test(matchlist, a_step_from_above_the_origin_renumbers_the_current_match)
{
    Strbuf sb = STRBUF_INIT;
    size_t starts[10];
    for (int i = 0; i < 10; i++) {
        starts[i] = sb.len;
        strbuf_addf(&sb, "para %d with cafe.\n\n", i);
    }
    Text *t = text_from_bytes(sb.buf, sb.len, NULL);
    Index *ix = index_build(t, 1, NULL);
    MatchList *a, *b;
    Diag d = {0};
    cr_assert_eq(matchlist_new(ix, t, "cafe", SEARCH_SMART, &a, &d), 0);
    cr_assert_eq(matchlist_scan_new(t, "cafe", SEARCH_SMART, starts[5], &b, &d), 0);
    bool wa, wb;
    size_t ia = matchlist_first(a, starts[5], 1, &wa), ib = matchlist_first(b, starts[5], 1, &wb);
    cr_assert_eq(matchlist_span(a, ia).start, matchlist_span(b, ib).start);
    ia = matchlist_step(a, ia, starts[3], 1, 1, &wa);
    ib = matchlist_step(b, ib, starts[3], 1, 1, &wb);
    cr_assert_eq(matchlist_span(b, ib).start, matchlist_span(a, ia).start, "n went to %zu, not %zu",
                 matchlist_span(b, ib).start, matchlist_span(a, ia).start);
    cr_assert_eq(ib, ia, "and it is numbered as in the story");
    matchlist_free(a);
    matchlist_free(b);
    index_free(ix);
    text_free(t);
    strbuf_release(&sb);
}

/* A reading keeps at most 2,097,152 matches (16 MiB), and says that it stopped there. */
Test(matchlist, reading_stops_counting_at_its_most_matches)
{
    Strbuf sb = STRBUF_INIT;
    for (int p = 0; p < 2200; p++) {
        for (int i = 0; i < 1000; i++)
            strbuf_addstr(&sb, "e ");
        strbuf_addstr(&sb, "\n\n");
    }
    Text *t = text_from_bytes(sb.buf, sb.len, NULL);
    MatchList *m;
    Diag d = {0};
    cr_assert_eq(matchlist_scan_new(t, "e", SEARCH_FOLD, 0, &m, &d), 0);
    while (!matchlist_scan_step(m, 1 << 20)) {
    }
    cr_assert(matchlist_capped(m));
    cr_assert_geq(matchlist_count(m), (size_t)2 << 20);
    cr_assert_lt(matchlist_count(m), ((size_t)2 << 20) + 1000, "stopped within a document");
    matchlist_free(m);
    cr_assert_eq(matchlist_scan_new(t, "ee", SEARCH_FOLD, 0, &m, &d), 0);
    while (!matchlist_scan_step(m, 1 << 20)) {
    }
    cr_assert(!matchlist_capped(m), "a list under the limit is not cut");
    matchlist_free(m);
    text_free(t);
    strbuf_release(&sb);
}

/* Writes sb to a new file under /tmp; its name in path (a mkstemp template's room). */
static void write_story(const Strbuf *sb, size_t len, char *path)
{
    strcpy(path, "/tmp/lector-matchlist-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, sb->buf, len), (ssize_t)len);
    close(fd);
}

/* With an index, a big story still loading (text_open reads it in steps) is loaded only as far
 * as the matches asked about, and their spans are the whole story's. Its CR LF line ends make
 * its text a cleaned copy written as it loads, so a span read before its bytes are loaded would
 * be wrong. A query where case counts checks the bytes of every match: it loads all first. An
 * index of a longer story than the one open gives spans inside the story, never past it. */
Test(matchlist, an_index_loads_a_story_only_as_far_as_the_match)
{
    Strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "Title\r\n\r\n");
    size_t near = 0, far = 0;
    while (sb.len < (16u << 20)) {
        if (!near && sb.len > (1u << 20)) near = sb.len + 10;
        if (!far && sb.len > (14u << 20)) far = sb.len + 10;
        strbuf_addstr(&sb,
                      sb.len + 10 == near  ? "Hay, hay, needle and hay,\r\nand more hay.\r\n\r\n"
                      : sb.len + 10 == far ? "Hay, hay, Needle and hay,\r\nand more hay.\r\n\r\n"
                                           : "Hay, hay, hay and hay,\r\nand more hay.\r\n\r\n");
    }
    char path[64], short_path[64];
    write_story(&sb, sb.len, path);
    write_story(&sb, 4u << 20, short_path);
    Text *whole, *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &whole, &d), 0, "%s", d.msg);
    text_load_all(whole);
    Index *ix = index_build(whole, 1, NULL);
    MatchList *want, *m;
    cr_assert_eq(matchlist_new(ix, whole, "needle", SEARCH_SMART, &want, &d), 0);
    cr_assert_eq(matchlist_count(want), 2);
    Span near_span = matchlist_span(want, 0), far_span = matchlist_span(want, 1);
    cr_assert(!memcmp(text_bytes(whole) + near_span.start, "needle", 6));
    cr_assert(!memcmp(text_bytes(whole) + far_span.start, "Needle", 6));

    cr_assert_eq(text_open(path, 0, &t, &d), 0, "%s", d.msg);
    cr_assert_eq(matchlist_new(ix, t, "needle", SEARCH_SMART, &m, &d), 0);
    cr_assert_eq(matchlist_count(m), 2, "the index counts them all at once");
    cr_assert(matchlist_complete(m));
    bool wrapped;
    size_t i = matchlist_first(m, 0, 1, &wrapped);
    cr_assert_eq(i, 0);
    Span s = matchlist_span(m, i);
    cr_assert_eq(s.start, near_span.start);
    cr_assert_eq(s.end, near_span.end);
    cr_assert(!text_complete(t));
    cr_assert_lt(text_len(t), (size_t)8 << 20, "loaded %zu bytes for a match at %zu", text_len(t),
                 s.start);
    s = matchlist_span(m, 1);
    cr_assert_eq(s.start, far_span.start, "%zu, not %zu", s.start, far_span.start);
    cr_assert(!memcmp(text_bytes(t) + s.start, "Needle", 6));
    matchlist_free(m);
    text_free(t);

    /* from a place not loaded yet (the end that G shows): the index's paragraphs tell which
     * match comes next, and drawing such a place loads nothing */
    cr_assert_eq(text_open(path, 0, &t, &d), 0, "%s", d.msg);
    cr_assert_eq(matchlist_new(ix, t, "needle", SEARCH_SMART, &m, &d), 0);
    size_t loaded = text_len(t);
    cr_assert_eq(matchlist_style_at(m, far_span.start, SIZE_MAX), STYLE_TEXT);
    cr_assert_eq(text_len(t), loaded, "drawing loaded %zu bytes more", text_len(t) - loaded);
    i = matchlist_first(m, far_span.start - 5, 1, &wrapped);
    cr_assert_eq(i, 1, "match %zu", i);
    cr_assert(!wrapped);
    cr_assert_eq(matchlist_span(m, i).start, far_span.start);
    cr_assert_eq(matchlist_style_at(m, far_span.start, i), STYLE_CURRENT, "loaded now: drawn");
    matchlist_free(m);
    text_free(t);

    cr_assert_eq(text_open(path, 0, &t, &d), 0, "%s", d.msg);
    cr_assert_eq(matchlist_new(ix, t, "Needle", SEARCH_SMART, &m, &d), 0);
    cr_assert(text_complete(t), "case counts: the matches' bytes checked, all of them");
    cr_assert_eq(matchlist_count(m), 1);
    cr_assert_eq(matchlist_span(m, 0).start, far_span.start);
    matchlist_free(m);
    text_free(t);

    cr_assert_eq(text_open(short_path, 0, &t, &d), 0, "%s", d.msg);
    cr_assert_eq(matchlist_new(ix, t, "needle", SEARCH_SMART, &m, &d), 0);
    cr_assert_eq(matchlist_span(m, 0).start, near_span.start);
    s = matchlist_span(m, 1);
    cr_assert(text_complete(t));
    cr_assert_leq(s.end, text_len(t), "[%zu, %zu) past the story's %zu bytes", s.start, s.end,
                  text_len(t));
    matchlist_free(m);
    /* where case counts, every match's bytes are checked: the one past the end is not there */
    cr_assert_eq(matchlist_new(ix, t, "Needle", SEARCH_SMART, &m, &d), 0);
    cr_assert_eq(matchlist_count(m), 0);
    matchlist_free(m);
    text_free(t);

    matchlist_free(want);
    index_free(ix);
    text_free(whole);
    unlink(path);
    unlink(short_path);
    strbuf_release(&sb);
}

/* In a story the index saw clean as read, a match past what is loaded has its bytes read from
 * the file, not found by loading the story up to it: its span and its style come at once, the
 * same as in the whole story (a prefix's part too). */
Test(matchlist, a_match_far_in_a_clean_story_is_read_from_the_file)
{
    Strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "Title\n\n");
    size_t far = 0;
    while (sb.len < (16u << 20)) {
        if (!far && sb.len > (14u << 20)) far = sb.len + 10;
        strbuf_addstr(&sb, sb.len + 10 == far ? "Hay, hay, Needles and hay,\nand more hay.\n\n"
                                              : "Hay, hay, hay and hay,\nand more hay.\n\n");
    }
    char path[64];
    write_story(&sb, sb.len, path);
    Text *whole, *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &whole, &d), 0, "%s", d.msg);
    text_load_all(whole);
    Index *ix = index_build(whole, 1, NULL);
    const char *queries[] = {"needles", "needl*", "\"needles and\""};
    const char *want_text[] = {"Needles", "Needl", "Needles and"};
    for (size_t k = 0; k < 3; k++) {
        MatchList *m;
        cr_assert_eq(text_open(path, 0, &t, &d), 0, "%s", d.msg);
        text_set_clean_throughout(t); /* as the reader does when the index says so */
        cr_assert_eq(matchlist_new(ix, t, queries[k], SEARCH_SMART, &m, &d), 0);
        cr_assert_eq(matchlist_count(m), 1);
        size_t loaded = text_len(t);
        Span s = matchlist_span(m, 0);
        cr_assert_eq(text_len(t), loaded, "%s: loaded %zu bytes more", queries[k],
                     text_len(t) - loaded);
        cr_assert_eq(s.start, far, "%s: at %zu, not %zu", queries[k], s.start, far);
        cr_assert_eq(s.end - s.start, strlen(want_text[k]), "%s", queries[k]);
        cr_assert(!memcmp(text_bytes(whole) + s.start, want_text[k], strlen(want_text[k])));
        cr_assert_eq(matchlist_style_at(m, s.start, 0), STYLE_CURRENT);
        cr_assert_eq(matchlist_style_at(m, s.end - 1, SIZE_MAX), STYLE_MATCH);
        cr_assert_eq(matchlist_style_at(m, s.end, 0), STYLE_TEXT);
        cr_assert_eq(matchlist_from(m, s.start - 3), 0);
        cr_assert_eq(text_len(t), loaded, "drawing loaded %zu bytes more", text_len(t) - loaded);
        matchlist_free(m);
        text_free(t);
    }
    /* the file changed since: the paragraph's bytes no longer clean UTF-8 are not read ahead,
     * and the match is drawn plain until the story is loaded up to it */
    FILE *f = fopen(path, "r+");
    cr_assert_not_null(f);
    fseek(f, (long)far - 3, SEEK_SET);
    fputs("\xff\xfe", f);
    fclose(f);
    MatchList *m;
    cr_assert_eq(text_open(path, 0, &t, &d), 0, "%s", d.msg);
    text_set_clean_throughout(t);
    cr_assert_eq(matchlist_new(ix, t, "needles", SEARCH_SMART, &m, &d), 0);
    size_t loaded = text_len(t);
    cr_assert_eq(matchlist_style_at(m, far, 0), STYLE_TEXT);
    cr_assert_eq(matchlist_style_at(m, far + 1, 0), STYLE_TEXT);
    cr_assert_eq(text_len(t), loaded, "drawing loaded %zu bytes more", text_len(t) - loaded);
    matchlist_free(m);
    text_free(t);
    index_free(ix);
    text_free(whole);
    unlink(path);
    strbuf_release(&sb);
}
