@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// A log that ends flat while its declared cosine still has most of its decay to come.
@Suite struct FlatBeforeDecayTests {
  /// A 10,000-step cosine run whose loss steps up by 0.08 nats around step 4,200 (a new
  /// epoch's data, as in build-nanogpt's 2.5-epoch run) and keeps that offset: cut at half, it
  /// has been flat for two thousand steps against its trend, with the rate at 57% of its peak.
  static let bump = 0.08
  static let truth = AnnealingLaw(l0: 2.5, a: 20, alpha: 0.5, c: 0.06 * 3.0 * 0.001, lambda: 0.999)

  static func run() -> SyntheticAnnealingRun {
    var run = SyntheticAnnealingRun(
      truth: truth, total: 10_000, warmup: 100, decay: .cosine, noise: 0.01, logEvery: 10, seed: 3)
    for k in run.steps.indices { run.losses[k] += offset(at: run.steps[k]) }
    return run
  }

  static func offset(at step: Double) -> Double { bump / (1 + Foundation.exp(-(step - 4_200) / 150)) }

  @Test("a plateau with the decay still to come is projected through, the end inside the 95% band")
  func projectsThroughPlateau() throws {
    let run = Self.run()
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 60
    options.schedule.declared = DeclaredSchedule(shape: .cosine, totalSteps: 10_000, warmupSteps: 100, finalRatio: 0.1)
    options.schedule.plan = "cosine"
    options.totalSteps = 10_000
    let analysis = try LossCurveAnalysis.run(Self.prefix(run), options: options)
    let plateau = try #require(analysis.health.plateaus.last)
    #expect(plateau.ongoing)
    let forecast = try #require(analysis.forecast)
    #expect(forecast.withheld == nil)
    #expect(forecast.law == .annealing)
    #expect(forecast.flatSince == plateau.startStep)
    let end = Self.truth(s1: run.s1[run.s1.count - 1], s2: run.s2[run.s2.count - 1]) + Self.offset(at: 10_000)
    let row = try #require(analysis.projections.first { $0.factor == 2 })
    // The fit leans on the offset's rise, so the end is projected a little high: within 5%.
    #expect(abs(row.loss.value / end - 1) < 0.05, "2×: \(row.loss.value) vs truth \(end)")
    #expect(try #require(row.loss.ci95).contains(end))
    // The projection falls below the loss now: the decay to come is counted.
    #expect(row.loss.value < analysis.current.value)
  }

  @Test("the same log with no schedule known still withholds: nothing says a decay is coming")
  func plateauWithoutScheduleWithholds() throws {
    let run = Self.run()
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 20
    let analysis = try LossCurveAnalysis.run(Self.prefix(run), options: options)
    let forecast = try #require(analysis.forecast)
    #expect(forecast.flatSince == nil)
    #expect(forecast.withheld?.contains("flat since") == true, "\(forecast.withheld ?? "projected")")
  }

  static func prefix(_ run: SyntheticAnnealingRun) -> LossSeries {
    let cut = run.steps.upperIndex(atMost: 5_000)
    return LossSeries(
      steps: Array(run.steps[..<cut]), losses: Array(run.losses[..<cut]),
      origin: SeriesOrigin(source: "flat-synthetic", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss"]))
  }
}
