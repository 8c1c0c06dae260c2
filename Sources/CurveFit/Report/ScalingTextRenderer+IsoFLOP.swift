/// The ISOFLOP block: each budget's optimum, the power laws through them, and how the
/// exponent compares with the parametric law's.
extension ScalingTextRenderer {
  func isoflopLines(_ iso: IsoFLOPAnalysis, parametric: ScalingAnalysis) -> [String] {
    let how = iso.method == .interpolation
      ? "Akima interpolation of log loss over log N, minimum on a fine grid"
      : "least-squares parabola of log loss over log N around the lowest loss"
    let scatter = iso.scatter.map { "; scatter \(NumberFormat.significant($0 * 100, 2))% about a smooth bottom" } ?? ""
    var lines = ["\(markdown ? "**IsoFLOP**" : "ISOFLOP ") N*(C) at \(iso.budgets.filter { $0.sizes >= 3 }.count) compute budgets (\(how)\(scatter))", ""]
    let thin = iso.budgets.filter { $0.sizes < 3 }
    let rows: [[String]] = iso.budgets.filter { $0.sizes >= 3 }.map { budget in
      let c = NumberFormat.significant(budget.compute, 3)
      let sizes = "\(budget.sizes)"
      guard let n = budget.nOpt, let d = budget.dOpt else {
        return [c, sizes, "—", "not used: \(budget.excluded ?? "no minimum")", "", ""]
      }
      let used = budget.pointsUsed < budget.sizes ? " (\(budget.pointsUsed) used)" : ""
      return [
        c, sizes + used, NumberFormat.significant(n, 3), range(budget.ci95?.n),
        NumberFormat.significant(d, 3), budget.lossOpt.map { NumberFormat.significant($0, 4) } ?? "",
      ]
    }
    lines += table(header: ["compute (FLOPs)", "sizes", "N* (params)", "95% interval", "D* (tokens)", "loss*"], rows: rows)
    if !thin.isEmpty {
      let runs = thin.reduce(0) { $0 + $1.rows.count }
      lines.append("  \(thin.count) more budget\(thin.count == 1 ? "" : "s") with fewer than 3 sizes (\(runs) run\(runs == 1 ? "" : "s")) not used")
    }
    lines.append("")
    guard let a = iso.a, let b = iso.b else {
      lines.append("  no power law: \(iso.unfitted ?? "too few budgets")")
      return lines
    }
    var derived: [[String]] = [
      ["N* ∝ C^a", NumberFormat.significant(a, 4), range(iso.ci95?.a)],
      ["D* ∝ C^b", NumberFormat.significant(b, 4), range(iso.ci95?.b)],
    ]
    for p in iso.predictions {
      let c = "C=\(NumberFormat.significant(p.compute, 3))"
      derived.append(["\(c): N* (params)", NumberFormat.significant(p.n, 3), range(p.ci95?.n)])
      derived.append(["\(c): D* (tokens)", NumberFormat.significant(p.d, 3), range(p.ci95?.d)])
    }
    lines += table(header: ["isoFLOP law", "value", "95% interval"], rows: derived)
    if let sentence = IsoFLOPComparison(analysis: iso, parametric: parametric).sentence {
      lines.append("")
      lines.append("  \(sentence)")
    }
    return lines
  }
}
