#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lector/pager.h"

static Text *sample(void)
{
    Strbuf sb = STRBUF_INIT;
    for (int p = 0; p < 40; p++) {
        for (int w = 0; w < 5 + (p * 7) % 60; w++)
            strbuf_addf(&sb, "w%dx%d ", p, w);
        strbuf_addstr(&sb, "\n\n");
    }
    Text *t = text_from_bytes(sb.buf, sb.len, "sample.txt");
    strbuf_release(&sb);
    return t;
}

/* A pager over the sample at width 30 with every row counted. */
static Pager *counted_pager(Text *t, LayoutOptions *opt)
{
    opt->width = 30;
    Pager *p = pager_new(t, opt);
    while (!pager_count_step(p, 3)) {
    }
    return p;
}

/* The row that holds the anchor stays the top row at every width. */
Test(pager, a_new_width_keeps_the_anchor_on_the_top_row)
{
    Text *t = sample();
    LayoutOptions opt = {.width = 40};
    Pager *p = pager_new(t, &opt);
    for (size_t off = 0; off < text_len(t); off += 97) {
        pager_set_top_offset(p, off);
        for (int w = 8; w <= 120; w += 7) {
            pager_set_width(p, w);
            PagerRow row;
            cr_assert_eq(pager_rows(p, 1, &row), 1);
            Span sp = text_paragraph(t, row.para);
            if (off >= sp.start && off < sp.end && !row.gap)
                cr_assert(row.line.start <= off && off < row.line.end + 1,
                          "width %d: offset %zu not on the top row [%zu,%zu)", w, off,
                          row.line.start, row.line.end);
        }
    }
    pager_free(p);
    text_free(t);
}

Test(pager, scrolling_is_clamped_and_counts_agree)
{
    Text *t = sample();
    LayoutOptions opt = {0};
    Pager *p = counted_pager(t, &opt);
    size_t top, total;
    cr_assert(pager_row_index(p, &top, &total));
    cr_assert_eq(top, 0);
    size_t lines = 0; /* every line of every paragraph, plus a gap between paragraphs */
    for (size_t i = 0; i < text_paragraph_count(t); i++) {
        LayoutLine *l;
        lines += layout_wrap_paragraph(text_bytes(t), text_paragraph(t, i), &opt, &l);
        free(l);
    }
    cr_assert_eq(total, lines + text_paragraph_count(t) - 1);
    long moved = pager_scroll(p, 1000000, 10);
    cr_assert_eq((size_t)moved, total - 10, "stops with the last row at the bottom");
    cr_assert_eq(pager_percent(p, 10), 100);
    cr_assert_eq(pager_scroll(p, 5, 10), 0);
    cr_assert_eq(pager_scroll(p, -1000000, 10), -moved);
    pager_go_last(p, 10);
    cr_assert(pager_row_index(p, &top, &total));
    cr_assert_eq(top, total - 10);
    pager_go_percent(p, 50, 10);
    int pct = pager_percent(p, 10);
    cr_assert(pct >= 50 && pct < 100, "50%% lands at %d%%", pct);
    pager_free(p);
    text_free(t);
}

/* last-page = book: whole screens every time, the last part empty; a turn past it does nothing;
 * every row is on exactly one page. */
Test(pager, book_pages_turn_whole_screens)
{
    Text *t = sample();
    LayoutOptions opt = {0};
    Pager *p = counted_pager(t, &opt);
    size_t top, total;
    cr_assert(pager_row_index(p, &top, &total));
    size_t pages = 1;
    while (pager_turn_pages(p, 1, 10) == 10)
        pages++;
    cr_assert(pager_row_index(p, &top, &total));
    cr_assert_eq(top, (pages - 1) * 10, "each turn a whole screen");
    cr_assert_eq(pages, (total + 9) / 10, "%zu rows in %zu pages", total, pages);
    cr_assert_neq(total % 10, 0, "the sample's last page is part empty");
    PagerRow rows[10];
    cr_assert_eq(pager_rows(p, 10, rows), (int)(total % 10));
    cr_assert_eq(pager_percent(p, 10), 100);
    cr_assert_eq(pager_top_percent(p, 10), 100);
    size_t page, n;
    cr_assert(pager_page(p, 10, &page, &n) && page == n);
    cr_assert_eq(pager_scroll(p, 1, 10), 0, "a line down stays: the end is on the page");
    pager_go_first(p);
    cr_assert_eq(pager_turn_pages(p, 3, 10), 30, "a count turns that many");
    pager_free(p);
    text_free(t);
}

Test(pager, an_empty_story)
{
    Text *t = text_from_bytes("", 0, "empty.txt");
    LayoutOptions opt = {.width = 30};
    Pager *p = pager_new(t, &opt);
    PagerRow row;
    cr_assert_eq(pager_rows(p, 1, &row), 0);
    cr_assert_eq(pager_scroll(p, 5, 10), 0);
    cr_assert_eq(pager_percent(p, 10), 100);
    pager_free(p);
    text_free(t);
}

/* The status line's percent and page follow the top line, and agree: 0% and page 1 at the top,
 * 100% and the last page once the end is on screen, N% going to where the status says N%, and
 * one row off either end keeping that end's page (no "page 2 of 3" a row before the end). */
Test(pager, percent_and_page_follow_the_top_line)
{
    Text *t = sample();
    LayoutOptions opt = {.width = 40};
    Pager *p = pager_new(t, &opt);
    int rows = 20;
    cr_assert_eq(pager_top_percent(p, rows), 0, "by bytes before the rows are counted");
    size_t page, pages, top, total;
    cr_assert(!pager_page(p, rows, &page, &pages), "no pages before the rows are counted");
    while (!pager_count_step(p, 1000)) {
    }
    cr_assert(pager_page(p, rows, &page, &pages));
    cr_assert(pager_row_index(p, &top, &total));
    size_t last = total - (size_t)rows;
    cr_assert_geq(last, 100, "the sample has room for every percent");
    cr_assert_eq(page, 1);
    cr_assert_eq(pages, (last + (size_t)rows / 2) / (size_t)rows + 1, "about a page of rows each");
    cr_assert_eq(pager_top_percent(p, rows), 0);
    for (int n = 1; n <= 100; n += 3) {
        pager_go_percent(p, n, rows);
        cr_assert_eq(pager_top_percent(p, rows), n, "%d%% shows %d%%", n,
                     pager_top_percent(p, rows));
        cr_assert(pager_page(p, rows, &page, &pages));
        cr_assert(pager_row_index(p, &top, &total));
        size_t want = 1 + (size_t)((double)top * (double)(pages - 1) / (double)last + 0.5);
        cr_assert_eq(page, want, "the page is where the percent says: %d%%, page %zu", n, page);
    }
    pager_go_last(p, rows);
    cr_assert_eq(pager_top_percent(p, rows), 100);
    cr_assert(pager_page(p, rows, &page, &pages));
    cr_assert_eq(page, pages, "the end: the last page");
    pager_scroll(p, -1, rows);
    cr_assert(pager_page(p, rows, &page, &pages));
    cr_assert_eq(page, pages, "one row back from the end: still the last page");
    cr_assert_eq(pager_top_percent(p, rows), 99);
    pager_go_first(p);
    pager_scroll(p, 1, rows);
    cr_assert(pager_page(p, rows, &page, &pages));
    cr_assert_eq(page, 1, "one row on from the top: still page 1");
    pager_free(p);
    text_free(t);
}
