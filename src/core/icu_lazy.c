/* icu_lazy.c: ICU's common library, loaded when first asked for (icu_lazy.h). */
#include "icu_lazy.h"

#include <pthread.h>
#include <stdbool.h>
#include <unicode/uvernum.h>

#include "lector/lazylib.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x) /* the versioned name the macro stands for */

/* Process-wide, as the library is: filled once under icu_once. */
static IcuApi icu;
static bool icu_loaded;
static pthread_once_t icu_once = PTHREAD_ONCE_INIT;

static void icu_load(void)
{
    const LazySymbol syms[] = {
        {STRINGIFY(ubidi_open), (void **)&icu.bidi_open},
        {STRINGIFY(ubidi_close), (void **)&icu.bidi_close},
        {STRINGIFY(ubidi_setPara), (void **)&icu.bidi_set_para},
        {STRINGIFY(ubidi_getParaLevel), (void **)&icu.bidi_para_level},
        {STRINGIFY(ubidi_setLine), (void **)&icu.bidi_set_line},
        {STRINGIFY(ubidi_getLogicalMap), (void **)&icu.bidi_logical_map},
        {STRINGIFY(ubidi_getLevels), (void **)&icu.bidi_levels},
        {STRINGIFY(u_charMirror), (void **)&icu.char_mirror},
        {STRINGIFY(ubrk_open), (void **)&icu.brk_open},
        {STRINGIFY(ubrk_close), (void **)&icu.brk_close},
        {STRINGIFY(ubrk_setText), (void **)&icu.brk_set_text},
        {STRINGIFY(ubrk_next), (void **)&icu.brk_next},
        {STRINGIFY(u_strFromUTF8), (void **)&icu.str_from_utf8},
        {STRINGIFY(u_strToUTF8), (void **)&icu.str_to_utf8},
        {STRINGIFY(u_uastrcpy), (void **)&icu.uastrcpy},
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
