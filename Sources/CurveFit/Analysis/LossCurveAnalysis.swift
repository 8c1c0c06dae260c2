
/// Everything curvefit concludes about one training curve: health, the fit, its projections.
///
/// Built by `LossCurveAnalysis.run`; read by the report renderers, which compute nothing.
public struct LossCurveAnalysis: Sendable {
  public var series: LossSeries
  /// The step range the fit used.
  public var fitRange: ClosedRange<Double>
  /// The step range the health checks watched (the fit's may start later, past warm-up).
  public var watchedRange: ClosedRange<Double> = 0...0
  /// Why `fitRange` starts where it does.
  public var fitStart = FitStart.skipFirstPercent
  /// The loss's step down the projecting fit starts from (`fitStart == .afterLossDrop`).
  public var lossDrop: LossDrop?
  public var health: HealthFindings
  public var fit: PowerLawFit
  /// Points left out of the fit as spikes and as divergence.
  public var leftOut: (spikes: Int, divergence: Int)
  /// The last finite, kept point: the "now" every projection multiplies.
  public var lastStep: Double
  /// The fitted loss now.
  public var current: Estimate
  public var projections: [Projection]
  public var doubling: DoublingEffect
  public var target: (loss: Double, outcome: TargetOutcome)?
  /// Bootstrap intervals of the fitted parameters, by name.
  public var parameterIntervals: [String: (ci80: ClosedRange<Double>, ci95: ClosedRange<Double>)]
  public var backtest: Backtest?
  public var modelChoice: ModelChoice
  /// Bootstrap settings and how many refits succeeded.
  public var bootstrap: (resamples: Int, used: Int, seed: UInt64)
  /// The series the detectors saw and the report draws when `--smooth` is on.
  public var smoothed: LossSeries?
  /// The refitted curves of the bootstrap, for bands drawn at any step.
  var bootstrapModels: [PowerLaw] = []
  /// The held-out chunks every backtest of this run judges on.
  var heldOut: Backtest.HeldOut?
  /// The plain power law, converged, when the data chose another form over it (not `--model`):
  /// its projections are ones the data could not rule out (`Forecast.make` keeps them in band).
  var plainPowerFit: PowerLawFit?
  /// The schedule and the annealing law, when the log has learning rates. When the forecast
  /// chose it, `current`, `projections`, `doubling` and `target` are the annealing law's; `fit`
  /// stays the power law, which health detection and plots use.
  public var schedule: ScheduleAnalysis?
  /// Which law projects, its extrapolation error, the planned end and `--at-step` rows.
  public var forecast: Forecast?

  /// Settings for one analysis.
  public struct Options: Sendable {
    public var range = FitRange()
    public var target: Double?
    public var fitter = PowerLawFitter()
    public var health = HealthOptions()
    public var detector = SpikeRule.robust
    /// Keep spike steps in the fit (divergence is always left out).
    public var keepSpikes = false
    /// Force a form (`--model`); `nil` chooses by BIC and backtest.
    public var model: PowerLaw.Form?
    /// Fraction of the fit range held out by the backtest (0 turns it off). Default 0.2.
    public var holdout = 0.2
    /// Moving-block bootstrap resamples for intervals (0: delta method only). Default 500.
    public var bootstrapResamples = 500
    public var seed: UInt64 = 0
    /// The annealing law and the schedule projections assume.
    public var schedule = ScheduleAnalysis.Options()
    /// `--smooth`: the weight of the debiased EMA the detectors and the display see (0: none).
    public var smoothing = 0.0
    /// `--total-steps`: the run's planned length, for the planned-end row.
    public var totalSteps: Double?
    /// `--at-step`: steps to project the loss at.
    public var atSteps: [Double] = []

    public init() {}
  }

  /// Checks the run's health, fits the curve without its anomalies, and projects the fit: the
  /// pipeline's named steps, in order.
  ///
  /// - Throws: `FitError` when too few usable points remain, or losses fall below zero.
  public static func run(_ raw: LossSeries, options given: Options) throws(FitError) -> LossCurveAnalysis {
    var options = given
    let full = try prepared(raw)
    // Zeros are left out of everything below and recorded once the fits are made.
    let zeros = ZeroLosses.find(full)
    let series = zeros?.analysed ?? full
    var fitter = options.fitter
    fitter.range = options.range
    let range = options.range.resolved(for: series)
    if let negative = NegativeLosses.find(series, in: range) {
      throw .negativeLoss(source: series.origin.source, negative)
    }
    // A schedule the log states in words stands in for `--schedule` with `--total-steps` when
    // the flags name none and no rate is logged.
    let stated = statedSchedule(series, options: options)
    if let stated { options.schedule.declared = stated.declared }
    // The schedule depends on the learning rates alone: on a long log it is read on the other
    // core while health and fits run here.
    let (declared, plannedLength) = (options.schedule.declared, options.totalSteps)
    let schedule = Concurrent(points: series.count) {
      declared.map { declared in
        var schedule = LearningRateSchedule(declared: declared, lastStep: series.steps.last ?? 0)
        schedule.statedBy = stated?.source
        return schedule
      } ?? LearningRateSchedule.detect(series, plannedLength: plannedLength)
    }
    let passes = try detectAndFit(series, fitter: fitter, range: range, options: options)
    // The curve that projects is fitted past a logged or declared warm-up, whose fast early
    // drop at a rising rate is not the power law the rest of the run follows (without rates,
    // past the log's steepest fall); health keeps watching the whole range.
    let logged = schedule.wait()
    // The annealing law's λ = 0.999 is per optimiser step; counted per token, a log by tokens
    // would have no lag at all, and per row a log of 300 rows one longer than itself.
    if let logged, !series.origin.stepsAreOptimiserSteps, options.schedule.lagFromRunLength,
      !options.schedule.fitter.fitLambda, logged.runLength.isFinite, logged.runLength > 0
    {
      options.schedule.fitter.lambda = AnnealingLaw.lambda(forRunOf: logged.runLength)
      options.schedule.lagRunLength = logged.runLength
    }
    // A step down of the loss the rate does not explain starts the curve the run follows now;
    // a memorising run's steps at every epoch boundary are its way of falling, not one change.
    let lossDrop = options.range.from == nil && passes.health.epochDrops == nil
      ? Self.lossDrop(series, range: range, schedule: logged, excluding: passes.excluded) : nil
    let (projecting, projectingFitter, start) = projectionRange(
      range, fitter: fitter, schedule: logged, options: options.range, series: series, excluding: passes.excluded,
      lossDrop: lossDrop)
    var analysis = try fitForms(
      series, passes: passes, fitter: projectingFitter, range: projecting,
      samePoints: projecting == range, options: options)
    analysis.watchedRange = range
    analysis.fitStart = start
    if start == .afterLossDrop { analysis.lossDrop = lossDrop }
    let refitSolver = analysis.runBootstrap(fitter: projectingFitter, options: options)
    try analysis.fitSchedule(logged, excluded: passes.excluded, refitSolver: refitSolver, options: options)
    if let zeros { analysis.recordZeros(zeros.zeros, lastStep: full.steps.last ?? zeros.zeros.firstStep) }
    analysis.makeForecast(excluded: passes.excluded, options: options)
    if let zeros { analysis.series = full.noting(zeros.zeros.note(axis: full.origin.axis)) }
    return analysis
  }

  /// The schedule `series` states in words (`SeriesOrigin.statedSchedule`), as a declared one,
  /// when no flag declares, plans or turns off a schedule and the log has no rate column.
  private static func statedSchedule(_ series: LossSeries, options: Options) -> (declared: DeclaredSchedule, source: String)? {
    guard let stated = series.origin.statedSchedule, options.schedule.declared == nil, options.schedule.plan == nil,
      options.schedule.peakRate == nil, options.schedule.mode != .off, series.learningRates == nil,
      let shape = LearningRateSchedule.Shape(rawValue: stated.shape)
    else { return nil }
    let declared = DeclaredSchedule(
      shape: shape, totalSteps: stated.decayEnd, warmupSteps: stated.warmupSteps, finalRatio: stated.finalRatio)
    return (declared, stated.source)
  }

  /// The zeros the analysis did not see, in its findings: a collapse is its divergence, to the
  /// log's `lastStep`.
  private mutating func recordZeros(_ zeros: ZeroLosses, lastStep: Double) {
    let hadDivergence = health.divergence != nil
    health.record(zeros, lastStep: max(lastStep, zeros.firstStep))
    if !hadDivergence, health.divergence != nil { leftOut.divergence = zeros.leftOut }
  }

  /// The forecast stage: it decides which law projects and calibrates every projected number;
  /// the analysis carries its rows where the renderers read them.
  private mutating func makeForecast(excluded: StepRanges, options: Options) {
    let declaredConstant = options.schedule.declared?.shape == .constant
      || options.schedule.plan?.lowercased() == "constant"
    let inputs = Forecast.Inputs(
      series: series, fitRange: fitRange, annealingRange: annealingRange, lastStep: lastStep, excluded: excluded, health: health, fit: fit,
      bootstrapModels: bootstrapModels, modelChoice: modelChoice, schedule: schedule,
      rows: Forecast.Rows(current: current, projections: projections, doubling: doubling, target: target),
      target: options.target, totalSteps: options.totalSteps, atSteps: options.atSteps,
      annealingFitter: options.schedule.fitter, declaredConstant: declaredConstant, plainPower: plainPowerFit,
      backtest: backtest)
    let (forecast, rows) = Forecast.make(inputs)
    (current, projections, doubling, target) = (rows.current, rows.projections, rows.doubling, rows.target)
    self.forecast = forecast
  }

  /// The series with its values checked where they enter (`SeriesRange`).
  private static func prepared(_ raw: LossSeries) throws(FitError) -> LossSeries {
    switch SeriesRange.prepared(raw) {
    case .success(let prepared): return prepared
    case .failure(let error): throw .unusableValues(source: raw.origin.source, reason: error.reason)
    }
  }

  /// "Now": the last finite point the fit could see, so projections multiply observed steps.
  static func lastKeptStep(_ series: LossSeries, range: ClosedRange<Double>, excluded: StepRanges) -> Double {
    let lastIndex = series.steps[..<series.steps.upperIndex(atMost: range.upperBound)].indices.last {
      series.losses[$0].isFinite && series.steps[$0] > 0 && !excluded.contains(series.steps[$0])
    }
    return lastIndex.map { series.steps[$0] } ?? range.upperBound
  }

  static func excluded(_ findings: HealthFindings, keepSpikes: Bool) -> StepRanges {
    keepSpikes ? findings.divergenceSteps : findings.spikeSteps.union(findings.divergenceSteps)
  }

  /// Fits the power law to a step range (for the plateau test), leaving out known anomalies.
  static func trendFitter(
    _ series: LossSeries, _ fitter: PowerLawFitter, excluding excluded: StepRanges,
    sums: LogBinnedSums?
  ) -> (ClosedRange<Double>) -> FittedTrend? {
    // The same history is asked for again while a plateau grows; fine bins built once make
    // each fit independent of the row count.
    var cache: [ClosedRange<Double>: FittedTrend?] = [:]
    return { range in
      if let cached = cache[range] { return cached }
      var windowFitter = fitter
      windowFitter.range = FitRange(from: range.lowerBound, to: range.upperBound)
      let fit = (try? windowFitter.fit(series, excluding: excluded, sums: sums)).flatMap {
        $0.termination.isConvergence ? $0 : nil
      }
      let trend = fit.map { fit in
        FittedTrend(loss: fit.model.callAsFunction, meanSlopeError: { fit.meanSlopeError(from: $0, to: $1) })
      }
      cache[range] = .some(trend)
      return trend
    }
  }
}
