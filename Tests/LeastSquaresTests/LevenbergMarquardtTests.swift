import Foundation
import Testing

@testable import LeastSquares

/// y = a·exp(−b·x), as in scipy's ExponentialFittingProblem.
struct ExponentialProblem: LeastSquaresProblem {
  let x: [Double]
  let y: [Double]
  var parameterCount: Int { 2 }
  var residualCount: Int { x.count }

  func residuals(at p: [Double], into r: inout [Double]) {
    for i in x.indices { r[i] = p[0] * Foundation.exp(-p[1] * x[i]) - y[i] }
  }

  func jacobian(at p: [Double], into j: inout Matrix) {
    for i in x.indices {
      let e = Foundation.exp(-p[1] * x[i])
      j[i, 0] = e
      j[i, 1] = -p[0] * x[i] * e
    }
  }
}

/// The Rosenbrock function as least squares: r = (10·(p1 − p0²), 1 − p0); minimum at (1, 1).
struct RosenbrockProblem: LeastSquaresProblem {
  var lowerBounds: [Double] = [-.infinity, -.infinity]
  var upperBounds: [Double] = [.infinity, .infinity]
  var parameterCount: Int { 2 }
  var residualCount: Int { 2 }

  func residuals(at p: [Double], into r: inout [Double]) {
    r[0] = 10 * (p[1] - p[0] * p[0])
    r[1] = 1 - p[0]
  }

  func jacobian(at p: [Double], into j: inout Matrix) {
    j[0, 0] = -20 * p[0]
    j[0, 1] = 10
    j[1, 0] = -1
    j[1, 1] = 0
  }
}

@Suite struct LevenbergMarquardtTests {
  @Test func exactExponentialIsRecovered() {
    let x = (0..<20).map { Double($0) * 0.25 }
    let problem = ExponentialProblem(x: x, y: x.map { 2.5 * Foundation.exp(-1.3 * $0) })
    let summary = LevenbergMarquardt().minimize(problem, from: [1, 0.1])
    #expect(summary.converged)
    #expect(abs(summary.parameters[0] - 2.5) < 1e-8)
    #expect(abs(summary.parameters[1] - 1.3) < 1e-8)
    #expect(summary.finalCost < 1e-16)
  }

  @Test func rosenbrockFromTheClassicStart() {
    let summary = LevenbergMarquardt().minimize(RosenbrockProblem(), from: [-1.2, 1])
    #expect(summary.converged)
    #expect(abs(summary.parameters[0] - 1) < 1e-8)
    #expect(abs(summary.parameters[1] - 1) < 1e-8)
  }

  @Test func normalEquationsReachTheSameOptimum() {
    var options = LevenbergMarquardt.Options()
    options.normalEquations = true
    let solver = LevenbergMarquardt(options: options)
    let x = (0..<20).map { Double($0) * 0.25 }
    let noisy = x.enumerated().map { 2.5 * Foundation.exp(-1.3 * $1) + 0.01 * Foundation.sin(Double($0)) }
    let problem = ExponentialProblem(x: x, y: noisy)
    let byQR = LevenbergMarquardt().minimize(problem, from: [1, 0.1])
    let byCholesky = solver.minimize(problem, from: [1, 0.1])
    #expect(byCholesky.converged)
    for k in 0..<2 { #expect(abs(byCholesky.parameters[k] - byQR.parameters[k]) < 1e-7) }
    let rosenbrock = solver.minimize(RosenbrockProblem(), from: [-1.2, 1])
    #expect(abs(rosenbrock.parameters[0] - 1) < 1e-7 && abs(rosenbrock.parameters[1] - 1) < 1e-7)
    // With a bound active the fixed parameter gets no step, as in the QR path.
    var bounded = RosenbrockProblem()
    bounded.upperBounds = [0.5, .infinity]
    let constrained = solver.minimize(bounded, from: [-1.2, 1])
    #expect(abs(constrained.parameters[0] - 0.5) < 1e-9 && abs(constrained.parameters[1] - 0.25) < 1e-7)
  }

  @Test func boundsAreHonoured() {
    // The unconstrained minimum is (1, 1); with p0 ≤ 0.5 the constrained minimum of
    // 100·(p1 − p0²)² + (1 − p0)² is at p0 = 0.5, p1 = 0.25 (by hand: set p1 = p0², minimise
    // (1 − p0)² on p0 ≤ 0.5).
    var problem = RosenbrockProblem()
    problem.upperBounds = [0.5, .infinity]
    let summary = LevenbergMarquardt().minimize(problem, from: [-1.2, 1])
    #expect(abs(summary.parameters[0] - 0.5) < 1e-9)
    #expect(abs(summary.parameters[1] - 0.25) < 1e-7)
    #expect(summary.atBound == [true, false])
  }

  @Test func nonFiniteStartIsReportedNotCrashed() {
    let problem = ExponentialProblem(x: [1, 2, 3], y: [1, .nan, 3])
    let summary = LevenbergMarquardt().minimize(problem, from: [1, 1])
    #expect(!summary.converged)
    #expect(summary.reason == .nonFiniteStart)
  }

  @Test func iterationLimitIsNotConvergence() {
    var options = LevenbergMarquardt.Options()
    options.maxIterations = 2
    let summary = LevenbergMarquardt(options: options).minimize(RosenbrockProblem(), from: [-1.2, 1])
    #expect(summary.reason == .maxIterations)
    #expect(!summary.converged)
  }

  @Test func invalidOptionsNameTheField() {
    var options = LevenbergMarquardt.Options()
    options.costTolerance = -1
    #expect(throws: LevenbergMarquardt.OptionsError.self) { try options.validate() }
    do {
      try options.validate()
    } catch {
      #expect(error.description == "LevenbergMarquardt.Options.costTolerance is -1.0, expected a positive finite number")
    }
  }

  @Test func covarianceOfStraightLineMatchesTextbook() throws {
    // For y = a + b·x with residual variance s², Var(b) = s² / Σ(x − x̄)².
    let x = [0.0, 1, 2, 3, 4]
    let y = [1.1, 2.9, 5.2, 6.8, 9.1]
    var jacobian = Matrix(rows: 5, columns: 2)
    for i in 0..<5 { jacobian[i, 0] = 1; jacobian[i, 1] = x[i] }
    let fit = try #require(LAPACK.solveQR(jacobian, y))
    let residuals = (0..<5).map { fit.x[0] + fit.x[1] * x[$0] - y[$0] }
    let s2 = residuals.reduce(0) { $0 + $1 * $1 } / 3
    let covariance = Covariance(jacobian: jacobian, residuals: residuals)
    let errors = try #require(covariance.standardErrors)
    #expect(abs(errors[1] - (s2 / 10).squareRoot()) < 1e-12)
    #expect(covariance.rank == 2)
  }

  @Test func singularJacobianGivesNoCovariance() {
    var jacobian = Matrix(rows: 4, columns: 2)
    for i in 0..<4 { jacobian[i, 0] = 1; jacobian[i, 1] = 2 }
    let covariance = Covariance(jacobian: jacobian, residuals: [0.1, -0.1, 0.2, 0])
    #expect(covariance.matrix == nil)
    #expect(covariance.problem?.contains("rank-deficient") == true)
  }
}
