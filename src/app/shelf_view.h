/* shelf_view: the stories of a folder (or of the paths given), one row each, to open, mark and
 * compare.
 *
 * Owns the list: each story's path and, once its row has been shown, its title, word count and
 * how far it was read (from the saved state), so a folder of 10,000 stories opens at once.
 * Starts on the story read last. Also the picking of a story to compare the reader's story
 * with (c in the reader): the same list, with Enter picking.
 */
#ifndef LECTOR_SHELF_VIEW_H
#define LECTOR_SHELF_VIEW_H

#include "help.h"
#include "view.h"

typedef struct ShelfView ShelfView;

/* paths: story files and folders (a folder gives its stories and books, its subfolders' too:
 * library_list_folder; "-" is standard input). NULL with diag when there is no story (a
 * missing folder, one with no story). */
ShelfView *shelf_view_new(char **paths, int npaths, Diag *diag);
/* What the folders' listing left out, one line ("skipped 3 files that lector does not read
 * (2 .pdf, 1 .jpg)"), "" when nothing. Borrowed. */
const char *shelf_view_skipped(const ShelfView *s);
/* The shelf help's notes: what was skipped, path by path, with why (none when nothing was).
 * Owned by the shelf. */
const HelpRow *shelf_view_help_notes(const ShelfView *s, size_t *n);
void shelf_view_free(ShelfView *s); /* NULL is a no-op */

size_t shelf_view_count(const ShelfView *s);
/* The stories c compared last (marked: two, or more versions, the first the base), *n of them,
 * in shelf order. Borrowed. */
const size_t *shelf_view_compared(const ShelfView *s, size_t *n);
const char *shelf_view_path(const ShelfView *s, size_t i); /* borrowed */
/* The paths of every story, for a search of them all. Borrowed, valid while s is. */
const char *const *shelf_view_paths(const ShelfView *s);

/* Selects the story read last (the state's "last"), if it is on this shelf. */
void shelf_view_select_last_read(ShelfView *s, ViewContext *c);
/* What the reader learned of story i when it closed it: the furthest read (-1: unknown) and the
 * words (0: not counted). */
void shelf_view_update(ShelfView *s, size_t i, int percent, size_t words);

/* Picking the partner of story `of` (SIZE_MAX: not picking): Enter or c picks the selected
 * story, q and Esc go back. */
void shelf_view_pick(ShelfView *s, size_t of);
bool shelf_view_picking(const ShelfView *s);

ViewAction shelf_view_command(ShelfView *s, ViewContext *c, Command cmd, long count);
/* A click on screen row row: that story is selected and opened. */
ViewAction shelf_view_click(ShelfView *s, ViewContext *c, int row);
void shelf_view_render(ShelfView *s, ViewContext *c, Grid *g);

#endif
