import Foundation

/// The forecast's decision on the annealing law: whether it makes the projections, and what it
/// projects. The fit stage (`ScheduleAnalysis.run`) only fits it and backtests it.
extension ScheduleAnalysis {
  /// Chooses between the annealing law and the power law, and fills in the annealing law's
  /// projections; does nothing without an annealing fit.
  mutating func decide(_ context: Context, options: Options) {
    guard let fit else { return }
    // Asking for a schedule (`--schedule`, `--peak-lr`) asks for the law that can project one;
    // one the log states is chosen by the backtests, as a logged one is.
    let planned = options.plan != nil || options.peakRate != nil || (schedule.declared && schedule.statedBy == nil)
    choose(
      fit: fit, power: context.powerBacktest, mode: options.mode == .auto && planned ? .forced : options.mode,
      steppedDown: planned ? nil : Self.flatSinceDrop(context), axis: context.series.origin.axis)
    if options.mode == .auto, planned, chosen {
      reason = "annealing law: --schedule/--peak-lr ask for projections under a schedule, which only it can make"
    }
    // Also where the annealing law already lost its backtest: the bands then need no room for
    // a decay to come.
    if options.mode == .auto, !planned, let ignored = ignoredRate(fit, context) {
      chosen = false
      lossIgnoresRate = true
      reason = ignored
    }
    // C is measured from the decay seen so far; before much of it has happened it is a guess
    // (on the real logs cut at a tenth it sent the loss below zero), so without the prior that
    // borrows it from real runs the power law projects.
    let share = decayShare(fit.model, lastStep: context.lastStep)
    if options.mode == .auto, chosen, options.fitter.prior == nil, share < Self.minimumDecayShare {
      chosen = false
      reason = "power law kept: only \(NumberFormat.significant(100 * share, 2))% of the rate's decay has happened, "
        + "too little to measure the annealing term from"
    }
    project(fit: fit, context: context)
    if options.mode == .auto, chosen,
      !projections.allSatisfy({ $0.loss.value > 0 && $0.loss.value.isFinite })
    {
      chosen = false
      reason = "power law kept: the annealing law projects a loss at or below zero"
    }
    if chosen, fit.state?.priorConflict != nil { priorKept = keepingPrior(context, options: options) }
  }

  /// The fit with the prior on `C` kept, and its refits, for a fit that set it aside.
  private func keepingPrior(_ context: Context, options: Options) -> (fit: AnnealingFit, models: [AnnealingLaw])? {
    var fitter = options.fitter
    fitter.checksPriorConflict = false
    guard let kept = try? fitter.fit(context.series, curve: schedule.observed, bounds: context.range, excluding: context.excluded)
    else { return nil }
    var solver = context.refitSolver
    solver.options.maxIterations = min(solver.options.maxIterations, 50)
    let models = AnnealingBootstrap(resamples: context.resamples, seed: context.seed, solver: solver).models(for: kept)
    return (kept, models)
  }

  // MARK: - Choice

  /// Why the loss does not answer its logged rate (`RateResponse`), when the rate falls by half
  /// its peak or more over the steps both laws are fitted on, and the power law fits them as well
  /// as the annealing law and backtests better; `nil` otherwise.
  func ignoredRate(_ fit: AnnealingFit, _ context: Context) -> String? {
    // An annealing fit that did not converge (a parameter at its bound) misfits for its own
    // reasons: no evidence about the loss.
    guard fit.converged, let power = context.power, let mine = backtest?.meanRelativeError,
      let theirs = context.powerBacktest?.meanRelativeError, mine > theirs
    else { return nil }
    // Compared where both laws are fitted, and only if the rate falls that far there: a fall
    // before the power law's fit (a step down it is fitted from) is no test of it.
    let lower = max(context.range.lowerBound, power.range.lowerBound, schedule.observed.annealStart)
    let upper = min(context.range.upperBound, power.range.upperBound)
    guard lower < upper else { return nil }
    let (first, left) = (schedule.observed.rate(at: lower), schedule.observed.rate(at: upper))
    guard first - left >= RateResponse.minimumFall, let rms = RateResponse.residuals(
      context.series, range: lower...upper, excluded: context.excluded, power: power.model,
      annealing: fit.model, curve: schedule.observed), rms.power <= rms.annealing
    else { return nil }
    let shown = { (x: Double) in NumberFormat.significant(100 * x, 2) + "%" }
    let fine = { (x: Double) in NumberFormat.significant(100 * x, 3) + "%" }
    return "power law kept: the loss does not answer its rate, which falls from \(shown(first)) to \(shown(left)) of its peak "
      + "over the steps both laws fit: "
      + "the power law in steps fits as well (\(fine(rms.power)) against \(fine(rms.annealing)) rms over "
      + "\(rms.points) points) and backtests better (\(shown(theirs)) against \(shown(mine)))"
  }

  /// The annealing law projects only once this share of the rate's decay has happened.
  static let minimumDecayShare = 0.1

  /// The annealing area so far as a share of the area a run of twice the steps under the plan
  /// reaches by its end (where the whole decay has happened).
  func decayShare(_ model: AnnealingLaw, lastStep: Double) -> Double {
    let now = schedule.observed.areas(at: [lastStep], lambda: model.lambda).s2[0]
    let full = plan.curve(length: 2 * lastStep, from: schedule).areas(at: [2 * lastStep], lambda: model.lambda).s2[0]
    // A plan that decays no further than the log has asks nothing of C beyond what was seen.
    guard full > now else { return 1 }
    return max(0, now / full)
  }

  /// The step at which the logged rate last stepped down, when it has been flat since over at
  /// least `RateDrop.pointsToFitAfter` usable losses (finite, not left out as anomalies): the
  /// power law is then fitted from there, at the rate the run goes on with.
  static func flatSinceDrop(_ context: Context) -> Double? {
    guard let drop = RateDrop.lastDrop(context.series, upTo: context.lastStep) else { return nil }
    let from = context.series.steps.lowerIndex(atLeast: drop)
    let to = context.series.steps.upperIndex(atMost: context.lastStep)
    var usable = 0
    FitPoints.forEachUsable(context.series, from..<max(from, to), context.excluded) { _, _ in usable += 1 }
    return usable >= RateDrop.pointsToFitAfter ? drop : nil
  }

  private mutating func choose(fit: AnnealingFit, power: Backtest?, mode: Mode, steppedDown: Double?, axis: StepAxis) {
    switch mode {
    case .forced:
      chosen = true
      reason = "annealing law (forced by --model annealing)"
      return
    case .off:
      reason = "power law (forced by --model)"
      return
    case .auto:
      break
    }
    guard fit.converged else {
      reason = "power law kept: the annealing fit is not reliable (\(fit.warnings.first ?? "see warnings"))"
      return
    }
    switch (backtest?.meanRelativeError, power?.meanRelativeError) {
    case let (mine?, theirs?):
      // The rate decays, and the power law's projections assume it stays where it is: on the
      // real logs of `make forecast` the annealing law projects better at every reach even where
      // the power law backtests better over the last fifth (docs/forecasting.md). It gives way
      // only to a backtest it loses by more than a factor of two (a loss that ignores the
      // rate, as gen_log.py's does, loses by 1.8–2.5×: `ignoredRate` tells it by the fit).
      chosen = mine <= 2 * theirs
      let numbers = "backtest error \(NumberFormat.significant(100 * mine, 2))% vs "
        + "\(NumberFormat.significant(100 * theirs, 2))% for the power law"
      reason = chosen
        ? "annealing law: the rate decays, which only it projects (\(numbers))"
        : "power law kept: annealing \(numbers)"
    default:
      // Without held-out steps to judge by, the law that models the decay is the safer bet:
      // the power law reads annealing as progress. Not after a step down the rate has stayed
      // at: the power law is fitted from it, and the annealing law's momentum lets the drop's
      // bonus accrue over a thousand steps (Detectron2 thinned to 60 points, from half: −29%,
      // where its loss went flat at once).
      if let drop = steppedDown {
        reason = "power law kept: the rate stepped down at \(axis.at(drop)) and has stayed there, "
          + "the power law is fitted from it, and neither law can be backtested"
        return
      }
      chosen = true
      reason = "annealing law: the rate decays and there is no backtest to judge by"
    }
  }
}
