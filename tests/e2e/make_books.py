#!/usr/bin/env python3
"""Writes the books the e2e suites read into the folder given, every byte from here: an EPUB 3
(nav), an EPUB 2 (NCX only), an FB2 and the same zipped, an HTML page, a Markdown file, a
Project Gutenberg text, a gzip'd plain story named .txt.gz, and hostile ones: a zip bomb, an
encrypted (DRM) EPUB, an EPUB whose title holds escape sequences, a truncated gzip.
Usage: make_books.py FOLDER"""
import gzip
import os
import sys
import zipfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name)


CONTAINER = ('<?xml version="1.0"?><container version="1.0" '
             'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile '
             'full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
             '</rootfiles></container>')
CHAPTERS = [
    ("The Road", "<p>The road ran east across the steppe, and the horses followed it.</p>"
     "<p>A song of the road:<br/>first line of the song<br/>second line of the song</p>"),
    ("The River", "<p>The river was wide &amp; cold, and the ferryman slept.</p>"
     "<p>Nobody wanted to wake the ferryman before noon.</p>"),
    ("The Town", "<p>The town had one street and a mosque with a green door.</p>"),
]


def epub(name, title="The Steppe Book", nav=True, extra=None):
    z = zipfile.ZipFile(path(name), "w", zipfile.ZIP_DEFLATED)
    z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
    z.writestr("META-INF/container.xml", CONTAINER)
    items = "".join(f'<item id="c{i}" href="text/ch{i}.xhtml" media-type="application/xhtml+xml"/>'
                    for i in range(len(CHAPTERS)))
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(CHAPTERS)))
    items += '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>' if nav else ""
    items += '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
    z.writestr("OEBPS/content.opf",
               '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
               '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
               f'<dc:title>{title}</dc:title><dc:creator>Aigerim Sadyk</dc:creator>'
               f'<dc:language>en</dc:language></metadata><manifest>{items}</manifest>'
               f'<spine toc="ncx">{spine}</spine></package>')
    for i, (t, body) in enumerate(CHAPTERS):
        z.writestr(f"OEBPS/text/ch{i}.xhtml",
                   '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
                   f'<head><title>{t}</title></head><body><section id="s{i}"><h2>{t}</h2>{body}'
                   '</section></body></html>')
    lis = "".join(f'<li><a href="text/ch{i}.xhtml#s{i}">Chapter {i + 1}: {t}</a></li>'
                  for i, (t, _) in enumerate(CHAPTERS))
    if nav:
        z.writestr("OEBPS/nav.xhtml",
                   '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
                   f'<body><nav epub:type="toc"><ol>{lis}</ol></nav></body></html>')
    pts = "".join(f'<navPoint id="p{i}"><navLabel><text>Part {i + 1}: {t}</text></navLabel>'
                  f'<content src="text/ch{i}.xhtml"/></navPoint>' for i, (t, _) in enumerate(CHAPTERS))
    z.writestr("OEBPS/toc.ncx", f'<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/"><navMap>{pts}</navMap></ncx>')
    for k, v in (extra or {}).items():
        z.writestr(k, v)
    z.close()


epub("steppe.epub")
epub("steppe-ncx.epub", title="The Steppe Book, NCX", nav=False)
epub("escapes.epub", title="Evil \x1b]0;PWNED\x07 \u202etitle")
epub("drm.epub", title="Locked", extra={"META-INF/encryption.xml":
     '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
     'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:EncryptionMethod '
     'Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/></enc:EncryptedData></encryption>'})

FB2 = ('<?xml version="1.0" encoding="utf-8"?><FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0">'
       '<description><title-info><book-title>Дала</book-title><author><first-name>Абай</first-name>'
       '<last-name>Құнанбайұлы</last-name></author><lang>kk</lang></title-info></description><body>'
       '<section><title><p>1-тарау</p><p>Жол</p></title><p>Жол шығысқа қарай созылып жатты.</p>'
       '<poem><stanza><v>Бірінші жол</v><v>Екінші жол</v></stanza></poem></section>'
       '<section><title><p>2-тарау</p><p>Өзен</p></title><p>Өзен кең әрі суық еді.</p></section>'
       '</body></FictionBook>')
open(path("dala.fb2"), "w", encoding="utf-8").write(FB2)
os.makedirs(path("more"), exist_ok=True)
z = zipfile.ZipFile(path("more/dala-zipped.fb2.zip"), "w", zipfile.ZIP_DEFLATED)
z.writestr("dala.fb2", FB2)
z.close()
open(path("page.html"), "w", encoding="utf-8").write(
    '<!DOCTYPE html><html lang="en"><head><title>A Web Page</title><meta name="author" '
    'content="Web Author"><style>p{color:red}</style></head><body><h1>Intro</h1><p>Hello '
    '<b>steppe</b> world.<script>alert("x")</script></p><h2>Part A</h2><p>Text of part A.</p>'
    '<h2>Part B</h2><p>Text of part B.</body></html>')
open(path("notes.md"), "w", encoding="utf-8").write(
    "# Field Notes\n\nSome *emphasis* on the steppe.\n\n## Horses\n\n- a bay\n- a grey\n\n"
    "## Weather\n\n```\nwind  12 m/s\n```\n\n<script>evil()</script>\n")
open(path("pg-alice.txt"), "w", encoding="utf-8").write(
    "The Project Gutenberg eBook of Alice\n\nTitle: Alice's Adventures in Wonderland\n\n"
    "Author: Lewis Carroll\n\n*** START OF THE PROJECT GUTENBERG EBOOK ALICE ***\n\n"
    "CHAPTER I.\n\nDown the Rabbit-Hole\n\nAlice was beginning to get very tired.\n\n"
    "CHAPTER II.\n\nThe Pool of Tears\n\nCuriouser and curiouser, cried Alice.\n\n"
    "*** END OF THE PROJECT GUTENBERG EBOOK ALICE ***\n\nThe Full Project Gutenberg License.\n")
story = "Wind Story\n\nChapter 1\n\nThe wind came from the east.\n\nChapter 2\n\nThe wind stopped.\n"
open(path("wind.txt.gz"), "wb").write(gzip.compress(story.encode()))
lines = "".join(f"Line {i} of a long story about the steppe.\n" for i in range(40000)).encode()
gz = gzip.compress(lines)
open(path("cut.txt.gz"), "wb").write(gz[: len(gz) // 2])
# a zip bomb: 300 MB of zeros deflated into some 300 KB, as the chapter of an EPUB
z = zipfile.ZipFile(path("bomb.epub"), "w", zipfile.ZIP_DEFLATED)
z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
z.writestr("META-INF/container.xml", CONTAINER)
with z.open("OEBPS/text/ch0.xhtml", "w", force_zip64=True) as f:
    block = b"\0" * (1 << 20)
    for _ in range(300):
        f.write(block)
z.close()
