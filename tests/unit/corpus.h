/* Test corpora from installed Debian packages (bible-kjv, fortunes-*), read through a shell
 * command. Shared by the suites that check properties on real text. */
#ifndef LECTOR_TEST_CORPUS_H
#define LECTOR_TEST_CORPUS_H

#include <criterion/criterion.h>
#include <stdio.h>

#include "lector/strbuf.h"

/* The standard output of cmd, malloc'd, its length in *len. */
static inline char *read_command(const char *cmd, size_t *len)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    Strbuf sb = STRBUF_INIT;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        strbuf_add(&sb, buf, n);
    pclose(p);
    return strbuf_detach(&sb, len);
}

#endif
