/* align: two stories side by side -- their paragraphs paired by content, and the words that
 * differ inside each pair.
 *
 * Paragraphs are runs of non-blank lines (text.h; the pieces of a paragraph over 64 KiB count as
 * one). Each is a bag of tokens (token.h: words folded for case, accents and normalization; one
 * token per character in scripts written without spaces), weighted TF-IDF over the paragraphs of
 * both stories; two paragraphs' similarity is the cosine of their vectors.
 *
 * Pairing, without a quadratic step:
 *   1. candidates: each paragraph of A is compared only with the paragraphs of B that share one
 *      of its rarest words (an inverted index over B), and with B's paragraphs at about the same
 *      place in the story (a reworded paragraph may share no rare word);
 *   2. strong pairs: of the candidate pairs above ALIGN_MIN_WEAK, the heaviest chain increasing
 *      in both stories (a weighted longest increasing subsequence) is found; its pairs above
 *      ALIGN_MIN_PAIR (and paragraphs equal on both sides) are kept;
 *   3. split and merge: a paragraph next to a strong pair that is mostly contained in the other
 *      side's paragraph, and makes the pair more similar, joins the pair;
 *   4. the gaps, by meaning: the paragraphs left between two consecutive strong pairs are aligned
 *      to each other by an order-preserving dynamic programme (one paragraph facing one to three)
 *      over their similarity in meaning: the cosine of their word stems (stem.h: Snowball for
 *      the story's language, guessed from its words) times 0.5 + 0.5 x their relative length.
 *      A weak but well-placed pair is taken where nothing better competes. The programme is
 *      banded past 4 million cells or about 100 million words compared (a cell compares a
 *      pair and up to four groups), so linear in the gap. Then a free paragraph beside a pair
 *      joins it when alike to its other side on its own and the pair stays as alike; and the
 *      ends of the stories meet (a story drawing its ending out over more paragraphs: the last
 *      ones join the last pair when they share something with it; the same at the start);
 *   5. moved: a paragraph left unpaired that is similar (ALIGN_MIN_MOVED) to an unpaired one on
 *      the other side, out of order, is paired with it and marked moved.
 * Inside each pair a word diff (the longest common subsequence of tokens) finds the words only in
 * A and only in B; a pair's score is 2 * common / (tokens in A + tokens in B). The overall
 * similarity is the share of both stories' words kept in place (align_shares).
 *
 * Rows come in reading order: B's order, with A's unpaired paragraphs placed where they stood
 * (before B's paragraphs of the same gap, as diff puts deletions first). A moved pair stands at
 * B's place. Every paragraph of A and of B is in exactly one row.
 *
 * An Alignment owns its rows and diff spans; it borrows the two Texts (complete ones), which
 * must outlive it. Never touches the terminal.
 */
#ifndef LECTOR_ALIGN_H
#define LECTOR_ALIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "lector/text.h"

#define ALIGN_MIN_PAIR 0.2  /* cosine for two paragraphs in order to be a strong pair */
#define ALIGN_MIN_WEAK 0.1  /* ... or this, when each is the other's most similar paragraph */
#define ALIGN_MIN_MOVED 0.5 /* cosine for a paragraph out of order to count as moved */

typedef enum {
    ALIGN_SAME,    /* identical but for spacing */
    ALIGN_CHANGED, /* paired, with differences (or split/merged) */
    ALIGN_ONLY_A,  /* in A only: removed */
    ALIGN_ONLY_B,  /* in B only: added */
    ALIGN_MOVED,   /* paired with a paragraph elsewhere in the other story */
} AlignKind;

/* One row: A's paragraphs [a, a + na) facing B's [b, b + nb). na is 0 for ALIGN_ONLY_B (a is
 * then where they would go), nb 0 for ALIGN_ONLY_A; na or nb is 2 or more for a split/merge. */
typedef struct {
    AlignKind kind;
    size_t a, na, b, nb;
    double score;             /* 0..1; 0 for a one-sided row */
    size_t diff_a, ndiff_a;   /* this row's spans in align_diff_spans(al, 0, ..) */
    size_t diff_b, ndiff_b;   /* and in align_diff_spans(al, 1, ..) */
    size_t moved_a, nmoved_a; /* this row's spans in align_moved_spans(al, 0, ..) */
    size_t moved_b, nmoved_b; /* and in align_moved_spans(al, 1, ..) */
} AlignRow;

typedef struct {
    size_t same, changed, only_a, only_b, moved;
} AlignCounts;

typedef struct Alignment Alignment;

/* Aligns a and b (complete Texts; both may be empty). Never fails; the caller owns the result.
 * As align_new_with(a, b, ALIGN_TRANSLATION_AUTO). */
Alignment *align_new(const Text *a, const Text *b);

/* A story and its translation (the two in different languages: guessed, or said by a book):
 * words do not correspond, so paragraphs are paired by an order-preserving dynamic programme
 * over the whole story (Gale and Church: how well their lengths in letters fit the stories'
 * ratio, a log-normal of spread TRANSLATION_SIGMA; one paragraph facing up to three) and by the
 * anchors they share: numbers, and words of three letters or more written in Latin letters
 * (ICU's Any-Latin, so "Иван" meets "Ivan"). Only paragraphs equal on both sides are taken
 * first; nothing is "moved". A pair's spans (align_diff_spans) are then the shared anchors, not
 * differing words; its score the similarity that paired it; its words count as kept. */
typedef enum {
    ALIGN_TRANSLATION_AUTO, /* a translation when both languages are known and differ */
    ALIGN_TRANSLATION_NO,
    ALIGN_TRANSLATION_YES,
} AlignTranslation;
Alignment *align_new_with(const Text *a, const Text *b, AlignTranslation translation);
bool align_is_translation(const Alignment *al);
/* Side's language as stem_guess_language gives it (or as its book says): "" when unknown. */
const char *align_language(const Alignment *al, int side);
void align_free(Alignment *al); /* NULL is a no-op */

/* side: 0 for A, 1 for B. Paragraph i's bytes in that side's text. */
size_t align_paragraph_count(const Alignment *al, int side);
Span align_paragraph(const Alignment *al, int side, size_t i);

size_t align_row_count(const Alignment *al);
const AlignRow *align_rows(const Alignment *al); /* borrowed; align_row_count of them */
/* The byte spans (in that side's text) of words only on that side, for all rows, in row order;
 * a row's are [diff_a, diff_a + ndiff_a) on side 0 and [diff_b, diff_b + ndiff_b) on side 1,
 * ascending and apart. So B's are ascending throughout; A's are too but for a moved row's, which
 * stand at the row (B's place), not where the paragraph is in A. No two spans overlap.
 * Neighbouring differing words of one paragraph are one span (with what is between them); a span
 * never crosses into the next paragraph. Borrowed. */
const Span *align_diff_spans(const Alignment *al, int side);

/* The byte spans of words moved inside a pair (a sentence moved within a paragraph: a run of
 * at least three words that the common subsequence, keeping order, would show as removed on one
 * side and added on the other), for all rows, in row order; a row's are [moved_a, moved_a +
 * nmoved_a) on side 0, [moved_b, ...) on side 1, ascending, apart from each other and from the
 * diff spans. Their words count as moved in align_shares and as common in the row's score.
 * Borrowed; NULL when there are none. */
const Span *align_moved_spans(const Alignment *al, int side);

/* For a moved row: the row before which its A paragraph stood in A (the first row not moved
 * that holds a later A paragraph; align_row_count when none), where a view can say where it
 * went. */
size_t align_moved_origin(const Alignment *al, size_t row);
/* The moved rows grouped by origin, for drawing a note where each stood: the moved rows whose
 * origin is row k are (*moved)[(*first)[k] .. (*first)[k + 1]), ascending, for k from 0 to
 * align_row_count. Both arrays are the caller's (free). Linear in the rows. */
void align_moved_by_origin(const Alignment *al, size_t **first, size_t **moved);

/* What became of the words (tokens) of both stories, as shares of all of them (they add up to
 * 1): kept (in the common subsequence of a pair in order), changed (in a pair, not in its common
 * subsequence), removed (in A's unpaired paragraphs), added (B's), moved (in the common
 * subsequence of a moved pair: moved text is moved, not kept). Two empty stories: kept 1. */
typedef struct {
    double kept, changed, removed, added, moved;
} AlignShares;
AlignShares align_shares(const Alignment *al);
/* The share of words kept (align_shares' kept): 0..1. */
double align_similarity(const Alignment *al);
AlignCounts align_counts(const Alignment *al);
const char *align_kind_name(AlignKind k); /* "same", "changed", "removed", "added", "moved" */
char align_kind_mark(AlignKind k);        /* for a gutter: | ~ < > m */

#endif
