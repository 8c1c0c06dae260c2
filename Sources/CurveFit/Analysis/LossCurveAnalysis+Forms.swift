import Dispatch

extension LossCurveAnalysis {
  /// The fit range of the curve that projects: past the end of a logged or declared warm-up
  /// when `--from-step` was not given and at least half of the range lies beyond it, else
  /// `range` (whose default skips the first 1% of the run as a warm-up it cannot see). A log
  /// with no rate to read a warm-up from is fitted from its steepest fall instead
  /// (`EarlyTransient`), under the same condition, judged on its usable steps (a run that
  /// diverged half-way keeps its fit where its finite losses are).
  static func projectionRange(
    _ range: ClosedRange<Double>, fitter: PowerLawFitter, schedule: LearningRateSchedule?, options: FitRange,
    series: LossSeries, excluding excluded: StepRanges, lossDrop: LossDrop? = nil
  ) -> (ClosedRange<Double>, PowerLawFitter, FitStart) {
    guard options.from == nil, let first = series.steps.first else {
      return (range, fitter, options.from == nil ? .skipFirstPercent : .fromStepFlag)
    }
    let unmoved = (range, fitter, FitStart.skipFirstPercent)
    let start: Double
    var upper = range.upperBound
    let rateDrop = schedule == nil ? nil : afterRateDrop(range, fitter: fitter, options: options, series: series, excluding: excluded)
    // The later of the two steps starts the curve the run follows now.
    if let lossDrop, lossDrop.step > (rateDrop?.0.lowerBound ?? -.infinity), lossDrop.step > range.lowerBound {
      var moved = fitter
      moved.range = FitRange(from: lossDrop.step, to: options.to)
      return (lossDrop.step...range.upperBound, moved, .afterLossDrop)
    }
    if let rateDrop { return rateDrop }
    if let schedule {
      start = schedule.warmupSteps
    } else {
      upper = min(upper, lastKeptStep(series, range: range, excluded: excluded))
      guard upper > first, let steepest = EarlyTransient.steepestStep(series, in: first...upper) else {
        return unmoved
      }
      start = steepest
    }
    guard start > range.lowerBound, start <= range.lowerBound + 0.5 * (upper - range.lowerBound)
    else { return unmoved }
    let index = series.steps.lowerIndex(atLeast: start)
    guard index < series.count, series.steps[index] < upper else { return unmoved }
    var moved = fitter
    moved.range = FitRange(from: series.steps[index], to: options.to)
    if let schedule, heldAtPeak(schedule.observed, from: series.steps[index], to: upper) {
      moved.shiftFloor = -warmupLag(schedule, at: series.steps[index])
    }
    return (series.steps[index]...range.upperBound, moved, schedule == nil ? .afterSteepestFall : .afterWarmup)
  }

  /// The loss's last step down (`LossDrop`) past the run's early transient: the end of a logged
  /// or declared warm-up and the log's steepest fall when it lies in the first half of the
  /// range. A loss that sits near its start and then collapses (AlgoPerf's Conformer: ×0.18 from
  /// one point to the next at step 500 of a warm-up to 4,000) is the early fall every run makes,
  /// not a change of the run.
  static func lossDrop(
    _ series: LossSeries, range: ClosedRange<Double>, schedule: LearningRateSchedule?, excluding excluded: StepRanges
  ) -> LossDrop? {
    var floor = max(range.lowerBound, schedule?.warmupSteps ?? range.lowerBound)
    if let steepest = EarlyTransient.steepestStep(series, in: range),
      steepest <= range.lowerBound + 0.5 * (range.upperBound - range.lowerBound)
    {
      floor = max(floor, steepest)
    }
    guard floor < range.upperBound else { return nil }
    return LossDrop.last(series, in: floor...range.upperBound, excluding: excluded)
  }

  /// True when the rate stays within 5% of its peak from `from` to `to`. Only at a constant rate
  /// is the power law in the rate's area a shifted power law; under a decay the annealing law
  /// models the area, and a shifted form fitted to the decay's bonus outran it in backtests and
  /// projected worse (randomised runs: a linear decay from a tenth, +1.9% → +7.0%).
  static func heldAtPeak(_ curve: LearningRateCurve, from: Double, to: Double) -> Bool {
    let inside = zip(curve.steps, curve.rates).lazy.filter { $0.0 > from && $0.0 < to }.map(\.1)
    return curve.rate(at: from) >= 0.95 && curve.rate(at: to) >= 0.95 && inside.allSatisfy { $0 >= 0.95 }
  }

  /// How far the rate's area (`S1`, in peak-rate steps) lags the step at `step`: the warm-up's
  /// deficit, `w/2` after a linear warm-up from zero (`PowerLawFitter.shiftFloor`).
  static func warmupLag(_ schedule: LearningRateSchedule, at step: Double) -> Double {
    let area = schedule.observed.areas(at: [step], lambda: 0).s1[0]
    let lag = step - area
    return lag.isFinite ? min(max(0, lag), step) : 0
  }

  /// Kept points a fit from the rate's last step down needs (the least any fit takes); with fewer
  /// it keeps its start. It was 10: Detectron2's fine-tune logged every 100 steps, cut at half,
  /// had 5 points since its rate fell 20×, and the fit across the fall at the high rate projected
  /// −13%; from the drop, −9.6%, its narrow span's prior widening the band (12% per doubling).
  static let minimumPointsAfterDrop = RateDrop.pointsToFitAfter

  /// The range from the rate's last step down (`RateDrop`), when it lies inside `range` and
  /// leaves `minimumPointsAfterDrop` kept points: the loss after a drop of the rate follows a
  /// curve of its own, however little of the range is left (no half-range rule, unlike warm-up).
  private static func afterRateDrop(
    _ range: ClosedRange<Double>, fitter: PowerLawFitter, options: FitRange, series: LossSeries,
    excluding excluded: StepRanges
  ) -> (ClosedRange<Double>, PowerLawFitter, FitStart)? {
    guard let drop = RateDrop.lastDrop(series, upTo: range.upperBound), drop > range.lowerBound else { return nil }
    let from = series.steps.lowerIndex(atLeast: drop)
    let to = series.steps.upperIndex(atMost: range.upperBound)
    var kept = 0
    for index in from..<to where series.losses[index].isFinite && !excluded.contains(series.steps[index]) {
      kept += 1
      if kept >= minimumPointsAfterDrop { break }
    }
    guard kept >= minimumPointsAfterDrop else { return nil }
    var moved = fitter
    moved.range = FitRange(from: series.steps[from], to: options.to)
    return (series.steps[from]...range.upperBound, moved, .afterRateDrop)
  }

  /// Fits every power-law form on the same points, with its held-out backtest and its
  /// rolling-origin misses, on all cores: the candidates `ModelChoice` picks from.
  ///
  /// `powerFit`, when given, is the plain power law already fitted on these points.
  static func competeForms(
    _ series: LossSeries, fitter: PowerLawFitter, range: ClosedRange<Double>, excluding excluded: StepRanges,
    sums: LogBinnedSums?, heldOut: Backtest.HeldOut?, lastKept: Double, powerFit: PowerLawFit?
  ) -> (candidates: [PowerLaw.Form: (fit: PowerLawFit, backtest: Backtest?)], rolling: [PowerLaw.Form: [RollingOrigin.Miss]]) {
    let forms = PowerLaw.Form.allCases
    var results = [(fit: PowerLawFit, backtest: Backtest?, rolling: [RollingOrigin.Miss])?](repeating: nil, count: forms.count)
    results.withUnsafeMutableBufferPointer { buffer in
      nonisolated(unsafe) let slots = buffer
      DispatchQueue.concurrentPerform(iterations: forms.count) { index in
        let form = forms[index]
        var formFitter = fitter
        formFitter.form = form
        let formFit: PowerLawFit
        if form == .power, let powerFit {
          formFit = powerFit
        } else if let candidate = try? formFitter.fit(series, excluding: excluded, sums: sums) {
          formFit = candidate
        } else {
          return
        }
        let backtest = Backtest.run(series, fitter: formFitter, excluding: excluded, heldOut: heldOut, sums: sums)
        let rolling = RollingOrigin.powerLawErrors(
          series, fitter: formFitter, range: range, lastStep: lastKept, excluding: excluded, sums: sums)
        slots[index] = (formFit, backtest, rolling)
      }
    }
    var candidates: [PowerLaw.Form: (fit: PowerLawFit, backtest: Backtest?)] = [:]
    var rolling: [PowerLaw.Form: [RollingOrigin.Miss]] = [:]
    for (index, form) in forms.enumerated() {
      if let result = results[index] {
        candidates[form] = (result.fit, result.backtest)
        rolling[form] = result.rolling
      }
    }
    return (candidates, rolling)
  }

  /// Every power-law form fitted and backtested on the same points, one chosen (`--model`, else
  /// BIC and backtests), and the analysis built around it with the fit's own projections.
  static func fitForms(
    _ series: LossSeries, passes: DetectionPasses, fitter: PowerLawFitter, range: ClosedRange<Double>,
    samePoints: Bool, options: Options
  ) throws(FitError) -> LossCurveAnalysis {
    let (finalExcluded, finalSums, health, anomaliesKept) = (passes.excluded, passes.sums, passes.health, passes.anomaliesKept)
    let heldOut = Backtest.HeldOut(
      series, bounds: range, excluding: finalExcluded, holdout: options.holdout)
    let lastKept = lastKeptStep(series, range: range, excluded: finalExcluded)
    let (candidates, rolling) = competeForms(
      series, fitter: fitter, range: range, excluding: finalExcluded, sums: finalSums, heldOut: heldOut,
      lastKept: lastKept, powerFit: samePoints && finalExcluded == passes.firstExcluded ? passes.secondFit : nil)
    let choice = ModelChoice.choose(candidates, forced: options.model, rolling: rolling)
    let chosen: (fit: PowerLawFit, backtest: Backtest?)
    if let candidate = candidates[choice.chosen] {
      chosen = candidate
    } else {
      // The forced form failed above; fitting it again surfaces the reason as the error.
      var formFitter = fitter
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
      series: series, fitRange: range, health: health, fit: fit,
      leftOut: (spikesLeftOut, anomaliesKept ? 0 : health.divergencePoints), lastStep: lastStep,
      current: fit.estimate(at: lastStep), projections: projections,
      doubling: DoublingEffect(fit: fit, at: lastStep),
      target: options.target.map { ($0, TargetOutcome(fit: fit, target: $0)) },
      parameterIntervals: [:], backtest: chosen.backtest, modelChoice: choice,
      bootstrap: (options.bootstrapResamples, 0, options.seed))
    analysis.heldOut = heldOut
    if !choice.forced, choice.chosen != .power, let plain = candidates[.power]?.fit, plain.converged {
      analysis.plainPowerFit = plain
    }
    return analysis
  }
}
