import Foundation

extension Estimate {
  /// Widens the intervals for the extrapolation error, keeping the noise-only ones beside them.
  ///
  /// The noise interval (bootstrap or delta method) is read as a log-normal spread on each side,
  /// `σₙ = ln(high/value)/z`, and combined in quadrature with the shape error on that side:
  /// ```
  /// high = value·exp( z·√(σₙ,high² + σ_up²))
  /// low  = value·exp(−z·√(σₙ,low²  + σ_down²))
  /// ```
  /// so a projection whose curve is well determined but whose shape is not gets the width of
  /// its shape error, and the value always lies inside its own intervals (a bootstrap interval
  /// that misses the value is first stretched to include it). Values at or below zero (a
  /// difference, a floor below zero) are widened additively by `scale·σ` instead.
  ///
  /// - Parameters:
  ///   - up: relative shape error above the value (a log-normal σ).
  ///   - down: relative shape error below it.
  ///   - scale: the loss level the relative errors refer to, for additive widening.
  mutating func calibrate(up: Double, down: Double, scale: Double? = nil) {
    let noise95 = (ci95 ?? value...value)
    let noise80 = ci80 ?? shrunk(noise95, to: Estimate.z80 / Estimate.z95)
    ci95Noise = ci95
    // Without a bootstrap there is no 80% noise band: the one the calibration starts from is
    // the 95% one shrunk, not the calibrated band JSON would otherwise fall back to.
    ci80Noise = ci80 ?? (ci95 == nil ? nil : noise80)
    guard up.isFinite, down.isFinite, up >= 0, down >= 0 else { return }
    ci95 = widened(noise95, z: Estimate.z95, up: up, down: down, scale: scale)
    // Heavier tails than a normal's: the 80% interval's shape error is `tail80` of the 95% one's.
    let tail = ShapeError.tail80 * Estimate.z95 / Estimate.z80
    ci80 = widened(noise80, z: Estimate.z80, up: tail * up, down: tail * down, scale: scale)
  }

  /// For a positive value whose interval reaches zero or below, the lower end mirrored in log
  /// space from the upper one (`value²/upper`), as a log-normal band of that width would have it.
  mutating func keepPositive() {
    guard value > 0 else { return }
    if let band = ci95, band.lowerBound <= 0, band.upperBound > value {
      ci95 = value * value / band.upperBound...band.upperBound
    }
    if let band = ci80, band.lowerBound <= 0, band.upperBound > value {
      ci80 = value * value / band.upperBound...band.upperBound
    }
  }

  /// Widens each interval to hold `other`'s; true when one moved.
  mutating func hold(_ other: Estimate) -> Bool {
    var moved = false
    if let mine = ci95, let theirs = other.ci95, !(mine.lowerBound <= theirs.lowerBound && theirs.upperBound <= mine.upperBound) {
      ci95 = min(mine.lowerBound, theirs.lowerBound)...max(mine.upperBound, theirs.upperBound)
      moved = true
    }
    if let mine = ci80, let theirs = other.ci80, !(mine.lowerBound <= theirs.lowerBound && theirs.upperBound <= mine.upperBound) {
      ci80 = min(mine.lowerBound, theirs.lowerBound)...max(mine.upperBound, theirs.upperBound)
      moved = true
    }
    return moved
  }

  /// Raises the intervals' lower ends to `floor`, never above the value.
  mutating func raiseLowerBounds(to floor: Double) {
    let bottom = min(value, floor)
    if let band = ci95, band.lowerBound < bottom { ci95 = bottom...max(band.upperBound, bottom) }
    if let band = ci80, band.lowerBound < bottom { ci80 = bottom...max(band.upperBound, bottom) }
  }

  /// Scales the intervals' lower ends by `factor` (below 1), when they are above zero.
  mutating func lowerBottoms(by factor: Double) {
    guard factor > 0, factor < 1 else { return }
    if let band = ci95, band.lowerBound > 0 { ci95 = factor * band.lowerBound...band.upperBound }
    if let band = ci80, band.lowerBound > 0 { ci80 = factor * band.lowerBound...band.upperBound }
  }

  /// Lowers the intervals' lower ends to `floor` where they are above it.
  mutating func extendBelow(to floor: Double) {
    if let band = ci95, band.lowerBound > floor { ci95 = floor...band.upperBound }
    if let band = ci80, band.lowerBound > floor { ci80 = floor...band.upperBound }
  }

  /// Opens the intervals of a positive value down to zero.
  mutating func openBelow() {
    guard value > 0 else { return }
    if let band = ci95 { ci95 = 0...band.upperBound }
    if let band = ci80 { ci80 = 0...band.upperBound }
  }

  /// Lowers the intervals' upper ends to `ceiling`, never below the value.
  mutating func cap(above ceiling: Double) {
    let top = max(value, ceiling)
    if let band = ci95, band.upperBound > top { ci95 = min(band.lowerBound, top)...top }
    if let band = ci80, band.upperBound > top { ci80 = min(band.lowerBound, top)...top }
  }

  private func widened(
    _ noise: ClosedRange<Double>, z: Double, up: Double, down: Double, scale: Double?
  ) -> ClosedRange<Double> {
    let low = min(noise.lowerBound, value)
    let high = max(noise.upperBound, value)
    if let scale {
      let above = (high - value) * (high - value) + (z * up * scale) * (z * up * scale)
      let below = (value - low) * (value - low) + (z * down * scale) * (z * down * scale)
      return (value - below.squareRoot())...(value + above.squareRoot())
    }
    guard value > 0, low > 0 else {
      let level = abs(value)
      return (low - z * down * level)...(high + z * up * level)
    }
    let sigmaHigh = Foundation.log(high / value) / z
    let sigmaLow = Foundation.log(value / low) / z
    let upper = value * Foundation.exp(z * (sigmaHigh * sigmaHigh + up * up).squareRoot())
    let lower = value * Foundation.exp(-z * (sigmaLow * sigmaLow + down * down).squareRoot())
    guard upper.isFinite, lower.isFinite else { return low...high }
    return lower...upper
  }

  private func shrunk(_ range: ClosedRange<Double>, to fraction: Double) -> ClosedRange<Double> {
    (value - fraction * (value - range.lowerBound))...(value + fraction * (range.upperBound - value))
  }
}
