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
///
/// The iteration allocates nothing: buffers live in a workspace made once per call, because the
/// scaling-law grid runs thousands of small fits.
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
    var jacobian = Matrix(rows: m, columns: n)
    problem.evaluate(at: x, residuals: &r, jacobian: &jacobian)
    guard r.allSatisfy(\.isFinite) else {
      return summary(x, r, jacobian, .nonFiniteStart, 0, .infinity, .infinity, lower, upper)
    }
    var work = Workspace(m: m, n: n)
    var cost = halfSquaredNorm(r)
    let initialCost = cost
    var scale = (0..<n).map { max(jacobian.columnNorm($0), .leastNormalMagnitude) }
    var columnNorms = scale
    var mu = options.initialDamping
    var nu = 2.0
    var iterations = 0
    var needsNormalMatrix = true

    func finish(_ reason: TerminationReason) -> Summary {
      summary(x, r, jacobian, reason, iterations, initialCost, cost, lower, upper)
    }

    while true {
      if cost <= 1e-30 * max(1, initialCost) { return finish(.zeroResidual) }
      jacobian.transposeTimes(r, into: &work.gradient)
      work.free.removeAll(keepingCapacity: true)
      let residualNorm = (2 * cost).squareRoot()
      var gradientMeasure = 0.0
      for j in 0..<n {
        let g = work.gradient[j]
        if (x[j] <= lower[j] && g > 0) || (x[j] >= upper[j] && g < 0) { continue }
        work.free.append(j)
        if columnNorms[j] > 0 {
          gradientMeasure = max(gradientMeasure, abs(g) / (columnNorms[j] * residualNorm))
        }
      }
      if gradientMeasure <= options.gradientTolerance { return finish(.gradientTolerance) }
      if iterations >= options.maxIterations { return finish(.maxIterations) }
      iterations += 1

      if options.normalEquations {
        if needsNormalMatrix {
          work.formNormalMatrix(jacobian)
          needsNormalMatrix = false
        }
        if !work.solveByNormalEquations(scale: scale, mu: mu) {
          guard work.solveDampedStep(jacobian, r, scale: scale, mu: mu) else { return finish(.linearSolveFailed) }
        }
      } else {
        guard work.solveDampedStep(jacobian, r, scale: scale, mu: mu) else {
          return finish(.linearSolveFailed)
        }
      }
      var takenNorm = 0.0
      var xNorm = 0.0
      for j in 0..<n {
        work.trial[j] = min(max(x[j] + work.step[j], lower[j]), upper[j])
        work.taken[j] = work.trial[j] - x[j]
        takenNorm += work.taken[j] * work.taken[j]
        xNorm += x[j] * x[j]
      }
      if takenNorm.squareRoot() <= options.stepTolerance * (options.stepTolerance + xNorm.squareRoot()) {
        return finish(.stepTolerance)
      }
      problem.evaluate(at: work.trial, residuals: &work.trialResiduals, jacobian: &work.trialJacobian)
      var trialSquares = 0.0
      for value in work.trialResiduals { trialSquares += value * value }
      let trialCost = trialSquares.isFinite ? 0.5 * trialSquares : .infinity
      let predicted = cost - 0.5 * work.linearisedSquares(jacobian, r)
      let actual = cost - trialCost
      let rho = predicted > 0 ? actual / predicted : -1
      let previousCost = cost

      if rho > 1e-4, trialCost.isFinite {
        swap(&x, &work.trial)
        swap(&r, &work.trialResiduals)
        swap(&jacobian, &work.trialJacobian)
        needsNormalMatrix = true
        cost = trialCost
        for j in 0..<n {
          columnNorms[j] = jacobian.columnNorm(j)
          scale[j] = max(scale[j], columnNorms[j])
        }
        let t = 2 * rho - 1
        mu *= max(1.0 / 3.0, 1 - t * t * t)
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
