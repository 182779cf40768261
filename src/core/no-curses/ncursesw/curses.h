/* A stand-in that stops the build: src/core and src/app never see curses (GUIDE.md section 1).
 * Only src/tui may include it. This folder is first on the core's and the app's include path. */
#error "lector: curses (ncursesw/curses.h) is for src/tui only; the core and the app draw into a Grid"
