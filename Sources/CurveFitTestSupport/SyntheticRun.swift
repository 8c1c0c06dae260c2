import CurveFit
import Foundation

/// A training run with injected events at known steps, shaped as `gen_log.py` shapes them:
/// spikes multiply the loss by `1 + (m − 1)(1 − k/R)²` for `k = 0…R−1`; a plateau holds the loss
/// at its starting value; a divergence multiplies the last rows by `10^(k²)` (`k` from 0 to 1) and
/// ends in non-finite values.
public struct SyntheticRun: Sendable {
  public var truth: PowerLaw
  public var steps: [Double]
  public var losses: [Double]
  public var spikeSteps: [Double] = []
  public var divergenceStep: Double?
  public var plateau: ClosedRange<Double>?

  public struct Events: Sendable {
    public var spikes = 0
    public var spikeMagnitude = 1.5...4.0
    public var spikeRecovery = 20...80
    /// Plateau start and length as fractions of the run.
    public var plateau: (start: Double, length: Double)?
    public var diverge = false
    public init() {}
  }

  public init(truth: PowerLaw, rows: Int, noise: Double, events: Events, seed: UInt64) {
    var random = SeededRandom(seed: seed)
    self.truth = truth
    steps = (1...rows).map(Double.init)
    var base = steps.map { truth($0) }
    var divergenceStart = rows
    var divergenceLength = 0
    if events.diverge {
      divergenceLength = min(2_000, max(50, rows / 100))
      divergenceStart = rows - divergenceLength
      divergenceStep = steps[divergenceStart]
    }
    if let plateau = events.plateau {
      let start = Int(plateau.start * Double(rows))
      let end = min(divergenceStart - 1, start + Int(plateau.length * Double(rows)))
      for i in start...end { base[i] = base[start] }
      self.plateau = steps[start]...steps[end]
    }
    losses = base.map { $0 * max(0.05, 1 + noise * random.gaussian()) }
    // Spikes: well separated, after the first 5%, clear of the plateau and the divergence.
    var placed: [Int] = []
    var attempts = 0
    while placed.count < events.spikes, attempts < 10_000 {
      attempts += 1
      let at = Int(Double(rows) * (0.05 + 0.9 * random.uniform()))
      let recovery = events.spikeRecovery.lowerBound
        + Int(random.uniform() * Double(events.spikeRecovery.count))
      guard at + recovery < divergenceStart - 100 else { continue }
      if let plateau = self.plateau, Double(at) > plateau.lowerBound - 200, Double(at) < plateau.upperBound + 200 {
        continue
      }
      guard placed.allSatisfy({ abs($0 - at) > 500 }) else { continue }
      let magnitude = events.spikeMagnitude.lowerBound
        + random.uniform() * (events.spikeMagnitude.upperBound - events.spikeMagnitude.lowerBound)
      for k in 0..<recovery {
        let fraction = 1 - Double(k) / Double(recovery)
        losses[at + k] *= 1 + (magnitude - 1) * fraction * fraction
      }
      placed.append(at)
    }
    spikeSteps = placed.sorted().map { steps[$0] }
    if events.diverge {
      let bad = max(3, divergenceLength / 20)
      let rise = divergenceLength - bad
      for k in 0..<rise {
        let x = Double(k) / Double(max(1, rise - 1))
        losses[divergenceStart + k] *= Foundation.exp(Foundation.log(10) * x * x)
      }
      for k in (rows - bad)..<rows { losses[k] = k % 2 == 0 ? .infinity : .nan }
    }
  }

  public var series: LossSeries { .synthetic(steps: steps, losses: losses, source: "synthetic-run") }
}
