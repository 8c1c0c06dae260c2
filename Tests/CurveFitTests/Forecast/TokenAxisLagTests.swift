@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// The annealing law's λ = 0.999 is per optimiser step: a log whose x-axis counts tokens takes
/// the lag as a share of the run, so the same run projects the same whichever it counts.
@Suite struct TokenAxisLagTests {
  /// 20,000 steps of the annealing law under a cosine, λ = 0.999 per step (a lag of 1,000 steps,
  /// 5% of the run), cut at half; logged by steps, or by tokens at 1,000 a step.
  static func run() -> SyntheticAnnealingRun {
    SyntheticAnnealingRun(
      truth: AnnealingLaw(l0: 2.0, a: 6, alpha: 0.5, c: 0.06 * 2.3 * 0.001, lambda: 0.999),
      total: 20_000, warmup: 500, decay: .cosine, noise: 0.005, logEvery: 10, seed: 9)
  }

  static func half(_ run: SyntheticAnnealingRun, tokensPerStep: Double?) -> LossSeries {
    let cut = run.steps.upperIndex(atMost: 10_000)
    var origin = run.series.origin
    if tokensPerStep != nil {
      origin.stepColumn = "tokens"
      origin.columns = ["tokens", "loss", "lr"]
    }
    return LossSeries(
      steps: run.steps[..<cut].map { $0 * (tokensPerStep ?? 1) }, losses: Array(run.losses[..<cut]),
      learningRates: Array(run.rates[..<cut]), origin: origin)
  }

  static func twofold(_ series: LossSeries, lagFromRunLength: Bool = true) throws -> (Double, ScheduleAnalysis) {
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 0
    options.schedule.lagFromRunLength = lagFromRunLength
    let analysis = try LossCurveAnalysis.run(series, options: options)
    let row = try #require(analysis.projections.first { $0.factor == 2 })
    return (row.loss.value, try #require(analysis.schedule))
  }

  @Test("a log by tokens projects as the same run by steps")
  func tokensMatchSteps() throws {
    let run = Self.run()
    let (bySteps, stepSchedule) = try Self.twofold(Self.half(run, tokensPerStep: nil))
    let (byTokens, tokenSchedule) = try Self.twofold(Self.half(run, tokensPerStep: 1_000))
    #expect(stepSchedule.lagRunLength == nil)
    #expect(stepSchedule.fit?.model.lambda == 0.999)
    // The run's length as its cosine reads it (about 20,000 steps): a lag of 5% of it.
    let length = try #require(tokenSchedule.lagRunLength)
    #expect(abs(length / 2e7 - 1) < 0.02, "\(length)")
    #expect(abs(byTokens / bySteps - 1) < 0.0005, "tokens \(byTokens) vs steps \(bySteps)")
    // Counted per token, λ = 0.999 has no lag at all, and the same run projects differently.
    let (perToken, _) = try Self.twofold(Self.half(run, tokensPerStep: 1_000), lagFromRunLength: false)
    #expect(abs(perToken / bySteps - 1) > 0.002, "per token \(perToken) vs steps \(bySteps)")
  }

  @Test("a log without a step column, by row numbers, projects as the same run by steps")
  func rowNumbersMatchSteps() throws {
    let run = Self.run()
    let (bySteps, _) = try Self.twofold(Self.half(run, tokensPerStep: nil))
    // Row k is step 10·k: one row per logged step, as a headerless dump of the losses reads.
    var rows = Self.half(run, tokensPerStep: 0.1)
    rows.origin.stepColumn = nil
    rows.origin.columns = ["loss", "lr"]
    let (byRows, schedule) = try Self.twofold(rows)
    #expect(schedule.lagRunLength != nil)
    #expect(abs(byRows / bySteps - 1) < 0.0005, "rows \(byRows) vs steps \(bySteps)")
  }

  @Test("the report says the lag was taken from the run, and JSON gives it")
  func reportSaysSo() throws {
    let series = Self.half(Self.run(), tokensPerStep: 1_000)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 0
    let analysis = try LossCurveAnalysis.run(series, options: options)
    let text = Report(analysis: analysis).rendered(as: .text)
    #expect(text.contains("λ lag 1.0e6 tokens = 5% of the run (fixed; \"tokens\" are not optimiser steps)"), "\(text)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(Report(analysis: analysis).rendered(as: .json).utf8)) as? [String: Any])
    let fit = try #require((json["schedule"] as? [String: Any])?["annealing"] as? [String: Any])
    #expect(abs(try #require(fit["lambda_lag_steps"] as? Double) / 1e6 - 1) < 0.02)
  }
}
