/// Non-finite losses the run went on from: NaN or Inf here and there, then finite losses again.
///
/// Mixed-precision trainers skip the step whose loss overflowed (a loss scaler halves its scale
/// and moves on), and some log that step's loss as `nan` or `inf`; a bad batch does the same.
/// A run that then logs a long stretch of finite losses on its trend has not diverged: a lone
/// NaN at step 200 of 400 read "diverging at step 200" and withheld every projection.
public struct SkippedNonFinite: Sendable, Equatable {
  /// Non-finite losses in the log.
  public var count: Int
  public var firstStep: Double
  public var lastStep: Double
  /// Finite losses logged after the first non-finite one.
  public var finiteAfter: Int

  /// The non-finite losses of `series`, or nil when it has none, ends on one (a log ending in
  /// NaN has diverged), or has fewer than `minimumAfter` finite losses after the first of them,
  /// or fewer finite than non-finite ones there: the run has not shown that it went on.
  static func find(_ series: LossSeries, minimumAfter: Int) -> SkippedNonFinite? {
    var count = 0
    var first: Int?
    var last = 0
    for index in series.losses.indices where !series.losses[index].isFinite {
      count += 1
      if first == nil { first = index }
      last = index
    }
    guard let first, last < series.count - 1 else { return nil }
    let after = series.count - first - count
    guard after >= minimumAfter, after >= count else { return nil }
    return SkippedNonFinite(
      count: count, firstStep: series.steps[first], lastStep: series.steps[last], finiteAfter: after)
  }

  /// `1 non-finite loss skipped at step 200`, for the verdict.
  func verdictPart(axis: StepAxis) -> String {
    count == 1
      ? "1 non-finite loss skipped at \(axis.at(firstStep))"
      : "\(NumberFormat.count(Double(count))) non-finite losses skipped (\(axis.span(firstStep, lastStep)))"
  }

  /// The HEALTH line saying why they are no divergence.
  func line(axis: StepAxis) -> String {
    let noun = count == 1 ? "loss" : "losses"
    return "\(NumberFormat.count(Double(count))) NaN or infinite \(noun) left out: \(NumberFormat.count(Double(finiteAfter))) "
      + "finite ones on the trend around \(count == 1 ? "it" : "them"), as when a loss scaler skips a step; not a divergence"
  }
}
