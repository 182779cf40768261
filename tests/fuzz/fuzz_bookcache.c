/* fuzz_bookcache: any bytes as a book cache file (bookcache.h), read back by bookcache_read.
 *
 * The key is fixed (FUZZ_KEY below: a book of 5 bytes) and the seeds are cache files written
 * for it by bookcache_write, so that the fuzzer's changes get past the source check to every
 * other line, the trailer and the chapters.
 *
 * Invariants: bookcache_read returns 0 or -1; on -1 nothing is open (the fd count is unchanged)
 * and nothing is owned; on 0 the fd is open and the file is at least the text long, the text's
 * length is what the trailer says, chapters ascend and lie inside the text with a level from 1,
 * every string is valid UTF-8, and a second read gives the same. Memory: the structure is
 * bounded by BOOKCACHE_MAX_META, and inputs by FUZZ_MAX_INPUT.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unistr.h>

#include "fuzz.h"
#include "lector/bookcache.h"

static const BookKey FUZZ_KEY = {
    .name = 0x1111111111111111ULL, .check = 0x0123456789abcdefULL, .len = 5};

static void check_utf8(const char *s, const char *what)
{
    if (!s) return;
    FUZZ_CHECK(u8_check((const uint8_t *)s, strlen(s)) == NULL, "%s is not valid UTF-8", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) return 0;
    char path[] = "/tmp/fuzz-bookcache-XXXXXX";
    const char *tmp = getenv("TMPDIR");
    char buf[4096];
    snprintf(buf, sizeof buf, "%s/fuzz-bookcache-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int w = mkstemp(buf);
    if (w < 0) {
        w = mkstemp(path);
        FUZZ_CHECK(w >= 0, "no temp file");
        memcpy(buf, path, sizeof path);
    }
    FUZZ_CHECK(write(w, data, size) == (ssize_t)size, "short write");
    close(w);
    int probe = open("/dev/null", O_RDONLY); /* the lowest free fd: a leak shows above it */
    close(probe);
    BookCacheEntry e;
    int fd = -1;
    int rc = bookcache_read(buf, &FUZZ_KEY, &e, &fd);
    FUZZ_CHECK(rc == 0 || rc == -1, "bookcache_read returned %d", rc);
    if (rc != 0) {
        int again = open("/dev/null", O_RDONLY);
        FUZZ_CHECK(again == probe, "a refused file left an fd open (%d, not %d)", again, probe);
        close(again);
        FUZZ_CHECK(e.nchapters == 0 && !e.title && !e.chapters, "a refused file owns nothing");
        unlink(buf);
        return 0;
    }
    FUZZ_CHECK(fd >= 0, "no fd");
    struct stat st;
    FUZZ_CHECK(fstat(fd, &st) == 0 && (size_t)st.st_size > e.text_len, "text of %zu in %jd bytes",
               e.text_len, (intmax_t)st.st_size);
    for (size_t i = 0; i < e.nchapters; i++) {
        FUZZ_CHECK(e.chapters[i].offset < e.text_len, "chapter %zu at %zu of %zu", i,
                   e.chapters[i].offset, e.text_len);
        FUZZ_CHECK(i == 0 || e.chapters[i].offset >= e.chapters[i - 1].offset,
                   "chapter %zu goes back", i);
        FUZZ_CHECK(e.chapters[i].level >= 1, "chapter %zu level %d", i, e.chapters[i].level);
        check_utf8(e.chapters[i].title, "a chapter title");
    }
    check_utf8(e.title, "the title");
    check_utf8(e.author, "the author");
    check_utf8(e.language, "the language");
    check_utf8(e.notice, "the notice");
    BookCacheEntry e2;
    int fd2 = -1;
    FUZZ_CHECK(bookcache_read(buf, &FUZZ_KEY, &e2, &fd2) == 0, "a second read failed");
    FUZZ_CHECK(e2.text_len == e.text_len && e2.nchapters == e.nchapters, "a second read differs");
    close(fd2);
    bookcache_entry_release(&e2);
    close(fd);
    bookcache_entry_release(&e);
    unlink(buf);
    return 0;
}
