import Foundation

extension Forecast {
  /// What the forecast is built from: the values the analysis's earlier steps produced.
  struct Inputs {
    var series: LossSeries
    var fitRange: ClosedRange<Double>
    /// The annealing law's range: `fitRange`, but from the start of the watched range when the
    /// power law starts at a rate's step down (the annealing law models the drop itself).
    var annealingRange: ClosedRange<Double>
    var lastStep: Double
    var excluded: StepRanges
    var health: HealthFindings
    /// The power law that projects when the annealing law does not, with its bootstrap refits
    /// and the forms it competed with (their rolling-origin misses).
    var fit: PowerLawFit
    var bootstrapModels: [PowerLaw]
    var modelChoice: ModelChoice
    var schedule: ScheduleAnalysis?
    /// The power law's own rows, with their noise-only intervals.
    var rows: Rows
    /// `--target`, `--total-steps`, `--at-step`.
    var target: Double?
    var totalSteps: Double?
    var atSteps: [Double]
    /// The annealing law's fitter, for its rolling-origin refits.
    var annealingFitter: AnnealingLawFitter
    /// `--schedule constant`: the steps to come are known to keep the current rate.
    var declaredConstant: Bool
    /// The plain power law when the data chose another form over it.
    var plainPower: PowerLawFit? = nil
    /// The held-out backtest of the power law's chosen form.
    var backtest: Backtest? = nil
  }

  /// Every projected number the report prints outside the forecast's own rows: the loss now,
  /// the 2×/5×/10× projections, the doubling effect and the target.
  struct Rows {
    var current: Estimate
    var projections: [Projection]
    var doubling: DoublingEffect
    var target: (loss: Double, outcome: TargetOutcome)?
  }

  /// True when the logged rate has already fallen to 2% of its peak or less: whichever law
  /// projects, no decay worth a cooldown is left to lower the loss (a finished run's log read
  /// whole, whose planned end 337 steps on was given a band 10% deep for one).
  static func decayDone(_ inputs: Inputs) -> Bool {
    guard let schedule = inputs.schedule?.schedule, !schedule.declared, schedule.decays else { return false }
    return schedule.peakRate > 0 && schedule.finalRate <= 0.02 * schedule.peakRate
  }

  /// Changes every projected loss row at a step past `after` (the 2×/5×/10× rows, the planned
  /// end and the `--at-step` rows) with `change(estimate, step, runEnd)`, where `runEnd` is the
  /// planned end for an `--at-step` row at or before it (that row is this run's loss there, not
  /// the final loss of a run that long). Returns whether `change` changed any.
  @discardableResult
  static func changeLossRows(
    _ rows: inout Rows, _ forecast: inout Forecast, after: Double = -.infinity,
    _ change: (_ estimate: inout Estimate, _ step: Double, _ runEnd: Double?) -> Bool
  ) -> Bool {
    var changed = false
    for k in rows.projections.indices where rows.projections[k].step > after {
      changed = change(&rows.projections[k].loss, rows.projections[k].step, nil) || changed
    }
    let endStep = forecast.plannedEnd?.step
    if var end = forecast.plannedEnd, end.step > after {
      changed = change(&end.loss, end.step, nil) || changed
      forecast.plannedEnd = end
    }
    for k in forecast.atSteps.indices where forecast.atSteps[k].step > after && forecast.atSteps[k].withheld == nil {
      let step = forecast.atSteps[k].step
      changed = change(&forecast.atSteps[k].loss, step, endStep.flatMap { step <= $0 ? $0 : nil }) || changed
    }
    return changed
  }
}
