import Foundation

/// Losses of exactly zero in a log whose losses are otherwise positive.
///
/// No law here reaches zero, and no noise lands on it: a zero is the loss printed below the
/// log's last decimal (a model that fits its training data: Keras's `loss: 0.0000`, a DPO loss
/// saturated), a loss that broke (fp16 overflow, every label masked: 1.2 one step, 0.0 the
/// next and ever after), or a logging artefact (one `loss: 0.0` amid losses near 1.2). Seen as
/// losses, the first read as a divergence (the detectors leave log space, and the print's
/// 0.0001 → 0.0000 looked like a rise against a trend through zero), the second as a healthy
/// run projected from the mean of its losses and zeros, the third bent the whole fit.
public struct ZeroLosses: Sendable, Equatable {
  public enum Kind: String, Sendable {
    /// The loss fell to zero through ever smaller values and stayed there.
    case reached
    /// The loss jumped to zero from where it was and stayed there.
    case collapsed
    /// Zeros here and there amid positive losses.
    case isolated
    /// No finite loss above zero at all.
    case only
  }

  public var kind: Kind
  /// The first zero left out: where the tail of zeros starts, or the first isolated zero.
  public var firstStep: Double
  /// Zero losses in the log.
  public var points: Int
  /// Points the analysis leaves out (the tail from `firstStep`, or the zeros alone).
  public var leftOut: Int
  /// The median of the last positive losses before `firstStep`.
  public var levelBefore: Double
  /// The log's print resolution (`0.0001` for four decimals; 0 for losses printed in full).
  public var resolution: Double

  /// A tail of zeros counts as reached when the loss before it had fallen to this share of its
  /// early level (or to a few digits of the print): a loss cannot fall from 1.2 to zero by
  /// learning in one logging interval.
  static let approachShare = 0.02
  static let approachDigits = 10.0
  /// A jump to zero needs a second zero to be a broken loss rather than one bad log line.
  static let collapseMinimumZeros = 2

  /// The zeros of `series` and the series the analysis should see without them, or `nil`
  /// when no loss is exactly zero.
  ///
  /// A tail starts at the earliest zero after which most finite losses are zeros. Before a
  /// tail the loss is judged by its last few positive values; isolated zeros are dropped.
  public static func find(_ series: LossSeries) -> (zeros: ZeroLosses, analysed: LossSeries)? {
    let losses = series.losses
    guard losses.contains(0) else { return nil }
    var zeros = 0
    var finite = 0
    var tailStart: Int?
    for index in losses.indices.reversed() where losses[index].isFinite {
      finite += 1
      if losses[index] == 0 {
        zeros += 1
        if 2 * zeros > finite { tailStart = index }
      }
    }
    let resolution = LogResolution.of(series, positions: 0..<series.count)
    let cut = tailStart ?? series.count
    let before = losses[..<cut].filter { $0.isFinite && $0 > 0 }
    let nonZero = { (index: Int) in losses[index] != 0 }
    guard !before.isEmpty else {
      guard !losses.contains(where: { $0.isFinite && $0 > 0 }) else { return nil }
      let only = ZeroLosses(
        kind: .only, firstStep: series.steps[losses.firstIndex(of: 0) ?? 0], points: zeros, leftOut: zeros,
        levelBefore: 0, resolution: resolution)
      return (only, series.keeping(nonZero))
    }
    let level = before.suffix(5).median
    let early = before.prefix(max(1, before.count / 10)).median
    if let tailStart {
      let approached = level <= approachShare * early || (resolution > 0 && level <= approachDigits * resolution)
      let tailZeros = losses[tailStart...].reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
      if approached || tailZeros >= collapseMinimumZeros {
        let found = ZeroLosses(
          kind: approached ? .reached : .collapsed, firstStep: series.steps[tailStart], points: zeros,
          leftOut: series.count - tailStart, levelBefore: level, resolution: resolution)
        // Zeros before the tail are left out too: one would take the detectors out of log space.
        return (found, series.keeping { $0 < tailStart && nonZero($0) })
      }
    }
    let first = losses.firstIndex(of: 0) ?? 0
    let found = ZeroLosses(
      kind: .isolated, firstStep: series.steps[first], points: zeros, leftOut: zeros,
      levelBefore: level, resolution: resolution)
    return (found, series.keeping(nonZero))
  }

  /// The divergence a collapse to zero is: critical, from its first zero.
  var divergence: Divergence? {
    guard kind == .collapsed else { return nil }
    var divergence = Divergence(
      startStep: firstStep, firstNonFiniteStep: nil, nonFiniteCount: 0, riseRatio: 0, severity: .critical)
    divergence.zeroLoss = true
    return divergence
  }

  /// `to the log's 4 decimals`, or `exactly` for losses printed in full.
  var precision: String {
    guard resolution > 0 else { return "exactly" }
    let decimals = Int((-Foundation.log10(resolution)).rounded())
    return "to the log's \(decimals) decimal\(decimals == 1 ? "" : "s")"
  }

  /// What the report says of zeros that are not a divergence, as a note.
  func note(axis: StepAxis) -> String? {
    switch kind {
    case .collapsed:
      return nil
    case .reached:
      return "the loss is 0 \(precision) from \(axis.at(firstStep)) to the end (\(NumberFormat.count(Double(leftOut))) "
        + "point\(leftOut == 1 ? "" : "s")): the model fits its training data; "
        + "the fit and the health checks use the losses before it"
    case .only:
      return "every finite loss in this log is exactly 0: a loss that is not being computed, "
        + "or a column that is not a loss (--metric picks another)"
    case .isolated:
      return "\(NumberFormat.count(Double(points))) loss\(points == 1 ? "" : "es") of exactly 0 "
        + "(the first at \(axis.at(firstStep))) amid losses near \(NumberFormat.significant(levelBefore, 3)) left out: "
        + "a loss does not fall to 0 and back; a logging artefact (a step with no tokens counted, a skipped step)"
    }
  }
}

extension LossSeries {
  /// The points whose index passes `keep`, in order.
  func keeping(_ keep: (Int) -> Bool) -> LossSeries {
    let kept = indices.filter(keep)
    return LossSeries(
      sortedSteps: kept.map { steps[$0] }, losses: kept.map { losses[$0] },
      gradNorms: gradNorms.map { values in kept.map { values[$0] } },
      learningRates: learningRates.map { values in kept.map { values[$0] } }, origin: origin)
  }

  private var indices: Range<Int> { 0..<count }
}
