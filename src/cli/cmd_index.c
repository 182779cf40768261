/* cmd_index.c: `lector index`, and what it shares with `lector search`: the paths given, the
 * cache, and the indexing counter. The indexing itself is library.h's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lector/strbuf.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_on_stderr(size_t done, size_t n, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "\rlector: indexing %zu of %zu stories...", done, n);
}

LibraryProgress cli_progress(void)
{
    return isatty(STDERR_FILENO) ? progress_on_stderr : NULL;
}

void cli_progress_end(LibraryProgress progress)
{
    if (progress) fputs("\r\033[K", stderr);
}

int cli_add_path(const char *path, char ***paths, size_t *n, size_t *cap)
{
    Diag d = {0};
    if (library_add_path(path, paths, n, cap, &d) == 0) return 0;
    cli_error("%s", d.msg);
    return -1;
}

void cli_paths_free(char **paths, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(paths[k]);
    free(paths);
}

IndexCache *cli_cache_open(bool use)
{
    if (!use) return NULL;
    Diag d = {0};
    IndexCache *c = cache_open(NULL, &d);
    if (!c) cli_error("%s", d.msg);
    return c;
}

static void index_usage(FILE *f)
{
    fputs("usage: lector index [FILE|FOLDER]...\n"
          "Builds or refreshes the search index of each story (default: the texts folder) in\n"
          "the cache ($LECTOR_CACHE_DIR, else $XDG_CACHE_HOME/lector/index), and says what it\n"
          "did for each.\n"
          "  -h, --help  show this help\n",
          f);
}

static const char *outcome_name(CacheOutcome o)
{
    switch (o) {
    case CACHE_FRESH:
        return "up to date";
    case CACHE_TOUCHED:
        return "unchanged text, kept (file touched)";
    case CACHE_NEW:
        return "indexed";
    case CACHE_CHANGED:
        return "changed, indexed again";
    case CACHE_DAMAGED:
        return "cache was unusable, indexed again";
    case CACHE_UNCACHED:
        return "indexed, but not saved";
    }
    return "?";
}

int cmd_index(int argc, char **argv, const char *default_texts)
{
    char **paths = NULL;
    size_t n = 0, cap = 0;
    int npaths = 0;
    bool options = true;
    for (int i = 1; i < argc; i++) {
        if (options && !strcmp(argv[i], "--")) {
            options = false;
            continue;
        }
        if (options && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))) {
            index_usage(stdout);
            cli_paths_free(paths, n);
            return 0;
        }
        if (options && argv[i][0] == '-' && argv[i][1]) {
            cli_error("index: unknown option '%s' (see: lector index --help)", argv[i]);
            cli_paths_free(paths, n);
            return EXIT_USAGE;
        }
        if (cli_add_path(argv[i], &paths, &n, &cap) != 0) {
            cli_paths_free(paths, n);
            return EXIT_USAGE;
        }
        npaths++;
    }
    if (!npaths && (cli_default_texts_ok(default_texts) != 0 ||
                    cli_add_path(default_texts, &paths, &n, &cap) != 0)) {
        cli_paths_free(paths, n);
        return EXIT_USAGE;
    }
    IndexCache *cache = cli_cache_open(true);
    if (!cache) {
        cli_paths_free(paths, n);
        return EXIT_USAGE;
    }
    double t0 = now_s();
    LibraryProgress progress = cli_progress();
    LibraryStory *stories = library_index(cache, (const char *const *)paths, n,
                                          CACHE_VERIFY | LIBRARY_RELEASE, progress, NULL);
    cli_progress_end(progress);
    double secs = now_s() - t0;
    int rc = 0;
    size_t built = 0, bytes = 0, cached = 0;
    Strbuf out = STRBUF_INIT;
    for (size_t k = 0; k < n; k++) {
        LibraryStory *s = &stories[k];
        text_escape(s->path, strlen(s->path), &out);
        if (s->failed) {
            strbuf_addf(&out, ": not indexed: %s\n", s->diag.msg);
            rc = EXIT_USAGE;
            continue;
        }
        cached += s->index_size;
        bytes += s->text_size;
        if (s->report.outcome != CACHE_FRESH) built++;
        strbuf_addf(&out, ": %s", outcome_name(s->report.outcome));
        if (s->report.note.code) {
            strbuf_addstr(&out, " (");
            text_escape(s->report.note.msg, strlen(s->report.note.msg), &out);
            strbuf_addch(&out, ')');
        }
        strbuf_addch(&out, '\n');
    }
    strbuf_addf(&out, "%zu stor%s, ", n, n == 1 ? "y" : "ies");
    strbuf_add_size(&out, bytes);
    strbuf_addf(&out, " of text, %zu indexed now in %.2f s; the cache holds ", built, secs);
    strbuf_add_size(&out, cached);
    strbuf_addf(&out, " (%.2fx the text) in ", bytes ? (double)cached / (double)bytes : 0.0);
    /* the folder comes from $LECTOR_CACHE_DIR or $XDG_CACHE_HOME: escaped like any path */
    text_escape(cache_dir(cache), strlen(cache_dir(cache)), &out);
    strbuf_addch(&out, '\n');
    fwrite(out.buf, 1, out.len, stdout);
    strbuf_release(&out);
    cache_close(cache);
    library_stories_free(stories, n);
    cli_paths_free(paths, n);
    return cli_output_failed() ? EXIT_USAGE : rc; /* the cache is written; the report was not */
}
