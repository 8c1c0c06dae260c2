import Foundation

/// A small deterministic generator (SplitMix64) so synthetic data is identical on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform double in (0, 1).
  public mutating func uniform() -> Double {
    (Double(next() >> 11) + 0.5) / Double(1 << 53)
  }

  /// A standard normal draw (Box–Muller).
  public mutating func gaussian() -> Double {
    let u = uniform()
    let v = uniform()
    return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
  }
}
