import CurveFit
import Foundation

/// Training logs with known truth: `L(t) = lMin + c·t^(−alpha)` times `(1 + noise·N(0,1))`.
public struct SyntheticLog: Sendable {
  public var truth: PowerLaw
  public var steps: [Double]
  public var losses: [Double]

  /// Generates `count` steps `firstStep, firstStep + stride, …` with multiplicative noise.
  public init(
    truth: PowerLaw, count: Int, firstStep: Double = 1, stride: Double = 1, noise: Double,
    seed: UInt64
  ) {
    var random = SeededRandom(seed: seed)
    self.truth = truth
    steps = (0..<count).map { firstStep + Double($0) * stride }
    losses = steps.map { truth($0) * (1 + noise * random.gaussian()) }
  }

  /// The log as CSV with a header and a distracting extra column.
  public var csv: String {
    var text = "step,loss,lr\n"
    for (step, loss) in zip(steps, losses) { text += "\(formatInteger(step)),\(loss),0.0003\n" }
    return text
  }

  /// The log as JSON lines, with an extra key before the loss.
  public var jsonLines: String {
    var text = ""
    for (step, loss) in zip(steps, losses) {
      text += "{\"step\": \(formatInteger(step)), \"lr\": 0.0003, \"loss\": \(loss)}\n"
    }
    return text
  }

  public var series: LossSeries { .synthetic(steps: steps, losses: losses, source: "synthetic") }

  private func formatInteger(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
  }
}

extension LossSeries {
  /// A series built in memory by a test, named `source`, with columns `step` and `loss`.
  public static func synthetic(steps: [Double], losses: [Double], source: String) -> LossSeries {
    LossSeries(
      steps: steps, losses: losses,
      origin: SeriesOrigin(
        source: source, format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss"]))
  }
}

/// Relative error `|a − b| / |b|`.
public func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }
