/// Which columns (CSV) or keys (JSONL) hold the step and the loss.
///
/// Explicit names win; otherwise the first header that matches an alias, in the priority order
/// below, case-insensitively. With no step column, the row number serves as the step.
public struct ColumnSelection: Sendable, Equatable {
  /// `--step-col`; `nil` to detect.
  public var stepColumn: String?
  /// `--loss-col`; `nil` to detect.
  public var lossColumn: String?

  /// `--lr-col`; `nil` to detect.
  public var learningRateColumn: String?

  public init(stepColumn: String? = nil, lossColumn: String? = nil, learningRateColumn: String? = nil) {
    self.stepColumn = stepColumn
    self.lossColumn = lossColumn
    self.learningRateColumn = learningRateColumn
  }

  /// Step aliases, most specific first; `tokens` only when no step counter exists.
  public static let stepAliases = [
    "step", "steps", "global_step", "_step", "iter", "iteration", "iterations", "it",
    "trainer/global_step", "train/global_step", "train/step", "num_steps", "num_updates",
    // LLaMA-Factory's trainer_log.jsonl; ms-swift's logging.jsonl writes "N/M" (`stepOfCount`).
    "current_steps", "global_step/max_steps", "tokens",
    "num_tokens", "train/tokens", "tokens_seen",
    // Ray Tune's progress.csv counts its reports.
    "training_iteration",
    // Keras's CSVLogger and fastai's write a row per epoch and no step: last, as a log with a
    // step counter beside its epoch (a trainer state, Lightning's metrics.csv) is read by steps.
    "epoch",
  ]

  /// Training-loss aliases. Evaluation losses are never picked by default.
  public static let lossAliases = [
    "loss", "train_loss", "train/loss", "training_loss", "train/loss_step", "train_loss_step",
    "lm_loss", "lm loss", "train/lm_loss", "train_lm_loss", "loss/train", "trl", "train/ce_loss",
    "ce_loss", "total_loss", "train/total_loss",
  ]

  /// Gradient-norm aliases: an optional second signal for the spike detector.
  public static let gradNormAliases = [
    "grad_norm", "gradient_norm", "grad-norm", "train/grad_norm", "grad norm", "optim/grad_norm",
    "train/gradient_norm", "gnorm", "optim/total_grad_norm", "train l2_norm/grad/global", "norm",
  ]

  /// Parameter-count columns, the mark of a table of finished runs.
  static let parameterAliases = [
    "params", "parameters", "model_size", "model size", "n_params", "num_params", "nparams", "param_count",
    "non_embedding_params", "params_no_embed",
  ]

  /// Learning-rate aliases: the schedule behind the annealing law.
  public static let learningRateAliases = [
    "lr", "learning_rate", "learning rate", "train/lr", "train/learning_rate", "optim/lr",
    "trainer/learning_rate", "lr-adamw", "lr-adam", "lr-sgd", "lr_0", "lr/group_0", "lr-adamw/pg1",
    "learning-rate", "lr_abs",
  ]

  /// A resolved choice: indices into the column list.
  struct Resolved {
    var step: Int?
    var loss: Int
    var gradNorm: Int?
    var learningRate: Int?
    /// The loss's sibling terms, when the loss read is one term of several with no total
    /// beside them (YOLO's `train/box_loss, train/cls_loss, train/dfl_loss`): the report says so.
    var siblingTerms: [Int] = []
  }

  /// Picks the columns from the names seen, or explains why none fits.
  ///
  /// - Parameter heldOut: with no training loss among them, read an evaluation loss (a CSV of
  ///   `step,val_loss`) rather than refuse; only where every name is known up front (a header,
  ///   a whole document), not from the first lines of a stream that may log the training loss
  ///   later.
  func resolve(columns: [String], source: String, heldOut: Bool = false) throws(IngestError) -> Resolved {
    let lowered = columns.map { $0.lowercased() }
    let loss: Int
    if let index = try Self.named(lossColumn, flag: "--loss-col", in: columns, source: source) {
      loss = index
    } else if let index = Self.firstMatch(Self.lossAliases, in: lowered) {
      loss = index
    } else if let index = Self.likeliestTrainingLoss(lowered) {
      loss = index
    } else if let index = lowered.firstIndex(where: Self.namesTrainingPerplexity) {
      // A log of its perplexity alone (`step,ppl`): read, then taken as its log (`--input-units`).
      loss = index
    } else if let index = lowered.firstIndex(of: "value"), lowered.indices.allSatisfy({ $0 == index || Self.namesStepOrTime(lowered[$0]) }) {
      // One metric's export: TensorBoard's "Download CSV" (Wall time, Step, Value), and the like
      // of `step,value,timestamp`; the metric is named by the file, not the table.
      loss = index
    } else if heldOut, let index = lowered.firstIndex(where: Self.looksLikeHeldOutLoss) {
      loss = index
    } else {
      throw .noLossColumn(source: source, columns: columns)
    }
    let step = try Self.named(stepColumn, flag: "--step-col", in: columns, source: source)
      ?? Self.firstMatch(Self.stepAliases, in: lowered)
    // A row per finished run (parameters and tokens, no step counter) is a scaling table.
    if stepColumn == nil, step.map({ lowered[$0].contains("token") }) ?? true,
      let params = Self.firstMatch(Self.parameterAliases, in: lowered)
    {
      throw .scalingTable(source: source, column: columns[params])
    }
    let gradNorm = Self.firstMatch(Self.gradNormAliases, in: lowered).flatMap { $0 == loss ? nil : $0 }
    let learningRate = try Self.named(learningRateColumn, flag: "--lr-col", in: columns, source: source)
      ?? (Self.firstMatch(Self.learningRateAliases, in: lowered)
        ?? lowered.indices.first { $0 != loss && $0 != step && Self.looksLikeLearningRate(lowered[$0]) })
        .flatMap { $0 == loss || $0 == step ? nil : $0 }
    var resolved = Resolved(step: step, loss: loss, gradNorm: gradNorm, learningRate: learningRate)
    if lossColumn == nil, Self.firstMatch(Self.lossAliases, in: lowered) == nil {
      let terms = lowered.indices.filter { Self.looksLikeTrainingLoss(lowered[$0]) }
      // `batch_loss, avg_loss` is one loss and its running mean, not two terms.
      if terms.count >= 2, terms.contains(loss), Self.likeliestTrainingLoss(lowered) == loss,
        !terms.contains(where: { Self.namesAggregate(lowered[$0]) })
      {
        resolved.siblingTerms = terms.filter { $0 != loss }
      }
    }
    return resolved
  }

  /// The note for a loss read as one term of several: which, and how to read another.
  static func termsNote(_ loss: String, siblings: [String]) -> String {
    "\(loss) is one of \(siblings.count + 1) loss terms and no column holds their total (also "
      + siblings.prefix(4).joined(separator: ", ") + (siblings.count > 4 ? ", …" : "") + "): --loss-col reads another"
  }

  /// The index of the column a flag names exactly; `nil` when the flag is not given.
  private static func named(
    _ name: String?, flag: String, in columns: [String], source: String
  ) throws(IngestError) -> Int? {
    guard let name else { return nil }
    guard let index = columns.firstIndex(of: name) else {
      throw .noSuchColumn(source: source, flag: flag, name: name, columns: columns)
    }
    return index
  }

  private static func firstMatch(_ aliases: [String], in lowered: [String]) -> Int? {
    for alias in aliases {
      if let index = lowered.firstIndex(of: alias) { return index }
    }
    return nil
  }

  /// A logged rate under another trainer's name (`optimizer/lr`, `lr-AdamW/pg2`, `train/lr_0`,
  /// `LearningRate`): "lr" as a word, or "learning rate" spelled any way; not a setting such as
  /// `min_lr` or `lr_scheduler_type`.
  static func looksLikeLearningRate(_ name: String) -> Bool {
    let words = name.split { !$0.isLetter && !$0.isNumber }.map(String.init)
    let spelled = name.filter(\.isLetter).contains("learningrate")
    guard spelled || words.contains("lr") || words.contains(where: { $0.hasPrefix("lr") && $0.dropFirst(2).allSatisfy(\.isNumber) }) else {
      return false
    }
    let settings = ["min", "max", "peak", "base", "init", "initial", "final", "config", "scheduler", "schedule", "warmup", "decay", "type", "scale", "factor", "ratio", "mult"]
    return !words.contains { settings.contains($0) }
  }

  /// Among columns named like a training loss, the one that sums its parts: a loss split into
  /// terms (a PINN's `Conductor_Copper_loss, …, mean_loss`) is judged by its total, not by the
  /// first term the header happens to list. Else the first. Only with two terms or more beside
  /// it: `batch_loss, avg_loss` is one loss and its running mean, and the mean lags.
  private static func likeliestTrainingLoss(_ lowered: [String]) -> Int? {
    let candidates = lowered.indices.filter { looksLikeTrainingLoss(lowered[$0]) }
    guard candidates.count >= 3 else { return candidates.first }
    return candidates.first { namesAggregate(lowered[$0]) } ?? candidates.first
  }

  /// A loss named as the total, or a statistic, of others (`mean_loss`, `loss_total`, `avg_loss`).
  private static func namesAggregate(_ name: String) -> Bool {
    let aggregate = ["total", "mean", "avg", "average", "overall", "combined", "sum", "full", "running", "smoothed", "ema"]
    return name.split { !$0.isLetter }.contains { aggregate.contains(String($0)) }
  }

  /// A step counter or a clock: the columns beside a one-metric export's `value`.
  static func namesStepOrTime(_ name: String) -> Bool {
    stepAliases.contains(name) || ["wall time", "wall_time", "walltime", "time", "timestamp", "_timestamp", "relative", "relative time", "datetime"].contains(name)
  }

  /// A metric measured on held-out data (`eval_loss`, `val/loss`, `validation loss`, `test_ppl`):
  /// a word of the name is, or opens with, an evaluation word.
  static func namesEvaluation(_ name: String) -> Bool {
    let words = name.lowercased().split { !$0.isLetter }
    let marks = ["val", "eval", "valid", "validation", "evaluation", "test", "dev", "heldout"]
    return words.contains { word in marks.contains(String(word)) || word.hasPrefix("eval") || word.hasPrefix("valid") }
  }

  /// A training perplexity (`ppl`, `train_perplexity`, `train/ppl`): no other word, so not a
  /// benchmark's (`lambada_openai_ppl`, `wikitext_ppl`), an evaluation's or a statistic of one.
  public static func namesTrainingPerplexity(_ name: String) -> Bool {
    let words = name.lowercased().split { !$0.isLetter }.map(String.init)
    let allowed: Set<String> = ["ppl", "perplexity", "train", "training", "lm", "mean", "avg"]
    return words.contains { $0 == "ppl" || $0 == "perplexity" } && words.allSatisfy(allowed.contains)
  }

  /// An evaluation loss, not a statistic of one (`val/loss__MIN`, `eval_loss_std`).
  static func looksLikeHeldOutLoss(_ name: String) -> Bool {
    name.contains("loss") && namesEvaluation(name) && !["__min", "__max", "_std"].contains { name.contains($0) }
  }

  /// A name containing "loss" that is not an evaluation, validation or test metric.
  private static func looksLikeTrainingLoss(_ name: String) -> Bool {
    guard name.contains("loss") else { return false }
    let excluded = ["val", "eval", "test", "valid", "__min", "__max", "_std", "dev"]
    return !excluded.contains { name.contains($0) }
  }
}
