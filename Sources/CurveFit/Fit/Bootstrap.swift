import Dispatch
import Foundation

/// Percentile bootstrap over runs: resample rows with replacement, refit, recompute every
/// derived number, and read 80% and 95% intervals off the percentiles.
///
/// Resample `k` uses its own generator seeded from `(seed, k)`, so the intervals are the same
/// whatever the thread count.
struct Bootstrap {
  let resamples: Int
  let seed: UInt64

  /// Runs `statistic` on `resamples` index sets; a `nil` result (a failed refit) is dropped.
  func run(rows: Int, statistic: @Sendable @escaping ([Int]) -> [Double]?) -> [[Double]] {
    run(strata: [Array(0..<rows)]) { statistic($0[0]) }
  }

  /// Like `run(rows:statistic:)`, but resampling within each stratum (each isoFLOP budget keeps
  /// its number of runs); the statistic gets the resampled row indices of every stratum.
  func run(strata: [[Int]], statistic: @Sendable @escaping ([[Int]]) -> [Double]?) -> [[Double]] {
    var results = [[Double]?](repeating: nil, count: resamples)
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    let seed = self.seed
    let total = resamples
    results.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let slots = buffer
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        for k in stride(from: worker, to: total, by: workers) {
          var random = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(k) &+ 1)
          let resampled = strata.map { rows in rows.map { _ in rows[random.below(rows.count)] } }
          slots[k] = statistic(resampled)
        }
      }
    }
    return results.compactMap { $0 }
  }

  /// The `[low, high]` percentile interval of each component at `level` (e.g. 0.95), ignoring
  /// non-finite values; `nil` for a component with fewer than 10 finite values.
  static func intervals(_ samples: [[Double]], level: Double) -> [ClosedRange<Double>?] {
    guard let width = samples.first?.count else { return [] }
    return (0..<width).map { component in
      let values = samples.map { $0[component] }.filter(\.isFinite).sorted()
      guard values.count >= 10 else { return nil }
      let tail = (1 - level) / 2
      return percentile(values, tail)...percentile(values, 1 - tail)
    }
  }

  /// Linear interpolation between order statistics (numpy's default).
  static func percentile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let low = Int(position.rounded(.down))
    let high = min(low + 1, sorted.count - 1)
    let fraction = position - Double(low)
    return sorted[low] + fraction * (sorted[high] - sorted[low])
  }
}
