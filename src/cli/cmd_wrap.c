/* cmd_wrap.c: `lector wrap` -- print stories as display lines, for pipes and for checking the
 * layout. Also what plain `lector PATH` does when its output is not a terminal (as less acts as
 * cat). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "lector/config.h"
#include "lector/layout.h"
#include "lector/library.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/xalloc.h"

static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

/* Output goes through one buffer, written out when it holds this much. */
enum { OUT_FLUSH = 128 << 10 };

static void flush_out(Strbuf *out)
{
    fwrite(out->buf, 1, out->len, stdout);
    strbuf_reset(out);
}

/* Prints the story s as display lines, a paragraph at a time (text_stream: memory bounded by
 * the longest paragraph piece, whatever the story's size); what is held is written out when the
 * input makes us wait (tail -f | lector wrap). false when the output failed (a closed pipe with
 * SIGPIPE ignored, a full disk): reading on would never end for a pipe without end. */
static bool print_story(TextStream *s, const LayoutOptions *story_opt, BidiCache *bidi, Strbuf *out)
{
    /* the story's own line width, for its verse and letters (layout.h), as the reader finds it */
    LayoutOptions story = *story_opt;
    story.source_width = text_stream_source_width(s);
    const uint8_t *bytes;
    Span para;
    bool joined, first = true;
    LayoutLine line;
    while (text_stream_next(s, &bytes, &para, &joined)) {
        /* A piece of a long paragraph goes on at a new line, not after a blank one. */
        if (!first && !joined) strbuf_addch(out, '\n');
        first = false;
        LayoutCursor c;
        layout_cursor_init(&c, bytes, para, &story);
        bidi_cache_forget(bidi); /* the stream's window: the same address, other bytes */
        while (layout_cursor_next(&c, &line)) {
            if (bidi)
                layout_render_line_visual(bytes, para, &line, &story, bidi, out);
            else
                layout_render_line(bytes, &line, &story, out);
            strbuf_addch(out, '\n');
        }
        if (out->len >= OUT_FLUSH || (out->len && text_stream_waiting(s))) {
            flush_out(out);
            fflush(stdout);
            if (ferror(stdout)) return false;
        }
    }
    return true;
}

/* Prints one path; returns 0, EXIT_USAGE, or -1 when the output failed (nothing more is
 * worth reading). */
static int wrap_one(const char *path, bool raw, const LayoutOptions *opt, BidiCache *bidi,
                    int header, Strbuf *out)
{
    TextStream *s = NULL;
    Diag diag = {0};
    if ((raw ? text_stream_open_raw(path, &s, &diag) : text_stream_open(path, &s, &diag)) != 0) {
        flush_out(out);
        fflush(stdout);
        cli_error("%s", diag.msg);
        return EXIT_USAGE;
    }
    if (header) {
        const char *title = text_stream_title(s);
        strbuf_addstr(out, "==> ");
        text_escape(title, strlen(title), out);
        strbuf_addstr(out, " <==\n");
    }
    if (!print_story(s, opt, bidi, out)) {
        text_stream_free(s);
        return -1; /* the output failed: the caller stops, and says so once */
    }
    const char *notice = text_stream_notice(s); /* complete now: every byte was read */
    if (notice) {
        flush_out(out);
        fflush(stdout);
        cli_error("%s: %s", path, notice);
    }
    text_stream_free(s);
    return 0;
}

static void wrap_usage(FILE *f)
{
    fputs("usage: lector wrap [--width N] [--visual] [--raw] [FILE|FOLDER|-]...\n"
          "Prints each story as display lines, a blank line between paragraphs.\n"
          "  -w, --width N   wrap at N columns (8-4096; default: the terminal's width, or 80)\n"
          "  -v, --visual    display order: right-to-left text reordered, its paragraphs\n"
          "                  aligned right (for a device that does no bidi of its own;\n"
          "                  by default lines keep the file's logical order)\n"
          "  --raw           a book as the file it is (a Project Gutenberg book with its\n"
          "                  licence, an HTML page as markup), not imported\n"
          "  -h, --help      show this help\n",
          f);
}

static int parse_width(const char *arg, int *width)
{
    char *end;
    errno = 0;
    long w = strtol(arg, &end, 10);
    if (errno || end == arg || *end || w < LAYOUT_MIN_WIDTH || w > LAYOUT_MAX_WIDTH) {
        cli_error("--width: '%s' is not a whole number from %d to %d", arg, LAYOUT_MIN_WIDTH,
                  LAYOUT_MAX_WIDTH);
        return -1;
    }
    *width = (int)w;
    return 0;
}

int cmd_wrap(int argc, char **argv, const char *default_texts)
{
    static const struct option longopts[] = {
        {"width", required_argument, NULL, 'w'},
        {"visual", no_argument, NULL, 'v'},
        {"bidi", required_argument, NULL, 'B'}, /* the reader's: `lector --bidi off f | less` */
        {"raw", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int width = 0, opt;
    bool visual = false, raw = false;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+w:vh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'w':
            if (parse_width(optarg, &width) != 0) return EXIT_USAGE;
            break;
        case 'v':
            visual = true;
            break;
        case 'R':
            raw = true;
            break;
        case 'B': { /* checked, then nothing to do: printing keeps logical order (--visual) */
            int ignored;
            if (config_parse_bidi(optarg, strlen(optarg), &ignored) != 0) {
                cli_error("--bidi: '%s' is not auto, on or off", optarg);
                return EXIT_USAGE;
            }
            break;
        }
        case 'h':
            wrap_usage(stdout);
            return 0;
        default:
            if (optopt == 'w')
                cli_error("--width needs a number of columns");
            else if (optopt)
                cli_error("unknown option '-%c' (see: lector wrap --help)", optopt);
            else
                cli_error("unknown option '%s' (see: lector wrap --help)", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (!width) width = terminal_width();
    if (width < LAYOUT_MIN_WIDTH) width = LAYOUT_MIN_WIDTH;
    if (width > LAYOUT_MAX_WIDTH) width = LAYOUT_MAX_WIDTH;
    LayoutOptions lopt = {.width = width};

    char *default_arg[] = {(char *)default_texts, NULL};
    char **paths = argv + optind;
    int npaths = argc - optind;
    if (npaths == 0) {
        /* No path: a story piped or redirected into stdin, else the default texts folder. */
        if (!default_texts || cli_stdin_has_story()) {
            static char dash[] = "-";
            default_arg[0] = dash;
        } else if (cli_default_texts_ok(default_texts) != 0) {
            return EXIT_USAGE;
        }
        paths = default_arg;
        npaths = 1;
    }
    int status = 0, printed = 0;
    Strbuf out = STRBUF_INIT;
    BidiCache *bidi = visual ? bidi_cache_new() : NULL;
    SaBreaker *sa = sabreak_new(); /* Thai and its kin: one dictionary iterator for all */
    lopt.sa = sa;
    for (int i = 0; i < npaths; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            size_t n;
            char **names;
            Diag diag = {0};
            if (library_list_folder(paths[i], &names, &n, &diag) != 0) {
                cli_error("%s", diag.msg);
                status = EXIT_USAGE;
                continue;
            }
            if (n == 0) cli_error("%s: no .txt stories in this folder", paths[i]);
            int rc = 0;
            for (size_t k = 0; k < n; k++) {
                if (printed++) strbuf_addch(&out, '\n');
                if (rc >= 0) rc = wrap_one(names[k], raw, &lopt, bidi, 1, &out);
                if (rc > 0) status = rc;
                free(names[k]);
            }
            free(names);
            if (rc < 0) break;
            continue;
        }
        if (printed++) strbuf_addch(&out, '\n');
        int rc = wrap_one(paths[i], raw, &lopt, bidi, npaths > 1, &out);
        if (rc < 0) break;
        if (rc > 0) status = rc;
    }
    flush_out(&out);
    strbuf_release(&out);
    bidi_cache_free(bidi);
    sabreak_free(sa);
    return cli_output_failed() ? 1 : status;
}
