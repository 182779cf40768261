"""Checks `lector compare --json` output (stdin) against a schema (tests/data/compare.schema.json
for two versions, collation.schema.json for more) and against the stories themselves: every
paragraph of each version in exactly one row, in order (where not moved); every mark inside its
row's span and on word characters at both ends; the shares adding up to 1.
Usage: check_compare_json.py SCHEMA STORY... < json"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
doc = json.load(sys.stdin)
jsonschema.validate(doc, schema)
files = [open(p, "rb").read() for p in sys.argv[2:]]
errors = []
if doc["format"] == "lector-collation":  # three or more: marks, "in", every version in order
    for s, data in enumerate(files):
        seen = []
        for k, row in enumerate(doc["rows"]):
            paras = row["paragraphs"][s]
            seen += paras
            if bool(paras) != ((s + 1) in row["in"]):
                errors.append(f"row {k}: 'in' {row['in']} but version {s + 1} has {paras}")
            span = row["spans"][s]
            for d in row["marks"][s]:
                if span is None or not (span[0] <= d[0] < d[1] <= span[1]):
                    errors.append(f"row {k} version {s + 1}: mark {d} outside {span}")
                    continue
                # a version may not be UTF-8 (a binary file's marks fall on any bytes)
                text = data[d[0]:d[1]].decode("utf-8", errors="replace")
                if text[0].isspace() or text[-1].isspace():
                    errors.append(f"row {k} version {s + 1}: mark {text!r} not on words")
        if seen != list(range(1, doc["versions"][s]["paragraphs"] + 1)):
            errors.append(f"version {s + 1}: paragraphs in rows {seen}")
    for sh in doc["shares"]:
        total = sum(sh[k] for k in ("kept", "changed", "removed", "added", "moved"))
        if abs(total - 1) > 0.001:
            errors.append(f"version {sh['version']}: shares add up to {total}")
    for e in errors:
        print("json:", e)
    sys.exit(1 if errors else 0)
for s in range(2):
    seen = []
    for k, row in enumerate(doc["rows"]):
        paras = row["paragraphs"][s]
        seen += paras
        span = row["spans"][s]
        if bool(paras) != (span is not None):
            errors.append(f"row {k} side {s}: paragraphs {paras} but span {span}")
        for d in row["differences"][s]:
            if span is None or not (span[0] <= d[0] < d[1] <= span[1]):
                errors.append(f"row {k} side {s}: difference {d} outside {span}")
                continue
            text = files[s][d[0]:d[1]].decode("utf-8", errors="replace")
            if text[0].isspace() or text[-1].isspace():
                errors.append(f"row {k} side {s}: difference {d} {text!r} not on words")
    if sorted(seen) != list(range(1, doc["versions"][s]["paragraphs"] + 1)):
        errors.append(f"side {s}: paragraphs in rows {seen}")
    fixed = [p for row in doc["rows"] if row["kind"] != "moved" or s == 1
             for p in row["paragraphs"][s]]
    if fixed != sorted(fixed):
        errors.append(f"side {s}: order not kept {fixed}")
total = sum(doc["shares"].values())
if abs(total - 1) > 0.001:
    errors.append(f"shares add up to {total}")
for e in errors:
    print("json:", e)
sys.exit(1 if errors else 0)
