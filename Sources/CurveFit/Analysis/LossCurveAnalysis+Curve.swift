extension LossCurveAnalysis {
  /// The fitted power law at step `t` with its intervals, as a plot draws it: bootstrap
  /// percentiles when the refits are there, otherwise the delta method; past the last step,
  /// widened by the forecast's shape error exactly as the PROJECTION rows are, so the band a
  /// plot shows at 2× is the interval the report prints at 2×.
  public func curveEstimate(at t: Double) -> Estimate {
    var estimate = fit.estimate(at: t)
    if bootstrapModels.count >= 20 { estimate.adoptBootstrap(bootstrapModels.map { $0(t) }) }
    if let forecast, projectingSchedule == nil, t > lastStep {
      let sigma = forecast.shapeError.sigmas(factor: t / lastStep)
      estimate.calibrate(up: sigma.up, down: sigma.down)
      if let few = forecast.fewPoints { estimate.stretch(few.stretch95, few.stretch80) }
      if let ceiling = forecast.ceiling { estimate.cap(above: ceiling) }
    }
    return estimate
  }
}
