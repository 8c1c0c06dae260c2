@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

@Suite("Intervals hold their values")
struct IntervalContainmentTests {
  /// Runs whose bonus is the prior's, a third of it, none, or eight times it, cut from a tenth to
  /// half-way, logged every step or sparsely: C from the prior alone to the data alone. The
  /// bootstrap's refits redraw the prior's centre around the fitted C; redrawn around the
  /// prior's own centre (as first written), they shrank C a second time, and on the run with
  /// eight times the prior's bonus the fitted C, the bonus and the projections fell outside
  /// their intervals. Every printed number, parameters included, must lie inside its own.
  @Test("every estimate of an annealing fit with a prior lies inside its intervals", arguments: [
    (2_000.0, ForecastTests.truth.c, 1), (8_000.0, 0.02 * 2.6 * 0.001, 1), (8_000.0, 0.02 * 2.6 * 0.001, 40),
    (10_000.0, 0.0, 40), (10_000.0, 0.5 * 2.6 * 0.001, 40), (6_000.0, 0.0, 100),
  ])
  func priorLedFitContainsItsValues(cut: Double, c: Double, logEvery: Int) throws {
    var truth = ForecastTests.truth
    truth.c = c
    let run = SyntheticAnnealingRun(
      truth: truth, total: 20_000, warmup: 500, decay: .cosine, noise: 0.02, logEvery: logEvery, seed: 21)
    var options = ForecastTests.declaredCosine(warmup: 500, bootstrap: 100)
    options.target = 2.6
    options.atSteps = [6_000]
    let analysis = try LossCurveAnalysis.run(ForecastTests.prefix(run, to: cut, rates: false), options: options)
    let schedule = try #require(analysis.schedule)
    let fit = try #require(schedule.fit)
    #expect(analysis.forecast?.law == .annealing)
    #expect(schedule.prior != nil)
    var estimates = [analysis.current, analysis.doubling.lossChange] + analysis.projections.map(\.loss)
    estimates += schedule.projections.map(\.loss) + schedule.constantRate.map(\.loss)
    estimates += (analysis.forecast?.atSteps ?? []).map(\.loss)
    if let end = analysis.forecast?.plannedEnd { estimates.append(end.loss) }
    if let bonus = schedule.bonus { estimates.append(bonus) }
    for estimate in estimates {
      for interval in [estimate.ci95, estimate.ci80].compactMap({ $0 }) {
        #expect(interval.contains(estimate.value), "\(estimate.value) outside \(interval)")
      }
    }
    for (index, name) in AnnealingLaw.parameterNames.enumerated() {
      let intervals = try #require(schedule.parameterIntervals[name])
      let value = fit.model.parameters[index]
      #expect(intervals.ci95.contains(value) && intervals.ci80.contains(value), "\(name) \(value) outside \(intervals)")
    }
  }
}
