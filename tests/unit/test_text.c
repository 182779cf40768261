#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lector/sabreak.h"
#include "lector/text.h"
#include "lector/xalloc.h"
#include "lector/ucd.h"

#define FFFD "\xef\xbf\xbd"

static Text *load(const char *bytes, size_t len)
{
    return text_from_bytes(bytes, len, "story.txt");
}

static void assert_text(const Text *t, const char *want)
{
    cr_assert_eq(text_len(t), strlen(want), "length %zu, want %zu", text_len(t), strlen(want));
    cr_assert(memcmp(text_bytes(t), want, strlen(want)) == 0, "text differs: got '%s'",
              (const char *)text_bytes(t));
}

/* The example of Unicode 15.0 chapter 3, table 3-8 (maximal subparts). */
Test(text, invalid_utf8_becomes_one_fffd_per_maximal_subpart)
{
    const char src[] = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
    Text *t = load(src, sizeof src - 1);
    assert_text(t, "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d");
    cr_assert_eq(text_replacements(t), 6);
    cr_assert_not_null(text_notice(t), "invalid UTF-8 must be reported");
    cr_assert(strstr(text_notice(t), "6 invalid"), "notice: %s", text_notice(t));
    cr_assert_eq(text_encoding(t), TEXT_UTF8);
    text_free(t);
}

Test(text, every_class_of_invalid_utf8)
{
    struct {
        const char *in, *want;
    } cases[] = {
        {"\xC0\xAF", FFFD FFFD},                   /* overlong 2-byte */
        {"\xE0\x80\xAF", FFFD FFFD FFFD},          /* overlong 3-byte */
        {"\xED\xA0\x80", FFFD FFFD FFFD},          /* surrogate D800 */
        {"\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD}, /* above U+10FFFF */
        {"\xF5\x80", FFFD FFFD},                   /* never a lead byte */
        {"x\xE2\x82", "x" FFFD},                   /* truncated at the end */
        {"\xE2\x82\xAC", "\xE2\x82\xAC"},          /* EURO SIGN, valid */
        {"\xF0\x9F\x98", FFFD},                    /* truncated 4-byte */
        {"\xFF\xFE", FFFD FFFD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Text *t = load(cases[i].in, strlen(cases[i].in));
        cr_assert_eq(text_len(t), strlen(cases[i].want), "case %zu: length %zu", i, text_len(t));
        cr_assert(memcmp(text_bytes(t), cases[i].want, text_len(t)) == 0, "case %zu", i);
        text_free(t);
    }
}

/* The length of the valid sequence at s[0, n) (Unicode table 3-7), or of its maximal subpart
 * negated: the reference the cleaner's word-at-a-time checks must agree with. */
static int ref_sequence(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    if (c < 0x80) return 1;
    int len = c >= 0xc2 && c <= 0xdf   ? 2
              : c >= 0xe0 && c <= 0xef ? 3
              : c >= 0xf0 && c <= 0xf4 ? 4
                                       : 0;
    if (!len) return -1;
    uint8_t lo = 0x80, hi = 0xbf;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
    for (int k = 1; k < len; k++) {
        if ((size_t)k >= n || s[k] < (k == 1 ? lo : 0x80) || s[k] > (k == 1 ? hi : 0xbf)) return -k;
    }
    return len;
}

/* Random mixes of ASCII, CR, two-byte letters at every alignment, the two-byte edge cases
 * (C2 80, DF BF, C0 and C1 leads, a lone continuation, a lead cut short) and three-byte ones
 * (runs, E0 and ED with their narrower second bytes, a sequence cut short): cleaned as the
 * reference reads them, byte for byte. */
Test(text, cleaning_agrees_with_a_reference_on_mixed_two_and_three_byte_text)
{
    static const char *const pieces[] = {
        "a", "b ", " ", "\r\n", "\r", "\xd0\x9f", "\xd1\x8f", "\xc2\x80", "\xdf\xbf", "\xc0\x80",
        "\xc1\xbf", "\x80", "\xd0", "\xe2\x82\xac", "\xe4\xb8\xad", ".\n\n",
        /* three-byte runs, and the leads whose second byte has a narrower range */
        "\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97", "\xe0\xa0\x80", "\xe0\x80\x80", "\xed\x9f\xbf",
        "\xed\xa0\x80", "\xe4\xb8", "\xef\xbf\xbf\xe1\x80"};
    static const char *const letters[] = {"\xd0\xb0", "x", "\xe4\xb8\xad"};
    srand(77);
    for (int round = 0; round < 1000; round++) {
        char src[600];
        size_t n = 0;
        while (n < sizeof src - 12) {
            const char *p = pieces[rand() % (int)(sizeof pieces / sizeof *pieces)];
            if (rand() % 4) p = letters[rand() % 3]; /* mostly letters */
            memcpy(src + n, p, strlen(p));
            n += strlen(p);
        }
        char want[2000];
        size_t w = 0;
        for (size_t i = 0; i < n;) {
            const uint8_t *u = (const uint8_t *)src + i;
            if (u[0] == '\r') {
                want[w++] = '\n';
                i += i + 1 < n && u[1] == '\n' ? 2 : 1;
                continue;
            }
            int k = ref_sequence(u, n - i);
            if (k > 0) {
                memcpy(want + w, u, (size_t)k);
                w += (size_t)k;
                i += (size_t)k;
            } else {
                memcpy(want + w, FFFD, 3);
                w += 3;
                i += (size_t)-k;
            }
        }
        want[w] = 0;
        Text *t = load(src, n);
        cr_assert_eq(text_len(t), w, "round %d: length %zu, want %zu", round, text_len(t), w);
        cr_assert(memcmp(text_bytes(t), want, w) == 0, "round %d: text differs", round);
        text_free(t);
    }
}

Test(text, source_offsets_survive_replacement)
{
    const char src[] = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\r\n\x63";
    Text *t = load(src, sizeof src - 1);
    /* a=0, FFFD(F1 80 80)=1, FFFD(E1 80)=4, FFFD(C2)=6, b=7, LF(CR LF)=8, c=10 */
    size_t clean[] = {0, 1, 4, 7, 10, 11, 12};
    size_t want[] = {0, 1, 4, 6, 7, 8, 10};
    for (size_t i = 0; i < sizeof clean / sizeof *clean; i++)
        cr_assert_eq(text_source_offset(t, clean[i]), want[i], "clean %zu -> %zu, want %zu",
                     clean[i], text_source_offset(t, clean[i]), want[i]);
    text_free(t);
}

Test(text, source_offsets_on_random_bytes_decode_to_the_same_code_point)
{
    srand(1234);
    enum { N = 20000 };
    static char src[N];
    for (int i = 0; i < N; i++) {
        int r = rand() % 10;
        src[i] = (char)(r < 6 ? 'a' + rand() % 26 : r < 8 ? 0x80 + rand() % 0x80 : rand() % 256);
    }
    Text *t = load(src, N);
    const uint8_t *b = text_bytes(t);
    size_t prev = 0;
    for (size_t off = 0; off < text_len(t);) {
        size_t n;
        uint32_t cp = ucd_decode(b + off, b + text_len(t), &n);
        size_t s = text_source_offset(t, off);
        cr_assert(s >= prev && s < N, "offset %zu maps to %zu (previous %zu)", off, s, prev);
        if (cp != 0xfffd && cp != '\n') {
            size_t m;
            uint32_t again = ucd_decode((const uint8_t *)src + s, (const uint8_t *)src + N, &m);
            cr_assert_eq(again, cp, "offset %zu: text has U+%04X, source at %zu has U+%04X", off,
                         cp, s, again);
        }
        prev = s;
        off += n;
    }
    text_free(t);
}

Test(text, bom_dropped_line_ends_normalised)
{
    const char src[] = "\xEF\xBB\xBF"
                       "one\r\ntwo\rthree\n\nfour";
    Text *t = load(src, sizeof src - 1);
    assert_text(t, "one\ntwo\nthree\n\nfour");
    cr_assert_eq(text_source_offset(t, 0), 3, "first letter is after the BOM");
    cr_assert_null(text_notice(t));
    size_t crlf, cr;
    text_line_ends_cleaned(t, &crlf, &cr); /* for C-g: one of each was made LF */
    cr_assert(crlf == 1 && cr == 1, "%zu CR LF, %zu CR", crlf, cr);
    text_free(t);
    /* A BOM in the middle is text (ZWNBSP), not dropped. */
    t = load("a\xEF\xBB\xBF", 4);
    assert_text(t, "a\xEF\xBB\xBF");
    cr_assert_eq(text_replacements(t), 0, "a real U+FEFF/U+FFFD is not a replacement");
    text_free(t);
}

Test(text, paragraphs_are_runs_of_non_blank_lines)
{
    const char src[] = "\n\nfirst line\nsecond line\n \t \nthird\r\n\r\n\r\n  fourth  \n";
    Text *t = load(src, sizeof src - 1);
    cr_assert_eq(text_paragraph_count(t), 3);
    const uint8_t *b = text_bytes(t);
    Span p0 = text_paragraph(t, 0), p1 = text_paragraph(t, 1), p2 = text_paragraph(t, 2);
    cr_assert(!strncmp((const char *)b + p0.start, "first line\nsecond line", p0.end - p0.start));
    cr_assert_eq(p0.end - p0.start, strlen("first line\nsecond line"));
    cr_assert(!strncmp((const char *)b + p1.start, "third", p1.end - p1.start));
    cr_assert(!strncmp((const char *)b + p2.start, "  fourth  ", p2.end - p2.start));
    cr_assert_eq(text_paragraph_at(t, p1.start + 2), 1);
    cr_assert_eq(text_paragraph_at(t, p0.end + 1), 1, "a gap maps to the next paragraph");
    text_free(t);
}

Test(text, empty_and_blank_files)
{
    Text *t = load("", 0);
    cr_assert_eq(text_len(t), 0);
    cr_assert_eq(text_paragraph_count(t), 0);
    cr_assert_str_eq(text_title(t), "Story");
    text_free(t);
    t = load(" \n\t\n", 4);
    cr_assert_eq(text_paragraph_count(t), 0);
    text_free(t);
}

Test(text, title_from_first_line_or_file_name)
{
    Text *t = text_from_bytes("The Steppe\n\nIt was night.\n", 26, "x.txt");
    cr_assert_str_eq(text_title(t), "The Steppe");
    cr_assert(text_title_is_first_line(t));
    text_free(t);
    /* A first line that is a whole paragraph of prose is not a title. */
    const char *prose =
        "Ivan Baktybekova was a 35-year-old Kazakhstani singer-songwriter who had it "
        "all, and more besides.\n\nNext.";
    t = text_from_bytes(prose, strlen(prose), "texts/ivan-baktybekova.txt");
    cr_assert_str_eq(text_title(t), "Ivan Baktybekova");
    cr_assert(!text_title_is_first_line(t));
    text_free(t);
    /* No blank line after the first line: not a title. */
    t = text_from_bytes("Short\nstill the paragraph\n", 24, "/a/b/sezim_baktybekova.story.txt");
    cr_assert_str_eq(text_title(t), "Sezim Baktybekova.story");
    text_free(t);
    t = text_from_bytes("x", 1, "\xd1\x81\xd0\xb5\xd0\xb7\xd0\xb8\xd0\xbc-\xff.txt");
    cr_assert_str_eq(text_title(t), "\xd0\xa1\xd0\xb5\xd0\xb7\xd0\xb8\xd0\xbc " FFFD,
                     "Cyrillic name capitalised, bad byte replaced: %s", text_title(t));
    text_free(t);
}

Test(text, windows_1251_is_detected_and_converted)
{
    /* "Привет, мир! Ёлка." in Windows-1251 */
    const char src[] = "\xCF\xF0\xE8\xE2\xE5\xF2, \xEC\xE8\xF0! \xA8\xEB\xEA\xE0.";
    Text *t = load(src, sizeof src - 1);
    cr_assert_eq(text_encoding(t), TEXT_CP1251);
    assert_text(t, "Привет, мир! Ёлка.");
    cr_assert_not_null(text_notice(t));
    cr_assert(strstr(text_notice(t), "Windows-1251"), "notice: %s", text_notice(t));
    text_free(t);
}

/* Our Windows-1251 table must agree with glibc's iconv on every byte. */
Test(text, windows_1251_table_matches_iconv)
{
    iconv_t cd = iconv_open("UTF-8", "CP1251");
    cr_assert(cd != (iconv_t)-1, "glibc iconv has no CP1251");
    for (int byte = 0x80; byte <= 0xff; byte++) {
        /* surround with Cyrillic so detection picks Windows-1251 */
        char src[] = {(char)0xC0, (char)0xC1, (char)byte, (char)0xC2, (char)0xC3,
                      (char)0xC4, (char)0xC5, (char)0xC6, (char)0xC7, (char)0xC8};
        Text *t = load(src, sizeof src);
        cr_assert_eq(text_encoding(t), TEXT_CP1251, "byte %02X", byte);
        char in = (char)byte, out[8] = {0};
        char *ip = &in, *op = out;
        size_t il = 1, ol = sizeof out;
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        const uint8_t *b = text_bytes(t) + 4; /* after "АБ" */
        if (r == (size_t)-1) {
            cr_assert(!memcmp(b, FFFD, 3), "byte %02X: iconv has none, we must show U+FFFD", byte);
        } else {
            cr_assert(!memcmp(b, out, (size_t)(op - out)), "byte %02X differs from iconv", byte);
        }
        text_free(t);
    }
    iconv_close(cd);
}

Test(text, latin1_is_detected_and_ambiguity_is_not_guessed)
{
    const char fr[] = "Un caf\xE9 cr\xE8me, s'il vous pla\xEEt, \xE0 la fen\xEAtre.";
    Text *t = load(fr, sizeof fr - 1);
    cr_assert_eq(text_encoding(t), TEXT_LATIN1);
    assert_text(t, "Un café crème, s'il vous plaît, à la fenêtre.");
    cr_assert(strstr(text_notice(t), "Latin-1"));
    text_free(t);
    /* One valid multi-byte sequence: the file is UTF-8 with damage, not a legacy encoding. */
    const char mixed[] = "caf\xC3\xA9 and caf\xE9";
    t = load(mixed, sizeof mixed - 1);
    cr_assert_eq(text_encoding(t), TEXT_UTF8);
    assert_text(t, "café and caf" FFFD);
    text_free(t);
}

Test(text, controls_and_nul_stay_as_code_points_with_a_binary_notice)
{
    const char src[] = "a\0b\x1b[2J\x7f";
    Text *t = load(src, sizeof src - 1);
    cr_assert_eq(text_len(t), sizeof src - 1, "controls are kept for the renderer to show");
    cr_assert(!memcmp(text_bytes(t), src, sizeof src - 1));
    cr_assert_not_null(text_notice(t));
    cr_assert(strstr(text_notice(t), "binary"), "notice: %s", text_notice(t));
    text_free(t);
}

/* The binary guess over more than one 16-byte block: a NUL anywhere, or more than one byte in ten
 * a control other than tab, line end, CR, form feed and escape; bytes of other scripts are not
 * controls. */
Test(text, binary_guess_counts_controls_past_the_first_bytes)
{
    char src[160];
    memset(src, 'a', sizeof src);
    for (size_t i = 0; i < 17; i++) /* 17 of 160: over a tenth */
        src[20 + 7 * i] = 0x01;
    Text *t = load(src, sizeof src);
    cr_assert(text_notice(t) && strstr(text_notice(t), "binary"), "17 controls in 160 bytes");
    text_free(t);
    for (size_t i = 0; i < 2; i++) /* 15 of 160: under it */
        src[20 + 7 * i] = 'a';
    t = load(src, sizeof src);
    cr_assert(!text_notice(t) || !strstr(text_notice(t), "binary"), "notice: %s", text_notice(t));
    text_free(t);
    const char allowed[] = "\t\n\r\f\x1b";
    for (size_t i = 0; i < sizeof src; i++) /* a text of nothing but the controls a text may hold */
        src[i] = allowed[i % 5];
    t = load(src, sizeof src);
    cr_assert(!text_notice(t) || !strstr(text_notice(t), "binary"), "notice: %s", text_notice(t));
    text_free(t);
    for (size_t i = 0; i + 1 < sizeof src; i += 2) { /* Cyrillic: 0xd0 0xb0, no control */
        src[i] = (char)0xd0;
        src[i + 1] = (char)0xb0;
    }
    t = load(src, sizeof src);
    cr_assert(!text_notice(t) || !strstr(text_notice(t), "binary"), "notice: %s", text_notice(t));
    text_free(t);
    src[150] = 0;
    t = load(src, sizeof src);
    cr_assert(text_notice(t) && strstr(text_notice(t), "binary"), "a NUL at byte 150");
    text_free(t);
}

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lector-test-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

Test(text, path_errors_are_one_clear_line, .init = make_tmpdir)
{
    Text *t = NULL;
    Diag d = {0};
    char path[512];
    snprintf(path, sizeof path, "%s/missing.txt", tmpdir);
    cr_assert_eq(text_load(path, 0, &t, &d), -1);
    cr_assert_eq(d.code, DIAG_NOT_FOUND);
    cr_assert(strstr(d.msg, "missing.txt") && strstr(d.msg, "no such file"), "%s", d.msg);

    cr_assert_eq(text_load(tmpdir, 0, &t, &d), -1);
    cr_assert_eq(d.code, DIAG_NOT_FILE);
    cr_assert(strstr(d.msg, "folder"), "%s", d.msg);

    snprintf(path, sizeof path, "%s/fifo", tmpdir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    alarm(5); /* a hang here fails the test instead of the suite */
    cr_assert_eq(text_load(path, 0, &t, &d), -1, "a FIFO must be refused, not read");
    alarm(0);
    cr_assert_eq(d.code, DIAG_NOT_FILE);
    cr_assert(strstr(d.msg, "pipe"), "%s", d.msg);
    unlink(path);

    cr_assert_eq(text_load("/dev/zero", 0, &t, &d), -1);
    cr_assert_eq(d.code, DIAG_NOT_FILE);
    cr_assert(strstr(d.msg, "device"), "%s", d.msg);
    cr_assert_null(strchr(d.msg, '\n'));
    rmdir(tmpdir);
}

Test(text, size_limit_bounds_endless_input)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) { /* an endless writer, like `yes` */
        close(fds[0]);
        char buf[4096];
        memset(buf, 'y', sizeof buf);
        for (;;)
            if (write(fds[1], buf, sizeof buf) < 0) _exit(0);
    }
    close(fds[1]);
    Text *t = NULL;
    Diag d = {0};
    cr_assert_eq(text_load_fd(fds[0], "-", 1 << 20, &t, &d), -1);
    cr_assert_eq(d.code, DIAG_TOO_LARGE);
    cr_assert(strstr(d.msg, "limit"), "%s", d.msg);
    close(fds[0]);
    kill(pid, SIGKILL);
}

Test(text, loads_a_file_with_its_name_as_title, .init = make_tmpdir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/kazakh-song.txt", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("Домбыра үні\nестіледі.\n", f);
    fclose(f);
    Text *t = NULL;
    Diag d = {0};
    cr_assert_eq(text_load(path, 0, &t, &d), 0, "%s", d.msg);
    cr_assert_str_eq(text_title(t), "Kazakh Song");
    cr_assert_eq(text_paragraph_count(t), 1);
    text_free(t);
    unlink(path);
    rmdir(tmpdir);
}

Test(text, escape_makes_any_bytes_one_safe_line)
{
    Strbuf sb = STRBUF_INIT;
    const char raw[] = "t\x1b]0;pwned\x07\x1b[2J\r\n\xc2\x9b\xe2\x80\xae\xff!";
    text_escape(raw, sizeof raw - 1, &sb);
    cr_assert_str_eq(sb.buf, "t␛]0;pwned␇␛[2J␍␊<U+009B><U+202E>" FFFD "!");
    strbuf_release(&sb);
    uint8_t vis[TEXT_VISIBLE_MAX];
    cr_assert_eq(text_visible_control('a', vis), 0);
    cr_assert_eq(text_visible_control(0x0627, vis), 0, "Arabic letters are text");
    cr_assert_eq(text_visible_control(0xe000, vis), 0, "private use is drawn as it is");
    cr_assert_eq(text_visible_control(0x2066, vis), 8);
    /* unassigned (Unicode 15) and noncharacters: terminals disagree on their width */
    cr_assert_eq(text_visible_control(0x0382, vis), 8);
    cr_assert(!memcmp(vis, "<U+0382>", 8));
    cr_assert_eq(text_visible_control(0xfffe, vis), 8);
    cr_assert_eq(text_visible_control(0x1fffe, vis), 9);
    cr_assert(!memcmp(vis, "<U+1FFFE>", 9));
    cr_assert_eq(text_visible_control(0x10ffff, vis), 10);
    cr_assert(!memcmp(vis, "<U+10FFFF>", 10));
}

/* Found in review: one accidental valid UTF-8 pair ("СЁ" is D1 A8 = U+0468) must not veto the
 * conversion, and German's adjacent accented letters are still Latin-1. */
Test(text, legacy_detection_is_proportional)
{
    const char ru[] = "\xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0. \xc2\xd1\xa8 \xfd\xf2\xee "
                      "\xef\xf0\xee\xe2\xe5\xf0\xea\xe0";
    Text *t = load(ru, sizeof ru - 1);
    cr_assert_eq(text_encoding(t), TEXT_CP1251);
    assert_text(t, "Привет, мир. ВСЁ это проверка");
    text_free(t);
    const char de[] = "Die Gr\xf6\xdf"
                      "e ist sch\xf6n.";
    t = load(de, sizeof de - 1);
    cr_assert_eq(text_encoding(t), TEXT_LATIN1);
    assert_text(t, "Die Größe ist schön.");
    text_free(t);
    /* 0x98 has no character in Windows-1251: shown as U+FFFD and said so */
    const char gap[] = "\xcf\xf0\xe8\xe2\xe5\xf2 \x98 \xec\xe8\xf0\xee\xe2\xee\xe9";
    t = load(gap, sizeof gap - 1);
    cr_assert_eq(text_encoding(t), TEXT_CP1251);
    cr_assert(strstr(text_notice(t), "1 byte with no character"), "%s", text_notice(t));
    text_free(t);
}

Test(text, paragraph_at_treats_the_end_as_outside)
{
    Text *t = load("a\n\nb", 4);
    cr_assert_eq(text_paragraph_at(t, 0), 0);
    cr_assert_eq(text_paragraph_at(t, 1), 1, "offset 1 is the gap after paragraph 0");
    cr_assert_eq(text_paragraph_at(t, 3), 1);
    cr_assert_eq(text_paragraph_at(t, 4), 2, "past the last paragraph: the count");
    text_free(t);
}

/* Long valid multi-byte runs (copied at once by the loader) crossing many checkpoint blocks,
 * with damage sprinkled in: every code point maps back to where the test put it. */
Test(text, source_offsets_across_long_multibyte_runs)
{
    static const struct {
        const char *src, *clean;
    } pieces[] = {
        {"\xd0\xb4\xd0\xbe\xd0\xbc", "\xd0\xb4\xd0\xbe\xd0\xbc"}, /* дом */
        {"\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac"}, /* 日本 */
        {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},                 /* 😀 */
        {" ", " "},
        {"\xff", FFFD},
        {"\r\n", "\n"},
        {"\xe2\x82", FFFD},
    };
    enum { N = 12000 };
    static char src[N * 6];
    static size_t src_at[N * 6], clean_len;
    size_t sl = 0;
    clean_len = 0;
    srand(99);
    for (int k = 0; k < N; k++) {
        int r = rand() % 100;
        int pi = r < 30 ? 0 : r < 60 ? 1 : r < 80 ? 2 : r < 97 ? 3 : r < 98 ? 4 : r < 99 ? 5 : 6;
        size_t cl = strlen(pieces[pi].clean);
        int same = !strcmp(pieces[pi].src, pieces[pi].clean);
        for (size_t b = 0; b < cl; b++) /* kept bytes map one to one, a replacement to its start */
            src_at[clean_len + b] = same ? sl + b : sl;
        clean_len += cl;
        memcpy(src + sl, pieces[pi].src, strlen(pieces[pi].src));
        sl += strlen(pieces[pi].src);
    }
    Text *t = load(src, sl);
    cr_assert_eq(text_len(t), clean_len);
    const uint8_t *b = text_bytes(t);
    for (size_t off = 0; off < clean_len; off++) {
        if ((b[off] & 0xc0) == 0x80) continue; /* only code point starts are mapped */
        cr_assert_eq(text_source_offset(t, off), src_at[off], "clean %zu maps to %zu, want %zu",
                     off, text_source_offset(t, off), src_at[off]);
    }
    text_free(t);
}

/* The first screen of a long story needs its first 256 KiB read and checked, no more: measuring
 * the story's own line width (text_source_width, which every reader does before its first
 * screen) must not read on. It asked for byte 256 Ki itself and so read and checked 4 MiB more
 * (4 ms of a 100 MB story's start). */
Test(text, measuring_the_line_width_reads_only_the_first_step)
{
    char path[] = "/tmp/lector-text-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    char line[] = "A line of verse that is some sixty characters long, or so.\n";
    for (int i = 0; i < 200000; i++) /* 12 MB of paragraphs of five such lines */
        cr_assert_eq(write(fd, i % 5 == 4 ? "\n" : line, i % 5 == 4 ? 1 : sizeof line - 1),
                     i % 5 == 4 ? 1 : (ssize_t)sizeof line - 1);
    close(fd);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0, "%s", d.msg);
    int w = text_source_width(t);
    cr_assert_eq(w, (int)sizeof line - 2, "the lines' width");
    cr_assert_not(text_complete(t));
    cr_assert_leq(text_len(t), (size_t)(256 << 10), "%zu bytes read to measure", text_len(t));
    text_free(t);
    unlink(path);
}

/* A story mapped (1 MiB or more) was looked at for a book and is none: known plain, so that
 * the reader's cache lookup need not read its head again; not so one read whole (a small file
 * may be a book, imported) or opened raw (not looked at). */
Test(text, a_mapped_story_is_known_to_be_no_book)
{
    char path[] = "/tmp/lector-text-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    char line[] = "A line of verse that is some sixty characters long, or so.\n";
    for (int i = 0; i < 20000; i++) /* 1.2 MB */
        cr_assert_eq(write(fd, line, sizeof line - 1), (ssize_t)sizeof line - 1);
    close(fd);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0, "%s", d.msg);
    cr_assert(text_is_plain_file(t));
    text_free(t);
    cr_assert_eq(text_open_with(path, &(TextOpenOptions){.raw = true}, &t, &d), 0, "%s", d.msg);
    cr_assert_not(text_is_plain_file(t), "raw: not looked at");
    text_free(t);
    cr_assert_eq(truncate(path, 4096), 0);
    cr_assert_eq(text_open(path, 0, &t, &d), 0, "%s", d.msg);
    cr_assert_not(text_is_plain_file(t), "read whole");
    text_free(t);
    unlink(path);
}

/* text_bytes_are_one_paragraph says yes exactly when text_from_bytes keeps the bytes as they
 * are, as one paragraph [0, len): over every string of up to 5 bytes from an alphabet of what
 * matters (a letter, a space, a tab, a line end, a CR, half of a two-byte character), and a few
 * longer cases. */
static void expect_one_paragraph_agrees(const char *s, size_t len)
{
    Text *t = text_from_bytes(s, len, NULL);
    bool kept = text_len(t) == len && (len == 0 || !memcmp(text_bytes(t), s, len)) &&
                text_paragraph_count(t) == 1 && text_paragraph(t, 0).start == 0 &&
                text_paragraph(t, 0).end == len;
    cr_assert_eq(text_bytes_are_one_paragraph(s, len), kept, "%zu bytes \"%.*s\": the Text says %d",
                 len, (int)len, s, kept);
    text_free(t);
}

Test(text, one_paragraph_as_text_from_bytes_has_it)
{
    static const char alphabet[] = {'a', ' ', '\t', '\n', '\r', (char)0xc3};
    char s[5];
    for (size_t len = 0; len <= sizeof s; len++) {
        size_t count = 1;
        for (size_t k = 0; k < len; k++)
            count *= sizeof alphabet;
        for (size_t x = 0; x < count; x++) {
            for (size_t k = 0, v = x; k < len; k++, v /= sizeof alphabet)
                s[k] = alphabet[v % sizeof alphabet];
            expect_one_paragraph_agrees(s, len);
        }
    }
    const char *cases[] = {"Caf\xc3\xa9 au lait", "\xef\xbb\xbfWith a mark", "two\nlines",
                           "two\n \nparagraphs", "  indented\n\tand tabbed"};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        expect_one_paragraph_agrees(cases[k], strlen(cases[k]));
    size_t big = (64 << 10) + 1; /* past a piece */
    char *b = malloc(big);
    memset(b, 'x', big);
    for (size_t k = 80; k < big; k += 81)
        b[k] = ' ';
    expect_one_paragraph_agrees(b, big);
    expect_one_paragraph_agrees(b, big - 1);
    free(b);
}

/* Checks that counting t's words in steps of each of budgets[0, n) gives want (sa: the
 * dictionary's breaker, may be NULL); a bound on the steps, so that a count that stalls fails. */
static void expect_words_in_steps(const Text *t, const size_t *budgets, size_t n, size_t want,
                                  SaBreaker *sa)
{
    for (size_t b = 0; b < n; b++) {
        size_t pos = 0, words = 0, steps = 0;
        int in_word = 0;
        while (pos < text_len(t) && steps++ < 1000000)
            text_count_words_step(t, &pos, budgets[b], &words, &in_word, sa);
        cr_assert_eq(words, want, "budget %zu: %zu words, not %zu", budgets[b], words, want);
    }
}

/* Words, for reading time: maximal runs of ASCII letters and digits, counted 64 bytes at a time
 * where a block is all ASCII; the same count in steps of any budget. The reference counts runs
 * a byte at a time. */
Test(text, words_are_runs_of_letters_and_digits_at_any_alignment)
{
    Strbuf sb = STRBUF_INIT;
    unsigned seed = 11;
    size_t want = 0;
    for (int k = 0; k < 4000; k++) { /* words of 1-90 bytes, some longer than a block */
        seed = seed * 1103515245u + 12345u;
        size_t len = 1 + (seed >> 8) % 90;
        for (size_t j = 0; j < len; j++)
            strbuf_addch(&sb, "aZ9qM0x"[(seed >> (j % 16)) % 7]);
        want++;
        seed = seed * 1103515245u + 12345u;
        size_t gap = 1 + (seed >> 9) % 5;
        for (size_t j = 0; j < gap; j++)
            strbuf_addch(&sb, " ,.\n-'"[(seed >> (2 * j)) % 6]);
        if (k % 500 == 499) strbuf_addstr(&sb, "Қазақ тілі 漢字 "); /* 4 more words */
        if (k % 500 == 499) want += 4;
    }
    Text *t = text_from_bytes(sb.buf, sb.len, "words");
    cr_assert_eq(text_word_count(t, NULL), want);
    const size_t budgets[] = {1, 7, 63, 64, 65, 1000, 1 << 20};
    expect_words_in_steps(t, budgets, sizeof budgets / sizeof *budgets, want, NULL);
    text_free(t);
    strbuf_release(&sb);
}

/* Words in scripts that space them otherwise: Hangul runs are words (Korean spaces its words;
 * they counted none), each kana is one (the small ones too), and a run of Thai or Lao is as many
 * words as the dictionary finds in it when the count is given a breaker (one word without),
 * in steps of any budget. */
Test(text, words_are_counted_in_korean_japanese_and_thai)
{
    Text *t = text_from_bytes("안녕하세요 여러분, 흥부와 놀부",
                              strlen("안녕하세요 여러분, 흥부와 놀부"), "ko");
    cr_assert_eq(text_word_count(t, NULL), 4);
    text_free(t);
    t = text_from_bytes("しゃしん を とる", strlen("しゃしん を とる"), "ja");
    cr_assert_eq(text_word_count(t, NULL), 7, "し ゃ し ん, を, と る");
    text_free(t);
    const char *runs[] = {"ภาษาไทยเป็นภาษาที่มีระดับเสียงของคำแน่นอน",
                          "ພາສາລາວເປັນພາສາທາງການຂອງສາທາລະນະລັດ"};
    Strbuf sb = STRBUF_INIT;
    size_t want = 0, cuts[256];
    for (int k = 0; k < 40; k++) {
        const char *r = runs[k % 2];
        want += sabreak_words(NULL, (const uint8_t *)r, strlen(r), cuts, 256) + 1;
        strbuf_addf(&sb, "%s%s", r, k % 7 == 6 ? ".\n\n" : " ");
    }
    cr_assert_gt(want, 40 * 4, "the dictionary finds several words in each run");
    SaBreaker *sa = sabreak_new();
    t = text_from_bytes(sb.buf, sb.len, "th");
    const size_t budgets[] = {1, 31, 100, 4096, 1 << 20}, nb = sizeof budgets / sizeof *budgets;
    expect_words_in_steps(t, budgets, nb, want, sa);
    cr_assert_eq(text_word_count(t, sa), want);
    text_free(t);
    t = text_from_bytes(sb.buf, sb.len, "th");
    cr_assert_eq(text_word_count(t, NULL), 40, "without a dictionary, a run is a word");
    text_free(t);
    /* one run of 7 KiB, no space: counted across the windows' edges as the dictionary counts it
     * whole (no word cut in two at an edge, none lost) */
    strbuf_reset(&sb);
    for (int k = 0; k < 60; k++)
        strbuf_addstr(&sb, runs[0]);
    size_t *all = xcalloc(sb.len, sizeof *all);
    want = sabreak_words(NULL, (const uint8_t *)sb.buf, sb.len, all, sb.len) + 1;
    free(all);
    cr_assert_gt(sb.len, 4096 + 1024);
    t = text_from_bytes(sb.buf, sb.len, "th-run");
    expect_words_in_steps(t, budgets, nb, want, sa);
    cr_assert_eq(text_word_count(t, NULL), 1, "without a dictionary, one word");
    text_free(t);
    /* "ไทย" (three code points, 9 bytes) 1000 times: a window (4095 bytes here) ends exactly
     * between two words; and 2000 Thai digits, a number with no break in it, longer than a
     * window: one word */
    strbuf_reset(&sb);
    for (int k = 0; k < 1000; k++)
        strbuf_addstr(&sb, "ไทย");
    all = xcalloc(sb.len, sizeof *all);
    want = sabreak_words(NULL, (const uint8_t *)sb.buf, sb.len, all, sb.len) + 1;
    free(all);
    cr_assert_eq(want, 1000, "the dictionary's words: ไทย each");
    t = text_from_bytes(sb.buf, sb.len, "thai-thai");
    cr_assert_eq(text_word_count(t, sa), 1000);
    text_free(t);
    strbuf_reset(&sb);
    for (int k = 0; k < 2000; k++)
        strbuf_addstr(&sb, "๑");
    strbuf_addstr(&sb, " ไทย");
    t = text_from_bytes(sb.buf, sb.len, "thai-digits");
    cr_assert_eq(text_word_count(t, sa), 2, "a 6 KB number, then a word");
    text_free(t);
    sabreak_free(sa);
    strbuf_release(&sb);
}

/* A count whose budget ends inside a sequence, over bytes that are no longer valid UTF-8 (a
 * mapped story rewritten while it is read): the count steps past the budget's end to the
 * sequence's, and its 64-byte blocks must not start past the budget (ASan watches the reads). */
Test(text, a_count_cut_inside_a_sequence_reads_only_the_text)
{
    Text *t = text_from_bytes("a\xc3\xa9xxxxxxxxxx", 13, "cut");
    ((uint8_t *)text_bytes(t))[3] = 0x80; /* a continuation byte after the sequence */
    size_t pos = 0, words = 0;
    int in_word = 0;
    while (pos < text_len(t))
        text_count_words_step(t, &pos, 2, &words, &in_word, NULL);
    cr_assert_eq(pos, text_len(t));
    text_free(t);
}
