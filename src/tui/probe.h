/* probe: asks the terminal how wide it really draws the clusters terminals disagree on. */
#ifndef LECTOR_PROBE_H
#define LECTOR_PROBE_H

#include "lector/layout.h"

/* Writes samples to the terminal on out_fd (before curses starts), reads a cursor-position
 * report after each from in_fd, the same terminal's keys (timeout_ms at most for each), erases
 * the samples, and fills *prof and *ambiguous_width. Returns 0 when measured, -1 when the
 * terminal did not answer or a signal came (then *prof and *ambiguous_width hold the
 * defaults). */
int probe_widths(int in_fd, int out_fd, int timeout_ms, LayoutWidthProfile *prof,
                 int *ambiguous_width);

#endif
