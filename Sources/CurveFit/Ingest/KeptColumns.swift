/// The columns an ingest pass keeps, row by row: contiguous doubles, nothing else of the line.
struct KeptColumns {
  var steps: [Double] = []
  var losses: [Double] = []
  /// Gradient norms beside the losses (NaN where a row has none); empty without the column.
  var gradNorms: [Double] = []
  /// Learning rates beside the losses (NaN where a row has none); empty without the column.
  var learningRates: [Double] = []
  /// Steps and rates of rows that log a rate but not the loss (an evaluation loss's rows have
  /// none; the training rows between them do): read only with a rate column.
  var ratesWithoutLoss: [(step: Double, rate: Double)] = []

  mutating func reserve(_ rows: Int, gradNorms wantsGrad: Bool, learningRates wantsRate: Bool) {
    steps.reserveCapacity(rows)
    losses.reserveCapacity(rows)
    if wantsGrad { gradNorms.reserveCapacity(rows) }
    if wantsRate { learningRates.reserveCapacity(rows) }
  }

  /// Moves `other`'s rows after these, shifting its steps by `stepOffset`. Column by column,
  /// each of `other`'s freed as soon as it is copied: the peak is the full columns plus one
  /// worker column, not plus all of them.
  mutating func append(_ other: inout KeptColumns, stepOffset: Double) {
    if stepOffset != 0 {
      steps.append(contentsOf: other.steps.lazy.map { $0 + stepOffset })
    } else {
      steps.append(contentsOf: other.steps)
    }
    other.steps = []
    losses.append(contentsOf: other.losses)
    other.losses = []
    gradNorms.append(contentsOf: other.gradNorms)
    other.gradNorms = []
    learningRates.append(contentsOf: other.learningRates)
    other.learningRates = []
    ratesWithoutLoss.append(contentsOf: other.ratesWithoutLoss.lazy.map { ($0.step + stepOffset, $0.rate) })
    other.ratesWithoutLoss = []
  }
}
