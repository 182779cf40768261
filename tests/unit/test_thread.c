/* thread.h: a worker started by thread_start blocks the asynchronous signals (so that a Ctrl-Z or
 * a resize goes to the main thread, which may be holding it), keeps the ones it raises itself,
 * and leaves the caller's mask as it was. */
#include <criterion/criterion.h>
#include <signal.h>

#include "lector/thread.h"

static void *report_mask(void *arg)
{
    pthread_sigmask(SIG_BLOCK, NULL, (sigset_t *)arg);
    return NULL;
}

Test(thread, a_worker_blocks_the_terminal_s_signals_and_keeps_its_own)
{
    sigset_t before, in_worker, after;
    pthread_sigmask(SIG_BLOCK, NULL, &before);
    cr_assert_not(sigismember(&before, SIGTSTP), "the test starts with Ctrl-Z open");
    pthread_t t;
    cr_assert_eq(thread_start(&t, report_mask, &in_worker), 0);
    pthread_join(t, NULL);
    const int held[] = {SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGWINCH, SIGCONT};
    for (size_t i = 0; i < sizeof held / sizeof *held; i++)
        cr_assert(sigismember(&in_worker, held[i]), "signal %d blocked in the worker", held[i]);
    const int own[] = {SIGBUS, SIGSEGV, SIGPIPE, SIGFPE};
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        cr_assert_not(sigismember(&in_worker, own[i]), "signal %d open in the worker", own[i]);
    pthread_sigmask(SIG_BLOCK, NULL, &after);
    for (int sig = 1; sig < 32; sig++)
        cr_assert_eq(sigismember(&after, sig), sigismember(&before, sig),
                     "the caller's mask is as it was (signal %d)", sig);
}
