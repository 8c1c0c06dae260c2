/// The steps a fit uses: `from ≤ step ≤ to`.
///
/// The default start skips the warm-up transient: the first 1% of the run's steps (at least the
/// second logged point). Warm-up and the first fast drop follow the learning-rate ramp, not the
/// power law, and a few such points at small `t` pull `alpha` up. docs/fitting.md explains.
public struct FitRange: Sendable, Equatable {
  public var from: Double?
  public var to: Double?

  public init(from: Double? = nil, to: Double? = nil) {
    self.from = from
    self.to = to
  }

  /// Fraction of the last step skipped by default.
  public static let defaultWarmupFraction = 0.01

  /// The concrete bounds for a series.
  public func resolved(for series: LossSeries) -> ClosedRange<Double> {
    guard let first = series.steps.first, let last = series.steps.last else { return 0...0 }
    let lower: Double
    if let from {
      lower = from
    } else {
      // The first logged step at or past 1% of the span, and never the very first point.
      let skip = first + Self.defaultWarmupFraction * (last - first)
      let index = series.steps.firstIndex { $0 >= skip } ?? (series.count - 1)
      lower = series.steps[max(index, min(1, series.count - 1))]
    }
    let upper = to ?? last
    return lower <= upper ? lower...upper : upper...upper
  }
}
