import CurveFitTestSupport
import Testing

@testable import CurveFit

@Suite struct PowerLawFitterTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let id: String
    let truth: PowerLaw
    let count: Int
    let noise: Double
    var testDescription: String { id }
  }

  static let cases = [
    Case(id: "gen_log default, 20k steps", truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 20_000, noise: 0.005),
    Case(id: "steep curve", truth: PowerLaw(lMin: 1.5, c: 30, alpha: 0.7), count: 5_000, noise: 0.002),
    Case(id: "shallow curve", truth: PowerLaw(lMin: 3, c: 6, alpha: 0.2), count: 50_000, noise: 0.002),
  ]

  @Test(arguments: cases)
  func recoversParametersWithinTwoPercent(_ c: Case) throws {
    let log = SyntheticLog(truth: c.truth, count: c.count, noise: c.noise, seed: 7)
    let fit = try PowerLawFitter().fit(log.series)
    #expect(fit.converged)
    #expect(relativeError(fit.model.lMin, c.truth.lMin) < 0.02)
    #expect(relativeError(fit.model.c, c.truth.c) < 0.02)
    #expect(relativeError(fit.model.alpha, c.truth.alpha) < 0.02)
  }

  @Test func standardErrorsCoverTheTruth() throws {
    let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.35)
    let log = SyntheticLog(truth: truth, count: 3_000, noise: 0.02, seed: 3)
    let fit = try PowerLawFitter().fit(log.series)
    let errors = try #require(fit.standardErrors)
    // Four standard errors: a failure here means the covariance is badly wrong, not bad luck.
    #expect(abs(fit.model.lMin - truth.lMin) < 4 * errors[0])
    #expect(abs(fit.model.c - truth.c) < 4 * errors[1])
    #expect(abs(fit.model.alpha - truth.alpha) < 4 * errors[2])
  }

  @Test func binnedFitAgreesWithFullFitWithinStandardErrors() throws {
    let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.35)
    let log = SyntheticLog(truth: truth, count: 40_000, noise: 0.02, seed: 11)
    let binned = try PowerLawFitter().fit(log.series)
    let full = try PowerLawFitter(binThreshold: .max).fit(log.series)
    #expect(binned.fittedPoints == 1_024)
    #expect(full.fittedPoints == full.pointsUsed)
    let errors = try #require(full.standardErrors)
    #expect(abs(binned.model.lMin - full.model.lMin) < errors[0])
    #expect(abs(binned.model.c - full.model.c) < errors[1])
    #expect(abs(binned.model.alpha - full.model.alpha) < errors[2])
  }

  @Test func defaultRangeSkipsTheFirstPercent() throws {
    let log = SyntheticLog(truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 1_000, noise: 0, seed: 1)
    let range = FitRange().resolved(for: log.series)
    // Steps 1…1000: 1% of the span is 9.99 past step 1, so the first step fitted is 11.
    #expect(range == 11...1000)
  }

  @Test func exactCurveFitsToMachinePrecision() throws {
    let truth = PowerLaw(lMin: 2.5, c: 12, alpha: 0.5)
    let log = SyntheticLog(truth: truth, count: 500, firstStep: 10, stride: 10, noise: 0, seed: 1)
    let fit = try PowerLawFitter().fit(log.series)
    #expect(relativeError(fit.model.lMin, 2.5) < 1e-6)
    #expect(relativeError(fit.model.alpha, 0.5) < 1e-6)
    #expect(fit.rmse < 1e-8)
  }

  @Test func tooFewPointsIsAnError() {
    let log = SyntheticLog(truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 4, noise: 0, seed: 1)
    #expect(throws: FitError.self) { try PowerLawFitter().fit(log.series) }
  }

  @Test func constantLossesAreFlaggedNotTrusted() throws {
    let steps = (1...200).map(Double.init)
    let series = LossSeries(
      steps: steps, losses: steps.map { _ in 3.0 },
      origin: SeriesOrigin(source: "flat", format: "csv", stepColumn: "step", lossColumn: "loss", columns: []))
    let fit = try PowerLawFitter().fit(series)
    #expect(!fit.converged)
    #expect(!fit.warnings.isEmpty)
    #expect(fit.model.lMin.isFinite && fit.model.c.isFinite && fit.model.alpha.isFinite)
    #expect(abs(fit.model(500) - 3) < 1e-9)
  }

  @Test func nonFiniteLossesAreLeftOut() throws {
    let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.35)
    var log = SyntheticLog(truth: truth, count: 2_000, noise: 0.001, seed: 5)
    log.losses[1_500] = .nan
    log.losses[1_600] = .infinity
    let fit = try PowerLawFitter().fit(log.series)
    #expect(fit.converged)
    #expect(fit.pointsUsed == log.series.count - 20 - 2)
    #expect(relativeError(fit.model.alpha, 0.35) < 0.02)
  }
}
