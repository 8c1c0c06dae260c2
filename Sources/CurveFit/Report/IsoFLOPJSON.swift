/// The `"isoflop"` member of the scaling report (docs/json.md).
struct IsoFLOPJSON {
  let analysis: IsoFLOPAnalysis
  let parametric: ScalingAnalysis

  var value: JSONWriter.Value {
    let budgets: [JSONWriter.Value] = analysis.budgets.map { budget in
      .object([
        ("compute", .number(budget.compute)),
        ("n_opt", budget.nOpt.map { .number($0) } ?? .null),
        ("d_opt", budget.dOpt.map { .number($0) } ?? .null),
        ("loss_opt", budget.lossOpt.map { .number($0) } ?? .null),
        ("ci95", .object([("n_opt", interval(budget.ci95?.n)), ("d_opt", interval(budget.ci95?.d))])),
        ("points", .integer(budget.sizes)),
        ("runs", .integer(budget.rows.count)),
        ("points_used", .integer(budget.pointsUsed)),
        ("n_range", interval(budget.nRange)),
        ("n_range_used", interval(budget.usedRange)),
        ("excluded", budget.excluded.map { .string($0) } ?? .null),
      ])
    }
    let comparison: JSONWriter.Value
    if let q = parametric.quantity("exponent_a") {
      comparison = .object([
        ("a", .number(q.value)), ("ci95", interval(q.ci95)),
        ("agrees", agreement.map { .bool($0) } ?? .null),
      ])
    } else {
      comparison = .null
    }
    return .object([
      ("method", .string(analysis.method.rawValue)),
      ("scatter", analysis.scatter.map { .number($0) } ?? .null),
      ("budgets", .array(budgets)),
      ("a", analysis.a.map { .number($0) } ?? .null),
      ("b", analysis.b.map { .number($0) } ?? .null),
      ("coefficient_n", analysis.coefficientN.map { .number($0) } ?? .null),
      ("coefficient_d", analysis.coefficientD.map { .number($0) } ?? .null),
      ("ci95", .object([("a", interval(analysis.ci95?.a)), ("b", interval(analysis.ci95?.b))])),
      ("unfitted", analysis.unfitted.map { .string($0) } ?? .null),
      ("compute_optimal", .array(analysis.predictions.map { p in
        .object([
          ("compute", .number(p.compute)), ("N", .number(p.n)), ("D", .number(p.d)),
          ("ci95", .object([("N", interval(p.ci95?.n)), ("D", interval(p.ci95?.d))])),
        ])
      })),
      ("parametric", comparison),
      ("bootstrap", .object([("resamples", .integer(analysis.resamples)), ("used", .integer(analysis.resamplesUsed))])),
    ])
  }

  /// Whether the isoFLOP and parametric exponents' 95% intervals overlap; nil without both.
  var agreement: Bool? { IsoFLOPComparison(analysis: analysis, parametric: parametric).agrees }

  private func interval(_ range: ClosedRange<Double>?) -> JSONWriter.Value {
    guard let range else { return .null }
    return .array([.number(range.lowerBound), .number(range.upperBound)])
  }
}

/// The isoFLOP exponent a beside the parametric law's β/(α+β).
struct IsoFLOPComparison {
  let analysis: IsoFLOPAnalysis
  let parametric: ScalingAnalysis

  var agrees: Bool? {
    guard let iso = analysis.ci95?.a, let law = parametric.quantity("exponent_a")?.ci95 else { return nil }
    return iso.overlaps(law)
  }

  var sentence: String? {
    guard let a = analysis.a, let q = parametric.quantity("exponent_a") else { return nil }
    let iso = NumberFormat.significant(a, 3)
    let law = NumberFormat.significant(q.value, 3)
    switch agrees {
    case true?: return "isoFLOP a = \(iso) and the law's β/(α+β) = \(law) agree within their 95% intervals"
    case false?: return "isoFLOP a = \(iso) and the law's β/(α+β) = \(law) DISAGREE: their 95% intervals do not overlap (the law's form or the pooled runs may not fit the sweep)"
    case nil: return "isoFLOP a = \(iso) beside the law's β/(α+β) = \(law) (no intervals to compare)"
    }
  }
}
