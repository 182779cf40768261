/* library: the stories of a shelf, listed, indexed and searched together.
 *
 * One pipeline for the results view (`s` in the reader and on the shelf) and `lector search`, so
 * the two always agree: story paths in, ranked hits with their places and snippets out. It lists
 * a folder's stories; indexes stories through the cache (cache.h), on two threads; runs a query
 * over them (search.h), and when an index turns out damaged on the way, checks that index whole,
 * builds it again and runs the query once more; then places the best hits (line, column,
 * percent, a snippet), reading only the hits' paragraphs from files whose index says they are
 * clean as read.
 *
 * Owns what it returns (LibraryStory arrays, LibraryResult); borrows the cache. Never touches the
 * terminal and never prints: what went wrong with a story is a note in the result.
 */
#ifndef LECTOR_LIBRARY_H
#define LECTOR_LIBRARY_H

#include <stdbool.h>
#include <stddef.h>

#include "lector/cache.h"
#include "lector/diag.h"
#include "lector/index.h"
#include "lector/search.h"
#include "lector/text.h"

/* How deep a shelf's subfolders are listed, and how many folders at most. */
enum {
    LIBRARY_DEPTH = 4,
    LIBRARY_MAX_FOLDERS = 10000,
    LIBRARY_SKIP_KINDS = 4,
    LIBRARY_SKIP_DETAILS = 500, /* the most skipped paths named one by one */
    LIBRARY_BATCH = 256,        /* stories a search holds at once (their indexes, mapped) */
};

/* What a listing left out, and why. Zero it before a listing; library_skipped_release frees it. */
typedef struct {
    size_t files; /* not a story or book by its name (or a dangling link, a FIFO...) */
    char ext[LIBRARY_SKIP_KINDS][12]; /* the commonest extensions among them, "(none)" */
    size_t ext_count[LIBRARY_SKIP_KINDS];
    size_t folders; /* deeper than LIBRARY_DEPTH */
    size_t loops;   /* a link back to a folder already listed */
    char **details; /* owned, each too: "PATH: why", the first LIBRARY_SKIP_DETAILS skipped */
    size_t ndetails;
} LibrarySkipped;
void library_skipped_release(LibrarySkipped *s);

/* The stories and books of folder dir and its subfolders (LIBRARY_DEPTH levels down; a folder
 * reached twice through links is listed once), not hidden, by name: .txt and .text, and what
 * import.h reads (.epub, .fb2, .fb2.zip, .html, .htm, .xhtml, .md, .markdown, and .gz, .xz,
 * .bz2, .zst of any), as "dir/sub/name" paths, sorted, into *paths (caller frees each string
 * and the array; NULL when there are none). An unreadable subfolder is left out. -1 with diag
 * when dir cannot be read. */
int library_list_folder(const char *dir, char ***paths, size_t *n, Diag *diag);
/* The same, and what was left out in *skipped (may be NULL). */
int library_list_folder_report(const char *dir, char ***paths, size_t *n, LibrarySkipped *skipped,
                               Diag *diag);
/* One line for the shelf: "skipped 3 files that lector does not read (2 .pdf, 1 .jpg)"; "" when
 * nothing was. */
void library_skipped_describe(const LibrarySkipped *s, char *buf, size_t size);
/* Adds from's counts to to's, and moves its details there (from keeps its counts). */
void library_skipped_add(LibrarySkipped *to, LibrarySkipped *from);

/* Adds path to *paths: a folder's stories (library_list_folder), else the path itself. -1 with
 * diag when path does not exist or a folder cannot be read. */
int library_add_path(const char *path, char ***paths, size_t *n, size_t *cap, Diag *diag);
/* The same, adding what a folder left out to *skipped (may be NULL; zero it first). */
int library_add_path_report(const char *path, char ***paths, size_t *n, size_t *cap,
                            LibrarySkipped *skipped, Diag *diag);

/* One story of an indexing run. */
typedef struct {
    char *path;         /* owned copy */
    Index *index;       /* owned; NULL when failed */
    Text *text;         /* owned; the story when it had to be read (NULL otherwise) */
    CacheReport report; /* what the cache did (cache.h) */
    bool failed;        /* the story could not be read: diag says why */
    Diag diag;
    size_t index_size; /* bytes of its index, once indexed */
    size_t text_size;  /* bytes of its text, once indexed */
} LibraryStory;

/* library_index: keep each story's report and sizes but not its index or text, so that memory is
 * that of the stories being indexed at once, not of the whole shelf (lector index). */
enum { LIBRARY_RELEASE = 1 << 8 };

/* Called from the indexing threads' owner (the caller's thread) about four times a second, and
 * as soon as a story is being built (with LibraryOptions.build), with the stories done so far. */
typedef void (*LibraryProgress)(size_t done, size_t n, void *ctx);

/* A LibraryStory for each path (copied), indexed: cached or built and written back (cache may be
 * NULL: built, not saved), on two threads (a lone story gets both). flags: CACHE_VERIFY,
 * LIBRARY_RELEASE, or 0. progress may be NULL. The caller frees the array with
 * library_stories_free. */
LibraryStory *library_index(IndexCache *cache, const char *const *paths, size_t n, int flags,
                            LibraryProgress progress, void *ctx);
void library_stories_free(LibraryStory *stories, size_t n); /* NULL is a no-op */

/* A hit, placed. */
typedef struct {
    size_t story;            /* the number of its path in the paths searched */
    char *title;             /* owned: the story's title (index_title) */
    Span span;               /* the match's bytes in the story */
    size_t line, col;        /* 1-based, as search_line_col */
    int percent;             /* where in the story: span.start of the story's length, 0-100 */
    char *snippet;           /* owned: one line around the match */
    char *chapter;           /* owned: the chapter the match is in (text.h); NULL when the
                                story has none there, or is a plain text over 2 MiB whose
                                paragraphs were read straight from the file */
    size_t hl_start, hl_end; /* the match in snippet, bytes */
    double score;            /* BM25 */
} LibraryHit;

/* A note about one story: it could not be read, its cache file was damaged and kept aside, or its
 * index could not be saved. */
typedef struct {
    size_t story;
    bool failed; /* the story was left out of the search */
    Diag diag;
} LibraryNote;

typedef struct {
    LibraryHit *hits;    /* owned, best first */
    size_t nhits;        /* at most the limit asked for */
    size_t total;        /* hits (paragraphs with every word) in all the stories searched */
    size_t matches;      /* matches (places, as the reader counts them) in all of them */
    size_t *per_story;   /* owned: matches in each story, one entry per path: what the reader
                            counts when the story is opened with the query */
    size_t nper_story;   /* the paths searched: per_story's length */
    bool stopped;        /* a pattern hit its limit (regex.h): the stories after it were not
                            searched, and a note says why */
    char *suggestion;    /* owned: when nothing matched, the word nearest the query's unknown
                            one (search_suggest), else NULL */
    size_t without_case; /* when nothing matched because case counted (a capital in a
                            SEARCH_SMART query): the matches with case ignored, else 0 (and then
                            no suggestion is looked for) */
    size_t narrowed;     /* a pattern: the stories its cached indexes ruled out, unread */
    size_t most_open;    /* the most stories whose indexes the search held at once: a batch
                            (LIBRARY_BATCH) at most, whatever the number of stories */
    size_t searched;     /* stories searched (those that could be read) */
    LibraryNote *notes;  /* owned, in story order */
    size_t nnotes;
} LibraryResult;

typedef struct {
    SearchMode mode;          /* SEARCH_SMART, SEARCH_FOLD or SEARCH_EXACT */
    size_t limit;             /* hits to place; 0: all */
    int snippet_width;        /* columns of each snippet, about */
    int flags;                /* for library_index: 0 or CACHE_VERIFY */
    LibraryProgress progress; /* may be NULL */
    void *progress_ctx;
    /* May be NULL. The indexing adds the bytes of the paragraphs it indexes to build->done; setting
     * build->cancel (from progress, or another thread) stops it: what is being built is left,
     * no other story is indexed, and library_search returns -1, saying so. */
    IndexProgress *build;
    bool count_only;    /* only total and per_story: no hit placed (nhits 0), no paragraph read */
    bool no_suggestion; /* nothing found: do not look for a word spelt near the query's */
} LibraryOptions;

/* A query that starts with "re:" is a pattern (regex.h): each story is read for it, a document
 * at a time, and its matches are the hits, in story order (no ranking; total counts the
 * paragraphs that have one, matches them all). A story whose cached index (cache_lookup: the
 * file unchanged) has no term holding a word the pattern needs (regex_required_words) is not
 * read at all.
 * Runs query (search.h's syntax: words, "phrases", =words) over the stories at paths[0, n) with
 * the cache (NULL: build every index, save none), into *out. A story that cannot be read, or
 * whose hit can no longer be placed (it changed since it was indexed), is a note, not a failure.
 * -1 with diag, *out empty, when the query has no word. Standard input ("-") is never searched:
 * it is a note. Release *out with library_result_release. */
int library_search(IndexCache *cache, const char *const *paths, size_t n, const char *query,
                   const LibraryOptions *opt, LibraryResult *out, Diag *diag);
void library_result_release(LibraryResult *r);

#endif
