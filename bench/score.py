#!/usr/bin/env python3
"""Score one tool's output against the planted drifts (stdlib only).

    score.py --manifest manifest.json --tool driftcheck|migra|pgdump_diff --output FILE

Prints JSON: planted, detected, missed (manifest entries), reported (items the
tool reported), unattributed (items that match no planted drift, with the first
few shown), duplicates (items reported more than once).

Matching rules:
  driftcheck   each `schema_diff` entry {kind, object} must equal one of a drift's
               expected (kind, object) pairs (manifest `objects`).
  migra        the output is split into statements; a statement is attributed to
               a drift when it names one of the drift's identifiers (manifest
               `names`: the table for column drifts, else the index, constraint or
               enum name) as a whole word, quotes removed.
  pgdump_diff  `diff -U0 local.sql prod.sql` is split into hunks; a hunk is
               attributed like a migra statement, using its changed lines and,
               when they continue a statement (a column line inside CREATE
               TABLE), the first line of that statement in local.sql.
"""

import argparse
import json
import re
import sys


def name_pattern(names):
    # Identifiers contain '_' and digits, which \\b treats as word characters, so
    # `order_00042` does not match inside `ix_order_00042_partial`.
    return re.compile(r"\b(?:%s)\b" % "|".join(re.escape(n) for n in names), re.IGNORECASE)


def score_text_items(items, drifts):
    """items: list of text blocks (statements or hunks)."""
    patterns = [name_pattern(d["names"]) for d in drifts]
    hits = [0] * len(drifts)
    unattributed = []
    for item in items:
        # migra renames a changed enum to NAME__old_version_to_be_dropped.
        text = item.replace('"', "").replace("__", " __")
        matched = [i for i, p in enumerate(patterns) if p.search(text)]
        for i in matched:
            hits[i] += 1
        if not matched:
            unattributed.append(item)
    return hits, unattributed, 0


def migra_statements(text):
    statements = []
    for chunk in re.split(r";[ \t]*\n", text):
        chunk = chunk.strip()
        # migra prints comments only for its own notes; they are not changes.
        lines = [l for l in chunk.splitlines() if l.strip() and not l.strip().startswith("--")]
        if lines:
            statements.append("\n".join(lines))
    return statements


def diff_hunks(text, old_lines):
    """Hunks of a `diff -U0 OLD NEW` as text blocks. A hunk whose changed lines
    continue a statement (indented, like a column inside CREATE TABLE) gets
    that statement's first line from OLD prepended, which names the object."""
    hunks, current = [], None
    header = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")
    for line in text.splitlines():
        m = header.match(line)
        if m:
            current = {"start": int(m.group(1)), "count": int(m.group(2) or 1), "lines": []}
            hunks.append(current)
        elif current is not None and line[:1] in "+-":
            current["lines"].append(line)
    blocks = []
    for hunk in hunks:
        changed = [l[1:] for l in hunk["lines"]]
        # pg_dump's "--" separators and blank lines shift around real changes.
        if not any(c.strip() and c.strip() != "--" for c in changed):
            continue
        block = list(hunk["lines"])
        if any(c[:1] in (" ", "\t") for c in changed):
            # -U0: an insertion (count 0) follows line `start`, else it starts there.
            last = hunk["start"] if hunk["count"] == 0 else hunk["start"] - 1
            for i in range(min(last, len(old_lines)) - 1, -1, -1):
                if old_lines[i][:1].isupper():
                    block.insert(0, "statement: " + old_lines[i])
                    break
        blocks.append("\n".join(block))
    return blocks


def score_driftcheck(text, drifts):
    try:
        report = json.loads(text)
    except ValueError as e:
        sys.exit("score.py: driftcheck output is not JSON (%s): %.200s" % (e, text))
    entries = report.get("schema_diff")
    if entries is None:
        sys.exit("score.py: driftcheck output has no schema_diff")
    index = {}
    for i, d in enumerate(drifts):
        for o in d["objects"]:
            index[(o["kind"], o["object"])] = i
    hits = [0] * len(drifts)
    unattributed, seen, duplicates = [], set(), 0
    for e in entries:
        key = (e.get("kind"), e.get("object"))
        if key in seen:
            duplicates += 1
        seen.add(key)
        i = index.get(key)
        if i is None:
            unattributed.append(json.dumps(e, sort_keys=True))
        else:
            hits[i] += 1
    return hits, unattributed, duplicates, len(entries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--tool", required=True, choices=["driftcheck", "migra", "pgdump_diff"])
    parser.add_argument("--output", required=True)
    parser.add_argument("--old-dump", help="pgdump_diff: the local dump the diff was made from")
    args = parser.parse_args()
    with open(args.manifest) as f:
        drifts = json.load(f)["drifts"]
    with open(args.output) as f:
        text = f.read()
    if args.tool == "driftcheck":
        if text.startswith("stand-in:"):
            print(json.dumps({"tool": args.tool, "scored": False, "note": text.strip()}))
            return
        hits, unattributed, duplicates, reported = score_driftcheck(text, drifts)
    else:
        if args.tool == "migra":
            items = migra_statements(text)
        else:
            if not args.old_dump:
                parser.error("--tool pgdump_diff needs --old-dump (the local dump)")
            with open(args.old_dump) as f:
                items = diff_hunks(text, f.read().splitlines())
        hits, unattributed, duplicates = score_text_items(items, drifts)
        reported = len(items)
    result = {
        "tool": args.tool,
        "scored": True,
        "planted": len(drifts),
        "detected": sum(1 for h in hits if h),
        "missed": [{"kind": d["kind"], "object": d["object"]} for d, h in zip(drifts, hits) if not h],
        "reported": reported,
        "items_per_drift_max": max(hits) if hits else 0,
        "unattributed": len(unattributed),
        "unattributed_examples": unattributed[:5],
        "duplicates": duplicates,
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
