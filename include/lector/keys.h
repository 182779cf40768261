/* keys: the key codes lector's views act on, and their names.
 *
 * A printable key is its code point; Ctrl and a letter is the control code (C-f is 6); the keys a
 * terminal sends as sequences have codes above Unicode. The TUI maps curses' codes to these, the
 * app acts on them, and the configuration file names them ("PgDn", "C-f", "ж"), so the names
 * live here, next to the codes. Nothing here allocates.
 */
#ifndef LECTOR_KEYS_H
#define LECTOR_KEYS_H

#include <stdbool.h>
#include <stddef.h>

enum AppKey {
    APP_KEY_UP = 0x110000,
    APP_KEY_DOWN,
    APP_KEY_LEFT,
    APP_KEY_RIGHT,
    APP_KEY_PGUP,
    APP_KEY_PGDN,
    APP_KEY_HOME,
    APP_KEY_END,
    APP_KEY_ENTER,
    APP_KEY_ESC,
    APP_KEY_F1,
    APP_KEY_WHEEL_UP,
    APP_KEY_WHEEL_DOWN,
    APP_KEY_BACKSPACE,
    APP_KEY_DELETE,
};

/* The key named by name (len bytes, not NUL-terminated): one character in UTF-8, "C-x" for Ctrl
 * and a letter, or a named key (Space, Enter, Tab, Backspace, Esc, Up, Down, Left, Right, PgUp,
 * PgDn, Home, End, Delete, F1, WheelUp, WheelDown; case does not matter). Returns -1 when it names
 * no key. */
int key_from_name(const char *name, size_t len, int *code);

/* Writes the key's name, as key_from_name reads it, into buf (at most size bytes with the NUL). */
void key_to_name(int code, char *buf, size_t size);

#endif
