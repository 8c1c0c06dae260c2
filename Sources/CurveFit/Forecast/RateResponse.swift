import Foundation

/// Whether a loss answers its logged rate, judged where the rate has fallen far enough to show.
///
/// `gen_log.py` logs a cosine from its peak to 10% beside a loss `2 + 8·t^-0.35` that ignores
/// it; a trainer's log can do the same (a rate column that is not the rate the optimiser used).
/// The annealing law then projects the bonus of a decay that never comes, and the backtest rule
/// (the annealing law gives way only to a backtest it loses by 2×) fell either side of its line
/// from seed to seed (1.8–2.5×). What tells the two apart is the fit itself: where the loss
/// follows its rate, the law in the rate's area fits the steps after warm-up better than the
/// power law in steps (on every real log of the table whose rate decays, by 1–10% in RMSE),
/// though it spends a parameter more; where it ignores it, the power law fits as well or better.
enum RateResponse {
  /// The points compared, evenly spread over the fitted range (a 10M-row log costs what a short
  /// one does; 4,096 points tell a systematic misfit of 0.2% of the loss from noise of 2%).
  static let maximumPoints = 4_096
  /// The rate must fall by this share of its peak over the steps compared: with less, the two
  /// laws barely differ there.
  static let minimumFall = 0.5

  /// Root mean squared log residuals of `power` and of `annealing` over up to `maximumPoints`
  /// usable points of `range`; `nil` with fewer than 10 of them or a law not positive there.
  static func residuals(
    _ series: LossSeries, range: ClosedRange<Double>, excluded: StepRanges, power: PowerLaw,
    annealing: AnnealingLaw, curve: LearningRateCurve
  ) -> (power: Double, annealing: Double, points: Int)? {
    let from = series.steps.lowerIndex(atLeast: range.lowerBound)
    let to = series.steps.upperIndex(atMost: range.upperBound)
    guard to > from else { return nil }
    let stride = max(1, (to - from) / maximumPoints)
    var steps: [Double] = []
    var losses: [Double] = []
    var index = from
    while index < to {
      FitPoints.forEachUsable(series, index..<(index + 1), excluded) { step, loss in
        guard loss > 0 else { return }
        steps.append(step)
        losses.append(loss)
      }
      index += stride
    }
    guard steps.count >= 10 else { return nil }
    let annealed = annealing.losses(at: steps, on: curve)
    var sums = (power: 0.0, annealing: 0.0)
    for i in steps.indices {
      let powered = power(steps[i])
      guard powered > 0, annealed[i] > 0, powered.isFinite, annealed[i].isFinite else { return nil }
      let observed = Foundation.log(losses[i])
      sums.power += (observed - Foundation.log(powered)) * (observed - Foundation.log(powered))
      sums.annealing += (observed - Foundation.log(annealed[i])) * (observed - Foundation.log(annealed[i]))
    }
    let n = Double(steps.count)
    return ((sums.power / n).squareRoot(), (sums.annealing / n).squareRoot(), steps.count)
  }
}
