/* cli: the non-interactive face of lector (main and its subcommands). Each cmd_* takes the
 * arguments after the subcommand name and returns the process exit status: 0 on success, 2 on a
 * bad option or path (after one line on stderr naming the problem). */
#ifndef LECTOR_CLI_H
#define LECTOR_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "lector/cache.h"
#include "lector/config.h"
#include "lector/library.h"

#define EXIT_USAGE 2

int cmd_wrap(int argc, char **argv, const char *default_texts);
int cmd_search(int argc, char **argv, const char *default_texts, const Config *cfg);
int cmd_index(int argc, char **argv, const char *default_texts);
int cmd_compare(int argc, char **argv, const Config *cfg);
int cmd_toc(int argc, char **argv);
int cmd_dump(int argc, char **argv, const char *default_texts, const Config *cfg);
/* `lector config`: the configuration file (as config_load left cfg), its warnings and the
 * settings in effect; texts: the texts folder in effect. */
int cmd_config(const Config *cfg, const char *texts);

/* The cache ($LECTOR_CACHE_DIR, else the XDG folder); NULL after a warning line when it cannot
 * be had, or when use is false. */
IndexCache *cli_cache_open(bool use);

/* Appends the stories at path (library_add_path); -1 after an error line when path does not
 * exist or its folder cannot be read. */
int cli_add_path(const char *path, char ***paths, size_t *n, size_t *cap);
void cli_paths_free(char **paths, size_t n);

/* The indexing counter on stderr ("indexing 3 of 40 stories..."), as a LibraryProgress when
 * stderr is a terminal, else NULL; cli_progress_end clears its line after a run given it. */
LibraryProgress cli_progress(void);
void cli_progress_end(LibraryProgress progress);

/* True when something is piped or redirected into stdin (a FIFO or a file): then, with no path,
 * stdin is the story. A terminal or /dev/null is not a story. */
int cli_stdin_has_story(void);

/* Checks the texts folder used when no path was given; when it is missing, one line that says
 * so and what to do, and -1. */
int cli_default_texts_ok(const char *texts);

/* Flushes standard output, once everything is printed. When some of it could not be written (a
 * full disk, a closed stdout) it says so in one line and returns true; ferror counts too, since
 * a big write that failed went straight to the fd and leaves fflush nothing to fail on. A reader
 * that stopped reading (EPIPE, with SIGPIPE ignored: `| head`) is not a failure. */
bool cli_output_failed(void);

/* Prints "lector: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* After a failed stat or open of path: one line saying why, from errno ("no such file or
 * folder", a file where a folder should be, permission denied...). */
void cli_path_error(const char *path);

#endif
