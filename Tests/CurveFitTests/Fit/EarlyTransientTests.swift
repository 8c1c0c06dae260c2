import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

@Suite("Early transient")
struct EarlyTransientTests {
  /// A drop whose log–log slope is steepest exactly at step 1,000: `log10 L = 0.6 −
  /// 0.25·tanh((log10 t − 3)/0.25)`, every `every`-th step to `last`, 0.3% multiplicative noise.
  static func drop(to last: Int, every: Int = 1, rates: Bool = false, spike: ClosedRange<Int>? = nil) -> LossSeries {
    var random = SeededRandom(seed: 3)
    var steps: [Double] = []
    var losses: [Double] = []
    for step in Swift.stride(from: every, through: last, by: every) {
      let x = Foundation.log10(Double(step))
      let loss = Foundation.pow(10, 0.6 - 0.25 * Foundation.tanh((x - 3) / 0.25))
      steps.append(Double(step))
      losses.append(loss * Foundation.exp(0.003 * random.gaussian()) * (spike?.contains(step) == true ? 10 : 1))
    }
    var origin = SeriesOrigin(
      source: "transient-synthetic", format: "csv", stepColumn: "step", lossColumn: "loss",
      columns: rates ? ["step", "loss", "lr"] : ["step", "loss"])
    if rates { origin.learningRateColumn = "lr" }
    return LossSeries(
      steps: steps, losses: losses, learningRates: rates ? steps.map { _ in 3e-4 } : nil, origin: origin)
  }

  @Test("the steepest fall is found within a tenth of a decade, logged every step or every 50th", arguments: [1, 50])
  func findsTheSteepestFall(every: Int) throws {
    let series = Self.drop(to: 100_000, every: every)
    let found = try #require(EarlyTransient.steepestStep(series, in: 0...100_000))
    #expect(abs(Foundation.log10(found) - 3) <= 0.1, "steepest at \(found), truth 1,000")
  }

  @Test("a spike's recovery is not the early drop: bins take medians")
  func spikesAreMedianedAway() throws {
    // The loss jumps tenfold over steps 4,000–4,060, an eighth of the bin it falls in; bin means
    // would put the steepest fall at 5,300, on its way back down.
    let series = Self.drop(to: 20_000, spike: 4_000...4_060)
    let found = try #require(EarlyTransient.steepestStep(series, in: 0...20_000))
    #expect(abs(Foundation.log10(found) - 3) <= 0.1, "steepest at \(found)")
  }

  @Test("a spike lasting several bins falls from above the loss before it: not the early drop")
  func longSpikeIsNotTheDrop() throws {
    // ×10 at step 4,000, falling back linearly over 3,000 steps (AlgoPerf's WMT run: ×15 at
    // 7,100, recovered by 10,200): three bins of medians see its fall, steeper than the drop's.
    let clean = Self.drop(to: 20_000)
    let losses = zip(clean.steps, clean.losses).map { step, loss in
      (4_000...7_000).contains(step) ? loss * (1 + 9 * (7_000 - step) / 3_000) : loss
    }
    let series = LossSeries(steps: clean.steps, losses: losses, origin: clean.origin)
    let found = try #require(EarlyTransient.steepestStep(series, in: 0...20_000))
    #expect(abs(Foundation.log10(found) - 3) <= 0.1, "steepest at \(found), truth 1,000")
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 0
    let analysis = try LossCurveAnalysis.run(series, options: options)
    #expect(abs(Foundation.log10(analysis.fitRange.lowerBound) - 3) <= 0.1, "fit from \(analysis.fitRange.lowerBound)")
  }

  @Test("a power law from its first step has no transient to skip")
  func powerLawHasNone() {
    for (truth, count) in [
      (PowerLaw(lMin: 2, c: 8, alpha: 0.35), 20_000), (PowerLaw(lMin: 1.5, c: 30, alpha: 0.7), 5_000),
      (PowerLaw(lMin: 3, c: 6, alpha: 0.2), 50_000),
    ] {
      let log = SyntheticLog(truth: truth, count: count, noise: 0.005, seed: 7)
      #expect(EarlyTransient.steepestStep(log.series, in: 0...Double(count)) == nil, "\(truth)")
    }
  }

  @Test("a sparse, noisy power law has no transient: its bins' wobble is within their noise", arguments: Array(1...12) as [UInt64])
  func sparseNoisyPowerLawHasNone(seed: UInt64) {
    // 60 points, every 100 steps, 3% noise: slopes across five bins of one or two points each
    // wobble by ±0.1, as steep as a real transient's, unless weighed against that noise.
    var random = SeededRandom(seed: seed)
    let steps = (1...60).map { Double($0 * 100) }
    let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.35)
    let series = LossSeries(
      steps: steps, losses: steps.map { truth($0) * Foundation.exp(0.03 * random.gaussian()) },
      origin: SeriesOrigin(source: "sparse", format: "csv", stepColumn: "step", lossColumn: "loss", columns: []))
    #expect(EarlyTransient.steepestStep(series, in: 0...6_000) == nil)
  }

  @Test("a shifted power law near its floor steepens too gently to be a transient")
  func shiftedPowerLawHasNone() {
    // L = 2 + 8·(t + 2000)^-0.5, a fine-tune's head start: its log–log slope steepens from 0 to
    // −0.016, and its early steps are what tell the shift.
    let shifted = PowerLaw(lMin: 2, c: 8, alpha: 0.5, t0: 2_000, form: .shifted)
    var random = SeededRandom(seed: 9)
    let steps = (1...5_000).map { Double($0 * 4) }
    let series = LossSeries(
      steps: steps, losses: steps.map { shifted($0) * (1 + 0.002 * random.gaussian()) },
      origin: SeriesOrigin(source: "shifted", format: "csv", stepColumn: "step", lossColumn: "loss", columns: []))
    #expect(EarlyTransient.steepestStep(series, in: 0...20_000) == nil)
  }

  @Test("a log without rates fits the curve that projects from its steepest fall; health still watches from 1%")
  func projectingFitStartsThere() throws {
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 0
    let series = Self.drop(to: 20_000)
    let analysis = try LossCurveAnalysis.run(series, options: options)
    #expect(abs(Foundation.log10(analysis.fitRange.lowerBound) - 3) <= 0.1, "fit from \(analysis.fitRange.lowerBound)")
    #expect(analysis.fitStart == .afterSteepestFall)
    #expect(analysis.watchedRange.lowerBound == FitRange().resolved(for: series).lowerBound)
  }

  @Test("--from-step, a rate column, or a steepest fall in the later half of the range leave the start alone")
  func startStaysOtherwise() throws {
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 0
    // A constant rate is read as a schedule without warm-up: what the rates say stands.
    let rated = Self.drop(to: 20_000, rates: true)
    let withRates = try LossCurveAnalysis.run(rated, options: options)
    #expect(withRates.fitRange.lowerBound == FitRange().resolved(for: rated).lowerBound)
    #expect(withRates.fitStart == .skipFirstPercent)
    // Cut at 1,600 the steepest fall (1,000) lies past the middle of the range 17–1,600.
    let shortSeries = Self.drop(to: 1_600)
    let short = try LossCurveAnalysis.run(shortSeries, options: options)
    #expect(short.fitRange.lowerBound == FitRange().resolved(for: shortSeries).lowerBound)
    options.range = FitRange(from: 50)
    let declared = try LossCurveAnalysis.run(Self.drop(to: 20_000), options: options)
    #expect(declared.fitRange.lowerBound == 50)
    #expect(declared.fitStart == .fromStepFlag)
  }
}
