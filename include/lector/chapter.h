/* chapter: chapter headings in plain text.
 *
 * A paragraph is a heading when it is one line (or a line and its underline) and reads as one:
 *   - a keyword and a number: "Chapter 12", "CHAPTER XII.", "Part Two", "Book the First" is not
 *     (no number after the keyword), "Глава 3", "ГЛАВА ТРЕТЬЯ", "Бөлім 2", "2-тарау",
 *     "Chapter 7: The Well"; the keywords of English, Russian and Kazakh books;
 *   - "第十二章" and its kin (章 回 节 for chapters, 卷 部 篇 for parts), with or without a title;
 *   - a Roman numeral or a number of up to three digits alone ("XII", "IV.", "12");
 *   - a prologue, epilogue, preface, introduction or afterword, alone or with a title;
 *   - a line underlined with === (a part) or --- (a chapter);
 *   - a short line centred (10 or more spaces before it) that does not read as a sentence or as
 *     speech.
 * A scene break ("* * *", "#", "~~~") has no letter and is never a heading. Parts are level 1
 * and chapters level 2 (text.h makes the top level found 1).
 *
 * Pure: no state, no allocation but the title it returns. Never touches the terminal.
 */
#ifndef LECTOR_CHAPTER_H
#define LECTOR_CHAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest paragraph looked at: a heading is a short line. */
enum { CHAPTER_HEADING_MAX = 160 };

/* The heading's title when the paragraph s[0, n) (valid UTF-8) is a heading, else NULL; the
 * caller frees it. *level: 1 or 2. *bare: only a keyword and its number (or a numeral): a short
 * line right after it may be its title (chapter_subtitle). */
char *chapter_heading(const uint8_t *s, size_t n, int *level, bool *bare);

/* When the paragraph s[0, n) after a bare heading reads as its title ("Down the Rabbit-Hole"),
 * heading joined with it ("Chapter I: Down the Rabbit-Hole"), else NULL. Caller frees. */
char *chapter_subtitle(const char *heading, const uint8_t *s, size_t n);

#endif
