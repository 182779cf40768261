/* memstat: the process's own memory, for tests that bound it. */
#ifndef LECTOR_TEST_MEMSTAT_H
#define LECTOR_TEST_MEMSTAT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Anonymous resident memory (heap, stacks; not file pages) in KiB, from /proc; -1 if unknown. */
static inline long rss_anon_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "RssAnon:", 8)) kb = atol(line + 8);
    if (f) fclose(f);
    return kb;
}

#endif
