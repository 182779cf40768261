/* cmd_search.c: `lector search`, ranked hits across stories, grep-style.
 *
 * Every story is loaded and indexed in memory for each run (the persistent index cache is not
 * written yet). Hits are paragraphs holding every item of the query, ranked by BM25 across all
 * the stories given; each prints as path:line:column: snippet, line and column (in characters)
 * of the hit's first match, 1-based, as lector reads the file (a CR counts as a line end).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "lector/index.h"
#include "lector/search.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/xalloc.h"

static void search_usage(FILE *f)
{
    fputs("usage: lector search [--limit N] [--exact] [--count] QUERY [FILE|FOLDER]...\n"
          "Ranked search across stories (default: the texts folder). One hit per line, best\n"
          "first: path:line:column: snippet. Exit 0 with hits, 1 with none, 2 on error.\n"
          "  QUERY       words (all must be in one paragraph), \"a phrase\", prefix*;\n"
          "              case, accents and Unicode spelling are ignored, unless the query has\n"
          "              an uppercase letter (then case counts)\n"
          "  --limit N   at most N hits (default 20; 0: all)\n"
          "  --exact     case and accents count\n"
          "  --count     print path:hits for each story instead\n",
          f);
}

typedef struct {
    char *path;
    Text *text;
    Index *index;
} Story;

static int add_path(const char *path, Story **stories, size_t *n, size_t *cap)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error("%s: no such file or folder", path);
        return -1;
    }
    char **files;
    size_t nfiles;
    if (S_ISDIR(st.st_mode)) {
        files = cli_folder_stories(path, &nfiles);
    } else {
        files = xmalloc(sizeof *files);
        files[0] = xstrdup(path);
        nfiles = 1;
    }
    for (size_t i = 0; i < nfiles; i++) {
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *stories = xreallocarray(*stories, *cap, sizeof **stories);
        }
        (*stories)[(*n)++] = (Story){files[i], NULL, NULL};
    }
    free(files);
    return 0;
}

int cmd_search(int argc, char **argv, const char *default_texts)
{
    long limit = 20;
    int exact = 0, count = 0, npos = 0, options = 1;
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
    if (query_parse(pos[0], exact ? SEARCH_EXACT : SEARCH_SMART, false, &q, &d) != 0) {
        cli_error("search: %s", d.msg);
        free(pos);
        return EXIT_USAGE;
    }
    Story *stories = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (npos == 1 && add_path(default_texts, &stories, &n, &cap) != 0) rc = EXIT_USAGE;
    for (int k = 1; k < npos && !rc; k++)
        if (add_path(pos[k], &stories, &n, &cap) != 0) rc = EXIT_USAGE;
    free(pos);

    SearchSet *set = search_set_new(q);
    for (size_t k = 0; k < n && !rc; k++) {
        if (text_load(stories[k].path, 0, &stories[k].text, &d) != 0) {
            cli_error("%s", d.msg);
            rc = EXIT_USAGE;
            break;
        }
        stories[k].index = index_build(stories[k].text);
        search_set_add(set, k, stories[k].index, stories[k].text);
    }
    size_t nhits = 0;
    if (!rc) {
        const SearchHit *hits;
        nhits = search_set_hits(set, &hits);
        int color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
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
            for (size_t h = 0; h < shown; h++) {
                const Story *s = &stories[hits[h].story];
                size_t line, col, hs, he;
                search_line_col(s->text, hits[h].first.span.start, &line, &col);
                char *snip = search_snippet(s->text, hits[h].first.span, 70, &hs, &he);
                text_escape(s->path, strlen(s->path), &out);
                strbuf_addf(&out, ":%zu:%zu: ", line, col);
                strbuf_add(&out, snip, hs);
                if (color) strbuf_addstr(&out, "\033[1;31m");
                strbuf_add(&out, snip + hs, he - hs);
                if (color) strbuf_addstr(&out, "\033[m");
                strbuf_addstr(&out, snip + he);
                strbuf_addch(&out, '\n');
                free(snip);
            }
        }
        fwrite(out.buf, 1, out.len, stdout);
        strbuf_release(&out);
    }
    search_set_free(set);
    for (size_t k = 0; k < n; k++) {
        index_free(stories[k].index);
        text_free(stories[k].text);
        free(stories[k].path);
    }
    free(stories);
    query_free(q);
    if (rc) return rc;
    return nhits ? 0 : 1;
}
