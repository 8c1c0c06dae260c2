import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// A loss that reached its lowest and has climbed gradually since (an evaluation loss past its
/// best) is a divergence from its low; a flat noisy log and a jump the loss has not come down
/// from are not.
@Suite struct RiseSinceLowestTests {
  /// `0.30 + 0.25·e^(−8u) + 0.12·max(0, u − 0.35)` over `u = i/n`, evaluated every 100 steps:
  /// lowest at u = ln(2/0.12)/8 = 0.352, then up ×1.2 by the end.
  static func overfitting(points: Int, noise: Double, seed: UInt64) -> LossSeries {
    var random = SeededRandom(seed: seed)
    let steps = (1...points).map { 100 * Double($0) }
    let losses = (1...points).map { i -> Double in
      let u = Double(i) / Double(points)
      return (0.30 + 0.25 * Foundation.exp(-8 * u) + 0.12 * max(0, u - 0.35)) * (1 + noise * random.gaussian())
    }
    return .synthetic(steps: steps, losses: losses, source: "eval")
  }

  static func findings(_ series: LossSeries) -> HealthFindings {
    HealthCheck().run(series, fromStep: series.steps[0], trend: nil, trendFitter: { _ in nil })
  }

  @Test(arguments: [8, 20, 60])
  func aCurvePastItsLowestRises(points: Int) throws {
    let series = Self.overfitting(points: points, noise: 0.003, seed: UInt64(points))
    let divergence = try #require(Self.findings(series).divergence)
    // Onset within a window (a tenth of the points, at least 3) of the true low at 35% of the run.
    let low = 0.352 * Double(points) * 100
    let window = Double(max(3, points / 10)) * 100
    #expect(abs(divergence.startStep - low) <= window, "onset \(divergence.startStep), low \(low)")
    // The median-based climb is below the true ×1.20 (windows average part of it) and above ×1.1.
    #expect(divergence.riseRatio > 1.1 && divergence.riseRatio < 1.25, "\(divergence.riseRatio)")
    #expect(divergence.severity == .warning)
  }

  @Test func theWhisperEvaluationsRise() throws {
    // hf-trainer-whisper-ja's five evaluation losses (steps 1,000–5,000): ×1.31, one rise after another.
    let series = LossSeries.synthetic(
      steps: [1_000, 2_000, 3_000, 4_000, 5_000], losses: [0.3210, 0.3585, 0.3937, 0.4123, 0.4200], source: "whisper")
    let divergence = try #require(Self.findings(series).divergence)
    #expect(divergence.startStep == 1_000)
  }

  @Test func aFlatNoisyLogDoesNotRise() {
    // 15% noise on a flat loss, 20 seeds × 50 points: the lowest of many windows sits low by chance.
    for seed in 1...20 {
      var random = SeededRandom(seed: UInt64(seed))
      let steps = (1...50).map(Double.init)
      let losses = steps.map { _ in 2.0 * Foundation.exp(0.15 * random.gaussian()) }
      let series = LossSeries.synthetic(steps: steps, losses: losses, source: "flat")
      let residuals = Residuals(series: series, trend: nil, fromStep: 1)
      #expect(RiseSinceLowest.divergence(residuals, series: series, options: HealthOptions()) == nil, "seed \(seed)")
    }
  }

  @Test func aJumpIsASpikeNotADrift() {
    // BLOOM 13B's excerpt (tr1-13B, iterations 29,020–29,090): ×2.6 in one step, easing back since.
    let losses = [2.7759, 2.7728, 2.7681, 7.3437, 8.7159, 7.6541, 7.1925, 6.8490]
    let series = LossSeries.synthetic(steps: (0..<8).map { 29_020 + 10 * Double($0) }, losses: losses, source: "bloom")
    let residuals = Residuals(series: series, trend: nil, fromStep: 0)
    #expect(RiseSinceLowest.divergence(residuals, series: series, options: HealthOptions()) == nil)
  }

  @Test func aLossRisingInItsLastPrintedDigitIsNoRise() {
    // A loss near zero printed with four decimals (a memorising fine-tune): 0.00010 creeping to
    // 0.00016 prints as 0.0001 and 0.0002, "doubled" in its digits only.
    let losses = (0..<40).map { (i: Int) -> Double in
      let loss: Double = 0.00010 + 0.00006 * Double(i) / 39
      return (loss * 10_000).rounded() / 10_000
    }
    let series = LossSeries.synthetic(steps: (1...40).map(Double.init), losses: losses, source: "digits")
    let residuals = Residuals(series: series, trend: nil, fromStep: 1)
    #expect(RiseSinceLowest.divergence(residuals, series: series, options: HealthOptions()) == nil)
  }
}
