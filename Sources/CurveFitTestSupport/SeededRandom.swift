import CurveFit
import Foundation

/// The library's SplitMix64 with the uniform and Gaussian draws synthetic data needs, so test
/// data is identical on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  private var generator: SplitMix64

  public init(seed: UInt64) { generator = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15) }

  public mutating func next() -> UInt64 { generator.next() }

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
