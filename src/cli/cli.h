/* cli: the non-interactive face of lector (main and its subcommands). Each cmd_* takes the
 * arguments after the subcommand name and returns the process exit status: 0 on success, 2 on a
 * bad option or path (after one line on stderr naming the problem). */
#ifndef LECTOR_CLI_H
#define LECTOR_CLI_H

#include <stddef.h>

#define EXIT_USAGE 2

int cmd_wrap(int argc, char **argv, const char *default_texts);
int cmd_search(int argc, char **argv, const char *default_texts);

/* The .txt files of a folder, sorted by name. Caller frees the array and its strings. */
char **cli_folder_stories(const char *dir, size_t *count);

/* True when something is piped or redirected into stdin (a FIFO or a file): then, with no path,
 * stdin is the story. A terminal or /dev/null is not a story. */
int cli_stdin_has_story(void);

/* Prints "lector: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
