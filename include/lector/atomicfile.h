/* atomicfile: the file-system steps the state and the index cache share.
 *
 * A file is replaced whole or not at all: written to a temp file in the same folder, optionally
 * synced, then renamed over the old one. A write that fails at any step (a full disk, say)
 * removes the temp file and leaves the previous file as it was; two writers at once (processes,
 * or threads of one process) each write their own temp file and rename a whole file, so the
 * file is always one of theirs, never a mix. A writer killed mid-write leaves its temp file
 * ("<file>.tmp-PID-N") behind; readers never look at temps, and atomic_sweep removes the stale
 * ones. Owns nothing.
 */
#ifndef LECTOR_ATOMICFILE_H
#define LECTOR_ATOMICFILE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "lector/strbuf.h"

/* Creates path and its parents (mode 0700); 0 when it exists afterwards, -1 with errno. */
int atomic_mkdir_p(const char *path);

/* The folder $<xdg_var>/lector, else $HOME/<home_rel>/lector, into out; -1 when neither is set
 * (an XDG variable must be an absolute path to count, as the spec says). */
int atomic_xdg_dir(const char *xdg_var, const char *home_rel, Strbuf *out);

enum { ATOMIC_CREATE = 1, ATOMIC_WRITE, ATOMIC_SYNC, ATOMIC_RENAME };

/* Replaces file with data[0, len). sync: fsync before the rename (for files whose loss would
 * matter). fail_at (tests): make that step fail, 0 for none. Returns 0, or -1 with the failing
 * step in *step (ATOMIC_*) and errno set (EIO for an injected fault); the temp file is then
 * removed. Safe to call from several threads at once, on the same file too. */
int atomic_write(const char *file, const void *data, size_t len, bool sync, int fail_at, int *step);
/* The same, the temp file's bytes written by fill (0, or -1 with errno), for data that is not in
 * memory (an index block in a file of its own). */
int atomic_write_with(const char *file, int (*fill)(int fd, void *ctx), void *ctx, bool sync,
                      int fail_at, int *step);

/* Removes the temp files of atomic_write in folder dir that were last written more than
 * max_age_s seconds ago: left by a writer that was killed or crashed. A younger one may belong
 * to a writer still at work, so it is kept (a write that stalls longer than max_age_s between
 * two of its writes loses its temp, and fails cleanly at the rename). Returns how many were
 * removed; errors are ignored (a temp left is only disk space). */
int atomic_sweep(const char *dir, long max_age_s);
/* atomic_sweep of dir with ATOMIC_STALE_SECONDS, the first time it is called with *done false
 * (it sets it; any thread): the state and the cache sweep before their first write, not when
 * they open, since listing a folder of a file per story costs every start. */
void atomic_sweep_once(atomic_bool *done, const char *dir);

/* The age past which the state and the cache sweep a temp file, before their first write to
 * their folder: a save takes well under a second, so a temp a minute old has no writer left. */
enum { ATOMIC_STALE_SECONDS = 60 };

/* A scratch file for bytes too many to hold in memory (an index build's runs, a story cleaned
 * of bad bytes): created in dir, else $TMPDIR, else /tmp, and gone from the folder at once
 * (O_TMPFILE, else a named file unlinked as soon as it is made), so that nothing is left behind
 * however the process ends. The caller owns the fd. -1 with errno when none can be made. */
int atomic_scratch_open(const char *dir);

/* "create", "write", "sync" or "rename". */
const char *atomic_step_name(int step);

#endif
