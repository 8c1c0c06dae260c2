import Dispatch
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
  private(set) var used: Int

  /// Bins the finite points at positive steps in `positions` outside `excluded`.
  init(series: LossSeries, positions: Range<Int>, excluded: StepRanges, bins: Int = 16_384) {
    // Steps are sorted: the first and last usable points are found from either end, so the
    // rows are walked once, not twice.
    let usable = { (i: Int) in
      series.steps[i] > 0 && series.losses[i].isFinite && !excluded.contains(series.steps[i])
    }
    let firstIndex = positions.first(where: usable)
    let lastIndex = positions.reversed().first(where: usable)
    let first = firstIndex.map { series.steps[$0] } ?? 1
    let last = lastIndex.map { series.steps[$0] } ?? 1
    let low = firstIndex != nil ? Foundation.log(first) : 0
    let high = lastIndex != nil ? Foundation.log(last) : 0
    logLow = low
    width = max((high - low) / Double(bins), 1e-12)
    // Long series in two halves on two cores. Points are in step order, so the halves share at
    // most the one bin their boundary falls in, and adding the halves' bins gives the same sums
    // up to the rounding of that one bin.
    let chunks = positions.count > 1 << 20 ? 2 : 1
    var parts = [Part?](repeating: nil, count: chunks)
    let edges = (low: low, width: width)
    parts.withUnsafeMutableBufferPointer { slots in
      nonisolated(unsafe) let slots = slots
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let from = positions.lowerBound + positions.count * chunk / chunks
        let to = positions.lowerBound + positions.count * (chunk + 1) / chunks
        slots[chunk] = Part(series: series, positions: from..<to, excluded: excluded, bins: bins, edges: edges)
      }
    }
    var total = parts[0] ?? Part(bins: bins)
    for part in parts.dropFirst() {
      guard let part else { continue }
      for bin in 0..<bins where part.counts[bin] > 0 {
        total.sumT[bin] += part.sumT[bin]
        total.sumY[bin] += part.sumY[bin]
        total.sumYY[bin] += part.sumYY[bin]
        total.counts[bin] += part.counts[bin]
      }
      total.used += part.used
    }
    used = total.used
    (sumT, sumY, sumYY, counts) = (total.sumT, total.sumY, total.sumYY, total.counts)
  }

  /// The bin the building walk puts `step` in: the last edge at or below it.
  static func bin(of step: Double, bins: Int, low: Double, width: Double) -> Int {
    var bin = min(bins - 1, max(0, Int((Foundation.log(step) - low) / width)))
    while bin < bins - 1, step >= Foundation.exp(low + Double(bin + 1) * width) { bin += 1 }
    while bin > 0, step < Foundation.exp(low + Double(bin) * width) { bin -= 1 }
    return bin
  }

  /// The sums of one stretch of positions.
  private struct Part {
    var sumT: [Double]
    var sumY: [Double]
    var sumYY: [Double]
    var counts: [Double]
    var used = 0

    init(bins: Int) {
      sumT = [Double](repeating: 0, count: bins)
      (sumY, sumYY, counts) = (sumT, sumT, sumT)
    }

    /// One walk: steps are sorted, so a cursor moves along the bin edges (one `exp` per edge
    /// passed, none per row).
    init(series: LossSeries, positions: Range<Int>, excluded: StepRanges, bins: Int, edges: (low: Double, width: Double)) {
      self.init(bins: bins)
      var bin = -1
      var nextEdge = 0.0
      var (sumT, sumY, sumYY, counts, used) = (self.sumT, self.sumY, self.sumYY, self.counts, 0)
      self.sumT = []
      (self.sumY, self.sumYY, self.counts) = ([], [], [])
      FitPoints.forEachUsable(series, positions, excluded) { step, loss in
        if bin < 0 {
          bin = LogBinnedSums.bin(of: step, bins: bins, low: edges.low, width: edges.width)
          nextEdge = Foundation.exp(edges.low + Double(bin + 1) * edges.width)
        }
        while bin < bins - 1, step >= nextEdge {
          bin += 1
          nextEdge = Foundation.exp(edges.low + Double(bin + 1) * edges.width)
        }
        sumT[bin] += step
        sumY[bin] += loss
        sumYY[bin] += loss * loss
        counts[bin] += 1
        used += 1
      }
      (self.sumT, self.sumY, self.sumYY, self.counts, self.used) = (sumT, sumY, sumYY, counts, used)
    }
  }

  /// The same sums without the usable points in `excluded` (which must not overlap anything
  /// already left out), in time proportional to the points removed rather than to the series.
  func removing(_ excluded: StepRanges, from series: LossSeries) -> LogBinnedSums {
    var copy = self
    let bins = counts.count
    for range in excluded.ranges {
      let low = series.steps.lowerIndex(atLeast: range.lowerBound)
      let high = series.steps.upperIndex(atMost: range.upperBound)
      for i in low..<max(low, high) {
        let step = series.steps[i]
        let loss = series.losses[i]
        guard step > 0, loss.isFinite else { continue }
        let bin = Self.bin(of: step, bins: bins, low: logLow, width: width)
        guard copy.counts[bin] > 0 else { continue }
        copy.sumT[bin] -= step
        copy.sumY[bin] -= loss
        copy.sumYY[bin] -= loss * loss
        copy.counts[bin] -= 1
        copy.used -= 1
        if copy.counts[bin] == 0 {
          // An emptied bin holds nothing, not the rounding left by the subtractions.
          (copy.sumT[bin], copy.sumY[bin], copy.sumYY[bin]) = (0, 0, 0)
        }
      }
    }
    return copy
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
