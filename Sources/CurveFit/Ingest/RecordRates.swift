/// Learning rates for rows that log a loss but no rate, read from the rows that do.
///
/// A Trainer logs its evaluation loss in records of its own, without the rate, so a report on
/// `eval_loss` saw no schedule: a continued-pretraining run's state (linear decay to 0 over 5,490
/// steps, rates on its training records every 500) projected its evaluation loss as if the
/// rate would stay where it was. Lightning's `metrics.csv` writes `val_loss` on rows whose
/// `lr-AdamW` cell is empty, for the same effect.
enum RecordRates {
  /// Fills each non-finite `rates[i]` with the rate at `steps[i]` interpolated linearly between
  /// the nearest of `known` (steps and rates logged on rows of their own, in any order) and of
  /// the rows whose rates are finite; steps outside them stay unknown (a schedule is not
  /// extrapolated). Returns how many were filled.
  static func fill(_ rates: inout [Double], at steps: [Double], known: [(step: Double, rate: Double)]) -> Int {
    guard !known.isEmpty, rates.contains(where: { !$0.isFinite }) else { return 0 }
    var known = known.filter { $0.step.isFinite && $0.rate.isFinite && $0.rate >= 0 }
    for (step, rate) in zip(steps, rates) where rate.isFinite && rate >= 0 { known.append((step, rate)) }
    guard known.count >= 2 else { return 0 }
    known.sort { $0.step < $1.step }
    var filled = 0
    for index in rates.indices where !rates[index].isFinite {
      let step = steps[index]
      guard step >= known[0].step, step <= known[known.count - 1].step else { continue }
      // First known step at or past this one (binary search: a log holds thousands of rows).
      var (low, high) = (0, known.count - 1)
      while low < high {
        let middle = (low + high) / 2
        if known[middle].step < step { low = middle + 1 } else { high = middle }
      }
      let after = known[low]
      if after.step == step || low == 0 {
        rates[index] = after.rate
      } else {
        let before = known[low - 1]
        let share = (step - before.step) / (after.step - before.step)
        rates[index] = before.rate + share * (after.rate - before.rate)
      }
      filled += 1
    }
    return filled
  }

  /// The note on a series `filled` of whose rows took their rate from rows around them (rows
  /// past the last logged rate log none either, and keep none).
  static func note(loss: String, rate: String, filled: Int) -> String {
    "\(loss): the \(rate) of \(filled) of its rows, which log none, is read between the rows around them that log one"
  }
}
