#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include "lector/state.h"

static char dir[256], story[300];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/lector-state-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(story, sizeof story, "%s/story.txt", dir);
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
    char sd[300];
    snprintf(sd, sizeof sd, "%s/state/lector", dir);
    Diag d = {0};
    StateStore *s = state_open(sd, &d);
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

static int count_files(const char *sub, const char *contains)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *d = opendir(path);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, contains)) n++;
    if (d) closedir(d);
    return n;
}

static void write_state_file(StateStore *s, const char *content)
{
    /* find the file name by saving once */
    StoryState st;
    state_init(&st);
    Diag d = {0};
    cr_assert_eq(state_save(s, story, NULL, &st, &d), 0);
    char path[400];
    snprintf(path, sizeof path, "%s/state/lector", dir);
    DIR *dd = opendir(path);
    struct dirent *e;
    char file[700] = "";
    while ((e = readdir(dd)))
        if (strstr(e->d_name, ".state") && !strstr(e->d_name, ".bad"))
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
    closedir(dd);
    FILE *f = fopen(file, "w");
    fputs(content, f);
    fclose(f);
}

Test(state, a_corrupt_or_foreign_file_is_kept_aside)
{
    const char *bad[] = {"garbage\n", "lector-state 9\noffset 1 -\n", "lector-state 1\noffset 12",
                         "lector-state 1\noffset x -\n", "lector-state 1\nmark A 1 -\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        StateStore *s = store();
        write_state_file(s, bad[i]);
        StoryState st;
        Diag d = {0};
        int before = count_files("state/lector", ".bad-");
        cr_assert_eq(state_load(s, story, NULL, &st, &d), -1, "case %zu must be refused", i);
        cr_assert(strstr(d.msg, "kept aside"), "case %zu: %s", i, d.msg);
        cr_assert_eq(st.offset, 0);
        cr_assert_geq(count_files("state/lector", ".bad-"), before, "case %zu", i);
        cr_assert_eq(state_load(s, story, NULL, &st, &d), 0, "the bad file is out of the way");
        state_close(s);
        sleep(i == 0 ? 1 : 0); /* distinct .bad-TIME names */
    }
}

Test(state, a_failed_write_leaves_the_previous_state)
{
    StateStore *s = store();
    StoryState st, back;
    state_init(&st);
    st.offset = 7;
    Diag d = {0};
    cr_assert_eq(state_save(s, story, NULL, &st, &d), 0);
    for (int step = 1; step <= 4; step++) {
        state_fail_at(s, step);
        st.offset = 100 + (size_t)step;
        cr_assert_eq(state_save(s, story, NULL, &st, &d), -1, "step %d must fail", step);
        cr_assert(strstr(d.msg, "could not save"), "%s", d.msg);
        state_fail_at(s, 0);
        cr_assert_eq(state_load(s, story, NULL, &back, &d), 1);
        cr_assert_eq(back.offset, 7, "step %d: the previous state must be intact", step);
        cr_assert_eq(count_files("state/lector", ".tmp-"), 0, "step %d left a temp file", step);
    }
    state_close(s);
}

Test(state, two_processes_saving_at_once_never_corrupt_it, .timeout = 60)
{
    for (int k = 0; k < 2; k++) {
        if (fork() == 0) {
            StateStore *s = store();
            StoryState st;
            state_init(&st);
            for (int i = 0; i < 300; i++) {
                st.offset = (size_t)(k * 1000 + i);
                st.marks[i % 26] = (size_t)i;
                state_save(s, story, NULL, &st, NULL);
            }
            state_close(s);
            _exit(0);
        }
    }
    StateStore *s = store();
    for (int i = 0; i < 300; i++) { /* read while they write: always a whole file */
        StoryState st;
        Diag d = {0};
        cr_assert_neq(state_load(s, story, NULL, &st, &d), -1, "read %d: %s", i, d.msg);
    }
    int status;
    while (wait(&status) > 0)
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_assert_eq(count_files("state/lector", ".bad-"), 0);
    state_close(s);
}
