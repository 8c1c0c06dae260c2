/// Steps in one pass over the training data, from the epochs a log records beside its steps.
///
/// The Trainer writes the epoch as a fraction (`"epoch": 1.15` at step 150: the step over the
/// steps in an epoch, rounded to two decimals in older versions); Lightning's `metrics.csv`
/// as the whole epoch the row belongs to (`epoch,step,train_loss`: 0, 0, …, 1, 1, …).
public enum EpochLength {
  /// Steps per epoch from parallel `steps` and `epochs`, or `nil` when the epochs do not reach
  /// a second epoch (fractions below 1, or fewer than two changes of a whole epoch).
  static func stepsPerEpoch(steps: [Double], epochs: [Double]) -> Double? {
    let pairs = zip(steps, epochs).filter { $0.0.isFinite && $0.1.isFinite && $0.1 >= 0 && $0.0 > 0 }
    guard !pairs.isEmpty else { return nil }
    let fractional = pairs.contains { $0.1 != $0.1.rounded() }
    if fractional {
      // The largest epoch is the least rounded.
      guard let last = pairs.max(by: { $0.1 < $1.1 }), last.1 >= 1 else { return nil }
      return last.0 / last.1
    }
    // Whole epochs: the first step logged in each, from the first change on.
    var starts: [(epoch: Double, step: Double)] = []
    for (step, epoch) in pairs where epoch > (starts.last?.epoch ?? pairs[0].1) {
      starts.append((epoch, step))
    }
    guard starts.count >= 2, let first = starts.first, let last = starts.last, last.epoch > first.epoch else { return nil }
    let length = (last.step - first.step) / (last.epoch - first.epoch)
    return length > 0 ? length : nil
  }

  /// `series` with its steps per epoch read from the log's `epoch` column, when it has one beside
  /// a step column and the file at `path` can be read again for it; unchanged otherwise.
  public static func reading(beside series: LossSeries, path: String, reader: LogReader) -> LossSeries {
    guard series.origin.stepsPerEpoch == nil, let stepColumn = series.origin.stepColumn,
      stepColumn.lowercased() != "epoch",
      let name = series.origin.columns.first(where: { $0.lowercased() == "epoch" })
    else { return series }
    var reader = reader
    reader.selection.lossColumn = name
    reader.computeDigest = false
    guard let epochs = try? reader.read(path: path),
      let length = stepsPerEpoch(steps: epochs.steps, epochs: epochs.losses)
    else { return series }
    var read = series
    read.origin.stepsPerEpoch = length
    return read
  }
}
