/* lazylib: a shared library loaded the first time it is needed, not at every start.
 *
 * Owns nothing but the loading: a library whose functions only books need (libarchive,
 * libxml2, cmark) is opened with dlopen the first time a book is read, and each function the
 * caller names is looked up into the caller's slot. Every process paid for them before, books or
 * not: loading and relocating a dozen libraries took about 2 ms of each start (a search, the
 * first screen, lector --version). The library stays loaded to the process's end (RTLD_NODELETE);
 * the slots are the caller's, filled once (the caller runs this under pthread_once). Never
 * loads from a path: only by soname, from the system's library path.
 */
#ifndef LECTOR_LAZYLIB_H
#define LECTOR_LAZYLIB_H

#include <stddef.h>

typedef struct {
    const char *name; /* the symbol */
    void **slot;      /* where its address goes (the caller's function pointer, as void *) */
} LazySymbol;

/* A table entry for function fn into slot: fn's name as the linker knows it, the expansion of
 * its macro where the header has one (ubidi_open is ubidi_open_72, pcre2_compile is
 * pcre2_compile_8), so the lookup finds the version the headers were built for. */
#define LAZYLIB_NAME_(x) #x
#define LAZYLIB_NAME(fn) LAZYLIB_NAME_(fn)
#define LAZYLIB_SYMBOL(fn, slot)                                                                   \
    {                                                                                              \
        LAZYLIB_NAME(fn), (void **)&(slot)                                                         \
    }

/* Opens soname and fills every slot; 0, or -1 with every slot NULL and *why (static storage or
 * dlerror's: valid until the next dl call) saying which library or symbol failed. */
int lazylib_load(const char *soname, const LazySymbol *syms, size_t n, const char **why);

#endif
