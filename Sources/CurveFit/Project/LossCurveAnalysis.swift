/// Everything curvefit concludes about one training curve: the fit and what it projects.
///
/// Built by `LossCurveAnalysis.run`; read by the report renderers, which compute nothing.
public struct LossCurveAnalysis: Sendable {
  public var series: LossSeries
  /// The step range the fit used.
  public var fitRange: ClosedRange<Double>
  public var fit: PowerLawFit
  /// The last step with a finite loss: the "now" every projection multiplies.
  public var lastStep: Double
  /// The fitted loss now.
  public var current: Estimate
  public var projections: [Projection]
  public var doubling: DoublingEffect
  public var target: (loss: Double, outcome: TargetOutcome)?

  /// Settings for one analysis.
  public struct Options: Sendable {
    public var range = FitRange()
    public var target: Double?
    public var fitter = PowerLawFitter()

    public init() {}
  }

  /// Fits the series and projects the fit.
  ///
  /// - Throws: `FitError` when too few usable points remain.
  public static func run(
    _ series: LossSeries, options: Options, excluding excluded: Set<Double> = []
  ) throws(FitError) -> LossCurveAnalysis {
    var fitter = options.fitter
    fitter.range = options.range
    let fit = try fitter.fit(series, excluding: excluded)
    let range = options.range.resolved(for: series)
    // "Now" is the last finite point the fit could see, so projections multiply observed steps.
    let lastIndex = series.steps.indices.last {
      series.losses[$0].isFinite && series.steps[$0] > 0 && series.steps[$0] <= range.upperBound
    }
    let lastStep = lastIndex.map { series.steps[$0] } ?? range.upperBound
    let projections = Projection.standardFactors.map {
      Projection(fit: fit, lastStep: lastStep, factor: $0)
    }
    return LossCurveAnalysis(
      series: series, fitRange: range, fit: fit, lastStep: lastStep,
      current: fit.estimate(at: lastStep), projections: projections,
      doubling: DoublingEffect(fit: fit, at: lastStep),
      target: options.target.map { ($0, TargetOutcome(fit: fit, target: $0)) })
  }
}
