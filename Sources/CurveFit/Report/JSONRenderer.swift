/// The report as JSON for scripts: the keys of the public contract, snake_case, in fixed order.
///
/// The contract (docs/json.md) only grows: new keys are added, none are renamed or removed.
public struct JSONRenderer: ReportRenderer {
  public init() {}

  public func render(_ report: Report) -> String {
    JSONWriter.render(.object(members(report)))
  }

  func members(_ report: Report) -> [(String, JSONWriter.Value)] {
    let analysis = report.analysis
    var members: [(String, JSONWriter.Value)] = [("input", input(analysis.series, smoothed: analysis.smoothed))]
    members += health(analysis)
    let annealing = analysis.projectingAnnealing
    let withheld = analysis.forecast?.withheld
    members += [
      ("fit", annealing.map { annealingFit($0.1, $0.0, analysis) } ?? fit(analysis)),
      ("current", .object([
        ("step", .number(analysis.lastStep)), ("loss", .number(analysis.current.value)),
      ] + intervals(analysis.current) + inUnits(analysis.current, unit: report.unit))),
      ("projections", .array(analysis.projections.map { projection($0, unit: report.unit, withheld: withheld) })),
      ("doubling", doubling(analysis.doubling, withheld: withheld)),
    ]
    if let target = analysis.target {
      var object = self.target(target.loss, withheld == nil ? target.outcome : nil, forecast: analysis.forecast)
      // This run's fitted loss now at or below the target. Under the annealing law "step" is
      // the length of a run whose rate decays in full, which can be shorter than this run while
      // this run is still above the target; "step" alone cannot say which.
      if withheld == nil, case .object(let members) = object {
        object = .object(members + [("reached_now", .bool(analysis.current.value <= target.loss))])
      }
      if report.unit != .nats, case .object(let members) = object {
        object = .object(members + [("loss_in_units", .number(report.unit.fromNats(target.loss)))])
      }
      members.append(("target", object))
    }
    if let forecast = analysis.forecast {
      members += self.forecast(forecast, unit: report.unit)
    }
    members += trust(analysis)
    members.append(("schedule", schedule(analysis, unit: report.unit)))
    members.append(("units", .string(report.unit.name)))
    members.append(("reproducibility", .object(Reproducibility(report: report).members)))
    members.append(
      ("tool", .object([("name", .string("curvefit")), ("version", .string(report.toolVersion))])))
    return members
  }

  func input(_ series: LossSeries, smoothed: LossSeries?) -> JSONWriter.Value {
    let origin = series.origin
    return .object([
      ("source", .string(origin.source)),
      ("format", .string(origin.format)),
      ("rows", .integer(series.count)),
      ("step_column", origin.stepColumn.map { .string($0) } ?? .null),
      ("step_unit", .string(origin.axis.rawValue)),
      ("loss_column", .string(origin.lossColumn)),
      ("first_step", .number(series.steps.first ?? 0)),
      ("last_step", .number(series.steps.last ?? 0)),
      ("rows_without_loss", .integer(origin.rowsWithoutLoss)),
      ("non_finite_losses", .integer(series.nonFiniteCount)),
      ("restarts", .integer(origin.restarts)),
      ("rows_averaged", .integer(origin.rowsAveraged)),
      ("lr_column", origin.learningRateColumn.map { .string($0) } ?? .null),
      ("grad_norm_column", origin.gradNormColumn.map { .string($0) } ?? .null),
      ("planned_steps", origin.plannedSteps.map { .object([("steps", .number($0.steps)), ("key", .string($0.key))]) } ?? .null),
      ("columns", .array(origin.columns.prefix(200).map { .string($0) })),
      ("notes", .array((origin.notes + (smoothed?.origin.notes.filter { !origin.notes.contains($0) } ?? [])).map { .string($0) })),
    ])
  }

  private func fit(_ analysis: LossCurveAnalysis) -> JSONWriter.Value {
    let fit = analysis.fit
    let model = fit.model
    // L_min, C and alpha are always present (L_min is 0 in the pure form); t0 only when shifted.
    let names = ["L_min", "C", "alpha"] + (model.form == .shifted ? ["t0"] : [])
    var members: [(String, JSONWriter.Value)] = [
      ("model", .string(model.form.formula)),
      ("L_min", .number(model.lMin)),
      ("C", .number(model.c)),
      ("alpha", .number(model.alpha)),
    ]
    if model.form == .shifted { members.append(("t0", .number(model.t0))) }
    return .object(members + fitMembers(
      fit, errorNames: names, intervalNames: names, intervals: analysis.parameterIntervals,
      analysis: analysis, fromStep: analysis.fitRange.lowerBound)
      + [("from_step_reason", .string(analysis.fitStart.rawValue))]
      + (analysis.lossDrop.map { drop in
        [("loss_drop", .object([
          ("step", .number(drop.step)), ("before", .number(drop.before)), ("after", .number(drop.after)),
          ("ratio", .number(drop.ratio)),
        ]))]
      } ?? []))
  }

  /// What every `"fit"` object carries after its parameters: standard errors, bootstrap
  /// intervals, goodness of fit, solver diagnostics, the points used and the warnings.
  func fitMembers<Model>(
    _ fit: FitResult<Model>, errorNames: [String], intervalNames: [String],
    intervals: [String: (ci80: ClosedRange<Double>, ci95: ClosedRange<Double>)],
    analysis: LossCurveAnalysis, fromStep: Double
  ) -> [(String, JSONWriter.Value)] {
    let stderr: [(String, JSONWriter.Value)] = errorNames.map { name in
      guard let index = fit.parameterNames.firstIndex(of: name), let errors = fit.standardErrors
      else { return (name, .null) }
      return (name, .number(errors[index]))
    }
    let levels = { (level: Int) -> JSONWriter.Value in
      .object(intervalNames.map { name in
        let pair = intervals[name]
        return (name, self.interval(level == 95 ? pair?.ci95 : pair?.ci80))
      })
    }
    return [
      ("stderr", .object(stderr)),
      ("ci95", levels(95)),
      ("ci80", levels(80)),
      ("rmse", .number(fit.rmse)),
      ("r2", .number(fit.r2)),
      ("iterations", .integer(fit.iterations)),
      ("converged", .bool(fit.converged)),
      ("termination", .string(fit.termination.rawValue)),
      ("condition_number", .number(fit.conditionNumber)),
      ("parameters_at_bound", .array(fit.parametersAtBound.map { .string($0) })),
      ("from_step", .number(fromStep)),
      ("to_step", .number(analysis.fitRange.upperBound)),
      ("points_used", .integer(fit.pointsUsed)),
      ("points_fitted", .integer(fit.fittedPoints)),
      ("points_left_out", .object([
        ("spikes", .integer(analysis.leftOut.spikes)),
        ("divergence", .integer(analysis.leftOut.divergence)),
      ])),
      ("warnings", .array(fit.warnings.map { .string($0) })),
    ]
  }

  /// `"ci95"`, `"ci80"` and `"ci95_delta"` of an estimate.
  func intervals(_ estimate: Estimate) -> [(String, JSONWriter.Value)] {
    [
      ("ci95", interval(estimate.ci95)), ("ci80", interval(estimate.ci80)),
      ("ci95_delta", interval(estimate.ci95Delta)),
      ("ci95_noise", interval(estimate.ci95Noise ?? estimate.ci95)),
      ("ci80_noise", interval(estimate.ci80Noise ?? estimate.ci80)),
    ]
  }

  /// A projection row; with `withheld`, its numbers are `null` and `"withheld"` says why.
  func projection(_ projection: Projection, unit: LossUnit, withheld: String? = nil) -> JSONWriter.Value {
    if let withheld {
      return .object([
        ("factor", .number(projection.factor)), ("step", .number(projection.step)), ("loss", .null),
        ("ci95", .null), ("ci80", .null), ("ci95_delta", .null), ("ci95_noise", .null), ("ci80_noise", .null),
        ("withheld", .string(withheld)),
      ])
    }
    var members: [(String, JSONWriter.Value)] = [
      ("factor", .number(projection.factor)),
      ("step", .number(projection.step)),
      ("loss", .number(projection.loss.value)),
    ] + intervals(projection.loss)
    if unit != .nats {
      let converted = projection.loss.map(unit.fromNats)
      members += [("loss_in_units", .number(converted.value)), ("ci95_in_units", interval(converted.ci95))]
    }
    if let schedule = projection.schedule { members.append(("schedule", .string(schedule))) }
    return .object(members)
  }

  private func doubling(_ doubling: DoublingEffect, withheld: String?) -> JSONWriter.Value {
    guard let withheld else {
      return .object([
        ("from_step", .number(doubling.fromStep)),
        ("to_step", .number(doubling.toStep)),
        ("loss_change", .number(doubling.lossChange.value)),
      ] + intervals(doubling.lossChange))
    }
    return .object([
      ("from_step", .number(doubling.fromStep)), ("to_step", .number(doubling.toStep)), ("loss_change", .null),
      ("ci95", .null), ("ci80", .null), ("withheld", .string(withheld)),
    ])
  }

  /// `outcome` is `nil` when the projections are withheld: the step is then `null`.
  private func target(_ loss: Double, _ outcome: TargetOutcome?, forecast: Forecast?) -> JSONWriter.Value {
    var members: [(String, JSONWriter.Value)]
    switch outcome {
    case nil:
      return .object([
        ("loss", .number(loss)), ("step", .null), ("reachable", .null), ("ci95", .null),
        ("withheld", .string(forecast?.withheld ?? "")),
        // The first logged step whose losses reached the target (`Forecast.targetLogged`).
        ("logged_step", forecast?.targetLogged.map { .number($0) } ?? .null),
      ])
    case .reachable(let step):
      members = [
        ("loss", .number(loss)), ("step", .number(step.value)), ("reachable", .bool(true)),
      ] + intervals(step)
    case .unreachable(let floor):
      members = [
        ("loss", .number(loss)), ("step", .null), ("reachable", .bool(false)),
        ("ci95", .null), ("floor", .number(floor)),
      ]
    }
    if let end = forecast?.plannedEnd {
      members.append(("within_planned_run", .bool(forecast?.targetWithinRun != nil)))
      members.append(("step_in_planned_run", forecast?.targetWithinRun.map { .number($0) } ?? .null))
      members.append(("planned_end_step", .number(end.step)))
    }
    return .object(members)
  }

  /// `"planned_end"`, `"at_steps"` and `"forecast"`: the rows beyond 2×/5×/10× and how the
  /// intervals were calibrated.
  private func forecast(_ forecast: Forecast, unit: LossUnit) -> [(String, JSONWriter.Value)] {
    let shape = forecast.shapeError
    var members: [(String, JSONWriter.Value)] = []
    let withheld = forecast.withheld
    members.append(("planned_end", forecast.plannedEnd.map { end in
      guard withheld == nil else {
        return .object([
          ("step", .number(end.step)), ("loss", .null), ("ci95", .null), ("ci80", .null),
          ("source", .string(end.source.rawValue)), ("withheld", .string(withheld ?? "")),
        ])
      }
      return .object([
        ("step", .number(end.step)), ("loss", .number(end.loss.value)),
      ] + intervals(end.loss) + [("source", .string(end.source.rawValue))])
    } ?? .null))
    members.append(("at_steps", .array(forecast.atSteps.map { projection($0, unit: unit, withheld: withheld ?? $0.withheld) })))
    members.append(("forecast", .object([
      ("law", .string(forecast.law.rawValue)),
      ("interval_method", .string("noise (bootstrap) combined with the extrapolation error per doubling of reach, from rolling-origin backtests inside the run")),
      ("rolling_origin_log_error_spread", shape.measured.map { .number($0) } ?? .null),
      ("rolling_origins", .integer(shape.origins)),
      ("rolling_origin_misses", .array(shape.misses.map { miss in
        .object([("log_error", .number(miss.error)), ("noise_variance", .number(miss.noiseVariance))])
      })),
      ("error_per_doubling", .number(shape.perDoubling)),
      ("error_per_doubling_floor", .number(shape.leastPerDoubling)),
      ("error_per_doubling_prior", .number(shape.priorPerDoubling)),
      ("rolling_origin_noise", .number(shape.backtestNoise)),
      ("error_per_doubling_raised_to_prior", .bool(shape.raisedToPrior)),
      ("held_out_error_per_doubling", shape.heldOut.map { .number($0) } ?? .null),
      ("schedule_known", .bool(shape.scheduleKnown)),
      ("unknown_schedule_downside_per_doubling", .number(shape.unknownScheduleDown)),
      ("band_holds_plain_power_law", .bool(forecast.bandHoldsPlainPowerLaw)),
      ("band_holds_prior_kept", .bool(forecast.bandHoldsPriorKept)),
      ("band_holds_steeper_decay", .bool(forecast.bandHoldsSteeperDecay)),
      ("band_holds_power_law", .bool(forecast.bandHoldsPowerLaw)),
      ("few_points", forecast.fewPoints.map { few in
        .object([
          ("degrees_of_freedom", .number(few.degreesOfFreedom)), ("stretch95", .number(few.stretch95)),
          ("stretch80", .number(few.stretch80)),
        ])
      } ?? .null),
      ("band_ceiling", forecast.ceiling.map { .number($0) } ?? .null),
      ("mosaic_close", forecast.mosaicClose.map { close in
        .object([("epoch", .number(close.epoch)), ("planned_end", .number(close.plannedEnd))])
      } ?? .null),
      ("end_gap", forecast.endGap.map { gap in
        .object([("fitted", .number(gap.fitted)), ("logged", .number(gap.logged)), ("points", .integer(gap.points))])
      } ?? .null),
      ("end_misfit", forecast.endMisfit.map { gap in
        .object([("fitted", .number(gap.fitted)), ("logged", .number(gap.logged)), ("points", .integer(gap.points))])
      } ?? .null),
      ("withheld", withheld.map { .string($0) } ?? .null),
      ("flat_since", forecast.flatSince.map { .number($0) } ?? .null),
      ("open_below", .bool(forecast.openBelow != nil)),
      ("open_below_reason", forecast.openBelow == nil ? .null : .string(openBelowReason(forecast))),
      ("memorising", forecast.memorising.map { found in
        .object([
          ("held_out", .string(found.heldOutName)), ("held_out_lowest_step", .number(found.heldOut.lowestStep)),
          ("held_out_lowest", .number(found.heldOut.lowest)), ("evaluations_since", .integer(found.heldOut.evaluationsSince)),
          ("fall_since", .number(found.fallSince)), ("gap_below", .number(found.gapBelow)),
        ])
      } ?? .null),
    ])))
    return members
  }

  func openBelowReason(_ forecast: Forecast) -> String {
    if forecast.memorising != nil { return "memorising" }
    if forecast.openBelowEpochDrops { return "epoch_drops" }
    return forecast.openBelowScatter == nil ? "steep" : "scatter"
  }

  /// `"loss_in_units"` and `"ci95_in_units"` when the report's unit is not nats.
  func inUnits(_ estimate: Estimate, unit: LossUnit) -> [(String, JSONWriter.Value)] {
    guard unit != .nats else { return [] }
    let converted = estimate.map(unit.fromNats)
    return [("loss_in_units", .number(converted.value)), ("ci95_in_units", interval(converted.ci95))]
  }

  func interval(_ range: ClosedRange<Double>?) -> JSONWriter.Value {
    guard let range else { return .null }
    return .array([.number(range.lowerBound), .number(range.upperBound)])
  }
}
