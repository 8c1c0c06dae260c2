import Foundation

extension Forecast {
  /// Widens every loss row's intervals to hold the power law's calibrated ones, when the
  /// annealing law projects though its fit is not reliable: it was asked for (`--schedule`,
  /// `--peak-lr`, `--model annealing`), and a parameter sits on its bound.
  ///
  /// The same log with its rates logged is projected by the power law then ("the annealing fit
  /// is not reliable"), and nothing in a declaration makes the pinned fit better: nanoGPT's
  /// Shakespeare demo cut at a fifth, its cosine declared, projected 0.939 (0.888–1.012) for an
  /// end of 0.811, with `L0` pinned at 0, where the power law of the same prefix gave 0.816
  /// (0.726–0.871). The point stays the annealing law's (only it follows the declared schedule);
  /// the band no longer claims more than the log supports.
  static func holdPowerLaw(_ inputs: Inputs, in rows: inout Rows, _ forecast: inout Forecast, positive: Bool) {
    let lastStep = inputs.lastStep
    let law = ProjectingLaw.power(inputs.fit, bootstrap: inputs.bootstrapModels)
    let heldOut = inputs.backtest.map { test in
      (error: ShapeError.heldOutExcess(test), reach: lastStep / max(test.splitStep, .leastNonzeroMagnitude))
    }
    // As the power law's own forecast is calibrated when it projects (`make`).
    let shape = ShapeError(
      errors: inputs.modelChoice.candidates.first { $0.form == inputs.fit.model.form }?.rollingMisses ?? [],
      scheduleKnown: inputs.declaredConstant || decayDone(inputs) || inputs.schedule?.lossIgnoresRate == true,
      annealing: false, span: inputs.fitRange.upperBound / max(inputs.fitRange.lowerBound, 1), heldOutMiss: heldOut)
    let few = FewPoints(points: inputs.fit.pointsUsed, parameters: inputs.fit.model.form.parameterNames.count)
    func hold(_ estimate: inout Estimate, at step: Double) {
      var theirs = law.noiseEstimate(at: step)
      if positive { theirs.keepPositive() }
      let sigma = shape.sigmas(factor: step / lastStep)
      theirs.calibrate(up: sigma.up, down: sigma.down)
      if sigma.up > 0 || sigma.down > 0 { theirs.stretch(few.stretch95, few.stretch80) }
      guard theirs.value.isFinite, theirs.value > 0 || !positive else { return }
      if estimate.hold(theirs) { forecast.bandHoldsPowerLaw = true }
    }
    for k in rows.projections.indices { hold(&rows.projections[k].loss, at: rows.projections[k].step) }
    if var end = forecast.plannedEnd {
      hold(&end.loss, at: end.step)
      forecast.plannedEnd = end
    }
    for k in forecast.atSteps.indices { hold(&forecast.atSteps[k].loss, at: forecast.atSteps[k].step) }
    // Doubling the data is the 2× row as a change: its band holds the power law's change too.
    var theirs = inputs.rows.doubling
    guard theirs.fromStep == rows.doubling.fromStep, theirs.toStep == rows.doubling.toStep else { return }
    let reach = shape.sigmas(factor: theirs.toStep / max(theirs.fromStep, .leastNonzeroMagnitude))
    theirs.lossChange.calibrate(up: reach.up, down: reach.down, scale: law.value(theirs.toStep))
    if theirs.lossChange.value.isFinite, rows.doubling.lossChange.hold(theirs.lossChange) { forecast.bandHoldsPowerLaw = true }
  }
}
