/* state.c: the state files.
 *
 * Format (text, one item per line, version first):
 *   lector-state 3                         (3 when it has a direction, else 2, as before;
 *                                           1, without line-ends, is read too)
 *   offset <decimal> <fingerprint>
 *   percent <decimal>                      the furthest read, 0-100
 *   mark <letter> <decimal> <fingerprint>
 *   line-ends auto|keep|reflow             when the reader chose one for this story
 *   direction auto|ltr|rtl                 the same, for its paragraphs' direction (bidi.h)
 * A fingerprint is the hex of up to FP_BYTES bytes of the story starting at the offset ("-" when
 * empty). Anything else in the file makes it unreadable (then it is kept aside). The file name
 * is the 64-bit FNV-1a hash of the story's real path, in hex, plus ".state". The file "last"
 * holds the real path of the story read last and a newline.
 */
#define _GNU_SOURCE /* memmem */
#include "lector/state.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lector/atomicfile.h"
#include "lector/bidi.h"
#include "lector/strbuf.h"
#include "lector/xalloc.h"

/* BAD_KEEP: the files kept aside per story (the newest), so that a story whose file keeps being
 * damaged (a failing disk, another program writing there) cannot fill the folder. */
enum { FP_BYTES = 24, SEARCH_WINDOW = 1 << 16, MAX_STATE_BYTES = 1 << 16, BAD_KEEP = 3 };

struct StateStore {
    char *dir; /* owned */
    int fail_at;
    /* the temps of a writer that was killed are swept before this store's first write, not when
     * it opens: the folder holds a file per story ever opened, listed at every start otherwise */
    atomic_bool swept;
};

void state_init(StoryState *st)
{
    st->offset = 0;
    st->percent = -1;
    for (int i = 0; i < STATE_MARKS; i++)
        st->marks[i] = SIZE_MAX;
    st->line_ends = -1;
    st->direction = -1;
}

static const char *const line_ends_names[] = {"auto", "keep", "reflow"}; /* LayoutLineEnds */

StateStore *state_open(const char *dir, Diag *diag)
{
    Strbuf path = STRBUF_INIT;
    if (dir) {
        strbuf_addstr(&path, dir);
    } else {
        if (atomic_xdg_dir("XDG_STATE_HOME", ".local/state", &path) != 0) {
            diag_set(diag, DIAG_NOT_FOUND,
                     "reading positions not kept: set HOME or XDG_STATE_HOME");
            return NULL;
        }
    }
    if (atomic_mkdir_p(path.buf) != 0) {
        /* the consequence first: a status line cut short must still say it */
        diag_set(diag, DIAG_UNREADABLE,
                 "reading positions not kept: %s: %s (set XDG_STATE_HOME to a folder you can "
                 "write)",
                 path.buf, strerror(errno));
        strbuf_release(&path);
        return NULL;
    }
    StateStore *s = xcalloc(1, sizeof *s);
    s->dir = strbuf_detach(&path, NULL);
    return s;
}

void state_close(StateStore *s)
{
    if (!s) return;
    free(s->dir);
    free(s);
}

void state_fail_at(StateStore *s, int step)
{
    s->fail_at = step;
}

void state_story_key(const char *path, Strbuf *out)
{
    char real[PATH_MAX];
    strbuf_addstr(out, realpath(path, real) ? real : path);
}

static void file_for(const StateStore *s, const char *story, Strbuf *out)
{
    Strbuf key = STRBUF_INIT;
    state_story_key(story, &key);
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)key.buf; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    strbuf_release(&key);
    strbuf_addf(out, "%s/%016llx.state", s->dir, (unsigned long long)h);
}

/* A book's other file: by its content (text_source_key), so that a book moved, renamed or
 * downloaded again finds its places. */
static void book_file_for(const StateStore *s, uint64_t key, Strbuf *out)
{
    strbuf_addf(out, "%s/book-%016llx.state", s->dir, (unsigned long long)key);
}

int state_set_last(StateStore *s, const char *path, Diag *diag)
{
    Strbuf data = STRBUF_INIT, file = STRBUF_INIT;
    state_story_key(path, &data);
    strbuf_addch(&data, '\n');
    strbuf_addf(&file, "%s/last", s->dir);
    atomic_sweep_once(&s->swept, s->dir);
    int step, rc = atomic_write(file.buf, data.buf, data.len, false, s->fail_at, &step);
    if (rc != 0)
        diag_set(diag, DIAG_UNREADABLE, "the story read last not saved: %s: could not %s it: %s",
                 file.buf, atomic_step_name(step), s->fail_at ? "injected fault" : strerror(errno));
    strbuf_release(&data);
    strbuf_release(&file);
    return rc;
}

int state_get_last(StateStore *s, Strbuf *out)
{
    Strbuf file = STRBUF_INIT;
    strbuf_addf(&file, "%s/last", s->dir);
    int fd = open(file.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    strbuf_release(&file);
    if (fd < 0) return -1;
    char buf[PATH_MAX + 2];
    struct stat st;
    ssize_t got = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, buf, sizeof buf) : -1;
    close(fd);
    /* one line, no NUL: anything else is not ours, and is ignored (the next open replaces it) */
    if (got < 2 || buf[got - 1] != '\n' || memchr(buf, 0, (size_t)got) ||
        memchr(buf, '\n', (size_t)got - 1))
        return -1;
    strbuf_add(out, buf, (size_t)got - 1);
    return 0;
}

/* Bytes [from, to) of a story still loading and not loaded up to `to`, read from its file
 * (text_read_ahead: a place far into a big story, shown from a window, is saved and found again
 * without loading the story up to it); NULL when loaded, or when they cannot be read so. to is
 * clamped to the story's length first. */
static uint8_t *read_ahead(Text *t, size_t from, size_t *to)
{
    if (text_complete(t) || *to <= text_len(t)) return NULL;
    if (*to > text_len_estimate(t)) *to = text_len_estimate(t);
    return from < *to ? text_read_ahead(t, from, *to) : NULL;
}

static void add_fingerprint(Strbuf *out, Text *t, size_t off)
{
    size_t end = off + FP_BYTES, n = 0;
    uint8_t *ahead = t ? read_ahead(t, off, &end) : NULL;
    const uint8_t *p = ahead; /* the bytes from off on */
    if (t && !ahead) {
        text_load_until(t, off + FP_BYTES);
        end = text_len(t);
        p = off < end ? text_bytes(t) + off : NULL;
    }
    if (p) {
        n = end - off < FP_BYTES ? end - off : FP_BYTES;
        for (size_t i = 0; i < n; i++)
            strbuf_addf(out, "%02x", p[i]);
    }
    if (!n) strbuf_addch(out, '-');
    free(ahead);
}

/* Decodes a hex fingerprint into out (FP_BYTES); returns its length, -1 when malformed. */
static int parse_fingerprint(const char *hex, uint8_t *out)
{
    if (!strcmp(hex, "-")) return 0;
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > FP_BYTES) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) return -1;
        out[i] = (uint8_t)v;
    }
    return (int)(n / 2);
}

/* The nearest place within SEARCH_WINDOW of off where the story has the n bytes fp; SIZE_MAX if
 * none. b holds the story's bytes [base, end). */
static size_t nearest(const uint8_t *b, size_t base, size_t end, size_t off, const uint8_t *fp,
                      size_t n)
{
    for (size_t d = 0; d <= SEARCH_WINDOW; d++) {
        if (off + d >= base && off + d + n <= end && !memcmp(b + (off + d - base), fp, n))
            return off + d;
        if (d && d <= off && off - d >= base && off - d + n <= end &&
            !memcmp(b + (off - d - base), fp, n))
            return off - d;
        if (off + d > end && (d > off || off - d < base)) break;
    }
    return SIZE_MAX;
}

/* The place nearest off where the whole of t has the n bytes fp; SIZE_MAX if none. */
static size_t anywhere(Text *t, size_t off, const uint8_t *fp, size_t n)
{
    text_load_all(t);
    const uint8_t *b = text_bytes(t), *end = b + text_len(t), *p = b;
    size_t best = SIZE_MAX, best_d = SIZE_MAX;
    while ((p = memmem(p, (size_t)(end - p), fp, n))) {
        size_t at = (size_t)(p - b), d = at > off ? at - off : off - at;
        if (d < best_d) best = at, best_d = d;
        if (at > off) break; /* every later one is further */
        p++;
    }
    return best;
}

/* Where a place saved at off with fingerprint fp is in t now: where its text is, looked for
 * nearby with the whole fingerprint, then with its first 12 and 8 bytes (an edit may have
 * touched the words just after the place); else off, clamped to the story. */
static size_t relocate(Text *t, size_t off, const uint8_t *fp, int fplen)
{
    /* A damaged file's offset may be anything ("offset -1" reads as SIZE_MAX): no story is half
     * the address space long, and below that the sums here and in nearest cannot wrap. */
    if (off > SIZE_MAX / 2) off = SIZE_MAX / 2;
    size_t base = off > SEARCH_WINDOW ? off - SEARCH_WINDOW : 0;
    size_t end = off + SEARCH_WINDOW + FP_BYTES;
    uint8_t *ahead = read_ahead(t, base, &end);
    const uint8_t *b = ahead;
    if (!ahead) {
        text_load_until(t, off + SEARCH_WINDOW + FP_BYTES);
        b = text_bytes(t);
        base = 0;
        end = text_len(t);
    }
    size_t at = SIZE_MAX;
    static const size_t tries[] = {FP_BYTES, 12, 8};
    for (size_t k = 0; k < sizeof tries / sizeof *tries && fplen > 0 && at == SIZE_MAX; k++) {
        size_t n = (size_t)fplen < tries[k] ? (size_t)fplen : tries[k];
        at = nearest(b, base, end, off, fp, n);
        /* a book is not edited, but imported otherwise by a newer lector (its notes put
         * elsewhere, say): its whole fingerprint is looked for in all of it, before a part */
        if (at == SIZE_MAX && k == 0 && text_source_key(t)) {
            at = anywhere(t, off, fp, n);
            if (!ahead) { /* the bytes moved as it loaded */
                b = text_bytes(t);
                end = text_len(t);
            }
        }
    }
    free(ahead);
    if (at != SIZE_MAX) return at;
    return off < end ? off : end;
}

static int parse(const char *data, Text *t, StoryState *st)
{
    state_init(st);
    const char *line = data;
    int first = 1;
    while (*line) {
        const char *nl = strchr(line, '\n');
        if (!nl) return -1; /* truncated: every line ends with a newline */
        char buf[256];
        size_t n = (size_t)(nl - line);
        if (n >= sizeof buf) return -1;
        memcpy(buf, line, n);
        buf[n] = 0;
        line = nl + 1;
        if (first) {
            if (strcmp(buf, "lector-state 1") && strcmp(buf, "lector-state 2") &&
                strcmp(buf, "lector-state 3"))
                return -1;
            first = 0;
            continue;
        }
        char hex[64], letter; /* room for %60s and its NUL; longer fingerprints are refused */
        unsigned long long v;
        uint8_t fp[FP_BYTES];
        if (sscanf(buf, "offset %llu %60s", &v, hex) == 2) {
            int fl = parse_fingerprint(hex, fp);
            if (fl < 0) return -1;
            st->offset = t ? relocate(t, (size_t)v, fp, fl) : (size_t)v;
        } else if (sscanf(buf, "percent %llu", &v) == 1 && v <= 100) {
            st->percent = (int)v;
        } else if (!strncmp(buf, "line-ends ", 10)) {
            st->line_ends = -1;
            for (int i = 0; i < 3; i++)
                if (!strcmp(buf + 10, line_ends_names[i])) st->line_ends = i;
            if (st->line_ends < 0) return -1;
        } else if (!strncmp(buf, "direction ", 10)) {
            st->direction = bidi_direction_parse(buf + 10);
            if (st->direction < 0) return -1;
        } else if (sscanf(buf, "mark %c %llu %60s", &letter, &v, hex) == 3 && letter >= 'a' &&
                   letter <= 'z') {
            int fl = parse_fingerprint(hex, fp);
            if (fl < 0) return -1;
            st->marks[letter - 'a'] = t ? relocate(t, (size_t)v, fp, fl) : (size_t)v;
        } else {
            return -1;
        }
    }
    return first ? -1 : 0;
}

static int newest_first(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x < y) - (x > y);
}

/* Removes all but the BAD_KEEP newest "<file>.bad-TIME" of one story. */
static void prune_aside(const StateStore *s, const char *file)
{
    const char *base = strrchr(file, '/') + 1;
    size_t blen = strlen(base), n = 0, cap = 0;
    long long *times = NULL; /* owned here */
    DIR *d = opendir(s->dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *p = e->d_name + blen + 5;
        if (strncmp(e->d_name, base, blen) || strncmp(e->d_name + blen, ".bad-", 5) ||
            !isdigit((unsigned char)*p))
            continue;
        char *end;
        errno = 0;
        long long when = strtoll(p, &end, 10);
        if (*end || errno) continue; /* not a name we gave */
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            times = xreallocarray(times, cap, sizeof *times);
        }
        times[n++] = when;
    }
    if (d) closedir(d);
    if (n > BAD_KEEP) qsort(times, n, sizeof *times, newest_first);
    Strbuf old = STRBUF_INIT;
    for (size_t i = BAD_KEEP; i < n; i++) {
        strbuf_reset(&old);
        strbuf_addf(&old, "%s.bad-%lld", file, times[i]);
        unlink(old.buf);
    }
    strbuf_release(&old);
    free(times);
}

/* state_load from one file (taken): 1 found, 0 none, -1 unusable. */
static int load_file(StateStore *s, Strbuf file, Text *t, StoryState *st, Diag *diag)
{
    /* O_NONBLOCK: a FIFO put there must not hang the reader (it is refused just below) */
    int fd = open(file.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat fst;
    if (fd < 0 && errno == ENOENT) {
        strbuf_release(&file);
        return 0;
    }
    /* Not readable, or not a file: left where it is, for the user to see to; the next save
     * replaces it if it can. */
    const char *why = fd < 0 || fstat(fd, &fst) != 0 ? strerror(errno)
                      : !S_ISREG(fst.st_mode)        ? "not a file"
                                                     : NULL;
    Strbuf data = STRBUF_INIT;
    char buf[4096];
    while (!why && data.len < MAX_STATE_BYTES) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got > 0)
            strbuf_add(&data, buf, (size_t)got);
        else if (got == 0)
            break;
        else if (errno != EINTR)
            why = strerror(errno); /* an I/O error is not a damaged file: not kept aside */
    }
    if (fd >= 0) close(fd);
    int rc = 1;
    if (why) {
        diag_set(diag, DIAG_UNREADABLE, "saved position unreadable: %s: %s", file.buf, why);
        rc = -1;
    } else if (memchr(data.buf, 0, data.len) || data.len >= MAX_STATE_BYTES ||
               parse(data.buf, t, st) != 0) {
        /* Kept aside rather than overwritten, for the user or a bug report; renamed, so that a
         * save running at the same time cannot be mixed with it. */
        Strbuf aside = STRBUF_INIT;
        strbuf_addf(&aside, "%s.bad-%lld", file.buf, (long long)time(NULL));
        if (rename(file.buf, aside.buf) == 0) {
            diag_set(diag, DIAG_UNREADABLE, "saved position was unreadable; kept aside as %s",
                     aside.buf);
            prune_aside(s, file.buf);
        } else {
            diag_set(diag, DIAG_UNREADABLE, "saved position unreadable: %s", file.buf);
        }
        strbuf_release(&aside);
        state_init(st);
        rc = -1;
    }
    strbuf_release(&data);
    strbuf_release(&file);
    return rc;
}

int state_load(StateStore *s, const char *path, Text *t, StoryState *st, Diag *diag)
{
    state_init(st);
    Strbuf file = STRBUF_INIT;
    if (t && text_source_key(t)) { /* a book: by its content first, then where it was read */
        book_file_for(s, text_source_key(t), &file);
        int rc = load_file(s, file, t, st, diag);
        if (rc != 0) return rc;
        file = (Strbuf)STRBUF_INIT;
    }
    file_for(s, path, &file);
    return load_file(s, file, t, st, diag);
}

int state_save(StateStore *s, const char *path, Text *t, const StoryState *st, Diag *diag)
{
    Strbuf out = STRBUF_INIT, file = STRBUF_INIT;
    strbuf_addstr(&out, st->direction >= 0 ? "lector-state 3\noffset " : "lector-state 2\noffset ");
    strbuf_addf(&out, "%zu ", st->offset);
    add_fingerprint(&out, t, st->offset);
    strbuf_addch(&out, '\n');
    if (st->percent >= 0) strbuf_addf(&out, "percent %d\n", st->percent);
    for (int i = 0; i < STATE_MARKS; i++) {
        if (st->marks[i] == SIZE_MAX) continue;
        strbuf_addf(&out, "mark %c %zu ", 'a' + i, st->marks[i]);
        add_fingerprint(&out, t, st->marks[i]);
        strbuf_addch(&out, '\n');
    }
    if (st->line_ends >= 0 && st->line_ends < 3)
        strbuf_addf(&out, "line-ends %s\n", line_ends_names[st->line_ends]);
    if (st->direction >= 0 && st->direction <= BIDI_RTL)
        strbuf_addf(&out, "direction %s\n", bidi_direction_name((BidiDirection)st->direction));
    file_for(s, path, &file);
    atomic_sweep_once(&s->swept, s->dir);
    int step, rc = atomic_write(file.buf, out.buf, out.len, true, s->fail_at, &step);
    if (rc == 0 && t && text_source_key(t)) { /* and by its content (state_load) */
        strbuf_reset(&file);
        book_file_for(s, text_source_key(t), &file);
        rc = atomic_write(file.buf, out.buf, out.len, true, s->fail_at, &step);
    }
    if (rc != 0)
        diag_set(diag, DIAG_UNREADABLE,
                 "reading position not saved: %s: could not %s it: %s (the previous one is "
                 "kept)",
                 file.buf, atomic_step_name(step), s->fail_at ? "injected fault" : strerror(errno));
    strbuf_release(&out);
    strbuf_release(&file);
    return rc;
}
