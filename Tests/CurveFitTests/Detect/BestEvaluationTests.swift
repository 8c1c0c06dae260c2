@testable import CurveFit
import Foundation
import Testing

/// An evaluation loss past its lowest, too noisy to call a rise, says where its best was.
@Suite struct BestEvaluationTests {
  /// DNABERT-2's `eval_loss`, every 200 steps (its trainer state on GitHub).
  static let losses = [0.314, 0.255, 0.266, 0.232, 0.303, 0.272, 0.254, 0.283, 0.294, 0.294, 0.288]

  static func series(_ losses: [Double], column: String) -> LossSeries {
    let origin = SeriesOrigin(source: "state", format: "json", stepColumn: "step", lossColumn: column, columns: ["step", column])
    return LossSeries(steps: losses.indices.map { 200 * Double($0 + 1) }, losses: losses, learningRates: nil, origin: origin)
  }

  @Test("a stalled evaluation loss names its lowest and the evaluations since, and stays healthy")
  func stalledEvaluationNamesItsBest() throws {
    let analysis = try LossCurveAnalysis.run(Self.series(Self.losses, column: "eval_loss"), options: .init())
    #expect(analysis.health.divergence == nil)
    let best = try #require(analysis.health.bestEvaluation)
    #expect(best == BestEvaluation(step: 800, loss: 0.232, evaluationsSince: 7, last: 0.288))
    #expect(best.line(axis: .steps, unit: .nats)
      == "lowest 0.232 at step 800; none of the 7 evaluations since is lower (the last 0.288, +24%): "
      + "a run that keeps its best checkpoint keeps that one")
    // The training loss's report notes it (before, it said nothing of the evaluation loss).
    #expect(HeldOutCheck.finding(on: Self.series(Self.losses, column: "eval_loss"), name: "eval_loss", options: .init()).note
      == "eval_loss: lowest 0.232 at step 800, none of the 7 evaluations since lower (the last 0.288); "
      + "--metric eval_loss for its report")
  }

  @Test("an evaluation loss at its lowest now, one evaluation past it, within 5% of it, or a training loss says nothing")
  func otherwiseNothing() throws {
    let falling = Self.losses.indices.map { 0.5 - 0.02 * Double($0) }
    #expect(BestEvaluation.find(Self.series(falling, column: "eval_loss")) == nil)
    #expect(BestEvaluation.find(Self.series(falling + [0.4], column: "eval_loss")) == nil)
    // The falling loss ends at 0.30: two evaluations since, the last 4% or 7% above it.
    #expect(BestEvaluation.find(Self.series(falling + [0.31, 0.312], column: "val_loss")) == nil)
    #expect(BestEvaluation.find(Self.series(falling + [0.31, 0.32], column: "val_loss"))?.evaluationsSince == 2)
    #expect(BestEvaluation.find(Self.series(Self.losses, column: "loss")) == nil)
    // Three evaluations since, the last 1% above: still nothing.
    #expect(BestEvaluation.find(Self.series(falling + [0.303, 0.302, 0.303], column: "eval_loss")) == nil)
  }

  @Test("four evaluations since the lowest, none lower, name it at any rise")
  func fourEvaluationsSinceNameItsBest() throws {
    // A 10-epoch fine-tune's eval_loss (a continued-pretraining trainer state on GitHub): lowest
    // at epoch 6, 1.3% above it four epochs later. Before, silent (under the 5% floor).
    let epochs = [0.6598, 0.5546, 0.5185, 0.4940, 0.4894, 0.4853, 0.4873, 0.4906, 0.4907, 0.4917]
    let best = try #require(BestEvaluation.find(Self.series(epochs, column: "eval_loss")))
    #expect(best == BestEvaluation(step: 1_200, loss: 0.4853, evaluationsSince: 4, last: 0.4917))
    #expect(best.line(axis: .steps, unit: .nats).hasPrefix("lowest 0.485 at step 1,200; none of the 4 evaluations since is lower (the last 0.492, +1%)"))
  }
}
