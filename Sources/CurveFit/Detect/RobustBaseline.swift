import Foundation

/// A streaming, spike-proof estimate of a residual's level and noise scale.
///
/// - Level: an exponential moving average whose updates are clipped at ±2σ (a Huber-type
///   filter), so a spike cannot drag it up, and a sustained rise outruns it (it follows at most
///   2σ·w per point) instead of being absorbed.
/// - Scale: from first differences, `σ = E|Δr| / (2/√π)`, clipped, over the same span (a
///   shorter one makes σ itself noisy, and a 10% low σ turns z = 6 into 5.4: dozens of false
///   alarms on a 10M-row log). A slow drift or rise barely changes successive differences, so
///   it cannot inflate σ and hide itself.
/// Both cost O(1) per point whatever the span, so detection stays linear in the row count.
struct RobustBaseline {
  private(set) var level: Double
  private(set) var scale: Double
  private var previous: Double?
  private let levelWeight: Double
  private let scaleWeight: Double
  /// σ never falls below this (log-space 1e-4 is 0.01% noise), so a noise-free curve does not
  /// turn rounding errors into spikes.
  static let scaleFloor = 1e-4
  /// `σ = E|Δr| · √π/2` for independent Gaussian noise (a literal: a computed static costs a
  /// once-check per point).
  private static let sigmaPerDifference = 0.886_226_925_452_758

  /// Seeds the filter with the median of the first values and the MAD of their differences.
  init(seed: [Double], span: Int) {
    let sorted = seed.sorted()
    let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    let differences = zip(seed.dropFirst(), seed).map { abs($0 - $1) }.sorted()
    let mad = differences.isEmpty ? 0 : differences[differences.count / 2]
    level = median
    // median |Δ| of N(0, 2σ²) is 0.6745·√2·σ.
    scale = max(Self.scaleFloor, mad / (0.6745 * 2.0.squareRoot()))
    previous = seed.last
    levelWeight = 2 / (Double(max(1, span)) + 1)
    scaleWeight = 2 / (Double(max(1, span)) + 1)
  }

  /// The robust z-score of `value` against the current level and scale.
  func z(_ value: Double) -> Double { (value - level) / scale }

  /// Learns from a value that is not part of an anomaly.
  ///
  /// Written for a short dependency chain from one point's level and scale to the next's (no
  /// division, one fused multiply-add each): the scan over ten million points waits on this
  /// chain, not on arithmetic throughput.
  mutating func update(_ value: Double) {
    let step = 2 * levelWeight * scale
    level = min(max((1 - levelWeight) * level + levelWeight * value, level - step), level + step)
    if let previous {
      let difference = min(abs(value - previous), 4 * scale)
      scale = max(Self.scaleFloor, (1 - scaleWeight) * scale + scaleWeight * Self.sigmaPerDifference * difference)
    }
    previous = value
  }

  /// Moves the level to `value` after a lasting shift, keeping the noise scale.
  mutating func restart(at value: Double) {
    level = value
    previous = nil
  }

  /// Forgets the last value seen, so the first difference after an anomaly does not span it.
  mutating func skip() { previous = nil }
}
