import Foundation
import LeastSquares

/// The annealing law as least squares on log residuals, Huber-robust like the scaling-law fit.
///
/// Solver parameters `[L0, a', alpha, c']` (and `λ` when fitted) with `x1 = S1/S1ref`,
/// `x2 = S2/S2ref`, `a' = A·S1ref^(−alpha)`, `c' = C·S2ref`: every column of the Jacobian is then
/// of the order of the losses. Residuals `rᵢ = √wᵢ·(log L̂ᵢ − log Lᵢ)` (bin counts as weights)
/// enter through Huber's square-rooted form, as in `ScalingLawProblem`.
struct AnnealingLawProblem: LeastSquaresProblem {
  let x1: [Double]
  let logX1: [Double]
  let x2: [Double]
  let logY: [Double]
  let rootWeights: [Double]
  let delta: Double?
  /// Set when `λ` is fitted: the schedule and steps from which `x2` and `∂x2/∂λ` are recomputed.
  let lambdaSource: (curve: LearningRateCurve, steps: [Double], s2Ref: Double)?
  /// The prior on the annealing coefficient, as one more residual `weight·(c' − center)/scale`
  /// (`AnnealingPrior`; the fit's centre and scale are the prior's centre, a bootstrap refit's
  /// centre is redrawn around the fitted value); `nil` fits the data alone.
  var prior: (center: Double, scale: Double, weight: Double)? = nil
  /// The prior on the exponent, one more residual `weight·(log alpha − center)/spread`.
  var exponentPrior: (center: Double, spread: Double, weight: Double)? = nil

  static let lambdaBounds = (lower: 0.9, upper: 0.99999)

  var parameterCount: Int { lambdaSource == nil ? 4 : 5 }
  var residualCount: Int { x1.count + (prior == nil ? 0 : 1) + (exponentPrior == nil ? 0 : 1) }
  /// The exponent prior's row: after the data and the prior on `c'`.
  private var exponentRow: Int { x1.count + (prior == nil ? 0 : 1) }
  var lowerBounds: [Double] {
    [0, 0, 1e-6, 0] + (lambdaSource == nil ? [] : [Self.lambdaBounds.lower])
  }
  var upperBounds: [Double] {
    [.infinity, .infinity, 10, .infinity] + (lambdaSource == nil ? [] : [Self.lambdaBounds.upper])
  }

  /// `x2` and `∂x2/∂λ` at `p` (the fixed inputs when `λ` is not fitted).
  private func secondArea(_ p: [Double]) -> (x2: [Double], slope: [Double]?) {
    guard let source = lambdaSource else { return (x2, nil) }
    let lambda = p[4]
    let h = 1e-6
    let here = source.curve.areas(at: source.steps, lambda: lambda).s2
    let there = source.curve.areas(at: source.steps, lambda: lambda + h).s2
    let x2 = here.map { $0 / source.s2Ref }
    let slope = zip(here, there).map { ($1 - $0) / h / source.s2Ref }
    return (x2, slope)
  }

  func residuals(at p: [Double], into residuals: inout [Double]) {
    let area = secondArea(p).x2
    for i in 0..<x1.count {
      let f = p[0] + p[1] * Foundation.exp(-p[2] * logX1[i]) - p[3] * area[i]
      residuals[i] = f > 0 ? robust(rootWeights[i] * (Foundation.log(f) - logY[i])).value : .nan
    }
    if let prior { residuals[x1.count] = prior.weight * (p[3] - prior.center) / prior.scale }
    if let exponentPrior {
      residuals[exponentRow] = exponentPrior.weight * (Foundation.log(p[2]) - exponentPrior.center) / exponentPrior.spread
    }
  }

  func jacobian(at p: [Double], into jacobian: inout Matrix) {
    var unused = [Double](repeating: 0, count: x1.count)
    evaluate(at: p, residuals: &unused, jacobian: &jacobian)
  }

  func evaluate(at p: [Double], residuals: inout [Double], jacobian: inout Matrix) {
    let (area, slope) = secondArea(p)
    // Column stride: the data rows, then the prior's row when there is one.
    let m = residualCount
    for i in 0..<x1.count {
      let power = Foundation.exp(-p[2] * logX1[i])
      let f = p[0] + p[1] * power - p[3] * area[i]
      guard f > 0 else {
        residuals[i] = .nan
        continue
      }
      let (value, robustSlope) = robust(rootWeights[i] * (Foundation.log(f) - logY[i]))
      residuals[i] = value
      let scale = robustSlope * rootWeights[i] / f
      jacobian.storage[i] = scale
      jacobian.storage[m + i] = scale * power
      jacobian.storage[2 * m + i] = -scale * p[1] * power * logX1[i]
      jacobian.storage[3 * m + i] = -scale * area[i]
      if let slope { jacobian.storage[4 * m + i] = -scale * p[3] * slope[i] }
    }
    if let prior {
      let row = x1.count
      residuals[row] = prior.weight * (p[3] - prior.center) / prior.scale
      for column in 0..<parameterCount { jacobian.storage[column * m + row] = 0 }
      jacobian.storage[3 * m + row] = prior.weight / prior.scale
    }
    if let exponentPrior {
      let row = exponentRow
      residuals[row] = exponentPrior.weight * (Foundation.log(p[2]) - exponentPrior.center) / exponentPrior.spread
      for column in 0..<parameterCount { jacobian.storage[column * m + row] = 0 }
      jacobian.storage[2 * m + row] = exponentPrior.weight / (exponentPrior.spread * p[2])
    }
  }

  /// The square-rooted Huber residual and its derivative with respect to `r`.
  @inline(__always)
  private func robust(_ r: Double) -> (value: Double, slope: Double) {
    guard let delta, abs(r) > delta else { return (r, 1) }
    let s = (2 * delta * abs(r) - delta * delta).squareRoot()
    return (r < 0 ? -s : s, delta / s)
  }

  /// Variable projection: for fixed `alpha` the law is linear in `(L0, a', c')`; the weighted
  /// least-squares solution (in loss, not log, units) at each grid value is scored and the best
  /// with non-negative coefficients starts the solver.
  ///
  /// With `fixedC` (the prior's centre) the start holds `c'` there and solves for `(L0, a')`:
  /// a log that has barely decayed cannot place `c'` itself.
  func startingPoint(y: [Double], fixedC: Double? = nil) -> [Double]? {
    let m = x1.count
    var best: (cost: Double, p: [Double])?
    for k in 0..<48 {
      let alpha = 0.02 * Foundation.pow(200, Double(k) / 47)
      let columns = fixedC == nil ? 3 : 2
      var design = Matrix(rows: m, columns: columns)
      var rhs = [Double](repeating: 0, count: m)
      for i in 0..<m {
        let w = rootWeights[i]
        design[i, 0] = w
        design[i, 1] = w * Foundation.exp(-alpha * logX1[i])
        if fixedC == nil { design[i, 2] = -w * x2[i] }
        rhs[i] = w * (y[i] + (fixedC ?? 0) * x2[i])
      }
      guard let solution = LAPACK.solveQR(design, rhs) else { continue }
      let c = fixedC ?? max(0, solution.x[2])
      let p = [max(0, solution.x[0]), max(0, solution.x[1]), alpha, c]
      var cost = 0.0
      for i in 0..<m {
        let w = rootWeights[i]
        let fitted = design[i, 0] * p[0] + design[i, 1] * p[1] - w * c * x2[i]
        // Logs of the prediction follow: a start with a non-positive loss cannot be used.
        if !(fitted > 0) { cost = .infinity }
        let target = w * y[i]
        cost += (fitted - target) * (fitted - target)
      }
      if cost.isFinite, cost < (best?.cost ?? .infinity) { best = (cost, p) }
    }
    return best?.p
  }
}
