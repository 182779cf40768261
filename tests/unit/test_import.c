/* Books in, stories out: EPUB (nav and NCX), FB2, HTML, Markdown, Project Gutenberg text and
 * compression (import.h), and the bad input each must survive. Books are built here, in memory,
 * with libarchive's writer, so that every byte of each is in this file. */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unistr.h>

#include "lector/import.h"
#include "lector/layout.h"
#include "lector/strbuf.h"
#include "lector/text.h"

typedef struct {
    const char *name;
    const char *data;
    size_t len; /* 0: strlen(data) */
} Member;

/* A zip (format_zip) or a single compressed stream (filter, format raw) of the members. */
static uint8_t *make_archive(bool zip, const char *filter, const Member *m, size_t n, size_t *len)
{
    size_t total = 1 << 20;
    for (size_t i = 0; i < n; i++)
        total += m[i].len ? m[i].len / 64 : strlen(m[i].data) * 2;
    uint8_t *buf = malloc(total);
    struct archive *a = archive_write_new();
    cr_assert_eq(zip ? archive_write_set_format_zip(a) : archive_write_set_format_raw(a),
                 ARCHIVE_OK);
    if (filter) cr_assert_eq(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK, "%s", filter);
    size_t used = 0;
    cr_assert_eq(archive_write_open_memory(a, buf, total, &used), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        size_t k = m[i].len ? m[i].len : strlen(m[i].data);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_size(e, (la_int64_t)k);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s", archive_error_string(a));
        cr_assert_eq(archive_write_data(a, m[i].data, k), (la_ssize_t)k);
        archive_entry_free(e);
    }
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    *len = used;
    return buf;
}

static const char *CONTAINER =
    "<?xml version=\"1.0\"?><container version=\"1.0\" "
    "xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles><rootfile "
    "full-path=\"OEBPS/content.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles>"
    "</container>";

static const char *OPF =
    "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">"
    "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>The Steppe Book</dc:title>"
    "<dc:creator>Aigerim Sadyk</dc:creator><dc:language>kk</dc:language></metadata><manifest>"
    "<item id=\"c1\" href=\"text/one.xhtml\" media-type=\"application/xhtml+xml\"/>"
    "<item id=\"c2\" href=\"text/two%20words.xhtml\" media-type=\"application/xhtml+xml\"/>"
    "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>"
    "<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>"
    "</manifest><spine toc=\"ncx\"><itemref idref=\"c1\"/><itemref idref=\"c2\"/></spine>"
    "</package>";

static const char *ONE =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><html xmlns=\"http://www.w3.org/1999/xhtml\" "
    "xmlns:epub=\"http://www.idpf.org/2007/ops\"><head><title>One</title><style>p{}</style>"
    "</head><body><section id=\"road\"><h2>The Road</h2><p>The road ran   east\nacross the "
    "steppe.</p><p>A verse:<br/>first line<br/>second line</p><ul><li>apples</li><li>pears</li>"
    "</ul><p>A note<a href=\"#n1\">1</a>.</p><aside epub:type=\"footnote\" id=\"n1\"><p>The "
    "footnote text.</p></aside><img src=\"h.png\" alt=\"a horse\"/><script>var secret;</script>"
    "</section></body></html>";

static const char *TWO =
    "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>Before the heading.</p>"
    "<h2 id=\"river\">The River</h2><p>The river was wide &amp; cold.</p><pre>code  line\n"
    "  indented</pre></body></html>";

static const char *NAV =
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">"
    "<body><nav epub:type=\"landmarks\"><ol><li><a href=\"text/one.xhtml\">Start</a></li></ol>"
    "</nav><nav epub:type=\"toc\"><ol><li><a href=\"text/one.xhtml#road\">One: The Road</a><ol>"
    "<li><a href=\"text/two%20words.xhtml#river\">Two: The River</a></li></ol></li></ol></nav>"
    "</body></html>";

static const char *NCX =
    "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\"><navMap><navPoint id=\"a\"><navLabel>"
    "<text>NCX One</text></navLabel><content src=\"text/one.xhtml\"/></navPoint><navPoint "
    "id=\"b\"><navLabel><text>NCX Two</text></navLabel><content "
    "src=\"text/two%20words.xhtml#river\"/></navPoint></navMap></ncx>";

/* Every book's invariants: valid UTF-8, NUL-terminated; chapters ascending, in range, each at a
 * paragraph's start, with levels from 1. */
static void check_book(const ImportedBook *b)
{
    cr_assert_not_null(b->text);
    cr_assert_eq(b->text[b->len], 0);
    if (b->text_is_clean) {
        cr_assert_null(u8_check(b->text, b->len), "the text is not valid UTF-8");
        cr_assert_null(memchr(b->text, '\r', b->len));
    }
    for (size_t i = 0; i < b->nchapters; i++) {
        const Chapter *c = &b->chapters[i];
        cr_assert_lt(c->offset, b->len);
        if (i) cr_assert_geq(c->offset, b->chapters[i - 1].offset);
        cr_assert(c->offset == 0 || (c->offset >= 2 && b->text[c->offset - 1] == '\n' &&
                                     b->text[c->offset - 2] == '\n'),
                  "chapter %zu is not at a paragraph start", i);
        cr_assert_geq(c->level, 1);
        cr_assert_null(u8_check((const uint8_t *)c->title, strlen(c->title)));
    }
}

static bool has(const ImportedBook *b, const char *s)
{
    return strstr((const char *)b->text, s) != NULL;
}

/* The text at a chapter's offset starts with prefix. */
static void chapter_at(const ImportedBook *b, size_t i, const char *title, const char *prefix)
{
    cr_assert_lt(i, b->nchapters);
    cr_assert_str_eq(b->chapters[i].title, title);
    cr_assert(!strncmp((const char *)b->text + b->chapters[i].offset, prefix, strlen(prefix)),
              "chapter %zu starts with '%.30s', not '%s'", i,
              (const char *)b->text + b->chapters[i].offset, prefix);
}

static uint8_t *epub_with(const Member *extra, size_t nextra, bool nav, size_t *len)
{
    Member m[16] = {
        {"mimetype", "application/epub+zip", 0}, {"META-INF/container.xml", CONTAINER, 0},
        {"OEBPS/content.opf", OPF, 0},           {"OEBPS/text/one.xhtml", ONE, 0},
        {"OEBPS/text/two words.xhtml", TWO, 0},  {"OEBPS/toc.ncx", NCX, 0},
    };
    size_t n = 6;
    if (nav) m[n++] = (Member){"OEBPS/nav.xhtml", NAV, 0};
    for (size_t i = 0; i < nextra; i++)
        m[n++] = extra[i];
    return make_archive(true, NULL, m, n, len);
}

Test(import, an_epub_3_book_with_its_navigation_document)
{
    size_t len;
    uint8_t *zip = epub_with(NULL, 0, true, &len);
    cr_assert(import_wanted(zip, len, "x.epub"));
    ImportedBook b;
    Diag d = {0};
    cr_assert_eq(import_bytes(zip, len, "steppe.epub", NULL, &b, &d), 0, "%s", d.msg);
    check_book(&b);
    cr_assert_eq(b.format, IMPORT_EPUB);
    cr_assert_str_eq(b.title, "The Steppe Book");
    cr_assert_str_eq(b.author, "Aigerim Sadyk");
    cr_assert_str_eq(b.language, "kk");
    /* the nav's toc (not its landmarks), nested, each at its anchor's paragraph */
    cr_assert_eq(b.nchapters, 2);
    chapter_at(&b, 0, "One: The Road", "The Road\n\nThe road ran east across the steppe.");
    chapter_at(&b, 1, "Two: The River", "The River\n\nThe river was wide & cold.");
    cr_assert_eq(b.chapters[0].level, 1);
    cr_assert_eq(b.chapters[1].level, 2);
    cr_assert(has(&b, "A verse:\nfirst line\nsecond line\n\n"), "%s", b.text);
    cr_assert(has(&b, "• apples\n• pears"));
    cr_assert(has(&b, "[image: a horse]"));
    cr_assert(has(&b, "code  line\n  indented"), "pre kept verbatim");
    /* the footnote leaves its place and follows its document, numbered */
    cr_assert(has(&b, "[1] The footnote text.\n\nBefore the heading."), "%s", b.text);
    cr_assert(!has(&b, "secret") && !has(&b, "p{}") && !has(&b, "One\n"), "script, style, title");
    cr_assert_null(b.notice);
    import_book_release(&b);
    free(zip);
}

Test(import, an_epub_2_book_with_only_an_ncx)
{
    size_t len;
    uint8_t *zip = epub_with(NULL, 0, false, &len);
    ImportedBook b;
    Diag d = {0};
    cr_assert_eq(import_bytes(zip, len, "steppe.epub", NULL, &b, &d), 0, "%s", d.msg);
    check_book(&b);
    cr_assert_eq(b.nchapters, 2);
    chapter_at(&b, 0, "NCX One", "The Road");
    chapter_at(&b, 1, "NCX Two", "The River");
    import_book_release(&b);
    free(zip);
}

Test(import, a_missing_part_is_a_notice_and_the_rest_is_read)
{
    /* the spine names a document the archive does not hold */
    const char *opf = "<package><metadata><title>Gap</title></metadata><manifest><item id=\"a\" "
                      "href=\"a.xhtml\"/><item id=\"b\" href=\"gone.xhtml\"/></manifest><spine>"
                      "<itemref idref=\"a\"/><itemref idref=\"b\"/></spine></package>";
    Member m[] = {{"META-INF/container.xml",
                   "<container><rootfiles><rootfile full-path=\"p.opf\"/>"
                   "</rootfiles></container>",
                   0},
                  {"p.opf", opf, 0},
                  {"a.xhtml", "<html><body><p>Here <b>unclosed <i>markup</p><h1>Next</body>", 0}};
    size_t len;
    uint8_t *zip = make_archive(true, NULL, m, 3, &len);
    ImportedBook b;
    Diag d = {0};
    cr_assert_eq(import_bytes(zip, len, "gap.epub", NULL, &b, &d), 0, "%s", d.msg);
    check_book(&b);
    cr_assert(has(&b, "Here unclosed markup"), "%s", b.text);
    cr_assert(has(&b, "Next"));
    cr_assert_not_null(b.notice);
    cr_assert(strstr(b.notice, "1 part of the book could not be read"), "%s", b.notice);
    import_book_release(&b);
    free(zip);
}

Test(import, an_encrypted_epub_is_refused_saying_so)
{
    const char *enc =
        "<encryption xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\" "
        "xmlns:enc=\"http://www.w3.org/2001/04/xmlenc#\"><enc:EncryptedData><enc:EncryptionMethod "
        "Algorithm=\"http://www.w3.org/2001/04/xmlenc#aes128-cbc\"/><enc:CipherData>"
        "<enc:CipherReference URI=\"OEBPS/text/one.xhtml\"/></enc:CipherData></enc:EncryptedData>"
        "</encryption>";
    Member extra[] = {{"META-INF/encryption.xml", enc, 0}};
    size_t len;
    uint8_t *zip = epub_with(extra, 1, true, &len);
    ImportedBook b;
    Diag d = {0};
    cr_assert_eq(import_bytes(zip, len, "drm.epub", NULL, &b, &d), -1);
    cr_assert(strstr(d.msg, "encrypted (DRM)"), "%s", d.msg);
    cr_assert_null(b.text);
    free(zip);
    /* obfuscated fonts alone are not DRM */
    const char *fonts =
        "<encryption><EncryptedData><EncryptionMethod "
        "Algorithm=\"http://www.idpf.org/2008/embedding\"/></EncryptedData></encryption>";
    Member font_extra[] = {{"META-INF/encryption.xml", fonts, 0}};
    zip = epub_with(font_extra, 1, true, &len);
    cr_assert_eq(import_bytes(zip, len, "fonts.epub", NULL, &b, &d), 0, "%s", d.msg);
    import_book_release(&b);
    free(zip);
}

Test(import, no_external_entity_or_dtd_is_ever_read)
{
    const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE html [<!ENTITY leak SYSTEM "
                      "\"file:///etc/passwd\"><!ENTITY % remote SYSTEM \"http://127.0.0.1:9/x\">"
                      "%remote;]><html><body><p>before &leak; after</p></body></html>";
    const char *fb2 = "<?xml version=\"1.0\"?><!DOCTYPE FictionBook [<!ENTITY leak SYSTEM "
                      "\"file:///etc/passwd\">]><FictionBook><body><section><p>x &leak; y</p>"
                      "</section></body></FictionBook>";
    Member m[] = {{"mimetype", "application/epub+zip", 0},
                  {"META-INF/container.xml", CONTAINER, 0},
                  {"OEBPS/content.opf", OPF, 0},
                  {"OEBPS/text/one.xhtml", xxe, 0},
                  {"OEBPS/text/two words.xhtml", TWO, 0}};
    size_t len;
    uint8_t *zip = make_archive(true, NULL, m, 5, &len);
    ImportedBook b;
    Diag d = {0};
    cr_assert_eq(import_bytes(zip, len, "xxe.epub", NULL, &b, &d), 0, "%s", d.msg);
    check_book(&b);
    cr_assert(has(&b, "before") && has(&b, "after"), "%s", b.text);
    cr_assert(!has(&b, "root:"), "/etc/passwd was read: %s", b.text);
    import_book_release(&b);
    cr_assert_eq(import_bytes((const uint8_t *)fb2, strlen(fb2), "xxe.fb2", NULL, &b, &d), 0);
    cr_assert(has(&b, "x") && !has(&b, "root:"), "%s", b.text);
    import_book_release(&b);
    free(zip);
}

Test(import, a_billion_laughs_is_not_expanded)
{
    Strbuf x = STRBUF_INIT;
    strbuf_addstr(&x, "<?xml version=\"1.0\"?><!DOCTYPE FictionBook [<!ENTITY lol \"lol\">");
    strbuf_addstr(&x, "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">");
    for (int i = 2; i <= 9; i++)
        strbuf_addf(&x,
                    "<!ENTITY lol%d \"&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;"
                    "&lol%d;&lol%d;\">",
                    i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    strbuf_addstr(&x, "]><FictionBook><body><section><p>laugh &lol9; end</p></section></body>"
                      "</FictionBook>");
    ImportedBook b;
    Diag d = {0};
    int rc = import_bytes((const uint8_t *)x.buf, x.len, "lol.fb2", NULL, &b, &d);
    if (rc == 0) {
        check_book(&b);
        cr_assert_lt(b.len, 4096, "entities expanded into %zu bytes", b.len);
        import_book_release(&b);
    }
    strbuf_release(&x);
}

Test(import, archive_member_names_never_touch_the_file_system)
{
    char dir[] = "/tmp/lector-import-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char cwd[4096];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/a", dir);
    cr_assert_eq(mkdir(sub, 0700), 0);
    cr_assert_eq(chdir(sub), 0);
    Member m[] = {{"mimetype", "application/epub+zip", 0},
                  {"META-INF/container.xml",
                   "<container><rootfiles><rootfile full-path=\"../evil.opf\"/></rootfiles>"
                   "</container>",
                   0},
                  {"../evil.opf", OPF, 0},
                  {"/tmp/lector-abs-evil", "x", 0},
                  {"nul\xc0\x80name", "y", 0},
                  {"OEBPS/text/one.xhtml", ONE, 0}};
    size_t len;
    uint8_t *zip = make_archive(true, NULL, m, 6, &len);
    ImportedBook b;
    Diag d = {0};
    int rc = import_bytes(zip, len, "evil.epub", NULL, &b, &d);
    if (rc == 0) import_book_release(&b);
    struct stat st;
    cr_assert_neq(stat("../evil.opf", &st), 0, "a member was written outside");
    cr_assert_neq(stat("evil.opf", &st), 0);
    cr_assert_neq(stat("/tmp/lector-abs-evil", &st), 0, "an absolute member was written");
    cr_assert_eq(chdir(cwd), 0);
    rmdir(sub);
    rmdir(dir);
    free(zip);
}

static char *zeros(size_t n)
{
    return calloc(1, n);
}

Test(import, a_zip_bomb_stops_at_the_limit_with_a_message)
{
    size_t big = 40 << 20; /* 40 MiB of zeros: some 40 KB deflated */
    char *z = zeros(big);
    Member m[] = {{"mimetype", "application/epub+zip", 0},
                  {"META-INF/container.xml", CONTAINER, 0},
                  {"OEBPS/text/one.xhtml", z, big}};
    size_t len;
    uint8_t *zip = make_archive(true, NULL, m, 3, &len);
    cr_assert_lt(len, 1 << 20);
    ImportedBook b;
    Diag d = {0};
    cr_assert_eq(import_bytes(zip, len, "bomb.epub", NULL, &b, &d), -1);
    cr_assert(strstr(d.msg, "compression bomb"), "%s", d.msg);
    /* the absolute cap, for an input whose ratio would pass */
    cr_assert_eq(import_bytes(zip, len, "bomb.epub", &(ImportLimits){.max_bytes = 1 << 20}, &b, &d),
                 -1);
    cr_assert(strstr(d.msg, "more than the 1 MiB limit"), "%s", d.msg);
    free(zip);
    Member raw[] = {{"data", z, big}};
    uint8_t *gz = make_archive(false, "gzip", raw, 1, &len);
    cr_assert_eq(import_bytes(gz, len, "bomb.txt.gz", NULL, &b, &d), -1);
    cr_assert(strstr(d.msg, "compression bomb"), "%s", d.msg);
    free(gz);
    free(z);
}

Test(import, every_compression_by_content_not_by_name)
{
    const char *story = "Steppe Story\n\nChapter 1\n\nThe wind came from the east.\n";
    const char *filters[] = {"gzip", "xz", "bzip2", "zstd"};
    for (size_t i = 0; i < 4; i++) {
        Member m[] = {{"data", story, 0}};
        size_t len;
        uint8_t *c = make_archive(false, filters[i], m, 1, &len);
        cr_assert(import_wanted(c, len, "misnamed.txt"), "%s", filters[i]);
        ImportedBook b;
        Diag d = {0};
        cr_assert_eq(import_bytes(c, len, "misnamed.txt", NULL, &b, &d), 0, "%s: %s", filters[i],
                     d.msg);
        cr_assert_str_eq(b.compression, filters[i]);
        cr_assert_eq(b.len, strlen(story));
        cr_assert_arr_eq(b.text, story, b.len);
        import_book_release(&b);
        /* cut in half: what came out is kept, with a notice */
        if (!strcmp(filters[i], "gzip")) {
            Strbuf big = STRBUF_INIT;
            for (int k = 0; k < 40000; k++)
                strbuf_addf(&big, "Line %d of a long story about the steppe.\n", k);
            Member mb[] = {{"data", big.buf, big.len}};
            uint8_t *g = make_archive(false, "gzip", mb, 1, &len);
            int rc = import_bytes(g, len / 2, "cut.txt.gz", NULL, &b, &d);
            cr_assert_eq(rc, 0, "%s", d.msg);
            cr_assert_gt(b.len, 1000);
            cr_assert_lt(b.len, big.len);
            cr_assert(!memcmp(b.text, big.buf, b.len), "a truncated stream's prefix");
            cr_assert_not_null(b.notice);
            cr_assert(strstr(b.notice, "ends early"), "%s", b.notice);
            import_book_release(&b);
            free(g);
            /* a short story cut inside libarchive's first block: zlib's part is kept */
            strbuf_reset(&big);
            for (int k = 0; k < 40; k++)
                strbuf_addf(&big, "Line %d of a short story.\n", k);
            Member ms[] = {{"data", big.buf, big.len}};
            g = make_archive(false, "gzip", ms, 1, &len);
            rc = import_bytes(g, len * 2 / 3, "small-cut.txt.gz", NULL, &b, &d);
            cr_assert_eq(rc, 0, "%s", d.msg);
            cr_assert_gt(b.len, 20);
            cr_assert_lt(b.len, big.len);
            cr_assert(!memcmp(b.text, big.buf, b.len), "a short truncated stream's prefix");
            cr_assert(b.notice && strstr(b.notice, "ends early"));
            import_book_release(&b);
            free(g);
            strbuf_release(&big);
        }
        free(c);
    }
}

static const char *FB2 =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><FictionBook "
    "xmlns=\"http://www.gribuser.ru/xml/fictionbook/2.0\" xmlns:l=\"http://www.w3.org/1999/xlink\">"
    "<description><title-info><book-title>Степь</book-title><author><first-name>Абай</first-name>"
    "<last-name>Кунанбаев</last-name></author><lang>kk</lang></title-info></description><body>"
    "<title><p>Степь</p></title><section><title><p>Глава 1</p><p>Дорога</p></title><p>Дорога "
    "шла на восток.</p><poem><stanza><v>Первая строка</v><v>Вторая строка</v></stanza></poem>"
    "</section><section><title><p>Глава 2</p></title><epigraph><p>Эпиграф.</p></epigraph><p>Река."
    "</p><section><title><p>Часть 2.1</p></title><p>Внутри.</p></section></section></body><body "
    "name=\"notes\"><section id=\"n1\"><title><p>1</p></title><p>Первая заметка.</p></section>"
    "</body><binary id=\"x\" content-type=\"image/png\">QUJDRA==</binary></FictionBook>";

Test(import, an_fb2_book_with_nested_sections_poems_and_notes)
{
    ImportedBook b;
    Diag d = {0};
    cr_assert(import_wanted((const uint8_t *)FB2, strlen(FB2), "book.fb2"));
    cr_assert_eq(import_bytes((const uint8_t *)FB2, strlen(FB2), "book.fb2", NULL, &b, &d), 0);
    check_book(&b);
    cr_assert_eq(b.format, IMPORT_FB2);
    cr_assert_str_eq(b.title, "Степь");
    cr_assert_str_eq(b.author, "Абай Кунанбаев");
    cr_assert_eq(b.nchapters, 4);
    chapter_at(&b, 0, "Глава 1 Дорога", "Глава 1\nДорога\n\nДорога шла");
    chapter_at(&b, 1, "Глава 2", "Глава 2");
    chapter_at(&b, 2, "Часть 2.1", "Часть 2.1");
    chapter_at(&b, 3, "Notes", "1\n\nПервая заметка.");
    cr_assert_eq(b.chapters[2].level, 2);
    cr_assert_eq(b.chapters[3].level, 1);
    cr_assert(has(&b, "Первая строка\nВторая строка"), "verse lines kept");
    cr_assert(!has(&b, "QUJD"), "binary data is not text");
    import_book_release(&b);
    /* the same, zipped */
    Member m[] = {{"book.fb2", FB2, 0}};
    size_t len;
    uint8_t *zip = make_archive(true, NULL, m, 1, &len);
    cr_assert_eq(import_bytes(zip, len, "book.fb2.zip", NULL, &b, &d), 0, "%s", d.msg);
    cr_assert_eq(b.nchapters, 4);
    import_book_release(&b);
    free(zip);
}

Test(import, html_and_markdown)
{
    const char *html = "<!DOCTYPE html><html lang=\"en\"><head><title>A Page</title><meta "
                       "name=\"author\" content=\"Web Author\"><style>body{}</style></head><body>"
                       "<h1>Intro</h1><p>Hello <b>world</b> &mdash; Қазақ.<script>alert(1)"
                       "</script></p><h2>Part A</h2><p>Text A<p>Unclosed</body>";
    ImportedBook b;
    Diag d = {0};
    cr_assert(import_wanted((const uint8_t *)html, strlen(html), NULL));
    cr_assert_eq(import_bytes((const uint8_t *)html, strlen(html), "p.html", NULL, &b, &d), 0);
    check_book(&b);
    cr_assert_str_eq(b.title, "A Page");
    cr_assert_str_eq(b.author, "Web Author");
    cr_assert_str_eq(b.language, "en");
    cr_assert(has(&b, "Hello world — Қазақ."), "UTF-8 with no charset: %s", b.text);
    cr_assert(!has(&b, "alert") && !has(&b, "body{}"));
    cr_assert_eq(b.nchapters, 2);
    chapter_at(&b, 1, "Part A", "Part A\n\nText A\n\nUnclosed");
    import_book_release(&b);

    const char *md = "# My Notes\n\nSome *emphasis*.\n\n## Section One\n\n- one\n- two\n\n> a "
                     "quote\n\n```\ncode block\n  kept\n```\n\n<script>evil()</script>\n\n"
                     "## Section Two\n\nEnd.\n";
    cr_assert(import_wanted((const uint8_t *)md, strlen(md), "notes.md"));
    cr_assert(!import_wanted((const uint8_t *)md, strlen(md), "notes.txt"), "by its name only");
    cr_assert_eq(import_bytes((const uint8_t *)md, strlen(md), "notes.md", NULL, &b, &d), 0);
    check_book(&b);
    cr_assert_eq(b.format, IMPORT_MARKDOWN);
    cr_assert_str_eq(b.title, "My Notes");
    cr_assert_eq(b.nchapters, 3);
    chapter_at(&b, 2, "Section Two", "Section Two\n\nEnd.");
    cr_assert_eq(b.chapters[1].level, 2);
    cr_assert(has(&b, "• one\n• two"));
    cr_assert(has(&b, "code block\n  kept"));
    cr_assert(!has(&b, "evil"), "raw HTML is left out: %s", b.text);
    import_book_release(&b);
}

static const char *GUTENBERG =
    "The Project Gutenberg eBook of Alice\r\n\r\nTitle: Alice's Adventures in Wonderland\r\n\r\n"
    "Author: Lewis Carroll\r\n\r\nLanguage: English\r\n\r\n*** START OF THE PROJECT GUTENBERG "
    "EBOOK ALICE ***\r\n\r\nCHAPTER I.\r\n\r\nDown the Rabbit-Hole\r\n\r\nAlice was tired.\r\n\r\n"
    "*** END OF THE PROJECT GUTENBERG EBOOK ALICE ***\r\n\r\nThe licence.\r\n";

Test(import, a_gutenberg_book_without_its_header_and_licence)
{
    cr_assert(import_wanted((const uint8_t *)GUTENBERG, strlen(GUTENBERG), "pg11.txt"));
    ImportedBook b;
    Diag d = {0};
    cr_assert_eq(
        import_bytes((const uint8_t *)GUTENBERG, strlen(GUTENBERG), "pg11.txt", NULL, &b, &d), 0);
    cr_assert_eq(b.format, IMPORT_GUTENBERG);
    cr_assert_str_eq(b.title, "Alice's Adventures in Wonderland");
    cr_assert_str_eq(b.author, "Lewis Carroll");
    cr_assert(has(&b, "CHAPTER I.") && has(&b, "Alice was tired."));
    cr_assert(!has(&b, "Project Gutenberg") && !has(&b, "licence") && !has(&b, "Title:"));
    import_book_release(&b);
}

/* The start marker is found wherever it is in the head, in any case, after stars that start no
 * marker, up to its last byte; a head without one is a plain story. */
Test(import, gutenberg_marker_anywhere_in_the_head)
{
    const char *heads[] = {
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***",
        "* ** *** Start of nothing\n** ***x\n*** start of the Project Gutenberg eBook",
        "stars ***\n*** sTaRt Of THE PROJECT GUTENBERG",
    };
    for (size_t i = 0; i < sizeof heads / sizeof *heads; i++)
        cr_assert(import_wanted((const uint8_t *)heads[i], strlen(heads[i]), "x.txt"), "%s",
                  heads[i]);
    const char *plain[] = {"*** START OF THE PROJECT GUTENBER", "*** start of a story\n***",
                           "** start of the Project Gutenberg eBook", ""};
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        cr_assert(!import_wanted((const uint8_t *)plain[i], strlen(plain[i]), "x.txt"), "%s",
                  plain[i]);
    /* the marker's last byte is the head's last: found; one byte short: not */
    const char *m = "xx*** start of the project gutenberg";
    cr_assert(import_wanted((const uint8_t *)m, strlen(m), "x.txt"));
    cr_assert(!import_wanted((const uint8_t *)m, strlen(m) - 1, "x.txt"));
}

/* Books through the story model: text.h imports them and keeps their structure. */
static char *write_temp(const void *data, size_t len, const char *suffix)
{
    char *path = malloc(64);
    snprintf(path, 64, "/tmp/lector-book-XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

Test(import, a_book_opens_as_a_story_with_its_chapters)
{
    size_t len;
    uint8_t *zip = epub_with(NULL, 0, true, &len);
    char *path = write_temp(zip, len, ".epub");
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open_with(path, NULL, &t, &d), 0, "%s", d.msg);
    cr_assert_str_eq(text_title(t), "The Steppe Book");
    cr_assert_str_eq(text_author(t), "Aigerim Sadyk");
    cr_assert_str_eq(text_format(t), "EPUB");
    cr_assert(text_imported(t) && !text_clean_as_read(t));
    cr_assert_eq(text_chapter_count(t), 2);
    Chapter c = text_chapter(t, 1);
    cr_assert_str_eq(c.title, "Two: The River");
    cr_assert(!strncmp((const char *)text_bytes(t) + c.offset, "The River", 9));
    cr_assert_eq(text_chapter_at(t, c.offset), 1);
    cr_assert_eq(text_chapter_at(t, c.offset - 1), 0);
    cr_assert_eq(text_source_width(t), LAYOUT_LINES_MEANT, "a book's line ends are meant");
    text_free(t);
    /* raw: the file as it is (a zip shows as binary) */
    cr_assert_eq(text_open_with(path, &(TextOpenOptions){.raw = true}, &t, &d), 0);
    cr_assert_str_eq(text_format(t), "text");
    cr_assert_eq(text_chapter_count(t), 0);
    text_free(t);
    unlink(path);
    free(path);
    path = write_temp(GUTENBERG, strlen(GUTENBERG), ".txt");
    cr_assert_eq(text_open_with(path, NULL, &t, &d), 0);
    cr_assert_str_eq(text_title(t), "Alice's Adventures in Wonderland");
    cr_assert_eq(text_chapter_count(t), 1, "found in the cleaned text");
    cr_assert_str_eq(text_chapter(t, 0).title, "CHAPTER I: Down the Rabbit-Hole");
    cr_assert(!strstr((const char *)text_bytes(t), "licence"));
    text_free(t);
    cr_assert_eq(text_open_with(path, &(TextOpenOptions){.raw = true}, &t, &d), 0);
    cr_assert(strstr((const char *)text_bytes(t), "licence"), "raw keeps the licence");
    text_free(t);
    unlink(path);
    free(path);
    free(zip);
}

Test(import, a_damaged_zip_is_refused_in_one_line)
{
    size_t len;
    uint8_t *zip = epub_with(NULL, 0, true, &len);
    ImportedBook b;
    Diag d = {0};
    for (size_t cut = 4; cut < len; cut += len / 17 + 1) {
        int rc = import_bytes(zip, cut, "cut.epub", NULL, &b, &d);
        if (rc == 0) {
            check_book(&b);
            import_book_release(&b);
        } else {
            cr_assert(d.msg[0] && !strchr(d.msg, '\n'), "one line: '%s'", d.msg);
        }
    }
    free(zip);
}
