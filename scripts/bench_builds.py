#!/usr/bin/env python3
"""Times several curvefit builds on one log, alternately, in one session: the side-by-side check
that a change costs no more than it should (docs/benchmarks.md).

    python3 scripts/bench_builds.py LOG BIN [BIN ...] [--repeat 7] [-- extra curvefit flags]

Each run is a fresh process under /usr/bin/time (`curvefit LOG --format json`), the file read
once just before it so every build finds it in the page cache. Prints, per build, the median
wall time, its spread and the peak RSS, and each build's ratio to the first.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys


def warm(path):
    with open(path, "rb") as handle:
        while handle.read(16 << 20):
            pass


def timed(binary, log, flags):
    run = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", binary, log, "--format", "json", *flags],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if run.returncode not in (0, 3):
        sys.exit(f"{binary} failed ({run.returncode}): {run.stderr[-500:]}")
    wall, rss = re.findall(r"TIME ([\d.]+) (\d+)", run.stderr)[-1]
    return float(wall), int(rss) / 1024


def main():
    argv = sys.argv[1:]
    flags = []
    if "--" in argv:
        flags = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("builds", nargs="+")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    times = {build: [] for build in args.builds}
    peaks = {build: [] for build in args.builds}
    for _ in range(args.repeat):
        for build in args.builds:
            warm(args.log)
            wall, rss = timed(build, args.log, flags)
            times[build].append(wall)
            peaks[build].append(rss)
    first = statistics.median(times[args.builds[0]])
    print(f"{os.path.basename(args.log)}, {args.repeat} runs each, alternating\n")
    print("| build | median wall | range | peak RSS | vs first |")
    print("|---|---:|---:|---:|---:|")
    for build in args.builds:
        median = statistics.median(times[build])
        print(f"| {build} | {median:.2f} s | {min(times[build]):.2f}–{max(times[build]):.2f} s "
              f"| {max(peaks[build]):.0f} MiB | {median / first:.2f}× |")


if __name__ == "__main__":
    main()
