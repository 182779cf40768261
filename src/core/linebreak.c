/* linebreak.c: UAX #14 (Unicode 15.0) as a rule chain over a small carried state.
 *
 * Data model: the state (LinebreakState) remembers just enough of the text already seen to decide
 * the rules that look backwards: the class of the previous code point as written (LB4..LB8a),
 * the previous class with combining marks folded into their base (LB9, LB10), the class before
 * a run of spaces (LB8, LB14..LB17), the class two back (LB21a), flags of the previous code point
 * (LB30, LB30b), the length of a run of regional indicators (LB30a) and a tiny automaton for the
 * numbers of LB25. The rules are tested in the order UAX #14 lists them; the first that matches
 * decides. LB25 uses the regular-expression tailoring of section 8.2, example 7:
 *
 *   (PR|PO) x (OP|HY)? NU      (OP|HY) x NU      NU x (NU|SY|IS)
 *   NU (NU|SY|IS)* x (NU|SY|IS|CL|CP)      NU (NU|SY|IS)* (CL|CP)? x (PO|PR)
 *
 * because that is what LineBreakTest.txt is made with, and it reads "$(12.50)" better.
 */
#include "lector/linebreak.h"

#include <string.h>

#include "lector/ucd.h"

enum { NONE_CLASS = LB_COUNT };

void linebreak_init(LinebreakState *st)
{
    memset(st, 0, sizeof *st);
    st->prev_raw = st->prev = st->prev_prev = st->space_base = NONE_CLASS;
}

/* Class of the next code point that is not absorbed by LB9, or NONE_CLASS at the end. */
static unsigned peek_class(const uint8_t *p, const uint8_t *end)
{
    while (p < end) {
        size_t n;
        unsigned c = UCD_LB(ucd_props(ucd_decode(p, end, &n)));
        if (c != LB_CM && c != LB_ZWJ) return c;
        p += n;
    }
    return NONE_CLASS;
}

static int is_mandatory_class(unsigned c)
{
    return c == LB_BK || c == LB_CR || c == LB_LF || c == LB_NL;
}

/* Rules LB11..LB31 for the pair (a, b), a already folded by LB9/LB10. */
static int decide_pair(const LinebreakState *st, unsigned a, unsigned b, uint32_t props,
                       const uint8_t *next, const uint8_t *end)
{
    unsigned before_spaces = st->in_spaces ? st->space_base : a;

    if (a == LB_WJ || b == LB_WJ) return LINEBREAK_NONE;                             /* LB11 */
    if (a == LB_GL) return LINEBREAK_NONE;                                           /* LB12 */
    if (b == LB_GL && a != LB_SP && a != LB_BA && a != LB_HY) return LINEBREAK_NONE; /* LB12a */
    if (b == LB_CL || b == LB_CP || b == LB_EX || b == LB_IS || b == LB_SY)
        return LINEBREAK_NONE;                                       /* LB13 */
    if (before_spaces == LB_OP) return LINEBREAK_NONE;               /* LB14 */
    if (before_spaces == LB_QU && b == LB_OP) return LINEBREAK_NONE; /* LB15 */
    if ((before_spaces == LB_CL || before_spaces == LB_CP) && b == LB_NS)
        return LINEBREAK_NONE;                                                       /* LB16 */
    if (before_spaces == LB_B2 && b == LB_B2) return LINEBREAK_NONE;                 /* LB17 */
    if (a == LB_SP) return LINEBREAK_ALLOWED;                                        /* LB18 */
    if (a == LB_QU || b == LB_QU) return LINEBREAK_NONE;                             /* LB19 */
    if (a == LB_CB || b == LB_CB) return LINEBREAK_ALLOWED;                          /* LB20 */
    if (b == LB_BA || b == LB_HY || b == LB_NS || a == LB_BB) return LINEBREAK_NONE; /* LB21 */
    if ((a == LB_HY || a == LB_BA) && st->prev_prev == LB_HL) return LINEBREAK_NONE; /* LB21a */
    if (a == LB_SY && b == LB_HL) return LINEBREAK_NONE;                             /* LB21b */
    if (b == LB_IN) return LINEBREAK_NONE;                                           /* LB22 */

    int a_alpha = a == LB_AL || a == LB_HL, b_alpha = b == LB_AL || b == LB_HL;
    if ((a_alpha && b == LB_NU) || (a == LB_NU && b_alpha)) return LINEBREAK_NONE;     /* LB23 */
    if (a == LB_PR && (b == LB_ID || b == LB_EB || b == LB_EM)) return LINEBREAK_NONE; /* LB23a */
    if ((a == LB_ID || a == LB_EB || a == LB_EM) && b == LB_PO) return LINEBREAK_NONE;
    if ((a == LB_PR || a == LB_PO) && b_alpha) return LINEBREAK_NONE; /* LB24 */
    if (a_alpha && (b == LB_PR || b == LB_PO)) return LINEBREAK_NONE;

    /* LB25, tailored (see the top of this file). */
    if ((a == LB_PR || a == LB_PO) &&
        (b == LB_NU || ((b == LB_OP || b == LB_HY) && peek_class(next, end) == LB_NU)))
        return LINEBREAK_NONE;
    if ((a == LB_OP || a == LB_HY) && b == LB_NU) return LINEBREAK_NONE;
    if (st->number == 1 && (b == LB_NU || b == LB_SY || b == LB_IS || b == LB_CL || b == LB_CP))
        return LINEBREAK_NONE;
    if (st->number != 0 && (b == LB_PO || b == LB_PR)) return LINEBREAK_NONE;

    int b_hangul = b == LB_JL || b == LB_JV || b == LB_JT || b == LB_H2 || b == LB_H3;
    int a_hangul = a == LB_JL || a == LB_JV || a == LB_JT || a == LB_H2 || a == LB_H3;
    if (st->keep_all && (a_hangul || b_hangul) && (a_hangul || a_alpha || a == LB_NU) &&
        (b_hangul || b_alpha || b == LB_NU))
        return LINEBREAK_NONE; /* tailored: Korean keep-all (linebreak.h) */
    if (a == LB_JL && (b == LB_JL || b == LB_JV || b == LB_H2 || b == LB_H3))
        return LINEBREAK_NONE; /* LB26 */
    if ((a == LB_JV || a == LB_H2) && (b == LB_JV || b == LB_JT)) return LINEBREAK_NONE;
    if ((a == LB_JT || a == LB_H3) && b == LB_JT) return LINEBREAK_NONE;
    if ((a_hangul && b == LB_PO) || (a == LB_PR && b_hangul)) return LINEBREAK_NONE; /* LB27 */
    if (a_alpha && b_alpha) return LINEBREAK_NONE;                                   /* LB28 */
    if (a == LB_IS && b_alpha) return LINEBREAK_NONE;                                /* LB29 */
    if ((a_alpha || a == LB_NU) && b == LB_OP && !(props & UCD_EAW_FWH))
        return LINEBREAK_NONE; /* LB30 */
    if (a == LB_CP && !(st->prev_flags & LINEBREAK_F_EAW_FWH) && (b_alpha || b == LB_NU))
        return LINEBREAK_NONE;
    if (a == LB_RI && b == LB_RI && (st->ri_run & 1)) return LINEBREAK_NONE; /* LB30a */
    if (b == LB_EM && (a == LB_EB || (st->prev_flags & LINEBREAK_F_PICT_CN)))
        return LINEBREAK_NONE; /* LB30b */
    return LINEBREAK_ALLOWED;  /* LB31 */
}

int linebreak_step(LinebreakState *st, uint32_t props, const uint8_t *next, const uint8_t *end)
{
    unsigned raw_b = UCD_LB(props);
    unsigned b = raw_b;
    int is_mark = b == LB_CM || b == LB_ZWJ;
    /* LB9 folds a mark into the base before it unless that base is a space, ZW or a break. */
    int absorbed = is_mark && st->started && st->prev != LB_SP && st->prev != LB_ZW &&
                   !is_mandatory_class(st->prev);
    int action;

    if (!st->started) { /* LB2 */
        st->started = 1;
        action = LINEBREAK_NONE;
    } else if (st->prev_raw == LB_BK || st->prev_raw == LB_LF || st->prev_raw == LB_NL) {
        action = LINEBREAK_MANDATORY; /* LB4, LB5 */
    } else if (st->prev_raw == LB_CR) {
        action = b == LB_LF ? LINEBREAK_NONE : LINEBREAK_MANDATORY;
    } else if (is_mandatory_class(b) || b == LB_SP || b == LB_ZW) { /* LB6, LB7 */
        action = LINEBREAK_NONE;
    } else if (st->prev == LB_ZW || (st->in_spaces && st->space_base == LB_ZW)) { /* LB8 */
        action = LINEBREAK_ALLOWED;
    } else if (st->prev_raw == LB_ZWJ || absorbed) { /* LB8a, LB9 */
        action = LINEBREAK_NONE;
    } else {
        if (is_mark) b = LB_AL; /* LB10 */
        action = decide_pair(st, st->prev, b, props, next, end);
    }
    if (absorbed) {
        st->prev_raw = (uint8_t)raw_b;
        return action;
    }
    if (is_mark) b = LB_AL; /* LB10 */
    linebreak_remember(st, raw_b, b, props);
    return action;
}

void linebreak_word_run(LinebreakState *st, uint32_t second_last_props, uint32_t last_props,
                        size_t run_len)
{
    if (run_len == 0) return;
    if (run_len >= 2) {
        unsigned c = UCD_LB(second_last_props);
        linebreak_remember(st, c, c, second_last_props);
    }
    unsigned c = UCD_LB(last_props);
    linebreak_remember(st, c, c, last_props);
}

static void break_string(const uint8_t *s, size_t len, uint8_t *out, int fast)
{
    LinebreakState st;
    linebreak_init(&st);
    memset(out, LINEBREAK_NONE, len);
    size_t i = 0;
    while (i < len) {
        size_t n;
        uint32_t props = ucd_props(ucd_decode(s + i, s + len, &n));
        out[i] = (uint8_t)(fast ? linebreak_step_fast(&st, props, s + i + n, s + len)
                                : linebreak_step(&st, props, s + i + n, s + len));
        i += n;
    }
}

void linebreak_string(const uint8_t *s, size_t len, uint8_t *out)
{
    break_string(s, len, out, 0);
}

void linebreak_string_fast(const uint8_t *s, size_t len, uint8_t *out)
{
    break_string(s, len, out, 1);
}
