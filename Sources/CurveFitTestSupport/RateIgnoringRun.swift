import CurveFit
import Foundation

/// A loss that follows the rate's area through a 100-step warm-up and then ignores the rate,
/// falling as a power law in steps, `10.5·(t − 50)^−0.3` (a small model memorising its data, as
/// nanoGPT's Shakespeare demo does under its cosine): 1% noise, every 10 steps to step 1,000.
public struct RateIgnoringRun: Sendable {
  public var steps: [Double]
  public var losses: [Double]

  public init(seed: UInt64) {
    var random = SeededRandom(seed: seed)
    steps = stride(from: 10.0, through: 1_000, by: 10).map { $0 }
    losses = steps.map { Self.truth(at: $0) * (1 + 0.01 * random.gaussian()) }
  }

  /// The noiseless loss at `step`, whatever the rate does after the warm-up.
  public static func truth(at step: Double) -> Double {
    let area = step <= 100 ? step * step / 200 : step - 50
    return 10.5 * pow(max(area, 1), -0.3)
  }

  public var series: LossSeries {
    LossSeries(
      steps: steps, losses: losses,
      origin: SeriesOrigin(source: "ignores its rate", format: "csv", stepColumn: "step", lossColumn: "loss", columns: []))
  }

  public var csv: String {
    "step,loss\n" + zip(steps, losses).map { "\(Int($0)),\($1)\n" }.joined()
  }

  /// The flags that declare the cosine this run's log says nothing of: 5,000 steps, warm-up 100, to 10%.
  public static let declaredFlags = ["--schedule", "cosine", "--total-steps", "5000", "--warmup-steps", "100", "--final-lr-ratio", "0.1"]
}
