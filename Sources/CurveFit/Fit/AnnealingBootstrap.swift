import Foundation
import LeastSquares

/// Refits of the annealing law to block-resampled log residuals; `λ` is held at its value
/// unless it was fitted, and then fitted again in every refit.
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
    let start = p + (state.lambda.map { [$0] } ?? [])
    return BlockResampler(resamples: resamples, seed: seed).run(residuals: residuals) { drawn, normal in
      let logY = (0..<n).map { Foundation.log(fitted[$0]) + drawn[$0] / rootWeights[$0] }
      var problem = AnnealingLawProblem(
        x1: state.x, logX1: logX1, x2: state.x2, logY: logY, rootWeights: rootWeights,
        delta: state.huberDelta, lambdaSource: state.lambdaSource)
      // The prior is uncertain too. As the residuals are redrawn around the fitted curve, its
      // centre is redrawn around the fitted C with the prior's spread (randomise-then-optimise):
      // a refit then lands on the fit when nothing is redrawn, instead of shrinking it twice.
      problem.prior = state.prior.map { prior in
        (p[3] + prior.spread * prior.center * normal.0, prior.center, prior.weight)
      }
      problem.exponentPrior = state.exponentPrior.map { prior in
        (Foundation.log(p[2]) + prior.spread * normal.1, prior.spread, prior.weight)
      }
      let summary = solver.minimize(problem, from: start)
      guard summary.finalCost.isFinite else { return nil }
      let q = summary.parameters
      return AnnealingLaw(
        l0: q[0], a: q[1] * Foundation.pow(state.tRef, q[2]), alpha: q[2], c: q[3] / state.x2Ref,
        lambda: q.count > 4 ? q[4] : lambda)
    }
  }
}
