#!/usr/bin/env python3
"""Precision and recall of curvefit's spike rules on logs with known spikes.

Generates a suite with ../shared/bench/gen_log.py (3 noise levels x 2 lengths x 3 seeds, with
spikes and a divergence at the end), runs `curvefit --detector RULE --format json` on each log,
and matches detected spikes to the truth: a detection matches a true spike when it starts
between 10 steps before it and the end of its recovery. Prints a Markdown table (the one in
docs/health.md) and the divergence onset error of the default rule.

    python3 scripts/detector-table.py [--bin .build/release/curvefit] [--quick]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GEN = os.path.join(ROOT, "..", "shared", "bench", "gen_log.py")
RULES = ["default", "llmc", "olmo", "foundry", "lightning", "megatron"]


def generate(directory, rows, noise, seed):
    path = os.path.join(directory, f"log_{rows}_{noise}_{seed}.csv")
    subprocess.run(
        [sys.executable, GEN, "--rows", str(rows), "--noise", str(noise), "--spikes", "10",
         "--diverge", "--seed", str(seed), "--lr-schedule", "constant", "--out", path],
        check=True, capture_output=True)
    with open(path + ".truth.json") as f:
        return path, json.load(f)


def analyse(binary, path, rule):
    out = subprocess.run([binary, path, "--detector", rule, "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "curvefit"))
    parser.add_argument("--quick", action="store_true", help="one seed, short logs only")
    args = parser.parse_args()
    if not os.path.exists(GEN):
        sys.exit("needs ../shared/bench/gen_log.py beside the repository")
    sizes = [10_000] if args.quick else [10_000, 100_000]
    seeds = [1] if args.quick else [1, 2, 3]
    noises = [0.005, 0.01, 0.02]
    totals = {rule: [0, 0, 0] for rule in RULES}  # true positives, detected, injected
    onset_errors = []
    with tempfile.TemporaryDirectory() as directory:
        for rows in sizes:
            for noise in noises:
                for seed in seeds:
                    path, truth = generate(directory, rows, noise, seed)
                    spikes = truth["spikes"]
                    for rule in RULES:
                        report = analyse(args.bin, path, rule)
                        found = [e["step"] for e in report["events"] if e["kind"] == "spike"]
                        hits = sum(1 for s in spikes if any(
                            s["step"] - 10 <= f <= s["step"] + s["recovery_steps"] for f in found))
                        matched = sum(1 for f in found if any(
                            s["step"] - 10 <= f <= s["step"] + s["recovery_steps"] for s in spikes))
                        totals[rule][0] += hits
                        totals[rule][1] += len(found)
                        totals[rule][2] += len(spikes)
                        totals[rule].append(matched)
                        if rule == "default":
                            div = [e for e in report["events"] if e["kind"] == "divergence"]
                            true_start = truth["divergence"]["start_step"]
                            onset_errors.append(div[0]["step"] - true_start if div else None)
    print(f"Suite: gen_log.py, {len(sizes)} lengths ({', '.join(f'{s:,}' for s in sizes)} steps) x "
          f"noise {noises} x {len(seeds)} seeds, 10 spikes and a divergence each.\n")
    print("| rule | spikes found | detections | recall | precision |")
    print("|---|---:|---:|---:|---:|")
    for rule in RULES:
        hits, detected, injected, *matched = totals[rule]
        recall = hits / injected if injected else 0
        precision = sum(matched) / detected if detected else 0
        print(f"| {rule} | {hits}/{injected} | {detected} | {recall:.3f} | {precision:.3f} |")
    found = [e for e in onset_errors if e is not None]
    print(f"\nDivergence (default rule): found in {len(found)}/{len(onset_errors)} logs; "
          f"onset error in steps: max {max(map(abs, found)) if found else 'n/a'}, "
          f"all: {found}")


if __name__ == "__main__":
    main()
