#!/usr/bin/env python3
"""Runs curvefit on the real training logs in ../shared/data/real/ and prints each verdict.

Only for validation and docs: the test suite never reads ../shared. Prints a Markdown table
(the one in docs/health.md): log, points, verdict, events, fitted alpha and whether the fit
converged. Logs in formats curvefit does not read yet are listed as skipped.

    python3 scripts/validate-real.py [--bin .build/release/curvefit]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REAL = os.path.join(ROOT, "..", "shared", "data", "real")

# (folder, file, extra flags)
LOGS = [
    ("algoperf-wmt-transformer-spikes", "measurements.csv", []),
    ("algoperf-wmt-glu-tanh-spike", "measurements.csv", []),
    ("algoperf-conformer-spike-plateau", "measurements.csv", []),
    ("algoperf-criteo-divergence", "measurements.csv", []),
    ("jsonl-slm125m-legal", "metrics.jsonl", []),
    ("detectron2-metrics-jsonl", "metrics.json", ["--loss-col", "total_loss", "--step-col", "iteration"]),
    ("llmc-gpt2-124m-mainlog", "main.log", []),
    ("llmc-gpt2-124m-stdout", "gpt2_train.11685414.log", []),
    ("nanogpt-stdout-log", "output.log", []),
    ("buildnanogpt-gpt2-logs", "log_no_warmup/log.txt", []),
    ("buildnanogpt-gpt2-logs", "log_2.5_epoch_full/log.txt", []),
    ("hf-trainer-whisper-ja", "trainer_state.json", []),
    ("hf-trainer-star-drafter", "trainer_state.json", []),
    ("lightning-slm-training", "metrics.csv", []),
    ("bigscience-megatron-chronicles", "tr1-13B_iter29020-29090.log", []),
    ("bigscience-megatron-chronicles", "tr8-104B_exp1_iter7000-7220.log", []),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "curvefit"))
    args = parser.parse_args()
    if not os.path.isdir(REAL):
        sys.exit("needs ../shared/data/real beside the repository")
    print("| log | points | verdict | events (start steps) | alpha | converged |")
    print("|---|---:|---|---|---:|---|")
    for folder, name, flags in LOGS:
        path = os.path.join(REAL, folder, name)
        if not os.path.exists(path):
            continue
        run = subprocess.run([args.bin, path, "--format", "json", "--bootstrap", "100", *flags],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(f"| {folder}/{name} | | error: {run.stderr.strip()} | | | |")
            continue
        report = json.loads(run.stdout)
        events = ", ".join(f"{e['kind']} {e['step']:g}" for e in report["events"]) or "none"
        fit = report["fit"]
        print(f"| {folder}/{name} | {report['input']['rows']} | {report['health']['verdict']} | {events} "
              f"| {fit['alpha']:.3g} | {'yes' if fit['converged'] else 'no'} |")


if __name__ == "__main__":
    main()
