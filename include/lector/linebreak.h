/* linebreak: line-break opportunities (UAX #14, Unicode 15.0), one code point at a time.
 *
 * Owns nothing but a small value-type state. Implements rules LB2..LB31 with the number
 * tailoring of UAX #14 section 8.2 example 7 (the one LineBreakTest.txt is made with), so that
 * "И.С. Тургенев" never breaks after "И." and "$(12.50)" stays whole. The state is a plain
 * struct: copy it to resume later (layout keeps one per line start).
 *
 * Works on valid UTF-8; the only lookahead is for rule LB25 ("$-5", "$(5"), which peeks at the
 * code points after the current one.
 */
#ifndef LECTOR_LINEBREAK_H
#define LECTOR_LINEBREAK_H

#include <stddef.h>
#include <stdint.h>

enum LinebreakAction {
    LINEBREAK_NONE = 0,     /* no break before this code point */
    LINEBREAK_ALLOWED = 1,  /* a break opportunity before it */
    LINEBREAK_MANDATORY = 2 /* the line must end before it */
};

typedef struct {
    uint8_t started;      /* 0 at the start of text (LB2: never break there) */
    uint8_t prev_raw;     /* class of the previous code point, as it was */
    uint8_t prev;         /* previous class after LB9/LB10 (X CM* counts as X) */
    uint8_t prev_prev;    /* the one before that, for LB21a (HL HY x) */
    uint8_t space_base;   /* class before the current run of spaces (LB8, LB14..LB17) */
    uint8_t in_spaces;    /* previous resolved class was SP */
    uint8_t prev_flags;   /* LBF_* of the previous resolved code point */
    uint8_t number;       /* LB25: 1 inside NU (NU|SY|IS)*, 2 after its closing (CL|CP) */
    uint32_t ri_run;      /* regional indicators in the current run (LB30a) */
} LinebreakState;

void linebreak_init(LinebreakState *st);

/* Feeds the code point whose ucd props are `props` and returns the action before it.
 * `next`/`end` point at the text after it, for lookahead. A class override for layout's own
 * use (for example a soft line end fed as a space) is passed as `props`. */
int linebreak_step(LinebreakState *st, uint32_t props, const uint8_t *next, const uint8_t *end);

/* The whole-string convenience used by tests: out[i] gets the action before the code point
 * that starts at byte i (other bytes get LINEBREAK_NONE). out has len entries. */
void linebreak_string(const uint8_t *s, size_t len, uint8_t *out);

#endif
