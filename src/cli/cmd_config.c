/* cmd_config.c: `lector config`, so a user can see which file lector reads and what it made of
 * it without opening the reader. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lector/keys.h"
#include "lector/strbuf.h"
#include "lector/text.h"

/* Prints s with anything a terminal would act on made visible: the file's lines are the user's,
 * but a path or a pasted escape sequence could still be in them. */
static void put_safe(const char *s, size_t len)
{
    Strbuf out = STRBUF_INIT;
    text_escape(s, len, &out);
    fwrite(out.buf, 1, out.len, stdout);
    strbuf_release(&out);
}

static void put_color(int c)
{
    char name[16];
    config_color_name(c, name, sizeof name);
    fputs(name, stdout);
}

int cmd_config(const Config *cfg, const char *texts)
{
    bool load_failed = cfg->error.code != 0;
    fputs("file: ", stdout);
    if (cfg->path) {
        put_safe(cfg->path, strlen(cfg->path));
        fputs(load_failed  ? " (not read)\n"
              : cfg->found ? "\n"
                           : " (none: the defaults apply)\n",
              stdout);
    } else {
        fputs("none ($HOME and $XDG_CONFIG_HOME are not set)\n", stdout);
    }
    if (load_failed) {
        fputs("error: ", stdout);
        put_safe(cfg->error.msg, strlen(cfg->error.msg));
        fputc('\n', stdout);
    }
    for (size_t i = 0; i < cfg->nwarnings; i++) {
        fputs("warning: ", stdout);
        put_safe(cfg->path, strlen(cfg->path));
        printf(":%d: ", cfg->warnings[i].line);
        put_safe(cfg->warnings[i].what, strlen(cfg->warnings[i].what));
        fputc('\n', stdout);
    }
    if (cfg->measure)
        printf("measure = %d\n", cfg->measure);
    else
        printf("measure = 72 (default)\n");
    fputs("texts = ", stdout);
    put_safe(texts, strlen(texts));
    fputc('\n', stdout);
    printf("smart-case = %s\n", cfg->smart_case ? "yes" : "no");
    printf("mouse = %s\n", cfg->mouse ? "yes" : "no");
    static const char *const line_ends[] = {"auto", "keep", "reflow"};
    printf("line-ends = %s\n",
           line_ends[cfg->line_ends >= 0 && cfg->line_ends < 3 ? cfg->line_ends : 0]);
    static const char *const bidi[] = {"auto", "on", "off"};
    printf("bidi = %s\n", bidi[cfg->bidi >= 0 && cfg->bidi < 3 ? cfg->bidi : 0]);
    printf("korean-breaks = %s\n", cfg->korean_syllables ? "syllables" : "words");
    printf("last-page = %s\n", cfg->book_pages ? "book" : "full");
    printf("theme = %s\n", config_theme_name(cfg->theme));
    for (int s = 0; s < STYLE_COUNT; s++) {
        const ConfigStyle *st = &cfg->styles[s];
        if (!st->set) continue;
        printf("color.%s = ", config_style_name((Style)s));
        put_color(st->fg);
        if (st->bg != CONFIG_COLOR_DEFAULT) {
            fputs(" on ", stdout);
            put_color(st->bg);
        }
        if (st->attrs & CONFIG_ATTR_BOLD) fputs(" bold", stdout);
        if (st->attrs & CONFIG_ATTR_UNDERLINE) fputs(" underline", stdout);
        if (st->attrs & CONFIG_ATTR_REVERSE) fputs(" reverse", stdout);
        if (st->attrs & CONFIG_ATTR_DIM) fputs(" dim", stdout);
        fputc('\n', stdout);
    }
    for (int cmd = 0; cmd < CMD_COUNT; cmd++) {
        int n = 0;
        for (size_t i = 0; i < cfg->nbindings; i++) {
            if ((int)cfg->bindings[i].command != cmd) continue;
            char name[16];
            key_to_name(cfg->bindings[i].key, name, sizeof name);
            if (!n++) printf("key.%s =", keymap_command_name((Command)cmd));
            fputc(' ', stdout);
            put_safe(name, strlen(name)); /* any code point can be a key: U+202E too */
        }
        if (n) fputc('\n', stdout);
    }
    if (cli_output_failed()) return 2; /* 1 says "warnings" */
    return load_failed ? 2 : cfg->nwarnings ? 1 : 0;
}
