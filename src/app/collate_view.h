/* collate_view: three or more versions of a story in columns, one per version, their paragraphs
 * in rows (collate.h), as CollateX's table and Juxta's side-by-side show them. A view of the app
 * that the compare view shows while every version has COLLATE_VIEW_MIN_COLUMNS (narrower, the
 * compare view sets the base beside one version at a time): it takes keys and draws into a Grid,
 * with no terminal in sight.
 *
 * Screen: a title row (a letter and a title per column, the focused one marked), then the rows:
 * at the left a column of letters saying which versions hold the row ("AB-"), then the columns
 * (" │ " between two), a row as tall as its tallest cell, a version with nothing there filled with
 * ╱. The words a version has that the base (the first column) lacks are green; in a translation of
 * the base, the names and numbers both hold are bold instead. All columns scroll together.
 *
 * Owns the Texts it is given, their collation, the layout of the rows and the search in the
 * focused column (its query is typed in the router's prompt).
 */
#ifndef LECTOR_COLLATE_VIEW_H
#define LECTOR_COLLATE_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "view.h"

#include "lector/grid.h"
#include "lector/layout.h"
#include "lector/text.h"

enum { COLLATE_VIEW_MIN_COLUMNS = 30 }; /* a version's column is never narrower */

typedef struct CollateView CollateView;

/* Whether n versions fit in columns on a screen cols wide. */
bool collate_view_fits(size_t n, int cols);

/* Takes ownership of texts[0, n) (complete Texts, 3 <= n <= COLLATE_MAX; the first the base) and
 * of the array itself (malloc'd), read from paths[0, n) (copied: their file names tell versions
 * of one title apart). lopt: the width function to lay out with; copied. translation:
 * AlignTranslation (collate_new). NULL when n is out of range (the texts are then freed). */
CollateView *collate_view_new(Text **texts, const char *const *paths, size_t n,
                              const LayoutOptions *lopt, int translation);
void collate_view_free(CollateView *v); /* NULL is a no-op */
void collate_view_resize(CollateView *v, int cols, int rows);
/* The focused column (0: the base). */
size_t collate_view_focus(const CollateView *v);
/* Version k becomes the base: it and the first change places, and the versions are collated
 * again; the top row stays near the top. */
void collate_view_set_base(CollateView *v, size_t k);
ViewAction collate_view_command(CollateView *v, ViewContext *c, Command cmd, long count);
/* Searches the focused column (matchlist.h), showing the first match at or after its top. */
void collate_view_search(CollateView *v, ViewContext *c, const char *query);
void collate_view_render(CollateView *v, ViewContext *c, Grid *g);

#endif
