/* chapter: which short paragraphs of a plain text are chapter headings (chapter.h). Matching is
 * on the line upper-cased by libunistring (u8_toupper), so "Chapter", "CHAPTER" and "chapter"
 * read alike, in Cyrillic too. */
#include "lector/chapter.h"

#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

#include "lector/strbuf.h"
#include "lector/xalloc.h"

typedef struct {
    const char *word; /* upper case */
    int level;
} Keyword;

/* A keyword followed by a number. */
static const Keyword NUMBERED[] = {
    {"CHAPTER", 2}, {"CHAP.", 2}, {"PART", 1},    {"BOOK", 1}, {"VOLUME", 1},
    {"ГЛАВА", 2},   {"ЧАСТЬ", 1}, {"КНИГА", 1},   {"ТОМ", 1},  {"ТАРАУ", 2},
    {"БӨЛІМ", 1},   {"КІТАП", 1}, {"SECTION", 2},
};
/* A keyword that is a heading alone. */
static const char *const ALONE[] = {
    "PROLOGUE", "EPILOGUE",    "PREFACE",     "INTRODUCTION", "AFTERWORD", "FOREWORD",  "ПРОЛОГ",
    "ЭПИЛОГ",   "ПРЕДИСЛОВИЕ", "ПОСЛЕСЛОВИЕ", "ВВЕДЕНИЕ",     "КІРІСПЕ",   "СОҢҒЫ СӨЗ", "АЛҒЫ СӨЗ",
};
/* Number words: English in full (joined by hyphens: TWENTY-ONE), Russian and Kazakh ordinals
 * and cardinals by their stems (ПЕРВАЯ, ПЕРВЫЙ; ЕКІНШІ). */
static const char *const EN_NUMBERS[] = {
    "ONE",       "TWO",       "THREE",       "FOUR",       "FIVE",       "SIX",        "SEVEN",
    "EIGHT",     "NINE",      "TEN",         "ELEVEN",     "TWELVE",     "THIRTEEN",   "FOURTEEN",
    "FIFTEEN",   "SIXTEEN",   "SEVENTEEN",   "EIGHTEEN",   "NINETEEN",   "TWENTY",     "THIRTY",
    "FORTY",     "FIFTY",     "SIXTY",       "SEVENTY",    "EIGHTY",     "NINETY",     "HUNDRED",
    "FIRST",     "SECOND",    "THIRD",       "FOURTH",     "FIFTH",      "SIXTH",      "SEVENTH",
    "EIGHTH",    "NINTH",     "TENTH",       "ELEVENTH",   "TWELFTH",    "THIRTEENTH", "FOURTEENTH",
    "FIFTEENTH", "SIXTEENTH", "SEVENTEENTH", "EIGHTEENTH", "NINETEENTH", "TWENTIETH",  "THIRTIETH",
    "FORTIETH",  "FIFTIETH",  "LAST",
};
static const char *const STEMS[] = {
    "ПЕРВ",    "ВТОР",    "ТРЕТ",    "ЧЕТВ",       "ПЯТ",       "ШЕСТ",      "СЕДЬМ",
    "ВОСЬМ",   "ДЕВЯТ",   "ДЕСЯТ",   "ОДИННАДЦАТ", "ДВЕНАДЦАТ", "ТРИНАДЦАТ", "ЧЕТЫРНАДЦАТ",
    "ДВАДЦАТ", "ТРИДЦАТ", "ПОСЛЕДН", "БІРІНШІ",    "ЕКІНШІ",    "ҮШІНШІ",    "ТӨРТІНШІ",
    "БЕСІНШІ", "АЛТЫНШЫ", "ЖЕТІНШІ", "СЕГІЗІНШІ",  "ТОҒЫЗЫНШЫ", "ОНЫНШЫ",    "ЖИЫРМАСЫНШЫ",
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* The first byte is compared first: most lines start with no keyword's byte, and this runs for
 * every short paragraph of a story as it loads. */
static bool starts(const char *s, const char *prefix)
{
    return s[0] == prefix[0] && !strncmp(s, prefix, strlen(prefix));
}

/* The Roman numeral s[0, n) when it is one in canonical form (1..3999), else 0. */
static int roman_value(const char *s, size_t n)
{
    static const struct {
        const char *sym;
        int v;
    } R[] = {{"M", 1000}, {"CM", 900}, {"D", 500}, {"CD", 400}, {"C", 100}, {"XC", 90}, {"L", 50},
             {"XL", 40},  {"X", 10},   {"IX", 9},  {"V", 5},    {"IV", 4},  {"I", 1}};
    if (!n || n > 15) return 0;
    int v = 0;
    size_t i = 0;
    for (size_t r = 0; r < COUNT(R) && i < n; r++) {
        size_t k = strlen(R[r].sym);
        int reps = 0;
        while (i + k <= n && !strncmp(s + i, R[r].sym, k) && reps < 3) {
            v += R[r].v;
            i += k;
            reps++;
            if (k == 2 || R[r].v == 500 || R[r].v == 50 || R[r].v == 5) break;
        }
    }
    return i == n ? v : 0;
}

static bool is_sep(char c)
{
    return c == 0 || c == ' ' || c == '.' || c == ':' || c == ',' || c == ')' || c == '-';
}

/* The length of a number at s (digits, a Roman numeral, a number word), or 0. */
static size_t number_at(const char *s)
{
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9')
        n++;
    if (n) return n <= 4 && is_sep(s[n]) ? n : 0;
    while (strchr("IVXLCDM", s[n]) && s[n])
        n++;
    if (n && is_sep(s[n]) && roman_value(s, n)) return n;
    /* words, perhaps hyphenated: TWENTY-ONE */
    size_t at = 0;
    for (;;) {
        size_t w = 0;
        for (size_t k = 0; k < COUNT(EN_NUMBERS) && !w; k++) {
            if (!starts(s + at, EN_NUMBERS[k])) continue; /* before strlen: most lines differ */
            size_t len = strlen(EN_NUMBERS[k]);
            if (is_sep(s[at + len])) w = len;
        }
        for (size_t k = 0; k < COUNT(STEMS) && !w; k++)
            if (starts(s + at, STEMS[k])) {
                size_t len = strlen(STEMS[k]);
                while (s[at + len] && !is_sep(s[at + len]))
                    len++; /* the rest of the word: ПЕРВ-АЯ */
                w = len;
            }
        if (!w) return at;
        at += w;
        if (s[at] == '-' && s[at + 1] && s[at + 1] != ' ') {
            size_t save = at;
            at++;
            size_t more = number_at(s + at);
            if (!more) return save;
            return at + more;
        }
        return at;
    }
}

static bool has_letter(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        ucs4_t cp;
        int k = u8_mbtouc(&cp, s + i, n - i);
        if (uc_is_alpha(cp) || uc_is_digit(cp)) return true;
        i += (size_t)(k > 0 ? k : 1);
    }
    return false;
}

static char *copy_trimmed(const uint8_t *s, size_t n, bool strip_dot)
{
    while (n && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (strip_dot && n > 1 && s[n - 1] == '.') n--;
    char *t = xmalloc(n + 1);
    memcpy(t, s, n);
    t[n] = 0;
    return t;
}

/* After the number (or keyword) at u + at: nothing, or a separator and a title, or a title that
 * starts with a capital. -1 when what follows is not a title (the line is a sentence). */
static int rest_kind(const char *u, size_t at, const char *orig, size_t orig_len)
{
    while (u[at] == ' ')
        at++;
    if (!u[at]) return 0; /* bare */
    if (u[at] == '.' || u[at] == ':') {
        at++;
        while (u[at] == ' ')
            at++;
        return u[at] ? 1 : 0;
    }
    if (starts(u + at, "\xe2\x80\x94") || starts(u + at, "\xe2\x80\x93") || u[at] == '-') return 1;
    /* a title straight after the number: only when it starts with a capital */
    (void)orig_len;
    if (at < orig_len) {
        ucs4_t cp;
        u8_mbtouc(&cp, (const uint8_t *)orig + at, orig_len - at);
        if (uc_is_upper(cp)) return 1;
    }
    return -1;
}

static char *one_line_heading(const uint8_t *line, size_t n, int *level, bool *bare)
{
    size_t lead = 0;
    for (size_t i = 0; i < n && (line[i] == ' ' || line[i] == '\t'); i++)
        lead += line[i] == '\t' ? 8 : 1;
    const uint8_t *s = line;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n || n > 100 || !has_letter(s, n)) return NULL;
    /* upper-cased in place of a buffer on the stack (n <= 100): an ASCII line by hand, since
     * u8_toupper maps ASCII byte for byte, and it is most of a story's short lines */
    char ubuf[512];
    size_t ulen = n;
    bool ascii = true;
    for (size_t i = 0; i < n && ascii; i++) {
        ascii = s[i] < 0x80;
        ubuf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - ('a' - 'A') : s[i]);
    }
    char *u = ubuf;
    if (!ascii) {
        ulen = sizeof ubuf - 1;
        uint8_t *up = u8_toupper(s, n, NULL, NULL, (uint8_t *)ubuf, &ulen);
        if (!up) return NULL;
        /* ubuf when it fits with room for the NUL, else allocated exactly */
        u = up == (uint8_t *)ubuf ? ubuf : xrealloc(up, ulen + 1);
    }
    u[ulen] = 0;
    /* the upper-cased line keeps the original's length only where case mapping did; titles
     * come from the original, offsets into u are used only when the lengths agree */
    bool same_len = ulen == n;
    char *title = NULL;
    *bare = false;
    *level = 2;
    for (size_t k = 0; k < COUNT(NUMBERED) && !title; k++) {
        if (!starts(u, NUMBERED[k].word)) continue;
        size_t kl = strlen(NUMBERED[k].word);
        if (u[kl] != ' ' && u[kl] != '\xc2') continue;
        size_t at = kl;
        while (u[at] == ' ')
            at++;
        size_t num = number_at(u + at);
        if (!num) continue;
        int r = rest_kind(u, at + num, same_len ? (const char *)s : "", same_len ? n : 0);
        if (r < 0) continue;
        *level = NUMBERED[k].level;
        *bare = r == 0;
        title = copy_trimmed(s, n, r == 0);
    }
    /* number first: "2-тарау", "Екінші бөлім", "Третья глава" */
    if (!title) {
        size_t num = number_at(u);
        if (num && (u[num] == '-' || u[num] == ' ')) {
            size_t at = num + 1;
            for (size_t k = 0; k < COUNT(NUMBERED) && !title; k++) {
                if (!starts(u + at, NUMBERED[k].word)) continue;
                size_t kl = strlen(NUMBERED[k].word);
                if (!is_sep(u[at + kl])) continue;
                int r = rest_kind(u, at + kl, same_len ? (const char *)s : "", same_len ? n : 0);
                if (r < 0) continue;
                *level = NUMBERED[k].level;
                *bare = r == 0;
                title = copy_trimmed(s, n, r == 0);
            }
        }
    }
    for (size_t k = 0; k < COUNT(ALONE) && !title; k++) {
        size_t kl = strlen(ALONE[k]);
        if (!starts(u, ALONE[k])) continue;
        int r = u[kl] == 0 ? 0
                : is_sep(u[kl])
                    ? rest_kind(u, kl, same_len ? (const char *)s : "", same_len ? n : 0)
                    : -1;
        if (r < 0) continue;
        title = copy_trimmed(s, n, r == 0);
    }
    /* 第十二章, 第3回, 第一卷 */
    if (!title && starts(u, "\xe7\xac\xac")) { /* 第 */
        size_t at = 3, digits = 0;
        static const char *const NUM[] = {"〇", "零", "一", "二", "两", "三", "四", "五",
                                          "六", "七", "八", "九", "十", "百", "千"};
        for (bool more = true; more;) {
            more = false;
            if (u[at] >= '0' && u[at] <= '9') {
                at++;
                digits++;
                more = true;
                continue;
            }
            for (size_t k = 0; k < COUNT(NUM); k++)
                if (starts(u + at, NUM[k])) {
                    at += strlen(NUM[k]);
                    digits++;
                    more = true;
                    break;
                }
        }
        static const char *const CH[] = {"章", "回", "节", "節"}, *const PART[] = {"卷", "部", "篇",
                                                                                   "集"};
        int lv = 0;
        for (size_t k = 0; k < 4 && !lv; k++) {
            if (starts(u + at, CH[k]))
                lv = 2, at += strlen(CH[k]);
            else if (starts(u + at, PART[k]))
                lv = 1, at += strlen(PART[k]);
        }
        if (digits && lv) {
            *level = lv;
            *bare = u[at] == 0;
            title = copy_trimmed(s, n, false);
        }
    }
    /* a numeral alone: "XII", "IV.", "12" */
    if (!title) {
        size_t k = ulen && u[ulen - 1] == '.' ? ulen - 1 : ulen;
        bool digits = k && k <= 3;
        for (size_t i = 0; i < k && digits; i++)
            digits = u[i] >= '0' && u[i] <= '9';
        if (digits || roman_value(u, k)) {
            *bare = true;
            title = copy_trimmed(s, n, true);
        }
    }
    /* a short line centred: not a sentence, not speech */
    if (!title && lead >= 10 && n <= 60) {
        static const char *const ENDS[] = {".", ",", ";", ":", "!", "?", "\"", "'", "»", "”", "…"};
        static const char *const STARTS[] = {"\"", "'", "«", "“", "„", "—", "-", "("};
        bool ok = true;
        for (size_t k = 0; k < COUNT(ENDS) && ok; k++) {
            size_t el = strlen(ENDS[k]);
            ok = !(n >= el && !memcmp(s + n - el, ENDS[k], el));
        }
        for (size_t k = 0; k < COUNT(STARTS) && ok; k++)
            ok = !starts((const char *)s, STARTS[k]);
        size_t words = 1;
        for (size_t i = 0; i < n; i++)
            words += s[i] == ' ' && i + 1 < n && s[i + 1] != ' ';
        /* a comma reads as a letter's closing ("Yours, Marat"), not a title */
        if (ok && words <= 8 && !memchr(s, ',', n)) title = copy_trimmed(s, n, false);
    }
    if (u != ubuf) free(u);
    return title;
}

static bool all_of(const uint8_t *s, size_t n, char c)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    if (n < 3) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] != c) return false;
    return true;
}

char *chapter_heading(const uint8_t *s, size_t n, int *level, bool *bare)
{
    *bare = false;
    if (n > CHAPTER_HEADING_MAX) return NULL;
    const uint8_t *nl = memchr(s, '\n', n);
    if (!nl) return one_line_heading(s, n, level, bare);
    size_t first = (size_t)(nl - s);
    const uint8_t *second = nl + 1;
    size_t second_len = n - first - 1;
    if (memchr(second, '\n', second_len)) return NULL; /* three lines: verse, an address */
    if (all_of(second, second_len, '=') || all_of(second, second_len, '-')) {
        if (!has_letter(s, first)) return NULL;
        *level = all_of(second, second_len, '=') ? 1 : 2;
        return copy_trimmed(s, first, false);
    }
    bool first_bare;
    char *head = one_line_heading(s, first, level, &first_bare);
    if (!head) return NULL;
    if (!first_bare) { /* a heading with its title, then a line of text: not a heading */
        free(head);
        return NULL;
    }
    char *joined = chapter_subtitle(head, second, second_len);
    free(head);
    return joined;
}

char *chapter_subtitle(const char *heading, const uint8_t *s, size_t n)
{
    if (memchr(s, '\n', n)) return NULL;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n || n > 80 || !has_letter(s, n)) return NULL;
    if (s[n - 1] == ',' || s[n - 1] == ';' || s[n - 1] == '?' || s[n - 1] == '!') return NULL;
    if (s[0] == '"' || starts((const char *)s, "\xe2\x80\x9c") ||
        starts((const char *)s, "\xc2\xab"))
        return NULL; /* speech */
    size_t words = 1;
    for (size_t i = 0; i < n; i++)
        words += s[i] == ' ' && i + 1 < n && s[i + 1] != ' ';
    if (words > 10) return NULL;
    if (s[n - 1] == '.') { /* a sentence, unless all in capitals: "THE BEGINNING." */
        for (size_t i = 0; i < n;) {
            ucs4_t cp;
            int k = u8_mbtouc(&cp, s + i, n - i);
            if (uc_is_lower(cp)) return NULL;
            i += (size_t)(k > 0 ? k : 1);
        }
        n--;
    }
    Strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%s: ", heading);
    strbuf_add(&sb, s, n);
    return strbuf_detach(&sb, NULL);
}
