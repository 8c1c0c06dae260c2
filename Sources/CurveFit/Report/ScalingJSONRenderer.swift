/// The scaling report as JSON: the keys of the public contract (docs/json.md), in fixed order.
struct ScalingJSONRenderer {
  func render(_ report: ScalingReport) -> String { JSONWriter.render(value(report)) }

  func value(_ report: ScalingReport, tool: Bool = true) -> JSONWriter.Value {
    let analysis = report.analysis
    let fit = analysis.fit
    let law = fit.law
    let parameterNames = ["E", "A", "B", "alpha", "beta"].filter { analysis.quantity($0) != nil }
    let parameterValues: [String: Double] = [
      "E": law.e, "A": law.a, "B": law.b, "alpha": law.alpha, "beta": law.beta,
    ]
    var fitMembers: [(String, JSONWriter.Value)] = [("model", .string(fit.form.formula))]
    fitMembers += parameterNames.map { ($0, .number(parameterValues[$0] ?? .nan)) }
    fitMembers += [
      ("loss", .string(fit.delta == nil ? "l2" : "huber")),
      ("delta", fit.delta.map { .number($0) } ?? .null),
      ("converged", .bool(fit.converged)),
      ("ci95", .object(parameterNames.map { ($0, interval(analysis.quantity($0)?.ci95)) })),
      ("ci80", .object(parameterNames.map { ($0, interval(analysis.quantity($0)?.ci80)) })),
      ("objective", .number(fit.objective)),
      ("termination", .string(fit.termination.rawValue)),
      ("starts", .integer(fit.starts)),
      ("starts_converged", .integer(fit.startsConverged)),
      ("starts_at_optimum", .integer(fit.startsAtOptimum)),
    ]
    var members: [(String, JSONWriter.Value)] = [
      ("input", .object([
        ("source", .string(analysis.table.source)),
        ("runs", .integer(fit.runs)),
        ("columns", .object(analysis.table.headers.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        // The factor a unit word in a column's name applied (`Params (B)`: 1e9); empty when none.
        ("column_scales", .object(analysis.table.scales.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) })),
        ("tokens_from_compute", .bool(analysis.tokensFromCompute)),
        ("rows_skipped", .integer(analysis.table.rowsSkipped)),
      ])),
      ("fit", .object(fitMembers)),
    ]
    var doubling: [(String, JSONWriter.Value)] = [
      ("N", .number(analysis.doublingAt.n)), ("D", .number(analysis.doublingAt.d)),
    ]
    var doublingIntervals: [(String, JSONWriter.Value)] = []
    for key in ["data_loss_change", "params_loss_change"] {
      let quantity = analysis.quantity(key)
      doubling.append((key, quantity.map { .number($0.value) } ?? .null))
      doublingIntervals.append((key, interval(quantity?.ci95)))
    }
    doubling.append(("ci95", .object(doublingIntervals)))
    members.append(("doubling", .object(doubling)))
    members.append(("compute_optimal", .array(computeOptimal(analysis))))
    members.append(("allocation_exponents", exponents(analysis)))
    members.append(("predictions", .array(analysis.predictions.indices.map { k in
      let quantity = analysis.quantity("prediction_\(k)")
      return .object([
        ("N", .number(analysis.predictions[k].n)), ("D", .number(analysis.predictions[k].d)),
        ("loss", quantity.map { .number($0.value) } ?? .null), ("ci95", interval(quantity?.ci95)),
      ])
    })))
    members.append(("bootstrap", .object([
      ("resamples", .integer(analysis.resamples)), ("used", .integer(analysis.resamplesUsed)),
      ("seed", .integer(Int(truncatingIfNeeded: analysis.seed))),
    ])))
    members.append(("isoflop", analysis.isoflop.map { IsoFLOPJSON(analysis: $0, parametric: analysis).value } ?? .null))
    if tool {
      members.append(("tool", .object([("name", .string("curvefit")), ("version", .string(report.toolVersion))])))
    }
    return .object(members)
  }

  private func computeOptimal(_ analysis: ScalingAnalysis) -> [JSONWriter.Value] {
    analysis.budgets.indices.compactMap { k in
      guard let n = analysis.quantity("opt_\(k)_N"), let d = analysis.quantity("opt_\(k)_D"),
        let ratio = analysis.quantity("opt_\(k)_tokens_per_param"),
        let loss = analysis.quantity("opt_\(k)_loss")
      else { return nil }
      return .object([
        ("compute", .number(analysis.budgets[k])), ("N", .number(n.value)), ("D", .number(d.value)),
        ("tokens_per_param", .number(ratio.value)), ("loss", .number(loss.value)),
        ("ci95", .object([
          ("N", interval(n.ci95)), ("D", interval(d.ci95)),
          ("tokens_per_param", interval(ratio.ci95)), ("loss", interval(loss.ci95)),
        ])),
      ])
    }
  }

  private func exponents(_ analysis: ScalingAnalysis) -> JSONWriter.Value {
    guard let a = analysis.quantity("exponent_a"), let b = analysis.quantity("exponent_b") else { return .null }
    return .object([
      ("a", .number(a.value)), ("b", .number(b.value)),
      ("ci95", .object([("a", interval(a.ci95)), ("b", interval(b.ci95))])),
    ])
  }

  private func interval(_ range: ClosedRange<Double>?) -> JSONWriter.Value {
    guard let range else { return .null }
    return .array([.number(range.lowerBound), .number(range.upperBound)])
  }
}
