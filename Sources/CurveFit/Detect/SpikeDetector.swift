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
      guard isReportable(segment, residuals) else { return nil }
      return spike(segment, residuals, series)
    }
  }

  /// Whether a stretch is a spike a person would mark.
  ///
  /// A single point needs twice the z threshold and a 25% jump: per-step losses of language
  /// models have heavy tails (an unusual batch is often 5–10% above its neighbours, z ≈ 6–8 on a
  /// clean llm.c run) and one such step is not an instability. A level shift (high and flat for
  /// `maxSpikePoints`) is a spike only when the jump is large (×1.5); a smaller one is the trend
  /// not fitting, e.g. the end of warm-up.
  ///
  /// The peak must also stand above the raw losses just before it (×1.05, or ×1.08 when only
  /// the gradient's backing let it open): where the trend does not fit the start of a run (a
  /// slow warm-up) the residual can rise while the loss itself keeps falling, and no one would
  /// call a point lower than the ones before it a spike.
  func isReportable(_ segment: ElevatedScan.Segment, _ residuals: Residuals) -> Bool {
    let ratio = residuals.ratio(at: segment.peak, over: segment.level)
    let points = (segment.recovery ?? segment.end + 1) - segment.start
    if segment.levelShift { return ratio >= 1.5 }
    if let before = Self.medianBefore(segment.start, residuals) {
      let needed = segment.peakZ >= options.spikeZ ? 1.05 : 1.08
      if Residuals.rise(residuals.loss(segment.peak), over: before) < needed { return false }
    }
    if points <= 1 { return segment.peakZ >= 2 * options.spikeZ && ratio >= 1.25 }
    // Still open at the end of the log, the stretch must hold the loss above where it was before
    // it (`DivergenceDetector.lossRose`): a trend undershooting a run gone nearly flat leaves
    // the rest of the log elevated, and one noisy point of it was "×3.1, NOT recovered".
    if segment.recovery == nil, !DivergenceDetector.lossRose(segment, residuals) { return false }
    return true
  }

  /// The median of the (up to) five finite losses before `position`. (Positive ones only, once:
  /// in a loss that crossed zero that walked back to the start of the run.)
  static func medianBefore(_ position: Int, _ residuals: Residuals) -> Double? {
    var values: [Double] = []
    var k = position - 1
    while k >= 0, values.count < 5 {
      let loss = residuals.loss(k)
      if loss.isFinite { values.append(loss) }
      k -= 1
    }
    guard !values.isEmpty else { return nil }
    values.sort()
    return values[values.count / 2]
  }

  func spike(_ segment: ElevatedScan.Segment, _ residuals: Residuals, _ series: LossSeries) -> Spike {
    let baseline = residuals.baselineLoss(level: segment.level, at: segment.peak)
    let peakLoss = residuals.loss(segment.peak)
    let startStep = residuals.step(segment.start)
    let recoveryStep = segment.recovery.map { residuals.step($0) }
    let rollback = rollbackStep(before: startStep, series: series)
    let resumeAt = recoveryStep ?? residuals.step(segment.end)
    var gradNormZ: Double?
    var lead: Double?
    if let recent = segment.gradient {
      gradNormZ = recent.z
      lead = startStep - residuals.step(recent.position)
    }
    var spike = Spike(
      startStep: startStep, peakStep: residuals.step(segment.peak), peakLoss: peakLoss,
      baselineLoss: baseline, ratio: Residuals.rise(peakLoss, over: baseline), z: segment.peakZ,
      recoveryStep: recoveryStep, points: (segment.recovery ?? segment.end + 1) - segment.start,
      rollbackStep: rollback, batchesToSkip: max(0, resumeAt - rollback))
    spike.gradNormZ = gradNormZ
    spike.gradNormLeadSteps = lead
    return spike
  }

  /// The rollback step before `start` (see `Rollback`), not before the first logged step.
  func rollbackStep(before start: Double, series: LossSeries) -> Double {
    Rollback(options: options, series: series).step(before: start, firstStep: series.steps.first ?? 0)
  }
}
