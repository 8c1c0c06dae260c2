import Foundation

/// The saturating power law of a training curve, in one of three forms.
///
/// ```
/// power:    L(t) = lMin + c · t^(−alpha)
/// pure:     L(t) =        c · t^(−alpha)            (lMin = 0)
/// shifted:  L(t) = lMin + c · (t + t0)^(−alpha)
/// ```
/// `t` in logged steps (or tokens), `L` in nats. `lMin` is the loss the run approaches, `c` the
/// reducible loss at `t = 1` (at `t + t0 = 1` when shifted), `alpha` how fast it shrinks, and
/// `t0` an offset in time (an effective head start, e.g. from warm-up).
public struct PowerLaw: Sendable, Equatable {
  public var lMin: Double
  public var c: Double
  public var alpha: Double
  public var t0: Double
  public var form: Form

  public init(lMin: Double, c: Double, alpha: Double, t0: Double = 0, form: Form = .power) {
    self.lMin = lMin
    self.c = c
    self.alpha = alpha
    self.t0 = t0
    self.form = form
  }

  /// The candidate forms of `--model`.
  public enum Form: String, Sendable, CaseIterable {
    case power
    case pure
    case shifted

    /// The formula as JSON's `fit.model` spells it.
    public var formula: String {
      switch self {
      case .power: "L_min + C*t^-alpha"
      case .pure: "C*t^-alpha"
      case .shifted: "L_min + C*(t+t0)^-alpha"
      }
    }

    /// Free parameters, in the order of `gradient`, covariance and standard errors.
    public var parameterNames: [String] {
      switch self {
      case .power: ["L_min", "C", "alpha"]
      case .pure: ["C", "alpha"]
      case .shifted: ["L_min", "C", "alpha", "t0"]
      }
    }
  }

  /// The loss at step `t` (`t + t0 > 0`).
  public func callAsFunction(_ t: Double) -> Double {
    lMin + c * Foundation.pow(t + t0, -alpha)
  }

  /// The free parameters' values, in `form.parameterNames` order.
  public var parameters: [Double] {
    switch form {
    case .power: [lMin, c, alpha]
    case .pure: [c, alpha]
    case .shifted: [lMin, c, alpha, t0]
    }
  }

  /// `∂L/∂(free parameters)` at `t`, for the delta method.
  public func gradient(at t: Double) -> [Double] {
    let u = t + t0
    let power = Foundation.pow(u, -alpha)
    let dc = power
    let dAlpha = -c * power * Foundation.log(u)
    switch form {
    case .power: return [1, dc, dAlpha]
    case .pure: return [dc, dAlpha]
    case .shifted: return [1, dc, dAlpha, -alpha * c * power / u]
    }
  }

  /// The step at which the curve reaches `loss`, or `nil` when `loss ≤ lMin` (never reached).
  ///
  /// ```
  /// t = (c / (loss − lMin))^(1/alpha) − t0
  /// ```
  public func step(reaching loss: Double) -> Double? {
    guard loss > lMin, c > 0, alpha > 0 else { return nil }
    let step = Foundation.exp((Foundation.log(c) - Foundation.log(loss - lMin)) / alpha) - t0
    return step.isFinite ? step : nil
  }

  /// A copy with the free parameters replaced (in `form.parameterNames` order).
  func with(parameters p: [Double]) -> PowerLaw {
    switch form {
    case .power: PowerLaw(lMin: p[0], c: p[1], alpha: p[2], form: .power)
    case .pure: PowerLaw(lMin: 0, c: p[0], alpha: p[1], form: .pure)
    case .shifted: PowerLaw(lMin: p[0], c: p[1], alpha: p[2], t0: p[3], form: .shifted)
    }
  }

  /// Parameter names of the default form.
  public static let parameterNames = Form.power.parameterNames
}
