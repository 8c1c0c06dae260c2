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
    var members: [(String, JSONWriter.Value)] = [("input", input(analysis))]
    members += health(analysis)
    members += [
      ("fit", fit(analysis)),
      ("projections", .array(analysis.projections.map(projection))),
      ("doubling", doubling(analysis.doubling)),
    ]
    if let target = analysis.target {
      members.append(("target", self.target(target.loss, target.outcome)))
    }
    members.append(
      ("tool", .object([("name", .string("curvefit")), ("version", .string(report.toolVersion))])))
    return members
  }

  private func input(_ analysis: LossCurveAnalysis) -> JSONWriter.Value {
    let series = analysis.series
    let origin = series.origin
    return .object([
      ("source", .string(origin.source)),
      ("format", .string(origin.format)),
      ("rows", .integer(series.count)),
      ("step_column", origin.stepColumn.map { .string($0) } ?? .null),
      ("loss_column", .string(origin.lossColumn)),
      ("first_step", .number(series.steps.first ?? 0)),
      ("last_step", .number(series.steps.last ?? 0)),
      ("rows_without_loss", .integer(origin.rowsWithoutLoss)),
      ("non_finite_losses", .integer(series.nonFiniteCount)),
      ("restarts", .integer(origin.restarts)),
    ])
  }

  private func fit(_ analysis: LossCurveAnalysis) -> JSONWriter.Value {
    let fit = analysis.fit
    let model = fit.model
    let errors: [JSONWriter.Value] = fit.standardErrors.map { $0.map { .number($0) } }
      ?? [.null, .null, .null]
    return .object([
      ("model", .string("L_min + C*t^-alpha")),
      ("L_min", .number(model.lMin)),
      ("C", .number(model.c)),
      ("alpha", .number(model.alpha)),
      ("stderr", .object(zip(fit.parameterNames, errors).map { ($0, $1) })),
      ("rmse", .number(fit.rmse)),
      ("r2", .number(fit.r2)),
      ("iterations", .integer(fit.iterations)),
      ("converged", .bool(fit.converged)),
      ("termination", .string(fit.termination.rawValue)),
      ("condition_number", .number(fit.conditionNumber)),
      ("parameters_at_bound", .array(fit.parametersAtBound.map { .string($0) })),
      ("from_step", .number(analysis.fitRange.lowerBound)),
      ("to_step", .number(analysis.fitRange.upperBound)),
      ("points_used", .integer(fit.pointsUsed)),
      ("points_fitted", .integer(fit.fittedPoints)),
      ("points_left_out", .object([
        ("spikes", .integer(analysis.leftOut.spikes)),
        ("divergence", .integer(analysis.leftOut.divergence)),
      ])),
      ("warnings", .array(fit.warnings.map { .string($0) })),
    ])
  }

  private func projection(_ projection: Projection) -> JSONWriter.Value {
    .object([
      ("factor", .number(projection.factor)),
      ("step", .number(projection.step)),
      ("loss", .number(projection.loss.value)),
      ("ci95", interval(projection.loss.ci95)),
    ])
  }

  private func doubling(_ doubling: DoublingEffect) -> JSONWriter.Value {
    .object([
      ("from_step", .number(doubling.fromStep)),
      ("to_step", .number(doubling.toStep)),
      ("loss_change", .number(doubling.lossChange.value)),
      ("ci95", interval(doubling.lossChange.ci95)),
    ])
  }

  private func target(_ loss: Double, _ outcome: TargetOutcome) -> JSONWriter.Value {
    switch outcome {
    case .reachable(let step):
      .object([
        ("loss", .number(loss)), ("step", .number(step.value)), ("reachable", .bool(true)),
        ("ci95", interval(step.ci95)),
      ])
    case .unreachable(let floor):
      .object([
        ("loss", .number(loss)), ("step", .null), ("reachable", .bool(false)),
        ("ci95", .null), ("floor", .number(floor)),
      ])
    }
  }

  private func interval(_ range: ClosedRange<Double>?) -> JSONWriter.Value {
    guard let range else { return .null }
    return .array([.number(range.lowerBound), .number(range.upperBound)])
  }
}
