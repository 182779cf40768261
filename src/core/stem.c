/* stem.c: a story's language, guessed, and its words' stems (libstemmer).
 *
 * The guess: the letters of the sample by script first (Han, kana, Hangul, Arabic, Greek, Hebrew,
 * Thai and Devanagari each say the language on their own; Cyrillic with Kazakh's own letters is
 * Kazakh); for Latin and other Cyrillic text, the language whose commonest words (a short list
 * each, folded as token_fold folds) are most of the sample's words wins, if they are at least one
 * word in twenty. Lists are of words frequent in one language and rare in the others it is told
 * apart from.
 */
#include "lector/stem.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <unicode/uvernum.h>
#include <unistr.h>

#include "icu_lazy.h"
#include "lector/lazylib.h"
#include "lector/strbuf.h"
#include "lector/token.h"
#include "lector/xalloc.h"

enum { SAMPLE_BYTES = 64 * 1024, PREFIX_LETTERS = 5 };

typedef struct {
    const char *code, *name, *snowball; /* snowball: NULL for the prefix stemmer, "" for none */
    const char *const *common;          /* NULL-ended, folded; NULL when told by script alone */
} Language;

static const char *const EN[] = {"the", "and", "of",   "to",   "that", "is",  "was",
                                 "he",  "it",  "with", "his",  "she",  "her", "had",
                                 "for", "you", "not",  "this", NULL};
static const char *const RU[] = {"и",   "в",  "не",  "на",  "что",  "он",  "я",  "с", "как", "она",
                                 "его", "но", "это", "все", "было", "так", "ее", "к", NULL};
static const char *const FR[] = {"le",   "la",  "les", "et",   "est", "des", "une", "dans", "qui",
                                 "pour", "pas", "il",  "elle", "du",  "que", "au",  "sur",  NULL};
static const char *const DE[] = {"der", "die", "und", "das",  "ist", "nicht", "ich", "sie", "es",
                                 "zu",  "den", "mit", "sich", "auf", "dem",   "ein", "war", NULL};
static const char *const ES[] = {"el",  "los", "las",  "y",  "que", "en",   "por", "con",  "se",
                                 "del", "es",  "para", "su", "lo",  "como", "una", "pero", NULL};
static const char *const IT[] = {"il", "di",  "che", "e",     "per", "non", "sono", "della", "gli",
                                 "si", "con", "ma",  "anche", "una", "nel", "era",  NULL};
static const char *const PT[] = {"o",    "os",  "de",  "que", "do",   "da", "em", "um",  "uma",
                                 "para", "com", "nao", "por", "mais", "no", "na", "ele", NULL};
static const char *const NL[] = {"de", "het", "een", "en", "van",  "is",  "dat",  "niet", "ik",
                                 "je", "die", "op",  "te", "zijn", "met", "voor", NULL};
static const char *const TR[] = {"ve",   "bir", "bu",  "icin", "ile",   "gibi", "daha",  "cok",
                                 "olan", "ama", "ben", "sen",  "kadar", "diye", "sonra", NULL};
static const char *const UK[] = {"і",    "в",    "не",  "на", "що", "він",  "я",  "з", "як",
                                 "вона", "його", "але", "це", "та", "було", "до", "й", NULL};

static const Language LANGS[] = {
    {"en", "English", "english", EN}, {"ru", "Russian", "russian", RU},
    {"uk", "Ukrainian", NULL, UK},    {"fr", "French", "french", FR},
    {"de", "German", "german", DE},   {"es", "Spanish", "spanish", ES},
    {"it", "Italian", "italian", IT}, {"pt", "Portuguese", "portuguese", PT},
    {"nl", "Dutch", "dutch", NL},     {"tr", "Turkish", "turkish", TR},
    {"kk", "Kazakh", NULL, NULL},     {"zh", "Chinese", "", NULL},
    {"ja", "Japanese", "", NULL},     {"ko", "Korean", NULL, NULL},
    {"ar", "Arabic", "arabic", NULL}, {"el", "Greek", "greek", NULL},
    {"he", "Hebrew", NULL, NULL},     {"th", "Thai", "", NULL},
    {"hi", "Hindi", "hindi", NULL},
};
enum { NLANGS = sizeof LANGS / sizeof *LANGS };

static const Language *find_language(const char *code)
{
    for (size_t i = 0; code && *code && i < NLANGS; i++)
        if (!strcmp(LANGS[i].code, code)) return &LANGS[i];
    return NULL;
}

enum {
    S_LATIN,
    S_CYRILLIC,
    S_KAZAKH,
    S_HAN,
    S_KANA,
    S_HANGUL,
    S_ARABIC,
    S_GREEK,
    S_HEBREW,
    S_THAI,
    S_DEVANAGARI,
    NSCRIPTS
};

static int script_of(ucs4_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0x24F))
        return S_LATIN;
    /* Kazakh's own: ә ғ қ ң ө ұ ү һ і (and capitals) */
    if (c == 0x4D9 || c == 0x4D8 || c == 0x493 || c == 0x492 || c == 0x49B || c == 0x49A ||
        c == 0x4A3 || c == 0x4A2 || c == 0x4E9 || c == 0x4E8 || c == 0x4B1 || c == 0x4B0 ||
        c == 0x4AF || c == 0x4AE || c == 0x4BB || c == 0x4BA)
        return S_KAZAKH;
    if (c >= 0x400 && c <= 0x4FF) return S_CYRILLIC;
    if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF)) return S_HAN;
    if (c >= 0x3040 && c <= 0x30FF) return S_KANA;
    if (c >= 0xAC00 && c <= 0xD7AF) return S_HANGUL;
    if (c >= 0x600 && c <= 0x6FF) return S_ARABIC;
    if (c >= 0x370 && c <= 0x3FF) return S_GREEK;
    if (c >= 0x590 && c <= 0x5FF) return S_HEBREW;
    if (c >= 0xE00 && c <= 0xE7F) return S_THAI;
    if (c >= 0x900 && c <= 0x97F) return S_DEVANAGARI;
    return -1;
}

typedef struct {
    const uint8_t *s;
    TokenFolder *folder;
    size_t words;
    size_t hits[NLANGS];
} Vote;

static void vote_word(void *ctx, size_t start, size_t end)
{
    Vote *v = ctx;
    size_t len;
    const char *w = token_fold(v->folder, v->s + start, end - start, &len);
    v->words++;
    for (size_t l = 0; l < NLANGS; l++)
        for (const char *const *c = LANGS[l].common; c && *c; c++)
            if ((*c)[0] == w[0] && strlen(*c) == len && !memcmp(*c, w, len)) { /* w is a word */
                v->hits[l]++;
                break;
            }
}

const char *stem_guess_language(const uint8_t *s, size_t n)
{
    if (n > SAMPLE_BYTES) { /* end at a character's start */
        n = SAMPLE_BYTES;
        while (n > 0 && (s[n] & 0xC0) == 0x80)
            n--;
    }
    size_t count[NSCRIPTS] = {0}, letters = 0;
    for (size_t i = 0; i < n;) {
        ucs4_t c;
        int k = u8_mbtoucr(&c, s + i, n - i);
        if (k <= 0) {
            i++;
            continue;
        }
        i += (size_t)k;
        int sc = script_of(c);
        if (sc >= 0) count[sc]++, letters++;
    }
    if (letters < 20) return "";
    size_t cyr = count[S_CYRILLIC] + count[S_KAZAKH];
    size_t best = S_LATIN;
    for (size_t k = 0; k < NSCRIPTS; k++)
        if (k != S_CYRILLIC && k != S_KAZAKH && count[k] > count[best]) best = k;
    if (cyr > count[best]) {
        /* Kazakh's own letters are about one letter in ten in Kazakh, none in Russian */
        if (count[S_KAZAKH] * 50 >= cyr) return "kk";
        best = S_CYRILLIC;
    }
    switch (best) {
    case S_HAN:
    case S_KANA:
        return count[S_KANA] * 10 >= count[S_HAN] + count[S_KANA] ? "ja" : "zh";
    case S_HANGUL:
        return "ko";
    case S_ARABIC:
        return "ar";
    case S_GREEK:
        return "el";
    case S_HEBREW:
        return "he";
    case S_THAI:
        return "th";
    case S_DEVANAGARI:
        return "hi";
    default:
        break;
    }
    Vote v = {.s = s, .folder = token_folder_new(TOKEN_FOLD_ALL)};
    Strbuf scratch = STRBUF_INIT;
    token_each(s, n, &scratch, vote_word, &v);
    strbuf_release(&scratch);
    token_folder_free(v.folder);
    size_t win = NLANGS;
    for (size_t l = 0; l < NLANGS; l++) {
        bool cyrillic_list = LANGS[l].common == RU || LANGS[l].common == UK;
        if (!LANGS[l].common || cyrillic_list != (best == S_CYRILLIC)) continue;
        if (win == NLANGS || v.hits[l] > v.hits[win]) win = l;
    }
    if (win == NLANGS || v.hits[win] * 20 < v.words || v.hits[win] < 3)
        return best == S_CYRILLIC ? "ru" : "";
    return LANGS[win].code;
}

const char *stem_language_code(const char *name)
{
    if (!name) return "";
    char low[4] = {0};
    size_t k = 0;
    while (k < 3 && ((name[k] >= 'a' && name[k] <= 'z') || (name[k] >= 'A' && name[k] <= 'Z'))) {
        low[k] = (char)(name[k] | 0x20);
        k++;
    }
    if (name[k] && name[k] != '-' && name[k] != '_') return "";
    static const char *const three[][2] = {
        {"eng", "en"}, {"rus", "ru"}, {"ukr", "uk"}, {"fra", "fr"}, {"fre", "fr"}, {"deu", "de"},
        {"ger", "de"}, {"spa", "es"}, {"ita", "it"}, {"por", "pt"}, {"nld", "nl"}, {"dut", "nl"},
        {"tur", "tr"}, {"kaz", "kk"}, {"zho", "zh"}, {"chi", "zh"}, {"jpn", "ja"}, {"kor", "ko"},
        {"ara", "ar"}, {"ell", "el"}, {"gre", "el"}, {"heb", "he"}, {"tha", "th"}, {"hin", "hi"},
    };
    if (k == 3) {
        for (size_t i = 0; i < sizeof three / sizeof *three; i++)
            if (!strcmp(three[i][0], low)) return three[i][1];
        return "";
    }
    const Language *l = k == 2 ? find_language(low) : NULL;
    return l ? l->code : "";
}

const char *stem_language_name(const char *code)
{
    const Language *l = find_language(code);
    return l ? l->name : "unknown";
}

struct Stemmer {
    struct sb_stemmer *sb; /* NULL: the prefix stemmer or none */
    bool prefix;
};

/* libstemmer is loaded the first time a stemmer is made (lazylib.h): only comparing reworded
 * or translated stories needs it, and loading it cost every start. Without it, words are
 * their own stems. */
static struct {
    __typeof__(&sb_stemmer_new) sb_stemmer_new;
    __typeof__(&sb_stemmer_delete) sb_stemmer_delete;
    __typeof__(&sb_stemmer_stem) sb_stemmer_stem;
    __typeof__(&sb_stemmer_length) sb_stemmer_length;
} snowball_api;
static pthread_once_t snowball_once = PTHREAD_ONCE_INIT;

static void snowball_load(void)
{
    static const LazySymbol syms[] = {
        LAZYLIB_SYMBOL(sb_stemmer_new, snowball_api.sb_stemmer_new),
        LAZYLIB_SYMBOL(sb_stemmer_delete, snowball_api.sb_stemmer_delete),
        LAZYLIB_SYMBOL(sb_stemmer_stem, snowball_api.sb_stemmer_stem),
        LAZYLIB_SYMBOL(sb_stemmer_length, snowball_api.sb_stemmer_length),
    };
    const char *why;
    lazylib_load("libstemmer.so.0d", syms, sizeof syms / sizeof *syms, &why);
}

#define sb_stemmer_new (snowball_api.sb_stemmer_new)
#define sb_stemmer_delete (snowball_api.sb_stemmer_delete)
#define sb_stemmer_stem (snowball_api.sb_stemmer_stem)
#define sb_stemmer_length (snowball_api.sb_stemmer_length)

Stemmer *stemmer_new(const char *code)
{
    Stemmer *st = xcalloc(1, sizeof *st);
    const Language *l = find_language(code);
    if (!l) return st;
    if (!l->snowball)
        st->prefix = true;
    else if (*l->snowball && (pthread_once(&snowball_once, snowball_load), sb_stemmer_new))
        st->sb = sb_stemmer_new(l->snowball, "UTF_8"); /* NULL (no memory): words as they are */
    return st;
}

void stemmer_free(Stemmer *st)
{
    if (!st) return;
    if (st->sb) sb_stemmer_delete(st->sb);
    free(st);
}

const char *stemmer_stem(Stemmer *st, const char *w, size_t n, size_t *len)
{
    *len = n;
    if (st->prefix) { /* the first PREFIX_LETTERS code points */
        size_t at = 0;
        for (int k = 0; k < PREFIX_LETTERS && at < n; k++) {
            at++;
            while (at < n && ((unsigned char)w[at] & 0xC0) == 0x80)
                at++;
        }
        *len = at;
        return w;
    }
    if (!st->sb || n > 256) return w;
    const sb_symbol *r = sb_stemmer_stem(st->sb, (const sb_symbol *)w, (int)n);
    if (!r) return w; /* out of memory: the word as it is */
    *len = (size_t)sb_stemmer_length(st->sb);
    return (const char *)r;
}

/* ICU's transliterators are in libicui18n, which lector loads only when it transliterates (a
 * translation compared): linked, its relocations alone cost every run of lector a megabyte of
 * memory, and lector wrap promises 16 MiB on any file. The library and its functions are named
 * by the ICU lector was built with (its version's soname and entry points; utrans.h's macros
 * give the versioned names). Loaded RTLD_NODELETE: ICU keeps caches that must outlive us. */
struct Transliterator {
    UTransliterator *t; /* NULL: ICU could not make it (then words are given as they are) */
    __typeof__(&utrans_transUChars) run;
    __typeof__(&utrans_close) close;
    UChar *buf;
    int32_t cap;
};

Transliterator *translit_new(void)
{
    Transliterator *tr = xcalloc(1, sizeof *tr);
    const IcuApi *icu = icu_api(); /* libicui18n needs it, and so do we */
    if (!icu) return tr;
    __typeof__(&utrans_openU) open;
    const LazySymbol syms[] = {
        LAZYLIB_SYMBOL(utrans_openU, open),
        LAZYLIB_SYMBOL(utrans_transUChars, tr->run),
        LAZYLIB_SYMBOL(utrans_close, tr->close),
    };
    const char *why;
    if (lazylib_load("libicui18n.so." U_ICU_VERSION_SHORT, syms, sizeof syms / sizeof *syms,
                     &why) == 0) {
        UChar id[64];
        icu->uastrcpy(id, "Any-Latin; Latin-ASCII");
        UErrorCode e = U_ZERO_ERROR;
        tr->t = open(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
        if (U_FAILURE(e)) tr->t = NULL;
    }
    return tr;
}

void translit_free(Transliterator *tr)
{
    if (!tr) return;
    if (tr->t) tr->close(tr->t);
    free(tr->buf);
    free(tr);
}
void translit_latin(Transliterator *tr, const char *w, size_t n, Strbuf *out)
{
    strbuf_reset(out);
    if (!tr->t || n > 4096) {
        strbuf_add(out, w, n);
        return;
    }
    int32_t need = (int32_t)n * 4 + 16; /* a letter may become several Latin ones */
    if (need > tr->cap) {
        tr->cap = need;
        tr->buf = xreallocarray(tr->buf, (size_t)tr->cap, sizeof *tr->buf);
    }
    UErrorCode e = U_ZERO_ERROR;
    int32_t len = 0;
    const IcuApi *icu = icu_api(); /* loaded: tr->t is ICU's */
    icu->str_from_utf8(tr->buf, tr->cap, &len, w, (int32_t)n, &e);
    int32_t limit = len;
    if (U_SUCCESS(e)) tr->run(tr->t, tr->buf, &len, tr->cap, 0, &limit, &e);
    char tmp[4096 * 4 + 64];
    int32_t outlen = 0;
    if (U_SUCCESS(e)) icu->str_to_utf8(tmp, (int32_t)sizeof tmp, &outlen, tr->buf, len, &e);
    if (U_FAILURE(e)) {
        strbuf_add(out, w, n);
        return;
    }
    strbuf_add(out, tmp, (size_t)outlen);
}
