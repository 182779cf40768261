/* tui.c: curses set-up, the key loop and the painter.
 *
 * The loop: draw the app into the grid, copy the grid to curses, wait for a key (or, while the
 * app has background work such as counting pages, poll so the work goes on between keys). The
 * signal handlers only set a flag; the loop notices it within 100 ms, restores the terminal and
 * exits. They are in place before curses or the width probe first change the terminal's modes,
 * so no signal can leave it without echo. (While lector compare aligns, before curses starts and
 * with the terminal as it was found, a signal has its own action instead: compare_aligned.) Ctrl-Z
 * is curses' own SIGTSTP handling (it restores, suspends, and redraws on fg).
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "app.h"
#include "probe.h"
#include "lector/grid.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/xalloc.h"
/* last: term.h defines macros such as `lines` that our headers use as names */
#include <term.h>

/* Signals reach the loop through this flag: the one piece of global state the TUI needs. */
static volatile sig_atomic_t caught_signal;
static int curses_active;
/* The terminal was asked not to reorder right-to-left text itself (ECMA-48 BDSM reset, CSI 8 l:
 * "explicit" mode in the terminal-wg bidi proposal), since lector draws it in display order;
 * set back (CSI 8 h, the implicit default) wherever the screen is given back. */
static int bidi_explicit;
/* curses' own Ctrl-Z handler (it gives the screen back, stops, and redraws on fg), wrapped so
 * that the terminal's bidi is set back for the shell while lector is stopped (on_tstp). */
static struct sigaction curses_tstp;

static void on_tstp(int sig)
{
    int saved = errno;
    ssize_t ignored;
    if (bidi_explicit) ignored = write(STDOUT_FILENO, "\033[8h", 4);
    curses_tstp.sa_handler(sig); /* returns once lector is continued, the screen redrawn */
    /* curses put its own handler back: wrap it again */
    struct sigaction now, ours;
    if (sigaction(SIGTSTP, NULL, &now) == 0 && now.sa_handler != on_tstp) {
        curses_tstp = now;
        ours = now;
        ours.sa_handler = on_tstp;
        sigaction(SIGTSTP, &ours, NULL);
    }
    if (bidi_explicit) ignored = write(STDOUT_FILENO, "\033[8l", 4);
    (void)ignored;
    errno = saved;
}

/* Wraps the SIGTSTP handler curses installed (if it did: not when job control is off). */
static void wrap_curses_tstp(void)
{
    struct sigaction now;
    if (sigaction(SIGTSTP, NULL, &now) != 0 || (now.sa_flags & SA_SIGINFO) ||
        now.sa_handler == SIG_DFL || now.sa_handler == SIG_IGN || now.sa_handler == on_tstp)
        return;
    curses_tstp = now;
    struct sigaction ours = now;
    ours.sa_handler = on_tstp;
    sigaction(SIGTSTP, &ours, NULL);
}

static void on_signal(int sig)
{
    caught_signal = sig;
}

/* app_set_keys_waiting_fn's question: bytes from the terminal not read yet (curses reads
 * them only when asked for a key). */
static bool keys_waiting(void *ctx)
{
    struct pollfd p = {*(const int *)ctx, POLLIN, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* The keys' terminal is gone (its other side closed: POLLHUP, or the fd is bad). A hang-up
 * without SIGHUP happens when the terminal is not our controlling one; curses then reports it
 * only as "no key", and the loop would spin at full speed forever. */
static bool keys_gone(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

static void restore_terminal(void)
{
    if (curses_active) {
        endwin();
        curses_active = 0;
    }
    if (bidi_explicit) {
        ssize_t ignored = write(STDOUT_FILENO, "\033[8h", 4); /* nothing to do if it fails */
        (void)ignored;
        bidi_explicit = 0;
    }
}

/* The cursor keys as a terminal sends them before curses puts its keypad in application mode:
 * the terminfo entry lists only the application mode's (ESC O A), so the keys typed during the
 * probe, or before the first refresh, would reach the views as ESC, [ and A. */
static const struct {
    const char *seq;
    int key;
} normal_mode_keys[] = {
    {"\033[A", KEY_UP},     {"\033[B", KEY_DOWN},   {"\033[C", KEY_RIGHT}, {"\033[D", KEY_LEFT},
    {"\033OA", KEY_UP},     {"\033OB", KEY_DOWN},   {"\033OC", KEY_RIGHT}, {"\033OD", KEY_LEFT},
    {"\033[H", KEY_HOME},   {"\033[F", KEY_END},    {"\033[1~", KEY_HOME}, {"\033[4~", KEY_END},
    {"\033[5~", KEY_PPAGE}, {"\033[6~", KEY_NPAGE}, {"\033OP", KEY_F(1)},
};

/* The length of the whole escape sequence at s (n bytes): ESC [ parameters final, or ESC O and
 * one byte; 0 when s does not start with a whole one. */
static size_t escape_length(const char *s, size_t n)
{
    if (n < 3 || s[0] != '\033' || (s[1] != '[' && s[1] != 'O')) return 0;
    if (s[1] == 'O') return 3;
    for (size_t i = 2; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x40 && c <= 0x7e) return i + 1; /* the final byte */
        if (c < 0x20 || c > 0x3f) return 0;       /* not a parameter or intermediate byte */
    }
    return 0;
}

/* Keys typed during the probe, for curses to hand out first, as if just typed. curses does not
 * look up keys in what is pushed back, so escape sequences are made keys here: the cursor keys
 * theirs, any other sequence (Delete, F5, a late answer cut short) dropped whole rather than
 * handed out as ESC and letters that are commands. Other bytes go in as they are (curses joins
 * UTF-8 again). */
static void push_typed(const ProbeTyped *typed)
{
    int keys[sizeof typed->bytes];
    size_t n = 0;
    for (size_t i = 0; i < typed->len;) {
        size_t len = escape_length(typed->bytes + i, typed->len - i);
        if (!len) {
            keys[n++] = (unsigned char)typed->bytes[i++];
            continue;
        }
        for (size_t k = 0; k < sizeof normal_mode_keys / sizeof *normal_mode_keys; k++)
            if (strlen(normal_mode_keys[k].seq) == len &&
                !memcmp(typed->bytes + i, normal_mode_keys[k].seq, len)) {
                keys[n++] = normal_mode_keys[k].key;
                break;
            }
        i += len;
    }
    while (n > 0) /* curses' queue is last in, first out: the last key goes in first */
        ungetch(keys[--n]);
}

/* Background work (loading the rest of a long story, indexing it) and the width probe start
 * this long after the first screen is sent, not at once: the terminal has yet to draw that
 * screen, and on a machine of two cores the work took the CPU it needed, and the probe's
 * answers and the screen drawn again added to its own (tmux, 103 MB story, medians of 101
 * runs: the first screen in 31.6 ms, 29.7 with the work waiting, 28.9 with the probe too; less
 * 27.5). Keys are answered meanwhile, and the first one ends the wait. */
enum { IDLE_AFTER_FIRST_MS = 50 };

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* After an ESC from curses, when the probe gave up waiting: whether it starts the probe's answer
 * come late (a slow link), [ row ; col R, which curses would hand out as keys, a count and all.
 * True: read and dropped. False: what was read after the ESC goes back to curses, in order. */
static bool drop_late_answer(void)
{
    struct {
        int r;
        wint_t ch;
    } got[24];
    char report[sizeof got / sizeof *got + 1] = "\033"; /* the ESC, then what follows it */
    size_t n = 0;
    int col;
    size_t len;
    while (n < sizeof got / sizeof *got) {
        wint_t ch;
        timeout(n ? 300 : 50); /* once it has begun, its rest may be a slow link's while away */
        int r = get_wch(&ch);
        if (r == ERR) break;
        got[n].r = r;
        got[n++].ch = ch;
        if (r != OK || ch > 0x7f) break;
        report[n] = (char)ch;
        int is = probe_cursor_report(report, n + 1, &col, &len);
        if (is == 1) return true;
        if (is < 0) break;
    }
    while (n-- > 0) /* curses' queue is last in, first out */
        if (got[n].r == OK)
            unget_wch((wchar_t)got[n].ch);
        else
            ungetch((int)got[n].ch);
    return false;
}

/* The width probe: the widths measured go to the app (or, with no answer, a message). With
 * curses' screen up (rows > 0), its samples are drawn on the bottom row and erased (when *wrote,
 * the caller draws the whole screen again), and the keys typed meanwhile go to curses; before
 * (rows 0), they stay in *typed for it. Returns how many answers may still come late. */
static int run_probe(App *app, int tty, int rows, LayoutWidthProfile *profile, int *ambiguous,
                     ProbeTyped *typed, bool *wrote)
{
    char bottom[32];
    int n = rows > 0 ? snprintf(bottom, sizeof bottom, "\033[%d;1H", rows) : 0;
    fflush(stdout); /* curses' own writes first */
    *wrote = isatty(tty) && isatty(STDOUT_FILENO) &&
             (!n || write(STDOUT_FILENO, bottom, (size_t)n) == n);
    /* With curses up, a resize or Ctrl-Z would end the probe's wait (its handlers are curses'),
     * and the answers would come as keys: they wait the few milliseconds until it is done. */
    sigset_t held, old;
    sigemptyset(&held);
    sigaddset(&held, SIGWINCH);
    sigaddset(&held, SIGTSTP);
    if (rows > 0) sigprocmask(SIG_BLOCK, &held, &old);
    int measured = *wrote ? probe_widths(tty, STDOUT_FILENO, 150, profile, ambiguous, typed) : -1;
    if (rows > 0) sigprocmask(SIG_SETMASK, &old, NULL);
    if (measured == 0)
        app_set_width_fn(app, layout_profile_width, profile, *ambiguous);
    else
        app_message_set(app, "terminal did not answer: default emoji widths");
    if (rows > 0) push_typed(typed);
    return typed->answers_pending;
}

/* Buttons and the wheel, never motion: with no motion reports asked for, the terminal keeps its
 * own drag-to-select (Shift-drag in most terminals while buttons are reported); mouse = no in
 * the configuration leaves the mouse to the terminal altogether. Asked for after the probe: a
 * click during it would be bytes among its answers. */
static void enable_mouse(const Config *cfg)
{
    mousemask(cfg->mouse ? BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED : 0, NULL);
    mouseinterval(0);
}

static int map_key(wint_t ch, int is_key)
{
    if (!is_key) {
        if (ch == '\n' || ch == '\r') return APP_KEY_ENTER;
        if (ch == 27) return APP_KEY_ESC;
        if (ch == 127 || ch == 8) return APP_KEY_BACKSPACE;
        return (int)ch;
    }
    switch (ch) {
    case KEY_UP:
        return APP_KEY_UP;
    case KEY_DOWN:
        return APP_KEY_DOWN;
    case KEY_LEFT:
        return APP_KEY_LEFT;
    case KEY_RIGHT:
        return APP_KEY_RIGHT;
    case KEY_PPAGE:
        return APP_KEY_PGUP;
    case KEY_NPAGE:
        return APP_KEY_PGDN;
    case KEY_HOME:
        return APP_KEY_HOME;
    case KEY_END:
        return APP_KEY_END;
    case KEY_ENTER:
        return APP_KEY_ENTER;
    case KEY_F(1):
        return APP_KEY_F1;
    case KEY_BACKSPACE:
        return APP_KEY_BACKSPACE;
    case KEY_DC:
        return APP_KEY_DELETE;
    default:
        return -1;
    }
}

/* The built-in look of each element, in colour and without. */
static attr_t style_attr(Style s, int color)
{
    switch (s) {
    case STYLE_STATUS:
        return color ? COLOR_PAIR(1) : A_REVERSE;
    case STYLE_MESSAGE:
        return color ? COLOR_PAIR(2) | A_BOLD : A_REVERSE | A_BOLD;
    case STYLE_TITLE:
        return A_BOLD;
    case STYLE_SELECTED:
        return A_REVERSE;
    case STYLE_DIM:
        return color ? COLOR_PAIR(3) : A_NORMAL;
    case STYLE_MATCH:
        return color ? COLOR_PAIR(2) : A_UNDERLINE | A_BOLD;
    case STYLE_CURRENT:
        return A_REVERSE | A_BOLD;
    case STYLE_REMOVED: /* monochrome: underline for removed, reverse for added */
        return color ? COLOR_PAIR(4) : A_UNDERLINE;
    case STYLE_ADDED:
        return color ? COLOR_PAIR(5) : A_REVERSE;
    case STYLE_FILLER:
        return color ? COLOR_PAIR(3) | A_DIM : A_DIM;
    case STYLE_MOVED: /* monochrome: italic, as neither removed nor added */
        return color ? COLOR_PAIR(6) : A_ITALIC;
    default:
        return A_NORMAL;
    }
}

/* Each element's attributes: the built-in look, or the configuration's colours (pairs 16 and
 * up). A colour this terminal lacks (bright-red on an 8-colour one) falls back to its own. */
static void make_palette(const Config *cfg, bool color, attr_t *palette)
{
    if (color) {
        start_color();
        use_default_colors();
        init_pair(1, COLOR_BLACK, COLOR_CYAN);
        init_pair(2, COLOR_BLACK, COLOR_YELLOW);
        init_pair(3, COLOR_BLUE, -1);
        init_pair(4, COLOR_BLACK, COLOR_RED);
        init_pair(5, COLOR_BLACK, COLOR_GREEN);
        init_pair(6, COLOR_BLACK, COLOR_CYAN);
    }
    for (int s = 0; s < STYLE_COUNT; s++) {
        const ConfigStyle *cs = &cfg->styles[s];
        palette[s] = style_attr((Style)s, color);
        if (!cs->set || !color) continue; /* without colour, the built-in look stands */
        attr_t a = A_NORMAL;
        if (cs->attrs & CONFIG_ATTR_BOLD) a |= A_BOLD;
        if (cs->attrs & CONFIG_ATTR_UNDERLINE) a |= A_UNDERLINE;
        if (cs->attrs & CONFIG_ATTR_REVERSE) a |= A_REVERSE;
        if (cs->attrs & CONFIG_ATTR_DIM) a |= A_DIM;
        if (16 + s < COLOR_PAIRS) {
            int fg = cs->fg < COLORS ? cs->fg : (cs->fg >= 8 && cs->fg < 16 ? cs->fg - 8 : -1);
            int bg = cs->bg < COLORS ? cs->bg : (cs->bg >= 8 && cs->bg < 16 ? cs->bg - 8 : -1);
            init_pair((short)(16 + s), (short)fg, (short)bg);
            a |= COLOR_PAIR(16 + s);
        } else if (!cs->attrs) {
            continue; /* colours alone mean nothing here: keep the built-in look */
        }
        palette[s] = a;
    }
}

/* When a glyph has more than one spacing code point (by libc's wcwidth, which is what curses
 * uses), the bytes of its first code point alone; else its whole length. */
static size_t placeholder_len(const uint8_t *g, size_t len)
{
    size_t i = 0, first = len;
    int spacing = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    while (i < len) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, (const char *)g + i, len - i, &st);
        if (n == 0 || n > len - i) break;
        if (i == 0) first = n;
        if (wcwidth(wc) > 0 && spacing++) return first;
        i += n;
    }
    return len;
}

/* A cluster curses cannot hold in one cell (more than one spacing code point: a ZWJ sequence, a
 * flag, a skin tone): curses gets a placeholder, and the cluster is written over it after the
 * refresh, at the width the terminal was measured to draw it. */
typedef struct {
    int row, col;
    const uint8_t *glyph;
    size_t len;
} Overlay;

/* The painter: copies the rows of the grid that differ from the frame before (prev; NULL or
 * all: every row), cell by cell. Glyphs are already safe (grid.h). A row that held overlays and
 * changes is thrown away on the terminal first (redrawln), so no part of a wide cluster written
 * behind curses' back can stay on it. Returns the overlays of the rows painted, to write after
 * refresh(), in *out (caller frees); had[r] says whether row r has overlays now. */
static size_t paint(const Grid *g, const Grid *prev, bool all, const attr_t *palette, bool *had,
                    Overlay **out)
{
    size_t n = 0, cap = 0;
    *out = NULL;
    for (int r = 0; r < grid_rows(g); r++) {
        if (!all && prev && grid_row_same(g, prev, r)) continue;
        if (had[r]) wredrawln(stdscr, r, 1);
        had[r] = false;
        move(r, 0);
        clrtoeol();
        for (int c = 0; c < grid_cols(g); c++) {
            const GridCell *cell = grid_cell(g, r, c);
            if (cell->width == 0) continue;
            attrset(cell->style < STYLE_COUNT ? palette[cell->style] : A_NORMAL);
            const char *glyph = (const char *)grid_glyph(g, cell);
            size_t len = cell->glyph_len;
            if (len) {
                size_t part = placeholder_len(grid_glyph(g, cell), len);
                if (part < len) {
                    if (n == cap) *out = xreallocarray(*out, cap = cap * 2 + 8, sizeof **out);
                    (*out)[n++] = (Overlay){r, c, grid_glyph(g, cell), len};
                    had[r] = true;
                    len = part;
                }
            }
            if (r == grid_rows(g) - 1 && c + cell->width >= grid_cols(g)) {
                /* the bottom-right cell: insert, so the screen does not scroll */
                if (len)
                    mvinsnstr(r, c, glyph, (int)len);
                else
                    mvinsch(r, c, ' ');
                continue;
            }
            if (len)
                mvaddnstr(r, c, glyph, (int)len);
            else
                mvaddch(r, c, ' ');
        }
    }
    attrset(A_NORMAL);
    return n;
}

static void write_overlays(const Overlay *o, size_t n)
{
    if (!n) return;
    Strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) {
        strbuf_addf(&sb, "\033[%d;%dH", o[i].row + 1, o[i].col + 1);
        strbuf_add(&sb, o[i].glyph, o[i].len);
    }
    int y, x; /* back to where curses believes the cursor is */
    getyx(curscr, y, x);
    strbuf_addf(&sb, "\033[%d;%dH", y + 1, x + 1);
    fflush(stdout);
    if (write(STDOUT_FILENO, sb.buf, sb.len) < 0) { /* nothing to do: the next change retries */
    }
    strbuf_release(&sb);
}

/* curses ignores Ctrl-Z while it updates the screen (SIGTSTP set to SIG_IGN around doupdate):
 * one typed then was lost. Blocked meanwhile, it waits, and comes when curses' handler is back
 * (worker threads never take it: thread.h). Call with hold true, then false with the same old. */
static void hold_tstp(bool hold, sigset_t *old)
{
    if (hold) {
        sigset_t tstp;
        sigemptyset(&tstp);
        sigaddset(&tstp, SIGTSTP);
        sigprocmask(SIG_BLOCK, &tstp, old);
    } else {
        sigprocmask(SIG_SETMASK, old, NULL);
    }
}

/* What is on the terminal, for drawing the next frame as the rows that changed. */
typedef struct {
    Grid *grid, *shown; /* owned: the frame being drawn, the frame on the terminal */
    bool *had;          /* owned: had_rows + 1 flags: the row holds overlays (paint) */
    int had_rows;
    bool whole; /* every row is to be drawn */
    const attr_t *palette;
} Frame;

/* Draws the app's frame: the rows that changed since the frame before, in one refresh. */
static void frame_show(Frame *s, App *app)
{
    app_render(app, s->grid);
    if (app_take_redraw(app)) { /* Ctrl-L: everything again, curses' idea of it too */
        clearok(curscr, TRUE);
        s->whole = true;
    }
    if (grid_rows(s->grid) != s->had_rows) {
        free(s->had);
        s->had_rows = grid_rows(s->grid);
        s->had = xcalloc((size_t)s->had_rows + 1, sizeof *s->had);
        s->whole = true;
    }
    if (s->whole || grid_cols(s->shown) != grid_cols(s->grid) ||
        grid_rows(s->shown) != grid_rows(s->grid)) {
        s->whole = true;
        grid_resize(s->shown, grid_cols(s->grid), grid_rows(s->grid));
    }
    bool changed = s->whole;
    for (int r = 0; r < grid_rows(s->grid) && !changed; r++)
        changed = !grid_row_same(s->grid, s->shown, r);
    if (!changed) return; /* an idle screen sends nothing, overlays included */
    Overlay *overlays;
    size_t noverlays = paint(s->grid, s->shown, s->whole, s->palette, s->had, &overlays);
    sigset_t old;
    hold_tstp(true, &old);
    refresh();
    write_overlays(overlays, noverlays);
    hold_tstp(false, &old);
    free(overlays);
    Grid *t = s->shown; /* what is on the terminal now */
    s->shown = s->grid;
    s->grid = t;
    s->whole = false;
}

/* The app's long work (a search of the shelf that indexes a big story) shows its progress and
 * asks whether to stop (app_set_busy_fn): the screen is drawn, and the keys typed meanwhile
 * read: Esc or q stop it, a signal too; the others are kept for after it (at most
 * BUSY_KEPT_KEYS). */
enum { BUSY_KEPT_KEYS = 32 };
typedef struct {
    Frame *frame;
    App *app;
    /* the width probe's answers that may still come, till when (ms): an ESC then may be one,
     * not a key (drop_late_answer), as in the main loop */
    long long *late_until;
    int *late_left;
    struct {
        wint_t ch;
        bool code; /* a KEY_ code, not a character */
    } kept[BUSY_KEPT_KEYS];
    int nkept;
} Busy;

static bool busy_show(void *ctx)
{
    Busy *b = ctx;
    frame_show(b->frame, b->app);
    bool stop = caught_signal != 0;
    wint_t ch;
    int r;
    while (timeout(0), (r = get_wch(&ch)) != ERR) { /* drop_late_answer sets its own wait */
        if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
            int rows, cols;
            getmaxyx(stdscr, rows, cols);
            app_resize(b->app, cols, rows);
        } else if (r == OK && ch == 27 && *b->late_until && now_ms() <= *b->late_until &&
                   drop_late_answer()) {
            if (--*b->late_left == 0) *b->late_until = 0;
        } else if (r == OK && (ch == 27 || ch == 'q')) {
            stop = true;
        } else if (b->nkept < BUSY_KEPT_KEYS) {
            b->kept[b->nkept].ch = ch;
            b->kept[b->nkept++].code = r == KEY_CODE_YES;
        }
    }
    return stop;
}

/* The keys busy_show kept, back to curses in the order they were typed. */
static void busy_give_back(Busy *b)
{
    while (b->nkept > 0) {
        b->nkept--;
        if (b->kept[b->nkept].code)
            ungetch((int)b->kept[b->nkept].ch);
        else
            unget_wch((wchar_t)b->kept[b->nkept].ch);
    }
}

/* One line on stderr: before, TERM's value escaped (the environment can hold any bytes), after. */
static void term_error(const char *before, const char *term, const char *after)
{
    Strbuf line = STRBUF_INIT;
    strbuf_addstr(&line, before);
    text_escape(term, strlen(term), &line);
    strbuf_addstr(&line, after);
    strbuf_addch(&line, '\n');
    fwrite(line.buf, 1, line.len, stderr);
    strbuf_release(&line);
}

/* A UTF-8 locale, or a clear word about it. Returns NULL when fine, else a status message. */
static const char *ensure_utf8_locale(void)
{
    setlocale(LC_CTYPE, ""); /* the only category lector reads (and the cheapest to load) */
    const char *cs = nl_langinfo(CODESET);
    if (cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"))) return NULL;
    if (setlocale(LC_CTYPE, "C.UTF-8")) return "locale not UTF-8: using C.UTF-8";
    return NULL;
}

/* Whether the terminal's description has cursor addressing ("cup"); set up by the caller. */
static bool term_can_move(void)
{
    const char *cup = tigetstr("cup");
    return cup && cup != (char *)-1;
}

bool tui_can_draw(void)
{
    int err = 0;
    if (setupterm(NULL, STDOUT_FILENO, &err) != OK) return true; /* unknown: tui_main says so */
    bool can = term_can_move();
    del_curterm(cur_term);
    return can;
}

/* The versions given to lector compare, aligned before curses starts (the view lays them out
 * as it is made). Aligning is not stopped by a flag, and a gigabyte takes over half a minute:
 * so meanwhile the terminal is as it was found (the probe has restored it), a signal has its
 * own action (Ctrl-C ends it at once, as for any command), and versions of COMPARE_NOTE_BYTES
 * or more are said on stderr while they align (the line erased after). -1 when they cannot be
 * had (the app's message says why). */
#define COMPARE_NOTE_BYTES ((off_t)32 << 20)
static int compare_aligned(App *app, char **paths, int npaths)
{
    off_t total = 0;
    for (int i = 0; i < npaths; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISREG(st.st_mode)) total += st.st_size;
    }
    bool note = total >= COMPARE_NOTE_BYTES && isatty(STDERR_FILENO);
    if (note)
        fprintf(stderr, "lector: comparing %.1f MB of text (Ctrl-C stops)...", (double)total / 1e6);
    struct sigaction dfl, flag[3];
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    sigset_t held, old;
    sigemptyset(&held);
    for (int k = 0; k < 3; k++)
        sigaddset(&held, sigs[k]);
    /* the swaps with the signals held: one that came since the caller looked (it only set the
     * flag) is raised again, to act once they are let through */
    sigprocmask(SIG_BLOCK, &held, &old);
    for (int k = 0; k < 3; k++)
        sigaction(sigs[k], &dfl, &flag[k]);
    if (caught_signal) raise(caught_signal);
    sigprocmask(SIG_SETMASK, &old, NULL);
    int rc = app_compare_all(app, true);
    sigprocmask(SIG_BLOCK, &held, &old);
    for (int k = 0; k < 3; k++)
        sigaction(sigs[k], &flag[k], NULL);
    sigprocmask(SIG_SETMASK, &old, NULL); /* one held meanwhile sets the flag: the caller looks */
    if (note) fputs("\r\033[K", stderr);
    return rc;
}

static int tui_main(char **paths, int npaths, int measure, unsigned flags, const Config *cfg,
                    bool compare)
{
    Diag diag = {0};
    const char *locale_note = ensure_utf8_locale();
    const char *cs = nl_langinfo(CODESET);
    if (!cs || (strcmp(cs, "UTF-8") && strcmp(cs, "utf8"))) {
        fprintf(stderr, "lector: no UTF-8 locale is available (set LANG=C.UTF-8); "
                        "lector wrap prints the stories instead\n");
        return 2;
    }
    int err = 0;
    const char *term = getenv("TERM");
    if (!term || !*term) {
        fputs("lector: TERM is not set, so the terminal is unknown; try TERM=xterm-256color, "
              "or lector wrap to print\n",
              stderr);
        return 2;
    }
    if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
        term_error("lector: the terminal type '", term,
                   "' is unknown here; try TERM=xterm-256color, or lector wrap to print");
        return 2;
    }
    bool can = term_can_move(); /* one reading of the description for both checks */
    del_curterm(cur_term);
    if (!can) { /* main prints instead; here for other callers */
        term_error("lector: this terminal (TERM=", term,
                   ") cannot move the cursor, which the reader needs; lector wrap prints the "
                   "stories instead");
        return 2;
    }

    App *app = app_new(paths, npaths, measure, flags, &diag);
    if (!app) {
        term_error("lector: ", diag.msg, ""); /* a path: any bytes */
        return 2;
    }
    app_configure(app, cfg);
    /* on stderr too, but the screen hides that: the configuration's trouble, or its first
     * warning, goes on the status line */
    if (cfg->error.code) {
        app_message_set(app, cfg->error.msg);
    } else if (cfg->nwarnings) {
        char first[600];
        snprintf(first, sizeof first, "config line %d: %s%s", cfg->warnings[0].line,
                 cfg->warnings[0].what, cfg->nwarnings > 1 ? " (and more: see lector config)" : "");
        app_message_set(app, first);
    }
    if (locale_note) app_message_set(app, locale_note);

    /* Keys come from the terminal even when the story comes from a pipe, as less does. */
    FILE *keys_in = stdin;
    if (!isatty(STDIN_FILENO)) {
        keys_in = fopen("/dev/tty", "r");
        if (!keys_in) {
            fprintf(stderr, "lector: cannot open /dev/tty for keys: %s (try lector wrap)\n",
                    strerror(errno));
            app_free(app);
            return 2;
        }
    }
    /* From here on the terminal's modes change: a signal only sets the flag (no SA_RESTART, so
     * the probe's wait ends at once), and we leave below with the terminal as we found it. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    xalloc_set_fatal_hook(restore_terminal);

    /* What this terminal really draws is measured once the reader's first screen is up
     * (below): the terminal's answers take a round trip, which the first screen need not wait
     * for (in tmux about 3 ms, over ssh the link's); until then the widths are the defaults.
     * The compare view lays its versions out as it is made, here: it is measured first. */
    LayoutWidthProfile profile;
    int ambiguous = 1;
    int tty = fileno(keys_in);
    ProbeTyped typed = {.len = 0};
    bool probe_due = !compare, probe_wrote = false;
    /* how many answers may still come, and till when they are looked for (ms) */
    int late_left =
        compare ? run_probe(app, tty, 0, &profile, &ambiguous, &typed, &probe_wrote) : 0;
    long long late_until = late_left ? now_ms() + 5000 : 0;
    /* the compare view decides at once whether the versions fit in columns, and says which */
    struct winsize ws;
    if (compare && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0)
        app_resize(app, ws.ws_col, ws.ws_row);
    bool aligned_failed = !caught_signal && compare && compare_aligned(app, paths, npaths) != 0;
    if (caught_signal || aligned_failed) { /* caught_signal again: one may come while it ends */
        if (!caught_signal) term_error("lector: ", app_message(app), "");
        app_free(app);
        if (keys_in != stdin) fclose(keys_in);
        xalloc_set_fatal_hook(NULL);
        return caught_signal ? 128 + caught_signal : 2;
    }

    SCREEN *screen = newterm(NULL, stdout, keys_in);
    if (!screen) {
        term_error("lector: curses cannot start on this terminal (TERM=", term,
                   "); try TERM=xterm-256color, or lector wrap to print");
        app_free(app);
        return 2;
    }
    curses_active = 1;
    /* ncurses (6.4) writes out its buffer at every cursor motion until the screen has been
     * suspended once (_nc_mvcur, while _endwin is ewInitial): every frame reached the terminal
     * as a write a line, each waking the terminal. Suspended here and resumed at once, before
     * colours are started (a resume with colours on resets the terminal's palette: OSC 104),
     * from then on a frame is one write while it fits ncurses' buffer, (2 + rows) * (6 + cols)
     * bytes. */
    endwin();
    if (cfg->bidi != CONFIG_BIDI_OFF && write(STDOUT_FILENO, "\033[8l", 4) == 4) {
        bidi_explicit = 1;
        wrap_curses_tstp();
    }
    sigset_t old_mask;
    hold_tstp(true, &old_mask);
    doupdate();
    hold_tstp(false, &old_mask);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    if (!probe_due) enable_mouse(cfg);
    for (size_t k = 0; k < sizeof normal_mode_keys / sizeof *normal_mode_keys; k++)
        define_key(normal_mode_keys[k].seq, normal_mode_keys[k].key);
    push_typed(&typed); /* none unless the compare view was measured first */
    attr_t palette[STYLE_COUNT];
    make_palette(cfg, has_colors() && config_wants_color(cfg), palette);
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    app_resize(app, cols, rows);
    Frame frame = {.grid = grid_new(cols, rows),
                   .shown = grid_new(cols, rows), /* the two swap roles */
                   .had = xcalloc((size_t)rows + 1, sizeof *frame.had),
                   .had_rows = rows,
                   .whole = true,
                   .palette = palette};
    grid_set_logical_order(frame.grid, cfg->bidi == CONFIG_BIDI_OFF);
    grid_set_logical_order(frame.shown, cfg->bidi == CONFIG_BIDI_OFF);
    Busy busy = {.frame = &frame, .app = app, .late_until = &late_until, .late_left = &late_left};
    app_set_busy_fn(app, busy_show, &busy);
    app_set_keys_waiting_fn(app, keys_waiting, &tty);
    /* background work waits till quiet_until, the probe till probe_at: see IDLE_AFTER_FIRST_MS */
    long long quiet_until = 0, probe_at = 0;
    while (!app_done(app) && !caught_signal) {
        frame_show(&frame, app);
        if (!probe_at) probe_at = quiet_until = now_ms() + IDLE_AFTER_FIRST_MS;
        if (probe_due && now_ms() >= probe_at) { /* the first screen is up: the widths */
            probe_due = false;
            late_left = run_probe(app, tty, grid_rows(frame.shown), &profile, &ambiguous, &typed,
                                  &probe_wrote);
            if (late_left) late_until = now_ms() + 5000;
            if (caught_signal) break;
            enable_mouse(cfg);
            if (probe_wrote) {
                clearok(curscr, TRUE); /* the bottom row is not what curses thinks */
                frame.whole = true;
            }
            continue; /* drawn again, overlays and all, with the widths measured */
        }
        /* A key already typed comes before background work (a search counting its matches,
         * say): typing "/and" must not wait for three slices of work for "/a" and "/an". */
        wint_t ch;
        timeout(0);
        int r = get_wch(&ch);
        long long quiet = quiet_until - now_ms(), to_probe = probe_due ? probe_at - now_ms() : 100;
        if (r == ERR && !caught_signal && quiet > 0) { /* keys only, for now */
            timeout((int)quiet);
            r = get_wch(&ch);
        } else if (r == ERR && !caught_signal) {
            int busy = app_idle(app);
            timeout(busy ? 0 : to_probe < 0 ? 0 : to_probe < 100 ? (int)to_probe : 100);
            r = get_wch(&ch);
        }
        if (caught_signal) break;
        if (r == ERR && keys_gone(tty)) { /* as if SIGHUP came: save, restore, leave */
            caught_signal = SIGHUP;
            break;
        }
        if (r == ERR) continue;
        if (late_until && r == OK && ch == 27 && now_ms() <= late_until && drop_late_answer()) {
            if (--late_left == 0) late_until = 0; /* every sample's answer has come */
            continue;
        }
        if (r == KEY_CODE_YES && ch == KEY_RESIZE) {
            getmaxyx(stdscr, rows, cols);
            app_resize(app, cols, rows);
            continue;
        }
        quiet_until = 1; /* a key: the screen is seen, and what it asks for waits on nothing
                          * (the probe still waits: it would delay the key's answer) */
        if (r == KEY_CODE_YES && ch == KEY_MOUSE) {
            MEVENT ev;
            if (getmouse(&ev) == OK) {
                if (ev.bstate & BUTTON4_PRESSED) app_key(app, APP_KEY_WHEEL_UP);
                if (ev.bstate & BUTTON5_PRESSED) app_key(app, APP_KEY_WHEEL_DOWN);
                if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) app_click(app, ev.y, ev.x);
            }
            continue;
        }
        int key = map_key(ch, r == KEY_CODE_YES);
        if (key >= 0) app_key(app, key);
        busy_give_back(&busy); /* keys typed while a key's work went on */
    }
    app_set_busy_fn(app, NULL, NULL);
    app_set_keys_waiting_fn(app, NULL, NULL);
    restore_terminal();
    delscreen(screen);
    grid_free(frame.grid);
    grid_free(frame.shown);
    free(frame.had);
    /* Saved now that the screen is given back, so a place that could not be saved is said
     * where it stays: on stderr, with a status that says so. */
    int status = caught_signal ? 128 + caught_signal : 0;
    if (app_finish_and_report(app, stderr) && !status) status = 1;
    app_free(app);
    if (keys_in != stdin) fclose(keys_in);
    xalloc_set_fatal_hook(NULL);
    return status;
}

int tui_run(char **paths, int npaths, int measure, unsigned flags, const Config *cfg)
{
    return tui_main(paths, npaths, measure, flags, cfg, false);
}

int tui_run_compare(char **paths, int n, int measure, unsigned flags, const Config *cfg)
{
    return tui_main(paths, n, measure, flags, cfg, true);
}
