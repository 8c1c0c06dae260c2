import Foundation

extension ScheduleAnalysis {
  /// Runs longer than the current one are searched up to this multiple for a target.
  static let maxTargetFactor = 1_000.0

  /// Fills in the projections, the bonus, the doubling effect and the target, then replaces
  /// their delta-method intervals with bootstrap percentiles.
  mutating func project(fit: AnnealingFit, context: Context) {
    let model = fit.model
    let lastStep = context.lastStep
    let observed = schedule.observed
    let now = observed.areas(at: [lastStep], lambda: model.lambda)
    let nowAreas = (s1: now.s1[0], s2: now.s2[0])
    current = fit.estimate(s1: nowAreas.s1, s2: nowAreas.s2)

    let factors = Projection.standardFactors
    let stretched = factors.map { plan.curve(length: $0 * lastStep, from: schedule) }
    let stretchedAreas = zip(factors, stretched).map { factor, curve in
      let areas = curve.areas(at: [factor * lastStep], lambda: model.lambda)
      return (s1: areas.s1[0], s2: areas.s2[0])
    }
    let flatCurves = factors.map { observed.holding(from: lastStep, to: $0 * lastStep) }
    let flatAreas = factors.indices.map { k in
      let areas = flatCurves[k].areas(at: [factors[k] * lastStep], lambda: model.lambda)
      return (s1: areas.s1[0], s2: areas.s2[0])
    }
    projections = factors.indices.map { k in
      Projection(
        factor: factors[k], step: factors[k] * lastStep,
        loss: fit.estimate(s1: stretchedAreas[k].s1, s2: stretchedAreas[k].s2), schedule: plan.projectionKind)
    }
    constantRate = factors.indices.map { k in
      Projection(
        factor: factors[k], step: factors[k] * lastStep,
        loss: fit.estimate(s1: flatAreas[k].s1, s2: flatAreas[k].s2), schedule: "constant")
    }
    var bonusEstimate = Estimate(value: model.c * nowAreas.s2)
    if let errors = fit.standardErrors {
      // abs: a rate that rose again after warm-up (restarts) leaves a negative area.
      let half = abs(Estimate.z95 * errors[3] * nowAreas.s2)
      if half.isFinite, bonusEstimate.value.isFinite {
        bonusEstimate = Estimate(value: bonusEstimate.value, ci95: (bonusEstimate.value - half)...(bonusEstimate.value + half))
      }
    }
    bonus = bonusEstimate
    let change = projections[0].loss.value - (current?.value ?? .nan)
    doubling = DoublingEffect(fromStep: lastStep, toStep: 2 * lastStep, lossChange: Estimate(value: change))
    let runs = context.target == nil ? nil : RunLengthTable(self, lastStep: lastStep, lambda: model.lambda)
    if let loss = context.target, let runs {
      target = runs.length(reaching: loss, model, refine: self).map { .reachable(step: Estimate(value: $0)) }
        ?? .unreachable(floor: floor(of: model))
    }

    // Bootstrap: every number again for each refitted law, when this law makes the projections
    // (otherwise its numbers are a comparison, and delta-method intervals serve).
    guard chosen else {
      // The delta method's straight-line band reaches below zero for a loss falling towards it
      // (a fine-tune at 0.02); these numbers only inform, but a negative loss informs of nothing.
      for k in projections.indices {
        projections[k].loss.keepPositive()
        constantRate[k].loss.keepPositive()
        projections[k].withholdIfNotPositive()
        constantRate[k].withholdIfNotPositive()
      }
      return
    }
    var refitSolver = context.refitSolver
    refitSolver.options.maxIterations = min(refitSolver.options.maxIterations, 50)
    let models = AnnealingBootstrap(resamples: context.resamples, seed: context.seed, solver: refitSolver)
      .models(for: fit)
    bootstrapUsed = models.count
    bootstrapModels = models
    guard models.count >= 20 else { return }
    // With λ fitted every refit has its own λ, and so its own annealing areas.
    typealias Areas = (s1: Double, s2: Double)
    let areas = models.map { refit -> (now: Areas, stretched: [Areas], flat: [Areas]) in
      guard refit.lambda != model.lambda else { return (nowAreas, stretchedAreas, flatAreas) }
      let at = { (curve: LearningRateCurve, step: Double) -> Areas in
        let areas = curve.areas(at: [step], lambda: refit.lambda)
        return (areas.s1[0], areas.s2[0])
      }
      return (
        at(observed, lastStep), factors.indices.map { at(stretched[$0], factors[$0] * lastStep) },
        factors.indices.map { at(flatCurves[$0], factors[$0] * lastStep) })
    }
    current?.adoptBootstrap(models.indices.map { models[$0](s1: areas[$0].now.s1, s2: areas[$0].now.s2) })
    for k in projections.indices {
      projections[k].loss.adoptBootstrap(models.indices.map {
        models[$0](s1: areas[$0].stretched[k].s1, s2: areas[$0].stretched[k].s2)
      })
      constantRate[k].loss.adoptBootstrap(models.indices.map {
        models[$0](s1: areas[$0].flat[k].s1, s2: areas[$0].flat[k].s2)
      })
    }
    bonus?.adoptBootstrap(models.indices.map { models[$0].c * areas[$0].now.s2 })
    doubling?.lossChange.adoptBootstrap(models.indices.map {
      models[$0](s1: areas[$0].stretched[0].s1, s2: areas[$0].stretched[0].s2)
        - models[$0](s1: areas[$0].now.s1, s2: areas[$0].now.s2)
    })
    if let loss = context.target, let runs, case .reachable(var step) = target {
      // The table's areas are at the fitted λ; a refit with its own λ is read off it too (a
      // table per refit would cost 256 schedules each), which slightly narrows this interval.
      step.adoptBootstrap(models.map { runs.length(reaching: loss, $0, refine: nil) ?? .infinity })
      target = .reachable(step: step)
    }
    for (index, name) in AnnealingLaw.parameterNames.enumerated() {
      var estimate = Estimate(value: model.parameters[index])
      estimate.adoptBootstrap(models.map { $0.parameters[index] })
      if let ci80 = estimate.ci80, let ci95 = estimate.ci95 { parameterIntervals[name] = (ci80, ci95) }
    }
    if fit.parameterNames.contains("lambda") {
      var estimate = Estimate(value: model.lambda)
      estimate.adoptBootstrap(models.map(\.lambda))
      if let ci80 = estimate.ci80, let ci95 = estimate.ci95 { parameterIntervals["lambda"] = (ci80, ci95) }
    }
  }

  /// The final loss of a run of `length` steps under the plan.
  func finalLoss(_ model: AnnealingLaw, length: Double) -> Double {
    let curve = plan.curve(length: length, from: schedule)
    let areas = curve.areas(at: [length], lambda: model.lambda)
    return model(s1: areas.s1[0], s2: areas.s2[0])
  }

  /// The loss an endless run under the plan approaches: the power-law part vanishes and the
  /// annealing area tends to the rate's whole fall divided by `1 − λ`.
  func floor(of model: AnnealingLaw) -> Double {
    let fall = plan.shape == .constant ? 0 : plan.peakScale * (1 - plan.floorRatio)
    return model.l0 - model.c * fall / (1 - model.lambda)
  }
}

/// The areas at the end of runs of many lengths under the plan, log-spaced from warm-up to
/// 1,000× the current run: the schedules are built once, and each law (the fit and every
/// bootstrap refit) then finds the run length reaching a target by a scan and interpolation.
struct RunLengthTable {
  var logLengths: [Double] = []
  var s1: [Double] = []
  var s2: [Double] = []

  static let size = 256

  init(_ analysis: ScheduleAnalysis, lastStep: Double, lambda: Double) {
    let low = Foundation.log(max(analysis.schedule.warmupSteps + 1, 0.01 * lastStep))
    let high = Foundation.log(ScheduleAnalysis.maxTargetFactor * lastStep)
    for k in 0..<Self.size {
      let logLength = low + (high - low) * Double(k) / Double(Self.size - 1)
      let length = Foundation.exp(logLength)
      let areas = analysis.plan.curve(length: length, from: analysis.schedule).areas(at: [length], lambda: lambda)
      logLengths.append(logLength)
      s1.append(areas.s1[0])
      s2.append(areas.s2[0])
    }
  }

  /// The shortest tabulated run whose final loss under `model` is at most `loss`, interpolated
  /// in log length, then (with `refine`) bisected on exact schedules; `nil` when none reaches it.
  func length(reaching loss: Double, _ model: AnnealingLaw, refine analysis: ScheduleAnalysis?) -> Double? {
    guard let index = s1.indices.first(where: { model(s1: s1[$0], s2: s2[$0]) <= loss }) else { return nil }
    guard index > 0 else { return Foundation.exp(logLengths[0]) }
    var low = logLengths[index - 1]
    var high = logLengths[index]
    guard let analysis else {
      let above = model(s1: s1[index - 1], s2: s2[index - 1])
      let below = model(s1: s1[index], s2: s2[index])
      let fraction = above > below ? (above - loss) / (above - below) : 1
      return Foundation.exp(low + fraction * (high - low))
    }
    for _ in 0..<30 {
      let middle = (low + high) / 2
      if analysis.finalLoss(model, length: Foundation.exp(middle)) <= loss { high = middle } else { low = middle }
    }
    return Foundation.exp(high)
  }
}
