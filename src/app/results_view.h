/* results_view: the ranked hits of a search of every story on the shelf (library.h), one row
 * each: the story's title, the words around the hit with the match marked, and where in the
 * story it is. Enter opens the story at the hit.
 *
 * Owns the result and the query it answers. The router runs the search and keeps this view
 * while a story opened from it is read, so q there comes back to the same row.
 */
#ifndef LECTOR_RESULTS_VIEW_H
#define LECTOR_RESULTS_VIEW_H

#include "view.h"

#include "lector/library.h"

typedef struct ResultsView ResultsView;

/* Takes r (its contents: r is left empty). query: what was searched (copied). paths: the
 * stories searched (borrowed for the call; r's story numbers index them): a hit's story whose
 * title another hit's story has too is named with its file's name as well. */
ResultsView *results_view_new(LibraryResult *r, const char *query, const char *const *paths,
                              size_t npaths);
void results_view_free(ResultsView *v); /* NULL is a no-op */

const char *results_view_query(const ResultsView *v);

/* ACT_OPEN for the selected hit: .story its shelf story, .at its first byte. */
ViewAction results_view_command(ResultsView *v, ViewContext *c, Command cmd, long count);
ViewAction results_view_click(ResultsView *v, ViewContext *c, int row);
void results_view_render(ResultsView *v, ViewContext *c, Grid *g);

#endif
