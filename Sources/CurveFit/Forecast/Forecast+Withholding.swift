import Foundation

extension Forecast {
  /// Why the projections must not be printed as numbers, if they must not.
  ///
  /// A run that diverged, a loss that went flat while the trend fell, a curve fitted to too few
  /// points to converge, an exponent on its bound (no curvature) or a solver that stopped short
  /// would all extrapolate with confidence to a number the run will not reach, as would an
  /// annealing law whose training term is zero. A floor or an annealing term on its bound
  /// (L_min = 0, C = 0) still extrapolates: those fits project, with their warnings.
  static func withholdingReason<Model>(_ fit: FitResult<Model>, _ inputs: Inputs) -> String? {
    let lastStep = inputs.lastStep
    let axis = inputs.series.origin.axis
    if let divergence = inputs.health.divergence, divergence.zeroLoss {
      return "the loss fell to exactly 0 at \(axis.at(divergence.startStep)) and stayed there: a broken loss, "
        + "not a learned one; a curve fitted to the losses before it does not say where the run is going"
    }
    if let divergence = inputs.health.divergence {
      if divergence.firstNonFiniteStep == nil, ColumnSelection.namesEvaluation(inputs.series.origin.lossColumn) {
        return "the evaluation loss has risen since its lowest at \(axis.at(divergence.startStep)) (overfitting): "
          + "a curve fitted to the losses before it does not say where it is going"
      }
      return "the run \(divergence.severity == .critical ? "diverged" : "is diverging") at "
        + "\(axis.at(divergence.startStep)): a curve fitted to the losses before it does not say where it is going"
    }
    if let zeros = inputs.health.zeroLosses, zeros.kind == .reached {
      return "the loss has been 0 \(zeros.precision) since \(axis.at(zeros.firstStep)): "
        + "there is no fall left that the log can show"
    }
    if let plateau = inputs.health.plateaus.last, plateau.notLearning {
      return "the run is not learning (its loss has not fallen since \(axis.at(plateau.startStep))): "
        + "there is no fall to project"
    }
    if let plateau = flatAtTheEnd(inputs), !(Model.self == AnnealingLaw.self && decayAhead(inputs)) {
      return "the loss has been flat since \(axis.at(plateau.startStep)): "
        + "the fitted curve would project a fall the run is not making"
    }
    // A loss falling at a rising rate is not the curve the run follows after its warm-up: on
    // the real logs cut inside warm-up (Smol GBS 3M and 6M) the projections missed by 18–32%.
    if let known = inputs.schedule?.schedule, known.warmupSteps > 0, known.warmupSteps >= lastStep {
      return "the run is still in its warm-up (the rate rises until \(axis.at(known.warmupSteps))): "
        + "the loss is falling at a rising rate, not along the curve it will follow after it"
    }
    if !fit.converged, fit.pointsUsed < Self.minimumProjectingPoints {
      return "too few points (\(fit.pointsUsed)) to fit a curve that extrapolates"
    }
    if fit.parametersAtBound.contains("alpha") {
      return "no curvature to extrapolate: the fitted exponent is on its bound"
    }
    // A power law whose C is zero is a flat line at its floor: it printed the loss now for every
    // step to come, with a band of width zero.
    if Model.self == PowerLaw.self, fit.parametersAtBound.contains("C") {
      return "the fitted curve does not fall (its C is on its bound, zero): there is no fall to project"
    }
    // The annealing law's training term at zero leaves only the prior's bonus for decaying the
    // rate: a run that is not learning (Smol LR 5e-2, stuck near 8.3 nats) gets no such bonus.
    if fit.parametersAtBound.contains("A") {
      return "the loss is not falling with training (the annealing law's A is on its bound, zero): "
        + "only the assumed bonus of decaying the rate would project"
    }
    if !fit.termination.isConvergence {
      return "the fit did not converge: " + (fit.warnings.first ?? fit.termination.rawValue)
    }
    return nil
  }

  /// The plateau the log ends in, when its trend says the loss should still be falling and
  /// neither the schedule (a rate decayed to its floor) nor a run that never learned explains it.
  static func flatAtTheEnd(_ inputs: Inputs) -> Plateau? {
    guard let plateau = inputs.health.plateaus.last, plateau.ongoing, !plateau.explainedBySchedule else { return nil }
    return plateau
  }

  /// Whether the rate at the last step is still well above the floor its schedule decays to.
  ///
  /// A loss flat at the rate it has now still falls as the rate decays: the annealing law, which
  /// is fitted through the flat steps, projects that. Withheld instead, two complete runs cut at
  /// half printed nothing where the law came within 1.4% (build-nanogpt's 2.5 epochs, flat since
  /// step 22,473 of 28,023, then 3.06 → 2.93) and 0.7% (a memorising character-level nanoGPT,
  /// 0.045 → 0.0395) of their ends, inside its bands. An inverse square root decays for ever.
  static func decayAhead(_ inputs: Inputs) -> Bool {
    guard let schedule = inputs.schedule?.schedule, schedule.decayKnown || schedule.declared else { return false }
    if schedule.shape == .inverseSqrt { return true }
    return schedule.observed.rate(at: inputs.lastStep) > 1.5 * schedule.floorRatio
  }

  /// A fit of fewer points than this that does not converge is called too short, not unreliable.
  static let minimumProjectingPoints = 20

  /// The first kept step whose median with its four nearest kept neighbours (two either side)
  /// is at or below `goal`: one noisy dip does not reach a target. A loss that fell to 0 and
  /// stayed there reached any positive target where its zeros start, if not before.
  static func loggedStep(reaching goal: Double, _ inputs: Inputs) -> Double? {
    let series = inputs.series
    // The last five kept points; the median of five is at or below the goal when three are.
    var window: [(step: Double, loss: Double)] = []
    for index in 0..<series.count where series.losses[index].isFinite && !inputs.excluded.contains(series.steps[index]) {
      window.append((series.steps[index], series.losses[index]))
      if window.count > 5 { window.removeFirst() }
      if window.count == 5, window.filter({ $0.loss <= goal }).count >= 3 { return window[2].step }
    }
    if let zeros = inputs.health.zeroLosses, zeros.kind == .reached, goal > 0 { return zeros.firstStep }
    return nil
  }
}
