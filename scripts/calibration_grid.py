"""The interval constants' search of `forecast.py --calibrate`, over the whole grid at once.

`forecast.interval` rebuilds one row's band under one set of constants; the search scores some
30,000 sets on every row, and leave-one-run-out repeats it once per run, which took 40 minutes
in pure Python. Here each row's bands are computed for every set of the grid in one pass of
numpy, and every selection (all rows, or all but one run's) reads those arrays. The arithmetic
is `forecast.interval`'s, term for term; `--calibrate --slow` runs the original for a check.
"""
import math

import numpy as np

Z95, Z80 = 1.959964, 1.281552
NAMES = ("multiplier", "exponent", "prior", "down", "cooldown", "tail80", "floor", "annealing_floor")


def band(row, c, z, narrow_fit_factor, unresolved, noise_variance, stretch=1.0):
    """forecast.interval for `row` under every set of constants `c` (a dict of arrays);
    `narrow_fit_factor` and `unresolved` are forecast's (ShapeError.narrowFitFactor, .unresolved),
    `noise_variance` the row's backtests' median noise variance, `stretch` its FewPoints stretch."""
    value, k = row["loss"], row["factor"]
    floor = np.maximum(c["floor"], c["annealing_floor"]) if row.get("model") == "annealing" else c["floor"]
    noise = row["ci95_noise"] if z > 1.5 else row["ci80_noise"]
    scale = 1.0 if z > 1.5 else c["tail80"] / (Z80 / Z95)
    low, high = (min(noise[0], value), max(noise[1], value)) if noise else (value, value)
    doublings = math.log2(k)
    # The annealing law's prior is its floor (ShapeError.prior).
    prior = c["prior"] * narrow_fit_factor(row.get("span")) if row.get("model") != "annealing" else 0.0
    if row["measured"] is not None:
        chosen = np.where(c["multiplier"] > 0, c["multiplier"] * row["measured"], prior)
    else:
        chosen = prior
    per = np.maximum(floor, chosen)
    if row["measured"] is not None:
        # ShapeError.unresolved: backtests too noisy to resolve an error of the prior's size.
        per = np.where(c["multiplier"] > 0, unresolved(per, prior, noise_variance), per)
    if row.get("held_out") is not None:
        per = np.maximum(per, row["held_out"])
    up = scale * per * doublings ** c["exponent"]
    extra = scale * (0.0 if row["known"] else np.maximum(c["down"] * doublings, c["cooldown"]))
    low_sigma = np.sqrt(up * up + extra * extra)
    if value <= 0 or low <= 0:
        return low - z * low_sigma * abs(value), high + z * up * abs(value)
    s_high, s_low = math.log(high / value) / z, math.log(value / low) / z
    # FewPoints: Student's t over z for a fit from few points (`stretch`).
    lo = value * np.exp(-stretch * z * np.sqrt(s_low ** 2 + low_sigma ** 2))
    hi = value * np.exp(stretch * z * np.sqrt(s_high ** 2 + up ** 2))
    plain = row.get("plain_power_law")
    if z > 1.5 and plain is not None and plain > 0:
        lo, hi = np.minimum(lo, plain), np.maximum(hi, plain)
    if row.get("ceiling") is not None:
        top = max(value, row["ceiling"])
        lo, hi = np.minimum(lo, top), np.minimum(hi, top)
    if row.get("open_below"):
        lo = np.zeros_like(lo)
    return lo, hi


class Grid:
    """Every row's 95% and 80% bands under every set of constants of `grid`."""

    def __init__(self, rows, grid, narrow_fit_factor, unresolved, noise_variance, few_points_stretch):
        self.grid = grid
        self.index = {id(r): i for i, r in enumerate(rows)}
        c = {name: np.array([g[j] for g in grid], dtype=float) for j, name in enumerate(NAMES)}
        shape = (len(rows), len(grid))
        self.lo95, self.hi95, self.lo80, self.hi80 = (np.empty(shape) for _ in range(4))
        for i, r in enumerate(rows):
            v = noise_variance(r)
            f95, f80 = max(1.0, few_points_stretch(r, Z95)), max(1.0, few_points_stretch(r, Z80))
            self.lo95[i], self.hi95[i] = band(r, c, Z95, narrow_fit_factor, unresolved, v, f95)
            self.lo80[i], self.hi80[i] = band(r, c, Z80, narrow_fit_factor, unresolved, v, f80)
        self.truth = np.array([r["truth"] for r in rows], dtype=float)[:, None]
        self.factor = np.array([r["factor"] for r in rows])
        self.error = np.array([abs(r["error"]) for r in rows])

    def evaluate(self, rows, cuts):
        """Per cut: (coverage95, coverage80, median half-width / median |error|, median score),
        each an array over the grid (forecast.evaluate for every set at once)."""
        picked = np.array([self.index[id(r)] for r in rows], dtype=int)
        out = {}
        for factor in cuts:
            at = picked[self.factor[picked] == factor]
            if at.size == 0:
                continue
            lo, hi, truth = self.lo95[at], self.hi95[at], self.truth[at]
            in95 = ((lo <= truth) & (truth <= hi)).sum(axis=0) / at.size
            in80 = ((self.lo80[at] <= truth) & (truth <= self.hi80[at])).sum(axis=0) / at.size
            halves = np.median((hi - lo) / 2 / truth, axis=0)
            scores = np.median(((hi - lo) + 40 * (np.maximum(lo - truth, 0) + np.maximum(truth - hi, 0))) / truth,
                               axis=0)
            error = float(np.median(self.error[at]))
            out[factor] = (in95, in80, halves / error if error else np.zeros_like(halves), scores)
        return out

    def best(self, rows, generated, tables, cuts):
        """The index into the grid that forecast.best_constants picks, or None."""
        result = self.evaluate(rows, cuts)
        valid = np.ones(len(self.grid), dtype=bool)
        if generated:
            for c95, _, _, _ in self.evaluate(generated, cuts).values():
                valid &= c95 >= 0.9
        if not valid.any():
            return None
        per_table = [result] + [self.evaluate(table, cuts) for table in tables or []]
        least = np.min([c95 for table in per_table for c95, _, _, _ in table.values()], axis=0)
        too_wide = np.sum([np.maximum(0.0, ratio - 4) for table in per_table for _, _, ratio, _ in table.values()],
                          axis=0)
        score = np.sum([s for _, _, _, s in result.values()], axis=0)
        # Lexicographic, as forecast.best_constants' tuple; ties go to the first in the grid.
        keys = (score, -np.minimum(least, 0.9), too_wide, -np.minimum(least, 0.85))
        order = np.lexsort(keys)
        return int(next(i for i in order if valid[i]))
