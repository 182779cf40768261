/* Big files opened in steps (text_open) and long paragraphs cut into pieces: whatever order
 * the story is read in, it comes out as text_load reads it at once. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lector/grapheme.h"
#include "lector/hash.h"
#include "lector/index.h"
#include "lector/pager.h"
#include "lector/text.h"
#include "memstat.h"

static char *write_temp(const void *bytes, size_t len)
{
    char *path = strdup("/tmp/lector-lazy-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, bytes, len), (ssize_t)len);
    close(fd);
    return path;
}

/* A story of about size bytes: paragraphs of lines of words from words[], with a title. */
static void make_story(Strbuf *sb, size_t size, const char *const *words, size_t nwords,
                       const char *eol)
{
    strbuf_addf(sb, "A Title%s%s", eol, eol);
    unsigned seed = 7;
    while (sb->len < size) {
        int lines = 1 + (int)(seed % 9);
        for (int l = 0; l < lines; l++) {
            int n = 3 + (int)((seed >> 3) % 12);
            for (int w = 0; w < n; w++) {
                seed = seed * 1103515245u + 12345u;
                strbuf_addstr(sb, words[(seed >> 8) % nwords]);
                if (w + 1 < n) strbuf_addch(sb, ' ');
            }
            strbuf_addstr(sb, eol);
        }
        strbuf_addstr(sb, eol);
        seed = seed * 1103515245u + 12345u;
    }
}

static const char *const mixed[] = {
    "word",  "Қазақ", "тілі", "漢字", "かな", "👍🏽", "e\xcc\x81", "🇰🇿", "👩‍👩‍👧",
    "naïve", "x"};

/* Loads path both ways and checks they agree: bytes, paragraphs (and pieces), title, notice. */
static void check_same(const char *path)
{
    Text *eager, *lazy;
    Diag d = {0};
    cr_assert_eq(text_load(path, 0, &eager, &d), 0, "%s", d.msg);
    cr_assert_eq(text_open(path, 0, &lazy, &d), 0, "%s", d.msg);
    cr_assert(!text_complete(lazy), "a file over 1 MiB is read in steps");
    cr_assert_lt(text_len(lazy), text_len(eager));
    cr_assert_str_eq(text_title(lazy), text_title(eager));
    /* what is known while loading is a prefix of the whole, and never changes */
    size_t known = text_paragraph_count(lazy);
    cr_assert_gt(known, 0);
    Span *early = malloc(known * sizeof *early);
    for (size_t i = 0; i < known; i++)
        early[i] = text_paragraph(lazy, i);
    while (!text_load_step(lazy)) {
    }
    cr_assert_eq(text_len(lazy), text_len(eager));
    cr_assert(!memcmp(text_bytes(lazy), text_bytes(eager), text_len(eager) + 1));
    cr_assert_eq(text_paragraph_count(lazy), text_paragraph_count(eager));
    for (size_t i = 0; i < text_paragraph_count(eager); i++) {
        Span a = text_paragraph(lazy, i), b = text_paragraph(eager, i);
        cr_assert(a.start == b.start && a.end == b.end, "paragraph %zu", i);
        cr_assert_eq(text_paragraph_joined(lazy, i), text_paragraph_joined(eager, i));
        if (i < known) cr_assert(early[i].start == a.start && early[i].end == a.end);
    }
    cr_assert_eq(text_encoding(lazy), text_encoding(eager));
    cr_assert_eq(text_replacements(lazy), text_replacements(eager));
    for (size_t off = 0; off < text_len(eager); off += 99991) {
        while ((text_bytes(eager)[off] & 0xc0) == 0x80) /* a code point's start */
            off++;
        cr_assert_eq(text_source_offset(lazy, off), text_source_offset(eager, off));
    }
    free(early);
    text_free(lazy);
    text_free(eager);
}

Test(lazy, a_clean_story_read_in_steps_is_the_story_read_at_once)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 9 << 20, mixed, sizeof mixed / sizeof *mixed, "\n");
    char *path = write_temp(sb.buf, sb.len);
    check_same(path);
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

Test(lazy, a_bom_and_a_sequence_cut_by_every_step_end)
{
    /* 3-byte characters after a BOM and one ASCII byte: step ends fall inside sequences */
    static const char *const cjk[] = {"漢字", "かな", "中文", "x漢"};
    Strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "\xef\xbb\xbf");
    make_story(&sb, 6 << 20, cjk, 4, "\n");
    char *path = write_temp(sb.buf, sb.len);
    check_same(path);
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

/* Clean for megabytes, then something to clean: the rest is cleaned, the prefix is kept. */
Test(lazy, dirt_found_late_is_cleaned_and_the_prefix_keeps_its_offsets)
{
    static const char *const tails[] = {"bad \xff byte", "crlf\r\nline", "cut \xe2\x82"};
    for (size_t k = 0; k < 3; k++) {
        Strbuf sb = STRBUF_INIT;
        make_story(&sb, 5 << 20, mixed, sizeof mixed / sizeof *mixed, "\n");
        strbuf_addstr(&sb, tails[k]);
        make_story(&sb, 6 << 20, mixed, sizeof mixed / sizeof *mixed, k == 1 ? "\r\n" : "\n");
        if (k == 2) strbuf_addstr(&sb, "\xf0\x9f"); /* and a sequence the end cuts */
        char *path = write_temp(sb.buf, sb.len);
        check_same(path);
        Text *t;
        Diag d = {0};
        cr_assert_eq(text_open(path, 0, &t, &d), 0);
        text_load_all(t);
        if (k != 1) /* invalid bytes are told; CRLF is just another way to end lines */
            cr_assert(text_notice(t) && strstr(text_notice(t), "not valid UTF-8"));
        else
            cr_assert_null(text_notice(t));
        text_free(t);
        unlink(path);
        free(path);
        strbuf_release(&sb);
    }
}

/* Windows-1251 after an ASCII prefix is converted as text_load does; after a UTF-8 prefix with
 * letters in it, it cannot be (those offsets were handed out), so it is read as UTF-8. */
Test(lazy, a_legacy_encoding_found_late)
{
    static const char *const ascii[] = {"plain", "ascii", "words"};
    static const char *const cp1251[] = {"\xcf\xf0\xe8\xe2\xe5\xf2", "\xec\xe8\xf0"};
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 2 << 20, ascii, 3, "\n");
    make_story(&sb, 4 << 20, cp1251, 2, "\n");
    char *path = write_temp(sb.buf, sb.len);
    check_same(path);
    unlink(path);
    free(path);

    Strbuf sb2 = STRBUF_INIT;
    make_story(&sb2, 2 << 20, mixed, sizeof mixed / sizeof *mixed, "\n");
    make_story(&sb2, 4 << 20, cp1251, 2, "\n");
    path = write_temp(sb2.buf, sb2.len);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0);
    size_t shown = text_len(t);
    uint8_t *prefix = malloc(shown);
    memcpy(prefix, text_bytes(t), shown);
    text_load_all(t);
    cr_assert_eq(text_encoding(t), TEXT_UTF8);
    cr_assert(!memcmp(text_bytes(t), prefix, shown));
    cr_assert_gt(text_replacements(t), 0);
    free(prefix);
    text_free(t);
    unlink(path);
    free(path);
    strbuf_release(&sb);
    strbuf_release(&sb2);
}

/* The file shrinks while being read (an editor truncating it): the story ends there. */
Test(lazy, a_file_that_shrinks_while_read_ends_early)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 8 << 20, mixed, sizeof mixed / sizeof *mixed, "\n");
    char *path = write_temp(sb.buf, sb.len);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0);
    cr_assert_eq(truncate(path, 3 << 20), 0);
    text_load_all(t);
    cr_assert(text_complete(t));
    cr_assert_leq(text_len(t), (size_t)3 << 20);
    cr_assert_geq(text_len(t), ((size_t)3 << 20) - 4); /* a last sequence may be cut */
    Span last = text_paragraph(t, text_paragraph_count(t) - 1);
    cr_assert_leq(last.end, text_len(t));
    cr_assert(text_shrank(t));
    cr_assert(text_notice(t) && strstr(text_notice(t), "shrank while open"), "%s",
              text_notice(t) ? text_notice(t) : "no notice");
    text_free(t);
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

/* The same for a file being cleaned into a scratch file (CRLF): the cleaning ends where the
 * file now ends, and says so; no SIGBUS. */
Test(lazy, a_file_being_cleaned_that_shrinks_ends_early)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 8 << 20, mixed, sizeof mixed / sizeof *mixed, "\r\n");
    char *path = write_temp(sb.buf, sb.len);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0);
    cr_assert_eq(truncate(path, 3 << 20), 0);
    text_load_all(t);
    cr_assert(text_complete(t));
    cr_assert_leq(text_len(t), (size_t)3 << 20);
    cr_assert_geq(text_len(t), ((size_t)3 << 20) * 9 / 10); /* CR LF became LF */
    cr_assert_null(memchr(text_bytes(t), '\r', text_len(t)));
    cr_assert(text_shrank(t));
    cr_assert(text_notice(t) && strstr(text_notice(t), "shrank while open"), "%s",
              text_notice(t) ? text_notice(t) : "no notice");
    text_free(t);
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

/* Cut short after it was all read, while its end is on the screen: the part cut off reads as
 * NUL bytes, its last partial page (a copy) too, the process lives, and the story says what
 * happened. */
Test(lazy, a_file_cut_short_after_it_was_read_reads_as_nul_bytes)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 8 << 20, mixed, sizeof mixed / sizeof *mixed, "\n");
    if (sb.len % 4096 == 0) strbuf_addstr(&sb, "The end.\n"); /* a partial last page */
    char *path = write_temp(sb.buf, sb.len);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0);
    text_load_all(t);
    cr_assert(!text_shrank(t));
    cr_assert_eq(truncate(path, 1 << 20), 0);
    const volatile uint8_t *b = text_bytes(t);
    cr_assert_eq(b[6 << 20], 0);
    cr_assert_eq(b[1000], (uint8_t)sb.buf[1000]);
    cr_assert(text_shrank(t));
    cr_assert_eq(text_len(t), sb.len);
    cr_assert_neq(sb.buf[sb.len - 2], 0);
    cr_assert_eq(b[sb.len - 2], 0, "the last page, copied when mapped, is cut off too");
    cr_assert_eq(b[sb.len], 0, "and the NUL after the story stays");
    text_free(t);
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

/* A clean story is used where the file is mapped: reading all of a 64 MiB one costs its
 * paragraph list (short paragraphs here: 24 bytes for each of about 220,000), not a copy. */
Test(lazy, a_clean_story_is_not_copied_into_memory)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 64 << 20, mixed, sizeof mixed / sizeof *mixed, "\n");
    char *path = write_temp(sb.buf, sb.len);
    strbuf_release(&sb);
    long before = rss_anon_kb();
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0);
    text_load_all(t);
    cr_assert(text_clean_as_read(t));
    long grew = rss_anon_kb() - before;
    /* a copy would be 64 MiB; the paragraph list is about 6 (more under ASan's allocator) */
    cr_assert_lt(grew, 32 << 10, "memory grew by %ld KiB for a 64 MiB story", grew);
    text_free(t);
    unlink(path);
    free(path);
}

/* A mapped story read whole (loaded, fingerprinted, indexed) holds a step of its file's pages at
 * a time, not the file: 64 MiB read leaves well under 16 MiB of it resident, and an index build
 * (two threads, each reading its half; then the line count) holds under 40 at its peak. */
Test(lazy, a_mapped_story_read_whole_does_not_stay_in_memory)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 64 << 20, mixed, sizeof mixed / sizeof *mixed, "\n");
    char *path = write_temp(sb.buf, sb.len);
    uint64_t want = hash_bytes(sb.buf, sb.len, 0);
    strbuf_release(&sb);
    long before = rss_file_kb();
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0);
    text_load_all(t);
    long grew = rss_file_kb() - before;
    cr_assert_lt(grew, 16 << 10, "loading left %ld KiB of the file resident", grew);
    cr_assert_eq(text_content_hash(t), want, "the fingerprint is hash_bytes of the text");
    grew = rss_file_kb() - before;
    cr_assert_lt(grew, 16 << 10, "hashing left %ld KiB of the file resident", grew);
    Sampler *s = sampler_start("RssFile:");
    Index *ix = index_build(t, 2, NULL);
    grew = sampler_stop(s) - before;
    cr_assert(ix);
    cr_assert_lt(grew, 40 << 10, "indexing held %ld KiB of the file at its peak", grew);
    index_free(ix);
    text_free(t);
    unlink(path);
    free(path);
}

/* Counting a mapped story's pages (the reader's "page N of M", in idle steps) lays it all out
 * once, and holds a step of it, not the file. */
Test(lazy, counting_the_pages_of_a_mapped_story_does_not_keep_it_in_memory)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 64 << 20, mixed, sizeof mixed / sizeof *mixed, "\n");
    char *path = write_temp(sb.buf, sb.len);
    strbuf_release(&sb);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0);
    text_load_all(t);
    long before = rss_file_kb();
    LayoutOptions opt = {.width = 60};
    Pager *p = pager_new(t, &opt);
    while (!pager_count_step(p, 64)) {
    }
    size_t top, rows;
    cr_assert(pager_row_index(p, &top, &rows));
    cr_assert_gt(rows, (size_t)100000);
    long grew = rss_file_kb() - before;
    cr_assert_lt(grew, 16 << 10, "counting left %ld KiB of the file resident", grew);
    pager_free(p);
    text_free(t);
    unlink(path);
    free(path);
}

/* Over the old 256 MiB limit (a sparse 16 GB file): it opens at once, with its title and first
 * paragraph, and G finds its last line from the tail, without reading what lies between. */
Test(lazy, a_16_gb_file_opens_and_shows_its_end)
{
    char *path = write_temp("The Long Book\n\nIt begins here.\n", 32);
    off_t size = (off_t)16 << 30;
    const char *end = "\nIt ends here.\n";
    int fd = open(path, O_WRONLY);
    cr_assert(fd >= 0);
    cr_assert_eq(ftruncate(fd, size), 0);
    cr_assert_eq(pwrite(fd, end, strlen(end), size - (off_t)strlen(end)), (ssize_t)strlen(end));
    close(fd);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0, "%s", d.msg);
    cr_assert_str_eq(text_title(t), "The Long Book");
    cr_assert_eq(text_len_estimate(t), (size_t)size);
    cr_assert(text_paragraph_ready(t, 1));
    Span p1 = text_paragraph(t, 1);
    cr_assert_eq(memcmp(text_bytes(t) + p1.start, "It begins here.", 15), 0);
    LayoutOptions opt = {.width = 60};
    Pager *p = pager_new(t, &opt);
    pager_go_last(p, 5);
    cr_assert_eq(pager_percent(p, 5), 100);
    cr_assert(!text_complete(t));
    size_t base;
    const uint8_t *tail = pager_bytes(p, &base);
    cr_assert_gt(base, (size_t)15 << 30, "the end is shown from the file's tail");
    size_t top = pager_top_offset(p);
    cr_assert(memmem(tail + (top - base), (size_t)size - top, "It ends here.", 13));
    pager_free(p);
    text_free(t);
    unlink(path);
    free(path);
}

/* A file that needs cleaning and for which no scratch file can be made is cleaned into memory
 * only up to the limit given; the story ends at a line end before it, and says so. */
Test(lazy, cleaning_a_big_file_without_a_scratch_file_stops_at_the_copy_limit)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 3 << 20, mixed, sizeof mixed / sizeof *mixed, "\n");
    sb.buf[(2 << 20) + 100] = '\r'; /* dirt after the first steps */
    char *path = write_temp(sb.buf, sb.len);
    Text *t;
    Diag d = {0};
    TextOpenOptions opt = {.max_bytes = (size_t)5 << 19, .scratch_dir = "/nonexistent/lector"};
    cr_assert_eq(text_open_with(path, &opt, &t, &d), 0, "%s", d.msg);
    text_load_all(t);
    cr_assert_leq(text_len(t), (size_t)5 << 19);
    cr_assert_geq(text_len(t), ((size_t)5 << 19) - 4096);
    cr_assert_eq(text_bytes(t)[text_len(t) - 1], '\n');
    cr_assert_eq(memcmp(text_bytes(t), sb.buf, (2 << 20) + 100), 0);
    cr_assert(text_notice(t) && strstr(text_notice(t), "only the first 2 MiB shown"), "%s",
              text_notice(t) ? text_notice(t) : "no notice");
    text_free(t);
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

/* With a scratch file, the same file has no limit: it is cleaned whole, in steps, and reads as
 * text_load reads it at once (bytes, paragraphs, source offsets). */
Test(lazy, a_dirty_file_over_the_copy_limit_is_cleaned_whole_into_a_scratch_file)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 3 << 20, mixed, sizeof mixed / sizeof *mixed, "\r\n");
    sb.buf[(2 << 20) + 100] = '\xff';
    char *path = write_temp(sb.buf, sb.len);
    Text *t, *eager;
    Diag d = {0};
    TextOpenOptions opt = {.max_bytes = (size_t)5 << 19, .scratch_dir = "/tmp"};
    cr_assert_eq(text_open_with(path, &opt, &t, &d), 0, "%s", d.msg);
    cr_assert_eq(text_load(path, 0, &eager, &d), 0, "%s", d.msg);
    text_load_all(t);
    cr_assert_eq(text_len(t), text_len(eager));
    cr_assert(!memcmp(text_bytes(t), text_bytes(eager), text_len(t) + 1));
    cr_assert_eq(text_paragraph_count(t), text_paragraph_count(eager));
    cr_assert_eq(text_replacements(t), text_replacements(eager));
    cr_assert_gt(text_replacements(t), 0);
    cr_assert_str_eq(text_notice(t), text_notice(eager));
    size_t crlf, cr, crlf_eager, cr_eager; /* every CR LF counted once, in steps as at once */
    text_line_ends_cleaned(t, &crlf, &cr);
    text_line_ends_cleaned(eager, &crlf_eager, &cr_eager);
    cr_assert(crlf == crlf_eager && cr == cr_eager && crlf > 1000 && cr == 0,
              "%zu/%zu CR LF, %zu/%zu CR", crlf, crlf_eager, cr, cr_eager);
    for (size_t off = 0; off < text_len(t); off += 7919) {
        while ((text_bytes(t)[off] & 0xc0) == 0x80)
            off++;
        cr_assert_eq(text_source_offset(t, off), text_source_offset(eager, off));
    }
    text_free(eager);
    text_free(t);
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

/* Cleaning a big file holds a piece of it, not the story: a 64 MiB file with CRLF line ends
 * and bad bytes, read whole, holds well under 16 MiB of anonymous memory at its peak (its
 * paragraph list and checkpoints, and a piece being cleaned; a copy would be 64), and leaves
 * under 16 MiB of either file resident. */
Test(lazy, cleaning_a_big_file_holds_a_piece_of_it)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 64 << 20, mixed, sizeof mixed / sizeof *mixed, "\r\n");
    for (size_t at = 1 << 20; at < sb.len; at += 5 << 20)
        sb.buf[at] = '\xff';
    char *path = write_temp(sb.buf, sb.len);
    strbuf_release(&sb);
    long anon0 = rss_anon_kb(), file0 = rss_file_kb();
    Sampler *s = sampler_start("RssAnon:");
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0, "%s", d.msg);
    text_load_all(t);
    long anon = sampler_stop(s) - anon0, file = rss_file_kb() - file0;
    cr_assert_gt(text_len(t), (size_t)60 << 20);
    cr_assert_geq(text_replacements(t), 13);
#ifndef UNDER_ASAN
    cr_assert_lt(anon, 16 << 10, "cleaning held %ld KiB", anon);
#else
    (void)anon;
#endif
    cr_assert_lt(file, 16 << 10, "cleaning left %ld KiB of the files resident", file);
    text_free(t);
    unlink(path);
    free(path);
}

/* The pieces of a paragraph tile it, are at most 64 KiB, and all but the first are joined. */
static void check_pieces(const Text *t, size_t first, size_t last)
{
    for (size_t i = first; i <= last; i++) {
        Span s = text_paragraph(t, i);
        cr_assert_leq(s.end - s.start, (size_t)64 << 10, "piece %zu is %zu bytes", i,
                      s.end - s.start);
        cr_assert_eq(text_paragraph_joined(t, i), i > first);
        if (i > first) {
            Span prev = text_paragraph(t, i - 1);
            const uint8_t *b = text_bytes(t);
            /* contiguous: nothing but a line end between two pieces */
            cr_assert(s.start == prev.end || (s.start == prev.end + 1 && b[prev.end] == '\n'),
                      "gap between pieces %zu and %zu", i - 1, i);
        }
    }
}

Test(lazy, a_long_paragraph_is_cut_at_line_ends_then_spaces_then_clusters)
{
    Strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "Title\n\n");
    for (int i = 0; i < 20000; i++) /* many short lines, no blank one */
        strbuf_addstr(&sb, "a line of verse\n");
    strbuf_addstr(&sb, "\n");
    for (int i = 0; i < 40000; i++) /* one line of words */
        strbuf_addstr(&sb, "word ");
    strbuf_addstr(&sb, "\n\n");
    size_t clusters_at = sb.len;
    for (int i = 0; i < 60000; i++) /* one line, no space: e + combining acute, flags */
        strbuf_addstr(&sb, i % 3 ? "e\xcc\x81" : "\xf0\x9f\x87\xb0\xf0\x9f\x87\xbf");
    Text *t = text_from_bytes(sb.buf, sb.len, "long.txt");
    cr_assert_str_eq(text_title(t), "Title");
    size_t n = text_paragraph_count(t), verse_end = 1, words_end;
    while (verse_end + 1 < n && text_paragraph_joined(t, verse_end + 1))
        verse_end++;
    check_pieces(t, 1, verse_end);
    cr_assert_gt(verse_end, 1);
    for (size_t i = 1; i < verse_end; i++) /* verse is cut at its line ends */
        cr_assert_eq(text_bytes(t)[text_paragraph(t, i).end], '\n');
    words_end = verse_end + 1;
    while (words_end + 1 < n && text_paragraph_joined(t, words_end + 1))
        words_end++;
    check_pieces(t, verse_end + 1, words_end);
    cr_assert_gt(words_end, verse_end + 1);
    for (size_t i = verse_end + 1; i < words_end; i++) /* words after a space */
        cr_assert_eq(text_bytes(t)[text_paragraph(t, i).end - 1], ' ');
    check_pieces(t, words_end + 1, n - 1);
    cr_assert_gt(n - 1, words_end + 1);
    /* clusters: every cut is a cluster boundary, walking clusters from the line's start */
    size_t at = clusters_at;
    for (size_t i = words_end + 1; i < n; i++) {
        Span s = text_paragraph(t, i);
        while (at < s.end)
            at += grapheme_next(text_bytes(t) + at, text_len(t) - at);
        cr_assert_eq(at, s.end, "piece %zu ends inside a cluster", i);
    }
    text_free(t);
    strbuf_release(&sb);
}

/* Pieces read as one paragraph: no blank row between them, and rows step back and forth
 * across the cut. */
Test(lazy, the_pager_shows_pieces_without_a_gap)
{
    Strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 30000; i++)
        strbuf_addstr(&sb, "word ");
    strbuf_addstr(&sb, "\n\nend\n");
    Text *t = text_from_bytes(sb.buf, sb.len, NULL);
    cr_assert_gt(text_paragraph_count(t), 3);
    LayoutOptions opt = {.width = 40};
    Pager *p = pager_new(t, &opt);
    size_t total = 0, gaps = 0;
    PagerRow row;
    do {
        cr_assert_eq(pager_rows(p, 1, &row), 1);
        gaps += row.gap;
        total++;
    } while (pager_scroll(p, 1, 1) == 1);
    cr_assert_eq(gaps, 1, "one gap, before \"end\"; %zu", gaps);
    size_t back = 0;
    while (pager_scroll(p, -1, 1) == -1)
        back++;
    cr_assert_eq(back + 1, total);
    while (!pager_count_step(p, 1000)) {
    }
    size_t top, rows;
    cr_assert(pager_row_index(p, &top, &rows));
    cr_assert_eq(rows, total);
    pager_free(p);
    text_free(t);
    strbuf_release(&sb);
}

/* The rows on the page, as text, with the story offset of the top row. */
static char *page_text(Pager *p, int rows, size_t *top)
{
    PagerRow r[64];
    int n = pager_rows(p, rows, r);
    size_t base;
    const uint8_t *b = pager_bytes(p, &base);
    Strbuf sb = STRBUF_INIT;
    for (int k = 0; k < n; k++) {
        if (!r[k].gap) strbuf_add(&sb, b + r[k].line.start, r[k].line.end - r[k].line.start);
        strbuf_addch(&sb, '|');
    }
    *top = pager_top_offset(p);
    return strbuf_detach(&sb, NULL);
}

/* path opened in steps and known clean throughout (as an index of the file would say), with a
 * pager over it at opt's width, on place `at` (a window when it is far). */
static Pager *windowed(const char *path, const LayoutOptions *opt, size_t at, Text **t)
{
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, t, &d), 0, "%s", d.msg);
    text_set_clean_throughout(*t);
    Pager *p = pager_new(*t, opt);
    pager_set_top_offset(p, at);
    return p;
}

/* p's page of rows rows is q's (the whole story's): its top and its text. */
static void assert_same_page(Pager *p, Pager *q, int rows, const char *what, int k)
{
    size_t at_p, at_q;
    char *a = page_text(p, rows, &at_p), *b = page_text(q, rows, &at_q);
    cr_assert_eq(at_p, at_q, "%s, page %d: top %zu, not %zu", what, k, at_p, at_q);
    cr_assert_str_eq(a, b, "%s, page %d", what, k);
    free(a);
    free(b);
}

/* The pager reads a big story only as far as it is asked to show; G shows the end from the
 * file's tail at once, and the rows there and above are the story's rows. */
Test(lazy, paging_reads_only_what_is_shown_and_g_reads_the_tail)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 40 << 20, mixed, sizeof mixed / sizeof *mixed, "\n");
    char *path = write_temp(sb.buf, sb.len);
    Text *t, *whole;
    Diag d = {0};
    cr_assert_eq(text_open(path, 0, &t, &d), 0);
    cr_assert_eq(text_load(path, 0, &whole, &d), 0);
    LayoutOptions opt = {.width = 60};
    Pager *p = pager_new(t, &opt), *q = pager_new(whole, &opt);
    for (int k = 0; k < 200; k++)
        pager_scroll(p, 22, 23);
    cr_assert(!text_complete(t));
    cr_assert_lt(text_len(t), (size_t)10 << 20);
    cr_assert_lt(pager_percent(p, 23), 50);

    pager_go_last(p, 23);
    pager_go_last(q, 23);
    cr_assert(!text_complete(t), "G reads the tail, not the whole story");
    cr_assert_eq(pager_percent(p, 23), 100);
    /* up, page by page, across the tail's first row and on into the story */
    size_t base;
    pager_bytes(p, &base);
    cr_assert_gt(base, 0, "the end is shown from the tail");
    for (int k = 0; k < 250; k++) {
        size_t at_p, at_q;
        char *a = page_text(p, 23, &at_p), *b = page_text(q, 23, &at_q);
        cr_assert_eq(at_p, at_q, "page %d up: top at %zu, not %zu", k, at_p, at_q);
        cr_assert_str_eq(a, b, "page %d up", k);
        cr_assert_eq(pager_percent(p, 23), pager_percent(q, 23));
        free(a);
        free(b);
        cr_assert_eq(pager_scroll(p, -23, 23), pager_scroll(q, -23, 23));
    }
    pager_bytes(p, &base);
    cr_assert_eq(base, 0, "above the tail, the story itself is shown");

    /* G again, then the tail is left for the story when it is all read: the same top row */
    Text *t2;
    cr_assert_eq(text_open(path, 0, &t2, &d), 0);
    Pager *p2 = pager_new(t2, &opt);
    pager_go_last(p2, 23);
    pager_scroll(p2, -5, 23);
    size_t before = pager_top_offset(p2), after;
    while (!pager_count_step(p2, 1000)) {
    }
    cr_assert(text_complete(t2));
    cr_assert_eq(pager_top_offset(p2), before);
    size_t top, total;
    cr_assert(pager_row_index(p2, &top, &total));
    char *a = page_text(p2, 23, &after), *b;
    pager_set_top_offset(q, before);
    b = page_text(q, 23, &after);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    pager_free(p2);
    text_free(t2);

    pager_free(p);
    pager_free(q);
    text_free(t);
    text_free(whole);
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

/* A place far into a story still being read (a search's match, a jump) is shown from a window
 * of the file around it, not by reading up to it; its rows, down past the window's end and up
 * past its start, are the story's rows, and so are they once the story is all read. */
Test(lazy, a_far_place_is_shown_from_a_window_whose_rows_are_the_storys)
{
    Strbuf sb = STRBUF_INIT;
    make_story(&sb, 40 << 20, mixed, sizeof mixed / sizeof *mixed, "\n");
    char *path = write_temp(sb.buf, sb.len);
    Text *whole;
    Diag d = {0};
    cr_assert_eq(text_load(path, 0, &whole, &d), 0);
    LayoutOptions opt = {.width = 60};
    Pager *q = pager_new(whole, &opt);
    /* a word's offset 30 MB in, not a row's start: the row holding it goes on top */
    size_t at = (size_t)30 << 20;
    while (text_bytes(whole)[at] != ' ')
        at++;
    at++;
    pager_set_top_offset(q, at);
    /* not known clean throughout (a byte to clean before the place would move it): loaded up
     * to it, no window */
    Text *t0;
    cr_assert_eq(text_open(path, 0, &t0, &d), 0);
    Pager *p0 = pager_new(t0, &opt);
    pager_set_top_offset(p0, at);
    size_t base0;
    pager_bytes(p0, &base0);
    cr_assert_eq(base0, 0);
    cr_assert_geq(text_len(t0), at);
    cr_assert_eq(pager_top_offset(p0), pager_top_offset(q));
    pager_free(p0);
    text_free(t0);
    for (int dir = 1; dir >= -1; dir -= 2) {
        Text *t;
        Pager *p = windowed(path, &opt, at, &t);
        pager_set_top_offset(q, at);
        cr_assert(!text_complete(t));
        cr_assert_lt(text_len(t), (size_t)10 << 20, "a window, not the story read up to it");
        size_t base;
        pager_bytes(p, &base);
        cr_assert_gt(base, (size_t)29 << 20);
        cr_assert_eq(pager_top_offset(p), pager_top_offset(q));
        /* 300 pages of 23 rows: past the window's 192 KiB after the place (or its 64 before);
         * 64 rows drawn, so that drawing leaves the window before a scroll does */
        for (int k = 0; k < 300; k++) {
            assert_same_page(p, q, 64, dir > 0 ? "down" : "up", k);
            cr_assert_eq(pager_percent(p, 23), pager_percent(q, 23));
            cr_assert_eq(pager_scroll(p, 23 * dir, 23), pager_scroll(q, 23 * dir, 23));
        }
        pager_bytes(p, &base);
        cr_assert_eq(base, 0, "out of the window, the story itself is shown");
        pager_free(p);
        text_free(t);
    }
    /* a few rows before a window's last: the percent of the page's end, and a jump to a percent
     * whose byte starts a row, as in the whole story */
    {
        Text *t3;
        Pager *p3 = windowed(path, &opt, at, &t3);
        size_t base0, b, lo = at, hi = at + (256 << 10); /* the window's end: in [lo, hi) */
        pager_bytes(p3, &base0);
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            pager_set_top_offset(p3, at); /* the same window again */
            pager_set_top_offset(p3, mid);
            pager_bytes(p3, &b);
            if (b == base0)
                lo = mid;
            else
                hi = mid;
        }
        /* a percent whose byte is the start of a row */
        pager_set_top_offset(q, at + (100 << 10));
        size_t row = pager_top_offset(q), len = text_len(whole);
        double pct = 100.0 * (double)row / (double)len;
        pager_go_percent(p3, pct, 23);
        pager_go_percent(q, pct, 23);
        pager_bytes(p3, &b);
        cr_assert_gt(b, 0, "a window");
        cr_assert_eq(pager_top_offset(p3), pager_top_offset(q), "%.6f%%: %zu, not %zu", pct,
                     pager_top_offset(p3), pager_top_offset(q));
        pager_free(p3);
        text_free(t3);
        /* pages whose last row is near the window's last, one of them on it (the percent looks
         * one row further without leaving the window) */
        for (long back = 20; back <= 24; back++) {
            pager_set_top_offset(q, lo);
            pager_scroll(q, -back, 23);
            p3 = windowed(path, &opt, at, &t3); /* the window, then a place in it */
            pager_set_top_offset(p3, pager_top_offset(q));
            pager_bytes(p3, &b);
            cr_assert_eq(b, base0, "the same window");
            cr_assert_eq(pager_percent(p3, 23), pager_percent(q, 23), "%ld rows back", back);
            cr_assert_eq(pager_top_percent(p3, 23), pager_top_percent(q, 23), "%ld back", back);
            pager_free(p3);
            text_free(t3);
        }
    }
    /* the window is left for the story once that is all read: the same top row */
    Text *t;
    Pager *p = windowed(path, &opt, at, &t);
    pager_set_top_offset(q, at);
    size_t base;
    pager_bytes(p, &base);
    cr_assert_gt(base, 0);
    while (!pager_count_step(p, 1000)) {
    }
    pager_bytes(p, &base);
    cr_assert_eq(base, 0);
    assert_same_page(p, q, 23, "read whole", 0);
    pager_free(p);
    text_free(t);

    pager_free(q);
    text_free(whole);
    unlink(path);
    free(path);
    strbuf_release(&sb);
}

/* A story of about size bytes of lines of words from mixed[]: paragraphs of min to max bytes
 * (pieces past 64 KiB) between blank lines, or with blank = false one paragraph of lines. */
static void make_shaped_story(Strbuf *sb, size_t size, size_t min, size_t max, bool blank)
{
    unsigned seed = 11;
    size_t nwords = sizeof mixed / sizeof *mixed;
    while (sb->len < size) {
        seed = seed * 1103515245u + 12345u;
        size_t want = min + (seed >> 8) % (max - min + 1), start = sb->len;
        while (sb->len - start < want) {
            for (int w = 0; w < 9; w++) {
                seed = seed * 1103515245u + 12345u;
                strbuf_addstr(sb, mixed[(seed >> 8) % nwords]);
                strbuf_addch(sb, w < 8 ? ' ' : '\n');
            }
        }
        if (blank) strbuf_addch(sb, '\n');
    }
}

/* Windows begin and end only at a paragraph's start and end, so that their rows are the
 * story's whatever its shape: paragraphs of 10 to 250 KiB (in pieces), or no blank line at all
 * (then no window: the story is loaded up to the place). At each of several far places: the
 * page, 40 pages down, and a percent jump from there, as in the whole story. */
Test(lazy, windows_keep_the_storys_rows_whatever_its_paragraphs)
{
    for (int shape = 0; shape < 2; shape++) {
        Strbuf sb = STRBUF_INIT;
        if (shape == 0)
            make_shaped_story(&sb, 40 << 20, 10 << 10, 250 << 10, true);
        else
            make_shaped_story(&sb, 40 << 20, 40 << 20, 40 << 20, false);
        char *path = write_temp(sb.buf, sb.len);
        Text *whole;
        Diag d = {0};
        cr_assert_eq(text_load(path, 0, &whole, &d), 0);
        LayoutOptions opt = {.width = 60};
        Pager *q = pager_new(whole, &opt);
        for (size_t k = 0; k < 5; k++) {
            size_t at = (size_t)(24 + 3 * k) << 20;
            Text *t;
            Pager *p = windowed(path, &opt, at, &t);
            pager_set_top_offset(q, at);
            size_t base;
            pager_bytes(p, &base);
            if (shape == 1) cr_assert_eq(base, 0, "no blank line: no window");
            char what[48];
            snprintf(what, sizeof what, "shape %d, place %zu", shape, k);
            for (int page = 0; page < 40; page++) {
                assert_same_page(p, q, 64, what, page);
                cr_assert_eq(pager_percent(p, 23), pager_percent(q, 23));
                cr_assert_eq(pager_scroll(p, 23, 23), pager_scroll(q, 23, 23));
            }
            pager_go_percent(p, 70 + 5.5 * (double)k, 23);
            pager_go_percent(q, 70 + 5.5 * (double)k, 23);
            cr_assert_eq(pager_top_offset(p), pager_top_offset(q), "shape %d: to %.1f%%", shape,
                         70 + 5.5 * (double)k);
            pager_free(p);
            text_free(t);
        }
        pager_free(q);
        text_free(whole);
        unlink(path);
        free(path);
        strbuf_release(&sb);
    }
}

/* A story whose paragraphs begin with U+FEFF (a zero-width no-break space inside a story, a
 * byte-order mark only at a file's start): G's tail and a far window would begin with it, and a
 * Text made of them would drop it as a mark, its offsets three off the story's. No such
 * shortcut then: the end and the far place are the story's own rows. */
Test(lazy, a_tail_or_window_beginning_with_feff_is_not_taken)
{
    Strbuf sb = STRBUF_INIT;
    strbuf_addstr(&sb, "Title\n\n");
    while (sb.len < (20u << 20))
        strbuf_addstr(&sb, "\xef\xbb\xbf"
                           "A paragraph that begins with a zero-width space.\n\n");
    char *path = write_temp(sb.buf, sb.len);
    Text *whole;
    Diag d = {0};
    cr_assert_eq(text_load(path, 0, &whole, &d), 0);
    LayoutOptions opt = {.width = 60};
    Pager *q = pager_new(whole, &opt);
    Text *t;
    Pager *p = windowed(path, &opt, 0, &t);
    pager_go_last(p, 23);
    pager_go_last(q, 23);
    assert_same_page(p, q, 23, "G", 0);
    pager_free(p);
    text_free(t);
    size_t at = (size_t)18 << 20;
    p = windowed(path, &opt, at, &t);
    pager_set_top_offset(q, at);
    assert_same_page(p, q, 23, "far", 0);
    pager_free(p);
    text_free(t);
    pager_free(q);
    text_free(whole);
    unlink(path);
    free(path);
    strbuf_release(&sb);
}
