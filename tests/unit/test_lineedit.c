/* The one line editor of every prompt: by grapheme cluster, with history. */
#include <criterion/criterion.h>
#include <string.h>

#include "lector/keys.h"
#include "lector/lineedit.h"

static void type(LineEdit *e, const char *s)
{
    while (*s) {
        unsigned char c = (unsigned char)*s;
        int cp = c, n = 1;
        if (c >= 0xf0) {
            cp = c & 7;
            n = 4;
        } else if (c >= 0xe0) {
            cp = c & 15;
            n = 3;
        } else if (c >= 0xc0) {
            cp = c & 31;
            n = 2;
        }
        for (int i = 1; i < n; i++)
            cp = cp << 6 | ((unsigned char)s[i] & 63);
        lineedit_key(e, cp);
        s += n;
    }
}

Test(lineedit, backspace_removes_one_cluster)
{
    LineEdit e;
    lineedit_init(&e, 200, 10);
    lineedit_begin(&e);
    /* e + combining acute, a flag (two regional indicators), a ZWJ family */
    type(&e, "cafe\xcc\x81 \xf0\x9f\x87\xb0\xf0\x9f\x87\xbf"
             "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7");
    cr_assert_eq(lineedit_key(&e, APP_KEY_BACKSPACE), LINEEDIT_CHANGED);
    cr_assert_str_eq(lineedit_text(&e), "cafe\xcc\x81 \xf0\x9f\x87\xb0\xf0\x9f\x87\xbf",
                     "the whole family at once");
    lineedit_key(&e, APP_KEY_BACKSPACE);
    cr_assert_str_eq(lineedit_text(&e), "cafe\xcc\x81 ", "the whole flag");
    lineedit_key(&e, APP_KEY_BACKSPACE);
    lineedit_key(&e, APP_KEY_BACKSPACE);
    cr_assert_str_eq(lineedit_text(&e), "caf", "e and its accent together");
    lineedit_key(&e, 0x7f);
    lineedit_key(&e, 8);
    lineedit_key(&e, APP_KEY_BACKSPACE);
    cr_assert_str_eq(lineedit_text(&e), "");
    cr_assert_eq(lineedit_key(&e, APP_KEY_BACKSPACE), LINEEDIT_CANCEL, "empty: leaves, as less");
    lineedit_release(&e);
}

Test(lineedit, moving_and_editing_inside_the_line)
{
    LineEdit e;
    lineedit_init(&e, 200, 10);
    lineedit_begin(&e);
    type(&e, "алдын ала");
    lineedit_key(&e, APP_KEY_HOME);
    lineedit_key(&e, APP_KEY_DELETE);
    cr_assert_str_eq(lineedit_text(&e), "лдын ала");
    type(&e, "А");
    cr_assert_str_eq(lineedit_text(&e), "Алдын ала");
    lineedit_key(&e, APP_KEY_END);
    lineedit_key(&e, APP_KEY_LEFT);
    lineedit_key(&e, APP_KEY_LEFT);
    type(&e, "x");
    cr_assert_str_eq(lineedit_text(&e), "Алдын аxла");
    lineedit_key(&e, 11); /* C-k */
    cr_assert_str_eq(lineedit_text(&e), "Алдын аx");
    lineedit_key(&e, 23); /* C-w */
    cr_assert_str_eq(lineedit_text(&e), "Алдын ");
    lineedit_key(&e, 21); /* C-u */
    cr_assert_str_eq(lineedit_text(&e), "");
    lineedit_release(&e);
}

Test(lineedit, history_keeps_the_line_being_typed)
{
    LineEdit e;
    lineedit_init(&e, 200, 2);
    const char *q[] = {"one", "two", "three"};
    for (int i = 0; i < 3; i++) {
        lineedit_begin(&e);
        type(&e, q[i]);
        cr_assert_eq(lineedit_key(&e, APP_KEY_ENTER), LINEEDIT_ACCEPT);
    }
    lineedit_begin(&e);
    type(&e, "fo");
    lineedit_key(&e, APP_KEY_UP);
    cr_assert_str_eq(lineedit_text(&e), "three");
    lineedit_key(&e, APP_KEY_UP);
    cr_assert_str_eq(lineedit_text(&e), "two");
    cr_assert_eq(lineedit_key(&e, APP_KEY_UP), LINEEDIT_NONE, "two lines kept: one is gone");
    lineedit_key(&e, APP_KEY_DOWN);
    lineedit_key(&e, APP_KEY_DOWN);
    cr_assert_str_eq(lineedit_text(&e), "fo", "back to what was being typed");
    cr_assert_eq(lineedit_key(&e, APP_KEY_ESC), LINEEDIT_CANCEL);
    lineedit_release(&e);
}

Test(lineedit, a_full_line_takes_no_more_and_controls_are_not_text)
{
    LineEdit e;
    lineedit_init(&e, 5, 1);
    lineedit_begin(&e);
    type(&e, "abcd");
    type(&e, "ж"); /* two bytes: no room */
    cr_assert_str_eq(lineedit_text(&e), "abcd");
    type(&e, "e");
    cr_assert_str_eq(lineedit_text(&e), "abcde");
    lineedit_begin(&e);
    cr_assert_eq(lineedit_key(&e, 27), LINEEDIT_NONE, "a raw ESC byte is no text");
    cr_assert_eq(lineedit_key(&e, 0x9b), LINEEDIT_NONE, "nor a C1 control");
    cr_assert_eq(lineedit_key(&e, 0xd800), LINEEDIT_NONE, "nor a surrogate");
    cr_assert_str_eq(lineedit_text(&e), "");
    lineedit_set(&e, "toolong\xff");
    cr_assert_str_eq(lineedit_text(&e), "toolo", "cut to fit, and valid UTF-8");
    lineedit_release(&e);
}
