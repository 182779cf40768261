/* cmd_search.c: `lector search`, ranked hits across stories, grep-style.
 *
 * The search is library.h's, the one the reader's results view runs: each story's index comes
 * from the cache when the file is unchanged (cache.h), else it is built and saved; hits are
 * paragraphs holding every item of the query, ranked by BM25 across all the stories given. Each
 * prints as path:line:column: [chapter] snippet, line and column (in characters) of the hit's
 * first match, 1-based, as lector reads the file (a CR counts as a line end; in a book, lines of
 * its text as imported), the chapter in brackets when the story has one there. Only the printed
 * hits' paragraphs are read from the files: a warm search reads the index pages it needs and a few
 * paragraphs, whatever the size of the shelf.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "lector/library.h"
#include "lector/search.h"
#include "lector/regex.h"
#include "lector/strbuf.h"
#include "lector/xalloc.h"

static void search_usage(FILE *f)
{
    fputs("usage: lector search [--limit N] [--exact] [--regex] [--count] [--no-cache] QUERY\n"
          "                     [FILE|FOLDER]...\n"
          "Ranked search across stories (default: the texts folder). One hit per line, best\n"
          "first: path:line:column: [chapter] snippet. Exit 0 with hits, 1 with none, 2 on error.\n"
          "  QUERY       words (all in one paragraph; each finds the words that begin with\n"
          "              it), =word (that word whole), \"a phrase\" (whole words in a row),\n"
          "              NEAR(a b, N) (within N words), word~ (within two edits);\n"
          "              case, accents and Unicode spelling are ignored, unless the query has\n"
          "              an uppercase letter (then case counts)\n"
          "  --limit N   at most N hits (default 20; 0: all)\n"
          "  --exact     case and accents count\n"
          "  -e, --regex QUERY is a PCRE2 pattern (as re:QUERY), found in each paragraph;\n"
          "              case counts only when it has a capital; hits in story order\n"
          "  --count     print path:matches for each story instead (as the reader counts)\n"
          "  --no-cache  index every story now, and do not save the indexes\n"
          "  -h, --help  show this help\n"
          "The configuration's smart-case = no makes case never count (see: man lector).\n",
          f);
}

/* A story this long has arrays of megabytes: a common word's places (8 MB for =lord in 1 GB),
 * the matches, the documents' hits, each written once soon after it is allocated. */
#define BIG_STORY_BYTES ((off_t)256 << 20)

/* Whether one of the files named (not a folder's: a stat a story of a big shelf would cost more
 * than it saves) is a big story. */
static bool names_big_story(char *const *names, int n)
{
    for (int k = 0; k < n; k++) {
        struct stat st;
        if (stat(names[k], &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= BIG_STORY_BYTES)
            return true;
    }
    return false;
}

/* For a search of a big story: each 4 KiB page of its arrays was a fault, zeroed and charged,
 * a fifth of =lord, NEAR and righteous* on 1 GB. So blocks up to glibc's most (32 MiB) come from
 * the heap, which keeps what is freed (the next array reuses its pages), and the heap's next
 * 56 MiB are asked of the kernel in huge pages (a fault a 2 MiB page): -20% on those three.
 * Not for smaller stories: there a huge page is zeroed for a few KiB, and a growing array is
 * copied where a mapping was moved (=lord over the 103 MB shelf: +12%). Virtual memory only until
 * touched: the setup writes only the blocks' headers (a huge page at most, when a block starts on
 * one). Under another allocator (a sanitizer's) the advice is harmless. */
static void heap_for_big_story(void)
{
    enum { HUGE_PAGE = 2 << 20, BLOCK = 28 << 20, BLOCKS = 2 };
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, (BLOCKS + 1) * BLOCK);
    char *block[BLOCKS];
    for (int i = 0; i < BLOCKS; i++)
        block[i] = malloc(BLOCK);
    for (int i = 0; i < BLOCKS; i++) {
        uintptr_t from = ((uintptr_t)block[i] + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1),
                  to = ((uintptr_t)block[i] + BLOCK) & ~(uintptr_t)(HUGE_PAGE - 1);
        if (block[i] && from < to) madvise((void *)from, to - from, MADV_HUGEPAGE);
    }
    for (int i = 0; i < BLOCKS; i++)
        free(block[i]);
}

int cmd_search(int argc, char **argv, const char *default_texts, const Config *cfg)
{
    long limit = 20;
    int exact = 0, count = 0, npos = 0, options = 1, use_cache = 1, regex = 0;
    char **pos = xmalloc((size_t)argc * sizeof *pos);
    for (int i = 1; i < argc; i++) { /* options anywhere, as grep takes them; -- ends them */
        const char *a = argv[i];
        if (!options || a[0] != '-' || !a[1]) {
            pos[npos++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--")) {
            options = 0;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            search_usage(stdout);
            free(pos);
            return 0;
        } else if (!strcmp(a, "--exact")) {
            exact = 1;
        } else if (!strcmp(a, "--count")) {
            count = 1;
        } else if (!strcmp(a, "--regex") || !strcmp(a, "-e")) {
            regex = 1;
        } else if (!strcmp(a, "--no-cache")) {
            use_cache = 0;
        } else if (!strcmp(a, "--limit") || !strncmp(a, "--limit=", 8)) {
            const char *v = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            char *end;
            long l = v ? strtol(v, &end, 10) : -1;
            if (!v || !*v || *end || l < 0) {
                cli_error("--limit: '%s' is not a whole number of 0 or more", v ? v : "");
                free(pos);
                return EXIT_USAGE;
            }
            limit = l;
        } else {
            cli_error("search: unknown option '%s' (see: lector search --help)", a);
            free(pos);
            return EXIT_USAGE;
        }
    }
    if (npos == 0) {
        cli_error("search: no query (see: lector search --help)");
        free(pos);
        return EXIT_USAGE;
    }
    SearchMode mode = exact ? SEARCH_EXACT : cfg->smart_case ? SEARCH_SMART : SEARCH_FOLD;
    Diag d = {0};
    /* --regex PATTERN is the query re:PATTERN, as the reader's / takes it */
    Strbuf with_prefix = STRBUF_INIT;
    if (regex) {
        strbuf_addf(&with_prefix, "re:%s", pos[0]);
        pos[0] = with_prefix.buf;
    }
    const char *pattern;
    if (search_is_regex(pos[0], &pattern)) {
        Regex *re;
        if (regex_compile(pattern, mode, &re, &d) != 0) {
            cli_error("search: %s", d.msg);
            free(pos);
            strbuf_release(&with_prefix);
            return EXIT_USAGE;
        }
        regex_free(re);
    } else {
        Query *q;
        /* checked here too, before the paths, so that a query of no word is the error reported
         * whatever else is wrong (library_search parses it again) */
        if (query_parse(pos[0], mode, &q, &d) != 0) {
            cli_error("search: %s", d.msg);
            free(pos);
            return EXIT_USAGE;
        }
        query_free(q);
    }
    if (names_big_story(pos + 1, npos - 1)) heap_for_big_story();
    char **paths = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (npos == 1 && (cli_default_texts_ok(default_texts) != 0 ||
                      cli_add_path(default_texts, &paths, &n, &cap) != 0))
        rc = EXIT_USAGE;
    for (int k = 1; k < npos && !rc; k++)
        if (cli_add_path(pos[k], &paths, &n, &cap) != 0) rc = EXIT_USAGE;
    const char *query = pos[0];
    free(pos);
    if (rc) {
        strbuf_release(&with_prefix);
        cli_paths_free(paths, n);
        return rc;
    }

    IndexCache *cache = cli_cache_open(use_cache);
    LibraryOptions opt = {
        .mode = mode,
        .limit = (size_t)limit,
        .snippet_width = 70,
        .flags = 0, /* pages are checked as they are read; a damaged one is rebuilt */
        .progress = cli_progress(),
        .count_only = count,
    };
    LibraryResult res;
    int ran = library_search(cache, (const char *const *)paths, n, query, &opt, &res, &d);
    cli_progress_end(opt.progress);
    cache_close(cache);
    if (ran != 0) {
        cli_error("search: %s", d.msg);
        strbuf_release(&with_prefix);
        cli_paths_free(paths, n);
        return EXIT_USAGE;
    }
    if (res.stopped) rc = EXIT_USAGE; /* a pattern's limit: its note says so */
    /* a story that could not be read (a DRM book, say) fails the search, as grep's status 2,
     * and the hits in the others are printed still, as grep does; a cache file kept aside or not
     * written is only said */
    for (size_t i = 0; i < res.nnotes; i++) {
        cli_error("%s", res.notes[i].diag.msg);
        if (res.notes[i].failed) rc = EXIT_USAGE;
    }
    {
        int color = isatty(STDOUT_FILENO) && config_wants_color(cfg);
        Strbuf out = STRBUF_INIT;
        if (count) {
            for (size_t k = 0; k < n; k++) {
                text_escape(paths[k], strlen(paths[k]), &out);
                strbuf_addf(&out, ":%zu\n", res.per_story[k]);
            }
        }
        for (size_t h = 0; h < res.nhits; h++) {
            const LibraryHit *hit = &res.hits[h];
            text_escape(paths[hit->story], strlen(paths[hit->story]), &out);
            strbuf_addf(&out, ":%zu:%zu: ", hit->line, hit->col);
            if (hit->chapter) { /* the chapter, in brackets, before the words around the hit */
                strbuf_addch(&out, '[');
                text_escape(hit->chapter, strlen(hit->chapter), &out);
                strbuf_addstr(&out, "] ");
            }
            strbuf_add(&out, hit->snippet, hit->hl_start);
            if (color) strbuf_addstr(&out, "\033[1;31m");
            strbuf_add(&out, hit->snippet + hit->hl_start, hit->hl_end - hit->hl_start);
            if (color) strbuf_addstr(&out, "\033[m");
            strbuf_addstr(&out, hit->snippet + hit->hl_end);
            strbuf_addch(&out, '\n');
        }
        fwrite(out.buf, 1, out.len, stdout);
        strbuf_release(&out);
        /* as grep: output that could not be written is an error, not "no hits" nor success */
        if (cli_output_failed()) rc = EXIT_USAGE;
    }
    size_t total = res.matches;
    if (!total && (res.without_case || res.suggestion)) { /* as the reader says why */
        Strbuf q = STRBUF_INIT;
        text_escape(query, strlen(query), &q);
        if (res.without_case)
            cli_error("search: no match for %s (case counts; ignoring case finds %zu: type it in "
                      "lower case)",
                      q.buf, res.without_case);
        else /* as a spelling checker would: the nearest word there */
            cli_error("search: no match for %s; did you mean %s? (word~ finds the words spelt "
                      "near a word)",
                      q.buf, res.suggestion);
        strbuf_release(&q);
    }
    strbuf_release(&with_prefix); /* query pointed into it */
    library_result_release(&res);
    cli_paths_free(paths, n);
    if (rc) return rc;
    return total ? 0 : 1;
}
