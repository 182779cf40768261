/* strbuf: the one growable byte buffer (after git's strbuf.h). A Strbuf is never NULL-buffered
 * and always NUL-terminated, so sb.buf is usable as a C string at any time. The caller owns the
 * struct; strbuf_release frees the bytes, strbuf_detach hands them over. */
#ifndef LECTOR_STRBUF_H
#define LECTOR_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *buf;    /* len bytes, then a NUL; points at a shared "" until the first add */
    size_t len;   /* bytes in use, not counting the NUL */
    size_t alloc; /* bytes allocated, 0 while buf is the shared "" */
} Strbuf;

extern char strbuf_empty[1];
#define STRBUF_INIT                                                                                \
    {                                                                                              \
        strbuf_empty, 0, 0                                                                         \
    }

void strbuf_init(Strbuf *sb);
void strbuf_release(Strbuf *sb);              /* frees; sb is empty and reusable */
void strbuf_reset(Strbuf *sb);                /* len = 0, keeps the capacity */
char *strbuf_detach(Strbuf *sb, size_t *len); /* caller frees the result */
void strbuf_grow(Strbuf *sb, size_t extra);   /* room for extra more bytes */
void strbuf_add(Strbuf *sb, const void *data, size_t len);
void strbuf_addch(Strbuf *sb, int c);
void strbuf_add_repeat(Strbuf *sb, int c, size_t n); /* n copies of the byte c */
void strbuf_addstr(Strbuf *sb, const char *s);
void strbuf_addf(Strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_add_utf8(Strbuf *sb, uint32_t cp); /* cp must be a scalar value */
/* A size in the unit that shows it: "512 bytes" below a kilobyte, then one decimal of KB, MB or
 * GB ("23.4 KB", "1.5 MB"). Units of 1000, as the disks that hold them are sold. */
void strbuf_add_size(Strbuf *sb, uint64_t bytes);

#endif
