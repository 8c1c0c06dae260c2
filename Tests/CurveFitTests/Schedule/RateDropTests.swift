import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

@Suite("Rate drop")
struct RateDropTests {
  /// Steps every `every` from `every` to `last`, with `rate(step)` and a power-law loss that
  /// falls by a further 15% once the rate is below half its peak (a step decay's drop).
  static func series(to last: Int, every: Int = 20, rate: (Double) -> Double) -> LossSeries {
    let law = PowerLaw(lMin: 0.8, c: 6, alpha: 0.4)
    var random = SeededRandom(seed: 5)
    let steps = Swift.stride(from: every, through: last, by: every).map(Double.init)
    let rates = steps.map(rate)
    let losses = zip(steps, rates).map { step, r in
      law(step) * (r < 0.5 ? 0.85 : 1) * Foundation.exp(0.01 * random.gaussian())
    }
    var origin = SeriesOrigin(
      source: "rate-drop", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss", "lr"])
    origin.learningRateColumn = "lr"
    return LossSeries(steps: steps, losses: losses, learningRates: rates, origin: origin)
  }

  /// Detectron2's `WarmupMultiStepLR`: linear warm-up to step 1,000, ×0.05 at step 1,500.
  static func multiStep(_ step: Double) -> Double { step < 1_000 ? step / 1_000 : step < 1_500 ? 1 : 0.05 }

  @Test("a multi-step schedule's last drop is found at the first step of the new rate")
  func findsTheDrop() throws {
    let series = Self.series(to: 4_000, rate: Self.multiStep)
    #expect(RateDrop.lastDrop(series, upTo: 4_000) == 1_500)
    #expect(RateDrop.lastDrop(series, upTo: 1_999) == 1_500)
    // Two points past the drop are not yet a flat stretch; before it there is none.
    #expect(RateDrop.lastDrop(series, upTo: 1_520) == nil)
    #expect(RateDrop.lastDrop(series, upTo: 1_400) == nil)
  }

  @Test("smooth decays logged sparsely, and a cooldown to zero, are not steps")
  func smoothDecaysAreNot() {
    let cosine = Self.series(to: 20_000, every: 500) { step in
      step < 500 ? step / 500 : 0.1 + 0.45 * (1 + Foundation.cos(Double.pi * (step - 500) / 19_500))
    }
    #expect(RateDrop.lastDrop(cosine, upTo: 20_000) == nil)
    let linear = Self.series(to: 10_000, every: 1_000) { step in max(0, 1 - step / 10_000) }
    #expect(RateDrop.lastDrop(linear, upTo: 10_000) == nil)
    // WSD logged every 500 steps: flat, then 1 → 0.5 → 0 over the last 1,000 steps.
    let wsd = Self.series(to: 10_000, every: 500) { step in step <= 9_000 ? 1 : max(0, 1 - (step - 9_000) / 1_000) }
    #expect(RateDrop.lastDrop(wsd, upTo: 10_000) == nil)
  }

  @Test("the curve that projects is fitted from the rate's last drop; its 2× row holds the run's end")
  func projectingFitStartsThere() throws {
    let series = Self.series(to: 4_000, rate: Self.multiStep)
    let count = series.steps.upperIndex(atMost: 2_000)
    var origin = series.origin
    origin.source = "rate-drop-half"
    let half = LossSeries(
      steps: Array(series.steps[..<count]), losses: Array(series.losses[..<count]),
      learningRates: series.learningRates.map { Array($0[..<count]) }, origin: origin)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 200
    let analysis = try LossCurveAnalysis.run(half, options: options)
    #expect(analysis.fitStart == .afterRateDrop)
    #expect(analysis.fitRange.lowerBound == 1_500)
    let twofold = try #require(analysis.projections.first)
    let truth = 0.85 * PowerLaw(lMin: 0.8, c: 6, alpha: 0.4)(4_000)
    // Within 5% (a power law on 25 points spanning 1.33× of steps), inside its interval.
    #expect(relativeError(twofold.loss.value, truth) < 0.05, "2× \(twofold.loss.value) vs \(truth)")
    let interval = try #require(twofold.loss.ci95)
    #expect(interval.contains(truth), "\(interval) misses \(truth)")
    // Fitted across the drop (from the end of warm-up), the 15% drop reads as the curve's fall.
    options.range = FitRange(from: 1_000)
    let across = try #require(try LossCurveAnalysis.run(half, options: options).projections.first)
    #expect(relativeError(across.loss.value, truth) > 0.15, "across the drop: \(across.loss.value)")
  }

  @Test("a log every 100 steps is fitted from the drop with its 6 points since, not across the fall")
  func sixSparsePointsSuffice() throws {
    let series = Self.series(to: 2_000, every: 100, rate: Self.multiStep)
    #expect(series.steps.filter { $0 >= 1_500 }.count == 6)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 50
    let analysis = try LossCurveAnalysis.run(series, options: options)
    #expect(analysis.fitStart == .afterRateDrop && analysis.fitRange.lowerBound == 1_500)
    // The power law from the drop, at 2× (6 points of 1% noise over 1.33× of steps: within 10%);
    // across the drop, from the end of warm-up, the 15% fall reads as the curve's and it misses
    // by more than that.
    let truth = 0.85 * PowerLaw(lMin: 0.8, c: 6, alpha: 0.4)(4_000)
    let fromDrop = analysis.fit.model(4_000)
    #expect(relativeError(fromDrop, truth) < 0.10, "from the drop: \(fromDrop) vs \(truth)")
    options.range = FitRange(from: 1_000)
    let across = try LossCurveAnalysis.run(series, options: options).fit.model(4_000)
    #expect(relativeError(across, truth) > 0.15, "across the drop: \(across) vs \(truth)")
  }

  @Test("without backtests, a log whose rate stepped down and stayed is projected by the power law from the drop")
  func steppedDownWithoutBacktestsKeepsThePowerLaw() throws {
    // Every 100 steps to 2,000: 6 points since the drop, too few for either law's backtest. The
    // annealing law, whose momentum lets the drop's bonus accrue over a thousand steps, projected
    // −19% at 2×; the power law from the drop holds the end.
    let series = Self.series(to: 2_000, every: 100, rate: Self.multiStep)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 100
    let analysis = try LossCurveAnalysis.run(series, options: options)
    let schedule = try #require(analysis.schedule)
    #expect(!schedule.chosen && schedule.reason.contains("stepped down at step 1,500"), "\(schedule.reason)")
    #expect(analysis.projectingSchedule == nil)
    let twofold = try #require(analysis.projections.first)
    let truth = 0.85 * PowerLaw(lMin: 0.8, c: 6, alpha: 0.4)(4_000)
    let interval = try #require(twofold.loss.ci95)
    #expect(interval.contains(truth), "\(interval) misses \(truth)")
    #expect(relativeError(twofold.loss.value, truth) < 0.10, "\(twofold.loss.value) vs \(truth)")
  }
}
