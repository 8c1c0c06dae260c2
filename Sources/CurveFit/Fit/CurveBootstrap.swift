import Foundation
import LeastSquares

/// A moving-block bootstrap of a power-law fit's residuals: intervals that respect the
/// autocorrelation of training curves.
///
/// The weighted residuals are resampled in blocks (`BlockResampler`), added back to the fitted
/// curve, and the curve is refitted from the original solution.
struct CurveBootstrap {
  let resamples: Int
  let seed: UInt64
  let solver: LevenbergMarquardt

  /// The refitted models; failed refits are dropped.
  func models(for fit: PowerLawFit) -> [PowerLaw] {
    guard let state = fit.state, state.x.count >= 5 else { return [] }
    let n = state.x.count
    let rootWeights = state.weights.map { $0.squareRoot() }
    // Fitted values: r = √w·(f − y), so f = y + r/√w.
    let fitted = (0..<n).map { state.y[$0] + state.residuals[$0] / rootWeights[$0] }
    let form = fit.model.form
    let solver = self.solver
    return BlockResampler(resamples: resamples, seed: seed).run(residuals: state.residuals) { drawn in
      let y = (0..<n).map { fitted[$0] - drawn[$0] / rootWeights[$0] }
      let problem = PowerLawProblem(form: form, x: state.x, y: y, weights: state.weights, shiftLower: state.shiftLower)
      let summary = solver.minimize(problem, from: state.parameters)
      guard summary.finalCost.isFinite else { return nil }
      return problem.natural(summary.parameters, tRef: state.tRef).0
    }
  }
}
