/* text_stream: a story read once, a paragraph at a time, gives the paragraphs, pieces, title
 * and notice that text_load gives for the same bytes -- from a file, and from a pipe fed in
 * small odd-sized writes so that sequences, CR LF pairs and the BOM are cut between reads. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lector/strbuf.h"
#include "lector/text.h"

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/lector-stream-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(stream, .init = setup, .fini = teardown);

typedef struct {
    int fd;
    const uint8_t *data;
    size_t len, chunk;
} Feeder;

static void *feed(void *arg)
{
    Feeder *f = arg;
    size_t k = 0;
    for (size_t at = 0; at < f->len;) {
        size_t n = f->chunk + (k++ % 5); /* odd sizes: cuts fall everywhere */
        if (n > f->len - at) n = f->len - at;
        ssize_t w = write(f->fd, f->data + at, n);
        if (w <= 0) break;
        at += (size_t)w;
    }
    close(f->fd);
    return NULL;
}

/* Every paragraph of s against t's, in order, then the title and the notice. */
static void assert_same(TextStream *s, Text *t, const char *what)
{
    const uint8_t *b;
    Span p;
    bool joined;
    size_t i = 0;
    while (text_stream_next(s, &b, &p, &joined)) {
        cr_assert_lt(i, text_paragraph_count(t), "%s: more paragraphs than text_load's %zu", what,
                     text_paragraph_count(t));
        Span q = text_paragraph(t, i);
        cr_assert_eq(p.end - p.start, q.end - q.start, "%s: paragraph %zu: %zu bytes, want %zu",
                     what, i, p.end - p.start, q.end - q.start);
        cr_assert(!memcmp(b + p.start, text_bytes(t) + q.start, q.end - q.start),
                  "%s: paragraph %zu differs", what, i);
        cr_assert_eq(joined, text_paragraph_joined(t, i), "%s: paragraph %zu joined", what, i);
        i++;
    }
    cr_assert_eq(i, text_paragraph_count(t), "%s: %zu paragraphs, want %zu", what, i,
                 text_paragraph_count(t));
    cr_assert_str_eq(text_stream_title(s), text_title(t), "%s: title", what);
    const char *n1 = text_stream_notice(s), *n2 = text_notice(t);
    cr_assert((!n1 && !n2) || (n1 && n2 && !strcmp(n1, n2)), "%s: notice '%s', want '%s'", what,
              n1 ? n1 : "(none)", n2 ? n2 : "(none)");
}

/* data through text_load (a file) and through the stream: from the file, and from a pipe. */
static void check(const void *data, size_t len, const char *what)
{
    char path[512];
    snprintf(path, sizeof path, "%s/story.txt", dir);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    Text *t = NULL;
    Diag d = {0};
    cr_assert_eq(text_load(path, 0, &t, &d), 0, "%s", d.msg);

    TextStream *s = NULL;
    cr_assert_eq(text_stream_open(path, &s, &d), 0, "%s", d.msg);
    char label[128];
    snprintf(label, sizeof label, "%s (file)", what);
    assert_same(s, t, label);
    text_stream_free(s);

    /* writes of 1 byte and up cut everything everywhere in a short story; a long one gets odd
     * sizes that still fall everywhere, without millions of writes */
    size_t small[] = {1, 64, 4096}, large[] = {509, 65521};
    size_t *chunks = len < 65536 ? small : large;
    size_t nchunks = len < 65536 ? 3 : 2;
    for (size_t c = 0; c < nchunks; c++) {
        size_t chunk = chunks[c];
        int fds[2];
        cr_assert_eq(pipe(fds), 0);
        Feeder fd = {fds[1], data, len, chunk};
        pthread_t th;
        cr_assert_eq(pthread_create(&th, NULL, feed, &fd), 0);
        cr_assert_eq(text_stream_open_fd(fds[0], path, true, &s, &d), 0, "%s", d.msg);
        snprintf(label, sizeof label, "%s (pipe, writes of %zu+)", what, chunk);
        assert_same(s, t, label);
        text_stream_free(s);
        pthread_join(th, NULL);
    }
    text_free(t);
}

static const char *const pieces[] = {
    "word",
    " ",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\t",
    "\xd0\x96\xd0\xb0",
    "中文",
    "\xff",
    "\xc3",
    "\xe2\x80",
    ".",
    "  indented\n",
    "🇰🇿",
    "e\xcc\x81",
    "\x1b",
    "\xc2\xad",
    "\xef\xbb\xbf",
};

/* Random stories of the pieces above, small and large (the large ones cross the stream's
 * 1 MiB reads, its 256 KiB head, and paragraphs over 64 KiB that come as pieces). */
Test(stream, the_same_paragraphs_as_text_load_on_random_stories)
{
    srand(7);
    size_t npieces = sizeof pieces / sizeof *pieces;
    for (int iter = 0; iter < 24; iter++) {
        Strbuf sb = STRBUF_INIT;
        if (iter % 4 == 1) strbuf_addstr(&sb, "\xef\xbb\xbf");
        size_t target =
            iter < 16 ? (size_t)(rand() % 5000) : (size_t)(1 << 20) + (size_t)rand() % (3 << 20);
        bool long_lines = iter % 3 == 2;
        while (sb.len < target) {
            size_t k = (size_t)rand() % npieces;
            if (long_lines && strpbrk(pieces[k], "\r\n")) continue;
            if (iter % 2 == 0 && (unsigned char)pieces[k][0] >= 0xc3 && k >= 9 && k <= 11) continue;
            strbuf_addstr(&sb, pieces[k]);
        }
        char what[64];
        snprintf(what, sizeof what, "story %d (%zu bytes)", iter, sb.len);
        check(sb.buf, sb.len, what);
        strbuf_release(&sb);
    }
}

/* Windows-1251 and Latin-1 stories, with CR LF: judged on the whole story, as text_load does,
 * also when the first byte that is not ASCII comes megabytes in. */
Test(stream, legacy_encodings_as_text_load)
{
    Strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 40000; i++) /* "Привет мир" in Windows-1251 */
        strbuf_addstr(&sb, "\xcf\xf0\xe8\xe2\xe5\xf2 \xec\xe8\xf0.\r\n\r\n");
    check(sb.buf, sb.len, "Windows-1251");
    strbuf_reset(&sb);
    for (int i = 0; i < 30000; i++) /* "Größe café" in Latin-1 */
        strbuf_addstr(&sb, "Gr\xf6\xdf"
                           "e caf\xe9 and more words here.\n\n");
    check(sb.buf, sb.len, "Latin-1");
    strbuf_reset(&sb);
    for (int i = 0; i < 60000; i++) /* 2 MiB of ASCII, then Windows-1251 */
        strbuf_addstr(&sb, "An English line of about thirty-six.\n\n");
    for (int i = 0; i < 20000; i++)
        strbuf_addstr(&sb, "\xcf\xf0\xe8\xe2\xe5\xf2 \xec\xe8\xf0.\n\n");
    check(sb.buf, sb.len, "ASCII, then Windows-1251 after 2 MiB");
    strbuf_release(&sb);
}

/* The shipped stories, byte for byte. */
Test(stream, the_shipped_stories)
{
    const char *names[] = {"five-windows.txt", "ivan-baktybekova.txt", "sezim-baktybekova.txt"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/texts/%s", LECTOR_SOURCE_DIR, names[i]);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "%s", path);
        Strbuf sb = STRBUF_INIT;
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            strbuf_add(&sb, buf, n);
        fclose(f);
        check(sb.buf, sb.len, names[i]);
        strbuf_release(&sb);
    }
}

/* A stream has no size limit and keeps only what it has not handed out: a story of 64 MiB in
 * one paragraph is read in 64 KiB pieces, and the head is what the story starts with. */
Test(stream, no_size_limit_and_the_head)
{
    char path[512];
    snprintf(path, sizeof path, "%s/big.txt", dir);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs("Title\n\n", f);
    static char line[1 << 16];
    memset(line, 'a', sizeof line);
    for (size_t i = 0; i < sizeof line; i += 8)
        line[i] = ' ';
    for (int i = 0; i < 1024; i++)
        fwrite(line, 1, sizeof line, f);
    fclose(f);
    TextStream *s;
    Diag d = {0};
    cr_assert_eq(text_stream_open(path, &s, &d), 0, "%s", d.msg);
    const uint8_t *head;
    size_t head_len;
    text_stream_head(s, &head, &head_len);
    cr_assert_geq(head_len, 256 << 10);
    cr_assert(!memcmp(head, "Title\n\n", 7));
    cr_assert_str_eq(text_stream_title(s), "Title");
    const uint8_t *b;
    Span p;
    bool joined;
    size_t n = 0, bytes = 0;
    while (text_stream_next(s, &b, &p, &joined)) {
        cr_assert_leq(p.end - p.start, 64 << 10);
        bytes += p.end - p.start;
        n++;
    }
    cr_assert_gt(n, 1024, "pieces: %zu", n);
    cr_assert_geq(bytes, (size_t)1000 << 16);
    text_stream_free(s);
}

typedef struct {
    int fd;
} SlowFeeder;

/* Writes a BOM a byte at a time, pausing between, then a story: each read gets one byte. */
static void *feed_slowly(void *arg)
{
    SlowFeeder *f = arg;
    const char *parts[] = {"\xef", "\xbb", "\xbf", "Title\n\nThe story.\n"};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(write(f->fd, parts[i], strlen(parts[i])), (ssize_t)strlen(parts[i]));
        usleep(50000);
    }
    close(f->fd);
    return NULL;
}

Test(stream, a_bom_cut_between_reads_is_dropped)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    SlowFeeder f = {fds[1]};
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, feed_slowly, &f), 0);
    TextStream *s;
    Diag d = {0};
    cr_assert_eq(text_stream_open_fd(fds[0], "-", true, &s, &d), 0);
    cr_assert_str_eq(text_stream_title(s), "Title");
    const uint8_t *b;
    Span p;
    bool joined;
    cr_assert(text_stream_next(s, &b, &p, &joined));
    cr_assert_eq(p.end - p.start, 5);
    cr_assert(!memcmp(b + p.start, "Title", 5), "the BOM is not part of the text");
    text_stream_free(s);
    pthread_join(th, NULL);
}

/* Hostile shapes, each as text_load reads them: a line of blanks without end (more than 64 KiB
 * of them end the paragraph before, and are in none), blank lines before the first paragraph
 * and between the first two (the title waits for the second), and one cluster longer than a
 * piece and one longer than 1 MiB (a letter under 700,000 marks: cut at a code point, in linear
 * time). */
Test(stream, hostile_shapes_as_text_load)
{
    Strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "Title\n\nFirst paragraph,\n");
    for (int i = 0; i < 100000; i++)
        strbuf_addch(&sb, i % 7 ? ' ' : '\t');
    strbuf_addstr(&sb, "after the blanks.\nAnd a line.\n\n");
    for (int i = 0; i < 70000; i++)
        strbuf_addch(&sb, ' ');
    check(sb.buf, sb.len, "blank runs");
    strbuf_reset(&sb);
    for (int i = 0; i < 600000; i++)
        strbuf_addstr(&sb, i % 3 ? "\n" : " \n");
    strbuf_addstr(&sb, "Title\n");
    for (int i = 0; i < 600000; i++)
        strbuf_addstr(&sb, "\n");
    strbuf_addstr(&sb, "The story.\n");
    check(sb.buf, sb.len, "blank lines around the title");
    strbuf_reset(&sb);
    strbuf_addstr(&sb, "Marks\n\na");
    for (int i = 0; i < 500000; i++)
        strbuf_addstr(&sb, "\xcc\x81");
    strbuf_addstr(&sb, " and after.\n");
    check(sb.buf, sb.len, "a cluster of a million bytes");
    strbuf_reset(&sb);
    strbuf_addstr(&sb, "Marks\n\na");
    for (int i = 0; i < 700000; i++)
        strbuf_addstr(&sb, "\xcc\x81");
    strbuf_addstr(&sb, " and after.\n");
    check(sb.buf, sb.len, "a cluster of 1.4 MB, cut");
    strbuf_release(&sb);
}

/* A file truncated while it is read (the stream reads, never maps): the story ends where the
 * file now does, with no crash, and what came out is what was there. */
Test(stream, a_file_truncated_while_read)
{
    char path[512];
    snprintf(path, sizeof path, "%s/shrinks.txt", dir);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (int i = 0; i < 100000; i++)
        fprintf(f, "Paragraph %06d of a story that will shrink.\n\n", i);
    fclose(f);
    TextStream *s;
    Diag d = {0};
    cr_assert_eq(text_stream_open(path, &s, &d), 0, "%s", d.msg);
    const uint8_t *b;
    Span p;
    bool joined;
    size_t n = 0;
    while (n < 100 && text_stream_next(s, &b, &p, &joined))
        n++;
    cr_assert_eq(truncate(path, 1 << 20), 0);
    while (text_stream_next(s, &b, &p, &joined)) {
        char want[64]; /* in order; the last may be cut short by the truncation */
        snprintf(want, sizeof want, "Paragraph %06zu", n);
        size_t len = p.end - p.start < 16 ? p.end - p.start : 16;
        cr_assert(!memcmp(b + p.start, want, len), "paragraph %zu: '%.*s'", n,
                  (int)(p.end - p.start), b + p.start);
        n++;
    }
    cr_assert_lt(n, 100000, "it ended early: %zu paragraphs", n);
    cr_assert_gt(n, 1000, "what was read before the cut came out: %zu", n);
    text_stream_free(s);
}
