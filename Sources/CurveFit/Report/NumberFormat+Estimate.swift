import Foundation

/// Estimates as the reports print them: a loss to the precision its interval warrants.
extension NumberFormat {
  /// A loss to the precision its interval warrants: `3.21 (3.18–3.25)`.
  static func estimate(_ estimate: Estimate, digits: Int = 3) -> String {
    guard let interval = estimate.ci95 else { return significant(estimate.value, 4) }
    let width = interval.upperBound - interval.lowerBound
    let decimals = decimalsFor(width: width, value: estimate.value, digits: digits)
    // A band open down to zero (a loss that may fall to near zero) reads "0", not "0.00000".
    let lower = interval.lowerBound == 0 ? "0" : String(format: "%.\(decimals)f", interval.lowerBound)
    return String(format: "%.\(decimals)f (", estimate.value) + lower
      + String(format: "–%.\(decimals)f)", interval.upperBound)
  }

  /// A loss alone, to the same precision as `estimate` would print it.
  static func loss(_ estimate: Estimate, digits: Int = 3) -> String {
    guard let interval = estimate.ci95 else { return significant(estimate.value, 4) }
    let decimals = decimalsFor(
      width: interval.upperBound - interval.lowerBound, value: estimate.value, digits: digits)
    return String(format: "%.\(decimals)f", estimate.value)
  }
}
