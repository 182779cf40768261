/* make_seeds: writes the seed corpora of fuzz_state and fuzz_cache from real files of the API,
 * so that the fuzzers start from what lector writes.
 *
 *   make_seeds STATE_DIR CACHE_DIR STORY...
 *
 * For each story: its index block (index_build, with a made-up file identity) as CACHE_DIR/
 * <name>.idx; and state files (state_save: a place, a percentage, marks) as STATE_DIR/<name>-*,
 * each followed by a NUL and the story it was saved for (fuzz_state.c's input format), by an
 * edited story (the places must be relocated), or by nothing (no story). Also an index of an
 * empty story and a state with no story. Built on demand (ninja tests/fuzz/make_seeds); the
 * command that made the seeds is in tests/fuzz/README.md.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lector/index.h"
#include "lector/state.h"
#include "lector/strbuf.h"
#include "lector/text.h"

static const char STORY[] = "/nonexistent/lector-seeds/story.txt";

static void die(const char *what)
{
    fprintf(stderr, "make_seeds: %s\n", what);
    exit(1);
}

static void write_file(const char *dir, const char *name, const void *a, size_t alen, const void *b,
                       size_t blen)
{
    Strbuf p = STRBUF_INIT;
    strbuf_addf(&p, "%s/%s", dir, name);
    FILE *f = fopen(p.buf, "wb");
    if (!f || fwrite(a, 1, alen, f) != alen || (blen && fwrite(b, 1, blen, f) != blen) ||
        fclose(f) != 0)
        die(p.buf);
    printf("%s (%zu bytes)\n", p.buf, alen + blen);
    strbuf_release(&p);
}

static void read_file(const char *path, Strbuf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) die(path);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_add(out, buf, n);
    fclose(f);
}

static void cache_seed(const char *dir, const char *name, const uint8_t *bytes, size_t len)
{
    Text *t = text_from_bytes(bytes, len, name);
    Index *ix = index_build(t, 1, NULL);
    IndexSource src = {len, 2049, 131075, 1700000000, 123456789, 0x1234567890abcdefull};
    index_set_source(ix, &src);
    size_t blen;
    const void *block = index_bytes(ix, &blen);
    Strbuf file = STRBUF_INIT;
    strbuf_addf(&file, "%s.idx", name);
    write_file(dir, file.buf, block, blen, NULL, 0);
    strbuf_release(&file);
    index_free(ix);
    text_free(t);
}

/* Saves st for a story t (NULL: none), and writes the file's bytes, a NUL and then story, when
 * story is not NULL. */
static void state_seed(const char *dir, const char *tmp, StateStore *s, const char *name, Text *t,
                       const StoryState *st, const Strbuf *story)
{
    Diag d = {0};
    if (state_save(s, STORY, t, st, &d) != 0) die(d.msg);
    DIR *dd = opendir(tmp);
    struct dirent *e;
    Strbuf bytes = STRBUF_INIT;
    while ((e = readdir(dd)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 6 && !strcmp(e->d_name + n - 6, ".state")) {
            Strbuf p = STRBUF_INIT;
            strbuf_addf(&p, "%s/%s", tmp, e->d_name);
            read_file(p.buf, &bytes);
            strbuf_release(&p);
        }
    }
    closedir(dd);
    if (story) strbuf_add(&bytes, "", 1); /* the NUL: a story follows */
    write_file(dir, name, bytes.buf, bytes.len, story ? story->buf : NULL, story ? story->len : 0);
    strbuf_release(&bytes);
}

int main(int argc, char **argv)
{
    if (argc < 4) die("usage: make_seeds STATE_DIR CACHE_DIR STORY...");
    const char *state_dir = argv[1], *cache_dir = argv[2];
    char tmp[] = "/tmp/lector-seeds-XXXXXX";
    if (!mkdtemp(tmp)) die("mkdtemp");
    Diag d = {0};
    StateStore *s = state_open(tmp, &d);
    if (!s) die(d.msg);

    cache_seed(cache_dir, "empty", (const uint8_t *)"", 0);
    StoryState st;
    state_init(&st);
    state_seed(state_dir, tmp, s, "fresh-no-story", NULL, &st, NULL);

    for (int i = 3; i < argc; i++) {
        Strbuf story = STRBUF_INIT, edited = STRBUF_INIT;
        read_file(argv[i], &story);
        const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(strcspn(base, ".")), base);
        cache_seed(cache_dir, name, (const uint8_t *)story.buf, story.len);

        Text *t = text_from_bytes(story.buf, story.len, base);
        size_t len = text_len(t);
        state_init(&st);
        st.offset = len / 2;
        st.percent = 42;
        st.marks[0] = len / 4;
        st.marks[12] = len / 3;
        st.marks[25] = len;
        char file[300];
        snprintf(file, sizeof file, "%s-story", name);
        state_seed(state_dir, tmp, s, file, t, &st, &story);
        /* the same file, for the story edited before its places: they move by 17 bytes */
        strbuf_addstr(&edited, "Seventeen bytes. ");
        strbuf_add(&edited, story.buf, story.len);
        snprintf(file, sizeof file, "%s-edited", name);
        state_seed(state_dir, tmp, s, file, t, &st, &edited);
        snprintf(file, sizeof file, "%s-no-story", name);
        state_seed(state_dir, tmp, s, file, t, &st, NULL);
        state_init(&st);
        st.offset = len;
        st.percent = 100;
        snprintf(file, sizeof file, "%s-end", name);
        state_seed(state_dir, tmp, s, file, t, &st, &story);
        text_free(t);
        strbuf_release(&story);
        strbuf_release(&edited);
    }

    /* the temp store: its one state file, then the folder */
    DIR *dd = opendir(tmp);
    struct dirent *e;
    while ((e = readdir(dd)) != NULL) {
        if (e->d_name[0] == '.') continue;
        Strbuf p = STRBUF_INIT;
        strbuf_addf(&p, "%s/%s", tmp, e->d_name);
        unlink(p.buf);
        strbuf_release(&p);
    }
    closedir(dd);
    rmdir(tmp);
    state_close(s);
    return 0;
}
