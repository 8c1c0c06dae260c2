import Foundation

extension Forecast {
  /// The planned last step: `--total-steps`, else the length the log records (`max_steps`,
  /// `step N/T`), else where a logged decay is heading.
  static func plannedEnd(_ inputs: Inputs) -> (step: Double, source: EndSource)? {
    let lastStep = inputs.lastStep
    if let total = inputs.totalSteps, total > lastStep { return (total, .totalSteps) }
    if let recorded = inputs.series.origin.plannedSteps, recorded.steps > 1.01 * lastStep {
      return (recorded.steps, .log)
    }
    if let logged = inputs.schedule?.schedule, !logged.declared, logged.decayKnown, logged.plannedEnd > 1.01 * lastStep {
      return (logged.plannedEnd, .schedule)
    }
    return nil
  }

  /// The target step's interval: a loss error of `σ` moves the step by `σ / |d ln L/d ln t|`
  /// in log steps (a higher loss is reached later).
  static func calibrateStep(_ step: inout Estimate, law: ProjectingLaw, shape: ShapeError, lastStep: Double) {
    let sigma = shape.sigmas(factor: step.value / lastStep)
    let slope = abs(law.logSlope(at: step.value))
    // A curve that has all but stopped falling leaves the step unbounded above.
    let limit = 5.0
    let up = slope > 0 ? min(limit, sigma.up / slope) : limit
    let down = slope > 0 ? min(limit, sigma.down / slope) : limit
    step.calibrate(up: up, down: down)
  }

  /// The first step in `(from, to]` at which the run under its own schedule reaches `loss`.
  static func firstStep(reaching loss: Double, law: ProjectingLaw, from: Double, to: Double) -> Double? {
    guard to > from else { return nil }
    let count = 512
    let steps = (0...count).map { from * Foundation.pow(to / from, Double($0) / Double(count)) }
    let losses = law.alongRun(steps, to)
    guard let index = losses.indices.first(where: { losses[$0] <= loss }) else { return nil }
    guard index > 0 else { return steps[0] }
    let (above, below) = (losses[index - 1], losses[index])
    let fraction = above > below ? (above - loss) / (above - below) : 1
    return steps[index - 1] + fraction * (steps[index] - steps[index - 1])
  }
}
