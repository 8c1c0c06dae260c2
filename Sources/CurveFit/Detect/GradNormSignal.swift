import Foundation

/// The gradient norm as a second signal: gradient spikes often come a few steps before, or with,
/// a loss spike.
///
/// The log of the gradient norm gets the same robust baseline as the loss (clipped moving level,
/// difference-based noise scale). It is streamed beside the loss scan, keeping only the last
/// `lookback + 1` z-scores, so ten million rows cost no extra memory. A loss excursion that a
/// gradient spike backs up needs a lower z to count (`supportedZ`), and every spike reports the
/// gradient's z and how many steps it came first.
struct GradNormSignal {
  static let lookback = 10
  private let gradNorms: [Double]
  private let start: Int
  private var baseline: RobustBaseline
  /// The last `lookback + 1` z-scores, by position modulo the ring size.
  private var ring = [Double](repeating: -.infinity, count: GradNormSignal.lookback + 1)
  /// `k % ring.count` for the last `k` advanced to, kept by counting: a division per row costs
  /// more than the rest of `advance`.
  private var slot = -1
  private let options: HealthOptions

  /// `nil` without a gradient-norm column or with fewer than 10 usable values.
  init?(series: LossSeries, residuals: Residuals, options: HealthOptions) {
    guard let gradNorms = series.gradNorms else { return nil }
    var seed: [Double] = []
    for index in residuals.start..<gradNorms.count where gradNorms[index].isFinite && gradNorms[index] > 0 {
      seed.append(Foundation.log(gradNorms[index]))
      if seed.count == 50 { break }
    }
    guard seed.count >= 10 else { return nil }
    self.gradNorms = gradNorms
    self.start = residuals.start
    self.options = options
    baseline = RobustBaseline(seed: seed, span: options.baselineSpan)
  }

  /// Takes in position `k`; call it for every position in order. O(1), no allocation.
  mutating func advance(to k: Int) {
    let value = gradNorms[start + k]
    var z = -Double.infinity
    if value.isFinite, value > 0 {
      let logged = Foundation.log(value)
      z = baseline.z(logged)
      // Gradient spikes must not teach the baseline either.
      if z < options.spikeZ { baseline.update(logged) }
    }
    slot = slot + 1 == ring.count ? 0 : slot + 1
    ring[slot] = z
  }

  /// The highest gradient z over `[max(k − lookback, floor), k]` and where it was; valid right
  /// after `advance(to: k)`. `floor` keeps an earlier event's gradient spike from backing this one.
  func recent(at k: Int, notBefore floor: Int = 0) -> (z: Double, position: Int) {
    var best = (z: -Double.infinity, position: k)
    for back in 0...max(0, min(Self.lookback, k - floor)) {
      let z = ring[(slot - back + ring.count) % ring.count]
      if z > best.z { best = (z, k - back) }
    }
    return best
  }

  /// The robust z a loss excursion needs when a gradient spike backs it up.
  static func supportedZ(_ options: HealthOptions) -> Double { options.spikeZ * 2 / 3 }
}
