/* strbuf.c: see strbuf.h. Growth doubles, so appending n bytes one at a time is O(n). */
#include "lector/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lector/ucd.h"
#include "lector/xalloc.h"

char strbuf_empty[1];

void strbuf_init(Strbuf *sb)
{
    sb->buf = strbuf_empty;
    sb->len = sb->alloc = 0;
}

void strbuf_release(Strbuf *sb)
{
    if (sb->alloc) free(sb->buf);
    strbuf_init(sb);
}

void strbuf_reset(Strbuf *sb)
{
    sb->len = 0;
    if (sb->alloc) sb->buf[0] = 0;
}

char *strbuf_detach(Strbuf *sb, size_t *len)
{
    if (!sb->alloc) strbuf_grow(sb, 0);
    char *p = sb->buf;
    if (len) *len = sb->len;
    strbuf_init(sb);
    return p;
}

void strbuf_grow(Strbuf *sb, size_t extra)
{
    if (extra > SIZE_MAX - sb->len - 1) xmalloc(SIZE_MAX); /* overflow: dies */
    size_t need = sb->len + extra + 1;
    if (need <= sb->alloc) return;
    size_t alloc = sb->alloc ? sb->alloc : 64;
    while (alloc < need)
        alloc = alloc * 2 > alloc ? alloc * 2 : need;
    if (!sb->alloc) {
        sb->buf = xmalloc(alloc);
        sb->buf[0] = 0;
    } else {
        sb->buf = xrealloc(sb->buf, alloc);
    }
    sb->alloc = alloc;
}

void strbuf_add(Strbuf *sb, const void *data, size_t len)
{
    strbuf_grow(sb, len);
    memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = 0;
}

void strbuf_addch(Strbuf *sb, int c)
{
    char ch = (char)c;
    strbuf_add(sb, &ch, 1);
}

void strbuf_add_repeat(Strbuf *sb, int c, size_t n)
{
    strbuf_grow(sb, n);
    memset(sb->buf + sb->len, c, n);
    sb->len += n;
    sb->buf[sb->len] = 0;
}

void strbuf_addstr(Strbuf *sb, const char *s)
{
    strbuf_add(sb, s, strlen(s));
}

void strbuf_addf(Strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sb->buf + sb->len, sb->alloc ? sb->alloc - sb->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (!sb->alloc || (size_t)n >= sb->alloc - sb->len) {
        strbuf_grow(sb, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
        va_end(ap);
    }
    sb->len += (size_t)n;
}

void strbuf_add_utf8(Strbuf *sb, uint32_t cp)
{
    uint8_t tmp[4];
    strbuf_add(sb, tmp, ucd_encode(cp, tmp));
}

void strbuf_add_size(Strbuf *sb, uint64_t bytes)
{
    if (bytes < 1000) {
        strbuf_addf(sb, "%llu byte%s", (unsigned long long)bytes, bytes == 1 ? "" : "s");
        return;
    }
    static const char *const units[] = {"KB", "MB", "GB"};
    double v = (double)bytes / 1000;
    size_t u = 0;
    /* from 999.95 a unit would print as "1000.0": that is 1.0 of the next */
    while (v >= 999.95 && u + 1 < sizeof units / sizeof *units) {
        v /= 1000;
        u++;
    }
    strbuf_addf(sb, "%.1f %s", v, units[u]);
}
