/* bench_reader: the reader's keys on a big story, through the view model (no terminal).
 * Times, median of 5 runs: the first screen (open + render); G (+ render) both as the very
 * first key and after the rest of the story was read in idle steps; a page down from the
 * middle (+ render); and the peak RSS against the story's size. Then search: the index built in
 * its thread (no cache), and each keystroke of an incremental search (key + render) typed one
 * letter at a time, for a rare word and a common one. tmux_reader.sh times the real binary
 * against less.
 * Usage: bench_reader FILE */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "app.h"

enum { RUNS = 5 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static App *open_app(char *path)
{
    Diag d = {0};
    char *paths[] = {path};
    App *a = app_new(paths, 1, 0, 0, &d);
    if (!a) {
        fprintf(stderr, "bench_reader: %s\n", d.msg);
        exit(1);
    }
    app_resize(a, 80, 24);
    return a;
}

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    setenv("XDG_STATE_HOME", "/tmp/lector-bench-state", 1);
    char cache[] = "/tmp/lector-bench-cache-XXXXXX";
    if (!mkdtemp(cache)) return 1;
    setenv("XDG_CACHE_HOME", cache, 1);
    double first[RUNS], cold[RUNS], loaded[RUNS], warm[RUNS], page[RUNS];
    Grid *g = grid_new(80, 24);
    for (int r = 0; r < RUNS; r++) {
        /* G as the very first key, before the rest of the story is read */
        double t0 = now();
        App *a = open_app(argv[1]);
        app_render(a, g);
        double t1 = now();
        app_key(a, 'G');
        app_render(a, g);
        double t2 = now();
        first[r] = t1 - t0;
        cold[r] = t2 - t1;
        app_key(a, 'g'); /* do not save a position that the next run would resume */
        app_free(a);

        /* G after the reader had idle time, as between a person's keys: read in the background */
        a = open_app(argv[1]);
        app_render(a, g);
        double t3 = now();
        while (!app_story_loaded(a))
            app_idle(a);
        double t4 = now();
        app_key(a, 'G');
        app_render(a, g);
        double t5 = now();
        app_key(a, '5');
        app_key(a, '0');
        app_key(a, '%');
        app_render(a, g);
        double t6 = now();
        app_key(a, ' ');
        app_render(a, g);
        double t7 = now();
        loaded[r] = t4 - t3;
        warm[r] = t5 - t4;
        page[r] = t7 - t6;
        app_key(a, 'g');
        app_free(a);
    }

    /* search: the index built in the background, then keystrokes */
    App *a = open_app(argv[1]);
    app_render(a, g);
    while (!app_story_loaded(a))
        app_idle(a);
    double t0 = now();
    app_settle(a);
    double built = now() - t0;
    app_key(a, '5');
    app_key(a, '0');
    app_key(a, '%');
    app_render(a, g);
    static const char *words[] = {"jehoshaphat", "the", "lord"};
    double keys[3][16];
    int nkeys[3];
    for (int w = 0; w < 3; w++) {
        app_key(a, '/');
        nkeys[w] = 0;
        for (const char *c = words[w]; *c; c++) {
            double k0 = now();
            app_key(a, (unsigned char)*c);
            app_render(a, g);
            keys[w][nkeys[w]++] = now() - k0;
        }
        app_key(a, APP_KEY_ESC);
    }
    app_key(a, 'g');
    app_free(a);
    char rm[128];
    snprintf(rm, sizeof rm, "rm -rf %s", cache);
    if (system(rm) != 0) return 1;

    qsort(first, RUNS, sizeof *first, cmp);
    qsort(cold, RUNS, sizeof *cold, cmp);
    qsort(loaded, RUNS, sizeof *loaded, cmp);
    qsort(warm, RUNS, sizeof *warm, cmp);
    qsort(page, RUNS, sizeof *page, cmp);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    struct stat st;
    stat(argv[1], &st);
    printf("reader on %.0f MB (view model, medians of %d):\n"
           "  first screen %.1f ms\n"
           "  G as the first key %.1f ms (the end shown from the file's tail)\n"
           "  rest read in idle steps in %.1f ms, then G %.2f ms\n"
           "  page down from 50%% %.2f ms\n"
           "  peak RSS %.0f MB (%.2fx the file)\n",
           st.st_size / 1e6, RUNS, first[RUNS / 2] * 1e3, cold[RUNS / 2] * 1e3,
           loaded[RUNS / 2] * 1e3, warm[RUNS / 2] * 1e3, page[RUNS / 2] * 1e3,
           ru.ru_maxrss / 1024.0, ru.ru_maxrss * 1024.0 / (double)st.st_size);
    printf("  search: index built in its thread in %.0f ms (%.0f MB/s)\n", built * 1e3,
           st.st_size / 1e6 / built);
    for (int w = 0; w < 3; w++) {
        printf("  /%s typed, each keystroke (key + render), ms:", words[w]);
        double worst = 0;
        for (int k = 0; k < nkeys[w]; k++) {
            printf(" %.1f", keys[w][k] * 1e3);
            if (keys[w][k] > worst) worst = keys[w][k];
        }
        printf("  (worst %.1f)\n", worst * 1e3);
    }
    grid_free(g);
    return 0;
}
