/* The match list the reader and the compare view share: a query is one phrase, matches are
 * places in the text, and moving between them goes round the ends. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <string.h>

#include "corpus.h"
#include "lector/index.h"
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
    cr_assert_eq(matchlist_new(f.ix, f.t, query, mode, MATCH_PHRASE, &f.m, &d), 0, "%s: %s", query, d.msg);
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

/* Two words are one match where they stand together, not a match per word (as less). */
Test(matchlist, words_of_a_query_are_one_phrase)
{
    const char *s = "Chapter 12 begins. Then chapter 1, and CHAPTER 12 again.\n\n"
                    "Twelve: 12 chapters, chapter\n12 across a line end.\n";
    Fixture f = find(s, strlen(s), "chapter 12", SEARCH_SMART);
    cr_assert_eq(matchlist_count(f.m), 3, "three places, not 6 words");
    char buf[64];
    cr_assert_str_eq(span_text(&f, 0, buf, sizeof buf), "Chapter 12");
    cr_assert_str_eq(span_text(&f, 1, buf, sizeof buf), "CHAPTER 12");
    cr_assert_str_eq(span_text(&f, 2, buf, sizeof buf), "chapter\n12");
    done(&f);
    /* words inside words: the query's parts of them, as in less */
    s = "Алдын ала рахмет! Алдын-ала емес.\n";
    f = find(s, strlen(s), "ын ал", SEARCH_SMART);
    cr_assert_eq(matchlist_count(f.m), 2);
    cr_assert_str_eq(span_text(&f, 0, buf, sizeof buf), "ын ал");
    cr_assert_str_eq(span_text(&f, 1, buf, sizeof buf), "ын-ал");
    done(&f);
}

Test(matchlist, the_story_s_note_in_kazakh_is_one_match)
{
    size_t len;
    char *story = read_command("cat " LECTOR_SOURCE_DIR "/texts/five-windows.txt", &len);
    Fixture f = find(story, len, "алдын ала", SEARCH_SMART);
    cr_assert_eq(matchlist_count(f.m), 1);
    done(&f);
    f = find(story, len, "Алдын ала рахмет", SEARCH_SMART);
    cr_assert_eq(matchlist_count(f.m), 1);
    done(&f);
    free(story);
}

/* Single words against a count made by hand: the tokens (runs of ASCII letters) holding the
 * word, ignoring case, in the shipped English story. */
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
            for (size_t k = i; k + wl <= j; k++)
                if (!strncasecmp(story + k, words[w], wl)) {
                    want++;
                    break;
                }
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
    const char *s = "Mother and grandmother.\n\nA line.\n\nMOTHER again, and a mother.\n";
    Fixture f = find(s, strlen(s), "mother", SEARCH_SMART);
    cr_assert_eq(matchlist_count(f.m), 4);
    const char *g = strstr(s, "grandmother");
    size_t grand = (size_t)(g - s);
    cr_assert_eq(matchlist_style_at(f.m, grand, 0), STYLE_TEXT, "grand is not the query's");
    cr_assert_eq(matchlist_style_at(f.m, grand + 5, 0), STYLE_MATCH);
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
    cr_assert_neq(matchlist_new(ix, t, " ,.! ", SEARCH_SMART, MATCH_PHRASE, &m, &d), 0);
    cr_assert(d.msg[0]);
    cr_assert_eq(matchlist_new(ix, t, "absent", SEARCH_SMART, MATCH_PHRASE, &m, &d), 0);
    cr_assert_eq(matchlist_count(m), 0);
    bool w;
    cr_assert_eq(matchlist_first(m, 0, 1, &w), 0);
    cr_assert_eq(matchlist_style_at(m, 0, 0), STYLE_TEXT);
    matchlist_free(m);
    index_free(ix);
    text_free(t);
}
