import Dispatch
import Foundation

/// The loss relative to its trend, point by point: what the detectors look at.
///
/// With a trend `f`, the residual is `log L − log f(t)`: removing the power law makes the curve
/// flat, so a trailing baseline does not lag behind the fast early drop, and the log turns the
/// multiplicative noise of training losses into noise of constant size. Without a trend, or
/// when a loss is not positive, plain `L` (or `L − f`) is used instead.
///
/// One value per series point from `start` on (NaN where the loss is not finite); steps and
/// losses are read from the series, so ten million rows cost one array.
struct Residuals {
  let series: LossSeries
  let start: Int
  private(set) var values: [Double]
  let logSpace: Bool
  private let trend: ((Double) -> Double)?

  /// Knots of the trend for interpolation: evaluating `pow` at every one of ten million steps
  /// costs more than the rest of detection; between log-spaced knots 0.2% apart a linear
  /// interpolation of a power law is exact to ~10⁻⁷.
  private static let knots = 4_096

  /// - Parameter storage: the values array of an earlier pass over the same series, handed
  ///   over (uniquely referenced) to be overwritten: ten million fresh doubles cost twenty
  ///   thousand page faults.
  init(series: LossSeries, trend: ((Double) -> Double)?, fromStep: Double, storage: consuming [Double] = []) {
    self.series = series
    self.trend = trend
    let first = series.steps.lowerIndex(atLeast: fromStep)
    start = first
    var positive = true
    for i in first..<series.count where series.losses[i].isFinite && series.losses[i] <= 0 {
      positive = false
      break
    }
    logSpace = positive
    let knots = Self.knotTable(series: series, from: first, trend: trend)
    // Two halves on two cores for long series: each point's residual depends on that point only.
    // The array is left uninitialised and every slot written by its half, so the first touch of
    // each page (a fault, and zeroing) is shared between the cores too.
    let total = series.count - first
    let chunks = total > 1 << 20 ? 2 : 1
    let isPositive = positive
    let fillAll = { (output: UnsafeMutableBufferPointer<Double>) in
      nonisolated(unsafe) let output = output
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let low = first + total * chunk / chunks
        let high = first + total * (chunk + 1) / chunks
        Self.fill(output, series: series, range: low..<high, offset: first, knots: knots, logSpace: isPositive)
      }
    }
    var reused = storage
    if reused.count == total {
      reused.withUnsafeMutableBufferPointer { fillAll($0) }
      values = reused
    } else {
      values = [Double](unsafeUninitializedCapacity: total) { output, initialized in
        fillAll(output)
        initialized = total
      }
    }
  }

  /// Residuals of `series[range]` into `output[i − offset]`, walking the knots with a cursor.
  private static func fill(
    _ output: UnsafeMutableBufferPointer<Double>, series: LossSeries, range: Range<Int>, offset: Int,
    knots: (t: [Double], f: [Double])?, logSpace positive: Bool
  ) {
    var cursor = 0
    if let knots, let firstStep = range.first.map({ series.steps[$0] }) {
      cursor = max(0, knots.t.lowerIndex(atLeast: firstStep) - 1)
    }
    series.steps.withUnsafeBufferPointer { steps in
      series.losses.withUnsafeBufferPointer { losses in
        for i in range {
          let loss = losses[i]
          guard loss.isFinite else {
            output[i - offset] = .nan
            continue
          }
          let step = steps[i]
          var expected = positive ? 1.0 : 0.0
          if let knots {
            while cursor + 2 < knots.t.count, knots.t[cursor + 1] < step { cursor += 1 }
            let t0 = knots.t[cursor]
            let t1 = knots.t[cursor + 1]
            let fraction = t1 > t0 ? min(1, max(0, (step - t0) / (t1 - t0))) : 0
            let value = knots.f[cursor] + fraction * (knots.f[cursor + 1] - knots.f[cursor])
            if value.isFinite, !positive || value > 0 { expected = value }
          }
          output[i - offset] = positive ? Foundation.log(loss / expected) : loss - expected
        }
      }
    }
  }

  /// Log-spaced knots over the positive steps, and the trend there.
  private static func knotTable(
    series: LossSeries, from first: Int, trend: ((Double) -> Double)?
  ) -> (t: [Double], f: [Double])? {
    guard let trend, first < series.count else { return nil }
    let low = max(series.steps[first], series.steps.first { $0 > 0 } ?? 1)
    let high = max(low, series.steps[series.count - 1])
    guard low > 0 else { return nil }
    let ratio = high > low ? Foundation.log(high / low) : 0
    let t = (0..<knots).map { low * Foundation.exp(ratio * Double($0) / Double(knots - 1)) }
    return (t, t.map(trend))
  }

  var count: Int { values.count }
  func step(_ k: Int) -> Double { series.steps[start + k] }
  func loss(_ k: Int) -> Double { series.losses[start + k] }

  /// The trend's loss at position `k` (the loss itself's reference; 1 or 0 without a trend).
  func trendLoss(_ k: Int) -> Double {
    let value = trend?(step(k)) ?? .nan
    if value.isFinite, !logSpace || value > 0 { return value }
    return logSpace ? 1 : 0
  }

  /// The loss the baseline level stands for at position `k`.
  func baselineLoss(level: Double, at k: Int) -> Double {
    logSpace ? trendLoss(k) * Foundation.exp(level) : trendLoss(k) + level
  }

  /// How many times larger than `level` the residual at `k` is, as a loss ratio.
  func ratio(at k: Int, over level: Double) -> Double {
    if logSpace { return Foundation.exp(values[k] - level) }
    return Self.rise(trendLoss(k) + values[k], over: trendLoss(k) + level)
  }

  /// `loss / base`, as a rise over the base's size: for a base below zero (a log-likelihood)
  /// the plain quotient turns a rise from −1.5 to −0.5 into ×0.33, and the detectors' ×1.25 and
  /// ×1.5 gates never opened; for a positive base the two are the same.
  static func rise(_ loss: Double, over base: Double) -> Double {
    base != 0 ? 1 + (loss - base) / abs(base) : .infinity
  }

  /// The last position holding a finite residual.
  var lastFinite: Int? { values.lastIndex { $0.isFinite } }
}
