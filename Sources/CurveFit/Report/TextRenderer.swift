/// The terminal report: verdict first, then the numbers a user acts on, on one screen.
public struct TextRenderer: ReportRenderer {
  public init() {}

  public func render(_ report: Report) -> String {
    let content = ReportContent(report: report)
    var lines: [String] = []
    lines.append("curvefit \(report.toolVersion) · \(content.sourceLine)")
    if let columns = content.columnsSeen { lines.append(columns) }
    for note in content.notes { lines.append("note: " + note) }
    lines.append("")
    lines.append(label("HEALTH") + content.verdict)
    if let sparkline = Sparkline.render(report.analysis.smoothed ?? report.analysis.series, from: report.analysis.watchedRange.lowerBound) {
      lines.append(indent + sparkline + "   loss over log-spaced \(content.axis.rawValue), high to low")
    }
    if let leftOut = content.leftOut { lines.append(indent + leftOut) }
    if let drops = content.epochDrops { lines.append(indent + drops) }
    if let skipped = content.skippedNonFinite { lines.append(indent + skipped) }
    if let best = content.bestEvaluation { lines.append(indent + best) }
    lines.append("")
    lines.append(label("FIT") + "\(content.formula)   \(content.fitScope)")
    lines.append(
      indent + content.parameters.map { "\($0.name) \($0.value)" }.joined(separator: "   "))
    lines.append(indent + "\(content.goodness) · \(content.convergence)")
    if let clock = content.clockNote { lines.append(indent + clock) }
    if let undetermined = content.undetermined { lines.append(indent + undetermined) }
    if let backtest = content.backtest { lines.append(indent + backtest) }
    lines.append(indent + content.modelChoice)
    for warning in content.warnings { lines.append(indent + "! " + warning) }
    lines.append("")
    for (index, line) in content.scheduleLines.enumerated() {
      lines.append((index == 0 ? label("SCHEDULE") : indent) + line)
    }
    lines.append("")
    let lossHeader = report.unit == .nats ? "loss (95% interval)" : "\(report.unit.name) (95% interval)"
    lines.append(pad("PROJECTION", 22) + pad(content.axis.column, 14) + pad(lossHeader, 26) + "vs now")
    if let meaning = content.projectionMeaning { lines.append("  " + meaning) }
    for row in content.projectionRows {
      lines.append("  " + pad(row.label, 20) + pad(row.step, 14) + pad(row.loss, 26) + row.change)
    }
    if let withheld = content.withheld {
      lines.append("  " + pad("2×, 5×, 10×", 20) + "not projected: " + withheld)
    }
    lines.append("  " + pad("doubling data", 20) + content.doubling)
    if let note = content.intervalNote { lines.append("  " + note) }
    if let gap = content.endGap { lines.append("  ! " + gap) }
    if let misfit = content.endMisfit { lines.append("  ! " + misfit) }
    if let flat = content.flatNote { lines.append("  ! " + flat) }
    if let open = content.openBelowNote { lines.append("  ! " + open) }
    if let mosaic = content.mosaicNote { lines.append("  ! " + mosaic) }
    if let target = content.target {
      lines.append("  " + pad(target.label, 20) + target.text)
    }
    appendEvents(content, to: &lines)
    lines.append("")
    lines.append(label("REDO") + Reproducibility(report: report).line)
    return lines.joined(separator: "\n") + "\n"
  }

  /// Spikes (at most `maxSpikeLines`), plateaus and divergence, each under its label.
  private func appendEvents(_ content: ReportContent, to lines: inout [String]) {
    let spikes = content.spikeLines
    let groups: [(String, [String])] = [
      ("SPIKES", Array(spikes.prefix(Self.maxSpikeLines))
        + (spikes.count > Self.maxSpikeLines
          ? ["… and \(spikes.count - Self.maxSpikeLines) more (--format json lists all)"] : [])),
      ("PLATEAU", content.plateauLines),
      ("DIVERGED", content.divergenceLine.map { [$0] } ?? []),
    ]
    for (title, group) in groups where !group.isEmpty {
      lines.append("")
      for (index, line) in group.enumerated() {
        lines.append((index == 0 ? label(title) : indent) + line)
      }
    }
  }

  static let maxSpikeLines = 8

  private let indent = String(repeating: " ", count: 9)

  private func label(_ text: String) -> String { pad(text, 9) }


  private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
  }
}
