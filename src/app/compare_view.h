/* compare_view: two stories side by side, their paragraphs aligned (align.h), as a view of the
 * app: it takes keys and draws into a Grid, with no terminal in sight.
 *
 * The view is a column of blocks, one per alignment row (plus a one-line note where a moved
 * paragraph used to stand, and one line for a folded run of identical rows). A block is as tall
 * as its taller side, so each pair starts on the same screen row; the shorter side gets filler
 * rows. Both panes scroll over that one column of lines: locked, they share one top; unlocked,
 * each has its own. From 60 columns the panes stand side by side with a gutter between them that
 * says what each row is; below that they stack, left story on top.
 *
 * Owns both Texts, the alignment, the layout of the blocks and the search in the focused pane
 * (its query is typed in the router's prompt).
 */
#ifndef LECTOR_COMPARE_VIEW_H
#define LECTOR_COMPARE_VIEW_H

#include <stdbool.h>

#include "help.h"
#include "view.h"

#include "lector/grid.h"
#include "lector/layout.h"
#include "lector/text.h"

enum { COMPARE_STACK_BELOW = 60 }; /* columns under which the panes stack */

typedef struct CompareView CompareView;

/* Takes ownership of a and b (complete Texts), read from path_a and path_b (copied: their file
 * names tell two stories of one title apart). lopt: the width function to lay out with (its
 * width is ignored); copied. translation: AlignTranslation, how they and any versions are paired
 * (align_new_with). */
CompareView *compare_view_new(Text *a, Text *b, const char *path_a, const char *path_b,
                              const LayoutOptions *lopt, int translation);
void compare_view_free(CompareView *v); /* NULL is a no-op */
/* Three or more versions (the paths, the base first, the one shown second): while each has 30
 * columns they are all shown, in columns (collate_view.h); narrower, the base beside each other
 * version in turn (v). V makes another the base. Says on c's status line which it is. The paths
 * are copied. */
void compare_view_set_versions(CompareView *v, ViewContext *c, const char *const *paths, size_t n);
/* Whether the versions are in columns now (reading them, the first time). */
bool compare_view_in_columns(CompareView *v);
void compare_view_resize(CompareView *v, int cols, int rows);
ViewAction compare_view_command(CompareView *v, ViewContext *c, Command cmd, long count);
/* Searches the focused pane for query (matchlist.h), showing the first match at or after its
 * top. */
void compare_view_search(CompareView *v, ViewContext *c, const char *query);
void compare_view_render(CompareView *v, ViewContext *c, Grid *g);
/* What the help screen says after the keys: the gutter and the colours. Static. */
const HelpRow *compare_view_help_notes(size_t *n);

#endif
