@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// A loss below zero has no floor at or above zero for any law here to fall towards: the fit
/// is refused with the first negative loss named, and the health verdict is still given.
@Suite("Negative losses")
struct NegativeLossesTests {
  /// `−2 + 5·t^−0.3`, which crosses zero at t = 2.5^(1/0.3) ≈ 21.2: steps 22–3,000 are negative.
  static let series: LossSeries = {
    let steps = (1...3_000).map(Double.init)
    let origin = SeriesOrigin(source: "negative.csv", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss"])
    return LossSeries(steps: steps, losses: steps.map { -2 + 5 * Foundation.pow($0, -0.3) }, origin: origin)
  }()

  @Test("the first negative loss is where the curve crosses zero, worked out by hand")
  func findsTheCrossing() throws {
    let found = try #require(NegativeLosses.find(Self.series, in: 1...3_000))
    #expect(found.step == 22)
    #expect(abs(found.loss - (-2 + 5 * Foundation.pow(22, -0.3))) < 1e-12)
    #expect(found.count == 2_979)
    #expect(found.finite == 3_000)
    // Before the crossing there is nothing to refuse.
    #expect(NegativeLosses.find(Self.series, in: 1...21) == nil)
  }

  @Test("a spike in a loss below zero is found, and a clean one is healthy")
  func spikesBelowZero() throws {
    var random = SeededRandom(seed: 1)
    let steps = (1...3_000).map(Double.init)
    let clean = steps.map { -2 + 5 * Foundation.pow($0, -0.3) + 0.01 * random.gaussian() }
    // One nat up for ten steps at step 2,000, a hundred times the noise.
    let spiked = clean.indices.map { clean[$0] + (1_999..<2_009 ~= $0 ? 1 : 0) }
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 0
    func health(_ losses: [Double]) throws -> HealthFindings {
      let origin = SeriesOrigin(source: "negative.csv", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss"])
      let series = LossSeries(steps: steps, losses: losses, origin: origin)
      let error = FitError.negativeLoss(source: "negative.csv", try #require(NegativeLosses.find(series, in: 1...3_000)))
      return try #require(UnfittedRun.check(series, options: options, error: error)).health
    }
    let found = try health(spiked)
    #expect(found.spikes.count == 1, "\(found.spikes)")
    let spike = try #require(found.spikes.first)
    #expect(spike.startStep == 2_000)
    #expect(spike.recoveryStep != nil)
    // The curve at step 2,000 is −2 + 5·2,000^−0.3 = −1.488; one nat above it is a rise of
    // 1/1.488 of its size, ×1.67 (within the noise's 0.03).
    #expect(abs(spike.baselineLoss + 1.488) < 0.03, "\(spike.baselineLoss)")
    #expect(abs(spike.ratio - 1.672) < 0.03, "\(spike.ratio)")
    #expect(found.divergence == nil)
    let calm = try health(clean)
    #expect(calm.spikes.isEmpty && calm.divergence == nil, "\(calm.spikes)")
  }

  @Test("a loss below zero that stops falling is a plateau")
  func plateauBelowZero() throws {
    var random = SeededRandom(seed: 3)
    let steps = (1...3_000).map(Double.init)
    // Falling as −2 + 5·t^−0.3 to step 1,500 (−1.49), flat there to the end; 0.005 noise.
    let losses = steps.map { -2 + 5 * Foundation.pow(min($0, 1_500), -0.3) + 0.005 * random.gaussian() }
    let origin = SeriesOrigin(source: "flat.csv", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss"])
    let series = LossSeries(steps: steps, losses: losses, origin: origin)
    let error = FitError.negativeLoss(source: "flat.csv", try #require(NegativeLosses.find(series, in: 1...3_000)))
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 0
    let health = try #require(UnfittedRun.check(series, options: options, error: error)).health
    let plateau = try #require(health.plateaus.last, "\(health.plateaus)")
    #expect(plateau.ongoing)
    #expect(plateau.startStep >= 1_500 && plateau.startStep <= 2_100, "\(plateau.startStep)")
    #expect(health.spikes.isEmpty && health.divergence == nil)
  }

  @Test("a positive loss with two glitches below zero is fitted as before")
  func glitchesAreFitted() throws {
    let steps = (1...3_000).map(Double.init)
    var losses = steps.map { 2 + 5 * Foundation.pow($0, -0.3) }
    losses[1_000] = -0.001
    losses[2_000] = -1e-9
    let origin = SeriesOrigin(source: "glitch.csv", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss"])
    let series = LossSeries(steps: steps, losses: losses, origin: origin)
    #expect(NegativeLosses.find(series, in: 1...3_000) == nil)
    // Three of 3,000 is still under 1%: a glitch, not a loss that can be negative.
    losses[2_500] = -0.5
    #expect(NegativeLosses.find(LossSeries(steps: steps, losses: losses, origin: origin), in: 1...3_000) == nil)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 0
    let analysis = try LossCurveAnalysis.run(series, options: options)
    #expect(abs(analysis.fit.model.lMin - 2) < 0.05, "\(analysis.fit.model)")
  }

  @Test("the analysis refuses the fit and the report keeps the verdict, with the step named")
  func refusesTheFit() throws {
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 0
    var thrown: FitError?
    do throws(FitError) {
      _ = try LossCurveAnalysis.run(Self.series, options: options)
    } catch {
      thrown = error
    }
    let error = try #require(thrown)
    guard case .negativeLoss(let source, let found) = error else {
      Issue.record("expected .negativeLoss, got \(error)")
      return
    }
    #expect(source == "negative.csv")
    #expect(found.count > 0)
    #expect(error.description.contains("below zero"))
    let run = try #require(UnfittedRun.check(Self.series, options: options, error: error))
    #expect(run.reason.contains("at step \(NumberFormat.count(found.step)) is below zero"))
    #expect(!UnfittedReport(run: run).rendered(as: .text).lowercased().contains("nan"))
  }
}
