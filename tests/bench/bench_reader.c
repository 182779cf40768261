/* bench_reader: the reader's keys on a big story, through the view model (no terminal).
 * Times, median of 5 runs: the first screen (open + render), G (+ render), and a page down
 * from the middle (+ render); and the peak RSS against the story's size.
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

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    setenv("XDG_STATE_HOME", "/tmp/lector-bench-state", 1);
    double first[RUNS], last[RUNS], page[RUNS];
    Grid *g = grid_new(80, 24);
    for (int r = 0; r < RUNS; r++) {
        Diag d = {0};
        char *paths[] = {argv[1]};
        double t0 = now();
        App *a = app_new(paths, 1, 0, &d);
        if (!a) {
            fprintf(stderr, "bench_reader: %s\n", d.msg);
            return 1;
        }
        app_resize(a, 80, 24);
        app_render(a, g);
        double t1 = now();
        app_key(a, 'G');
        app_render(a, g);
        double t2 = now();
        app_key(a, '5');
        app_key(a, '0');
        app_key(a, '%');
        app_render(a, g);
        double t3 = now();
        app_key(a, ' ');
        app_render(a, g);
        double t4 = now();
        first[r] = t1 - t0;
        last[r] = t2 - t1;
        page[r] = t4 - t3;
        app_key(a, 'g'); /* do not save a position that the next run would resume */
        app_free(a);
    }
    qsort(first, RUNS, sizeof *first, cmp);
    qsort(last, RUNS, sizeof *last, cmp);
    qsort(page, RUNS, sizeof *page, cmp);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    struct stat st;
    stat(argv[1], &st);
    printf("reader on %.0f MB: first screen %.1f ms, G %.2f ms, page down from 50%% %.2f ms, "
           "peak RSS %.0f MB (%.2fx the file)\n",
           st.st_size / 1e6, first[RUNS / 2] * 1e3, last[RUNS / 2] * 1e3, page[RUNS / 2] * 1e3,
           ru.ru_maxrss / 1024.0, ru.ru_maxrss * 1024.0 / (double)st.st_size);
    grid_free(g);
    return 0;
}
