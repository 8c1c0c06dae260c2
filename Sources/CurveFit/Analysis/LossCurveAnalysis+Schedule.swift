import LeastSquares

extension LossCurveAnalysis {
  /// The range the annealing law is fitted on: the power law's, except that after a rate's step
  /// down it keeps the steps before the drop, which the annealing law models (`S2`).
  var annealingRange: ClosedRange<Double> {
    fitStart == .afterRateDrop ? min(watchedRange.lowerBound, fitRange.lowerBound)...fitRange.upperBound : fitRange
  }

  /// The annealing law fitted to the schedule (the fit stage), then the forecast's decision on
  /// whether it projects, and plateaus the schedule explains.
  mutating func fitSchedule(
    _ logged: LearningRateSchedule?, excluded: StepRanges, refitSolver: LevenbergMarquardt, options: Options
  ) throws(FitError) {
    let context = ScheduleAnalysis.Context(
      series: series, range: annealingRange, excluded: excluded, heldOut: heldOut,
      powerBacktest: backtest, power: (fit.model, fitRange), lastStep: lastStep, target: options.target,
      resamples: options.bootstrapResamples, seed: options.seed, refitSolver: refitSolver,
      schedule: logged)
    schedule = try ScheduleAnalysis.run(context, options: options.schedule)
    schedule?.decide(context, options: options.schedule)
    if let schedule = schedule?.schedule { health.annotatePlateaus(schedule) }
  }
}
