/// Runs the spike, divergence and plateau detectors over one series.
///
/// The caller supplies the trend (the fitted power law, so detection sees the loss relative to
/// its expected curve) and a way to fit the trend to a step range (for the plateau test). Detect
/// knows nothing of how those fits are made.
public struct HealthCheck: Sendable {
  public var options: HealthOptions
  public var detector: SpikeRule

  public init(options: HealthOptions = HealthOptions(), detector: SpikeRule = .robust) {
    self.options = options
    self.detector = detector
  }

  /// The events found, oldest first, and the steps a fit should leave out.
  public func run(
    _ series: LossSeries, fromStep: Double, trend: ((Double) -> Double)?,
    trendFitter: @escaping (ClosedRange<Double>) -> FittedTrend?,
    detectPlateaus: Bool = true, useGradient: Bool = true
  ) -> HealthFindings {
    var scratch: [Double] = []
    return run(
      series, fromStep: fromStep, trend: trend, trendFitter: trendFitter, detectPlateaus: detectPlateaus,
      useGradient: useGradient, scratch: &scratch)
  }

  /// Like `run`, reusing `scratch` for the residuals and leaving them there for the next pass
  /// over the same series.
  func run(
    _ series: LossSeries, fromStep: Double, trend: ((Double) -> Double)?,
    trendFitter: @escaping (ClosedRange<Double>) -> FittedTrend?,
    detectPlateaus: Bool = true, useGradient: Bool = true, scratch: inout [Double]
  ) -> HealthFindings {
    let storage = scratch
    scratch = []
    let residuals = Residuals(series: series, trend: trend, fromStep: fromStep, storage: consume storage)
    defer { scratch = residuals.values }
    let gradient = useGradient ? GradNormSignal(series: series, residuals: residuals, options: options) : nil
    let scan = ElevatedScan(residuals, options: options, gradient: gradient)
    var divergence = DivergenceDetector(options: options)
      .divergence(in: scan, residuals: residuals, series: series)
    var onset = divergence?.onset
    var spikes: [Spike]
    var spikePositions: [Range<Int>] = []
    let finiteCount = residuals.values.reduce(0) { $0 + ($1.isFinite ? 1 : 0) }
    switch detector {
    case .robust where finiteCount < ShortLogCheck.maximumPoints:
      let helper = SpikeDetector(options: options)
      let found = ShortLogCheck(options: options).check(
        residuals, series: series, rollback: { helper.rollbackStep(before: $0, series: series) })
      spikes = found.spikes
      spikePositions = found.positions
      if divergence == nil, let rise = found.divergence {
        divergence = (rise.0, rise.onset)
        onset = rise.onset
      }
    case .robust:
      let detector = SpikeDetector(options: options)
      spikes = detector.spikes(in: scan, residuals: residuals, series: series, divergenceStart: onset)
      for segment in scan.segments where detector.isReportable(segment, residuals) {
        if let onset, segment.end >= onset { continue }
        spikePositions.append(segment.start..<(segment.recovery ?? segment.end + 1))
      }
    default:
      (spikes, spikePositions) = PresetSpikeDetector(rule: detector, options: options)
        .spikes(residuals: residuals, series: series)
    }
    // A loss that never rose above the one logged just before it did not spike: early in a
    // sparse log, falling 12% from one point to the next, the trend's misfit read as "×1.1, z
    // 191" on a smooth GPT-2 Medium eval curve. Its points stay out of the fit all the same:
    // the later passes' trend, and the spikes found against it, must not move (AlgoPerf WMT's
    // three large spikes merged into one unrecovered one when they did).
    spikes.removeAll { !Self.rose($0, series) }
    var excludedPositions = spikePositions
    if let onset { excludedPositions.append(onset..<residuals.count) }
    var plateaus = detectPlateaus
      ? PlateauDetector(options: options, trendFitter: trendFitter)
        .plateaus(residuals: residuals, excluded: excludedPositions)
      : []
    // A run that never learned has a flat trend, so no stretch of it is flatter than expected.
    if detectPlateaus, divergence == nil, let stall = NotLearningCheck.plateau(series) {
      plateaus = plateaus.filter { $0.endStep < stall.startStep } + [stall]
    }
    // A rise slow enough for the baseline to follow shows up as a "plateau" that climbs.
    if divergence == nil, let last = plateaus.last,
      let rise = DivergenceDetector(options: options).sustainedRise(last, residuals: residuals, series: series)
    {
      plateaus.removeLast()
      divergence = rise
      onset = rise.onset
      spikes.removeAll { $0.startStep >= rise.0.startStep }
      spikePositions.removeAll { $0.lowerBound >= rise.onset }
    }
    // A climb from the run's lowest level that no detector above saw (a U-shaped curve): what
    // was called a plateau or a stall after its low is the rise.
    if divergence == nil, let rise = RiseSinceLowest.divergence(residuals, series: series, options: options) {
      divergence = rise
      onset = rise.onset
      plateaus.removeAll { $0.endStep >= rise.0.startStep }
      spikes.removeAll { $0.startStep >= rise.0.startStep }
      spikePositions.removeAll { $0.lowerBound >= rise.onset }
    }

    var events = spikes.map(Anomaly.spike) + plateaus.map(Anomaly.plateau)
    if let divergence { events.append(.divergence(divergence.0)) }
    events.sort { $0.step < $1.step }
    let toSteps = { (range: Range<Int>) -> ClosedRange<Double> in
      residuals.step(range.lowerBound)...residuals.step(max(range.lowerBound, range.upperBound - 1))
    }
    var divergenceSteps = StepRanges.none
    if let onset, let last = series.steps.last {
      divergenceSteps = StepRanges([residuals.step(onset)...last])
    }
    let spikeSteps = StepRanges(spikePositions.filter { !$0.isEmpty }.map(toSteps))
    var findings = HealthFindings(
      axis: StepAxis(series), events: events, spikeSteps: spikeSteps, divergenceSteps: divergenceSteps,
      spikePoints: spikeSteps.count(in: series.steps),
      divergencePoints: divergenceSteps.count(in: series.steps),
      pointsChecked: finiteCount)
    findings.epochDrops = EpochDrops.find(series)
    findings.heldOutOverfitting = series.origin.heldOutOverfitting
    if divergence == nil {
      findings.skippedNonFinite = DivergenceDetector(options: options)
        .skipped(in: scan, residuals: residuals, series: series)
      findings.bestEvaluation = BestEvaluation.find(series)
    }
    return findings
  }
}

extension HealthCheck {
  /// True when the spike's peak is above the last finite loss logged before it starts (or
  /// nothing was logged before it).
  static func rose(_ spike: Spike, _ series: LossSeries) -> Bool {
    var index = series.steps.lowerIndex(atLeast: spike.startStep) - 1
    while index >= 0, !series.losses[index].isFinite { index -= 1 }
    guard index >= 0 else { return true }
    return spike.peakLoss > series.losses[index]
  }
}

/// What the detectors found.
public struct HealthFindings: Sendable {
  /// What the steps count, for the words reports put around them.
  public var axis: StepAxis = .steps
  public var events: [Anomaly]
  /// Logged steps inside spikes, and from the divergence onset on.
  public var spikeSteps: StepRanges
  public var divergenceSteps: StepRanges
  /// Series points in those ranges.
  public var spikePoints: Int
  public var divergencePoints: Int
  /// Finite points the detectors examined (after the warm-up skip).
  public var pointsChecked: Int
  /// Losses of exactly zero, left out of what the detectors and fits saw.
  public var zeroLosses: ZeroLosses? = nil
  /// The loss stepping down at each epoch boundary: a model memorising its data.
  public var epochDrops: EpochDrops? = nil
  /// NaN or infinite losses the run went on from, when they are no divergence.
  public var skippedNonFinite: SkippedNonFinite? = nil
  /// An evaluation loss's lowest, when later evaluations have not gone below it (no divergence).
  public var bestEvaluation: BestEvaluation? = nil
  /// The evaluation loss logged beside this training loss, climbing from its lowest.
  public var heldOutOverfitting: HeldOutOverfitting? = nil

  public var spikes: [Spike] {
    events.compactMap { if case .spike(let spike) = $0 { spike } else { nil } }
  }
  public var plateaus: [Plateau] {
    events.compactMap { if case .plateau(let plateau) = $0 { plateau } else { nil } }
  }
  public var divergence: Divergence? {
    events.lazy.compactMap { if case .divergence(let divergence) = $0 { divergence } else { nil } }.first
  }

  /// Events a user should act on: everything but plateaus the decaying rate explains.
  public var actionable: [Anomaly] {
    events.filter { if case .plateau(let plateau) = $0 { !plateau.explainedBySchedule } else { true } }
  }

  /// Records the zeros the detectors did not see; a collapse to zero is the run's divergence
  /// (unless one came before it) and its points are left out as diverged.
  mutating func record(_ zeros: ZeroLosses, lastStep: Double) {
    zeroLosses = zeros
    guard divergence == nil, let collapse = zeros.divergence else { return }
    events.append(.divergence(collapse))
    divergenceSteps = StepRanges([collapse.startStep...lastStep])
    divergencePoints = zeros.leftOut
  }

  /// Marks the divergence as a run with no finite loss at all.
  mutating func markNoFiniteLoss() {
    for index in events.indices {
      guard case .divergence(var divergence) = events[index] else { continue }
      divergence.noFiniteLoss = true
      events[index] = .divergence(divergence)
    }
  }

  /// Records the learning rate (as a fraction of the peak) at each plateau's end.
  mutating func annotatePlateaus(_ schedule: LearningRateSchedule) {
    for index in events.indices {
      guard case .plateau(var plateau) = events[index] else { continue }
      plateau.learningRateFraction = schedule.observed.rate(at: plateau.endStep)
      plateau.learningRateFractionAtStart = schedule.observed.rate(at: plateau.startStep)
      events[index] = .plateau(plateau)
    }
  }
}
