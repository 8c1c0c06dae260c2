import Foundation

extension Forecast {
  /// How the projecting law's noise-only estimates become calibrated ones: its shape error by
  /// reach, the few-points stretch (the power law only), and, for a log of positive losses, a
  /// lower end taken in log space.
  struct Calibration {
    var shape: ShapeError
    var few: FewPoints?
    /// Every finite loss of the log is above zero. A delta-method band (no bootstrap,
    /// `--bootstrap 0`) is a straight line that can reach below zero for a loss falling
    /// towards it; for such a log its lower end is taken in log space instead, as the
    /// calibration reads it.
    var positive: Bool

    func apply(_ estimate: inout Estimate, sigma: (up: Double, down: Double)) {
      if positive { estimate.keepPositive() }
      estimate.calibrate(up: sigma.up, down: sigma.down)
      if let few, sigma.up > 0 || sigma.down > 0 { estimate.stretch(few.stretch95, few.stretch80) }
    }

    /// Calibrates `estimate` for a projection `reach` times the last step.
    func apply(_ estimate: inout Estimate, reach: Double) {
      apply(&estimate, sigma: shape.sigmas(factor: reach))
    }

    /// `law`'s calibrated estimate at `step`: the final loss of a run that long, or, with
    /// `end`, this run's loss there under its own schedule ending at `end`.
    func estimate(_ law: ProjectingLaw, at step: Double, lastStep: Double, alongRunEnding end: Double? = nil) -> Estimate {
      var loss = end.map { law.noiseEstimate(at: step, alongRunEnding: $0) } ?? law.noiseEstimate(at: step)
      apply(&loss, reach: step / lastStep)
      return loss
    }
  }

  static func positiveLosses(_ series: LossSeries) -> Bool {
    series.losses.allSatisfy { $0 > 0 || !$0.isFinite }
  }

  /// The power law's calibration: its forms' rolling-origin misses, its held-out backtest, the
  /// stretch of a narrow fit and of few points, and the downside of a decay not yet known.
  static func powerLawCalibration(_ inputs: Inputs, positive: Bool? = nil) -> Calibration {
    let heldOut = inputs.backtest.map { test in
      (error: ShapeError.heldOutExcess(test), reach: inputs.lastStep / max(test.splitStep, .leastNonzeroMagnitude))
    }
    // The steps still to come follow a known schedule when the user declared a constant rate,
    // when the logged rate is spent, or when the loss has been seen not to answer its rate.
    let shape = ShapeError(
      errors: inputs.modelChoice.candidates.first { $0.form == inputs.fit.model.form }?.rollingMisses ?? [],
      scheduleKnown: inputs.declaredConstant || decayDone(inputs) || inputs.schedule?.lossIgnoresRate == true,
      annealing: false, span: inputs.fitRange.upperBound / max(inputs.fitRange.lowerBound, 1), heldOutMiss: heldOut)
    let few = FewPoints(points: inputs.fit.pointsUsed, parameters: inputs.fit.model.form.parameterNames.count)
    return Calibration(shape: shape, few: few, positive: positive ?? positiveLosses(inputs.series))
  }

  /// The annealing law's calibration: its own rolling-origin refits and backtest; the steps to
  /// come follow the schedule it projects under. Its reach is anchored by that schedule and by
  /// its priors, whose spread the bootstrap carries: neither the narrow-fit nor the few-points
  /// stretch applies (stretched, its bands from a tenth of the runs whose schedule is known went
  /// from 4.6× to 5.1× the median error for no truth held).
  static func annealingCalibration(_ result: ScheduleAnalysis, _ inputs: Inputs) -> Calibration {
    let errors = RollingOrigin.annealingErrors(
      inputs.series, fitter: inputs.annealingFitter, curve: result.schedule.observed, range: inputs.annealingRange,
      lastStep: inputs.lastStep, excluding: inputs.excluded)
    let heldOut = result.backtest.map { test in
      (error: ShapeError.heldOutExcess(test), reach: inputs.lastStep / max(test.splitStep, .leastNonzeroMagnitude))
    }
    let shape = ShapeError(errors: errors, scheduleKnown: true, annealing: true, span: .infinity, heldOutMiss: heldOut)
    return Calibration(shape: shape, few: nil, positive: positiveLosses(inputs.series))
  }
}
