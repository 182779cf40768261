/* cmd_dump.c: `lector dump`, the text backend: the real app (app.h) driven by keys given on the
 * command line, its screen printed as text, with no terminal involved. For tests that need no
 * terminal (keys, layout, search, compare), for bug reports, and for seeing a view at any size.
 *
 * Keys (--keys): each character is a key; <Name> is a named key as the configuration names them
 * (<Enter> <Esc> <Up> <PgDn> <C-l> <Space> <Tab> <Backspace> <Delete> <F1>, a character: <ж>),
 * <lt> is a '<'. Three more are not keys: <resize:COLSxROWS> resizes the screen, <click:ROW,COL>
 * clicks the first button at a cell (0-based), and <dump> prints the screen at that point.
 * Background work (reading a big story, its index, counting pages) is finished before the first
 * key and after each one (app_settle), so the screens printed do not depend on timing.
 *
 * Output: each screen printed is its rows as text (grid_dump: trailing spaces dropped), then,
 * with --styles, the same rows as style letters, one per column (a wide character's letter
 * twice): ' ' text, s status, m message, t title, S selected, d dim, h match, H current match,
 * - removed, + added, f filler. Screens are separated by a line "--"; the last is the screen
 * when the keys ran out, or, when a key ended lector (q on the last view), the screen before
 * it, the last one seen. Exit status: 0; 1 when a
 * reading position could not be saved (said on stderr, as the reader does); 2 on a bad option,
 * path or key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "lector/collate.h"
#include "lector/grid.h"
#include "lector/keys.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/xalloc.h"

static void dump_usage(FILE *f)
{
    fputs("usage: lector dump [--size COLSxROWS] [--keys KEYS] [--styles] [--width N]\n"
          "                   [--compare [--translation | --same-language]] [--raw] PATH...\n"
          "Runs the reader on PATH (a story, a folder, - for standard input) with the keys\n"
          "given, no terminal involved, and prints its screen as text.\n"
          "  --size COLSxROWS  the screen (default 80x24)\n"
          "  --keys KEYS       keys to press: characters, <Enter> <Esc> <Up> <C-l> and other\n"
          "                    named keys, <lt> for '<', <resize:COLSxROWS>, <click:ROW,COL>,\n"
          "                    and <dump> to print the screen there too\n"
          "  --styles          after the rows, each row's styles, a letter per column\n"
          "  -w, --width N     text N columns wide, as lector --width\n"
          "  --compare         PATH is two stories (or more versions): the compare view\n"
          "  --translation     ... paired as translations, as lector compare --translation\n"
          "  --same-language   ... paired as one language, as lector compare --same-language\n"
          "  --raw             books as the files they are, as lector --raw\n"
          "  -h, --help        show this help\n",
          f);
}

static char style_letter(int style)
{
    static const char letters[STYLE_COUNT] = {
        [STYLE_TEXT] = ' ',     [STYLE_STATUS] = 's', [STYLE_MESSAGE] = 'm', [STYLE_TITLE] = 't',
        [STYLE_SELECTED] = 'S', [STYLE_DIM] = 'd',    [STYLE_MATCH] = 'h',   [STYLE_CURRENT] = 'H',
        [STYLE_REMOVED] = '-',  [STYLE_ADDED] = '+',  [STYLE_FILLER] = 'f',  [STYLE_MOVED] = 'm',
    };
    return style >= 0 && style < STYLE_COUNT ? letters[style] : '?';
}

/* Prints the screen in g, as last rendered. */
static void print_grid(Grid *g, bool styles, bool *first, Strbuf *out)
{
    if (!*first) strbuf_addstr(out, "--\n");
    *first = false;
    grid_dump(g, out);
    if (!styles) return;
    for (int r = 0; r < grid_rows(g); r++) {
        size_t keep = out->len;
        for (int c = 0; c < grid_cols(g); c++) {
            char l = style_letter(grid_cell(g, r, c)->style);
            strbuf_addch(out, l);
            if (l != ' ') keep = out->len;
        }
        out->len = keep;
        out->buf[keep] = 0;
        strbuf_addch(out, '\n');
    }
}

static void print_screen(App *a, Grid *g, bool styles, bool *first, Strbuf *out)
{
    app_render(a, g);
    print_grid(g, styles, first, out);
}

static int parse_size(const char *s, int *cols, int *rows)
{
    char *end;
    long c = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X')) return -1;
    const char *r0 = end + 1;
    long r = strtol(r0, &end, 10);
    if (end == r0 || *end || c < 1 || r < 1 || c > 4096 || r > 1024) return -1;
    *cols = (int)c;
    *rows = (int)r;
    return 0;
}

/* Runs keys on a, printing where <dump> says; -1 after an error line on a key it cannot read.
 * g holds the screen as it was before each key: after the key that ends lector, the last screen
 * seen, not the view left under it. */
static int run_keys(App *a, Grid *g, const char *keys, bool styles, bool *first, Strbuf *out)
{
    for (const char *k = keys; *k && !app_done(a);) {
        app_render(a, g);
        if (*k != '<') {
            size_t n = 1;
            while (k[n] && ((unsigned char)k[n] & 0xc0) == 0x80)
                n++;
            int code;
            if (key_from_name(k, n, &code) != 0) code = (unsigned char)*k; /* a space, say */
            app_key(a, code);
            k += n;
            app_settle(a);
            continue;
        }
        const char *close = strchr(k, '>');
        if (!close || close == k + 1) {
            cli_error("dump: '%s': a key name is written <Name> (see: lector dump --help)", k);
            return -1;
        }
        size_t len = (size_t)(close - k - 1);
        const char *name = k + 1;
        int cols, rows, row, col;
        char buf[64];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < 63 ? len : 63), name);
        if (!strcmp(buf, "lt")) {
            app_key(a, '<');
        } else if (!strcmp(buf, "dump")) {
            print_screen(a, g, styles, first, out);
        } else if (!strncmp(buf, "resize:", 7) && parse_size(buf + 7, &cols, &rows) == 0) {
            app_resize(a, cols, rows);
        } else if (sscanf(buf, "click:%d,%d", &row, &col) == 2) {
            app_click(a, row, col);
        } else {
            int code;
            if (key_from_name(name, len, &code) != 0) {
                cli_error("dump: <%s> is not a key (see: lector dump --help)", buf);
                return -1;
            }
            app_key(a, code);
        }
        k = close + 1;
        app_settle(a);
    }
    return 0;
}

int cmd_dump(int argc, char **argv, const char *default_texts, const Config *cfg)
{
    int cols = 80, rows = 24, width = 0, npaths = 0;
    bool styles = false, compare = false, options = true;
    unsigned flags = 0;
    const char *keys = "";
    char **paths = xcalloc((size_t)argc + 1, sizeof *paths);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!options || o[0] != '-' || !o[1]) {
            paths[npaths++] = argv[i];
        } else if (!strcmp(o, "--")) {
            options = false;
        } else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            dump_usage(stdout);
            free(paths);
            return 0;
        } else if (!strcmp(o, "--styles")) {
            styles = true;
        } else if (!strcmp(o, "--compare")) {
            compare = true;
        } else if (!strcmp(o, "--raw")) {
            flags |= APP_RAW;
        } else if (!strcmp(o, "--translation")) {
            flags = (flags & ~(unsigned)APP_SAME_LANGUAGE) | APP_TRANSLATION;
        } else if (!strcmp(o, "--same-language")) {
            flags = (flags & ~(unsigned)APP_TRANSLATION) | APP_SAME_LANGUAGE;
        } else if (!strcmp(o, "--size") && v) {
            if (parse_size(v, &cols, &rows) != 0) {
                cli_error("--size: '%s' is not COLSxROWS (80x24, say)", v);
                free(paths);
                return EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(o, "--keys") && v) {
            keys = v;
            i++;
        } else if ((!strcmp(o, "-w") || !strcmp(o, "--width")) && v) {
            char *end;
            long w = strtol(v, &end, 10);
            if (!*v || *end || w < LAYOUT_MIN_WIDTH || w > LAYOUT_MAX_WIDTH) {
                cli_error("--width: '%s' is not a whole number from %d to %d", v, LAYOUT_MIN_WIDTH,
                          LAYOUT_MAX_WIDTH);
                free(paths);
                return EXIT_USAGE;
            }
            width = (int)w;
            i++;
        } else {
            cli_error("dump: unknown option or missing value '%s' (see: lector dump --help)", o);
            free(paths);
            return EXIT_USAGE;
        }
    }
    if (npaths == 0) {
        if (cli_default_texts_ok(default_texts) != 0) {
            free(paths);
            return EXIT_USAGE;
        }
        paths[npaths++] = (char *)default_texts;
    }
    if (compare && (npaths < 2 || npaths > COLLATE_MAX)) {
        cli_error("dump: --compare takes two stories, or up to %d versions", COLLATE_MAX);
        free(paths);
        return EXIT_USAGE;
    }
    Diag d = {0};
    App *a = app_new(paths, npaths, width, flags, &d);
    free(paths);
    if (!a) {
        cli_error("%s", d.msg);
        return EXIT_USAGE;
    }
    app_configure(a, cfg);
    app_resize(a, cols, rows);
    if (compare && app_compare_all(a, true) != 0) {
        cli_error("%s", app_message(a));
        app_free(a);
        return EXIT_USAGE;
    }
    app_settle(a);
    Grid *g = grid_new(cols, rows);
    Strbuf out = STRBUF_INIT;
    bool first = true;
    int rc = run_keys(a, g, keys, styles, &first, &out);
    if (rc == 0 && app_done(a))
        print_grid(g, styles, &first, &out); /* the last screen seen before lector ended */
    else if (rc == 0)
        print_screen(a, g, styles, &first, &out);
    fwrite(out.buf, 1, out.len, stdout);
    strbuf_release(&out);
    grid_free(g);
    int status = rc ? EXIT_USAGE : 0;
    if (app_finish_and_report(a, stderr) && !status) status = 1; /* as the reader does */
    app_free(a);
    if (cli_output_failed()) return EXIT_USAGE;
    return status;
}
