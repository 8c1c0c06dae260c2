/// One of several series read from one input: a run of a W&B export, a tag of a TensorBoard
/// file, a run of a long table, a metric asked for with `--metric`, a file of a directory.
public struct NamedSeries: Sendable {
  public var name: String
  public var series: LossSeries

  public init(name: String, series: LossSeries) {
    self.name = name
    self.series = series
  }
}

/// Which series to read: `--metric` and `--run`.
public struct SeriesRequest: Sendable, Equatable {
  /// Metrics (columns, keys, tags, W&B metric names); empty for the training loss.
  public var metrics: [String]
  /// Runs (exact names, else substrings); empty for every run.
  public var runs: [String]

  public init(metrics: [String] = [], runs: [String] = []) {
    self.metrics = metrics
    self.runs = runs
  }

  /// The names among `available` that `runs` selects: exact matches first, else substrings.
  ///
  /// - Throws: `.noSuchRun` when `runs` selects none of them.
  func selectRuns(_ available: [String], source: String) throws(IngestError) -> [String] {
    guard !runs.isEmpty else { return available }
    let selected = available.filter { name in
      runs.contains { wanted in name == wanted || (!available.contains(wanted) && name.contains(wanted)) }
    }
    guard !selected.isEmpty else { throw .noSuchRun(source: source, runs: runs, available: available) }
    return selected
  }
}
