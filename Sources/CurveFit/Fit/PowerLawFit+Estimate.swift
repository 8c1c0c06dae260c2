import Foundation
import LeastSquares

extension FitResult where Model == PowerLaw {
  /// The fitted loss at `t` with its delta-method 95% interval.
  public func estimate(at t: Double) -> Estimate {
    let value = model(t)
    // Before a negative t0's lag the curve has no value: no interval to build around it.
    guard value.isFinite, let covariance else { return Estimate(value: value) }
    let deviation = quadraticForm(covariance, model.gradient(at: t)).squareRoot()
    guard deviation.isFinite else { return Estimate(value: value) }
    let half = Estimate.z95 * deviation
    return Estimate(value: value, ci95: (value - half)...(value + half))
  }
}

extension FitResult where Model == PowerLaw {
  /// The delta-method standard error of the curve's mean slope `(L(t1) − L(t0)) / (t1 − t0)`;
  /// zero when the covariance cannot be trusted.
  func meanSlopeError(from t0: Double, to t1: Double) -> Double {
    guard let covariance, t1 != t0 else { return 0 }
    let g0 = model.gradient(at: t0)
    let difference = zip(model.gradient(at: t1), g0).map { $0 - $1 }
    return quadraticForm(covariance, difference).squareRoot() / abs(t1 - t0)
  }
}

/// `gᵀ·Σ·g`, clamped at zero against rounding.
func quadraticForm(_ matrix: Matrix, _ g: [Double]) -> Double {
  var sum = 0.0
  for a in 0..<g.count {
    for b in 0..<g.count { sum += g[a] * matrix[a, b] * g[b] }
  }
  return max(0, sum)
}
