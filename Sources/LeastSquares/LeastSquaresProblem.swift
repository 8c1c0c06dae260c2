/// A nonlinear least-squares problem: minimise `½·Σ rᵢ(p)²` over parameters `p`.
///
/// The solver knows nothing about loss curves; a model supplies its residuals and their analytic
/// Jacobian. Weighted problems fold `√wᵢ` into both.
public protocol LeastSquaresProblem {
  /// Number of parameters `n`.
  var parameterCount: Int { get }
  /// Number of residuals `m`.
  var residualCount: Int { get }
  /// Per-parameter bounds, `lower[j] ≤ p[j] ≤ upper[j]`; use ±infinity for none.
  var lowerBounds: [Double] { get }
  var upperBounds: [Double] { get }

  /// Writes the `m` residuals at `p` into `residuals`.
  ///
  /// Non-finite residuals are allowed: the solver rejects a step that produces them.
  func residuals(at p: [Double], into residuals: inout [Double])

  /// Writes the `m × n` Jacobian `∂rᵢ/∂pⱼ` at `p` into `jacobian` (column-major).
  func jacobian(at p: [Double], into jacobian: inout Matrix)

  /// Writes residuals and Jacobian together. Problems whose Jacobian reuses work done for the
  /// residuals (exponentials, logarithms) override this; the default calls both.
  func evaluate(at p: [Double], residuals: inout [Double], jacobian: inout Matrix)
}

extension LeastSquaresProblem {
  public var lowerBounds: [Double] { Array(repeating: -.infinity, count: parameterCount) }
  public var upperBounds: [Double] { Array(repeating: .infinity, count: parameterCount) }

  public func evaluate(at p: [Double], residuals: inout [Double], jacobian: inout Matrix) {
    self.residuals(at: p, into: &residuals)
    self.jacobian(at: p, into: &jacobian)
  }
}
