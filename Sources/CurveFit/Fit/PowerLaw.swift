import Foundation

/// The saturating power law of a training curve.
///
/// ```
/// L(t) = lMin + c · t^(−alpha)        t in logged steps (or tokens), L in nats
/// ```
/// `lMin` is the irreducible loss the run approaches, `c` the reducible loss at `t = 1`, and
/// `alpha` how fast it shrinks.
public struct PowerLaw: Sendable, Equatable {
  public var lMin: Double
  public var c: Double
  public var alpha: Double

  public init(lMin: Double, c: Double, alpha: Double) {
    self.lMin = lMin
    self.c = c
    self.alpha = alpha
  }

  /// The loss at step `t` (> 0).
  public func callAsFunction(_ t: Double) -> Double {
    lMin + c * Foundation.pow(t, -alpha)
  }

  /// `∂L/∂(lMin, c, alpha)` at `t`, for the delta method.
  public func gradient(at t: Double) -> [Double] {
    let power = Foundation.pow(t, -alpha)
    return [1, power, -c * power * Foundation.log(t)]
  }

  /// The step at which the curve reaches `loss`, or `nil` when `loss ≤ lMin` (never reached).
  ///
  /// ```
  /// t = (c / (loss − lMin))^(1/alpha)
  /// ```
  public func step(reaching loss: Double) -> Double? {
    guard loss > lMin, c > 0, alpha > 0 else { return nil }
    let step = Foundation.exp((Foundation.log(c) - Foundation.log(loss - lMin)) / alpha)
    return step.isFinite ? step : nil
  }

  /// Parameter names in the order of `gradient` and of a fit's covariance.
  public static let parameterNames = ["L_min", "C", "alpha"]
}
