/* probe: asks the terminal how wide it really draws the clusters terminals disagree on. */
#ifndef LECTOR_PROBE_H
#define LECTOR_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "lector/layout.h"

/* Keys the user typed while the probe waited for answers, in the order typed, for the reader
 * to act on once curses starts (type-ahead is not lost, as it is not in less). */
typedef struct {
    char bytes[128]; /* not NUL-terminated; what does not fit is dropped */
    size_t len;
    int answers_pending; /* samples left unanswered in time: their answers may still come,
                            and would read as keys (ESC [ row ; col R) */
} ProbeTyped;

/* Whether s (n bytes) starts with a cursor-position report, ESC [ row ; col R: 1, with the
 * column in *col and the report's length in *len; 0 when it could still become one (more bytes
 * to come); -1 when it is not one (an arrow key's ESC [ A, say). */
int probe_cursor_report(const char *s, size_t n, int *col, size_t *len);

/* Writes samples to the terminal on out_fd (where its cursor is), all at once, each followed
 * by a request for the cursor's position and erased; reads the reports from in_fd, the same
 * terminal's keys, in order (timeout_ms at most for each), and fills *prof and *ambiguous_width.
 * Whatever else comes from in_fd meanwhile is keys, kept in *typed (the caller's). The first
 * report that does not come in time ends it (it and those after it are answers_pending). Returns 0
 * when the first sample was measured (the others, when unanswered, keep their defaults), -1 when
 * the terminal did not answer or a signal came (then *prof and *ambiguous_width hold the defaults).
 */
int probe_widths(int in_fd, int out_fd, int timeout_ms, LayoutWidthProfile *prof,
                 int *ambiguous_width, ProbeTyped *typed);

#endif
