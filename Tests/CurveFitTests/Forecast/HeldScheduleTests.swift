@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// A multi-step schedule past its milestone: the run goes on at its last rate.
@Suite struct HeldScheduleTests {
  /// The annealing law's own run under warm-up to step 500, the peak until step 3,000, then a
  /// tenth of it for good (a `MultiStepLR` with one milestone), logged every 10 steps.
  static let truth = AnnealingLaw(l0: 2.0, a: 6, alpha: 0.5, c: 0.06 * 2.5 * 0.001, lambda: 0.999)

  static func rate(_ step: Double) -> Double { step < 500 ? step / 500 : step < 3_000 ? 1 : 0.1 }

  static func curve(to last: Double) -> LearningRateCurve {
    LearningRateCurve(steps: [0, 500, 2_999, 3_000, last], rates: [0, 1, 1, 0.1, 0.1], annealStart: 500)
  }

  static func log(to last: Double) -> LossSeries {
    var random = SeededRandom(seed: 11)
    let steps = Swift.stride(from: 10.0, through: last, by: 10).map { $0 }
    let clean = truth.losses(at: steps, on: curve(to: last))
    let losses = clean.map { $0 * Foundation.exp(0.005 * random.gaussian()) }
    var origin = SeriesOrigin(
      source: "multistep", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss", "lr"])
    origin.learningRateColumn = "lr"
    return LossSeries(steps: steps, losses: losses, learningRates: steps.map { 1e-3 * rate($0) }, origin: origin)
  }

  @Test("a rate that stepped down and stayed is projected at that rate, not stretched; the end inside its band")
  func projectsAtTheLastRate() throws {
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 100
    options.schedule.mode = .forced
    let analysis = try LossCurveAnalysis.run(Self.log(to: 5_000), options: options)
    let schedule = try #require(analysis.schedule)
    #expect(schedule.plan.holdsLastRate)
    let row = try #require(analysis.projections.first { $0.factor == 2 })
    #expect(row.schedule == "held")
    let end = Self.truth.losses(at: [10_000], on: Self.curve(to: 10_000))[0]
    // 0.5% noise on 450 points past warm-up: within 1%, inside the 95% band.
    #expect(abs(row.loss.value / end - 1) < 0.01, "2×: \(row.loss.value) vs truth \(end)")
    #expect(try #require(row.loss.ci95).contains(end))
    // Stretched, the milestone would move to step 5,500 of the 10,000 and the run train at the
    // peak until then: a loss below this run's, by more than the held projection misses.
    let model = try #require(schedule.fit).model
    var stretched = schedule
    stretched.plan.holdsLastRate = false
    let moved = stretched.finalLoss(model, length: 10_000)
    #expect(moved < end * 0.99, "stretched: \(moved) vs truth \(end)")
    #expect(abs(moved / end - 1) > 2 * abs(row.loss.value / end - 1))
  }

  @Test("a cosine's projections stay stretched")
  func smoothDecayIsStretched() throws {
    let run = SyntheticAnnealingRun(
      truth: Self.truth, total: 10_000, warmup: 500, decay: .cosine, noise: 0.005, logEvery: 10, seed: 4)
    let cut = run.steps.upperIndex(atMost: 5_000)
    let log = LossSeries(
      steps: Array(run.steps[..<cut]), losses: Array(run.losses[..<cut]),
      learningRates: Array(run.rates[..<cut]), origin: run.series.origin)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 20
    let analysis = try LossCurveAnalysis.run(log, options: options)
    #expect(analysis.schedule?.plan.holdsLastRate == false)
    #expect(analysis.projections.first?.schedule == "stretched")
  }

  @Test("before a declared cooldown begins, the report says no bonus yet instead of a row of zeros")
  func noBonusBeforeTheCooldown() throws {
    // A log without rates, cut at 40% of a declared WSD run whose cooldown starts at 80%.
    let run = SyntheticAnnealingRun(
      truth: Self.truth, total: 10_000, warmup: 0, decay: .wsd(cooldown: 0.2), noise: 0.005, logEvery: 10, seed: 5)
    let cut = run.steps.upperIndex(atMost: 4_000)
    let log = LossSeries(
      steps: Array(run.steps[..<cut]), losses: Array(run.losses[..<cut]),
      origin: SeriesOrigin(source: "wsd", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss"]))
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 20
    options.schedule.declared = DeclaredSchedule(shape: .wsd, cooldownFraction: 0.2, totalSteps: 10_000, warmupSteps: 0, finalRatio: 0)
    options.totalSteps = 10_000
    let analysis = try LossCurveAnalysis.run(log, options: options)
    let bonus = try #require(analysis.schedule?.bonus)
    #expect(bonus.value == 0)
    let text = Report(analysis: analysis).rendered(as: .text)
    #expect(text.contains("annealing bonus so far: none (the rate has not decayed yet)"), "\(text)")
  }
}
