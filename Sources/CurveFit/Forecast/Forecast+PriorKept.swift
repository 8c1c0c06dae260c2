import Foundation

extension Forecast {
  /// Widens every loss row's intervals to hold the calibrated ones of the fit that keeps the
  /// prior on `C`, when the projecting fit set it aside: a prior set aside is one reading of the
  /// log, the fit that keeps it is the other, and the data do not rule it out.
  static func holdPriorKept(
    _ kept: (fit: AnnealingFit, models: [AnnealingLaw]), of result: ScheduleAnalysis, _ calibration: Calibration,
    lastStep: Double, in rows: inout Rows, _ forecast: inout Forecast
  ) {
    var alternative = result
    alternative.bootstrapModels = kept.models
    let other = ProjectingLaw.annealing(kept.fit, schedule: alternative)
    let held = changeLossRows(&rows, &forecast) { estimate, step, runEnd in
      estimate.hold(calibration.estimate(other, at: step, lastStep: lastStep, alongRunEnding: runEnd))
    }
    if held { forecast.bandHoldsPriorKept = true }
  }
}
