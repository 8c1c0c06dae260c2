#!/usr/bin/env python3
"""Runs curvefit on the real training logs in ../shared/data/real/ and prints each verdict.

Only for validation and docs: the test suite never reads ../shared. Prints a Markdown table
(the one in docs/health.md): each log's verdict beside what happened in the run, as its
SOURCE.md says (or, where it leaves events to the tool, our reading of the logged numbers),
and whether they agree; exits 1 when any does not.

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

# (folder, file, extra flags). The verdict table (main) reads EXPECTED below; the backtest and
# annealing tables use every log here.
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

S, P, D = "spike", "plateau", "divergence"
# What happened in each run, and where we read it: SOURCE.md when it says, else "data:" our
# reading of the logged numbers (each quoted). `any` lists acceptable sets of event kinds (one
# must be contained in the verdict; [] for none required); `never` lists kinds that must not
# appear; `short` asks for the "too short to judge" verdict. Plateaus explained by a decaying
# learning rate are not events here (the verdict calls them "healthy · flat since ...").
EXPECTED = [
    # (folder, file, flags, run or None, any, never, what happened)
    ("algoperf-wmt-transformer-spikes", "measurements.csv", [], None, [{S}], {D, P},
     "data: from ~2.2 to 32 at 7,100, 20 at 13,800 and 55 at 23,900, each back near 2 within ~6,000 steps"),
    ("algoperf-wmt-glu-tanh-spike", "measurements.csv", [], None, [{S}], {D},
     "data: 1.89 → 4.1 at 18,700 (7.85 at 19,100), 1.82 → 5.35 at 41,200–41,300, back to 1.9 by 41,900"),
    ("algoperf-conformer-spike-plateau", "measurements.csv", [], None, [{S}], {D},
     "data: 1.7 → 10.6 at 10,500, stuck near 5.5 until ~17,000, back under 2 by 33,000"),
    ("algoperf-criteo-divergence", "measurements.csv", [], None, [{D}], set(),
     "data: flat near 0.16, then 0.199, 18.3, 4.5e6 and inf at steps 70–73 (lr 1.95, beta2 0)"),
    ("jsonl-slm125m-legal", "metrics.jsonl", [], None, [set()], {D, P},
     "SOURCE: 8.56 → 2.2; +0.3 jumps are domain switches, not divergence; no NaN"),
    ("detectron2-metrics-jsonl", "metrics.json", ["--loss-col", "total_loss", "--step-col", "iteration"], None, [{P}], {D},
     "SOURCE: ~1.0 by iteration ~2,000, then a PLATEAU: 0.94–1.17 to 3,999 with no downward trend"),
    ("llmc-gpt2-124m-mainlog", "main.log", [], None, [set()], {S, D, P},
     "SOURCE: clean run: no NaN, no real spikes; cosine to zero"),
    ("llmc-gpt2-124m-stdout", "gpt2_train.11685414.log", [], None, [set()], {S, D, P},
     "SOURCE: no NaN, no real spikes (largest +0.27 over a 50-step median)"),
    ("llmc-gpt2-124m-stdout", "gpt2_train.11679010.log", [], None, [{D}], set(),
     "SOURCE: a FAILED run: loss nan from step 1 for all 100 logged steps"),
    ("nanogpt-stdout-log", "output.log", [], None, [set()], {S, D, P}, "SOURCE: 10.98 → 3.51, no event noted"),
    ("buildnanogpt-gpt2-logs", "log_no_warmup/log.txt", [], None, [set()], {D}, "SOURCE: no NaN"),
    ("buildnanogpt-gpt2-logs", "log_2.5_epoch_full/log.txt", [], None, [set()], {D}, "SOURCE: no NaN (2.5 epochs)"),
    ("hf-trainer-whisper-ja", "trainer_state.json", [], None, [set()], {S, D},
     "SOURCE: training loss falls 0.30 → 0.0002 (the eval loss rises: overfitting)"),
    ("hf-trainer-star-drafter", "trainer_state.json", [], None, [{P}], {S, D},
     "SOURCE: long slow plateau after ~28,000; gradient-norm spikes without matching loss spikes"),
    ("lightning-slm-training", "metrics.csv", [], None, [set()], {S, D},
     "SOURCE: 7.63 → 3.57, monotone, flattening at the end; the largest jumps are noise, not spikes"),
    ("tensorboard-detectron2-balloon", "events.out.tfevents.1737378888.LAPTOP-1BH8GF02.2695.0", [], None, [set()], {S, D},
     "SOURCE: very short run, 2.15 → 0.35"),
    ("wandb-export-nanogpt-variants", "wandb_export.csv", [], "gpt2", [set()], {S, D, P}, "SOURCE: reaches 3.285"),
    ("wandb-export-nanogpt-variants", "wandb_export.csv", [], "gpt2_last_char_token_to_char1729587337.8266432", [{D}, {P}], set(),
     "SOURCE: non-converging: bounces up to 14.29 after step 20, ends at 12.23 (high plateau/failure)"),
    ("wandb-export-nanogpt-variants", "wandb_export.csv", [], "gpt2_char_to_token1729534595.422701", [{D}, {P}], set(),
     "SOURCE: ends at 6.96 (stalled); data: 3.7 → 7.5 at step 61, never back"),
    ("wandb-export-nanogpt-variants", "wandb_export.csv", [], "gpt2_char_to_token1729491541.2756786", [{D}, {P}], set(),
     "SOURCE: ends at 6.90 (stalled); data: 3.8 → 6.2 at step 42, never back"),
    ("wandb-export-nanogpt-variants", "wandb_export.csv", [], "gpt2_last_char_token_to_token1729493675.529459", [set()], {D},
     "data: 10.98 → 3.36, smooth"),
    ("smol-playbook-loss-spikes", "spike_loss.csv", [], "Recoverable spikes", [{S}], {D}, "SOURCE: the article's recoverable spikes"),
    ("smol-playbook-loss-spikes", "spike_loss.csv", [], "Non recoverable spikes", [{D}], set(), "SOURCE: the article's non-recoverable spikes"),
    ("smol-playbook-loss-spikes", "lr_loss.csv", [], "LR 5e-2", [{P}], {D},
     "data: 8.87 → 8.3 in its first 2%, then 8.29–8.34 to the end: a run that never learns (not learning)"),
    ("smol-playbook-loss-spikes", "lr_loss.csv", [], "LR 5e-4 (baseline)", [set()], {D, P}, "data: 8.40 → 2.22, smooth"),
    ("bigscience-megatron-chronicles", "tr1-13B_iter29020-29090.log", [], None, [{S}, {D}], set(), "data: 2.77 → 7.34, 8.72, … 6.85"),
    ("bigscience-megatron-chronicles", "tr11-176B-bloom_iter31214-31251.log", [], None, [{S}], {D}, "data: 2.20 → 5.10 at 31,219 → 2.22"),
    ("bigscience-megatron-chronicles", "tr8-104B_exp11_iter11446-11448.log", [], None, [{S}, {D}], set(), "data: 3.06, 3.11, 7.71"),
    ("bigscience-megatron-chronicles", "tr8-104B_exp12_iter8738-8743.log", [], None, [{S}, {D}], set(), "data: 3.3 → 7.3 → 4.1 → 7.6"),
    ("bigscience-megatron-chronicles", "tr8-104B_exp12_iter9026-9027_diverged.log", [], None, "short", set(),
     "data: one lm loss (7.02); the next iteration logs none"),
    ("bigscience-megatron-chronicles", "tr8-104B_exp1_iter7000-7220.log", [], None, [{S}], set(), "data: 6.44 → 11.42 → 7.16"),
    ("bigscience-megatron-chronicles", "tr8-104B_exp2_iter6900-6940.log", [], None, [{D}], set(), "data: 6.37 → 6.60 → 7.31 → 9.12 → 10.24"),
    ("bigscience-megatron-chronicles", "tr8b-104B_iter17060-17068.log", [], None, [{S}, {D}], set(), "data: 2.67 → 4.37 and held near 4.4"),
]

def run_json(binary, path, flags):
    run = subprocess.run([binary, path, "--format", "json", "--bootstrap", "100", *flags],
                         capture_output=True, text=True)
    return (json.loads(run.stdout), None) if run.returncode == 0 else (None, run.stderr.strip())


def verdict_report(binary, path, flags, run_name):
    """The one-series report (or the runs table entry named run_name); unfitted runs included."""
    run = subprocess.run([binary, path, "--format", "json", "--bootstrap", "50", *flags], capture_output=True, text=True)
    if not run.stdout.strip():
        return None, run.stderr.strip()
    report = json.loads(run.stdout)
    if run_name is None:
        return report, None
    for entry in report.get("series", []):
        if entry.get("name") == run_name:
            return entry, None
    return None, f"no run {run_name}"


def kinds(report):
    """Event kinds a user should act on: plateaus a decaying rate explains are left out."""
    found = set()
    for event in report["events"]:
        if event["kind"] == "plateau" and event.get("explained_by_schedule"):
            continue
        found.add(event["kind"])
    return found


def verdict_table(binary):
    print("| log | points | verdict | what happened (SOURCE.md, or data: our reading) | agrees |")
    print("|---|---:|---|---|---|")
    agreed = total = 0
    for folder, name, flags, run_name, wanted, never, happened in EXPECTED:
        path = os.path.join(REAL, folder, name)
        if not os.path.exists(path):
            continue
        report, error = verdict_report(binary, path, flags, run_name)
        label = f"{folder}/{name}" + (f" [{run_name}]" if run_name else "")
        total += 1
        if report is None:
            print(f"| {label} | | error: {error} | {happened} | no |")
            continue
        verdict = report["health"]["verdict"]
        found = kinds(report)
        if wanted == "short":
            ok = verdict.startswith("too short to judge")
        else:
            ok = any(need <= found for need in wanted) and not (found & never)
        agreed += ok
        print(f"| {label} | {report['input']['rows']} | {verdict} | {happened} | {'yes' if ok else '**no**'} |")
    print(f"\n{agreed} of {total} verdicts agree with what happened.")
    return agreed == total


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
        # The link as docs/health.md, beside docs/plots, reaches the image.
        link = os.path.relpath(os.path.join(directory, image), os.path.join(ROOT, "docs"))
        print(f"**{folder}/{name}** — {verdict}\n\n![{stem}]({link})\n")


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
    all_agree = verdict_table(args.bin)
    if args.backtests:
        print()
        backtests(args.bin)
    if args.annealing:
        print()
        annealing(args.bin, args.annealing_plots)
    if args.plots:
        print()
        plots(args.bin, args.plots)
    sys.exit(0 if all_agree else 1)


if __name__ == "__main__":
    main()
