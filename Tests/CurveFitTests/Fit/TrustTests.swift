import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

@Suite struct TrustTests {
  static let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.35)

  /// A sparse log: 500 points every 20 steps, 2% multiplicative noise.
  static func log(seed: UInt64) -> LossSeries {
    SyntheticLog(truth: truth, count: 500, firstStep: 20, stride: 20, noise: 0.02, seed: seed).series
  }

  @Test func tenfoldIntervalCoversTheTruthInNinetyPercentOfTrials() throws {
    var options = LossCurveAnalysis.Options()
    options.model = .power
    options.holdout = 0
    options.bootstrapResamples = 300
    var covered = 0
    let trials = 200
    for seed in 1...UInt64(trials) {
      options.seed = seed
      let analysis = try LossCurveAnalysis.run(Self.log(seed: seed * 7_919), options: options)
      let tenfold = try #require(analysis.projections.last)
      let interval = try #require(tenfold.loss.ci95)
      if interval.contains(Self.truth(tenfold.step)) { covered += 1 }
    }
    #expect(Double(covered) / Double(trials) >= 0.9, "covered \(covered) of \(trials)")
  }

  @Test func bootstrapIsDeterministicForASeed() throws {
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 100
    options.seed = 42
    let first = try LossCurveAnalysis.run(Self.log(seed: 3), options: options)
    let second = try LossCurveAnalysis.run(Self.log(seed: 3), options: options)
    #expect(first.projections.map(\.loss) == second.projections.map(\.loss))
    #expect(first.bootstrap.used == 100)
    #expect(first.parameterIntervals["alpha"]?.ci95 == second.parameterIntervals["alpha"]?.ci95)
  }

  @Test func bootstrapAndDeltaMethodAgreeOnCleanData() throws {
    let analysis = try LossCurveAnalysis.run(Self.log(seed: 5), options: .init())
    let tenfold = try #require(analysis.projections.last?.loss)
    // The bootstrap's own interval, before calibration adds the extrapolation error.
    let bootstrap = try #require(tenfold.ci95Noise)
    let delta = try #require(tenfold.ci95Delta)
    let widthRatio = (bootstrap.upperBound - bootstrap.lowerBound) / (delta.upperBound - delta.lowerBound)
    // Independent noise and the right model: the two widths agree within a factor of 1.5.
    #expect(widthRatio > 0.67 && widthRatio < 1.5, "width ratio \(widthRatio)")
  }

  @Test func backtestOfAPowerLawIsAccurate() throws {
    let analysis = try LossCurveAnalysis.run(Self.log(seed: 11), options: .init())
    let backtest = try #require(analysis.backtest)
    #expect(backtest.holdoutFraction == 0.2)
    #expect(backtest.meanRelativeError < 0.01)
    #expect(backtest.coverage95 >= 0.8)
  }

  @Test func backtestExposesACurveThatStopsImproving() throws {
    // The loss follows the power law to step 6,000 and is flat afterwards: a fit on the first
    // 80% cannot know, and its prediction of the end misses by more than on the clean curve.
    var events = SyntheticRun.Events()
    events.plateau = (start: 0.6, length: 0.4)
    let run = SyntheticRun(truth: Self.truth, rows: 10_000, noise: 0.005, events: events, seed: 2)
    let analysis = try LossCurveAnalysis.run(run.series, options: .init())
    let backtest = try #require(analysis.backtest)
    #expect(backtest.coverage95 < 0.5)
  }

  @Test func shiftedCurveIsRecognised() throws {
    // L = 2 + 8·(t + 2000)^-0.5: a strong head start that the plain law cannot mimic.
    let shifted = PowerLaw(lMin: 2, c: 8, alpha: 0.5, t0: 2_000, form: .shifted)
    var random = SeededRandom(seed: 9)
    let steps = (1...5_000).map { Double($0 * 4) }
    let losses = steps.map { shifted($0) * (1 + 0.002 * random.gaussian()) }
    let series = LossSeries(
      steps: steps, losses: losses,
      origin: SeriesOrigin(source: "shifted", format: "csv", stepColumn: "step", lossColumn: "loss", columns: []))
    let analysis = try LossCurveAnalysis.run(series, options: .init())
    #expect(analysis.modelChoice.chosen == .shifted)
    // t0, alpha and C trade off against each other, so their errors are wide: the truth must lie
    // within three standard errors.
    let errors = try #require(analysis.fit.standardErrors)
    #expect(abs(analysis.fit.model.t0 - 2_000) < 3 * errors[3])
    #expect(abs(analysis.fit.model.alpha - 0.5) < 3 * errors[2])
    #expect(abs(analysis.fit.model.lMin - 2) < 3 * errors[0])
  }

  @Test func plainPowerLawStaysPlain() throws {
    let analysis = try LossCurveAnalysis.run(Self.log(seed: 13), options: .init())
    #expect(analysis.modelChoice.chosen == .power)
    #expect(analysis.modelChoice.candidates.count == 3)
  }

  @Test func forcedModelIsUsedAndSaysSo() throws {
    var options = LossCurveAnalysis.Options()
    options.model = .pure
    let analysis = try LossCurveAnalysis.run(Self.log(seed: 17), options: options)
    #expect(analysis.fit.model.form == .pure)
    #expect(analysis.fit.model.lMin == 0)
    #expect(analysis.modelChoice.forced)
  }
}
