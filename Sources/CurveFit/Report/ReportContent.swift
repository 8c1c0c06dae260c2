/// The formatted pieces text and Markdown share, so both say the same thing in the same words.
struct ReportContent {
  let report: Report
  var analysis: LossCurveAnalysis { report.analysis }

  /// `examples/run.csv (csv) · 19,552 points · steps 1–19,552 · loss column "loss"`
  var sourceLine: String {
    let series = analysis.series
    let origin = series.origin
    let stepName = origin.stepColumn.map { "\"\($0)\"" } ?? "row number"
    var parts = [
      "\(origin.source) (\(origin.format))",
      "\(NumberFormat.count(Double(series.count))) points",
      "steps \(NumberFormat.count(series.steps.first ?? 0))–\(NumberFormat.count(series.steps.last ?? 0))",
      "loss \"\(origin.lossColumn)\" by \(stepName)",
    ]
    if origin.restarts > 0 {
      parts.append("\(origin.restarts) restart\(origin.restarts == 1 ? "" : "s") merged")
    }
    return parts.joined(separator: " · ")
  }

  /// `on steps 196–19,552 (19,357 points)`
  var fitScope: String {
    let fit = analysis.fit
    let range = analysis.fitRange
    var scope = "on steps \(NumberFormat.count(range.lowerBound))–\(NumberFormat.count(range.upperBound))"
      + " (\(NumberFormat.count(Double(fit.pointsUsed))) points"
    if fit.fittedPoints < fit.pointsUsed {
      scope += " in \(NumberFormat.count(Double(fit.fittedPoints))) log-spaced bins"
    }
    return scope + ")"
  }

  /// `[("L_min", "2.71 ± 0.04"), ...]`
  var parameters: [(name: String, value: String)] {
    let fit = analysis.fit
    let model = fit.model
    let values = [model.lMin, model.c, model.alpha]
    let symbols = ["L_min", "C", "α"]
    return (0..<3).map { (symbols[$0], NumberFormat.withError(values[$0], fit.standardErrors?[$0])) }
  }

  /// `RMSE 0.011 · R² 0.993`
  var goodness: String {
    "RMSE \(NumberFormat.significant(analysis.fit.rmse, 2)) · R² \(NumberFormat.significant(analysis.fit.r2, 4))"
  }

  /// `converged (12 iterations)` or `NOT CONVERGED (...)`
  var convergence: String {
    let fit = analysis.fit
    let iterations = "\(fit.iterations) iteration\(fit.iterations == 1 ? "" : "s")"
    return fit.converged ? "converged (\(iterations))" : "NOT RELIABLE (\(iterations)): see warnings"
  }

  /// One row per line of the projection table: label, step, loss with interval, change from now.
  var projectionRows: [(label: String, step: String, loss: String, change: String)] {
    let now = analysis.current
    var rows = [("now (fitted)", NumberFormat.count(analysis.lastStep), NumberFormat.estimate(now), "—")]
    let decimals = NumberFormat.decimalsFor(
      width: (now.ci95.map { $0.upperBound - $0.lowerBound }) ?? 0, value: now.value, digits: 3)
    for projection in analysis.projections {
      rows.append((
        "\(NumberFormat.compact(projection.factor))×",
        NumberFormat.count(projection.step),
        NumberFormat.estimate(projection.loss),
        NumberFormat.signed(projection.loss.value - now.value, decimals: decimals)
      ))
    }
    return rows
  }

  /// `ΔL −0.071 nats (−2.3%) from step 19,552 to 39,104`
  var doubling: String {
    let change = analysis.doubling.lossChange
    let percent = 100 * change.value / analysis.current.value
    var text = "ΔL \(NumberFormat.significant(change.value, 3).replacingMinus()) nats"
    if let interval = change.ci95 {
      text += " (95%: \(NumberFormat.significant(interval.lowerBound, 2).replacingMinus())"
        + " to \(NumberFormat.significant(interval.upperBound, 2).replacingMinus()))"
    }
    return text + ", \(NumberFormat.signed(percent, decimals: 1))% from step "
      + "\(NumberFormat.count(analysis.doubling.fromStep)) to \(NumberFormat.count(analysis.doubling.toStep))"
  }

  /// `reached at step 74,800 (61,000–93,000)` or the unreachable sentence; nil without a target.
  var target: (label: String, text: String)? {
    guard let (loss, outcome) = analysis.target else { return nil }
    let label = "target \(NumberFormat.significant(loss, 4))"
    switch outcome {
    case .reachable(let step):
      var text = "reached at step \(NumberFormat.count(step.value))"
      if let interval = step.ci95 {
        text += " (\(NumberFormat.count(interval.lowerBound))–\(NumberFormat.count(interval.upperBound)))"
      }
      if step.value <= analysis.lastStep { text += ", already passed by the fitted curve" }
      return (label, text)
    case .unreachable(let floor):
      return (label, "unreachable: target is below the fitted floor L_min = \(NumberFormat.significant(floor, 4))")
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
