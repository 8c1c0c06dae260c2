/// What a report shows: the analysis plus the facts a reader needs to redo it.
public struct Report: Sendable {
  public var analysis: LossCurveAnalysis
  public var toolVersion: String
  /// The command line that produced the report, for the reproducibility record.
  public var commandLine: [String]?
  /// The unit losses are shown in (`--units`); fits and JSON contract keys stay in nats.
  public var unit: LossUnit = .nats
  /// Where `--plot` wrote the SVG, for Markdown to link it.
  public var plotPath: String?
  /// The input's SHA-256 when it was computed apart from reading it.
  public var inputSHA256: String?

  public init(
    analysis: LossCurveAnalysis, toolVersion: String = CurveFitVersion.current,
    commandLine: [String]? = nil
  ) {
    self.analysis = analysis
    self.toolVersion = toolVersion
    self.commandLine = commandLine
  }

  /// Renders the report in `format`.
  public func rendered(as format: ReportFormat) -> String {
    switch format {
    case .text: TextRenderer().render(self)
    case .markdown: MarkdownRenderer().render(self)
    case .json: JSONRenderer().render(self)
    }
  }
}

/// The output formats of `--format`.
public enum ReportFormat: String, Sendable, CaseIterable {
  case text
  case markdown
  case json
}

/// A renderer turns a report into one format's text. It reads; it never computes.
public protocol ReportRenderer {
  func render(_ report: Report) -> String
}

/// The tool's version, shown by `--version` and recorded in every report.
public enum CurveFitVersion {
  public static let current = "0.1.0"
}
