extension JSONRenderer {
  /// `"backtest"`, `"model_choice"` and `"bootstrap"`: how far to trust the projections.
  func trust(_ analysis: LossCurveAnalysis) -> [(String, JSONWriter.Value)] {
    let backtest: JSONWriter.Value = analysis.backtest.map { test in
      .object([
        ("holdout_fraction", .number(test.holdoutFraction)),
        ("split_step", .number(test.splitStep)),
        ("mean_rel_error", .number(test.meanRelativeError)),
        ("max_rel_error", .number(test.maxRelativeError)),
        ("coverage95", .number(test.coverage95)),
        ("held_out_points", .integer(test.heldOutPoints)),
        ("chunks", .integer(test.chunks)),
      ])
    } ?? .null
    let choice = analysis.modelChoice
    let candidates: [JSONWriter.Value] = choice.candidates.map { candidate in
      .object([
        ("model", .string(candidate.form.rawValue)),
        ("formula", .string(candidate.form.formula)),
        ("aic", .number(candidate.aic)),
        ("bic", .number(candidate.bic)),
        ("backtest_mean_rel_error", candidate.backtestError.map { .number($0) } ?? .null),
        ("converged", .bool(candidate.converged)),
      ])
    }
    return [
      ("backtest", backtest),
      ("model_choice", .object([
        ("chosen", .string(choice.chosen.rawValue)),
        ("runner_up", choice.runnerUp.map { .string($0.rawValue) } ?? .null),
        ("forced", .bool(choice.forced)),
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
