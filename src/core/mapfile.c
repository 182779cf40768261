/* mapfile.c: see mapfile.h.
 *
 * Layout of a mapping: an anonymous reservation of the file's whole pages plus one, with the
 * file mapped (MAP_FIXED) over the whole pages and the last partial page copied into the spare
 * one, so that the byte after the file is a NUL of ours whatever the page size, and a file that
 * grows in place cannot show new bytes there. A read past the end of a file cut short (SIGBUS)
 * maps zeros from its page to the end, the spare page included.
 *
 * The guard table: MAPFILE_MAX slots of [start, end) address ranges, written by the thread
 * that opens or closes a mapping with SIGBUS blocked, read by the handler on whatever thread
 * faults. Slots are atomics (lock-free on every platform lector builds on), so a handler never
 * sees half a range. The handler uses mmap, which POSIX does not list as async-signal-safe but
 * which is a plain system call on Linux, the same trade the JVM and libsigsegv make.
 */
#include "lector/mapfile.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lector/xalloc.h"

struct MapFile {
    uint8_t *base; /* the reservation: total bytes */
    size_t total, size;
    int slot;
};

typedef struct {
    _Atomic uintptr_t start, end; /* 0, 0: free */
    atomic_bool cut;
} GuardSlot;

/* Process-wide by necessity (see mapfile.h): the table the SIGBUS handler searches. */
static GuardSlot guard_slots[MAPFILE_MAX];
static struct sigaction guard_previous;
static atomic_bool guard_installed;
static size_t guard_page;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void guard_on_sigbus(int sig, siginfo_t *si, void *uctx)
{
    uintptr_t a = (uintptr_t)si->si_addr;
    for (int k = 0; k < MAPFILE_MAX; k++) {
        uintptr_t s = atomic_load(&guard_slots[k].start), e = atomic_load(&guard_slots[k].end);
        if (!s || a < s || a >= e) continue;
        uintptr_t page = a & ~(uintptr_t)(guard_page - 1);
        /* from the page on, and the copied last page after e with it: all of it is past the
         * file's end now, and the copy would show a last page the file no longer has */
        void *p = mmap((void *)page, e - page + guard_page, PROT_READ,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (p == MAP_FAILED) break; /* cannot repair: fall through to the old behaviour */
        atomic_store(&guard_slots[k].cut, true);
        return; /* the read is retried, and finds zeros */
    }
    /* Not ours: hand the fault to whoever had it, by restoring them and letting the
     * instruction fault again (or call them, when they are a function). */
    if (guard_previous.sa_flags & SA_SIGINFO) {
        guard_previous.sa_sigaction(sig, si, uctx);
    } else if (guard_previous.sa_handler != SIG_DFL && guard_previous.sa_handler != SIG_IGN) {
        guard_previous.sa_handler(sig);
    } else {
        signal(SIGBUS, SIG_DFL);
    }
}

/* Once per process, whatever thread maps first (the library's indexing threads open stories
 * side by side): a second sigaction would save our own handler as the one to hand faults to. */
static void guard_install_once(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    guard_page = pg > 0 ? (size_t)pg : 4096;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = guard_on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &guard_previous) == 0) atomic_store(&guard_installed, true);
}

static int guard_install(void)
{
    pthread_once(&guard_once, guard_install_once);
    return atomic_load(&guard_installed) ? 0 : -1;
}

/* Sets slot k with SIGBUS blocked on this thread, so that its handler never sees it half set. */
static void guard_set(int k, uintptr_t start, uintptr_t end)
{
    sigset_t bus, old;
    sigemptyset(&bus);
    sigaddset(&bus, SIGBUS);
    pthread_sigmask(SIG_BLOCK, &bus, &old);
    atomic_store(&guard_slots[k].start, 0);
    atomic_store(&guard_slots[k].end, end);
    atomic_store(&guard_slots[k].cut, false);
    atomic_store(&guard_slots[k].start, start);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static int guard_claim(void)
{
    for (int k = 0; k < MAPFILE_MAX; k++) {
        uintptr_t zero = 0;
        /* end doubles as the claim: a slot is taken once its end is set */
        if (atomic_compare_exchange_strong(&guard_slots[k].end, &zero, (uintptr_t)1)) return k;
    }
    return -1;
}

int mapfile_open(int fd, size_t size, const char *name, MapFile **out, Diag *diag)
{
    if (size == 0 || guard_install() != 0) {
        diag_set(diag, DIAG_UNREADABLE, "%s: cannot be mapped", name);
        return -1;
    }
    size_t pg = guard_page;
    size_t whole = size & ~(pg - 1);
    if (size > SIZE_MAX - 2 * pg) {
        diag_set(diag, DIAG_TOO_LARGE, "%s: too large to map", name);
        return -1;
    }
    size_t total = whole + pg;
    int k = guard_claim();
    if (k < 0) {
        diag_set(diag, DIAG_UNREADABLE, "%s: too many files mapped at once", name);
        return -1;
    }
    uint8_t *base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        atomic_store(&guard_slots[k].end, 0);
        diag_set(diag, DIAG_TOO_LARGE, "%s: %s", name, strerror(errno));
        return -1;
    }
    if (whole && mmap(base, whole, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, fd, 0) ==
                     MAP_FAILED) {
        int e = errno;
        munmap(base, total);
        atomic_store(&guard_slots[k].end, 0);
        diag_set(diag, DIAG_UNREADABLE, "%s: cannot be mapped: %s", name, strerror(e));
        return -1;
    }
    /* the partial last page: copied (a file shorter by now leaves zeros) */
    size_t got = 0;
    while (whole + got < size) {
        ssize_t n = pread(fd, base + whole + got, size - whole - got, (off_t)(whole + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    base[size] = 0;
    mprotect(base + whole, pg, PROT_READ); /* a guard against our own bugs only */
    MapFile *m = xcalloc(1, sizeof *m);
    m->base = base;
    m->total = total;
    m->size = size;
    m->slot = k;
    guard_set(k, (uintptr_t)base, (uintptr_t)base + whole);
    *out = m;
    return 0;
}

const uint8_t *mapfile_bytes(const MapFile *m)
{
    return m->base;
}

size_t mapfile_size(const MapFile *m)
{
    return m->size;
}

void mapfile_release(const MapFile *m, size_t off, size_t len)
{
    size_t pg = guard_page, whole = m->size & ~(pg - 1);
    size_t end = off + len < off || off + len > whole ? whole : off + len;
    off = (off + pg - 1) & ~(pg - 1);
    end &= ~(pg - 1);
    /* file pages of a private mapping never written: dropped, they are read back from the file;
     * the copied last page (anonymous: it would read back as zeros) is never among them */
    if (end > off) madvise(m->base + off, end - off, MADV_DONTNEED);
}

bool mapfile_cut(const MapFile *m)
{
    return atomic_load(&guard_slots[m->slot].cut);
}

void mapfile_close(MapFile *m)
{
    if (!m) return;
    guard_set(m->slot, 0, 1); /* unguarded but still claimed while it goes */
    munmap(m->base, m->total);
    atomic_store(&guard_slots[m->slot].end, 0);
    free(m);
}
