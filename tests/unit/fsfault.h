/* Helpers for the "nothing lost" tests of test_state.c and test_cache.c: whole-file reads and
 * comparisons, counting the names in a folder, a file size limit (a full disk at byte n, for
 * real: write() fails with EFBIG past it), a private tmpfs (a full disk with ENOSPC, where the
 * system lets us mount one), and memory shared with forked children, which report through it
 * rather than with Criterion's asserts (those belong to the test's own process). */
#ifndef LECTOR_TEST_FSFAULT_H
#define LECTOR_TEST_FSFAULT_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lector/strbuf.h"

/* The bytes of the file at path, malloc'd (the caller frees), their count in *len; NULL when
 * it cannot be read. */
static inline char *fs_slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    Strbuf sb = STRBUF_INIT;
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        strbuf_add(&sb, buf, (size_t)n);
    close(fd);
    return strbuf_detach(&sb, len);
}

/* Whether the file at path holds exactly want[0, len). */
static inline bool fs_holds(const char *path, const char *want, size_t len)
{
    size_t n;
    char *got = fs_slurp(path, &n);
    bool same = got && n == len && !memcmp(got, want, len);
    free(got);
    return same;
}

/* The names in folder dir that contain part (all of them for ""), "." and ".." aside. */
static inline int fs_count(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strstr(e->d_name, part)) n++;
    if (d) closedir(d);
    return n;
}

/* The path in dir of the one name that ends with suffix, into out; false when there is none. */
static inline bool fs_find(const char *dir, const char *suffix, char *out, size_t size)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    bool found = false;
    size_t sl = strlen(suffix);
    while (d && (e = readdir(d))) {
        size_t nl = strlen(e->d_name);
        if (nl >= sl && !strcmp(e->d_name + nl - sl, suffix)) {
            snprintf(out, size, "%s/%s", dir, e->d_name);
            found = true;
        }
    }
    if (d) closedir(d);
    return found;
}

/* Sets this process's file size limit (soft; the hard one stays) to n bytes, with SIGXFSZ
 * ignored, so that a write past byte n fails with EFBIG as on a full disk; RLIM_INFINITY
 * lifts it again (an unprivileged process may raise its soft limit up to the hard one). */
static inline void fs_limit(rlim_t n)
{
    struct rlimit r;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &r), 0);
    r.rlim_cur = n == RLIM_INFINITY || n > r.rlim_max ? r.rlim_max : n;
    signal(SIGXFSZ, n == RLIM_INFINITY ? SIG_DFL : SIG_IGN);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &r), 0, "%s", strerror(errno));
}

/* Sets the modification time of path to seconds ago. */
static inline void fs_age(const char *path, long seconds)
{
    struct timespec ts[2] = {{time(NULL) - seconds, 0}, {time(NULL) - seconds, 0}};
    cr_assert_eq(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0, "%s", path);
}

/* Zeroed memory shared with the children forked after it; never freed (a test's process is
 * its own). */
static inline void *fs_shared(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(p, MAP_FAILED);
    return p;
}

/* What the children of a race tell the test: how often they read and saw the file change, and
 * the first thing that went wrong. */
typedef struct {
    atomic_int stop, ready;   /* set by the test: stop; counted by the readers: started */
    atomic_long reads, seen;  /* whole versions read; times a reader saw another version */
    atomic_long saves, fails; /* writes done; things that went wrong */
    char why[512];            /* the first of them */
} FsRace;

/* Records a failure: the first one's message is kept. */
static inline void fs_fail(FsRace *r, const char *fmt, ...)
{
    if (atomic_fetch_add(&r->fails, 1) != 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
}

/* Waits for every child; false when one did not exit with 0. */
static inline bool fs_wait_all(void)
{
    int status;
    bool ok = true;
    while (wait(&status) > 0)
        ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return ok;
}

/* Sleeps for a random time below max_us microseconds. */
static inline void fs_jitter(unsigned *seed, long max_us)
{
    struct timespec ts = {0, (long)(rand_r(seed) % (unsigned)max_us) * 1000};
    nanosleep(&ts, NULL);
}

/* Runs fn(arg) in a child that has a mount namespace of its own with a tmpfs mounted on mnt
 * (options opts, as "size=64k"): the mount is private to the child and goes with it, whatever
 * happens. fn returns 0, or a source line where a check failed (FS_CHECK: its message in the
 * FsRace's why). Returns 0 when fn passed, 1 when it did not, -1 when the system does not let
 * us mount (not root, no namespaces): the caller then skips. */
static inline int fs_in_tmpfs(const char *mnt, const char *opts, int (*fn)(void *), void *arg)
{
    pid_t kid = fork();
    cr_assert_neq(kid, -1);
    if (kid == 0) {
        if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
            mount("tmpfs", mnt, "tmpfs", 0, opts) != 0)
            _exit(255);
        _exit(fn(arg) ? 1 : 0);
    }
    int status;
    cr_assert_eq(waitpid(kid, &status, 0), kid);
    cr_assert(WIFEXITED(status), "the tmpfs child died (signal %d)", WTERMSIG(status));
    return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

/* In a child: records the failure and returns its line. */
#define FS_CHECK(race, cond, ...)                                                                  \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fs_fail(race, __VA_ARGS__);                                                            \
            return __LINE__;                                                                       \
        }                                                                                          \
    } while (0)

#endif
