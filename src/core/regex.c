/* regex.c: PCRE2 over paragraphs (regex.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "lector/regex.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unictype.h>

#include "lector/lazylib.h"
#include "lector/strbuf.h"
#include "lector/token.h"
#include "lector/ucd.h"
#include "lector/xalloc.h"

struct Regex {
    char *pattern; /* owned: as given */
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    bool case_counts;
    Span *m; /* the last scan's matches */
    size_t nm, cap;
    char stop[256];
};

/* PCRE2 is loaded the first time a pattern is compiled (lazylib.h): only re: queries need it,
 * and loading it cost every start. Its functions are the _8 ones (PCRE2_CODE_UNIT_WIDTH). */
static struct {
    __typeof__(&pcre2_compile) compile;
    __typeof__(&pcre2_get_error_message) get_error_message;
    __typeof__(&pcre2_jit_compile) jit_compile;
    __typeof__(&pcre2_match_data_create_from_pattern) match_data_create_from_pattern;
    __typeof__(&pcre2_match_context_create) match_context_create;
    __typeof__(&pcre2_set_match_limit) set_match_limit;
    __typeof__(&pcre2_set_depth_limit) set_depth_limit;
    __typeof__(&pcre2_match_data_free) match_data_free;
    __typeof__(&pcre2_match_context_free) match_context_free;
    __typeof__(&pcre2_code_free) code_free;
    __typeof__(&pcre2_match) match;
    __typeof__(&pcre2_get_ovector_pointer) get_ovector_pointer;
} pcre;
static pthread_once_t pcre_once = PTHREAD_ONCE_INIT;
static const char *pcre_error; /* why loading failed; NULL when it did not */

static void pcre_load(void)
{
    static const LazySymbol syms[] = {
        LAZYLIB_SYMBOL(pcre2_compile, pcre.compile),
        LAZYLIB_SYMBOL(pcre2_get_error_message, pcre.get_error_message),
        LAZYLIB_SYMBOL(pcre2_jit_compile, pcre.jit_compile),
        LAZYLIB_SYMBOL(pcre2_match_data_create_from_pattern, pcre.match_data_create_from_pattern),
        LAZYLIB_SYMBOL(pcre2_match_context_create, pcre.match_context_create),
        LAZYLIB_SYMBOL(pcre2_set_match_limit, pcre.set_match_limit),
        LAZYLIB_SYMBOL(pcre2_set_depth_limit, pcre.set_depth_limit),
        LAZYLIB_SYMBOL(pcre2_match_data_free, pcre.match_data_free),
        LAZYLIB_SYMBOL(pcre2_match_context_free, pcre.match_context_free),
        LAZYLIB_SYMBOL(pcre2_code_free, pcre.code_free),
        LAZYLIB_SYMBOL(pcre2_match, pcre.match),
        LAZYLIB_SYMBOL(pcre2_get_ovector_pointer, pcre.get_ovector_pointer),
    };
    lazylib_load("libpcre2-8.so.0", syms, sizeof syms / sizeof *syms, &pcre_error);
}

bool search_is_regex(const char *query, const char **pattern)
{
    if (strncmp(query, "re:", 3) != 0 || !query[3]) return false;
    if (pattern) *pattern = query + 3;
    return true;
}

static bool has_upper(const char *s)
{
    const uint8_t *p = (const uint8_t *)s, *end = p + strlen(s);
    while (p < end) {
        size_t k;
        uint32_t cp = ucd_decode(p, end, &k);
        /* \P{..}, \W, \S and \D are syntax, not letters the text must have in that case */
        if (p > (const uint8_t *)s && p[-1] == '\\') {
            p += k;
            continue;
        }
        if (uc_is_upper(cp)) return true;
        p += k;
    }
    return false;
}

int regex_compile(const char *pattern, SearchMode mode, Regex **out, Diag *diag)
{
    bool case_counts = mode == SEARCH_EXACT || (mode == SEARCH_SMART && has_upper(pattern));
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE | PCRE2_MATCH_INVALID_UTF;
    if (!case_counts) opts |= PCRE2_CASELESS;
    pthread_once(&pcre_once, pcre_load);
    if (!pcre.compile) {
        diag_set(diag, DIAG_INVALID, "patterns need PCRE2, which could not be loaded: %s",
                 pcre_error ? pcre_error : "?");
        return -1;
    }
    int err;
    PCRE2_SIZE at;
    pcre2_code *code =
        pcre.compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &err, &at, NULL);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre.get_error_message(err, msg, sizeof msg);
        diag_set(diag, DIAG_USAGE, "the pattern does not compile: %s at %zu", (const char *)msg,
                 (size_t)at + 1);
        return -1;
    }
    pcre.jit_compile(code, PCRE2_JIT_COMPLETE); /* faster when it can; the same matches */
    Regex *re = xcalloc(1, sizeof *re);
    re->pattern = xstrdup(pattern);
    re->code = code;
    re->md = pcre.match_data_create_from_pattern(code, NULL);
    re->mc = pcre.match_context_create(NULL);
    pcre.set_match_limit(re->mc, REGEX_MATCH_LIMIT);
    pcre.set_depth_limit(re->mc, REGEX_DEPTH_LIMIT);
    re->case_counts = case_counts;
    *out = re;
    return 0;
}

void regex_free(Regex *re)
{
    if (!re) return;
    pcre.match_data_free(re->md);
    pcre.match_context_free(re->mc);
    pcre.code_free(re->code);
    free(re->pattern);
    free(re->m);
    free(re);
}

bool regex_case_counts(const Regex *re)
{
    return re->case_counts;
}

const char *regex_stop_reason(const Regex *re)
{
    return re->stop;
}

size_t regex_scan(Regex *re, const uint8_t *text, size_t a, size_t b, const Span **out,
                  bool *stopped)
{
    re->nm = 0;
    *out = re->m;
    if (*stopped || a >= b) return 0;
    PCRE2_SIZE from = 0, len = b - a;
    while (from <= len) {
        int rc = pcre.match(re->code, (PCRE2_SPTR)(text + a), len, from, 0, re->md, re->mc);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            PCRE2_UCHAR msg[96];
            pcre.get_error_message(rc, msg, sizeof msg);
            snprintf(re->stop, sizeof re->stop, "the pattern gave up: %s (it backtracks too much)",
                     (const char *)msg);
            *stopped = true;
            break;
        }
        PCRE2_SIZE *ov = pcre.get_ovector_pointer(re->md);
        PCRE2_SIZE s = ov[0], e = ov[1];
        if (e > s) {
            if (re->nm == re->cap) {
                re->cap = re->cap ? re->cap * 2 : 16;
                re->m = xreallocarray(re->m, re->cap, sizeof *re->m);
            }
            re->m[re->nm++] = (Span){a + s, a + e};
            from = e;
        } else { /* an empty match: on past its code point */
            from = e + 1;
            while (from < len && (text[a + from] & 0xc0) == 0x80)
                from++;
        }
        if (e < s) break; /* \K tricks: never go back */
    }
    *out = re->m;
    return re->nm;
}

/* A letter or digit a word run may hold: one token holds a run of them (the index's tokens of
 * Han, kana and Thai are single characters, so those break a run). */
static bool run_char(uint32_t cp)
{
    if (cp < 0x80) return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    return cp >= 0xc0 && cp <= 0x52f && cp != 0xd7 && cp != 0xf7 && uc_is_alpha(cp);
}

typedef struct {
    Strbuf cur;        /* the run being read */
    size_t chars;      /* its code points */
    size_t last_start; /* where its last code point starts, in cur */
    char **out;
    size_t n, max;
    TokenFolder *fold;
} Runs;

static void run_end(Runs *r)
{
    if (r->chars >= 3 && r->n < r->max) {
        size_t len;
        const char *f = token_fold(r->fold, (const uint8_t *)r->cur.buf, r->cur.len, &len);
        char *w = xmalloc(len + 1);
        memcpy(w, f, len);
        w[len] = 0;
        r->out[r->n++] = w;
    }
    strbuf_reset(&r->cur);
    r->chars = 0;
}

size_t regex_required_words(const Regex *re, char **out, size_t max)
{
    const char *p = re->pattern;
    if (strchr(p, '|') || strstr(p, "(?") || strstr(p, "\\Q") || strstr(p, "\\E")) return 0;
    Runs r = {STRBUF_INIT, 0, 0, out, 0, max, token_folder_new(TOKEN_FOLD_ALL)};
    const uint8_t *s = (const uint8_t *)p, *end = s + strlen(p);
    int depth = 0;
    while (s < end) {
        uint8_t c = *s;
        if (c == '\\') { /* an escape: a class, an assertion or a character; never in a run */
            run_end(&r);
            s++;
            if (s < end && (*s == 'p' || *s == 'P') && s + 1 < end && s[1] == '{') {
                while (s < end && *s != '}')
                    s++;
            }
            if (s < end) s++;
            continue;
        }
        if (c == '[') { /* a class, to its closing bracket */
            run_end(&r);
            s++;
            if (s < end && *s == '^') s++;
            if (s < end && *s == ']') s++;
            while (s < end && *s != ']') {
                if (*s == '\\' && s + 1 < end) s++;
                s++;
            }
            if (s < end) s++;
            continue;
        }
        if (c == '?' || c == '*' || c == '{') { /* the atom before may be absent: not required */
            if (r.chars && r.cur.len) {
                r.cur.len = r.last_start;
                r.chars--;
            }
            run_end(&r);
            if (c == '{')
                while (s < end && *s != '}')
                    s++;
            if (s < end) s++;
            continue;
        }
        if (c == '(' || c == ')') {
            run_end(&r);
            depth += c == '(' ? 1 : -1;
            s++;
            continue;
        }
        size_t k;
        uint32_t cp = ucd_decode(s, end, &k);
        if (depth == 0 && run_char(cp)) {
            r.last_start = r.cur.len;
            strbuf_add(&r.cur, (const char *)s, k);
            r.chars++;
        } else {
            run_end(&r); /* '+', '.', a space, punctuation, a character inside a group */
        }
        s += k;
    }
    run_end(&r);
    strbuf_release(&r.cur);
    token_folder_free(r.fold);
    return r.n;
}
