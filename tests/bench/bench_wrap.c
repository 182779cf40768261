/* bench_wrap: lector's layout against its peers on the same text in the same run.
 *
 * For each corpus file, 5 runs each, median:
 *   load        text_load: read, validate and clean the file (U+FFFD, line ends, paragraphs)
 *   lector      every paragraph through layout_cursor_next at 80 columns (lines computed, not
 *               printed)
 *   lector+draw the same plus layout_render_line of every line into a buffer
 *   u8_width    libunistring's u8_width_linebreaks over the same paragraphs at 80 columns
 *               (its raw breaker: no grapheme clusters, no per-cluster widths)
 *   fold        `fold -s -w 80 FILE >/dev/null` (counts bytes, so it is wrong for UTF-8; the
 *               speed bar for English)
 * MB/s are of the file's bytes. Ratios are lector / peer.
 * Usage: bench_wrap FILE...
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unilbrk.h>
#include <fcntl.h>
#include <unistd.h>

#include "lector/layout.h"
#include "lector/text.h"

extern char **environ;

enum { RUNS = 5 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v)
{
    qsort(v, RUNS, sizeof *v, cmp_double);
    return v[RUNS / 2];
}

static size_t run_lector(const Text *t, int draw)
{
    LayoutOptions opt = {.width = 80};
    const uint8_t *s = text_bytes(t);
    size_t lines = 0;
    Strbuf out = STRBUF_INIT;
    for (size_t i = 0; i < text_paragraph_count(t); i++) {
        LayoutCursor c;
        LayoutLine line;
        layout_cursor_init(&c, s, text_paragraph(t, i), &opt);
        while (layout_cursor_next(&c, &line)) {
            lines++;
            if (draw) {
                strbuf_reset(&out);
                layout_render_line(s, &line, &opt, &out);
            }
        }
    }
    strbuf_release(&out);
    return lines;
}

static size_t run_libunistring(const Text *t, char *scratch)
{
    const uint8_t *s = text_bytes(t);
    size_t breaks = 0;
    for (size_t i = 0; i < text_paragraph_count(t); i++) {
        Span p = text_paragraph(t, i);
        breaks += (size_t)u8_width_linebreaks(s + p.start, p.end - p.start, 80, 0, 0, NULL, "UTF-8",
                                              scratch);
    }
    return breaks;
}

static int run_fold(const char *path)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    char *argv[] = {"fold", "-s", "-w", "80", (char *)path, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "fold", &fa, NULL, argv, environ) != 0) return -1;
    posix_spawn_file_actions_destroy(&fa);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_wrap FILE...\n");
        return 2;
    }
    printf("%-8s %6s %11s %11s %12s %11s %11s %10s %7s\n", "corpus", "MB", "load", "lector",
           "lector+draw", "u8_width", "fold -s", "/u8_width", "/fold");
    for (int a = 1; a < argc; a++) {
        Text *t = NULL;
        Diag d = {0};
        if (text_load(argv[a], 0, &t, &d) != 0) {
            fprintf(stderr, "bench_wrap: %s\n", d.msg);
            return 1;
        }
        double mb = (double)text_len(t) / 1e6;
        double tload[RUNS];
        for (int r = 0; r < RUNS; r++) {
            Text *again = NULL;
            double t0 = now();
            text_load(argv[a], 0, &again, &d);
            tload[r] = now() - t0;
            text_free(again);
        }
        char *scratch = malloc(text_len(t) + 1);
        double tl[RUNS], td[RUNS], tu[RUNS], tf[RUNS];
        size_t sink = 0;
        for (int r = 0; r < RUNS; r++) {
            double t0 = now();
            sink += run_lector(t, 0);
            double t1 = now();
            sink += run_lector(t, 1);
            double t2 = now();
            sink += run_libunistring(t, scratch);
            double t3 = now();
            if (run_fold(argv[a]) != 0) {
                fprintf(stderr, "bench_wrap: fold failed\n");
                return 1;
            }
            double t4 = now();
            tl[r] = t1 - t0;
            td[r] = t2 - t1;
            tu[r] = t3 - t2;
            tf[r] = t4 - t3;
        }
        double l = mb / median(tl), dr = mb / median(td), u = mb / median(tu), f = mb / median(tf);
        const char *name = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
        printf("%-8s %6.1f %6.0f MB/s %6.0f MB/s %7.0f MB/s %6.0f MB/s %6.0f MB/s %9.2fx %6.2fx\n",
               name, mb, mb / median(tload), l, dr, u, f, l / u, l / f);
        fflush(stdout);
        if (sink == 0) printf("(no lines?)\n");
        free(scratch);
        text_free(t);
    }
    return 0;
}
