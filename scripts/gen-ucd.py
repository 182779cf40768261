#!/usr/bin/env python3
"""Generate src/core/ucd_tables.c from the Unicode Character Database.

Reads the UCD as Debian's `unicode-data` package installs it (/usr/share/unicode, Unicode 15.0 on
Debian 12) and writes one packed property value per code point, looked up in two stages:

    props = ucd_values[ucd_stage2[(ucd_stage1[cp >> 7] << 7) | (cp & 127)]]

Usage: scripts/gen-ucd.py [UCD_DIR] > src/core/ucd_tables.c

The bit layout of a value is defined in include/lector/ucd.h; keep the two in step.
"""
import re
import sys

UCD = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"
N = 0x110000

# Order must match enum UcdLineBreak in include/lector/ucd.h.
LB_CLASSES = ("BK CR LF NL SP ZW ZWJ CM WJ GL OP CL CP QU NS EX SY IS PR PO NU AL HL ID IN HY BA "
              "BB B2 CB EB EM H2 H3 JL JV JT RI").split()
# Order must match enum UcdGraphemeBreak.
GCB_CLASSES = ("Other CR LF Control Extend ZWJ Regional_Indicator Prepend SpacingMark L V T LV "
               "LVT").split()


def ranges(path, missing_default=None):
    """Yield (first, last, value) from a UCD property file, @missing lines first."""
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    for line in lines:
        m = re.match(r"#\s*@missing:\s*([0-9A-F]+)\.\.([0-9A-F]+)\s*;\s*(\S+)", line)
        if m:
            yield int(m.group(1), 16), int(m.group(2), 16), m.group(3)
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = [x.strip() for x in line.split(";")]
        cps = fields[0].split("..")
        lo = int(cps[0], 16)
        hi = int(cps[-1], 16)
        yield lo, hi, fields[1]


def fill(table, path):
    for lo, hi, v in ranges(path):
        for cp in range(lo, hi + 1):
            table[cp] = v


def general_categories():
    gc = ["Cn"] * N
    with open(f"{UCD}/UnicodeData.txt", encoding="utf-8") as f:
        first = None
        for line in f:
            fields = line.split(";")
            cp = int(fields[0], 16)
            name, cat = fields[1], fields[2]
            if name.endswith(", First>"):
                first = cp
                continue
            if name.endswith(", Last>"):
                for c in range(first, cp + 1):
                    gc[c] = cat
                continue
            gc[cp] = cat
    return gc


def binary_property(path, name):
    out = bytearray(N)
    for lo, hi, v in ranges(path):
        if v == name:
            for cp in range(lo, hi + 1):
                out[cp] = 1
    return out


def main():
    gc = general_categories()
    lb = ["XX"] * N
    fill(lb, f"{UCD}/LineBreak.txt")
    eaw = ["N"] * N
    fill(eaw, f"{UCD}/EastAsianWidth.txt")
    gcb = ["Other"] * N
    fill(gcb, f"{UCD}/auxiliary/GraphemeBreakProperty.txt")
    emoji_data = f"{UCD}/emoji/emoji-data.txt"
    extpict = binary_property(emoji_data, "Extended_Pictographic")
    emoji = binary_property(emoji_data, "Emoji")
    emoji_pres = binary_property(emoji_data, "Emoji_Presentation")
    # Format characters with a glyph of their own (U+0600 ARABIC NUMBER SIGN...): terminals
    # (wcwidth) give them a column, so layout must count one too.
    pcm = binary_property(f"{UCD}/PropList.txt", "Prepended_Concatenation_Mark")

    values = {}
    stage2_blocks = {}
    stage1 = []
    stage2 = []
    for block in range(N >> 7):
        row = []
        for cp in range(block << 7, (block + 1) << 7):
            c = lb[cp]
            # LB1: resolve AI, SG, XX to AL; SA to CM for marks, else AL; CJ to NS.
            if c in ("AI", "SG", "XX"):
                c = "AL"
            elif c == "SA":
                c = "CM" if gc[cp] in ("Mn", "Mc") else "AL"
            elif c == "CJ":
                c = "NS"
            if gc[cp] in ("Mn", "Me", "Cf") and cp != 0x00AD and not pcm[cp]:
                width = 0
            elif 0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF:
                width = 0  # Hangul medial vowels and final consonants join the leading jamo
            elif cp == 0x200B:
                width = 0
            elif eaw[cp] in ("W", "F"):
                width = 2
            else:
                width = 1
            v = (LB_CLASSES.index(c)
                 | GCB_CLASSES.index(gcb[cp]) << 6
                 | width << 10
                 | extpict[cp] << 12
                 | emoji[cp] << 13
                 | emoji_pres[cp] << 14
                 | (1 if eaw[cp] in ("F", "W", "H") else 0) << 15
                 | (1 if extpict[cp] and gc[cp] == "Cn" else 0) << 16
                 | (1 if eaw[cp] == "A" else 0) << 17
                 | (1 if gc[cp] == "Cn" else 0) << 18)
            row.append(values.setdefault(v, len(values)))
        key = tuple(row)
        if key not in stage2_blocks:
            stage2_blocks[key] = len(stage2_blocks)
            stage2.extend(row)
        stage1.append(stage2_blocks[key])
    if len(values) > 256:
        sys.exit(f"too many distinct property values: {len(values)}")

    out = sys.stdout
    out.write("/* Generated by scripts/gen-ucd.py from the Unicode Character Database 15.0\n"
              " * (Debian unicode-data). Do not edit; run the script again instead. */\n\n")
    out.write('#include "lector/ucd.h"\n\n')
    out.write(f"const uint32_t ucd_values[{len(values)}] = {{\n")
    for v, _ in sorted(values.items(), key=lambda kv: kv[1]):
        out.write(f"    0x{v:05x},\n")
    out.write("};\n\n")
    out.write(f"const uint16_t ucd_stage1[{len(stage1)}] = {{\n")
    for i in range(0, len(stage1), 16):
        out.write("    " + ", ".join(str(x) for x in stage1[i:i + 16]) + ",\n")
    out.write("};\n\n")
    out.write(f"const uint8_t ucd_stage2[{len(stage2)}] = {{\n")
    for i in range(0, len(stage2), 32):
        out.write("    " + ",".join(str(x) for x in stage2[i:i + 32]) + ",\n")
    out.write("};\n")


if __name__ == "__main__":
    main()
