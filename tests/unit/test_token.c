/* Tokens and folding: each normalization case the search issue names, and the exceptions. */
#include <criterion/criterion.h>
#include <string.h>

#include "lector/token.h"

static char *fold(int flags, const char *word)
{
    TokenFolder *f = token_folder_new(flags);
    size_t len;
    const char *r = token_fold(f, (const uint8_t *)word, strlen(word), &len);
    cr_assert_eq(strlen(r), len);
    char *copy = strdup(r);
    token_folder_free(f);
    return copy;
}

static void same(const char *a, const char *b)
{
    char *x = fold(TOKEN_FOLD_ALL, a), *y = fold(TOKEN_FOLD_ALL, b);
    cr_assert_str_eq(x, y, "\"%s\" -> \"%s\" but \"%s\" -> \"%s\"", a, x, b, y);
    free(x);
    free(y);
}

static void differ(const char *a, const char *b)
{
    char *x = fold(TOKEN_FOLD_ALL, a), *y = fold(TOKEN_FOLD_ALL, b);
    cr_assert_str_neq(x, y, "\"%s\" and \"%s\" both -> \"%s\"", a, b, x);
    free(x);
    free(y);
}

Test(token, case_normalization_and_accents_meet)
{
    same("ЁЛКА", "ёлка");
    same("ёлка", "елка");
    same("Straße", "STRASSE");
    same("ﬁsh", "fish");
    same("café", "cafe");
    same("cafe\xcc\x81", "caf\xc3\xa9"); /* NFD and NFC */
    same("NAÏVE", "naive");
    same("Ὀδυσσεύς", "οδυσσευς");
    same("ＡＢＣ", "abc"); /* fullwidth: NFKC */
    same("Қазақ", "қазақ");
}

/* The apostrophe a word keeps (between digits, after a Hebrew letter) is one however it is
 * spelt: ' ’ ‘ ＇ ʼ and the Hebrew geresh; as written when nothing is folded (exact). */
Test(token, the_apostrophes_a_word_keeps_meet)
{
    const char *spellings[] = {"5\xe2\x80\x99"
                               "000",
                               "5\xe2\x80\x98"
                               "000",
                               "5\xef\xbc\x87"
                               "000",
                               "5\xca\xbc"
                               "000"};
    for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++)
        same(spellings[i], "5'000");
    same("\xd7\x92\xd7\xb3\xd7\x99\xd7\xa8\xd7\xa4\xd7\x94",
         "\xd7\x92'\xd7\x99\xd7\xa8\xd7\xa4\xd7\x94");
    char *exact = fold(0, "5\xe2\x80\x99"
                          "000");
    cr_assert_str_eq(exact, "5\xe2\x80\x99"
                            "000");
    free(exact);
}

Test(token, letters_of_their_own_stay_apart)
{
    differ("й", "и");
    differ("Й", "и");
    differ("ў", "у");
    differ("ї", "і");
    differ("қ", "к"); /* Kazakh letters are their own code points */
    differ("ә", "а");
    differ("ø", "o");
    char *thai = fold(TOKEN_FOLD_ALL, "กิ");
    cr_assert_str_eq(thai, "กิ", "Thai vowel marks are spelling, not accents");
    free(thai);
}

Test(token, fold_parts_case_only_marks_only_exact)
{
    char *a = fold(TOKEN_FOLD_MARKS, "Café");
    cr_assert_str_eq(a, "Cafe");
    char *b = fold(TOKEN_FOLD_CASE, "Café");
    cr_assert_str_eq(b, "café");
    char *c = fold(0, "Cafe\xcc\x81");
    cr_assert_str_eq(c, "Caf\xc3\xa9", "exact is NFC: both spellings still meet");
    free(a);
    free(b);
    free(c);
}

typedef struct {
    const char *s;
    char out[32][64];
    int n;
} Collect;

static void collect(void *ctx, size_t start, size_t end)
{
    Collect *c = ctx;
    cr_assert_lt(c->n, 32);
    memcpy(c->out[c->n], c->s + start, end - start);
    c->out[c->n][end - start] = 0;
    c->n++;
}

static Collect tokens(const char *s)
{
    Collect c = {.s = s};
    Strbuf scratch = STRBUF_INIT;
    token_each((const uint8_t *)s, strlen(s), &scratch, collect, &c);
    strbuf_release(&scratch);
    return c;
}

Test(token, words_by_uax29)
{
    Collect c = tokens("Stop: 3.14, e.g. the grand-mother café.");
    const char *want[] = {"Stop", "3.14", "e.g", "the", "grand", "mother", "café"};
    cr_assert_eq(c.n, 7, "%d tokens", c.n);
    for (int i = 0; i < 7; i++)
        cr_assert_str_eq(c.out[i], want[i]);
}

/* A word is split at its apostrophes, as FTS5 and rg -w split it (UAX #29 keeps "don't" whole),
 * so that "homme" finds "l'homme" and "lord" "LORD'S" -- in ASCII and past it alike. */
Test(token, words_split_at_their_apostrophes)
{
    const char *text[] = {"Don't mother's \xca\xbc"
                          "a b\xca\xbc",
                          "L'homme l\xe2\x80\x99"
                          "enfant dell\xe2\x80\x98"
                          "arte qu\xef\xbc\x87il",
                          "1'000 x'2 \xd7\x92'\xd7\x99\xd7\xa8\xd7\xa4\xd7\x94 "
                          "\xd0\xbf'\xd1\x8f\xd1\x82\xd1\x8c e'\xcc\x88z \xd1\x96\xca\xbc\xd1\x8f "
                          "l\xe2\x80\x99\xc2\xad"
                          "homme 1\xc2\xad'2"};
    const char *want[][12] = {
        /* U+02BC, a letter to UAX #29, is an apostrophe too: not a word's at its edges */
        {"Don", "t", "mother", "s", "a", "b"},
        {"L", "homme", "l", "enfant", "dell", "arte", "qu", "il"},
        /* digits keep theirs, a Hebrew letter its geresh, one before a mark (WB4: the mark is the
         * apostrophe's) too; Ukrainian's is split, as FTS5's; a soft hyphen beside one is passed
         * over, as WB4 passes it */
        {"1'000", "x", "2", "\xd7\x92'\xd7\x99\xd7\xa8\xd7\xa4\xd7\x94", "\xd0\xbf",
         "\xd1\x8f\xd1\x82\xd1\x8c", "e'\xcc\x88z", "\xd1\x96", "\xd1\x8f", "l", "\xc2\xadhomme",
         "1\xc2\xad'2"},
    };
    int counts[] = {6, 8, 12};
    for (int t = 0; t < 3; t++) {
        Collect c = tokens(text[t]);
        cr_assert_eq(c.n, counts[t], "%s: %d tokens", text[t], c.n);
        for (int i = 0; i < counts[t]; i++)
            cr_assert_str_eq(c.out[i], want[t][i], "%s: token %d", text[t], i);
    }
}

Test(token, unspaced_scripts_are_a_token_per_character)
{
    Collect c = tokens("我爱北京。カタカナ ภาษาไทย word");
    const char *want[] = {"我", "爱", "北", "京", "カ", "タ", "カ", "ナ",
                          "ภ",  "า",  "ษ",  "า",  "ไ",  "ท",  "ย",  "word"};
    cr_assert_eq(c.n, 16, "%d tokens", c.n);
    for (int i = 0; i < 16; i++)
        cr_assert_str_eq(c.out[i], want[i], "token %d", i);
    Collect m = tokens("ที่");
    cr_assert_eq(m.n, 1, "a Thai letter keeps its marks");
    cr_assert_str_eq(m.out[0], "ที่");
}

Test(token, punctuation_and_symbols_are_not_words)
{
    Collect c = tokens("-- ... !? \xe2\x80\x94 \xf0\x9f\x91\x8d 42");
    cr_assert_eq(c.n, 1);
    cr_assert_str_eq(c.out[0], "42");
}

Test(token, the_cache_gives_the_same_answer_as_a_fresh_fold)
{
    TokenFolder *f = token_folder_new(TOKEN_FOLD_ALL);
    const char *words[] = {"Ёлка", "café", "Straße", "ёлка", "Ёлка", "café"};
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
            size_t len;
            const char *r = token_fold(f, (const uint8_t *)words[i], strlen(words[i]), &len);
            char *fresh = fold(TOKEN_FOLD_ALL, words[i]);
            cr_assert_str_eq(r, fresh);
            free(fresh);
        }
    token_folder_free(f);
}

typedef struct {
    size_t spans[512][2];
    size_t n;
} Spans;

static void collect_span(void *ctx, size_t start, size_t end)
{
    Spans *s = ctx;
    if (s->n < 512) {
        s->spans[s->n][0] = start;
        s->spans[s->n][1] = end;
    }
    s->n++;
}

/* The ASCII fast path finds exactly the words libunistring's UAX #29 breaker finds, on random
 * strings dense in the characters the rules are about. */
Test(token, the_ascii_fast_path_agrees_with_uax29)
{
    static const char alphabet[] = "aZq09_.:',; \n\t-\"!?/()";
    unsigned seed = 12345;
    Strbuf scratch = STRBUF_INIT;
    static Spans fast, full;
    for (int round = 0; round < 200000; round++) {
        char s[40];
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 16) % 24;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            s[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        fast.n = full.n = 0;
        token_each((const uint8_t *)s, n, &scratch, collect_span, &fast);
        token_each_unicode((const uint8_t *)s, n, &scratch, collect_span, &full);
        cr_assert_eq(fast.n, full.n, "'%.*s': %zu words, not %zu", (int)n, s, fast.n, full.n);
        cr_assert(!memcmp(fast.spans, full.spans, fast.n * sizeof fast.spans[0]), "'%.*s'", (int)n,
                  s);
    }
    strbuf_release(&scratch);
}
