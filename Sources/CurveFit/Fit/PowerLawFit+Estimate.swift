import Foundation
import LeastSquares

extension FitResult where Model == PowerLaw {
  /// The fitted loss at `t` with its delta-method 95% interval.
  public func estimate(at t: Double) -> Estimate {
    let value = model(t)
    guard let covariance else { return Estimate(value: value) }
    let deviation = quadraticForm(covariance, model.gradient(at: t)).squareRoot()
    guard deviation.isFinite else { return Estimate(value: value) }
    let half = Estimate.z95 * deviation
    return Estimate(value: value, ci95: (value - half)...(value + half))
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
