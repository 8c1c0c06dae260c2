import Foundation

/// Whether, and when, the fitted curve reaches a target loss.
public enum TargetOutcome: Sendable, Equatable {
  /// Reached at `step` (with a 95% interval from the delta method on `log t`).
  case reachable(step: Estimate)
  /// Never reached: the target is at or below the fitted floor.
  case unreachable(floor: Double)

  /// Solves `L(t) = target` in closed form, `t = (c/(target − lMin))^(1/alpha)`.
  ///
  /// The delta-method interval is taken on `log t`, so it stays positive.
  public init(fit: PowerLawFit, target: Double) {
    let model = fit.model
    guard let step = model.step(reaching: target) else {
      self = .unreachable(floor: model.lMin)
      return
    }
    var interval: ClosedRange<Double>?
    if let covariance = fit.covariance {
      // Numeric gradient of log t over the free parameters (central differences): the closed
      // form differs by model form, the numbers do not.
      let logStep = Foundation.log(step)
      let parameters = model.parameters
      var gradient: [Double] = []
      for j in parameters.indices {
        let h = 1e-6 * max(abs(parameters[j]), 1e-8)
        var up = parameters
        var down = parameters
        up[j] += h
        down[j] -= h
        guard let high = model.with(parameters: up).step(reaching: target),
          let low = model.with(parameters: down).step(reaching: target), high > 0, low > 0
        else { break }
        gradient.append((Foundation.log(high) - Foundation.log(low)) / (2 * h))
      }
      if gradient.count == parameters.count {
        let half = Estimate.z95 * quadraticForm(covariance, gradient).squareRoot()
        let low = Foundation.exp(logStep - half)
        let high = Foundation.exp(logStep + half)
        if low.isFinite, high.isFinite { interval = low...high }
      }
    }
    self = .reachable(step: Estimate(value: step, ci95: interval))
  }
}
