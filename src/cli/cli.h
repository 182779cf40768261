/* cli: the non-interactive face of lector (main and its subcommands). Each cmd_* takes the
 * arguments after the subcommand name and returns the process exit status: 0 on success, 2 on a
 * bad option or path (after one line on stderr naming the problem). */
#ifndef LECTOR_CLI_H
#define LECTOR_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "lector/cache.h"
#include "lector/config.h"
#include "lector/index.h"
#include "lector/text.h"

#define EXIT_USAGE 2

int cmd_wrap(int argc, char **argv, const char *default_texts);
int cmd_search(int argc, char **argv, const char *default_texts, const Config *cfg);
int cmd_index(int argc, char **argv, const char *default_texts);
int cmd_compare(int argc, char **argv, const Config *cfg);
/* `lector config`: the configuration file (as config_load left cfg), its warnings and the
 * settings in effect; texts: the texts folder in effect. */
int cmd_config(const Config *cfg, const char *texts);

/* A story of a search or index run: its path, and what indexing it gave. */
typedef struct {
    char *path;
    Index *index;
    Text *text; /* when it had to be read */
    CacheReport report;
    bool failed; /* could not be read: diag says why */
    Diag diag;
} CliStory;

/* Appends the stories at path (a file, or a folder's .txt files); -1 after an error line when
 * path does not exist. */
int cli_add_stories(const char *path, CliStory **stories, size_t *n, size_t *cap);
/* Indexes each story (cached or built: cache_index with flags) on two threads; progress: a
 * counter on stderr. */
void cli_index_stories(IndexCache *cache, CliStory *stories, size_t n, int flags, bool progress);
void cli_stories_free(CliStory *stories, size_t n);
/* The cache ($LECTOR_CACHE_DIR, else the XDG folder); NULL after a warning line when it cannot
 * be had, or when use is false. */
IndexCache *cli_cache_open(bool use);

/* The .txt files of a folder, sorted by name. Caller frees the array and its strings. */
char **cli_folder_stories(const char *dir, size_t *count);

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
