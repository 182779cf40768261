/* Chapter headings in plain text (chapter.h), one by one and measured on books of our own
 * (tests/data/chapters: each NAME.txt with NAME.expected, the first line of each true heading,
 * in order; the books also hold lines made to look like headings and not be: scene breaks,
 * "Part of me wanted to stay.", "Глава семьи пришёл", "第二天早上", a centred signature). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lector/chapter.h"
#include "lector/text.h"

static char *heading(const char *s, int *level, bool *bare)
{
    return chapter_heading((const uint8_t *)s, strlen(s), level, bare);
}

static void is_heading(const char *s, const char *title, int level, bool bare)
{
    int lv;
    bool b;
    char *t = heading(s, &lv, &b);
    cr_assert_not_null(t, "'%s' is a heading", s);
    cr_assert_str_eq(t, title);
    cr_assert_eq(lv, level, "'%s': level %d", s, lv);
    cr_assert_eq(b, bare, "'%s': bare %d", s, b);
    free(t);
}

static void not_heading(const char *s)
{
    int lv;
    bool b;
    char *t = heading(s, &lv, &b);
    cr_assert_null(t, "'%s' is not a heading, got '%s'", s, t);
}

Test(chapter, the_headings_the_issue_names)
{
    is_heading("Chapter 12", "Chapter 12", 2, true);
    is_heading("CHAPTER XII.", "CHAPTER XII", 2, true);
    is_heading("Part Two", "Part Two", 1, true);
    is_heading("Глава 3", "Глава 3", 2, true);
    is_heading("ГЛАВА ТРЕТЬЯ", "ГЛАВА ТРЕТЬЯ", 2, true);
    is_heading("Бөлім 2", "Бөлім 2", 1, true);
    is_heading("第十二章", "第十二章", 2, true);
    is_heading("XII", "XII", 2, true);
    is_heading("Chapter 7: The Well", "Chapter 7: The Well", 2, false);
    is_heading("Chapter Twenty-One", "Chapter Twenty-One", 2, true);
    is_heading("2-тарау", "2-тарау", 2, true);
    is_heading("Екінші бөлім", "Екінші бөлім", 1, true);
    is_heading("第三卷 冬天", "第三卷 冬天", 1, false);
    is_heading("Epilogue", "Epilogue", 2, false);
    is_heading("The Thaw\n--------", "The Thaw", 2, false);
    is_heading("Winter\n======", "Winter", 1, false);
    is_heading("                    The Thaw", "The Thaw", 2, false);
    is_heading("CHAPTER IV.\nTHE WELL.", "CHAPTER IV: THE WELL", 2, false);
}

Test(chapter, lines_that_only_look_like_headings)
{
    not_heading("* * *");
    not_heading("***");
    not_heading("#");
    not_heading("Part of me wanted to stay.");
    not_heading("Chapter and verse.");
    not_heading("Book club met on Tuesdays.");
    not_heading("Глава семьи пришёл домой.");
    not_heading("Часть денег пропала.");
    not_heading("第二天早上，他走了。");
    not_heading("1984 was a long year.");
    not_heading("IIII"); /* not a Roman numeral */
    not_heading("                    \"Come back!\" she called.");
    not_heading("                    Yours, Marat");
    not_heading("The wind came down from the hills.");
    not_heading("Chapter 3\nThe wind came down from the hills and pressed the grass flat, and he "
                "watched it from the door.");
    not_heading("Chapter 1\nline two\nline three");
}

Test(chapter, a_subtitle_after_a_bare_heading)
{
    char *t = chapter_subtitle("CHAPTER I", (const uint8_t *)"Down the Rabbit-Hole", 20);
    cr_assert_str_eq(t, "CHAPTER I: Down the Rabbit-Hole");
    free(t);
    const char *sentence = "It was a dark night.";
    cr_assert_null(chapter_subtitle("Chapter 1", (const uint8_t *)sentence, strlen(sentence)));
    const char *speech = "\"Who goes there?\"";
    cr_assert_null(chapter_subtitle("Chapter 1", (const uint8_t *)speech, strlen(speech)));
}

/* The first line of the paragraph at off, trimmed. */
static char *first_line(const Text *t, size_t off)
{
    const char *s = (const char *)text_bytes(t) + off;
    while (*s == ' ')
        s++;
    size_t n = strcspn(s, "\n");
    while (n && s[n - 1] == ' ')
        n--;
    return strndup(s, n);
}

Test(chapter, precision_and_recall_on_our_books)
{
    const char *books[] = {"en-numbered", "en-roman", "en-underlined", "ru", "kk", "zh"};
    size_t found_all = 0, expected_all = 0, right_all = 0;
    for (size_t k = 0; k < sizeof books / sizeof *books; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/tests/data/chapters/%s.expected", LECTOR_SOURCE_DIR,
                 books[k]);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f, "%s", path);
        char *expected[64];
        size_t ne = 0;
        char line[256];
        while (ne < 64 && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = 0;
            expected[ne++] = strdup(line);
        }
        fclose(f);
        snprintf(path, sizeof path, "%s/tests/data/chapters/%s.txt", LECTOR_SOURCE_DIR, books[k]);
        Text *t;
        Diag d = {0};
        cr_assert_eq(text_load(path, 0, &t, &d), 0, "%s", d.msg);
        size_t nf = text_chapter_count(t), right = 0, e = 0;
        /* in order: a found heading is right when it is the next expected one not yet passed */
        for (size_t i = 0; i < nf; i++) {
            char *fl = first_line(t, text_chapter(t, i).offset);
            for (size_t j = e; j < ne; j++)
                if (!strcmp(fl, expected[j])) {
                    right++;
                    e = j + 1;
                    break;
                }
            free(fl);
        }
        printf("chapters: %-14s found %2zu, expected %2zu, right %2zu\n", books[k], nf, ne, right);
        found_all += nf;
        expected_all += ne;
        right_all += right;
        for (size_t j = 0; j < ne; j++)
            free(expected[j]);
        text_free(t);
    }
    double precision = (double)right_all / (double)found_all;
    double recall = (double)right_all / (double)expected_all;
    printf("chapters: precision %.3f (%zu of %zu found), recall %.3f (%zu of %zu)\n", precision,
           right_all, found_all, recall, right_all, expected_all);
    cr_assert_geq(precision, 0.95, "precision %.3f", precision);
    cr_assert_geq(recall, 0.95, "recall %.3f", recall);
}

Test(chapter, a_plain_story_names_its_chapters_as_they_are_read)
{
    const char *s = "The Book\n\nCHAPTER I.\n\nDown the Rabbit-Hole\n\nAlice was tired.\n\n"
                    "CHAPTER II.\n\n\"Curiouser!\" cried Alice.\n";
    Text *t = text_from_bytes(s, strlen(s), "book.txt");
    cr_assert_eq(text_chapter_count(t), 2);
    cr_assert_str_eq(text_chapter(t, 0).title, "CHAPTER I: Down the Rabbit-Hole");
    cr_assert_str_eq(text_chapter(t, 1).title, "CHAPTER II", "speech is not a subtitle");
    cr_assert_eq(text_chapter(t, 0).level, 1, "the top level found is 1");
    cr_assert_eq(text_chapter_at(t, 0), SIZE_MAX, "before the first chapter");
    text_free(t);
}
