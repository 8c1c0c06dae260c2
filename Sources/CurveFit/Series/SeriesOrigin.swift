/// Where a series came from: the source name, the columns chosen, and what ingest skipped.
public struct SeriesOrigin: Sendable, Equatable {
  /// The file path as given, or `<stdin>`.
  public var source: String
  /// The detected format (`csv`, `tsv`, `jsonl`).
  public var format: String
  /// The column or key used for steps; `nil` when the row number was used.
  public var stepColumn: String?
  /// False when the x-axis is not optimiser steps: a step column that counts tokens, samples or
  /// epochs (the Smol Playbook's `tokens`, Megatron's consumed samples), or row numbers.
  public var stepsAreOptimiserSteps: Bool {
    guard let name = stepColumn?.lowercased() else { return false }
    return !(name.contains("token") || name.contains("sample") || name.contains("epoch"))
  }
  public var lossColumn: String
  /// Every column or key seen in the header (CSV) or the first objects (JSONL).
  public var columns: [String]
  /// Data rows read (excluding the header), including those skipped.
  public var rowsRead = 0
  /// Rows skipped because the loss cell was empty or the key absent.
  public var rowsWithoutLoss = 0
  /// Times the step went backwards (resumed jobs), and rows superseded by a later log line.
  public var restarts = 0
  public var duplicateSteps = 0
  /// Rows folded into the row before them by `AdjacentRows.mean` (several rows of one step).
  public var rowsAveraged = 0
  /// SHA-256 of the input bytes, in hex; `nil` for series not read from bytes.
  public var sha256: String?
  /// The gradient-norm column read beside the loss, if the log has one.
  public var gradNormColumn: String?
  /// The learning-rate column read beside the loss, if the log has one.
  public var learningRateColumn: String?
  /// The run's planned length as the log itself records it (a trainer state's `max_steps`, the
  /// total of llm.c's `step N/T` or Megatron's `iteration N/ T`), and where it was read.
  public var plannedSteps: PlannedSteps?
  /// The schedule the log states in words, when it logs no rates (nanoGPT's printed config).
  public var statedSchedule: StatedSchedule?
  /// Steps in one pass over the training data, from the epochs the log records beside its steps
  /// (a trainer state's `epoch`); `nil` when it records none or counts in epochs.
  public var stepsPerEpoch: Double?
  /// The evaluation loss a console log's layout prints on lines of its own beside the training
  /// loss (nanoGPT's `step 250: train loss 3.1, val loss 3.2`), read on request as this name;
  /// `nil` for a layout without such lines and for logs of columns, whose `columns` name theirs.
  public var heldOutLoss: String?
  /// The evaluation loss beside the training loss, when the file was read again for it
  /// (`HeldOutCheck`); `nil` otherwise.
  public var heldOutTrend: HeldOutTrend?
  /// That evaluation loss climbing from its lowest, when it does (`HeldOutCheck`).
  public var heldOutOverfitting: HeldOutOverfitting?
  /// What a reader should know about this input (sampling, smoothing), in plain sentences.
  public var notes: [String] = []

  public init(
    source: String, format: String, stepColumn: String?, lossColumn: String, columns: [String]
  ) {
    self.source = source
    self.format = format
    self.stepColumn = stepColumn
    self.lossColumn = lossColumn
    self.columns = columns
  }
}

/// A run's planned length read from its log, and the field that recorded it.
public struct PlannedSteps: Sendable, Equatable {
  public var steps: Double
  /// `max_steps`, `step N/T`, `iteration N/T`.
  public var key: String

  public init(steps: Double, key: String) {
    (self.steps, self.key) = (steps, key)
  }
}

extension SeriesOrigin {
  /// Why no schedule was read: no rate column, or one whose rates are (nearly all) not positive,
  /// as a logger that writes 0 before its optimizer exists.
  var noScheduleReason: String {
    learningRateColumn.map { "the learning-rate column '\($0)' holds too few positive rates to read a schedule from" }
      ?? "no learning-rate column"
  }
}
