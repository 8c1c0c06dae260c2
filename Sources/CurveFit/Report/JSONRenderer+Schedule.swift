extension JSONRenderer {
  /// `"schedule"`: the learning-rate schedule, the annealing law and what it projects.
  ///
  /// Always present; without a learning-rate column, or with one that holds no positive rate,
  /// `shape` is null and `note` says that the projections assume a constant rate.
  func schedule(_ analysis: LossCurveAnalysis, unit: LossUnit) -> JSONWriter.Value {
    guard let result = analysis.schedule else {
      return .object([
        ("shape", .null), ("warmup_steps", .null), ("peak_lr", .null), ("final_lr", .null),
        ("lr_column", analysis.series.origin.learningRateColumn.map { .string($0) } ?? .null), ("annealing", .null),
        ("chosen", .bool(false)),
        ("note", .string("\(analysis.series.origin.noScheduleReason): projections assume a constant schedule")),
      ])
    }
    let schedule = result.schedule
    let column: JSONWriter.Value = analysis.series.origin.learningRateColumn.map { .string($0) } ?? .null
    let cooldown: JSONWriter.Value = schedule.cooldownStart.map { .number($0) } ?? .null
    let fit: JSONWriter.Value = result.fit.map { annealingFit($0, result, analysis) } ?? .null
    let error: JSONWriter.Value = result.fitError.map { .string($0) } ?? .null
    let test: JSONWriter.Value = result.backtest.map(backtest) ?? .null
    var bonus = JSONWriter.Value.null
    if let estimate = result.bonus { bonus = .object([("loss", .number(estimate.value))] + intervals(estimate)) }
    var members: [(String, JSONWriter.Value)] = [
      ("shape", .string(schedule.shape.rawValue)),
      ("warmup_steps", .number(schedule.warmupSteps)),
      ("peak_lr", .number(schedule.peakRate)),
      ("final_lr", .number(schedule.finalRate)),
      ("lr_column", column),
      ("floor_ratio", .number(schedule.floorRatio)),
      ("planned_end_step", .number(schedule.plannedEnd)),
      ("planned_end_assumed", schedule.assumedEnd.map { assumed in
        .object([
          ("floor_ratio", .number(LearningRateSchedule.AssumedEnd.floor)),
          ("end_for_floor_0", .number(assumed.ends.upperBound)),
          ("end_for_floor_0_1", .number(assumed.ends.lowerBound)),
        ])
      } ?? .null),
      ("cooldown_start_step", cooldown),
      ("timescale", schedule.timescale.map { .number($0) } ?? .null),
      ("decays", .bool(schedule.decays)),
      ("declared", .bool(schedule.declared)),
      // Declared by the log in words (nanoGPT's printed config) rather than by flags.
      ("stated_in_log", schedule.statedBy.map { .string($0) } ?? .null),
      ("projection_schedule", .string(result.plan.label)),
    ]
    members += [
      ("annealing", fit),
      ("annealing_error", error),
      ("chosen", .bool(result.chosen)),
      ("reason", .string(result.reason)),
      ("plan_ignored", .bool(result.planIgnored)),
      ("loss_ignores_rate", .bool(result.lossIgnoresRate)),
      ("backtest", test),
      ("annealing_bonus", bonus),
      ("stretched", .array(result.projections.map { projection($0, unit: unit, withheld: $0.withheld) })),
      ("constant_lr", .array(result.constantRate.map { projection($0, unit: unit, withheld: $0.withheld) })),
    ]
    return .object(members)
  }

  /// The annealing law in the shape of `"fit"`: model, parameters, stderr, intervals, goodness.
  func annealingFit(_ fit: AnnealingFit, _ result: ScheduleAnalysis, _ analysis: LossCurveAnalysis) -> JSONWriter.Value {
    let model = fit.model
    return .object([
      ("model", .string(AnnealingLaw.formula)),
      ("L0", .number(model.l0)),
      ("A", .number(model.a)),
      ("alpha", .number(model.alpha)),
      ("C", .number(model.c)),
      ("lambda", .number(model.lambda)),
      ("lambda_fitted", .bool(fit.parameterNames.contains("lambda"))),
      ("lambda_lag_steps", result.lagRunLength.map { .number(AnnealingLaw.lagShare * $0) } ?? .null),
      ("lr_units", .string("fraction of peak lr; S1 and S2 in steps at peak lr")),
      ("prior", result.prior.map { prior in
        .object([
          ("bonus_ratio", .number(prior.bonusRatio)), ("spread", .number(prior.spread)),
          ("C_center", .number(prior.center)), ("data_share", .number(prior.dataShare)),
          ("alpha_center", prior.exponent.map(JSONWriter.Value.number) ?? .null),
          ("alpha_spread", prior.exponentSpread.map(JSONWriter.Value.number) ?? .null),
          ("alpha_data_share", prior.exponent == nil ? .null : .number(prior.exponentDataShare)),
          ("set_aside", .bool(prior.conflictZ != nil)),
          ("conflict_z", prior.conflictZ.map(JSONWriter.Value.number) ?? .null),
        ])
      } ?? .null),
    ] + fitMembers(
      fit, errorNames: AnnealingLaw.parameterNames + ["lambda"],
      intervalNames: AnnealingLaw.parameterNames + (fit.parameterNames.contains("lambda") ? ["lambda"] : []),
      intervals: result.parameterIntervals, analysis: analysis,
      fromStep: max(analysis.annealingRange.lowerBound, result.schedule.warmupSteps)))
  }

  func backtest(_ test: Backtest) -> JSONWriter.Value {
    .object([
      ("holdout_fraction", .number(test.holdoutFraction)),
      ("split_step", .number(test.splitStep)),
      ("mean_rel_error", .number(test.meanRelativeError)),
      ("max_rel_error", .number(test.maxRelativeError)),
      ("coverage95", .number(test.coverage95)),
      ("held_out_points", .integer(test.heldOutPoints)),
      ("chunks", .integer(test.chunks)),
      ("chunk_noise", .number(test.chunkNoise)),
    ])
  }
}
