import Foundation

/// Finds stretches where the loss stopped improving although its own history says it should.
///
/// A slowly improving power-law tail is not a plateau, yet over a short window its improvement
/// is often within noise of zero, so "slope not below zero" alone would flag every long run.
/// Instead each window is compared with what a power law fitted to the steps *before* it
/// predicts: a window is flat when its least-squares slope is
///   1. not significantly negative (`slope > −2·SE`), and
///   2. significantly flatter than the prediction (`slope − expected > plateauZ·SE`).
/// SE is inflated for the autocorrelation of the residuals (`√((1+ρ)/(1−ρ))`), since smoothed or
/// slowly wandering losses are not independent. Overlapping flat windows merge into one plateau.
struct PlateauDetector {
  let options: HealthOptions
  /// Fits the trend to the points in a step range; `nil` when it cannot.
  let trendFitter: (ClosedRange<Double>) -> ((Double) -> Double)?

  func plateaus(
    residuals: Residuals, series: LossSeries, excluded: Set<Int>
  ) -> [Plateau] {
    // Points the windows see: residual positions outside spikes and divergence.
    let kept = (0..<residuals.count).filter { !excluded.contains($0) }
    let size = max(options.plateauMinPoints, Int(options.plateauWindowFraction * Double(kept.count)))
    guard kept.count >= 4 * size, let firstStep = residuals.steps.first else { return [] }
    let t = kept.map { residuals.steps[$0] }
    let y = kept.map { series.losses[residuals.indices[$0]] }
    var flat: [(start: Int, end: Int, slope: Double, expected: Double)] = []
    // A window holding a spike, or just after one, sees the spike's slow tail as flatness: skip
    // it. Kept positions are contiguous exactly when nothing was left out between them.
    func clean(_ from: Int, _ to: Int) -> Bool {
      let low = max(0, from - size / 2)
      return kept[to] - kept[low] == to - low
    }
    var start = max(size, kept.count / 5)
    while start + size <= kept.count {
      var end = start + size - 1
      let history = firstStep...t[start]
      guard clean(start, end),
        let window = assess(t: t, y: y, start: start, end: end, history: history), window.flat
      else {
        start += size / 2
        continue
      }
      // Grow the plateau while the longer stretch is still flat against the trend fitted before
      // it: a longer stretch measures its slope more precisely, and a trend refitted on the
      // plateau itself would learn to expect the flatness.
      var found = window
      while end + size / 2 < kept.count, clean(start, end + size / 2),
        let longer = assess(t: t, y: y, start: start, end: end + size / 2, history: history),
        longer.flat
      {
        end += size / 2
        found = longer
      }
      if end + size / 2 >= kept.count, end < kept.count - 1, clean(start, kept.count - 1),
        let whole = assess(t: t, y: y, start: start, end: kept.count - 1, history: history), whole.flat
      {
        end = kept.count - 1
        found = whole
      }
      flat.append((start, end, found.slope, found.expected))
      start = end + 1
    }
    return merge(flat, t: t, y: y, firstStep: firstStep, lastIndex: kept.count - 1)
  }

  private func assess(
    t: [Double], y: [Double], start: Int, end: Int, history: ClosedRange<Double>
  ) -> (flat: Bool, slope: Double, expected: Double)? {
    guard let trend = trendFitter(history) else { return nil }
    guard let fit = Self.slope(t: t, y: y, start: start, end: end) else { return nil }
    let expected = (trend(t[end]) - trend(t[start])) / (t[end] - t[start])
    guard expected.isFinite else { return nil }
    let flat = fit.slope > -2 * fit.standardError
      && fit.slope - expected > options.plateauZ * fit.standardError
    return (flat, fit.slope, expected)
  }

  private func merge(
    _ flat: [(start: Int, end: Int, slope: Double, expected: Double)], t: [Double], y: [Double],
    firstStep: Double, lastIndex: Int
  ) -> [Plateau] {
    var groups: [(start: Int, end: Int)] = []
    for window in flat {
      if let last = groups.last, window.start <= last.end + 1 {
        groups[groups.count - 1].end = max(last.end, window.end)
      } else {
        groups.append((window.start, window.end))
      }
    }
    return groups.compactMap { group in
      guard let fit = Self.slope(t: t, y: y, start: group.start, end: group.end),
        let trend = trendFitter(firstStep...t[group.start])
      else { return nil }
      let expected = (trend(t[group.end]) - trend(t[group.start])) / (t[group.end] - t[group.start])
      return Plateau(
        startStep: t[group.start], endStep: t[group.end], ongoing: group.end == lastIndex,
        improvementPer1k: -1000 * fit.slope, expectedPer1k: -1000 * expected)
    }
  }

  /// Least-squares slope of `y` on `t` over `start...end`, with a standard error inflated for
  /// lag-1 autocorrelation of the residuals.
  static func slope(
    t: [Double], y: [Double], start: Int, end: Int
  ) -> (slope: Double, standardError: Double)? {
    let n = Double(end - start + 1)
    guard n >= 3 else { return nil }
    var meanT = 0.0
    var meanY = 0.0
    for k in start...end { meanT += t[k]; meanY += y[k] }
    meanT /= n
    meanY /= n
    var stt = 0.0
    var sty = 0.0
    for k in start...end {
      stt += (t[k] - meanT) * (t[k] - meanT)
      sty += (t[k] - meanT) * (y[k] - meanY)
    }
    guard stt > 0 else { return nil }
    let slope = sty / stt
    var ssr = 0.0
    var lagged = 0.0
    var previous: Double?
    for k in start...end {
      let r = y[k] - meanY - slope * (t[k] - meanT)
      ssr += r * r
      if let previous { lagged += r * previous }
      previous = r
    }
    let rho = ssr > 0 ? min(0.95, max(0, lagged / ssr)) : 0
    let variance = ssr / (n - 2) / stt
    let inflation = (1 + rho) / (1 - rho)
    return (slope, (variance * inflation).squareRoot())
  }
}
