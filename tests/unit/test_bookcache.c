/* The book cache (bookcache.h): an imported book's text and structure kept on disk and read
 * back as they were; a cache file that is not exactly right is a miss, never trusted; the second
 * open of a book reads the cache, not the book; and a book's places follow its content (state.h):
 * a moved book keeps them, and a place whose text moved far (another import) is found again. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lector/bookcache.h"
#include "lector/cache.h"
#include "lector/state.h"
#include "lector/strbuf.h"
#include "lector/text.h"

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/lector-bookcache-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cache[300];
    snprintf(cache, sizeof cache, "%s/cache", dir);
    setenv("LECTOR_CACHE_DIR", cache, 1);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    unsetenv("LECTOR_CACHE_DIR");
}

TestSuite(bookcache, .init = setup, .fini = teardown);

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    Strbuf b = STRBUF_INIT;
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_add(&b, buf, got);
    fclose(f);
    *len = b.len;
    return strbuf_detach(&b, NULL);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static const char TEXT[] = "The Road\n\nThe road ran east.\n\nThe River\n\nThe river was wide.\n";

static BookCacheEntry sample_entry(void)
{
    static Chapter ch[2];
    ch[0] = (Chapter){"The Road", 1, 0};
    ch[1] = (Chapter){"The River \\ with\nno newline", 2, 30};
    return (BookCacheEntry){.format = IMPORT_FB2,
                            .compression = "gzip",
                            .title = "Дала \x1b]0;x",
                            .author = "A\\B",
                            .notice = "one line\nand another",
                            .chapters = ch,
                            .nchapters = 2};
}

/* The sample written as the cache file of a book whose bytes are src: its key and file out. */
static BookCacheEntry write_sample(const char *src, BookKey *k, Strbuf *file)
{
    bookcache_key(src, strlen(src), 0, k);
    cr_assert_eq(bookcache_file(k, file), 0);
    BookCacheEntry w = sample_entry();
    cr_assert_eq(bookcache_write(file->buf, k, (const uint8_t *)TEXT, strlen(TEXT), &w), 0);
    return w;
}

Test(bookcache, round_trip_keeps_every_field)
{
    BookKey k;
    Strbuf file = STRBUF_INIT;
    BookCacheEntry w = write_sample("the book file's bytes", &k, &file);
    BookCacheEntry r;
    int fd = -1;
    cr_assert_eq(bookcache_read(file.buf, &k, &r, &fd), 0);
    cr_assert_geq(fd, 0);
    cr_assert_eq(r.text_len, strlen(TEXT));
    char back[sizeof TEXT];
    cr_assert_eq(pread(fd, back, r.text_len + 1, 0), (ssize_t)r.text_len + 1);
    cr_assert_eq(memcmp(back, TEXT, r.text_len), 0);
    cr_assert_eq(back[r.text_len], 0, "the text is followed by a NUL, as a mapped story is");
    close(fd);
    cr_assert_eq(r.format, IMPORT_FB2);
    cr_assert_str_eq(r.compression, "gzip");
    cr_assert_str_eq(r.title, w.title);
    cr_assert_str_eq(r.author, w.author);
    cr_assert_null(r.language);
    cr_assert_str_eq(r.notice, w.notice);
    cr_assert_eq(r.nchapters, 2);
    cr_assert_str_eq(r.chapters[1].title, w.chapters[1].title);
    cr_assert_eq(r.chapters[1].level, 2);
    cr_assert_eq(r.chapters[1].offset, 30);
    bookcache_entry_release(&r);

    /* another book (other bytes) has another file, and this file is not its */
    BookKey other;
    bookcache_key("another book", 12, 0, &other);
    cr_assert_neq(other.name, k.name);
    cr_assert_eq(bookcache_read(file.buf, &other, &r, &fd), -1);
    /* nor the same bytes under a name that tells the importers otherwise (a.md), though their
     * places are the same book's */
    const char *src = "the book file's bytes";
    bookcache_key(src, strlen(src), import_name_traits("a.md"), &other);
    cr_assert_neq(other.name, k.name);
    cr_assert_eq(other.content, k.content);
    cr_assert_eq(bookcache_read(file.buf, &other, &r, &fd), -1);
    strbuf_release(&file);
}

/* Each damage, made to a good file, makes it a miss. */
Test(bookcache, any_damage_is_a_miss)
{
    BookKey k;
    Strbuf file = STRBUF_INIT;
    write_sample("bytes", &k, &file);
    size_t len;
    char *good = read_file(file.buf, &len);
    static const struct {
        const char *from, *to;
    } edits[] = {
        {"lector-book 1", "lector-book 2"},             /* another format */
        {"format 2", "format 9"},                       /* no such format */
        {"chapter 2 30 ", "chapter 2 99 "},             /* past the text */
        {"chapter 2 30 ", "chapter 0 30 "},             /* no such level */
        {"compression gzip", "compression lzip"},       /* not one of ours */
        {"author A\\\\B", "author A\\xB"},              /* a bad escape */
        {"\xd0\x94\xd0\xb0", "\xd0\x94\xd0"},           /* not UTF-8 */
        {"\nlector-book-end 0", "\nlector-book-end f"}, /* longer than the file */
        {"text ", "txet "},                             /* an unknown line */
    };
    for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
        char *at = memmem(good, len, edits[i].from, strlen(edits[i].from));
        cr_assert_not_null(at, "%s", edits[i].from);
        Strbuf bad = STRBUF_INIT;
        strbuf_add(&bad, good, (size_t)(at - good));
        strbuf_addstr(&bad, edits[i].to);
        size_t rest = (size_t)(at - good) + strlen(edits[i].from);
        strbuf_add(&bad, good + rest, len - rest);
        write_file(file.buf, bad.buf, bad.len);
        BookCacheEntry r;
        int fd;
        cr_expect_eq(bookcache_read(file.buf, &k, &r, &fd), -1, "%s -> %s read", edits[i].from,
                     edits[i].to);
        strbuf_release(&bad);
    }
    for (size_t cut = 1; cut < len; cut += 7) { /* truncated anywhere */
        write_file(file.buf, good, len - cut);
        BookCacheEntry r;
        int fd;
        cr_expect_eq(bookcache_read(file.buf, &k, &r, &fd), -1, "cut by %zu read", cut);
    }
    write_file(file.buf, good, len); /* and the good one still reads: the edits were the cause */
    BookCacheEntry r;
    int fd;
    cr_assert_eq(bookcache_read(file.buf, &k, &r, &fd), 0);
    close(fd);
    bookcache_entry_release(&r);
    free(good);
    strbuf_release(&file);
}

/* An FB2 of n sections of paragraphs that each say their number (so that any 24 bytes of the
 * text are found once). */
static void write_fb2(const char *path, int sections, int paras)
{
    Strbuf b = STRBUF_INIT;
    strbuf_addstr(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?><FictionBook><description>"
                      "<title-info><author><first-name>Aigerim</first-name><last-name>Sadyk"
                      "</last-name></author><book-title>The Steppe</book-title></title-info>"
                      "</description><body>");
    for (int s = 0; s < sections; s++) {
        strbuf_addf(&b, "<section><title><p>Part %d</p></title>", s + 1);
        for (int p = 0; p < paras; p++)
            strbuf_addf(&b,
                        "<p>Paragraph %d of part %d: the steppe was wide and the road ran "
                        "east.</p>",
                        p, s + 1);
        strbuf_addstr(&b, "</section>");
    }
    strbuf_addstr(&b, "</body></FictionBook>");
    write_file(path, b.buf, b.len);
    strbuf_release(&b);
}

static void cache_file_of(const char *book, Strbuf *out)
{
    size_t len;
    char *bytes = read_file(book, &len);
    BookKey k;
    bookcache_key(bytes, len, import_name_traits(book), &k);
    cr_assert_eq(bookcache_file(&k, out), 0);
    free(bytes);
}

/* The same bytes named a.md and a.html are two books (Markdown's stars are its markup, HTML's
 * text), whichever is opened first; and a.md.gz names Markdown too. */
Test(bookcache, the_same_bytes_under_two_kinds_of_name_are_two_books)
{
    const char body[] = "Some *emph* here and <b>bold</b> there.\n";
    const char *names[] = {"a.html", "a.md", "a.html", "a.md"};
    for (size_t k = 0; k < 4; k++) {
        char path[300];
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        write_file(path, body, sizeof body - 1);
        Text *t;
        Diag d = {0};
        cr_assert_eq(text_load(path, 0, &t, &d), 0, "%s", d.msg);
        bool stars = memmem(text_bytes(t), text_len(t), "*emph*", 6) != NULL;
        cr_assert_eq(stars, names[k][2] == 'h', "%s (%zu)", names[k], k);
        cr_assert_null(memmem(text_bytes(t), text_len(t), "<b>", 3), "%s", names[k]);
        text_free(t);
    }
    cr_assert_eq(import_name_traits("a.md.gz"), import_name_traits("a.md") << 2);
    cr_assert_eq(import_name_traits("a.txt"), 0);
    cr_assert_eq(import_name_traits("notes.md/a.txt"), 0, "a folder's name is not the file's");
    cr_assert_neq(import_name_traits("a.HTM"), 0);
}

Test(bookcache, the_second_open_reads_the_cache)
{
    char book[300];
    snprintf(book, sizeof book, "%s/steppe.fb2", dir);
    write_fb2(book, 3, 4);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_load(book, 0, &t, &d), 0, "%s", d.msg);
    cr_assert_neq(text_source_key(t), 0);
    Strbuf file = STRBUF_INIT;
    cache_file_of(book, &file);
    struct stat st;
    cr_assert_eq(stat(file.buf, &st), 0, "the import was kept as %s", file.buf);

    /* the cache's text, changed (same length): the next open shows the change, so it read the
     * cache and not the book */
    size_t len;
    char *cached = read_file(file.buf, &len);
    char *at = memmem(cached, len, "the steppe was wide", 19);
    cr_assert_not_null(at);
    memcpy(at, "THE STEPPE WAS WIDE", 19);
    write_file(file.buf, cached, len);
    free(cached);
    for (int lazy = 0; lazy < 2; lazy++) {
        Text *c;
        cr_assert_eq(lazy ? text_open_with(book, NULL, &c, &d) : text_load(book, 0, &c, &d), 0,
                     "%s", d.msg);
        text_load_all(c);
        cr_assert_not_null(memmem(text_bytes(c), text_len(c), "THE STEPPE", 10));
        cr_assert_eq(text_len(c), text_len(t));
        cr_assert_str_eq(text_title(c), text_title(t));
        cr_assert_str_eq(text_author(c), text_author(t));
        cr_assert_str_eq(text_format(c), "FB2");
        cr_assert_eq(text_source_key(c), text_source_key(t));
        cr_assert_eq(text_chapter_count(c), text_chapter_count(t));
        for (size_t i = 0; i < text_chapter_count(t); i++) {
            cr_assert_str_eq(text_chapter(c, i).title, text_chapter(t, i).title);
            cr_assert_eq(text_chapter(c, i).offset, text_chapter(t, i).offset);
        }
        cr_assert_eq(text_paragraph_count(c), text_paragraph_count(t));
        text_free(c);
    }
    /* a cache file that is damaged is imported again, and replaced */
    truncate(file.buf, 10);
    Text *again;
    cr_assert_eq(text_load(book, 0, &again, &d), 0, "%s", d.msg);
    cr_assert_null(memmem(text_bytes(again), text_len(again), "THE STEPPE", 10));
    cr_assert_eq(text_len(again), text_len(t));
    cr_assert_eq(stat(file.buf, &st), 0);
    cr_assert_gt(st.st_size, (off_t)text_len(t));
    text_free(again);
    text_free(t);
    strbuf_release(&file);
}

Test(bookcache, a_moved_book_keeps_its_place)
{
    char book[300], moved[300], sdir[300];
    snprintf(book, sizeof book, "%s/steppe.fb2", dir);
    snprintf(moved, sizeof moved, "%s/renamed.fb2", dir);
    snprintf(sdir, sizeof sdir, "%s/state", dir);
    write_fb2(book, 2, 3);
    Diag d = {0};
    StateStore *s = state_open(sdir, &d);
    cr_assert_not_null(s, "%s", d.msg);
    Text *t;
    cr_assert_eq(text_load(book, 0, &t, &d), 0, "%s", d.msg);
    StoryState st;
    state_init(&st);
    const char *p = memmem(text_bytes(t), text_len(t), "Paragraph 2 of part 2", 21);
    cr_assert_not_null(p);
    st.offset = (size_t)(p - (const char *)text_bytes(t));
    st.marks[0] = 5;
    cr_assert_eq(state_save(s, book, t, &st, &d), 0, "%s", d.msg);
    text_free(t);
    cr_assert_eq(rename(book, moved), 0);

    Text *m;
    cr_assert_eq(text_load(moved, 0, &m, &d), 0, "%s", d.msg);
    StoryState back;
    cr_assert_eq(state_load(s, moved, m, &back, &d), 1, "found by the book's content");
    cr_assert_eq(back.offset, st.offset);
    cr_assert_eq(back.marks[0], 5);
    text_free(m);
    state_close(s);
}

/* A place whose text is now far from where it was (a newer lector that imports the book
 * otherwise: notes moved, a header dropped) is found in the whole book. */
Test(bookcache, a_place_is_found_anywhere_in_a_book)
{
    char book[300], sdir[300];
    snprintf(book, sizeof book, "%s/big.fb2", dir);
    snprintf(sdir, sizeof sdir, "%s/state", dir);
    write_fb2(book, 10, 400); /* ~300 KB of text */
    Diag d = {0};
    StateStore *s = state_open(sdir, &d);
    cr_assert_not_null(s, "%s", d.msg);
    Text *t;
    cr_assert_eq(text_open_with(book, NULL, &t, &d), 0, "%s", d.msg);
    text_load_all(t);
    cr_assert_gt(text_len(t), 250000);
    const char *p = memmem(text_bytes(t), text_len(t), "Paragraph 10 of part 2:", 23);
    cr_assert_not_null(p);
    size_t at = (size_t)(p - (const char *)text_bytes(t));
    StoryState st;
    state_init(&st);
    st.offset = at;
    cr_assert_eq(state_save(s, book, t, &st, &d), 0, "%s", d.msg);

    /* the saved offset, moved 200 KB on, as another import would have put it */
    Strbuf sfile = STRBUF_INIT;
    strbuf_addf(&sfile, "%s/book-%016llx.state", sdir, (unsigned long long)text_source_key(t));
    size_t len;
    char *data = read_file(sfile.buf, &len);
    char old[32];
    snprintf(old, sizeof old, "offset %zu ", at);
    char *o = strstr(data, old);
    cr_assert_not_null(o, "%s", data);
    Strbuf edited = STRBUF_INIT;
    strbuf_add(&edited, data, (size_t)(o - data));
    strbuf_addf(&edited, "offset %zu ", at + 200000);
    strbuf_addstr(&edited, o + strlen(old));
    write_file(sfile.buf, edited.buf, edited.len);
    StoryState back;
    cr_assert_eq(state_load(s, book, t, &back, &d), 1);
    cr_assert_eq(back.offset, at);
    free(data);
    strbuf_release(&edited);
    strbuf_release(&sfile);
    text_free(t);
    state_close(s);
}

/* A book's index cache is kept by its content: a copy under another name uses it (touched, not
 * built again); a plain story's is kept by its path. */
Test(bookcache, a_moved_book_keeps_its_index)
{
    char book[300], moved[300], idir[300];
    snprintf(book, sizeof book, "%s/steppe.fb2", dir);
    snprintf(moved, sizeof moved, "%s/copy.fb2", dir);
    snprintf(idir, sizeof idir, "%s/index", dir);
    write_fb2(book, 3, 5);
    Diag d = {0};
    IndexCache *c = cache_open(idir, &d);
    cr_assert_not_null(c, "%s", d.msg);
    Index *ix;
    Text *t;
    CacheReport r = {0};
    cr_assert_eq(cache_index(c, book, 1, 0, &ix, &t, &r, &d), 0, "%s", d.msg);
    cr_assert_eq(r.outcome, CACHE_NEW);
    index_free(ix);
    if (t) text_free(t);
    size_t len;
    char *bytes = read_file(book, &len);
    write_file(moved, bytes, len); /* another file (inode, name), the same book */
    free(bytes);
    cr_assert_eq(cache_index(c, moved, 1, 0, &ix, &t, &r, &d), 0, "%s", d.msg);
    cr_assert_eq(r.outcome, CACHE_TOUCHED, "outcome %d", (int)r.outcome);
    index_free(ix);
    if (t) text_free(t);
    cache_close(c);
}
