/* lazylib.c: dlopen by soname, dlsym into the caller's slots (lazylib.h). */
#include "lector/lazylib.h"

#include <dlfcn.h>

int lazylib_load(const char *soname, const LazySymbol *syms, size_t n, const char **why)
{
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!lib) {
        *why = dlerror();
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        *syms[k].slot = dlsym(lib, syms[k].name);
        if (!*syms[k].slot) {
            *why = dlerror();
            for (size_t q = 0; q < n; q++)
                *syms[q].slot = NULL;
            dlclose(lib);
            return -1;
        }
    }
    dlclose(lib); /* NODELETE: it stays loaded; the handle is not needed */
    return 0;
}
