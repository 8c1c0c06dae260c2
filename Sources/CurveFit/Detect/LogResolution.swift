import Foundation

/// The smallest change of the loss a log can show: `0.01` for losses printed with two decimals
/// (`loss 2.26`), 0 for losses printed in full.
///
/// A smooth loss (a running average) printed with two decimals stays at `2.26` for thousands of
/// steps late in a run while its trend falls by 0.004 nats per 1k steps: the flat digits are
/// the print, not the run, and the plateau detector called it a stall and withheld every
/// projection. It now needs the fall it expected over a window to exceed this resolution.
enum LogResolution {
  /// Decimals beyond this are read as a loss printed in full (float32 carries about seven).
  static let maximumDecimals = 8

  /// The resolution of the finite losses of `series` at `positions`, read from a sample of up
  /// to `sample` of them evenly spaced: `10^-d` for the most decimals `d` any of them needs.
  static func of(_ series: LossSeries, positions: Range<Int>, sample: Int = 2_000) -> Double {
    guard !positions.isEmpty else { return 0 }
    let stride = max(1, positions.count / sample)
    var decimals = 0
    var k = positions.lowerBound
    while k < positions.upperBound {
      let loss = series.losses[k]
      k += stride
      guard loss.isFinite, abs(loss) < 1e6 else { continue }
      decimals = max(decimals, Self.decimals(loss))
      if decimals > maximumDecimals { return 0 }
    }
    return Foundation.pow(10, -Double(decimals))
  }

  /// The fewest decimals that write `value` back exactly as parsed (up to rounding of the
  /// binary double), or `maximumDecimals + 1` when more are needed.
  static func decimals(_ value: Double) -> Int {
    var scaled = value
    for d in 0...maximumDecimals {
      if abs(scaled - scaled.rounded()) <= 1e-9 * max(1, abs(scaled)) { return d }
      scaled *= 10
    }
    return maximumDecimals + 1
  }
}
