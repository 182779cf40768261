/* import_markup: EPUB, FB2 and HTML to story text, walking the trees libxml2 parses.
 *
 * Parsing options, for untrusted books: XML with RECOVER (broken markup is read as far as it
 * goes), NONET, and neither NOENT nor DTDLOAD, so that no external entity or DTD is read and no
 * entity is substituted; the walkers skip entity references, so an entity's text (a billion
 * laughs) never reaches the story. An external entity loader that refuses everything is set
 * once, in case some path of libxml2 still asks for one. XHTML is read with the HTML parser,
 * which recovers from anything a browser would show. Errors are never printed (NOERROR,
 * NOWARNING): a book that reads oddly is a notice, not a spray on stderr.
 *
 * Text form: runs of white space become one space (but in <pre>); block elements start a new
 * paragraph (a blank line), <br>, list items, table rows, FB2 verse lines and title lines start
 * a new line; images become "[image: alt]"; footnotes marked as such (EPUB 3 epub:type) are
 * moved after their document as numbered notes. Invalid UTF-8, CR and U+FEFF never reach the
 * text, so offsets recorded while walking are the story's offsets.
 */
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistr.h>

#include "import_internal.h"
#include "lector/strbuf.h"
#include "lector/xalloc.h"
#include "lector/lazylib.h"

/* libxml2 is loaded the first time a book is parsed (lazylib.h), under xml_once; its functions
 * are called through xml_api. Process-wide, as the library itself is. */
static struct {
    __typeof__(&htmlReadMemory) htmlReadMemory;
    __typeof__(&xmlDocGetRootElement) xmlDocGetRootElement;
    __typeof__(&xmlFreeDoc) xmlFreeDoc;
    __typeof__(&xmlInitParser) xmlInitParser;
    __typeof__(&xmlReadMemory) xmlReadMemory;
    __typeof__(&xmlSetExternalEntityLoader) xmlSetExternalEntityLoader;
} xml_api;
static bool xml_loaded;

static const LazySymbol xml_symbols[] = {
    LAZYLIB_SYMBOL(htmlReadMemory, xml_api.htmlReadMemory),
    LAZYLIB_SYMBOL(xmlDocGetRootElement, xml_api.xmlDocGetRootElement),
    LAZYLIB_SYMBOL(xmlFreeDoc, xml_api.xmlFreeDoc),
    LAZYLIB_SYMBOL(xmlInitParser, xml_api.xmlInitParser),
    LAZYLIB_SYMBOL(xmlReadMemory, xml_api.xmlReadMemory),
    LAZYLIB_SYMBOL(xmlSetExternalEntityLoader, xml_api.xmlSetExternalEntityLoader),
};

#define htmlReadMemory (xml_api.htmlReadMemory)
#define xmlDocGetRootElement (xml_api.xmlDocGetRootElement)
#define xmlFreeDoc (xml_api.xmlFreeDoc)
#define xmlInitParser (xml_api.xmlInitParser)
#define xmlReadMemory (xml_api.xmlReadMemory)
#define xmlSetExternalEntityLoader (xml_api.xmlSetExternalEntityLoader)

enum {
    WALK_DEPTH_MAX = 400, /* deeper elements are skipped: the walk is recursive */
    TITLE_MAX = 200,      /* bytes of a chapter title */
    TOC_MAX = 20000,      /* chapters kept from a table of contents */
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static xmlParserInputPtr refuse_external(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

static void xml_setup(void)
{
    const char *why;
    if (lazylib_load("libxml2.so.2", xml_symbols, sizeof xml_symbols / sizeof *xml_symbols, &why) !=
        0)
        return;
    xml_loaded = true; /* else every document is unreadable: the book is refused, one line */
    xmlInitParser();   /* once, before threads parse: libxml2 asks for it */
    xmlSetExternalEntityLoader(refuse_external);
}

static const int XML_OPTIONS = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                               XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
static const int HTML_OPTIONS =
    HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING;

static xmlDocPtr parse_xml(const uint8_t *s, size_t n)
{
    pthread_once(&xml_once, xml_setup);
    if (!xml_loaded || n > INT32_MAX) return NULL;
    return xmlReadMemory((const char *)s, (int)n, NULL, NULL, XML_OPTIONS);
}

/* needle in s[0, n), ASCII case ignored */
static bool contains_nocase(const uint8_t *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!strncasecmp((const char *)s + i, needle, k)) return true;
    return false;
}

/* HTML that does not say its encoding is read as UTF-8 (libxml2 would take Latin-1, the old
 * web's default; a book or a page saved today is UTF-8). */
static xmlDocPtr parse_html(const uint8_t *s, size_t n)
{
    pthread_once(&xml_once, xml_setup);
    if (!xml_loaded || n > INT32_MAX) return NULL;
    size_t head = n < 2048 ? n : 2048;
    bool says = contains_nocase(s, head, "charset") || contains_nocase(s, head, "encoding=") ||
                (n >= 2 && ((s[0] == 0xff && s[1] == 0xfe) || (s[0] == 0xfe && s[1] == 0xff)));
    return htmlReadMemory((const char *)s, (int)n, NULL, says ? NULL : "UTF-8", HTML_OPTIONS);
}

/* ---- names and attributes ---------------------------------------------------------------- */

/* The element's local name, lower case ASCII, into buf. */
static const char *local_name(xmlNodePtr n, char buf[32])
{
    const char *s = (const char *)n->name;
    const char *colon = strchr(s, ':');
    if (colon) s = colon + 1;
    size_t i = 0;
    for (; s[i] && i < 31; i++)
        buf[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
    buf[i] = 0;
    return buf;
}

/* n is an element named name, by local name, ASCII case ignored ("navPoint", "navpoint") */
static bool is(xmlNodePtr n, const char *name)
{
    char buf[32];
    return n && n->type == XML_ELEMENT_NODE && !strcasecmp(local_name(n, buf), name);
}

/* An attribute by local name (any namespace or prefix); borrowed from the tree, or NULL. */
static const char *attr(xmlNodePtr n, const char *name)
{
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        const char *an = (const char *)a->name;
        const char *colon = strchr(an, ':');
        if (colon) an = colon + 1;
        if (strcmp(an, name) || !a->children) continue;
        xmlNodePtr t = a->children;
        if (t->type == XML_TEXT_NODE && t->content && !t->next) return (const char *)t->content;
    }
    return NULL;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name)) return c;
    return NULL;
}

/* The first element named name at or under n, depth first. */
static xmlNodePtr find(xmlNodePtr n, const char *name, int depth)
{
    /* elements only: an entity reference's children are the entity's, shared (a billion
     * laughs would be walked a billion times) */
    if (!n || depth > WALK_DEPTH_MAX || n->type != XML_ELEMENT_NODE) return NULL;
    if (is(n, name)) return n;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        xmlNodePtr f = find(c, name, depth + 1);
        if (f) return f;
    }
    return NULL;
}

/* The text under n (entity references skipped), white space collapsed, trimmed, cut to max
 * bytes at a code point: for titles and metadata. Caller frees; "" when none. */
static void gather(xmlNodePtr n, Strbuf *sb, size_t max, int depth)
{
    for (xmlNodePtr c = n->children; c && sb->len < max && depth < WALK_DEPTH_MAX; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const uint8_t *s = c->content;
            if (s) strbuf_add(sb, s, strlen((const char *)s));
            strbuf_addch(sb, ' ');
        } else if (c->type == XML_ELEMENT_NODE) {
            char buf[32];
            const char *nm = local_name(c, buf);
            if (!strcmp(nm, "script") || !strcmp(nm, "style")) continue;
            if (!strcmp(nm, "br") || !strcmp(nm, "p")) strbuf_addch(sb, ' ');
            gather(c, sb, max, depth + 1);
        }
    }
}

char *import_clean_line(const uint8_t *s, size_t n, size_t max)
{
    Strbuf out = STRBUF_INIT;
    bool space = false;
    for (size_t i = 0; i < n && out.len < max;) {
        ucs4_t cp;
        int k = u8_mbtoucr(&cp, s + i, n - i);
        if (k < 0) {
            cp = 0xfffd;
            k = 1;
        }
        i += (size_t)k;
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f') {
            space = out.len > 0;
            continue;
        }
        if (cp == 0xfeff || cp == 0) continue;
        if (space) strbuf_addch(&out, ' ');
        space = false;
        strbuf_add_utf8(&out, cp);
    }
    if (!out.len) strbuf_addstr(&out, "");
    return strbuf_detach(&out, NULL);
}

static char *node_text(xmlNodePtr n)
{
    if (!n) return NULL;
    Strbuf sb = STRBUF_INIT;
    gather(n, &sb, TITLE_MAX * 4, 0);
    char *t = import_clean_line((const uint8_t *)(sb.buf ? sb.buf : ""), sb.len, TITLE_MAX);
    strbuf_release(&sb);
    if (!*t) {
        free(t);
        return NULL;
    }
    return t;
}

/* ---- the text builder -------------------------------------------------------------------- */

typedef struct {
    char *key; /* "member#id", or "member" for a document's start; owned */
    size_t off;
} Anchor;

typedef enum { FMT_HTML, FMT_FB2 } Markup;

typedef struct {
    Strbuf out;
    int breaks; /* pending: 1 a new line, 2 a new paragraph */
    bool space; /* a space pending */
    int pre;    /* inside <pre> */
    size_t max;
    bool full; /* out reached max: the walk stops */
    Markup fmt;
    ImportedBook *book;
    size_t chap_cap;
    bool headings;   /* h1-h6 (FB2: section titles) become chapters */
    const char *doc; /* the member being walked, for anchors (EPUB) */
    Anchor *anchors;
    size_t nanchors, anchor_cap;
    Strbuf notes; /* footnotes of the document being walked */
    int nnotes;
    int section_depth; /* FB2 */
    int line_mode;     /* FB2: inside a title or stanza, <p> and <v> are lines */
} Builder;

static size_t trailing_newlines(const Builder *b)
{
    size_t t = 0;
    while (t < 2 && t < b->out.len && b->out.buf[b->out.len - 1 - t] == '\n')
        t++;
    return t;
}

/* Where the next character of text will go. */
static size_t next_offset(const Builder *b)
{
    if (!b->out.len) return 0;
    size_t t = trailing_newlines(b);
    if (b->breaks) return b->out.len + ((size_t)b->breaks > t ? (size_t)b->breaks - t : 0);
    return b->out.len;
}

static void flush(Builder *b)
{
    if (!b->out.len) {
        b->breaks = 0;
        b->space = false;
        return;
    }
    if (b->breaks) {
        for (size_t t = trailing_newlines(b); t < (size_t)b->breaks; t++)
            strbuf_addch(&b->out, '\n');
    } else if (b->space && b->out.buf[b->out.len - 1] != '\n')
        strbuf_addch(&b->out, ' ');
    b->breaks = 0;
    b->space = false;
}

static void want_break(Builder *b, int k)
{
    if (b->breaks < k) b->breaks = k;
}

static void emit(Builder *b, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n && !b->full;) {
        ucs4_t cp;
        int k = u8_mbtoucr(&cp, s + i, n - i);
        if (k < 0) {
            cp = 0xfffd;
            k = 1;
        }
        i += (size_t)k;
        if (cp == '\r' || cp == 0xfeff || cp == 0) continue;
        if (b->pre) {
            if (cp == '\n') {
                flush(b);
                if (b->out.len) strbuf_addch(&b->out, '\n');
                continue;
            }
        } else if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\f') {
            b->space = true;
            continue;
        }
        flush(b);
        strbuf_add_utf8(&b->out, cp);
    }
    if (b->out.len > b->max) b->full = true;
}

static void emit_str(Builder *b, const char *s)
{
    emit(b, (const uint8_t *)s, strlen(s));
}

static void add_anchor(Builder *b, const char *key, size_t off)
{
    if (b->nanchors == b->anchor_cap) {
        b->anchor_cap = b->anchor_cap ? b->anchor_cap * 2 : 64;
        b->anchors = xreallocarray(b->anchors, b->anchor_cap, sizeof *b->anchors);
    }
    b->anchors[b->nanchors++] = (Anchor){xstrdup(key), off};
}

static void note_id(Builder *b, xmlNodePtr n)
{
    if (!b->doc) return;
    const char *id = attr(n, "id");
    if (!id && is(n, "a")) id = attr(n, "name");
    if (!id) return;
    Strbuf k = STRBUF_INIT;
    strbuf_addf(&k, "%s#%s", b->doc, id);
    add_anchor(b, k.buf, next_offset(b));
    strbuf_release(&k);
}

static void add_heading(Builder *b, xmlNodePtr title_node, int level)
{
    want_break(b, 2);
    char *t = node_text(title_node);
    if (t && b->headings && b->book->nchapters < TOC_MAX)
        import_add_chapter(b->book, &b->chap_cap, t, level, next_offset(b));
    free(t);
}

static bool is_footnote(xmlNodePtr n)
{
    const char *t = attr(n, "type"); /* epub:type */
    return t && (strstr(t, "footnote") || strstr(t, "endnote") || strstr(t, "rearnote"));
}

static void walk(Builder *b, xmlNodePtr n, int depth);

static void walk_children(Builder *b, xmlNodePtr n, int depth)
{
    for (xmlNodePtr c = n->children; c && !b->full; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content) emit(b, c->content, strlen((const char *)c->content));
        } else if (c->type == XML_ELEMENT_NODE)
            walk(b, c, depth + 1);
        /* entity references, comments, processing instructions: nothing */
    }
}

static bool in_list(const char *nm, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(nm, *list)) return true;
    return false;
}

static const char *const SKIPPED[] = {"head",   "script", "style",    "title",  "template",
                                      "binary", "svg",    "noscript", "object", NULL};
static const char *const BLOCKS[] = {
    "p",        "div",        "section",    "article",     "blockquote", "header", "footer",
    "figure",   "figcaption", "dl",         "dt",          "dd",         "table",  "aside",
    "nav",      "address",    "center",     "main",        "ul",         "ol",     "body",
    "epigraph", "cite",       "annotation", "text-author", "subtitle",   "poem",   "stanza",
    "date",     "caption",    "details",    "summary",     "hgroup",     NULL};

static void walk_html_element(Builder *b, xmlNodePtr n, const char *nm, int depth)
{
    if (nm[0] == 'h' && nm[1] >= '1' && nm[1] <= '6' && !nm[2]) {
        add_heading(b, n, nm[1] - '0');
        note_id(b, n);
        walk_children(b, n, depth);
        want_break(b, 2);
        return;
    }
    if (!strcmp(nm, "br")) {
        want_break(b, 1);
        return;
    }
    if (!strcmp(nm, "img") || !strcmp(nm, "image")) {
        const char *alt = attr(n, "alt");
        char *a = alt ? import_clean_line((const uint8_t *)alt, strlen(alt), TITLE_MAX) : NULL;
        emit_str(b, a && *a ? "[image: " : "[image");
        if (a && *a) emit_str(b, a);
        emit_str(b, "]");
        free(a);
        return;
    }
    if (!strcmp(nm, "hr")) {
        want_break(b, 2);
        emit_str(b, "* * *");
        want_break(b, 2);
        return;
    }
    if (!strcmp(nm, "li") || !strcmp(nm, "tr")) {
        want_break(b, 1);
        if (!strcmp(nm, "li")) {
            xmlNodePtr parent = n->parent;
            if (is(parent, "ol")) {
                int k = 1;
                for (xmlNodePtr s = n->prev; s; s = s->prev)
                    k += is(s, "li");
                char num[16];
                snprintf(num, sizeof num, "%d. ", k);
                emit_str(b, num);
            } else
                emit_str(b, "• ");
        }
        walk_children(b, n, depth);
        want_break(b, 1);
        return;
    }
    if (!strcmp(nm, "td") || !strcmp(nm, "th")) {
        walk_children(b, n, depth);
        b->space = true;
        return;
    }
    if (!strcmp(nm, "pre")) {
        want_break(b, 2);
        b->pre++;
        walk_children(b, n, depth);
        b->pre--;
        want_break(b, 2);
        return;
    }
    if (in_list(nm, BLOCKS)) {
        want_break(b, 2);
        walk_children(b, n, depth);
        want_break(b, 2);
        return;
    }
    walk_children(b, n, depth); /* inline: em, strong, span, a... */
}

/* FB2: sections nest; a section's <title> names its chapter; inside titles and stanzas each <p>
 * or <v> is a line. */
static void walk_fb2_element(Builder *b, xmlNodePtr n, const char *nm, int depth)
{
    if (!strcmp(nm, "section")) {
        b->section_depth++;
        xmlNodePtr title = child(n, "title");
        if (title) add_heading(b, title, b->section_depth);
        want_break(b, 2);
        walk_children(b, n, depth);
        want_break(b, 2);
        b->section_depth--;
        return;
    }
    if (!strcmp(nm, "title") || !strcmp(nm, "stanza")) {
        want_break(b, 2);
        b->line_mode++;
        walk_children(b, n, depth);
        b->line_mode--;
        want_break(b, 2);
        return;
    }
    if ((!strcmp(nm, "p") || !strcmp(nm, "v")) && b->line_mode) {
        want_break(b, 1);
        walk_children(b, n, depth);
        want_break(b, 1);
        return;
    }
    if (!strcmp(nm, "empty-line")) {
        want_break(b, 2);
        return;
    }
    if (!strcmp(nm, "v")) {
        want_break(b, 1);
        walk_children(b, n, depth);
        want_break(b, 1);
        return;
    }
    walk_html_element(b, n, nm, depth);
}

static void walk(Builder *b, xmlNodePtr n, int depth)
{
    if (depth > WALK_DEPTH_MAX || b->full) return;
    char buf[32];
    const char *nm = local_name(n, buf);
    if (in_list(nm, SKIPPED) && !(b->fmt == FMT_FB2 && !strcmp(nm, "title"))) return;
    if (b->fmt == FMT_HTML && is_footnote(n)) {
        char *t = node_text(n);
        if (t) {
            b->nnotes++;
            strbuf_addf(&b->notes, "%s[%d] %s", b->notes.len ? "\n\n" : "", b->nnotes, t);
        }
        free(t);
        note_id(b, n);
        return;
    }
    note_id(b, n);
    if (b->fmt == FMT_FB2)
        walk_fb2_element(b, n, nm, depth);
    else
        walk_html_element(b, n, nm, depth);
}

/* The document's footnotes, numbered, after it. */
static void flush_notes(Builder *b)
{
    if (!b->notes.len) return;
    want_break(b, 2);
    size_t start = 0;
    for (size_t i = 0; i <= b->notes.len; i++) {
        if (i == b->notes.len ||
            (b->notes.buf[i] == '\n' && i + 1 < b->notes.len && b->notes.buf[i + 1] == '\n')) {
            emit(b, (const uint8_t *)b->notes.buf + start, i - start);
            want_break(b, 2);
            start = i + 2;
            i++;
        }
    }
    strbuf_reset(&b->notes);
    b->nnotes = 0;
}

static void builder_init(Builder *b, ImportedBook *book, size_t max, Markup fmt)
{
    *b = (Builder){.book = book, .max = max, .fmt = fmt, .headings = true};
    strbuf_init(&b->out); /* never a NULL buffer (strbuf.h) */
    strbuf_init(&b->notes);
}

/* Hands the text to the book; levels made to start at 1; chapters past the end dropped. */
static void builder_finish(Builder *b)
{
    flush_notes(b);
    while (b->out.len && b->out.buf[b->out.len - 1] == '\n')
        b->out.len--;
    if (b->out.len) strbuf_addch(&b->out, '\n');
    ImportedBook *bk = b->book;
    bk->len = b->out.len;
    bk->text = (uint8_t *)strbuf_detach(&b->out, NULL);
    if (!bk->text) bk->text = (uint8_t *)xstrdup("");
    bk->text_is_clean = true;
    int min_level = 99;
    size_t k = 0;
    for (size_t i = 0; i < bk->nchapters; i++) {
        Chapter c = bk->chapters[i];
        bool backwards = k && c.offset < bk->chapters[k - 1].offset;
        if (c.offset >= bk->len || backwards) {
            free(c.title);
            continue;
        }
        if (c.level < min_level) min_level = c.level;
        bk->chapters[k++] = c;
    }
    bk->nchapters = k;
    for (size_t i = 0; i < k; i++) {
        int l = bk->chapters[i].level - min_level + 1;
        bk->chapters[i].level = l > 6 ? 6 : l;
    }
    for (size_t i = 0; i < b->nanchors; i++)
        free(b->anchors[i].key);
    free(b->anchors);
    strbuf_release(&b->notes);
    if (b->full && !bk->notice) bk->notice = xstrdup("the book is cut at the size limit");
}

static void set_once(char **field, char *value)
{
    if (!*field && value && *value)
        *field = value;
    else
        free(value);
}

/* ---- HTML -------------------------------------------------------------------------------- */

int import_html(const uint8_t *data, size_t len, size_t max_bytes, ImportedBook *out, Diag *diag)
{
    xmlDocPtr doc = parse_html(data, len);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        if (doc) xmlFreeDoc(doc);
        diag_set(diag, DIAG_INVALID, "no HTML could be read");
        return -1;
    }
    out->format = IMPORT_HTML;
    xmlNodePtr head = find(root, "head", 0);
    set_once(&out->title, node_text(find(head, "title", 0)));
    for (xmlNodePtr m = head ? head->children : NULL; m; m = m->next) {
        const char *nm = is(m, "meta") ? attr(m, "name") : NULL;
        const char *content = nm ? attr(m, "content") : NULL;
        if (content && !strcasecmp(nm, "author"))
            set_once(&out->author,
                     import_clean_line((const uint8_t *)content, strlen(content), TITLE_MAX));
    }
    const char *lang = attr(root, "lang");
    if (lang) set_once(&out->language, import_clean_line((const uint8_t *)lang, strlen(lang), 32));
    Builder b;
    builder_init(&b, out, max_bytes, FMT_HTML);
    xmlNodePtr body = find(root, "body", 0);
    walk(&b, body ? body : root, 0);
    if (!out->title && out->nchapters) out->title = xstrdup(out->chapters[0].title);
    builder_finish(&b);
    xmlFreeDoc(doc);
    return 0;
}

/* ---- FB2 --------------------------------------------------------------------------------- */

int import_fb2(const uint8_t *data, size_t len, size_t max_bytes, ImportedBook *out, Diag *diag)
{
    xmlDocPtr doc = parse_xml(data, len);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        if (doc) xmlFreeDoc(doc);
        diag_set(diag, DIAG_INVALID, "no FB2 could be read");
        return -1;
    }
    out->format = IMPORT_FB2;
    xmlNodePtr info = find(find(root, "description", 0), "title-info", 0);
    set_once(&out->title, node_text(child(info, "book-title")));
    xmlNodePtr author = child(info, "author");
    if (author) {
        Strbuf a = STRBUF_INIT;
        const char *parts[] = {"first-name", "middle-name", "last-name"};
        for (int i = 0; i < 3; i++) {
            char *p = node_text(child(author, parts[i]));
            if (p) strbuf_addf(&a, "%s%s", a.len ? " " : "", p);
            free(p);
        }
        if (!a.len) {
            char *nick = node_text(child(author, "nickname"));
            if (nick) strbuf_addstr(&a, nick);
            free(nick);
        }
        if (a.len) set_once(&out->author, strbuf_detach(&a, NULL));
        strbuf_release(&a);
    }
    set_once(&out->language, node_text(child(info, "lang")));
    Builder b;
    builder_init(&b, out, max_bytes, FMT_FB2);
    for (xmlNodePtr c = root->children; c && !b.full; c = c->next) {
        if (!is(c, "body")) continue;
        const char *name = attr(c, "name");
        bool notes = name && (!strcmp(name, "notes") || !strcmp(name, "comments"));
        if (notes) { /* one chapter for the notes, not one per note */
            want_break(&b, 2);
            char *t = node_text(child(c, "title"));
            if (b.book->nchapters < TOC_MAX)
                import_add_chapter(out, &b.chap_cap, t ? t : "Notes", 1, next_offset(&b));
            free(t);
            b.headings = false;
        }
        walk(&b, c, 0);
        b.headings = true;
    }
    builder_finish(&b);
    xmlFreeDoc(doc);
    return 0;
}

/* ---- EPUB -------------------------------------------------------------------------------- */

/* href (percent-encoded, relative to the member base_member) as a member name: "a/b/../c.xhtml"
 * -> "a/c.xhtml"; the fragment in *frag (owned), NULL when none. Caller frees. */
static char *resolve_href(const char *base_member, const char *href, char **frag)
{
    *frag = NULL;
    Strbuf path = STRBUF_INIT;
    const char *slash = base_member ? strrchr(base_member, '/') : NULL;
    if (slash && href[0] != '/') strbuf_add(&path, base_member, (size_t)(slash - base_member) + 1);
    const char *hash = strchr(href, '#');
    size_t hn = hash ? (size_t)(hash - href) : strlen(href);
    for (size_t i = 0; i < hn; i++) {
        int c = (unsigned char)href[i];
        if (c == '%' && i + 2 < hn) {
            char hex[3] = {href[i + 1], href[i + 2], 0};
            char *end;
            long v = strtol(hex, &end, 16);
            if (!*end && v > 0) {
                strbuf_addch(&path, (int)v);
                i += 2;
                continue;
            }
        }
        strbuf_addch(&path, c);
    }
    if (hash && hash[1]) *frag = xstrdup(hash + 1);
    /* fold "." and ".." segments; a leading "/" or ".." past the root simply goes */
    char *p = path.buf ? path.buf : xstrdup("");
    if (!path.buf) path.buf = p;
    Strbuf out = STRBUF_INIT;
    size_t segs[256], nseg = 0;
    for (char *s = p; *s;) {
        char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || (n == 1 && s[0] == '.')) {
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            if (nseg) out.len = segs[--nseg];
            if (out.buf) out.buf[out.len] = 0;
        } else if (nseg < 256) {
            segs[nseg++] = out.len;
            if (out.len) strbuf_addch(&out, '/');
            strbuf_add(&out, s, n);
        }
        s += n + (e ? 1 : 0);
    }
    strbuf_release(&path);
    if (!out.buf) return xstrdup("");
    return strbuf_detach(&out, NULL);
}

static bool anchor_lookup(const Builder *b, const char *key, size_t *off)
{
    for (size_t i = 0; i < b->nanchors; i++)
        if (!strcmp(b->anchors[i].key, key)) {
            *off = b->anchors[i].off;
            return true;
        }
    return false;
}

/* The start of the paragraph holding off (a chapter starts a paragraph). */
static size_t paragraph_start(const Strbuf *t, size_t off)
{
    if (off > t->len) off = t->len;
    while (off > 0 && !(t->buf[off - 1] == '\n' && off >= 2 && t->buf[off - 2] == '\n'))
        off--;
    return off;
}

static void toc_entry(Builder *b, ImportedBook *toc, size_t *cap, const char *base,
                      const char *href, xmlNodePtr label, int level)
{
    if (!href || toc->nchapters >= TOC_MAX) return;
    char *frag, *member = resolve_href(base, href, &frag);
    Strbuf key = STRBUF_INIT;
    strbuf_addstr(&key, member);
    if (frag) strbuf_addf(&key, "#%s", frag);
    size_t off;
    bool found = anchor_lookup(b, key.buf, &off) || anchor_lookup(b, member, &off);
    char *title = node_text(label);
    if (found && title) import_add_chapter(toc, cap, title, level, paragraph_start(&b->out, off));
    free(title);
    free(frag);
    free(member);
    strbuf_release(&key);
}

/* EPUB 3 navigation document: <nav epub:type="toc"><ol><li><a href>... nested. */
static void nav_list(Builder *b, ImportedBook *toc, size_t *cap, const char *base, xmlNodePtr ol,
                     int level)
{
    if (level > 32) return;
    for (xmlNodePtr li = ol->children; li; li = li->next) {
        if (!is(li, "li")) continue;
        xmlNodePtr a = child(li, "a");
        if (!a) a = child(li, "span");
        if (a) toc_entry(b, toc, cap, base, attr(a, "href"), a, level);
        xmlNodePtr sub = child(li, "ol");
        if (sub) nav_list(b, toc, cap, base, sub, level + 1);
    }
}

/* EPUB 2 NCX: <navMap><navPoint><navLabel><text/></navLabel><content src/>... nested. */
static void ncx_points(Builder *b, ImportedBook *toc, size_t *cap, const char *base, xmlNodePtr n,
                       int level)
{
    if (level > 32) return;
    for (xmlNodePtr p = n->children; p; p = p->next) {
        if (!is(p, "navPoint")) continue;
        xmlNodePtr content = child(p, "content");
        toc_entry(b, toc, cap, base, content ? attr(content, "src") : NULL,
                  child(child(p, "navLabel"), "text"), level);
        ncx_points(b, toc, cap, base, p, level + 1);
    }
}

/* Whether META-INF/encryption.xml encrypts anything but fonts (fonts are "obfuscated" by the
 * IDPF and Adobe algorithms, which any reader may undo; text encrypted otherwise is DRM). */
static bool drm_encrypted(const ZipArchive *z)
{
    if (zip_find(z, "META-INF/rights.xml")) return true; /* Adobe ADEPT */
    const ZipMember *enc = zip_find(z, "META-INF/encryption.xml");
    if (!enc || !enc->data) return false;
    xmlDocPtr doc = parse_xml(enc->data, enc->len);
    bool drm = false;
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    for (xmlNodePtr d = root ? root->children : NULL; d && !drm; d = d->next) {
        if (!is(d, "EncryptedData")) continue;
        xmlNodePtr m = child(d, "EncryptionMethod");
        const char *alg = m ? attr(m, "Algorithm") : NULL;
        if (alg && (strstr(alg, "idpf.org/2008/embedding") || strstr(alg, "ns.adobe.com/pdf/enc")))
            continue;
        drm = true;
    }
    if (doc) xmlFreeDoc(doc);
    return drm;
}

typedef struct {
    const char *id, *href, *type, *props; /* borrowed from the package document */
} Item;

/* The member href names (relative to the package document opf_name), parsed as HTML or XML;
 * NULL when it is missing or unreadable. *member: its name (owned, freed by the caller). */
static xmlDocPtr member_doc(const ZipArchive *z, const char *opf_name, const char *href, bool html,
                            char **member)
{
    char *frag;
    *member = resolve_href(opf_name, href, &frag);
    free(frag);
    const ZipMember *m = zip_find(z, *member);
    if (!m || !m->data) return NULL;
    return html ? parse_html(m->data, m->len) : parse_xml(m->data, m->len);
}

int import_epub(const ZipArchive *z, size_t max_bytes, ImportedBook *out, Diag *diag)
{
    out->format = IMPORT_EPUB;
    if (drm_encrypted(z)) {
        diag_set(diag, DIAG_INVALID, "an encrypted (DRM) EPUB: its text cannot be read");
        return -1;
    }
    /* the package document: named by the container, else the first .opf */
    char *opf_name = NULL;
    const ZipMember *cont = zip_find(z, "META-INF/container.xml");
    if (cont && cont->data) {
        xmlDocPtr cd = parse_xml(cont->data, cont->len);
        xmlNodePtr rf = cd ? find(xmlDocGetRootElement(cd), "rootfile", 0) : NULL;
        const char *fp = rf ? attr(rf, "full-path") : NULL;
        if (fp) opf_name = xstrdup(fp);
        if (cd) xmlFreeDoc(cd);
    }
    if (!opf_name || !zip_find(z, opf_name))
        for (size_t i = 0; i < z->n; i++) {
            size_t n = strlen(z->members[i].name);
            if (n > 4 && !strcmp(z->members[i].name + n - 4, ".opf")) {
                free(opf_name);
                opf_name = xstrdup(z->members[i].name);
                break;
            }
        }
    const ZipMember *opf = opf_name ? zip_find(z, opf_name) : NULL;
    xmlDocPtr pd = opf && opf->data ? parse_xml(opf->data, opf->len) : NULL;
    xmlNodePtr pkg = pd ? xmlDocGetRootElement(pd) : NULL;
    if (!pkg) {
        if (pd) xmlFreeDoc(pd);
        free(opf_name);
        diag_set(diag, DIAG_INVALID, "an EPUB with no readable package document (.opf)");
        return -1;
    }
    xmlNodePtr meta = find(pkg, "metadata", 0);
    set_once(&out->title, node_text(child(meta, "title")));
    set_once(&out->author, node_text(child(meta, "creator")));
    set_once(&out->language, node_text(child(meta, "language")));

    Item *items = NULL;
    size_t nitems = 0, icap = 0;
    for (xmlNodePtr it = find(pkg, "manifest", 0) ? find(pkg, "manifest", 0)->children : NULL; it;
         it = it->next) {
        if (!is(it, "item")) continue;
        if (nitems == icap) {
            icap = icap ? icap * 2 : 64;
            items = xreallocarray(items, icap, sizeof *items);
        }
        items[nitems++] = (Item){attr(it, "id"), attr(it, "href"), attr(it, "media-type"),
                                 attr(it, "properties")};
    }
    Builder b;
    builder_init(&b, out, max_bytes, FMT_HTML);
    size_t missing = 0, encrypted = 0, docs = 0;
    xmlNodePtr spine = find(pkg, "spine", 0);
    for (xmlNodePtr ref = spine ? spine->children : NULL; ref && !b.full; ref = ref->next) {
        const char *idref = is(ref, "itemref") ? attr(ref, "idref") : NULL;
        if (!idref) continue;
        const Item *item = NULL;
        for (size_t i = 0; i < nitems && !item; i++)
            if (items[i].id && !strcmp(items[i].id, idref) && items[i].href) item = &items[i];
        char *frag = NULL, *member = item ? resolve_href(opf_name, item->href, &frag) : NULL;
        free(frag);
        const ZipMember *m = member ? zip_find(z, member) : NULL;
        if (m && m->encrypted) encrypted++;
        if (!m || !m->data) {
            missing += !(m && m->encrypted);
            free(member);
            continue;
        }
        xmlDocPtr d = parse_html(m->data, m->len);
        xmlNodePtr r = d ? xmlDocGetRootElement(d) : NULL;
        if (r) {
            want_break(&b, 2);
            add_anchor(&b, member, next_offset(&b));
            b.doc = member;
            xmlNodePtr body = find(r, "body", 0);
            walk(&b, body ? body : r, 0);
            flush_notes(&b);
            b.doc = NULL;
            docs++;
        } else
            missing++;
        if (d) xmlFreeDoc(d);
        free(member);
    }
    if (encrypted && !docs) {
        builder_finish(&b);
        free(items);
        free(opf_name);
        xmlFreeDoc(pd);
        diag_set(diag, DIAG_INVALID, "an encrypted EPUB: its text cannot be read");
        return -1;
    }
    /* the table of contents: EPUB 3 nav, else the NCX; else the headings found */
    ImportedBook toc = {0};
    size_t toc_cap = 0;
    for (size_t i = 0; i < nitems && !toc.nchapters; i++) {
        if (!items[i].props || !strstr(items[i].props, "nav") || !items[i].href) continue;
        char *member;
        xmlDocPtr nd = member_doc(z, opf_name, items[i].href, true, &member);
        xmlNodePtr r = nd ? xmlDocGetRootElement(nd) : NULL, nav = NULL;
        for (xmlNodePtr c = r ? find(r, "nav", 0) : NULL; c; c = c->next) {
            if (!is(c, "nav")) continue;
            const char *t = attr(c, "type");
            if (!nav || (t && !strcmp(t, "toc"))) nav = c;
            if (t && !strcmp(t, "toc")) break;
        }
        xmlNodePtr ol = nav ? find(nav, "ol", 0) : NULL;
        if (ol) nav_list(&b, &toc, &toc_cap, member, ol, 1);
        if (nd) xmlFreeDoc(nd);
        free(member);
    }
    const char *ncx_id = spine ? attr(spine, "toc") : NULL;
    for (size_t i = 0; i < nitems && !toc.nchapters; i++) {
        bool ncx = (ncx_id && items[i].id && !strcmp(items[i].id, ncx_id)) ||
                   (items[i].type && !strcmp(items[i].type, "application/x-dtbncx+xml"));
        if (!ncx || !items[i].href) continue;
        char *member;
        xmlDocPtr nd = member_doc(z, opf_name, items[i].href, false, &member);
        xmlNodePtr map = nd ? find(xmlDocGetRootElement(nd), "navMap", 0) : NULL;
        if (map) ncx_points(&b, &toc, &toc_cap, member, map, 1);
        if (nd) xmlFreeDoc(nd);
        free(member);
    }
    if (toc.nchapters) { /* the book's own table of contents replaces the headings */
        for (size_t i = 0; i < out->nchapters; i++)
            free(out->chapters[i].title);
        free(out->chapters);
        out->chapters = toc.chapters;
        out->nchapters = toc.nchapters;
    }
    if (missing) {
        char msg[160];
        snprintf(msg, sizeof msg, "%zu part%s of the book could not be read (missing or damaged)",
                 missing, missing == 1 ? "" : "s");
        out->notice = xstrdup(msg);
    }
    builder_finish(&b);
    free(items);
    free(opf_name);
    xmlFreeDoc(pd);
    if (!docs) {
        diag_set(diag, DIAG_INVALID, "an EPUB with no readable text in its spine");
        return -1;
    }
    return 0;
}
