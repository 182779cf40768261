/* test_collate: three or more versions in rows -- every paragraph once, every version in order. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lector/collate.h"
#include "lector/strbuf.h"
#include "lector/text.h"

#define COLLATE_CHECK(cond, ...) cr_assert(cond, __VA_ARGS__)
#include "collate_check.h"

static Text *story(const char *const *paras, size_t n)
{
    Strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        strbuf_addstr(&sb, paras[i]);
        strbuf_addstr(&sb, "\n\n");
    }
    Text *t = text_from_bytes(sb.buf ? sb.buf : "", sb.len, "story.txt");
    strbuf_release(&sb);
    return t;
}

static const char *const BASE[] = {
    "The harbour was quiet at dawn, and the boats lay still on the grey water.",
    "Marta walked down to the pier with her father's old net over her shoulder.",
    "She had promised him she would mend it before the herring came back in spring.",
    "The knots were stiff with salt, and her fingers ached after an hour.",
    "At noon the baker's boy brought her bread and a jug of sour milk.",
    "By evening the net was whole again, and she hung it in the boathouse to dry.",
};
enum { NBASE = sizeof BASE / sizeof *BASE };

/* A merge in one version and a split in another of the same base paragraphs: one block row
 * holding both, each version's paragraphs in it. */
Test(collate, merge_and_split_share_a_row)
{
    const char *merged[NBASE - 1], *split[NBASE + 1];
    char *joined = NULL;
    size_t len = strlen(BASE[1]) + strlen(BASE[2]) + 2;
    joined = malloc(len);
    snprintf(joined, len, "%s %s", BASE[1], BASE[2]);
    merged[0] = BASE[0];
    merged[1] = joined;
    for (size_t i = 3; i < NBASE; i++)
        merged[i - 1] = BASE[i];
    split[0] = BASE[0];
    split[1] = "Marta walked down to the pier";
    split[2] = "with her father's old net over her shoulder.";
    for (size_t i = 2; i < NBASE; i++)
        split[i + 1] = BASE[i];
    Text *t[3] = {story(BASE, NBASE), story(merged, NBASE - 1), story(split, NBASE + 1)};
    Collation *c = collate_new((const Text *const *)t, 3, ALIGN_TRANSLATION_AUTO);
    collate_check(c);
    /* rows: base 1 | 1 | 1; base 2-3 | 2 | 2-4 (its merge, its split); then one each */
    cr_assert_eq(collate_row_count(c), NBASE - 1);
    const CollateCell *r = collate_row(c, 1);
    cr_assert(r[0].first == 1 && r[0].n == 2, "base cell %zu+%zu", r[0].first, r[0].n);
    cr_assert(r[1].first == 1 && r[1].n == 1, "merged cell %zu+%zu", r[1].first, r[1].n);
    cr_assert(r[2].first == 1 && r[2].n == 3, "split cell %zu+%zu", r[2].first, r[2].n);
    for (size_t k = 0; k < 3; k++)
        text_free(t[k]);
    collate_free(c);
    free(joined);
}

/* A paragraph only one version adds, one another leaves out, one moved in a third: each in a
 * row of its own, in every version's order. */
Test(collate, additions_removals_and_a_move)
{
    const char *added[NBASE + 1], *removed[NBASE - 1], *moved[NBASE];
    for (size_t i = 0, k = 0; i < NBASE; i++) {
        added[k++] = BASE[i];
        if (i == 3) added[k++] = "A gull landed on the post beside her and watched her work.";
    }
    for (size_t i = 0, k = 0; i < NBASE; i++)
        if (i != 4) removed[k++] = BASE[i];
    for (size_t i = 0; i < NBASE; i++) /* paragraph 0 moved to the end */
        moved[i] = BASE[(i + 1) % NBASE];
    Text *t[4] = {story(BASE, NBASE), story(added, NBASE + 1), story(removed, NBASE - 1),
                  story(moved, NBASE)};
    Collation *c = collate_new((const Text *const *)t, 4, ALIGN_TRANSLATION_AUTO);
    collate_check(c);
    size_t only_added = 0;
    for (size_t r = 0; r < collate_row_count(c); r++) {
        const CollateCell *row = collate_row(c, r);
        if (!row[0].n && row[1].n == 1 && !row[2].n && !row[3].n && row[1].first == 4) only_added++;
        if (row[0].n && row[0].first == 4) cr_assert_eq(row[2].n, 0, "version 3 left it out");
    }
    cr_assert_eq(only_added, 1, "the added paragraph alone in its row");
    for (size_t k = 0; k < 4; k++)
        text_free(t[k]);
    collate_free(c);
}

static uint64_t rng(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A version of BASE-like paragraphs edited at random: kept, dropped, reworded, split, merged
 * with the next, moved, or a new paragraph inserted. */
static Text *random_version(const char *const *paras, size_t n, uint64_t *s)
{
    static const char *const words[] = {"salt", "net",   "boat", "bread", "dawn", "tide", "rope",
                                        "gull", "stone", "wind", "grey",  "old",  "her",  "the"};
    Strbuf sb = STRBUF_INIT, later = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        switch (rng(s) % 9) {
        case 0: /* dropped */
            continue;
        case 1: /* inserted before */
            for (int w = 0; w < 8; w++)
                strbuf_addf(&sb, "%s ", words[rng(s) % 14]);
            strbuf_addstr(&sb, "\n\n");
            break;
        case 2: { /* split */
            size_t len = strlen(paras[i]), cut = len / 2;
            while (cut < len && paras[i][cut] != ' ')
                cut++;
            strbuf_add(&sb, paras[i], cut);
            strbuf_addstr(&sb, "\n\n");
            strbuf_addstr(&sb, paras[i] + cut);
            strbuf_addstr(&sb, "\n\n");
            continue;
        }
        case 3: /* merged with the next */
            strbuf_addstr(&sb, paras[i]);
            strbuf_addch(&sb, ' ');
            continue;
        case 4: /* moved to the end */
            strbuf_addstr(&later, paras[i]);
            strbuf_addstr(&later, "\n\n");
            continue;
        case 5: /* reworded: a word changed */
            strbuf_addstr(&sb, words[rng(s) % 14]);
            strbuf_addch(&sb, ' ');
            break;
        default:
            break;
        }
        strbuf_addstr(&sb, paras[i]);
        strbuf_addstr(&sb, "\n\n");
    }
    strbuf_add(&sb, later.buf ? later.buf : "", later.len);
    Text *t = text_from_bytes(sb.buf ? sb.buf : "", sb.len, "v.txt");
    strbuf_release(&sb);
    strbuf_release(&later);
    return t;
}

/* The property, on 300 random sets of 3 to 6 versions (empty ones among them). */
Test(collate, every_paragraph_once_in_order)
{
    const char *paras[24];
    char store[24][200];
    uint64_t s = 0x5eed;
    for (int round = 0; round < 300; round++) {
        size_t np = rng(&s) % 24;
        for (size_t i = 0; i < np; i++) {
            snprintf(store[i], sizeof store[i], "%s %zu and %s, round %d.", BASE[rng(&s) % NBASE],
                     i, BASE[rng(&s) % NBASE], round);
            paras[i] = store[i];
        }
        size_t n = 3 + rng(&s) % 4;
        Text *t[COLLATE_MAX];
        t[0] = story(paras, np);
        for (size_t v = 1; v < n; v++)
            t[v] = rng(&s) % 10 == 0 ? story(NULL, 0) : random_version(paras, np, &s);
        Collation *c = collate_new((const Text *const *)t, n, ALIGN_TRANSLATION_AUTO);
        collate_check(c);
        collate_free(c);
        for (size_t v = 0; v < n; v++)
            text_free(t[v]);
    }
}

Test(collate, version_limits)
{
    Text *t[COLLATE_MAX + 1];
    for (size_t v = 0; v <= COLLATE_MAX; v++)
        t[v] = story(BASE, NBASE);
    cr_assert_null(collate_new((const Text *const *)t, 1, ALIGN_TRANSLATION_AUTO));
    cr_assert_null(collate_new((const Text *const *)t, COLLATE_MAX + 1, ALIGN_TRANSLATION_AUTO));
    Collation *c = collate_new((const Text *const *)t, COLLATE_MAX, ALIGN_TRANSLATION_AUTO);
    cr_assert_eq(collate_check(c), NBASE, "identical versions: a row a paragraph");
    for (size_t r = 0; r < NBASE; r++)
        for (size_t v = 0; v < COLLATE_MAX; v++)
            cr_assert(collate_row(c, r)[v].first == r && collate_row(c, r)[v].n == 1);
    collate_free(c);
    for (size_t v = 0; v <= COLLATE_MAX; v++)
        text_free(t[v]);
    collate_free(NULL);
}
