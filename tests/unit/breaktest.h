/* Reader for the Unicode Consortium's break test files (LineBreakTest.txt,
 * GraphemeBreakTest.txt, WordBreakTest.txt): "÷ 0061 × 0308 ÷ # comment". */
#ifndef LECTOR_TEST_BREAKTEST_H
#define LECTOR_TEST_BREAKTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lector/ucd.h"

#define BREAKTEST_MAX_CP 128

typedef struct {
    uint8_t text[BREAKTEST_MAX_CP * 4];
    size_t len;                             /* bytes in text */
    size_t ncp;                             /* code points */
    size_t cp_off[BREAKTEST_MAX_CP + 1];    /* byte offset of each code point, then len */
    int break_before[BREAKTEST_MAX_CP + 1]; /* expected: 1 = ÷ before code point i */
} BreakCase;

/* Returns 1 and fills bc for a test line, 0 for a comment or blank line. */
static int breaktest_parse(const char *line, BreakCase *bc)
{
    memset(bc, 0, sizeof *bc);
    const char *p = line;
    int have = 0;
    while (*p && *p != '#') {
        if (!strncmp(p, "\xc3\xb7", 2)) { /* ÷ */
            bc->break_before[bc->ncp] = 1;
            p += 2;
        } else if (!strncmp(p, "\xc3\x97", 2)) { /* × */
            bc->break_before[bc->ncp] = 0;
            p += 2;
        } else if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'F')) {
            char *e;
            unsigned long cp = strtoul(p, &e, 16);
            if (bc->ncp >= BREAKTEST_MAX_CP) return 0;
            bc->cp_off[bc->ncp++] = bc->len;
            bc->len += ucd_encode((uint32_t)cp, bc->text + bc->len);
            p = e;
            have = 1;
        } else {
            p++;
        }
    }
    bc->cp_off[bc->ncp] = bc->len;
    return have;
}

static FILE *breaktest_open(const char *name)
{
    const char *dir = getenv("LECTOR_UNICODE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/auxiliary/%s", dir ? dir : "/usr/share/unicode", name);
    return fopen(path, "r");
}

#endif
