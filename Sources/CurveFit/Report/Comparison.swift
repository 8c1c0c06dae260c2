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
    let names = Self.displayNames(reports.map(\.name) + unfitted.map(\.name) + failures.map(\.name))
    let hasTarget = self.hasTarget
    return reports.map { name, report in
      let content = ReportContent(report: report)
      let analysis = report.analysis
      let unit = report.unit
      let projection = { (factor: Double) -> String in
        if analysis.forecast?.withheld != nil { return "withheld" }
        return analysis.projections.first { $0.factor == factor }.map { NumberFormat.estimate($0.loss.map(unit.fromNats)) } ?? "n/a"
      }
      let model = analysis.projectingSchedule != nil ? "annealing" : analysis.fit.model.form.rawValue
      let backtest = (analysis.projectingSchedule.map { $0.backtest } ?? analysis.backtest)
        .map { "\(NumberFormat.significant(100 * $0.meanRelativeError, 2))%" } ?? "n/a"
      let reliable = analysis.projectingAnnealing.map { $0.fit.converged } ?? analysis.fit.converged
      // A fit that stops before the log (a divergence or an open spike left out) would show the
      // loss before the trouble as "now": show the log's last loss instead, marked observed.
      let series = analysis.series
      let lastFinite = series.losses.indices.last { series.losses[$0].isFinite }
      var now = NumberFormat.estimate(analysis.current.map(unit.fromNats))
      var lastStep = analysis.lastStep
      if let lastFinite, series.steps[lastFinite] > analysis.lastStep {
        lastStep = series.steps[lastFinite]
        now = NumberFormat.significant(unit.fromNats(series.losses[lastFinite]), 3) + " (observed)"
      }
      return [
        names[name] ?? name, NumberFormat.count(Double(series.count)), content.verdict,
        model + (reliable ? "" : " (!)"), NumberFormat.count(lastStep), now, projection(2), projection(10),
      ] + (hasTarget ? [target(analysis, unit: unit)] : []) + [backtest]
    } + unfitted.map { name, report in
      let series = report.run.series
      return [
        names[name] ?? name, NumberFormat.count(Double(series.count)), report.verdict, "none",
        NumberFormat.count(series.steps.last ?? 0), "—", "—", "—",
      ] + (hasTarget ? ["—"] : []) + ["n/a"]
    }
  }

  private var hasTarget: Bool { reports.contains { $0.report.analysis.target != nil } }

  /// `--target`: the step it is reached at, or why not.
  private func target(_ analysis: LossCurveAnalysis, unit: LossUnit) -> String {
    guard let (loss, outcome) = analysis.target else { return "—" }
    if analysis.forecast?.withheld != nil { return "withheld" }
    switch outcome {
    case .reachable(let step):
      // Under the annealing law the step is a shorter run's whose rate decays in full; passed is
      // this run's own fitted loss at or below the target (as in the single report).
      let annealing = analysis.projectingSchedule != nil
      if annealing ? analysis.current.value <= loss : step.value <= analysis.lastStep { return "passed" }
      let axis = analysis.series.origin.axis
      if let end = analysis.forecast?.plannedEnd {
        return analysis.forecast?.targetWithinRun.map { "\(axis.at($0)) of \(axis.number(end.step))" }
          ?? "not in this run"
      }
      return axis.at(step.value)
    case .unreachable: return "unreachable"
    }
  }

  /// Names short enough for the table that still tell the runs apart.
  ///
  /// W&B and run tables give names that share long prefixes and end in timestamps
  /// (`gpt2_last_char_token_to_char1729587337.8266432`, `…_to_token1729493675.529459`): cutting
  /// the middle hides the part that differs. A long name keeps its first characters and
  /// everything from shortly before where it parts from the name most like it; what is still too
  /// long loses its end. If two names would then read the same, all are shown in full.
  static func displayNames(_ all: [String]) -> [String: String] {
    let limit = 40
    var shown: [String: String] = [:]
    for name in all {
      guard name.count > limit else { shown[name] = name; continue }
      let characters = Array(name)
      let shared = all.filter { $0 != name }.map { other in
        zip(characters, other).prefix { $0.0 == $0.1 }.count
      }.max() ?? 0
      let head = 8
      var text = shared > head + 4
        ? String(characters.prefix(head)) + "…" + String(characters[(shared - 4)...]) : name
      if text.count > limit { text = String(text.prefix(limit - 1)) + "…" }
      shown[name] = text
    }
    let distinct = Set(shown.values)
    return distinct.count == Set(all).count ? shown : Dictionary(all.map { ($0, $0) }, uniquingKeysWith: { first, _ in first })
  }

  private var headers: [String] {
    ["series", "points", "health", "model", lastHeader, "loss now", "2×", "10×"] + (hasTarget ? ["target"] : []) + ["backtest"]
  }

  /// `last step`, or `tokens seen` when every run counts tokens (the Smol Playbook's tables).
  private var lastHeader: String {
    let axes = Set(reports.map { $0.report.analysis.series.origin.axis } + unfitted.map { $0.report.run.series.origin.axis })
    switch axes.count == 1 ? axes.first : nil {
    case .tokens?: return "tokens seen"
    case .samples?: return "samples seen"
    case .epochs?: return "last epoch"
    default: return "last step"
    }
  }

  private func text() -> String {
    let all = [headers] + rows
    let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
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
    lines.append("| " + headers.joined(separator: " | ") + " |")
    lines.append("|" + headers.indices.map { $0 == 0 || $0 == 2 || $0 == 3 ? "---" : "---:" }.joined(separator: "|") + "|")
    for row in rows { lines.append("| " + row.joined(separator: " | ") + " |") }
    lines.append("")
    lines += footnotes().map { "- " + $0 }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Projections' meaning, notes and fit warnings, each once.
  private func footnotes() -> [String] {
    var notes: [String] = []
    func add(_ text: String) { if !notes.contains(text) { notes.append(text) } }
    add("2× and 10×: the power law at that multiple of the run so far, or with the annealing law the final loss of a run that long under the stretched schedule; (95% interval)")
    for (name, report) in reports {
      for note in report.analysis.series.origin.notes { add(note) }
      let content = ReportContent(report: report)
      for warning in content.warnings { add("\(name): \(warning)") }
      if let reason = report.analysis.projectingSchedule?.reason { add("\(name): \(reason)") }
      if let withheld = report.analysis.forecast?.withheld { add("\(name): not projected: \(withheld)") }
    }
    for entry in unfitted { add("\(entry.name): not fitted: \(entry.report.run.reason)") }
    for failure in failures { add("\(failure.name): not fitted: \(failure.reason)") }
    add("one series: curvefit FILE --run NAME (or --metric NAME) for its full report")
    return notes
  }
}
