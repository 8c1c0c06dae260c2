/// The terminal report: verdict first, then the numbers a user acts on, on one screen.
public struct TextRenderer: ReportRenderer {
  public init() {}

  public func render(_ report: Report) -> String {
    let content = ReportContent(report: report)
    var lines: [String] = []
    lines.append("curvefit \(report.toolVersion) · \(content.sourceLine)")
    lines.append("")
    lines.append(label("FIT") + "L(t) = L_min + C·t^-α   \(content.fitScope)")
    lines.append(
      indent + content.parameters.map { "\($0.name) \($0.value)" }.joined(separator: "   "))
    lines.append(indent + "\(content.goodness) · \(content.convergence)")
    for warning in content.warnings { lines.append(indent + "! " + warning) }
    lines.append("")
    lines.append(pad("PROJECTION", 22) + pad("step", 14) + pad("loss (95% interval)", 26) + "vs now")
    for row in content.projectionRows {
      lines.append("  " + pad(row.label, 20) + pad(row.step, 14) + pad(row.loss, 26) + row.change)
    }
    lines.append("  " + pad("doubling data", 20) + content.doubling)
    if let target = content.target {
      lines.append("  " + pad(target.label, 20) + target.text)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private let indent = String(repeating: " ", count: 9)

  private func label(_ text: String) -> String { pad(text, 9) }

  private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
  }
}
