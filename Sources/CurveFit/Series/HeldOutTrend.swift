/// The evaluation loss logged beside a training loss, kept to ask where it stood at a step: its
/// lowest evaluation so far and how many came after it. A training loss that keeps falling after
/// its evaluation loss has stopped is learning its training data by heart, and no floor fitted to
/// it so far holds (`Forecast`).
public struct HeldOutTrend: Sendable, Equatable {
  /// The evaluation loss's name in the log (`val_loss`, `eval_loss`).
  public var name: String
  /// Its positive, finite evaluations in step order (at most `kept`, evenly strided).
  public private(set) var steps: [Double]
  public private(set) var losses: [Double]

  /// Evaluations kept: a `val_loss` column on every row of a long table need not be held whole.
  static let kept = 2_000

  /// Where the evaluation loss stood at a step.
  public struct Standing: Sendable, Equatable {
    public var lowestStep: Double
    public var lowest: Double
    /// Evaluations logged after the lowest, up to the step asked about.
    public var evaluationsSince: Int
  }

  /// The trend of the positive, finite evaluation losses `losses` at `steps` (ascending); `nil`
  /// with fewer than three.
  public init?(name: String, steps: [Double], losses: [Double]) {
    let finite = zip(steps, losses).filter { $0.1.isFinite && $0.1 > 0 && $0.0.isFinite }
    guard finite.count >= 3 else { return nil }
    let stride = max(1, finite.count / Self.kept)
    let picked = Swift.stride(from: 0, to: finite.count, by: stride).map { finite[$0] }
    self.name = name
    self.steps = picked.map(\.0)
    self.losses = picked.map(\.1)
  }

  /// The same evaluations in another unit (`--input-units`: the log's losses are all in it).
  public func converted(_ toNats: (Double) -> Double) -> HeldOutTrend? {
    HeldOutTrend(name: name, steps: steps, losses: losses.map(toNats))
  }

  /// Its lowest evaluation at or before `step` and the evaluations since; `nil` with fewer than
  /// three by then. Evaluations past the step (a fit cut with `--to-step`) are not looked at.
  public func standing(at step: Double) -> Standing? {
    let count = steps.upperIndex(atMost: step)
    guard count >= 3 else { return nil }
    var lowest = 0
    for index in 1..<count where losses[index] < losses[lowest] { lowest = index }
    return Standing(lowestStep: steps[lowest], lowest: losses[lowest], evaluationsSince: count - 1 - lowest)
  }
}
