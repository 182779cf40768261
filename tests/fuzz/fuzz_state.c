/* fuzz_state: any bytes as a story's state file.
 *
 * Input: the state file's bytes, up to the first NUL; after a NUL, the story's bytes (the text
 * that places are relocated in by their fingerprints). With no NUL there is no story, as when
 * the shelf reads only the percentage.
 *
 * The bytes are written where the store keeps the state of one fixed story path, in a folder of
 * its own (under $TMPDIR), and read back with state_load.
 *
 * Invariants: the file is there, so state_load returns 1 or -1, never 0. On -1 the state is a
 * fresh one and diag says why. On 1 the values are sane: percent -1..100, and with a story the
 * offset and every set mark inside it; and the state survives a save and a load unchanged (what
 * was read is what is written back, and read again the same).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "lector/state.h"
#include "lector/strbuf.h"
#include "lector/text.h"

/* A story path that does not exist: the store names its file after the path as given. */
static const char STORY[] = "/nonexistent/lector-fuzz/story.txt";

static char *dir;         /* the store's folder; removed at exit */
static char *state_file;  /* the one file the store reads for STORY */
static StateStore *store; /* open for the whole run */

static void remove_all(void)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            Strbuf p = STRBUF_INIT;
            strbuf_addf(&p, "%s/%s", dir, e->d_name);
            unlink(p.buf);
            strbuf_release(&p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* The store's folder, and its file for STORY, found by saving a state once. */
static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    Strbuf p = STRBUF_INIT;
    strbuf_addf(&p, "%s/lector-fuzz-state-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    FUZZ_CHECK(mkdtemp(p.buf) != NULL, "mkdtemp %s", p.buf);
    dir = strbuf_detach(&p, NULL);
    atexit(remove_all);
    Diag d = {0};
    store = state_open(dir, &d);
    FUZZ_CHECK(store != NULL, "state_open: %s", d.msg);
    StoryState st;
    state_init(&st);
    FUZZ_CHECK(state_save(store, STORY, NULL, &st, &d) == 0, "state_save: %s", d.msg);
    DIR *dd = opendir(dir);
    struct dirent *e;
    while ((e = readdir(dd)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 6 && !strcmp(e->d_name + n - 6, ".state")) {
            strbuf_addf(&p, "%s/%s", dir, e->d_name);
            state_file = strbuf_detach(&p, NULL);
        }
    }
    closedir(dd);
    FUZZ_CHECK(state_file != NULL, "no .state file in %s after a save", dir);
}

static void write_file(const uint8_t *data, size_t len)
{
    int fd = open(state_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_CHECK(fd >= 0, "cannot write %s", state_file);
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        FUZZ_CHECK(w > 0, "write to %s", state_file);
        done += (size_t)w;
    }
    close(fd);
}

static bool same_state(const StoryState *a, const StoryState *b)
{
    if (a->offset != b->offset || a->percent != b->percent) return false;
    for (int i = 0; i < STATE_MARKS; i++)
        if (a->marks[i] != b->marks[i]) return false;
    return true;
}

static void check_sane(const StoryState *st, const Text *t)
{
    FUZZ_CHECK(st->percent >= -1 && st->percent <= 100, "percent %d", st->percent);
    if (!t) return;
    size_t len = text_len(t);
    FUZZ_CHECK(st->offset <= len, "offset %zu in a story of %zu bytes", st->offset, len);
    for (int i = 0; i < STATE_MARKS; i++)
        FUZZ_CHECK(st->marks[i] == SIZE_MAX || st->marks[i] <= len,
                   "mark %c at %zu in a story of %zu bytes", 'a' + i, st->marks[i], len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) return 0;
    if (!store) setup();
    const uint8_t *nul = memchr(data, 0, size);
    size_t flen = nul ? (size_t)(nul - data) : size;
    Text *t = nul ? text_from_bytes(nul + 1, size - flen - 1, "story.txt") : NULL;

    write_file(data, flen);
    StoryState st, fresh;
    state_init(&fresh);
    Diag d = {0};
    int rc = state_load(store, STORY, t, &st, &d);
    FUZZ_CHECK(rc == 1 || rc == -1, "state_load returned %d for a file that is there", rc);
    if (rc < 0) {
        FUZZ_CHECK(same_state(&st, &fresh), "a refused file left a state behind");
        FUZZ_CHECK(d.code != 0 && d.msg[0], "a refused file, no reason given");
    } else {
        check_sane(&st, t);
        StoryState again;
        FUZZ_CHECK(state_save(store, STORY, t, &st, &d) == 0, "state_save: %s", d.msg);
        FUZZ_CHECK(state_load(store, STORY, t, &again, &d) == 1, "a saved state is refused: %s",
                   d.msg);
        FUZZ_CHECK(same_state(&st, &again),
                   "saved and read back, offset %zu -> %zu, percent %d -> %d", st.offset,
                   again.offset, st.percent, again.percent);
    }
    text_free(t);
    return 0;
}
