/* main.c: lector's entry point. Dispatches to a subcommand; until the interactive reader exists,
 * plain `lector PATH...` prints the stories the way `lector wrap` does. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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

static void usage(FILE *f)
{
    fputs("usage: lector [--width N] [PATH...]\n"
          "       lector wrap [--width N] [FILE|FOLDER|-]...\n"
          "A terminal reader for stories in plain UTF-8 text files.\n"
          "  PATH          a story file, a folder of .txt stories, or - for standard input\n"
          "                (default: $LECTOR_TEXTS, else the installed texts folder)\n"
          "  -w, --width N wrap at N columns\n"
          "  --version     print the version\n"
          "  -h, --help    show this help\n"
          "Subcommands:\n"
          "  wrap          print stories as wrapped display lines\n",
          f);
}

int main(int argc, char **argv)
{
    const char *texts = getenv("LECTOR_TEXTS");
    if (!texts || !*texts) texts = LECTOR_TEXTS_DIR;
    if (argc > 1 && !strcmp(argv[1], "wrap")) return cmd_wrap(argc - 1, argv + 1, texts);
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("lector %s\n", LECTOR_VERSION);
        return 0;
    }
    /* No reader yet: print like `lector wrap`, with the same options and paths. */
    return cmd_wrap(argc, argv, texts);
}
