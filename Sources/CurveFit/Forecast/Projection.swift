import Foundation
import LeastSquares

/// The fitted loss at a multiple of the last observed step.
public struct Projection: Sendable, Equatable {
  /// The multiple of the last step (2, 5, 10).
  public var factor: Double
  public var step: Double
  /// The fitted loss there, with a delta-method 95% interval.
  public var loss: Estimate
  /// `"stretched"` when the loss is the final loss of a run whose schedule is stretched to
  /// `step`, `"held"` when that run goes on at the logged last rate (`SchedulePlan.holdsLastRate`),
  /// `"this run"` for an `--at-step` row at or before the planned end (this run's loss there,
  /// under its own schedule); `nil` for the power law's point on the current curve.
  public var schedule: String?
  /// Why this row carries no number (JSON `"withheld"`): set on the annealing law's informational
  /// rows, when it does not project, where its curve falls to a loss at or below zero, and on an
  /// `--at-step` row before the steps the projecting law is fitted on.
  public var withheld: String?

  public init(factor: Double, step: Double, loss: Estimate, schedule: String? = nil) {
    (self.factor, self.step, self.loss, self.schedule) = (factor, step, loss, schedule)
  }

  /// Projects `fit` to `factor × lastStep`.
  ///
  /// The interval is `L ± 1.96·√(gᵀ·Σ·g)` with `g = ∂L/∂(lMin, c, alpha)` (delta method).
  public init(fit: PowerLawFit, lastStep: Double, factor: Double) {
    self.factor = factor
    self.step = lastStep * factor
    self.loss = fit.estimate(at: lastStep * factor)
  }

  /// `schedule` of a row on this run's own schedule, before its planned end.
  public static let thisRun = "this run"

  /// The multiples every report shows.
  public static let standardFactors: [Double] = [2, 5, 10]
}

extension Projection {
  /// Withholds a row whose loss is at or below zero: the law that made it has left the run
  /// (Whisper-small cut at half, a fine-tune falling to 0.0001 nats, where the rejected annealing
  /// law crossed zero at 10×), and a negative loss informs of nothing.
  mutating func withholdIfNotPositive() {
    guard !(loss.value > 0) else { return }
    withheld = "the annealing law, which does not project here, falls to a loss at or below zero at this step"
  }
}
