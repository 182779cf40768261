/* index: an inverted index of one story, with positions.
 *
 * Owns its terms and postings; borrows nothing after index_build returns. A story's tokens
 * (token.h) are numbered 0, 1, 2, ... in order: their positions. For each folded term the index
 * keeps the positions it occurs at; for each paragraph, the position of its first token. A
 * token's bytes are found again by tokenizing its paragraph (index_token_span): the index does not
 * store offsets, which keeps it near a byte per token.
 *
 * Documents, for ranking, are paragraphs; the pieces of a long paragraph (text.h) are one.
 */
#ifndef LECTOR_INDEX_H
#define LECTOR_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "lector/text.h"

typedef struct Index Index;

/* Indexes all of t (loading it to its end). The index refers to t's paragraphs by number and
 * offset: use it with that Text only. */
Index *index_build(Text *t);
void index_free(Index *ix); /* NULL is a no-op */

size_t index_term_count(const Index *ix);
const char *index_term(const Index *ix, uint32_t id, size_t *len); /* folded, NUL-terminated */
/* The id of a folded term; -1 when the story does not have it. */
int64_t index_lookup(const Index *ix, const char *folded, size_t len);
/* How many times term id occurs. */
size_t index_term_frequency(const Index *ix, uint32_t id);
/* The positions of term id, ascending, into *out (malloc'd; the caller frees); returns their
 * count. */
size_t index_positions(const Index *ix, uint32_t id, uint32_t **out);

uint32_t index_token_count(const Index *ix);
/* Documents (paragraphs, pieces joined): how many, which one holds a position, and its span of
 * positions [first, end). */
size_t index_doc_count(const Index *ix);
size_t index_doc_of(const Index *ix, uint32_t pos);
void index_doc_positions(const Index *ix, size_t doc, uint32_t *first, uint32_t *end);

/* The byte span in the story of the token at pos (tokenizes its paragraph). */
Span index_token_span(const Index *ix, const Text *t, uint32_t pos);
/* The spans of the tokens at pos[0..n) (ascending), tokenizing each paragraph once. */
void index_token_spans(const Index *ix, const Text *t, const uint32_t *pos, size_t n, Span *out);
/* Bytes held, for the benchmark. */
size_t index_memory(const Index *ix);

#endif
