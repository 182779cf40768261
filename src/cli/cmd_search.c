/* cmd_search.c: `lector search`, ranked hits across stories, grep-style.
 *
 * Each story's index comes from the cache when the file is unchanged (cache.h), else it is built
 * and saved. Hits are paragraphs holding every item of the query, ranked by BM25 across all the
 * stories given; each prints as path:line:column: snippet, line and column (in characters) of
 * the hit's first match, 1-based, as lector reads the file (a CR counts as a line end). Only the
 * printed hits' paragraphs are read from the files: a warm search reads the index pages it needs
 * and a few paragraphs, whatever the size of the shelf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lector/index.h"
#include "lector/search.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/xalloc.h"

static void search_usage(FILE *f)
{
    fputs(
        "usage: lector search [--limit N] [--exact] [--count] [--no-cache] QUERY [FILE|FOLDER]...\n"
        "Ranked search across stories (default: the texts folder). One hit per line, best\n"
        "first: path:line:column: snippet. Exit 0 with hits, 1 with none, 2 on error.\n"
        "  QUERY       words (all must be in one paragraph), \"a phrase\", prefix*;\n"
        "              case, accents and Unicode spelling are ignored, unless the query has\n"
        "              an uppercase letter (then case counts)\n"
        "  --limit N   at most N hits (default 20; 0: all)\n"
        "  --exact     case and accents count\n"
        "  --count     print path:hits for each story instead\n"
        "  --no-cache  index every story now, and do not save the indexes\n"
        "  -h, --help  show this help\n"
        "The configuration's smart-case = no makes case never count (see: man lector).\n",
        f);
}

/* Runs the query over the indexed stories; false when an index was found damaged on the way
 * (its answers cannot be trusted: the caller rebuilds it and runs again). */
static bool run_query(const Query *q, CliStory *stories, size_t n, SearchSet *set)
{
    for (size_t k = 0; k < n; k++) {
        CliStory *s = &stories[k];
        if (s->failed) continue;
        if (query_needs_text(q) && !s->text && text_load(s->path, 0, &s->text, &s->diag) != 0) {
            s->failed = true;
            continue;
        }
        search_set_add(set, k, s->index, s->text ? text_bytes(s->text) : NULL);
        if (index_corrupt(s->index)) return false;
    }
    return true;
}

int cmd_search(int argc, char **argv, const char *default_texts, const Config *cfg)
{
    long limit = 20;
    int exact = 0, count = 0, npos = 0, options = 1, use_cache = 1;
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
    Query *q;
    Diag d = {0};
    if (query_parse(pos[0],
                    exact             ? SEARCH_EXACT
                    : cfg->smart_case ? SEARCH_SMART
                                      : SEARCH_FOLD,
                    false, &q, &d) != 0) {
        cli_error("search: %s", d.msg);
        free(pos);
        return EXIT_USAGE;
    }
    CliStory *stories = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (npos == 1 && (cli_default_texts_ok(default_texts) != 0 ||
                      cli_add_stories(default_texts, &stories, &n, &cap) != 0))
        rc = EXIT_USAGE;
    for (int k = 1; k < npos && !rc; k++)
        if (cli_add_stories(pos[k], &stories, &n, &cap) != 0) rc = EXIT_USAGE;
    free(pos);

    IndexCache *cache = rc ? NULL : cli_cache_open(use_cache);
    SearchSet *set = NULL;
    if (!rc) {
        cli_index_stories(cache, stories, n, 0, isatty(STDERR_FILENO));
        for (size_t k = 0; k < n && !rc; k++) {
            if (stories[k].failed) {
                cli_error("%s", stories[k].diag.msg);
                rc = EXIT_USAGE;
            } else if (stories[k].report.outcome == CACHE_UNCACHED ||
                       stories[k].report.outcome == CACHE_DAMAGED) { /* kept aside: say where */
                cli_error("%s", stories[k].report.note.msg);
            }
        }
    }
    for (int attempt = 0; !rc; attempt++) {
        set = search_set_new(q);
        if (run_query(q, stories, n, set) || attempt) break;
        /* a damaged cache page: check those indexes whole, rebuild what fails, run again */
        search_set_free(set);
        set = NULL;
        for (size_t k = 0; k < n; k++) {
            CliStory *s = &stories[k];
            if (!s->index || !index_corrupt(s->index)) continue;
            index_free(s->index);
            s->index = NULL;
            text_free(s->text);
            s->text = NULL;
            if (cache_index(cache, s->path, 2, CACHE_VERIFY, &s->index, &s->text, &s->report,
                            &s->diag) != 0)
                s->failed = true;
        }
    }
    for (size_t k = 0; k < n && !rc; k++) {
        if (stories[k].failed) {
            cli_error("%s", stories[k].diag.msg);
            rc = EXIT_USAGE;
        }
    }
    size_t nhits = 0;
    if (!rc) {
        const SearchHit *hits;
        nhits = search_set_hits(set, count ? 0 : (size_t)limit, &hits);
        int color = isatty(STDOUT_FILENO) && config_wants_color(cfg);
        Strbuf out = STRBUF_INIT;
        if (count) {
            size_t *per = xcalloc(n ? n : 1, sizeof *per);
            for (size_t h = 0; h < nhits; h++)
                per[hits[h].story]++;
            for (size_t k = 0; k < n; k++) {
                text_escape(stories[k].path, strlen(stories[k].path), &out);
                strbuf_addf(&out, ":%zu\n", per[k]);
            }
            free(per);
        } else {
            size_t shown = limit == 0 || (size_t)limit > nhits ? nhits : (size_t)limit;
            for (size_t h = 0; h < shown && !rc; h++) {
                CliStory *s = &stories[hits[h].story];
                size_t bom;
                if (!s->text && !index_clean_as_read(s->index, &bom) &&
                    text_load(s->path, 0, &s->text, &d) != 0) {
                    cli_error("%s", d.msg);
                    rc = EXIT_USAGE;
                    break;
                }
                SearchPlace pl;
                if (search_place(s->index, s->text, s->path, &hits[h].first, 70, &pl, &d) != 0) {
                    cli_error("%s (run: lector index)", d.msg);
                    rc = EXIT_USAGE;
                    break;
                }
                text_escape(s->path, strlen(s->path), &out);
                strbuf_addf(&out, ":%zu:%zu: ", pl.line, pl.col);
                strbuf_add(&out, pl.snippet, pl.hl_start);
                if (color) strbuf_addstr(&out, "\033[1;31m");
                strbuf_add(&out, pl.snippet + pl.hl_start, pl.hl_end - pl.hl_start);
                if (color) strbuf_addstr(&out, "\033[m");
                strbuf_addstr(&out, pl.snippet + pl.hl_end);
                strbuf_addch(&out, '\n');
                free(pl.snippet);
            }
        }
        fwrite(out.buf, 1, out.len, stdout);
        strbuf_release(&out);
        /* as grep: output that could not be written is an error, not "no hits" nor success */
        if (cli_output_failed()) rc = EXIT_USAGE;
    }
    search_set_free(set);
    cache_close(cache);
    cli_stories_free(stories, n);
    query_free(q);
    if (rc) return rc;
    return nhits ? 0 : 1;
}
