import Foundation

/// The loss stepping down to a lower level from one logged point to the next, and staying
/// there, while the rate did not step: the run itself changed (an augmentation turned off, a
/// cleaner data mix, a resumed job with other settings).
///
/// Ultralytics YOLO turns its mosaic augmentation off for the last 10 epochs (`close_mosaic`):
/// its training losses fall at once, by 7–49% on three runs (a plant-disease detector's box
/// loss 0.69 → 0.60 at epoch 91 of 100, its class loss 0.49 → 0.36) while the rate goes on
/// decaying as before. A curve fitted across the step ends well above the run (0.601 where its
/// last losses are 0.554) and the annealing law read the step as a bonus of decaying the rate
/// worth 70% of the loss.
/// After such a step the loss follows a curve of its own: the fit starts there, as after a
/// rate's step down (`RateDrop`).
public struct LossDrop: Sendable, Equatable {
  /// The first step at the lower level.
  public var step: Double
  /// The median loss of the `window` kept points before the step, and of the `window` from it.
  public var before: Double
  public var after: Double

  /// Kept points on each side of the step; the same number before that measure the trend.
  static let window = 5
  /// The level must fall by at least this share (10%)…
  static let minimumFall = 0.10
  /// …by this many times the noise of one point's log loss…
  static let noiseMultiple = 6.0
  /// …and by this many times what the trend before it fell over as many points: a run's early
  /// fall is steep everywhere, a step is steep only where it is.
  static let trendMultiple = 4.0
  /// At least this share of the fall between the two points either side of the step.
  static let abruptShare = 0.5

  /// `after / before`.
  public var ratio: Double { after / before }

  /// How many windows before the step a recovering loss is looked for (a shift up of up to
  /// 100 points coming back down is not a step below where the run was).
  static let lookBackWindows = 20
  /// Candidates judged in full before giving up: a log whose points jump this often is noise.
  static let maximumCandidates = 64

  /// The last step down of the loss in `range`, judged on the finite, positive losses not in
  /// `excluded`, with `window` of them after it; `nil` when there is none.
  ///
  /// One pass from the end, without logarithms, rejects every pair of neighbours that does not
  /// fall by the least a step can (a 10M-row log is scanned in the time of its ingest's tail).
  static func last(_ series: LossSeries, in range: ClosedRange<Double>, excluding excluded: StepRanges) -> LossDrop? {
    let (low, high) = (series.steps.lowerIndex(atLeast: range.lowerBound), series.steps.upperIndex(atMost: range.upperBound))
    guard high - low >= 4 * window else { return nil }
    func kept(_ index: Int) -> Bool {
      let loss = series.losses[index]
      return loss.isFinite && loss > 0 && !excluded.contains(series.steps[index])
    }
    let noise = pointNoise(series, low: low, high: high, kept: kept)
    let least = abruptShare * max(-Foundation.log(1 - minimumFall), noiseMultiple * noise)
    let ratio = Foundation.exp(least)
    var judged = 0
    var found: (drop: LossDrop, index: Int)?
    var next: Int?  // the kept point after `index`
    var index = high - 1
    while index >= low, judged < maximumCandidates {
      defer { index -= 1 }
      guard kept(index) else { continue }
      defer { next = index }
      // Neighbouring rows only: across points left out (a spike, the early fall's excluded
      // stretch) the level changes as a curve does, not in one step.
      guard let after = next, after == index + 1, series.losses[index] >= ratio * series.losses[after] else { continue }
      judged += 1
      // Within a window of the step found, a fall spread over two rows is the same step.
      if let found, found.index - after <= window { continue }
      guard let drop = judge(series, step: after, low: low, high: high, noise: noise, kept: kept) else { continue }
      // A second step before the last is a staircase: a run memorising its data steps down at
      // every epoch boundary (a Whisper fine-tune cut at 90%, logged without its epochs, was
      // fitted from its last boundary and projected from six points), which is how it falls,
      // not one change of the run.
      guard found == nil else { return nil }
      found = (drop, after)
    }
    return judged < maximumCandidates ? found?.drop : nil
  }

  /// The step down at `start` (the first kept point at the lower level), if it is one.
  private static func judge(
    _ series: LossSeries, step start: Int, low: Int, high: Int, noise: Double, kept: (Int) -> Bool
  ) -> LossDrop? {
    // The kept log losses from `start` on (`window`) and before it (as far as the look-back).
    var after: [Double] = []
    var index = start
    while index < high, after.count < window {
      if kept(index) { after.append(Foundation.log(series.losses[index])) }
      index += 1
    }
    var before: [Double] = []
    var last = start - 1
    index = start - 1
    while index >= low, before.count < (lookBackWindows + 1) * window {
      if kept(index) {
        if before.isEmpty { last = index }
        before.append(Foundation.log(series.losses[index]))
      }
      index -= 1
    }
    guard after.count == window, before.count >= 3 * window else { return nil }
    // `before` runs backwards from the step: window k is before[k·w ..< (k+1)·w].
    let windows = before.count / window
    let levels = (0..<windows).map { Array(before[($0 * window)..<(($0 + 1) * window)]).median }
    let level = after.median
    let fall = levels[0] - level
    // What the trend fell over the window before; a loss that rose into the step (a long spike
    // or a shift up coming back) is recovering, not stepping below where it was.
    let trend = levels[1] - levels[0]
    guard fall >= -Foundation.log(1 - minimumFall), fall >= noiseMultiple * noise,
      fall >= trendMultiple * max(0, trend), trend >= -0.25 * fall,
      before[0] - after[0] >= abruptShare * fall,
      levels.min()! - level >= 0.5 * fall
    else { return nil }
    if let rates = series.learningRates {
      let (was, now) = (rates[last], rates[start])
      // A rate that stepped down with it is `RateDrop`'s.
      if was.isFinite, now.isFinite, now > 0, was >= RateDrop.minimumRatio * now { return nil }
    }
    return LossDrop(step: series.steps[start], before: Foundation.exp(levels[0]), after: Foundation.exp(level))
  }

  /// The noise of one point's log loss, from the median absolute difference of neighbouring
  /// kept points, over at most 4,096 pairs spread through `low..<high`.
  private static func pointNoise(_ series: LossSeries, low: Int, high: Int, kept: (Int) -> Bool) -> Double {
    let stride = max(1, (high - low) / 4_096)
    var differences: [Double] = []
    var index = low
    while index + 1 < high {
      if kept(index), kept(index + 1) {
        differences.append(abs(Foundation.log(series.losses[index + 1] / series.losses[index])))
      }
      index += stride
    }
    guard !differences.isEmpty else { return 0 }
    return 1.4826 * differences.median / 2.0.squareRoot()
  }

  /// The FIT line's words for a fit that starts at the step.
  func note(axis: StepAxis) -> String {
    "past the loss's step down ×\(NumberFormat.significant(ratio, 2)) at \(axis.at(step)), where the rate did not step"
  }
}
