/* toc_view: a story's table of contents (text.h's chapters), one row per chapter, nested by
 * level, each with where it starts and how much of it has been read. Enter goes to the chapter
 * in the reader (the reader's '' comes back); q returns to the story unmoved.
 *
 * Borrows the story from the reader, which stays open below it on the router's stack; owns
 * nothing else.
 */
#ifndef LECTOR_TOC_VIEW_H
#define LECTOR_TOC_VIEW_H

#include "view.h"

#include "lector/text.h"

typedef struct TocView TocView;

/* The chapters of t (borrowed; loaded whole by the caller), the one holding byte at selected;
 * furthest: the furthest percent of the story read (-1: none), for each chapter's share read. */
TocView *toc_view_new(const Text *t, size_t at, int furthest);
void toc_view_free(TocView *v); /* NULL is a no-op */

/* ACT_JUMP with .at the selected chapter's first byte; ACT_LEAVE on q. */
ViewAction toc_view_command(TocView *v, ViewContext *c, Command cmd, long count);
ViewAction toc_view_click(TocView *v, ViewContext *c, int row);
void toc_view_render(TocView *v, ViewContext *c, Grid *g);

#endif
