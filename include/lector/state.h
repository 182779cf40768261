/* state: where the reader was, per story, kept across runs.
 *
 * Owns the state folder ($XDG_STATE_HOME/lector, default ~/.local/state/lector): one small text
 * file per story, named by a hash of the story's real path, holding the reading position and the
 * marks, the furthest point read and the story's choice of line ends; and which story was read
 * last. A book (text_source_key) has a second file, named by its content, read first when the
 * story is given: a book moved, renamed or downloaded again keeps its places, and when a newer
 * lector imports it differently its places are looked for in the whole book. Each place is a byte
 * offset plus a fingerprint (the text that starts there), so that it survives another terminal
 * width and small edits of the story: when the text at the offset no longer matches, the
 * fingerprint is looked for nearby. Past what is loaded of a story still being read (clean as
 * read), those bytes are read from its file (text_read_ahead), not by loading the story up to the
 * place: a place 900 MB into a 1 GB story is saved and resumed at once.
 *
 * Writes are atomic (atomicfile.h): a temp file in the same folder, fsync, rename. A failed write
 * (a full disk, say) leaves the previous file as it was, byte for byte, and no temp file; two
 * processes saving at once each rename a whole file, so the file is always one of them, never a
 * mix; a writer killed mid-save leaves the old file or the new one, and a temp that the next
 * state_open sweeps once it is a minute old. A file that cannot be read as ours (corrupt,
 * truncated, from a future version) is renamed aside ("<file>.bad-TIME", TIME in seconds since
 * 1970) and reported, never overwritten in place; the 3 newest are kept per story, older ones
 * removed, so that a story whose file keeps being damaged cannot fill the folder. Never writes
 * anywhere but its folder (never the story), and never touches the terminal.
 */
#ifndef LECTOR_STATE_H
#define LECTOR_STATE_H

#include <stddef.h>

#include "lector/diag.h"
#include "lector/strbuf.h"
#include "lector/text.h"

enum { STATE_MARKS = 26 };

typedef struct {
    size_t offset;             /* reading position (top of the screen), byte offset */
    int percent;               /* the furthest read, for the shelf; -1: unknown */
    size_t marks[STATE_MARKS]; /* a..z; SIZE_MAX: unset */
    int line_ends;             /* LayoutLineEnds chosen for this story; -1: none chosen */
    int direction;             /* BidiDirection chosen for this story; -1: none chosen */
} StoryState;

typedef struct StateStore StateStore;

/* Opens (creating it, mode 0700) the folder dir, or the XDG default when dir is NULL, and
 * removes the temp files that writers killed over a minute ago left there. NULL with diag when
 * it cannot be had. */
StateStore *state_open(const char *dir, Diag *diag);
void state_close(StateStore *s); /* NULL is a no-op */

/* Reads the state of the story at path into *st, relocating places in text t by their
 * fingerprints (t may be NULL: no relocation, as for the shelf's progress). Returns 1 when
 * found, 0 when there is none (st is then a fresh state), -1 (st fresh) with diag when the file
 * is there but unusable: its content not ours (then it is kept aside and diag says where), or it
 * could not be read at all (an I/O error, no permission, not a file: left where it is). */
int state_load(StateStore *s, const char *path, Text *t, StoryState *st, Diag *diag);

/* Saves atomically; -1 with diag when it could not (the previous state is untouched). */
int state_save(StateStore *s, const char *path, Text *t, const StoryState *st, Diag *diag);

void state_init(StoryState *st);

/* The story read last: its path is kept (as its real path) in the folder's "last" file. set
 * writes it atomically (-1 with diag when it cannot); get fills out with it and returns 0, or -1
 * when there is none that can be read. */
int state_set_last(StateStore *s, const char *path, Diag *diag);
int state_get_last(StateStore *s, Strbuf *out);
/* The real path of path (realpath), or path itself when it has none, into out: how the state
 * tells stories apart, and how a shelf finds the story read last. */
void state_story_key(const char *path, Strbuf *out);

/* For tests: make the nth write step (1 open, 2 write, 3 fsync, 4 rename) of the next saves
 * fail; 0 turns it off. */
void state_fail_at(StateStore *s, int step);

#endif
