#include <criterion/criterion.h>
#include <unilbrk.h>

#include "breaktest.h"
#include "lector/linebreak.h"

/* Lines of LineBreakTest.txt we knowingly do not pass, each with its reason. Empty: we pass
 * them all. Keep it that way or give one reason per line here. */
static const char *const known_failures[] = {NULL};

static int is_known_failure(const char *line)
{
    for (size_t i = 0; known_failures[i]; i++)
        if (!strncmp(line, known_failures[i], strlen(known_failures[i]))) return 1;
    return 0;
}

Test(linebreak, conformance_linebreaktest)
{
    FILE *f = breaktest_open("LineBreakTest.txt");
    cr_assert_not_null(f, "LineBreakTest.txt missing: apt-get install unicode-data");
    char line[8192];
    BreakCase bc;
    int total = 0, passed = 0, skipped = 0, libunistring_passed = 0;
    uint8_t out[BREAKTEST_MAX_CP * 4];
    while (fgets(line, sizeof line, f)) {
        if (!breaktest_parse(line, &bc)) continue;
        total++;
        linebreak_string(bc.text, bc.len, out);
        int ok = 1;
        for (size_t i = 1; i < bc.ncp; i++)
            if ((out[bc.cp_off[i]] != LINEBREAK_NONE) != bc.break_before[i]) ok = 0;
        uint8_t fast[BREAKTEST_MAX_CP * 4];
        linebreak_string_fast(bc.text, bc.len, fast);
        cr_assert(!memcmp(fast, out, bc.len), "linebreak_step_fast differs on: %s", line);
        if (ok) {
            passed++;
        } else if (is_known_failure(line)) {
            skipped++;
        } else {
            cr_log_error("linebreak mismatch: %s", line);
        }
        char lib[BREAKTEST_MAX_CP * 4];
        u8_possible_linebreaks(bc.text, bc.len, "UTF-8", lib);
        int lib_ok = 1;
        for (size_t i = 1; i < bc.ncp; i++)
            if ((lib[bc.cp_off[i]] != UC_BREAK_PROHIBITED) != bc.break_before[i]) lib_ok = 0;
        libunistring_passed += lib_ok;
    }
    fclose(f);
    printf("LineBreakTest.txt: %d of %d lines pass, %d on the skip list "
           "(libunistring u8_possible_linebreaks: %d)\n",
           passed, total, skipped, libunistring_passed);
    cr_assert_gt(total, 7000, "the test file looks truncated: %d lines", total);
    cr_assert_eq(passed + skipped, total, "%d LineBreakTest lines fail", total - passed - skipped);
}

/* Returns the byte offsets where a break is allowed, as a string like "3 9". */
static void breaks_of(const char *s, char *out, size_t outlen)
{
    uint8_t acts[256];
    size_t len = strlen(s);
    linebreak_string((const uint8_t *)s, len, acts);
    out[0] = 0;
    for (size_t i = 0; i < len; i++)
        if (acts[i] != LINEBREAK_NONE)
            snprintf(out + strlen(out), outlen - strlen(out), "%s%zu", out[0] ? " " : "", i);
}

Test(linebreak, initials_stay_together)
{
    char got[128];
    /* "И.С. Тургенев": no break after "И." (LB29), one after the space. */
    breaks_of("\xd0\x98.\xd0\xa1. \xd0\xa2\xd1\x83\xd1\x80", got, sizeof got);
    cr_assert_str_eq(got, "7", "breaks at %s, want only before the surname (byte 7)", got);
    breaks_of("e.g. this", got, sizeof got);
    cr_assert_str_eq(got, "5");
}

Test(linebreak, prices_and_hyphens)
{
    char got[128];
    breaks_of("$(12.50) well-known", got, sizeof got);
    cr_assert_str_eq(got, "9 14", "got %s", got);
}
