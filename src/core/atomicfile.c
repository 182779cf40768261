/* atomicfile.c: temp file, write, fsync, rename. */
#include "lector/atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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

int atomic_write(const char *file, const void *data, size_t len, bool sync, int fail_at, int *step)
{
    Strbuf tmp = STRBUF_INIT;
    strbuf_addf(&tmp, "%s.tmp-%ld", file, (long)getpid());
    int rc = -1, err = 0;
    *step = ATOMIC_CREATE;
    int fd = fail_at == ATOMIC_CREATE
                 ? (errno = EIO, -1)
                 : open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        err = errno;
    } else {
        *step = ATOMIC_WRITE;
        const char *p = data;
        size_t done = 0;
        while (done < len) {
            if (fail_at == ATOMIC_WRITE) {
                errno = EIO;
                break;
            }
            ssize_t w = write(fd, p + done, len - done);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                if (w == 0) errno = ENOSPC;
                break;
            }
            done += (size_t)w;
        }
        if (done == len && (len || fail_at != ATOMIC_WRITE)) {
            *step = ATOMIC_SYNC;
            if (fail_at == ATOMIC_SYNC)
                errno = EIO;
            else if (!sync || fsync(fd) == 0) {
                *step = ATOMIC_RENAME;
                int closed = close(fd);
                fd = -1;
                if (fail_at == ATOMIC_RENAME)
                    errno = EIO;
                else if (closed == 0 && rename(tmp.buf, file) == 0)
                    rc = 0;
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

const char *atomic_step_name(int step)
{
    return step == ATOMIC_CREATE  ? "create"
           : step == ATOMIC_WRITE ? "write"
           : step == ATOMIC_SYNC  ? "sync"
                                  : "rename";
}
