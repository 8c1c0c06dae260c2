/// A training curve: parallel arrays of steps and losses, sorted by step, one loss per step.
///
/// Losses may be NaN or infinite (a diverged run logs them); detectors see them, fits skip them.
/// Steps are finite. Built by ingest, then passed around as an immutable value.
public struct LossSeries: Sendable, Equatable {
  /// The x-axis as logged (steps, iterations or tokens), ascending, no duplicates.
  public let steps: [Double]
  /// The loss at each step, in nats unless the input said otherwise.
  public let losses: [Double]
  /// Where the series came from and what ingest did to it.
  public internal(set) var origin: SeriesOrigin
  /// Gradient norms at the same steps (NaN where not logged), when the log has them.
  public let gradNorms: [Double]?
  /// Learning rates at the same steps (NaN where not logged), when the log has them.
  public let learningRates: [Double]?

  /// Creates a series from rows in log order.
  ///
  /// Rows of one step logged one after another are averaged into one (`AdjacentRows`). Rows
  /// whose step goes backwards (a job resumed from a checkpoint) are merged by keeping the
  /// last-logged loss for each step, and the number of restarts is recorded in the origin.
  public init(
    steps: [Double], losses: [Double], gradNorms: [Double]? = nil, learningRates: [Double]? = nil,
    origin: SeriesOrigin
  ) {
    precondition(steps.count == losses.count, "steps and losses must have equal length")
    precondition(gradNorms.map { $0.count == steps.count } ?? true, "gradNorms must match steps")
    precondition(learningRates.map { $0.count == steps.count } ?? true, "learningRates must match steps")
    var origin = origin
    // Rows of one step logged one after another are its micro-batches or its ranks (gradient
    // accumulation, each DDP rank printing its own loss): the step's loss is their mean. Keeping
    // the last of each, as for a resumed run below, threw three of four rows away unsaid.
    var (steps, losses, gradNorms, learningRates) = (steps, losses, gradNorms, learningRates)
    if steps.indices.dropFirst().contains(where: { steps[$0] == steps[$0 - 1] }) {
      let merged = AdjacentRows.mean(steps: steps, losses: losses, gradNorms: gradNorms, learningRates: learningRates)
      origin.rowsAveraged += steps.count - merged.steps.count
      (steps, losses, gradNorms, learningRates) = (merged.steps, merged.losses, merged.gradNorms, merged.learningRates)
    }
    var restarts = 0
    var sorted = true
    for i in steps.indices.dropFirst() where steps[i] <= steps[i - 1] {
      sorted = false
      if steps[i] < steps[i - 1] { restarts += 1 }
    }
    origin.restarts = restarts
    guard !sorted else {
      (self.steps, self.losses, self.gradNorms, self.origin) = (steps, losses, gradNorms, origin)
      self.learningRates = learningRates
      return
    }
    // Stable sort by step, then keep the last occurrence of each step: a later log line supersedes
    // an earlier one for the same step.
    let order = steps.indices.sorted { (steps[$0], $0) < (steps[$1], $1) }
    var keptSteps: [Double] = []
    var keptLosses: [Double] = []
    var keptGrads: [Double] = []
    var keptRates: [Double] = []
    keptSteps.reserveCapacity(order.count)
    keptLosses.reserveCapacity(order.count)
    for index in order {
      if let last = keptSteps.last, last == steps[index] {
        keptLosses[keptLosses.count - 1] = losses[index]
        if let gradNorms { keptGrads[keptGrads.count - 1] = gradNorms[index] }
        if let learningRates { keptRates[keptRates.count - 1] = learningRates[index] }
        origin.duplicateSteps += 1
      } else {
        keptSteps.append(steps[index])
        keptLosses.append(losses[index])
        if let gradNorms { keptGrads.append(gradNorms[index]) }
        if let learningRates { keptRates.append(learningRates[index]) }
      }
    }
    (self.steps, self.losses, self.origin) = (keptSteps, keptLosses, origin)
    self.gradNorms = gradNorms == nil ? nil : keptGrads
    self.learningRates = learningRates == nil ? nil : keptRates
  }

  /// A series whose steps are already sorted and unique (a conversion of another series).
  init(
    sortedSteps steps: [Double], losses: [Double], gradNorms: [Double]?, learningRates: [Double]?,
    origin: SeriesOrigin
  ) {
    (self.steps, self.losses, self.gradNorms, self.origin) = (steps, losses, gradNorms, origin)
    self.learningRates = learningRates
  }

  public var count: Int { steps.count }
  public var isEmpty: Bool { steps.isEmpty }

  /// Number of NaN or infinite losses.
  public var nonFiniteCount: Int { losses.reduce(0) { $0 + ($1.isFinite ? 0 : 1) } }
}
