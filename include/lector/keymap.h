/* keymap: lector's named commands, the keys that run them in each view, and the configuration's
 * bindings on top.
 *
 * Owns the table of default bindings (data, in keymap.c: one row per command and view, with its
 * keys and what the help screen says of it) and, in a Keymap, a copy of the configuration's
 * bindings. A key typed in a view resolves to a command here, once: views act on commands, never
 * on key codes (but for text typed into a prompt and the letter after m or '). A configured key
 * acts as its command in every view that has that command, and there only; in the other views it
 * keeps its own meaning. The help screens are made from the same table, with the keys as bound
 * now, so they cannot drift from what the keys do.
 *
 * Never touches the terminal. A Keymap owns its copies of the bindings; the help rows are the
 * caller's (keymap_help_free).
 */
#ifndef LECTOR_KEYMAP_H
#define LECTOR_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "lector/keys.h"
#include "lector/strbuf.h"

/* The commands. The first ones keep the numbers and configuration names they had when only the
 * reader's keys could be bound. */
typedef enum {
    CMD_NONE = -1,
    CMD_DOWN,
    CMD_UP,
    CMD_PAGE_DOWN,
    CMD_PAGE_UP,
    CMD_HALF_DOWN,
    CMD_HALF_UP,
    CMD_TOP,
    CMD_BOTTOM,
    CMD_MARK,
    CMD_GOTO_MARK,
    CMD_NARROWER,
    CMD_WIDER,
    CMD_MEASURE_RESET,
    CMD_SEARCH,
    CMD_SEARCH_BACK,
    CMD_NEXT_MATCH,
    CMD_PREV_MATCH,
    CMD_SEARCH_ALL,
    CMD_COMPARE,
    CMD_HELP,
    CMD_QUIT,
    CMD_PERCENT,
    CMD_WHEEL_DOWN,
    CMD_WHEEL_UP,
    CMD_OPEN,
    CMD_SELECT,
    CMD_LINE_ENDS,
    CMD_DIRECTION,
    CMD_NEXT_DIFFERENCE,
    CMD_PREV_DIFFERENCE,
    CMD_FOCUS,
    CMD_LOCK,
    CMD_SWAP,
    CMD_FOLD,
    CMD_REDRAW,
    CMD_TOC,
    CMD_NEXT_CHAPTER,
    CMD_PREV_CHAPTER,
    CMD_NEXT_VERSION,
    CMD_BASE,
    CMD_FILE_INFO,
    CMD_COUNT
} Command;

/* The views that take keys. */
typedef enum {
    KEYMAP_SHELF,
    KEYMAP_READER,
    KEYMAP_RESULTS,
    KEYMAP_COMPARE,
    KEYMAP_HELP,
    KEYMAP_TOC,
    KEYMAP_VIEWS
} KeymapView;

/* A key bound to a command by the configuration. */
typedef struct {
    int key;         /* enum AppKey or a code point (keys.h) */
    Command command; /* what it does */
} KeyBinding;

/* The command's name in the configuration file ("page-down"); "?" for none. */
const char *keymap_command_name(Command cmd);
/* The command named name (len bytes); CMD_NONE when none is. */
Command keymap_command_from_name(const char *name, size_t len);
/* Whether view v has command cmd (a key bound to it acts there). */
bool keymap_view_has(KeymapView v, Command cmd);
const char *keymap_view_name(KeymapView v); /* "reader", "shelf", ... */

typedef struct Keymap Keymap;

/* The default bindings plus the configuration's b[0, n) (copied; a later one wins). */
Keymap *keymap_new(const KeyBinding *b, size_t n);
void keymap_free(Keymap *km); /* NULL is a no-op */

/* The command key runs in view v; CMD_NONE when it runs none there. */
Command keymap_lookup(const Keymap *km, KeymapView v, int key);

/* The keys that run cmd in view v now, as the help screen names them ("j  Down  Enter"), appended
 * to out; "(none)" when every one was bound to something else. */
void keymap_keys(const Keymap *km, KeymapView v, Command cmd, Strbuf *out);

/* The help screen of view v: a row per line of the table, each its keys as bound now (for the
 * commands sharing the line, joined with ", ") and what they do. */
typedef struct {
    Strbuf keys;
    const char *what; /* static */
} KeymapHelpRow;

/* Fills *rows (caller frees with keymap_help_free) and returns how many. */
size_t keymap_help(const Keymap *km, KeymapView v, KeymapHelpRow **rows);
void keymap_help_free(KeymapHelpRow *rows, size_t n);

#endif
