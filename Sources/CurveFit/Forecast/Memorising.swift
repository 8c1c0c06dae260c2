/// A training loss that goes on falling after the evaluation loss beside it has stopped, and
/// sits well below it: the model is learning its training data by heart, and that loss can fall
/// towards zero past any floor a law fitted so far sets.
///
/// nanoGPT's Shakespeare demo, cut at half (step 2,500): its `val loss` was lowest at step 1,750
/// (1.47) and had risen by 2% over three evaluations since, too little to call overfitting,
/// while its training loss fell another 9% to 1.08. The annealing law under its stated cosine
/// projected 0.971 (0.933–1.010) for step 5,000; the run ended at 0.811, its training loss
/// falling faster in its second half than in its first.
public struct Memorising: Sendable, Equatable {
  /// The evaluation loss's name and where it stood at the last step.
  public var heldOutName: String
  public var heldOut: HeldOutTrend.Standing
  /// The training loss's fall since the evaluation loss was lowest, as a share of it then.
  public var fallSince: Double
  /// How far the training loss now sits below the evaluation loss's lowest, as a share of it.
  public var gapBelow: Double

  /// Evaluations after the lowest: one higher evaluation may be its noise.
  static let evaluationsSince = 2
  /// The training loss fell this share or more since then (and by more than three standard
  /// errors of the two medians)…
  static let fall = 0.05
  /// …and sits this share or more below the evaluation loss's lowest: a pretraining run's
  /// training and evaluation losses move together within a few percent.
  static let gap = 0.10

  /// The finding for `series` up to `lastStep`, whose training losses are compared by the median
  /// of their last `window` before each step; `nil` when the log has no evaluation loss beside
  /// it or it shows no such thing.
  static func check(_ series: LossSeries, lastStep: Double, excluded: StepRanges, fittedPoints: Int) -> Memorising? {
    guard let trend = series.origin.heldOutTrend, let standing = trend.standing(at: lastStep),
      standing.evaluationsSince >= evaluationsSince, standing.lowestStep < lastStep,
      let now = EndGap.lastLosses(series, lastStep: lastStep, excluded: excluded, fittedPoints: fittedPoints, detrended: true),
      let then = EndGap.lastLosses(
        series, lastStep: standing.lowestStep, excluded: excluded, fittedPoints: fittedPoints, detrended: true)
    else { return nil }
    let drop = then.median - now.median
    let noise = 3 * (then.standardError * then.standardError + now.standardError * now.standardError).squareRoot()
    let found = Memorising(
      heldOutName: trend.name, heldOut: standing, fallSince: drop / then.median, gapBelow: 1 - now.median / standing.lowest)
    guard drop > noise, found.fallSince >= fall, found.gapBelow >= gap else { return nil }
    return found
  }
}
