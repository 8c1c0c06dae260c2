import LeastSquares

extension LossCurveAnalysis {
  /// The annealing law fitted to the schedule (the fit stage), then the forecast's decision on
  /// whether it projects, and plateaus the schedule explains.
  mutating func fitSchedule(
    _ logged: LearningRateSchedule?, excluded: StepRanges, refitSolver: LevenbergMarquardt, options: Options
  ) throws(FitError) {
    let context = ScheduleAnalysis.Context(
      series: series, range: fitRange, excluded: excluded, heldOut: heldOut,
      powerBacktest: backtest, lastStep: lastStep, target: options.target,
      resamples: options.bootstrapResamples, seed: options.seed, refitSolver: refitSolver,
      schedule: logged)
    schedule = try ScheduleAnalysis.run(context, options: options.schedule)
    schedule?.decide(context, options: options.schedule)
    if let schedule = schedule?.schedule { health.annotatePlateaus(schedule) }
  }
}
