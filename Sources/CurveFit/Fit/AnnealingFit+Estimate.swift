import Foundation
import LeastSquares

extension FitResult where Model == AnnealingLaw {
  /// The fitted loss at areas `(s1, s2)` with its delta-method 95% interval (over `L0, A,
  /// alpha, C`; a fitted `λ` is held at its value).
  public func estimate(s1: Double, s2: Double) -> Estimate {
    let value = model(s1: s1, s2: s2)
    guard let covariance else { return Estimate(value: value) }
    var block = Matrix(rows: 4, columns: 4)
    for a in 0..<4 { for b in 0..<4 { block[a, b] = covariance[a, b] } }
    let deviation = quadraticForm(block, model.gradient(s1: s1, s2: s2)).squareRoot()
    guard deviation.isFinite, value.isFinite else { return Estimate(value: value) }
    let half = Estimate.z95 * deviation
    return Estimate(value: value, ci95: (value - half)...(value + half))
  }
}
