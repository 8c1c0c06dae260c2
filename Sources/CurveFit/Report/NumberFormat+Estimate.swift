import Foundation

/// Estimates as the reports print them: a loss to the precision its interval warrants.
extension NumberFormat {
  /// A loss to the precision its interval warrants: `3.21 (3.18–3.25)`.
  static func estimate(_ estimate: Estimate, digits: Int = 3) -> String {
    guard let interval = estimate.ci95 else { return significant(estimate.value, 4) }
    let width = interval.upperBound - interval.lowerBound
    let decimals = decimalsFor(width: width, value: estimate.value, digits: digits)
    return String(
      format: "%.\(decimals)f (%.\(decimals)f–%.\(decimals)f)",
      estimate.value, interval.lowerBound, interval.upperBound)
  }

  /// A loss alone, to the same precision as `estimate` would print it.
  static func loss(_ estimate: Estimate, digits: Int = 3) -> String {
    guard let interval = estimate.ci95 else { return significant(estimate.value, 4) }
    let decimals = decimalsFor(
      width: interval.upperBound - interval.lowerBound, value: estimate.value, digits: digits)
    return String(format: "%.\(decimals)f", estimate.value)
  }
}
