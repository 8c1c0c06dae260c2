#!/usr/bin/env python3
"""The forecast benchmark: how far, and how honestly, curvefit sees ahead on real runs.

Every single-series real log in ../shared/data/real with enough points (and generated runs with a
known truth) is cut at 1/2, 1/5 and 1/10 of its last step; curvefit sees only the prefix, and its
2x, 5x and 10x projections (the run's real end) are compared with the loss the run logged there:
the median of the points within 1% of the last step (generated runs: the noiseless truth).

Printed per cut: median |error|, coverage of the 95% and 80% intervals, median half-width of the
95% interval, and the median interval score (width + 40 x distance outside the 95% interval,
Gneiting & Raftery 2007), all relative to the truth. The rows "schedule known" are the runs whose
learning-rate schedule curvefit knew: read from an lr column, or declared with --schedule and
--total-steps from what the run's SOURCE.md or project says.

Only for validation and docs: the test suite never reads ../shared.

    python3 scripts/forecast.py [--bin .build/release/curvefit] [--runs] [--json out.json]

`--sparse N` keeps about N evenly spaced points of each real and generated run, as a trainer
logging every k steps would (the truth stays the full log's, or the generated law's); the power
law's prior was judged on these tables.

`--outside DIR` scores your own complete runs instead, the same way: every `*.csv` in DIR with
`step` (or `epoch`, `tokens`) and `loss` columns (and `lr`, when the run logged it); a file `NAME.flags` beside
`NAME.csv` holds the flags that declare its schedule (`--schedule cosine --total-steps …`).
The log itself beside it, `NAME.log` (a console log, cut at its `step N`/`iter N` lines) or
`NAME.json` (a trainer state), is also fed as written with nothing declared: what the log
records (a printed config, `max_steps`, evaluation losses) is read as a user piping it would.

`--random N` scores N generated runs whose parameters, schedule, length, warm-up, noise and
logging interval are drawn at random (seeded: the same N gives the same runs), each with its
rate column and again with no rate column and its schedule declared.
"""
import argparse
import csv
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REAL = os.path.join(ROOT, "..", "shared", "data", "real")
GEN_LOG = os.path.join(ROOT, "..", "shared", "bench", "gen_log.py")
CUTS = [2, 5, 10]


# MARK: - Readers: each returns (steps, losses, lrs or None), in file order

def read_regex(path, pattern, lr_group=None):
    steps, losses, lrs = [], [], []
    expression = re.compile(pattern)
    with open(path, errors="replace") as handle:
        for line in handle:
            match = expression.search(line)
            if not match:
                continue
            try:
                step, loss = float(match.group("step")), float(match.group("loss"))
            except ValueError:
                continue
            steps.append(step)
            losses.append(loss)
            if lr_group:
                lrs.append(float(match.group(lr_group)))
    return steps, losses, (lrs if lr_group else None)


def read_csv_columns(path, step_col, loss_col, run_col=None, run=None, lr_col=None):
    steps, losses, lrs = [], [], []
    with open(path) as handle:
        for row in csv.DictReader(handle):
            if run_col and row[run_col] != run:
                continue
            if not row.get(loss_col):
                continue
            steps.append(float(row[step_col]))
            losses.append(float(row[loss_col]))
            if lr_col:
                lrs.append(float(row[lr_col]))
    return steps, losses, (lrs if lr_col else None)


def read_jsonl(path):
    steps, losses, lrs = [], [], []
    with open(path) as handle:
        for line in handle:
            record = json.loads(line)
            steps.append(float(record["step"]))
            losses.append(float(record["loss"]))
            lrs.append(float(record["lr"]))
    return steps, losses, lrs


def read_detectron2(path):
    """Detectron2's metrics.json (JSON Lines): iteration, total_loss, lr."""
    steps, losses, lrs = [], [], []
    with open(path) as handle:
        for line in handle:
            record = json.loads(line)
            if "total_loss" in record:
                steps.append(float(record["iteration"]))
                losses.append(float(record["total_loss"]))
                lrs.append(float(record["lr"]))
    return steps, losses, lrs


def read_trainer_state(path, lr_key):
    steps, losses, lrs = [], [], []
    for entry in json.load(open(path))["log_history"]:
        if "loss" in entry and "step" in entry:
            steps.append(float(entry["step"]))
            losses.append(float(entry["loss"]))
            lrs.append(float(entry[lr_key]))
    return steps, losses, lrs


def latest_per_step(steps, losses, lrs):
    """Resumed runs log a step again: keep the last value for each step, sorted by step."""
    latest = {}
    for index, step in enumerate(steps):
        latest[step] = index
    order = sorted(latest)
    pick = [latest[s] for s in order]
    return order, [losses[i] for i in pick], ([lrs[i] for i in pick] if lrs else None)


def step_name(label):
    """The x-axis column's name in the run's own file: the Smol Playbook's CSVs count `tokens`."""
    return "tokens" if label.startswith("Smol") else "step"


def smol(name, run):
    return lambda: read_csv_columns(os.path.join(REAL, "smol-playbook-loss-spikes", name), "tokens", "loss",
                                    "run_name", run)


def real_path(*parts):
    return os.path.join(REAL, *parts)


# The Smol Playbook's ablation baseline (its "Baseline YAML"): cosine from learning_rate 5e-4 down to
# min_decay_lr 5e-5 after 2,000 warm-up steps, ~45B tokens (the curves end at 4.72e10); the batch-size
# runs keep the token budget, so warm-up in tokens is 2,000 steps x their batch. The ablations change
# only the section they test ("keeping everything else constant"), so a learning-rate ablation keeps
# the absolute floor of 5e-5: its final ratio is 5e-5 / its peak.
def smol_schedule(batch_tokens, peak=5e-4):
    return ["--schedule", "cosine", "--total-steps", "4.72e10", "--warmup-steps", f"{2000 * batch_tokens:.4g}",
            "--final-lr-ratio", f"{5e-5 / peak:.4g}"]


# (label, reader, flags, schedule: "lr column" | "declared" | None, declared flags)
RUNS = [
    # llm.c GPT-2 124M: the stdout log's header says "LR scheduler cosine", "warmup iterations 700",
    # "final LR fraction 0" and its steps read "step 1/19560"; main.log is the same recipe, 19,552
    # steps (SOURCE.md). Cut at a tenth, the lr column has fallen by 1%, too little to tell the
    # shape, so a user declares what the header says.
    ("llm.c GPT-2 124M main.log", lambda: read_regex(real_path("llmc-gpt2-124m-mainlog", "main.log"),
     r"^s:(?P<step>\d+) trl:(?P<loss>\S+) lr:(?P<lr>\S+)", "lr"), "declared",
     ["--schedule", "cosine", "--total-steps", "19552", "--warmup-steps", "700", "--final-lr-ratio", "0"]),
    ("llm.c GPT-2 124M stdout", lambda: read_regex(real_path("llmc-gpt2-124m-stdout", "gpt2_train.11685414.log"),
     r"^step\s+(?P<step>\d+)/\d+ \| loss (?P<loss>\S+) .*\| lr (?P<lr>\S+) \|", "lr"), "declared",
     ["--schedule", "cosine", "--total-steps", "19560", "--warmup-steps", "700", "--final-lr-ratio", "0"]),
    # build-nanogpt: cosine from 6e-4 to 6e-5 after 715 warm-up steps; max_steps 19,073 (x3 for the
    # multi-epoch script); the no-warm-up fork sets warmup_steps = 0 (SOURCE.md).
    ("build-nanogpt no warm-up", lambda: read_regex(real_path("buildnanogpt-gpt2-logs", "log_no_warmup", "log.txt"),
     r"^(?P<step>\d+) train (?P<loss>\S+)"), "declared",
     ["--schedule", "cosine", "--total-steps", "19073", "--warmup-steps", "0", "--final-lr-ratio", "0.1"]),
    ("build-nanogpt 2.5 epochs", lambda: read_regex(real_path("buildnanogpt-gpt2-logs", "log_2.5_epoch_full", "log.txt"),
     r"^(?P<step>\d+) train (?P<loss>\S+)"), "declared",
     ["--schedule", "cosine", "--total-steps", "57219", "--warmup-steps", "715", "--final-lr-ratio", "0.1"]),
    ("nanoGPT stdout (interrupted)", lambda: read_regex(real_path("nanogpt-stdout-log", "output.log"),
     r"^iter (?P<step>\d+): loss (?P<loss>[0-9.]+)"), None, []),
    ("Lightning SLM", lambda: read_csv_columns(real_path("lightning-slm-training", "metrics.csv"), "step",
     "train_loss_step"), None, []),
    ("SLM-125M legal JSONL", lambda: read_jsonl(real_path("jsonl-slm125m-legal", "metrics.jsonl")), "lr column", []),
    ("Star drafter trainer_state", lambda: read_trainer_state(real_path("hf-trainer-star-drafter", "trainer_state.json"),
     "lr"), "lr column", []),
    ("Whisper ja trainer_state", lambda: read_trainer_state(real_path("hf-trainer-whisper-ja", "trainer_state.json"),
     "learning_rate"), "lr column", []),
    # AlgoPerf v0.5 trials (MLCommons' raw leaderboard logs): complete runs of other trainers
    # and tasks, with spikes; the WMT rows have no rates (their schedules are the submissions'
    # own), the Conformer's schedule-free run logs a rate that warms up and stays at its peak.
    ("AlgoPerf WMT Transformer (CASPR)", lambda: read_csv_columns(
        real_path("algoperf-wmt-transformer-spikes", "measurements.csv"), "global_step", "loss"), None, []),
    ("AlgoPerf WMT GLU-tanh (NAdamW)", lambda: read_csv_columns(
        real_path("algoperf-wmt-glu-tanh-spike", "measurements.csv"), "global_step", "loss"), None, []),
    ("AlgoPerf Conformer (schedule-free)", lambda: read_csv_columns(
        real_path("algoperf-conformer-spike-plateau", "measurements.csv"), "global_step", "loss", lr_col="lr"),
     "lr column", []),
    # Detectron2's Faster R-CNN fine-tune: warm-up to step 1,000, the rate dropped 20x at 1,500.
    ("Detectron2 Faster R-CNN (multi-step)", lambda: read_detectron2(
        real_path("detectron2-metrics-jsonl", "metrics.json")), "lr column", []),
    # The W&B export's one run that trained as planned (386 steps); its seven variants are 51-166
    # steps long and five of them stall or climb after the cut (docs/forecasting.md).
    ("W&B nanoGPT gpt2", lambda: read_csv_columns(
        real_path("wandb-export-nanogpt-variants", "wandb_export.csv"), "Step", "gpt2 - train/loss"), None, []),
    ("Smol GBS 750K", smol("batch-size_loss.csv", "GBS 750K"), "declared", smol_schedule(786432)),
    ("Smol GBS 1.5M", smol("batch-size_loss.csv", "GBS 1.5M (baseline)"), "declared", smol_schedule(1572864)),
    ("Smol GBS 3M", smol("batch-size_loss.csv", "GBS 3M"), "declared", smol_schedule(3145728)),
    ("Smol GBS 6M", smol("batch-size_loss.csv", "GBS 6M"), "declared", smol_schedule(6291456)),
    ("Smol with WD", smol("no_wd_comparison.csv", "With Weight Decay (baseline)"), "declared", smol_schedule(1572864)),
    ("Smol no WD", smol("no_wd_comparison.csv", "No Weight Decay"), "declared", smol_schedule(1572864)),
    ("Smol no WD + NoPE + DocMask", smol("no_wd_comparison.csv", "No WD + NOPE + DocMask"), "declared",
     smol_schedule(1572864)),
    # The playbook's learning-rate ablations (the baseline's recipe and batch, peak 1e-4 to 5e-2;
    # at 5e-2 the run never learns) and its run with recoverable spikes (its schedule is not
    # given); the run with non-recoverable spikes diverges after 70% of its steps, past every cut,
    # and is left out as no curve forecasts that.
    ("Smol LR 5e-4", smol("lr_loss.csv", "LR 5e-4 (baseline)"), "declared", smol_schedule(1572864)),
    ("Smol LR 1e-4", smol("lr_loss.csv", "LR 1e-4"), "declared", smol_schedule(1572864, 1e-4)),
    ("Smol LR 5e-3", smol("lr_loss.csv", "LR 5e-3"), "declared", smol_schedule(1572864, 5e-3)),
    ("Smol LR 5e-2", smol("lr_loss.csv", "LR 5e-2"), "declared", smol_schedule(1572864, 5e-2)),
    ("Smol recoverable spikes", smol("spike_loss.csv", "Recoverable spikes"), None, []),
]


# Logs fed as they are written, cut at the line, so curvefit reads what the log itself records of
# the run's length: llm.c's "step N/T", a trainer state's max_steps. (label, path, kind, RUNS label
# whose reader gives the truth)
AS_LOGGED = [
    ("llm.c GPT-2 124M stdout, as logged (step N/T)", real_path("llmc-gpt2-124m-stdout", "gpt2_train.11685414.log"),
     "llm.c", "llm.c GPT-2 124M stdout"),
    ("Star drafter trainer_state, as logged (max_steps)", real_path("hf-trainer-star-drafter", "trainer_state.json"),
     "trainer_state", "Star drafter trainer_state"),
    ("Whisper ja trainer_state, as logged (max_steps)", real_path("hf-trainer-whisper-ja", "trainer_state.json"),
     "trainer_state", "Whisper ja trainer_state"),
]


def logged_prefix(path, kind, cut):
    """The log's own text up to step `cut`: console lines past it dropped, or a trainer state's
    log_history cut with its other fields (max_steps) kept. Returns (text, suffix)."""
    if kind == "trainer_state":
        state = json.load(open(path))
        state["log_history"] = [e for e in state["log_history"] if e.get("step", 0) <= cut]
        return json.dumps(state), ".json"
    kept = []
    # llm.c's "step N/T |", nanoGPT's "iter N:" and its evaluations' "step N:".
    step_line = re.compile(r"^(?:step|iter)\s+(\d+)\b")
    with open(path, errors="replace") as handle:
        for line in handle:
            match = step_line.match(line)
            if match and float(match.group(1)) > cut:
                break
            kept.append(line)
    return "".join(kept), ".log"


def forecast_logged(binary, text, suffix, factor, flags, bootstrap):
    """Runs curvefit on a log prefix as written; returns (report, projection at `factor`)."""
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as handle:
        handle.write(text)
        path = handle.name
    try:
        run = subprocess.run([binary, path, "--format", "json", "--bootstrap", str(bootstrap), *flags],
                             capture_output=True, text=True)
    finally:
        os.unlink(path)
    if run.returncode not in (0, 3):
        return None, run.stderr.strip().splitlines()[-1] if run.stderr.strip() else f"exit {run.returncode}"
    report = json.loads(run.stdout)
    projection = next((p for p in report["projections"] if p["factor"] == factor), None)
    if projection is not None and projection.get("loss") is None:
        return None, "withheld: " + projection.get("withheld", "no reason given")
    if projection is not None and (report.get("forecast") or {}).get("band_holds_plain_power_law"):
        # The band was widened to hold the plain power law's projection: keep that value, so
        # --calibrate widens its reconstructed bands the same way.
        plain, _ = forecast_logged(binary, text, suffix, factor, [*flags, "--model", "power"], 0)
        if plain is not None and plain[1] is not None:
            report["plain_power_law"] = plain[1]["loss"]
    return (report, projection), None


# MARK: - Generated runs with a known truth

def generated_power_law(seed, params=(2.0, 8.0, 0.35), rows=20000, noise=0.02):
    """gen_log.py's power law with multiplicative noise and a constant rate; truth from params."""
    with tempfile.TemporaryDirectory() as directory:
        out = os.path.join(directory, "run.csv")
        subprocess.run([sys.executable, GEN_LOG, "--rows", str(rows), "--seed", str(seed), "--spikes", "0",
                        "--params", ",".join(map(str, params)), "--noise", str(noise), "--lr-schedule", "constant",
                        "--out", out], check=True, capture_output=True)
        steps, losses, lrs = [], [], []
        with open(out) as handle:
            for row in csv.DictReader(handle):
                if row.get("loss"):
                    steps.append(float(row["step"]))
                    losses.append(float(row["loss"]))
                    lrs.append(float(row["lr"]))
    l_min, c, alpha = params
    return steps, losses, lrs, lambda t: l_min + c * t ** -alpha


def annealing_run(seed, shape, rows=20000, noise=0.01, every=1):
    """A run that follows the annealing law of Tissue et al. under a cosine (to 10% of the peak, or
    to zero), linear-to-zero (the Hugging Face Trainer's default), inverse square root (fairseq's),
    WSD (cooldown over the last 20%), exponential decay to 10%, step decays, or SGDR's cosine
    restarts (warm-up 500 steps, peak 1), multiplicative noise, logged every `every` steps; the
    truth is the noiseless law at the last step."""
    import random
    rng = random.Random(seed)
    warmup, total = 500, rows
    l0, a, alpha, c, lam = 2.0, 4.0, 0.45, 1.5e-4, 0.999
    rates = schedule_rates(shape, total, warmup)
    # As curvefit's LearningRateCurve: rate decreases count from the end of warm-up.
    s1, s2, momentum, previous = 0.0, 0.0, 0.0, rates[0]
    truth = []
    for step, rate in enumerate(rates, start=1):
        s1 += rate
        if step > warmup:
            momentum = lam * momentum + (previous - rate)
            s2 += momentum
        previous = rate
        truth.append(l0 + a * s1 ** -alpha - c * s2)
    return (*logged(truth, rates, every, noise, rng), truth[-1])


def schedule_rates(shape, total, warmup):
    """The generated runs' rates, as a fraction of the peak, for each of `total` steps."""
    rates = []
    for step in range(1, total + 1):
        u = (step - warmup) / (total - warmup)
        if step <= warmup:
            rate = step / warmup
        elif shape in ("cosine", "cosine to zero"):
            floor = 0.0 if shape == "cosine to zero" else 0.1
            rate = floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * u))
        elif shape == "inverse sqrt":
            rate = math.sqrt(warmup / step)
        elif shape == "linear":
            rate = 1.0 - u
        elif shape == "exponential":
            rate = 0.1 ** u
        elif shape == "steps 60/85":
            rate = 1.0 if step < 0.6 * total else (0.1 if step < 0.85 * total else 0.01)
        elif shape == "steps 30/80":
            rate = 1.0 if step < 0.3 * total else (0.1 if step < 0.8 * total else 0.01)
        elif shape == "halving":
            rate = 0.5 ** int(4 * step / total)
        elif shape == "sgdr":
            rate = 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * ((4 * u) % 1)))
        else:
            start = 0.8 * total
            rate = 1.0 if step <= start else 1.0 - (step - start) / (total - start)
        rates.append(rate)
    return rates


def logged(truth, rates, every, noise, rng):
    """Every `every`-th step of a noiseless `truth` with multiplicative noise, and its rates
    (peak 3e-4): (steps, losses, lrs)."""
    kept = [i for i in range(len(truth)) if (i + 1) % every == 0]
    steps = [float(i + 1) for i in kept]
    losses = [float(truth[i]) * math.exp(rng.gauss(0, noise)) for i in kept]
    lrs = [3e-4 * float(rates[i]) for i in kept]
    return steps, losses, lrs


def multi_power_run(seed, shape, rows=20000, noise=0.01, every=10, b=0.25, c=2e-3, beta=0.5, gamma=0.5):
    """A run whose truth is not curvefit's law: the multi-power law of Luo et al. (2025),
    L(t) = L0 + A·(S1(t))^-α − B·Σ_k (η_{k−1} − η_k)·(1 − (C·η_k^-γ·S_k(t) + 1)^-β), where
    S_k(t) is the rate's area from step k to t: each decrement of the rate lowers the loss by an
    amount that saturates with the training since, instead of the annealing law's momentum.
    B = 0.25 makes a full cosine decay worth 6.5% of the end loss, near the real runs' 6%.
    Logged every 10 steps (the sum is over every step before each logged one)."""
    import random
    import numpy as np
    rng = random.Random(seed)
    rates = np.array(schedule_rates(shape, rows, 500))
    s1 = np.cumsum(rates)
    drops = np.maximum(np.concatenate([[0.0], rates[:-1] - rates[1:]]), 0)  # warm-up rises add nothing
    truth = np.full(rows, np.nan)
    for t in range(every - 1, rows, every):
        k = np.nonzero(drops[:t + 1])[0]
        saturation = np.ones(len(k))
        positive = rates[k] > 0  # a rate decayed to zero has saturated at once
        x = rates[k][positive] ** -gamma * (s1[t] - s1[k][positive] + rates[k][positive])
        saturation[positive] = 1 - (c * x + 1) ** -beta
        truth[t] = 2.0 + 4.0 * s1[t] ** -0.45 - b * float(np.sum(drops[k] * saturation))
    return (*logged(truth, rates, every, noise, rng), float(truth[-1]))


def generated_runs():
    runs = []
    if os.path.exists(GEN_LOG):
        for seed in range(4):
            runs.append((f"gen_log power law seed {seed}", "power law", generated_power_law(seed)))
    for seed in range(3):
        runs.append((f"annealing law, cosine, seed {seed}", "lr column", annealing_run(seed, "cosine")))
        runs.append((f"annealing law, WSD (cooldown after every cut), seed {seed}", "lr column", annealing_run(seed, "wsd")))
        runs.append((f"annealing law, linear to zero, seed {seed}", "lr column", annealing_run(seed, "linear")))
        runs.append((f"annealing law, cosine to zero, seed {seed}", "lr column", annealing_run(seed, "cosine to zero")))
        runs.append((f"annealing law, inverse square root, seed {seed}", "lr column", annealing_run(seed, "inverse sqrt")))
    # Schedules and logs the real table lacks (twelfth session), one seed each.
    for label, shape, options in [
            ("exponential decay to 10%", "exponential", {}), ("steps x0.1 at 60% and 85%", "steps 60/85", {}),
            ("steps x0.1 at 30% and 80%", "steps 30/80", {}), ("halved at each quarter", "halving", {}),
            ("SGDR, four cosine cycles", "sgdr", {}), ("cosine logged every 100 steps", "cosine", {"every": 100}),
            ("cosine, 5% noise", "cosine", {"noise": 0.05})]:
        runs.append((f"annealing law, {label}", "lr column", annealing_run(0, shape, **options)))
    # Truths that are not curvefit's law (thirteenth session): the multi-power law, whose bonus
    # for each decrement of the rate saturates, under the schedules a user meets, its saturation
    # faster and slower, and a bonus twice the real runs' median (Smol LR 5e-3's was 18%).
    for label, shape, options in [
            ("cosine", "cosine", {}), ("linear to zero", "linear", {}),
            ("WSD (cooldown after every cut)", "wsd", {}),
            ("cosine, fast saturation", "cosine", {"c": 2e-2}), ("cosine, slow saturation", "cosine", {"c": 2e-4}),
            ("cosine, a bonus of 13% of the loss", "cosine", {"b": 0.5})]:
        runs.append((f"multi-power law, {label}", "lr column", multi_power_run(0, shape, **options)))
    steps, losses, _, truth = annealing_run(0, "linear")
    runs.append(("annealing law, linear to zero, no lr column", "unknown", (steps, losses, None, truth)))
    return runs


# Randomised runs (thirty-seventh session): the fixed generated runs above share one set of
# parameters; these draw them, so that a calibration judged on the tables is also seen on curves
# it was not set on. The annealing law is the truth of half of them, the multi-power law of the
# other half, their parameters drawn around the real runs' (docs/forecasting.md, "The prior,
# from whole runs"): a full decay worth 6.4% of the end loss
# (C/(1 − λ), as the prior counts it) with a log-normal spread of 0.35 (the real runs' robust
# 0.30 and plain 0.49 lie either side),
# an exponent from 0.25 to 0.7, a reducible loss at the end from 10% to 50% of the floor.
RANDOM_SHAPES = ["cosine", "cosine", "cosine to zero", "linear", "wsd", "constant"]
RANDOM_DECLARED = {"cosine": ["cosine", "--final-lr-ratio", "0.1"], "cosine to zero": ["cosine", "--final-lr-ratio", "0"],
                   "linear": ["linear"], "wsd": ["wsd:0.2"], "constant": ["constant"]}


def random_run(seed):
    """(label, shape, total, warmup, steps, losses, lrs, truth at the end) of the seed's run."""
    import random
    rng = random.Random(1000 + seed)
    shape = rng.choice(RANDOM_SHAPES)
    total = rng.choice([3000, 10000, 30000])
    warmup = int(total * rng.choice([0.01, 0.03, 0.05]))
    every = rng.choice([1, 5, 25])
    noise = math.exp(rng.uniform(math.log(0.003), math.log(0.04)))
    l0, alpha, share = rng.uniform(1.0, 3.5), rng.uniform(0.25, 0.7), rng.uniform(0.1, 0.5)
    bonus = 0.064 * math.exp(rng.gauss(0, 0.35))
    a = share * l0 * total ** alpha
    rates = ([min(1.0, step / warmup) for step in range(1, total + 1)] if shape == "constant"
             else schedule_rates(shape, total, warmup))
    s1, s2, momentum, previous, areas = 0.0, 0.0, 0.0, rates[0], []
    for step, rate in enumerate(rates, start=1):
        s1 += rate
        if step > warmup:
            momentum = 0.999 * momentum + (previous - rate)
            s2 += momentum
        previous = rate
        areas.append((s1, s2))
    # The bonus is the prior's: decaying the rate from its peak to zero, the momentum caught up,
    # is worth C/(1 − λ) = `bonus` of the loss (a cosine to 10% earns 90% of it, a short
    # cooldown less: its momentum has not caught up by the end).
    c = bonus * (l0 + a * s1 ** -alpha) * (1 - 0.999) if shape != "constant" else 0.0
    truth = [l0 + a * x ** -alpha - c * y for x, y in areas]
    # Half the runs follow the multi-power law of Luo et al. (2025) instead, curvefit's law being
    # the truth of the other half only: the same training term, and a bonus for each decrement
    # of the rate that saturates with the training since (as `multi_power_run`), its full size
    # `bonus` of the loss, its saturation drawn over the hundredfold range the main table spans.
    other = random.Random(5000 + seed)
    multi = other.random() < 0.5
    if multi:
        saturation = math.exp(other.uniform(math.log(2e-4), math.log(2e-2)))
        truth = multi_power_truth(rates, every, l0, a, alpha, bonus * (l0 + a * s1 ** -alpha), saturation)
    steps, losses, lrs = logged(truth, rates, every, noise, rng)
    label = (f"random {seed}: {shape}, {total:,} steps, warm-up {warmup}, every {every}, noise {100 * noise:.1f}%, "
             f"alpha {alpha:.2f}, bonus {100 * bonus:.1f}%" + (f", multi-power law (C {saturation:.1e})" if multi else ""))
    return label, shape, total, warmup, steps, losses, lrs, truth[-1]


def multi_power_truth(rates, every, l0, a, alpha, b, c, beta=0.5, gamma=0.5):
    """The multi-power law's loss at every `every`-th step under `rates` (fractions of the peak),
    NaN between: L0 + A·S1^-α − B·Σ_k (η_{k−1} − η_k)·(1 − (C·η_k^-γ·S_k(t) + 1)^-β)."""
    import numpy as np
    rates = np.array(rates)
    s1 = np.cumsum(rates)
    drops = np.maximum(np.concatenate([[0.0], rates[:-1] - rates[1:]]), 0)
    # The sum runs over every step before each one: on a grid of about 3,000 steps (the last
    # among them), the steps between interpolated; the curve is smooth at that spacing.
    logged_steps = np.arange(every - 1, len(rates), every)
    grid = np.unique(np.concatenate([logged_steps[::max(1, len(logged_steps) // 3000)], logged_steps[-1:]]))
    values = np.empty(len(grid))
    for index, t in enumerate(grid):
        k = np.nonzero(drops[:t + 1])[0]
        saturation = np.ones(len(k))
        positive = rates[k] > 0
        x = rates[k][positive] ** -gamma * (s1[t] - s1[k][positive] + rates[k][positive])
        saturation[positive] = 1 - (c * x + 1) ** -beta
        values[index] = l0 + a * s1[t] ** -alpha - b * float(np.sum(drops[k] * saturation))
    truth = np.full(len(rates), np.nan)
    truth[logged_steps] = np.interp(logged_steps, grid, values)
    return [float(v) for v in truth]


def score_random(args):
    """The benchmark on `args.random` randomised runs: each cut with its rate column, and with its
    schedule declared and no rate column."""
    from concurrent.futures import ThreadPoolExecutor

    def one(seed):
        label, shape, total, warmup, steps, losses, lrs, truth = random_run(seed)
        rows, failures = [], []
        for mode in ("lr column", "declared"):
            flags = args.flags.split()
            if mode == "declared":
                name, *rest = RANDOM_DECLARED[shape]
                flags += ["--schedule", name, *rest, "--total-steps", str(total), "--warmup-steps", str(warmup)]
            # A WSD run's column shows a constant rate until its cooldown, after every cut.
            known = mode == "declared" or shape not in ("wsd", "constant")
            for factor in CUTS:
                outcome, error = forecast(args.bin, steps, losses, lrs if mode == "lr column" else None,
                                          total / factor, factor, flags, args.bootstrap)
                if outcome is None or outcome[1] is None:
                    failures.append((f"{label} ({mode})", factor, error or "no projection"))
                    continue
                row = scored_row(f"{label} ({mode})", mode, factor, "declared" if mode == "declared" else
                                 ("lr column" if known else None), truth, outcome)
                row["shape"] = shape
                rows.append(row)
        return rows, failures

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(one, range(args.random)))
    results = [row for rows, _ in outcomes for row in rows]
    failures = [failure for _, fails in outcomes for failure in fails]
    table(f"Randomised runs ({args.random}), with their rate column", results, lambda r: r["kind"] == "lr column")
    table("… of them, a decay the column shows (cosine, linear)", results,
          lambda r: r["kind"] == "lr column" and r["schedule"])
    table("… of them, a rate constant so far (WSD before its cooldown, constant)", results,
          lambda r: r["kind"] == "lr column" and not r["schedule"])
    table(f"Randomised runs ({args.random}), no rate column, the schedule declared", results,
          lambda r: r["kind"] == "declared")
    finish(args, results, failures)


# MARK: - One forecast

def read_outside(directory):
    """(label, steps, losses, lrs or None, declared flags) for every step,loss[,lr] CSV in `directory`."""
    runs = []
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".csv"):
            continue
        path = os.path.join(directory, name)
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle))
        # The x-axis as the run's file names it: `step`, or `epoch`/`tokens` (a log by epochs or
        # tokens, whose annealing lag curvefit counts as a share of the run).
        axis = next((name for name in ("step", "epoch", "tokens") if rows and name in rows[0]), None)
        if not rows or axis is None or "loss" not in rows[0]:
            print(f"skipped {path}: needs step (or epoch, tokens) and loss columns", file=sys.stderr)
            continue
        for r in rows:
            r["step"] = r[axis]
        # Rows without a loss (an eval-only row) are dropped; a missing rate is not a number.
        rows = [r for r in rows if (r.get("loss") or "").strip() and (r.get("step") or "").strip()]
        lrs = [float(r["lr"]) if (r.get("lr") or "").strip() else math.nan for r in rows] if "lr" in rows[0] else None
        flags_path = path[:-len(".csv")] + ".flags"
        flags = open(flags_path).read().split() if os.path.exists(flags_path) else []
        steps, losses, lrs = latest_per_step([float(r["step"]) for r in rows], [float(r["loss"]) for r in rows], lrs)
        runs.append((name[:-len(".csv")], steps, losses, lrs, flags, axis))
    return runs


def thinned(steps, losses, lrs, points):
    """Every k-th point, ending at the last, so that about `points` remain: the log a trainer
    writing every k steps would have kept (single values, not means over the k steps)."""
    stride = max(1, len(steps) // points)
    keep = list(range(len(steps) - 1, -1, -stride))[::-1]
    return ([steps[i] for i in keep], [losses[i] for i in keep], [lrs[i] for i in keep] if lrs else lrs)


def truth_at_end(steps, losses):
    last = steps[-1]
    window = [y for t, y in zip(steps, losses) if t >= 0.99 * last and math.isfinite(y)]
    return statistics.median(window)


# The Smol Playbook's baseline run is drawn in three of its charts: 10,000 points in the
# batch-size chart, 500 in the weight-decay and learning-rate charts (peak-preserving
# downsampling; at every step two of them share, their losses are equal). The 500-point charts
# keep 5-13 points in the last 1%, too few for a truth to 0.5%: "Smol with WD" measured 2.177
# there where the same run's 10,000 points say 2.195. Their truth is the dense chart's.
DENSER_RENDERING = {
    "Smol with WD": "Smol GBS 1.5M",
    "Smol LR 5e-4": "Smol GBS 1.5M",
}


def run_truth(label, steps, losses, readers):
    """The loss the run logged at its end: from the densest chart of the same run when there is one
    (checked to be the same run: equal losses at every step both charts hold)."""
    dense_label = DENSER_RENDERING.get(label)
    if dense_label is None:
        return truth_at_end(steps, losses)
    dense_steps, dense_losses, _ = latest_per_step(*readers[dense_label]())
    dense = dict(zip(dense_steps, dense_losses))
    shared = [(dense[t], y) for t, y in zip(steps, losses) if t in dense]
    if len(shared) < 50 or any(abs(a - b) > 1e-9 for a, b in shared):
        sys.exit(f"{label}: not the same run as {dense_label} ({len(shared)} shared steps)")
    last = steps[-1]
    window = [y for t, y in zip(dense_steps, dense_losses) if 0.99 * last <= t <= last and math.isfinite(y)]
    return statistics.median(window)


def smooth_end(steps, losses, share=0.1):
    """The loss at the last step of a quadratic in log step fitted to the last `share` of the run:
    a smooth reference for the truth, free of any law (None with fewer than 8 points)."""
    last = steps[-1]
    points = [(math.log(t), y) for t, y in zip(steps, losses) if t >= (1 - share) * last and t > 0 and math.isfinite(y)]
    if len(points) < 8:
        return None
    centre = statistics.fmean(x for x, _ in points)
    # Normal equations of y = a + b u + c u^2, u = log t - centre.
    sums = [[sum((x - centre) ** (i + j) for x, _ in points) for j in range(3)] for i in range(3)]
    rhs = [sum(y * (x - centre) ** i for x, y in points) for i in range(3)]
    for col in range(3):
        for row in range(col + 1, 3):
            ratio = sums[row][col] / sums[col][col]
            sums[row] = [a - ratio * b for a, b in zip(sums[row], sums[col])]
            rhs[row] -= ratio * rhs[col]
    coef = [0.0, 0.0, 0.0]
    for row in (2, 1, 0):
        coef[row] = (rhs[row] - sum(sums[row][k] * coef[k] for k in range(row + 1, 3))) / sums[row][row]
    u = math.log(last) - centre
    return coef[0] + coef[1] * u + coef[2] * u * u


def truth_check():
    """How well each known-schedule run's truth is measured: against a smooth local fit of its
    last 10% (python3 scripts/forecast.py --truth-check)."""
    gaps = []
    print("| run | truth | smooth end (last 10%, quadratic in log step) | difference | points in the truth's window |")
    print("|---|---:|---:|---:|---:|")
    for label, reader, schedule, _ in RUNS:
        if schedule is None:
            continue
        steps, losses, _ = latest_per_step(*reader())
        truth, smooth = truth_at_end(steps, losses), smooth_end(steps, losses)
        window = sum(1 for t in steps if t >= 0.99 * steps[-1])
        if smooth is None:
            print(f"| {label} | {truth:.4g} | too few points | | {window} |")
            continue
        gaps.append(abs(truth / smooth - 1))
        print(f"| {label} | {truth:.4g} | {smooth:.4g} | {100 * (truth / smooth - 1):+.2f}% | {window} |")
    print(f"\nmedian |truth / smooth - 1| over {len(gaps)} runs: {100 * statistics.median(gaps):.2f}%")


def forecast(binary, steps, losses, lrs, cut, factor, flags, bootstrap, x_axis="step"):
    """Runs curvefit on the points up to `cut`; returns its projection at `factor` x its last step.
    `x_axis` is the step column's name as the log has it (the Smol runs count `tokens`)."""
    lines = [f"{x_axis},loss,lr\n" if lrs else f"{x_axis},loss\n"]
    for index, step in enumerate(steps):
        if step > cut:
            break
        lines.append(f"{step!r},{losses[index]!r}" + (f",{lrs[index]!r}\n" if lrs else "\n"))
    return forecast_logged(binary, "".join(lines), ".csv", factor, flags, bootstrap)


def scored_row(label, kind, factor, schedule, truth, outcome):
    """One run and cut of the benchmark: the projection, its intervals and its scores against `truth`."""
    report, projection = outcome
    row = {"run": label, "kind": kind, "factor": factor, "schedule": schedule, "truth": truth,
           "loss": projection["loss"], "ci95": projection.get("ci95"), "ci80": projection.get("ci80"),
           "model": report["model_choice"]["chosen"], **calibration_inputs(outcome)}
    row.update(score(truth, projection))
    return row


def calibration_inputs(outcome):
    """What the interval calibration of ShapeError starts from, to refit its constants here."""
    report, projection = outcome
    forecast = report.get("forecast") or {}
    fit = report.get("fit") or {}
    span = fit["to_step"] / max(fit["from_step"], 1) if fit.get("from_step") and fit.get("to_step") else None
    return {"ci95_noise": projection.get("ci95_noise"), "ci80_noise": projection.get("ci80_noise"),
            "measured": forecast.get("rolling_origin_log_error_spread"), "known": forecast.get("schedule_known"),
            "misses": forecast.get("rolling_origin_misses"), "points": fit.get("points_used"),
            "span": span, "backtest": report.get("backtest"),
            "held_out": forecast.get("held_out_error_per_doubling"), "end_gap": forecast.get("end_gap"),
            "plain_power_law": report.get("plain_power_law"), "ceiling": forecast.get("band_ceiling"),
            "open_below": forecast.get("open_below")}


def narrow_fit_factor(span):
    """ShapeError.narrowFitFactor: the prior stretched for a fit narrower than the backtests' 4x."""
    if span is None:
        return 1.0
    if span <= 1:
        return 5.0
    return min(5.0, max(1.0, math.log(4) / math.log(span)))


def score(truth, projection):
    value = projection["loss"]
    lo95, hi95 = projection.get("ci95") or (value, value)
    lo80, hi80 = projection.get("ci80") or (value, value)
    outside = max(lo95 - truth, 0) + max(truth - hi95, 0)
    return {
        "error": (value - truth) / truth,
        "in95": lo95 <= truth <= hi95,
        "in80": lo80 <= truth <= hi80,
        "half95": (hi95 - lo95) / 2 / truth,
        "score": ((hi95 - lo95) + 40 * outside) / truth,
    }


def summarize(rows):
    if not rows:
        return None
    return {
        "n": len(rows),
        "median_abs_error": statistics.median(abs(r["error"]) for r in rows),
        "coverage95": sum(r["in95"] for r in rows) / len(rows),
        "coverage80": sum(r["in80"] for r in rows) / len(rows),
        "median_half95": statistics.median(r["half95"] for r in rows),
        "median_score": statistics.median(r["score"] for r in rows),
    }


def table(title, results, group):
    print(f"\n**{title}**\n")
    print("| cut | runs | median abs. error | 95% coverage | 80% coverage | median 95% half-width | half-width / error | median interval score |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for factor in CUTS:
        rows = [r for r in results if r["factor"] == factor and group(r)]
        s = summarize(rows)
        if not s:
            continue
        ratio = s["median_half95"] / s["median_abs_error"] if s["median_abs_error"] > 0 else float("inf")
        print(f"| 1/{factor} ({factor}x) | {s['n']} | {100 * s['median_abs_error']:.2f}% | {100 * s['coverage95']:.0f}% "
              f"| {100 * s['coverage80']:.0f}% | {100 * s['median_half95']:.2f}% | {ratio:.1f} | {100 * s['median_score']:.2f}% |")


# MARK: - The annealing prior, from whole runs (python3 scripts/forecast.py --prior)

def whole_run_fits(binary):
    """Fits the annealing law (data alone) to every whole real run whose rate decays; returns
    (label, full-decay bonus C/(1 - lambda) in nats, loss at the end, their ratio, exponent alpha)."""
    out = []
    for label, reader, schedule, declared in RUNS:
        if schedule is None:
            continue
        steps, losses, lrs = latest_per_step(*reader())
        outcome, _ = forecast(binary, steps, losses, lrs, steps[-1], 2,
                              declared + ["--model", "annealing", "--annealing-prior", "0"], 0, step_name(label))
        if outcome is None:
            continue
        fit = ((outcome[0].get("schedule") or {}).get("annealing") or {})
        if not fit.get("converged") or not fit.get("C"):
            continue
        bonus = fit["C"] / (1 - fit["lambda"])
        end = truth_at_end(steps, losses)
        out.append((label, bonus, end, bonus / end, fit["alpha"]))
    return out


def prior_table(binary):
    """Prints the whole-run fits; returns, for each run, the priors' centres without it
    (bonus ratio, exponent)."""
    rows = whole_run_fits(binary)
    ratios = [r for _, _, _, r, _ in rows]
    alphas = [a for *_, a in rows]
    print("| run | full-decay bonus C/(1-λ) | loss at the end | ratio | median of the others | exponent α | median of the others |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    held = {}
    for index, (label, bonus, end, ratio, alpha) in enumerate(rows):
        others = statistics.median(ratios[:index] + ratios[index + 1:])
        other_alphas = statistics.median(alphas[:index] + alphas[index + 1:])
        held[label] = (others, other_alphas)
        print(f"| {label} | {bonus:.3f} nats | {end:.3f} | {ratio:.3f} | {others:.3f} | {alpha:.3f} | {other_alphas:.3f} |")
    logs = [math.log(a) for a in alphas]
    centre = statistics.median(ratios)
    robust = 1.4826 * statistics.median(abs(r - centre) for r in ratios) / centre
    print(f"\nmedian ratio {statistics.median(ratios):.3f} over {len(ratios)} runs "
          f"(range {min(ratios):.3f}-{max(ratios):.3f}, relative standard deviation {statistics.stdev(ratios) / centre:.2f}, "
          f"robust (1.4826 MAD) {robust:.2f}); median exponent {statistics.median(alphas):.3f} "
          f"(range {min(alphas):.3f}-{max(alphas):.3f}, standard deviation of its log {statistics.stdev(logs):.2f})")
    return held


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "curvefit"))
    parser.add_argument("--bootstrap", type=int, default=200)
    parser.add_argument("--runs", action="store_true", help="also print every run and cut")
    parser.add_argument("--no-declared", action="store_true",
                        help="do not declare schedules (the state before --schedule/--total-steps)")
    parser.add_argument("--json", metavar="FILE", help="write every result to FILE")
    parser.add_argument("--flags", default="", help="extra curvefit flags for every run (space-separated)")
    parser.add_argument("--only", default="", help="only runs whose label contains this")
    parser.add_argument("--sparse", type=int, default=0, metavar="N",
                        help="keep about N logged points of each real and generated run, evenly spaced (a "
                             "trainer logging every k steps); the truth stays the full log's")
    parser.add_argument("--prior", action="store_true",
                        help="print the whole-run annealing bonuses the prior comes from, then score every real "
                             "run with the prior's centre refitted without it (leave one run out)")
    parser.add_argument("--outside", metavar="DIR",
                        help="score the complete runs in DIR (step,loss[,lr] CSVs, NAME.flags for declared "
                             "schedules) instead of ../shared")
    parser.add_argument("--late", action="store_true",
                        help="cut the runs whose schedule is known late instead (at 80%%, 90%% and 95%% of their "
                             "steps) and score the planned end, the loss a user watching the end of a run asks for")
    parser.add_argument("--random", type=int, default=0, metavar="N",
                        help="score N generated runs whose parameters, schedule, length, warm-up, noise and "
                             "logging interval are drawn at random (seeded), with the rate column and declared")
    args = parser.parse_args()
    if args.outside:
        return score_outside(args)
    if args.random:
        return score_random(args)
    if args.late:
        return late_cuts(args)
    if not os.path.isdir(REAL):
        sys.exit("needs ../shared/data/real beside the repository")
    held_out_prior = prior_table(args.bin) if args.prior else {}

    results, failures = [], []
    readers = {label: reader for label, reader, _, _ in RUNS}
    for label, reader, schedule, declared in RUNS:
        steps, losses, lrs = latest_per_step(*reader())
        truth = run_truth(label, steps, losses, readers)
        if args.only not in label:
            continue
        if args.sparse:
            steps, losses, lrs = thinned(steps, losses, lrs, args.sparse)
        flags = ([] if args.no_declared else declared) + args.flags.split()
        if args.prior:
            # The centre without this run; a run with no whole-run fit keeps every run's median.
            centre, exponent = held_out_prior.get(label, tuple(
                statistics.median(v[i] for v in held_out_prior.values()) for i in (0, 1)))
            flags += ["--annealing-prior", f"{centre:.4f}", "--annealing-prior-alpha", f"{exponent:.3f}"]
        known = schedule if (schedule == "lr column" or (schedule == "declared" and not args.no_declared)) else None
        for factor in CUTS:
            cut = steps[-1] / factor
            outcome, error = forecast(args.bin, steps, losses, lrs, cut, factor, flags, args.bootstrap,
                                      step_name(label))
            if outcome is None or outcome[1] is None:
                failures.append((label, factor, error or "no projection"))
                continue
            results.append(scored_row(label, "real", factor, known, truth, outcome))
    for label, path, kind, source in AS_LOGGED:
        if args.only not in label or args.prior or args.sparse:
            continue
        steps, losses, _ = latest_per_step(*readers[source]())
        truth = truth_at_end(steps, losses)
        for factor in CUTS:
            text, suffix = logged_prefix(path, kind, steps[-1] / factor)
            outcome, error = forecast_logged(args.bin, text, suffix, factor, args.flags.split(), args.bootstrap)
            if outcome is None or outcome[1] is None:
                failures.append((label, factor, error or "no projection"))
                continue
            results.append(scored_row(label, "as logged", factor, "as logged", truth, outcome))
    for label, schedule, (steps, losses, lrs, truth) in generated_runs():
        if args.only not in label:
            continue
        truth_value = truth(steps[-1]) if callable(truth) else truth
        if args.sparse:
            steps, losses, lrs = thinned(steps, losses, lrs, args.sparse)
        for factor in CUTS:
            outcome, error = forecast(args.bin, steps, losses, lrs, steps[-1] / factor, factor, args.flags.split(),
                                      args.bootstrap)
            if outcome is None or outcome[1] is None:
                failures.append((label, factor, error or "no projection"))
                continue
            results.append(scored_row(label, "generated", factor, schedule, truth_value, outcome))

    real = lambda r: r["kind"] == "real"
    table("Real logs, every run", results, real)
    table("Real logs whose schedule curvefit knew (lr column or declared)", results, lambda r: real(r) and r["schedule"])
    table("Real logs where curvefit projected under the known schedule of the steps to come (JSON forecast.schedule_known)",
          results, lambda r: real(r) and r["known"])
    table("Generated runs with a known truth", results, lambda r: r["kind"] == "generated")
    table("Real logs fed as written, whose format records the run's length (llm.c step N/T, trainer state max_steps)",
          results, lambda r: r["kind"] == "as logged")
    finish(args, results, failures)


LATE = [0.8, 0.9, 0.95]


def late_cuts(args):
    """Each run whose schedule is known (an lr column, or declared as in the main table), and each
    generated run of the first seed, cut at 80%, 90% and 95% of its last step: the planned end
    (--total-steps, the run's last step, unless its declared flags already give it) against the
    truth. At these reaches (1.05-1.25x) the shape error's growth with reach leaves the bands
    narrowest, and what is left of the decay decides the end."""
    readers = {label: reader for label, reader, _, _ in RUNS}
    runs = []
    if os.path.isdir(REAL):
        for label, reader, schedule, declared in RUNS:
            if schedule not in ("declared", "lr column") or args.only not in label:
                continue
            steps, losses, lrs = latest_per_step(*reader())
            runs.append(("real", label, steps, losses, lrs if schedule == "lr column" else None, list(declared),
                         run_truth(label, steps, losses, readers), step_name(label)))
    for label, schedule, (steps, losses, lrs, truth) in generated_runs():
        if schedule != "lr column" or "seed 1" in label or "seed 2" in label or args.only not in label:
            continue
        runs.append(("generated", label, steps, losses, lrs, [], truth, "step"))
    results, failures = [], []
    for kind, label, steps, losses, lrs, flags, truth, x_axis in runs:
        if "--total-steps" not in flags:
            flags = flags + ["--total-steps", repr(steps[-1])]
        for share in LATE:
            lines = [f"{x_axis},loss,lr\n" if lrs else f"{x_axis},loss\n"]
            for index, step in enumerate(steps):
                if step > share * steps[-1]:
                    break
                lines.append(f"{step!r},{losses[index]!r}" + (f",{lrs[index]!r}\n" if lrs else "\n"))
            outcome, error = forecast_logged(args.bin, "".join(lines), ".csv", None, flags + args.flags.split(),
                                             args.bootstrap)
            end = (outcome[0].get("planned_end") or {}) if outcome else {}
            if end.get("loss") is None:
                withheld = ((outcome[0].get("forecast") or {}).get("withheld") if outcome else None) or error
                failures.append((label, share, withheld or "no planned end"))
                continue
            row = {"run": label, "kind": kind, "share": share, "truth": truth, "loss": end["loss"],
                   "ci95": end.get("ci95"), "law": (outcome[0].get("forecast") or {}).get("law")}
            row.update(score(truth, end))
            results.append(row)
    for kind in ("real", "generated"):
        print(f"\n**{kind.capitalize()} runs cut late: the planned end**\n")
        print("| cut | runs | median abs. error | 95% coverage | 80% coverage | median 95% half-width | median interval score |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for share in LATE:
            s = summarize([r for r in results if r["kind"] == kind and r["share"] == share])
            if s:
                print(f"| {100 * share:.0f}% | {s['n']} | {100 * s['median_abs_error']:.2f}% | {100 * s['coverage95']:.0f}% "
                      f"| {100 * s['coverage80']:.0f}% | {100 * s['median_half95']:.2f}% | {100 * s['median_score']:.2f}% |")
    if failures:
        print("\nNo planned end: " + "; ".join(f"{label} at {100 * share:.0f}%: {why}" for label, share, why in failures))
    if args.runs:
        print("\n| run | cut | law | truth | planned end (95%) | error | in 95% |")
        print("|---|---:|---|---:|---|---:|---|")
        for r in results:
            print(f"| {r['run']} | {100 * r['share']:.0f}% | {r['law']} | {r['truth']:.4g} | {band_text(r)} "
                  f"| {100 * r['error']:+.2f}% | {'yes' if r['in95'] else 'no'} |")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=1)


def score_outside(args):
    """The benchmark on runs of the user's own (--outside DIR): the same cuts, truth and scores."""
    results, failures = [], []
    if not os.path.isdir(args.outside):
        sys.exit(f"--outside {args.outside}: not a directory")
    runs = read_outside(args.outside)
    if not runs:
        sys.exit(f"--outside {args.outside}: no CSV with step and loss columns in it")
    for label, steps, losses, lrs, declared, axis in runs:
        if args.only not in label:
            continue
        truth = truth_at_end(steps, losses)
        flags = ([] if args.no_declared else declared) + args.flags.split()
        known = "lr column" if lrs else ("declared" if declared and not args.no_declared else None)
        for factor in CUTS:
            outcome, error = forecast(args.bin, steps, losses, lrs, steps[-1] / factor, factor, flags, args.bootstrap,
                                      axis)
            if outcome is None or outcome[1] is None:
                failures.append((label, factor, error or "no projection"))
                continue
            results.append(scored_row(label, "outside", factor, known, truth, outcome))
        # The log itself, when it sits beside its CSV (NAME.log, a console log; NAME.json, a
        # trainer state), fed as a user would pipe it: nothing declared, what it records read.
        for suffix, kind in ((".log", "console"), (".json", "trainer_state")):
            path = os.path.join(args.outside, label + suffix)
            if not os.path.exists(path) or args.no_declared:
                continue
            for factor in CUTS:
                text, written = logged_prefix(path, kind, steps[-1] / factor)
                outcome, error = forecast_logged(args.bin, text, written, factor, args.flags.split(), args.bootstrap)
                if outcome is None or outcome[1] is None:
                    failures.append((label + suffix, factor, error or "no projection"))
                    continue
                results.append(scored_row(label + suffix, "outside as logged", factor, "as logged", truth, outcome))
    outside = lambda r: r["kind"] == "outside"
    table("Outside logs, every run", results, outside)
    table("Outside logs whose schedule curvefit knew (lr column or declared)", results, lambda r: outside(r) and r["schedule"])
    table("Outside logs fed as written (NAME.log or NAME.json beside NAME.csv; nothing declared)", results,
          lambda r: r["kind"] == "outside as logged")
    finish(args, results, failures)


def finish(args, results, failures):
    """The cuts that got no projection, every run and cut with --runs, and the JSON with --json."""
    if failures:
        print("\nNo projection: " + "; ".join(f"{label} at 1/{factor}: {error}" for label, factor, error in failures))
    if args.runs:
        print_runs(results)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=1)


def band_text(row):
    """A row's projection with its 95% interval, as the tables print it."""
    ci = row["ci95"]
    return f"{row['loss']:.4g} ({ci[0]:.4g}–{ci[1]:.4g})" if ci else f"{row['loss']:.4g}"


def print_runs(results):
    print("\n| run | cut | schedule | model | truth | projected (95%) | error | in 95% | in 80% |")
    print("|---|---:|---|---|---:|---|---:|---|---|")
    for r in results:
        print(f"| {r['run']} | 1/{r['factor']} | {r['schedule'] or 'unknown'} | {r['model']} | {r['truth']:.4g} | {band_text(r)} "
              f"| {100 * r['error']:+.2f}% | {'yes' if r['in95'] else 'no'} | {'yes' if r['in80'] else 'no'} |")


# MARK: - Calibration of ShapeError's constants (python3 scripts/forecast.py --calibrate results.json)

def interval(row, constants, z):
    """The interval ShapeError would give `row` under `constants` (see Sources/CurveFit/Forecast)."""
    multiplier, exponent, prior, down, cooldown, tail80, floor, annealing_floor = constants
    value, k = row["loss"], row["factor"]
    if row.get("model") == "annealing":
        floor = max(floor, annealing_floor)
    noise = row["ci95_noise"] if z > 1.5 else row["ci80_noise"]
    # The 80% interval's shape error is the 95% one's scaled by tail80 / (z80 / z95): errors of
    # extrapolation have heavier tails than a normal's.
    scale = 1 if z > 1.5 else tail80 / (1.281552 / 1.959964)
    low, high = (min(noise[0], value), max(noise[1], value)) if noise else (value, value)
    doublings = math.log2(k)
    # The annealing law's prior is its floor (ShapeError.prior).
    law_prior = prior * narrow_fit_factor(row.get("span")) if row.get("model") != "annealing" else 0.0
    per = max(floor, multiplier * row["measured"] if row["measured"] is not None and multiplier > 0 else law_prior)
    if row["measured"] is not None and multiplier > 0:
        per = unresolved(per, law_prior, backtest_noise_variance(row))
    # ShapeError.heldOut: a law its own held-out backtest rejects (fixed, not a calibrated constant).
    if row.get("held_out") is not None:
        per = max(per, row["held_out"])
    up = scale * per * doublings ** exponent
    extra = scale * (0 if row["known"] else max(down * doublings, cooldown))
    low_sigma = math.sqrt(up * up + extra * extra)
    if value <= 0 or low <= 0:
        return low - z * low_sigma * abs(value), high + z * up * abs(value)
    s_high, s_low = math.log(high / value) / z, math.log(value / low) / z
    # FewPoints: Student's t over z for a fit from few points.
    f = max(1.0, few_points_stretch(row, z))
    lo, hi = (value * math.exp(-f * z * math.sqrt(s_low ** 2 + low_sigma ** 2)),
              value * math.exp(f * z * math.sqrt(s_high ** 2 + up ** 2)))
    # Forecast.holdPlainPowerLaw: the 95% band holds the plain power law's projection.
    plain = row.get("plain_power_law")
    if z > 1.5 and plain is not None and plain > 0:
        lo, hi = min(lo, plain), max(hi, plain)
    # Forecast.make: no band reaches above the top of the loss now.
    if row.get("ceiling") is not None:
        top = max(value, row["ceiling"])
        lo, hi = min(lo, top), min(hi, top)
    # Forecast.openBelow: a loss falling faster than 1/t with no floor in sight.
    if row.get("open_below"):
        lo = 0.0
    return lo, hi


Z95, Z80 = 1.959963984540054, 1.2815515655446004
PARAMETERS = {"pure": 2, "power": 3, "shifted": 4}


def t_quantile(q, z, nu):
    """FewPoints.quantile: Student's t, exact for 1 and 2 degrees of freedom, else Cornish-Fisher."""
    if nu < 1.5:
        return math.tan(math.pi * (q - 0.5))
    if nu < 2.5:
        return (2 * q - 1) / math.sqrt(2 * q * (1 - q))
    g1 = (z ** 3 + z) / 4
    g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96
    g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384
    g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160
    return z + g1 / nu + g2 / nu ** 2 + g3 / nu ** 3 + g4 / nu ** 4


def few_points_stretch(row, z):
    """FewPoints.stretch95/80 for the row's fit (1 when the row does not say how many points)."""
    points = row.get("points")
    if not points or row.get("model") == "annealing":  # the power law's bands only
        return 1.0
    nu = max(1, points - PARAMETERS.get(row.get("model"), 3))
    return t_quantile(0.975, Z95, nu) / Z95 if z > 1.5 else t_quantile(0.90, Z80, nu) / Z80


def backtest_noise_variance(row):
    """ShapeError.medianNoiseVariance: the median noise variance of the row's rolling origins."""
    variances = sorted(m["noise_variance"] for m in row.get("misses") or [] if math.isfinite(m["noise_variance"]))
    if not variances:
        return 0.0
    middle = len(variances) // 2
    return variances[middle] if len(variances) % 2 else (variances[middle - 1] + variances[middle]) / 2


def unresolved(measured, prior, noise_variance):
    """ShapeError.unresolved: the measured error per doubling raised toward the prior by the part of
    it backtests this noisy cannot resolve (weight 1 / (1 + (v / p^2)^2) on the measurement).
    Works on floats and on numpy arrays of priors alike."""
    if noise_variance <= 0:
        return measured
    p2 = prior * prior
    ratio = noise_variance / (p2 + 1e-300)
    weight = 1 / (1 + ratio * ratio)
    raised = (measured * measured + (1 - weight) * (p2 - measured * measured)) ** 0.5
    return raised * (prior > measured) + measured * (prior <= measured)


def evaluate(rows, constants):
    """Per cut: (coverage95, coverage80, median half-width / median |error|, median interval score)."""
    out = {}
    for factor in CUTS:
        cut = [r for r in rows if r["factor"] == factor]
        if not cut:
            continue
        in95 = in80 = 0
        halves, scores = [], []
        for r in cut:
            lo, hi = interval(r, constants, 1.959964)
            lo8, hi8 = interval(r, constants, 1.281552)
            in95 += lo <= r["truth"] <= hi
            in80 += lo8 <= r["truth"] <= hi8
            halves.append((hi - lo) / 2 / r["truth"])
            scores.append(((hi - lo) + 40 * (max(lo - r["truth"], 0) + max(r["truth"] - hi, 0))) / r["truth"])
        error = statistics.median(abs(r["error"]) for r in cut)
        out[factor] = (in95 / len(cut), in80 / len(cut), statistics.median(halves) / error if error else 0,
                       statistics.median(scores))
    return out


GRID = [(m, p, prior, u, d, 0.654, f, a) for m in (0, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0) for p in (0.5, 0.75, 1.0, 1.25)
        for prior in (0.01, 0.015, 0.02, 0.03, 0.04) for u in (0.0, 0.02, 0.04, 0.06)
        for d in (0.0, 0.02, 0.04, 0.05, 0.06, 0.08) for f in (0.0005, 0.005)
        for a in (0.0005, 0.005, 0.01, 0.015, 0.02) if a >= f]
TAILS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.654, 0.7, 0.8, 0.9, 1.0)


def best_constants(rows, generated=(), tables=None, grid=None):
    """The constants that hold the truth in at least 85% of cases at every cut on the real logs
    and on each of `tables` (the issue's floor), at least 90% on the generated ones (a cooldown
    after the cut among them), with median half-widths within 4x the median error where they
    can; then with the most coverage up to 90% (a margin for logs not seen here); then the
    lowest mean interval score.
    The 80% tail is then the one nearest 80% over every cut of each of `tables` (default: rows)."""
    best = None
    if grid is not None:
        index = grid.best(rows, generated, tables, CUTS)
        best = None if index is None else (None, GRID[index])
    for constants in (GRID if grid is None else ()):
        result = evaluate(rows, constants)
        if generated and any(c95 < 0.9 for c95, _, _, _ in evaluate(generated, constants).values()):
            continue
        # The two floors first: 85% at every cut of the rows and of each table (as fed,
        # declared), then median half-widths within 4x the median error (honest, not just wide);
        # then a margin towards 90% for logs not seen here; then the lowest interval score.
        per_table = [result] + [evaluate(table, constants) for table in tables or []]
        least = min(c95 for table in per_table for c95, _, _, _ in table.values())
        too_wide = sum(max(0.0, ratio - 4) for table in per_table for _, _, ratio, _ in table.values())
        loss = (-min(least, 0.85), too_wide, -min(least, 0.9), sum(s for _, _, _, s in result.values()))
        if best is None or loss < best[0]:
            best = (loss, constants)
    if best is None:
        return None
    # Then the 80% interval's tail: the one whose coverage is nearest 80% over every cut.
    def miss(tail):
        trial = best[1][:5] + (tail,) + best[1][6:]
        return sum(abs(c80 - 0.8) for table in (tables or [rows]) for _, c80, _, _ in evaluate(table, trial).values())
    return best[1][:5] + (min(TAILS, key=miss),) + best[1][6:]


def calibration_rows(path, undeclared_path=None):
    """The real and generated rows to calibrate on. With the table of the same logs run without
    declared schedules (`--no-declared`), the real rows are that table's plus the declared runs
    of `path` under their own names: the intervals must hold for a user who declares nothing and
    for one who declares what the log's source says. Also returns each table's real rows, and
    the declared table's runs whose schedule curvefit knew (an lr column or declared) as a third
    table: the issue's 4x width and 85% floor are asked of them too (the twelfth session found
    the in-sample optimum otherwise widened their bands from a fifth past 4.8x the error)."""
    results = [r for r in json.load(open(path)) if r.get("ci95_noise") is not None]
    declared = [r for r in results if r["kind"] == "real"]
    generated = [r for r in results if r["kind"] == "generated"]
    if not undeclared_path:
        return declared, generated, [declared]
    plain = [r for r in json.load(open(undeclared_path)) if r.get("ci95_noise") is not None and r["kind"] == "real"]
    extra = [dict(r, run=r["run"] + DECLARED_SUFFIX) for r in declared if r["schedule"] == "declared"]
    known = [r for r in declared if r["schedule"] in ("declared", "lr column")]
    return plain + extra, generated, [declared, plain, known]


DECLARED_SUFFIX = " (declared)"


def calibrate(path, undeclared_path=None, slow=False):
    rows, generated, tables = calibration_rows(path, undeclared_path)
    grid = None
    if not slow:
        from calibration_grid import Grid
        grid = Grid(rows + [r for table in tables for r in table] + generated, GRID, narrow_fit_factor, unresolved,
                    backtest_noise_variance, few_points_stretch)
    constants = best_constants(rows, generated, tables, grid)
    print(f"constants (multiplier, exponent, prior, unknown-schedule per doubling, cooldown, 80% tail, floor, annealing floor): {constants}")
    names = ["declared", "undeclared", "schedule known"] if len(tables) == 3 else ["real"]
    for name, table in zip(names, tables):
        for factor, (c95, c80, ratio, s) in evaluate(table, constants).items():
            print(f"  in sample, {name} 1/{factor}: 95% {100 * c95:.0f}%, 80% {100 * c80:.0f}%, "
                  f"half-width/error {ratio:.1f}, score {100 * s:.1f}%")
    # Leave one run out: the constants refitted without a run (in both tables), that run's
    # intervals from them.
    base = lambda r: r["run"].replace(DECLARED_SUFFIX, "")
    held = []
    for run in sorted({base(r) for r in rows}):
        others = best_constants([r for r in rows if base(r) != run], generated,
                                [[r for r in table if base(r) != run] for table in tables], grid)
        for r in rows:
            if base(r) == run and others:
                lo, hi = interval(r, others, 1.959964)
                lo8, hi8 = interval(r, others, 1.281552)
                held.append((r["factor"], lo <= r["truth"] <= hi, lo8 <= r["truth"] <= hi8))
    for factor in CUTS:
        cut = [h for h in held if h[0] == factor]
        if cut:
            print(f"  leave-one-run-out 1/{factor}: 95% {100 * sum(h[1] for h in cut) / len(cut):.0f}%, "
                  f"80% {100 * sum(h[2] for h in cut) / len(cut):.0f}% ({len(cut)} runs)")
    for factor, (c95, c80, ratio, s) in evaluate(generated, constants).items():
        print(f"  generated 1/{factor}: 95% {100 * c95:.0f}%, 80% {100 * c80:.0f}%")


if __name__ == "__main__":
    if len(sys.argv) in (3, 4, 5) and sys.argv[1] == "--calibrate":
        # --slow: the original search, one set of constants at a time (a check of the grid's).
        calibrate(*[a for a in sys.argv[2:] if a != "--slow"], slow="--slow" in sys.argv)
    elif sys.argv[1:] == ["--truth-check"]:
        truth_check()
    else:
        main()
