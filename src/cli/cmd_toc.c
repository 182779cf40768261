/* cmd_toc.c: `lector toc`, a story's table of contents on standard output.
 *
 * Output format, for people and for scripts: first lines starting with "# " say what was read
 * ("# title: ...", "# author: ...", "# format: EPUB", "# chapters: 12"); then one line per
 * chapter, four fields separated by a tab: its number (from 1), its level (1 the top), its
 * title, and where it starts as a percentage of the story ("7\t2\tChapter Seven\t41%"). Titles
 * are escaped as on screen (text_escape: a control, a tab included, is shown as its stand-in),
 * so a title never breaks a line or a field. Several stories: each after a blank line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lector/strbuf.h"
#include "lector/text.h"

static void toc_usage(FILE *f)
{
    fputs("usage: lector toc [--raw] PATH...\n"
          "Prints each story's table of contents: a book's own (EPUB, FB2, HTML and Markdown\n"
          "headings), or the chapter headings found in a plain text. Lines that start with '#'\n"
          "describe the story; then one line per chapter: number, level, title, percent, with\n"
          "a tab between them.\n"
          "  --raw       read the file as it is, not as a book (a Gutenberg licence included)\n"
          "  -h, --help  this help\n",
          f);
}

static void print_escaped(const char *label, const char *s)
{
    if (!s) return;
    Strbuf sb = STRBUF_INIT;
    text_escape(s, strlen(s), &sb);
    printf("# %s: %s\n", label, sb.buf ? sb.buf : "");
    strbuf_release(&sb);
}

static int print_toc(const char *path, bool raw, IndexCache *cache)
{
    TextOpenOptions opt = {.raw = raw, .scratch_dir = cache ? cache_dir(cache) : NULL};
    Text *t;
    Diag d = {0};
    if (text_open_with(path, &opt, &t, &d) != 0) {
        cli_error("%s", d.msg);
        return -1;
    }
    text_load_all(t);
    print_escaped("title", text_title(t));
    print_escaped("author", text_author(t));
    Strbuf fmt = STRBUF_INIT;
    strbuf_addstr(&fmt, text_format(t));
    if (text_compression(t)) strbuf_addf(&fmt, " (%s)", text_compression(t));
    print_escaped("format", fmt.buf);
    strbuf_release(&fmt);
    if (text_notice(t)) print_escaped("notice", text_notice(t));
    size_t n = text_chapter_count(t), len = text_len(t);
    printf("# chapters: %zu\n", n);
    Strbuf title = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        Chapter c = text_chapter(t, i);
        strbuf_reset(&title);
        text_escape(c.title, strlen(c.title), &title);
        int pct = len ? (int)((double)c.offset * 100.0 / (double)len) : 0;
        printf("%zu\t%d\t%s\t%d%%\n", i + 1, c.level, title.buf ? title.buf : "", pct);
    }
    strbuf_release(&title);
    text_free(t);
    return 0;
}

int cmd_toc(int argc, char **argv)
{
    bool raw = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            toc_usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--raw")) {
            raw = true;
            continue;
        }
        cli_error("toc: unknown option '%s' (lector toc --help)", argv[i]);
        return EXIT_USAGE;
    }
    if (i >= argc) {
        toc_usage(stderr);
        return EXIT_USAGE;
    }
    IndexCache *cache = cli_cache_open(true);
    int status = 0;
    for (int k = i; k < argc; k++) {
        if (k > i) putchar('\n');
        if (print_toc(argv[k], raw, cache) != 0) status = EXIT_USAGE;
    }
    cache_close(cache);
    if (cli_output_failed()) status = 1;
    return status;
}
