/* The key map: one table of default bindings, the configuration's bindings on top, and the help
 * made from both. */
#include <criterion/criterion.h>
#include <string.h>

#include "lector/keymap.h"

Test(keymap, default_keys_resolve_per_view)
{
    Keymap *km = keymap_new(NULL, 0);
    cr_assert_eq(keymap_lookup(km, KEYMAP_READER, 'j'), CMD_DOWN);
    cr_assert_eq(keymap_lookup(km, KEYMAP_READER, ' '), CMD_PAGE_DOWN);
    cr_assert_eq(keymap_lookup(km, KEYMAP_SHELF, ' '), CMD_SELECT, "Space marks on the shelf");
    cr_assert_eq(keymap_lookup(km, KEYMAP_SHELF, APP_KEY_ENTER), CMD_OPEN);
    cr_assert_eq(keymap_lookup(km, KEYMAP_READER, APP_KEY_ENTER), CMD_DOWN, "as in less");
    cr_assert_eq(keymap_lookup(km, KEYMAP_COMPARE, ']'), CMD_NEXT_DIFFERENCE);
    cr_assert_eq(keymap_lookup(km, KEYMAP_READER, ']'), CMD_NEXT_CHAPTER);
    cr_assert_eq(keymap_lookup(km, KEYMAP_TOC, APP_KEY_ENTER), CMD_OPEN);
    cr_assert_eq(keymap_lookup(km, KEYMAP_TOC, 't'), CMD_QUIT, "t again closes the contents");
    cr_assert_eq(keymap_lookup(km, KEYMAP_RESULTS, APP_KEY_ESC), CMD_QUIT);
    cr_assert_eq(keymap_lookup(km, KEYMAP_READER, APP_KEY_ESC), CMD_NONE);
    cr_assert_eq(keymap_lookup(km, KEYMAP_HELP, 'x'), CMD_NONE, "help: any other key returns");
    for (int v = 0; v < KEYMAP_VIEWS; v++)
        cr_assert_eq(keymap_lookup(km, (KeymapView)v, 12), CMD_REDRAW, "C-l in every view");
    keymap_free(km);
}

/* A configured key acts as its command in every view that has the command, and only there; the
 * key it takes leaves its default meaning in those views. */
Test(keymap, configured_keys_apply_where_their_command_is)
{
    KeyBinding b[] = {
        {'x', CMD_PAGE_DOWN}, {'w', CMD_SWAP}, {'j', CMD_TOP}, {'v', CMD_DOWN}, {'v', CMD_UP}};
    Keymap *km = keymap_new(b, sizeof b / sizeof *b);
    for (int v = 0; v < KEYMAP_VIEWS; v++)
        cr_assert_eq(keymap_lookup(km, (KeymapView)v, 'x'), CMD_PAGE_DOWN, "view %s",
                     keymap_view_name((KeymapView)v));
    cr_assert_eq(keymap_lookup(km, KEYMAP_COMPARE, 'w'), CMD_SWAP);
    cr_assert_eq(keymap_lookup(km, KEYMAP_READER, 'w'), CMD_NONE, "no swap in the reader");
    cr_assert_eq(keymap_lookup(km, KEYMAP_COMPARE, 'x'), CMD_PAGE_DOWN, "x left swap's key");
    cr_assert_eq(keymap_lookup(km, KEYMAP_READER, 'j'), CMD_TOP);
    cr_assert_eq(keymap_lookup(km, KEYMAP_HELP, 'j'), CMD_TOP);
    cr_assert_eq(keymap_lookup(km, KEYMAP_READER, 'v'), CMD_UP, "a later line wins");
    cr_assert_eq(keymap_lookup(km, KEYMAP_READER, 'e'), CMD_DOWN, "other default keys stay");
    keymap_free(km);
}

Test(keymap, help_lists_the_keys_as_bound)
{
    KeyBinding b[] = {{'x', CMD_DOWN}, {'x', CMD_DOWN}, {'j', CMD_TOP}, {'p', CMD_MARK}};
    Keymap *km = keymap_new(b, sizeof b / sizeof *b);
    Strbuf s = STRBUF_INIT;
    keymap_keys(km, KEYMAP_READER, CMD_DOWN, &s);
    cr_assert_str_eq(s.buf, "e  Down  Enter  x", "j went to top; x once");
    strbuf_reset(&s);
    keymap_keys(km, KEYMAP_READER, CMD_PERCENT, &s);
    cr_assert_str_eq(s.buf, "N%", "p went to mark");
    strbuf_reset(&s);
    keymap_keys(km, KEYMAP_READER, CMD_MARK, &s);
    cr_assert_str_eq(s.buf, "m  p letter");
    strbuf_release(&s);
    KeymapHelpRow *rows;
    size_t n = keymap_help(km, KEYMAP_READER, &rows);
    bool half = false, quit = false;
    for (size_t i = 0; i < n; i++) {
        half |= !strcmp(rows[i].keys.buf, "d, u");
        quit |= !strcmp(rows[i].keys.buf, "q") && strstr(rows[i].what, "back to the shelf");
    }
    cr_assert(half && quit, "rows share a line, and every command is listed");
    keymap_help_free(rows, n);
    n = keymap_help(km, KEYMAP_SHELF, &rows);
    bool select = false;
    for (size_t i = 0; i < n; i++)
        select |= !strcmp(rows[i].keys.buf, "Space") && strstr(rows[i].what, "mark");
    cr_assert(select, "the shelf's own help");
    keymap_help_free(rows, n);
    keymap_free(km);
}

Test(keymap, names_both_ways)
{
    for (int c = 0; c < CMD_COUNT; c++) {
        const char *name = keymap_command_name((Command)c);
        cr_assert_neq(strcmp(name, "?"), 0, "command %d has a name", c);
        cr_assert_eq(keymap_command_from_name(name, strlen(name)), (Command)c, "%s", name);
        bool somewhere = false;
        for (int v = 0; v < KEYMAP_VIEWS; v++)
            somewhere |= keymap_view_has((KeymapView)v, (Command)c);
        cr_assert(somewhere, "%s is in some view", name);
    }
    cr_assert_eq(keymap_command_from_name("page-dow", 8), CMD_NONE);
}
