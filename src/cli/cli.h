/* cli: the non-interactive face of lector (main and its subcommands). Each cmd_* takes the
 * arguments after the subcommand name and returns the process exit status: 0 on success, 2 on a
 * bad option or path (after one line on stderr naming the problem). */
#ifndef LECTOR_CLI_H
#define LECTOR_CLI_H

#define EXIT_USAGE 2

int cmd_wrap(int argc, char **argv, const char *default_texts);

/* Prints "lector: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
