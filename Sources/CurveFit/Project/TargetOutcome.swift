import Foundation

/// Whether, and when, the fitted curve reaches a target loss.
public enum TargetOutcome: Sendable, Equatable {
  /// Reached at `step` (with a 95% interval from the delta method on `log t`).
  case reachable(step: Estimate)
  /// Never reached: the target is at or below the fitted floor.
  case unreachable(floor: Double)

  /// Solves `L(t) = target` in closed form, `t = (c/(target − lMin))^(1/alpha)`.
  ///
  /// The interval comes from the delta method on `log t`, whose gradient is
  /// `(1/(alpha·(target − lMin)), 1/(alpha·c), −log t / alpha)`, so it stays positive.
  public init(fit: PowerLawFit, target: Double) {
    let model = fit.model
    guard let step = model.step(reaching: target) else {
      self = .unreachable(floor: model.lMin)
      return
    }
    var interval: ClosedRange<Double>?
    if let covariance = fit.covariance {
      let logStep = Foundation.log(step)
      let g = [
        1 / (model.alpha * (target - model.lMin)), 1 / (model.alpha * model.c),
        -logStep / model.alpha,
      ]
      let half = Estimate.z95 * quadraticForm(covariance, g).squareRoot()
      let low = Foundation.exp(logStep - half)
      let high = Foundation.exp(logStep + half)
      if low.isFinite, high.isFinite { interval = low...high }
    }
    self = .reachable(step: Estimate(value: step, ci95: interval))
  }
}
