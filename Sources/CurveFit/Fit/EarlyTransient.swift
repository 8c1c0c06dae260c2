import Foundation

/// Where a log without learning rates stops accelerating: the step of its steepest fall on
/// log–log axes.
///
/// A run's first steps do not follow the power law it settles into: the loss sits near its
/// starting value while the rate warms up, then falls faster than any power law, fastest around
/// the end of warm-up. `L_min + C·t^-α` itself falls most steeply (in log–log) at its first step
/// and ever less after it, so the steepest point of a log is the first step from which its curve
/// can be one. Without a rate to read the warm-up from, the curve that projects is fitted from
/// there; skipping only the first 1% left warm-up in the fit of a prefix (llm.c's 700 warm-up
/// steps are 18% of a fifth of its run) and projections a fifth of the way in missed by 10%
/// (docs/forecasting.md).
enum EarlyTransient {
  /// Log-spaced bins of a twentieth of a decade: fine enough to place the end of a warm-up of a
  /// few hundred steps, coarse enough that each holds several points from the first decade on.
  static let binsPerDecade = 20.0
  /// Slopes are taken across this many bins on either side, smoothing the noise of one bin.
  static let halfWindow = 2
  /// Medians are taken over at most this many evenly spaced points of a bin, so a log of ten
  /// million rows costs what one of a hundred thousand does.
  static let sampleCap = 255
  /// Fewer non-empty bins than this give no reading.
  static let minimumBins = 8
  /// The steepest slope must be this many times the first one: a log that falls fastest at its
  /// start (a power law from step one, a fine-tune) has no transient to skip, and noise alone
  /// must not move its fit.
  static let acceleration = 1.5
  /// At its steepest a transient falls at least this fast on log–log axes (as `t^-0.1`): the
  /// real logs' transients fall as `t^-0.19` (Lightning) to `t^-0.57` (SLM-125M). A curve that
  /// steepens only gently, as a shifted power law near its floor does (a fine-tune's
  /// `L_min + C·(t + t0)^-α`, at most `t^-0.02`), has nothing to skip: its early steps are what
  /// tell its shift.
  static let minimumSlope = -0.1

  /// The steepest slope must beat the first by this many standard errors of their difference:
  /// a sparse, noisy log (60 points at 3% noise) otherwise showed a steepest fall half-way
  /// through a plain power law in a quarter of the seeds.
  static let significance = 3.0

  /// The step of the steepest fall among the points in `range`, or `nil` when the log is too
  /// short, never falls, or falls fastest at its start within its noise.
  static func steepestStep(_ series: LossSeries, in range: ClosedRange<Double>) -> Double? {
    let steps = series.steps
    var start = steps.lowerIndex(atLeast: max(range.lowerBound, .leastNormalMagnitude))
    let end = steps.upperIndex(atMost: range.upperBound)
    guard start < end else { return nil }
    var bins: [Bin] = []
    var edge = Foundation.log10(steps[start])
    while start < end {
      edge += 1 / binsPerDecade
      let limit = Foundation.pow(10, edge)
      var stop = start
      while stop < end, steps[stop] < limit { stop += 1 }
      guard stop > start else { continue }
      if let bin = Bin(series, start..<stop) { bins.append(bin) }
      start = stop
    }
    // The noise of one loss, in log10: the median of the bins' own robust spreads.
    var spreads = bins.compactMap(\.spread)
    guard bins.count >= minimumBins, !spreads.isEmpty else { return nil }
    let noise = median(&spreads)
    func slope(at index: Int) -> (value: Double, error: Double)? {
      let low = bins[max(0, index - halfWindow)]
      let high = bins[min(bins.count - 1, index + halfWindow)]
      let run = high.logStep - low.logStep
      guard run > 0 else { return nil }
      // A median of n points varies as π/2 · σ²/n.
      let variance = Double.pi / 2 * noise * noise * (1 / low.count + 1 / high.count)
      return ((high.logLoss - low.logLoss) / run, variance.squareRoot() / run)
    }
    // A fall from above the lowest loss seen before it is a recovery (from a spike that lasts
    // several bins, as AlgoPerf's WMT run's ×15 for 3,000 steps at step 7,100), not the end of
    // the run's early drop, however steep: a transient falls from the start.
    var lowest = [Double.infinity]
    lowest.reserveCapacity(bins.count)
    var lowestIndex = [0]
    for index in bins.indices.dropLast() {
      let previous = lowestIndex[index]
      let better = bins[index].logLoss < lowest[index]
      lowest.append(better ? bins[index].logLoss : lowest[index])
      lowestIndex.append(better ? index : previous)
    }
    func fallsFromAbove(_ index: Int) -> Bool {
      let low = max(0, index - halfWindow)
      guard low > 0 else { return false }
      let floor = bins[lowestIndex[low]]
      let error = (Double.pi / 2 * noise * noise * (1 / bins[low].count + 1 / floor.count)).squareRoot()
      return bins[low].logLoss - lowest[low] > significance * error
    }
    var steepest: (value: Double, error: Double, index: Int)?
    for index in bins.indices where !fallsFromAbove(index) {
      guard let slope = slope(at: index) else { continue }
      if slope.value < (steepest?.value ?? 0) { steepest = (slope.value, slope.error, index) }
    }
    guard let steepest, steepest.value <= minimumSlope, let first = slope(at: 0),
      steepest.value < acceleration * min(first.value, 0) || first.value >= 0,
      first.value - steepest.value > significance * (first.error * first.error + steepest.error * steepest.error).squareRoot()
    else { return nil }
    return Foundation.pow(10, bins[steepest.index].logStep)
  }

  /// One bin: log10 of the median step and of the median finite positive loss of up to
  /// `sampleCap` evenly spaced points, how many, and the robust spread of their log10 losses
  /// (1.4826 × MAD; `nil` below three points).
  private struct Bin {
    var logStep: Double
    var logLoss: Double
    var count: Double
    var spread: Double?

    init?(_ series: LossSeries, _ positions: Range<Int>) {
      let stride = max(1, (positions.count + sampleCap - 1) / sampleCap)
      var steps: [Double] = []
      var logs: [Double] = []
      for index in Swift.stride(from: positions.lowerBound, to: positions.upperBound, by: stride) {
        let loss = series.losses[index]
        guard loss.isFinite, loss > 0 else { continue }
        steps.append(series.steps[index])
        logs.append(Foundation.log10(loss))
      }
      guard !logs.isEmpty else { return nil }
      logStep = Foundation.log10(EarlyTransient.median(&steps))
      logLoss = EarlyTransient.median(&logs)
      count = Double(logs.count)
      if logs.count >= 3 {
        let center = logLoss
        var deviations = logs.map { abs($0 - center) }
        spread = 1.4826 * EarlyTransient.median(&deviations)
      }
    }
  }

  fileprivate static func median(_ values: inout [Double]) -> Double {
    values.sort()
    let middle = values.count / 2
    return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
  }
}
