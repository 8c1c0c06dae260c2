/// A run whose loss has not fallen since a tenth of its steps: it is not learning.
///
/// The plateau detector asks whether a stretch is flatter than the trend before it; a run that
/// never learned has a flat trend too, so it is never "flatter than expected" (the Smol
/// Playbook's run at ten times the usual peak rate stays near 8.3 nats for 47B tokens and was
/// called "4 spikes (recovered)"). Checked only on a log that starts within its first 2% of
/// steps: an excerpt from the middle of a long run (the BigScience chronicles) is flat over its
/// short window without saying anything of the run. On the real logs of `make forecast` the
/// loss falls by 5–43% between a tenth of the run and its end, and by 0.6% for that run.
enum NotLearningCheck {
  /// The log must reach at least this many times its first step.
  static let minimumSpan = 50.0
  /// The most the loss may fall (or rise) from a tenth of the run to its end and still be flat.
  static let flatShare = 0.02
  /// ...and the most, in robust standard deviations of the last tenth's losses: a run near its
  /// floor that falls 1.9% from a tenth to its end with 0.02% noise (a fine-tune, a long tail)
  /// is learning slowly, not stuck. The run at ten times the usual rate falls 1.6 of them.
  static let flatScatters = 3.0
  /// The fewest losses a window's median is taken over.
  static let windowPoints = 5
  /// Medians are taken over at most this many points of a window (strided): ten million rows
  /// must not cost a sort of a million.
  static let sampled = 2_001

  /// The plateau from a tenth of the run to its end, when the median loss of the run's last
  /// tenth is within `flatShare` of the median between a tenth and a fifth of its steps.
  static func plateau(_ series: LossSeries) -> Plateau? {
    guard let first = series.steps.first, let last = series.steps.last, last > 0,
      first * minimumSpan <= last
    else { return nil }
    let startIndex = series.steps.lowerIndex(atLeast: last / 10)
    var earlyEnd = series.steps.upperIndex(atMost: last / 5)
    var lateStart = series.steps.lowerIndex(atLeast: 0.9 * last)
    // A sparse log (the Smol run at ten times the usual rate, thinned to 60 points and cut at
    // half, was "healthy") has too few points in a tenth of its steps for a median: each window
    // widens to `windowPoints`, the early one to at most 30% of the steps, the late one back to
    // 70%.
    if earlyEnd - startIndex < windowPoints {
      earlyEnd = max(earlyEnd, min(series.steps.upperIndex(atMost: 0.3 * last), startIndex + windowPoints))
    }
    let sparse = series.count - lateStart < windowPoints
    if sparse {
      lateStart = min(lateStart, max(series.steps.lowerIndex(atLeast: 0.7 * last), series.count - windowPoints))
    }
    guard startIndex < earlyEnd, earlyEnd <= lateStart,
      let from = sample(series.losses, startIndex..<earlyEnd)?.median,
      let late = sample(series.losses, lateStart..<series.count), from > 0
    else { return nil }
    let to = late.median
    var scatter = 1.4826 * late.map { abs($0 - to) }.median
    // Five points' deviations say little of the noise: a sparse log also reads it off the steps
    // between neighbours from a tenth of the run on.
    if sparse, let neighbours = neighbourScatter(series.losses, startIndex..<series.count) {
      scatter = max(scatter, neighbours)
    }
    guard abs(from - to) <= flatShare * from, abs(from - to) <= flatScatters * scatter else { return nil }
    let start = series.steps[startIndex]
    let span = (last - start) / 1000
    return Plateau(
      startStep: start, endStep: last, ongoing: true,
      improvementPer1k: span > 0 ? (from - to) / span : 0, expectedPer1k: 0,
      notLearningLevels: Plateau.Levels(from: from, to: to))
  }

  /// The finite losses in `range`, at most `sampled` of them (strided), sorted; nil under five.
  private static func sample(_ losses: [Double], _ range: Range<Int>) -> [Double]? {
    let stride = max(1, range.count / sampled)
    var values: [Double] = []
    var index = range.lowerBound
    while index < range.upperBound {
      if losses[index].isFinite { values.append(losses[index]) }
      index += stride
    }
    guard values.count >= windowPoints else { return nil }
    return values.sorted()
  }

  /// The noise of the losses in `range` from their steps between neighbours: 1.4826 × the
  /// median |yᵢ − yᵢ₋₁| / √2, which a slow trend barely moves; nil under `windowPoints` steps.
  private static func neighbourScatter(_ losses: [Double], _ range: Range<Int>) -> Double? {
    let steps = zip(losses[range].dropFirst(), losses[range]).map { abs($0 - $1) }.filter(\.isFinite)
    guard steps.count >= windowPoints else { return nil }
    return 1.4826 * steps.median / 2.0.squareRoot()
  }
}
