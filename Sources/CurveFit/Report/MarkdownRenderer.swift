import Foundation

/// The report as GitHub-flavoured Markdown, for a PR comment or a lab notebook.
public struct MarkdownRenderer: ReportRenderer {
  public init() {}

  public func render(_ report: Report) -> String {
    let content = ReportContent(report: report)
    let analysis = report.analysis
    var lines: [String] = []
    lines.append("### \(analysis.series.origin.source) — \(content.verdict)")
    lines.append("")
    lines.append(content.sourceLine)
    lines.append("")
    for note in content.notes { lines.append("_Note: \(note)._"); lines.append("") }
    if let plot = report.plotPath { lines.append("![loss curve](\(plot))"); lines.append("") }
    if let leftOut = content.leftOut { lines.append("_\(leftOut)._") ; lines.append("") }
    if let drops = content.epochDrops { lines.append("_\(drops)._") ; lines.append("") }
    if let skipped = content.skippedNonFinite { lines.append("_\(skipped)._") ; lines.append("") }
    if let best = content.bestEvaluation { lines.append("_\(best)._") ; lines.append("") }
    if let meaning = content.projectionMeaning { lines.append("_Projections: \(meaning)._"); lines.append("") }
    lines.append("| | \(content.axis.column) | \(report.unit == .nats ? "loss (nats)" : report.unit.name) | vs now |")
    lines.append("|---|---:|---:|---:|")
    for row in content.projectionRows {
      lines.append("| \(row.label) | \(row.step) | \(row.loss) | \(row.change) |")
    }
    lines.append("")
    if let withheld = content.withheld { lines.append("- **2×, 5×, 10×:** not projected: \(withheld)") }
    lines.append("- **Doubling data:** \(content.doubling)")
    if let note = content.intervalNote { lines.append("- **Intervals:** \(note)") }
    if let gap = content.endGap { lines.append("- **Warning:** \(gap)") }
    if let misfit = content.endMisfit { lines.append("- **Warning:** \(misfit)") }
    if let flat = content.flatNote { lines.append("- **Warning:** \(flat)") }
    if let open = content.openBelowNote { lines.append("- **Warning:** \(open)") }
    if let mosaic = content.mosaicNote { lines.append("- **Warning:** \(mosaic)") }
    if let target = content.target { lines.append("- **\(target.label.capitalizedFirst):** \(target.text)") }
    lines.append("")
    lines.append("**Fit** `\(content.formula)` \(content.fitScope): \(content.convergence)")
    lines.append("")
    lines.append("| parameter | value ± standard error |")
    lines.append("|---|---:|")
    for parameter in content.parameters { lines.append("| \(parameter.name) | \(parameter.value) |") }
    lines.append("")
    lines.append(content.goodness)
    if let clock = content.clockNote { lines.append(""); lines.append(clock) }
    if let undetermined = content.undetermined { lines.append(""); lines.append(undetermined) }
    if let backtest = content.backtest { lines.append(""); lines.append(backtest.capitalizedFirst) }
    lines.append("")
    lines.append(content.modelChoice.capitalizedFirst)
    for warning in content.warnings { lines.append("") ; lines.append("> ⚠️ \(warning)") }
    lines.append("")
    lines.append("**Schedule**")
    lines.append("")
    for line in content.scheduleLines { lines.append("- \(line)") }
    appendEvents(content, to: &lines)
    lines.append("")
    lines.append("<details><summary>How to reproduce</summary>")
    lines.append("")
    for (key, value) in Reproducibility(report: report).members {
      lines.append("- \(key): `\(JSONWriter.render(value).trimmingCharacters(in: .whitespacesAndNewlines))`")
    }
    lines.append("- solver stopped after \(analysis.fit.iterations) iterations because \(analysis.fit.termination.sentence)")
    lines.append("")
    lines.append("</details>")
    return lines.joined(separator: "\n") + "\n"
  }
}

extension MarkdownRenderer {
  fileprivate func appendEvents(_ content: ReportContent, to lines: inout [String]) {
    let groups = [
      ("Spikes", content.spikeLines), ("Plateaus", content.plateauLines),
      ("Divergence", content.divergenceLine.map { [$0] } ?? []),
    ]
    for (title, group) in groups where !group.isEmpty {
      lines.append("")
      lines.append("**\(title)**")
      lines.append("")
      for line in group { lines.append("- \(line)") }
    }
  }
}

extension String {
  var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
