/* thread.c: see thread.h. */
#include "lector/thread.h"

#include <signal.h>

int thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
    static const int async[] = {SIGINT,   SIGTERM, SIGHUP,  SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU,
                                SIGWINCH, SIGCONT, SIGALRM, SIGUSR1, SIGUSR2, SIGCHLD};
    sigset_t set, old;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof async / sizeof *async; i++)
        sigaddset(&set, async[i]);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    int rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
