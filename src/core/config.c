/* config.c: the configuration file's grammar.
 *
 * Everything a line can say is checked here, so a mistake is reported once, with its line, by
 * whoever loads the file; the users of a Config never see a bad value.
 */
#include "lector/config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sys/stat.h>
#include <unistd.h>

#include "lector/keys.h"
#include "lector/layout.h"
#include "lector/strbuf.h"
#include "lector/xalloc.h"

enum { CONFIG_MAX_BYTES = 1 << 20 };

static const char *const style_names[STYLE_COUNT] = {
    [STYLE_TEXT] = "text",   [STYLE_STATUS] = "status",     [STYLE_MESSAGE] = "message",
    [STYLE_TITLE] = "title", [STYLE_SELECTED] = "selected", [STYLE_DIM] = "dim",
    [STYLE_MATCH] = "match", [STYLE_CURRENT] = "current",   [STYLE_REMOVED] = "removed",
    [STYLE_ADDED] = "added", [STYLE_FILLER] = "filler",     [STYLE_MOVED] = "moved",
};

static const char *const color_names[] = {"black", "red",     "green", "yellow",
                                          "blue",  "magenta", "cyan",  "white"};

const char *config_style_name(Style s)
{
    return s < STYLE_COUNT ? style_names[s] : "?";
}

bool config_wants_color(const Config *c)
{
    if (c->theme != THEME_AUTO) return c->theme == THEME_COLOR;
    const char *no = getenv("NO_COLOR");
    return !no || !*no;
}

const char *config_theme_name(ConfigTheme t)
{
    return t == THEME_COLOR ? "color" : t == THEME_MONO ? "mono" : "auto";
}

void config_color_name(int color, char *buf, size_t size)
{
    if (color < 0)
        snprintf(buf, size, "default");
    else if (color < 8)
        snprintf(buf, size, "%s", color_names[color]);
    else if (color < 16)
        snprintf(buf, size, "bright-%s", color_names[color - 8]);
    else
        snprintf(buf, size, "%d", color);
}

void config_init(Config *c)
{
    memset(c, 0, sizeof *c);
    c->smart_case = true;
    c->mouse = true;
    c->theme = THEME_AUTO;
}

void config_free(Config *c)
{
    free(c->path);
    free(c->texts);
    free(c->bindings);
    for (size_t i = 0; i < c->nwarnings; i++)
        free(c->warnings[i].what);
    free(c->warnings);
    memset(c, 0, sizeof *c);
}

typedef struct {
    Config *c;
    int line;
} Parse;

static void warn(Parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(Parse *p, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    Config *c = p->c;
    c->warnings = xreallocarray(c->warnings, c->nwarnings + 1, sizeof *c->warnings);
    Strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "%s (line ignored)", what);
    c->warnings[c->nwarnings++] = (ConfigWarning){p->line, strbuf_detach(&sb, NULL)};
}

/* The next word of [*s, end): runs of anything but spaces and tabs. */
static bool next_word(const char **s, const char *end, const char **w, size_t *wlen)
{
    const char *p = *s;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end) return false;
    const char *q = p;
    while (q < end && *q != ' ' && *q != '\t')
        q++;
    *w = p;
    *wlen = (size_t)(q - p);
    *s = q;
    return true;
}

static bool word_is(const char *w, size_t len, const char *lit)
{
    return strlen(lit) == len && !strncasecmp(w, lit, len);
}

static int parse_bool(const char *v, size_t len, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"}, *const no[] = {"no", "false",
                                                                                "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (word_is(v, len, yes[i])) return *out = true, 0;
        if (word_is(v, len, no[i])) return *out = false, 0;
    }
    return -1;
}

static int parse_color(const char *w, size_t len, int *out)
{
    if (word_is(w, len, "default")) return *out = CONFIG_COLOR_DEFAULT, 0;
    for (int i = 0; i < 8; i++) {
        if (word_is(w, len, color_names[i])) return *out = i, 0;
        char bright[20];
        snprintf(bright, sizeof bright, "bright-%s", color_names[i]);
        if (word_is(w, len, bright)) return *out = i + 8, 0;
    }
    int n = 0;
    if (len == 0 || len > 3) return -1;
    for (size_t i = 0; i < len; i++) {
        if (w[i] < '0' || w[i] > '9') return -1;
        n = n * 10 + (w[i] - '0');
    }
    if (n > 255) return -1;
    *out = n;
    return 0;
}

static void set_style(Parse *p, const char *elem, size_t elen, const char *v, const char *end)
{
    int s = -1;
    for (int i = 0; i < STYLE_COUNT; i++)
        if (word_is(elem, elen, style_names[i])) s = i;
    if (s < 0) {
        warn(p,
             "no element 'color.%.*s': use one of text, status, message, title, selected, "
             "dim, match, current, removed, added, filler, moved",
             (int)elen, elem);
        return;
    }
    ConfigStyle st = {true, CONFIG_COLOR_DEFAULT, CONFIG_COLOR_DEFAULT, 0};
    bool on = false, have_fg = false, have_bg = false;
    const char *w;
    size_t wl;
    while (next_word(&v, end, &w, &wl)) {
        int col;
        if (word_is(w, wl, "on") && !on) {
            on = true;
        } else if (word_is(w, wl, "bold")) {
            st.attrs |= CONFIG_ATTR_BOLD;
        } else if (word_is(w, wl, "underline")) {
            st.attrs |= CONFIG_ATTR_UNDERLINE;
        } else if (word_is(w, wl, "reverse")) {
            st.attrs |= CONFIG_ATTR_REVERSE;
        } else if (word_is(w, wl, "dim")) {
            st.attrs |= CONFIG_ATTR_DIM;
        } else if (parse_color(w, wl, &col) == 0 && !(on ? have_bg : have_fg)) {
            if (on) {
                st.bg = col, have_bg = true;
            } else {
                st.fg = col, have_fg = true;
            }
        } else {
            warn(p,
                 "color.%s: '%.*s' is not a colour or attribute: write FG [on BG] [bold] "
                 "[underline] [reverse] [dim], colours by name (red, bright-red, default) or 0-255",
                 style_names[s], (int)wl, w);
            return;
        }
    }
    if (on && !have_bg) {
        warn(p, "color.%s: 'on' needs a background colour after it", style_names[s]);
        return;
    }
    p->c->styles[s] = st;
}

static void bind_keys(Parse *p, const char *cmd, size_t clen, const char *v, const char *end)
{
    Command command = keymap_command_from_name(cmd, clen);
    if (command == CMD_NONE) {
        warn(p, "key.%.*s: no such command (man lector lists them under CONFIGURATION)", (int)clen,
             cmd);
        return;
    }
    const char *w;
    size_t wl;
    KeyBinding found[16];
    size_t n = 0;
    while (next_word(&v, end, &w, &wl)) {
        int key;
        if (key_from_name(w, wl, &key) != 0) {
            warn(p,
                 "key.%s: '%.*s' is not a key: write one character, C-x for Ctrl and a letter, "
                 "or Space, Enter, Tab, Backspace, Esc, Up, Down, Left, Right, PgUp, PgDn, Home, "
                 "End, Delete, F1, WheelUp, WheelDown",
                 keymap_command_name(command), (int)wl, w);
            return;
        }
        if (key >= '0' && key <= '9') {
            warn(p, "key.%s: '%c' cannot be bound: digits are counts (5j is five lines)",
                 keymap_command_name(command), key);
            return;
        }
        if (n == sizeof found / sizeof *found) {
            warn(p, "key.%s: at most %zu keys to a command", keymap_command_name(command),
                 sizeof found / sizeof *found);
            return;
        }
        found[n++] = (KeyBinding){key, command};
    }
    if (!n) {
        warn(p, "key.%s: no key given", keymap_command_name(command));
        return;
    }
    Config *c = p->c;
    c->bindings = xreallocarray(c->bindings, c->nbindings + n, sizeof *c->bindings);
    memcpy(c->bindings + c->nbindings, found, n * sizeof *found);
    c->nbindings += n;
}

static void set_texts(Parse *p, const char *v, size_t len)
{
    Strbuf path = STRBUF_INIT;
    if (len >= 2 && v[0] == '~' && v[1] == '/') {
        const char *home = getenv("HOME");
        if (!home || !*home) {
            warn(p, "texts: ~/ needs $HOME, which is not set: write the whole path");
            return;
        }
        strbuf_addstr(&path, home);
        strbuf_add(&path, v + 1, len - 1);
    } else if (len && v[0] == '/') {
        strbuf_add(&path, v, len);
    } else {
        warn(p, "texts: '%.*s' is not an absolute path: write /path/to/stories or ~/stories",
             (int)len, v);
        return;
    }
    if (memchr(path.buf, '\0', path.len)) {
        warn(p, "texts: the path holds a NUL byte");
        strbuf_release(&path);
        return;
    }
    free(p->c->texts);
    p->c->texts = strbuf_detach(&path, NULL);
}

static void parse_line(Parse *p, const char *s, const char *end)
{
    /* comments: # first on the line, or after a blank */
    for (const char *q = s; q < end; q++)
        if (*q == '#' && (q == s || q[-1] == ' ' || q[-1] == '\t')) {
            end = q;
            break;
        }
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    if (s == end) return;
    const char *eq = memchr(s, '=', (size_t)(end - s));
    if (!eq) {
        warn(p, "'%.*s' is not 'setting = value'", (int)(end - s), s);
        return;
    }
    const char *k = s, *kend = eq, *v = eq + 1;
    while (kend > k && (kend[-1] == ' ' || kend[-1] == '\t'))
        kend--;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    size_t klen = (size_t)(kend - k), vlen = (size_t)(end - v);
    if (!vlen) {
        warn(p, "%.*s: no value after '='", (int)klen, k);
        return;
    }
    if (word_is(k, klen, "measure")) {
        char *e;
        char num[32];
        snprintf(num, sizeof num, "%.*s", (int)(vlen < 31 ? vlen : 31), v);
        long m = strtol(num, &e, 10);
        if (vlen > 31 || *e || m < LAYOUT_MIN_WIDTH || m > LAYOUT_MAX_WIDTH) {
            warn(p, "measure: '%.*s' is not a whole number of columns from %d to %d", (int)vlen, v,
                 LAYOUT_MIN_WIDTH, LAYOUT_MAX_WIDTH);
            return;
        }
        p->c->measure = (int)m;
    } else if (word_is(k, klen, "texts")) {
        set_texts(p, v, vlen);
    } else if (word_is(k, klen, "smart-case")) {
        if (parse_bool(v, vlen, &p->c->smart_case) != 0)
            warn(p, "smart-case: '%.*s' is not yes or no", (int)vlen, v);
    } else if (word_is(k, klen, "mouse")) {
        if (parse_bool(v, vlen, &p->c->mouse) != 0)
            warn(p, "mouse: '%.*s' is not yes or no", (int)vlen, v);
    } else if (word_is(k, klen, "korean-breaks")) {
        if (word_is(v, vlen, "words"))
            p->c->korean_syllables = false;
        else if (word_is(v, vlen, "syllables"))
            p->c->korean_syllables = true;
        else
            warn(p, "korean-breaks: '%.*s' is not words or syllables", (int)vlen, v);
    } else if (word_is(k, klen, "last-page")) {
        if (word_is(v, vlen, "full"))
            p->c->book_pages = false;
        else if (word_is(v, vlen, "book"))
            p->c->book_pages = true;
        else
            warn(p, "last-page: '%.*s' is not full or book", (int)vlen, v);
    } else if (word_is(k, klen, "bidi")) {
        if (config_parse_bidi(v, vlen, &p->c->bidi) != 0)
            warn(p, "bidi: '%.*s' is not auto, on or off", (int)vlen, v);
    } else if (word_is(k, klen, "line-ends")) {
        if (word_is(v, vlen, "auto"))
            p->c->line_ends = LAYOUT_ENDS_AUTO;
        else if (word_is(v, vlen, "keep"))
            p->c->line_ends = LAYOUT_ENDS_KEEP;
        else if (word_is(v, vlen, "reflow"))
            p->c->line_ends = LAYOUT_ENDS_REFLOW;
        else
            warn(p, "line-ends: '%.*s' is not auto, keep or reflow", (int)vlen, v);
    } else if (word_is(k, klen, "theme")) {
        if (word_is(v, vlen, "auto"))
            p->c->theme = THEME_AUTO;
        else if (word_is(v, vlen, "color") || word_is(v, vlen, "colour"))
            p->c->theme = THEME_COLOR;
        else if (word_is(v, vlen, "mono"))
            p->c->theme = THEME_MONO;
        else
            warn(p, "theme: '%.*s' is not auto, color or mono", (int)vlen, v);
    } else if (klen > 6 && !strncasecmp(k, "color.", 6)) {
        set_style(p, k + 6, klen - 6, v, end);
    } else if (klen > 4 && !strncasecmp(k, "key.", 4)) {
        bind_keys(p, k + 4, klen - 4, v, end);
    } else {
        warn(p,
             "unknown setting '%.*s': the settings are measure, texts, smart-case, line-ends, "
             "mouse, bidi, korean-breaks, last-page, theme, color.ELEMENT and key.COMMAND",
             (int)klen, k);
    }
}

int config_parse_bidi(const char *v, size_t len, int *out)
{
    if (word_is(v, len, "auto"))
        *out = CONFIG_BIDI_AUTO;
    else if (word_is(v, len, "on"))
        *out = CONFIG_BIDI_ON;
    else if (word_is(v, len, "off"))
        *out = CONFIG_BIDI_OFF;
    else
        return -1;
    return 0;
}

void config_parse(Config *c, const char *buf, size_t len)
{
    Parse p = {c, 0};
    const char *s = buf, *end = buf + len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        p.line++;
        parse_line(&p, s, le);
        s = nl ? nl + 1 : end;
    }
}

/* The file's path: $LECTOR_CONFIG, else $XDG_CONFIG_HOME/lector/config, else
 * ~/.config/lector/config; NULL when none can be named. */
static char *config_path(void)
{
    const char *env = getenv("LECTOR_CONFIG");
    if (env && *env) return xstrdup(env);
    Strbuf p = STRBUF_INIT;
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (xdg && xdg[0] == '/') /* the XDG spec: a relative path is to be ignored */
        strbuf_addf(&p, "%s/lector/config", xdg);
    else if (home && *home)
        strbuf_addf(&p, "%s/.config/lector/config", home);
    else
        return NULL;
    return strbuf_detach(&p, NULL);
}

int config_load(Config *c)
{
    Diag *d = &c->error;
    c->path = config_path();
    if (!c->path) return 0;
    /* O_NONBLOCK: a FIFO put there must not hang the reader before it starts */
    int fd = open(c->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        /* the consequence first: the status line may cut the end */
        diag_set(d, DIAG_UNREADABLE,
                 "configuration not read: %s: %s (fix it, or set LECTOR_CONFIG=/dev/null)", c->path,
                 errno == ENOTDIR ? "part of the path is a file" : strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
        diag_set(d, DIAG_NOT_FILE, "configuration not read: %s: not a file", c->path);
        close(fd);
        return -1;
    }
    Strbuf buf = STRBUF_INIT;
    for (;;) {
        strbuf_grow(&buf, 65536);
        ssize_t n = read(fd, buf.buf + buf.len, 65536);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            diag_set(d, DIAG_UNREADABLE, "configuration not read: %s: %s", c->path,
                     strerror(errno));
            break;
        }
        if (n == 0) break;
        buf.len += (size_t)n;
        if (buf.len > CONFIG_MAX_BYTES) {
            diag_set(d, DIAG_TOO_LARGE,
                     "configuration not read: %s: over 1 MiB, so not a configuration file",
                     c->path);
            break;
        }
    }
    close(fd);
    if (d->code) {
        strbuf_release(&buf);
        return -1;
    }
    c->found = true;
    config_parse(c, buf.buf ? buf.buf : "", buf.len);
    strbuf_release(&buf);
    return 0;
}
