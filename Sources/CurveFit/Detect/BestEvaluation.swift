import Foundation

/// The lowest an evaluation loss reached, when the evaluations since have not gone below it:
/// the checkpoint a run that keeps its best (the Trainer's `load_best_model_at_end`, early
/// stopping's patience) ends with.
///
/// A noisy evaluation loss that stalls or drifts up by less than the rise detector's six standard
/// errors reads "healthy": DNABERT-2's `eval_loss`, lowest at step 800 (0.232) of 2,200 and at
/// 0.288 after seven more evaluations, said nothing of where its best was. Not a verdict: the
/// line says which evaluation was lowest and how the ones since compare.
public struct BestEvaluation: Sendable, Equatable {
  public var step: Double
  public var loss: Double
  /// Finite evaluations logged after the lowest.
  public var evaluationsSince: Int
  /// The last evaluation's loss.
  public var last: Double

  /// Evaluations after the lowest before the line is shown: one may be noise.
  static let minimumSince = 2
  /// Evaluations in all: fewer say little of a best.
  static let minimumEvaluations = 4
  /// How far above the lowest the last evaluation must be for the lowest to matter: a
  /// pretraining run's validation loss flat at its end (llm.c: 3.27 twice after 3.27) keeps its
  /// last checkpoint as well as its best.
  static let minimumRise = 0.05
  /// Evaluations since the lowest that show it at any rise: four in a row none lower is a
  /// stall, not one noisy evaluation (a 10-epoch fine-tune's `eval_loss`, lowest at epoch 6,
  /// ended 1.3% above it while its training loss fell another 27%).
  static let stalledSince = 4

  /// The lowest of `series` when it names an evaluation loss, at least `minimumSince` finite
  /// evaluations follow it and the last is `minimumRise` or more above it; nil otherwise.
  static func find(_ series: LossSeries) -> BestEvaluation? {
    guard ColumnSelection.namesEvaluation(series.origin.lossColumn) else { return nil }
    var lowest: Int?
    var finite = 0
    for index in series.losses.indices where series.losses[index].isFinite {
      finite += 1
      if lowest.map({ series.losses[index] < series.losses[$0] }) ?? true { lowest = index }
    }
    guard let lowest, finite >= minimumEvaluations,
      let lastIndex = series.losses.lastIndex(where: \.isFinite)
    else { return nil }
    let since = series.losses[(lowest + 1)...].filter(\.isFinite).count
    let last = series.losses[lastIndex]
    guard since >= stalledSince || (since >= minimumSince && last >= (1 + minimumRise) * series.losses[lowest]) else { return nil }
    return BestEvaluation(
      step: series.steps[lowest], loss: series.losses[lowest], evaluationsSince: since, last: last)
  }

  /// `lowest 0.232 at step 800; none of the 7 evaluations since is lower (the last 0.288, +24%)`
  func line(axis: StepAxis, unit: LossUnit) -> String {
    let shown = { (loss: Double) in NumberFormat.significant(unit.fromNats(loss), 3) }
    let rise = loss > 0 ? ", \(NumberFormat.signed(100 * (last - loss) / loss, decimals: 0))%" : ""
    return "lowest \(shown(loss)) at \(axis.at(step)); none of the \(evaluationsSince) evaluations since is lower "
      + "(the last \(shown(last))\(rise)): a run that keeps its best checkpoint keeps that one"
  }
}
