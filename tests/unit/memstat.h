/* memstat: the process's own memory, for tests that bound it. */
#ifndef LECTOR_TEST_MEMSTAT_H
#define LECTOR_TEST_MEMSTAT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A field of /proc/self/status in KiB ("RssAnon:"); -1 if unknown. */
static inline long proc_status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, n)) kb = atol(line + n);
    if (f) fclose(f);
    return kb;
}

/* Anonymous resident memory (heap, stacks; not file pages) in KiB. */
static inline long rss_anon_kb(void)
{
    return proc_status_kb("RssAnon:");
}

/* File pages mapped in and resident (a mapped story's), in KiB. */
static inline long rss_file_kb(void)
{
    return proc_status_kb("RssFile:");
}

/* The peak of a field while something runs: sampled every millisecond by a thread. */
typedef struct {
    const char *field;
    atomic_bool stop;
    long peak_kb;
    pthread_t tid;
} Sampler;

static inline void *sampler_main(void *arg)
{
    Sampler *s = arg;
    while (!atomic_load(&s->stop)) {
        long kb = proc_status_kb(s->field);
        if (kb > s->peak_kb) s->peak_kb = kb;
        usleep(1000);
    }
    return NULL;
}

static inline Sampler *sampler_start(const char *field)
{
    Sampler *s = calloc(1, sizeof *s);
    s->field = field;
    s->peak_kb = proc_status_kb(field);
    if (pthread_create(&s->tid, NULL, sampler_main, s) != 0) abort();
    return s;
}

/* Stops the sampler; the highest value seen (frees s). */
static inline long sampler_stop(Sampler *s)
{
    atomic_store(&s->stop, true);
    pthread_join(s->tid, NULL);
    long kb = proc_status_kb(s->field);
    long peak = s->peak_kb > kb ? s->peak_kb : kb;
    free(s);
    return peak;
}

/* AddressSanitizer keeps freed memory in quarantine, so what a step holds cannot be seen there:
 * bounds on anonymous memory are checked in the normal build (scripts/test runs both). */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#endif
