/* main.c: lector's entry point. Dispatches to a subcommand; until the interactive reader exists,
 * plain `lector PATH...` prints the stories the way `lector wrap` does. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "lector/config.h"
#include "lector/layout.h"
#include "app.h"
#include "tui.h"
#include "lector/strbuf.h"
#include "lector/text.h"

#ifndef LECTOR_VERSION
#define LECTOR_VERSION "unknown"
#endif
#ifndef LECTOR_TEXTS_DIR
#define LECTOR_TEXTS_DIR "texts"
#endif

void cli_error(const char *fmt, ...)
{
    /* Messages carry file names and titles, which are untrusted: escape the whole line. */
    char raw[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    Strbuf line = STRBUF_INIT;
    strbuf_addstr(&line, "lector: ");
    text_escape(raw, strlen(raw), &line);
    strbuf_addch(&line, '\n');
    fwrite(line.buf, 1, line.len, stderr);
    strbuf_release(&line);
}

void cli_path_error(const char *path)
{
    int err = errno;
    if (err == ENOENT)
        cli_error("%s: no such file or folder", path);
    else if (err == ENOTDIR)
        cli_error("%s: part of the path is a file, not a folder", path);
    else
        cli_error("%s: %s", path, strerror(err));
}

/* Whether fd is a pipe whose reader has gone (poll says POLLERR for it then). */
static bool reader_gone(int fd)
{
    struct pollfd p = {fd, POLLOUT, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

bool cli_output_failed(void)
{
    int before = errno; /* a failed write's, unless a call since has changed it */
    int flushed = fflush(stdout);
    if (flushed == 0 && !ferror(stdout)) return false;
    /* A big fwrite goes straight to the fd, so its failure can be long past: its errno is only
     * trusted when it names a way a write fails. */
    int e = flushed ? errno : before;
    if (e == EPIPE || reader_gone(STDOUT_FILENO)) return false; /* | head: not a failure */
    if (e == ENOSPC || e == EBADF || e == EIO || e == EDQUOT || e == EFBIG || e == EROFS ||
        e == EACCES || e == EPERM || e == EINVAL || e == ENXIO)
        cli_error("writing output: %s", strerror(e));
    else
        cli_error("writing output: some of it could not be written");
    return true;
}

int cli_default_texts_ok(const char *texts)
{
    struct stat st;
    if (stat(texts, &st) == 0) return 0;
    int err = errno;
    cli_error("%s: %s; no story was given, so lector looked in its texts folder: give a story or "
              "a folder, or set LECTOR_TEXTS or texts in the configuration (see: lector config)",
              texts, err == ENOENT ? "no such folder" : strerror(err));
    return -1;
}

int cli_stdin_has_story(void)
{
    struct stat in;
    return fstat(STDIN_FILENO, &in) == 0 && (S_ISFIFO(in.st_mode) || S_ISREG(in.st_mode));
}

static void usage(FILE *f)
{
    fputs("usage: lector [--width N] [--bidi auto|on|off] [--raw] [PATH...]\n"
          "       lector wrap|search|index|compare|toc|dump|config [OPTION...] [ARG...]\n"
          "A terminal reader for stories in UTF-8 text files and books (EPUB, FB2, HTML,\n"
          "Markdown). PATH is a story, a folder of them (a shelf) or - for standard input; by\n"
          "default the texts folder.\n"
          "  -w, --width N  text N columns wide     --version  print the version\n"
          "  -h, --help     this help                --bidi off  leave right-to-left text to\n"
          "                                            a terminal that reorders it itself\n"
          "  --raw          books as the files they are (a Gutenberg licence, HTML markup)\n"
          "Subcommands (each has --help): wrap prints stories wrapped, search finds ranked hits,\n"
          "index builds the search cache, compare shows two stories side by side, dump prints\n"
          "the reader's screen after some keys, config shows the configuration in effect, toc\n"
          "prints a story's chapters.\n"
          "Press h in the reader for its keys. Everything else: man lector\n",
          f);
}

/* Parses `lector [--width N] [PATH...]` for the reader; returns -1 after an error line, 1 when
 * argv[*first_path] is --help or --version. */
static int parse_reader_args(int argc, char **argv, int *width, int *bidi, unsigned *flags,
                             int *first_path)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (!strcmp(a, "-w") || !strcmp(a, "--width") || !strncmp(a, "--width=", 8)) {
            const char *v = a[2] == '=' || !strncmp(a, "--width=", 8)
                                ? strchr(a, '=') + 1
                                : (i + 1 < argc ? argv[++i] : NULL);
            char *end;
            long w = v ? strtol(v, &end, 10) : 0;
            if (!v || !*v || *end || w < LAYOUT_MIN_WIDTH || w > LAYOUT_MAX_WIDTH) {
                cli_error("--width: '%s' is not a whole number from %d to %d", v ? v : "",
                          LAYOUT_MIN_WIDTH, LAYOUT_MAX_WIDTH);
                return -1;
            }
            *width = (int)w;
            continue;
        }
        if (!strcmp(a, "--bidi") || !strncmp(a, "--bidi=", 7)) {
            const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || config_parse_bidi(v, strlen(v), bidi) != 0) {
                cli_error("--bidi: '%s' is not auto, on or off", v ? v : "");
                return -1;
            }
            continue;
        }
        if (!strcmp(a, "--raw")) {
            *flags |= APP_RAW;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "--version")) {
            *first_path = i; /* anywhere among the options, as when first */
            return 1;
        }
        if (a[0] == '-' && a[1]) {
            cli_error("unknown option '%s' (see: lector --help)", a);
            return -1;
        }
        break;
    }
    *first_path = i;
    return 0;
}

/* Prints why the configuration could not be read, or its warnings, each as one line on
 * stderr. */
static void config_warn(const Config *cfg)
{
    if (cfg->error.code) cli_error("%s", cfg->error.msg);
    for (size_t i = 0; i < cfg->nwarnings; i++)
        cli_error("%s:%d: %s", cfg->path, cfg->warnings[i].line, cfg->warnings[i].what);
}

/* The texts folder when no path is given: $LECTOR_TEXTS, then the configuration's, then the
 * installed one. */
static const char *default_texts(const Config *cfg)
{
    const char *texts = getenv("LECTOR_TEXTS");
    if (texts && *texts) return texts;
    if (cfg->texts) return cfg->texts;
    return LECTOR_TEXTS_DIR;
}

static int run(int argc, char **argv, Config *cfg)
{
    const char *texts = default_texts(cfg);
    if (argc > 1 && !strcmp(argv[1], "wrap")) return cmd_wrap(argc - 1, argv + 1, texts);
    if (argc > 1 && !strcmp(argv[1], "search")) return cmd_search(argc - 1, argv + 1, texts, cfg);
    if (argc > 1 && !strcmp(argv[1], "index")) return cmd_index(argc - 1, argv + 1, texts);
    if (argc > 1 && !strcmp(argv[1], "compare")) return cmd_compare(argc - 1, argv + 1, cfg);
    if (argc > 1 && !strcmp(argv[1], "toc")) return cmd_toc(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "dump")) return cmd_dump(argc - 1, argv + 1, texts, cfg);
    /* --help or --version, first or after other options: lector's, wherever the output goes */
    int width = 0, first = 1;
    unsigned flags = 0;
    int parsed = parse_reader_args(argc, argv, &width, &cfg->bidi, &flags, &first);
    if (parsed < 0) return EXIT_USAGE;
    if (parsed > 0 && !strcmp(argv[first], "--version")) {
        printf("lector %s\n", LECTOR_VERSION);
        return 0;
    }
    if (parsed > 0) {
        usage(stdout);
        return 0;
    }
    /* Not a terminal: print like `lector wrap`, as less acts as cat. */
    if (!isatty(STDOUT_FILENO)) return cmd_wrap(argc, argv, texts);
    if (!tui_can_draw()) { /* TERM=dumb, say: printing is what it can show; then a word why */
        int status = cmd_wrap(argc, argv, texts);
        cli_error("TERM=%s cannot move the cursor: printed instead of paging", getenv("TERM"));
        return status;
    }

    char **paths = argv + first;
    int npaths = argc - first;
    char *defaults[1];
    if (npaths == 0) {
        defaults[0] = cli_stdin_has_story() ? "-" : (char *)texts;
        paths = defaults;
        npaths = 1;
    }
    for (int i = 0; i < npaths; i++) { /* a bad path: one line and status 2, before the screen */
        struct stat st;
        if (strcmp(paths[i], "-") && stat(paths[i], &st) != 0) {
            if (paths == defaults)
                cli_default_texts_ok(paths[i]);
            else
                cli_path_error(paths[i]);
            return EXIT_USAGE;
        }
    }
    return tui_run(paths, npaths, width, flags, cfg);
}

int main(int argc, char **argv)
{
    /* A block of 256 KiB or more is mapped and given back when freed. glibc's default moves that
     * threshold up to 32 MiB after the first such free, and then the big arrays an alignment or an
     * index build frees stay in the heap, counted in the process's memory to its end. */
    mallopt(M_MMAP_THRESHOLD, 256 << 10);
    Config cfg;
    config_init(&cfg);
    config_load(&cfg); /* a file that cannot be read leaves the defaults and says why */
    int status;
    if (argc > 1 && !strcmp(argv[1], "config")) {
        if (argc > 2 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
            fputs("usage: lector config\n"
                  "Prints the configuration file lector reads ($LECTOR_CONFIG, else\n"
                  "$XDG_CONFIG_HOME/lector/config, else ~/.config/lector/config), each line it\n"
                  "could not use, and the settings in effect. Exit status: 0 when the file is\n"
                  "clean or absent, 1 when it has warnings, 2 when it cannot be read.\n"
                  "The settings: man lector, CONFIGURATION.\n",
                  stdout);
            status = 0;
        } else if (argc > 2) {
            cli_error("config: unexpected '%s' (see: lector config --help)", argv[2]);
            status = EXIT_USAGE;
        } else {
            status = cmd_config(&cfg, default_texts(&cfg));
        }
    } else {
        config_warn(&cfg);
        status = run(argc, argv, &cfg);
    }
    config_free(&cfg);
    return status;
}
