/* keys.c: key names, both ways. */
#include "lector/keys.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <unistr.h>

static const struct {
    const char *name;
    int code;
} named_keys[] = {
    {"Space", ' '},
    {"Enter", APP_KEY_ENTER},
    {"Tab", '\t'},
    {"Backspace", APP_KEY_BACKSPACE},
    {"Esc", APP_KEY_ESC},
    {"Up", APP_KEY_UP},
    {"Down", APP_KEY_DOWN},
    {"Left", APP_KEY_LEFT},
    {"Right", APP_KEY_RIGHT},
    {"PgUp", APP_KEY_PGUP},
    {"PgDn", APP_KEY_PGDN},
    {"Home", APP_KEY_HOME},
    {"End", APP_KEY_END},
    {"Delete", APP_KEY_DELETE},
    {"F1", APP_KEY_F1},
    {"WheelUp", APP_KEY_WHEEL_UP},
    {"WheelDown", APP_KEY_WHEEL_DOWN},
};

int key_from_name(const char *name, size_t len, int *code)
{
    for (size_t i = 0; i < sizeof named_keys / sizeof *named_keys; i++)
        if (strlen(named_keys[i].name) == len && !strncasecmp(name, named_keys[i].name, len)) {
            *code = named_keys[i].code;
            return 0;
        }
    if (len == 3 && (name[0] == 'C' || name[0] == 'c') && name[1] == '-') {
        char c = name[2];
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        /* C-c and C-z raise signals, C-s and C-q are flow control: they never arrive as keys */
        if (c < 'A' || c > 'Z' || c == 'C' || c == 'Z' || c == 'S' || c == 'Q') return -1;
        *code = c - 'A' + 1;
        if (c == 'J' || c == 'M') *code = APP_KEY_ENTER; /* what the TUI makes of them */
        if (c == 'H') *code = APP_KEY_BACKSPACE;
        return 0;
    }
    ucs4_t cp;
    if (len == 0 || u8_mbtoucr(&cp, (const uint8_t *)name, len) != (int)len) return -1;
    if (cp < 0x21 || (cp >= 0x7f && cp < 0xa0)) return -1; /* controls and space: by name */
    *code = (int)cp;
    return 0;
}

void key_to_name(int code, char *buf, size_t size)
{
    if (!size) return;
    for (size_t i = 0; i < sizeof named_keys / sizeof *named_keys; i++)
        if (named_keys[i].code == code) {
            snprintf(buf, size, "%s", named_keys[i].name);
            return;
        }
    if (code >= 1 && code <= 26) {
        snprintf(buf, size, "C-%c", 'a' + code - 1);
        return;
    }
    uint8_t u[6];
    int n = code > 0 && code < 0x110000 ? u8_uctomb(u, (ucs4_t)code, sizeof u) : -1;
    if (n <= 0 || (size_t)n >= size) {
        snprintf(buf, size, "?");
        return;
    }
    memcpy(buf, u, (size_t)n);
    buf[n] = '\0';
}
