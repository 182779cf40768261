#!/usr/bin/env python3
"""Writes the seed corpora of the text fuzz targets: tests/fuzz/corpus/{layout,index,align}/.

Seeds come from the shipped stories (texts/*.txt), from the Unicode Consortium's break test files
(Debian unicode-data: LineBreakTest.txt, GraphemeBreakTest.txt, WordBreakTest.txt) and from
hostile samples written out below: terminal escapes, every class of invalid UTF-8, NUL, bidi
overrides, combining runs, regional indicators, CJK, Thai, Kazakh Cyrillic, emoji ZWJ sequences,
legacy encodings. The state and cache seeds are real files written by the API: make_seeds.c.

Run from anywhere: tests/fuzz/make_corpus.py [UNICODE_DIR]. It rewrites the three folders; the
fuzzers' own finds go to build-fuzz/, never here.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
UNICODE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"


def u(s):
    return s.encode("utf-8")


HOSTILE = {
    "escapes": b"Escapes\n\nClear \x1b[2J\x1b[H, title \x1b]0;pwned\x07, colour \x1b[31mred\x1b[0m, "
    b"C1 CSI \xc2\x9b31m, DEL \x7f, BEL \x07, backspace a\x08b, CR alone\rhere.\n\n"
    b"\x1bP+q544e\x1b\\ and \x1b[6n and \x1b[?1049h.\n",
    "invalid-utf8": b"Lone continuations \x80 \xbf \x80\xbf; overlong \xc0\xaf \xc1\xbf \xe0\x80\xaf "
    b"\xf0\x80\x80\xaf; surrogates \xed\xa0\x80 \xed\xbf\xbf; past U+10FFFF \xf4\x90\x80\x80; "
    b"never valid \xf5 \xf8\x88\x80\x80\x80 \xfe \xff; truncated \xe2\x82 \xf0\x9f\x98 \xc3; "
    b"lead bytes between letters a\xc3b\xe2c\xf0d.\n\nAnd a valid caf\xc3\xa9 after.\n",
    "nul": b"N\x00U\x00L\n\nbefore\x00\x00after\n\x00\n\n\x00\x00\x00\n",
    "bidi": u("Bidi \u202eevil.exe\u202c and \u2066isolate\u2069, marks \u200f\u200e\u061c, "
              "embeds \u202a\u202b\u202d, Hebrew \u05e9\u05dc\u05d5\u05dd and Arabic "
              "\u0645\u0631\u062d\u0628\u0627.\n\nLine\u2028separator\u2029paragraph.\n"),
    "rtl": u("\u0643\u0627\u0646 \u0639\u0645\u0631\u0647 42 \u0633\u0646\u0629 (\u062a\u0642\u0631\u064a\u0628\u0627) "
             "\u0648 'The Old Book' [\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd] 3.14\u00a0% "
             "\u200f\u062f\u064a\u0646\u0627\u0631\u0627\u060c \U0001f44d\U0001f3fd "
             "\u0645\u0631\u062d\u0628\u0627\u00ad\u0645\u0631\u062d\u0628\u0627.\n\n"
             "English with \u05e9\u05dc\u05d5\u05dd (inside) and 1-2.\n"),
    "combining": u("e" + "\u0301" * 120 + " \u0301lone start, Zalgo "
                   "Z\u0351\u0308\u0341a\u0327\u035dl\u0335g\u0336o\u0337 and NFD "
                   "cafe\u0301 vs caf\u00e9, \u0438\u0306 vs \u0439.\n\n" + "\u0300" * 300 + "\n"),
    "regional": u("Flags \U0001f1f0\U0001f1ff\U0001f1f7\U0001f1fa\U0001f1fa\U0001f1f8 odd "
                  "\U0001f1f0\U0001f1ff\U0001f1f7 run " + "\U0001f1e6" * 7 + "\n\n"
                  "\U0001f1e6\u200b\U0001f1e8 split by ZWSP.\n"),
    "cjk": u("\u5317\u4eac\u662f\u4e2d\u56fd\u7684\u9996\u90fd\u3002\u4eca\u5929\u5929\u6c14"
             "\u5f88\u597d\uff0c\u6211\u4eec\u53bb\u516c\u56ed\u5427\uff01\n\n"
             "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3001\u3072\u3089\u304c\u306a"
             "\u3068\u30ab\u30bf\u30ab\u30ca\u3002\u300c\u5f15\u7528\u300d\n\n"
             "\ud55c\uad6d\uc5b4 \ubb38\uc7a5\uc785\ub2c8\ub2e4. \u1100\u1161\u11a8 jamo "
             "\u1100\u1100\u1100\u1100\u1100\u1161\n\n\uff21\uff22\uff23 fullwidth \uff11\uff12\n"),
    "kazakh": u("\u049a\u0430\u0437\u0430\u049b\u0441\u0442\u0430\u043d "
                "\u0420\u0435\u0441\u043f\u0443\u0431\u043b\u0438\u043a\u0430\u0441\u044b \u2014 "
                "\u04d9 \u0493 \u049b \u04a3 \u04e9 \u04b1 \u04af \u04bb \u0456 \u04d8 \u0492 "
                "\u049a \u04a2 \u04e8 \u04b0 \u04ae \u04ba \u0406.\n\n"
                "\u0418.\u0421. \u0422\u0443\u0440\u0433\u0435\u043d\u0435\u0432, "
                "\u0451\u043b\u043a\u0430 \u0401\u041b\u041a\u0410 \u0435\u043b\u043a\u0430, "
                "\u0439 \u0438, \u0457 \u0456, \u045e \u0443.\n"),
    "emoji": u("Family \U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466, rainbow "
               "\U0001f3f3\ufe0f\u200d\U0001f308, thumbs \U0001f44d\U0001f3fd, heart \u2764\ufe0f, "
               "smile \u263a\ufe0f \u263a, keycaps 1\ufe0f\u20e3 #\ufe0f\u20e3, lone ZWJ \u200d, "
               "VS16 alone \ufe0f.\n\n\U0001f600\u200d\u200d\U0001f600 "
               "\U0001f9d1\U0001f3fb\u200d\U0001f91d\u200d\U0001f9d1\U0001f3ff\n"),
    "spacing": b"\xef\xbb\xbfBOM title\r\n\r\nSoft\xc2\xadhy\xc2\xadphen\xc2\xadated "
    b"words\xc2\xadand\xc2\xadmore, no\xc2\xa0break\xc2\xa0space, tab\there\tand\tthere.\r\n"
    b"  indented verse\n\tand a tabbed line\rlone CR\x0cform feed\x0bvertical tab\n \n\t\n"
    b"zero\xe2\x80\x8bwidth\xe2\x81\xa0joiner\n",
    "cp1251": b"\xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0! \xdd\xf2\xee \xf2\xe5\xea\xf1\xf2 \xe2 "
    b"Windows-1251.\n\n\xc2\xf2\xee\xf0\xee\xe9 \xe0\xe1\xe7\xe0\xf6.\n",
    "latin1": b"Un caf\xe9 na\xefve \xe0 la cr\xe8me br\xfbl\xe9e.\n\nGr\xfc\xdfe aus M\xfcnchen.\n",
    "long-words": (b"a" * 300 + b" https://example.com/a/very/long/path?with=query&and=more#frag "
                   b"1,234.56 $(12.5)% 3.14e-10 -- em\xe2\x80\x94dash ...ellipsis\xe2\x80\xa6\n\n"
                   + b"x" * 90 + b"-" + b"y" * 90 + b"\n"),
    "thai": u("\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22\u0e07\u0e48\u0e32\u0e22"
              "\u0e19\u0e34\u0e14\u0e40\u0e14\u0e35\u0e22\u0e27 \u0e2a\u0e27\u0e31\u0e2a\u0e14"
              "\u0e35\u0e04\u0e23\u0e31\u0e1a\n"),
    "words": u("Don't rock'n'roll l'homme O'Neill e.g. U.S.A. 3.14 1,000 \u05e6\u05d4\u05f4\u05dc "
               "\u05d0\"\u05d1 \"quoted\" un*starred* ST\u00c5R Stra\u00dfe STRASSE \ufb01ne "
               "\u0130stanbul I\u0307 \u00bd \u2460 x\u00b2 grand-mother grandmother.\n\n"
               "\"the vast steppes\" steppe* kazakh music\n"),
}


def break_test_lines(name, first, count):
    """count cases from a Unicode break test file, from case first on, as strings."""
    out = []
    with open(os.path.join(UNICODE, "auxiliary", name), encoding="utf-8") as f:
        cases = [line.split("#")[0].strip() for line in f]
    cases = [c for c in cases if c]
    for case in cases[first:first + count]:
        cps = [int(tok, 16) for tok in case.split() if tok not in ("\u00d7", "\u00f7")]
        # surrogates cannot be written as UTF-8: they come through as the invalid bytes they are
        out.append(b"".join(chr(cp).encode("utf-8", "surrogatepass") for cp in cps))
    return out


def unicode_samples():
    samples = {}
    for name, first, count in (("LineBreakTest.txt", 0, 120), ("LineBreakTest.txt", 6000, 120),
                               ("LineBreakTest.txt", 7400, 200), ("GraphemeBreakTest.txt", 0, 150),
                               ("GraphemeBreakTest.txt", 400, 200), ("WordBreakTest.txt", 1500, 150)):
        key = "%s-%d" % (name.split(".")[0], first)
        samples[key] = b" ".join(break_test_lines(name, first, count)) + b"\n"
    return samples


def stories():
    texts = {}
    for name in sorted(os.listdir(os.path.join(ROOT, "texts"))):
        if name.endswith(".txt"):
            with open(os.path.join(ROOT, "texts", name), "rb") as f:
                texts[name[:-4]] = f.read()
    return texts


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def clear(target):
    folder = os.path.join(HERE, "corpus", target)
    if os.path.isdir(folder):
        for name in os.listdir(folder):
            os.unlink(os.path.join(folder, name))


def main():
    texts = stories()
    samples = dict(HOSTILE)
    samples.update(unicode_samples())
    for target in ("layout", "index", "align"):
        clear(target)

    # layout: byte 0 the width (2 + b % 64), byte 1 the options (fuzz_layout.c)
    options = [(70, 0), (38, 0), (6, 0), (18, 1), (30, 2), (14, 2 | 4 | 8 | 16 | 32), (62, 3)]
    for i, (name, data) in enumerate(sorted(texts.items())):
        for w, o in options[:3]:
            write("layout", "story-%s-w%d-o%d" % (name, w + 2, o), bytes([w, o]) + data)
    for i, (name, data) in enumerate(sorted(samples.items())):
        w, o = options[i % len(options)]
        write("layout", "%s-w%d-o%d" % (name, w + 2, o), bytes([w, o]) + data)

    # index: the story's bytes (and, to the first NUL, a query)
    for name, data in sorted(texts.items()):
        write("index", "story-" + name, data)
    for name, data in sorted(samples.items()):
        write("index", name, data)
    # common words, "the" over 4,096 times: its postings have skips (index.c, SKIP_MIN)
    common = b"".join(b"the son of the man and the" + (b"\n\n" if i % 9 == 8 else b" ")
                      for i in range(1050))
    write("index", "common-words", b'"the son of man" the*\n\n' + common)
    write("index", "query-syntax", u('"the vast steppes" steppe* \u041a\u0410\u0417\u0410\u0425 '
                                     'cafe "unclosed phrase *\n\nthe vast steppes of the '
                                     'Kazakh land, caf\u00e9 music.\n'))

    # align: byte 0 the separator, then A, the separator, B (no separator: B is A)
    ivan, sezim = texts.get("ivan-baktybekova", b""), texts.get("sezim-baktybekova", b"")
    paras = ivan.split(b"\n\n")
    edited = paras[:]
    if len(paras) > 4:
        edited[2] = edited[2].replace(b" the ", b" a ", 3)  # reworded
        edited.insert(1, edited.pop(4))  # moved
        edited[3:4] = edited[3].split(b". ", 1)  # split
        del edited[-1]  # removed
    pairs = {
        "ivan-edited": (ivan, b"\n\n".join(edited)),
        "ivan-sezim": (ivan, sezim),
        "ivan-empty": (ivan, b""),
        "empty-sezim": (b"", sezim),
        "duplicates": (b"same\n\nsame\n\nsame\n\nother\n", b"same\n\nother\n\nsame\n"),
        "punctuation": (b"* * *\n\n---\n\nword\n", b"---\n\n* * *\n\nword word\n"),
        "cjk-kazakh": (samples["cjk"], samples["kazakh"] + samples["cjk"]),
        "emoji-bidi": (samples["emoji"], samples["bidi"] + b"\n\n" + samples["emoji"]),
        "invalid": (samples["invalid-utf8"], samples["invalid-utf8"].replace(b"\xc3\xa9", b"e")),
    }
    for name, (a, b) in sorted(pairs.items()):
        write("align", name, b"\x00" + a + b"\x00" + b)
    write("align", "self-nul", b"\x01" + samples["nul"])
    write("align", "self-ivan", b"\x00" + ivan)
    write("align", "self-words", b"\x00" + samples["words"])
    write("align", "self-combining", b"\x00" + samples["combining"])
    write("align", "nul-sep-1", b"\x01" + samples["nul"] + b"\x01" + samples["nul"][5:])


main()
