import Foundation

/// The report of a run that could not be fitted: its source, its verdict and events, and why
/// nothing is fitted or projected. Same sections and JSON keys as a full report, with `fit`,
/// `current` and `doubling` `null` and `projections` empty.
public struct UnfittedReport: Sendable {
  public var run: UnfittedRun
  public var toolVersion = CurveFitVersion.current
  public var commandLine: [String]?
  public var inputSHA256: String?

  public init(run: UnfittedRun, commandLine: [String]? = nil) {
    self.run = run
    self.commandLine = commandLine
  }

  var verdict: String { HealthVerdict(run.health, metric: run.series.origin.lossColumn).sentence }

  public func rendered(as format: ReportFormat) -> String {
    switch format {
    case .text: text()
    case .markdown: markdown()
    case .json: JSONWriter.render(.object(members))
    }
  }

  private var hash: String? { inputSHA256 ?? run.series.origin.sha256 }

  private func text() -> String {
    let lines = HealthLines(health: run.health, metric: run.series.origin.lossColumn)
    var out = ["curvefit \(toolVersion) · \(ReportContent.sourceLine(run.series))"]
    for note in run.series.origin.notes { out.append("note: " + note) }
    out.append("")
    out.append("HEALTH   " + verdict)
    if let sparkline = Sparkline.render(run.series, from: run.series.steps.first ?? 0) {
      out.append("         " + sparkline + "   loss over log-spaced \(run.series.origin.axis.rawValue), high to low")
    }
    out.append("")
    out.append("FIT      none: " + run.reason + "; nothing is projected")
    let groups: [(String, [String])] = [
      ("SPIKES", lines.spikeLines), ("DIVERGED", lines.divergenceLine.map { [$0] } ?? []),
    ]
    for (title, group) in groups where !group.isEmpty {
      out.append("")
      for (index, line) in group.enumerated() {
        out.append((index == 0 ? title.padding(toLength: 9, withPad: " ", startingAt: 0) : "         ") + line)
      }
    }
    out.append("")
    out.append("REDO     curvefit \(toolVersion) · " + (hash.map { "sha256 \($0.prefix(12))…" } ?? "no hash") + " · nothing fitted")
    return out.joined(separator: "\n") + "\n"
  }

  private func markdown() -> String {
    let lines = HealthLines(health: run.health, metric: run.series.origin.lossColumn)
    var out = ["### \(run.series.origin.source) — \(verdict)", "", ReportContent.sourceLine(run.series), ""]
    out.append("**Fit:** none: \(run.reason); nothing is projected.")
    let groups = [("Spikes", lines.spikeLines), ("Divergence", lines.divergenceLine.map { [$0] } ?? [])]
    for (title, group) in groups where !group.isEmpty {
      out += ["", "**\(title)**", ""] + group.map { "- " + $0 }
    }
    return out.joined(separator: "\n") + "\n"
  }

  var members: [(String, JSONWriter.Value)] {
    let renderer = JSONRenderer()
    let origin = run.series.origin
    return [("input", renderer.input(run.series, smoothed: nil))] + renderer.health(run.health, metric: run.series.origin.lossColumn) + [
      ("fit", .null),
      ("fit_error", .string(run.reason)),
      ("current", .null),
      ("projections", .array([])),
      ("doubling", .null),
      ("units", .string(LossUnit.nats.name)),
      ("reproducibility", .object([
        ("input", .string(origin.source)),
        ("sha256", hash.map { .string($0) } ?? .null),
        ("rows_read", .integer(origin.rowsRead)),
        ("points_in_fit", .integer(0)),
        ("tool_version", .string(toolVersion)),
        ("command", commandLine.map { .string($0.joined(separator: " ")) } ?? .null),
      ])),
      ("tool", .object([("name", .string("curvefit")), ("version", .string(toolVersion))])),
    ]
  }
}
