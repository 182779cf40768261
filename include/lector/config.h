/* config: the user's configuration file, read into a plain struct.
 *
 * `$XDG_CONFIG_HOME/lector/config` (else `~/.config/lector/config`; `$LECTOR_CONFIG` names another
 * file) holds `setting = value` lines and `#` comments. This module owns the file's grammar and
 * its vocabulary: the settings, the colour and style names, and the names of the commands a key
 * can be bound to. It does not apply anything: the app binds keys and takes the measure, the TUI
 * sets colours, the CLI picks the texts folder. A line that cannot be used is skipped with a
 * warning naming the file and line; the rest still applies.
 *
 * A Config owns its strings, its bindings and its warnings; config_free releases them.
 */
#ifndef LECTOR_CONFIG_H
#define LECTOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "lector/diag.h"
#include "lector/grid.h"
#include "lector/keymap.h"

typedef enum {
    THEME_AUTO,  /* colour unless NO_COLOR is set or the terminal has none */
    THEME_COLOR, /* colour even with NO_COLOR: a configuration file overrides it */
    THEME_MONO,  /* reverse video, bold and underline only */
} ConfigTheme;

enum { CONFIG_COLOR_DEFAULT = -1 }; /* the terminal's own foreground or background */

enum {
    CONFIG_ATTR_BOLD = 1,
    CONFIG_ATTR_UNDERLINE = 2,
    CONFIG_ATTR_REVERSE = 4,
    CONFIG_ATTR_DIM = 8,
};

typedef struct {
    bool set;       /* the file gave this element a colour */
    int fg, bg;     /* 0..255, or CONFIG_COLOR_DEFAULT */
    unsigned attrs; /* CONFIG_ATTR_* */
} ConfigStyle;

typedef struct {
    int line;   /* 1-based */
    char *what; /* owned: what is wrong and what would be right, ending "(line ignored)" */
} ConfigWarning;

/* bidi = auto|on|off. on: lector reorders right-to-left text (UAX #9) and asks the terminal
 * not to (ECMA-48 BDSM, CSI 8 l, undone on exit); off: lector draws logical order and leaves
 * reordering to a terminal that does it; auto (the default) is on, since a terminal cannot be
 * asked whether it reorders, and most (xterm, tmux) do not. */
typedef enum { CONFIG_BIDI_AUTO, CONFIG_BIDI_ON, CONFIG_BIDI_OFF } ConfigBidi;

/* Parses auto|on|off into *out; -1 for anything else. */
int config_parse_bidi(const char *v, size_t len, int *out);

typedef struct {
    char *path;            /* owned: the file read; NULL when there is none to read */
    Diag error;            /* config_load: why the file could not be read (code 0: it could) */
    bool found;            /* the file exists (and was read) */
    int measure;           /* the reader's default measure in columns; 0: not set */
    char *texts;           /* owned: the texts folder, ~/ expanded; NULL: not set */
    bool smart_case;       /* a capital in a query makes case count (default true) */
    int line_ends;         /* LayoutLineEnds for a story the reader has none for (default auto) */
    bool mouse;            /* the reader takes mouse clicks and the wheel (default true) */
    int bidi;              /* ConfigBidi: who puts right-to-left text in display order */
    bool korean_syllables; /* korean-breaks = syllables (default words: at spaces) */
    bool book_pages;       /* last-page = book: Space turns whole screens, the last may be part
                              empty (default full: it stops with the last line at the bottom) */
    ConfigTheme theme;
    ConfigStyle styles[STYLE_COUNT];
    KeyBinding *bindings; /* owned, in the file's order (a later one wins) */
    size_t nbindings;
    ConfigWarning *warnings; /* owned: one for each line that was skipped, in order */
    size_t nwarnings;
} Config;

/* The defaults: nothing set, smart case on, theme auto. */
void config_init(Config *c);
void config_free(Config *c);

/* Reads the configuration file (see above) into c, which config_init prepared. A missing file
 * is not an error (c->found is false). Returns -1 with c->error filled when the file exists but
 * cannot be read (a folder, unreadable, over 1 MiB); c then holds the defaults. */
int config_load(Config *c);

/* Applies the lines of buf (len bytes) to c. */
void config_parse(Config *c, const char *buf, size_t len);

/* Whether the theme and the environment want colour, where the output can show it: theme = color
 * insists (a configuration file overrides NO_COLOR, as no-color.org asks), mono refuses, auto
 * follows NO_COLOR (set and not empty). The reader and lector search ask the same question. */
bool config_wants_color(const Config *c);

/* Names, as the file spells them (the commands' are keymap_command_name). */
const char *config_style_name(Style s);
const char *config_theme_name(ConfigTheme t);
/* A colour as the file spells it ("default", "red", "bright-red", "208") into buf. */
void config_color_name(int color, char *buf, size_t size);

#endif
