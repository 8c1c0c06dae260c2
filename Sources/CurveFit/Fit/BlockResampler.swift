import Dispatch
import Foundation

/// Moving-block resampling of a fit's standardised residuals, on all cores, deterministically.
///
/// Neighbouring residuals of a loss curve are correlated (smoothing, data order, slow wander),
/// so resampling them one by one understates the uncertainty. Blocks of `⌈√n⌉` consecutive
/// residuals are drawn with replacement (Künsch 1989; Lahiri 2003); resample `k` has its own
/// seeded generator, so the result does not depend on the thread count.
/// Where a long bootstrap says how far it is (the CLI prints it on a terminal); `nil`: silent.
public enum BootstrapProgress {
  nonisolated(unsafe) public static var report: (@Sendable (_ done: Int, _ total: Int) -> Void)?
}

struct BlockResampler {
  /// Resamples of the first worker between two progress reports.
  static let reportEvery = 50

  let resamples: Int
  let seed: UInt64

  /// Calls `refit` with each resampled residual vector; failed refits (`nil`) are dropped.
  func run<Model: Sendable>(residuals: [Double], refit: @Sendable ([Double]) -> Model?) -> [Model] {
    run(residuals: residuals) { drawn, _ in refit(drawn) }
  }

  /// As `run(residuals:refit:)`, also handing each refit two independent standard normal
  /// deviates of its own (drawn after the blocks, so the residual draws are those of the plain
  /// form): a refit with priors redraws their centres from them.
  func run<Model: Sendable>(
    residuals: [Double], refit: @Sendable ([Double], _ normals: (Double, Double)) -> Model?
  ) -> [Model] {
    let n = residuals.count
    guard resamples > 0, n >= 5 else { return [] }
    let block = max(1, Int(Double(n).squareRoot().rounded(.up)))
    let seed = self.seed
    let total = resamples
    var results = [Model?](repeating: nil, count: resamples)
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    results.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let slots = buffer
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        var drawn = [Double](repeating: 0, count: n)
        for k in stride(from: worker, to: total, by: workers) {
          var random = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(k) &+ 1)
          var filled = 0
          while filled < n {
            let start = random.below(n - block + 1)
            for offset in 0..<min(block, n - filled) {
              drawn[filled] = residuals[start + offset]
              filled += 1
            }
          }
          // Box–Muller from two uniforms in (0, 1] and [0, 1).
          let u1 = (Double(random.next() >> 11) + 1) * 0x1p-53
          let u2 = Double(random.next() >> 11) * 0x1p-53
          let radius = (-2 * Foundation.log(u1)).squareRoot()
          let normals = (radius * Foundation.cos(2 * Double.pi * u2), radius * Foundation.sin(2 * Double.pi * u2))
          slots[k] = refit(drawn, normals)
          // The first worker speaks for all: it has done about a `workers`-th of the resamples.
          if worker == 0, let report = BootstrapProgress.report, k % (workers * Self.reportEvery) == 0 {
            report(k + 1, total)
          }
        }
      }
    }
    return results.compactMap { $0 }
  }
}
