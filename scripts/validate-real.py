#!/usr/bin/env python3
"""Runs curvefit on the real training logs in ../shared/data/real/ and prints each verdict.

Only for validation and docs: the test suite never reads ../shared. Prints a Markdown table
(the one in docs/health.md): log, points, verdict, events, fitted alpha and whether the fit
converged. Logs in formats curvefit does not read yet are listed as skipped.

    python3 scripts/validate-real.py [--bin .build/release/curvefit] [--backtests] [--annealing]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

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
    ("tensorboard-detectron2-balloon", "events.out.tfevents.1737378888.LAPTOP-1BH8GF02.2695.0", []),
    ("wandb-export-nanogpt-variants", "wandb_export.csv", ["--run", "gpt2"]),
    ("smol-playbook-loss-spikes", "spike_loss.csv", ["--run", "Recoverable spikes"]),
    ("bigscience-megatron-chronicles", "tr1-13B_iter29020-29090.log", []),
    ("bigscience-megatron-chronicles", "tr8-104B_exp1_iter7000-7220.log", []),
]


def run_json(binary, path, flags):
    run = subprocess.run([binary, path, "--format", "json", "--bootstrap", "100", *flags],
                         capture_output=True, text=True)
    return (json.loads(run.stdout), None) if run.returncode == 0 else (None, run.stderr.strip())


def tenfold(binary, path, flags, report):
    """Fits the first tenth of the steps and compares its 10x projection with the end of the run.

    The end of the run is the full fit's loss at the last step (the observed curve without its
    noise); returns (relative error, observed inside the projection's 95% interval)."""
    first, last = report["fit"]["from_step"], report["current"]["step"]
    cut = first + (last - first) / 10
    early, _ = run_json(binary, path, [*flags, "--to-step", f"{cut:.6g}"])
    if early is None:
        return None
    projection = next(p for p in early["projections"] if p["factor"] == 10)
    observed = report["current"]["loss"]
    interval = projection.get("ci95")
    inside = interval is not None and interval[0] <= observed <= interval[1]
    return (projection["loss"] - observed) / observed, inside, projection["step"]


def present_logs():
    """(folder, name, flags, path) of every log in LOGS that ../shared holds."""
    for folder, name, flags in LOGS:
        path = os.path.join(REAL, folder, name)
        if os.path.exists(path):
            yield folder, name, flags, path


def backtests(binary):
    print("| log | 80/20 backtest: mean / max error | 95% band held | 10× from the first tenth: error | truth inside its 95% interval |")
    print("|---|---:|---:|---:|---|")
    for folder, name, flags, path in present_logs():
        report, error = run_json(binary, path, flags)
        if report is None:
            continue
        test = report.get("backtest")
        ten = tenfold(binary, path, flags, report)
        cells = [f"{folder}/{name}"]
        cells.append(f"{100 * test['mean_rel_error']:.1f}% / {100 * test['max_rel_error']:.1f}%" if test else "n/a")
        cells.append(f"{100 * test['coverage95']:.0f}%" if test else "n/a")
        cells.append(f"{100 * ten[0]:+.1f}%" if ten else "n/a")
        cells.append(("yes" if ten[1] else "no") if ten else "n/a")
        print("| " + " | ".join(cells) + " |")


def annealing(binary, directory=None):
    """The annealing law against the power law on every log with a learning-rate column: both
    fitted on the first half of the fit range, both predicting the second half (mean and max
    relative error of 20 held-out chunks), and optionally a plot of the half-run fit."""
    print("| log | schedule | annealing law: mean / max error | power law: mean / max error | chosen by default |")
    print("|---|---|---:|---:|---|")
    for folder, name, flags, path in present_logs():
        report, _ = run_json(binary, path, flags)
        if report is None or report["schedule"]["shape"] is None:
            continue
        schedule = report["schedule"]
        cells = [f"{folder}/{name}", f"{schedule['shape']} (`{schedule['lr_column']}`), warm-up {schedule['warmup_steps']:g}, "
                 f"final/peak {schedule['final_lr'] / schedule['peak_lr']:.2f}"]
        for model in ("annealing", "power"):
            half, error = run_json(binary, path, [*flags, "--model", model, "--holdout", "0.5"])
            test = half and half.get("backtest")
            if test:
                cells.append(f"{100 * test['mean_rel_error']:.2f}% / {100 * test['max_rel_error']:.2f}%")
            else:
                reason = (error or (half or {}).get("schedule", {}).get("annealing_error") or "no backtest")
                cells.append("n/a: " + reason.split(": ", 2)[-1][:90])
        cells.append(report["model_choice"]["chosen"])
        print("| " + " | ".join(cells) + " |")
        if directory and schedule["decays"]:
            os.makedirs(directory, exist_ok=True)
            first, last = report["fit"]["from_step"], report["input"]["last_step"]
            stem = "annealing-" + (folder + "-" + name).replace("/", "-").rsplit(".", 1)[0]
            svg = os.path.join(directory, stem + ".svg")
            subprocess.run([binary, path, "--to-step", f"{first + (last - first) / 2:.6g}", "--holdout", "0",
                            "--model", "annealing", "--bootstrap", "100", "--linear-x", "--plot", svg, *flags],
                           capture_output=True, text=True, check=True)
            ElementTree.parse(svg)
            render = shutil.which("rsvg-convert")
            if render:
                subprocess.run([render, "-w", "720", svg, "-o", os.path.join(directory, stem + ".png")], check=True)
                os.remove(svg)


def plots(binary, directory):
    """Writes every log's plot, checks that it is well-formed XML, and prints a gallery."""
    os.makedirs(directory, exist_ok=True)
    render = shutil.which("rsvg-convert")
    for folder, name, flags, path in present_logs():
        stem = (folder + "-" + name).replace("/", "-").rsplit(".", 1)[0]
        svg = os.path.join(directory, stem + ".svg")
        run = subprocess.run([binary, path, "--format", "json", "--bootstrap", "100", "--plot", svg, *flags],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(f"**{folder}/{name}**: {run.stderr.strip()}\n")
            continue
        ElementTree.parse(svg)  # raises on malformed XML
        verdict = json.loads(run.stdout)["health"]["verdict"]
        image = stem + ".svg"
        if render:
            subprocess.run([render, "-w", "720", svg, "-o", os.path.join(directory, stem + ".png")], check=True)
            image = stem + ".png"
            os.remove(svg)
        print(f"**{folder}/{name}** — {verdict}\n\n![{stem}]({os.path.basename(directory)}/{image})\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "curvefit"))
    parser.add_argument("--backtests", action="store_true", help="also the backtest table")
    parser.add_argument("--plots", metavar="DIR", help="also write each log's SVG (and PNG, with rsvg-convert) to DIR")
    parser.add_argument("--annealing", action="store_true", help="also the annealing-law backtest table")
    parser.add_argument("--annealing-plots", metavar="DIR", help="with --annealing, plot each half-run fit to DIR")
    args = parser.parse_args()
    if not os.path.isdir(REAL):
        sys.exit("needs ../shared/data/real beside the repository")
    print("| log | points | verdict | events (start steps) | alpha | converged |")
    print("|---|---:|---|---|---:|---|")
    for folder, name, flags, path in present_logs():
        report, error = run_json(args.bin, path, flags)
        if report is None:
            print(f"| {folder}/{name} | | error: {error} | | | |")
            continue
        events = ", ".join(f"{e['kind']} {e['step']:g}" for e in report["events"]) or "none"
        fit = report["fit"]
        print(f"| {folder}/{name} | {report['input']['rows']} | {report['health']['verdict']} | {events} "
              f"| {fit['alpha']:.3g} | {'yes' if fit['converged'] else 'no'} |")
    if args.backtests:
        print()
        backtests(args.bin)
    if args.annealing:
        print()
        annealing(args.bin, args.annealing_plots)
    if args.plots:
        print()
        plots(args.bin, args.plots)


if __name__ == "__main__":
    main()
