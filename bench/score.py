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
  pgdump_diff  the unified diff (made with -F '^[A-Z]' so each hunk header names
               the statement it is in) is split into hunks; a hunk is attributed
               like a migra statement, using its header and changed lines.
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
        text = item.replace('"', "")
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


def diff_hunks(text):
    hunks, current = [], None
    for line in text.splitlines():
        if line.startswith("--- ") or line.startswith("+++ "):
            if current is None:
                continue  # file headers
        if line.startswith("@@"):
            current = [line]
            hunks.append(current)
        elif current is not None and line[:1] in "+-":
            current.append(line)
    # A hunk whose changed lines are all blank or bare comment markers changes
    # nothing; pg_dump's "--" separators shift around real changes.
    real = []
    for hunk in hunks:
        changed = [l[1:].strip() for l in hunk[1:]]
        if any(c and c != "--" for c in changed):
            real.append("\n".join(hunk))
    return real


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
        items = migra_statements(text) if args.tool == "migra" else diff_hunks(text)
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
