/* Alignment of two stories: hand-made pairs, one kind of edit each, then an evaluation on the
 * King James Bible edited at random with a known answer (precision and recall of the pairs).
 * Every alignment goes through align_check_invariants (align_check.h), which holds the rows,
 * counts, scores and diff spans to what align.h promises, recomputing the scores from the tokens
 * (token.h). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "corpus.h"
#include "lector/align.h"
#include "lector/diag.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/token.h"

/* the invariants every alignment below is held to */
#define ALIGN_CHECK(cond, ...) cr_assert(cond, __VA_ARGS__)
#include "align_check.h"

/* ---- hand-made stories ---- */

/* A story of eight paragraphs of distinct prose. */
static const char *const KEEPER[] = {
    "The lighthouse on Gannet Rock had been dark for eleven winters before Marta Vell rowed out "
    "with a crate of lamp oil and a borrowed set of keys. Gulls wheeled over the broken gallery "
    "rail, screaming at her as if she owed them rent. She tied the dinghy to an iron ring green "
    "with weed and began to climb.",
    "Inside, the spiral stair smelled of rust and old tar. Every fortieth step a narrow window "
    "showed the harbour shrinking below, its fishing boats no bigger than beetles. At the top she "
    "found the great lens intact, wrapped in a canvas shroud that someone had stitched with "
    "patient, even seams.",
    "Her grandfather had kept this light for thirty years, and his logbook still lay open on the "
    "chart table. The last entry described a schooner called the Perseverance running aground in "
    "fog, and a lantern signal answered from the mainland too late. Marta read the page twice, "
    "then closed the book and set it carefully on the shelf.",
    "She spent the afternoon scraping salt crust from the brass fittings and trimming a fresh "
    "wick. The mechanism that turned the lens was seized, so she dismantled the gear train on a "
    "blanket and cleaned each cog with a toothbrush and paraffin. By dusk her hands were black to "
    "the wrist, but the clockwork ticked again when she wound it.",
    "A storm came up from the southwest shortly after sunset. Rain hammered the lantern room and "
    "the whole tower hummed like a plucked wire. Far out beyond the reef she saw a single "
    "masthead light pitching wildly, vanishing and reappearing between the swells.",
    "She lit the lamp. The flame caught, steadied, and the lens began its slow rotation, throwing "
    "a white beam across the water every twelve seconds. The distant light altered course, "
    "swinging north toward the deep channel that only the old charts still marked.",
    "In the morning a trawler crew came ashore at the village quay, soaked and laughing, and "
    "asked who had relit Gannet Rock. Nobody in the tavern could answer them. The harbourmaster "
    "only shrugged and poured another round of coffee with a generous splash of rum.",
    "Marta stayed on the rock through the rest of the winter, mending windows and painting the "
    "gallery rail a bright defiant red. In spring the council sent a letter offering her the post "
    "of keeper at a modest salary. She pinned it above the chart table beside her grandfather's "
    "photograph and did not reply for a week.",
};
#define NKEEPER (sizeof KEEPER / sizeof *KEEPER)

/* Another story, on another subject. */
static const char *const BAKERY[] = {
    "Every weekday at four in the morning, Osman unlocks the bakery on Kestrel Street and "
    "switches on the proving cabinets. The dough for the rye loaves has rested overnight in "
    "wicker baskets dusted with flour. He tests each one with a knuckle, listening for the hollow "
    "answer that means it is ready.",
    "His daughter Leyla arrives at five to shape the croissants. She folds cold butter into the "
    "pastry in three turns, chilling it between each fold so the layers stay distinct. Customers "
    "swear they can taste the difference, though none of them has ever watched her work.",
    "The oven is a brick monster installed by the previous owner in nineteen sixty two. It takes "
    "two hours to reach temperature and holds heat so well that the last batch of biscuits bakes "
    "on nothing but the residual warmth. Osman talks to it in Turkish when it misbehaves.",
    "At seven the queue reaches the pharmacy next door. Office workers buy sesame rings and paper "
    "cups of sweet tea; schoolchildren count coins for a single custard tart to share. The radio "
    "plays old football commentary that nobody listens to but everybody would miss.",
    "Flour prices doubled last autumn, and for a while the accounts looked grim. Leyla proposed a "
    "sourdough subscription, delivered by bicycle to flats across the district. Within three "
    "months they had two hundred subscribers and a waiting list pinned beside the till.",
    "On Sundays the shop stays closed and the family eats lunch in the yard behind it. Osman "
    "grills peppers over charcoal while his grandchildren chase the cat between stacks of empty "
    "flour sacks. Someone always brings a cake from a rival bakery, purely for professional "
    "comparison.",
    "When the landlord announced the building would be sold, the neighbourhood raised a petition "
    "within a weekend. Two thousand signatures and a local newspaper article later, the new "
    "owners agreed to keep the lease. Osman celebrated by baking a loaf shaped like a fist.",
};
#define NBAKERY (sizeof BAKERY / sizeof *BAKERY)

/* Chinese, written without spaces: one token per character. */
static const char *const TEA[] = {
    "清晨的山谷里弥漫着薄雾，远处的村庄还没有醒来。老张背着竹篓沿着小路往上走，脚下的石阶被露水"
    "打湿，踩上去有些滑。他一边走一边哼着年轻时学会的山歌。",
    "半山腰有一片茶园，是他父亲年轻时亲手开垦的。每年春天，嫩绿的新芽从枝头冒出来，整座山坡都散"
    "发着清香。采茶的时候，他总是只摘一芽一叶，从不贪多。",
    "中午，他坐在一棵老松树下吃干粮。妻子做的烙饼已经凉了，但配着山泉水依然很香。树上的松鼠探出"
    "头来看他，好像也想分一块。",
    "下午起了风，云层从西边压过来。老张加快了手上的动作，赶在下雨之前把竹篓装满。回家的路上，雨"
    "点开始噼里啪啦地落在斗笠上。",
    "晚上，全家人围坐在灶台边炒茶。铁锅烧得通红，茶叶在手掌间翻滚，屋子里满是焦香。孙女问他明年"
    "还上不上山，他笑着说只要走得动就去。",
};
#define NTEA (sizeof TEA / sizeof *TEA)

static const char *INSERTED =
    "A ferry captain named Ingrid Solberg once offered to buy the place and turn it into a "
    "guesthouse for birdwatchers. The county refused, citing the cost of insurance and the "
    "nesting terns. Ingrid bought a caravan park on the headland instead and never spoke of "
    "beacons again.";

/* The paragraphs joined by blank lines, as a story. */
static Text *story(const char *const *paras, size_t n)
{
    Strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i) strbuf_addstr(&sb, "\n\n");
        strbuf_addstr(&sb, paras[i]);
    }
    strbuf_addch(&sb, '\n');
    Text *t = text_from_bytes(sb.buf, sb.len, NULL);
    strbuf_release(&sb);
    return t;
}

typedef struct {
    Text *a, *b;
    Alignment *al;
} Pair;

static Pair align_stories(const char *const *pa, size_t na, const char *const *pb, size_t nb)
{
    Pair p = {story(pa, na), story(pb, nb), NULL};
    cr_assert_eq(text_paragraph_count(p.a), na);
    cr_assert_eq(text_paragraph_count(p.b), nb);
    p.al = align_new(p.a, p.b);
    cr_assert_not_null(p.al);
    align_check_invariants(p.al, p.a, p.b);
    return p;
}

static void pair_free(Pair *p)
{
    align_free(p->al);
    text_free(p->a);
    text_free(p->b);
}

typedef struct {
    AlignKind kind;
    size_t a, na, b, nb;
} Want;

/* The rows are exactly these (b is not compared for a removed paragraph: align.h leaves it). */
static void expect_rows(const Alignment *al, const Want *w, size_t n)
{
    cr_assert_eq(align_row_count(al), n, "%zu rows, want %zu:%s", align_row_count(al), n,
                 dump_rows(al));
    const AlignRow *r = align_rows(al);
    for (size_t i = 0; i < n; i++)
        cr_assert(r[i].kind == w[i].kind && r[i].a == w[i].a && r[i].na == w[i].na &&
                      r[i].nb == w[i].nb && (w[i].kind == ALIGN_ONLY_A || r[i].b == w[i].b),
                  "row %zu: want %s a %zu+%zu b %zu+%zu, got:%s", i, align_kind_name(w[i].kind),
                  w[i].a, w[i].na, w[i].b, w[i].nb, dump_rows(al));
}

/* Tokens in s[0, len). */
static size_t count_tokens(const char *s, size_t len)
{
    Toks t = {0};
    Strbuf scratch = STRBUF_INIT;
    token_each((const uint8_t *)s, len, &scratch, toks_add, &t);
    strbuf_release(&scratch);
    free(t.v);
    return t.n;
}

/* Offset in t of needle, which must occur once in paragraph i (a byte range of t). */
static Span find_in_paragraph(const Text *t, size_t i, const char *needle)
{
    Span p = text_paragraph(t, i);
    const char *base = (const char *)text_bytes(t);
    char *para = strndup(base + p.start, p.end - p.start);
    char *hit = strstr(para, needle);
    cr_assert_not_null(hit, "\"%s\" not in paragraph %zu", needle, i);
    cr_assert_null(strstr(hit + 1, needle), "\"%s\" twice in paragraph %zu", needle, i);
    Span s = {p.start + (size_t)(hit - para), p.start + (size_t)(hit - para) + strlen(needle)};
    free(para);
    return s;
}

/* A malloc'd copy of s with the first old replaced by new. */
static char *replace_once(const char *s, const char *old, const char *new)
{
    const char *hit = strstr(s, old);
    cr_assert_not_null(hit, "\"%s\" not found", old);
    Strbuf sb = STRBUF_INIT;
    strbuf_add(&sb, s, (size_t)(hit - s));
    strbuf_addstr(&sb, new);
    strbuf_addstr(&sb, hit + strlen(old));
    return strbuf_detach(&sb, NULL);
}

Test(align, kind_names_and_free_null)
{
    cr_assert_str_eq(align_kind_name(ALIGN_SAME), "same");
    cr_assert_str_eq(align_kind_name(ALIGN_CHANGED), "changed");
    cr_assert_str_eq(align_kind_name(ALIGN_ONLY_A), "removed");
    cr_assert_str_eq(align_kind_name(ALIGN_ONLY_B), "added");
    cr_assert_str_eq(align_kind_name(ALIGN_MOVED), "moved");
    align_free(NULL);
}

Test(align, identical_stories_are_all_same)
{
    Pair p = align_stories(KEEPER, NKEEPER, KEEPER, NKEEPER);
    Want w[NKEEPER];
    for (size_t i = 0; i < NKEEPER; i++)
        w[i] = (Want){ALIGN_SAME, i, 1, i, 1};
    expect_rows(p.al, w, NKEEPER);
    for (size_t i = 0; i < NKEEPER; i++)
        cr_assert(fabs(align_rows(p.al)[i].score - 1) < 1e-9);
    cr_assert(fabs(align_similarity(p.al) - 1) < 1e-9, "similarity %g", align_similarity(p.al));
    AlignCounts c = align_counts(p.al);
    cr_assert(c.same == NKEEPER && !c.changed && !c.only_a && !c.only_b && !c.moved);
    pair_free(&p);
}

/* Other line breaks and runs of spaces inside the paragraphs: still the same. */
Test(align, respaced_stories_are_all_same)
{
    char *b[NKEEPER];
    for (size_t i = 0; i < NKEEPER; i++) {
        Strbuf sb = STRBUF_INIT;
        int words = 0;
        for (const char *s = KEEPER[i]; *s; s++) {
            if (*s == ' ' && ++words % 9 == 0)
                strbuf_addch(&sb, '\n');
            else if (*s == ' ' && words % 4 == 0)
                strbuf_addstr(&sb, "   ");
            else
                strbuf_addch(&sb, *s);
        }
        b[i] = strbuf_detach(&sb, NULL);
    }
    Pair p = align_stories(KEEPER, NKEEPER, (const char *const *)b, NKEEPER);
    Want w[NKEEPER];
    for (size_t i = 0; i < NKEEPER; i++)
        w[i] = (Want){ALIGN_SAME, i, 1, i, 1};
    expect_rows(p.al, w, NKEEPER);
    cr_assert(fabs(align_similarity(p.al) - 1) < 1e-9, "similarity %g", align_similarity(p.al));
    pair_free(&p);
    for (size_t i = 0; i < NKEEPER; i++)
        free(b[i]);
}

/* A story spelt with combining marks (NFD) against itself with precomposed letters (NFC) is the
 * same text: every row same (each was "changed", with no word marked: the words are folded). A
 * letter that differs still makes its row changed. */
Test(align, nfd_and_nfc_spellings_are_the_same)
{
    const char *a[] = {"L'\xc3\xa9l\xc3\xa8ve est all\xc3\xa9 \xc3\xa0 l'\xc3\xa9"
                       "cole ce matin-l\xc3\xa0.",
                       "Il a vu la mer pour la premi\xc3\xa8re fois, et il a souri.",
                       "\xd0\x81\xd0\xbb\xd0\xba\xd0\xb0 \xd0\xb8 \xd0\xb9\xd0\xbe\xd0\xb4."};
    const char *b[] = {
        "L'e\xcc\x81le\xcc\x80ve est alle\xcc\x81 a\xcc\x80 l'e\xcc\x81"
        "cole ce matin-la\xcc\x80.",
        "Il a vu la mer pour la premie\xcc\x80re fois, et il a souri.",
        "\xd0\x95\xcc\x88\xd0\xbb\xd0\xba\xd0\xb0 \xd0\xb8 \xd0\xb8\xcc\x86\xd0\xbe\xd0\xb4."};
    Pair p = align_stories(a, 3, b, 3);
    Want w[3];
    for (size_t i = 0; i < 3; i++)
        w[i] = (Want){ALIGN_SAME, i, 1, i, 1};
    expect_rows(p.al, w, 3);
    pair_free(&p);
    const char *c[] = {a[0], "Il a vu la mer pour la premie\xcc\x80re fois, et il a ri.", a[2]};
    p = align_stories(a, 3, c, 3);
    cr_assert_eq(align_rows(p.al)[1].kind, ALIGN_CHANGED, "a word that differs");
    pair_free(&p);
}

/* A paragraph without words is paired by its text alone, the spacing aside: one of 6,000 bytes
 * (longer than the 4 KiB its spacing is evened out in) broken over lines and double-spaced in A,
 * on one line in B. */
Test(align, long_wordless_paragraph_respaced_is_the_same)
{
    Strbuf la = STRBUF_INIT, lb = STRBUF_INIT;
    for (int k = 0; k < 3000; k++) {
        strbuf_addstr(&la, k % 10 == 9 ? "*\n" : k % 7 == 3 ? "*  " : "* ");
        strbuf_addstr(&lb, k < 2999 ? "* " : "*");
    }
    const char *a[] = {KEEPER[0], la.buf, KEEPER[1]};
    const char *b[] = {KEEPER[0], lb.buf, KEEPER[1]};
    Pair p = align_stories(a, 3, b, 3);
    Want w[] = {{ALIGN_SAME, 0, 1, 0, 1}, {ALIGN_SAME, 1, 1, 1, 1}, {ALIGN_SAME, 2, 1, 2, 1}};
    expect_rows(p.al, w, 3);
    pair_free(&p);
    strbuf_release(&la);
    strbuf_release(&lb);
}

Test(align, one_word_changed)
{
    const char *b[NKEEPER];
    memcpy(b, KEEPER, sizeof b);
    char *changed = replace_once(KEEPER[3], "toothbrush", "feather");
    b[3] = changed;
    Pair p = align_stories(KEEPER, NKEEPER, b, NKEEPER);
    Want w[NKEEPER];
    for (size_t i = 0; i < NKEEPER; i++)
        w[i] = (Want){i == 3 ? ALIGN_CHANGED : ALIGN_SAME, i, 1, i, 1};
    expect_rows(p.al, w, NKEEPER);
    const AlignRow *r = &align_rows(p.al)[3];
    /* the diff is the one word on each side */
    Span old_word = find_in_paragraph(p.a, 3, "toothbrush");
    Span new_word = find_in_paragraph(p.b, 3, "feather");
    cr_assert(r->ndiff_a == 1 && r->ndiff_b == 1, "diff spans %zu/%zu", r->ndiff_a, r->ndiff_b);
    Span da = align_diff_spans(p.al, 0)[r->diff_a], db = align_diff_spans(p.al, 1)[r->diff_b];
    cr_assert(da.start == old_word.start && da.end == old_word.end,
              "A diff [%zu,%zu), the old word is [%zu,%zu)", da.start, da.end, old_word.start,
              old_word.end);
    cr_assert(db.start == new_word.start && db.end == new_word.end,
              "B diff [%zu,%zu), the new word is [%zu,%zu)", db.start, db.end, new_word.start,
              new_word.end);
    /* n tokens each side, n - 1 in common */
    size_t n = count_tokens(KEEPER[3], strlen(KEEPER[3]));
    cr_assert_eq(count_tokens(changed, strlen(changed)), n);
    cr_assert(fabs(r->score - (double)(n - 1) / n) < 1e-9, "score %g, want %zu/%zu", r->score,
              n - 1, n);
    double sim = align_similarity(p.al);
    cr_assert(sim < 1 && sim > 0.95, "similarity %g", sim);
    AlignCounts c = align_counts(p.al);
    cr_assert(c.same == NKEEPER - 1 && c.changed == 1 && !c.only_a && !c.only_b && !c.moved);
    pair_free(&p);
    free(changed);
}

/* A word's part split off at an apostrophe ("country's" is "country" and "s": token.h) is marked
 * with its apostrophe: "country['s]" against "country", "[l']homme" against "homme". */
Test(align, a_part_of_a_word_is_marked_with_its_apostrophe)
{
    const char *a[] = {"The country's fields were green and wide under the summer sky.",
                       "Then l\xe2\x80\x99homme came down the road with his dog."};
    const char *b[] = {"The country fields were green and wide under the summer sky.",
                       "Then homme came down the road with his dog."};
    Pair p = align_stories(a, 2, b, 2);
    const char *marked[] = {"'s", "l\xe2\x80\x99"};
    for (size_t i = 0; i < 2; i++) {
        const AlignRow *r = &align_rows(p.al)[i];
        cr_assert(r->kind == ALIGN_CHANGED && r->ndiff_a == 1 && r->ndiff_b == 0,
                  "row %zu: %s, diff spans %zu/%zu", i, align_kind_name(r->kind), r->ndiff_a,
                  r->ndiff_b);
        Span d = align_diff_spans(p.al, 0)[r->diff_a], want = find_in_paragraph(p.a, i, marked[i]);
        cr_assert(d.start == want.start && d.end == want.end, "row %zu: [%zu,%zu), want [%zu,%zu)",
                  i, d.start, d.end, want.start, want.end);
    }
    pair_free(&p);
}

Test(align, paragraph_inserted)
{
    const char *b[NKEEPER + 1];
    for (size_t i = 0, j = 0; j < NKEEPER + 1; j++)
        b[j] = j == 3 ? INSERTED : KEEPER[i++];
    Pair p = align_stories(KEEPER, NKEEPER, b, NKEEPER + 1);
    Want w[NKEEPER + 1];
    for (size_t j = 0; j < NKEEPER + 1; j++)
        w[j] = j < 3    ? (Want){ALIGN_SAME, j, 1, j, 1}
               : j == 3 ? (Want){ALIGN_ONLY_B, 3, 0, 3, 1}
                        : (Want){ALIGN_SAME, j - 1, 1, j, 1};
    expect_rows(p.al, w, NKEEPER + 1);
    AlignCounts c = align_counts(p.al);
    cr_assert(c.same == NKEEPER && c.only_b == 1 && !c.changed && !c.only_a && !c.moved);
    pair_free(&p);
}

Test(align, paragraph_deleted)
{
    const char *b[NKEEPER - 1];
    for (size_t i = 0, j = 0; i < NKEEPER; i++)
        if (i != 4) b[j++] = KEEPER[i];
    Pair p = align_stories(KEEPER, NKEEPER, b, NKEEPER - 1);
    Want w[NKEEPER];
    for (size_t i = 0; i < NKEEPER; i++)
        w[i] = i < 4    ? (Want){ALIGN_SAME, i, 1, i, 1}
               : i == 4 ? (Want){ALIGN_ONLY_A, 4, 1, 4, 0}
                        : (Want){ALIGN_SAME, i, 1, i - 1, 1};
    expect_rows(p.al, w, NKEEPER);
    AlignCounts c = align_counts(p.al);
    cr_assert(c.same == NKEEPER - 1 && c.only_a == 1 && !c.changed && !c.only_b && !c.moved);
    pair_free(&p);
}

/* Paragraph 2 cut in two after its second sentence: one row, one A to two B. */
Test(align, paragraph_split)
{
    const char *cut = strstr(KEEPER[2], " Marta read");
    cr_assert_not_null(cut);
    char *first = strndup(KEEPER[2], (size_t)(cut - KEEPER[2]));
    const char *b[NKEEPER + 1];
    for (size_t i = 0, j = 0; i < NKEEPER; i++) {
        if (i == 2) {
            b[j++] = first;
            b[j++] = cut + 1;
        } else {
            b[j++] = KEEPER[i];
        }
    }
    Pair p = align_stories(KEEPER, NKEEPER, b, NKEEPER + 1);
    Want w[NKEEPER];
    for (size_t i = 0; i < NKEEPER; i++)
        w[i] = i < 2    ? (Want){ALIGN_SAME, i, 1, i, 1}
               : i == 2 ? (Want){ALIGN_CHANGED, 2, 1, 2, 2}
                        : (Want){ALIGN_SAME, i, 1, i + 1, 1};
    expect_rows(p.al, w, NKEEPER);
    /* no word differs: the words of the two halves are the words of the whole */
    const AlignRow *r = &align_rows(p.al)[2];
    cr_assert(r->ndiff_a == 0 && r->ndiff_b == 0, "diff spans %zu/%zu", r->ndiff_a, r->ndiff_b);
    cr_assert(fabs(r->score - 1) < 1e-9, "score %g", r->score);
    pair_free(&p);
    free(first);
}

/* Paragraphs 5 and 6 joined into one: one row, two A to one B. */
Test(align, paragraphs_merged)
{
    Strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%s %s", KEEPER[5], KEEPER[6]);
    const char *b[NKEEPER - 1];
    for (size_t i = 0, j = 0; i < NKEEPER; i++) {
        if (i == 6) continue;
        b[j++] = i == 5 ? sb.buf : KEEPER[i];
    }
    Pair p = align_stories(KEEPER, NKEEPER, b, NKEEPER - 1);
    Want w[NKEEPER - 1];
    for (size_t j = 0; j < NKEEPER - 1; j++)
        w[j] = j < 5    ? (Want){ALIGN_SAME, j, 1, j, 1}
               : j == 5 ? (Want){ALIGN_CHANGED, 5, 2, 5, 1}
                        : (Want){ALIGN_SAME, j + 1, 1, j, 1};
    expect_rows(p.al, w, NKEEPER - 1);
    const AlignRow *r = &align_rows(p.al)[5];
    cr_assert(r->ndiff_a == 0 && r->ndiff_b == 0, "diff spans %zu/%zu", r->ndiff_a, r->ndiff_b);
    cr_assert(fabs(r->score - 1) < 1e-9, "score %g", r->score);
    pair_free(&p);
    strbuf_release(&sb);
}

/* The first paragraph moved to the end: one moved row pairing them, at B's place. */
Test(align, paragraph_moved)
{
    const char *b[NKEEPER];
    for (size_t j = 0; j < NKEEPER; j++)
        b[j] = KEEPER[(j + 1) % NKEEPER];
    Pair p = align_stories(KEEPER, NKEEPER, b, NKEEPER);
    Want w[NKEEPER];
    for (size_t j = 0; j < NKEEPER; j++)
        w[j] = j + 1 < NKEEPER ? (Want){ALIGN_SAME, j + 1, 1, j, 1}
                               : (Want){ALIGN_MOVED, 0, 1, NKEEPER - 1, 1};
    expect_rows(p.al, w, NKEEPER);
    cr_assert(fabs(align_rows(p.al)[NKEEPER - 1].score - 1) < 1e-9);
    cr_assert_eq(align_moved_origin(p.al, NKEEPER - 1), 0, "it stood before the first row");
    AlignCounts c = align_counts(p.al);
    cr_assert(c.same == NKEEPER - 1 && c.moved == 1 && !c.changed && !c.only_a && !c.only_b);
    /* moved words are moved, not kept: the similarity is the rest */
    size_t moved = count_tokens(KEEPER[0], strlen(KEEPER[0])), all = 0;
    for (size_t i = 0; i < NKEEPER; i++)
        all += count_tokens(KEEPER[i], strlen(KEEPER[i]));
    AlignShares sh = align_shares(p.al);
    cr_assert(fabs(sh.moved - (double)moved / (double)all) < 1e-9, "moved %g, want %zu/%zu",
              sh.moved, moved, all);
    cr_assert(fabs(sh.kept - (double)(all - moved) / (double)all) < 1e-9, "kept %g", sh.kept);
    cr_assert(sh.changed == 0 && sh.added == 0 && sh.removed == 0);
    cr_assert(fabs(align_similarity(p.al) - sh.kept) < 1e-12);
    pair_free(&p);
}

/* Paragraph 5 moved to the start: the moved row comes first, and stood before A's paragraph 6. */
Test(align, paragraph_moved_back)
{
    const char *b[NKEEPER];
    for (size_t j = 0; j < NKEEPER; j++) /* 5 0 1 2 3 4 6 7 */
        b[j] = j == 0 ? KEEPER[5] : j <= 5 ? KEEPER[j - 1] : KEEPER[j];
    Pair p = align_stories(KEEPER, NKEEPER, b, NKEEPER);
    Want w[NKEEPER];
    w[0] = (Want){ALIGN_MOVED, 5, 1, 0, 1};
    for (size_t j = 1; j < NKEEPER; j++)
        w[j] = (Want){ALIGN_SAME, j <= 5 ? j - 1 : j, 1, j, 1};
    expect_rows(p.al, w, NKEEPER);
    cr_assert_eq(align_moved_origin(p.al, 0), 6, "A's paragraph 5 stood before row 6");
    pair_free(&p);
}

/* Two stories with nothing in common but English: nothing much pairs, everything is shown. */
Test(align, different_stories)
{
    Pair p = align_stories(KEEPER, NKEEPER, BAKERY, NBAKERY);
    const AlignRow *r = align_rows(p.al);
    for (size_t k = 0; k < align_row_count(p.al); k++) {
        cr_assert_neq(r[k].kind, ALIGN_SAME, "%s", dump_rows(p.al));
        if (r[k].na && r[k].nb)
            cr_assert_leq(r[k].score, 0.3, "row %zu pairs unrelated paragraphs:%s", k,
                          dump_rows(p.al));
    }
    cr_assert_lt(align_similarity(p.al), 0.3);
    pair_free(&p);
}

Test(align, one_story_empty)
{
    const char *const empties[] = {"", "\n", " \n\t\n\n"};
    for (size_t e = 0; e < sizeof empties / sizeof *empties; e++) {
        for (int empty_side = 0; empty_side < 2; empty_side++) {
            Text *empty = text_from_bytes(empties[e], strlen(empties[e]), NULL);
            Text *full = story(KEEPER, NKEEPER);
            Text *a = empty_side ? full : empty, *b = empty_side ? empty : full;
            Alignment *al = align_new(a, b);
            align_check_invariants(al, a, b);
            cr_assert_eq(align_paragraph_count(al, empty_side), 0);
            cr_assert_eq(align_paragraph_count(al, !empty_side), NKEEPER);
            cr_assert_geq(align_row_count(al), 1);
            AlignKind want = empty_side ? ALIGN_ONLY_A : ALIGN_ONLY_B;
            for (size_t k = 0; k < align_row_count(al); k++)
                cr_assert_eq(align_rows(al)[k].kind, want, "%s", dump_rows(al));
            AlignCounts c = align_counts(al);
            cr_assert_eq(empty_side ? c.only_a : c.only_b, align_row_count(al));
            cr_assert(align_similarity(al) == 0, "similarity %g", align_similarity(al));
            align_free(al);
            text_free(a);
            text_free(b);
        }
    }
}

Test(align, both_empty)
{
    const char *const empties[] = {"", "\n\n", "  \n\t\n"};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) {
            Text *a = text_from_bytes(empties[i], strlen(empties[i]), NULL);
            Text *b = text_from_bytes(empties[j], strlen(empties[j]), NULL);
            Alignment *al = align_new(a, b);
            cr_assert_not_null(al);
            align_check_invariants(al, a, b);
            cr_assert_eq(align_row_count(al), 0);
            cr_assert_eq(align_paragraph_count(al, 0), 0);
            cr_assert_eq(align_paragraph_count(al, 1), 0);
            AlignCounts c = align_counts(al);
            cr_assert(!c.same && !c.changed && !c.only_a && !c.only_b && !c.moved);
            double s = align_similarity(al);
            cr_assert(s >= 0 && s <= 1, "similarity %g", s);
            align_free(al);
            text_free(a);
            text_free(b);
        }
}

/* Chinese, no spaces: one character changed is a diff of that one character. */
Test(align, cjk_one_character_changed)
{
    const char *b[NTEA];
    memcpy(b, TEA, sizeof b);
    char *changed = replace_once(TEA[2], "已经凉了", "已经硬了");
    b[2] = changed;
    Pair p = align_stories(TEA, NTEA, b, NTEA);
    Want w[NTEA];
    for (size_t i = 0; i < NTEA; i++)
        w[i] = (Want){i == 2 ? ALIGN_CHANGED : ALIGN_SAME, i, 1, i, 1};
    expect_rows(p.al, w, NTEA);
    const AlignRow *r = &align_rows(p.al)[2];
    Span old_char = find_in_paragraph(p.a, 2, "凉"), new_char = find_in_paragraph(p.b, 2, "硬");
    cr_assert_eq(old_char.end - old_char.start, 3);
    cr_assert(r->ndiff_a == 1 && r->ndiff_b == 1, "diff spans %zu/%zu", r->ndiff_a, r->ndiff_b);
    Span da = align_diff_spans(p.al, 0)[r->diff_a], db = align_diff_spans(p.al, 1)[r->diff_b];
    cr_assert(da.start == old_char.start && da.end == old_char.end,
              "A diff [%zu,%zu), the old character is [%zu,%zu)", da.start, da.end, old_char.start,
              old_char.end);
    cr_assert(db.start == new_char.start && db.end == new_char.end,
              "B diff [%zu,%zu), the new character is [%zu,%zu)", db.start, db.end, new_char.start,
              new_char.end);
    size_t n = count_tokens(TEA[2], strlen(TEA[2]));
    cr_assert_gt(n, 30); /* a token per character, not one per run */
    cr_assert(fabs(r->score - (double)(n - 1) / n) < 1e-9, "score %g, want %zu/%zu", r->score,
              n - 1, n);
    pair_free(&p);
    free(changed);
}

/* ---- evaluation: the KJV, edited at random, with the true pairs known ---- */

typedef struct {
    char *text; /* the verses joined by spaces */
    size_t len;
    size_t *vstart; /* where each verse starts in text */
    size_t nv;
} StoryChapter;

typedef struct {
    StoryChapter *v;
    size_t n, cap;
} Chapters;

/* Chapters of these books make story A (a few hundred) ... */
static const char *const A_BOOKS[] = {"Genesis",  "Exodus",   "Joshua",  "Judges", "Ruth",
                                      "1 Samuel", "2 Samuel", "1 Kings", "2 Kings"};
/* ... and chapters of these are inserted into B, and give the words of rewordings. */
static const char *const POOL_BOOKS[] = {"Matthew", "Mark", "Luke", "John", "Acts"};

static int book_in(const char *book, size_t len, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && !memcmp(list[i], book, len)) return 1;
    return 0;
}

static void chapters_push(Chapters *c)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = (StoryChapter){0};
}

/* `bible -l0` prints "Book N" before each chapter and "  V text" for each verse. */
static void read_kjv(Chapters *a, Chapters *pool)
{
    size_t len;
    char *raw = read_command("bible -l0 'gen1:1-rev22:21' 2>/dev/null", &len);
    cr_assert_gt(len, 4000000, "the bible-kjv package gives the King James Bible");
    Chapters *cur = NULL;
    Strbuf sb = STRBUF_INIT;
    size_t vcap = 0;
    for (char *line = raw, *next; line < raw + len; line = next) {
        char *nl = memchr(line, '\n', (size_t)(raw + len - line));
        next = nl ? nl + 1 : raw + len;
        size_t n = (size_t)((nl ? nl : raw + len) - line);
        if (!n) continue;
        if (line[0] != ' ') { /* a chapter's heading: "1 Samuel 3" */
            if (cur) cur->v[cur->n - 1].text = strbuf_detach(&sb, &cur->v[cur->n - 1].len);
            size_t book = n;
            while (book > 0 && line[book - 1] != ' ')
                book--;
            book = book ? book - 1 : 0;
            cur = book_in(line, book, A_BOOKS, sizeof A_BOOKS / sizeof *A_BOOKS)            ? a
                  : book_in(line, book, POOL_BOOKS, sizeof POOL_BOOKS / sizeof *POOL_BOOKS) ? pool
                                                                                            : NULL;
            if (cur) chapters_push(cur);
            vcap = 0;
            strbuf_reset(&sb);
            continue;
        }
        if (!cur) continue;
        size_t i = 0;
        while (i < n && line[i] == ' ')
            i++;
        while (i < n && line[i] >= '0' && line[i] <= '9')
            i++;
        while (i < n && line[i] == ' ')
            i++;
        StoryChapter *ch = &cur->v[cur->n - 1];
        if (ch->nv == vcap) {
            vcap = vcap ? vcap * 2 : 32;
            ch->vstart = realloc(ch->vstart, vcap * sizeof *ch->vstart);
        }
        if (sb.len) strbuf_addch(&sb, ' ');
        ch->vstart[ch->nv++] = sb.len;
        strbuf_add(&sb, line + i, n - i);
    }
    if (cur) cur->v[cur->n - 1].text = strbuf_detach(&sb, &cur->v[cur->n - 1].len);
    strbuf_release(&sb);
    free(raw);
    cr_assert_eq(a->n, 50 + 40 + 24 + 21 + 4 + 31 + 24 + 22 + 25, "chapters of story A");
    cr_assert_eq(pool->n, 28 + 16 + 24 + 21 + 28, "chapters to insert");
    for (size_t i = 0; i < a->n; i++)
        cr_assert(a->v[i].nv >= 2 && a->v[i].text && a->v[i].len > 100, "chapter %zu", i);
}

static void chapters_free(Chapters *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].text);
        free(c->v[i].vstart);
    }
    free(c->v);
}

static uint64_t rng_next(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static size_t rng_below(uint64_t *s, size_t n)
{
    return (size_t)(rng_next(s) % n);
}

enum { OP_KEEP, OP_DELETE, OP_INSERT, OP_REWORD, OP_SPLIT, OP_MERGE, OP_MOVE, NOPS };
static const char *const OP_NAMES[] = {"kept",  "deleted", "inserted", "reworded",
                                       "split", "merged",  "moved"};

/* One paragraph of B: its text and the paragraphs of A it came from (none if inserted). */
typedef struct {
    char *text;
    size_t src[2];
    int nsrc, op;
    size_t anchor; /* for placing moved ones: the A paragraph it stands at */
} Item;

typedef struct {
    Item *v;
    size_t n, cap;
} Items;

static void items_push(Items *it, Item x)
{
    if (it->n == it->cap) {
        it->cap = it->cap ? it->cap * 2 : 256;
        it->v = realloc(it->v, it->cap * sizeof *it->v);
    }
    it->v[it->n++] = x;
}

typedef struct {
    const char *s;
    size_t n;
} Word;

/* Words (letters only) of the pool, for rewording. */
static Word *pool_words(const Chapters *pool, size_t *nwords)
{
    size_t n = 0, cap = 1 << 16;
    Word *w = malloc(cap * sizeof *w);
    for (size_t c = 0; c < pool->n; c++) {
        const char *s = pool->v[c].text, *end = s + pool->v[c].len;
        while (s < end) {
            while (s < end && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
                s++;
            const char *start = s;
            while (s < end && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
                s++;
            if (s > start) {
                if (n == cap) w = realloc(w, (cap *= 2) * sizeof *w);
                w[n++] = (Word){start, (size_t)(s - start)};
            }
        }
    }
    *nwords = n;
    return w;
}

/* A copy of s with about a quarter of its words (space-separated) replaced by pool words. */
static char *reword(const char *s, size_t len, const Word *words, size_t nwords, uint64_t *rng)
{
    Strbuf sb = STRBUF_INIT;
    size_t i = 0;
    while (i < len) {
        if (s[i] == ' ') {
            strbuf_addch(&sb, ' ');
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        if (rng_unit(rng) < 0.25) {
            const Word *w = &words[rng_below(rng, nwords)];
            strbuf_add(&sb, w->s, w->n);
        } else {
            strbuf_add(&sb, s + i, j - i);
        }
        i = j;
    }
    return strbuf_detach(&sb, NULL);
}

typedef struct {
    double precision, recall;
    size_t na, nb, npred, ntrue, hit;
    size_t ops[NOPS], op_true[NOPS], op_hit[NOPS];
    double ms;
} EvalResult;

/* B from A: a share (rate) of A's paragraphs, chosen at random, are each deleted, followed by an
 * inserted chapter, reworded (a quarter of the words replaced), split at a verse, merged with the
 * next, or moved half the story away. */
static EvalResult evaluate(const Chapters *a, const Chapters *pool, double rate, uint64_t seed)
{
    EvalResult res = {0};
    uint64_t rng = seed;
    size_t nwords;
    Word *words = pool_words(pool, &nwords);
    size_t next_insert = rng_below(&rng, pool->n);
    Items main = {0}, moved = {0};
    size_t na = a->n;
    /* round(rate * na) chapters, at random, get an edit each, the six kinds in turn */
    size_t *order = malloc(na * sizeof *order);
    int *plan = calloc(na, sizeof *plan);
    for (size_t i = 0; i < na; i++)
        order[i] = i;
    for (size_t i = na - 1; i > 0; i--) {
        size_t j = rng_below(&rng, i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    size_t nedit = (size_t)(rate * (double)na + 0.5);
    for (size_t t = 0; t < nedit; t++)
        plan[order[t]] = 1 + (int)(t % (NOPS - 1));
    free(order);
    for (size_t i = 0; i < na; i++) {
        const StoryChapter *ch = &a->v[i];
        int op = plan[i];
        if (op == OP_SPLIT && ch->nv < 4) op = OP_REWORD;
        if (op == OP_MERGE && i + 1 == na) op = OP_REWORD;
        res.ops[op]++;
        switch (op) {
        case OP_KEEP:
        case OP_INSERT:
            items_push(&main, (Item){strdup(ch->text), {i, 0}, 1, OP_KEEP, i});
            if (op == OP_INSERT) {
                const StoryChapter *f = &pool->v[next_insert++ % pool->n];
                items_push(&main, (Item){strdup(f->text), {0, 0}, 0, OP_INSERT, i});
            }
            break;
        case OP_DELETE:
            break;
        case OP_REWORD:
            items_push(&main,
                       (Item){reword(ch->text, ch->len, words, nwords, &rng), {i, 0}, 1, op, i});
            break;
        case OP_SPLIT: {
            size_t v = ch->nv / 3 + rng_below(&rng, ch->nv / 3 + 1); /* [nv/3, 2nv/3] */
            if (v == 0) v = 1;
            size_t cut = ch->vstart[v];
            items_push(&main, (Item){strndup(ch->text, cut - 1), {i, 0}, 1, op, i});
            items_push(&main, (Item){strdup(ch->text + cut), {i, 0}, 1, op, i});
            break;
        }
        case OP_MERGE: {
            Strbuf sb = STRBUF_INIT;
            strbuf_addf(&sb, "%s %s", ch->text, a->v[i + 1].text);
            items_push(&main, (Item){strbuf_detach(&sb, NULL), {i, i + 1}, 2, op, i});
            i++; /* the next one's own edit, if it had one, is dropped */
            break;
        }
        case OP_MOVE:
            items_push(&moved, (Item){strdup(ch->text), {i, 0}, 1, op, (i + na / 2) % na});
            break;
        }
    }
    /* moved ones go in before the first paragraph standing at or after their new place */
    for (size_t x = 1; x < moved.n; x++) /* insertion sort by anchor, stable */
        for (size_t y = x; y > 0 && moved.v[y - 1].anchor > moved.v[y].anchor; y--) {
            Item t = moved.v[y];
            moved.v[y] = moved.v[y - 1];
            moved.v[y - 1] = t;
        }
    Items b = {0};
    size_t m = 0;
    for (size_t k = 0; k < main.n; k++) {
        while (m < moved.n && moved.v[m].anchor <= main.v[k].anchor)
            items_push(&b, moved.v[m++]);
        items_push(&b, main.v[k]);
    }
    while (m < moved.n)
        items_push(&b, moved.v[m++]);
    free(main.v);
    free(moved.v);
    free(words);
    free(plan);

    Strbuf sa = STRBUF_INIT, sbb = STRBUF_INIT;
    for (size_t i = 0; i < na; i++)
        strbuf_addf(&sa, "%s%s\n", i ? "\n" : "", a->v[i].text);
    for (size_t j = 0; j < b.n; j++)
        strbuf_addf(&sbb, "%s%s\n", j ? "\n" : "", b.v[j].text);
    Text *ta = text_from_bytes(sa.buf, sa.len, "a"), *tb = text_from_bytes(sbb.buf, sbb.len, "b");
    strbuf_release(&sa);
    strbuf_release(&sbb);
    size_t nb = b.n;
    cr_assert_eq(text_paragraph_count(ta), na);
    cr_assert_eq(text_paragraph_count(tb), nb);

    unsigned char *truth = calloc(na * nb, 1);
    for (size_t j = 0; j < nb; j++)
        for (int s = 0; s < b.v[j].nsrc; s++) {
            truth[b.v[j].src[s] * nb + j] = 1;
            res.ntrue++;
            res.op_true[b.v[j].op]++;
        }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    Alignment *al = align_new(ta, tb);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res.ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    cr_assert_not_null(al);
    align_check_invariants(al, ta, tb);

    const AlignRow *r = align_rows(al);
    for (size_t k = 0; k < align_row_count(al); k++)
        for (size_t x = 0; x < r[k].na && r[k].nb; x++)
            for (size_t y = 0; y < r[k].nb; y++) {
                size_t ai = r[k].a + x, bj = r[k].b + y;
                res.npred++;
                if (truth[ai * nb + bj]) {
                    res.hit++;
                    res.op_hit[b.v[bj].op]++;
                }
            }
    /* the misses, for the log: true pairs not found and pairs found that are not true */
    Strbuf miss = STRBUF_INIT;
    size_t nmiss = 0;
    unsigned char *pred = calloc(na * nb, 1);
    for (size_t k = 0; k < align_row_count(al); k++)
        for (size_t x = 0; x < r[k].na && r[k].nb; x++)
            for (size_t y = 0; y < r[k].nb; y++)
                pred[(r[k].a + x) * nb + r[k].b + y] = 1;
    for (size_t i = 0; i < na * nb; i++)
        if (pred[i] != truth[i] && nmiss++ < 12)
            strbuf_addf(&miss, "\n    %s A %zu - B %zu (%s)", truth[i] ? "missed" : "wrong ",
                        i / nb, i % nb, OP_NAMES[b.v[i % nb].op]);
    if (nmiss) fprintf(stderr, "  rate %.2f, pairs wrong or missed:%s\n", rate, miss.buf);
    strbuf_release(&miss);
    free(pred);
    res.na = na;
    res.nb = nb;
    res.precision = res.npred ? (double)res.hit / res.npred : 0;
    res.recall = res.ntrue ? (double)res.hit / res.ntrue : 1;

    align_free(al);
    text_free(ta);
    text_free(tb);
    free(truth);
    for (size_t j = 0; j < nb; j++)
        free(b.v[j].text);
    free(b.v);
    return res;
}

/* One test for the three rates (one timed test per binary: Criterion's timers leak when timed
 * tests overlap); each rate is checked without stopping the others. */
Test(align_eval, kjv_edited_at_three_rates, .timeout = 240)
{
    Chapters a = {0}, pool = {0};
    read_kjv(&a, &pool);
    const double rates[] = {0.05, 0.15, 0.30};
    for (size_t k = 0; k < sizeof rates / sizeof *rates; k++) {
        EvalResult e = evaluate(&a, &pool, rates[k], 0x5eed0000u + k);
        Strbuf ops = STRBUF_INIT;
        for (int op = 1; op < NOPS; op++)
            strbuf_addf(&ops, " %s %zu", OP_NAMES[op], e.ops[op]);
        Strbuf per = STRBUF_INIT;
        for (int op = 0; op < NOPS; op++)
            if (e.op_true[op])
                strbuf_addf(&per, " %s %zu/%zu", OP_NAMES[op], e.op_hit[op], e.op_true[op]);
        fprintf(stderr,
                "align eval, %2.0f%% edited: A %zu paragraphs, B %zu;%s\n"
                "  precision %.4f (%zu of %zu predicted pairs true), recall %.4f (%zu of %zu "
                "true pairs found) in %.1f ms\n  true pairs found, by B paragraph's origin:%s\n",
                rates[k] * 100, e.na, e.nb, ops.buf, e.precision, e.hit, e.npred, e.recall, e.hit,
                e.ntrue, e.ms, per.buf);
        cr_expect_geq(e.precision, 0.95, "rate %.2f: precision %.4f", rates[k], e.precision);
        cr_expect_geq(e.recall, 0.95, "rate %.2f: recall %.4f", rates[k], e.recall);
        strbuf_release(&ops);
        strbuf_release(&per);
    }
    chapters_free(&a);
    chapters_free(&pool);
}

/* A story with scene breaks ("* * *", no words at all) between its paragraphs: with the story
 * unchanged every row is the same, and with one word changed that one row is changed. */
static void check_separated(const char *sep)
{
    const char *a[2 * NKEEPER];
    size_t n = 0;
    for (size_t i = 0; i < NKEEPER; i++) {
        if (i % 3 == 2) a[n++] = sep;
        a[n++] = KEEPER[i];
    }
    Pair p = align_stories(a, n, a, n);
    cr_assert_eq(align_row_count(p.al), n, "%s", dump_rows(p.al));
    for (size_t k = 0; k < n; k++)
        cr_assert_eq(align_rows(p.al)[k].kind, ALIGN_SAME, "separator \"%s\":%s", sep,
                     dump_rows(p.al));
    pair_free(&p);

    const char *b[2 * NKEEPER] = {0};
    memcpy(b, a, n * sizeof *a);
    size_t at = 0;
    while (b[at] != KEEPER[5])
        at++;
    char *changed = replace_once(KEEPER[5], "twelve", "fifteen");
    b[at] = changed;
    p = align_stories(a, n, b, n);
    cr_assert_eq(align_row_count(p.al), n, "%s", dump_rows(p.al));
    for (size_t k = 0; k < n; k++) {
        const AlignRow *r = &align_rows(p.al)[k];
        cr_assert(r->a == k && r->b == k && r->na == 1 && r->nb == 1 &&
                      r->kind == (k == at ? ALIGN_CHANGED : ALIGN_SAME),
                  "separator \"%s\", row %zu:%s", sep, k, dump_rows(p.al));
    }
    pair_free(&p);
    free(changed);
}

Test(align, scene_breaks_without_words)
{
    check_separated("* * *");
}

/* A hundred scene breaks between a hundred passages, and in B sixty new passages before them all:
 * each break pairs with its own, though B's breaks are nowhere near where A's are in proportion
 * (a break has no word to be found by; between two passages it is the only one of its text). */
Test(align, scene_breaks_after_a_long_insertion)
{
    enum { PASSAGES = 100, NEW = 60 };
    char text[PASSAGES + NEW][64];
    for (size_t k = 0; k < PASSAGES + NEW; k++)
        snprintf(text[k], sizeof text[k], "%s passage %zu, which says its own %zu.",
                 k < PASSAGES ? "The" : "A new", k, k * 7919);
    const char *a[2 * PASSAGES], *b[NEW + 2 * PASSAGES];
    for (size_t k = 0; k < PASSAGES; k++) {
        a[2 * k] = b[NEW + 2 * k] = text[k];
        a[2 * k + 1] = b[NEW + 2 * k + 1] = "* * *";
    }
    for (size_t k = 0; k < NEW; k++)
        b[k] = text[PASSAGES + k];
    Pair p = align_stories(a, 2 * PASSAGES, b, NEW + 2 * PASSAGES);
    size_t same = 0, added = 0;
    for (size_t r = 0; r < align_row_count(p.al); r++) {
        const AlignRow *row = &align_rows(p.al)[r];
        if (row->kind == ALIGN_SAME) {
            cr_assert(row->na == 1 && row->nb == 1 && row->b == row->a + NEW, "row %zu:%s", r,
                      dump_rows(p.al));
            same++;
        }
        added += row->kind == ALIGN_ONLY_B;
    }
    cr_assert(same == 2 * PASSAGES && added == NEW, "%zu same, %zu added:%s", same, added,
              dump_rows(p.al));
    pair_free(&p);
}

/* The same with a separator of words, repeated: identical paragraphs in several places. */
Test(align, repeated_paragraphs)
{
    check_separated("The lamp turned, and the night went on.");
}

/* A story of one paragraph against itself, and with one word changed: every word is in every
 * paragraph of both stories, yet they pair. */
Test(align, one_paragraph_stories)
{
    Pair p = align_stories(KEEPER + 2, 1, KEEPER + 2, 1);
    expect_rows(p.al, &(Want){ALIGN_SAME, 0, 1, 0, 1}, 1);
    cr_assert(fabs(align_similarity(p.al) - 1) < 1e-9, "similarity %g", align_similarity(p.al));
    pair_free(&p);

    char *changed = replace_once(KEEPER[2], "schooner", "brigantine");
    const char *b[] = {changed};
    p = align_stories(KEEPER + 2, 1, b, 1);
    expect_rows(p.al, &(Want){ALIGN_CHANGED, 0, 1, 0, 1}, 1);
    const AlignRow *r = align_rows(p.al);
    cr_assert(r->ndiff_a == 1 && r->ndiff_b == 1, "diff spans %zu/%zu", r->ndiff_a, r->ndiff_b);
    Span old_word = find_in_paragraph(p.a, 0, "schooner");
    Span da = align_diff_spans(p.al, 0)[r->diff_a];
    cr_assert(da.start == old_word.start && da.end == old_word.end);
    pair_free(&p);
    free(changed);
}

/* A poem of short stanzas, a word common to all of them ("the": weighs nothing), one word
 * changed. */
Test(align, short_paragraphs_sharing_a_word)
{
    static const char *const poem[] = {
        "The sea is calm tonight.\nThe tide is full, the moon lies fair",
        "Upon the straits; on the French coast the light\nGleams and is gone",
        "the cliffs of England stand,\nGlimmering and vast, out in the tranquil bay.",
        "Come to the window, sweet is the night-air!",
        "Only, from the long line of spray\nWhere the sea meets the moon-blanch'd land,",
        "Listen! you hear the grating roar\nOf pebbles which the waves draw back",
    };
    size_t n = sizeof poem / sizeof *poem;
    const char *b[sizeof poem / sizeof *poem];
    memcpy(b, poem, sizeof b);
    char *changed = replace_once(poem[3], "window", "door");
    b[3] = changed;
    Pair p = align_stories(poem, n, b, n);
    Want w[sizeof poem / sizeof *poem];
    for (size_t i = 0; i < n; i++)
        w[i] = (Want){i == 3 ? ALIGN_CHANGED : ALIGN_SAME, i, 1, i, 1};
    expect_rows(p.al, w, n);
    pair_free(&p);
    free(changed);
}

/* A paragraph over 64 KiB (listed by text.h as pieces) is one paragraph here; one word changed in
 * it is one changed row whose diff is that word. */
Test(align, long_paragraph_in_pieces)
{
    Chapters a = {0}, pool = {0};
    read_kjv(&a, &pool);
    Strbuf sa = STRBUF_INIT, sb = STRBUF_INIT;
    strbuf_addf(&sa, "%s\n\n", KEEPER[0]);
    for (size_t i = 0; i < 50; i++) /* Genesis, one line */
        strbuf_addf(&sa, "%s%s", i ? " " : "", a.v[i].text);
    size_t long_start = strlen(KEEPER[0]) + 2, long_end = sa.len;
    strbuf_addf(&sa, "\n\n%s\n", KEEPER[1]);
    cr_assert_gt(long_end - long_start, 3 * 65536);
    /* B: "Joseph" at about three quarters of the way becomes "Josephus" */
    const char *at = strstr(sa.buf + long_start + (long_end - long_start) * 3 / 4, " Joseph ");
    cr_assert_not_null(at);
    size_t word = (size_t)(at - sa.buf) + 1;
    strbuf_add(&sb, sa.buf, word);
    strbuf_addstr(&sb, "Josephus");
    strbuf_addstr(&sb, sa.buf + word + strlen("Joseph"));
    Text *ta = text_from_bytes(sa.buf, sa.len, NULL), *tb = text_from_bytes(sb.buf, sb.len, NULL);
    cr_assert_gt(text_paragraph_count(ta), 4, "text.h lists the long paragraph as pieces");
    Alignment *al = align_new(ta, tb);
    align_check_invariants(al, ta, tb);
    cr_assert_eq(align_paragraph_count(al, 0), 3);
    cr_assert_eq(align_paragraph_count(al, 1), 3);
    Span lp = align_paragraph(al, 0, 1);
    cr_assert(lp.start == long_start && lp.end == long_end, "[%zu,%zu), want [%zu,%zu)", lp.start,
              lp.end, long_start, long_end);
    static const Want w[] = {
        {ALIGN_SAME, 0, 1, 0, 1}, {ALIGN_CHANGED, 1, 1, 1, 1}, {ALIGN_SAME, 2, 1, 2, 1}};
    expect_rows(al, w, 3);
    const AlignRow *r = &align_rows(al)[1];
    cr_assert(r->ndiff_a == 1 && r->ndiff_b == 1, "diff spans %zu/%zu", r->ndiff_a, r->ndiff_b);
    Span da = align_diff_spans(al, 0)[r->diff_a], db = align_diff_spans(al, 1)[r->diff_b];
    cr_assert(da.start == word && da.end == word + strlen("Joseph"), "A diff [%zu,%zu)", da.start,
              da.end);
    cr_assert(db.start == word && db.end == word + strlen("Josephus"), "B diff [%zu,%zu)", db.start,
              db.end);
    cr_assert_gt(r->score, 0.999);
    align_free(al);
    text_free(ta);
    text_free(tb);
    strbuf_release(&sa);
    strbuf_release(&sb);
    chapters_free(&a);
    chapters_free(&pool);
}

/* Two paragraphs merged into one, with the last word of the first and the first word of the
 * second changed: the A side's differing words are two spans, one in each paragraph, never one
 * span across the paragraph break (a printer marking them would run past the paragraph). */
Test(align, diff_spans_stay_inside_one_paragraph)
{
    const char *a = "The caravan crossed the salt flats at dawn, the camels tied nose to tail, and "
                    "by noon the guides had found the old well beside the broken zebra.\n\n"
                    "Quokka tracks led from the well toward the hills, where the herders said "
                    "a spring still ran under the black stones every spring and autumn.\n";
    const char *b = "The caravan crossed the salt flats at dawn, the camels tied nose to tail, and "
                    "by noon the guides had found the old well beside the broken lion. "
                    "Wombat tracks led from the well toward the hills, where the herders said "
                    "a spring still ran under the black stones every spring and autumn.\n";
    Text *ta = text_from_bytes(a, strlen(a), NULL), *tb = text_from_bytes(b, strlen(b), NULL);
    Alignment *al = align_new(ta, tb);
    cr_assert_eq(align_row_count(al), 1, "%s", dump_rows(al));
    const AlignRow *r = &align_rows(al)[0];
    cr_assert(r->na == 2 && r->nb == 1, "merged: %s", dump_rows(al));
    cr_assert_eq(r->ndiff_a, 2, "one span per paragraph on A: %s", dump_rows(al));
    const Span *d = align_diff_spans(al, 0) + r->diff_a;
    const uint8_t *tx = text_bytes(ta);
    cr_assert(d[0].end - d[0].start == 5 && !memcmp(tx + d[0].start, "zebra", 5));
    cr_assert(d[1].end - d[1].start == 6 && !memcmp(tx + d[1].start, "Quokka", 6));
    cr_assert_eq(r->ndiff_b, 1, "lion. Wombat: one run on B: %s", dump_rows(al));
    align_free(al);
    text_free(ta);
    text_free(tb);
}

/* ---- retellings: a reader's alignment, written down before lector was run ---- */

typedef struct {
    size_t tp, predicted, truth;
} Links;

/* The alignment's pairs as links (every A paragraph of a row with every B paragraph of it),
 * against the reader's links in truth[0, n) ({a, b}, 1-based). */
static Links score_links(const Alignment *al, const size_t (*truth)[2], size_t n)
{
    Links l = {0, 0, n};
    const AlignRow *r = align_rows(al);
    for (size_t k = 0; k < align_row_count(al); k++)
        for (size_t i = r[k].a; i < r[k].a + r[k].na; i++)
            for (size_t j = r[k].b; j < r[k].b + r[k].nb; j++) {
                l.predicted++;
                for (size_t t = 0; t < n; t++)
                    if (truth[t][0] == i + 1 && truth[t][1] == j + 1) l.tp++;
            }
    return l;
}

static Text *load_path(const char *path)
{
    Text *t = NULL;
    Diag d = {0};
    cr_assert_eq(text_load(path, 0, &t, &d), 0, "%s: %s", path, d.msg);
    return t;
}

/* The two founding stories retell one story. A reader pairs them I1-S1, I2-S3, I3-S4, I4-S5
 * and I7 with I8 (merged) against S6; I5, I6 and S2 have no counterpart. */
Test(align_retold, founding_stories_as_a_reader_pairs_them)
{
    Text *a = load_path(LECTOR_SOURCE_DIR "/texts/ivan-baktybekova.txt");
    Text *b = load_path(LECTOR_SOURCE_DIR "/texts/sezim-baktybekova.txt");
    Alignment *al = align_new(a, b);
    const size_t truth[][2] = {{1, 1}, {2, 3}, {3, 4}, {4, 5}, {7, 6}, {8, 6}};
    Links l = score_links(al, truth, 6);
    cr_assert(l.tp == 6 && l.predicted == 6, "F1 not 1: %zu of %zu predicted links true:%s", l.tp,
              l.predicted, dump_rows(al));
    AlignCounts c = align_counts(al);
    cr_assert_eq(c.only_a, 2, "I5 and I6 unpaired:%s", dump_rows(al));
    cr_assert_eq(c.only_b, 1, "S2 unpaired:%s", dump_rows(al));
    align_free(al);
    text_free(a);
    text_free(b);
}

/* Reads NAME.pairs: "a b" lines, # comments. */
static size_t read_truth(const char *path, size_t (*truth)[2], size_t cap)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "%s", path);
    char line[256];
    size_t n = 0;
    while (fgets(line, sizeof line, f))
        if (line[0] != '#' && n < cap && sscanf(line, "%zu %zu", &truth[n][0], &truth[n][1]) == 2)
            n++;
    fclose(f);
    return n;
}

/* Retellings written for this test (tests/data/retold: reworded paragraphs, one left out, one
 * added, splits and merges), each with the alignment a reader wrote down before running lector.
 * The floors are what lector reached when the test was written (see the README's compare
 * section): a change that pairs worse fails. */
Test(align_retold, own_retellings)
{
    static const struct {
        const char *name;
        double min_precision, min_recall;
    } sets[] = {{"lighthouse", 1, 1}, {"garden", 1, 0.83}, {"train", 1, 1}};
    size_t tp = 0, pred = 0, all = 0;
    for (size_t k = 0; k < sizeof sets / sizeof *sets; k++) {
        char pa[512], pb[512], pt[512];
        snprintf(pa, sizeof pa, "%s/tests/data/retold/%s.a.txt", LECTOR_SOURCE_DIR, sets[k].name);
        snprintf(pb, sizeof pb, "%s/tests/data/retold/%s.b.txt", LECTOR_SOURCE_DIR, sets[k].name);
        snprintf(pt, sizeof pt, "%s/tests/data/retold/%s.pairs", LECTOR_SOURCE_DIR, sets[k].name);
        Text *a = load_path(pa), *b = load_path(pb);
        size_t truth[64][2];
        size_t n = read_truth(pt, truth, 64);
        Alignment *al = align_new(a, b);
        Links l = score_links(al, truth, n);
        double p = l.predicted ? (double)l.tp / (double)l.predicted : 1;
        double r = n ? (double)l.tp / (double)n : 1;
        fprintf(stderr, "retold %-10s precision %.2f recall %.2f F1 %.2f\n", sets[k].name, p, r,
                p + r > 0 ? 2 * p * r / (p + r) : 0);
        cr_expect(p >= sets[k].min_precision && r >= sets[k].min_recall,
                  "%s: precision %.2f recall %.2f:%s", sets[k].name, p, r, dump_rows(al));
        tp += l.tp, pred += l.predicted, all += n;
        align_free(al);
        text_free(a);
        text_free(b);
    }
    fprintf(stderr, "retold, all: precision %.2f recall %.2f\n", (double)tp / (double)pred,
            (double)tp / (double)all);
}

/* Translations written for this test (tests/data/translated: English into Russian with two
 * paragraphs joined and one split, into French with a translator's note added and a paragraph
 * left out), each with a reader's alignment written before lector was run. Languages differ,
 * so each is aligned as a translation: by length and shared names and numbers. */
Test(align_retold, own_translations)
{
    static const char *const sets[][3] = {{"lighthouse", "en", "ru"}, {"garden", "en", "fr"}};
    for (size_t k = 0; k < sizeof sets / sizeof *sets; k++) {
        char pa[512], pb[512], pt[512];
        snprintf(pa, sizeof pa, "%s/tests/data/translated/%s.%s.txt", LECTOR_SOURCE_DIR, sets[k][0],
                 sets[k][1]);
        snprintf(pb, sizeof pb, "%s/tests/data/translated/%s.%s.txt", LECTOR_SOURCE_DIR, sets[k][0],
                 sets[k][2]);
        snprintf(pt, sizeof pt, "%s/tests/data/translated/%s.pairs", LECTOR_SOURCE_DIR, sets[k][0]);
        Text *a = load_path(pa), *b = load_path(pb);
        size_t truth[64][2];
        size_t n = read_truth(pt, truth, 64);
        Alignment *al = align_new(a, b);
        cr_assert(align_is_translation(al), "%s: %s and %s not seen as a translation", sets[k][0],
                  align_language(al, 0), align_language(al, 1));
        cr_assert_str_eq(align_language(al, 0), sets[k][1]);
        cr_assert_str_eq(align_language(al, 1), sets[k][2]);
        Links l = score_links(al, truth, n);
        double p = l.predicted ? (double)l.tp / (double)l.predicted : 1;
        double r = n ? (double)l.tp / (double)n : 1;
        fprintf(stderr, "translated %-10s %s-%s precision %.2f recall %.2f\n", sets[k][0],
                sets[k][1], sets[k][2], p, r);
        cr_expect(p == 1 && r == 1, "%s: precision %.2f recall %.2f:%s", sets[k][0], p, r,
                  dump_rows(al));
        /* the names both hold are marked on both sides: "Tomas" and "Томас" */
        if (k == 0) {
            const AlignRow *row = &align_rows(al)[0];
            Span da = align_diff_spans(al, 0)[row->diff_a],
                 db = align_diff_spans(al, 1)[row->diff_b];
            cr_assert(row->ndiff_a && row->ndiff_b);
            cr_assert(da.end - da.start == 5 && !memcmp(text_bytes(a) + da.start, "Tomas", 5));
            cr_assert(db.end - db.start == 10 && !memcmp(text_bytes(b) + db.start, "Томас", 10));
        }
        /* the same pair as one language: words compared, nothing paired by length */
        Alignment *same = align_new_with(a, b, ALIGN_TRANSLATION_NO);
        cr_assert(!align_is_translation(same));
        cr_assert_lt(score_links(same, truth, n).tp, l.tp, "%s", sets[k][0]);
        align_free(same);
        align_free(al);
        text_free(a);
        text_free(b);
    }
}

/* A sentence moved inside a paragraph is moved, not removed and added: its words are neither
 * differences nor kept, on both sides; the rest is the same. */
Test(align, sentence_moved_inside_a_pair)
{
    const char *a[] = {"The storm came at night. The boat was lost on the reef. Nobody in the "
                       "village slept.",
                       KEEPER[1]};
    const char *b[] = {"Nobody in the village slept. The storm came at night. The boat was lost "
                       "on the reef.",
                       KEEPER[1]};
    Pair p = align_stories(a, 2, b, 2);
    const AlignRow *r = &align_rows(p.al)[0];
    cr_assert(r->na == 1 && r->nb == 1 && r->kind == ALIGN_CHANGED, "%s", dump_rows(p.al));
    cr_assert(r->ndiff_a == 0 && r->ndiff_b == 0, "no differing words: %zu, %zu", r->ndiff_a,
              r->ndiff_b);
    cr_assert(r->nmoved_a == 1 && r->nmoved_b == 1, "one moved sentence a side: %zu, %zu",
              r->nmoved_a, r->nmoved_b);
    Span ma = align_moved_spans(p.al, 0)[r->moved_a], mb = align_moved_spans(p.al, 1)[r->moved_b];
    Span wa = find_in_paragraph(p.a, 0, "Nobody in the village slept");
    Span wb = find_in_paragraph(p.b, 0, "Nobody in the village slept");
    cr_assert(ma.start == wa.start && ma.end == wa.end, "A's moved [%zu,%zu), want [%zu,%zu)",
              ma.start, ma.end, wa.start, wa.end);
    cr_assert(mb.start == wb.start && mb.end == wb.end, "B's moved [%zu,%zu)", mb.start, mb.end);
    cr_assert(fabs(r->score - 1) < 1e-9, "every word is in both: score %g", r->score);
    AlignShares sh = align_shares(p.al);
    cr_assert(sh.moved > 0 && sh.changed == 0, "moved %g changed %g", sh.moved, sh.changed);
    pair_free(&p);
}

/* Past a few hundred thousand tokens in changed pairs, the pairs' word diffs are computed on two
 * threads and their spans merged in order (make_rows): 6,000 paragraphs of two sentences, every
 * other one changed, by a word (its diff: that word on each side) or by its sentences swapped
 * (moved, no diff). Each row's spans must be its own. */
Test(align, many_changed_pairs_on_two_threads)
{
    enum { N = 6000, WORDS = 40 };
    uint64_t rng = 20261207;
    Strbuf sa = STRBUF_INIT, sb = STRBUF_INIT, first = STRBUF_INIT, second = STRBUF_INIT;
    for (size_t i = 0; i < N; i++) {
        if (i) {
            strbuf_addstr(&sa, "\n\n");
            strbuf_addstr(&sb, "\n\n");
        }
        strbuf_reset(&first);
        strbuf_reset(&second);
        for (size_t w = 0; w < WORDS; w++) {
            Strbuf *half = w < WORDS / 2 ? &first : &second;
            if (w % (WORDS / 2)) strbuf_addch(half, ' ');
            bool changed = i % 4 == 1 && w == 25;
            strbuf_addf(half, "%s%s%zu%s", w % (WORDS / 2) ? "" : "Then ",
                        changed ? "CHANGED" : "w", changed ? i : (size_t)rng_below(&rng, 50000),
                        w % (WORDS / 2) == WORDS / 2 - 1 ? "." : "");
        }
        strbuf_addf(&sa, "%s %s", first.buf, second.buf);
        if (i % 4 == 3)
            strbuf_addf(&sb, "%s %s", second.buf, first.buf);
        else
            strbuf_addf(&sb, "%s %s", first.buf, second.buf);
    }
    /* A holds the words B changed: put them back in A's bytes */
    for (char *c = strstr(sa.buf, "CHANGED"); c; c = strstr(c, "CHANGED"))
        memcpy(c, "wwwwwww", 7);
    Text *a = text_from_bytes(sa.buf, sa.len, NULL), *b = text_from_bytes(sb.buf, sb.len, NULL);
    Alignment *al = align_new(a, b);
    align_check_invariants(al, a, b);
    cr_assert_eq(align_row_count(al), N, "%zu rows", align_row_count(al));
    const AlignRow *rows = align_rows(al);
    for (size_t i = 0; i < N; i++) {
        const AlignRow *r = &rows[i];
        cr_assert(r->a == i && r->b == i, "row %zu: a %zu b %zu", i, r->a, r->b);
        if (i % 4 == 1) {
            cr_assert(r->ndiff_a == 1 && r->ndiff_b == 1, "row %zu: %zu, %zu diffs", i, r->ndiff_a,
                      r->ndiff_b);
            Span da = align_diff_spans(al, 0)[r->diff_a], db = align_diff_spans(al, 1)[r->diff_b];
            char want[32];
            snprintf(want, sizeof want, "CHANGED%zu", i);
            cr_assert(db.end - db.start == strlen(want) &&
                          !memcmp(text_bytes(b) + db.start, want, strlen(want)),
                      "row %zu: B's diff is not its changed word", i);
            cr_assert(!memcmp(text_bytes(a) + da.start, "wwwwwww", 7),
                      "row %zu: A's diff is not its changed word", i);
        } else if (i % 4 == 3) {
            cr_assert(r->ndiff_a == 0 && r->ndiff_b == 0 && r->nmoved_a == 1 && r->nmoved_b == 1,
                      "row %zu: %zu, %zu diffs, %zu, %zu moved", i, r->ndiff_a, r->ndiff_b,
                      r->nmoved_a, r->nmoved_b);
            Span ma = align_moved_spans(al, 0)[r->moved_a];
            Span pa = text_paragraph(a, i);
            cr_assert(ma.start >= pa.start && ma.end <= pa.end, "row %zu: A's moved span elsewhere",
                      i);
        } else {
            cr_assert(r->ndiff_a == 0 && r->ndiff_b == 0, "row %zu: the same, with diffs", i);
        }
    }
    /* the words of both threads' rows counted: a changed word a side in a quarter of the rows,
     * a sentence of 21 words moved a side in another quarter, of 84 words a row (42 a side) */
    AlignShares sh = align_shares(al);
    cr_assert(fabs(sh.changed - 2.0 * (N / 4) / (84.0 * N)) < 1e-9, "changed %g", sh.changed);
    cr_assert(fabs(sh.moved - 42.0 * (N / 4) / (84.0 * N)) < 1e-9, "moved %g", sh.moved);
    align_free(al);
    text_free(a);
    text_free(b);
    strbuf_release(&sa);
    strbuf_release(&sb);
    strbuf_release(&first);
    strbuf_release(&second);
}
