import Foundation

/// Finds stretches where the loss stopped improving although its own history says it should.
///
/// A slowly improving power-law tail is not a plateau, yet over a short window its improvement
/// is often within noise of zero, so "slope not below zero" alone would flag every long run.
/// Instead each window is compared with what a power law fitted to the steps *before* it
/// predicts: a window is flat when its least-squares slope is
///   1. not significantly negative (`slope > −2·SE`), and
///   2. significantly flatter than the prediction (`slope − expected > plateauZ·√(SE² + SEₑ²)`).
/// SE is inflated for the autocorrelation of the residuals (`√((1+ρ)/(1−ρ))`), since smoothed or
/// slowly wandering losses are not independent; SEₑ is the prediction's own (the fit's
/// covariance carried to its mean slope over the window): a window cannot be flatter than a
/// slope the history does not pin down. Where the trend ran ahead of the run just before the
/// flat stretch the window belongs to (its fall steeper than the loss's beyond the noise), the
/// prediction is scaled down to the share of it the run made there, and the window must be flat
/// against both. A flat window grows while it stays flat.
struct PlateauDetector {
  let options: HealthOptions
  /// Fits the trend to the points in a step range; `nil` when it cannot.
  let trendFitter: (ClosedRange<Double>) -> FittedTrend?

  /// Plateaus among the residual positions outside `excluded` (sorted position ranges).
  func plateaus(residuals: Residuals, excluded: [Range<Int>]) -> [Plateau] {
    let count = residuals.count
    let size = max(options.plateauMinPoints, Int(options.plateauWindowFraction * Double(count)))
    guard count >= 4 * size, let firstStep = residuals.values.indices.first(where: { residuals.values[$0].isFinite })
      .map({ residuals.step($0) })
    else { return [] }
    // A window holding a spike, or just after one, sees the spike's slow tail as flatness.
    func clean(_ from: Int, _ to: Int) -> Bool {
      let low = max(0, from - size / 2)
      return !excluded.contains { $0.lowerBound <= to && $0.upperBound > low }
    }
    let resolution = LogResolution.of(residuals.series, positions: residuals.start..<residuals.series.count)
    var found: [Plateau] = []
    // The positions of `found`, so the trend is not checked against a plateau's own steps.
    var flatPositions: [ClosedRange<Int>] = []
    var previousEnd = -2
    var start = max(size, count / 5)
    while start + size <= count {
      var end = start + size - 1
      let context = Context(size: size, firstStep: firstStep, resolution: resolution, flat: flatPositions)
      guard clean(start, end),
        let window = assess(residuals, start, end, context), window.flat
      else {
        start += size / 2
        continue
      }
      // Grow while the longer stretch is still flat against the trend fitted before it: a longer
      // stretch measures its slope more precisely, and a trend refitted on the plateau itself
      // would learn to expect the flatness.
      var best = window
      while end + size / 2 < count, clean(start, end + size / 2),
        let longer = assess(residuals, start, end + size / 2, context), longer.flat
      {
        end += size / 2
        best = longer
      }
      if end + size / 2 >= count, end < count - 1, clean(start, count - 1),
        let whole = assess(residuals, start, count - 1, context), whole.flat
      {
        end = count - 1
        best = whole
      }
      let plateau = Plateau(
        startStep: residuals.step(start), endStep: residuals.step(end), ongoing: end == count - 1,
        improvementPer1k: -1000 * best.slope, expectedPer1k: -1000 * best.expected)
      if let previous = found.last, previousEnd == start - 1 {
        // Flat again right where the last plateau stopped growing: one plateau, not two.
        found[found.count - 1] = Plateau(
          startStep: previous.startStep, endStep: plateau.endStep, ongoing: plateau.ongoing,
          improvementPer1k: plateau.improvementPer1k, expectedPer1k: plateau.expectedPer1k)
        flatPositions[flatPositions.count - 1] = flatPositions[flatPositions.count - 1].lowerBound...end
      } else {
        found.append(plateau)
        flatPositions.append(start...end)
      }
      previousEnd = end
      start = end + 1
    }
    if found.last?.ongoing != true, let tail = flatEnd(
      residuals, Context(size: size, firstStep: firstStep, resolution: resolution, flat: flatPositions), clean: clean)
    {
      if let last = found.last, last.endStep >= tail.startStep {
        found[found.count - 1] = Plateau(
          startStep: last.startStep, endStep: tail.endStep, ongoing: true,
          improvementPer1k: tail.improvementPer1k, expectedPer1k: tail.expectedPer1k)
      } else {
        found.append(tail)
      }
    }
    return found
  }

  /// The longest end of the log, from half of it down to two windows, that is flat against the
  /// trend before it: a loss that stopped improving is a plateau however it got there (a step
  /// decay of the rate, a drop that came before), though no single window is long enough to
  /// tell its slope from noise.
  private func flatEnd(_ residuals: Residuals, _ context: Context, clean: (Int, Int) -> Bool) -> Plateau? {
    let count = residuals.count
    let size = context.size
    for share in [0.5, 0.4, 1.0 / 3, 0.25] {
      let start = count - max(2 * size, Int(share * Double(count)))
      guard start >= size, clean(start, count - 1),
        let whole = assess(residuals, start, count - 1, context),
        whole.flat
      else { continue }
      return Plateau(
        startStep: residuals.step(start), endStep: residuals.step(count - 1), ongoing: true,
        improvementPer1k: -1000 * whole.slope, expectedPer1k: -1000 * whole.expected)
    }
    return nil
  }

  /// A window whose mean loss is within this many steps of the print's last digit of zero
  /// cannot show a fall (the Whisper fine-tune at 0.0001–0.0002 read "plateau at steps
  /// 3,050–4,525": the print holds two values there, whatever the run does).
  static let printSteps = 10.0

  /// The mean finite loss of `start...end`.

  private static func meanLoss(_ residuals: Residuals, _ start: Int, _ end: Int) -> Double {
    var sum = 0.0
    var n = 0.0
    for k in start...end where residuals.loss(k).isFinite {
      sum += residuals.loss(k)
      n += 1
    }
    return n > 0 ? sum / n : 0
  }

  /// What every window of one scan shares: its width in points, the first step of the history
  /// the trend is fitted to, the log's printed resolution, and the plateaus found so far.
  private struct Context {
    let size: Int
    let firstStep: Double
    let resolution: Double
    let flat: [ClosedRange<Int>]
  }

  /// Whether the window is flat against the trend before it. A window over which the trend
  /// expected the loss to fall by less than the log's printed `resolution`, or whose loss is
  /// within `printSteps` digits of zero, cannot show that fall, and is not called flat.
  private func assess(
    _ residuals: Residuals, _ start: Int, _ end: Int, _ context: Context
  ) -> (flat: Bool, slope: Double, expected: Double)? {
    guard let trend = trendFitter(context.firstStep...residuals.step(start)),
      let fit = Self.slope(residuals, start, end)
    else { return nil }
    let t0 = residuals.step(start)
    let t1 = residuals.step(end)
    let expected = (trend.loss(t1) - trend.loss(t0)) / (t1 - t0)
    let expectedError = trend.meanSlopeError(t0, t1)
    guard expected.isFinite, expectedError.isFinite else { return nil }
    let resolution = context.resolution
    let visible = resolution == 0
      || (-expected * (t1 - t0) > resolution && Self.meanLoss(residuals, start, end) >= Self.printSteps * resolution)
    let flatter = { (expected: Double, error: Double) in
      fit.slope - expected > options.plateauZ * (fit.standardError * fit.standardError + error * error).squareRoot()
    }
    guard visible, fit.slope > -2 * fit.standardError, flatter(expected, expectedError) else {
      return (false, fit.slope, expected)
    }
    // Calibrated, the expectation only shrinks: a window flat against it is flat against both.
    guard let factor = calibration(trend, residuals, before: start, context), factor < 1 else {
      return (true, fit.slope, expected)
    }
    let calibrated = factor * expected
    return (flatter(calibrated, factor * expectedError), fit.slope, calibrated)
  }

  /// The share of the trend's fall the run really made over the window of `size` points before
  /// `start` (before the plateau `start` continues), at its most: the measured slope's ratio to
  /// the trend's there, plus two standard errors of it, at most 1. A power law bent to an early
  /// collapse expects a fall the run stopped making long before, and its parameters' covariance
  /// cannot show that, since the law itself is wrong there; the law scaled to the fall it last
  /// saw keeps its shape and is right about its level. Only a shortfall beyond the noise scales
  /// it, so a law that fits keeps its expectation whole. (The largest share over that window and
  /// the one half a window earlier kept 11 of the 14 generated plateaus this loses, but let 6 of
  /// 24 false ones back: half a window earlier can still be the collapse, which the law fits.)
  private func calibration(
    _ trend: FittedTrend, _ residuals: Residuals, before start: Int, _ context: Context
  ) -> Double? {
    var anchor = start
    for flat in context.flat.reversed() where flat.lowerBound < anchor && flat.upperBound >= anchor - context.size {
      anchor = flat.lowerBound
    }
    // The flat stretch may have begun before the first window the scan found flat: step back
    // over windows that do not fall beyond their noise, to the run's fall before it.
    while anchor - 2 * context.size >= 0, let before = Self.slope(residuals, anchor - context.size, anchor - 1),
      before.slope > -2 * before.standardError
    {
      anchor -= max(1, context.size / 2)
    }
    let from = anchor - context.size
    guard from >= 0, let measured = Self.slope(residuals, from, anchor - 1) else { return nil }
    let t0 = residuals.step(from)
    let t1 = residuals.step(anchor - 1)
    let predicted = (trend.loss(t1) - trend.loss(t0)) / (t1 - t0)
    guard predicted.isFinite, predicted < 0 else { return nil }
    return min(1, max(0, (measured.slope - 2 * measured.standardError) / predicted))
  }

  /// Least-squares slope of loss on step over `start...end` (finite points), with a standard
  /// error inflated for lag-1 autocorrelation of the residuals.
  static func slope(_ residuals: Residuals, _ start: Int, _ end: Int) -> (slope: Double, standardError: Double)? {
    var n = 0.0
    var meanT = 0.0
    var meanY = 0.0
    for k in start...end where residuals.values[k].isFinite {
      n += 1
      meanT += residuals.step(k)
      meanY += residuals.loss(k)
    }
    guard n >= 3 else { return nil }
    meanT /= n
    meanY /= n
    var stt = 0.0
    var sty = 0.0
    for k in start...end where residuals.values[k].isFinite {
      let dt = residuals.step(k) - meanT
      stt += dt * dt
      sty += dt * (residuals.loss(k) - meanY)
    }
    guard stt > 0 else { return nil }
    let slope = sty / stt
    var ssr = 0.0
    var lagged = 0.0
    var previous: Double?
    for k in start...end where residuals.values[k].isFinite {
      let r = residuals.loss(k) - meanY - slope * (residuals.step(k) - meanT)
      ssr += r * r
      if let previous { lagged += r * previous }
      previous = r
    }
    let rho = ssr > 0 ? min(0.95, max(0, lagged / ssr)) : 0
    let variance = ssr / (n - 2) / stt
    return (slope, (variance * (1 + rho) / (1 - rho)).squareRoot())
  }
}
