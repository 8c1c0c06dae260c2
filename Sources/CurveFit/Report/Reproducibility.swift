/// What a reader needs to redo a report: the checklist the "(Mis)Fitting" survey of scaling-law
/// papers found most papers leave out — input and its hash, rows used and left out, model form,
/// loss function, starting grid, seed, bootstrap count, tool version.
struct Reproducibility {
  let report: Report

  var members: [(String, JSONWriter.Value)] {
    let analysis = report.analysis
    let origin = analysis.series.origin
    let fit = analysis.fit
    let annealing = analysis.projectingAnnealing?.fit
    var members: [(String, JSONWriter.Value)] = [
      ("input", .string(origin.source)),
      ("sha256", (report.inputSHA256 ?? origin.sha256).map { .string($0) } ?? .null),
      ("rows_read", .integer(origin.rowsRead)),
      ("points_in_fit", .integer(annealing?.pointsUsed ?? fit.pointsUsed)),
      ("points_left_out", .integer(analysis.leftOut.spikes + analysis.leftOut.divergence)),
    ]
    if let annealing {
      let lambda = annealing.parameterNames.contains("lambda") ? "fitted" : "fixed at \(annealing.model.lambda)"
      members += [
        ("model", .string(AnnealingLaw.formula)),
        ("loss_function", .string("Huber (k = 1.345 robust scales) on log losses; lambda \(lambda)")),
        ("binning", .string(
          annealing.fittedPoints < annealing.pointsUsed
            ? "\(annealing.fittedPoints) bins of equal width in steps, means weighted by count" : "none")),
        ("start", .string("variable projection over 48 alpha values log-spaced in 0.02-4")),
      ]
    } else {
      members += [
        ("model", .string(fit.model.form.formula)),
        ("loss_function", .string("least squares on losses in nats")),
        ("binning", .string(
          fit.fittedPoints < fit.pointsUsed
            ? "\(fit.fittedPoints) log-spaced bin means weighted by count" : "none")),
        ("start", .string("variable projection over 60 alpha values log-spaced in 0.005-5")),
      ]
    }
    return members + [
      ("solver", .string("Levenberg-Marquardt, QR steps by LAPACK dgels")),
      ("bootstrap_resamples", .integer(analysis.bootstrap.resamples)),
      ("seed", .integer(Int(truncatingIfNeeded: analysis.bootstrap.seed))),
      ("holdout", .number(analysis.backtest?.holdoutFraction ?? 0)),
      ("lr_column", origin.learningRateColumn.map { .string($0) } ?? .null),
      ("tool_version", .string(report.toolVersion)),
      ("command", report.commandLine.map { .string($0.joined(separator: " ")) } ?? .null),
    ]
  }

  /// `curvefit 0.1.0 · sha256 3f2a…9c1e · seed 0 · 500 bootstrap resamples · 12 points left out`
  var line: String {
    let analysis = report.analysis
    let hash = (report.inputSHA256 ?? analysis.series.origin.sha256).map { "sha256 \($0.prefix(12))…" } ?? "no hash"
    return "curvefit \(report.toolVersion) · \(hash) · seed \(analysis.bootstrap.seed) · "
      + "\(analysis.bootstrap.resamples) bootstrap resamples · "
      + "\(analysis.leftOut.spikes + analysis.leftOut.divergence) points left out"
  }
}
