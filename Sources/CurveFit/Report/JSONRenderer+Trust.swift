extension JSONRenderer {
  /// `"backtest"`, `"model_choice"` and `"bootstrap"`: how far to trust the projections.
  func trust(_ analysis: LossCurveAnalysis) -> [(String, JSONWriter.Value)] {
    // The backtest of the law that made the projections.
    let annealing = analysis.projectingSchedule
    let chosenBacktest = analysis.projectingBacktest
    let choice = analysis.modelChoice
    var candidates: [JSONWriter.Value] = choice.candidates.map { candidate in
      .object([
        ("model", .string(candidate.form.rawValue)),
        ("formula", .string(candidate.form.formula)),
        ("aic", .number(candidate.aic)),
        ("bic", .number(candidate.bic)),
        ("backtest_mean_rel_error", candidate.backtestError.map { .number($0) } ?? .null),
        ("converged", .bool(candidate.converged)),
        ("rolling_origin_log_error_spread", candidate.rollingError.map { .number($0) } ?? .null),
        ("rolling_origin_log_errors", .array(candidate.rollingErrors.map { .number($0) })),
      ])
    }
    if let result = analysis.schedule, let fit = result.fit {
      candidates.append(.object([
        ("model", .string("annealing")),
        ("formula", .string(AnnealingLaw.formula)),
        ("aic", .null),
        ("bic", .null),
        ("backtest_mean_rel_error", result.backtest.map { .number($0.meanRelativeError) } ?? .null),
        ("converged", .bool(fit.converged)),
      ]))
    }
    let runnerName = annealing == nil ? choice.runnerUp?.rawValue : choice.chosen.rawValue
    let runnerUp: JSONWriter.Value = runnerName.map { .string($0) } ?? .null
    return [
      ("backtest", chosenBacktest.map(backtest) ?? .null),
      ("model_choice", .object([
        ("chosen", .string(annealing == nil ? choice.chosen.rawValue : "annealing")),
        ("runner_up", runnerUp),
        ("forced", .bool(annealing?.forced ?? choice.forced)),
        ("candidates", .array(candidates)),
      ])),
      ("bootstrap", .object([
        ("method", .string("moving-block residual bootstrap")),
        ("resamples", .integer(analysis.bootstrap.resamples)),
        ("used", .integer(analysis.bootstrap.used)),
        ("seed", .integer(Int(truncatingIfNeeded: analysis.bootstrap.seed))),
      ])),
    ]
  }
}
