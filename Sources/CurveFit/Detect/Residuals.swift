import Foundation

/// The loss relative to its trend, point by point: what the detectors look at.
///
/// With a trend `f`, the residual is `log L − log f(t)`: removing the power law makes the curve
/// flat, so a trailing baseline does not lag behind the fast early drop, and the log turns the
/// multiplicative noise of training losses into noise of constant size. Without a trend, or
/// when a loss is not positive, plain `L` (or `L − f`) is used instead.
struct Residuals {
  /// Positions in the series of the finite points used, ascending.
  var indices: [Int]
  var steps: [Double]
  var values: [Double]
  /// The trend's loss at each point (the loss itself when there is no trend).
  var trend: [Double]
  var logSpace: Bool

  /// Builds residuals for the finite points at or after `fromStep`.
  init(series: LossSeries, trend: ((Double) -> Double)?, fromStep: Double) {
    let first = series.steps.firstIndex { $0 >= fromStep } ?? series.count
    var positive = true
    for i in first..<series.count where series.losses[i].isFinite && series.losses[i] <= 0 {
      positive = false
      break
    }
    logSpace = positive
    indices = []
    steps = []
    values = []
    self.trend = []
    for i in first..<series.count {
      let loss = series.losses[i]
      guard loss.isFinite else { continue }
      let step = series.steps[i]
      var expected = trend?(step) ?? .nan
      if !(expected.isFinite && expected > 0) { expected = logSpace ? 1 : 0 }
      indices.append(i)
      steps.append(step)
      self.trend.append(trend == nil ? (logSpace ? 1 : 0) : expected)
      values.append(logSpace ? Foundation.log(loss) - Foundation.log(expected) : loss - expected)
    }
  }

  var count: Int { values.count }

  /// The loss the baseline level stands for at position `k`.
  func baselineLoss(level: Double, at k: Int) -> Double {
    logSpace ? trend[k] * Foundation.exp(level) : trend[k] + level
  }

  /// How many times larger than `level` the residual at `k` is, as a loss ratio.
  func ratio(at k: Int, over level: Double) -> Double {
    if logSpace { return Foundation.exp(values[k] - level) }
    let base = trend[k] + level
    return base != 0 ? (trend[k] + values[k]) / base : .infinity
  }
}
