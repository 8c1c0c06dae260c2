import Foundation

/// Backtests inside the run at the projection's own kind of reach: the law is refitted on the
/// steps up to an earlier origin `o` and asked for the loss at `2·o`, which the run has logged.
///
/// Origins step back from half the last step by a factor 0.85 (`T/2, 0.85·T/2, …`, four of
/// them), so every prediction lands inside the observed run and the latest, most representative
/// part of the curve is the one judged. Each error is `ln(predicted / observed)`, the observed
/// loss being the mean of the usable points within 3% of `2·o`.
public enum RollingOrigin {
  static let origins = 4
  static let spacing = 0.85
  /// The fit from `range.lowerBound` to an origin must span at least this factor in steps. A
  /// fit spanning less sits in the transient just past warm-up and misses by more than the fit
  /// of the whole run will: with 2, a fifth of the way into the real runs the intervals were
  /// 7× the median error; with 3, 2.8×, at the same coverage. With 4 the table of `make
  /// forecast` keeps every truth it held, and a fine-tune logged every 15 steps, cut at a fifth,
  /// no longer backtests from the 10–15 points of its early fast fall (its 5× band went from
  /// ±46% to ±9% for an error of 1.1%; docs/forecasting.md, tenth session).
  static let minimumSpan = 4.0

  /// The origins inside `range` that leave a fit span of at least `minimumSpan`.
  static func origins(range: ClosedRange<Double>, lastStep: Double) -> [Double] {
    (0..<origins).map { lastStep / 2 * Foundation.pow(spacing, Double($0)) }
      .filter { $0 >= minimumSpan * max(range.lowerBound, 1) }
  }

  /// One backtest: `ln(predicted/observed)` and the variance the noise alone gives it (the
  /// mean's and the early fit's own), which the bootstrap already covers.
  public struct Miss: Sendable, Equatable {
    public var error: Double
    public var noiseVariance: Double
  }

  /// The mean usable loss within 3% of `step`, at most `lastStep`, and the number of points.
  static func observed(_ series: LossSeries, near step: Double, lastStep: Double, excluding excluded: StepRanges) -> (mean: Double, count: Double)? {
    let low = series.steps.lowerIndex(atLeast: step / 1.03)
    let high = series.steps.upperIndex(atMost: min(step * 1.03, lastStep))
    guard low < high else { return nil }
    var sum = 0.0
    var count = 0.0
    FitPoints.forEachUsable(series, low..<high, excluded) { _, loss in
      sum += loss
      count += 1
    }
    return count > 0 && sum > 0 ? (sum / count, count) : nil
  }

  /// Log errors of the power law in `fitter`'s form, refitted at each origin.
  static func powerLawErrors(
    _ series: LossSeries, fitter: PowerLawFitter, range: ClosedRange<Double>, lastStep: Double,
    excluding excluded: StepRanges, sums: LogBinnedSums?
  ) -> [Miss] {
    origins(range: range, lastStep: lastStep).compactMap { origin in
      var early = fitter
      early.range = FitRange(from: range.lowerBound, to: origin)
      // Not only converged fits: a fit pinned at a bound still projects, and the forecast would
      // use it; judging converged fits alone flattered the forms that rarely converge.
      guard let fit = try? early.fit(series, excluding: excluded, sums: sums),
        let observed = observed(series, near: 2 * origin, lastStep: lastStep, excluding: excluded)
      else { return nil }
      return miss(fit.estimate(at: 2 * origin), observed, rmse: fit.rmse)
    }
  }

  /// Log errors of the annealing law on the run's own schedule, refitted at each origin.
  static func annealingErrors(
    _ series: LossSeries, fitter: AnnealingLawFitter, curve: LearningRateCurve,
    range: ClosedRange<Double>, lastStep: Double, excluding excluded: StepRanges
  ) -> [Miss] {
    origins(range: range, lastStep: lastStep).compactMap { origin in
      // As for the projection itself: without the prior, an origin that saw too little of the
      // decay to measure the annealing term from would judge a law the forecast would not use.
      let areas = curve.areas(at: [origin, 2 * origin], lambda: fitter.lambda).s2
      guard fitter.prior != nil || (areas[1] > 0 && areas[0] >= ScheduleAnalysis.minimumDecayShare * areas[1]),
        let fit = try? fitter.fit(series, curve: curve, bounds: range.lowerBound...origin, excluding: excluded),
        let observed = observed(series, near: 2 * origin, lastStep: lastStep, excluding: excluded)
      else { return nil }
      let ahead = curve.areas(at: [2 * origin], lambda: fit.model.lambda)
      return miss(fit.estimate(s1: ahead.s1[0], s2: ahead.s2[0]), observed, rmse: fit.rmse)
    }
  }

  /// A robust spread of the errors beyond their noise: `√(median(max(0, e² − v)) / 0.455)`,
  /// the σ of a normal error whose squares have that median (0.455 is the median of χ²₁). One
  /// wild origin in four must not set the width, and on a curve the law describes exactly the
  /// errors are noise the bootstrap already carries. `nil` with fewer than two.
  static func spread(_ misses: [Miss]) -> Double? {
    guard misses.count >= 2 else { return nil }
    let excess = misses.map { max(0, $0.error * $0.error - $0.noiseVariance) }.sorted()
    let middle = excess.count / 2
    let median = excess.count % 2 == 1 ? excess[middle] : (excess[middle - 1] + excess[middle]) / 2
    return (median / 0.4549).squareRoot()
  }

  private static func miss(_ predicted: Estimate, _ observed: (mean: Double, count: Double), rmse: Double) -> Miss? {
    guard predicted.value > 0, predicted.value.isFinite else { return nil }
    let error = Foundation.log(predicted.value / observed.mean)
    guard error.isFinite else { return nil }
    let curve = predicted.ci95Delta.map { ($0.upperBound - $0.lowerBound) / (2 * Estimate.z95 * predicted.value) } ?? 0
    let mean = rmse.isFinite ? rmse / (observed.mean * observed.count.squareRoot()) : 0
    let variance = curve * curve + mean * mean
    return Miss(error: error, noiseVariance: variance.isFinite ? variance : 0)
  }
}
