/// Gauss–Newton with Levenberg–Marquardt damping, solving each step by QR on the Jacobian.
///
/// Each iteration solves the damped linear least-squares problem
/// ```
/// min_δ ‖ [ J ; √μ·D ] δ + [ r ; 0 ] ‖₂
/// ```
/// with LAPACK `dgels`, where `D` holds the largest column norms of `J` seen so far (Marquardt's
/// scaling, as MINPACK does), so the normal equations `JᵀJ` are never formed. The damping `μ` is
/// updated by the gain ratio ρ = actual / predicted reduction with Nielsen's rule, as in Madsen,
/// Nielsen and Tingleff, "Methods for Non-Linear Least Squares Problems" (2004), §3.2.
///
/// Bounds are honoured by an active set: a parameter sitting on a bound whose gradient pushes it
/// outwards is frozen for that step, and every trial point is projected back into the box.
public struct LevenbergMarquardt: Sendable {
  public var options: Options

  public init(options: Options = Options()) {
    self.options = options
  }

  /// Minimises `½‖r(p)‖²` starting from `start` (projected into the bounds first).
  ///
  /// Never throws: failure to converge is reported in the summary's `reason`.
  public func minimize<Problem: LeastSquaresProblem>(
    _ problem: Problem, from start: [Double]
  ) -> Summary {
    let n = problem.parameterCount
    let m = problem.residualCount
    precondition(start.count == n, "Start has \(start.count) values, expected \(n)")
    let lower = problem.lowerBounds
    let upper = problem.upperBounds
    var x = (0..<n).map { min(max(start[$0], lower[$0]), upper[$0]) }
    var r = [Double](repeating: 0, count: m)
    problem.residuals(at: x, into: &r)
    var jacobian = Matrix(rows: m, columns: n)
    guard r.allSatisfy(\.isFinite) else {
      return summary(x, r, jacobian, .nonFiniteStart, 0, .infinity, .infinity, lower, upper)
    }
    var cost = halfSquaredNorm(r)
    let initialCost = cost
    problem.jacobian(at: x, into: &jacobian)
    var scale = (0..<n).map { max(jacobian.columnNorm($0), .leastNormalMagnitude) }
    var mu = options.initialDamping
    var nu = 2.0
    var iterations = 0
    var trialResiduals = [Double](repeating: 0, count: m)

    func finish(_ reason: TerminationReason) -> Summary {
      summary(x, r, jacobian, reason, iterations, initialCost, cost, lower, upper)
    }

    while true {
      if cost <= 1e-30 * max(1, initialCost) { return finish(.zeroResidual) }
      let gradient = jacobian.transposeTimes(r)
      let free = (0..<n).filter { j in
        !((x[j] <= lower[j] && gradient[j] > 0) || (x[j] >= upper[j] && gradient[j] < 0))
      }
      let residualNorm = (2 * cost).squareRoot()
      let gradientMeasure = free.map { j -> Double in
        let norm = jacobian.columnNorm(j)
        return norm == 0 ? 0 : abs(gradient[j]) / (norm * residualNorm)
      }.max() ?? 0
      if gradientMeasure <= options.gradientTolerance { return finish(.gradientTolerance) }
      if iterations >= options.maxIterations { return finish(.maxIterations) }
      iterations += 1

      guard let step = dampedStep(jacobian, r, free: free, scale: scale, mu: mu) else {
        return finish(.linearSolveFailed)
      }
      let trial = (0..<n).map { min(max(x[$0] + step[$0], lower[$0]), upper[$0]) }
      let taken = (0..<n).map { trial[$0] - x[$0] }
      if norm(taken) <= options.stepTolerance * (options.stepTolerance + norm(x)) {
        return finish(.stepTolerance)
      }
      problem.residuals(at: trial, into: &trialResiduals)
      let trialCost = trialResiduals.allSatisfy(\.isFinite) ? halfSquaredNorm(trialResiduals) : .infinity
      let linearised = jacobian.times(taken)
      var predictedSquared = 0.0
      for i in 0..<m { predictedSquared += (r[i] + linearised[i]) * (r[i] + linearised[i]) }
      let predicted = cost - 0.5 * predictedSquared
      let actual = cost - trialCost
      let rho = predicted > 0 ? actual / predicted : -1
      let previousCost = cost

      if rho > 1e-4, trialCost.isFinite {
        x = trial
        swap(&r, &trialResiduals)
        cost = trialCost
        problem.jacobian(at: x, into: &jacobian)
        for j in 0..<n { scale[j] = max(scale[j], jacobian.columnNorm(j)) }
        mu *= max(1.0 / 3.0, 1 - pow3(2 * rho - 1))
        nu = 2
      } else {
        mu *= nu
        nu *= 2
        if mu > options.maxDamping { return finish(.dampingExhausted) }
      }
      let tolerance = options.costTolerance * previousCost
      if predicted >= 0, predicted <= tolerance, abs(actual) <= tolerance {
        return finish(.costTolerance)
      }
    }
  }

  // MARK: - Pieces of an iteration

  /// Solves the damped step for the free parameters; fixed ones get a zero step.
  private func dampedStep(
    _ jacobian: Matrix, _ r: [Double], free: [Int], scale: [Double], mu: Double
  ) -> [Double]? {
    let m = jacobian.rows
    var step = [Double](repeating: 0, count: jacobian.columns)
    guard !free.isEmpty else { return step }
    var augmented = Matrix(rows: m + free.count, columns: free.count)
    for (k, j) in free.enumerated() {
      for i in 0..<m { augmented[i, k] = jacobian[i, j] }
      augmented[m + k, k] = mu.squareRoot() * scale[j]
    }
    let rhs = r.map { -$0 } + [Double](repeating: 0, count: free.count)
    guard let solution = LAPACK.solveQR(augmented, rhs) else { return nil }
    for (k, j) in free.enumerated() { step[j] = solution.x[k] }
    return step
  }

  private func summary(
    _ x: [Double], _ r: [Double], _ jacobian: Matrix, _ reason: TerminationReason,
    _ iterations: Int, _ initialCost: Double, _ finalCost: Double,
    _ lower: [Double], _ upper: [Double]
  ) -> Summary {
    let atBound = x.indices.map { x[$0] <= lower[$0] || x[$0] >= upper[$0] }
    return Summary(
      parameters: x, reason: reason, iterations: iterations, initialCost: initialCost,
      finalCost: finalCost, residuals: r, jacobian: jacobian, atBound: atBound)
  }
}

// MARK: - Small vector helpers

@inline(__always) func halfSquaredNorm(_ v: [Double]) -> Double {
  var sum = 0.0
  for value in v { sum += value * value }
  return 0.5 * sum
}

@inline(__always) func norm(_ v: [Double]) -> Double { (2 * halfSquaredNorm(v)).squareRoot() }

@inline(__always) private func pow3(_ v: Double) -> Double { v * v * v }
