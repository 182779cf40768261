/* fuzz.h: what every fuzz target shares.
 *
 * A target is one LLVMFuzzerTestOneInput. It is linked either with libFuzzer (meson -Dfuzz=true,
 * scripts/fuzz) or with replay.c, a plain main that runs it over the seed corpus and the kept
 * crashers as an ordinary test. A broken invariant is a crash on purpose: FUZZ_CHECK prints what
 * broke and aborts, which libFuzzer records as a crasher and replay.c as a failed test.
 */
#ifndef LECTOR_FUZZ_H
#define LECTOR_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Inputs over this are skipped: the invariants below are checked with simple loops (some
 * quadratic in a line), and a fuzzer learns nothing from bulk. 64 KiB also keeps every story
 * under text.h's piece size, so paragraphs are whole. */
#define FUZZ_MAX_INPUT ((size_t)64 << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__attribute__((noreturn, format(printf, 4, 5))) static inline void
fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    fprintf(stderr, "%s:%d: invariant broken: %s\n  ", file, line, cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                            \
    } while (0)

#endif
