/* lineedit: a line being typed at a prompt (a search query), edited by keys, with a history.
 *
 * One editor for every prompt, so that they agree on every key. It edits by grapheme cluster
 * (grapheme.h): Backspace and Delete remove, Left and Right pass, one whole cluster -- a letter
 * and its marks, an emoji sequence, a flag -- never part of one. The keys (keys.h codes):
 *   a printable character   inserted at the cursor (while the line has room)
 *   Backspace, C-h          the cluster before the cursor; on an empty line: cancel, as in less
 *   Delete, C-d             the cluster at the cursor
 *   Left Right, C-b C-f     one cluster back, on
 *   Home End, C-a C-e       the start, the end
 *   C-u, C-k                delete to the start, to the end
 *   C-w                     delete the word before the cursor (and the spaces after it)
 *   Up Down                 the line before, after in the history (the line being typed is
 *                           kept and comes back after the newest)
 *   Enter                   accept (a line that is not empty goes into the history)
 *   Esc                     cancel
 * Owns its text and its history (copies of the lines). Never touches the terminal.
 */
#ifndef LECTOR_LINEEDIT_H
#define LECTOR_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "lector/strbuf.h"

typedef struct {
    Strbuf text;      /* what is typed: valid UTF-8 */
    size_t cursor;    /* byte offset in text, at a cluster boundary */
    size_t max_len;   /* bytes the line may hold */
    char **history;   /* owned, oldest first */
    size_t nhistory;  /* lines in it */
    size_t max_lines; /* the oldest goes once there are this many */
    size_t hist_pos;  /* the line shown; nhistory: the one being typed */
    Strbuf typed;     /* the line being typed, kept while the history is shown */
} LineEdit;

typedef enum {
    LINEEDIT_NONE,    /* nothing changed but perhaps the cursor */
    LINEEDIT_CHANGED, /* the text changed */
    LINEEDIT_ACCEPT,  /* Enter */
    LINEEDIT_CANCEL,  /* Esc, or Backspace on an empty line */
} LineEditResult;

/* An empty editor of lines of at most max_len bytes, keeping max_lines of history. */
void lineedit_init(LineEdit *e, size_t max_len, size_t max_lines);
void lineedit_release(LineEdit *e);

/* A new empty line, at the end of the history. */
void lineedit_begin(LineEdit *e);
/* Replaces the line with s (cut to max_len at a cluster boundary, made valid UTF-8); the cursor
 * goes to its end. */
void lineedit_set(LineEdit *e, const char *s);
LineEditResult lineedit_key(LineEdit *e, int key);
/* Adds s to the history (not when empty, nor twice in a row). */
void lineedit_remember(LineEdit *e, const char *s);

const char *lineedit_text(const LineEdit *e); /* borrowed, until the next call */
size_t lineedit_len(const LineEdit *e);

#endif
