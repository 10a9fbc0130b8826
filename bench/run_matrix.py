#!/usr/bin/env python3
# Runs legate-bench-iq over kinds x windows, several times each, and prints a Markdown
# table of medians (the README's table). Usage:
#   bench/run_matrix.py BUILD_DIR [--runs 5] [--kinds disco,ping] [--windows 1,100,1000]
#                       [--count 200000] [--count-w1 50000] [--extra "--spin"]
import argparse
import os
import re
import statistics
import subprocess
import sys

FIELDS = {
    "rate": (r"throughput\s+(\d+)", float),
    "p50": (r"latency\s+p50 ([\d.]+)", float),
    "p99": (r"p99 ([\d.]+) us", float),
    "max": (r"max ([\d.]+) us", float),
    "rss": (r"component RSS\s+peak (\d+)", float),
    "cpu": (r"component CPU.*= ([\d.]+) us/stanza", float),
    "gen": (r"generator CPU.*= ([\d.]+) us/stanza", float),
    "errors": (r"errors\s+(\d+)", int),
}


def run_once(build, kind, window, count, extra):
    argv = [os.path.join(build, "bench/legate-bench-iq"), "--spawn",
            os.path.join(build, "examples/echo/legate-echo"), "--kind", kind,
            "--window", str(window), "--count", str(count)] + extra
    out = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({out.returncode}):\n{out.stdout}{out.stderr}")
    values = {}
    for name, (pattern, conv) in FIELDS.items():
        m = re.search(pattern, out.stdout)
        values[name] = conv(m.group(1)) if m else float("nan")
    return values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--kinds", default="disco,ping")
    ap.add_argument("--windows", default="1,100,1000")
    ap.add_argument("--count", type=int, default=200000)
    ap.add_argument("--count-w1", type=int, default=50000)
    ap.add_argument("--extra", default="", help="more legate-bench-iq flags, e.g. --spin")
    args = ap.parse_args()
    print("| kind | window | IQ/s (median, min-max) | p50 µs | p99 µs | max µs "
          "| component CPU µs/IQ | peak RSS KiB | generator CPU µs/IQ |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind in args.kinds.split(","):
        for window in (int(w) for w in args.windows.split(",")):
            count = args.count_w1 if window == 1 else args.count
            runs = [run_once(args.build, kind, window, count, args.extra.split())
                    for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in runs) for k in FIELDS}
            rates = [r["rate"] for r in runs]
            errors = sum(r["errors"] for r in runs)
            print(f"| {kind} | {window} | {med['rate']:,.0f} ({min(rates):,.0f}-{max(rates):,.0f})"
                  f" | {med['p50']:.0f} | {med['p99']:.0f} | {med['max']:.0f}"
                  f" | {med['cpu']:.2f} | {med['rss']:,.0f} | {med['gen']:.2f} |"
                  + (f" {errors} errors!" if errors else ""), flush=True)


if __name__ == "__main__":
    main()
