/// The schedule section and the wording that changes when the annealing law projects.
extension ReportContent {
  /// The annealing law's result when it makes the projections.
  var annealing: ScheduleAnalysis? { analysis.projectingSchedule }

  /// The lines under SCHEDULE: the shape, the annealing law, the choice, the bonus.
  var scheduleLines: [String] {
    guard let result = analysis.schedule else {
      return ["\(analysis.series.origin.noScheduleReason): projections assume the rate stays constant"]
    }
    var lines = [result.schedule.summary(on: axis)]
    guard let fit = result.fit else {
      if let error = result.fitError {
        lines.append("annealing law not fitted: \(error)")
      } else if result.planIgnored {
        lines.append("--schedule/--peak-lr have no effect: the logged rate does not decay, so there is no annealing term "
          + "to measure; declare the run's own schedule with --schedule and --total-steps instead")
      } else if result.schedule.declared && result.schedule.shape == .constant {
        lines.append("the rate stays where it is: the power law projects, with no decay of the rate to come")
      } else if !result.schedule.decays {
        lines.append("the rate does not decay: the power law's projections hold for this schedule")
      }
      return lines
    }
    let names = ["L0": "L0", "A": "A", "alpha": "α", "C": "C", "lambda": "λ"]
    let values = fit.model.parameters + [fit.model.lambda]
    var parameters = fit.parameterNames.indices.map { index in
      "\(names[fit.parameterNames[index]] ?? fit.parameterNames[index]) "
        + NumberFormat.withError(values[index], fit.standardErrors?[index])
    }
    if let length = result.lagRunLength, !fit.parameterNames.contains("lambda") {
      let lag = NumberFormat.significant(AnnealingLaw.lagShare * length, 2)
      let share = NumberFormat.compact(100 * AnnealingLaw.lagShare)
      let counted = analysis.series.origin.stepColumn.map { "\"\($0)\" are" } ?? "row numbers are"
      parameters.append("λ lag \(lag)\(axis == .steps ? "" : " " + axis.rawValue) = \(share)% of the run (fixed; \(counted) not optimiser steps)")
    } else if !fit.parameterNames.contains("lambda") {
      parameters.append("λ \(NumberFormat.significant(fit.model.lambda, 4)) (fixed)")
    }
    lines.append("L(s) = L0 + A·S1^-α − C·S2   " + parameters.joined(separator: "   "))
    lines.append(
      "RMSE \(NumberFormat.significant(fit.rmse, 2)) · R² \(NumberFormat.significant(fit.r2, 4)) · "
        + (fit.converged ? "converged (\(fit.iterations) iterations)" : "NOT RELIABLE: see warnings"))
    if let test = result.backtest {
      let trained = Int((100 * (1 - test.holdoutFraction)).rounded())
      lines.append(
        "backtest: fitted on the first \(trained)% of \(axis.rawValue), the rest predicted within "
          + "\(NumberFormat.significant(100 * test.meanRelativeError, 2))% "
          + "(max \(NumberFormat.significant(100 * test.maxRelativeError, 2))%)")
    }
    // A share the fit cannot tell (no standard errors) is NaN and says nothing.
    if let prior = result.prior, let z = prior.conflictZ {
      // The prior's centre is `bonusRatio` of the loss, so the ratio of `C` to it scales that share.
      let ratio = fit.model.c / prior.center
      lines.append(
        "C is measured from the log alone: its decay so far says a full decay is worth "
          + "\(NumberFormat.significant(100 * prior.bonusRatio * ratio, 2))% of the loss, "
          + "\(NumberFormat.significant(ratio, 2))× the \(NumberFormat.significant(100 * prior.bonusRatio, 2))% "
          + "of real runs (\(NumberFormat.significant(z, 2)) standard deviations above the prior), "
          + "so the prior is set aside")
    } else if let prior = result.prior, prior.dataShare < 0.9 {
      let rule = "a full decay of the rate is worth \(NumberFormat.significant(100 * prior.bonusRatio, 2))% of the loss, as on real runs"
      lines.append(prior.dataShare < 0.25
        ? "C comes from the prior (\(rule)): the log shows too little of the decay to measure it"
        : "C is measured from the decay so far together with the prior (\(rule)); "
          + "\(Int((100 * prior.dataShare).rounded()))% of its precision from the log")
    }
    if let prior = result.prior, let exponent = prior.exponent, prior.exponentDataShare < 0.5 {
      lines.append(
        "α leans on the prior (near \(NumberFormat.significant(exponent, 2)), as on real runs): "
          + "\(Int((100 * prior.exponentDataShare).rounded()))% of its precision from the log")
    }
    lines.append(result.reason)
    if let bonus = result.bonus {
      // Before the first decay the bonus is zero by construction: a row of zeros says nothing.
      if bonus.value == 0, (bonus.ci95?.upperBound ?? 0) == 0 {
        lines.append("annealing bonus so far: none (the rate has not decayed yet)")
      } else {
        lines.append(
        "annealing bonus so far: \(NumberFormat.estimate(bonus)) nats of the drop came from decaying the rate")
      }
    }
    // A law fitted with its floor at zero can cross it this far out: no negative loss is printed.
    // A plan that already holds the last rate projects this very run in PROJECTION.
    if !result.plan.holdsLastRate, let flat = result.constantRate.last, let now = result.current, flat.loss.value > 0 {
      // A declared schedule has no rates of its own, only shares of its peak.
      let share = result.schedule.observed.rate(at: analysis.lastStep)
      let rate = result.schedule.declared
        ? "\(NumberFormat.significant(100 * share, 2))% of the peak"
        : NumberFormat.scientific(result.schedule.peakRate * share)
      // Three decimals print a change under 0.0005 as "−0.000" (a loss of 0.003 held at a rate
      // of 0, 10× on: 0.003424 against 0.00349): such a change keeps two significant figures.
      let change = report.unit.fromNats(flat.loss.value) - report.unit.fromNats(now.value)
      let shown = abs(change) >= 0.0005 || change == 0
        ? NumberFormat.signed(change, decimals: 3)
        : (change < 0 ? "−" : "+") + NumberFormat.significant(abs(change), 2)
      lines.append(
        "held at the current rate (\(rate)) with no more decay: "
          + "\(NumberFormat.compact(flat.factor))× the \(axis.rawValue) gives \(NumberFormat.significant(report.unit.fromNats(flat.loss.value), 4))"
          + " (\(shown) \(report.unit.name))")
    }
    for warning in fit.warnings { lines.append("! " + warning) }
    return lines
  }

  /// What the projection rows mean.
  var projectionMeaning: String? {
    guard let result = annealing else { return nil }
    let text = "final loss of a run that long under the \(result.plan.label) schedule (annealing law)"
    guard analysis.forecast?.atSteps.contains(where: { $0.schedule == Projection.thisRun }) == true else { return text }
    return text + "; at a step before the planned end, this run's loss there"
  }
}
