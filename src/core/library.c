/* library.c: one shelf search, for lector search and the reader's results view.
 *
 * Data model. A search works on an array of LibraryStory, one per path and in the paths' order
 * (the story number of every hit and note is its place there): the story's index, and its Text
 * only when it had to be read (built, a strict query, a paragraph that cannot be read straight
 * from the file). Indexing hands the stories out to a pool of two threads, one story each at a
 * time, through an atomic counter; the caller's thread reports progress meanwhile, or is one of
 * the two, starting the other only once the search has run a while (index_stories). A ranked
 * query is run on each story by the thread that opened it, into a part of its own
 * (search_part_new); the parts go into one SearchSet in story order (ranking needs them all at
 * once); the best hits are placed last, each reading only its own paragraph when the story is
 * clean as read.
 *
 * Notes are gathered as they happen (indexing, the query, a rebuild, placing), each with a
 * sequence number, and sorted by story at the end so that the caller reads them in the paths'
 * order whatever pass found them.
 */
#define _GNU_SOURCE /* memmem */
#include "lector/library.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "lector/strbuf.h"
#include "lector/regex.h"
#include "lector/xalloc.h"
#include "lector/thread.h"

enum { WORKERS = 2 };
/* How long a search's caller opens and searches stories alone, from the search's start, before
 * it starts the other workers (index_stories). */
#define POOL_ALONE_S 0.002
/* The largest plain story read whole to name a hit's chapter: a novel (1-2 MiB). A warm search
 * otherwise reads only the hits' paragraphs, so this read is its cost; a bigger story's hits
 * go without a chapter until the index keeps the chapters. */
#define CHAPTER_STORY_MAX ((size_t)2 << 20)

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names lector reads as stories or books (any case): plain text, and what import.h reads. */
static bool story_name(const char *name)
{
    static const char *const exts[] = {".txt",  ".text", ".epub",  ".fb2", ".fbz",
                                       ".html", ".htm",  ".xhtml", ".md",  ".markdown",
                                       ".gz",   ".xz",   ".bz2",   ".zst"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
        size_t k = strlen(exts[i]);
        if (n > k && !strcasecmp(name + n - k, exts[i])) return true;
    }
    return n > 8 && !strcasecmp(name + n - 8, ".fb2.zip");
}

typedef struct {
    char **names;
    size_t n, cap;
    dev_t *devs; /* the folders walked, against symlink loops */
    ino_t *inos;
    size_t nfolders, folders_cap;
    LibrarySkipped *skipped; /* may be NULL */
} Walk;

/* Names path in the details, with why it was skipped. */
static void skip_detail(Walk *w, const char *path, const char *why)
{
    LibrarySkipped *s = w->skipped;
    if (!s || s->ndetails >= LIBRARY_SKIP_DETAILS) return;
    Strbuf line = STRBUF_INIT;
    strbuf_addf(&line, "%s: %s", path, why);
    s->details = xreallocarray(s->details, s->ndetails + 1, sizeof *s->details);
    s->details[s->ndetails++] = strbuf_detach(&line, NULL);
}

static void skip_file(Walk *w, const char *path, const char *name, const char *why)
{
    if (!w->skipped) return;
    skip_detail(w, path, why);
    w->skipped->files++;
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name || strlen(dot) > 9) dot = "";
    for (int i = 0; i < LIBRARY_SKIP_KINDS; i++) {
        if (!w->skipped->ext[i][0] && (i == 0 || w->skipped->ext_count[i - 1])) {
            snprintf(w->skipped->ext[i], sizeof w->skipped->ext[i], "%s", *dot ? dot : "(none)");
            w->skipped->ext_count[i] = 1;
            return;
        }
        if (!strcasecmp(w->skipped->ext[i], *dot ? dot : "(none)")) {
            w->skipped->ext_count[i]++;
            return;
        }
    }
}

/* Lists dir's stories into w, and its subfolders' to depth more levels. */
static int walk_folder(Walk *w, const char *dir, int depth, Diag *diag)
{
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        diag_set(diag, e == ENOENT || e == ENOTDIR ? DIAG_NOT_FOUND : DIAG_UNREADABLE,
                 "%s: cannot open the folder: %s", dir, strerror(e));
        return -1;
    }
    struct stat dst;
    if (fstat(dirfd(d), &dst) == 0) {
        for (size_t i = 0; i < w->nfolders; i++)
            if (w->devs[i] == dst.st_dev && w->inos[i] == dst.st_ino) { /* a loop */
                closedir(d);
                if (w->skipped) w->skipped->loops++;
                skip_detail(w, dir, "a link back to a folder already listed");
                return 0;
            }
        if (w->nfolders == w->folders_cap) {
            w->folders_cap = w->folders_cap ? w->folders_cap * 2 : 16;
            w->devs = xreallocarray(w->devs, w->folders_cap, sizeof *w->devs);
            w->inos = xreallocarray(w->inos, w->folders_cap, sizeof *w->inos);
        }
        w->devs[w->nfolders] = dst.st_dev;
        w->inos[w->nfolders++] = dst.st_ino;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* hidden, and . and .. */
        Strbuf path = STRBUF_INIT;
        strbuf_addf(&path, "%s/%s", dir, e->d_name); /* "dir/" gives "dir//name", as shown */
        /* what readdir says of a file or a folder is enough (a shelf of 100,000 small stories
         * spent a tenth of a warm search on a stat each); a link, or a file system that does not
         * say, is looked at by its name in the open folder, not by the whole path again */
        struct stat st;
        if (e->d_type == DT_REG || e->d_type == DT_DIR) {
            st.st_mode = e->d_type == DT_REG ? S_IFREG : S_IFDIR;
        } else if (fstatat(dirfd(d), e->d_name, &st, 0) != 0) { /* a dangling link */
            skip_file(w, path.buf, e->d_name, strerror(errno));
            strbuf_release(&path);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            Diag ignored = {0}; /* an unreadable subfolder is skipped, not fatal */
            if (depth > 0 && w->nfolders < LIBRARY_MAX_FOLDERS)
                walk_folder(w, path.buf, depth - 1, &ignored);
            else if (w->skipped) {
                w->skipped->folders++;
                skip_detail(w, path.buf,
                            depth > 0 ? "more folders than a shelf lists" : "a folder too deep");
            }
            strbuf_release(&path);
            continue;
        }
        /* a FIFO or device with a story's name is listed: opening it says why it cannot be */
        if (!story_name(e->d_name)) {
            skip_file(w, path.buf, e->d_name,
                      S_ISREG(st.st_mode) ? "not a kind of file lector reads (by its name)"
                                          : "not a regular file");
            strbuf_release(&path);
            continue;
        }
        if (w->n == w->cap)
            w->names = xreallocarray(w->names, w->cap = w->cap ? w->cap * 2 : 16, sizeof *w->names);
        w->names[w->n++] = strbuf_detach(&path, NULL);
    }
    closedir(d);
    return 0;
}

int library_list_folder_report(const char *dir, char ***paths, size_t *n, LibrarySkipped *skipped,
                               Diag *diag)
{
    *paths = NULL;
    *n = 0;
    if (skipped) *skipped = (LibrarySkipped){0};
    Walk w = {.skipped = skipped};
    int rc = walk_folder(&w, dir, LIBRARY_DEPTH, diag);
    free(w.devs);
    free(w.inos);
    if (rc != 0) {
        for (size_t i = 0; i < w.n; i++)
            free(w.names[i]);
        free(w.names);
        if (skipped) library_skipped_release(skipped);
        return -1;
    }
    if (w.n) qsort(w.names, w.n, sizeof *w.names, cmp_str);
    *paths = w.names;
    *n = w.n;
    return 0;
}

int library_list_folder(const char *dir, char ***paths, size_t *n, Diag *diag)
{
    return library_list_folder_report(dir, paths, n, NULL, diag);
}

void library_skipped_release(LibrarySkipped *s)
{
    for (size_t i = 0; i < s->ndetails; i++)
        free(s->details[i]);
    free(s->details);
    s->details = NULL;
    s->ndetails = 0;
}

void library_skipped_add(LibrarySkipped *to, LibrarySkipped *from)
{
    for (size_t i = 0; i < from->ndetails; i++) {
        if (to->ndetails < LIBRARY_SKIP_DETAILS) {
            to->details = xreallocarray(to->details, to->ndetails + 1, sizeof *to->details);
            to->details[to->ndetails++] = from->details[i];
        } else {
            free(from->details[i]);
        }
    }
    free(from->details);
    from->details = NULL;
    from->ndetails = 0;
    to->files += from->files;
    to->folders += from->folders;
    to->loops += from->loops;
    for (int i = 0; i < LIBRARY_SKIP_KINDS && from->ext[i][0]; i++) {
        int k = 0;
        while (k < LIBRARY_SKIP_KINDS && to->ext[k][0] && strcasecmp(to->ext[k], from->ext[i]))
            k++;
        if (k == LIBRARY_SKIP_KINDS) continue; /* counted in files, not named */
        if (!to->ext[k][0]) memcpy(to->ext[k], from->ext[i], sizeof to->ext[k]);
        to->ext_count[k] += from->ext_count[i];
    }
}

void library_skipped_describe(const LibrarySkipped *s, char *buf, size_t size)
{
    Strbuf sb = STRBUF_INIT;
    if (s->files) {
        strbuf_addf(&sb, "skipped %zu file%s that lector does not read (", s->files,
                    s->files == 1 ? "" : "s");
        for (int i = 0; i < LIBRARY_SKIP_KINDS && s->ext[i][0]; i++)
            strbuf_addf(&sb, "%s%zu %s", i ? ", " : "", s->ext_count[i], s->ext[i]);
        strbuf_addstr(&sb, ")");
    }
    if (s->folders)
        strbuf_addf(&sb, "%s%zu folder%s deeper than %d levels", sb.len ? "; " : "skipped ",
                    s->folders, s->folders == 1 ? "" : "s", LIBRARY_DEPTH);
    if (s->loops)
        strbuf_addf(&sb, "%s%zu folder link%s back to a folder already listed",
                    sb.len ? "; " : "skipped ", s->loops, s->loops == 1 ? "" : "s");
    snprintf(buf, size, "%s", sb.len ? sb.buf : "");
    strbuf_release(&sb);
}

int library_add_path(const char *path, char ***paths, size_t *n, size_t *cap, Diag *diag)
{
    return library_add_path_report(path, paths, n, cap, NULL, diag);
}

int library_add_path_report(const char *path, char ***paths, size_t *n, size_t *cap,
                            LibrarySkipped *skipped, Diag *diag)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        /* the words of lector's other path errors (cli_path_error), so that all read alike */
        int e = errno;
        if (e == ENOENT)
            diag_set(diag, DIAG_NOT_FOUND, "%s: no such file or folder", path);
        else if (e == ENOTDIR)
            diag_set(diag, DIAG_NOT_FOUND, "%s: part of the path is a file, not a folder", path);
        else
            diag_set(diag, DIAG_UNREADABLE, "%s: %s", path, strerror(e));
        return -1;
    }
    char **found;
    size_t nfound;
    if (S_ISDIR(st.st_mode)) {
        LibrarySkipped here;
        if (library_list_folder_report(path, &found, &nfound, skipped ? &here : NULL, diag) != 0)
            return -1;
        if (skipped) library_skipped_add(skipped, &here);
    } else {
        found = xmalloc(sizeof *found);
        found[0] = xstrdup(path);
        nfound = 1;
    }
    if (*n + nfound > *cap) {
        size_t want = *cap ? *cap : 16;
        while (want < *n + nfound)
            want *= 2;
        *paths = xreallocarray(*paths, want, sizeof **paths);
        *cap = want;
    }
    memcpy(*paths + *n, found, nfound * sizeof *found);
    *n += nfound;
    free(found);
    return 0;
}

/* --- indexing ---------------------------------------------------------------------------- */

/* A ranked search done as the stories are opened: each story k is searched at once, on the
 * thread that opened it, into parts[k] (the caller's; each part owned by it) as story base + k
 * (search_part_new), so that the stories' searches share the threads as their opening does. */
typedef struct {
    const Query *q; /* borrowed */
    SearchPart **parts;
    size_t base;
} PoolSearch;

typedef struct {
    IndexCache *cache;     /* borrowed */
    LibraryStory *stories; /* borrowed; those already failed are skipped */
    size_t n;
    atomic_size_t next;       /* the next story to hand out */
    atomic_size_t done;       /* stories finished, skipped ones included */
    int threads_per_story;    /* WORKERS for a lone story (index_build splits it), else 1 */
    int flags;                /* cache_index's */
    IndexProgress *build;     /* borrowed, may be NULL: LibraryOptions.build */
    const PoolSearch *search; /* borrowed, may be NULL */
    pthread_t tid[WORKERS];   /* the threads started, joined by index_stories */
    int started;
    int late;           /* threads the caller starts once it has worked until alone_until */
    double alone_until; /* now_s() */
} Pool;

static bool cancelled(const IndexProgress *build)
{
    return build && atomic_load(&build->cancel);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *pool_worker(void *arg);

/* The stories handed out to this thread, one at a time, until none is left; the caller's thread
 * starts the late threads when its time alone is up and stories are left. */
static void pool_run(Pool *p, bool caller)
{
    for (;;) {
        if (caller && p->late && atomic_load(&p->next) + 1 < p->n && now_s() >= p->alone_until) {
            for (; p->late > 0; p->late--)
                if (thread_start(&p->tid[p->started], pool_worker, p) == 0) p->started++;
        }
        size_t k = atomic_fetch_add(&p->next, 1);
        if (k >= p->n) break;
        LibraryStory *s = &p->stories[k];
        if (!s->failed && cancelled(p->build)) {
            s->failed = true;
            diag_set(&s->diag, DIAG_INVALID, "%s: indexing stopped", s->path);
        }
        if (!s->failed)
            s->failed = cache_index_with(p->cache, s->path, p->threads_per_story,
                                         p->flags & ~LIBRARY_RELEASE, p->build, &s->index, &s->text,
                                         &s->report, &s->diag) != 0;
        if (!s->failed) {
            index_bytes(s->index, &s->index_size);
            s->text_size = index_text_len(s->index);
            if (p->search)
                p->search->parts[k] =
                    search_part_new(p->search->q, p->search->base + k, s->index, NULL);
        }
        if (p->flags & LIBRARY_RELEASE) {
            index_free(s->index);
            text_free(s->text);
            s->index = NULL;
            s->text = NULL;
        }
        atomic_fetch_add(&p->done, 1);
    }
}

static void *pool_worker(void *arg)
{
    pool_run(arg, false);
    return NULL;
}

/* Indexes every story not already failed. With progress, the caller's thread only watches (every
 * 20 ms, reporting every 250 ms, and once a build has begun: LibraryOptions.build) while WORKERS
 * threads index; without, it is one of them, and before alone_until (now_s(); 0: never) it
 * starts the others only then, if stories are left: a thread started at once cost a warm search
 * of a shelf more than it saved (a warm shelf's indexes are mapped and searched in about a
 * millisecond, and here a new thread often began running only after the caller had done). */
static void index_stories(IndexCache *cache, LibraryStory *stories, size_t n, int flags,
                          IndexProgress *build, LibraryProgress progress, void *ctx,
                          const PoolSearch *search, double alone_until)
{
    size_t todo = 0;
    for (size_t k = 0; k < n; k++)
        todo += !stories[k].failed;
    Pool p = {.cache = cache,
              .stories = stories,
              .n = n,
              .threads_per_story = todo == 1 ? WORKERS : 1,
              .flags = flags,
              .build = build,
              .search = search};
    int others = todo < WORKERS ? (int)todo - 1 : WORKERS - 1;
    if (!progress && others > 0 && alone_until > 0 && now_s() < alone_until) {
        p.late = others;
        p.alone_until = alone_until;
    } else {
        for (int k = 0; k < others; k++)
            if (thread_start(&p.tid[p.started], pool_worker, &p) == 0) p.started++;
    }
    bool watch = progress && thread_start(&p.tid[p.started], pool_worker, &p) == 0;
    if (watch) {
        p.started++;
        double next = now_s() + 0.25;
        bool reported = false;
        while (atomic_load(&p.done) < n) {
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
            /* every 250 ms; and as soon as a build has begun, so that a search that indexes says
             * so at once and one that only maps its caches says nothing */
            if (now_s() >= next || (!reported && build && atomic_load(&build->done) > 0)) {
                progress(atomic_load(&p.done), n, ctx);
                reported = true;
                next = now_s() + 0.25;
            }
        }
    } else {
        pool_run(&p, true);
    }
    for (int k = 0; k < p.started; k++)
        pthread_join(p.tid[k], NULL);
}

static LibraryStory *stories_new(const char *const *paths, size_t n)
{
    LibraryStory *stories = xcalloc(n ? n : 1, sizeof *stories);
    for (size_t k = 0; k < n; k++)
        stories[k].path = xstrdup(paths[k]);
    return stories;
}

LibraryStory *library_index(IndexCache *cache, const char *const *paths, size_t n, int flags,
                            LibraryProgress progress, void *ctx)
{
    LibraryStory *stories = stories_new(paths, n);
    index_stories(cache, stories, n, flags, NULL, progress, ctx, NULL, 0);
    return stories;
}

void library_stories_free(LibraryStory *stories, size_t n)
{
    if (!stories) return;
    for (size_t k = 0; k < n; k++) {
        index_free(stories[k].index);
        text_free(stories[k].text);
        free(stories[k].path);
    }
    free(stories);
}

/* --- searching --------------------------------------------------------------------------- */

typedef struct {
    size_t seq; /* the order it was found in, to keep it among a story's notes */
    LibraryNote note;
} PendingNote;

typedef struct {
    PendingNote *v;
    size_t n, cap;
} Notes;

static void note_add(Notes *notes, size_t story, bool failed, const Diag *diag)
{
    if (notes->n == notes->cap)
        notes->v =
            xreallocarray(notes->v, notes->cap = notes->cap ? notes->cap * 2 : 8, sizeof *notes->v);
    notes->v[notes->n] = (PendingNote){notes->n, {story, failed, *diag}};
    notes->n++;
}

static int cmp_note(const void *a, const void *b)
{
    const PendingNote *x = a, *y = b;
    if (x->note.story != y->note.story) return x->note.story < y->note.story ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Reads s's story whole, for a query or a snippet that needs its text: mapped where it can be,
 * and a story that needs cleaning cleaned into a scratch file in the cache's folder, so that
 * any size that could be indexed can be read (text.h, text_open_with). */
static int load_story(LibraryStory *s, IndexCache *cache, Diag *diag)
{
    TextOpenOptions opt = {.scratch_dir = cache ? cache_dir(cache) : NULL};
    if (text_open_with(s->path, &opt, &s->text, diag) != 0) return -1;
    text_load_all(s->text);
    return 0;
}

/* Adds each story that can answer to set (its part, when it was searched as it was opened:
 * taken from parts), its matches into per_story; false when an index was
 * found damaged on the way (its answers cannot be trusted). Goes on past a damaged one, so that
 * one rebuild mends them all. */
static bool add_stories(IndexCache *cache, const Query *q, LibraryStory *stories,
                        SearchPart **parts, size_t base, size_t n, SearchSet *set,
                        size_t *per_story, size_t *searched, Notes *notes)
{
    bool sound = true;
    for (size_t k = base; k < base + n; k++) {
        LibraryStory *s = &stories[k - base];
        if (parts && parts[k - base]) { /* searched when opened */
            search_set_add_part(set, parts[k - base], &per_story[k]);
            parts[k - base] = NULL;
            (*searched)++;
            if (index_corrupt(s->index)) sound = false;
            continue;
        }
        if (s->failed) continue;
        if (query_needs_text(q) && !s->text &&
            load_story(s, cache, &s->diag) != 0) { /* gone since it was indexed */
            s->failed = true;
            note_add(notes, k, true, &s->diag);
            continue;
        }
        search_set_add(set, k, s->index, s->text, &per_story[k]);
        (*searched)++;
        if (index_corrupt(s->index)) sound = false;
    }
    return sound;
}

/* Checks each damaged index whole (the cache keeps the file aside) and builds it again. */
static void rebuild_damaged(IndexCache *cache, LibraryStory *stories, size_t base, size_t n,
                            Notes *notes)
{
    for (size_t k = base; k < base + n; k++) {
        LibraryStory *s = &stories[k - base];
        if (s->failed || !index_corrupt(s->index)) continue;
        index_free(s->index);
        s->index = NULL;
        text_free(s->text);
        s->text = NULL;
        if (cache_index(cache, s->path, WORKERS, CACHE_VERIFY, &s->index, &s->text, &s->report,
                        &s->diag) != 0) {
            s->failed = true;
            note_add(notes, k, true, &s->diag);
        } else if (s->report.note.code) {
            note_add(notes, k, false, &s->report.note);
        }
    }
}

/* Places hit h of story s into *out; -1 with diag when the story cannot be read as indexed. */
static int place_hit(IndexCache *cache, LibraryStory *s, const Query *q, const SearchHit *h,
                     int width, LibraryHit *out, Diag *diag)
{
    size_t bom;
    /* a story that is not its file's bytes (converted, CRLF) is read whole, once */
    if (!s->text && !index_clean_as_read(s->index, &bom) && load_story(s, cache, diag) != 0)
        return -1;
    SearchPlace pl;
    if (search_place(s->index, s->text, s->path, q, &h->first, width, &pl, diag) != 0) return -1;
    size_t len = index_text_len(s->index);
    /* the hit's chapter: a story of a book's size is read for its headings (mapped, once) */
    Diag ignored = {0};
    if (!s->text && len <= CHAPTER_STORY_MAX) load_story(s, cache, &ignored);
    const char *chapter = NULL;
    if (s->text && pl.span.start < text_len(s->text)) {
        size_t ch = text_chapter_at(s->text, pl.span.start);
        if (ch != SIZE_MAX) chapter = text_chapter(s->text, ch).title;
    }
    *out = (LibraryHit){
        .story = h->story,
        .title = xstrdup(index_title(s->index)),
        .span = pl.span,
        .line = pl.line,
        .col = pl.col,
        .percent = len ? (int)(pl.span.start * 100 / len) : 0,
        .snippet = pl.snippet,
        .hl_start = pl.hl_start,
        .hl_end = pl.hl_end,
        .score = h->score,
        .chapter = chapter ? xstrdup(chapter) : NULL,
    };
    return 0;
}

/* Progress of a batch, as progress of the whole search. */
typedef struct {
    LibraryProgress fn;
    void *ctx;
    size_t offset, total;
} BatchProgress;

static void batch_progress(size_t done, size_t n, void *ctx)
{
    (void)n;
    BatchProgress *bp = ctx;
    bp->fn(bp->offset + done, bp->total, bp->ctx);
}

/* A batch of stories: paths [base, base + n), their records, indexed. */
typedef struct {
    LibraryStory *s; /* owned */
    size_t base, n;
} Batch;

/* The batch of paths from b on (LIBRARY_BATCH of them at most), indexed or mapped from the
 * cache on WORKERS threads; standard input ("-") is a failed story, never read. With q, each
 * story opened is searched too, into parts[i] (PoolSearch; parts holds LIBRARY_BATCH). */
static Batch batch_open(IndexCache *cache, const char *const *paths, size_t n, size_t b,
                        const LibraryOptions *opt, const Query *q, SearchPart **parts,
                        double alone_until)
{
    size_t m = n - b < LIBRARY_BATCH ? n - b : LIBRARY_BATCH;
    Batch bt = {stories_new(paths + b, m), b, m};
    for (size_t i = 0; i < m; i++) {
        if (strcmp(paths[b + i], "-") != 0) continue;
        /* read once by its reader, it is not there to read again; nor is it ever cached */
        bt.s[i].failed = true;
        diag_set(&bt.s[i].diag, DIAG_NOT_FILE,
                 "-: standard input is left out of a search across stories");
    }
    BatchProgress bp = {opt->progress, opt->progress_ctx, b, n};
    PoolSearch search = {q, parts, b};
    index_stories(cache, bt.s, m, opt->flags, opt->build, opt->progress ? batch_progress : NULL,
                  &bp, q ? &search : NULL, alone_until);
    return bt;
}

/* search_suggest over the stories, a batch at a time: the first batch's word that is near. */
static char *suggest_in_batches(IndexCache *cache, const Query *q, const char *const *paths,
                                size_t n, const LibraryOptions *opt)
{
    char *found = NULL;
    const Index **ixs = xcalloc(LIBRARY_BATCH, sizeof *ixs);
    LibraryOptions quiet = *opt;
    quiet.progress = NULL;
    for (size_t b = 0; b < n && !found; b += LIBRARY_BATCH) {
        Batch bt = batch_open(cache, paths, n, b, &quiet, NULL, NULL, 0);
        for (size_t i = 0; i < bt.n; i++)
            ixs[i] = bt.s[i].failed ? NULL : bt.s[i].index;
        found = search_suggest(q, ixs, bt.n);
        library_stories_free(bt.s, bt.n);
    }
    free(ixs);
    return found;
}

/* The notes, in story order, into the result (notes is emptied). */
static void notes_into(Notes *notes, LibraryResult *out)
{
    if (notes->n) qsort(notes->v, notes->n, sizeof *notes->v, cmp_note);
    out->notes = xcalloc(notes->n ? notes->n : 1, sizeof *out->notes);
    for (size_t i = 0; i < notes->n; i++)
        out->notes[i] = notes->v[i].note;
    out->nnotes = notes->n;
    free(notes->v);
    *notes = (Notes){0};
}

/* The line a walk forward through a text has reached: the lines before off counted once, where
 * search_line_col counts from the top for each place (a pattern's 4,000th hit in 103 MB took
 * 3 s). */
typedef struct {
    size_t off, line, line_start; /* line (1-based) holds off and starts at line_start */
} LineCursor;

static void line_cursor_to(LineCursor *lc, const uint8_t *b, size_t off)
{
    if (off < lc->off) *lc = (LineCursor){0, 1, 0}; /* behind it: counted from the top */
    for (const uint8_t *p = b + lc->off; (p = memchr(p, '\n', off - (size_t)(p - b))) != NULL;
         p++) {
        lc->line++;
        lc->line_start = (size_t)(p - b) + 1;
    }
    lc->off = off;
}

/* A hit of a pattern: its place in t (at or past lc's, which it moves to it). */
static LibraryHit pattern_hit(size_t story, const Text *t, LineCursor *lc, Span sp, int width)
{
    LibraryHit h = {.story = story, .title = xstrdup(text_title(t)), .span = sp};
    const uint8_t *b = text_bytes(t);
    line_cursor_to(lc, b, sp.start);
    h.line = lc->line;
    h.col = 1;
    for (size_t i = lc->line_start; i < sp.start; i++) /* code points, as search_line_col */
        h.col += (b[i] & 0xc0) != 0x80;
    h.percent = text_len(t) ? (int)(sp.start * 100 / text_len(t)) : 0;
    h.snippet = search_snippet(t, sp, width, &h.hl_start, &h.hl_end);
    size_t ch = text_chapter_at(t, sp.start);
    if (ch != SIZE_MAX) h.chapter = xstrdup(text_chapter(t, ch).title);
    return h;
}

/* Whether ix has a term holding each of words[0, n) (regex_required_words): when it has not,
 * the story cannot match the pattern. */
static bool terms_hold(const Index *ix, char *const *words, size_t n)
{
    size_t nt = index_term_count(ix);
    for (size_t w = 0; w < n; w++) {
        size_t wl = strlen(words[w]);
        bool found = false;
        for (uint32_t id = 0; id < nt && !found; id++) {
            size_t tl;
            const char *t = index_term(ix, id, &tl);
            found = tl >= wl && memmem(t, tl, words[w], wl) != NULL;
        }
        if (!found) return false;
    }
    return true;
}

static void library_hit_free(LibraryHit *h)
{
    free(h->title);
    free(h->snippet);
    free(h->chapter);
}

/* One story's part of a pattern search, as a worker leaves it for the merge. */
typedef struct {
    size_t matches, total; /* places, and documents with one */
    LibraryHit *hits;      /* owned until the merge: at most the limit (0: all) */
    size_t nhits, cap;
    bool done, searched, narrowed, stopped;
    bool failed; /* the note (diag) says it was left out */
    Diag *diag;  /* owned, NULL without a note: a shelf of 65,000 stories holds a record each */
} PatternStory;

/* The stories of a pattern search, handed out in order to WORKERS threads (the caller's one of
 * them): each reads and searches its own stories, with its own Regex, into its PatternStory. */
typedef struct {
    IndexCache *cache;
    const char *const *paths;
    size_t n;
    const LibraryOptions *opt;
    const char *pattern;
    char *const *words; /* the words the pattern needs (regex_required_words) */
    size_t nwords;
    PatternStory *st;
    atomic_size_t next, done;
    atomic_size_t stop_at; /* the first story whose pattern gave up (SIZE_MAX: none): the stories
                            * after it are left, even one another thread is reading */
    /* the stories done from the first on, and their hits: a story whose stories before hold
     * the limit already places none (its matches are still counted) */
    pthread_mutex_t lock;
    size_t prefix, prefix_hits;
} PatternPool;

/* Whether story k's hits may be among the first limit: not when stories before it (those done
 * from the first on) hold that many. */
static bool pattern_places(PatternPool *pp, size_t k)
{
    if (pp->opt->count_only) return false;
    if (!pp->opt->limit) return true;
    pthread_mutex_lock(&pp->lock);
    while (pp->prefix < k && pp->st[pp->prefix].done)
        pp->prefix_hits += pp->st[pp->prefix++].nhits;
    bool places = pp->prefix_hits < pp->opt->limit;
    pthread_mutex_unlock(&pp->lock);
    return places;
}

static void pattern_note(PatternStory *ps, bool failed, const Diag *d)
{
    ps->diag = xmalloc(sizeof *ps->diag);
    *ps->diag = *d;
    ps->failed = failed;
}

/* Whether story k is to be left: a story before it gave up, or the search is cancelled. */
static bool pattern_left(PatternPool *pp, size_t k)
{
    return atomic_load(&pp->stop_at) < k || cancelled(pp->opt->build);
}

/* Story k: ruled out by its cached index, or read a step at a time, each step's documents
 * searched while their bytes are in memory and then let go (text_hold_loaded): a story of any
 * length is read from its file once. */
static void pattern_story(PatternPool *pp, Regex *re, size_t k)
{
    PatternStory *ps = &pp->st[k];
    const LibraryOptions *opt = pp->opt;
    const char *path = pp->paths[k];
    Diag d = {0};
    if (!strcmp(path, "-")) {
        diag_set(&d, DIAG_NOT_FILE, "-: standard input is left out of a search across stories");
        pattern_note(ps, true, &d);
        return;
    }
    if (pp->nwords) {
        Index *ix = cache_lookup(pp->cache, path, false, NULL);
        bool out_of_it = ix && !terms_hold(ix, pp->words, pp->nwords);
        index_free(ix);
        if (out_of_it) {
            ps->searched = ps->narrowed = true;
            return;
        }
    }
    Text *t = NULL;
    if (text_open(path, 0, &t, &d) != 0) {
        pattern_note(ps, true, &d);
        return;
    }
    ps->searched = true;
    bool places = pattern_places(pp, k);
    size_t limit = opt->limit ? opt->limit : SIZE_MAX;
    text_hold_loaded(t);
    size_t p = 0, released = 0;
    LineCursor lc = {0, 1, 0};
    for (;;) {
        if (pattern_left(pp, k)) break; /* its results go unused: not read on */
        /* placing stops once the stories before hold the limit (another thread's, meanwhile) */
        if (places && ps->nhits) places = pattern_places(pp, k);
        bool complete = text_complete(t);
        size_t np = text_paragraph_count(t);
        while (p < np && !ps->stopped) {
            size_t p1 = text_document_end(t, p);
            if (p1 == np && !complete) break; /* a piece of it may follow in the next step */
            const Span *m;
            size_t nm = regex_scan(re, text_bytes(t), text_paragraph(t, p).start,
                                   text_paragraph(t, p1 - 1).end, &m, &ps->stopped);
            ps->matches += nm;
            ps->total += nm > 0;
            for (size_t i = 0; i < nm && places && ps->nhits < limit; i++) {
                if (ps->nhits == ps->cap) {
                    ps->cap = ps->cap ? ps->cap * 2 : 16;
                    ps->hits = xreallocarray(ps->hits, ps->cap, sizeof *ps->hits);
                }
                ps->hits[ps->nhits++] = pattern_hit(k, t, &lc, m[i], opt->snippet_width);
            }
            p = p1;
        }
        /* searched: up to the first document not searched, or while loading the last
         * paragraph's end (what follows it may be the start of one not listed yet) */
        size_t done = p < np     ? text_paragraph(t, p).start
                      : complete ? text_len(t)
                      : np       ? text_paragraph(t, np - 1).end
                                 : 0;
        /* the lines counted while the bytes are here, when hits are still to be placed */
        if (places && ps->nhits < limit) line_cursor_to(&lc, text_bytes(t), done);
        text_release(t, released, done);
        released = done;
        if (complete || ps->stopped) break;
        text_load_step(t);
    }
    if (ps->stopped) {
        diag_set(&d, DIAG_INVALID, "%s", regex_stop_reason(re));
        pattern_note(ps, false, &d);
        size_t was = atomic_load(&pp->stop_at);
        while (k < was && !atomic_compare_exchange_weak(&pp->stop_at, &was, k))
            ;
    }
    /* of the whole story, now that its length is known (it grew as it loaded; the file's, for
     * one the pattern gave up in) */
    size_t len = text_complete(t) ? text_len(t) : text_len_estimate(t);
    for (size_t i = 0; i < ps->nhits; i++)
        ps->hits[i].percent = len ? (int)(ps->hits[i].span.start * 100 / len) : 0;
    text_free(t);
}

/* A worker: stories in order until none is left, the search stops or is cancelled. re: the
 * caller's, else NULL (one compiled here). The caller's thread reports progress (report): the
 * last count it reported is returned. */
static size_t pattern_work(PatternPool *pp, Regex *re, bool report)
{
    Regex *own = NULL;
    size_t reported = 0;
    if (!re) {
        Diag d = {0}; /* it compiled for the caller: it compiles here */
        if (regex_compile(pp->pattern, pp->opt->mode, &own, &d) != 0) return 0;
        re = own;
    }
    for (;;) {
        size_t k = atomic_fetch_add(&pp->next, 1);
        if (k >= pp->n || pattern_left(pp, k)) break;
        pattern_story(pp, re, k);
        pthread_mutex_lock(&pp->lock);
        pp->st[k].done = true;
        pthread_mutex_unlock(&pp->lock);
        size_t done = atomic_fetch_add(&pp->done, 1) + 1;
        if (report && pp->opt->progress) {
            pp->opt->progress(done, pp->n, pp->opt->progress_ctx);
            reported = done;
        }
    }
    regex_free(own);
    return reported;
}

static void *pattern_worker(void *arg)
{
    pattern_work(arg, NULL, false);
    return NULL;
}

/* library_search of a pattern (regex.h): each story read (a book imported, as everywhere), a
 * document at a time, on WORKERS threads; the first limit matches placed, in story order (a
 * pattern has no ranking), the same as one story after another. A pattern that gives up stops
 * the search: the stories after its story are left out, as if never read. */
static int search_pattern(IndexCache *cache, Regex *re, const char *pattern,
                          const char *const *paths, size_t n, const LibraryOptions *opt,
                          LibraryResult *out)
{
    /* the words the pattern needs, to rule out a story by its cached index, unread */
    char *words[8];
    size_t nwords = cache ? regex_required_words(re, words, 8) : 0;
    PatternPool pp = {.cache = cache,
                      .paths = paths,
                      .n = n,
                      .opt = opt,
                      .pattern = pattern,
                      .words = words,
                      .nwords = nwords,
                      .st = xcalloc(n ? n : 1, sizeof *pp.st),
                      .stop_at = SIZE_MAX};
    pthread_mutex_init(&pp.lock, NULL);
    pthread_t tid[WORKERS];
    int started = 0;
    for (int k = 1; k < WORKERS && (size_t)k < n; k++)
        if (thread_start(&tid[started], pattern_worker, &pp) == 0) started++;
    size_t reported = pattern_work(&pp, re, true);
    for (int k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
    pthread_mutex_destroy(&pp.lock);
    size_t done = atomic_load(&pp.done); /* the last stories may have been another's */
    if (opt->progress && done > reported) opt->progress(done, n, opt->progress_ctx);

    Notes notes = {0};
    size_t cap = 0;
    out->per_story = xcalloc(n ? n : 1, sizeof *out->per_story);
    out->nper_story = n;
    for (size_t k = 0; k < n; k++) {
        PatternStory *ps = &pp.st[k];
        bool used = !out->stopped; /* none after the story whose pattern gave up */
        if (used) {
            /* a story's note where it stands; the pattern's giving up among the story-less */
            if (ps->diag) note_add(&notes, ps->stopped ? 0 : k, ps->failed, ps->diag);
            out->searched += ps->searched;
            out->narrowed += ps->narrowed;
            out->per_story[k] = ps->matches;
            out->matches += ps->matches;
            out->total += ps->total;
        }
        for (size_t i = 0; i < ps->nhits; i++) {
            if (used && (!opt->limit || out->nhits < opt->limit)) {
                if (out->nhits == cap) {
                    cap = cap ? cap * 2 : 16;
                    out->hits = xreallocarray(out->hits, cap, sizeof *out->hits);
                }
                out->hits[out->nhits++] = ps->hits[i];
            } else {
                library_hit_free(&ps->hits[i]);
            }
        }
        free(ps->hits); /* as it goes: with no limit, the hits are not held twice */
        free(ps->diag);
        if (used && ps->stopped) out->stopped = true;
    }
    free(pp.st);
    if (!out->hits) out->hits = xcalloc(1, sizeof *out->hits);
    for (size_t w = 0; w < nwords; w++)
        free(words[w]);
    notes_into(&notes, out);
    return 0;
}

int library_search(IndexCache *cache, const char *const *paths, size_t n, const char *query,
                   const LibraryOptions *opt, LibraryResult *out, Diag *diag)
{
    *out = (LibraryResult){0};
    const char *pattern;
    if (search_is_regex(query, &pattern)) {
        Regex *re;
        if (regex_compile(pattern, opt->mode, &re, diag) != 0) return -1;
        int rc = search_pattern(cache, re, pattern, paths, n, opt, out);
        regex_free(re);
        if (rc == 0 && cancelled(opt->build)) {
            library_result_release(out);
            diag_set(diag, DIAG_INVALID, "search stopped");
            return -1;
        }
        return rc;
    }
    Query *q;
    if (query_parse(query, opt->mode, &q, diag) != 0) return -1;
    Notes notes = {0};
    bool *noted = xcalloc(n ? n : 1, sizeof *noted);
    out->per_story = xcalloc(n ? n : 1, sizeof *out->per_story);
    out->nper_story = n;
    SearchSet *set = NULL;
    /* the stories searched as they are opened, on the opening threads (a story whose query
     * reads its text is searched here, in add_stories, once loaded) */
    SearchPart **parts = query_needs_text(q) ? NULL : xcalloc(LIBRARY_BATCH, sizeof *parts);
    double alone_until = now_s() + POOL_ALONE_S; /* index_stories */
    Batch last = {0};                            /* the last batch, held for placing its hits */
    /* the stories a batch at a time: indexed (or their caches mapped), searched, let go, so that
     * what is held (mappings, memory, even the stories' records) is a batch's whatever the
     * shelf's size; a damaged cache page found on the way is rebuilt and the search run again */
    for (int pass = 0; pass < 2; pass++) {
        search_set_free(set);
        set = search_set_new(q);
        memset(out->per_story, 0, (n ? n : 1) * sizeof *out->per_story);
        out->searched = 0;
        bool sound = true;
        for (size_t b = 0; b < n && sound && !cancelled(opt->build); b += LIBRARY_BATCH) {
            Batch bt = batch_open(cache, paths, n, b, opt, parts ? q : NULL, parts, alone_until);
            if (bt.n > out->most_open) out->most_open = bt.n;
            for (size_t i = 0; i < bt.n; i++) {
                LibraryStory *st = &bt.s[i];
                if (noted[b + i]) continue;
                if (st->failed)
                    note_add(&notes, b + i, true, &st->diag);
                else if (st->report.note.code) /* kept aside, or not saved: say where */
                    note_add(&notes, b + i, false, &st->report.note);
                noted[b + i] = st->failed || st->report.note.code;
            }
            sound = add_stories(cache, q, bt.s, parts, b, bt.n, set, out->per_story, &out->searched,
                                &notes) ||
                    pass == 1;
            if (!sound) rebuild_damaged(cache, bt.s, b, bt.n, &notes);
            /* the last batch is kept: its hits are placed without opening it again (a shelf of
             * up to a batch is held once, as before batches) */
            if (!sound || b + bt.n < n)
                library_stories_free(bt.s, bt.n);
            else
                last = bt;
        }
        if (sound || cancelled(opt->build)) break;
        library_stories_free(last.s, last.n);
        last = (Batch){0};
    }
    free(noted);
    free(parts);                 /* each taken by add_stories */
    if (cancelled(opt->build)) { /* what was found is not the whole answer: none is given */
        library_stories_free(last.s, last.n);
        notes_into(&notes, out);
        library_result_release(out);
        search_set_free(set);
        query_free(q);
        diag_set(diag, DIAG_INVALID, "search stopped");
        return -1;
    }

    /* only the hits to place are ranked in order: a sort of them all would cost more than the
     * search itself for a common word */
    const SearchHit *hits;
    size_t best = opt->count_only ? 1 : opt->limit;
    out->total = search_set_hits(set, best, &hits);
    for (size_t k = 0; k < n; k++)
        out->matches += out->per_story[k];
    size_t want = opt->count_only                         ? 0
                  : opt->limit && opt->limit < out->total ? opt->limit
                                                          : out->total;
    out->hits = xcalloc(want ? want : 1, sizeof *out->hits);
    bool *unplaceable = xcalloc(n ? n : 1, sizeof *unplaceable);
    /* the hits' other stories, opened again one by one (their indexes from the cache) */
    LibraryStory **open = xcalloc(LIBRARY_BATCH, sizeof *open);
    size_t *open_id = xcalloc(LIBRARY_BATCH, sizeof *open_id), nopen = 0;
    for (size_t h = 0; h < want; h++) {
        size_t k = hits[h].story;
        if (unplaceable[k]) continue;
        Diag why = {0};
        LibraryStory *s =
            last.s && k >= last.base && k < last.base + last.n ? &last.s[k - last.base] : NULL;
        for (size_t i = 0; i < nopen && !s; i++)
            if (open_id[i] == k) s = open[i];
        if (!s) {
            if (nopen + last.n >= LIBRARY_BATCH) { /* a batch held: let it go first */
                for (size_t i = 0; i < nopen; i++)
                    library_stories_free(open[i], 1);
                library_stories_free(last.s, last.n);
                last = (Batch){0};
                nopen = 0;
            }
            s = stories_new(&paths[k], 1);
            open[nopen] = s;
            open_id[nopen++] = k;
            if (nopen + last.n > out->most_open) out->most_open = nopen + last.n;
            if (cache_index(cache, s->path, 1, 0, &s->index, &s->text, &s->report, &why) != 0) {
                unplaceable[k] = true;
                note_add(&notes, k, true, &why);
                continue;
            }
        }
        if (place_hit(cache, s, q, &hits[h], opt->snippet_width, &out->hits[out->nhits], &why) ==
            0) {
            out->nhits++;
        } else { /* changed or gone since it was indexed: its other hits are no better */
            unplaceable[k] = true;
            note_add(&notes, k, true, &why);
        }
    }
    free(unplaceable);
    for (size_t i = 0; i < nopen; i++)
        library_stories_free(open[i], 1);
    free(open);
    free(open_id);
    library_stories_free(last.s, last.n);

    notes_into(&notes, out);
    search_set_free(set);
    /* nothing, because of a capital: what ignoring case finds (the reader says the same) */
    if (!out->matches && opt->mode == SEARCH_SMART && query_needs_text(q)) {
        /* a second pass, counting only: the caches as the first left them (checked then, and
         * built), its progress said and its cancel heard as the first's */
        LibraryOptions fold = *opt;
        fold.mode = SEARCH_FOLD;
        fold.count_only = fold.no_suggestion = true;
        fold.flags = 0;
        LibraryResult folded = {0};
        Diag why = {0};
        int rc = library_search(cache, paths, n, query, &fold, &folded, &why);
        if (rc == 0) out->without_case = folded.matches;
        library_result_release(&folded);
        if (rc != 0 && cancelled(opt->build)) { /* Esc during it: stopped, as in the first pass */
            library_result_release(out);
            query_free(q);
            diag_set(diag, DIAG_INVALID, "search stopped");
            return -1;
        }
    }
    /* a word spelt wrong: the nearest one there */
    if (!out->matches && !out->without_case && !opt->no_suggestion)
        out->suggestion = suggest_in_batches(cache, q, paths, n, opt);
    query_free(q);
    return 0;
}

void library_result_release(LibraryResult *r)
{
    for (size_t h = 0; h < r->nhits; h++)
        library_hit_free(&r->hits[h]);
    free(r->hits);
    free(r->per_story);
    free(r->suggestion);
    free(r->notes);
    *r = (LibraryResult){0};
}
