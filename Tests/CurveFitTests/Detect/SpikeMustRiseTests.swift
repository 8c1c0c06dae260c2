import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// An excursion above the trend is a spike only if the loss rose: early in a sparse log the loss
/// can fall 6% from one point to the next and still sit above a trend that falls faster.
@Suite struct SpikeMustRiseTests {
  /// 200 points every 100 steps, `2 + 8·t^-0.35 + 5·e^(−t/150)` with 0.5% noise; the loss at
  /// step 300 multiplied by `factor`.
  static func run(factor: Double) -> LossSeries {
    var random = SeededRandom(seed: 1)
    let steps = (1...200).map { 100 * Double($0) }
    let losses = steps.map { t in
      (2 + 8 * Foundation.pow(t, -0.35) + 5 * Foundation.exp(-t / 150)) * (1 + 0.005 * random.gaussian())
        * (t == 300 ? factor : 1)
    }
    return .synthetic(steps: steps, losses: losses, source: "early-fall")
  }

  @Test func aPointStillBelowTheOneBeforeIsNoSpike() throws {
    let series = Self.run(factor: 1.15)
    #expect(series.losses[2] < series.losses[1], "the test needs the loss at 300 below the one at 200")
    let analysis = try LossCurveAnalysis.run(series, options: .init())
    #expect(analysis.health.spikes.isEmpty, "\(analysis.health.spikes)")
    #expect(HealthVerdict(analysis.health).sentence == "healthy")
  }

  @Test func aPointAboveTheOneBeforeIsOne() throws {
    let series = Self.run(factor: 1.5)
    #expect(series.losses[2] > series.losses[1])
    let analysis = try LossCurveAnalysis.run(series, options: .init())
    #expect(analysis.health.spikes.contains { $0.startStep == 300 }, "\(analysis.health.spikes)")
  }
}
