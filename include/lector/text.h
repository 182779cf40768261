/* text: a loaded story. Turns any bytes into text lector can show, and owns them.
 *
 * Loading never fails on content. The story's bytes (text_bytes) are always valid UTF-8:
 *   - invalid UTF-8 becomes U+FFFD, one per maximal ill-formed subsequence (Unicode ch. 3,
 *     "U+FFFD Substitution of Maximal Subparts");
 *   - a leading UTF-8 BOM is dropped; CRLF and a lone CR become LF;
 *   - a file that is not UTF-8 at all (no valid multi-byte sequence) and reads unambiguously as
 *     Windows-1251 or Latin-1 is converted from it, and text_notice() says so;
 *   - control characters stay in the text as code points: they are made visible when rendered
 *     (layout_render_*), never here, so that search and offsets see the story as written.
 * Every other module refers to the story by byte offset into text_bytes(); text_source_offset()
 * maps such an offset back to the file.
 *
 * Paragraphs are runs of non-blank lines (a blank line holds only spaces and tabs). A
 * paragraph's span keeps its inner line ends; layout decides what they mean. A paragraph over
 * 64 KiB is listed as pieces (at a line end, else after a space, else at a cluster boundary,
 * and inside a cluster over 1 MiB -- hostile -- at a code point),
 * each after the first marked joined, so that no one paragraph is ever costly to lay out; the
 * reader shows a piece as a new line, not a new paragraph.
 *
 * Big files open in steps (text_open): the first screen needs only the first bytes, and the
 * rest is read when asked for (text_load_step when idle, or text_load_until and friends). While
 * loading, text_len and the paragraph list cover the part read and checked so far; both only
 * grow, and an offset or paragraph once handed out never changes meaning. The content is fixed
 * from the start: loading is filling a cache, never editing the story.
 *
 * A book (EPUB, FB2, HTML, Markdown, Project Gutenberg text, or any file compressed: import.h)
 * is imported whole into memory when opened, and its text is the story; its title, author and
 * chapters come with it. A plain text's chapters are found in its headings (chapter.h) as its
 * paragraphs are listed.
 *
 * Never touches the terminal.
 */
#ifndef LECTOR_TEXT_H
#define LECTOR_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lector/diag.h"
#include "lector/import.h"
#include "lector/sabreak.h"
#include "lector/strbuf.h"

/* A byte range [start, end) of a story's text. */
typedef struct {
    size_t start, end;
} Span;

typedef enum { TEXT_UTF8, TEXT_CP1251, TEXT_LATIN1 } TextEncoding;

typedef struct Text Text;

/* The most of a story copied into memory: what text_load and text_load_fd take (it also bounds
 * endless inputs such as `yes |`), and what text_open cleans of a file that needs it. A file
 * text_open can map has no limit. 256 MiB: a long novel is 1-2 MiB; the 100 MB benchmark
 * corpus fits. */
#define TEXT_MAX_BYTES ((size_t)256 << 20)

/* Loads the file at path. Refuses, with one line in *diag, a missing path, a folder, a FIFO,
 * device or socket (they can block or never end), an unreadable file and one over max_bytes
 * (0 means TEXT_MAX_BYTES). On success *out owns everything; free it with text_free. */
int text_load(const char *path, size_t max_bytes, Text **out, Diag *diag);

/* Reads fd to its end (a pipe on stdin, say), stopping with an error past max_bytes. name is
 * used for the title and messages ("-" for stdin). Does not close fd. */
int text_load_fd(int fd, const char *name, size_t max_bytes, Text **out, Diag *diag);

/* Like text_load, but a file of 1 MiB or more is mapped (mapfile.h), not copied, and has no size
 * limit: only enough of it is checked for the title and the first paragraphs now (a few ms for
 * any size), the rest by the calls below. Valid UTF-8 with no CR is used where it is mapped.
 * A file found to need cleaning is cleaned in steps, as it is read, into a scratch file (see
 * TextOpenOptions), which is mapped in its place: no size limit either, and memory holds a
 * piece of it, not all (the checkpoint map takes 16 bytes per KiB). Where no scratch file can
 * be made, it is cleaned into memory instead, up to max_bytes (0: TEXT_MAX_BYTES) of it, and
 * the story ends at the last line end before that (the notice says so). Where a file
 * cannot be mapped it is read into memory instead, refused over max_bytes. The file stays open
 * until complete. Reading continues from the same file: if it is replaced by a new file, the
 * old one is read; if it shrinks, the story ends where it ended (text_shrank). A scratch file
 * that cannot be written to the end (a full disk) ends the story where it stopped, and the
 * notice says so. */
int text_open(const char *path, size_t max_bytes, Text **out, Diag *diag);

typedef struct {
    size_t max_bytes;        /* 0: TEXT_MAX_BYTES */
    const char *scratch_dir; /* for the cleaned copy of a big file; NULL: $TMPDIR, else /tmp.
                                The reader and the cache give the cache folder (/tmp may be
                                memory). Borrowed for the call. */
    bool raw;                /* the file as it is: no book import (a Gutenberg book's licence,
                                an HTML file's markup) */
} TextOpenOptions;
/* text_open with options; opt may be NULL. */
int text_open_with(const char *path, const TextOpenOptions *opt, Text **out, Diag *diag);

bool text_complete(const Text *t);
/* Reads and checks one more step (4 MiB); true when complete. For idle time. */
bool text_load_step(Text *t);
void text_load_all(Text *t);
/* Loads until byte off is known (off < text_len) or the story is complete. */
void text_load_until(Text *t, size_t off);
/* Loads until paragraph i is known; false if the story has fewer. */
bool text_paragraph_ready(Text *t, size_t i);
/* The length when complete; while loading, the file's size (less a BOM): close enough for
 * percentages. */
size_t text_len_estimate(const Text *t);
/* For G on a story still being read: the story's last ~256 KiB (from a paragraph start) as a
 * small complete Text of its own, read from the end of the file, and in *base the offset in t
 * of its first byte. NULL when there is no such shortcut: t complete or nearly, or the tail
 * needs cleaning (its offsets would not match t's). The caller owns the result. */
Text *text_open_tail(const Text *t, size_t *base);
/* The caller knows that the whole file is clean as read -- an index of this very file says so
 * (index_clean_as_read): offsets far past what is loaded are then the file's, which the two
 * calls below need (a byte to clean before a place would move it). Not said, they answer NULL. */
void text_set_clean_throughout(Text *t);
/* For a place far past what is loaded (a search's match, a jump): about 256 KiB of the story
 * around byte off (from a paragraph start at or before it to a paragraph end after it, so that
 * its paragraphs are the story's), as a small complete Text of its own read from the file, and
 * in *base the offset in t of its first byte; *to_end when it ends where the story does. NULL
 * as for text_open_tail, and when the story is not known clean throughout, off is past the
 * file's end or no blank line is near it. The caller owns the result. */
Text *text_open_window(const Text *t, size_t off, size_t *base, bool *to_end);
/* Bytes [from, to) of a story still loading, read from its file without loading up to them:
 * for a story known clean throughout whose bytes there are clean UTF-8 (a sequence the range
 * cuts at either end aside), at most TEXT_READ_AHEAD_MAX of them. malloc'd (the caller frees),
 * with a NUL after them; NULL when there is no such shortcut (load the story up to them). */
enum { TEXT_READ_AHEAD_MAX = 1 << 20 };
uint8_t *text_read_ahead(const Text *t, size_t from, size_t to);
/* The file was found shorter than when it was opened (truncated while being read): the story
 * ends where it was found to end, and a part already shown that was cut off reads as NULs. The
 * notice says so. */
bool text_shrank(const Text *t);
/* Advice, after reading [from, to) of the text once: where the story is a mapped file's bytes,
 * those pages leave this process's memory (mapfile_release: read back from the file on the next
 * touch); nothing for a story in memory. Loading does it behind itself, and so do the index
 * build and text_content_hash, so that reading a story whole holds a step of it, not all. */
void text_release(const Text *t, size_t from, size_t to);
/* From now on loading leaves what it loads in memory, for a caller that reads each step once as
 * it comes (a pattern search) and then releases it itself: released by loading, the pages were
 * read in from the file a second time to be searched (a fifth of a search of 103 MB). */
void text_hold_loaded(Text *t);
/* hash_bytes(text_bytes(t), text_len(t), 0), a piece at a time, released behind: the story's
 * fingerprint (for the index cache) in bounded memory. Of what is loaded: load it all first. */
uint64_t text_content_hash(const Text *t);
/* The text is the file's bytes as read (but a BOM): no byte was replaced, so text offsets are
 * file offsets. While loading, as far as loaded. */
bool text_clean_as_read(const Text *t);

/* The story's chapters: a book's own (its table of contents), or a plain text's headings found
 * so far (while loading, of the part loaded). Offsets ascend; levels count from 1. */
size_t text_chapter_count(const Text *t);
Chapter text_chapter(const Text *t, size_t i); /* i < count; the title is borrowed */
/* The chapter holding byte off: the last one starting at or before it; SIZE_MAX when off is
 * before the first (or there is none). */
size_t text_chapter_at(const Text *t, size_t off);
/* A book's metadata; NULL when it does not say (a plain text never does). Borrowed. */
/* A book's key (bookcache.h, BookKey.content: a hash of its file's bytes), by which its places are
 * kept too (state.h); 0 for a story that was not imported. */
uint64_t text_source_key(const Text *t);
/* A book's cache key without opening it: 1 with *key (BookKey.name: its bytes and what its name
 * tells the importers, bookcache.h) when the file at path is a book (its bytes read and hashed,
 * not imported), 0 when it is not one, -1 when it cannot be read. */
int text_book_key(const char *path, uint64_t *key);
const char *text_author(const Text *t);
const char *text_language(const Text *t);
/* What the file was read as: "EPUB", "FB2", "HTML", "Markdown", "Project Gutenberg text" or
 * "text"; and its compression ("gzip", "xz", "bzip2", "zstd") or NULL. Static strings. */
const char *text_format(const Text *t);
const char *text_compression(const Text *t);
/* The text was imported: it is not the file's bytes (then text_clean_as_read is false). */
bool text_imported(const Text *t);
/* The story was opened from a file looked at for a book and found not to be one (a file of
 * 1 MiB or more, mapped): cache_lookup need not read its head again to know. */
bool text_is_plain_file(const Text *t);
/* The story's own line width for layout (LayoutOptions.source_width): LAYOUT_LINES_MEANT for a
 * book read from markup (every line end inside its paragraphs is a <br>, a list item or a verse
 * line), else layout_source_width of its first 64 KiB (in its first load step). */
int text_source_width(Text *t);

/* Piece i continues the paragraph before it (no blank line between them). */
bool text_paragraph_joined(const Text *t, size_t i);
/* The paragraph after the document that starts at paragraph p: p and the pieces joined to it
 * (as an index numbers documents), of the paragraphs known. */
size_t text_document_end(const Text *t, size_t p);

/* Builds a story from bytes in memory (copied). name may be NULL. Never fails. */
Text *text_from_bytes(const void *bytes, size_t len, const char *name);
/* Whether text_from_bytes would keep these bytes as they are, as its one paragraph, [0, len) and
 * not in pieces: what a caller laying out many small texts can skip building a Text for. */
bool text_bytes_are_one_paragraph(const void *bytes, size_t len);

void text_free(Text *t); /* NULL is a no-op */

/* A story read once from start to end, a paragraph at a time, in memory bounded by its longest
 * paragraph piece plus a read buffer, for any size of input (lector wrap). No size limit: a
 * pipe that never ends streams. The paragraphs, pieces, title and bytes are those text_load
 * gives for the same input, but for the encoding in three cases: a file whose first invalid
 * byte comes after its first 256 KiB keeps UTF-8 for the rest unless what went before was ASCII
 * (as text_open does); a pipe's legacy encoding is judged on the 4 MiB that follow its first
 * invalid byte, and a file's on the 256 MiB that do (a 16 GB file of invalid bytes starts at
 * once). The notice (text_stream_notice) is complete at the end. */
typedef struct TextStream TextStream;
/* Opens path ("-": standard input), refusing what text_load refuses but for the size. Reads
 * the story's head (256 KiB, and its title) now. A line that starts with more than 64 KiB of
 * blanks ends the paragraph before it, here as in text_load (text.c, split_advance). */
int text_stream_open(const char *path, TextStream **out, Diag *diag);
/* The same with the file as it is: a book not imported (TextOpenOptions.raw). */
int text_stream_open_raw(const char *path, TextStream **out, Diag *diag);
/* The same from fd, which the stream closes when own_fd. name: for the title. */
int text_stream_open_fd(int fd, const char *name, bool own_fd, TextStream **out, Diag *diag);
/* The story's first 256 KiB, clean (all of it when shorter; from a slow pipe, what had come
 * when the title was known). Owned by s. For layout_source_width. */
void text_stream_head(const TextStream *s, const uint8_t **bytes, size_t *len);
/* The input is a pipe or terminal with nothing to read now: a caller holding output should
 * write it out before asking for the next paragraph. */
bool text_stream_waiting(const TextStream *s);
const char *text_stream_title(const TextStream *s); /* as text_title; borrowed */
/* As text_source_width, of the stream's head. */
int text_stream_source_width(const TextStream *s);
/* The next paragraph or piece: *para is a span of *bytes, both valid until the next call;
 * *joined as text_paragraph_joined. false at the end. */
bool text_stream_next(TextStream *s, const uint8_t **bytes, Span *para, bool *joined);
/* As text_notice, for what was read so far (all of it, after the last text_stream_next). */
const char *text_stream_notice(TextStream *s);
void text_stream_free(TextStream *s); /* NULL is a no-op */

/* Valid UTF-8, NUL-terminated once complete; borrowed, and valid until the next loading call
 * (a story found to need cleaning part way gets a new buffer with the same prefix). A mapped
 * story is the file's bytes: if another program rewrites the file in place while it is open, a
 * part not read yet shows the new bytes, which may then not be valid UTF-8. Readers of the text
 * decode it bounds-checked (ucd_decode) and so stay safe; the story just reads oddly. */
const uint8_t *text_bytes(const Text *t);
size_t text_len(const Text *t);
size_t text_paragraph_count(const Text *t);
Span text_paragraph(const Text *t, size_t i); /* i < text_paragraph_count */
/* Index of the paragraph holding off, or of the first one after it; count if none. */
size_t text_paragraph_at(const Text *t, size_t off);

/* The title: the first line when it is short and a blank line follows it, else made from the
 * file name ("ivan-baktybekova.txt" -> "Ivan Baktybekova"). Valid UTF-8; borrowed. */
const char *text_title(const Text *t);
/* Where the title came from: 1 when it is the story's first line (the reader may then skip
 * that paragraph when showing the title separately), 0 when made from the file name. */
int text_title_is_first_line(const Text *t);

/* Words, for reading time: runs of letters and digits (Hangul's too: Korean spaces its words),
 * each ideograph or kana on its own (scripts written without spaces), and in Thai, Lao, Khmer
 * and Burmese the words their dictionaries find (sa, borrowed: sabreak.h; NULL, or no ICU: a
 * run of their letters is a word). Counted once, on first call (later calls return that count,
 * whatever sa). */
size_t text_word_count(const Text *t, SaBreaker *sa);

/* The same count in steps, for callers that must not block: counts bytes [*pos, *pos + budget)
 * (extended to a code point boundary, or by up to 4 KiB of a Thai-like run) into *words,
 * carrying *in_word; *pos == text_len at the end. A step ends early once it has given the
 * dictionary budget / 8 bytes (it is that much slower). Start with *pos = 0, *words = 0,
 * *in_word = 0. */
void text_count_words_step(const Text *t, size_t *pos, size_t budget, size_t *words, int *in_word,
                           SaBreaker *sa);

TextEncoding text_encoding(const Text *t);
size_t text_replacements(const Text *t); /* how many U+FFFD were substituted */
/* A one-line note for the status line, or NULL: "not valid UTF-8: 3 bytes shown as U+FFFD",
 * "converted from Windows-1251", "looks like a binary file". Borrowed. */
const char *text_notice(const Text *t);
/* The line ends that were not LF and now are, in the part loaded: *crlf CR LF pairs (Windows),
 * *cr CRs alone (old Mac OS). Not in the notice: such a file reads as it should, so only the
 * file's details (the reader's C-g) say so. */
void text_line_ends_cleaned(const Text *t, size_t *crlf, size_t *cr);

/* The visible stand-in for a code point that must never reach a terminal as it is: C0 controls
 * and DEL become Control Pictures (U+2400..U+2421, ESC is "␛"); C1 controls, bidi controls
 * (U+061C, U+200E/F, U+202A..E, U+2066..9), U+2028/9 and unassigned code points and
 * noncharacters (terminals disagree on their width: one draws U+0382 in a column, another
 * drops U+0E7E) become "<U+XXXX>" (4 to 6 hex digits), as less shows them. Writes UTF-8 to out
 * and returns its length, or 0 when cp is safe to draw as it is. A stand-in longer than 3 bytes
 * is ASCII: its width is its length. */
enum { TEXT_VISIBLE_MAX = 10 }; /* "<U+10FFFF>" */
size_t text_visible_control(uint32_t cp, uint8_t out[TEXT_VISIBLE_MAX]);

/* Appends any bytes as one safe terminal line: invalid UTF-8 as U+FFFD, every code point that
 * text_visible_control covers (line ends too) as its stand-in. For titles, file names and
 * messages. */
void text_escape(const void *bytes, size_t len, Strbuf *out);

/* Byte offset in the original file of the code point that starts at text offset off. */
size_t text_source_offset(const Text *t, size_t off);

#endif
