#!/usr/bin/env python3
"""Time several shell commands in alternating rounds, with each run's peak RSS.

    measure.py --rounds R [--warmup W] --out-dir DIR --prefix nN \
        NAME=COMMAND [NAME=COMMAND ...] [--rounds-of NAME=K ...]

Round r runs every command once, in the order given, so slow drift in the
machine's load touches every tool alike (hyperfine runs one tool's runs back
to back). Each run's wall time comes from a monotonic clock around the shell;
its peak RSS from wait4(): the largest process of the command's tree (Linux
reports the maximum over the shell and every child it reaped), in KiB.

Writes DIR/PREFIX-NAME.json per command, in hyperfine's export shape plus
`rss_kib` (one value per run) and `rounds` (the round of each run), so that
report.py can take medians and per-round ratios. A command that exits non-zero
is reported and the run still counted, as hyperfine --ignore-failure does.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def run_once(command):
    started = time.monotonic()
    child = subprocess.Popen(["bash", "-c", command], stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss, child.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--rounds-of", action="append", default=[],
                        help="NAME=K: run NAME only in the first K rounds (a slow peer)")
    parser.add_argument("commands", nargs="+", metavar="NAME=COMMAND")
    args = parser.parse_args()
    if args.rounds < 1:
        sys.exit("measure.py: --rounds must be at least 1")
    commands = []
    for spec in args.commands:
        name, sep, command = spec.partition("=")
        if not sep or not name or not command:
            sys.exit("measure.py: expected NAME=COMMAND, got %r" % spec)
        commands.append((name, command))
    limits = {}
    for spec in args.rounds_of:
        name, _, count = spec.partition("=")
        limits[name] = int(count)

    for _ in range(args.warmup):
        for name, command in commands:
            if name not in limits:
                run_once(command)
    results = {name: {"command": name, "times": [], "rss_kib": [], "rounds": [],
                      "exit_codes": []} for name, _ in commands}
    for round_number in range(args.rounds):
        for name, command in commands:
            if round_number >= limits.get(name, args.rounds):
                continue
            elapsed, rss, code = run_once(command)
            result = results[name]
            result["times"].append(elapsed)
            result["rss_kib"].append(rss)
            result["rounds"].append(round_number)
            result["exit_codes"].append(code)
            print("bench: round %d/%d %-12s %.3f s %6.1f MB%s" % (
                round_number + 1, args.rounds, name, elapsed, rss / 1024,
                "" if code in (0, 1) else " (exit %d)" % code), file=sys.stderr)
    for name, result in results.items():
        times = result["times"]
        if not times:
            continue
        result["median"] = statistics.median(times)
        result["mean"] = statistics.fmean(times)
        result["stddev"] = statistics.stdev(times) if len(times) > 1 else 0.0
        result["min"] = min(times)
        result["max"] = max(times)
        path = os.path.join(args.out_dir, "%s-%s.json" % (args.prefix, name))
        with open(path, "w") as f:
            json.dump({"results": [result]}, f, indent=1)


if __name__ == "__main__":
    main()
