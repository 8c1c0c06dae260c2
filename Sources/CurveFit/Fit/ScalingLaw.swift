import Foundation

/// The Chinchilla-style scaling law of final loss in parameters `N` and training tokens `D`.
///
/// ```
/// L(N, D) = E + A / N^alpha + B / D^beta          (nats; N in parameters, D in tokens)
/// ```
/// One-variable laws are the same type with a term switched off: `L(D) = E + B·D^-beta` has
/// `A = 0`, and `L(N) = E + A·N^-alpha` has `B = 0`.
public struct ScalingLaw: Sendable, Equatable {
  public var e: Double
  public var a: Double
  public var b: Double
  public var alpha: Double
  public var beta: Double

  public init(e: Double, a: Double, b: Double, alpha: Double, beta: Double) {
    self.e = e
    self.a = a
    self.b = b
    self.alpha = alpha
    self.beta = beta
  }

  /// The predicted loss. `N` or `D` may be infinite when its term is switched off.
  public func callAsFunction(n: Double, d: Double) -> Double {
    let parameterTerm = a == 0 ? 0 : a * Foundation.pow(n, -alpha)
    let dataTerm = b == 0 ? 0 : b * Foundation.pow(d, -beta)
    return e + parameterTerm + dataTerm
  }

  /// `L(N, 2D) − L(N, D) = B·D^-β·(2^-β − 1)`: the change from doubling the data.
  public func dataDoublingChange(n: Double, d: Double) -> Double {
    self(n: n, d: 2 * d) - self(n: n, d: d)
  }

  /// `L(2N, D) − L(N, D) = A·N^-α·(2^-α − 1)`: the change from doubling the parameters.
  public func parameterDoublingChange(n: Double, d: Double) -> Double {
    self(n: 2 * n, d: d) - self(n: n, d: d)
  }

  /// The allocation exponents of `N_opt ∝ C^a` and `D_opt ∝ C^b`: `a = β/(α+β)`, `b = α/(α+β)`.
  public var allocationExponents: (a: Double, b: Double) {
    (beta / (alpha + beta), alpha / (alpha + beta))
  }

  /// The compute-optimal allocation for a budget `C ≈ 6·N·D` FLOPs, in closed form.
  ///
  /// Minimising `L` subject to `6ND = C` gives (Hoffmann et al. 2022, appendix D.2)
  /// ```
  /// N_opt = G·(C/6)^a,  D_opt = G⁻¹·(C/6)^b,  G = (αA / (βB))^(1/(α+β))
  /// ```
  /// `nil` for a one-variable law or degenerate exponents.
  public func computeOptimal(compute: Double) -> (n: Double, d: Double, loss: Double)? {
    guard a > 0, b > 0, alpha > 0, beta > 0, compute > 0 else { return nil }
    let (ea, eb) = allocationExponents
    let g = Foundation.pow(alpha * a / (beta * b), 1 / (alpha + beta))
    let n = g * Foundation.pow(compute / 6, ea)
    let d = Foundation.pow(compute / 6, eb) / g
    guard n.isFinite, d.isFinite else { return nil }
    return (n, d, self(n: n, d: d))
  }

  /// Which terms the law has.
  public enum Form: String, Sendable, CaseIterable {
    /// `E + A/N^alpha + B/D^beta`
    case both = "nd"
    /// `E + B·D^-beta` (only D varies)
    case data = "d"
    /// `E + A·N^-alpha` (only N varies)
    case parameters = "n"

    public var formula: String {
      switch self {
      case .both: "E + A/N^alpha + B/D^beta"
      case .data: "E + B/D^beta"
      case .parameters: "E + A/N^alpha"
      }
    }
  }
}
