import Foundation

/// Several series analysed side by side: runs of an export, tags of an event file, metrics.
///
/// Text and Markdown compare them in one table (health, model, projections, backtest); JSON is
/// `{"series": [...]}` whose entries are the one-series object plus `"name"`.
public struct Comparison: Sendable {
  public var reports: [(name: String, report: Report)]
  /// Series that could not be analysed, with the reason.
  public var failures: [(name: String, reason: String)]
  /// Series with too few finite losses to fit, each with the verdict its points give.
  public var unfitted: [(name: String, report: UnfittedReport)] = []

  public init(reports: [(name: String, report: Report)], failures: [(name: String, reason: String)] = []) {
    self.reports = reports
    self.failures = failures
  }

  public func rendered(as format: ReportFormat) -> String {
    switch format {
    case .json:
      let entries: [JSONWriter.Value] = reports.map { entry in
        .object([("name", .string(entry.name))] + JSONRenderer().members(entry.report))
      } + unfitted.map { entry in
        .object([("name", .string(entry.name))] + entry.report.members)
      } + failures.map { .object([("name", .string($0.name)), ("error", .string($0.reason))]) }
      return JSONWriter.render(.object([("series", .array(entries))]))
    case .text:
      return text()
    case .markdown:
      return markdown()
    }
  }

  /// One row per series: the cells both tables show.
  private var rows: [[String]] {
    reports.map { name, report in
      let content = ReportContent(report: report)
      let analysis = report.analysis
      let unit = report.unit
      let projection = { (factor: Double) -> String in
        if analysis.forecast?.withheld != nil { return "withheld" }
        return analysis.projections.first { $0.factor == factor }.map { NumberFormat.estimate($0.loss.map(unit.fromNats)) } ?? "n/a"
      }
      let model = analysis.schedule?.chosen == true ? "annealing" : analysis.fit.model.form.rawValue
      let backtest = (analysis.schedule?.chosen == true ? analysis.schedule?.backtest : analysis.backtest)
        .map { "\(NumberFormat.significant(100 * $0.meanRelativeError, 2))%" } ?? "n/a"
      let reliable = analysis.schedule?.chosen == true ? (analysis.schedule?.fit?.converged ?? false) : analysis.fit.converged
      return [
        Self.shortened(name), NumberFormat.count(Double(analysis.series.count)), content.verdict,
        model + (reliable ? "" : " (!)"), NumberFormat.count(analysis.lastStep),
        NumberFormat.estimate(analysis.current.map(unit.fromNats)), projection(2), projection(10), backtest,
      ]
    } + unfitted.map { name, report in
      let series = report.run.series
      return [
        Self.shortened(name), NumberFormat.count(Double(series.count)), report.verdict, "none",
        NumberFormat.count(series.steps.last ?? 0), "—", "—", "—", "n/a",
      ]
    }
  }

  /// Long run names (W&B appends timestamps) keep their start and end: `gpt2_char_to_…4595.422701`.
  static func shortened(_ name: String) -> String {
    guard name.count > 36 else { return name }
    return String(name.prefix(22)) + "…" + String(name.suffix(13))
  }

  private static let headers = ["series", "points", "health", "model", "last step", "loss now", "2×", "10×", "backtest"]

  private func text() -> String {
    let all = [Self.headers] + rows
    let widths = Self.headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    var lines = ["curvefit \(reports.first?.report.toolVersion ?? CurveFitVersion.current) · \(reports.count + unfitted.count + failures.count) series"
      + " · losses in \(reports.first?.report.unit.name ?? "nats")"]
    lines.append("")
    for (index, row) in all.enumerated() {
      lines.append(row.indices.map { row[$0].padding(toLength: widths[$0] + 2, withPad: " ", startingAt: 0) }.joined()
        .trimmingCharacters(in: .whitespaces))
      if index == 0 { lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")) }
    }
    lines.append("")
    lines += footnotes()
    return lines.joined(separator: "\n") + "\n"
  }

  private func markdown() -> String {
    var lines = ["### curvefit — \(reports.count + unfitted.count + failures.count) series", ""]
    lines.append("| " + Self.headers.joined(separator: " | ") + " |")
    lines.append("|" + Self.headers.indices.map { $0 == 0 || $0 == 2 || $0 == 3 ? "---" : "---:" }.joined(separator: "|") + "|")
    for row in rows { lines.append("| " + row.joined(separator: " | ") + " |") }
    lines.append("")
    lines += footnotes().map { "- " + $0 }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Projections' meaning, notes and fit warnings, each once.
  private func footnotes() -> [String] {
    var notes: [String] = []
    func add(_ text: String) { if !notes.contains(text) { notes.append(text) } }
    add("2× and 10×: the power law at that multiple of the last step, or with the annealing law the final loss of a run that long under the stretched schedule; (95% interval)")
    for (name, report) in reports {
      for note in report.analysis.series.origin.notes { add(note) }
      let content = ReportContent(report: report)
      for warning in content.warnings { add("\(name): \(warning)") }
      if report.analysis.schedule?.chosen == true, let reason = report.analysis.schedule?.reason { add("\(name): \(reason)") }
      if let withheld = report.analysis.forecast?.withheld { add("\(name): not projected: \(withheld)") }
    }
    for entry in unfitted { add("\(entry.name): not fitted: \(entry.report.run.reason)") }
    for failure in failures { add("\(failure.name): not fitted: \(failure.reason)") }
    add("one series: curvefit FILE --run NAME (or --metric NAME) for its full report")
    return notes
  }
}
