/* atomicfile.c: temp file, write, fsync, rename; the sweep of temps left by a crash; scratch
 * files. */
#define _GNU_SOURCE /* O_TMPFILE, mkostemp */
#include "lector/atomicfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int atomic_mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

int atomic_xdg_dir(const char *xdg_var, const char *home_rel, Strbuf *out)
{
    const char *xdg = getenv(xdg_var), *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        strbuf_addf(out, "%s/lector", xdg);
    else if (home && *home)
        strbuf_addf(out, "%s/%s/lector", home, home_rel);
    else
        return -1;
    return 0;
}

/* Opens a temp file of our own next to file: "<file>.tmp-PID-N", N counting the temps this
 * process made. The PID keeps processes apart, N threads of one process (two of them may save
 * the same story at once: the reader's indexer and its shelf search); O_EXCL makes sure, and
 * steps over a stale temp that a dead process of the same PID left. */
static int open_temp(const char *file, Strbuf *tmp)
{
    static atomic_uint counter;
    for (int tries = 0; tries < 100; tries++) {
        strbuf_reset(tmp);
        strbuf_addf(tmp, "%s.tmp-%ld-%u", file, (long)getpid(), atomic_fetch_add(&counter, 1));
        int fd = open(tmp->buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1; /* errno EEXIST: a hundred stale temps of this PID; atomic_sweep clears them */
}

typedef struct {
    const char *p;
    size_t len;
} Bytes;

static int write_bytes(int fd, void *ctx)
{
    const Bytes *b = ctx;
    size_t done = 0;
    while (done < b->len) {
        ssize_t w = write(fd, b->p + done, b->len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) { /* ENOSPC, EDQUOT, EFBIG (a file size limit), EIO */
            if (w == 0) errno = ENOSPC;
            return -1;
        }
        done += (size_t)w;
    }
    return 0;
}

int atomic_write(const char *file, const void *data, size_t len, bool sync, int fail_at, int *step)
{
    Bytes b = {data, len};
    return atomic_write_with(file, write_bytes, &b, sync, fail_at, step);
}

int atomic_write_with(const char *file, int (*fill)(int fd, void *ctx), void *ctx, bool sync,
                      int fail_at, int *step)
{
    Strbuf tmp = STRBUF_INIT;
    int rc = -1, err = 0;
    *step = ATOMIC_CREATE;
    int fd = fail_at == ATOMIC_CREATE ? (errno = EIO, -1) : open_temp(file, &tmp);
    if (fd < 0) {
        err = errno;
    } else {
        *step = ATOMIC_WRITE;
        bool written = fail_at == ATOMIC_WRITE ? (errno = EIO, false) : fill(fd, ctx) == 0;
        if (written) {
            *step = ATOMIC_SYNC;
            if (fail_at == ATOMIC_SYNC)
                errno = EIO;
            else if (!sync || fsync(fd) == 0) {
                int closed = close(fd);
                fd = -1;
                if (closed != 0) {
                    *step = ATOMIC_WRITE; /* a network file system may report ENOSPC only here */
                } else {
                    *step = ATOMIC_RENAME;
                    if (fail_at == ATOMIC_RENAME)
                        errno = EIO;
                    else if (rename(tmp.buf, file) == 0)
                        rc = 0;
                }
            }
        }
        err = errno;
        if (fd >= 0) close(fd);
        if (rc != 0) unlink(tmp.buf);
    }
    strbuf_release(&tmp);
    if (rc != 0) errno = err;
    return rc;
}

/* Whether name is one that open_temp gives: ".tmp-PID-N" at its end (or ".tmp-PID", as lector
 * named its temps before). */
static bool temp_name(const char *name)
{
    const char *p = NULL;
    for (const char *q = strstr(name, ".tmp-"); q; q = strstr(q + 1, ".tmp-"))
        p = q;
    if (!p) return false;
    p += 5;
    for (int part = 0; part < 2; part++) {
        if (!isdigit((unsigned char)*p)) return false;
        while (isdigit((unsigned char)*p))
            p++;
        if (!*p) return true;
        if (part == 0 && *p == '-') p++;
    }
    return false;
}

int atomic_sweep(const char *dir, long max_age_s)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int dfd = dirfd(d), removed = 0;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        if (!temp_name(e->d_name) || fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || now - st.st_mtime <= max_age_s)
            continue;
        if (unlinkat(dfd, e->d_name, 0) == 0) removed++;
    }
    closedir(d);
    return removed;
}

void atomic_sweep_once(atomic_bool *done, const char *dir)
{
    if (!atomic_exchange(done, true)) atomic_sweep(dir, ATOMIC_STALE_SECONDS);
}

const char *atomic_step_name(int step)
{
    return step == ATOMIC_CREATE  ? "create"
           : step == ATOMIC_WRITE ? "write"
           : step == ATOMIC_SYNC  ? "sync"
                                  : "rename";
}

int atomic_scratch_open(const char *dir)
{
    if (!dir || !*dir) dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    Strbuf name = STRBUF_INIT; /* no O_TMPFILE there: a named file, unlinked at once */
    strbuf_addf(&name, "%s/lector-scratch-XXXXXX", dir);
    fd = mkostemp(name.buf, O_CLOEXEC);
    if (fd >= 0) unlink(name.buf);
    strbuf_release(&name);
    return fd;
}
