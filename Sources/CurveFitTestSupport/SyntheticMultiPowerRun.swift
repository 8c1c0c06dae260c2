import CurveFit
import Foundation

/// A run whose truth is not curvefit's annealing law but the multi-power law of Luo et al.
/// (2025), in which each decrement of the rate lowers the loss by an amount that saturates with
/// the training since:
/// ```
/// L(t) = L0 + A·S1(t)^−α − B·Σ_k (η_{k−1} − η_k)·(1 − (C·η_k^−γ·S_k(t) + 1)^−β)
/// ```
/// with rates as fractions of the peak, `S1(t)` their area to step `t` and `S_k(t)` from step `k`
/// to `t`. Warm-up then a cosine to `floor` of the peak; logged every `logEvery` steps with
/// multiplicative Gaussian noise.
public struct SyntheticMultiPowerRun: Sendable {
  public struct Law: Sendable {
    public var l0 = 2.0, a = 4.0, alpha = 0.45, b = 0.25, c = 2e-3, beta = 0.5, gamma = 0.5
    public init() {}
  }

  public var steps: [Double] = []
  public var losses: [Double] = []
  public var rates: [Double] = []
  /// The noiseless loss at each logged step.
  public var truth: [Double] = []

  public init(
    law: Law = Law(), total: Int, warmup: Int, peak: Double = 3e-4, floor: Double = 0.1, noise: Double,
    logEvery: Int, seed: UInt64
  ) {
    var random = SeededRandom(seed: seed)
    let fractions = (0...total).map { i -> Double in
      if i <= warmup { return Double(max(i, 1)) / Double(max(warmup, 1)) }
      let u = Double(i - warmup) / Double(total - warmup)
      return floor + (1 - floor) * 0.5 * (1 + Foundation.cos(Double.pi * u))
    }
    var area = [Double](repeating: 0, count: total + 1)
    for i in 1...total { area[i] = area[i - 1] + fractions[i] }
    // Only the decrements after warm-up lower the loss; the rises of warm-up add nothing.
    let decrements = (1...total).filter { fractions[$0 - 1] > fractions[$0] }
    for t in stride(from: logEvery, through: total, by: logEvery) {
      var bonus = 0.0
      for k in decrements where k <= t {
        let since = law.c * Foundation.pow(fractions[k], -law.gamma) * (area[t] - area[k - 1])
        bonus += (fractions[k - 1] - fractions[k]) * (1 - Foundation.pow(since + 1, -law.beta))
      }
      let loss = law.l0 + law.a * Foundation.pow(area[t], -law.alpha) - law.b * bonus
      steps.append(Double(t))
      rates.append(peak * fractions[t])
      truth.append(loss)
      losses.append(loss * (1 + noise * random.gaussian()))
    }
  }
}
