/* token: a story as searchable words, and the folding that makes two spellings meet.
 *
 * Words are UAX #29 word segments (libunistring's u8_wordbreaks) holding a letter or a digit,
 * split at their apostrophes ("country's" is "country" and "s", "l'homme" "l" and "homme", as
 * FTS5 and rg -w see them) except between digits and after a Hebrew letter (a geresh).
 * Scripts written without spaces (Han, kana, Bopomofo, Thai, Lao, Khmer, Myanmar) are a token per
 * character, with its combining marks, so that a word inside a sentence is found as the run of
 * its characters (a phrase).
 *
 * Folding, for matching (token_fold):
 *   - NFKC and full Unicode case folding: "ЁЛКА"/"ёлка", "Straße"/"STRASSE", "ﬁ"/"fi" and NFC/NFD
 *     spellings give one form;
 *   - combining marks are dropped, so "café" meets "cafe" and "ёлка" meets "елка" -- except where
 *     the mark makes a letter of its own alphabet: on a Cyrillic letter the breve stays (й is not
 *     и, ў is not у) and so does the diaeresis on і (ї is not і). Letters that are separate code
 *     points with no decomposition (Kazakh ә ғ қ ң ө ұ ү һ і, Latin ø ł ß) are untouched by this.
 * TOKEN_FOLD_CASE and TOKEN_FOLD_MARKS choose the parts: both for the index and for default
 * search, marks alone for a case-sensitive (smart case) search, neither (NFC only) for exact.
 *
 * A TokenFolder owns a cache of folded words (words repeat: the cache is what makes folding a
 * 100 MB story cheap). Never touches the terminal.
 */
#ifndef LECTOR_TOKEN_H
#define LECTOR_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lector/strbuf.h"

enum { TOKEN_FOLD_CASE = 1, TOKEN_FOLD_MARKS = 2, TOKEN_FOLD_ALL = 3 };

typedef struct TokenFolder TokenFolder;

TokenFolder *token_folder_new(int flags);
void token_folder_free(TokenFolder *f); /* NULL is a no-op */

/* The folded form of the word s[0,n) (valid UTF-8), NUL-terminated, length in *len. Borrowed
 * from f: valid until the next call (ASCII is folded into one reused buffer, and the cache's
 * arena moves as it grows). */
const char *token_fold(TokenFolder *f, const uint8_t *s, size_t n, size_t *len);

/* Called for each token: its bytes [start, end) in s. */
typedef void (*TokenFn)(void *ctx, size_t start, size_t end);

/* Splits s[0,n) (valid UTF-8) into tokens, in order. scratch is reused between calls (a break
 * map of n bytes); release it with strbuf_release. Pure ASCII text takes a fast path that applies
 * the same rules directly. */
void token_each(const uint8_t *s, size_t n, Strbuf *scratch, TokenFn fn, void *ctx);
/* The same without the fast path (for tests that hold the two together). */
void token_each_unicode(const uint8_t *s, size_t n, Strbuf *scratch, TokenFn fn, void *ctx);

/* Whether s[0, n) is all ASCII (token_each's fast path). */
bool token_ascii(const uint8_t *s, size_t n);

/* The length of the apostrophe at s (U+0027, U+2018, U+2019, U+FF07, U+02BC: those token_each
 * splits a word at), else 0; s < end. */
size_t token_apostrophe_len(const uint8_t *s, const uint8_t *end);

/* A character of a script written without spaces: a token on its own. */
bool token_unspaced(uint32_t cp);

#endif
