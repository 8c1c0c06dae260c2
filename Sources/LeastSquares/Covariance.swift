import Foundation

/// The parameter covariance `s²·(JᵀJ)⁻¹` at a least-squares solution, computed from the SVD of
/// `J` so that `JᵀJ` is never formed or inverted, with the diagnostics that say when to trust it.
public struct Covariance: Sendable {
  /// The `n × n` covariance, or `nil` when it cannot be trusted (see `problem`).
  public let matrix: Matrix?
  /// `σ_max / σ_min` of the Jacobian; infinity when it is singular.
  public let conditionNumber: Double
  /// Singular values above `1e-12 · σ_max · max(m, n)`.
  public let rank: Int
  /// The residual variance `s² = ‖r‖² / (m − n)`; `nil` with no degrees of freedom.
  public let residualVariance: Double?
  /// Why `matrix` is `nil`, in a plain sentence.
  public let problem: String?

  /// Condition numbers above this make standard errors meaningless in double precision.
  public static let maxConditionNumber = 1e12

  /// Estimates the covariance from the Jacobian and residuals at the solution.
  ///
  /// Empty, non-finite or rank-deficient input gives `matrix == nil` with a reason.
  public init(jacobian: Matrix, residuals: [Double]) {
    let m = jacobian.rows
    let n = jacobian.columns
    let dof = m - n
    residualVariance = dof > 0 ? 2 * halfSquaredNorm(residuals) / Double(dof) : nil
    guard let (values, vt) = LAPACK.singularValues(jacobian) else {
      (matrix, conditionNumber, rank) = (nil, .infinity, 0)
      problem = "the Jacobian holds non-finite values"
      return
    }
    let largest = values.first ?? 0
    let cutoff = 1e-12 * largest * Double(max(m, n))
    rank = values.filter { $0 > cutoff }.count
    let smallest = values.last ?? 0
    conditionNumber = smallest > 0 ? largest / smallest : .infinity
    guard let s2 = residualVariance else {
      (matrix, problem) = (nil, "no degrees of freedom left (\(m) points, \(n) parameters)")
      return
    }
    guard rank == n, conditionNumber <= Self.maxConditionNumber else {
      matrix = nil
      problem = rank < n
        ? "the Jacobian is rank-deficient (rank \(rank) of \(n))"
        : "the Jacobian is ill-conditioned (condition number \(formatScientific(conditionNumber)))"
      return
    }
    // (JᵀJ)⁻¹ = V·Σ⁻²·Vᵀ
    var cov = Matrix(rows: n, columns: n)
    for a in 0..<n {
      for b in 0..<n {
        var sum = 0.0
        for k in 0..<n { sum += vt[k, a] * vt[k, b] / (values[k] * values[k]) }
        cov[a, b] = s2 * sum
      }
    }
    matrix = cov
    problem = nil
  }

  /// Standard errors `√diag(cov)`, or `nil` when the covariance is untrusted.
  public var standardErrors: [Double]? {
    guard let matrix else { return nil }
    return (0..<matrix.rows).map { max(0, matrix[$0, $0]).squareRoot() }
  }
}

private func formatScientific(_ value: Double) -> String {
  value.isFinite ? String(format: "%.1e", value) : "infinite"
}
