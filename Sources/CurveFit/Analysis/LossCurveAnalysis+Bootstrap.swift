import LeastSquares

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

  /// Bootstrap refits of the chosen fit for its intervals; returns the refits' solver, which the
  /// annealing law's bootstrap shares.
  mutating func runBootstrap(fitter: PowerLawFitter, options: Options) -> LevenbergMarquardt {
    // Refits start at the solution and only need to move by the noise: looser stopping rules lose
    // nothing at percentile precision and halve the bootstrap's cost.
    var refitSolver = fitter.solver
    refitSolver.options.costTolerance = max(refitSolver.options.costTolerance, 1e-9)
    refitSolver.options.stepTolerance = max(refitSolver.options.stepTolerance, 1e-9)
    refitSolver.options.maxIterations = min(refitSolver.options.maxIterations, 50)
    let models = CurveBootstrap(
      resamples: options.bootstrapResamples, seed: options.seed, solver: refitSolver
    ).models(for: fit)
    adoptBootstrap(models)
    if options.smoothing > 0 { smoothed = series.smoothed(weight: options.smoothing) }
    return refitSolver
  }
}
