@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// A finished run read whole: its logged rate has decayed to zero, so no decay is left to lower
/// the loss below what the power law projects.
@Suite struct DecayDoneTests {
  /// The annealing law's own run, linear to zero over 10,000 steps after 500 of warm-up, ±0.5%.
  static let run = SyntheticAnnealingRun(
    truth: AnnealingLaw(l0: 2.0, a: 6, alpha: 0.5, c: 0.06 * 2.5 * 0.001, lambda: 0.999),
    total: 10_000, warmup: 500, decay: .linear, floor: 0, noise: 0.005, logEvery: 10, seed: 21)

  /// The run up to `last`, the power law made to project (`--model power`).
  static func analysed(to last: Double, totalSteps: Double? = nil) throws -> LossCurveAnalysis {
    let cut = run.steps.upperIndex(atMost: last)
    let log = LossSeries(
      steps: Array(run.steps[..<cut]), losses: Array(run.losses[..<cut]),
      learningRates: Array(run.rates[..<cut]), origin: run.series.origin)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 40
    options.model = .power
    options.schedule.mode = .off
    options.totalSteps = totalSteps
    return try LossCurveAnalysis.run(log, options: options)
  }

  @Test("a rate already at zero leaves no cooldown's drop below the planned end a few steps on")
  func finishedRunHasNoDownside() throws {
    let analysis = try Self.analysed(to: 10_000, totalSteps: 10_050)
    let forecast = try #require(analysis.forecast)
    #expect(forecast.shapeError.scheduleKnown)
    #expect(forecast.shapeError.unknownScheduleDown == 0)
    let end = try #require(forecast.plannedEnd)
    let band = try #require(end.loss.ci95)
    // Half a percent of steps on, the loss of a run at rate zero: the band is the noise's and
    // the power law's own shape error (about 1% here), not the 9% a cooldown still to come
    // (5% at 1.96σ) opened below it.
    #expect(band.lowerBound > 0.975 * end.loss.value, "planned end \(end.loss.value), band \(band)")
    let truth = Self.run.losses.suffix(20).sorted()[10]
    #expect(abs(end.loss.value / truth - 1) < 0.01, "planned end \(end.loss.value) vs last losses \(truth)")
  }

  @Test("half-way down the same decay, the power law's bands still allow for the rest of it")
  func halfWayKeepsTheDownside() throws {
    let analysis = try Self.analysed(to: 5_000)
    let forecast = try #require(analysis.forecast)
    #expect(!forecast.shapeError.scheduleKnown)
    #expect(forecast.shapeError.unknownScheduleDown >= 0.05)
  }
}
