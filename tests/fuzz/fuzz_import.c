/* fuzz_import: any bytes as a book, through every importer (import.h).
 *
 * Input: the first byte picks the file's name, and so what its name alone decides (Markdown,
 * HTML): .epub, .fb2, .html, .md, .txt, .gz, .fb2.zip, .xhtml; the rest is the file. Content
 * decides the rest (zip, compression, FB2, HTML, Gutenberg), as it does for a real file. The
 * seeds are real books (make_books.py's, small ones) with their name byte.
 *
 * Built once more per importer (meson.build: fuzz_import_epub, _fb2, _html, _markdown,
 * _gutenberg, _compressed), with FUZZ_IMPORT_NAME fixing the name, so that each run spends its
 * time on one importer; the first byte is then ignored, and the seeds are the same.
 *
 * Invariants: import_bytes returns 0 or -1. On -1, one line in diag and nothing owned. On 0: the
 * text is NUL-terminated; when it says it is clean, valid UTF-8 with no CR; chapters ascend,
 * each inside the text at a paragraph's start, with a level from 1 and a title of valid UTF-8 on
 * one line; metadata is valid UTF-8. Memory: a 4 MiB cap on what a book may expand to.
 */
#include <string.h>
#include <unistr.h>

#include "fuzz.h"
#include "lector/import.h"

static const char *const NAMES[] = {"book.epub", "book.fb2",     "page.html",    "notes.md",
                                    "story.txt", "story.txt.gz", "book.fb2.zip", "ch.xhtml"};

static void check_utf8_line(const char *s, const char *what)
{
    if (!s) return;
    FUZZ_CHECK(u8_check((const uint8_t *)s, strlen(s)) == NULL, "%s is not valid UTF-8", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAX_INPUT) return 0;
#ifdef FUZZ_IMPORT_NAME
    const char *name = FUZZ_IMPORT_NAME;
    (void)NAMES;
#else
    const char *name = NAMES[data[0] % (sizeof NAMES / sizeof *NAMES)];
#endif
    ImportedBook b;
    Diag d = {0};
    ImportLimits lim = {.max_bytes = (size_t)4 << 20};
    int rc = import_bytes(data + 1, size - 1, name, &lim, &b, &d);
    FUZZ_CHECK(rc == 0 || rc == -1, "import_bytes returned %d", rc);
    if (rc != 0) {
        FUZZ_CHECK(d.msg[0] && !strchr(d.msg, '\n'), "a refusal in one line: '%s'", d.msg);
        FUZZ_CHECK(b.text == NULL && b.nchapters == 0, "a refused book owns nothing");
        return 0;
    }
    FUZZ_CHECK(b.text && b.text[b.len] == 0, "the text is NUL-terminated");
    FUZZ_CHECK(b.len <= lim.max_bytes + 4096, "%zu bytes past the cap", b.len);
    if (b.text_is_clean) {
        FUZZ_CHECK(u8_check(b.text, b.len) == NULL, "clean text is valid UTF-8");
        FUZZ_CHECK(memchr(b.text, '\r', b.len) == NULL, "clean text has no CR");
    }
    for (size_t i = 0; i < b.nchapters; i++) {
        const Chapter *c = &b.chapters[i];
        FUZZ_CHECK(c->offset < b.len, "chapter %zu at %zu of %zu", i, c->offset, b.len);
        FUZZ_CHECK(i == 0 || c->offset >= b.chapters[i - 1].offset, "chapter %zu goes back", i);
        FUZZ_CHECK(c->offset == 0 || (c->offset >= 2 && b.text[c->offset - 1] == '\n' &&
                                      b.text[c->offset - 2] == '\n'),
                   "chapter %zu is not at a paragraph start", i);
        FUZZ_CHECK(c->level >= 1 && c->level <= 6, "chapter %zu level %d", i, c->level);
        check_utf8_line(c->title, "a chapter title");
        FUZZ_CHECK(!strchr(c->title, '\n'), "a chapter title on one line");
    }
    check_utf8_line(b.title, "the title");
    check_utf8_line(b.author, "the author");
    check_utf8_line(b.language, "the language");
    import_book_release(&b);
    return 0;
}
