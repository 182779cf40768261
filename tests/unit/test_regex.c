/* Patterns (regex.h): the matches agree with ripgrep's PCRE2 (rg --pcre2 --count-matches) on the
 * same text for a set of patterns (Unicode classes, anchors, alternation, case); a pattern that
 * does not compile says why and where; one that backtracks without end stops at its limit; and
 * the reader's list of matches (matchlist) finds a pattern's matches as the story is read. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corpus.h"
#include "lector/matchlist.h"
#include "lector/regex.h"
#include "lector/strbuf.h"
#include "lector/text.h"

/* Every match of pattern in t, a paragraph and its pieces at a time. */
static size_t count_in(const Text *t, const char *pattern, SearchMode mode, bool *case_counts)
{
    Regex *re;
    Diag d = {0};
    cr_assert_eq(regex_compile(pattern, mode, &re, &d), 0, "%s: %s", pattern, d.msg);
    *case_counts = regex_case_counts(re);
    size_t n = 0, np = text_paragraph_count(t);
    bool stopped = false;
    for (size_t p = 0; p < np;) {
        size_t p1 = text_document_end(t, p);
        const Span *m;
        size_t k = regex_scan(re, text_bytes(t), text_paragraph(t, p).start,
                              text_paragraph(t, p1 - 1).end, &m, &stopped);
        for (size_t i = 0; i < k; i++)
            cr_assert(m[i].start < m[i].end && m[i].end <= text_len(t) &&
                      (i == 0 || m[i].start >= m[i - 1].end));
        n += k;
        p = p1;
    }
    cr_assert(!stopped, "%s stopped: %s", pattern, regex_stop_reason(re));
    regex_free(re);
    return n;
}

/* rg's count of pattern's matches in file; case as lector's (-s when case counts, else -i). */
static size_t rg_count(const char *file, const char *pattern, bool case_counts)
{
    char cmd[1024];
    char quoted[512];
    size_t k = 0;
    for (const char *p = pattern; *p && k + 5 < sizeof quoted; p++) {
        if (*p == '\'') {
            memcpy(quoted + k, "'\\''", 4);
            k += 4;
        } else {
            quoted[k++] = *p;
        }
    }
    quoted[k] = 0;
    snprintf(cmd, sizeof cmd, "rg --pcre2 --count-matches --no-config %s -e '%s' '%s' || true",
             case_counts ? "-s" : "-i", quoted, file);
    size_t len;
    char *out = read_command(cmd, &len);
    size_t n = (size_t)strtoull(out, NULL, 10);
    free(out);
    return n;
}

static void agree(const char *name, const char *shell, const char *const *patterns, size_t np)
{
    size_t len;
    char *rg = read_command("command -v rg", &len);
    cr_assert_gt(len, 0, "ripgrep missing: apt-get install ripgrep");
    free(rg);
    char *raw = read_command(shell, &len);
    cr_assert_gt(len, 10000, "%s: no text", name);
    Text *t = text_from_bytes(raw, len, name);
    free(raw);
    /* rg reads the story's text as lector has it (clean UTF-8, LF line ends) */
    char file[] = "/tmp/lector-regex-XXXXXX";
    int fd = mkstemp(file);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text_bytes(t), text_len(t)), (ssize_t)text_len(t));
    close(fd);
    size_t found = 0;
    for (size_t i = 0; i < np; i++) {
        bool cc;
        size_t ours = count_in(t, patterns[i], SEARCH_SMART, &cc);
        size_t theirs = rg_count(file, patterns[i], cc);
        cr_expect_eq(ours, theirs, "%s: %s: lector %zu, rg %zu", name, patterns[i], ours, theirs);
        found += ours > 0;
    }
    cr_expect_geq(found * 3, np * 2, "%s: most patterns find something (%zu of %zu)", name, found,
                  np);
    unlink(file);
    text_free(t);
}

Test(regex, agrees_with_ripgrep_on_the_kjv)
{
    const char *patterns[] = {
        "\\bthe\\b",          "Lord",     "lord", "\\p{Lu}\\w+",  "^And",         "\\w+eth\\b",
        "(Moses|Aaron) said", "[.,;:!?]", "-",    "begat\\s\\w+", "\\bJ\\w*h\\b", "zzyzx",
    };
    agree("kjv", "bible -l0 'gen1:1-ex40:38' 2>/dev/null", patterns,
          sizeof patterns / sizeof *patterns);
}

Test(regex, agrees_with_ripgrep_on_russian_and_chinese)
{
    const char *ru[] = {"\\p{Cyrillic}{12,}", "[аеиоуыэюя]{3}", "^—", "Бог", "бог",
                        "\\b(не|ни)\\b",      "\\d+",           "ё"};
    agree("ru", "cat /usr/share/games/fortunes/ru/*.u8 2>/dev/null | head -c 600000", ru,
          sizeof ru / sizeof *ru);
    const char *zh[] = {"\\p{Han}{4}", "不", "[。，]", "^\\p{Han}", "人|天"};
    agree("zh",
          "cat /usr/share/games/fortunes/chinese /usr/share/games/fortunes/tang300 2>/dev/null | "
          "head -c 400000",
          zh, sizeof zh / sizeof *zh);
}

Test(regex, a_bad_pattern_says_why_and_where)
{
    Regex *re;
    Diag d = {0};
    cr_assert_neq(regex_compile("ab(c", SEARCH_SMART, &re, &d), 0);
    cr_assert(strstr(d.msg, "does not compile") && strstr(d.msg, "at 5"), "%s", d.msg);
    cr_assert_neq(regex_compile("[z-a]", SEARCH_SMART, &re, &d), 0);
    cr_assert(strstr(d.msg, "range"), "%s", d.msg);
    const char *pattern;
    cr_assert(search_is_regex("re:c.t", &pattern));
    cr_assert_str_eq(pattern, "c.t");
    cr_assert(!search_is_regex("re:", &pattern), "nothing after the prefix: a word");
    cr_assert(!search_is_regex("red", &pattern));
}

/* A pattern that backtracks without end stops at PCRE2's limit, says so, and keeps what it
 * found before. */
Test(regex, catastrophic_backtracking_stops_at_the_limit)
{
    Strbuf s = STRBUF_INIT;
    strbuf_addstr(&s, "word one\n\n");
    for (int i = 0; i < 40; i++)
        strbuf_addstr(&s, "word ");
    strbuf_addstr(&s, "!\n");
    Text *t = text_from_bytes(s.buf, s.len, "bt");
    Regex *re;
    Diag d = {0};
    cr_assert_eq(regex_compile("^(\\w+\\s?)*$", SEARCH_SMART, &re, &d), 0, "%s", d.msg);
    bool stopped = false;
    const Span *m;
    size_t n = regex_scan(re, text_bytes(t), text_paragraph(t, 0).start, text_paragraph(t, 0).end,
                          &m, &stopped);
    cr_assert_eq(n, 1, "the first paragraph matches");
    cr_assert(!stopped);
    n = regex_scan(re, text_bytes(t), text_paragraph(t, 1).start, text_paragraph(t, 1).end, &m,
                   &stopped);
    cr_assert_eq(n, 0);
    cr_assert(stopped, "the limit, not a long wait");
    cr_assert(strstr(regex_stop_reason(re), "limit"), "%s", regex_stop_reason(re));
    regex_free(re);
    text_free(t);
    strbuf_release(&s);
}

/* The reader's matches of a pattern: punctuation, Unicode case, smart case, and no match across
 * paragraphs. */
Test(regex, the_reader_finds_a_pattern)
{
    const char *s = "The cat sat. A c-t? c.t!\n\nКот и КИТ, кит.\n\nend\n";
    Text *t = text_from_bytes(s, strlen(s), "r");
    MatchList *m;
    Diag d = {0};
    cr_assert_eq(matchlist_scan_new(t, "re:c.t", SEARCH_SMART, 0, &m, &d), 0, "%s", d.msg);
    while (!matchlist_scan_step(m, 1 << 20)) {
    }
    cr_assert_eq(matchlist_count(m), 3, "cat, c-t, c.t");
    cr_assert(!matchlist_case_counts(m));
    matchlist_free(m);
    cr_assert_eq(matchlist_new(NULL, t, "re:к.т", SEARCH_SMART, &m, &d), 0, "%s", d.msg);
    cr_assert_eq(matchlist_count(m), 3, "Кот, КИТ, кит: Unicode case folds");
    Span sp = matchlist_span(m, 1);
    cr_assert_eq(strncmp(s + sp.start, "КИТ", sp.end - sp.start), 0);
    matchlist_free(m);
    cr_assert_eq(matchlist_new(NULL, t, "re:К.т", SEARCH_SMART, &m, &d), 0, "%s", d.msg);
    cr_assert_eq(matchlist_count(m), 1, "a capital: case counts");
    matchlist_free(m);
    cr_assert_eq(matchlist_new(NULL, t, "re:c\\.t", SEARCH_SMART, &m, &d), 0, "%s", d.msg);
    cr_assert_eq(matchlist_count(m), 1, "an escaped dot is a dot");
    matchlist_free(m);
    cr_assert_eq(matchlist_new(NULL, t, "re:!\\s+К", SEARCH_SMART, &m, &d), 0, "%s", d.msg);
    cr_assert_eq(matchlist_count(m), 0, "no match across paragraphs");
    matchlist_free(m);
    cr_assert_neq(matchlist_new(NULL, t, "re:(", SEARCH_SMART, &m, &d), 0);
    cr_assert(strstr(d.msg, "does not compile"), "%s", d.msg);
    text_free(t);
}

/* The words a pattern needs: what a search may rule a story out by (and nothing it may not). */
Test(regex, the_words_a_pattern_needs)
{
    static const struct {
        const char *pattern, *words; /* words: space separated, folded */
    } cases[] = {
        {"\\bKazakh(stan)?", "kazakh"},
        {"Jehoshaphat\\W+\\w+", "jehoshaphat"},
        {"colou?r", "colo"},
        {"Ёлка и ЁЖ+", "елка"},
        {"ab+cde", "cde"},
        {"c.t", ""},
        {"cats|dogs", ""},
        {"(?i)cats", ""},
        {"[cat]dog", "dog"},
        {"\\p{Lu}house\\d{2}", "house"},
        {"abc{0,2}", ""},
        {"北京人", ""},
        {"(the wind)+ blew", "blew"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Regex *re;
        Diag d = {0};
        cr_assert_eq(regex_compile(cases[i].pattern, SEARCH_SMART, &re, &d), 0, "%s: %s",
                     cases[i].pattern, d.msg);
        char *w[8];
        size_t n = regex_required_words(re, w, 8);
        Strbuf got = STRBUF_INIT;
        for (size_t k = 0; k < n; k++) {
            strbuf_addf(&got, "%s%s", k ? " " : "", w[k]);
            free(w[k]);
        }
        cr_expect_str_eq(got.buf ? got.buf : "", cases[i].words, "%s", cases[i].pattern);
        strbuf_release(&got);
        regex_free(re);
    }
}
