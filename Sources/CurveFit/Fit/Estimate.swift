/// A projected number with its intervals.
///
/// `ci95` and `ci80` come from the moving-block bootstrap when it ran; `ci95Delta` is the
/// delta-method interval from the covariance, kept as a cross-check (and used as `ci95` when
/// there is no bootstrap).
public struct Estimate: Sendable, Equatable {
  public var value: Double
  /// The 95% interval `[low, high]`; `nil` when nothing supports one.
  public var ci95: ClosedRange<Double>?
  public var ci80: ClosedRange<Double>?
  public var ci95Delta: ClosedRange<Double>?
  /// The intervals from the noise alone (bootstrap, else delta method), before calibration
  /// widened `ci95` and `ci80` for the extrapolation error; `nil` until calibrated.
  public var ci95Noise: ClosedRange<Double>?
  public var ci80Noise: ClosedRange<Double>?

  public init(value: Double, ci95: ClosedRange<Double>? = nil) {
    self.value = value
    self.ci95 = ci95
    self.ci95Delta = ci95
  }

  /// Replaces the intervals with bootstrap percentiles of `samples` (non-finite ignored).
  ///
  /// Refits can sit to one side of the fit (a parameter on its bound, a fit pulled by a prior);
  /// an interval that misses its own value is stretched to reach it, so a printed number always
  /// lies inside its intervals.
  mutating func adoptBootstrap(_ samples: [Double]) {
    let finite = samples.filter(\.isFinite).sorted()
    guard finite.count >= 20 else { return }
    let value = self.value
    let reach = { (range: ClosedRange<Double>) -> ClosedRange<Double> in
      guard value.isFinite else { return range }
      return min(range.lowerBound, value)...max(range.upperBound, value)
    }
    ci95 = reach(Bootstrap.percentile(finite, 0.025)...Bootstrap.percentile(finite, 0.975))
    ci80 = reach(Bootstrap.percentile(finite, 0.10)...Bootstrap.percentile(finite, 0.90))
  }

  /// The estimate through a monotone increasing map (a unit conversion).
  public func map(_ transform: (Double) -> Double) -> Estimate {
    var mapped = Estimate(value: transform(value))
    mapped.ci95 = ci95.map { transform($0.lowerBound)...transform($0.upperBound) }
    mapped.ci80 = ci80.map { transform($0.lowerBound)...transform($0.upperBound) }
    mapped.ci95Delta = ci95Delta.map { transform($0.lowerBound)...transform($0.upperBound) }
    mapped.ci95Noise = ci95Noise.map { transform($0.lowerBound)...transform($0.upperBound) }
    mapped.ci80Noise = ci80Noise.map { transform($0.lowerBound)...transform($0.upperBound) }
    return mapped
  }

  /// Two-sided 95% normal quantile.
  static let z95 = 1.959963984540054
  /// Two-sided 80% normal quantile.
  static let z80 = 1.2815515655446004
}
