import Foundation

/// Sums of `t`, `y`, `y²` and counts of the usable points in fine log-spaced bins of the step.
///
/// Built in one pass (no logarithm per row: steps are sorted, so a cursor walks the bin edges),
/// after which a fit of any step range costs the same for ten million rows as for ten thousand:
/// the fine bins are merged into the fit's bins, and the within-bin sums of squares give the
/// exact residual sum of squares up to the curve's variation inside a fine bin.
struct LogBinnedSums: Sendable {
  let logLow: Double
  let width: Double
  private(set) var sumT: [Double]
  private(set) var sumY: [Double]
  private(set) var sumYY: [Double]
  private(set) var counts: [Double]
  let used: Int

  /// Bins the finite points at positive steps in `positions` outside `excluded`.
  init(series: LossSeries, positions: Range<Int>, excluded: StepRanges, bins: Int = 16_384) {
    var first = Double.infinity
    var last = -Double.infinity
    var used = 0
    FitPoints.forEachUsable(series, positions, excluded) { step, _ in
      first = min(first, step)
      last = max(last, step)
      used += 1
    }
    self.used = used
    let low = used > 0 ? Foundation.log(first) : 0
    let high = used > 0 ? Foundation.log(last) : 0
    logLow = low
    width = max((high - low) / Double(bins), 1e-12)
    var sumT = [Double](repeating: 0, count: bins)
    var sumY = sumT
    var sumYY = sumT
    var counts = sumT
    var bin = 0
    var nextEdge = Foundation.exp(low + width)
    let width = self.width
    FitPoints.forEachUsable(series, positions, excluded) { step, loss in
      while bin < bins - 1, step >= nextEdge {
        bin += 1
        nextEdge = Foundation.exp(low + Double(bin + 1) * width)
      }
      sumT[bin] += step
      sumY[bin] += loss
      sumYY[bin] += loss * loss
      counts[bin] += 1
    }
    (self.sumT, self.sumY, self.sumYY, self.counts) = (sumT, sumY, sumYY, counts)
  }

  /// The fine bins whose mean step lies in `range`, merged into at most `binCount` bins of equal
  /// log width: means and counts for the fit.
  func merged(in range: ClosedRange<Double>, binCount: Int) -> (t: [Double], y: [Double], w: [Double], used: Int) {
    let inside = counts.indices.filter { counts[$0] > 0 && range.contains(sumT[$0] / counts[$0]) }
    guard let first = inside.first, let last = inside.last else { return ([], [], [], 0) }
    let span = last - first + 1
    var t: [Double] = []
    var y: [Double] = []
    var w: [Double] = []
    var groupT = 0.0
    var groupY = 0.0
    var groupN = 0.0
    var currentGroup = -1
    var used = 0
    for index in inside {
      let group = (index - first) * binCount / span
      if group != currentGroup, groupN > 0 {
        t.append(groupT / groupN)
        y.append(groupY / groupN)
        w.append(groupN)
        (groupT, groupY, groupN) = (0, 0, 0)
      }
      currentGroup = group
      groupT += sumT[index]
      groupY += sumY[index]
      groupN += counts[index]
      used += Int(counts[index])
    }
    if groupN > 0 {
      t.append(groupT / groupN)
      y.append(groupY / groupN)
      w.append(groupN)
    }
    return (t, y, w, used)
  }

  /// RMSE and R² of `model` over the points in `range`, from the sums.
  func goodness(_ model: PowerLaw, in range: ClosedRange<Double>) -> (rmse: Double, r2: Double) {
    var n = 0.0
    var total = 0.0
    var totalSquares = 0.0
    var ssr = 0.0
    for index in counts.indices where counts[index] > 0 {
      let meanT = sumT[index] / counts[index]
      guard range.contains(meanT) else { continue }
      let meanY = sumY[index] / counts[index]
      let within = max(0, sumYY[index] - counts[index] * meanY * meanY)
      let offset = meanY - model(meanT)
      ssr += within + counts[index] * offset * offset
      n += counts[index]
      total += sumY[index]
      totalSquares += sumYY[index]
    }
    guard n > 0 else { return (.nan, .nan) }
    let sst = max(0, totalSquares - total * total / n)
    return ((ssr / n).squareRoot(), sst > 0 ? 1 - ssr / sst : (ssr == 0 ? 1 : 0))
  }
}
