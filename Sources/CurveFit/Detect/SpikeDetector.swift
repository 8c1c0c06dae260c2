import Foundation

/// Turns recovered (or short) elevated stretches into spikes with an action attached.
///
/// The stretch still open at the end of the log is left to `DivergenceDetector` when it is a
/// sustained rise; otherwise it is a spike that has not recovered yet.
struct SpikeDetector {
  let options: HealthOptions

  func spikes(
    in scan: ElevatedScan, residuals: Residuals, series: LossSeries, divergenceStart: Int?
  ) -> [Spike] {
    scan.segments.compactMap { segment in
      if let divergenceStart, segment.end >= divergenceStart { return nil }
      return spike(segment, residuals, series)
    }
  }

  func spike(_ segment: ElevatedScan.Segment, _ residuals: Residuals, _ series: LossSeries) -> Spike {
    let baseline = residuals.baselineLoss(level: segment.level, at: segment.peak)
    let peakLoss = residuals.loss(segment.peak)
    let startStep = residuals.step(segment.start)
    let recoveryStep = segment.recovery.map { residuals.step($0) }
    let rollback = rollbackStep(before: startStep, firstStep: series.steps.first ?? 0)
    let resumeAt = recoveryStep ?? residuals.step(segment.end)
    return Spike(
      startStep: startStep, peakStep: residuals.step(segment.peak), peakLoss: peakLoss,
      baselineLoss: baseline, ratio: peakLoss / baseline, z: segment.peakZ,
      recoveryStep: recoveryStep, points: (segment.recovery ?? segment.end + 1) - segment.start,
      rollbackStep: rollback, batchesToSkip: max(0, resumeAt - rollback))
  }

  /// `start − rollbackSteps`, rounded down to a multiple of `checkpointEvery`, not before the
  /// first logged step.
  func rollbackStep(before start: Double, firstStep: Double) -> Double {
    let target = start - options.rollbackSteps
    let every = options.checkpointEvery
    let rounded = every > 0 ? (target / every).rounded(.down) * every : target
    return max(firstStep, rounded)
  }
}
