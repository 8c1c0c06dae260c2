import Foundation

/// The scaling report for a terminal, or as Markdown tables.
struct ScalingTextRenderer {
  let markdown: Bool

  func render(_ report: ScalingReport) -> String {
    let analysis = report.analysis
    let fit = analysis.fit
    var lines: [String] = []
    let derivedNote = analysis.tokensFromCompute ? " · D = C/(6N)" : ""
    let title = "curvefit \(report.toolVersion) · \(analysis.table.source) · \(fit.runs) runs\(derivedNote)"
    lines.append(markdown ? "### \(title)" : title)
    lines += columnLines(analysis).map { markdown ? $0 + "  " : $0 }
    lines.append("")
    let lossName = fit.delta.map { "Huber δ=\(NumberFormat.significant($0, 2)) on log loss" } ?? "least squares on log loss"
    let state = fit.converged
      ? "converged; best of \(NumberFormat.count(Double(fit.starts))) starts"
      : "NOT CONVERGED (\(fit.termination.sentence))"
    lines.append("\(markdown ? "**Fit**" : "FIT     ") L = \(fit.form.formula)   (\(lossName); \(state))")
    lines.append("")
    lines += table(
      header: ["", "value", "80% interval", "95% interval"],
      rows: ["E", "A", "alpha", "B", "beta"].compactMap { name in
        analysis.quantity(name).map { row(name == "alpha" ? "α" : name == "beta" ? "β" : name, $0) }
      })
    lines.append("")
    lines += table(header: ["derived", "value", "80% interval", "95% interval"], rows: derivedRows(analysis))
    if let isoflop = analysis.isoflop {
      lines.append("")
      lines += isoflopLines(isoflop, parametric: analysis)
    }
    lines.append("")
    lines.append(
      "bootstrap: \(analysis.resamplesUsed) of \(analysis.resamples) resamples over runs refitted (seed \(analysis.seed)); losses in nats")
    return lines.joined(separator: "\n") + "\n"
  }

  /// Which column each variable came from (with the scale a unit word in its name gave it), and
  /// what a missing variable means for the law: a table whose sizes sat under a name no alias
  /// knew was fitted in D alone, and only the derived row's `N=1.00` hinted at it.
  func columnLines(_ analysis: ScalingAnalysis) -> [String] {
    let table = analysis.table
    let names = [("N", "N"), ("D", "D"), ("C", "C"), ("loss", "loss")]
    let used = names.compactMap { key, label -> String? in
      guard let header = table.headers[key] else { return nil }
      var text = "\(label) '\(header)'"
      if let scale = table.scales[key] { text += " (×\(NumberFormat.significant(scale, 1)), as its name says)" }
      return text
    }
    var lines = ["columns: " + used.joined(separator: ", ")]
    let all = table.columns.joined(separator: ", ")
    if table.headers["N"] == nil {
      lines.append("no parameter-count column among \(all): the loss is fitted in D alone (--n-col names one)")
    } else if table.headers["D"] == nil && !analysis.tokensFromCompute {
      lines.append("no token or compute column among \(all): the loss is fitted in N alone (--d-col or --compute-col names one)")
    }
    return lines
  }

  private func derivedRows(_ analysis: ScalingAnalysis) -> [[String]] {
    var rows: [[String]] = []
    // A variable the table does not have is held at 1: naming it would read as a run of 1 parameter.
    let n = "N=\(NumberFormat.significant(analysis.doublingAt.n, 3))"
    let d = "D=\(NumberFormat.significant(analysis.doublingAt.d, 3))"
    let at = analysis.fit.form == .data ? d : analysis.fit.form == .parameters ? n : "\(n), \(d)"
    if let q = analysis.quantity("data_loss_change") { rows.append(row("ΔL doubling D at \(at)", q)) }
    if let q = analysis.quantity("params_loss_change") { rows.append(row("ΔL doubling N at \(at)", q)) }
    for (k, point) in analysis.predictions.enumerated() {
      if let q = analysis.quantity("prediction_\(k)") {
        rows.append(row("L(N=\(NumberFormat.significant(point.n, 3)), D=\(NumberFormat.significant(point.d, 3)))", q))
      }
    }
    if let a = analysis.quantity("exponent_a"), let b = analysis.quantity("exponent_b") {
      rows.append(row("N_opt ∝ C^a", a))
      rows.append(row("D_opt ∝ C^b", b))
    }
    for (k, budget) in analysis.budgets.enumerated() {
      let c = "C=\(NumberFormat.significant(budget, 3))"
      if let q = analysis.quantity("opt_\(k)_N") { rows.append(row("\(c): N_opt (params)", q)) }
      if let q = analysis.quantity("opt_\(k)_D") { rows.append(row("\(c): D_opt (tokens)", q)) }
      if let q = analysis.quantity("opt_\(k)_tokens_per_param") { rows.append(row("\(c): tokens per param", q)) }
      if let q = analysis.quantity("opt_\(k)_loss") { rows.append(row("\(c): loss", q)) }
    }
    return rows
  }

  func row(_ label: String, _ q: ScalingAnalysis.Quantity) -> [String] {
    [label, NumberFormat.significant(q.value, 4), range(q.ci80), range(q.ci95)]
  }

  func range(_ interval: ClosedRange<Double>?) -> String {
    guard let interval else { return "n/a" }
    return "\(bound(interval.lowerBound, beside: interval.upperBound)) – \(bound(interval.upperBound, beside: interval.lowerBound))"
  }

  /// A bound a billion times smaller than the other end is a parameter driven to its floor
  /// (E or A at 0 in some resamples): printed as 0, not as 1.75e-163.
  private func bound(_ value: Double, beside other: Double) -> String {
    value != 0 && abs(value) < 1e-9 * abs(other) ? "0" : NumberFormat.significant(value, 3)
  }

  func table(header: [String], rows: [[String]]) -> [String] {
    if markdown {
      return ["| " + header.joined(separator: " | ") + " |", "|---|---:|---|---|"]
        + rows.map { "| " + $0.joined(separator: " | ") + " |" }
    }
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { cells in
      "  " + cells.indices.map { cells[$0].padding(toLength: widths[$0] + 3, withPad: " ", startingAt: 0) }
        .joined().trimmingTrailingSpaces()
    }
  }
}

extension String {
  fileprivate func trimmingTrailingSpaces() -> String {
    var text = self
    while text.last == " " { text.removeLast() }
    return text
  }
}
