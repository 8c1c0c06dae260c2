/// The report of `curvefit scaling`: the law, its intervals and what it implies.
public struct ScalingReport: Sendable {
  public var analysis: ScalingAnalysis
  public var toolVersion: String

  public init(analysis: ScalingAnalysis, toolVersion: String = CurveFitVersion.current) {
    self.analysis = analysis
    self.toolVersion = toolVersion
  }

  public func rendered(as format: ReportFormat) -> String {
    switch format {
    case .json: ScalingJSONRenderer().render(self)
    case .text: ScalingTextRenderer(markdown: false).render(self)
    case .markdown: ScalingTextRenderer(markdown: true).render(self)
    }
  }
}
