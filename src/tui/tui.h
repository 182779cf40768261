/* tui: the interactive reader on a real terminal. The only module that includes curses: it maps
 * keys to AppKey codes, paints the app's grid and restores the terminal whatever happens. */
#ifndef LECTOR_TUI_H
#define LECTOR_TUI_H

/* Runs the reader on paths (files, folders, or "-" for stdin) and returns the exit status. */
int tui_run(char **paths, int npaths, int measure);
/* Runs the compare view on two story files; q leaves. */
int tui_run_compare(const char *a, const char *b, int measure);

#endif
