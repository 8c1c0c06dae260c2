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
    // As the power law's own forecast is calibrated when it projects (`make`).
    let calibration = powerLawCalibration(inputs, positive: positive)
    // Against the power law's own curve, whose steps are the final losses of runs that long.
    let held = changeLossRows(&rows, &forecast) { estimate, step, _ in
      let theirs = calibration.estimate(law, at: step, lastStep: lastStep)
      guard theirs.value.isFinite, theirs.value > 0 || !positive else { return false }
      return estimate.hold(theirs)
    }
    if held { forecast.bandHoldsPowerLaw = true }
    // Doubling the data is the 2× row as a change: its band holds the power law's change too.
    var theirs = inputs.rows.doubling
    guard theirs.fromStep == rows.doubling.fromStep, theirs.toStep == rows.doubling.toStep else { return }
    let reach = calibration.shape.sigmas(factor: theirs.toStep / max(theirs.fromStep, .leastNonzeroMagnitude))
    theirs.lossChange.calibrate(up: reach.up, down: reach.down, scale: law.value(theirs.toStep))
    if theirs.lossChange.value.isFinite, rows.doubling.lossChange.hold(theirs.lossChange) { forecast.bandHoldsPowerLaw = true }
  }
}
