@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// A training loss that falls on after its evaluation loss stopped, well below it: the bands of
/// the steps to come open down to zero (nanoGPT's Shakespeare demo from half).
@Suite struct MemorisingTests {
  /// What the run would log with no memorising: `0.4 + 12·t^−0.45`.
  static func learnt(_ step: Double) -> Double { 0.4 + 12 * Foundation.pow(step, -0.45) }

  /// The training loss: from step 1,500 it also learns its data by heart, `0.05·((t − 1500)/1000)^1.5`
  /// more each step, so it falls faster in its second half than in its first.
  static func training(_ step: Double, memorising: Bool = true) -> Double {
    learnt(step) - (memorising && step > 1_500 ? 0.05 * Foundation.pow((step - 1_500) / 1_000, 1.5) : 0)
  }

  /// Logged every 10 steps to 2,500 with ±1% noise; the evaluation loss, every 250 steps, lies
  /// `offset` above what is learnt and, with `rising`, climbs by 1% an evaluation after step 1,750.
  static func series(offset: Double, rising: Bool, memorising: Bool = true) -> LossSeries {
    let steps = (1...250).map { 10 * Double($0) }
    let losses = steps.indices.map {
      training(steps[$0], memorising: memorising) * (1 + 0.01 * Foundation.sin(2.3 * Double($0 + 1)))
    }
    let evaluations = (1...10).map { 250 * Double($0) }
    let held = evaluations.map { step in
      rising && step > 1_750 ? (learnt(1_750) + offset) * (1 + 0.01 * (step - 1_750) / 250) : learnt(step) + offset
    }
    var origin = SeriesOrigin(
      source: "memorising", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss", "val_loss"])
    origin.heldOutTrend = HeldOutTrend(name: "val_loss", steps: evaluations, losses: held)
    return LossSeries(steps: steps, losses: losses, learningRates: nil, origin: origin)
  }

  static func analysed(_ series: LossSeries) throws -> LossCurveAnalysis {
    try OpenBelowTests.analysed(series, atStep: 5_000)
  }

  @Test("the training loss falling on, 40% below an evaluation loss that stopped at step 1,750, opens the bands")
  func trainingFallsOnBelowAStalledEvaluation() throws {
    let analysis = try Self.analysed(Self.series(offset: 0.35, rising: true))
    let forecast = try #require(analysis.forecast)
    let found = try #require(forecast.memorising, "\(analysis.projections.map(\.loss))")
    #expect(found.heldOut.lowestStep == 1_750 && found.heldOut.evaluationsSince == 3)
    // Training median then ≈ 0.81, now ≈ 0.71 (a trailing window lags both alike): 10–15%.
    #expect(found.fallSince > 0.10 && found.fallSince < 0.15, "\(found.fallSince)")
    #expect(found.gapBelow > 0.35 && found.gapBelow < 0.45, "\(found.gapBelow)")
    // The truth at 2× (step 5,000), 0.333, is far below the law's floor; the band now holds it.
    let twice = try #require(analysis.projections.first { $0.factor == 2 })
    let band = try #require(twice.loss.ci95)
    #expect(band.lowerBound == 0 && band.contains(Self.training(5_000)) && band.contains(twice.loss.value), "\(band)")
    #expect(try #require(forecast.atSteps.first?.loss.ci80).lowerBound == 0)
    // The loss now keeps its band.
    #expect(try #require(analysis.current.ci95).lowerBound > 0)
  }

  @Test("evaluations past the last fitted step (a log cut with --to-step) are not looked at")
  func laterEvaluationsAreNotRead() throws {
    let series = Self.series(offset: 0.35, rising: true)
    var origin = series.origin
    // Two later evaluations at a new lowest: read whole, the lowest would be the last.
    let trend = try #require(origin.heldOutTrend)
    origin.heldOutTrend = HeldOutTrend(
      name: "val_loss", steps: trend.steps + [2_750, 3_000], losses: trend.losses + [0.5, 0.4])
    let cut = LossSeries(steps: series.steps, losses: series.losses, learningRates: nil, origin: origin)
    let found = try #require(try Self.analysed(cut).forecast?.memorising)
    #expect(found.heldOut.lowestStep == 1_750 && found.heldOut.evaluationsSince == 3)
  }

  @Test("an evaluation loss still falling, or one the training loss is within 10% of, opens nothing")
  func evaluationThatKeepsUpOpensNothing() throws {
    // The memorising run whose evaluation loss still falls at its last evaluation; a run that
    // learns without memorising, 8% below an evaluation loss that stopped at step 1,750.
    for (offset, rising, memorising) in [(0.35, false, true), (0, true, false)] {
      let analysis = try Self.analysed(Self.series(offset: offset, rising: rising, memorising: memorising))
      let forecast = try #require(analysis.forecast)
      #expect(forecast.memorising == nil && forecast.openBelow == nil, "offset \(offset), rising \(rising)")
      let band = try #require(analysis.projections.first { $0.factor == 2 }?.loss.ci95)
      #expect(band.lowerBound > 0.3, "\(band)")
    }
  }

  @Test("a log declared in bits compares its evaluation loss in nats too, as it would in nats")
  func evaluationLossConvertedWithTheLog() throws {
    let series = Self.series(offset: 0.35, rising: true)
    let inBits = LossSeries(
      steps: series.steps, losses: series.losses.map { $0 / Foundation.log(2) }, learningRates: nil,
      origin: {
        var origin = series.origin
        let trend = origin.heldOutTrend!
        origin.heldOutTrend = HeldOutTrend(name: trend.name, steps: trend.steps, losses: trend.losses.map { $0 / Foundation.log(2) })
        return origin
      }())
    let converted = inBits.converted(from: .bits)
    let lowest = try #require(converted.origin.heldOutTrend?.standing(at: 2_500)?.lowest)
    #expect(relativeError(lowest, Self.learnt(1_750) + 0.35) < 1e-12)
    let found = try #require(try Self.analysed(converted).forecast?.memorising)
    let reference = try #require(try Self.analysed(series).forecast?.memorising)
    #expect(relativeError(found.gapBelow, reference.gapBelow) < 1e-9)
  }

  @Test("a log of ten training losses, five before the lowest evaluation, is judged by its scatter about the trend")
  func sparseLogIsJudgedByItsScatterAboutTheTrend() throws {
    // A continued-pretraining fine-tune's trainer state: training losses every 500 steps,
    // evaluations every 549, lowest at step 3,294 (0.4853), four since (the last 0.4917), the
    // training loss falling from 0.364 to 0.265 meanwhile. The five losses before the lowest
    // span steps 1,000–3,000: their spread about their median (±0.06) is their fall, and read as
    // noise it hid a fall of 0.15.
    let steps = (1...10).map { 500 * Double($0) }
    let losses = [1.1409, 0.6419, 0.5212, 0.4477, 0.3979, 0.3643, 0.3238, 0.2993, 0.2735, 0.2645]
    var origin = SeriesOrigin(
      source: "trainer_state.json", format: "json (trainer_state)", stepColumn: "step", lossColumn: "loss",
      columns: ["step", "loss", "eval_loss"])
    origin.heldOutTrend = HeldOutTrend(
      name: "eval_loss", steps: (1...10).map { 549 * Double($0) },
      losses: [0.6598, 0.5546, 0.5185, 0.4940, 0.4894, 0.4853, 0.4873, 0.4906, 0.4907, 0.4917])
    let analysis = try Self.analysed(LossSeries(steps: steps, losses: losses, learningRates: nil, origin: origin))
    let found = try #require(analysis.forecast?.memorising)
    #expect(found.heldOut.lowestStep == 3_294 && found.heldOut.evaluationsSince == 3)
    // Medians of the five losses up to each step: 0.4477 then, 0.2993 now (hand computed).
    #expect(abs(found.fallSince - (1 - 0.2993 / 0.4477)) < 1e-9, "\(found.fallSince)")
    #expect(try #require(analysis.projections.first { $0.factor == 2 }?.loss.ci95).lowerBound == 0)
  }

  @Test("where an evaluation loss stood at a step: its lowest so far and the evaluations since")
  func heldOutStanding() throws {
    let trend = try #require(
      HeldOutTrend(name: "eval_loss", steps: [100, 200, 300, 400, 500, 600], losses: [2.0, 1.5, .nan, 1.6, 1.7, 1.4]))
    let standing = try #require(trend.standing(at: 550))
    #expect(standing.lowestStep == 200 && standing.lowest == 1.5)
    #expect(standing.evaluationsSince == 2, "the non-finite evaluation is not counted, nor the one past step 550")
    #expect(trend.standing(at: 600)?.lowestStep == 600 && trend.standing(at: 600)?.evaluationsSince == 0)
    #expect(trend.standing(at: 250) == nil, "two evaluations by step 250")
    #expect(HeldOutTrend(name: "eval_loss", steps: [100, 200, 300], losses: [2.0, -1, 1.5]) == nil)
  }
}
