/* stem: which language a story is written in, and the stems of its words.
 *
 * Owns the guess of a language from a sample of a story (the scripts of its letters, then which
 * language's commonest words it uses most), and a Stemmer: Snowball's stemmer for that language
 * (libstemmer, Debian's libstemmer-dev: the stemmers every search engine uses), so that "singer"
 * and "singers", "пела" and "пел" meet. A language Snowball has no stemmer for (Kazakh, say) is
 * stemmed by its first five letters, as information retrieval does for agglutinative languages
 * (Can et al., "Information retrieval on Turkish texts", 2008: a five-letter prefix does about as
 * well as a full stemmer); scripts written without spaces are a token per character (token.h)
 * and are left as they are.
 *
 * Never tokenizes or folds on its own account: it takes words already folded (token_fold), and
 * stems them. A Stemmer owns the stem it returns until its next call. Never touches the terminal.
 */
#ifndef LECTOR_STEM_H
#define LECTOR_STEM_H

#include <stddef.h>
#include <stdint.h>

#include "lector/strbuf.h"

/* The language of s[0, n) (valid UTF-8; a sample of a story is enough), as an ISO 639-1 code
 * ("en", "ru", "kk", "zh", ...), or "" when it cannot be told (too few words, or none of the
 * languages known here). Looks at no more than the first 64 KiB. The string is static. */
const char *stem_guess_language(const uint8_t *s, size_t n);

/* The language a book names (its metadata: "en-GB", "ru", "eng") as a code stem_guess_language
 * would give, or "" for none or one not known here. Static. */
const char *stem_language_code(const char *name);

/* The language's English name ("English", "Russian", ...), or "unknown" for "". Static. */
const char *stem_language_name(const char *code);

typedef struct Stemmer Stemmer;

/* A stemmer for the language code (stem_guess_language's); "" or an unknown code: words are left
 * as they are. Never NULL; the caller owns it. */
Stemmer *stemmer_new(const char *code);
void stemmer_free(Stemmer *st); /* NULL is a no-op */

/* The stem of the folded word w[0, n); its length in *len. Borrowed: valid until the next call. */
const char *stemmer_stem(Stemmer *st, const char *w, size_t n, size_t *len);

/* Words in Latin letters: ICU's Any-Latin then Latin-ASCII ("Иван" -> "ivan", "Алматы" ->
 * "almaty", "35" -> "35"), so that the names and numbers of a story and its translation meet.
 * Never NULL; without ICU's data a word is given as it is. The caller owns it. */
typedef struct Transliterator Transliterator;
Transliterator *translit_new(void);
void translit_free(Transliterator *tr); /* NULL is a no-op */
/* w[0, n) (UTF-8) in Latin letters, into out (reset first). */
void translit_latin(Transliterator *tr, const char *w, size_t n, Strbuf *out);

#endif
