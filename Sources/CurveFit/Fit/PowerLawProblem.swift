import Foundation
import LeastSquares

/// `L(t) = lMin + c'·x^(−alpha)` as a weighted least-squares problem in scaled time `x = t/tRef`.
///
/// Scaling by the last step keeps `c'` of the order of the losses themselves, where `c` at
/// `t = 1` can be 10⁴ times larger; the Jacobian is then far better conditioned. Parameters are
/// `[lMin, c', alpha]` with `lMin ≥ 0`, `c' ≥ 0`, `0 < alpha ≤ 10`.
struct PowerLawProblem: LeastSquaresProblem {
  let x: [Double]
  let logX: [Double]
  let y: [Double]
  let rootWeights: [Double]

  static let alphaBounds = (lower: 1e-6, upper: 10.0)

  init(x: [Double], y: [Double], weights: [Double]) {
    self.x = x
    self.logX = x.map { Foundation.log($0) }
    self.y = y
    self.rootWeights = weights.map { $0.squareRoot() }
  }

  var parameterCount: Int { 3 }
  var residualCount: Int { x.count }
  var lowerBounds: [Double] { [0, 0, Self.alphaBounds.lower] }
  var upperBounds: [Double] { [.infinity, .infinity, Self.alphaBounds.upper] }

  func residuals(at p: [Double], into residuals: inout [Double]) {
    for i in 0..<x.count {
      let power = Foundation.exp(-p[2] * logX[i])
      residuals[i] = rootWeights[i] * (p[0] + p[1] * power - y[i])
    }
  }

  func jacobian(at p: [Double], into jacobian: inout Matrix) {
    let m = x.count
    for i in 0..<m {
      let power = Foundation.exp(-p[2] * logX[i])
      jacobian.storage[i] = rootWeights[i]
      jacobian.storage[m + i] = rootWeights[i] * power
      jacobian.storage[2 * m + i] = -rootWeights[i] * p[1] * power * logX[i]
    }
  }

  /// Variable projection: for fixed `alpha` the model is linear in `lMin` and `c'`, so each grid
  /// value gets its exact (weighted, `lMin ≥ 0`) least-squares solution from LAPACK, and the best
  /// becomes the starting point. No hand-tuned guesses.
  func startingPoint(grid: [Double]) -> [Double]? {
    var best: (cost: Double, p: [Double])?
    for alpha in grid {
      guard let (lMin, c) = linearSolution(alpha: alpha) else { continue }
      var r = [Double](repeating: 0, count: x.count)
      residuals(at: [lMin, c, alpha], into: &r)
      let cost = r.reduce(0) { $0 + $1 * $1 }
      if cost.isFinite, cost < (best?.cost ?? .infinity) { best = (cost, [lMin, c, alpha]) }
    }
    return best?.p
  }

  /// The weighted linear least-squares `(lMin, c')` for a fixed `alpha`, projected onto
  /// `lMin ≥ 0`, `c' ≥ 0`.
  func linearSolution(alpha: Double) -> (Double, Double)? {
    var design = Matrix(rows: x.count, columns: 2)
    var rhs = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
      design[i, 0] = rootWeights[i]
      design[i, 1] = rootWeights[i] * Foundation.exp(-alpha * logX[i])
      rhs[i] = rootWeights[i] * y[i]
    }
    if let solution = LAPACK.solveQR(design, rhs), solution.x[0] >= 0, solution.x[1] >= 0 {
      return (solution.x[0], solution.x[1])
    }
    // The unconstrained optimum breaks a bound: fix lMin = 0 and solve for c' alone.
    var numerator = 0.0
    var denominator = 0.0
    for i in 0..<x.count {
      numerator += design[i, 1] * rhs[i]
      denominator += design[i, 1] * design[i, 1]
    }
    guard denominator > 0 else { return nil }
    return (0, max(0, numerator / denominator))
  }
}
