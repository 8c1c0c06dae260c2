/// `curvefit scaling --group COL`: one fit per group, compared in one table.
public struct ScalingGroupReport: Sendable {
  public struct Entry: Sendable {
    public var key: [(column: String, value: String)]
    public var analysis: ScalingAnalysis?
    /// Why the group could not be fitted.
    public var failure: String?

    public init(key: [(column: String, value: String)], analysis: ScalingAnalysis?, failure: String?) {
      self.key = key
      self.analysis = analysis
      self.failure = failure
    }

    var label: String { key.map { "\($0.column)=\($0.value)" }.joined(separator: " ") }
  }

  public var source: String
  public var columns: [String]
  public var entries: [Entry]
  public var toolVersion: String

  public init(source: String, columns: [String], entries: [Entry], toolVersion: String = CurveFitVersion.current) {
    self.source = source
    self.columns = columns
    self.entries = entries
    self.toolVersion = toolVersion
  }

  public func rendered(as format: ReportFormat) -> String {
    switch format {
    case .json: json
    case .text: text(markdown: false)
    case .markdown: text(markdown: true)
    }
  }

  private var json: String {
    let groups: [JSONWriter.Value] = entries.map { entry in
      var members: [(String, JSONWriter.Value)] = [
        ("group", .object(entry.key.map { ($0.column, .string($0.value)) })),
        ("error", entry.failure.map { .string($0) } ?? .null),
      ]
      if let analysis = entry.analysis,
        case .object(let report) = ScalingJSONRenderer().value(ScalingReport(analysis: analysis), tool: false)
      {
        members += report
      }
      return .object(members)
    }
    return JSONWriter.render(.object([
      ("source", .string(source)),
      ("group_by", .array(columns.map { .string($0) })),
      ("groups", .array(groups)),
      ("tool", .object([("name", .string("curvefit")), ("version", .string(toolVersion))])),
    ]))
  }

  private func text(markdown: Bool) -> String {
    let renderer = ScalingTextRenderer(markdown: markdown)
    let title = "curvefit \(toolVersion) · \(source) · \(entries.count) groups by \(columns.joined(separator: ", "))"
    var lines = [markdown ? "### \(title)" : title, ""]
    let showIso = entries.contains { $0.analysis?.isoflop != nil }
    var header = ["group", "runs", "E", "α", "β", "a = β/(α+β)"]
    if showIso { header += ["isoFLOP a", "agree"] }
    let rows: [[String]] = entries.map { entry in
      guard let analysis = entry.analysis else {
        return [entry.label, "—", "not fitted: \(entry.failure ?? "")"] + Array(repeating: "", count: header.count - 3)
      }
      func cell(_ name: String) -> String {
        guard let q = analysis.quantity(name) else { return "—" }
        return "\(NumberFormat.significant(q.value, 3)) (\(renderer.range(q.ci95)))"
      }
      var row = [entry.label, "\(analysis.fit.runs)", cell("E"), cell("alpha"), cell("beta"), cell("exponent_a")]
      if showIso {
        if let iso = analysis.isoflop, let a = iso.a {
          row.append("\(NumberFormat.significant(a, 3)) (\(renderer.range(iso.ci95?.a)))")
          let agrees = IsoFLOPComparison(analysis: iso, parametric: analysis).agrees
          row.append(agrees.map { $0 ? "yes" : "NO" } ?? "—")
        } else {
          row += [analysis.isoflop?.unfitted.map { _ in "too few budgets" } ?? "—", "—"]
        }
      }
      return row
    }
    lines += renderer.table(header: header, rows: rows)
    lines.append("")
    lines.append("values with 95% bootstrap intervals; losses in nats. Each group in full: --format json, or --where \(entries.first?.key.first.map { "\($0.column)=\($0.value)" } ?? "COL=VALUE")")
    return lines.joined(separator: "\n") + "\n"
  }
}
