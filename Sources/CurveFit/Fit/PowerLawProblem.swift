import Foundation
import LeastSquares

/// A power-law form as a weighted least-squares problem in scaled time `x = t/tRef`.
///
/// Scaling by the last step keeps `c' = c·tRef^(−alpha)` of the order of the losses, where `c`
/// at `t = 1` can be 10⁴ times larger; the Jacobian is then far better conditioned. Parameters:
/// power `[lMin, c', alpha]`, pure `[c', alpha]`, shifted `[lMin, c', alpha, s]` with
/// `s = t0/tRef`; bounds `lMin, c' ≥ 0`, `s ≥ shiftLower` (0 unless a warm-up is known, see
/// `PowerLawFitter.shiftFloor`) and `0 < alpha ≤ 10`.
struct PowerLawProblem: LeastSquaresProblem {
  let form: PowerLaw.Form
  let x: [Double]
  let y: [Double]
  let rootWeights: [Double]
  /// `log x`, for the forms without a shift: one exponential per row instead of a log and an exp.
  let logX: [Double]
  /// The smallest shift `s` (≤ 0); above `−min(x)`, so `x + s` stays positive.
  let shiftLower: Double

  static let alphaBounds = (lower: 1e-6, upper: 10.0)

  init(form: PowerLaw.Form = .power, x: [Double], y: [Double], weights: [Double], shiftLower: Double = 0) {
    self.form = form
    self.shiftLower = min(0, max(shiftLower, -0.9 * (x.min() ?? 0)))
    self.x = x
    self.y = y
    self.rootWeights = weights.map { $0.squareRoot() }
    self.logX = x.map { Foundation.log($0) }
  }

  @inline(__always)
  private func logU(_ i: Int, _ s: Double) -> Double {
    s == 0 ? logX[i] : Foundation.log(x[i] + s)
  }

  var parameterCount: Int { form.parameterNames.count }
  var residualCount: Int { x.count }
  var lowerBounds: [Double] {
    switch form {
    case .power: [0, 0, Self.alphaBounds.lower]
    case .pure: [0, Self.alphaBounds.lower]
    case .shifted: [0, 0, Self.alphaBounds.lower, shiftLower]
    }
  }
  var upperBounds: [Double] {
    switch form {
    case .power: [.infinity, .infinity, Self.alphaBounds.upper]
    case .pure: [.infinity, Self.alphaBounds.upper]
    case .shifted: [.infinity, .infinity, Self.alphaBounds.upper, .infinity]
    }
  }

  /// `(lMin, c', alpha, s)` from the form's parameter vector.
  @inline(__always)
  private func unpack(_ p: [Double]) -> (Double, Double, Double, Double) {
    switch form {
    case .power: (p[0], p[1], p[2], 0)
    case .pure: (0, p[0], p[1], 0)
    case .shifted: (p[0], p[1], p[2], p[3])
    }
  }

  func residuals(at p: [Double], into residuals: inout [Double]) {
    let (lMin, c, alpha, s) = unpack(p)
    for i in 0..<x.count {
      let power = Foundation.exp(-alpha * logU(i, s))
      residuals[i] = rootWeights[i] * (lMin + c * power - y[i])
    }
  }

  func evaluate(at p: [Double], residuals: inout [Double], jacobian: inout Matrix) {
    self.jacobian(at: p, into: &jacobian, residuals: &residuals)
  }

  func jacobian(at p: [Double], into jacobian: inout Matrix) {
    var unused = [Double](repeating: 0, count: x.count)
    self.jacobian(at: p, into: &jacobian, residuals: &unused)
  }

  /// The Jacobian and the residuals from one exponential per row.
  private func jacobian(at p: [Double], into jacobian: inout Matrix, residuals: inout [Double]) {
    let (lMin, c, alpha, s) = unpack(p)
    let m = x.count
    for i in 0..<m {
      let u = x[i] + s
      let logU = logU(i, s)
      let power = Foundation.exp(-alpha * logU)
      let w = rootWeights[i]
      residuals[i] = w * (lMin + c * power - y[i])
      switch form {
      case .power:
        jacobian.storage[i] = w
        jacobian.storage[m + i] = w * power
        jacobian.storage[2 * m + i] = -w * c * power * logU
      case .pure:
        jacobian.storage[i] = w * power
        jacobian.storage[m + i] = -w * c * power * logU
      case .shifted:
        jacobian.storage[i] = w
        jacobian.storage[m + i] = w * power
        jacobian.storage[2 * m + i] = -w * c * power * logU
        jacobian.storage[3 * m + i] = -w * alpha * c * power / u
      }
    }
  }

  /// Variable projection: for fixed `alpha` the power and pure forms are linear in `lMin` and
  /// `c'`, so each grid value gets its exact (weighted, non-negative) least-squares solution
  /// from LAPACK, and the best becomes the starting point. No hand-tuned guesses. The shifted
  /// form starts from the best power-law solution with a small grid of shifts.
  func startingPoint(grid: [Double]) -> [Double]? {
    if form == .shifted {
      let weights = rootWeights.map { $0 * $0 }
      let power = PowerLawProblem(form: .power, x: x, y: y, weights: weights)
      guard let start = power.startingPoint(grid: grid) else { return nil }
      var starts = [0.0, 1e-4, 1e-3, 1e-2, 0.1].map { start + [$0] }
      // A shift back toward the floor moves the curve's steep part: its own linear solution.
      for shift in shiftLower < 0 ? [shiftLower / 2, shiftLower] : [] {
        let moved = PowerLawProblem(form: .power, x: x.map { $0 + shift }, y: y, weights: weights)
        if let point = moved.startingPoint(grid: grid) { starts.append(point + [shift]) }
      }
      return starts.min { cost($0) < cost($1) }
    }
    var best: (cost: Double, p: [Double])?
    for alpha in grid {
      guard let (lMin, c) = linearSolution(alpha: alpha) else { continue }
      let p = form == .pure ? [c, alpha] : [lMin, c, alpha]
      let value = cost(p)
      if value.isFinite, value < (best?.cost ?? .infinity) { best = (value, p) }
    }
    return best?.p
  }

  func cost(_ p: [Double]) -> Double {
    var r = [Double](repeating: 0, count: x.count)
    residuals(at: p, into: &r)
    return r.reduce(0) { $0 + $1 * $1 }
  }

  /// The weighted linear least-squares `(lMin, c')` for a fixed `alpha`, projected onto
  /// `lMin ≥ 0`, `c' ≥ 0` (and `lMin = 0` for the pure form).
  func linearSolution(alpha: Double) -> (Double, Double)? {
    var design = Matrix(rows: x.count, columns: 2)
    var rhs = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
      design[i, 0] = rootWeights[i]
      design[i, 1] = rootWeights[i] * Foundation.exp(-alpha * Foundation.log(x[i]))
      rhs[i] = rootWeights[i] * y[i]
    }
    if form != .pure, let solution = LAPACK.solveQR(design, rhs), solution.x[0] >= 0,
      solution.x[1] >= 0
    {
      return (solution.x[0], solution.x[1])
    }
    // lMin = 0 (the pure form, or the optimum breaks the bound): solve for c' alone.
    var numerator = 0.0
    var denominator = 0.0
    for i in 0..<x.count {
      numerator += design[i, 1] * rhs[i]
      denominator += design[i, 1] * design[i, 1]
    }
    guard denominator > 0 else { return nil }
    return (0, max(0, numerator / denominator))
  }

  /// The natural model from solver parameters, and `∂(natural)/∂(solver)` for the covariance.
  func natural(_ p: [Double], tRef: Double) -> (PowerLaw, Matrix) {
    let (lMin, cScaled, alpha, s) = unpack(p)
    let scale = Foundation.pow(tRef, alpha)
    let c = cScaled * scale
    let logRef = Foundation.log(tRef)
    let model = PowerLaw(lMin: lMin, c: c, alpha: alpha, t0: s * tRef, form: form)
    let transform: Matrix
    switch form {
    case .power:
      transform = Matrix(rowMajor: [[1, 0, 0], [0, scale, c * logRef], [0, 0, 1]])
    case .pure:
      transform = Matrix(rowMajor: [[scale, c * logRef], [0, 1]])
    case .shifted:
      transform = Matrix(rowMajor: [
        [1, 0, 0, 0], [0, scale, c * logRef, 0], [0, 0, 1, 0], [0, 0, 0, tRef],
      ])
    }
    return (model, transform)
  }
}
