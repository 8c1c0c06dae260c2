@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// A warm-up whose peak falls between two logged points.
@Suite("Sparse warm-up")
struct SparseWarmupTests {
  static let truth = AnnealingLaw(l0: 2.0, a: 4, alpha: 0.45, c: 1.5e-4, lambda: 0.999)

  /// The first `cut` steps of a 20,000-step cosine to 10% after a 500-step warm-up, logged every
  /// 200 steps: the peak is logged first at step 600.
  static func prefix(to cut: Double) -> LossSeries {
    let run = SyntheticAnnealingRun(
      truth: truth, total: 20_000, warmup: 500, decay: .cosine, noise: 0, logEvery: 200, seed: 3)
    let full = run.series
    let count = full.steps.upperIndex(atMost: cut)
    return LossSeries(
      steps: Array(full.steps[..<count]), losses: Array(full.losses[..<count]),
      learningRates: full.learningRates.map { Array($0[..<count]) }, origin: full.origin)
  }

  @Test("the warm-up ends where its last rising rates reach the peak, and the cosine's end is read from there")
  func warmupEndBetweenPoints() throws {
    let schedule = try #require(LearningRateSchedule.detect(Self.prefix(to: 4_000)))
    // Rates 0.8 and 1.0 of the peak (×6e-4) logged at 400 and 600 minus the cosine's first
    // 0.006%: the straight line through 200 (0.4) and 400 (0.8) reaches the peak at 500.
    #expect(abs(schedule.warmupSteps - 500) < 1, "\(schedule.warmupSteps)")
    #expect(schedule.shape == .cosine)
    // Read from 600, the same rates were a cosine ending at step 10,760 at 72% of the peak.
    #expect(abs(schedule.plannedEnd - 20_000) / 20_000 < 0.1, "\(schedule.plannedEnd)")
    // The curve holds the peak at the warm-up's end: no rise after it, no negative decay area.
    let areas = schedule.observed.areas(at: [600, 1_000, 4_000], lambda: 0.999)
    #expect(areas.s2.allSatisfy { $0 >= 0 }, "\(areas.s2)")
  }

  @Test("a log cut while its rate still rises keeps the warm-up running to its last step")
  func stillRising() throws {
    // A warm-up rising ever more slowly (a cosine or exponential ramp), cut before its peak: the
    // line through 0.70 and 0.85 reaches 0.95 two thirds of the way to the last point, but the
    // rate may still be rising there.
    let steps: [Double] = [100, 200, 300, 400, 500]
    let rates = [0.2, 0.5, 0.7, 0.85, 0.95].map { $0 * 1e-3 }
    var origin = SeriesOrigin(
      source: "rising", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss", "lr"])
    origin.learningRateColumn = "lr"
    let series = LossSeries(steps: steps, losses: [5, 4, 3.5, 3.2, 3.0], learningRates: rates, origin: origin)
    let schedule = try #require(LearningRateSchedule.detect(series))
    #expect(schedule.warmupSteps == 500)
  }
}
