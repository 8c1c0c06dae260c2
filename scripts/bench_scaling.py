#!/usr/bin/env python3
"""Times `curvefit scaling` with its default 1,000-resample bootstrap on the real scaling tables
in ../shared/data/real (Chinchilla, Porian et al., Gadre et al.), whole processes, median of
--repeat runs, optionally side by side with an older build (--baseline BIN, runs alternating).

    python3 scripts/bench_scaling.py [--baseline /tmp/old/curvefit] [--repeat 5]

`make bench` runs it too and puts the table in docs/benchmarks.md.
"""

import argparse
import os
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(ROOT, "..", "shared", "data", "real")
TABLES = [
    ("Chinchilla (Epoch's extraction), 245 runs", "chinchilla-epoch/svg_extracted_data.csv", []),
    ("Porian et al. isoFLOP sweep, 579 runs", "porian2024-isoflop/isoflop_points_derived.csv", []),
    ("Gadre et al. over-training, 832 rows", "gadre2024-overtraining/final_losses_derived.csv", []),
]


def wall(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def table(binary, baseline=None, repeat=5, say=print):
    say("| table | curvefit scaling (median) |" + (" previous build (median) | speed-up |" if baseline else ""))
    say("|---|---:|" + ("---:|---:|" if baseline else ""))
    for name, path, extra in TABLES:
        full = os.path.join(REAL, path)
        if not os.path.exists(full):
            continue
        ours, theirs = [], []
        for _ in range(repeat):
            ours.append(wall([binary, "scaling", full, *extra]))
            if baseline:
                theirs.append(wall([baseline, "scaling", full, *extra]))
        row = f"| {name} | {statistics.median(ours):.2f} s |"
        if baseline:
            row += f" {statistics.median(theirs):.2f} s | {statistics.median(theirs) / statistics.median(ours):.1f}× |"
        say(row)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "curvefit"))
    parser.add_argument("--baseline")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    table(args.binary, args.baseline, args.repeat)


if __name__ == "__main__":
    main()
