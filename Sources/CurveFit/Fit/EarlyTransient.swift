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

  /// The step of the steepest fall among the points in `range`, or `nil` when the log is too
  /// short or never falls.
  static func steepestStep(_ series: LossSeries, in range: ClosedRange<Double>) -> Double? {
    let steps = series.steps
    var start = steps.lowerIndex(atLeast: max(range.lowerBound, .leastNormalMagnitude))
    let end = steps.upperIndex(atMost: range.upperBound)
    guard start < end else { return nil }
    var logSteps: [Double] = []
    var logLosses: [Double] = []
    var edge = Foundation.log10(steps[start])
    while start < end {
      edge += 1 / binsPerDecade
      let limit = Foundation.pow(10, edge)
      var stop = start
      while stop < end, steps[stop] < limit { stop += 1 }
      guard stop > start else { continue }
      if let (step, loss) = medians(series, start..<stop) {
        logSteps.append(Foundation.log10(step))
        logLosses.append(Foundation.log10(loss))
      }
      start = stop
    }
    guard logSteps.count >= minimumBins else { return nil }
    func slope(at index: Int) -> Double? {
      let low = max(0, index - halfWindow)
      let high = min(logSteps.count - 1, index + halfWindow)
      let run = logSteps[high] - logSteps[low]
      return run > 0 ? (logLosses[high] - logLosses[low]) / run : nil
    }
    var steepest: (slope: Double, index: Int)?
    for index in logSteps.indices {
      guard let slope = slope(at: index) else { continue }
      if slope < (steepest?.slope ?? 0) { steepest = (slope, index) }
    }
    guard let steepest, steepest.slope <= minimumSlope, let first = slope(at: 0),
      steepest.slope < acceleration * min(first, 0) || first >= 0
    else { return nil }
    return Foundation.pow(10, logSteps[steepest.index])
  }

  /// The median step and the median finite positive loss of up to `sampleCap` evenly spaced
  /// points of `positions`; `nil` when none is usable.
  private static func medians(_ series: LossSeries, _ positions: Range<Int>) -> (Double, Double)? {
    let stride = max(1, (positions.count + sampleCap - 1) / sampleCap)
    var steps: [Double] = []
    var losses: [Double] = []
    for index in Swift.stride(from: positions.lowerBound, to: positions.upperBound, by: stride) {
      let loss = series.losses[index]
      guard loss.isFinite, loss > 0 else { continue }
      steps.append(series.steps[index])
      losses.append(loss)
    }
    guard !losses.isEmpty else { return nil }
    return (median(&steps), median(&losses))
  }

  private static func median(_ values: inout [Double]) -> Double {
    values.sort()
    let middle = values.count / 2
    return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
  }
}
