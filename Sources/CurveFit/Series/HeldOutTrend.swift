/// Where the evaluation loss logged beside a training loss stands: its lowest evaluation and its
/// last. A training loss that keeps falling after its evaluation loss has stopped is learning its
/// training data by heart, and no floor fitted to it so far holds (`Forecast`).
public struct HeldOutTrend: Sendable, Equatable {
  /// The evaluation loss's name in the log (`val_loss`, `eval_loss`).
  public var name: String
  public var lowestStep: Double
  public var lowest: Double
  public var lastStep: Double
  public var last: Double
  /// Evaluations logged after the lowest one.
  public var evaluationsSince: Int

  /// The trend of the positive, finite evaluation losses `losses` at `steps` (ascending); `nil`
  /// with fewer than three.
  public init?(name: String, steps: [Double], losses: [Double]) {
    let kept = zip(steps, losses).filter { $0.1.isFinite && $0.1 > 0 && $0.0.isFinite }
    guard kept.count >= 3, let last = kept.last else { return nil }
    var lowestIndex = 0
    for (index, point) in kept.enumerated() where point.1 < kept[lowestIndex].1 { lowestIndex = index }
    self.name = name
    (lowestStep, lowest) = kept[lowestIndex]
    (lastStep, self.last) = last
    evaluationsSince = kept.count - 1 - lowestIndex
  }
}
