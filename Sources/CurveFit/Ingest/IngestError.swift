/// A line of input that could not be read, or an input with nothing usable in it.
///
/// Every case renders as one line shaped `file:line: what was wrong, what was expected`.
public enum IngestError: Error, Equatable, CustomStringConvertible {
  case cannotOpen(source: String, reason: String)
  case empty(source: String)
  case headerOnly(source: String)
  case binary(source: String)
  case noLossColumn(source: String, columns: [String])
  case noSuchColumn(source: String, flag: String, name: String, columns: [String])
  case badNumber(SourceLocation, column: String, text: String)
  case nonFiniteStep(SourceLocation, column: String, text: String)
  case missingStep(SourceLocation, column: String)
  case tooFewFields(SourceLocation, found: Int, expected: Int)
  case invalidJSON(SourceLocation, reason: String)
  /// Well-formed JSON that is not a log: an object without `log_history`, with these keys.
  case notALogDocument(source: String, keys: [String])
  case lineTooLong(SourceLocation, limit: Int)
  case noFiniteLoss(source: String, rows: Int)
  /// A trainer state whose log_history holds only the run's closing summary (`train_loss`, the
  /// mean over the run): the Trainer never logged a step's loss.
  case summaryOnly(source: String, meanLoss: Double, steps: Double?, loggingSteps: Double?, evaluated: Bool)
  /// A table of finished runs (a parameter count per row, no step counter): `curvefit scaling`.
  case scalingTable(source: String, column: String)
  /// A TensorBoard record that fails its checks, at a byte offset.
  case corruptRecord(source: String, offset: Int, reason: String)
  /// A text log of no layout curvefit knows, with a `--pattern` that would read it, if one was found.
  case unrecognisedLog(source: String, suggestion: String?)
  /// `--metric` or `--loss-col` naming another number than the one loss a console log's known
  /// layout reads.
  case consoleMetric(source: String, layout: String, name: String, reads: String)
  /// `--run` on an input that holds one series, not runs.
  case noRuns(source: String, runs: [String])
  /// `--run` names nothing among the runs there are.
  case noSuchRun(source: String, runs: [String], available: [String])

  /// A flag that asks for something the input does not have: bad usage (exit 64), not bad input.
  public var isUsage: Bool {
    switch self {
    case .noRuns, .noSuchRun, .noSuchColumn, .consoleMetric: true
    default: false
    }
  }

  public var description: String {
    switch self {
    case .cannotOpen(let source, let reason):
      "\(source): cannot open: \(reason)"
    case .empty(let source):
      "\(source): the input is empty, expected a header row or JSON lines"
    case .headerOnly(let source):
      "\(source): only a header row, expected data rows below it"
    case .binary(let source):
      "\(source): looks like binary data, expected a CSV, TSV or JSON-lines text log"
    case .noLossColumn(let source, let columns):
      if let (name, value) = Self.longMetricColumns(columns) {
        "\(source): no loss column; columns are \(list(columns)): a long table of metrics (one row per metric "
          + "and step, the metric named in '\(name)', its value in '\(value)'), which curvefit reads (from a file or "
          + "standard input) when it has a step column; else give it one column per metric, as in "
          + "'step,train_loss,learning_rate'"
      } else if !columns.isEmpty, columns.allSatisfy({ Double($0.trimmingCharacters(in: .whitespaces)) != nil }) {
        // Numbers without a header whose first column does not rise: not a step, and not guessed at.
        "\(source): no header row: the first line holds numbers (\(list(columns))), not column names, and "
          + "the first column is not a step (it does not rise line by line); add a header line naming the columns, "
          + "as in 'step,loss'"
      } else {
        "\(source): no loss column; columns are \(list(columns)) (choose one with --loss-col)"
      }
    case .consoleMetric(let source, let layout, let name, let reads):
      "\(source): a console log (\(layout)) read for one loss a line, '\(reads)'; it has no column '\(name)' "
        + "for --metric or --loss-col: to read another number from its lines, give --pattern with named groups "
        + "(?<step>…) and (?<loss>…), e.g. --pattern 'step (?<step>\\d+).*val loss (?<loss>[0-9.]+)'"
    case .noSuchColumn(let source, let flag, let name, let columns):
      "\(source): no column '\(name)' for \(flag); columns are \(list(columns))"
    case .badNumber(let at, let column, let text):
      "\(at): column '\(column)' has '\(quoted(text))', expected a number"
    case .nonFiniteStep(let at, let column, let text):
      "\(at): column '\(column)' has '\(quoted(text))', expected a finite step"
    case .missingStep(let at, let column):
      "\(at): a loss without a '\(column)' value, expected both on every row"
    case .tooFewFields(let at, let found, let expected):
      "\(at): \(found) fields, expected at least \(expected) as in the header"
    case .invalidJSON(let at, let reason):
      "\(at): invalid JSON: \(reason)"
    case .notALogDocument(let source, let keys):
      "\(source):1: a JSON object without log_history (its keys: "
        + (keys.count > 6 ? keys.prefix(6).joined(separator: ", ") + ", …" : keys.joined(separator: ", "))
        + "), not a training log: expected a trainer_state.json, an array of records, an object of lists of numbers (Keras's history) or JSON lines (one record per line)"
    case .lineTooLong(let at, let limit):
      "\(at): line longer than \(limit / (1 << 20)) MiB, expected one log record per line"
    case .summaryOnly(let source, let meanLoss, let steps, let loggingSteps, let evaluated):
      "\(source): no step's loss is logged: log_history holds only the run's closing summary (train_loss "
        + "\(NumberFormat.significant(meanLoss, 4)), the mean over \(steps.map { "its \(NumberFormat.count($0)) steps" } ?? "the run"))"
        + (loggingSteps.flatMap { every in steps.map { every > $0 ? "; logging_steps \(NumberFormat.count(every)) is longer than the run" : "" } } ?? "")
        + ": train with logging_steps below the run's length to log the loss"
        + (evaluated ? "; its evaluation loss is logged: --metric eval_loss" : "")
    case .noFiniteLoss(let source, let rows):
      "\(source): none of \(rows) rows has a finite loss, expected at least one to fit"
    case .scalingTable(let source, let column):
      "\(source): a table of finished runs (a parameter count in '\(column)', no step column), not a training log: "
        + "fit it with `curvefit scaling \(source)`, or name a step column with --step-col"
    case .corruptRecord(let source, let offset, let reason):
      "\(source): byte offset \(offset): TensorBoard record: \(reason)"
    case .unrecognisedLog(let source, let suggestion):
      "\(source): not a format curvefit recognises (no header row naming a loss column, no known console-log layout); "
        + (suggestion.map { "read it with --pattern '\($0)'" }
          ?? "name the step and loss with --pattern '(?<step>…)…(?<loss>…)'")
    case .noRuns(let source, let runs):
      "\(source): --run \(runs.joined(separator: ",")): this log holds one series, not runs (--run selects a run of a W&B "
        + "export or of a table with a run column: run_name, run, run_id, experiment, name or model)"
    case .noSuchRun(let source, let runs, let available):
      "\(source): no run matches --run \(runs.joined(separator: ",")); the runs are \(list(available))"
    }
  }
}

/// A position in an input: its name and 1-based line number.
public struct SourceLocation: Equatable, Sendable, CustomStringConvertible {
  public var source: String
  public var line: Int

  public init(source: String, line: Int) {
    self.source = source
    self.line = line
  }

  public var description: String { "\(source):\(line)" }
}

extension IngestError {
  /// The metric-name and value columns of a long table of metrics (MLflow's `key,value,step`,
  /// tbparse's `step,tag,value`), or `nil`.
  static func longMetricColumns(_ columns: [String]) -> (name: String, value: String)? {
    let lowered = columns.map { $0.lowercased() }
    guard let value = lowered.firstIndex(of: "value"),
      let name = ["key", "tag", "metric", "metric_name", "name"].lazy.compactMap({ lowered.firstIndex(of: $0) }).first
    else { return nil }
    return (columns[name], columns[value])
  }
}

private func list(_ columns: [String]) -> String {
  // Each name cut short too: a "header" may be a whole line of a file that has none.
  columns.isEmpty ? "(none)" : columns.prefix(20).map(quoted).joined(separator: ", ")
    + (columns.count > 20 ? ", …" : "")
}

/// Keeps error messages to one short line whatever the offending cell holds.
private func quoted(_ text: String) -> String {
  let clean = String(text.unicodeScalars.map { $0.value < 0x20 ? "?" : Character($0) })
  return clean.count > 40 ? String(clean.prefix(40)) + "…" : clean
}
