@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// A declared schedule makes the annealing law project even when its fit is not reliable; its
/// bands then hold the power law's, which the same log with its rates logged would print.
@Suite struct UnreliableDeclaredFitTests {
  static func analysed(_ series: LossSeries) throws -> LossCurveAnalysis {
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 100
    options.schedule.declared = DeclaredSchedule(shape: .cosine, totalSteps: 5_000, warmupSteps: 100, finalRatio: 0.1)
    options.schedule.plan = "cosine"
    options.totalSteps = 5_000
    return try LossCurveAnalysis.run(series, options: options)
  }

  // Seeds 1, 5 and 6 pin `L0` at 0. Of seeds 1–6 the rest show the rule's reach: on 2 and 3
  // the fit converges (`L0` 0.18 and 0.11) and projects high, its own band missing the end (3:
  // 0.925, 0.849–1.008, for 0.818); on 4 it pins, and the band holding the power law's still
  // misses the end (docs/forecasting.md).
  @Test("a cosine declared for a loss that ignores it: the pinned annealing fit projects, its band holds the end", arguments: [1, 5, 6] as [UInt64])
  func bandHoldsTheEnd(seed: UInt64) throws {
    let analysis = try Self.analysed(RateIgnoringRun(seed: seed).series)
    let schedule = try #require(analysis.schedule)
    let fit = try #require(schedule.fit)
    #expect(schedule.chosen)
    #expect(!fit.converged, "the annealing fit converged: \(fit.model)")
    let forecast = try #require(analysis.forecast)
    #expect(forecast.law == .annealing)
    #expect(forecast.bandHoldsPowerLaw)
    let end = try #require(forecast.plannedEnd)
    let truth = RateIgnoringRun.truth(at: 5_000)
    // The annealing law counts the cosine's smaller area and projects about 10% high; its own
    // band (0.85–0.96 for a truth of 0.818 on the same log generated in Python) left the end out.
    #expect(end.loss.value > 1.05 * truth, "planned end \(end.loss.value) vs \(truth)")
    #expect(try #require(end.loss.ci95).contains(truth), "planned end \(end.loss) vs \(truth)")
    let twice = try #require(analysis.projections.first { $0.factor == 2 })
    #expect(try #require(twice.loss.ci95).contains(twice.loss.value))
  }

  @Test("a converged annealing fit under a declared schedule keeps its own bands")
  func convergedFitKeepsItsBands() throws {
    let run = SyntheticAnnealingRun(
      truth: AnnealingLaw(l0: 1.8, a: 6, alpha: 0.5, c: 0.06 * 2.0 * (1 - 0.999), lambda: 0.999),
      total: 20_000, warmup: 200, decay: .cosine, floor: 0.1, noise: 0.01, logEvery: 10, seed: 1)
    let cut = PriorConflictTests.prefix(run, to: 10_000)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 60
    options.schedule.declared = DeclaredSchedule(shape: .cosine, totalSteps: 20_000, warmupSteps: 200, finalRatio: 0.1)
    options.schedule.plan = "cosine"
    options.totalSteps = 20_000
    let series = LossSeries(steps: cut.steps, losses: cut.losses, origin: cut.origin)
    let analysis = try LossCurveAnalysis.run(series, options: options)
    #expect(try #require(analysis.schedule?.fit).converged)
    #expect(try #require(analysis.forecast).bandHoldsPowerLaw == false)
  }
}
