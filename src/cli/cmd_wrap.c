/* cmd_wrap.c: `lector wrap` -- print stories as display lines, for pipes and for checking the
 * layout. Also what plain `lector PATH` does when its output is not a terminal (as less acts as
 * cat). */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "lector/config.h"
#include "lector/layout.h"
#include "lector/library.h"
#include "lector/strbuf.h"
#include "lector/text.h"
#include "lector/xalloc.h"
#include "lector/thread.h"

static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

/* Printing goes by batches: paragraphs copied out of the stream's window, laid out and
 * printed as one job, and written in the order they were read. A batch is sent when its text
 * holds BATCH_BYTES. From the first full one on, a second thread prints batches too: this one
 * reads and cleans the stories, and hands each full batch to the printer thread when that has
 * none waiting, else prints it itself; so the work is shared whichever of reading or laying
 * out costs more (Russian: about as much; Chinese: laying out, three times as much). A short
 * story never starts the thread. A batch whose printed lines pass OUT_FLUSH (lines padded to a
 * wide --visual width, say) writes them out early once every batch before it is written, so
 * memory stays bounded by the batches' text, OUT_FLUSH and a line for each.
 *
 * A batch's text: each paragraph's bytes, then a '\n' (a look past a paragraph's end sees a
 * line end, as in the story), and the literal pieces (a story's header, the blank line between
 * stories) as they are printed. */
enum { BATCH_BYTES = 256 << 10, OUT_FLUSH = 512 << 10 };

typedef struct {
    size_t start, end;    /* its bytes in the batch's text */
    int source_width;     /* its story's own line width (layout.h) */
    uint8_t blank_before; /* a blank line before it: a paragraph, not a piece of a long one */
    uint8_t literal;      /* printed as it is */
} BatchItem;

typedef struct {
    Strbuf text;
    BatchItem *items; /* owned */
    size_t n, cap;
    Strbuf out; /* the printed lines */
} Batch;

static BatchItem *batch_item(Batch *b)
{
    if (b->n == b->cap)
        b->items = xreallocarray(b->items, b->cap = b->cap ? 2 * b->cap : 256, sizeof *b->items);
    return &b->items[b->n++];
}

static void batch_free(Batch *b)
{
    strbuf_release(&b->text);
    strbuf_release(&b->out);
    free(b->items);
}

/* The batches in flight: one filled, at most one waiting for the printer thread, one printed
 * by each thread, and the printed ones waiting to be written in order; with none free, this
 * thread waits for the printer. */
enum { SLOTS = 6 };
typedef enum { SLOT_FREE, SLOT_FILLING, SLOT_QUEUED, SLOT_PRINTING, SLOT_DONE } SlotState;

typedef struct {
    Batch batch;
    SlotState state;
    uint64_t seq; /* the order it was sent in */
} Slot;

typedef struct {
    Slot slot[SLOTS];
    int filling;                   /* the slot this thread fills */
    uint64_t next_seq, next_write; /* the next batch sent, and written */
    const LayoutOptions *opt;      /* this thread's: its own breaker and bidi cache, as below */
    BidiCache *bidi;
    LayoutOptions printer_opt;  /* the printer thread's: its own dictionary breaker (sa) */
    BidiCache *printer_bidi;    /* owned; NULL but for --visual */
    bool tried, threaded, quit; /* the printer thread: asked for once, running, told to end */
    pthread_t thread;
    pthread_mutex_t lock; /* over the slots' states, once threaded */
    pthread_cond_t cond;  /* a slot queued, printed, or quit */
} Pipeline;

static void lock(Pipeline *p)
{
    if (p->threaded) pthread_mutex_lock(&p->lock);
}

static void unlock(Pipeline *p)
{
    if (p->threaded) pthread_mutex_unlock(&p->lock);
}

/* Writes the printed batches that are next in order (called locked: the writing is this
 * thread's, and the printer never touches a slot that is done). */
static void write_done(Pipeline *p)
{
    for (bool more = true; more;) {
        more = false;
        for (int k = 0; k < SLOTS; k++) {
            Slot *sl = &p->slot[k];
            if (sl->state == SLOT_DONE && sl->seq == p->next_write) {
                fwrite(sl->batch.out.buf, 1, sl->batch.out.len, stdout);
                /* a free slot keeps no more than a usual batch's room (below) */
                if (sl->batch.out.alloc > 2 * OUT_FLUSH) strbuf_release(&sl->batch.out);
                sl->state = SLOT_FREE;
                p->next_write++;
                more = true;
            }
        }
    }
    if (p->threaded) pthread_cond_broadcast(&p->cond); /* a printer may wait to write early */
}

/* Writes what the batch in sl has printed so far, once every batch before it is written
 * (waiting for that, and writing the batches done meanwhile when this is the reading thread,
 * whose job that is). */
static void write_early(Pipeline *p, Slot *sl, bool reader)
{
    lock(p);
    for (;;) {
        if (reader) write_done(p);
        if (sl->seq == p->next_write) break;
        pthread_cond_wait(&p->cond, &p->lock); /* an earlier batch unwritten: so threaded */
    }
    fwrite(sl->batch.out.buf, 1, sl->batch.out.len, stdout);
    strbuf_reset(&sl->batch.out);
    unlock(p);
}

/* Lays out and prints the items of the batch in sl into its out. opt: the width and the
 * dictionary breaker; bidi: NULL but for --visual. Both are the calling thread's own (two
 * threads print at once); reader: this is the reading thread. */
static void batch_print(Pipeline *p, Slot *sl, const LayoutOptions *opt, BidiCache *bidi,
                        bool reader)
{
    Batch *b = &sl->batch;
    strbuf_reset(&b->out);
    const uint8_t *t = (const uint8_t *)b->text.buf;
    LayoutOptions story = *opt;
    for (size_t k = 0; k < b->n; k++) {
        const BatchItem *it = &b->items[k];
        if (it->literal) {
            strbuf_add(&b->out, t + it->start, it->end - it->start);
            continue;
        }
        if (it->blank_before) strbuf_addch(&b->out, '\n');
        story.source_width = it->source_width;
        Span para = {it->start, it->end};
        LayoutCursor c;
        LayoutLine line;
        layout_cursor_init(&c, t, para, &story);
        bidi_cache_forget(bidi); /* the batch's buffer: the same address, other bytes */
        while (layout_cursor_next(&c, &line)) {
            if (bidi)
                layout_render_line_visual(t, para, &line, &story, bidi, &b->out);
            else
                layout_render_line(t, &line, &story, &b->out);
            strbuf_addch(&b->out, '\n');
            if (b->out.len >= OUT_FLUSH) write_early(p, sl, reader);
        }
    }
    b->n = 0;
    /* a batch that held a long piece (a hostile cluster's 1 MiB) gives its room back: six
     * slots keeping it would pass the 16 MiB the streaming is held to */
    if (b->text.alloc > 2 * BATCH_BYTES)
        strbuf_release(&b->text);
    else
        strbuf_reset(&b->text);
}

static void *printer_main(void *arg)
{
    Pipeline *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        Slot *job = NULL;
        for (int k = 0; k < SLOTS; k++)
            if (p->slot[k].state == SLOT_QUEUED) job = &p->slot[k];
        if (!job) {
            if (p->quit) break;
            pthread_cond_wait(&p->cond, &p->lock);
            continue;
        }
        job->state = SLOT_PRINTING;
        pthread_mutex_unlock(&p->lock);
        batch_print(p, job, &p->printer_opt, p->printer_bidi, false);
        pthread_mutex_lock(&p->lock);
        job->state = SLOT_DONE;
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static void start_printer(Pipeline *p)
{
    p->tried = true;
    /* a breaker and a bidi cache each: the two threads print at the same time */
    p->printer_opt = *p->opt;
    p->printer_opt.sa = sabreak_new();
    p->printer_bidi = p->bidi ? bidi_cache_new() : NULL;
    if (pthread_mutex_init(&p->lock, NULL) != 0) return;
    if (pthread_cond_init(&p->cond, NULL) != 0) {
        pthread_mutex_destroy(&p->lock);
        return;
    }
    if (thread_start(&p->thread, printer_main, p) != 0) {
        pthread_cond_destroy(&p->cond);
        pthread_mutex_destroy(&p->lock);
        return; /* then this thread prints every batch itself */
    }
    p->threaded = true;
}

/* Sends the batch being filled to be printed, and takes a free slot to fill next (waiting for
 * the printer when none is). full: it reached BATCH_BYTES (the thread starts then, not for a
 * story's last few paragraphs, and gets only full batches). */
static void send_batch(Pipeline *p, bool full)
{
    Slot *sl = &p->slot[p->filling];
    if (!sl->batch.n) return;
    if (full && !p->tried) start_printer(p);
    lock(p);
    sl->seq = p->next_seq++;
    bool queued = false;
    for (int k = 0; k < SLOTS; k++)
        queued |= p->slot[k].state == SLOT_QUEUED;
    if (p->threaded && full && !queued) {
        sl->state = SLOT_QUEUED;
        pthread_cond_broadcast(&p->cond);
    } else {
        sl->state = SLOT_PRINTING;
        unlock(p);
        batch_print(p, sl, p->opt, p->bidi, true);
        lock(p);
        sl->state = SLOT_DONE;
    }
    for (;;) {
        write_done(p);
        int k = 0;
        while (k < SLOTS && p->slot[k].state != SLOT_FREE)
            k++;
        if (k < SLOTS) {
            p->filling = k;
            p->slot[k].state = SLOT_FILLING;
            break;
        }
        pthread_cond_wait(&p->cond, &p->lock); /* all taken: so threaded */
    }
    unlock(p);
}

/* Prints and writes all that is held, and flushes stdout. false when the output failed. */
static bool pipeline_flush(Pipeline *p)
{
    send_batch(p, false);
    lock(p);
    for (;;) {
        write_done(p);
        if (p->next_write == p->next_seq) break;
        pthread_cond_wait(&p->cond, &p->lock); /* a batch with the printer: so threaded */
    }
    unlock(p);
    fflush(stdout);
    return !ferror(stdout);
}

static void add_literal(Pipeline *p, const char *s, size_t len)
{
    Batch *b = &p->slot[p->filling].batch;
    BatchItem *it = batch_item(b);
    *it = (BatchItem){.start = b->text.len, .end = b->text.len + len, .literal = 1};
    strbuf_add(&b->text, s, len);
}

static void pipeline_end(Pipeline *p)
{
    pipeline_flush(p);
    if (p->threaded) {
        pthread_mutex_lock(&p->lock);
        p->quit = true;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
        pthread_join(p->thread, NULL);
        pthread_cond_destroy(&p->cond);
        pthread_mutex_destroy(&p->lock);
    }
    for (int k = 0; k < SLOTS; k++)
        batch_free(&p->slot[k].batch);
    sabreak_free(p->printer_opt.sa);
    bidi_cache_free(p->printer_bidi);
}

/* Prints the story s as display lines, a paragraph at a time (text_stream: memory bounded by
 * the longest paragraph piece and the batches, whatever the story's size); what is held is
 * written out when the input makes us wait (tail -f | lector wrap). false when the output failed
 * (a closed pipe with SIGPIPE ignored, a full disk): reading on would never end for a pipe
 * without end. */
static bool print_story(TextStream *s, Pipeline *p)
{
    /* the story's own line width, for its verse and letters (layout.h), as the reader finds it */
    int source_width = text_stream_source_width(s);
    const uint8_t *bytes;
    Span para;
    bool joined, first = true;
    while (text_stream_next(s, &bytes, &para, &joined)) {
        Batch *b = &p->slot[p->filling].batch;
        BatchItem *it = batch_item(b);
        /* A piece of a long paragraph goes on at a new line, not after a blank one. */
        *it = (BatchItem){.start = b->text.len,
                          .end = b->text.len + (para.end - para.start),
                          .source_width = source_width,
                          .blank_before = !first && !joined};
        first = false;
        strbuf_add(&b->text, bytes + para.start, para.end - para.start);
        strbuf_addch(&b->text, '\n');
        if (b->text.len >= BATCH_BYTES) {
            send_batch(p, true);
            if (ferror(stdout)) return false;
        }
        /* all that was read goes out before waiting for more (the batch just sent too) */
        if (text_stream_waiting(s) && !pipeline_flush(p)) return false;
    }
    return true;
}

/* Prints one path; returns 0, EXIT_USAGE, or -1 when the output failed (nothing more is
 * worth reading). */
static int wrap_one(const char *path, bool raw, Pipeline *p, int header)
{
    TextStream *s = NULL;
    Diag diag = {0};
    if ((raw ? text_stream_open_raw(path, &s, &diag) : text_stream_open(path, &s, &diag)) != 0) {
        pipeline_flush(p);
        cli_error("%s", diag.msg);
        return EXIT_USAGE;
    }
    if (header) {
        const char *title = text_stream_title(s);
        Strbuf h = STRBUF_INIT;
        strbuf_addstr(&h, "==> ");
        text_escape(title, strlen(title), &h);
        strbuf_addstr(&h, " <==\n");
        add_literal(p, h.buf, h.len);
        strbuf_release(&h);
    }
    if (!print_story(s, p)) {
        text_stream_free(s);
        return -1; /* the output failed: the caller stops, and says so once */
    }
    const char *notice = text_stream_notice(s); /* complete now: every byte was read */
    if (notice) {
        pipeline_flush(p);
        cli_error("%s: %s", path, notice);
    }
    text_stream_free(s);
    return 0;
}

static void wrap_usage(FILE *f)
{
    fputs("usage: lector wrap [--width N] [--visual] [--raw] [FILE|FOLDER|-]...\n"
          "Prints each story as display lines, a blank line between paragraphs.\n"
          "  -w, --width N   wrap at N columns (8-4096; default: the terminal's width, or 80)\n"
          "  -v, --visual    display order: right-to-left text reordered, its paragraphs\n"
          "                  aligned right (for a device that does no bidi of its own;\n"
          "                  by default lines keep the file's logical order)\n"
          "  --raw           a book as the file it is (a Project Gutenberg book with its\n"
          "                  licence, an HTML page as markup), not imported\n"
          "  -h, --help      show this help\n",
          f);
}

static int parse_width(const char *arg, int *width)
{
    char *end;
    errno = 0;
    long w = strtol(arg, &end, 10);
    if (errno || end == arg || *end || w < LAYOUT_MIN_WIDTH || w > LAYOUT_MAX_WIDTH) {
        cli_error("--width: '%s' is not a whole number from %d to %d", arg, LAYOUT_MIN_WIDTH,
                  LAYOUT_MAX_WIDTH);
        return -1;
    }
    *width = (int)w;
    return 0;
}

int cmd_wrap(int argc, char **argv, const char *default_texts)
{
    static const struct option longopts[] = {
        {"width", required_argument, NULL, 'w'},
        {"visual", no_argument, NULL, 'v'},
        {"bidi", required_argument, NULL, 'B'}, /* the reader's: `lector --bidi off f | less` */
        {"raw", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int width = 0, opt;
    bool visual = false, raw = false;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+w:vh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'w':
            if (parse_width(optarg, &width) != 0) return EXIT_USAGE;
            break;
        case 'v':
            visual = true;
            break;
        case 'R':
            raw = true;
            break;
        case 'B': { /* checked, then nothing to do: printing keeps logical order (--visual) */
            int ignored;
            if (config_parse_bidi(optarg, strlen(optarg), &ignored) != 0) {
                cli_error("--bidi: '%s' is not auto, on or off", optarg);
                return EXIT_USAGE;
            }
            break;
        }
        case 'h':
            wrap_usage(stdout);
            return 0;
        default:
            if (optopt == 'w')
                cli_error("--width needs a number of columns");
            else if (optopt)
                cli_error("unknown option '-%c' (see: lector wrap --help)", optopt);
            else
                cli_error("unknown option '%s' (see: lector wrap --help)", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (!width) width = terminal_width();
    if (width < LAYOUT_MIN_WIDTH) width = LAYOUT_MIN_WIDTH;
    if (width > LAYOUT_MAX_WIDTH) width = LAYOUT_MAX_WIDTH;
    LayoutOptions lopt = {.width = width};

    char *default_arg[] = {(char *)default_texts, NULL};
    char **paths = argv + optind;
    int npaths = argc - optind;
    if (npaths == 0) {
        /* No path: a story piped or redirected into stdin, else the default texts folder. */
        if (!default_texts || cli_stdin_has_story()) {
            static char dash[] = "-";
            default_arg[0] = dash;
        } else if (cli_default_texts_ok(default_texts) != 0) {
            return EXIT_USAGE;
        }
        paths = default_arg;
        npaths = 1;
    }
    int status = 0, printed = 0;
    BidiCache *bidi = visual ? bidi_cache_new() : NULL;
    SaBreaker *sa = sabreak_new(); /* Thai and its kin: one dictionary iterator for all */
    lopt.sa = sa;
    Pipeline p = {.opt = &lopt, .bidi = bidi};
    p.slot[0].state = SLOT_FILLING;
    for (int i = 0; i < npaths; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            size_t n;
            char **names;
            Diag diag = {0};
            if (library_list_folder(paths[i], &names, &n, &diag) != 0) {
                pipeline_flush(&p);
                cli_error("%s", diag.msg);
                status = EXIT_USAGE;
                continue;
            }
            if (n == 0) {
                pipeline_flush(&p);
                cli_error("%s: no .txt stories in this folder", paths[i]);
            }
            int rc = 0;
            for (size_t k = 0; k < n; k++) {
                if (printed++) add_literal(&p, "\n", 1);
                if (rc >= 0) rc = wrap_one(names[k], raw, &p, 1);
                if (rc > 0) status = rc;
                free(names[k]);
            }
            free(names);
            if (rc < 0) break;
            continue;
        }
        if (printed++) add_literal(&p, "\n", 1);
        int rc = wrap_one(paths[i], raw, &p, npaths > 1);
        if (rc < 0) break;
        if (rc > 0) status = rc;
    }
    pipeline_end(&p);
    bidi_cache_free(bidi);
    sabreak_free(sa);
    return cli_output_failed() ? 1 : status;
}
