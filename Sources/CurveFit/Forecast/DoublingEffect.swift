/// The change in loss from doubling the run (its steps or tokens) at the last step.
///
/// ```
/// ΔL = L(2t) − L(t) = c·t^(−alpha)·(2^(−alpha) − 1)      (negative: the loss falls)
/// ```
public struct DoublingEffect: Sendable, Equatable {
  public var fromStep: Double
  public var toStep: Double
  public var lossChange: Estimate

  public init(fromStep: Double, toStep: Double, lossChange: Estimate) {
    (self.fromStep, self.toStep, self.lossChange) = (fromStep, toStep, lossChange)
  }

  public init(fit: PowerLawFit, at step: Double) {
    fromStep = step
    toStep = 2 * step
    let model = fit.model
    let change = model(2 * step) - model(step)
    var interval: ClosedRange<Double>?
    if let covariance = fit.covariance {
      let high = model.gradient(at: 2 * step)
      let low = model.gradient(at: step)
      let g = zip(high, low).map { $0 - $1 }
      let half = Estimate.z95 * quadraticForm(covariance, g).squareRoot()
      if half.isFinite { interval = (change - half)...(change + half) }
    }
    lossChange = Estimate(value: change, ci95: interval)
  }
}
