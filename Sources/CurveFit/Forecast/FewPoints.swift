import Foundation

/// Student's t for a fit with few degrees of freedom: its bands are stretched by `t(ν)/z`.
///
/// The bootstrap's percentile interval and the normal quantiles of the shape error both assume
/// the fit's errors are known; from a handful of points they are estimated, and the interval
/// of a mean from `n` points uses `t` with `n − p` degrees of freedom for that reason. Thinned to
/// the 60 points a trainer logging every k steps keeps, the real runs cut at a tenth (6 points)
/// held their truth in 71% of the 95% bands (declared) and 74% (as fed); stretched by
/// `t(ν)/z` (3.18/1.96 at ν = 3, 1.0002 for 10,000 points), 88% and 89%. The power law's bands
/// only (`Forecast.make`).
struct FewPoints: Sendable, Equatable {
  /// Degrees of freedom: points fitted less free parameters, at least 1.
  var degreesOfFreedom: Double

  init(points: Int, parameters: Int) {
    degreesOfFreedom = Double(max(1, points - parameters))
  }

  /// `t(ν)/z` for the 95% band (two-sided, 0.975).
  var stretch95: Double { Self.quantile(0.975, z: Estimate.z95, nu: degreesOfFreedom) / Estimate.z95 }
  /// `t(ν)/z` for the 80% band (0.90).
  var stretch80: Double { Self.quantile(0.90, z: Estimate.z80, nu: degreesOfFreedom) / Estimate.z80 }

  /// Student's t quantile `q` with `nu` degrees of freedom, `z` the normal one: exact for 1 and
  /// 2, else the Cornish–Fisher expansion of Abramowitz & Stegun 26.7.5 (3.179 for 3.182 at
  /// ν = 3, q = 0.975; closer beyond).
  static func quantile(_ q: Double, z: Double, nu: Double) -> Double {
    if nu < 1.5 { return Foundation.tan(Double.pi * (q - 0.5)) }
    if nu < 2.5 { return (2 * q - 1) / (2 * q * (1 - q)).squareRoot() }
    let z2 = z * z
    let z3 = z2 * z
    let z5 = z3 * z2
    let z7 = z5 * z2
    let z9 = z7 * z2
    let g1 = (z3 + z) / 4
    let g2 = (5 * z5 + 16 * z3 + 3 * z) / 96
    let g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384
    let g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92_160
    return z + g1 / nu + g2 / (nu * nu) + g3 / (nu * nu * nu) + g4 / (nu * nu * nu * nu)
  }
}

extension Estimate {
  /// Stretches both intervals' distances from the value by `f95` and `f80`, in log space for
  /// a positive value and bands (as the calibration builds them), else linearly; the noise-only
  /// intervals are kept.
  mutating func stretch(_ f95: Double, _ f80: Double) {
    func stretched(_ band: ClosedRange<Double>?, _ f: Double) -> ClosedRange<Double>? {
      guard let band, f.isFinite, f > 1 else { return band }
      if value > 0, band.lowerBound > 0 {
        let low = value * Foundation.exp(-f * Foundation.log(value / band.lowerBound))
        let high = value * Foundation.exp(f * Foundation.log(band.upperBound / value))
        return low.isFinite && high.isFinite ? min(low, value)...max(high, value) : band
      }
      return min(value - f * (value - band.lowerBound), value)...max(value + f * (band.upperBound - value), value)
    }
    ci95 = stretched(ci95, f95)
    ci80 = stretched(ci80, f80)
  }
}
