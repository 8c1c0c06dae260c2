import Dispatch
import Foundation
import LeastSquares

/// A moving-block bootstrap of a power-law fit's residuals: intervals that respect the
/// autocorrelation of training curves.
///
/// Neighbouring residuals of a loss curve are correlated (smoothing, data order, slow wander),
/// so resampling them one by one understates the uncertainty. Blocks of `⌈√n⌉` consecutive
/// weighted residuals are drawn with replacement, added back to the fitted curve, and the curve
/// is refitted from the original solution; resample `k` has its own seeded generator, so the
/// result does not depend on the thread count (Künsch 1989; Lahiri 2003).
struct CurveBootstrap {
  let resamples: Int
  let seed: UInt64
  let solver: LevenbergMarquardt

  /// The refitted models; failed refits are dropped.
  func models(for fit: PowerLawFit) -> [PowerLaw] {
    guard resamples > 0, let state = fit.state, state.x.count >= 5 else { return [] }
    let n = state.x.count
    let block = max(1, Int(Double(n).squareRoot().rounded(.up)))
    let rootWeights = state.weights.map { $0.squareRoot() }
    // Fitted values: r = √w·(f − y), so f = y + r/√w.
    let fitted = (0..<n).map { state.y[$0] + state.residuals[$0] / rootWeights[$0] }
    let form = fit.model.form
    let solver = self.solver
    let seed = self.seed
    var results = [PowerLaw?](repeating: nil, count: resamples)
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    let total = resamples
    results.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let slots = buffer
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        var y = [Double](repeating: 0, count: n)
        for k in stride(from: worker, to: total, by: workers) {
          var random = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(k) &+ 1)
          var filled = 0
          while filled < n {
            let start = random.below(n - block + 1)
            for offset in 0..<min(block, n - filled) {
              y[filled] = fitted[filled] - state.residuals[start + offset] / rootWeights[filled]
              filled += 1
            }
          }
          let problem = PowerLawProblem(form: form, x: state.x, y: y, weights: state.weights)
          let summary = solver.minimize(problem, from: state.parameters)
          guard summary.finalCost.isFinite else { continue }
          slots[k] = problem.natural(summary.parameters, tRef: state.tRef).0
        }
      }
    }
    return results.compactMap { $0 }
  }
}
