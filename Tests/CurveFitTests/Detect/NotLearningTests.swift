import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// A run whose loss has not fallen since a tenth of its steps is "not learning", whatever else
/// it shows; a learning run and a flat excerpt from the middle of a run are not.
@Suite struct NotLearningTests {
  /// 2,000 points 10 steps apart from `first`: a first drop of 0.6 nats, then flat at `level`
  /// with 1% noise; `spikes` multiplies the losses at those positions.
  static func stuck(level: Double = 8.3, from first: Double = 10, spikes: [(Range<Int>, Double)] = []) -> LossSeries {
    var random = SeededRandom(seed: 3)
    let steps = (0..<2_000).map { first + 10 * Double($0) }
    var losses = steps.map { (level + 0.6 * Foundation.exp(-($0 - first) / 300)) * (1 + 0.01 * random.gaussian()) }
    for (range, factor) in spikes { for k in range { losses[k] *= factor } }
    return .synthetic(steps: steps, losses: losses, source: "stuck")
  }

  @Test func aRunStuckSinceItsStartIsNotLearning() throws {
    // Two recovered spikes, as on the Smol Playbook's run at ten times the usual rate.
    let series = Self.stuck(spikes: [(500..<505, 1.3), (900..<904, 1.4)])
    let analysis = try LossCurveAnalysis.run(series, options: .init())
    let plateau = try #require(analysis.health.plateaus.last)
    #expect(plateau.notLearning)
    #expect(!plateau.explainedBySchedule)
    // From the first logged step at or past a tenth of the run (19,990 / 10).
    #expect(plateau.startStep == 2_000)
    let levels = try #require(plateau.notLearningLevels)
    #expect(abs(levels.from - 8.3) < 0.05 && abs(levels.to - 8.3) < 0.05, "\(levels)")
    let verdict = HealthVerdict(analysis.health).sentence
    #expect(verdict.hasPrefix("not learning since step 2,000"), "\(verdict)")
  }

  @Test func aLearningRunIsNot() throws {
    let run = SyntheticRun(
      truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), rows: 20_000, noise: 0.01, events: .init(), seed: 8)
    let analysis = try LossCurveAnalysis.run(run.series, options: .init())
    #expect(!analysis.health.plateaus.contains { $0.notLearning })
  }

  @Test func aRunLearningSlowlyNearItsFloorIsNot() throws {
    // 2 + 0.5·t^−0.3, noise 1% of the excess: from a tenth of the run to its end the loss falls
    // 1.9% (under the 2% share), by a hundred times its scatter.
    var random = SeededRandom(seed: 4)
    let steps = stride(from: 10.0, through: 3_000, by: 10).map { $0 }
    let losses = steps.map { 2 + 0.5 * Foundation.pow($0, -0.3) * (1 + 0.01 * random.gaussian()) }
    let analysis = try LossCurveAnalysis.run(.synthetic(steps: steps, losses: losses, source: "slow"), options: .init())
    #expect(!analysis.health.plateaus.contains { $0.notLearning }, "\(analysis.health.plateaus)")
    let twofold = try #require(analysis.projections.first { $0.factor == 2 })
    #expect(abs(twofold.loss.value / (2 + 0.5 * Foundation.pow(6_000, -0.3)) - 1) < 0.005, "\(twofold.loss.value)")
  }

  @Test func aFlatExcerptFromTheMiddleOfARunIsNot() throws {
    // Steps 100,000–119,990: the log covers 1.2× of its first step, not the run from its start.
    let analysis = try LossCurveAnalysis.run(Self.stuck(level: 2.5, from: 100_000), options: .init())
    #expect(!analysis.health.plateaus.contains { $0.notLearning })
  }

  @Test("a stuck run logged every 3% of its steps is not learning; a learning one logged as sparsely is not")
  func sparseLogs() throws {
    // 33 points: 3 between a tenth and a fifth of the steps and 3 in the last tenth, too few for
    // a median each; the windows widen to 5 points (to 30% and from 70% of the steps).
    var random = SeededRandom(seed: 6)
    let steps = (0..<33).map { 200 + 700 * Double($0) }
    let stuck = steps.map { (8.2 + 0.6 * Foundation.exp(-$0 / 300)) * (1 + 0.01 * random.gaussian()) }
    let stuckAnalysis = try LossCurveAnalysis.run(.synthetic(steps: steps, losses: stuck, source: "stuck"), options: .init())
    #expect(stuckAnalysis.health.plateaus.contains { $0.notLearning }, "\(stuckAnalysis.health.plateaus)")
    let law = PowerLaw(lMin: 2, c: 8, alpha: 0.35)
    let learning = steps.map { law($0) * (1 + 0.01 * random.gaussian()) }
    let learningAnalysis = try LossCurveAnalysis.run(
      .synthetic(steps: steps, losses: learning, source: "learning"), options: .init())
    #expect(!learningAnalysis.health.plateaus.contains { $0.notLearning })
  }
}
