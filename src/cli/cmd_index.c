/* cmd_index.c: `lector index`, and the indexing of many stories that it shares with `lector
 * search`: stories are handed out to two worker threads (one story each at a time; a lone big
 * story gets both, split by paragraphs inside index_build). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lector/strbuf.h"
#include "lector/xalloc.h"

enum { WORKERS = 2 };

typedef struct {
    IndexCache *cache;
    CliStory *stories;
    size_t n;
    atomic_size_t next, done;
    int threads_per_story, flags;
} Pool;

static void *worker(void *arg)
{
    Pool *p = arg;
    for (;;) {
        size_t k = atomic_fetch_add(&p->next, 1);
        if (k >= p->n) break;
        CliStory *s = &p->stories[k];
        s->failed = cache_index(p->cache, s->path, p->threads_per_story, p->flags, &s->index,
                                &s->text, &s->report, &s->diag) != 0;
        atomic_fetch_add(&p->done, 1);
    }
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_index_stories(IndexCache *cache, CliStory *stories, size_t n, int flags, bool progress)
{
    Pool p = {cache, stories, n, 0, 0, n == 1 ? WORKERS : 1, flags};
    pthread_t tid[WORKERS];
    int started = 0;
    for (int k = 1; k < WORKERS && (size_t)k < n; k++)
        if (pthread_create(&tid[started], NULL, worker, &p) == 0) started++;
    if (!progress) {
        worker(&p);
    } else { /* the main thread reports while the workers index */
        pthread_t mine;
        bool own = pthread_create(&mine, NULL, worker, &p) == 0;
        if (!own) worker(&p);
        double next = now_s() + 0.25;
        while (own && atomic_load(&p.done) < n) {
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
            if (now_s() >= next) {
                fprintf(stderr, "\rlector: indexing %zu of %zu stories...", atomic_load(&p.done),
                        n);
                next = now_s() + 0.25;
            }
        }
        if (own) pthread_join(mine, NULL);
        fputs("\r\033[K", stderr);
    }
    for (int k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
}

void cli_stories_free(CliStory *stories, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        index_free(stories[k].index);
        text_free(stories[k].text);
        free(stories[k].path);
    }
    free(stories);
}

int cli_add_stories(const char *path, CliStory **stories, size_t *n, size_t *cap)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_path_error(path);
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
        (*stories)[(*n)++] = (CliStory){.path = files[i]};
    }
    free(files);
    return 0;
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
    CliStory *stories = NULL;
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
            cli_stories_free(stories, n);
            return 0;
        }
        if (options && argv[i][0] == '-' && argv[i][1]) {
            cli_error("index: unknown option '%s' (see: lector index --help)", argv[i]);
            cli_stories_free(stories, n);
            return EXIT_USAGE;
        }
        if (cli_add_stories(argv[i], &stories, &n, &cap) != 0) {
            cli_stories_free(stories, n);
            return EXIT_USAGE;
        }
        npaths++;
    }
    if (!npaths && (cli_default_texts_ok(default_texts) != 0 ||
                    cli_add_stories(default_texts, &stories, &n, &cap) != 0)) {
        cli_stories_free(stories, n);
        return EXIT_USAGE;
    }
    IndexCache *cache = cli_cache_open(true);
    if (!cache) {
        cli_stories_free(stories, n);
        return EXIT_USAGE;
    }
    double t0 = now_s();
    cli_index_stories(cache, stories, n, CACHE_VERIFY, isatty(STDERR_FILENO));
    double secs = now_s() - t0;
    int rc = 0;
    size_t built = 0, bytes = 0, cached = 0;
    Strbuf out = STRBUF_INIT;
    for (size_t k = 0; k < n; k++) {
        CliStory *s = &stories[k];
        text_escape(s->path, strlen(s->path), &out);
        if (s->failed) {
            strbuf_addf(&out, ": not indexed: %s\n", s->diag.msg);
            rc = EXIT_USAGE;
            continue;
        }
        size_t len;
        index_bytes(s->index, &len);
        cached += len;
        bytes += index_text_len(s->index);
        if (s->report.outcome != CACHE_FRESH) built++;
        strbuf_addf(&out, ": %s", outcome_name(s->report.outcome));
        if (s->report.note.code) {
            strbuf_addstr(&out, " (");
            text_escape(s->report.note.msg, strlen(s->report.note.msg), &out);
            strbuf_addch(&out, ')');
        }
        strbuf_addch(&out, '\n');
    }
    strbuf_addf(&out,
                "%zu stor%s, %.1f MB of text, %zu indexed now in %.2f s; the cache holds "
                "%.1f MB (%.2fx the text) in ",
                n, n == 1 ? "y" : "ies", (double)bytes / 1e6, built, secs, (double)cached / 1e6,
                bytes ? (double)cached / (double)bytes : 0.0);
    /* the folder comes from $LECTOR_CACHE_DIR or $XDG_CACHE_HOME: escaped like any path */
    text_escape(cache_dir(cache), strlen(cache_dir(cache)), &out);
    strbuf_addch(&out, '\n');
    fwrite(out.buf, 1, out.len, stdout);
    strbuf_release(&out);
    cache_close(cache);
    cli_stories_free(stories, n);
    return cli_output_failed() ? EXIT_USAGE : rc; /* the cache is written; the report was not */
}
