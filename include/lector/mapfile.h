/* mapfile: a regular file's bytes in memory without copying them, read-only, for stories of any
 * size (a 16 GB file costs address space, not memory: the kernel's page cache holds what was
 * read, and can drop it).
 *
 * Owns the mapping, and the one piece of process-wide state in the core: a SIGBUS handler with
 * a table of the mappings it guards (a signal handler gets no argument to find them by). When
 * the file is cut short while mapped (truncated, or rewritten by a program that truncates
 * first), reading a page past its new end would kill the process with SIGBUS; the handler
 * instead puts zero pages over the rest of the mapping and notes it (mapfile_cut), so those
 * bytes read as NUL and the caller can say that the file changed. Faults outside a guarded
 * mapping go to whatever handled SIGBUS before (by default: the process ends, as it would have).
 *
 * A file rewritten in place while mapped shows its new bytes where they were not yet read, as a
 * program that reads the file in steps (less) would: callers must read it as untrusted bytes
 * (bounds-checked decoding; controls made visible by code point, never passed on as bytes).
 *
 * Never touches the terminal; does not close the caller's fd.
 */
#ifndef LECTOR_MAPFILE_H
#define LECTOR_MAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lector/diag.h"

typedef struct MapFile MapFile;

/* The most mappings guarded at once; mapfile_open fails past it (the caller reads instead). */
enum { MAPFILE_MAX = 64 };

/* Maps the first size bytes of the regular file open on fd (size > 0), followed by one NUL
 * byte that is not the file's. Fails with one line in *diag (no address space, the table
 * full, a file that cannot be mapped): the caller then reads the file instead. */
int mapfile_open(int fd, size_t size, const char *name, MapFile **out, Diag *diag);

/* The bytes: size of them and the NUL. Valid until mapfile_close. */
const uint8_t *mapfile_bytes(const MapFile *m);
size_t mapfile_size(const MapFile *m);

/* Advice, for a caller that read [off, off + len) once and will not soon again (an index
 * build): its whole pages leave this process's memory. They stay in the kernel's page cache
 * while it has room, and the next read of them maps them back (from the file as it is then:
 * see above on files rewritten in place). */
void mapfile_release(const MapFile *m, size_t off, size_t len);

/* The file was found shorter than its mapping: a read past its end was answered with zero
 * pages (from that page to the mapping's end). Once true, stays true. */
bool mapfile_cut(const MapFile *m);

void mapfile_close(MapFile *m); /* NULL is a no-op */

#endif
