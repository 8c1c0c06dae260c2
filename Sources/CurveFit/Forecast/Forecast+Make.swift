import Foundation

extension Forecast {
  /// Decides once which law projects, measures its extrapolation error inside the run, and
  /// gives every projected number its calibrated interval; adds the planned end and
  /// `--at-step` rows. Returns the forecast and the rows it calibrated.
  static func make(_ inputs: Inputs) -> (forecast: Forecast, rows: Rows) {
    var rows = inputs.rows
    let annealing = inputs.schedule.flatMap { result in result.chosen ? result.fit.map { (result: result, fit: $0) } : nil }
    let law: ProjectingLaw
    let calibration: Calibration
    if let (result, fit) = annealing {
      law = .annealing(fit, schedule: result)
      // The annealing law's numbers replace the power law's here, where the choice is made.
      if let current = result.current, let doubling = result.doubling {
        rows.current = current
        rows.projections = result.projections
        rows.doubling = doubling
        if let loss = inputs.target, let outcome = result.target { rows.target = (loss, outcome) }
      }
      calibration = annealingCalibration(result, inputs)
    } else {
      law = .power(inputs.fit, bootstrap: inputs.bootstrapModels)
      calibration = powerLawCalibration(inputs)
    }
    var forecast = Forecast(law: law.law, shapeError: calibration.shape)
    forecast.fewPoints = calibration.few
    let fittedPoints = annealing?.fit.pointsUsed ?? inputs.fit.pointsUsed
    let lastLosses = EndGap.lastLosses(
      inputs.series, lastStep: inputs.lastStep, excluded: inputs.excluded, fittedPoints: fittedPoints)
    judge(&forecast, inputs, annealing: annealing?.fit, fittedNow: rows.current.value, lastLosses: lastLosses)

    calibrate(&rows, law: law, calibration, lastStep: inputs.lastStep)
    addRunRows(&forecast, law: law, calibration, inputs, plan: annealing?.result.plan)

    if annealing == nil, let plain = inputs.plainPower {
      holdPlainPowerLaw(plain, in: &rows, &forecast)
    }
    if let (result, _) = annealing, let kept = result.priorKept {
      holdPriorKept(kept, of: result, calibration, lastStep: inputs.lastStep, in: &rows, &forecast)
    }
    if let (result, fit) = annealing { holdSteeperDecay(result, fit, in: &rows, &forecast) }
    // Only a power law fit that is reliable itself has bands worth holding.
    if let (_, fit) = annealing, !fit.converged, inputs.fit.converged {
      holdPowerLaw(inputs, in: &rows, &forecast, positive: calibration.positive)
    }
    limitBands(&rows, &forecast, inputs, positive: calibration.positive, lastLosses: lastLosses, fittedPoints: fittedPoints)
    if forecast.withheld == nil,
      let close = MosaicClose.ahead(inputs.series, lastStep: inputs.lastStep, plannedEnd: forecast.plannedEnd?.step)
    {
      forecast.mosaicClose = close
      _ = changeLossRows(&rows, &forecast, after: close.epoch) { estimate, _, _ in close.open(&estimate) }
    }
    return (forecast, rows)
  }

  /// Whether the projections may be printed, and what the log's end says of the fitted curve:
  /// the reason they are withheld, the gap between the curve and the last losses, a plateau
  /// the annealing law projects through, and where a withheld run's log reached the target.
  private static func judge(
    _ forecast: inout Forecast, _ inputs: Inputs, annealing: AnnealingFit?, fittedNow: Double,
    lastLosses: EndGap.Recent?
  ) {
    forecast.withheld = annealing.map { withholdingReason($0, inputs) } ?? withholdingReason(inputs.fit, inputs)
    forecast.endGap = lastLosses.flatMap { EndGap.measure(fitted: fittedNow, recent: $0) }
    forecast.endMisfit = lastLosses.flatMap { EndGap.misfit(fitted: fittedNow, recent: $0) }
    if forecast.withheld == nil, let gap = forecast.endGap, gap.isMissed {
      forecast.withheld = gap.reason
    }
    if forecast.withheld == nil, annealing != nil, let plateau = flatAtTheEnd(inputs) {
      forecast.flatSince = plateau.startStep
    }
    if forecast.withheld != nil, let goal = inputs.target {
      forecast.targetLogged = loggedStep(reaching: goal, inputs)
    }
  }

  /// Gives the loss now, the 2×/5×/10× rows, the doubling effect and the target step their
  /// calibrated intervals.
  private static func calibrate(_ rows: inout Rows, law: ProjectingLaw, _ calibration: Calibration, lastStep: Double) {
    calibration.apply(&rows.current, sigma: (0, 0))
    for k in rows.projections.indices {
      calibration.apply(&rows.projections[k].loss, reach: rows.projections[k].factor)
    }
    let doubling = rows.doubling
    let reach = calibration.shape.sigmas(factor: doubling.toStep / max(doubling.fromStep, .leastNonzeroMagnitude))
    rows.doubling.lossChange.calibrate(up: reach.up, down: reach.down, scale: law.value(doubling.toStep))
    if let (loss, outcome) = rows.target, case .reachable(var step) = outcome {
      calibrateStep(&step, law: law, shape: calibration.shape, lastStep: lastStep)
      // A run no longer than this one ends above the target: the step cannot come sooner.
      if law.value(lastStep) > loss, step.value >= lastStep { step.raiseLowerBounds(to: lastStep) }
      rows.target = (loss, .reachable(step: step))
    }
  }

  /// The rows of this run's own length: the planned end, the target within it, and the
  /// `--at-step` rows. `plan` is the annealing law's schedule plan when it projects.
  private static func addRunRows(
    _ forecast: inout Forecast, law: ProjectingLaw, _ calibration: Calibration, _ inputs: Inputs, plan: SchedulePlan?
  ) {
    let lastStep = inputs.lastStep
    forecast.plannedEnd = plannedEnd(inputs).map { end in
      PlannedEnd(step: end.step, loss: calibration.estimate(law, at: end.step, lastStep: lastStep), source: end.source)
    }
    if let end = forecast.plannedEnd, let goal = inputs.target {
      forecast.targetWithinRun = firstStep(reaching: goal, law: law, from: lastStep, to: end.step)
    }
    // A step before the planned end is this run's, under its own schedule; one past it, as the
    // 2×/5×/10× rows, the final loss of a run that long. As the final loss of a shorter run, a
    // TinyLlama SFT cut at step 1,395 of a 2,808-step cosine read 1.18 at step 1,500, above its
    // loss now (1.11): a run of 1,500 steps has had far less of the rate.
    let endStep = forecast.plannedEnd?.step
    // A step before the fitted steps is not the curve's to say: backwards the power law climbs
    // without bound (and with the warm-up's clock, `t0 < 0`, has no value at all before the lag).
    let firstFitted = law.law == .annealing ? inputs.annealingRange.lowerBound : inputs.fitRange.lowerBound
    forecast.atSteps = inputs.atSteps.sorted().map { step in
      guard step >= firstFitted else {
        var row = Projection(factor: step / lastStep, step: step, loss: Estimate(value: 0))
        row.withheld = "before \(StepAxis(inputs.series).at(firstFitted)), where the fitted curve starts: it describes the run from there on"
        return row
      }
      let end = endStep.flatMap { step <= $0 ? $0 : nil }
      let loss = calibration.estimate(law, at: step, lastStep: lastStep, alongRunEnding: end)
      let kind = plan.map { end == nil ? $0.projectionKind : Projection.thisRun }
      return Projection(factor: step / lastStep, step: step, loss: loss, schedule: kind)
    }
  }
}
