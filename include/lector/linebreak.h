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

#include "lector/ucd.h"

enum LinebreakAction {
    LINEBREAK_NONE = 0,     /* no break before this code point */
    LINEBREAK_ALLOWED = 1,  /* a break opportunity before it */
    LINEBREAK_MANDATORY = 2 /* the line must end before it */
};

typedef struct {
    uint8_t started;    /* 0 at the start of text (LB2: never break there) */
    uint8_t prev_raw;   /* class of the previous code point, as it was */
    uint8_t prev;       /* previous class after LB9/LB10 (X CM* counts as X) */
    uint8_t prev_prev;  /* the one before that, for LB21a (HL HY x) */
    uint8_t space_base; /* class before the current run of spaces (LB8, LB14..LB17) */
    uint8_t in_spaces;  /* previous resolved class was SP */
    uint8_t prev_flags; /* LBF_* of the previous resolved code point */
    uint8_t number;     /* LB25: 1 inside NU (NU|SY|IS)*, 2 after its closing (CL|CP) */
    uint32_t ri_run;    /* regional indicators in the current run (LB30a) */
    uint8_t keep_all;   /* tailoring: no break between Hangul syllables, or Hangul and letters
                           or digits (Korean is broken at its spaces, as CSS word-break:
                           keep-all); 0 for the untailored UAX #14 of LineBreakTest.txt */
} LinebreakState;

void linebreak_init(LinebreakState *st);

enum { LINEBREAK_F_EAW_FWH = 1, LINEBREAK_F_PICT_CN = 2 }; /* LinebreakState.prev_flags */

/* Records a code point of class b (raw class raw_b, folded by LB10) as the previous one. Shared
 * by linebreak_step and the inline fast steps below, so they cannot drift apart. */
static inline void linebreak_remember(LinebreakState *st, unsigned raw_b, unsigned b,
                                      uint32_t props)
{
    if (b == LB_SP) {
        if (!st->in_spaces) st->space_base = st->prev;
        st->in_spaces = 1;
    } else {
        st->in_spaces = 0;
    }
    st->prev_raw = (uint8_t)raw_b;
    st->prev_prev = st->prev;
    st->prev = (uint8_t)b;
    st->prev_flags = (uint8_t)(((props & UCD_EAW_FWH) ? LINEBREAK_F_EAW_FWH : 0) |
                               ((props & UCD_EXTPICT_CN) ? LINEBREAK_F_PICT_CN : 0));
    st->ri_run = b == LB_RI ? st->ri_run + 1 : 0;
    if (b == LB_NU)
        st->number = 1;
    else if (st->number == 1 && (b == LB_SY || b == LB_IS))
        st->number = 1;
    else if (st->number == 1 && (b == LB_CL || b == LB_CP))
        st->number = 2;
    else
        st->number = 0;
}

/* Feeds the code point whose ucd props are `props` and returns the action before it.
 * `next`/`end` point at the text after it, for lookahead. A class override for layout's own
 * use (for example a soft line end fed as a space) is passed as `props`. */
int linebreak_step(LinebreakState *st, uint32_t props, const uint8_t *next, const uint8_t *end);

/* Fast path for a run of letters and digits. When st's previous class is AL, HL or NU, every
 * following code point of class AL, HL or NU gets LINEBREAK_NONE (rules LB23, LB25, LB28), so a
 * caller may skip linebreak_step for such a run and call this once after it: it leaves st
 * exactly as the steps would have. linebreak_in_word() says whether the fast path applies.
 * second_last_props is ignored when run_len is 1. */
static inline int linebreak_in_word(const LinebreakState *st)
{
    return st->started && (st->prev == LB_AL || st->prev == LB_HL || st->prev == LB_NU);
}
void linebreak_word_run(LinebreakState *st, uint32_t second_last_props, uint32_t last_props,
                        size_t run_len);

/* linebreak_step with the two commonest steps of prose done inline: a space after anything but
 * a mandatory break (LB7: no break before it), and a letter or digit after spaces (LB8, LB14,
 * LB18). Same results as linebreak_step; the conformance test runs both. */
static inline int linebreak_step_fast(LinebreakState *st, uint32_t props, const uint8_t *next,
                                      const uint8_t *end)
{
    unsigned b = UCD_LB(props);
    unsigned pr = st->prev_raw;
    if (st->started && pr != LB_BK && pr != LB_CR && pr != LB_LF && pr != LB_NL) {
        if (b == LB_SP) {
            linebreak_remember(st, b, b, props);
            return LINEBREAK_NONE;
        }
        if (st->in_spaces && (b == LB_AL || b == LB_NU)) {
            int action = st->space_base == LB_OP ? LINEBREAK_NONE : LINEBREAK_ALLOWED;
            linebreak_remember(st, b, b, props);
            return action;
        }
    }
    return linebreak_step(st, props, next, end);
}

/* The whole-string convenience used by tests: out[i] gets the action before the code point
 * that starts at byte i (other bytes get LINEBREAK_NONE). out has len entries. */
void linebreak_string(const uint8_t *s, size_t len, uint8_t *out);
/* The same through linebreak_step_fast, for the test that proves the two agree. */
void linebreak_string_fast(const uint8_t *s, size_t len, uint8_t *out);

#endif
