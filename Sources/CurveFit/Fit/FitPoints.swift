import Foundation

/// The points a power-law fit sees: as they are, or as log-spaced bin means weighted by count,
/// gathered in one streaming pass over the series without copying it.
struct FitPoints {
  var t: [Double]
  var y: [Double]
  var weights: [Double]
  /// Raw points that entered (before binning).
  var used: Int
  /// The series positions scanned, for the goodness-of-fit pass.
  var positions: Range<Int>
  let bounds: ClosedRange<Double>
  let excluded: StepRanges
  /// The fine bins behind binned points, which also give the goodness of fit.
  let sums: LogBinnedSums?

  /// Gathers finite losses at positive steps within `bounds`, outside `excluded`; above
  /// `binThreshold` points they are averaged into `binCount` bins of equal width in `log t`.
  init(
    series: LossSeries, bounds: ClosedRange<Double>, excluded: StepRanges, binThreshold: Int,
    binCount: Int, sums: LogBinnedSums? = nil
  ) {
    let low = series.steps.lowerIndex(atLeast: bounds.lowerBound)
    let high = series.steps.upperIndex(atMost: bounds.upperBound)
    let positions = low..<max(low, high)
    self.positions = positions
    self.bounds = bounds
    self.excluded = excluded
    var count = 0
    if let sums, sums.used > binThreshold {
      count = binThreshold + 1
    } else {
      Self.forEachUsable(series, positions, excluded) { _, _ in count += 1 }
    }
    if count <= binThreshold {
      var rawT: [Double] = []
      var rawY: [Double] = []
      rawT.reserveCapacity(count)
      rawY.reserveCapacity(count)
      Self.forEachUsable(series, positions, excluded) { step, loss in
        rawT.append(step)
        rawY.append(loss)
      }
      (t, y, weights, used, self.sums) = (rawT, rawY, [Double](repeating: 1, count: count), count, nil)
      return
    }
    let fine = sums ?? LogBinnedSums(series: series, positions: positions, excluded: excluded)
    let merged = fine.merged(in: bounds, binCount: binCount)
    (t, y, weights, used, self.sums) = (merged.t, merged.y, merged.w, merged.used, fine)
  }

  /// Calls `body` for every usable point in order; excluded ranges are walked with a cursor.
  @inline(__always)
  static func forEachUsable(
    _ series: LossSeries, _ positions: Range<Int>, _ excluded: StepRanges,
    _ body: (Double, Double) -> Void
  ) {
    let ranges = excluded.ranges
    var cursor = 0
    series.steps.withUnsafeBufferPointer { steps in
      series.losses.withUnsafeBufferPointer { losses in
        for i in positions {
          let step = steps[i]
          let loss = losses[i]
          guard step > 0, loss.isFinite else { continue }
          while cursor < ranges.count, ranges[cursor].upperBound < step { cursor += 1 }
          if cursor < ranges.count, ranges[cursor].lowerBound <= step { continue }
          body(step, loss)
        }
      }
    }
  }

  /// RMSE and R² of `model` over the raw points (not the bins).
  func goodness(_ model: PowerLaw, series: LossSeries) -> (rmse: Double, r2: Double) {
    if let sums { return sums.goodness(model, in: bounds) }
    var sum = 0.0
    var count = 0.0
    Self.forEachUsable(series, positions, excluded) { _, loss in
      sum += loss
      count += 1
    }
    guard count > 0 else { return (.nan, .nan) }
    let mean = sum / count
    var ssr = 0.0
    var sst = 0.0
    Self.forEachUsable(series, positions, excluded) { step, loss in
      let r = loss - model(step)
      ssr += r * r
      sst += (loss - mean) * (loss - mean)
    }
    let r2 = sst > 0 ? 1 - ssr / sst : (ssr == 0 ? 1 : 0)
    return ((ssr / count).squareRoot(), r2)
  }
}
