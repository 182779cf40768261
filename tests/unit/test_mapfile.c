/* Files mapped, not copied (mapfile.h): the bytes and the NUL after them, and a file cut short
 * while mapped, which reads as zeros instead of killing the process. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lector/mapfile.h"

static int temp_file(size_t size, char **path_out)
{
    char *path = strdup("/tmp/lector-map-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    uint8_t *buf = malloc(size);
    for (size_t i = 0; i < size; i++)
        buf[i] = (uint8_t)('a' + i % 26);
    cr_assert_eq(write(fd, buf, size), (ssize_t)size);
    free(buf);
    *path_out = path;
    return fd;
}

static void check_map(size_t size)
{
    char *path;
    int fd = temp_file(size, &path);
    MapFile *m;
    Diag d = {0};
    cr_assert_eq(mapfile_open(fd, size, path, &m, &d), 0, "%s", d.msg);
    const uint8_t *b = mapfile_bytes(m);
    cr_assert_eq(mapfile_size(m), size);
    for (size_t i = 0; i < size; i++)
        cr_assert_eq(b[i], 'a' + i % 26, "byte %zu of %zu", i, size);
    cr_assert_eq(b[size], 0, "a NUL after %zu bytes", size);
    cr_assert(!mapfile_cut(m));
    mapfile_close(m);
    close(fd);
    unlink(path);
    free(path);
}

Test(mapfile, the_bytes_and_a_nul_after_them_at_every_page_boundary)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    size_t sizes[] = {1, pg - 1, pg, pg + 1, 3 * pg, 3 * pg + 7};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++)
        check_map(sizes[k]);
}

/* An editor truncating the file while it is shown: reading the part cut off gives zeros, and
 * the mapping says it was cut; the part still in the file reads as before. */
Test(mapfile, a_file_cut_short_while_mapped_reads_as_zeros)
{
    size_t size = 1 << 20;
    char *path;
    int fd = temp_file(size, &path);
    MapFile *m;
    Diag d = {0};
    cr_assert_eq(mapfile_open(fd, size, path, &m, &d), 0, "%s", d.msg);
    const volatile uint8_t *b = mapfile_bytes(m);
    cr_assert_eq(b[900000], 'a' + 900000 % 26); /* in the page cache, mapped */
    cr_assert_eq(ftruncate(fd, 64 << 10), 0);
    cr_assert_eq(b[900000], 0, "a read past the new end gives a zero, not SIGBUS");
    cr_assert(mapfile_cut(m));
    cr_assert_eq(b[1000], 'a' + 1000 % 26, "the part still in the file is unchanged");
    cr_assert_eq(b[size], 0);
    mapfile_close(m);

    /* a second mapping after the first is gone is guarded too */
    cr_assert_eq(ftruncate(fd, 0), 0);
    cr_assert_eq(pwrite(fd, "xyz", 3, (off_t)size - 3), 3);
    cr_assert_eq(mapfile_open(fd, size, path, &m, &d), 0, "%s", d.msg);
    b = mapfile_bytes(m);
    cr_assert(!mapfile_cut(m));
    cr_assert_eq(b[size - 1], 'z');
    cr_assert_eq(ftruncate(fd, 4096), 0);
    cr_assert_eq(b[500000], 0);
    cr_assert(mapfile_cut(m));
    mapfile_close(m);
    close(fd);
    unlink(path);
    free(path);
}

/* The handler repairs its own mappings only: a fault anywhere else is what it always was (here
 * the process ends with SIGBUS; under AddressSanitizer, whose handler was there first, with its
 * report). Run in a child, which must not live on. */
Test(mapfile, a_fault_outside_its_mappings_is_left_alone)
{
    size_t size = 1 << 20;
    char *path;
    int fd = temp_file(size, &path);
    unlink(path);
    free(path);
    MapFile *m;
    Diag d = {0};
    cr_assert_eq(mapfile_open(fd, size, "test", &m, &d), 0, "%s", d.msg); /* installs it */
    const volatile uint8_t *other = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    cr_assert(other != MAP_FAILED);
    cr_assert_eq(ftruncate(fd, 0), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        (void)other[size / 2]; /* past the end of a mapping that is not mapfile's */
        _exit(0);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(!(WIFEXITED(status) && WEXITSTATUS(status) == 0),
              "the read past the end of a foreign mapping was let through");
    cr_assert(!mapfile_cut(m), "and its own mapping was not touched");
    mapfile_close(m);
    close(fd);
}
