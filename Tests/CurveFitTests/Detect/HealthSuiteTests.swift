import CurveFitTestSupport
import Testing

@testable import CurveFit

/// The generated suite of issue 3: spikes, plateaus and divergence at known steps, several noise
/// levels and lengths.
@Suite struct HealthSuiteTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let rows: Int
    let noise: Double
    let seed: UInt64
    var testDescription: String { "\(rows) rows, noise \(noise), seed \(seed)" }
  }

  static let cases: [Case] = [5_000, 20_000, 60_000].flatMap { rows in
    [0.005, 0.01, 0.02].enumerated().map { Case(rows: rows, noise: $1, seed: UInt64(rows + $0)) }
  }

  static let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.35)

  /// A detected spike matches a true one when it starts within 10 steps of it.
  static let matchTolerance = 10.0

  @Test func spikeRecallAndPrecisionOverTheSuite() throws {
    var truePositives = 0
    var injected = 0
    var detected = 0
    for c in Self.cases {
      var events = SyntheticRun.Events()
      events.spikes = 8
      events.diverge = c.rows >= 20_000
      let run = SyntheticRun(truth: Self.truth, rows: c.rows, noise: c.noise, events: events, seed: c.seed)
      let analysis = try LossCurveAnalysis.run(run.series, options: .init())
      let found = analysis.health.spikes.map(\.startStep)
      injected += run.spikeSteps.count
      detected += found.count
      truePositives += run.spikeSteps.filter { step in
        found.contains { abs($0 - step) <= Self.matchTolerance }
      }.count
    }
    let recall = Double(truePositives) / Double(injected)
    let precision = Double(truePositives) / Double(max(1, detected))
    #expect(injected >= 60)
    #expect(recall >= 0.95, "recall \(recall): \(truePositives) of \(injected)")
    #expect(precision >= 0.95, "precision \(precision): \(truePositives) of \(detected)")
  }

  @Test(arguments: cases.filter { $0.rows >= 20_000 })
  func divergenceFoundWithinSeventyFiveSteps(_ c: Case) throws {
    var events = SyntheticRun.Events()
    events.spikes = 3
    events.diverge = true
    let run = SyntheticRun(truth: Self.truth, rows: c.rows, noise: c.noise, events: events, seed: c.seed + 100)
    let analysis = try LossCurveAnalysis.run(run.series, options: .init())
    let divergence = try #require(analysis.health.divergence)
    let trueStart = try #require(run.divergenceStep)
    #expect(abs(divergence.startStep - trueStart) <= 75, "found \(divergence.startStep), true \(trueStart)")
    #expect(divergence.severity == .critical)
    // With the divergence left out, the fit still recovers the truth.
    #expect(relativeError(analysis.fit.model.alpha, 0.35) < 0.05)
  }

  @Test func cleanHundredThousandStepCurveHasNoEvents() throws {
    let run = SyntheticRun(
      truth: Self.truth, rows: 100_000, noise: 0.02, events: SyntheticRun.Events(), seed: 99)
    let analysis = try LossCurveAnalysis.run(run.series, options: .init())
    #expect(analysis.health.plateaus.isEmpty)
    #expect(analysis.health.events.isEmpty, "\(analysis.health.events)")
  }

  @Test func ongoingPlateauIsReportedSinceItsStart() throws {
    var events = SyntheticRun.Events()
    events.plateau = (start: 0.6, length: 0.4)
    let run = SyntheticRun(truth: Self.truth, rows: 20_000, noise: 0.01, events: events, seed: 5)
    let analysis = try LossCurveAnalysis.run(run.series, options: .init())
    let plateau = try #require(analysis.health.plateaus.last)
    #expect(plateau.ongoing)
    // The plateau starts at step 12,000; windows are 5% of the points (~1,000 steps) wide.
    #expect(abs(plateau.startStep - 12_000) <= 1_500, "plateau from \(plateau.startStep)")
    #expect(abs(plateau.improvementPer1k) < plateau.expectedPer1k)
  }

  @Test func midRunPlateauHasBothEnds() throws {
    var events = SyntheticRun.Events()
    events.plateau = (start: 0.4, length: 0.2)
    let run = SyntheticRun(truth: Self.truth, rows: 20_000, noise: 0.005, events: events, seed: 6)
    let analysis = try LossCurveAnalysis.run(run.series, options: .init())
    let plateau = try #require(analysis.health.plateaus.first)
    #expect(!plateau.ongoing)
    #expect(plateau.startStep >= 7_000 && plateau.startStep <= 9_500)
    #expect(plateau.endStep >= 10_000 && plateau.endStep <= 13_000)
  }

  @Test func spikeCarriesItsAction() throws {
    var events = SyntheticRun.Events()
    events.spikes = 1
    events.spikeMagnitude = 3.0...3.0
    events.spikeRecovery = 40...40
    let run = SyntheticRun(truth: Self.truth, rows: 10_000, noise: 0.01, events: events, seed: 8)
    let analysis = try LossCurveAnalysis.run(run.series, options: .init())
    let spike = try #require(analysis.health.spikes.first)
    let start = try #require(run.spikeSteps.first)
    #expect(spike.startStep == start)
    #expect(abs(spike.ratio - 3) < 0.15)
    #expect(spike.peakStep == start)
    let recovery = try #require(spike.recoveryStep)
    // 1 + 2·(1 − k/40)² is within 2 noise σ (2%) of 1 from k ≈ 36.
    #expect(recovery > start + 25 && recovery <= start + 41)
    #expect(spike.rollbackStep == ((start - 100) / 100).rounded(.down) * 100)
    #expect(spike.batchesToSkip == recovery - spike.rollbackStep)
    #expect(analysis.leftOut.spikes == spike.points)
  }

  @Test func nonFiniteOnlyIsCriticalDivergence() throws {
    var run = SyntheticRun(truth: Self.truth, rows: 2_000, noise: 0.01, events: .init(), seed: 4)
    for k in 1_990..<2_000 { run.losses[k] = .nan }
    let analysis = try LossCurveAnalysis.run(run.series, options: .init())
    let divergence = try #require(analysis.health.divergence)
    #expect(divergence.firstNonFiniteStep == 1_991)
    #expect(divergence.nonFiniteCount == 10)
    #expect(divergence.severity == .critical)
  }
}
