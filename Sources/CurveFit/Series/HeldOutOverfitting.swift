/// The evaluation loss beside a training loss climbing from its lowest (`HeldOutCheck`): the
/// model overfits while its training loss may look healthy, so the verdict says it first.
public struct HeldOutOverfitting: Sendable, Equatable {
  /// The evaluation loss's name in the log (`eval_loss`, `val_loss`).
  public var name: String
  /// Where its climb began: the middle of its lowest window.
  public var startStep: Double
  /// Its last level over its lowest, as the log writes it.
  public var riseRatio: Double

  public init(name: String, startStep: Double, riseRatio: Double) {
    (self.name, self.startStep, self.riseRatio) = (name, startStep, riseRatio)
  }
}

extension HeldOutOverfitting {
  /// `overfitting since step 1,000 (×1.5 from its lowest)`.
  func phrase(axis: StepAxis) -> String {
    "overfitting since \(axis.at(startStep)) (×\(NumberFormat.significant(riseRatio, 2)) from its lowest)"
  }
}
