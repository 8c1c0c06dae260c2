import Foundation

/// Backtests inside the run at the projection's own kind of reach: the law is refitted on the
/// steps up to an earlier origin `o` and asked for the loss at `2·o`, which the run has logged.
///
/// Origins step back from half the last step by a factor 0.85 (`T/2, 0.85·T/2, …`, four of
/// them), so every prediction lands inside the observed run and the latest, most representative
/// part of the curve is the one judged. Each error is `ln(predicted / observed)`, the observed
/// loss being the mean of the usable points within 3% of `2·o`.
enum RollingOrigin {
  static let origins = 4
  static let spacing = 0.85
  /// The fit from `range.lowerBound` to an origin must span at least this factor in steps.
  static let minimumSpan = 2.0

  /// The origins inside `range` that leave a fit span of at least `minimumSpan`.
  static func origins(range: ClosedRange<Double>, lastStep: Double) -> [Double] {
    (0..<origins).map { lastStep / 2 * Foundation.pow(spacing, Double($0)) }
      .filter { $0 >= minimumSpan * max(range.lowerBound, 1) }
  }

  /// The mean usable loss within 3% of `step`, at most `lastStep`; `nil` when there is none.
  static func observed(_ series: LossSeries, near step: Double, lastStep: Double, excluding excluded: StepRanges) -> Double? {
    let low = series.steps.lowerIndex(atLeast: step / 1.03)
    let high = series.steps.upperIndex(atMost: min(step * 1.03, lastStep))
    guard low < high else { return nil }
    var sum = 0.0
    var count = 0.0
    FitPoints.forEachUsable(series, low..<high, excluded) { _, loss in
      sum += loss
      count += 1
    }
    return count > 0 && sum > 0 ? sum / count : nil
  }

  /// Log errors of the power law in `fitter`'s form, refitted at each origin.
  static func powerLawErrors(
    _ series: LossSeries, fitter: PowerLawFitter, range: ClosedRange<Double>, lastStep: Double,
    excluding excluded: StepRanges, sums: LogBinnedSums?
  ) -> [Double] {
    origins(range: range, lastStep: lastStep).compactMap { origin in
      var early = fitter
      early.range = FitRange(from: range.lowerBound, to: origin)
      // Not only converged fits: a fit pinned at a bound still projects, and the forecast would
      // use it; judging converged fits alone flattered the forms that rarely converge.
      guard let fit = try? early.fit(series, excluding: excluded, sums: sums),
        let observed = observed(series, near: 2 * origin, lastStep: lastStep, excluding: excluded)
      else { return nil }
      return logError(fit.model(2 * origin), observed)
    }
  }

  /// Log errors of the annealing law on the run's own schedule, refitted at each origin.
  static func annealingErrors(
    _ series: LossSeries, fitter: AnnealingLawFitter, curve: LearningRateCurve,
    range: ClosedRange<Double>, lastStep: Double, excluding excluded: StepRanges
  ) -> [Double] {
    origins(range: range, lastStep: lastStep).compactMap { origin in
      // As for the projection itself: an origin that saw too little of the decay to measure the
      // annealing term from would judge a law the forecast would not have used.
      let areas = curve.areas(at: [origin, 2 * origin], lambda: fitter.lambda).s2
      guard areas[1] > 0, areas[0] >= ScheduleAnalysis.minimumDecayShare * areas[1],
        let fit = try? fitter.fit(series, curve: curve, bounds: range.lowerBound...origin, excluding: excluded),
        let observed = observed(series, near: 2 * origin, lastStep: lastStep, excluding: excluded)
      else { return nil }
      return logError(fit.model.losses(at: [2 * origin], on: curve)[0], observed)
    }
  }

  /// A robust spread of the log errors, `median |e| / 0.6745` (the σ of a normal error with
  /// that median): one wild origin in four must not set the width. `nil` with fewer than two.
  static func spread(_ errors: [Double]) -> Double? {
    guard errors.count >= 2 else { return nil }
    let sorted = errors.map(abs).sorted()
    let middle = sorted.count / 2
    let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    return median / 0.6745
  }

  private static func logError(_ predicted: Double, _ observed: Double) -> Double? {
    guard predicted > 0, predicted.isFinite else { return nil }
    let error = Foundation.log(predicted / observed)
    return error.isFinite ? error : nil
  }
}
