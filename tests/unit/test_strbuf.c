/* strbuf: sizes in the unit that shows them (lector index's summary), repeated bytes. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>

#include "lector/strbuf.h"

static void expect_size(uint64_t bytes, const char *want)
{
    Strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "[");
    strbuf_add_size(&sb, bytes);
    strbuf_addstr(&sb, "]");
    char framed[64];
    snprintf(framed, sizeof framed, "[%s]", want);
    cr_assert_str_eq(sb.buf, framed, "%llu bytes", (unsigned long long)bytes);
    strbuf_release(&sb);
}

Test(strbuf, sizes_in_the_unit_that_shows_them)
{
    expect_size(0, "0 bytes");
    expect_size(1, "1 byte");
    expect_size(512, "512 bytes");
    expect_size(999, "999 bytes");
    expect_size(1000, "1.0 KB");
    expect_size(23400, "23.4 KB");
    expect_size(999949, "999.9 KB");
    expect_size(999950, "1.0 MB"); /* not "1000.0 KB" */
    expect_size(1500000, "1.5 MB");
    expect_size(5632800, "5.6 MB");
    expect_size(999950000, "1.0 GB");
    expect_size(2000000000, "2.0 GB");
    expect_size(UINT64_C(5000000000000), "5000.0 GB"); /* GB is the largest unit */
}

Test(strbuf, repeated_bytes)
{
    Strbuf sb = STRBUF_INIT;
    strbuf_add_repeat(&sb, ' ', 0);
    cr_assert_eq(sb.len, 0);
    cr_assert_str_eq(sb.buf, "");
    strbuf_addstr(&sb, "a");
    strbuf_add_repeat(&sb, '-', 100); /* past the first allocation */
    strbuf_addstr(&sb, "b");
    cr_assert_eq(sb.len, 102);
    cr_assert_eq(sb.buf[0], 'a');
    for (size_t i = 1; i <= 100; i++)
        cr_assert_eq(sb.buf[i], '-', "byte %zu", i);
    cr_assert_str_eq(sb.buf + 101, "b");
    strbuf_release(&sb);
}
