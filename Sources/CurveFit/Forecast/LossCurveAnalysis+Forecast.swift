import Foundation

extension LossCurveAnalysis {
  /// What the forecast step needs beyond the analysis itself.
  struct ForecastInputs {
    var excluded: StepRanges
    var sums: LogBinnedSums?
    var fitter: PowerLawFitter
    var options: Options
  }

  /// Decides once which law projects, measures its extrapolation error inside the run, and
  /// gives every projected number its calibrated interval; adds the planned end and
  /// `--at-step` rows.
  mutating func makeForecast(_ inputs: ForecastInputs) {
    let options = inputs.options
    let annealing = schedule.flatMap { result in result.chosen ? result.fit.map { (result, $0) } : nil }
    let law: ProjectingLaw
    let errors: [RollingOrigin.Miss]
    if let (result, fit) = annealing {
      law = .annealing(fit, schedule: result)
      // The annealing law's numbers replace the power law's here, where the choice is made.
      if let current = result.current, let doubling = result.doubling {
        self.current = current
        projections = result.projections
        self.doubling = doubling
        if let loss = options.target, let outcome = result.target { target = (loss, outcome) }
      }
      errors = RollingOrigin.annealingErrors(
        series, fitter: options.schedule.fitter, curve: result.schedule.observed, range: fitRange,
        lastStep: lastStep, excluding: inputs.excluded)
    } else {
      law = .power(fit, bootstrap: bootstrapModels)
      errors = modelChoice.candidates.first { $0.form == fit.model.form }?.rollingMisses ?? []
    }
    // The steps still to come follow a known schedule when the annealing law projects a logged
    // or declared decay, or when the user declared a constant rate.
    let declaredConstant = options.schedule.declared?.shape == .constant
      || options.schedule.plan?.lowercased() == "constant"
    let shape = ShapeError(errors: errors, scheduleKnown: annealing != nil || declaredConstant)
    var forecast = Forecast(law: law.law, shapeError: shape)
    forecast.withheld = annealing.map { withholdingReason($0.1) } ?? withholdingReason(fit)

    current.calibrate(up: 0, down: 0)
    for k in projections.indices {
      let sigma = shape.sigmas(factor: projections[k].factor)
      projections[k].loss.calibrate(up: sigma.up, down: sigma.down)
    }
    let reach = shape.sigmas(factor: doubling.toStep / max(doubling.fromStep, .leastNonzeroMagnitude))
    doubling.lossChange.calibrate(up: reach.up, down: reach.down, scale: law.value(doubling.toStep))
    if let (loss, outcome) = target, case .reachable(var step) = outcome {
      calibrateStep(&step, law: law, shape: shape)
      target = (loss, .reachable(step: step))
    }

    forecast.plannedEnd = plannedEnd(options: options).map { end in
      var loss = law.noiseEstimate(at: end.step)
      let sigma = shape.sigmas(factor: end.step / lastStep)
      loss.calibrate(up: sigma.up, down: sigma.down)
      return Forecast.PlannedEnd(step: end.step, loss: loss, source: end.source)
    }
    if let end = forecast.plannedEnd, let goal = options.target {
      forecast.targetWithinRun = Self.firstStep(reaching: goal, law: law, from: lastStep, to: end.step)
    }
    forecast.atSteps = options.atSteps.sorted().map { step in
      var loss = law.noiseEstimate(at: step)
      let sigma = shape.sigmas(factor: step / lastStep)
      loss.calibrate(up: sigma.up, down: sigma.down)
      return Projection(
        factor: step / lastStep, step: step, loss: loss, schedule: annealing == nil ? nil : "stretched")
    }
    self.forecast = forecast
  }

  /// Why the projections must not be printed as numbers, if they must not.
  ///
  /// A run that diverged, a loss that went flat while the trend fell, a curve fitted to too few
  /// points to converge, an exponent on its bound (no curvature) or a solver that stopped short
  /// would all extrapolate with confidence to a number the run will not reach. A floor or an
  /// annealing term on its bound (L_min = 0, C = 0) still extrapolates: those fits project, with
  /// their warnings.
  private func withholdingReason<Model>(_ fit: FitResult<Model>) -> String? {
    if let divergence = health.divergence {
      return "the run \(divergence.severity == .critical ? "diverged" : "is diverging") at step "
        + "\(NumberFormat.count(divergence.startStep)): a curve fitted to the steps before it does not say where it is going"
    }
    if let plateau = health.plateaus.last, plateau.ongoing, !plateau.explainedBySchedule {
      return "the loss has been flat since step \(NumberFormat.count(plateau.startStep)): "
        + "the fitted curve would project a fall the run is not making"
    }
    // A loss falling at a rising rate is not the curve the run follows after its warm-up: on
    // the real logs cut inside warm-up (Smol GBS 3M and 6M) the projections missed by 18–32%.
    if let known = schedule?.schedule, known.warmupSteps > 0, known.warmupSteps >= lastStep {
      return "the run is still in its warm-up (the rate rises until step \(NumberFormat.count(known.warmupSteps))): "
        + "the loss is falling at a rising rate, not along the curve it will follow after it"
    }
    if !fit.converged, fit.pointsUsed < Self.minimumProjectingPoints {
      return "too few points (\(fit.pointsUsed)) to fit a curve that extrapolates"
    }
    if fit.parametersAtBound.contains("alpha") {
      return "no curvature to extrapolate: the fitted exponent is on its bound"
    }
    if !fit.termination.isConvergence {
      return "the fit did not converge: " + (fit.warnings.first ?? fit.termination.rawValue)
    }
    return nil
  }

  /// A fit of fewer points than this that does not converge is called too short, not unreliable.
  static let minimumProjectingPoints = 20

  /// The planned last step: `--total-steps`, else where a logged decay is heading.
  private func plannedEnd(options: Options) -> (step: Double, source: Forecast.EndSource)? {
    if let total = options.totalSteps, total > lastStep { return (total, .totalSteps) }
    if let logged = schedule?.schedule, !logged.declared, logged.decayKnown, logged.plannedEnd > 1.01 * lastStep {
      return (logged.plannedEnd, .schedule)
    }
    return nil
  }

  /// The target step's interval: a loss error of `σ` moves the step by `σ / |d ln L/d ln t|`
  /// in log steps (a higher loss is reached later).
  private func calibrateStep(_ step: inout Estimate, law: ProjectingLaw, shape: ShapeError) {
    let sigma = shape.sigmas(factor: step.value / lastStep)
    let slope = abs(law.logSlope(at: step.value))
    // A curve that has all but stopped falling leaves the step unbounded above.
    let limit = 5.0
    let up = slope > 0 ? min(limit, sigma.up / slope) : limit
    let down = slope > 0 ? min(limit, sigma.down / slope) : limit
    step.calibrate(up: up, down: down)
  }

  /// The first step in `(from, to]` at which the run under its own schedule reaches `loss`.
  private static func firstStep(reaching loss: Double, law: ProjectingLaw, from: Double, to: Double) -> Double? {
    guard to > from else { return nil }
    let count = 512
    let steps = (0...count).map { from * Foundation.pow(to / from, Double($0) / Double(count)) }
    let losses = law.alongRun(steps, to)
    guard let index = losses.indices.first(where: { losses[$0] <= loss }) else { return nil }
    guard index > 0 else { return steps[0] }
    let (above, below) = (losses[index - 1], losses[index])
    let fraction = above > below ? (above - loss) / (above - below) : 1
    return steps[index - 1] + fraction * (steps[index] - steps[index - 1])
  }
}
