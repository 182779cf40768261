/* The state files: places and marks kept across runs, and nothing lost. A save that fails at any
 * point (an injected fault, a file size limit at every byte, a full tmpfs) leaves the previous
 * file byte for byte and no temp file; writers racing in processes and in threads, with readers
 * reading all along, only ever show whole versions; a writer killed at a random moment leaves
 * the old file or the new one; a damaged file is kept aside, with a message, and at most three
 * per story. */
#define _GNU_SOURCE /* unshare() for the tmpfs test */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsfault.h"
#include "lector/bidi.h"
#include "lector/state.h"
#include "lector/text.h"

static char dir[256], story[300], sdir[300];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/lector-state-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(story, sizeof story, "%s/story.txt", dir);
    snprintf(sdir, sizeof sdir, "%s/state/lector", dir);
    FILE *f = fopen(story, "w");
    fputs("x", f);
    fclose(f);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static StateStore *store(void)
{
    Diag d = {0};
    StateStore *s = state_open(sdir, &d);
    cr_assert_not_null(s, "%s", d.msg);
    return s;
}

static const char *TEXT1 =
    "Once upon a time in the steppe there lived a singer. She sang every day.";

TestSuite(state, .init = setup, .fini = teardown);

Test(state, round_trip_with_marks)
{
    StateStore *s = store();
    Text *t = text_from_bytes(TEXT1, strlen(TEXT1), "story.txt");
    StoryState st, back;
    state_init(&st);
    st.offset = 29;
    st.percent = 40;
    st.marks['b' - 'a'] = 53;
    Diag d = {0};
    cr_assert_eq(state_load(s, story, t, &back, &d), 0, "nothing saved yet");
    cr_assert_eq(state_save(s, story, t, &st, &d), 0, "%s", d.msg);
    cr_assert_eq(state_load(s, story, t, &back, &d), 1);
    cr_assert_eq(back.offset, 29);
    cr_assert_eq(back.percent, 40);
    cr_assert_eq(back.marks[1], 53);
    cr_assert_eq(back.marks[0], SIZE_MAX);
    text_free(t);
    state_close(s);
}

/* The story was edited before the position: the fingerprint finds the same words. */
Test(state, a_small_edit_keeps_the_place)
{
    StateStore *s = store();
    Text *t = text_from_bytes(TEXT1, strlen(TEXT1), "story.txt");
    StoryState st, back;
    state_init(&st);
    st.offset = (size_t)(strstr(TEXT1, "there lived") - TEXT1);
    Diag d = {0};
    cr_assert_eq(state_save(s, story, t, &st, &d), 0);
    text_free(t);
    const char *edited = "PROLOGUE. Once upon a long time in the steppe there lived a singer.";
    t = text_from_bytes(edited, strlen(edited), "story.txt");
    cr_assert_eq(state_load(s, story, t, &back, &d), 1);
    cr_assert_eq(back.offset, (size_t)(strstr(edited, "there lived") - edited), "relocated to %zu",
                 back.offset);
    text_free(t);
    state_close(s);
}

/* A big story of lines of Cyrillic, CJK and Kazakh (a place's surroundings cut their sequences),
 * with "The singer came home." at about 20 MB, and extra bytes before it when edited; *at:
 * where the sentence is. */
static void write_big_story(const char *path, bool edited, size_t *at)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    size_t len = 0;
    while (len < (24u << 20)) {
        if (*at == SIZE_MAX && len >= (20u << 20)) {
            *at = len;
            len += (size_t)fprintf(f, "The singer came home.\n\n");
        }
        if (edited && len >= (19u << 20) && len < (19u << 20) + 64)
            len += (size_t)fprintf(f, "An edit.\n\n");
        len += (size_t)fprintf(f, "Жил-был певец в степи, 漢字かな, қазақ әні.\n\n");
    }
    fclose(f);
}

/* A place far into a big story still being read (shown from a window) is saved and found again
 * from the file's bytes there, without loading the story up to it: after an edit before it too. */
Test(state, a_far_place_in_a_story_being_read_is_saved_and_found_without_loading_it)
{
    StateStore *s = store();
    size_t at = SIZE_MAX, at2 = SIZE_MAX;
    write_big_story(story, false, &at);
    Text *t;
    Diag d = {0};
    cr_assert_eq(text_open(story, 0, &t, &d), 0, "%s", d.msg);
    text_set_clean_throughout(t); /* as the reader does when the story's index says so */
    size_t loaded = text_len(t);
    StoryState st, back;
    state_init(&st);
    st.offset = at;
    cr_assert_eq(state_save(s, story, t, &st, &d), 0, "%s", d.msg);
    cr_assert_eq(text_len(t), loaded, "saving loaded %zu bytes", text_len(t) - loaded);
    text_free(t);

    write_big_story(story, true, &at2);
    cr_assert_gt(at2, at, "the edit is before the place");
    cr_assert_eq(text_open(story, 0, &t, &d), 0, "%s", d.msg);
    text_set_clean_throughout(t);
    loaded = text_len(t);
    cr_assert_eq(state_load(s, story, t, &back, &d), 1, "%s", d.msg);
    cr_assert_eq(back.offset, at2, "found at %zu, not %zu", back.offset, at2);
    cr_assert_eq(text_len(t), loaded, "finding it loaded %zu bytes", text_len(t) - loaded);
    text_free(t);
    state_close(s);
}

/* The story's state file, into file (found by saving a fresh state once when there is none). */
static void state_file(StateStore *s, char *file, size_t size)
{
    if (fs_find(sdir, ".state", file, size)) return;
    StoryState st;
    state_init(&st);
    Diag d = {0};
    cr_assert_eq(state_save(s, story, NULL, &st, &d), 0, "%s", d.msg);
    cr_assert(fs_find(sdir, ".state", file, size));
}

static void put_file(const char *path, const char *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

/* The name after "kept aside as " in msg, into out. */
static void aside_path(const char *msg, char *out, size_t size)
{
    const char *p = strstr(msg, "kept aside as ");
    cr_assert_not_null(p, "no kept-aside path in: %s", msg);
    snprintf(out, size, "%s", p + strlen("kept aside as "));
}

/* Each kind of damage is refused, with a message naming where the file went; the file there
 * holds the damaged bytes exactly; the story starts afresh; and saving works again. */
Test(state, a_corrupt_or_foreign_file_is_kept_aside)
{
    static char big[70000];
    memset(big, '\n', sizeof big);
    memcpy(big, "lector-state 1\n", 15);
#define BYTES(s)                                                                                   \
    {                                                                                              \
        s, sizeof s - 1                                                                            \
    }
    const struct {
        const char *bytes;
        size_t len;
    } bad[] = {
        BYTES("garbage\n"),
        BYTES("lector-state 9\noffset 1 -\n"),   /* a future version */
        BYTES("lector-state 1\noffset 12"),      /* truncated: no newline */
        BYTES("lector-state 1\noffset x -\n"),   /* not a number */
        BYTES("lector-state 1\nmark A 1 -\n"),   /* not a mark */
        BYTES(""),                               /* empty */
        BYTES("lector-state 1\n\0offset 1 -\n"), /* a NUL */
        BYTES("lector-state 1\noffset 1 abc\n"), /* an odd fingerprint */
        {big, sizeof big},                       /* too large to be ours */
        BYTES("lector-state 1\npercent 101\n"),  /* out of range */
        BYTES("\xef\xbb\xbflector-state 1\n"),   /* a BOM: another program wrote it */
    };
#undef BYTES
    StateStore *s = store();
    char file[600], aside[600];
    state_file(s, file, sizeof file);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        put_file(file, bad[i].bytes, bad[i].len);
        StoryState st;
        Diag d = {0};
        cr_assert_eq(state_load(s, story, NULL, &st, &d), -1, "case %zu must be refused", i);
        aside_path(d.msg, aside, sizeof aside);
        cr_assert(!strncmp(aside, file, strlen(file)) && strstr(aside, ".bad-"), "case %zu: %s", i,
                  aside);
        cr_assert(fs_holds(aside, bad[i].bytes, bad[i].len), "case %zu: %s must hold the bytes", i,
                  aside);
        cr_assert_neq(access(file, F_OK), 0, "case %zu: moved, not copied", i);
        cr_assert_eq(st.offset, 0);
        cr_assert_eq(st.percent, -1);
        cr_assert_eq(st.marks[3], SIZE_MAX);
        cr_assert_eq(state_load(s, story, NULL, &st, &d), 0, "the bad file is out of the way");
        int kept = fs_count(sdir, ".bad-");
        cr_assert(kept >= 1 && kept <= 3, "case %zu: %d kept aside", i, kept);
    }
    StoryState st, back;
    state_init(&st);
    st.offset = 1;
    Diag d = {0};
    cr_assert_eq(state_save(s, story, NULL, &st, &d), 0, "%s", d.msg);
    cr_assert_eq(state_load(s, story, NULL, &back, &d), 1);
    cr_assert_eq(back.offset, 1);
    state_close(s);
}

/* Repeated damage keeps the three newest files aside for the story, never more; another story's
 * and names that are not ours are left alone. */
Test(state, at_most_three_files_are_kept_aside_per_story)
{
    StateStore *s = store();
    char file[600], name[700], aside[600];
    state_file(s, file, sizeof file);
    for (int k = 100; k <= 104; k++) { /* five old ones, as if damaged in 1970 */
        snprintf(name, sizeof name, "%s.bad-%d", file, k);
        put_file(name, "old", 3);
    }
    const char *others[] = {"0123456789abcdef.state.bad-50", "0123456789abcdef.state.bad-51",
                            "0123456789abcdef.state.bad-52", "0123456789abcdef.state.bad-53"};
    for (size_t k = 0; k < 4; k++) {
        snprintf(name, sizeof name, "%s/%s", sdir, others[k]);
        put_file(name, "other", 5);
    }
    snprintf(name, sizeof name, "%s.bad-notes", file); /* not a name state gives */
    put_file(name, "mine", 4);
    for (int round = 0; round < 3; round++) {
        put_file(file, "garbage\n", 8);
        StoryState st;
        Diag d = {0};
        cr_assert_eq(state_load(s, story, NULL, &st, &d), -1);
        aside_path(d.msg, aside, sizeof aside);
        cr_assert(fs_holds(aside, "garbage\n", 8), "%s", aside);
        const char *base = strrchr(file, '/') + 1;
        char prefix[100];
        snprintf(prefix, sizeof prefix, "%s.bad-", base);
        cr_assert_eq(fs_count(sdir, prefix), 3 + 1, "round %d: three kept, and bad-notes", round);
        for (int k = 100; k <= 104; k++) { /* later rounds may fall in the next second */
            snprintf(name, sizeof name, "%s.bad-%d", file, k);
            if (k <= 102 || round == 0)
                cr_assert_eq(access(name, F_OK) == 0, k >= 103, "round %d: %s: the newest stay",
                             round, name);
        }
        cr_assert_eq(fs_count(sdir, "0123456789abcdef.state.bad-"), 4, "another story's");
        snprintf(name, sizeof name, "%s.bad-notes", file);
        cr_assert(fs_holds(name, "mine", 4));
    }
    state_close(s);
}

/* A state "file" that is a folder or a FIFO cannot be read: said so, left where it is (not
 * kept aside: it is not a damaged file of ours), and a FIFO does not hang the load. */
Test(state, what_cannot_be_read_is_left_in_place)
{
    StateStore *s = store();
    char file[600];
    state_file(s, file, sizeof file);
    for (int kind = 0; kind < 2; kind++) {
        cr_assert(unlink(file) == 0 || rmdir(file) == 0);
        cr_assert_eq(kind ? mkfifo(file, 0600) : mkdir(file, 0700), 0);
        StoryState st;
        Diag d = {0};
        cr_assert_eq(state_load(s, story, NULL, &st, &d), -1, "kind %d", kind);
        cr_assert(strstr(d.msg, "not a file") && strstr(d.msg, file), "%s", d.msg);
        cr_assert_eq(access(file, F_OK), 0, "left where it is");
        cr_assert_eq(fs_count(sdir, ".bad-"), 0);
        cr_assert_eq(st.offset, 0);
    }
    state_close(s);
}

/* The state with many marks and fingerprints of t: a file of some 1,700 bytes. */
static void big_state(StoryState *st, size_t salt)
{
    state_init(st);
    st->offset = 5 + salt;
    st->percent = 77;
    for (int i = 0; i < STATE_MARKS; i++)
        st->marks[i] = (size_t)i * 2 + salt;
}

/* An injected fault at each step: -1, a message naming the step, the previous file byte for
 * byte, and nothing else in the folder. */
Test(state, a_failed_write_leaves_the_previous_state)
{
    StateStore *s = store();
    Text *t = text_from_bytes(TEXT1, strlen(TEXT1), "story.txt");
    StoryState st, back;
    state_init(&st);
    st.offset = 7;
    Diag d = {0};
    cr_assert_eq(state_save(s, story, t, &st, &d), 0);
    char file[600];
    state_file(s, file, sizeof file);
    size_t len;
    char *before = fs_slurp(file, &len);
    static const char *names[] = {"", "create", "write", "sync", "rename"};
    for (int step = 1; step <= 4; step++) {
        state_fail_at(s, step);
        big_state(&st, (size_t)step);
        cr_assert_eq(state_save(s, story, t, &st, &d), -1, "step %d must fail", step);
        cr_assert(strstr(d.msg, "reading position not saved") && strstr(d.msg, names[step]), "%s",
                  d.msg);
        cr_assert(fs_holds(file, before, len), "step %d: the previous file, byte for byte", step);
        cr_assert_eq(fs_count(sdir, ""), 1, "step %d: nothing but the state file", step);
        state_fail_at(s, 0);
        cr_assert_eq(state_load(s, story, t, &back, &d), 1);
        cr_assert_eq(back.offset, 7, "step %d: the previous state must be intact", step);
    }
    free(before);
    text_free(t);
    state_close(s);
}

/* A real full disk at every byte: with the file size limit at n (write() then fails with EFBIG
 * past byte n, partway through, as when a disk fills), for every n from 0 to the whole new
 * file, the save fails cleanly (-1, a message naming the write and the error), the previous
 * file stays byte for byte, and no temp file is left; from the whole size on, it succeeds. */
Test(state, a_full_disk_at_any_byte_leaves_the_previous_file)
{
    StateStore *s = store();
    Text *t = text_from_bytes(TEXT1, strlen(TEXT1), "story.txt");
    StoryState old, neu;
    state_init(&old);
    old.offset = 3;
    Diag d = {0};
    cr_assert_eq(state_save(s, story, t, &old, &d), 0);
    char file[600];
    state_file(s, file, sizeof file);
    size_t old_len, new_len;
    char *old_bytes = fs_slurp(file, &old_len);
    big_state(&neu, 0);
    cr_assert_eq(state_save(s, story, t, &neu, &d), 0);
    char *new_bytes = fs_slurp(file, &new_len);
    cr_assert_gt(new_len, 1500, "a file of many writes' worth of bytes: %zu", new_len);
    put_file(file, old_bytes, old_len);
    int failed = 0;
    for (size_t n = 0; n <= new_len + 1; n++) {
        Diag e = {0};
        fs_limit(n);
        int rc = state_save(s, story, t, &neu, &e);
        fs_limit(RLIM_INFINITY);
        if (n < new_len) {
            cr_assert_eq(rc, -1, "limit %zu of %zu: must fail", n, new_len);
            cr_assert(strstr(e.msg, "write") && strstr(e.msg, strerror(EFBIG)), "%zu: %s", n,
                      e.msg);
            cr_assert(fs_holds(file, old_bytes, old_len), "limit %zu: the previous file", n);
            failed++;
        } else {
            cr_assert_eq(rc, 0, "limit %zu of %zu: fits: %s", n, new_len, e.msg);
            cr_assert(fs_holds(file, new_bytes, new_len), "limit %zu: the new file", n);
            put_file(file, old_bytes, old_len);
        }
        cr_assert_eq(fs_count(sdir, ""), 1, "limit %zu: a temp file was left", n);
    }
    cr_assert_eq(failed, (int)new_len);
    free(old_bytes);
    free(new_bytes);
    text_free(t);
    state_close(s);
}

typedef struct {
    FsRace *race;
    Text *t;
    char *old_bytes, *new_bytes;
    size_t old_len, new_len;
} Tmpfs;

/* In the tmpfs child: the disk full at each page count, then out of inodes. */
static int tmpfs_state(void *arg)
{
    Tmpfs *x = arg;
    FsRace *r = x->race;
    StateStore *s = state_open(sdir, NULL);
    FS_CHECK(r, s, "state_open on the tmpfs");
    char file[600];
    StoryState old, neu;
    state_init(&old);
    old.offset = 3;
    FS_CHECK(r, state_save(s, story, x->t, &old, NULL) == 0, "the first save");
    FS_CHECK(r, fs_find(sdir, ".state", file, sizeof file), "no state file");
    FS_CHECK(r, fs_holds(file, x->old_bytes, x->old_len), "the tmpfs writes other bytes");
    big_state(&neu, 0);
    /* fill the disk: a filler file, written until ENOSPC */
    char filler[400];
    snprintf(filler, sizeof filler, "%s/state/filler", dir);
    int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FS_CHECK(r, fd >= 0, "filler: %s", strerror(errno));
    static char page[4096];
    off_t size = 0;
    ssize_t w;
    while ((w = write(fd, page, sizeof page)) > 0)
        size += w;
    FS_CHECK(r, w < 0 && errno == ENOSPC, "the tmpfs did not fill: %s", strerror(errno));
    for (int free_pages = 0; free_pages <= 1; free_pages++) {
        FS_CHECK(r, ftruncate(fd, size - (off_t)free_pages * 4096) == 0, "ftruncate");
        Diag d = {0};
        int rc = state_save(s, story, x->t, &neu, &d);
        if (free_pages == 0) {
            FS_CHECK(r, rc == -1, "a full disk: the save must fail");
            FS_CHECK(r, strstr(d.msg, "write") && strstr(d.msg, strerror(ENOSPC)), "%s", d.msg);
            FS_CHECK(r, fs_holds(file, x->old_bytes, x->old_len), "full disk: the old file");
        } else {
            FS_CHECK(r, rc == 0, "a page free: the save fits: %s", d.msg);
            FS_CHECK(r, fs_holds(file, x->new_bytes, x->new_len), "the new file");
        }
        FS_CHECK(r, fs_count(sdir, ".tmp-") == 0, "%d free pages: a temp file left", free_pages);
    }
    close(fd);
    /* no inode left for the temp file: the create fails */
    FS_CHECK(r, unlink(filler) == 0, "unlink");
    char name[700];
    for (int k = 0;; k++) {
        snprintf(name, sizeof name, "%s/state/i%d", dir, k);
        int f = open(name, O_WRONLY | O_CREAT, 0600);
        if (f < 0) {
            FS_CHECK(r, errno == ENOSPC, "inodes: %s", strerror(errno));
            break;
        }
        close(f);
    }
    Diag d = {0};
    FS_CHECK(r, state_save(s, story, x->t, &old, &d) == -1, "no inode: the save must fail");
    FS_CHECK(r, strstr(d.msg, "create") && strstr(d.msg, strerror(ENOSPC)), "%s", d.msg);
    FS_CHECK(r, fs_holds(file, x->new_bytes, x->new_len), "no inode: the previous file");
    state_close(s);
    return 0;
}

/* The same with a real full disk, ENOSPC, on a tmpfs of 64 KiB (only where the system lets a
 * test mount one, in a mount namespace of its own: as root, say). */
Test(state, a_full_tmpfs_leaves_the_previous_file)
{
    Tmpfs x = {fs_shared(sizeof(FsRace)),
               text_from_bytes(TEXT1, strlen(TEXT1), "story.txt"),
               NULL,
               NULL,
               0,
               0};
    StateStore *s = store(); /* the bytes each save should write, found outside the tmpfs */
    StoryState st;
    state_init(&st);
    st.offset = 3;
    cr_assert_eq(state_save(s, story, x.t, &st, NULL), 0);
    char file[600];
    state_file(s, file, sizeof file);
    x.old_bytes = fs_slurp(file, &x.old_len);
    big_state(&st, 0);
    cr_assert_eq(state_save(s, story, x.t, &st, NULL), 0);
    x.new_bytes = fs_slurp(file, &x.new_len);
    state_close(s);
    char mnt[300];
    snprintf(mnt, sizeof mnt, "%s/state", dir);
    int rc = fs_in_tmpfs(mnt, "size=64k,nr_inodes=64", tmpfs_state, &x);
    free(x.old_bytes);
    free(x.new_bytes);
    text_free(x.t);
    if (rc < 0) cr_skip_test("cannot mount a tmpfs here (not root?): ENOSPC not tested");
    cr_assert_eq(rc, 0, "%s", x.race->why);
}

/* A version of the state that says which writer and which save it is, in every line, and has
 * as many lines as (i * 7 + k) % 27: a mix of two versions (one's start, another's end) cannot
 * pass race_check. Writer k's save i. */
static void race_state(int k, int i, StoryState *st)
{
    state_init(st);
    st->offset = (size_t)(k + 1) * 100000 + (size_t)i;
    st->percent = i % 101;
    int marks = (i * 7 + k) % 27;
    for (int j = 0; j < marks; j++)
        st->marks[j] = st->offset + (size_t)j;
}

/* The writer and save of a state race_state made, as k * 100000 + i; -1 when it is none of
 * them (0 is the first state, before the race). */
static long race_check(const StoryState *st, int writers, int saves)
{
    if (st->offset == 0 && st->percent == -1) return 0;
    long k = (long)(st->offset / 100000) - 1, i = (long)(st->offset % 100000);
    if (k < 0 || k >= writers || i >= saves || st->percent != i % 101) return -1;
    int marks = (int)((i * 7 + k) % 27);
    for (int j = 0; j < STATE_MARKS; j++)
        if (st->marks[j] != (j < marks ? st->offset + (size_t)j : SIZE_MAX)) return -1;
    return (k + 1) * 100000 + i;
}

/* A reader: loads until told to stop; every load must find a whole version. */
static void race_read(FsRace *r, int writers, int saves)
{
    StateStore *s = state_open(sdir, NULL);
    long last = 0;
    atomic_fetch_add(&r->ready, 1);
    while (!atomic_load(&r->stop)) {
        StoryState st;
        Diag d = {0};
        int rc = state_load(s, story, NULL, &st, &d);
        long v = rc == 1 ? race_check(&st, writers, saves) : -1;
        if (v < 0) {
            fs_fail(r, "read %ld: load %d, offset %zu: %s", atomic_load(&r->reads), rc, st.offset,
                    d.msg);
            break;
        }
        atomic_fetch_add(&r->reads, 1);
        if (v != last) atomic_fetch_add(&r->seen, 1);
        last = v;
    }
    state_close(s);
}

static void race_write(FsRace *r, int k, int saves)
{
    StateStore *s = state_open(sdir, NULL);
    for (int i = 0; i < saves; i++) {
        StoryState st;
        race_state(k, i, &st);
        Diag d = {0};
        if (state_save(s, story, NULL, &st, &d) != 0)
            fs_fail(r, "writer %d save %d: %s", k, i, d.msg);
        atomic_fetch_add(&r->saves, 1);
    }
    state_close(s);
}

/* After a race: nothing failed, the readers read while the writers wrote (they saw the file
 * change), and the folder holds the one whole file. */
static void race_verdict(FsRace *r, int writers, int saves)
{
    cr_log_info("%ld writes, %ld whole reads, %ld changes seen", atomic_load(&r->saves),
                atomic_load(&r->reads), atomic_load(&r->seen));
    cr_assert_eq(atomic_load(&r->fails), 0, "%ld failures; the first: %s", atomic_load(&r->fails),
                 r->why);
    cr_assert_eq(atomic_load(&r->saves), writers * saves);
    cr_assert_geq(atomic_load(&r->seen), 2, "the readers never saw a save: no race (%ld reads)",
                  atomic_load(&r->reads));
    StateStore *s = store();
    StoryState st;
    Diag d = {0};
    cr_assert_eq(state_load(s, story, NULL, &st, &d), 1, "%s", d.msg);
    cr_assert_geq(race_check(&st, writers, saves), 100000, "the last file is some writer's");
    cr_assert_eq(fs_count(sdir, ""), 1, "only the state file: no temp, nothing kept aside");
    state_close(s);
}

/* Three processes saving one story's state 150 times each, while two more load it all along:
 * every load finds one whole version (never a mix, never a parse failure), no save fails. */
Test(state, two_processes_saving_at_once_never_corrupt_it)
{
    enum { WRITERS = 3, READERS = 2, SAVES = 150 };
    FsRace *r = fs_shared(sizeof *r);
    StateStore *s = store();
    StoryState st;
    state_init(&st);
    cr_assert_eq(state_save(s, story, NULL, &st, NULL), 0); /* version 0, before the race */
    state_close(s);
    for (int k = 0; k < READERS; k++)
        if (fork() == 0) {
            alarm(120); /* should the test fail before it stops them */
            race_read(r, WRITERS, SAVES);
            _exit(0);
        }
    while (atomic_load(&r->ready) < READERS) /* the readers are reading before a write */
        usleep(1000);
    pid_t writer[WRITERS];
    for (int k = 0; k < WRITERS; k++)
        if ((writer[k] = fork()) == 0) {
            race_write(r, k, SAVES);
            _exit(0);
        }
    for (int k = 0; k < WRITERS; k++) {
        int status;
        cr_assert_eq(waitpid(writer[k], &status, 0), writer[k]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d died", k);
    }
    atomic_store(&r->stop, 1);
    cr_assert(fs_wait_all(), "a reader died");
    race_verdict(r, WRITERS, SAVES);
}

typedef struct {
    FsRace *race;
    int k;
} RaceThread;

static void *race_thread(void *arg)
{
    RaceThread *rt = arg;
    if (rt->k < 0)
        race_read(rt->race, 2, 300);
    else
        race_write(rt->race, rt->k, 300);
    return NULL;
}

/* Two threads of one process saving the same story at once (the reader's indexer and its
 * shelf search may) while a third loads: the same. Temps named by the process alone would
 * have the threads write into one file and rename a mix. */
Test(state, two_threads_saving_at_once_never_corrupt_it)
{
    FsRace *r = fs_shared(sizeof *r);
    StateStore *s = store();
    StoryState st;
    state_init(&st);
    cr_assert_eq(state_save(s, story, NULL, &st, NULL), 0);
    state_close(s);
    RaceThread rt[3] = {{r, -1}, {r, 0}, {r, 1}};
    pthread_t tid[3];
    cr_assert_eq(pthread_create(&tid[0], NULL, race_thread, &rt[0]), 0);
    while (atomic_load(&r->ready) < 1)
        usleep(1000);
    for (int k = 1; k < 3; k++)
        cr_assert_eq(pthread_create(&tid[k], NULL, race_thread, &rt[k]), 0);
    for (int k = 1; k < 3; k++)
        pthread_join(tid[k], NULL);
    atomic_store(&r->stop, 1);
    pthread_join(tid[0], NULL);
    race_verdict(r, 2, 300);
}

/* A writer killed (SIGKILL) at a random moment of its saves, 150 times: the file is always the
 * old one or one of the new ones, byte for byte, and loads. The temps the killed writers left
 * are never read, never more than one per kill, and the next state_open removes them once
 * they are a minute old. */
Test(state, a_writer_killed_at_any_moment_leaves_a_whole_file)
{
    enum { KILLS = 150 };
    StateStore *s = store();
    Text *t = text_from_bytes(TEXT1, strlen(TEXT1), "story.txt");
    StoryState v[3];
    char *bytes[3], file[600];
    size_t len[3];
    state_init(&v[0]);
    v[0].offset = 9;
    big_state(&v[1], 1);
    big_state(&v[2], 2);
    v[2].marks[25] = SIZE_MAX;     /* another length */
    for (int k = 2; k >= 0; k--) { /* ends with version 0 in place */
        cr_assert_eq(state_save(s, story, t, &v[k], NULL), 0);
        state_file(s, file, sizeof file);
        bytes[k] = fs_slurp(file, &len[k]);
    }
    /* how long a save takes here, so that the kills land anywhere in the cycle of two */
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 10; i++)
        state_save(s, story, t, &v[1 + i % 2], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long cycle_us = ((b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000) / 5;
    put_file(file, bytes[0], len[0]);
    unsigned seed = 12345;
    int seen[3] = {0};
    for (int kill_no = 0; kill_no < KILLS; kill_no++) {
        int go[2];
        cr_assert_eq(pipe(go), 0);
        pid_t kid = fork();
        if (kid == 0) {
            alarm(60); /* should the test fail before it kills this one */
            StateStore *ks = state_open(sdir, NULL);
            close(go[0]);
            if (write(go[1], "g", 1) != 1) _exit(1);
            for (unsigned i = 0;; i++)
                state_save(ks, story, t, &v[1 + i % 2], NULL);
        }
        close(go[1]);
        char c;
        ssize_t got = read(go[0], &c, 1);
        close(go[0]);
        if (got == 1) fs_jitter(&seed, 2 * cycle_us + 10);
        kill(kid, SIGKILL);
        int status;
        cr_assert_eq(waitpid(kid, &status, 0), kid);
        cr_assert_eq(got, 1, "the writer did not start");
        int which = -1;
        for (int k = 0; k < 3; k++)
            if (fs_holds(file, bytes[k], len[k])) which = k;
        cr_assert_neq(which, -1, "kill %d: the file is none of the versions, or missing", kill_no);
        seen[which]++;
        StoryState back;
        Diag d = {0};
        cr_assert_eq(state_load(s, story, t, &back, &d), 1, "kill %d: %s", kill_no, d.msg);
        cr_assert_eq(back.offset, v[which].offset);
    }
    cr_assert_gt(seen[1] + seen[2], 0, "no kill came after a save: the test tested nothing");
    int temps = fs_count(sdir, ".tmp-");
    cr_assert_leq(temps, KILLS, "more temps than kills");
    cr_log_info("%d kills: old %d, new %d + %d; %d temps left", KILLS, seen[0], seen[1], seen[2],
                temps);
    /* a temp a minute old is swept by the next store's first save; younger ones are a live
     * writer's */
    char name[700];
    snprintf(name, sizeof name, "%s.tmp-1-1", file);
    put_file(name, "half a wri", 10); /* at least one, however the kills fell */
    DIR *dd = opendir(sdir);
    struct dirent *e;
    while ((e = readdir(dd)))
        if (strstr(e->d_name, ".tmp-")) {
            snprintf(name, sizeof name, "%s/%s", sdir, e->d_name);
            fs_age(name, 2 * 60);
        }
    closedir(dd);
    state_close(s);
    s = store();
    cr_assert_eq(state_save(s, story, t, &v[0], NULL), 0); /* sweeps first */
    cr_assert_eq(fs_count(sdir, ".tmp-"), 0, "swept");
    cr_assert_eq(fs_count(sdir, ""), 1);
    for (int k = 0; k < 3; k++)
        free(bytes[k]);
    text_free(t);
    state_close(s);
}

/* What the sweep takes: only the temp names atomic_write gives, only regular files, only when
 * a minute old, and only before a store's first save (a store only read from lists nothing: the
 * folder holds a file per story ever opened). A temp never stands in for the state file. */
Test(state, stale_temps_are_swept_and_never_read)
{
    StateStore *s = store();
    StoryState st, back;
    state_init(&st);
    st.offset = 4;
    cr_assert_eq(state_save(s, story, NULL, &st, NULL), 0);
    char file[600], name[700];
    state_file(s, file, sizeof file);
    const struct {
        const char *suffix;
        int age, swept;
    } temps[] = {
        {".tmp-123-4", 120, 1}, {".tmp-99", 120, 1}, {".tmp-5-6", 10, 0},
        {".tmp-77-1x", 120, 0}, {".tmp-", 120, 0},   {".tmp-1-2-3", 120, 0},
        {".tmpl-1-2", 120, 0},  {".tmp--1", 120, 0},
    };
    for (size_t k = 0; k < sizeof temps / sizeof *temps; k++) {
        snprintf(name, sizeof name, "%s%s", file, temps[k].suffix);
        put_file(name, "lector-state 1\noffset 666 -\n", 28);
        fs_age(name, temps[k].age);
    }
    snprintf(name, sizeof name, "%s/d.tmp-1-2", sdir); /* a folder: not ours */
    cr_assert_eq(mkdir(name, 0700), 0);
    fs_age(name, 120);
    snprintf(name, sizeof name, "%s/l.tmp-1-2", sdir); /* a link: not ours */
    cr_assert_eq(symlink("/nonexistent", name), 0);
    fs_age(name, 120);
    Diag d = {0};
    cr_assert_eq(state_load(s, story, NULL, &back, &d), 1);
    cr_assert_eq(back.offset, 4, "a temp is never read");
    state_close(s);
    s = store();
    cr_assert_eq(state_load(s, story, NULL, &back, &d), 1);
    for (size_t k = 0; k < sizeof temps / sizeof *temps; k++) { /* only read: nothing swept */
        snprintf(name, sizeof name, "%s%s", file, temps[k].suffix);
        cr_assert_eq(access(name, F_OK), 0, "%s swept by a store only read", temps[k].suffix);
    }
    cr_assert_eq(state_save(s, story, NULL, &st, NULL), 0);
    for (size_t k = 0; k < sizeof temps / sizeof *temps; k++) {
        snprintf(name, sizeof name, "%s%s", file, temps[k].suffix);
        cr_assert_eq(access(name, F_OK) != 0, temps[k].swept, "%s", temps[k].suffix);
    }
    cr_assert_eq(fs_count(sdir, "d.tmp-1-2"), 1);
    cr_assert_eq(fs_count(sdir, "l.tmp-1-2"), 1);
    state_close(s);
}

/* Version 2 keeps a story's choice of line ends; version 1 files are still read; an unknown
 * choice makes the file unreadable (kept aside, as any damage). */
Test(state, line_ends_are_kept_and_version_1_is_read)
{
    StateStore *s = store();
    Text *t = text_from_bytes(TEXT1, strlen(TEXT1), "story.txt");
    StoryState st, back;
    state_init(&st);
    cr_assert_eq(st.line_ends, -1, "none chosen");
    st.offset = 5;
    st.line_ends = 2;
    Diag d = {0};
    cr_assert_eq(state_save(s, story, t, &st, &d), 0, "%s", d.msg);
    cr_assert_eq(state_load(s, story, t, &back, &d), 1);
    cr_assert_eq(back.line_ends, 2);
    st.line_ends = -1;
    cr_assert_eq(state_save(s, story, t, &st, &d), 0, "%s", d.msg);
    cr_assert_eq(state_load(s, story, t, &back, &d), 1);
    cr_assert_eq(back.line_ends, -1, "not written when none was chosen");
    /* version 3: the direction (D), kept the same way */
    st.direction = BIDI_RTL;
    cr_assert_eq(state_save(s, story, t, &st, &d), 0, "%s", d.msg);
    cr_assert_eq(state_load(s, story, t, &back, &d), 1);
    cr_assert_eq(back.direction, BIDI_RTL);
    st.direction = -1;
    cr_assert_eq(state_save(s, story, t, &st, &d), 0, "%s", d.msg);
    cr_assert_eq(state_load(s, story, t, &back, &d), 1);
    cr_assert_eq(back.direction, -1, "not written when none was chosen");
    /* a file of version 1, as an older lector wrote it */
    Strbuf file = STRBUF_INIT;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ls %s/*.state", sdir);
    FILE *p = popen(cmd, "r");
    char name[512];
    cr_assert_not_null(fgets(name, sizeof name, p));
    pclose(p);
    name[strcspn(name, "\n")] = 0;
    FILE *f = fopen(name, "w");
    fputs("lector-state 1\noffset 12 -\npercent 7\n", f);
    fclose(f);
    cr_assert_eq(state_load(s, story, NULL, &back, &d), 1, "%s", d.msg);
    cr_assert_eq(back.offset, 12);
    cr_assert_eq(back.percent, 7);
    f = fopen(name, "w");
    fputs("lector-state 2\noffset 12 -\nline-ends sideways\n", f);
    fclose(f);
    cr_assert_eq(state_load(s, story, NULL, &back, &d), -1);
    cr_assert(strstr(d.msg, "kept aside"), "%s", d.msg);
    strbuf_release(&file);
    text_free(t);
    state_close(s);
}

/* The story read last, by its real path: a shelf opened on the same folder by another path
 * finds it. */
Test(state, the_story_read_last)
{
    StateStore *s = store();
    Strbuf last = STRBUF_INIT, key = STRBUF_INIT;
    cr_assert_eq(state_get_last(s, &last), -1, "none yet");
    Diag d = {0};
    char other[600];
    snprintf(other, sizeof other, "%s/./story.txt", dir);
    cr_assert_eq(state_set_last(s, other, &d), 0, "%s", d.msg);
    cr_assert_eq(state_get_last(s, &last), 0);
    state_story_key(story, &key);
    cr_assert_str_eq(last.buf, key.buf);
    /* a file that is not ours is no answer */
    char file[600];
    snprintf(file, sizeof file, "%s/last", sdir);
    FILE *f = fopen(file, "w");
    fputs("two\nlines\n", f);
    fclose(f);
    strbuf_reset(&last);
    cr_assert_eq(state_get_last(s, &last), -1);
    strbuf_release(&last);
    strbuf_release(&key);
    state_close(s);
}
