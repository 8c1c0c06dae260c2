import Dispatch

/// Everything curvefit concludes about one training curve: health, the fit, its projections.
///
/// Built by `LossCurveAnalysis.run`; read by the report renderers, which compute nothing.
public struct LossCurveAnalysis: Sendable {
  public var series: LossSeries
  /// The step range the fit used.
  public var fitRange: ClosedRange<Double>
  /// The step range the health checks watched (the fit's may start later, past warm-up).
  public var watchedRange: ClosedRange<Double> = 0...0
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
  /// The schedule and the annealing law, when the log has learning rates. When
  /// `schedule.chosen`, `current`, `projections`, `doubling` and `target` are the annealing
  /// law's; `fit` stays the power law, which health detection and plots use.
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

  /// Checks the run's health, fits the curve without its anomalies, and projects the fit.
  ///
  /// Detection looks at the loss relative to the fitted trend, and the fit should not see the
  /// anomalies, so the two alternate: fit everything, detect, refit without what was found,
  /// detect again against the cleaner trend, and refit if that changed the set left out.
  ///
  /// - Throws: `FitError` when too few usable points remain.
  public static func run(_ raw: LossSeries, options: Options) throws(FitError) -> LossCurveAnalysis {
    let series: LossSeries
    switch SeriesRange.prepared(raw) {
    case .success(let prepared): series = prepared
    case .failure(let error): throw .unusableValues(source: raw.origin.source, reason: error.reason)
    }
    var fitter = options.fitter
    fitter.range = options.range
    let range = options.range.resolved(for: series)
    let check = HealthCheck(options: options.health, detector: options.detector)
    // The schedule depends on the learning rates alone: on a long log it is read on the other
    // core while health and fits run here.
    let declared = options.schedule.declared
    let schedule = Concurrent(points: series.count) {
      declared.map { LearningRateSchedule(declared: $0, lastStep: series.steps.last ?? 0) }
        ?? LearningRateSchedule.detect(series)
    }

    // Fine bins are built once per set of exclusions and shared by every fit that uses it.
    let allSums = fitter.binnedSums(series, excluding: .none)
    let firstFit = try fitter.fit(series, excluding: .none, sums: allSums)
    let firstTrend = fitter.robustTrend(series, sums: allSums) ?? firstFit.model
    // Smoothing is for the detectors and the eye; the fits see the raw losses, which the EMA
    // would drag behind the curve. The detectors see the residual smoothed (against each pass's
    // trend), not the raw EMA, whose lag behind the early drop would read as a spike.
    let watch = { (trend: PowerLaw) -> LossSeries in
      options.smoothing > 0 ? series.smoothedAgainst(trend.callAsFunction, weight: options.smoothing) : series
    }
    let watched = watch(firstTrend)
    // The second pass overwrites the first's residuals rather than faulting in fresh pages.
    var residualStorage: [Double] = []
    let first = check.run(
      watched, fromStep: range.lowerBound, trend: firstTrend.callAsFunction,
      trendFitter: { _ in nil }, detectPlateaus: false, useGradient: false, scratch: &residualStorage)
    // Anomalies that leave too few points to fit (a run that fails early and never recovers)
    // stay in the fit, with a warning, rather than leaving nothing to fit. Leaving anomalies out
    // of the fine bins costs the anomalies' points, not another pass over the rows.
    let fits = { (excluded: StepRanges) -> (StepRanges, LogBinnedSums?)? in
      let sums = excluded.isEmpty ? allSums : allSums?.removing(excluded, from: series)
      return (try? fitter.collect(series, excluding: excluded, sums: sums)) == nil ? nil : (excluded, sums)
    }
    let (firstExcluded, firstSums) = fits(excluded(first, keepSpikes: options.keepSpikes)) ?? (.none, allSums)
    let secondFit = firstExcluded.isEmpty
      ? firstFit : try fitter.fit(series, excluding: firstExcluded, sums: firstSums)
    let health = check.run(
      watch(secondFit.model), fromStep: range.lowerBound, trend: secondFit.model.callAsFunction,
      trendFitter: trendFitter(series, fitter, excluding: firstExcluded, sums: firstSums),
      scratch: &residualStorage)
    residualStorage = []
    let detected = excluded(health, keepSpikes: options.keepSpikes)
    let kept = detected == firstExcluded ? (firstExcluded, firstSums) : fits(detected)
    let anomaliesKept = kept == nil
    let (finalExcluded, finalSums) = kept ?? (.none, allSums)

    // The curve that projects is fitted past a logged or declared warm-up, whose fast early
    // drop at a rising rate is not the power law the rest of the run follows; health keeps
    // watching the whole range.
    let logged = schedule.wait()
    let (projecting, projectingFitter) = projectionRange(range, fitter: fitter, schedule: logged, options: options.range, series: series)
    // Every form is fitted and backtested on the same points; the choice picks one.
    let heldOut = Backtest.HeldOut(
      series, bounds: projecting, excluding: finalExcluded, holdout: options.holdout)
    let lastKept = lastKeptStep(series, range: projecting, excluded: finalExcluded)
    let samePoints = finalExcluded == firstExcluded && projecting == options.range.resolved(for: series)
    let (candidates, rolling) = competeForms(
      series, fitter: projectingFitter, range: projecting, excluding: finalExcluded, sums: finalSums, heldOut: heldOut,
      lastKept: lastKept, powerFit: samePoints ? secondFit : nil)
    let choice = ModelChoice.choose(candidates, forced: options.model, rolling: rolling)
    let chosen: (fit: PowerLawFit, backtest: Backtest?)
    if let candidate = candidates[choice.chosen] {
      chosen = candidate
    } else {
      // The forced form failed above; fitting it again surfaces the reason as the error.
      var formFitter = projectingFitter
      formFitter.form = choice.chosen
      chosen = (try formFitter.fit(series, excluding: finalExcluded, sums: finalSums), nil)
    }
    var fit = chosen.fit
    if anomaliesKept {
      fit.warnings.append("the spikes and divergence cover almost every step: fitted with them in, so the curve is not the run's trend")
    }

    let lastStep = lastKept
    let projections = Projection.standardFactors.map {
      Projection(fit: fit, lastStep: lastStep, factor: $0)
    }
    let spikesLeftOut = options.keepSpikes || anomaliesKept ? 0 : health.spikePoints
    var analysis = LossCurveAnalysis(
      series: series, fitRange: projecting, health: health, fit: fit,
      leftOut: (spikesLeftOut, anomaliesKept ? 0 : health.divergencePoints), lastStep: lastStep,
      current: fit.estimate(at: lastStep), projections: projections,
      doubling: DoublingEffect(fit: fit, at: lastStep),
      target: options.target.map { ($0, TargetOutcome(fit: fit, target: $0)) },
      parameterIntervals: [:], backtest: chosen.backtest, modelChoice: choice,
      bootstrap: (options.bootstrapResamples, 0, options.seed))
    analysis.watchedRange = range
    // Refits start at the solution and only need to move by the noise: looser stopping rules lose
    // nothing at percentile precision and halve the bootstrap's cost.
    var refitSolver = projectingFitter.solver
    refitSolver.options.costTolerance = max(refitSolver.options.costTolerance, 1e-9)
    refitSolver.options.stepTolerance = max(refitSolver.options.stepTolerance, 1e-9)
    refitSolver.options.maxIterations = min(refitSolver.options.maxIterations, 50)
    let models = CurveBootstrap(
      resamples: options.bootstrapResamples, seed: options.seed, solver: refitSolver
    ).models(for: fit)
    analysis.adoptBootstrap(models)
    if options.smoothing > 0 { analysis.smoothed = series.smoothed(weight: options.smoothing) }

    let context = ScheduleAnalysis.Context(
      series: series, range: projecting, excluded: finalExcluded, heldOut: heldOut,
      powerBacktest: chosen.backtest, lastStep: lastStep, target: options.target,
      resamples: options.bootstrapResamples, seed: options.seed, refitSolver: refitSolver,
      schedule: logged)
    analysis.schedule = try ScheduleAnalysis.run(context, options: options.schedule)
    if let schedule = analysis.schedule?.schedule { analysis.health.annotatePlateaus(schedule) }
    var formFitter = projectingFitter
    formFitter.form = fit.model.form
    analysis.makeForecast(
      ForecastInputs(excluded: finalExcluded, sums: finalSums, fitter: formFitter, options: options))
    return analysis
  }

  /// "Now": the last finite point the fit could see, so projections multiply observed steps.
  private static func lastKeptStep(_ series: LossSeries, range: ClosedRange<Double>, excluded: StepRanges) -> Double {
    let lastIndex = series.steps[..<series.steps.upperIndex(atMost: range.upperBound)].indices.last {
      series.losses[$0].isFinite && series.steps[$0] > 0 && !excluded.contains(series.steps[$0])
    }
    return lastIndex.map { series.steps[$0] } ?? range.upperBound
  }

  private static func excluded(_ findings: HealthFindings, keepSpikes: Bool) -> StepRanges {
    keepSpikes ? findings.divergenceSteps : findings.spikeSteps.union(findings.divergenceSteps)
  }

  /// Fits the power law to a step range (for the plateau test), leaving out known anomalies.
  private static func trendFitter(
    _ series: LossSeries, _ fitter: PowerLawFitter, excluding excluded: StepRanges,
    sums: LogBinnedSums?
  ) -> (ClosedRange<Double>) -> ((Double) -> Double)? {
    // The same history is asked for again while a plateau grows; fine bins built once make
    // each fit independent of the row count.
    var cache: [ClosedRange<Double>: PowerLaw?] = [:]
    return { range in
      if let cached = cache[range] { return cached?.callAsFunction }
      var windowFitter = fitter
      windowFitter.range = FitRange(from: range.lowerBound, to: range.upperBound)
      let fit = try? windowFitter.fit(series, excluding: excluded, sums: sums)
      let model = fit.flatMap { $0.termination.isConvergence ? $0.model : nil }
      cache[range] = .some(model)
      return model?.callAsFunction
    }
  }
}
