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
    guard deviation.isFinite else { return Estimate(value: value) }
    let half = Estimate.z95 * deviation
    return Estimate(value: value, ci95: (value - half)...(value + half))
  }
}

/// Refits of the annealing law to block-resampled log residuals, `λ` held at its fitted value.
struct AnnealingBootstrap {
  let resamples: Int
  let seed: UInt64
  let solver: LevenbergMarquardt

  func models(for fit: AnnealingFit) -> [AnnealingLaw] {
    guard let state = fit.state, state.x.count >= 5 else { return [] }
    let n = state.x.count
    let p = state.parameters
    let logX1 = state.x.map { Foundation.log($0) }
    let rootWeights = state.weights.map { $0.squareRoot() }
    let fitted = (0..<n).map { p[0] + p[1] * Foundation.exp(-p[2] * logX1[$0]) - p[3] * state.x2[$0] }
    guard fitted.allSatisfy({ $0 > 0 }) else { return [] }
    // Standardised log residuals: bins of many points are less noisy by √count.
    let residuals = (0..<n).map { rootWeights[$0] * (Foundation.log(state.y[$0]) - Foundation.log(fitted[$0])) }
    let solver = self.solver
    let lambda = fit.model.lambda
    return BlockResampler(resamples: resamples, seed: seed).run(residuals: residuals) { drawn in
      let logY = (0..<n).map { Foundation.log(fitted[$0]) + drawn[$0] / rootWeights[$0] }
      let problem = AnnealingLawProblem(
        x1: state.x, logX1: logX1, x2: state.x2, logY: logY, rootWeights: rootWeights,
        delta: state.huberDelta, lambdaSource: nil)
      let summary = solver.minimize(problem, from: p)
      guard summary.finalCost.isFinite else { return nil }
      let q = summary.parameters
      return AnnealingLaw(
        l0: q[0], a: q[1] * Foundation.pow(state.tRef, q[2]), alpha: q[2], c: q[3] / state.x2Ref,
        lambda: lambda)
    }
  }
}
