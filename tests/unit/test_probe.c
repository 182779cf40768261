/* The width probe against a pseudo-terminal played by a thread: the answers it reads, and the
 * keys typed around them, which it keeps for the reader instead of dropping. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

/* The terminal's side: what it writes after each cursor-position request (NULL: nothing, a
 * terminal that does not answer). In a reply, '|' is a 30 ms pause, to split it across reads,
 * and '^' one of 200 ms, past the probe's time for an answer. Criterion's asserts are for the
 * test's own thread: this one counts its failures for the test to assert. */
typedef struct {
    int master;
    const char *replies[8];
    int requests;
    int request_reads; /* reads that held a request */
    int delay_ms;      /* before answering what one read held: a slow link */
    int write_failures;
    atomic_int stop;
} Terminal;

static void reply(Terminal *t, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '^') {
            nanosleep(&(struct timespec){0, (*s == '|' ? 30 : 200) * 1000000}, NULL);
            continue;
        }
        t->write_failures += write(t->master, s, 1) != 1;
    }
}

static void *terminal_main(void *arg)
{
    Terminal *t = arg;
    char tail[4] = {0}; /* a request can be cut across two reads */
    while (!atomic_load(&t->stop)) {
        struct pollfd p = {t->master, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0) continue;
        char buf[512];
        ssize_t n = read(t->master, buf, sizeof buf);
        if (n <= 0) break;
        int first = t->requests;
        for (ssize_t i = 0; i < n; i++) {
            memmove(tail, tail + 1, 3);
            tail[3] = buf[i];
            if (!memcmp(tail, "\033[6n", 4)) t->requests++;
        }
        if (t->requests == first) continue;
        t->request_reads++;
        nanosleep(&(struct timespec){0, t->delay_ms * 1000000L}, NULL);
        for (int k = first; k < t->requests; k++)
            if (k < 8 && t->replies[k]) reply(t, t->replies[k]);
    }
    return NULL;
}

typedef struct {
    int rc;
    LayoutWidthProfile prof;
    int ambiguous;
    ProbeTyped typed;
    int requests, request_reads;
} Probed;

static Probed run_probe_slow(const char *const *replies, int timeout_ms, int delay_ms)
{
    Terminal t = {.master = posix_openpt(O_RDWR | O_NOCTTY), .delay_ms = delay_ms};
    cr_assert_geq(t.master, 0);
    cr_assert_eq(grantpt(t.master), 0);
    cr_assert_eq(unlockpt(t.master), 0);
    int slave = open(ptsname(t.master), O_RDWR | O_NOCTTY);
    cr_assert_geq(slave, 0);
    for (int i = 0; i < 8 && replies[i]; i++)
        t.replies[i] = replies[i];
    pthread_t tid;
    cr_assert_eq(pthread_create(&tid, NULL, terminal_main, &t), 0);
    Probed p = {0};
    p.rc = probe_widths(slave, slave, timeout_ms, &p.prof, &p.ambiguous, &p.typed);
    atomic_store(&t.stop, 1);
    pthread_join(tid, NULL);
    cr_assert_eq(t.write_failures, 0, "the terminal could not write its replies");
    p.requests = t.requests;
    p.request_reads = t.request_reads;
    close(slave);
    close(t.master);
    return p;
}

static Probed run_probe(const char *const *replies, int timeout_ms)
{
    return run_probe_slow(replies, timeout_ms, 0);
}

static void assert_typed(const Probed *p, const char *want)
{
    cr_assert_eq(p->typed.len, strlen(want), "typed %zu bytes: %.*s", p->typed.len,
                 (int)p->typed.len, p->typed.bytes);
    cr_assert(!memcmp(p->typed.bytes, want, p->typed.len), "typed: %.*s", (int)p->typed.len,
              p->typed.bytes);
}

/* Five samples, each answered at column 3: two columns wide, ambiguous characters wide too. */
Test(probe, measures_and_keeps_nothing_when_nothing_is_typed)
{
    const char *replies[] = {"\033[1;3R", "\033[1;3R", "\033[1;3R", "\033[1;3R", "\033[1;3R", 0};
    Probed p = run_probe(replies, 1000);
    cr_assert_eq(p.rc, 0);
    cr_assert_eq(p.requests, 5);
    cr_assert_eq(p.prof.zwj_sequence, 2);
    cr_assert_eq(p.ambiguous, 2);
    assert_typed(&p, "");
}

Test(probe, keys_typed_around_an_answer_are_kept_in_order)
{
    /* j and an arrow key (ESC [ A, which starts like an answer) before it, k and a UTF-8 letter
     * after it, an Esc alone before the next */
    const char *replies[] = {
        "j\033[A\033[1;3Rk\xd0\xb6", "\033\033[1;3R", "\033[1;3R", "\033[1;3R", "\033[1;2R", 0};
    Probed p = run_probe(replies, 1000);
    cr_assert_eq(p.rc, 0, "the arrow key did not spoil the answer");
    cr_assert_eq(p.prof.zwj_sequence, 2);
    cr_assert_eq(p.ambiguous, 1, "the last answer, column 2: narrow");
    assert_typed(&p, "j\033[Ak\xd0\xb6\033");
}

Test(probe, an_answer_split_across_reads_is_still_an_answer)
{
    const char *replies[] = {"\033|[1|2;|3R", "\033[|1;3R", "\033[1;3|R",
                             "\033[1;3R",     "\033[1;3R",  0};
    Probed p = run_probe(replies, 1000);
    cr_assert_eq(p.rc, 0);
    cr_assert_eq(p.prof.zwj_sequence, 2);
    assert_typed(&p, "");
}

Test(probe, no_answer_keeps_the_keys_typed_while_waiting)
{
    const char *replies[] = {"q", 0};
    Probed p = run_probe(replies, 100);
    cr_assert_eq(p.rc, -1);
    cr_assert_eq(p.requests, 5, "every sample asked at once");
    cr_assert_eq(p.prof.zwj_sequence, 2, "the defaults");
    cr_assert_eq(p.typed.answers_pending, 5, "the answers may still come: the caller is told");
    assert_typed(&p, "q");
}

/* An answer begun before the time is up is waited for, and is the answer, not keys; one begun
 * and never ended is not keys either. */
Test(probe, an_answer_begun_in_time_is_waited_for)
{
    const char *replies[] = {"\033[1;^3R", "\033[1;3R", "\033[1;3R", "\033[1;3R", "\033[1;3R", 0};
    Probed p = run_probe(replies, 100);
    cr_assert_eq(p.rc, 0);
    cr_assert_eq(p.prof.zwj_sequence, 2);
    cr_assert_eq(p.typed.answers_pending, 0);
    assert_typed(&p, "");
    const char *never_ends[] = {"j\033[12;", 0};
    p = run_probe(never_ends, 100);
    cr_assert_eq(p.rc, -1);
    cr_assert_eq(p.typed.answers_pending, 5);
    assert_typed(&p, "j");
}

/* A later sample left unanswered ends the probe: its late answer must not be taken for the next
 * sample's width (it said 8 columns here), nor the answers after it be left over as keys: the
 * caller is told four may still come. */
Test(probe, a_later_sample_unanswered_ends_the_probe)
{
    const char *replies[] = {"\033[1;3R", "^\033[1;9R", "\033[1;3R", "\033[1;3R", "\033[1;3R", 0};
    Probed p = run_probe(replies, 100);
    cr_assert_eq(p.rc, 0, "the first sample was measured");
    cr_assert_eq(p.prof.zwj_sequence, 2);
    cr_assert_eq(p.prof.flag, 2);
    cr_assert_eq(p.prof.vs16, 2, "the default, not the late answer's 8");
    cr_assert_eq(p.typed.answers_pending, 4);
    assert_typed(&p, "");
}

/* The samples go out at once, not one round trip each (over ssh, 50 ms a trip before the first
 * screen): a terminal on a slow link has every request in hand before it answers the first. */
Test(probe, every_sample_is_asked_in_one_round_trip)
{
    const char *replies[] = {"\033[1;3R", "\033[1;3R", "\033[1;3R", "\033[1;3R", "\033[1;2R", 0};
    Probed p = run_probe_slow(replies, 1000, 60);
    cr_assert_eq(p.rc, 0);
    cr_assert_eq(p.requests, 5);
    cr_assert_eq(p.request_reads, 1, "the requests came in %d reads", p.request_reads);
    cr_assert_eq(p.prof.zwj_sequence, 2);
    cr_assert_eq(p.ambiguous, 1, "the last answer, the fifth sample's");
}

Test(probe, an_answer_that_is_no_width_is_not_used)
{
    const char *replies[] = {"\033[1;3R", "\033[1;40R", "\033[1;3R", "\033[1;3R", "\033[1;3R", 0};
    Probed p = run_probe(replies, 1000);
    cr_assert_eq(p.rc, 0);
    cr_assert_eq(p.requests, 5, "answered: the probe goes on");
    cr_assert_eq(p.prof.flag, 2, "39 columns for a flag is no width: the default");
    cr_assert_eq(p.typed.answers_pending, 0);
}

Test(probe, what_is_not_an_answer_is_keys)
{
    /* ESC [ ; R and ESC [ 1 2 X look like answers but are not */
    const char *replies[] = {
        "\033[;R\033[12X\033[1;3R", "\033[1;3R", "\033[1;3R", "\033[1;3R", "\033[1;3R", 0};
    Probed p = run_probe(replies, 1000);
    cr_assert_eq(p.rc, 0);
    assert_typed(&p, "\033[;R\033[12X");
}

Test(probe, more_typed_than_kept_is_cut_not_overrun)
{
    static char flood[400];
    memset(flood, 'j', 300);
    strcpy(flood + 300, "\033[1;3R");
    const char *replies[] = {flood, "\033[1;3R", "\033[1;3R", "\033[1;3R", "\033[1;3R", 0};
    Probed p = run_probe(replies, 1000);
    cr_assert_eq(p.rc, 0);
    cr_assert_eq(p.typed.len, sizeof p.typed.bytes);
    for (size_t i = 0; i < p.typed.len; i++)
        cr_assert_eq(p.typed.bytes[i], 'j');
}
