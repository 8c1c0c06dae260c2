import CurveFit
import Foundation

/// A run generated from the annealing law itself, step by step with the paper's recursion
/// (independent of the closed form the library uses), under a chosen schedule.
public struct SyntheticAnnealingRun: Sendable {
  public enum Decay: Sendable {
    case cosine
    case linear
    /// Stable at the peak, then linear to the floor over the last `cooldown` share of steps.
    case wsd(cooldown: Double)
    case constant
    /// `peak·√(warmup/i)` after warm-up (fairseq's `inverse_sqrt`); `floor` is ignored.
    case inverseSqrt
  }

  public var truth: AnnealingLaw
  public var steps: [Double]
  public var losses: [Double]
  public var rates: [Double]
  /// The exact areas at each logged step, in steps at peak rate.
  public var s1: [Double]
  public var s2: [Double]

  /// `total` optimiser steps with `warmup` steps of linear warm-up to `peak`, then `decay` to
  /// `floor × peak` at the last step; every `logEvery`-th step logged with multiplicative
  /// Gaussian noise.
  public init(
    truth: AnnealingLaw, total: Int, warmup: Int, peak: Double = 6e-4, decay: Decay,
    floor: Double = 0.1, noise: Double, logEvery: Int = 1, seed: UInt64
  ) {
    self.truth = truth
    var random = SeededRandom(seed: seed)
    let low = floor * peak
    func rate(_ i: Int) -> Double {
      if i <= warmup { return warmup == 0 ? peak : peak * Double(max(i, 1)) / Double(warmup) }
      let u = Double(i - warmup) / Double(total - warmup)
      switch decay {
      case .constant: return peak
      case .inverseSqrt: return peak * (Double(max(warmup, 1)) / Double(i)).squareRoot()
      case .cosine: return low + (peak - low) * 0.5 * (1 + Foundation.cos(Double.pi * u))
      case .linear: return peak - (peak - low) * u
      case .wsd(let cooldown):
        let start = Double(total) * (1 - cooldown)
        guard Double(i) > start else { return peak }
        return peak - (peak - low) * (Double(i) - start) / (Double(total) - start)
      }
    }
    var (area1, area2, momentum) = (0.0, 0.0, 0.0)
    var previous = rate(0)
    (steps, losses, rates, s1, s2) = ([], [], [], [], [])
    for i in 1...total {
      let eta = rate(i)
      area1 += eta / peak
      if i > warmup {
        momentum = truth.lambda * momentum + (previous - eta) / peak
        area2 += momentum
      }
      previous = eta
      guard i % logEvery == 0 else { continue }
      steps.append(Double(i))
      rates.append(eta)
      s1.append(area1)
      s2.append(area2)
      losses.append(truth(s1: area1, s2: area2) * (1 + noise * random.gaussian()))
    }
  }

  /// The run as a series with its learning-rate column, as ingest would build it.
  public var series: LossSeries {
    var origin = SeriesOrigin(
      source: "annealing-synthetic", format: "csv", stepColumn: "step", lossColumn: "loss",
      columns: ["step", "loss", "lr"])
    origin.learningRateColumn = "lr"
    return LossSeries(steps: steps, losses: losses, learningRates: rates, origin: origin)
  }

  /// The run as CSV with `step,loss,lr`.
  public var csv: String {
    var text = "step,loss,lr\n"
    for k in steps.indices { text += "\(Int(steps[k])),\(losses[k]),\(rates[k])\n" }
    return text
  }
}
