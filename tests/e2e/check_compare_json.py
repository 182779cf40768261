"""Checks `lector compare --json` output (stdin) against tests/data/compare.schema.json and
against the stories themselves: every paragraph of each version in exactly one row, in order
where not moved; every difference inside its row's span and on word characters at both ends;
the shares adding up to 1. Usage: check_compare_json.py SCHEMA A B < json"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
doc = json.load(sys.stdin)
jsonschema.validate(doc, schema)
files = [open(p, "rb").read() for p in sys.argv[2:4]]
errors = []
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
            text = files[s][d[0]:d[1]].decode("utf-8")
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
