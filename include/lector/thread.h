/* thread: starting a worker thread that never takes the process's asynchronous signals.
 *
 * A signal from the terminal (Ctrl-C, Ctrl-Z, a resize) or from kill goes to any thread that
 * does not block it. The TUI's handlers and curses' must run on the main thread, which holds
 * such a signal at times by blocking it (while curses updates the screen and ignores Ctrl-Z
 * meanwhile; while the width probe waits for the terminal's answers): a worker that took the
 * signal then would lose it, or run curses' handler beside the main thread. A worker started
 * here blocks them from its first instruction (it inherits the mask set around its creation).
 * Signals a thread raises itself (SIGBUS on a mapped file that shrank, SIGPIPE on a closed
 * pipe) are its own and stay open.
 *
 * Owns nothing; never touches the terminal.
 */
#ifndef LECTOR_THREAD_H
#define LECTOR_THREAD_H

#include <pthread.h>

/* pthread_create(t, NULL, fn, arg), the new thread blocking the asynchronous signals; the
 * caller's mask is as it was. pthread_create's result. */
int thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
