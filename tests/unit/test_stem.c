/* test_stem: a story's language guessed, and words stemmed as Snowball does. */
#include <criterion/criterion.h>
#include <string.h>

#include "lector/stem.h"

static const char *guess(const char *s)
{
    return stem_guess_language((const uint8_t *)s, strlen(s));
}

Test(stem, guesses_by_script_and_common_words)
{
    cr_assert_str_eq(guess("She had grown up singing the songs of the steppe with her "
                           "grandmother, and it was there that she learned to play."),
                     "en");
    cr_assert_str_eq(guess("Она выросла в степи и пела с бабушкой старые песни, и это было "
                           "всё, что она знала."),
                     "ru");
    cr_assert_str_eq(guess("Ол далада өсті және әжесімен бірге қазақтың ескі әндерін айтатын."),
                     "kk");
    cr_assert_str_eq(guess("她在草原上长大，和祖母一起唱古老的歌，这就是她所知道的一切。"), "zh");
    cr_assert_str_eq(guess("Elle a grandi dans la steppe et chantait avec sa grand-mère les "
                           "vieilles chansons, et c'est tout ce qu'elle savait pour le moment."),
                     "fr");
    cr_assert_str_eq(guess("Sie wuchs in der Steppe auf und sang mit ihrer Großmutter die "
                           "alten Lieder, und das war alles, was sie nicht vergessen hat."),
                     "de");
    cr_assert_str_eq(guess("12 34 56"), "", "too few letters");
    cr_assert_str_eq(guess("Xq zvb prt klm wxy zzq bbv ccx ddv ffk ggh jjk llm nnp"), "",
                     "Latin letters but no language's words");
}

Test(stem, book_language_names)
{
    cr_assert_str_eq(stem_language_code("en-GB"), "en");
    cr_assert_str_eq(stem_language_code("RU"), "ru");
    cr_assert_str_eq(stem_language_code("kaz"), "kk");
    cr_assert_str_eq(stem_language_code("english"), "");
    cr_assert_str_eq(stem_language_code(NULL), "");
    cr_assert_str_eq(stem_language_name("ru"), "Russian");
    cr_assert_str_eq(stem_language_name(""), "unknown");
}

static void expect_stem(Stemmer *st, const char *word, const char *want)
{
    size_t len;
    const char *s = stemmer_stem(st, word, strlen(word), &len);
    cr_assert(len == strlen(want) && !memcmp(s, want, len), "%s -> %.*s, want %s", word, (int)len,
              s, want);
}

Test(stem, snowball_and_prefix_stems)
{
    Stemmer *en = stemmer_new("en");
    expect_stem(en, "singers", "singer");
    expect_stem(en, "honing", "hone");
    expect_stem(en, "connection", "connect");
    stemmer_free(en);
    Stemmer *ru = stemmer_new("ru");
    expect_stem(ru, "песнями", "песн");
    expect_stem(ru, "песни", "песн");
    stemmer_free(ru);
    Stemmer *kk = stemmer_new("kk"); /* no Snowball stemmer: the first five letters */
    expect_stem(kk, "қазақтың", "қазақ");
    expect_stem(kk, "ән", "ән");
    stemmer_free(kk);
    Stemmer *none = stemmer_new("");
    expect_stem(none, "singers", "singers");
    stemmer_free(none);
    stemmer_free(NULL);
}

static void expect_latin(Transliterator *tr, const char *w, const char *want)
{
    Strbuf out = STRBUF_INIT;
    translit_latin(tr, w, strlen(w), &out);
    cr_assert(out.len == strlen(want) && !memcmp(out.buf, want, out.len), "%s -> %.*s, want %s", w,
              (int)out.len, out.buf, want);
    strbuf_release(&out);
}

/* Names of a story and its translation meet in Latin letters (ICU's Any-Latin, loaded when
 * first needed). */
Test(stem, names_in_latin_letters)
{
    Transliterator *tr = translit_new();
    expect_latin(tr, "иван", "ivan");
    expect_latin(tr, "алматы", "almaty");
    expect_latin(tr, "томас", "tomas");
    expect_latin(tr, "café", "cafe");
    expect_latin(tr, "35", "35");
    expect_latin(tr, "", "");
    translit_free(tr);
    translit_free(NULL);
}
