/* The configuration file's grammar: each setting, each kind of mistake (a warning naming the
 * line, the rest still applied), key names both ways, and how the file is found and read. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lector/config.h"
#include "lector/keys.h"

static Config parse(const char *text)
{
    Config c;
    config_init(&c);
    config_parse(&c, text, strlen(text));
    return c;
}

/* The warning of line n, or NULL. */
static const char *warning_of_line(const Config *c, int n)
{
    for (size_t i = 0; i < c->nwarnings; i++)
        if (c->warnings[i].line == n) return c->warnings[i].what;
    return NULL;
}

/* All the warnings, one a line, for failure messages. */
static const char *all_warnings(const Config *c)
{
    static char out[8192];
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < c->nwarnings && n < sizeof out; i++)
        n += (size_t)snprintf(out + n, sizeof out - n, "%d: %s\n", c->warnings[i].line,
                              c->warnings[i].what);
    return out;
}

Test(config, defaults_when_empty)
{
    Config c = parse("");
    cr_assert_eq(c.measure, 0);
    cr_assert_null(c.texts);
    cr_assert(c.smart_case);
    cr_assert(!c.book_pages, "the last page is full, as in less");
    cr_assert_eq(c.theme, THEME_AUTO);
    cr_assert_eq(c.nbindings, 0);
    cr_assert_eq(c.nwarnings, 0);
    for (int s = 0; s < STYLE_COUNT; s++)
        cr_assert(!c.styles[s].set);
    config_free(&c);
}

/* The theme against NO_COLOR: auto follows it when it is set and not empty, color overrides
 * it, mono refuses colour whatever it says. */
Test(config, colour_from_theme_and_no_color)
{
    const char *themes[] = {"", "theme = color\n", "theme = mono\n"};
    const bool want[3][3] = {/* NO_COLOR unset, empty, "1" */
                             {true, true, false},
                             {true, true, true},
                             {false, false, false}};
    for (int t = 0; t < 3; t++) {
        Config c = parse(themes[t]);
        for (int e = 0; e < 3; e++) {
            if (e == 0)
                unsetenv("NO_COLOR");
            else
                setenv("NO_COLOR", e == 1 ? "" : "1", 1);
            cr_assert_eq(config_wants_color(&c), want[t][e], "theme '%s', NO_COLOR case %d",
                         themes[t], e);
        }
        config_free(&c);
    }
    unsetenv("NO_COLOR");
}

Test(config, every_setting_read)
{
    setenv("HOME", "/home/reader", 1);
    Config c = parse("# a comment\n"
                     "\n"
                     "  measure = 60  \n"
                     "texts = ~/stories/my shelf\n"
                     "smart-case = off\r\n"
                     "theme = mono # trailing comment\n"
                     "color.match = red on bright-yellow bold underline\n"
                     "color.status = 208 on default reverse\n"
                     "color.title = dim\n"
                     "key.page-down = x C-f PgDn\n"
                     "key.search = ж\n"
                     "last-page = book\n");
    cr_assert_eq(c.nwarnings, 0, "%s", all_warnings(&c));
    cr_assert(c.book_pages);
    cr_assert_eq(c.measure, 60);
    cr_assert_str_eq(c.texts, "/home/reader/stories/my shelf");
    cr_assert(!c.smart_case);
    cr_assert_eq(c.theme, THEME_MONO);
    const ConfigStyle *m = &c.styles[STYLE_MATCH];
    cr_assert(m->set);
    cr_assert_eq(m->fg, 1);
    cr_assert_eq(m->bg, 11);
    cr_assert_eq(m->attrs, CONFIG_ATTR_BOLD | CONFIG_ATTR_UNDERLINE);
    const ConfigStyle *st = &c.styles[STYLE_STATUS];
    cr_assert_eq(st->fg, 208);
    cr_assert_eq(st->bg, CONFIG_COLOR_DEFAULT);
    cr_assert_eq(st->attrs, CONFIG_ATTR_REVERSE);
    cr_assert_eq(c.styles[STYLE_TITLE].fg, CONFIG_COLOR_DEFAULT);
    cr_assert_eq(c.styles[STYLE_TITLE].attrs, CONFIG_ATTR_DIM);
    cr_assert_eq(c.nbindings, 4);
    int want[] = {'x', 6, APP_KEY_PGDN};
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(c.bindings[i].key, want[i], "binding %d", i);
        cr_assert_eq(c.bindings[i].command, CMD_PAGE_DOWN);
    }
    cr_assert_eq(c.bindings[3].key, 0x436); /* ж */
    cr_assert_eq(c.bindings[3].command, CMD_SEARCH);
    config_free(&c);
}

/* Each mistake: a warning naming its line, that line skipped, the lines after it applied. */
Test(config, mistakes_warn_with_their_line_and_the_rest_applies)
{
    Config c = parse("measure = 50\n"         /* 1: good */
                     "mesure = 60\n"          /* 2: unknown setting */
                     "measure = 3\n"          /* 3: out of range */
                     "measure = 60x\n"        /* 4: not a number */
                     "smart-case = maybe\n"   /* 5 */
                     "theme = solarized\n"    /* 6 */
                     "color.gutter = red\n"   /* 7: no such element */
                     "color.match = purple\n" /* 8: no such colour */
                     "color.match = red on\n" /* 9: on without a colour */
                     "key.fly = x\n"          /* 10: no such command */
                     "key.down = PageDown\n"  /* 11: no such key name */
                     "key.down = 5\n"         /* 12: digits are counts */
                     "key.down = C-c\n"       /* 13: a signal, never a key */
                     "just words\n"           /* 14: no = */
                     "texts = stories\n"      /* 15: relative */
                     "key.up =\n"             /* 16: no value */
                     "last-page = short\n"    /* 17: neither full nor book */
                     "smart-case = no\n");    /* 18: good, after all that */
    cr_assert_eq(c.nwarnings, 16, "%s", all_warnings(&c));
    for (int line = 2; line <= 17; line++)
        cr_assert_not_null(warning_of_line(&c, line), "line %d: %s", line, all_warnings(&c));
    cr_assert_null(warning_of_line(&c, 1));
    cr_assert_null(warning_of_line(&c, 18));
    cr_assert_eq(c.measure, 50);
    cr_assert(!c.smart_case);
    cr_assert_eq(c.theme, THEME_AUTO);
    cr_assert(!c.styles[STYLE_MATCH].set);
    cr_assert_null(c.texts);
    cr_assert_eq(c.nbindings, 0);
    /* the warnings name the thing and say what would do */
    cr_assert(strstr(warning_of_line(&c, 2), "unknown setting 'mesure'"));
    cr_assert(strstr(warning_of_line(&c, 2), "the settings are measure"));
    cr_assert(strstr(warning_of_line(&c, 3), "from 8 to 4096"));
    cr_assert(strstr(warning_of_line(&c, 11), "'PageDown' is not a key"));
    cr_assert(strstr(warning_of_line(&c, 11), "PgDn"));
    cr_assert(strstr(warning_of_line(&c, 15), "~/stories"));
    for (size_t i = 0; i < c.nwarnings; i++) {
        const char *w = c.warnings[i].what;
        cr_assert(strlen(w) > 15 && !strcmp(w + strlen(w) - 15, " (line ignored)"), "%s", w);
    }
    config_free(&c);
}

Test(config, hash_in_a_word_is_not_a_comment)
{
    Config c = parse("key.mark = a#\n#measure = 30\nmeasure = 40#no\n");
    /* "a#" is two characters: not a key; "40#no" is not a number */
    cr_assert_eq(c.nwarnings, 2, "%s", all_warnings(&c));
    cr_assert_eq(c.measure, 0);
    config_free(&c);
}

Test(config, a_later_line_wins)
{
    Config c = parse("measure = 50\nmeasure = 66\ntheme = color\ntheme = auto\n");
    cr_assert_eq(c.measure, 66);
    cr_assert_eq(c.theme, THEME_AUTO);
    config_free(&c);
}

Test(config, hostile_bytes_only_warn)
{
    char buf[4096];
    unsigned seed = 7;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (char)(seed >> 16);
            if (i % 40 == 0) buf[i] = '\n';
            if (i % 40 == 7) buf[i] = '=';
        }
        Config c;
        config_init(&c);
        config_parse(&c, buf, sizeof buf);
        cr_assert(c.measure == 0 || (c.measure >= 8 && c.measure <= 4096));
        for (size_t i = 0; i < c.nbindings; i++)
            cr_assert(c.bindings[i].command < CMD_COUNT);
        config_free(&c);
    }
}

Test(keys, names_both_ways)
{
    const char *names[] = {"Space", "Enter", "Tab",  "Backspace", "Esc",  "Up",  "Down",
                           "Left",  "Right", "PgUp", "PgDn",      "Home", "End", "F1",
                           "C-f",   "x",     "G",    "ж",         "語",   "%"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        int code;
        cr_assert_eq(key_from_name(names[i], strlen(names[i]), &code), 0, "%s", names[i]);
        char back[16];
        key_to_name(code, back, sizeof back);
        cr_assert_str_eq(back, names[i]);
    }
    int code;
    cr_assert_eq(key_from_name("pgdn", 4, &code), 0);
    cr_assert_eq(code, APP_KEY_PGDN);
    cr_assert_eq(key_from_name("C-M", 3, &code), 0);
    cr_assert_eq(code, APP_KEY_ENTER);
    const char *bad[] = {"", "xy", "C-", "C-1", "C-z", "C-c", "F2", "\x01", "\xff", " "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(key_from_name(bad[i], strlen(bad[i]), &code), -1, "'%s'", bad[i]);
}

/* Where the file is looked for, and files that are not what they should be. */
Test(config, found_by_environment)
{
    char dir[] = "/tmp/lector-config-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char sub[300], path[400];
    snprintf(sub, sizeof sub, "%s/lector", dir);
    mkdir(sub, 0700);
    snprintf(path, sizeof path, "%s/config", sub);
    FILE *f = fopen(path, "w");
    fputs("measure = 44\n", f);
    fclose(f);

    unsetenv("LECTOR_CONFIG");
    setenv("XDG_CONFIG_HOME", dir, 1);
    Config c;
    config_init(&c);
    cr_assert_eq(config_load(&c), 0);
    cr_assert(c.found);
    cr_assert_eq(c.error.code, 0);
    cr_assert_str_eq(c.path, path);
    cr_assert_eq(c.measure, 44);
    config_free(&c);

    /* no XDG_CONFIG_HOME (or a relative one): ~/.config */
    setenv("XDG_CONFIG_HOME", "relative", 1);
    setenv("HOME", dir, 1);
    config_init(&c);
    cr_assert_eq(config_load(&c), 0);
    cr_assert(!c.found);
    cr_assert(strstr(c.path, "/.config/lector/config"));
    config_free(&c);

    /* LECTOR_CONFIG wins; a folder there is an error with a reason, and the defaults hold */
    setenv("LECTOR_CONFIG", dir, 1);
    config_init(&c);
    cr_assert_eq(config_load(&c), -1);
    cr_assert(strstr(c.error.msg, "not a file"), "%s", c.error.msg);
    cr_assert_eq(c.measure, 0);
    config_free(&c);

    /* a FIFO must not hang the start */
    char fifo[400];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    setenv("LECTOR_CONFIG", fifo, 1);
    config_init(&c);
    cr_assert_eq(config_load(&c), -1);
    config_free(&c);

    /* /dev/null: an empty configuration */
    setenv("LECTOR_CONFIG", "/dev/null", 1);
    config_init(&c);
    cr_assert_eq(config_load(&c), 0);
    cr_assert_eq(c.nwarnings, 0);
    config_free(&c);

    /* an endless device is refused by size, not read forever */
    setenv("LECTOR_CONFIG", "/dev/zero", 1);
    config_init(&c);
    cr_assert_eq(config_load(&c), -1);
    cr_assert(strstr(c.error.msg, "1 MiB"), "%s", c.error.msg);
    config_free(&c);
    unsetenv("LECTOR_CONFIG");
    unlink(fifo);
    unlink(path);
    rmdir(sub);
    rmdir(dir);
}
