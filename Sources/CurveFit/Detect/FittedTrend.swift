/// A trend fitted to a run's history, as the plateau test uses it: the loss it expects at a step,
/// and how well the history pins down its mean slope between two later steps.
///
/// The slope's own uncertainty matters where a history is mostly a collapse (a fine-tune whose
/// loss falls ×1000 in its first hundred steps): the fit bends to the collapse, and its slope a
/// few hundred steps later is a guess with a wide spread, not a promise a window can break.
public struct FittedTrend {
  public var loss: (Double) -> Double
  /// The standard error of `(loss(t1) − loss(t0)) / (t1 − t0)`; zero when the fit gives none.
  public var meanSlopeError: (_ t0: Double, _ t1: Double) -> Double

  public init(
    loss: @escaping (Double) -> Double, meanSlopeError: @escaping (Double, Double) -> Double = { _, _ in 0 }
  ) {
    self.loss = loss
    self.meanSlopeError = meanSlopeError
  }

  /// The same trend moved up by `shift` (a fit to losses raised above zero, brought back).
  func shifted(by shift: Double) -> FittedTrend {
    let loss = self.loss
    return FittedTrend(loss: { loss($0) + shift }, meanSlopeError: meanSlopeError)
  }
}
