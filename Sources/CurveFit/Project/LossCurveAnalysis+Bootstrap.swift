extension LossCurveAnalysis {
  /// Replaces delta-method intervals with bootstrap percentiles wherever the refits allow.
  mutating func adoptBootstrap(_ models: [PowerLaw]) {
    bootstrap.used = models.count
    bootstrapModels = models
    guard models.count >= 20 else { return }
    current.adoptBootstrap(models.map { $0(lastStep) })
    for k in projections.indices {
      let step = projections[k].step
      projections[k].loss.adoptBootstrap(models.map { $0(step) })
    }
    let from = doubling.fromStep
    doubling.lossChange.adoptBootstrap(models.map { $0(2 * from) - $0(from) })
    if let (loss, outcome) = target, case .reachable(var step) = outcome {
      step.adoptBootstrap(models.map { $0.step(reaching: loss) ?? .infinity })
      target = (loss, .reachable(step: step))
    }
    for (index, name) in fit.model.form.parameterNames.enumerated() {
      var estimate = Estimate(value: fit.model.parameters[index])
      estimate.adoptBootstrap(models.map { $0.parameters[index] })
      if let ci80 = estimate.ci80, let ci95 = estimate.ci95 {
        parameterIntervals[name] = (ci80, ci95)
      }
    }
  }
}
