#!/usr/bin/env python3
"""Assemble bench/run.sh's raw results into the markdown results table.

Reads, per size N, from --results DIR: nN-TOOL.json (bench/measure.py: times,
peak RSS and round of every run) and nN-TOOL.score.json (bench/score.py).
Every time and RSS shown is a median; "× floor" is the median over rounds of
the tool's time divided by the floor's time in the same round. With --strict, exits 1 when driftcheck missed a planted drift,
reported an unattributed item, or was not scored.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

TOOLS = [
    ("floor", "raw floor: psql, driftcheck's catalog queries, both DBs in parallel"),
    ("catalog", "plain catalog read (bench/catalog.sql) of the same kinds, both DBs in parallel"),
    ("driftcheck", "driftcheck full check (JSON, no report file)"),
    ("migra", "migra local -> production"),
    ("pgdump_diff", "pg_dump --schema-only ×2 (parallel) + diff -u (scored on diff -U0)"),
]
# Targets from issue 14: reported against, never asserted (except by --strict on detection).
FLOOR_RATIO_TARGET = 1.10
RSS_TARGET_MB = {5000: 100, 10000: 180}
SMALL_TOTAL_TARGET_S = 0.15


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = "unknown"
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            ram = "%.1f GiB" % (kib / 1024 / 1024)
    except (OSError, ValueError, IndexError):
        pass
    return "%d cores (nproc), %s, %s RAM, %s %s" % (
        os.cpu_count() or 0, cpu, ram, platform.system(), platform.release())


def fmt_time(seconds):
    return "%.3f s" % seconds if seconds < 10 else "%.1f s" % seconds


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--results", required=True)
    p.add_argument("--sizes", required=True)
    p.add_argument("--markdown", required=True)
    p.add_argument("--driftcheck-mode", default="check")
    p.add_argument("--pg-version", default="")
    p.add_argument("--migra-version", default="")
    p.add_argument("--driftcheck-sha", default="")
    p.add_argument("--command", default="bench/run.sh")
    p.add_argument("--note", action="append", default=[])
    p.add_argument("--strict", action="store_true")
    args = p.parse_args()

    sizes = [int(s) for s in args.sizes.split(",") if s]
    rows, verdicts, failures = [], [], []
    for n in sizes:
        runs = {}
        for tool, _ in TOOLS:
            data = load(os.path.join(args.results, "n%d-%s.json" % (n, tool)))
            if data:
                runs[tool] = data["results"][0]
        floor = runs.get("floor")

        def ratio(tool):
            """Median over rounds of tool time / floor time in that round."""
            if not floor or tool not in runs:
                return None
            floor_by_round = dict(zip(floor.get("rounds", []), floor["times"]))
            pairs = [t / floor_by_round[r] for r, t in zip(runs[tool].get("rounds", []), runs[tool]["times"])
                     if r in floor_by_round]
            return statistics.median(pairs) if pairs else runs[tool]["median"] / floor["median"]

        def rss_mb(tool):
            values = runs.get(tool, {}).get("rss_kib") or []
            return statistics.median(values) / 1024 if values else None

        for tool, _ in TOOLS:
            if tool not in runs:
                continue
            r = runs[tool]
            tool_ratio = ratio(tool)
            catalog_ratio = (r["median"] / runs["catalog"]["median"]) if "catalog" in runs else None
            score = load(os.path.join(args.results, "n%d-%s.score.json" % (n, tool)))
            if score is None:
                detected, unattributed = "–", "–"
            elif not score.get("scored"):
                detected, unattributed = "not scored", "–"
            else:
                detected = "%d/%d" % (score["detected"], score["planted"])
                unattributed = str(score["unattributed"])
            rss = rss_mb(tool)
            rows.append("| %d | %s | %s ± %.3f (%d runs) | %s | %s | %s | %s | %s |" % (
                n, tool, fmt_time(r["median"]), r.get("stddev") or 0.0, len(r["times"]),
                "%.2f×" % tool_ratio if tool_ratio else "–",
                "%.2f×" % catalog_ratio if catalog_ratio else "–",
                "%.1f MB" % rss if rss is not None else "", detected, unattributed))
        dc = runs.get("driftcheck")
        score = load(os.path.join(args.results, "n%d-driftcheck.score.json" % n))
        dc_ratio = ratio("driftcheck")
        if dc and dc_ratio:
            verdict = "met" if dc_ratio <= FLOOR_RATIO_TARGET else "MISSED"
            if n not in RSS_TARGET_MB:
                verdict = "for reference (%s)" % ("within" if dc_ratio <= FLOOR_RATIO_TARGET else "above")
            verdicts.append("N=%d: driftcheck %.2f× the floor (target ≤ %.2f× at N=5,000 and 10,000): %s" % (
                n, dc_ratio, FLOOR_RATIO_TARGET, verdict))
        dc_rss = rss_mb("driftcheck")
        if dc_rss is not None and n in RSS_TARGET_MB:
            verdicts.append("N=%d: driftcheck peak RSS %.1f MB (target ≤ %d MB): %s" % (
                n, dc_rss, RSS_TARGET_MB[n], "met" if dc_rss <= RSS_TARGET_MB[n] else "MISSED"))
        if dc and n <= 100:
            verdicts.append("N=%d: driftcheck total %.3f s (target < %.2f s): %s" % (
                n, dc["median"], SMALL_TOTAL_TARGET_S,
                "met" if dc["median"] < SMALL_TOTAL_TARGET_S else "MISSED"))
        if score and score.get("scored"):
            ok = (score["detected"] == score["planted"] and score["unattributed"] == 0
                  and score["duplicates"] == 0)
            verdicts.append(
                "N=%d: driftcheck detected %d/%d planted drifts, %d unattributed, %d duplicated: %s"
                % (n, score["detected"], score["planted"], score["unattributed"],
                   score["duplicates"], "met" if ok else "MISSED"))
            for m in score["missed"]:
                verdicts.append("  missed: %s %s" % (m["kind"], m["object"]))
                failures.append("N=%d missed %s %s" % (n, m["kind"], m["object"]))
            for u in score["unattributed_examples"]:
                verdicts.append("  unattributed: %s" % u)
            if score["unattributed"]:
                failures.append("N=%d: %d unattributed" % (n, score["unattributed"]))
            if score["duplicates"]:
                failures.append("N=%d: %d duplicated entries" % (n, score["duplicates"]))
        else:
            failures.append("N=%d: driftcheck output not scored" % n)

    try:
        kernel_sha = args.driftcheck_sha or subprocess.check_output(
            ["git", "rev-parse", "--short", "HEAD"], text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        kernel_sha = "unknown"
    out = []
    out.append("## driftcheck benchmark results")
    out.append("")
    out.append("Command: `%s`" % args.command)
    out.append("")
    out.append("- Machine: %s" % machine())
    out.append("- PostgreSQL: %s" % (args.pg_version or "unknown"))
    out.append("- migra: %s" % (args.migra_version or "not run"))
    out.append("- driftcheck: git %s%s" % (kernel_sha, "" if args.driftcheck_mode == "check"
               else " (stand-in: two concurrent `driftcheck snapshot` processes; full check not available)"))
    out.append("")
    out.append("| N tables | tool | median time ± stddev | × floor | × catalog | peak RSS | detected / planted | unattributed |")
    out.append("|---:|---|---:|---:|---:|---:|---:|---:|")
    out.extend(rows)
    out.append("")
    out.append("Tools:")
    for tool, text in TOOLS:
        out.append("- `%s`: %s" % (tool, text))
    out.append("")
    out.append("Targets (reported, not asserted):")
    out.append("")
    out.extend("- " + v if not v.startswith("  ") else "  - " + v.strip() for v in verdicts)
    for note in args.note:
        out.append("- Note: " + note)
    out.append("")
    text = "\n".join(out)
    with open(args.markdown, "w") as f:
        f.write(text)
    if args.strict and failures:
        sys.stderr.write("bench: driftcheck detection FAILED:\n  " + "\n  ".join(failures) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
