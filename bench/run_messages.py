#!/usr/bin/env python3
# Runs legate-bench-msg at several paced rates (and unpaced), several times each, and prints
# a Markdown table of medians (the README's "Messaging" table). Usage:
#   bench/run_messages.py BUILD_DIR [--runs 3] [--rates 1000,5000,10000,0] [--users 100]
#                         [--contacts 10] [--seconds 10] [--window 20000] [--quiet-load 1.2]
#                         [--tmpdir /dev/shm] [--component bench/slixmpp_echo.py]
#                         [--extra "--rich"]
# A rate of 0 means unpaced: the window alone limits the load. Each run sends about
# rate x --seconds messages (at least 20,000; 50,000 unpaced). With --quiet-load, each row
# first waits until the 1-minute load average is below that value (other builds make
# figures noisy); the load column is the median load when its runs started.
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

FIELDS = {
    "rate": (r"throughput\s+(\d+)", float),
    "steady": (r"steady: (\d+)/s", float),
    "rt50": (r"round trip - delay\s+p50 (-?[\d.]+)", float),
    "rt99": (r"round trip - delay.* p99 (-?[\d.]+) us", float),
    "co50": (r"composing\s+p50 ([\d.]+)", float),
    "co99": (r"composing.* p99 ([\d.]+) us", float),
    "anon": (r"component RSS.*RssAnon (\d+)", float),
    "cpu": (r"component CPU.*= ([\d.]+) us/message", float),
    "errors": (r"errors\s+(\d+)", int),
    "unexpected": (r"\+(\d+) unexpected", int),
    "lost": (r"(\d+) lost", int),
}


def wait_quiet(limit):
    if limit <= 0:
        return
    while os.getloadavg()[0] >= limit:
        time.sleep(10)


def run_once(args, rate, count):
    component = args.component or os.path.join(args.build, "examples/echo/legate-echo")
    argv = [os.path.join(args.build, "bench/legate-bench-msg"), "--spawn", component,
            "--users", str(args.users),
            "--contacts", str(args.contacts), "--count", str(count), "--window",
            str(args.window), "--rate", str(rate), "--tmpdir", args.tmpdir] + args.extra.split()
    load = os.getloadavg()[0]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    if out.returncode != 0 and "throughput" not in out.stdout:
        sys.exit(f"{' '.join(argv)} failed ({out.returncode}):\n{out.stdout}{out.stderr}")
    values = {"load": load}
    for name, (pattern, conv) in FIELDS.items():
        m = re.search(pattern, out.stdout)
        values[name] = conv(m.group(1)) if m else float("nan")
    return values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rates", default="1000,5000,10000,0")
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--contacts", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--window", type=int, default=20000)
    ap.add_argument("--quiet-load", type=float, default=0)
    ap.add_argument("--component", help="what to spawn instead of legate-echo, e.g. "
                    "bench/slixmpp_echo.py (the slixmpp reference point)")
    ap.add_argument("--tmpdir", default="/tmp", help="where the databases go (/dev/shm: no disk)")
    ap.add_argument("--extra", default="", help="more legate-bench-msg flags, e.g. --rich")
    args = ap.parse_args()
    print("| offered msg/s | achieved msg/s (median, min-max) | round trip − delay p50 / p99 µs "
          "| composing p50 / p99 µs | component CPU µs/msg | RssAnon KiB | load |")
    print("|---|---|---|---|---|---|---|")
    for rate in (int(r) for r in args.rates.split(",")):
        count = max(20000, int(rate * args.seconds)) if rate else 50000
        wait_quiet(args.quiet_load)  # per row: the runs themselves add about 1 to the load
        runs = [run_once(args, rate, count) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in list(FIELDS) + ["load"]}
        rates = [r["steady"] for r in runs]
        errors = sum(r["errors"] + r["unexpected"] + r["lost"] for r in runs)
        print(f"| {rate if rate else 'unpaced (window ' + str(args.window) + ')'} "
              f"| {med['steady']:,.0f} ({min(rates):,.0f}-{max(rates):,.0f})"
              f" | {med['rt50']:,.0f} / {med['rt99']:,.0f} | {med['co50']:,.0f} / {med['co99']:,.0f}"
              f" | {med['cpu']:.1f} | {med['anon']:,.0f} | {med['load']:.2f} |"
              + (f" {errors} errors/unexpected/lost!" if errors else ""), flush=True)


if __name__ == "__main__":
    main()
