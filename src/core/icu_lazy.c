/* icu_lazy.c: ICU's common library, loaded when first asked for (icu_lazy.h). */
#include "icu_lazy.h"

#include <pthread.h>
#include <stdbool.h>
#include <unicode/uvernum.h>

#include "lector/lazylib.h"

/* Process-wide, as the library is: filled once under icu_once. */
static IcuApi icu;
static bool icu_loaded;
static pthread_once_t icu_once = PTHREAD_ONCE_INIT;

static void icu_load(void)
{
    const LazySymbol syms[] = {
        LAZYLIB_SYMBOL(ubidi_open, icu.bidi_open),
        LAZYLIB_SYMBOL(ubidi_close, icu.bidi_close),
        LAZYLIB_SYMBOL(ubidi_setPara, icu.bidi_set_para),
        LAZYLIB_SYMBOL(ubidi_getParaLevel, icu.bidi_para_level),
        LAZYLIB_SYMBOL(ubidi_setLine, icu.bidi_set_line),
        LAZYLIB_SYMBOL(ubidi_getLogicalMap, icu.bidi_logical_map),
        LAZYLIB_SYMBOL(ubidi_getLevels, icu.bidi_levels),
        LAZYLIB_SYMBOL(u_charMirror, icu.char_mirror),
        LAZYLIB_SYMBOL(ubrk_open, icu.brk_open),
        LAZYLIB_SYMBOL(ubrk_close, icu.brk_close),
        LAZYLIB_SYMBOL(ubrk_setText, icu.brk_set_text),
        LAZYLIB_SYMBOL(ubrk_next, icu.brk_next),
        LAZYLIB_SYMBOL(u_strFromUTF8, icu.str_from_utf8),
        LAZYLIB_SYMBOL(u_strToUTF8, icu.str_to_utf8),
        LAZYLIB_SYMBOL(u_uastrcpy, icu.uastrcpy),
    };
    const char *why;
    icu_loaded = lazylib_load("libicuuc.so." U_ICU_VERSION_SHORT, syms, sizeof syms / sizeof *syms,
                              &why) == 0;
}

const IcuApi *icu_api(void)
{
    pthread_once(&icu_once, icu_load);
    return icu_loaded ? &icu : NULL;
}
