/* tui: the interactive reader on a real terminal. The only module that includes curses: it maps
 * keys to AppKey codes, paints the app's grid and restores the terminal whatever happens. */
#ifndef LECTOR_TUI_H
#define LECTOR_TUI_H

#include <stdbool.h>

#include "lector/config.h"

/* Whether the terminal on stdout, as $TERM describes it, can move the cursor. One that cannot
 * (TERM=dumb: an editor's shell buffer, a printer) would show each frame as scrolled garbage, so
 * callers print instead, as for output that is not a terminal. True when $TERM is unset or not
 * known here: the reader then says so itself. */
bool tui_can_draw(void);
/* Runs the reader on paths (files, folders, or "-" for stdin) and returns the exit status. flags:
 * APP_* (app.h). cfg:
 * the user's configuration (keys, smart case, measure unless measure > 0, colours). */
int tui_run(char **paths, int npaths, int measure, unsigned flags, const Config *cfg);
/* Runs the compare view on two story files (or more versions); q leaves. flags: APP_* (the
 * pairing: APP_TRANSLATION, APP_SAME_LANGUAGE). */
int tui_run_compare(char **paths, int n, int measure, unsigned flags, const Config *cfg);

#endif
