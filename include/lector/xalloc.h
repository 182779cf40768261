/* xalloc: allocation that cannot fail. On exhaustion it runs the fatal hook (the TUI restores the
 * terminal there), prints one line and exits with status 70. Core code never mentions curses:
 * the hook is how it stays out of it. */
#ifndef LECTOR_XALLOC_H
#define LECTOR_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* xreallocarray: realloc to count*size bytes, dying on overflow too. */
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);

/* Registers fn to run once before an allocation failure exits the process. NULL clears it. */
void xalloc_set_fatal_hook(void (*fn)(void));

#endif
