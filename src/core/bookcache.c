/* bookcache.c: the imported text of each book, on disk.
 *
 * File name: "<name>.book", name the 16 hex digits of BookKey.name, in the books folder.
 * Format (the text first, so that text.h maps it as a story from offset 0):
 *   <text>                           the story's clean UTF-8, text_len bytes
 *   NUL                              one byte: a story's text is followed by one (mapfile.h)
 *   lector-book 1                    the format's version (not the importer's: that is in the key)
 *   source <len> <check>             the book file's size and BookKey.check (16 hex digits)
 *   text <text_len>
 *   format <ImportFormat number>
 *   compression <gzip|xz|bzip2|zstd>    when compressed
 *   title <value>                    each of title, author, language, notice when known
 *   chapter <level> <offset> <value> one per chapter, offsets ascending and < text_len
 *   <trailer>                        "\nlector-book-end <16 hex digits: text_len>\n", 34 bytes
 * Every line of the structure ends with '\n'. A value is UTF-8 with '\\' written "\\\\" and a
 * newline "\\n"; nothing else is escaped (titles may hold controls: they are shown escaped, as in
 * any story). Reading checks every line, the trailer against the text's length, the source
 * against the key, and the chapters' range and order; any doubt is a miss.
 */
#include "lector/bookcache.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unistr.h>

#include "lector/atomicfile.h"
#include "lector/hash.h"
#include "lector/xalloc.h"

enum { TRAILER_LEN = 34, MAX_LEVEL = 64 };

void bookcache_key(const void *data, size_t len, uint32_t name_traits, BookKey *k)
{
    k->content = k->name = hash_bytes(data, len, 0x6c6563746f72ULL + BOOKCACHE_IMPORT_VERSION);
    k->check = hash_bytes(data, len, 0x626f6f6bULL ^ ((uint64_t)BOOKCACHE_IMPORT_VERSION << 32));
    k->len = len;
    if (name_traits) { /* 0 (most books) leaves the key as it was before the traits counted */
        uint64_t mix[2] = {k->name, name_traits};
        k->name = hash_bytes(mix, sizeof mix, 0x7472616974ULL);
        mix[0] = k->check;
        k->check = hash_bytes(mix, sizeof mix, 0x636865636bULL);
    }
}

int bookcache_file(const BookKey *k, Strbuf *out)
{
    Strbuf dir = STRBUF_INIT;
    const char *env = getenv("LECTOR_CACHE_DIR"); /* cache.h's folder: the books beside it */
    if (env && *env)
        strbuf_addf(&dir, "%s/books", env);
    else if (atomic_xdg_dir("XDG_CACHE_HOME", ".cache", &dir) == 0)
        strbuf_addstr(&dir, "/books");
    else
        return -1;
    if (atomic_mkdir_p(dir.buf) != 0) {
        strbuf_release(&dir);
        return -1;
    }
    strbuf_addf(out, "%s/%016" PRIx64 ".book", dir.buf, k->name);
    strbuf_release(&dir);
    return 0;
}

void bookcache_entry_release(BookCacheEntry *e)
{
    free(e->title);
    free(e->author);
    free(e->language);
    free(e->notice);
    for (size_t i = 0; i < e->nchapters; i++)
        free(e->chapters[i].title);
    free(e->chapters);
    *e = (BookCacheEntry){0};
}

/* --- writing -------------------------------------------------------------------------------- */

static void add_value(Strbuf *out, const char *key, const char *v)
{
    if (!v) return;
    strbuf_addf(out, "%s ", key);
    for (; *v; v++) {
        if (*v == '\\')
            strbuf_addstr(out, "\\\\");
        else if (*v == '\n')
            strbuf_addstr(out, "\\n");
        else
            strbuf_addch(out, *v);
    }
    strbuf_addch(out, '\n');
}

typedef struct {
    const uint8_t *text;
    size_t len;
    const Strbuf *meta;
} Parts;

static int write_all(int fd, const void *p, size_t n)
{
    const char *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static int fill_parts(int fd, void *ctx)
{
    const Parts *p = ctx;
    return write_all(fd, p->text, p->len) == 0 && write_all(fd, p->meta->buf, p->meta->len) == 0
               ? 0
               : -1;
}

int bookcache_write(const char *file, const BookKey *k, const uint8_t *text, size_t len,
                    const BookCacheEntry *e)
{
    Strbuf meta = STRBUF_INIT;
    strbuf_addch(&meta, '\0');
    strbuf_addf(&meta, "lector-book 1\nsource %zu %016" PRIx64 "\ntext %zu\nformat %d\n", k->len,
                k->check, len, (int)e->format);
    add_value(&meta, "compression", e->compression);
    add_value(&meta, "title", e->title);
    add_value(&meta, "author", e->author);
    add_value(&meta, "language", e->language);
    add_value(&meta, "notice", e->notice);
    for (size_t i = 0; i < e->nchapters; i++) {
        char head[64];
        snprintf(head, sizeof head, "chapter %d %zu", e->chapters[i].level, e->chapters[i].offset);
        add_value(&meta, head, e->chapters[i].title ? e->chapters[i].title : "");
    }
    strbuf_addf(&meta, "\nlector-book-end %016zx\n", len);
    int rc = -1, step;
    if (meta.len - TRAILER_LEN <= BOOKCACHE_MAX_META) {
        Parts p = {text, len, &meta};
        rc = atomic_write_with(file, fill_parts, &p, false, 0, &step);
    } else {
        errno = EFBIG;
    }
    strbuf_release(&meta);
    return rc;
}

/* --- reading -------------------------------------------------------------------------------- */

/* The value after "key " on line, unescaped and checked as UTF-8 into a new string; NULL when
 * malformed. */
static char *take_value(const char *v, size_t n)
{
    Strbuf out = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\\') {
            if (i + 1 == n || (v[i + 1] != '\\' && v[i + 1] != 'n')) goto bad;
            strbuf_addch(&out, v[i + 1] == 'n' ? '\n' : '\\');
            i++;
        } else if (v[i] == '\0') {
            goto bad;
        } else {
            strbuf_addch(&out, v[i]);
        }
    }
    if (u8_check((const uint8_t *)(out.buf ? out.buf : ""), out.len)) goto bad;
    return strbuf_detach(&out, NULL);
bad:
    strbuf_release(&out);
    return NULL;
}

static const char *static_compression(const char *name)
{
    static const char *const known[] = {"gzip", "xz", "bzip2", "zstd"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcmp(name, known[i])) return known[i];
    return NULL;
}

/* Parses the structure meta[0, n) (without the trailer) into e; -1 when anything is off. */
static int parse_meta(const char *meta, size_t n, const BookKey *k, size_t text_len,
                      BookCacheEntry *e)
{
    size_t cap = 0;
    bool have_source = false, have_text = false, have_format = false;
    const char *p = meta, *end = meta + n;
    for (int line = 0; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return -1;
        size_t len = (size_t)(nl - p);
        const char *sp = memchr(p, ' ', len);
        size_t klen = sp ? (size_t)(sp - p) : len;
        const char *v = sp ? sp + 1 : nl;
        size_t vlen = (size_t)(nl - v);
        char num[96]; /* the value's start, for the numbers (a title may be longer) */
        size_t cn = vlen < sizeof num ? vlen : sizeof num - 1;
        memcpy(num, v, cn);
        num[cn] = 0;
        bool whole = cn == vlen;
#define IS(key) (klen == sizeof key - 1 && !memcmp(p, key, klen))
        if (line == 0) {
            if (len != 13 || memcmp(p, "lector-book 1", 13)) return -1;
        } else if (!whole && !IS("chapter") && !IS("title") && !IS("author") && !IS("language") &&
                   !IS("notice")) {
            return -1;
        } else if (IS("source")) {
            size_t slen;
            uint64_t check;
            char tail;
            if (sscanf(num, "%zu %" SCNx64 "%c", &slen, &check, &tail) != 2) return -1;
            if (slen != k->len || check != k->check) return -1;
            have_source = true;
        } else if (IS("text")) {
            size_t tl;
            char tail;
            if (sscanf(num, "%zu%c", &tl, &tail) != 1 || tl != text_len) return -1;
            have_text = true;
        } else if (IS("format")) {
            int f;
            char tail;
            if (sscanf(num, "%d%c", &f, &tail) != 1 || f < IMPORT_PLAIN || f > IMPORT_GUTENBERG)
                return -1;
            e->format = (ImportFormat)f;
            have_format = true;
        } else if (IS("compression")) {
            if (!(e->compression = static_compression(num))) return -1;
        } else if (IS("title") || IS("author") || IS("language") || IS("notice")) {
            char **slot = IS("title")      ? &e->title
                          : IS("author")   ? &e->author
                          : IS("language") ? &e->language
                                           : &e->notice;
            if (*slot || !(*slot = take_value(v, vlen))) return -1;
        } else if (IS("chapter")) {
            int level, used = 0;
            size_t off;
            if (sscanf(num, "%d %zu%n", &level, &off, &used) != 2 || num[used] != ' ' ||
                level < 1 || level > MAX_LEVEL || off >= text_len ||
                (e->nchapters && off < e->chapters[e->nchapters - 1].offset))
                return -1;
            char *title = take_value(v + used + 1, vlen - (size_t)used - 1);
            if (!title) return -1;
            if (e->nchapters == cap) {
                cap = cap ? cap * 2 : 16;
                e->chapters = xrealloc(e->chapters, cap * sizeof *e->chapters);
            }
            e->chapters[e->nchapters++] = (Chapter){title, level, off};
        } else {
            return -1;
        }
#undef IS
        p = nl + 1;
    }
    return have_source && have_text && have_format ? 0 : -1;
}

static int read_at(int fd, void *buf, size_t n, off_t at)
{
    char *b = buf;
    while (n) {
        ssize_t got = pread(fd, b, n, at);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return -1;
        b += got;
        n -= (size_t)got;
        at += got;
    }
    return 0;
}

int bookcache_read(const char *file, const BookKey *k, BookCacheEntry *e, int *fd)
{
    *e = (BookCacheEntry){0};
    int f = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (f < 0) return -1;
    struct stat st;
    char trailer[TRAILER_LEN + 1];
    char *meta = NULL;
    if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < TRAILER_LEN + 15 ||
        read_at(f, trailer, TRAILER_LEN, st.st_size - TRAILER_LEN) != 0)
        goto miss;
    trailer[TRAILER_LEN] = 0;
    size_t text_len;
    char tail;
    if (memcmp(trailer, "\nlector-book-end ", 17) || trailer[TRAILER_LEN - 1] != '\n' ||
        sscanf(trailer + 17, "%16zx%c", &text_len, &tail) != 2 || tail != '\n' ||
        text_len > (size_t)st.st_size - TRAILER_LEN)
        goto miss;
    size_t meta_len = (size_t)st.st_size - TRAILER_LEN - text_len;
    if (meta_len > BOOKCACHE_MAX_META) goto miss;
    meta = xmalloc(meta_len + 1);
    if (read_at(f, meta, meta_len, (off_t)text_len) != 0) goto miss;
    meta[meta_len] = 0;
    e->text_len = text_len;
    if (meta_len < 1 || meta[0] != 0 || parse_meta(meta + 1, meta_len - 1, k, text_len, e) != 0)
        goto miss;
    free(meta);
    *fd = f;
    return 0;
miss:
    free(meta);
    bookcache_entry_release(e);
    close(f);
    return -1;
}
