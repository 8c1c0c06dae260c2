@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// After a warm-up the annealing law's clock is the rate's area, `S1 = t − w/2` at a constant rate
/// after a linear warm-up of `w` steps: the shifted form may reach back that far
/// (`PowerLawFitter.shiftFloor`), and the data decides between the two clocks.
@Suite struct WarmupClockTests {
  /// A run at a constant rate after a 300-step warm-up, 30,000 steps planned; the reducible loss
  /// at the end is half the floor (`a = 0.5 · T^α`).
  static let truth = AnnealingLaw(l0: 1.0, a: 0.5 * Foundation.pow(30_000, 0.6), alpha: 0.6, c: 0, lambda: 0.999)

  static func run(_ seed: UInt64) -> SyntheticAnnealingRun {
    SyntheticAnnealingRun(
      truth: truth, total: 30_000, warmup: 300, peak: 3e-4, decay: .constant, noise: 0.01, logEvery: 5, seed: seed)
  }

  static func cut(_ run: SyntheticAnnealingRun, at last: Double) -> LossSeries {
    let end = run.steps.upperIndex(atMost: last)
    return LossSeries(
      steps: Array(run.steps[..<end]), losses: Array(run.losses[..<end]),
      learningRates: Array(run.rates[..<end]), origin: run.series.origin)
  }

  static func options() -> LossCurveAnalysis.Options {
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 50
    return options
  }

  @Test("a loss that follows the rate's area is fitted on its clock: t0 ≈ −w/2, the end from half within 0.5%")
  func lossOnTheAreaClock() throws {
    for seed: UInt64 in [1, 2, 3] {
      let run = Self.run(seed)
      let analysis = try LossCurveAnalysis.run(Self.cut(run, at: 15_000), options: Self.options())
      #expect(analysis.fit.model.form == .shifted, "seed \(seed)")
      // 1% noise on 2,940 points: the lag within 10% of the warm-up's 150 steps.
      #expect(abs(analysis.fit.model.t0 + 150) < 15, "seed \(seed): t0 \(analysis.fit.model.t0)")
      let end = Self.truth(s1: 30_000 - 150, s2: 0)
      let row = try #require(analysis.projections.first { $0.factor == 2 })
      #expect(abs(row.loss.value / end - 1) < 0.005, "seed \(seed): 2× \(row.loss.value) vs truth \(end)")
      #expect(try #require(row.loss.ci95).contains(end))
    }
  }

  @Test("the plain power law in steps misreads the same run: the lag is what the shift fixes")
  func plainPowerLawMisreadsIt() throws {
    var options = Self.options()
    options.model = .power
    let analysis = try LossCurveAnalysis.run(Self.cut(Self.run(1), at: 15_000), options: options)
    let end = Self.truth(s1: 30_000 - 150, s2: 0)
    let row = try #require(analysis.projections.first { $0.factor == 2 })
    // Fitted from the warm-up's end, where the step runs twice the area: α too steep, the end
    // projected well above the truth.
    #expect(row.loss.value / end - 1 > 0.02, "2× \(row.loss.value) vs truth \(end)")
  }

  @Test("a loss that follows the step itself keeps a clock near it, and its end from half within 0.5%")
  func lossOnTheStepClock() throws {
    let law = PowerLaw(lMin: 1.0, c: 0.5 * Foundation.pow(30_000, 0.6), alpha: 0.6)
    let run = Self.run(1)
    var random = SeededRandom(seed: 5)
    let losses = run.steps.map { law($0) * (1 + 0.01 * random.gaussian()) }
    let full = LossSeries(steps: run.steps, losses: losses, learningRates: run.rates, origin: run.series.origin)
    let end = full.steps.upperIndex(atMost: 15_000)
    let log = LossSeries(
      steps: Array(full.steps[..<end]), losses: Array(full.losses[..<end]),
      learningRates: Array(run.rates[..<end]), origin: full.origin)
    let analysis = try LossCurveAnalysis.run(log, options: Self.options())
    #expect(analysis.fit.model.form == .power || abs(analysis.fit.model.t0) < 30, "t0 \(analysis.fit.model.t0)")
    let row = try #require(analysis.projections.first { $0.factor == 2 })
    let truth = law(30_000)
    #expect(abs(row.loss.value / truth - 1) < 0.005, "2× \(row.loss.value) vs truth \(truth)")
  }

  @Test("the fitter reaches back no further than its floor, and not below zero without one")
  func floorBoundsTheShift() throws {
    let law = PowerLaw(lMin: 1.0, c: 200, alpha: 0.6, t0: -150, form: .shifted)
    let steps = Swift.stride(from: 300.0, through: 15_000, by: 5).map { $0 }
    let log = LossSeries(steps: steps, losses: steps.map { law($0) }, origin: SeriesOrigin(source: "exact", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss"]))
    var fitter = PowerLawFitter()
    fitter.form = .shifted
    let unshifted = try fitter.fit(log)
    #expect(unshifted.model.t0 >= 0)
    fitter.shiftFloor = -150
    let exact = try fitter.fit(log)
    #expect(exact.converged)
    #expect(abs(exact.model.t0 + 150) < 1, "t0 \(exact.model.t0)")
    #expect(relativeError(exact.model.alpha, 0.6) < 0.001)
    fitter.shiftFloor = -50
    let floored = try fitter.fit(log)
    #expect(floored.model.t0 >= -50 - 1e-9, "t0 \(floored.model.t0)")
  }
}

extension WarmupClockTests {
  @Test("an --at-step before the fitted steps is withheld with its reason, not a number from before the lag")
  func atStepBeforeTheFitIsWithheld() throws {
    var options = Self.options()
    options.atSteps = [100, 400]
    let analysis = try LossCurveAnalysis.run(Self.cut(Self.run(1), at: 15_000), options: options)
    #expect(analysis.fit.model.t0 < -100, "t0 \(analysis.fit.model.t0)")
    let rows = try #require(analysis.forecast?.atSteps)
    #expect(rows.count == 2)
    #expect(rows[0].withheld?.contains("before step 300") == true, "\(rows[0])")
    // Past the fit's start the row is the curve's value, within 2% of the truth at step 400.
    #expect(rows[1].withheld == nil)
    let truth = Self.truth(s1: 400 - 150, s2: 0)
    #expect(abs(rows[1].loss.value / truth - 1) < 0.02, "at 400: \(rows[1].loss.value) vs truth \(truth)")
  }
}

extension WarmupClockTests {
  @Test("the clock reaches back only while the rate holds its peak: not under a decay, which the annealing law counts")
  func onlyAtAConstantRate() throws {
    let held = LearningRateCurve(steps: [0, 300, 15_000], rates: [0, 1, 1], annealStart: 300)
    #expect(LossCurveAnalysis.heldAtPeak(held, from: 300, to: 15_000))
    // A WSD schedule before its cooldown holds; one into it (the rate at 80% of its peak) does not.
    let wsd = LearningRateCurve(steps: [0, 300, 24_000, 27_000], rates: [0, 1, 1, 0.8], annealStart: 300)
    #expect(LossCurveAnalysis.heldAtPeak(wsd, from: 300, to: 20_000))
    #expect(!LossCurveAnalysis.heldAtPeak(wsd, from: 300, to: 27_000))

    let truth = AnnealingLaw(l0: 1.0, a: 0.5 * Foundation.pow(30_000, 0.6), alpha: 0.6, c: 0.06 * 1.3 * 0.001, lambda: 0.999)
    let run = SyntheticAnnealingRun(
      truth: truth, total: 30_000, warmup: 300, peak: 3e-4, decay: .cosine, noise: 0.01, logEvery: 5, seed: 1)
    let analysis = try LossCurveAnalysis.run(Self.cut(run, at: 15_000), options: Self.options())
    // Half-way through a cosine the rate is at 55% of its peak: the shifted form keeps t0 ≥ 0.
    #expect(analysis.fit.model.t0 >= 0, "t0 \(analysis.fit.model.t0)")
    #expect(analysis.forecast?.law == .annealing)
  }
}
