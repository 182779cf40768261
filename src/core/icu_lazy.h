/* icu_lazy: ICU's common library (libicuuc), loaded the first time text needs it (lazylib.h).
 *
 * Internal to src/core. Only right-to-left text (bidi.c), Thai, Lao, Khmer and Burmese word
 * breaks (sabreak.c) and a translation's transliteration (stem.c) call ICU; every other run of
 * lector (a search, an English story) did not, yet paid for loading it and libstdc++ at start.
 * The functions are ICU's own, versioned names and all (ubidi_open is ubidi_open_72 on Debian 12).
 */
#ifndef LECTOR_ICU_LAZY_H
#define LECTOR_ICU_LAZY_H

#include <unicode/ubidi.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

typedef struct {
    __typeof__(&ubidi_open) bidi_open;
    __typeof__(&ubidi_close) bidi_close;
    __typeof__(&ubidi_setPara) bidi_set_para;
    __typeof__(&ubidi_getParaLevel) bidi_para_level;
    __typeof__(&ubidi_setLine) bidi_set_line;
    __typeof__(&ubidi_getLogicalMap) bidi_logical_map;
    __typeof__(&ubidi_getLevels) bidi_levels;
    __typeof__(&u_charMirror) char_mirror;
    __typeof__(&ubrk_open) brk_open;
    __typeof__(&ubrk_close) brk_close;
    __typeof__(&ubrk_setText) brk_set_text;
    __typeof__(&ubrk_next) brk_next;
    __typeof__(&u_strFromUTF8) str_from_utf8;
    __typeof__(&u_strToUTF8) str_to_utf8;
    __typeof__(&u_uastrcpy) uastrcpy;
} IcuApi;

/* ICU's functions, loaded once (thread-safe); NULL when libicuuc could not be loaded: callers
 * then do without (logical order, breaks at spaces, words as they are). Static storage. */
const IcuApi *icu_api(void);

#endif
