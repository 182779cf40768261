/* import: which format a file is, compression and zip through libarchive (in memory only),
 * Project Gutenberg's header and footer, Markdown through cmark. The markup walkers are in
 * import_markup.c. */
#include "lector/import.h"

#include <archive.h>
#include <archive_entry.h>
#include <cmark.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "import_internal.h"
#include "lector/strbuf.h"
#include "lector/xalloc.h"
#include "lector/lazylib.h"

/* libarchive, cmark and zlib are loaded the first time a book needs them (lazylib.h): their
 * functions are called through books_api, filled once under books_once. Process-wide, as the
 * libraries themselves are. */
static struct {
    __typeof__(&archive_entry_filetype) archive_entry_filetype;
    __typeof__(&archive_entry_is_data_encrypted) archive_entry_is_data_encrypted;
    __typeof__(&archive_entry_is_encrypted) archive_entry_is_encrypted;
    __typeof__(&archive_entry_pathname) archive_entry_pathname;
    __typeof__(&archive_error_string) archive_error_string;
    __typeof__(&archive_read_data) archive_read_data;
    __typeof__(&archive_read_free) archive_read_free;
    __typeof__(&archive_read_new) archive_read_new;
    __typeof__(&archive_read_next_header) archive_read_next_header;
    __typeof__(&archive_read_open_memory) archive_read_open_memory;
    __typeof__(&archive_read_support_filter_all) archive_read_support_filter_all;
    __typeof__(&archive_read_support_format_raw) archive_read_support_format_raw;
    __typeof__(&archive_read_support_format_zip) archive_read_support_format_zip;
    __typeof__(&cmark_markdown_to_html) cmark_markdown_to_html;
    __typeof__(&inflateInit2_) inflateInit2_;
    __typeof__(&inflate) inflate;
    __typeof__(&inflateEnd) inflateEnd;
} books_api;
static pthread_once_t books_once = PTHREAD_ONCE_INIT;
static const char *books_error; /* why loading failed; NULL when it did not */

static void books_load(void)
{
    static const LazySymbol archive[] = {
        LAZYLIB_SYMBOL(archive_entry_filetype, books_api.archive_entry_filetype),
        LAZYLIB_SYMBOL(archive_entry_is_data_encrypted, books_api.archive_entry_is_data_encrypted),
        LAZYLIB_SYMBOL(archive_entry_is_encrypted, books_api.archive_entry_is_encrypted),
        LAZYLIB_SYMBOL(archive_entry_pathname, books_api.archive_entry_pathname),
        LAZYLIB_SYMBOL(archive_error_string, books_api.archive_error_string),
        LAZYLIB_SYMBOL(archive_read_data, books_api.archive_read_data),
        LAZYLIB_SYMBOL(archive_read_free, books_api.archive_read_free),
        LAZYLIB_SYMBOL(archive_read_new, books_api.archive_read_new),
        LAZYLIB_SYMBOL(archive_read_next_header, books_api.archive_read_next_header),
        LAZYLIB_SYMBOL(archive_read_open_memory, books_api.archive_read_open_memory),
        LAZYLIB_SYMBOL(archive_read_support_filter_all, books_api.archive_read_support_filter_all),
        LAZYLIB_SYMBOL(archive_read_support_format_raw, books_api.archive_read_support_format_raw),
        LAZYLIB_SYMBOL(archive_read_support_format_zip, books_api.archive_read_support_format_zip),
    };
    static const LazySymbol markdown[] = {
        LAZYLIB_SYMBOL(cmark_markdown_to_html, books_api.cmark_markdown_to_html),
    };
    static const LazySymbol gzip[] = {
        /* libarchive loads it too */
        LAZYLIB_SYMBOL(inflateInit2_, books_api.inflateInit2_),
        LAZYLIB_SYMBOL(inflate, books_api.inflate),
        LAZYLIB_SYMBOL(inflateEnd, books_api.inflateEnd),
    };
    if (lazylib_load("libarchive.so.13", archive, sizeof archive / sizeof *archive, &books_error) !=
            0 ||
        lazylib_load("libcmark.so." CMARK_VERSION_STRING, markdown, 1, &books_error) != 0 ||
        lazylib_load("libz.so.1", gzip, sizeof gzip / sizeof *gzip, &books_error) != 0)
        books_api.archive_read_new = NULL;
}

/* 0 when the libraries are there; else -1 and *diag says which could not be loaded. */
static int books_ready(Diag *diag)
{
    pthread_once(&books_once, books_load);
    if (books_api.archive_read_new && books_api.cmark_markdown_to_html && books_api.inflate)
        return 0;
    diag_set(diag, DIAG_INVALID, "a library books need could not be loaded: %s",
             books_error ? books_error : "?");
    return -1;
}

#define archive_entry_filetype (books_api.archive_entry_filetype)
#define archive_entry_is_data_encrypted (books_api.archive_entry_is_data_encrypted)
#define archive_entry_is_encrypted (books_api.archive_entry_is_encrypted)
#define archive_entry_pathname (books_api.archive_entry_pathname)
#define archive_error_string (books_api.archive_error_string)
#define archive_read_data (books_api.archive_read_data)
#define archive_read_free (books_api.archive_read_free)
#define archive_read_new (books_api.archive_read_new)
#define archive_read_next_header (books_api.archive_read_next_header)
#define archive_read_open_memory (books_api.archive_read_open_memory)
#define archive_read_support_filter_all (books_api.archive_read_support_filter_all)
#define archive_read_support_format_raw (books_api.archive_read_support_format_raw)
#define archive_read_support_format_zip (books_api.archive_read_support_format_zip)
#define cmark_markdown_to_html (books_api.cmark_markdown_to_html)
#define inflateInit2_ (books_api.inflateInit2_)
#define inflate (books_api.inflate)
#define inflateEnd (books_api.inflateEnd)

/* Compressed inside compressed inside...: a real book is compressed once, a .fb2.zip in a .gz
 * at most twice. */
enum { NEST_MAX = 3 };
/* A compressed input may always expand to this much, whatever its ratio. */
#define RATIO_FREE_BYTES ((size_t)16 << 20)

const char *import_format_name(ImportFormat f)
{
    switch (f) {
    case IMPORT_EPUB:
        return "EPUB";
    case IMPORT_FB2:
        return "FB2";
    case IMPORT_HTML:
        return "HTML";
    case IMPORT_MARKDOWN:
        return "Markdown";
    case IMPORT_GUTENBERG:
        return "Project Gutenberg text";
    case IMPORT_PLAIN:
        break;
    }
    return "text";
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* needle (lower case ASCII) in hay[0, n), ignoring ASCII case; its offset or -1 */
static long find_nocase(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    /* a first byte that is no letter is found by memchr: "*** start of" is looked for in the
     * head of every story opened, before its first screen */
    bool letter = needle[0] >= 'a' && needle[0] <= 'z';
    for (size_t i = 0; i + k <= n; i++) {
        if (!letter && k) {
            const uint8_t *at = memchr(hay + i, needle[0], n - k + 1 - i);
            if (!at) return -1;
            i = (size_t)(at - hay);
        }
        size_t j = 0;
        while (j < k && lower(hay[i + j]) == needle[j])
            j++;
        if (j == k) return (long)i;
    }
    return -1;
}

/* name[0, n) ends with ext (lower case), in any case. */
static bool prefix_ends(const char *name, size_t n, const char *ext)
{
    size_t k = strlen(ext);
    if (n < k) return false;
    for (size_t i = 0; i < k; i++)
        if (lower((unsigned char)name[n - k + i]) != ext[i]) return false;
    return true;
}

static bool name_ends(const char *name, const char *ext)
{
    return name && prefix_ends(name, strlen(name), ext);
}

static bool names_markdown_n(const char *name, size_t n)
{
    return prefix_ends(name, n, ".md") || prefix_ends(name, n, ".markdown") ||
           prefix_ends(name, n, ".mkd");
}

static bool names_html_n(const char *name, size_t n)
{
    return prefix_ends(name, n, ".html") || prefix_ends(name, n, ".htm") ||
           prefix_ends(name, n, ".xhtml");
}

static bool names_markdown(const char *name)
{
    return name && names_markdown_n(name, strlen(name));
}

static bool names_html(const char *name)
{
    return name && names_html_n(name, strlen(name));
}

static const char gzip_name[] = "gzip";

static const char *compression_of(const uint8_t *h, size_t n)
{
    if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b) return gzip_name;
    if (n >= 6 && !memcmp(h,
                          "\xfd"
                          "7zXZ\0",
                          6))
        return "xz";
    if (n >= 4 && !memcmp(h, "BZh", 3) && h[3] >= '1' && h[3] <= '9') return "bzip2";
    if (n >= 4 && !memcmp(h, "\x28\xb5\x2f\xfd", 4)) return "zstd";
    return NULL;
}

static bool is_zip(const uint8_t *h, size_t n)
{
    return n >= 4 && !memcmp(h, "PK\3\4", 4);
}

/* The first markup of the file, past a BOM, blanks, an XML declaration and comments: true when
 * it is an <html> or <!DOCTYPE html>. */
static bool looks_html(const uint8_t *h, size_t n)
{
    size_t i = n >= 3 && !memcmp(h, "\xef\xbb\xbf", 3) ? 3 : 0;
    for (int guard = 0; guard < 64; guard++) {
        while (i < n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\n' || h[i] == '\r'))
            i++;
        if (i + 4 < n && !memcmp(h + i, "<?", 2)) {
            long e = find_nocase(h + i, n - i, "?>");
            if (e < 0) return false;
            i += (size_t)e + 2;
        } else if (i + 4 < n && !memcmp(h + i, "<!--", 4)) {
            long e = find_nocase(h + i, n - i, "-->");
            if (e < 0) return false;
            i += (size_t)e + 3;
        } else
            break;
    }
    return find_nocase(h + i, n - i < 16 ? n - i : 16, "<!doctype html") == 0 ||
           find_nocase(h + i, n - i < 6 ? n - i : 6, "<html") == 0;
}

static bool looks_fb2(const uint8_t *h, size_t n)
{
    return find_nocase(h, n < 4096 ? n : 4096, "<fictionbook") >= 0;
}

/* The offset of a "*** START OF THE PROJECT GUTENBERG EBOOK ..." line (or "THIS"), or -1. */
static long gutenberg_marker(const uint8_t *s, size_t n, const char *which)
{
    size_t from = 0;
    for (;;) {
        long at = find_nocase(s + from, n - from, which);
        if (at < 0) return -1;
        size_t a = from + (size_t)at;
        const uint8_t *eol = memchr(s + a, '\n', n - a);
        size_t line_end = eol ? (size_t)(eol - s) : n;
        if (find_nocase(s + a, line_end - a, "project gutenberg") >= 0) {
            while (a > 0 && s[a - 1] != '\n') /* the line's start */
                a--;
            return (long)a;
        }
        from = a + 1;
    }
}

bool import_wanted(const uint8_t *head, size_t n, const char *name)
{
    if (compression_of(head, n) || is_zip(head, n) || looks_fb2(head, n)) return true;
    if (looks_html(head, n)) return true;
    if (names_markdown(name)) return true;
    if (names_html(name) && memchr(head, '<', n < 1024 ? n : 1024)) return true;
    return gutenberg_marker(head, n, "*** start of") >= 0;
}

static size_t allowed_bytes(size_t in_len, const ImportLimits *lim)
{
    size_t ratio = lim->max_ratio;
    size_t by_ratio = in_len > (SIZE_MAX - RATIO_FREE_BYTES) / ratio
                          ? SIZE_MAX
                          : RATIO_FREE_BYTES + in_len * ratio;
    return by_ratio < lim->max_bytes ? by_ratio : lim->max_bytes;
}

static void bomb_message(Diag *diag, const char *name, size_t in_len, size_t cap,
                         const ImportLimits *lim)
{
    if (cap == lim->max_bytes)
        diag_set(diag, DIAG_TOO_LARGE, "%s: expands to more than the %zu MiB limit for a book",
                 name, cap >> 20);
    else
        diag_set(diag, DIAG_TOO_LARGE,
                 "%s: expands to more than %zu MiB (16 MiB and %zu times its %zu KiB); refused "
                 "as a compression bomb",
                 name, cap >> 20, lim->max_ratio, in_len >> 10);
}

/* Reads the current entry's data into a buffer of at most cap bytes. 1 past cap, -1 on a
 * damaged stream (what was read is kept in *out), 0 when whole. */
static int read_entry(struct archive *a, size_t cap, uint8_t **out, size_t *len)
{
    size_t room = 65536, n = 0;
    uint8_t *buf = xmalloc(room + 1);
    int rc = 0;
    for (;;) {
        if (n == room) {
            if (room > cap) {
                rc = 1;
                break;
            }
            room = room * 2 < cap + 1 ? room * 2 : cap + 1;
            buf = xrealloc(buf, room + 1);
        }
        la_ssize_t got = archive_read_data(a, buf + n, room - n);
        if (got < 0) {
            rc = -1;
            break;
        }
        if (got == 0) break;
        n += (size_t)got;
        if (n > cap) {
            rc = 1;
            break;
        }
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return rc;
}

/* What zlib gets out of a gzip stream that libarchive refused or cut short, up to cap bytes
 * (*out_len, into *out, malloc'd; NULL when nothing). libarchive's gzip reader hands out its
 * output a 64 KiB block at a time, and a stream cut inside the first block gives nothing; zlib
 * gives every byte it could inflate before the cut. */
static void gzip_salvage(const uint8_t *data, size_t len, size_t cap, uint8_t **out,
                         size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return;
    size_t room = len * 4 + 4096 < cap ? len * 4 + 4096 : cap, n = 0;
    uint8_t *buf = xmalloc(room + 1);
    z.next_in = (Bytef *)data;
    for (;;) {
        if (n == room) {
            if (room >= cap) break;
            room = room * 2 < cap ? room * 2 : cap;
            buf = xrealloc(buf, room + 1);
        }
        size_t give = len - (size_t)((const uint8_t *)z.next_in - data);
        z.avail_in = give > UINT_MAX ? UINT_MAX : (uInt)give;
        z.next_out = buf + n;
        z.avail_out = room - n > UINT_MAX ? UINT_MAX : (uInt)(room - n);
        uInt before = z.avail_out;
        int r = inflate(&z, Z_NO_FLUSH);
        n += before - z.avail_out;
        if (r != Z_OK || (before == z.avail_out && z.avail_in == 0)) break;
    }
    inflateEnd(&z);
    if (!n) {
        free(buf);
        return;
    }
    buf[n] = 0; /* as read_entry's: a NUL after the text */
    *out = buf;
    *out_len = n;
}

/* One compressed stream (gzip, xz, bzip2, zstd) undone. A truncated stream keeps what came
 * out of it, with *truncated set. */
static int decompress(const uint8_t *data, size_t len, const char *name, const ImportLimits *lim,
                      uint8_t **out, size_t *out_len, bool *truncated, Diag *diag)
{
    if (books_ready(diag) != 0) return -1;
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    struct archive_entry *e;
    int rc = -1;
    *truncated = false;
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK ||
        archive_read_next_header(a, &e) != ARCHIVE_OK) {
        if (compression_of(data, len) == gzip_name) { /* cut before libarchive's first block */
            gzip_salvage(data, len, allowed_bytes(len, lim), out, out_len);
            if (*out_len) {
                *truncated = true;
                rc = 0;
                goto done;
            }
        }
        diag_set(diag, DIAG_INVALID, "%s: damaged compressed data (%s)", name,
                 archive_error_string(a) ? archive_error_string(a) : "no data");
        goto done;
    }
    size_t cap = allowed_bytes(len, lim);
    int r = read_entry(a, cap, out, out_len);
    if (r < 0 && compression_of(data, len) == gzip_name) { /* keep what zlib can get out */
        uint8_t *more;
        size_t more_len;
        gzip_salvage(data, len, cap, &more, &more_len);
        if (more_len > *out_len) {
            free(*out);
            *out = more;
            *out_len = more_len;
        } else {
            free(more);
        }
    }
    if (r == 1) {
        free(*out);
        *out = NULL;
        bomb_message(diag, name, len, cap, lim);
        goto done;
    }
    if (r < 0) {
        if (*out_len == 0) {
            free(*out);
            *out = NULL;
            diag_set(diag, DIAG_INVALID, "%s: damaged compressed data (%s)", name,
                     archive_error_string(a) ? archive_error_string(a) : "unreadable");
            goto done;
        }
        *truncated = true;
    }
    rc = 0;
done:
    archive_read_free(a);
    return rc;
}

const ZipMember *zip_find(const ZipArchive *z, const char *name)
{
    for (size_t i = 0; i < z->n; i++)
        if (!strcmp(z->members[i].name, name)) return &z->members[i];
    return NULL;
}

static void zip_release(ZipArchive *z)
{
    for (size_t i = 0; i < z->n; i++) {
        free(z->members[i].name);
        free(z->members[i].data);
    }
    free(z->members);
    *z = (ZipArchive){0};
}

/* Members a book's text never needs: not read, so that their bytes cost nothing. */
static bool skip_member(const char *name)
{
    static const char *const exts[] = {".jpg", ".jpeg", ".png",   ".gif", ".svg", ".webp", ".ttf",
                                       ".otf", ".woff", ".woff2", ".mp3", ".mp4", ".css",  ".js"};
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
        if (name_ends(name, exts[i])) return true;
    return false;
}

/* Every member of a zip archive into memory, bounded in all by cap bytes (a zip bomb stops at
 * the cap with a message). Members are never written anywhere. */
static int zip_read(const uint8_t *data, size_t len, const char *name, const ImportLimits *lim,
                    ZipArchive *z, Diag *diag)
{
    *z = (ZipArchive){0};
    if (books_ready(diag) != 0) return -1;
    struct archive *a = archive_read_new();
    archive_read_support_format_zip(a);
    size_t cap = allowed_bytes(len, lim), total = 0, mcap = 0;
    int rc = -1;
    *z = (ZipArchive){0};
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        diag_set(diag, DIAG_INVALID, "%s: not a readable zip archive", name);
        goto done;
    }
    struct archive_entry *e;
    for (size_t count = 0;; count++) {
        int h = archive_read_next_header(a, &e);
        if (h == ARCHIVE_EOF) break;
        if (h != ARCHIVE_OK && h != ARCHIVE_WARN) {
            if (z->n) break; /* a damaged tail: keep what came before it */
            diag_set(diag, DIAG_INVALID, "%s: not a readable zip archive (%s)", name,
                     archive_error_string(a) ? archive_error_string(a) : "damaged");
            goto done;
        }
        if (count >= 100000) break; /* a central directory of millions of names */
        const char *path = archive_entry_pathname(e);
        if (!path || archive_entry_filetype(e) != AE_IFREG) continue;
        if (z->n == mcap) {
            mcap = mcap ? mcap * 2 : 32;
            z->members = xreallocarray(z->members, mcap, sizeof *z->members);
        }
        ZipMember *m = &z->members[z->n++];
        *m = (ZipMember){.name = xstrdup(path)};
        if (archive_entry_is_encrypted(e)) {
            m->encrypted = true;
            continue;
        }
        if (skip_member(path)) continue;
        int r = read_entry(a, cap - total, &m->data, &m->len);
        if (r == 1) {
            bomb_message(diag, name, len, cap, lim);
            goto done;
        }
        if (r < 0 && archive_entry_is_data_encrypted(e)) m->encrypted = true;
        total += m->len;
    }
    rc = 0;
done:
    archive_read_free(a);
    if (rc != 0) zip_release(z);
    return rc;
}

void import_add_chapter(ImportedBook *b, size_t *cap, const char *title, int level, size_t offset)
{
    if (b->nchapters == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        b->chapters = xreallocarray(b->chapters, *cap, sizeof *b->chapters);
    }
    b->chapters[b->nchapters++] = (Chapter){xstrdup(title), level, offset};
}

/* The value of a "Title: ..." line of a Gutenberg header, or NULL. */
static char *header_field(const uint8_t *s, size_t n, const char *field)
{
    size_t k = strlen(field);
    for (size_t i = 0; i + k < n;) {
        const uint8_t *eol = memchr(s + i, '\n', n - i);
        size_t e = eol ? (size_t)(eol - s) : n;
        if (e - i > k && find_nocase(s + i, k, field) == 0) {
            size_t a = i + k, b = e;
            while (a < b && (s[a] == ' ' || s[a] == '\t'))
                a++;
            while (b > a && (s[b - 1] == '\r' || s[b - 1] == ' '))
                b--;
            /* the header's bytes, made valid UTF-8 (a Latin-1 header, say) */
            if (b > a) return import_clean_line(s + a, b - a, 400);
        }
        i = e + 1;
    }
    return NULL;
}

/* The book between the START and END lines; the header's Title, Author and Language. */
static void import_gutenberg(const uint8_t *s, size_t n, ImportedBook *out)
{
    long start = gutenberg_marker(s, n, "*** start of");
    size_t a = 0, b = n;
    if (start >= 0) {
        out->title = header_field(s, (size_t)start, "title:");
        out->author = header_field(s, (size_t)start, "author:");
        out->language = header_field(s, (size_t)start, "language:");
        const uint8_t *eol = memchr(s + start, '\n', n - (size_t)start);
        a = eol ? (size_t)(eol - s) + 1 : n;
        long end = gutenberg_marker(s + a, n - a, "*** end of");
        if (end >= 0)
            b = a + (size_t)end;
        else
            out->notice = xstrdup("no \"*** END OF\" line: the story runs to the end of the file");
    }
    out->format = IMPORT_GUTENBERG;
    out->len = b - a;
    out->text = xmalloc(out->len + 1);
    memcpy(out->text, s + a, out->len);
    out->text[out->len] = 0;
}

static int import_markdown(const uint8_t *s, size_t n, size_t max_bytes, ImportedBook *out,
                           Diag *diag)
{
    if (books_ready(diag) != 0) return -1;
    /* CMARK_OPT_DEFAULT is safe: raw HTML in the Markdown is left out of the output */
    char *html = cmark_markdown_to_html((const char *)s, n, CMARK_OPT_DEFAULT);
    if (!html) {
        diag_set(diag, DIAG_INVALID, "Markdown could not be read");
        return -1;
    }
    Strbuf page = STRBUF_INIT; /* a document of it: cmark gives the body's content */
    strbuf_addstr(&page, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>");
    strbuf_addstr(&page, html);
    strbuf_addstr(&page, "</body></html>");
    free(html);
    int rc = import_html((const uint8_t *)page.buf, page.len, max_bytes, out, diag);
    strbuf_release(&page);
    out->format = IMPORT_MARKDOWN;
    return rc;
}

/* name without its last extension (".gz"), for the format of what is inside; caller frees */
static char *strip_extension(const char *name)
{
    char *s = xstrdup(name ? name : "");
    char *dot = strrchr(s, '.'), *slash = strrchr(s, '/');
    if (dot && (!slash || dot > slash)) *dot = 0;
    return s;
}

uint32_t import_name_traits(const char *name)
{
    if (!name) return 0;
    uint32_t traits = 0;
    const char *slash = strrchr(name, '/');
    size_t base = slash ? (size_t)(slash - name) + 1 : 0, end = strlen(name);
    for (int depth = 0; depth <= NEST_MAX;
         depth++) { /* name[0, end): as strip_extension leaves it */
        traits |= (names_markdown_n(name, end) ? 1u : 0u) << (2 * depth);
        traits |= (names_html_n(name, end) ? 2u : 0u) << (2 * depth);
        size_t dot = end;
        while (dot > base && name[dot - 1] != '.')
            dot--;
        if (dot > base) end = dot - 1;
    }
    return traits;
}

static const char *zip_book_member(const ZipArchive *z)
{
    for (size_t i = 0; i < z->n; i++)
        if (name_ends(z->members[i].name, ".fb2") && z->members[i].data) return z->members[i].name;
    return NULL;
}

static int import_nested(const uint8_t *data, size_t len, const char *name, const ImportLimits *lim,
                         int depth, ImportedBook *out, Diag *diag)
{
    const char *comp = compression_of(data, len);
    if (comp) {
        if (depth >= NEST_MAX) {
            diag_set(diag, DIAG_INVALID, "%s: compressed more than %d times over", name, NEST_MAX);
            return -1;
        }
        uint8_t *inner;
        size_t inner_len;
        bool truncated;
        if (decompress(data, len, name, lim, &inner, &inner_len, &truncated, diag) != 0) return -1;
        char *inner_name = strip_extension(name);
        int rc;
        if (import_wanted(inner, inner_len < IMPORT_HEAD_BYTES ? inner_len : IMPORT_HEAD_BYTES,
                          inner_name))
            rc = import_nested(inner, inner_len, inner_name, lim, depth + 1, out, diag);
        else { /* a plain story, compressed */
            *out = (ImportedBook){.format = IMPORT_PLAIN, .text = inner, .len = inner_len};
            inner = NULL;
            rc = 0;
        }
        free(inner);
        free(inner_name);
        if (rc == 0) {
            if (!out->compression) out->compression = comp;
            if (truncated && !out->notice) {
                char msg[128];
                snprintf(msg, sizeof msg, "the %s data ends early: the story is cut where it did",
                         comp);
                out->notice = xstrdup(msg);
            }
        }
        return rc;
    }
    if (is_zip(data, len)) {
        ZipArchive z;
        if (zip_read(data, len, name, lim, &z, diag) != 0) return -1;
        int rc;
        const char *fb2;
        if (zip_find(&z, "META-INF/container.xml") || zip_find(&z, "mimetype"))
            rc = import_epub(&z, lim->max_bytes, out, diag);
        else if ((fb2 = zip_book_member(&z)) != NULL) {
            const ZipMember *m = zip_find(&z, fb2);
            rc = import_fb2(m->data, m->len, lim->max_bytes, out, diag);
        } else {
            diag_set(diag, DIAG_INVALID, "%s: a zip archive with no EPUB or FB2 book in it", name);
            rc = -1;
        }
        zip_release(&z);
        if (rc != 0) diag->msg[0] ? (void)0 : diag_set(diag, DIAG_INVALID, "%s: unreadable", name);
        return rc;
    }
    if (looks_fb2(data, len)) return import_fb2(data, len, lim->max_bytes, out, diag);
    if (names_markdown(name)) return import_markdown(data, len, lim->max_bytes, out, diag);
    if (looks_html(data, len) || names_html(name))
        return import_html(data, len, lim->max_bytes, out, diag);
    if (gutenberg_marker(data, len < IMPORT_HEAD_BYTES ? len : IMPORT_HEAD_BYTES, "*** start of") >=
        0) {
        import_gutenberg(data, len, out);
        return 0;
    }
    *out = (ImportedBook){.format = IMPORT_PLAIN, .len = len};
    out->text = xmalloc(len + 1);
    memcpy(out->text, data, len);
    out->text[len] = 0;
    return 0;
}

int import_bytes(const uint8_t *data, size_t len, const char *name, const ImportLimits *lim,
                 ImportedBook *out, Diag *diag)
{
    ImportLimits l = lim ? *lim : (ImportLimits){0};
    if (!l.max_bytes) l.max_bytes = IMPORT_MAX_BYTES;
    if (!l.max_ratio) l.max_ratio = 100;
    *out = (ImportedBook){0};
    Diag local = {0};
    if (!diag) diag = &local;
    const char *shown = name ? name : "(standard input)";
    int rc = import_nested(data, len, shown, &l, 0, out, diag);
    if (rc != 0) import_book_release(out);
    return rc;
}

void import_book_release(ImportedBook *b)
{
    if (!b) return;
    free(b->text);
    free(b->title);
    free(b->author);
    free(b->language);
    for (size_t i = 0; i < b->nchapters; i++)
        free(b->chapters[i].title);
    free(b->chapters);
    free(b->notice);
    *b = (ImportedBook){0};
}
