import Foundation

/// The formatted pieces text and Markdown share, so both say the same thing in the same words.
struct ReportContent {
  let report: Report
  var analysis: LossCurveAnalysis { report.analysis }
  /// What the step column counts, so every position is named in its unit.
  var axis: StepAxis { analysis.series.origin.axis }

  /// `examples/run.csv (csv) · 19,552 points · steps 1–19,552 · loss column "loss"`
  var sourceLine: String { Self.sourceLine(analysis.series) }

  static func sourceLine(_ series: LossSeries) -> String {
    let origin = series.origin
    let stepName = origin.stepColumn.map { "\"\($0)\"" } ?? "row number"
    var parts = [
      "\(origin.source) (\(origin.format))",
      "\(NumberFormat.count(Double(series.count))) point\(series.count == 1 ? "" : "s")",
      origin.axis.span(series.steps.first ?? 0, series.steps.last ?? 0),
      "loss \"\(origin.lossColumn)\" by \(stepName)",
    ]
    if origin.restarts > 0 {
      parts.append("\(origin.restarts) restart\(origin.restarts == 1 ? "" : "s") merged")
    }
    if origin.rowsAveraged > 0 {
      let rows = origin.rowsAveraged == 1 ? "1 row" : "\(NumberFormat.count(Double(origin.rowsAveraged))) rows"
      parts.append("repeated steps averaged (\(rows) folded in)")
    }
    return parts.joined(separator: " · ")
  }

  /// `columns seen: step, loss, lr, tokens (--metric picks another)` when there was a choice.
  var columnsSeen: String? {
    let columns = analysis.series.origin.columns
    guard columns.count > 2 else { return nil }
    let shown = columns.prefix(12).joined(separator: ", ") + (columns.count > 12 ? ", … (\(columns.count))" : "")
    return "columns seen: \(shown) (--metric picks another)"
  }

  /// What the reader should know about the input: sampling, smoothing.
  var notes: [String] {
    analysis.series.origin.notes + (analysis.smoothed?.origin.notes.filter { !analysis.series.origin.notes.contains($0) } ?? [])
  }

  /// `on steps 196–19,552 (19,357 points)`, with why it starts there when not the default
  var fitScope: String {
    let fit = analysis.fit
    let range = analysis.fitRange
    var scope = "on \(axis.span(range.lowerBound, range.upperBound))"
      + " (\(NumberFormat.count(Double(fit.pointsUsed))) points"
    if fit.fittedPoints < fit.pointsUsed {
      scope += " in \(NumberFormat.count(Double(fit.fittedPoints))) log-spaced bins"
    }
    if let drop = analysis.lossDrop {
      scope += "; \(drop.note(axis: axis))"
    } else if let note = analysis.fitStart.note {
      scope += "; \(note)"
    }
    return scope + ")"
  }

  /// How the report writes each parameter's name.
  static let symbols = ["L_min": "L_min", "C": "C", "alpha": "α", "t0": "t0"]

  /// `[("L_min", "2.71 ± 0.04"), ...]`
  var parameters: [(name: String, value: String)] {
    let fit = analysis.fit
    let values = fit.model.parameters
    return fit.parameterNames.indices.map { index in
      (Self.symbols[fit.parameterNames[index]] ?? fit.parameterNames[index],
       NumberFormat.withError(values[index], fit.standardErrors?[index]).replacingMinus())
    }
  }

  /// What a negative `t0` means: only a known warm-up allows one (`PowerLawFitter.shiftFloor`).
  var clockNote: String? {
    let model = analysis.fit.model
    guard model.form == .shifted, model.t0 < 0 else { return nil }
    let behind = "\(axis.number(-model.t0)) \(axis.rawValue) behind the \(axis.rawValue.dropLast()) count"
    let fits = "; it fits better than the \(axis.rawValue) themselves"
    // The fit may stop short of the warm-up's whole lag (the floor): then it says both.
    let lag = analysis.fit.state.map { -$0.shiftLower * $0.tRef } ?? 0
    guard lag > 0, -model.t0 < 0.99 * lag else {
      return "t0 < 0: the clock is the rate's area, which the warm-up left " + behind + fits
    }
    return "t0 < 0: the curve's clock runs " + behind + ", part of the \(axis.number(lag)) by which the warm-up left "
      + "the rate's area behind" + fits
  }

  /// `C, α and t0 are not pinned down by this log: …` when a parameter's standard error exceeds
  /// its value. A nearly flat fine-tune fitted by the shifted form read `C 9.90e6 ± 3.0e8
  /// α 1.5 ± 2.4 t0 137733 ± 200145` with nothing to say the curve, not its parameters, is what
  /// the log determines.
  var undetermined: String? {
    let fit = analysis.fit
    guard let errors = fit.standardErrors else { return nil }
    let values = fit.model.parameters
    let loose = fit.parameterNames.indices.filter { index in
      errors[index].isFinite && values[index] != 0 && errors[index] > abs(values[index])
    }.map { Self.symbols[fit.parameterNames[$0]] ?? fit.parameterNames[$0] }
    guard !loose.isEmpty else { return nil }
    let names = loose.count == 1 ? loose[0] : loose.dropLast().joined(separator: ", ") + " and " + loose.last!
    return "\(names) \(loose.count == 1 ? "is" : "are") not pinned down by this log (a standard error larger than "
      + "the value): many curves fit it about as well; the projections' intervals carry that, the parameters alone do not"
  }

  /// `L(t) = L_min + C·t^-α`, for the fitted form.
  var formula: String {
    switch analysis.fit.model.form {
    case .power: "L(t) = L_min + C·t^-α"
    case .pure: "L(t) = C·t^-α"
    case .shifted: "L(t) = L_min + C·(t+t0)^-α"
    }
  }

  /// `backtest: fitted on 80%, the last 20% predicted within 0.6% (max 1.4%), 95% band held 90%`
  var backtest: String? {
    guard let test = analysis.backtest else { return nil }
    let trained = Int((100 * (1 - test.holdoutFraction)).rounded())
    return "backtest: fitted on the first \(trained)% of \(axis.rawValue), the last \(100 - trained)% predicted within "
      + "\(NumberFormat.significant(100 * test.meanRelativeError, 2))% "
      + "(max \(NumberFormat.significant(100 * test.maxRelativeError, 2))%); "
      + "\(Int((100 * test.coverage95).rounded()))% of it inside the 95% band"
  }

  /// `model: power; runner-up shifted: ΔBIC −6.8 (−10 needed to switch), backtest 3.0% vs 1.7%`
  var modelChoice: String {
    let choice = analysis.modelChoice
    let chosen = choice.candidates.first { $0.form == choice.chosen }
    var text = "model: \(choice.chosen.rawValue)\(choice.forced ? " (forced by --model)" : "")"
    if analysis.projectingSchedule != nil {
      text += " (the health baseline; the annealing law under SCHEDULE makes the projections)"
    }
    if let runner = choice.runnerUp, let other = choice.candidates.first(where: { $0.form == runner }),
      let chosen
    {
      let delta = (other.bic - chosen.bic).replacingMinusSign
      text += "; runner-up \(runner.rawValue): ΔBIC \(delta)"
      if let theirs = other.backtestError, let mine = chosen.backtestError {
        text += ", backtest error \(NumberFormat.significant(100 * theirs, 2))% vs \(NumberFormat.significant(100 * mine, 2))%"
      }
      if !choice.forced { text += " — " + Self.whyLost(other, to: chosen, choice: choice) }
    }
    return text
  }

  /// Why the runner-up did not make the projections, in the order the choice applies its rules.
  static func whyLost(_ other: ModelChoice.Candidate, to chosen: ModelChoice.Candidate, choice: ModelChoice) -> String {
    if !other.converged { return "lost: its fit did not converge" }
    if choice.chosenByExtrapolation { return "lost: \(chosen.form.rawValue) extrapolated better in backtests inside the run" }
    if other.bic >= chosen.bic { return "lost on BIC" }
    if chosen.bic - other.bic < 10 { return "lost: a BIC lower by less than the 10 needed to switch" }
    if let theirs = other.backtestError, let mine = chosen.backtestError, theirs > 1.1 * mine {
      return "lost: it predicted the held-out steps worse"
    }
    return "lost: \(chosen.form.rawValue) fits as well with fewer assumptions"
  }

  /// `RMSE 0.011 · R² 0.993`
  var goodness: String {
    // R² of a flat curve is 0 up to rounding: −7.2e-13 reads as a number that means something.
    let r2 = abs(analysis.fit.r2) < 1e-6 ? 0 : analysis.fit.r2
    return "RMSE \(NumberFormat.significant(analysis.fit.rmse, 2)) · R² \(NumberFormat.significant(r2, 4))"
  }

  /// `converged (12 iterations)` or `NOT CONVERGED (...)`
  var convergence: String {
    let fit = analysis.fit
    let iterations = "\(fit.iterations) iteration\(fit.iterations == 1 ? "" : "s")"
    return fit.converged ? "converged (\(iterations))" : "NOT RELIABLE (\(iterations)): see warnings"
  }

  /// One row per line of the projection table: label, step, loss with interval, change from now.
  var projectionRows: [(label: String, step: String, loss: String, change: String)] {
    let unit = report.unit
    let now = analysis.current.map(unit.fromNats)
    var rows = [("now (fitted)", axis.number(analysis.lastStep), NumberFormat.estimate(now), "—")]
    guard withheld == nil else { return rows }
    let decimals = NumberFormat.decimalsFor(
      width: (now.ci95.map { $0.upperBound - $0.lowerBound }) ?? 0, value: now.value, digits: 3)
    for projection in analysis.projections {
      rows.append((
        "\(NumberFormat.compact(projection.factor))×",
        axis.number(projection.step),
        NumberFormat.estimate(projection.loss.map(unit.fromNats)),
        NumberFormat.signed(unit.fromNats(projection.loss.value) - now.value, decimals: decimals)
      ))
    }
    let row = { (label: String, step: Double, loss: Estimate) in
      (label, axis.number(step), NumberFormat.estimate(loss.map(unit.fromNats)),
       NumberFormat.signed(unit.fromNats(loss.value) - now.value, decimals: decimals))
    }
    for projection in analysis.forecast?.atSteps ?? [] {
      if let reason = projection.withheld {
        rows.append(("at \(axis.column)", axis.number(projection.step), "—", "not projected: " + reason))
      } else {
        rows.append(row("at \(axis.column)", projection.step, projection.loss))
      }
    }
    if let end = analysis.forecast?.plannedEnd {
      rows.append(row(end.source == .totalSteps ? "planned end" : "planned end*", end.step, end.loss))
    }
    return rows
  }

  /// Why the projections are not printed, when they are not.
  var withheld: String? { analysis.forecast?.withheld }

  /// `the fitted curve ends at 0.0216 where the log's last 8 losses have a median of 0.0114
  /// (+89%): it does not follow the end of this run`, when they are far apart.
  var endGap: String? {
    guard withheld == nil, let gap = analysis.forecast?.endGap else { return nil }
    return apart(gap, decimals: 0) + ": it does not follow the end of this run"
      + (gap.logged < gap.fitted ? "; the bands reach as far again below it" : "")
  }

  /// `the fitted curve ends at 4.32 where the log's last 50 losses have a median of 4.53 (−5%):
  /// the projections start from where the curve ends, not where the run is`, when they are
  /// apart by more than the noise and 3%, less than `endGap`'s 10%.
  var endMisfit: String? {
    guard withheld == nil, let gap = analysis.forecast?.endMisfit else { return nil }
    return apart(gap, decimals: 1) + ": the projections start from where the curve ends, not where the run is"
  }

  /// Where the fitted curve ends and where the log's last losses are, in the report's unit.
  private func apart(_ gap: EndGap, decimals: Int) -> String {
    let (fitted, logged) = (report.unit.fromNats(gap.fitted), report.unit.fromNats(gap.logged))
    let percent = 100 * (fitted / logged - 1)
    return "the fitted curve ends at \(NumberFormat.significant(fitted, 3)) where the log's last "
      + "\(gap.points) losses have a median of \(NumberFormat.significant(logged, 3)) "
      + "(\(NumberFormat.signed(percent, decimals: decimals))%)"
  }

  /// `the loss has been flat since step 22,473: the projections count on the decay of the rate
  /// still to come (57% of its peak now)`, when the annealing law projects through a plateau.
  var flatNote: String? {
    guard withheld == nil, let since = analysis.forecast?.flatSince else { return nil }
    var text = "the loss has been flat since \(axis.at(since)): the projections count on the decay "
      + "of the rate still to come"
    if let schedule = analysis.schedule?.schedule {
      text += " (\(NumberFormat.significant(100 * schedule.observed.rate(at: analysis.lastStep), 2))% of its peak now)"
    }
    return text
  }

  /// Why the bands from YOLO's mosaic closing reach below the projection (`MosaicClose`).
  var mosaicNote: String? {
    guard withheld == nil, let close = analysis.forecast?.mosaicClose else { return nil }
    return close.note(axis: axis)
  }

  /// `the loss falls faster than 1/t with no floor in sight (α 1.07): …`, when the bands are
  /// open below.
  var openBelowNote: String? {
    guard withheld == nil, let alpha = analysis.forecast?.openBelow else { return nil }
    if let memorising = analysis.forecast?.memorising {
      let held = memorising.heldOut
      return "the training loss has fallen \(NumberFormat.significant(100 * memorising.fallSince, 2))% since "
        + "\(memorising.heldOutName) was lowest (\(NumberFormat.significant(report.unit.fromNats(held.lowest), 3)) at "
        + "\(axis.at(held.lowestStep))) and is "
        + "\(NumberFormat.significant(100 * memorising.gapBelow, 2))% below it: the model is learning its training data by "
        + "heart, so this loss can fall to near zero and the bands reach down to 0"
    }
    if analysis.forecast?.openBelowEpochDrops == true, let drops = analysis.health.epochDrops {
      return "the loss falls ×\(NumberFormat.significant(drops.boundaryRatio, 2)) at each epoch boundary: each pass lowers it on "
        + "data the model has seen, so this loss can fall to near zero and the bands reach down to 0"
    }
    if let scatter = analysis.forecast?.openBelowScatter {
      return "the loss scatters by \(NumberFormat.significant(100 * scatter, 2))% of itself about the fit with no floor in sight, "
        + "as a run memorising its data does (a few examples not yet learnt carry it): it can fall to near zero, so "
        + "the bands reach down to 0"
    }
    return "the loss falls faster than 1/t with no floor in sight (α \(NumberFormat.significant(alpha, 3))), as a run "
      + "memorising its data does: it can fall to near zero, so the bands reach down to 0"
  }

  /// Why no backtest measured the error per doubling. The origins must leave the refit a span
  /// of `RollingOrigin.minimumSpan`: a fit too narrow for two of them was "too few points to
  /// backtest" whatever its points (a SmolVLM2 fine-tune fitted on 81 points from step 100 to
  /// 900, past its warm-up).
  private func noBacktest(spanShown: Bool) -> String {
    let range = annealing != nil ? analysis.annealingRange : analysis.fitRange
    guard RollingOrigin.origins(range: range, lastStep: analysis.lastStep).count < 2 else {
      return "too few points to backtest"
    }
    guard spanShown else { return "too short a fit to backtest" }
    let span = analysis.lastStep / max(range.lowerBound, 1)
    let needed = 2 * RollingOrigin.minimumSpan / RollingOrigin.spacing
    return "too short a fit to backtest (it spans \(NumberFormat.significant(span, 2))× its first step; "
      + "two backtests at this reach need \(NumberFormat.significant(needed, 2))×)"
  }

  /// What the intervals hold, and which part of them dominates.
  var intervalNote: String? {
    guard withheld == nil, let forecast = analysis.forecast, let last = analysis.projections.last else { return nil }
    let shape = forecast.shapeError
    var text = "intervals include the extrapolation error: "
    let perDoubling = NumberFormat.significant(100 * shape.perDoubling, 2)
    if shape.heldOut != nil, let test = analysis.projectingBacktest {
      text += "\(perDoubling)% per doubling of reach, from the backtest: fitted without the last "
        + "\(NumberFormat.significant(100 * test.holdoutFraction, 2))% of its \(axis.rawValue), the law missed them by "
        + "\(NumberFormat.significant(100 * test.meanRelativeError, 2))% (it does not describe this curve)"
    } else if shape.raisedToPrior {
      let backed = shape.backtestPerDoubling.map { "raised from the backtests' \(NumberFormat.significant(100 * $0, 2))% " } ?? ""
      text += "\(perDoubling)% per doubling of reach (\(backed)toward the prior's "
        + "\(NumberFormat.significant(100 * shape.priorPerDoubling, 2))%: \(shape.origins) backtests inside this run, "
        + "noisy to ±\(NumberFormat.significant(100 * shape.backtestNoise, 2))%, are too coarse to resolve less)"
    } else if let measured = shape.measured, measured * ShapeError.multiplier > shape.leastPerDoubling {
      text += "\(perDoubling)% per doubling of reach, from \(shape.origins) backtests inside this run"
    } else if shape.measured != nil {
      let floor = shape.leastPerDoubling > ShapeError.floor ? "the annealing law's floor" : "the floor"
      text += "\(perDoubling)% per doubling of reach (\(floor): \(shape.origins) backtests inside this run missed by less)"
    } else if shape.leastPerDoubling > ShapeError.floor {
      text += "\(noBacktest(spanShown: true)), the annealing law's floor \(perDoubling)% per doubling"
    } else if shape.perDoubling > ShapeError.prior {
      let prior = NumberFormat.significant(100 * ShapeError.prior, 2)
      text += "\(noBacktest(spanShown: false)), a prior \(perDoubling)% per doubling (\(prior)%, stretched: the fit spans "
        + "only \(NumberFormat.significant(shape.fitSpan, 2))× its first step)"
    } else {
      text += "\(noBacktest(spanShown: true)), a prior \(NumberFormat.significant(100 * shape.perDoubling, 2))% per doubling"
    }
    if !shape.scheduleKnown {
      let schedule = analysis.schedule?.schedule
      if schedule?.statedBy != nil {
        text += ", and below, a decay of the rate still to come (the power law projects, not the schedule the log states: see SCHEDULE)"
      } else if schedule?.declared == true {
        text += ", and below, a decay of the rate still to come (the declared schedule could not be used: see SCHEDULE)"
      } else if schedule?.decayKnown == true {
        text += ", and below, a decay of the rate still to come (the logged decay could not be projected: see SCHEDULE)"
      } else {
        text += ", and below, a decay of the rate still to come (the schedule is not known: declare it with --schedule and "
          + "--total-steps, or --schedule constant for a rate that stays where it is)"
      }
    }
    if let few = forecast.fewPoints, few.stretch95 >= 1.05 {
      text += "; stretched ×\(NumberFormat.significant(few.stretch95, 2)) for a fit of "
        + "\(NumberFormat.count(few.degreesOfFreedom)) degrees of freedom (Student's t over the normal's quantile)"
    }
    if forecast.bandHoldsPriorKept {
      text += "; the bands also hold the projections with the prior on C kept (see SCHEDULE: the log cannot rule them out)"
    }
    if forecast.bandHoldsSteeperDecay {
      text += "; the bands reach down to the decay still to come worth twice what the log measured (a decay worth "
        + "far more than real runs' has ended lower still on every such run looked at)"
    }
    if forecast.bandHoldsPowerLaw {
      text += "; the bands also hold the power law's, as the annealing fit asked for is not reliable (see SCHEDULE)"
    }
    if forecast.bandHoldsPlainPowerLaw {
      text += "; the 95% band also holds the plain power law's projection (the data chose the "
        + "\(analysis.fit.model.form.rawValue) form over it, but cannot rule it out)"
    }
    if let ceiling = forecast.ceiling,
      analysis.projections.contains(where: { $0.loss.value < ceiling && $0.loss.ci95?.upperBound == ceiling })
    {
      text += "; no band reaches above the top of the loss now, \(NumberFormat.significant(report.unit.fromNats(ceiling), 3)) "
        + "(a run that trains on does not end above where it is)"
    }
    if let noise = last.loss.ci95Noise, forecast.shapeDominates(last.loss) {
      text += "; at \(NumberFormat.compact(last.factor))× the noise alone gives "
        + "\(NumberFormat.significant(report.unit.fromNats(noise.lowerBound), 3))–\(NumberFormat.significant(report.unit.fromNats(noise.upperBound), 3))"
    } else {
      text += "; the noise dominates"
    }
    switch analysis.forecast?.plannedEnd?.source {
    case .schedule where analysis.schedule?.schedule.assumedEnd != nil:
      text += " · *planned end where the logged cosine is heading if it falls to 5% of its peak (see SCHEDULE)"
    case .schedule: text += " · *planned end from where the logged decay is heading"
    case .log: text += " · *planned end as the log records it (\(analysis.series.origin.plannedSteps?.key ?? "its length"))"
    default: break
    }
    return text
  }

  /// `ΔL −0.071 nats (−2.3%) from step 19,552 to 39,104`
  var doubling: String {
    if withheld != nil { return "not projected (see above)" }
    let change = analysis.doubling.lossChange
    let percent = 100 * change.value / analysis.current.value
    // In the report's unit: the change between the losses now and after doubling, converted
    // (exact for ppl too, where a difference of nats is not a difference of perplexities).
    let unit = report.unit
    let now = analysis.current.value
    let inUnit = { (delta: Double) in unit.fromNats(now + delta) - unit.fromNats(now) }
    var text = "ΔL \(NumberFormat.significant(inUnit(change.value), 3).replacingMinus()) \(unit.name)"
    if let interval = change.ci95 {
      text += " (95%: \(NumberFormat.significant(inUnit(interval.lowerBound), 2).replacingMinus())"
        + " to \(NumberFormat.significant(inUnit(interval.upperBound), 2).replacingMinus()))"
    }
    // A fitted loss of zero has no relative change to print.
    if percent.isFinite { text += ", \(NumberFormat.signed(percent, decimals: 1))%" }
    return text + " from \(axis.at(analysis.doubling.fromStep)) to \(axis.bare(analysis.doubling.toStep))"
  }

  /// `reached at step 74,800 (61,000–93,000)` or the unreachable sentence; nil without a target.
  var target: (label: String, text: String)? {
    guard let (loss, outcome) = analysis.target else { return nil }
    let label = "target \(NumberFormat.significant(report.unit.fromNats(loss), 4))"
    if withheld != nil {
      let logged = analysis.forecast?.targetLogged.map { "; the log reached it at \(axis.at($0))" } ?? ""
      return (label, "not projected (see above)" + logged)
    }
    switch outcome {
    case .reachable(let step):
      // A target the curve has already passed is not reached "at step <now> of this run". Under
      // the annealing law the step is the length of a run whose rate decays in full, which can
      // be shorter than this one while this run, its rate not yet decayed, is still above the
      // target: a T5 fine-tune's trainer state cut at half (1.79 now, 1.71 at its planned end)
      // read "already reached: a run of 12,968 steps … reaches it" for 1.75, which it reaches
      // at step 160,979 of 215,337. Passed is this run's fitted loss at or below the target.
      let passed = annealing == nil ? step.value <= analysis.lastStep : analysis.current.value <= loss
      // Passed before the first fitted step, the crossing is the law's guess at steps it never
      // saw ("step 0 (0–0)" for a target far above the loss).
      if passed, step.value < analysis.fitRange.lowerBound {
        return (label, "already reached: the fitted loss is below it at every fitted step "
          + "(from \(axis.bare(analysis.fitRange.lowerBound)))")
      }
      var text = annealing == nil
        ? (passed ? "already reached: the fitted curve passed it at " : "reached at ") + axis.at(step.value)
        : (passed ? "already reached: a run of " : "reached by a run of ") + axis.amount(step.value)
      if let interval = step.ci95 {
        text += " (\(axis.number(interval.lowerBound))–\(axis.number(interval.upperBound)))"
      }
      if let result = annealing { text += " under the \(result.plan.label) schedule" + (passed ? " reaches it" : "") }
      if !passed, let end = analysis.forecast?.plannedEnd {
        if analysis.forecast?.targetWithinRun != nil, annealing == nil {
          // One curve answers both: the step, its interval, and that it falls inside the run.
          text += " of \(axis.number(end.step)) in this run"
        } else if let within = analysis.forecast?.targetWithinRun {
          text = "reached at \(axis.at(within)) of \(axis.number(end.step)) in this run; " + text
        } else {
          text = "not within this run (\(axis.amount(end.step))): " + text
        }
      }
      return (label, text)
    case .unreachable(let floor) where annealing != nil:
      return (label, "unreachable: even 1,000× the \(axis.rawValue) under the \(annealing!.plan.label) schedule stay above it "
        + "(the annealing law's floor is \(NumberFormat.significant(report.unit.fromNats(floor), 4)))")
    case .unreachable(let floor):
      return (label, "unreachable: target is below the fitted floor L_min = \(NumberFormat.significant(report.unit.fromNats(floor), 4))")
    }
  }

  var warnings: [String] { analysis.fit.warnings }
}

extension String {
  /// Typographic minus for display text.
  func replacingMinus() -> String {
    hasPrefix("-") ? "−" + dropFirst() : self
  }
}

extension Double {
  /// One decimal, typographic minus: `−6.8`.
  fileprivate var replacingMinusSign: String {
    let text = String(format: "%.1f", abs(self))
    return self < 0 ? "−" + text : "+" + text
  }
}
