/// A projected number with its 95% interval, when the fit's covariance allows one.
public struct Estimate: Sendable, Equatable {
  public var value: Double
  /// The 95% interval `[low, high]`; `nil` when the covariance is untrusted.
  public var ci95: ClosedRange<Double>?

  public init(value: Double, ci95: ClosedRange<Double>? = nil) {
    self.value = value
    self.ci95 = ci95
  }

  /// Two-sided 95% normal quantile.
  static let z95 = 1.959963984540054
}
