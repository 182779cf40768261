#include <criterion/criterion.h>
#include <unigbrk.h>

#include "breaktest.h"
#include "lector/grapheme.h"

/* Every line of GraphemeBreakTest.txt: our boundaries must be exactly the file's. */
Test(grapheme, conformance_graphemebreaktest)
{
    FILE *f = breaktest_open("GraphemeBreakTest.txt");
    cr_assert_not_null(f, "GraphemeBreakTest.txt missing: apt-get install unicode-data");
    char line[4096];
    BreakCase bc;
    int total = 0, passed = 0, libunistring_passed = 0;
    while (fgets(line, sizeof line, f)) {
        if (!breaktest_parse(line, &bc)) continue;
        total++;
        int ok = 1;
        size_t off = 0, cp = 0;
        while (off < bc.len) {
            size_t n = grapheme_next(bc.text + off, bc.len - off);
            cr_assert(n > 0, "no progress at %zu in: %s", off, line);
            off += n;
            /* every code point strictly inside this cluster must be a non-break */
            while (cp + 1 < bc.ncp && bc.cp_off[cp + 1] < off)
                if (bc.break_before[++cp]) ok = 0;
            cp++;
            if (cp < bc.ncp && !bc.break_before[cp]) ok = 0;
            if (cp < bc.ncp && bc.cp_off[cp] != off) ok = 0;
        }
        if (ok)
            passed++;
        else
            cr_log_error("grapheme mismatch: %s", line);

        char lib[BREAKTEST_MAX_CP * 4];
        u8_grapheme_breaks(bc.text, bc.len, lib);
        int lib_ok = 1;
        for (size_t i = 1; i < bc.ncp; i++)
            if ((lib[bc.cp_off[i]] != 0) != bc.break_before[i]) lib_ok = 0;
        libunistring_passed += lib_ok;
    }
    fclose(f);
    cr_log_info("GraphemeBreakTest.txt: %d of %d lines pass (libunistring u8_grapheme_breaks: %d)",
                passed, total, libunistring_passed);
    printf("GraphemeBreakTest.txt: %d of %d lines pass (libunistring: %d)\n", passed, total,
           libunistring_passed);
    cr_assert_gt(total, 500, "the test file looks truncated: %d lines", total);
    cr_assert_eq(passed, total, "%d of %d GraphemeBreakTest lines fail", total - passed, total);
}

static size_t cluster_len(const char *s)
{
    return grapheme_next((const uint8_t *)s, strlen(s));
}

Test(grapheme, keeps_real_clusters_whole)
{
    cr_assert_eq(cluster_len("e\xcc\x81x"), 3, "e + combining acute is one cluster");
    cr_assert_eq(cluster_len("\xf0\x9f\x87\xb0\xf0\x9f\x87\xbf\xf0\x9f\x87\xb0"), 8,
                 "flag KZ then a lone regional indicator: the pair is one cluster");
    /* family: man ZWJ woman ZWJ girl */
    const char *family =
        "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7!";
    cr_assert_eq(cluster_len(family), strlen(family) - 1, "ZWJ sequence is one cluster");
    cr_assert_eq(cluster_len("\r\nx"), 2, "CR LF is one cluster");
    cr_assert_eq(cluster_len("ab"), 1);
    cr_assert_eq(cluster_len(""), 0);
}

Test(grapheme, ten_thousand_regional_indicators_pair_up)
{
    enum { N = 10000 };
    static uint8_t buf[N * 4];
    for (size_t i = 0; i < N; i++)
        ucd_encode(0x1F1E6 + (uint32_t)(i % 26), buf + i * 4);
    size_t off = 0, clusters = 0;
    while (off < sizeof buf) {
        size_t n = grapheme_next(buf + off, sizeof buf - off);
        cr_assert_eq(n, 8, "cluster %zu is %zu bytes, want one pair (8)", clusters, n);
        off += n;
        clusters++;
    }
    cr_assert_eq(clusters, N / 2);
}
