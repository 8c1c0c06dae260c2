extension LossCurveAnalysis {
  /// The schedule result whose annealing law makes the projections, or nil when a power law
  /// does. The forecast decides this once (`Forecast.law`); reports, JSON and comparisons ask
  /// here instead of working it out again.
  public var projectingSchedule: ScheduleAnalysis? {
    guard let schedule, schedule.fit != nil else { return nil }
    if let forecast { return forecast.law == .annealing ? schedule : nil }
    return schedule.chosen ? schedule : nil
  }

  /// The annealing fit that projects, with its schedule result.
  public var projectingAnnealing: (schedule: ScheduleAnalysis, fit: AnnealingFit)? {
    guard let schedule = projectingSchedule, let fit = schedule.fit else { return nil }
    return (schedule, fit)
  }
}

extension LossCurveAnalysis {
  /// The held-out backtest of the law that projects.
  public var projectingBacktest: Backtest? {
    projectingSchedule == nil ? backtest : projectingSchedule?.backtest
  }
}
