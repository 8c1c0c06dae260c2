@testable import CurveFit
import Foundation
import Testing

/// Bands of fits from a handful of points are stretched by Student's t over the normal's z.
@Suite("Few points")
struct FewPointsTests {
  @Test("t quantiles against the tables (0.975: 12.706, 4.303, 3.182, 2.571, 2.228; 0.90 at 5: 1.476)")
  func quantiles() {
    let table: [(nu: Double, t: Double, tolerance: Double)] = [
      (1, 12.706, 1e-3), (2, 4.303, 1e-3), (3, 3.182, 5e-3), (5, 2.571, 2e-3), (10, 2.228, 1e-3), (1_000, 1.962, 1e-3),
    ]
    for row in table {
      let t = FewPoints.quantile(0.975, z: Estimate.z95, nu: row.nu)
      #expect(abs(t - row.t) < row.tolerance, "ν = \(row.nu): \(t)")
    }
    #expect(abs(FewPoints.quantile(0.90, z: Estimate.z80, nu: 5) - 1.476) < 2e-3)
    // Dense logs keep their bands: 10,000 points of a three-parameter law stretch by under 0.02%.
    #expect(FewPoints(points: 10_000, parameters: 3).stretch95 < 1.000_2)
    // Six points of the same law: ν = 3, t/z = 3.182/1.960.
    #expect(abs(FewPoints(points: 6, parameters: 3).stretch95 - 3.182 / 1.960) < 3e-3)
  }

  @Test("a stretch scales the distances from the value in log space, by hand, and keeps the noise band")
  func stretchByHand() {
    var estimate = Estimate(value: 2, ci95: 1.8...2.2)
    estimate.ci80 = 1.9...2.1
    estimate.ci95Noise = 1.9...2.1
    estimate.stretch(1.5, 1.2)
    // 2·0.9^1.5 = 1.707630, 2·1.1^1.5 = 2.307379; 2·0.95^1.2 = 1.880608, 2·1.05^1.2 = 2.120592.
    #expect(abs((estimate.ci95?.lowerBound ?? 0) - 1.707_630) < 1e-6)
    #expect(abs((estimate.ci95?.upperBound ?? 0) - 2.307_379) < 1e-6)
    #expect(abs((estimate.ci80?.lowerBound ?? 0) - 1.880_608) < 1e-6)
    #expect(abs((estimate.ci80?.upperBound ?? 0) - 2.120_592) < 1e-6)
    #expect(estimate.ci95Noise == 1.9...2.1)
    // A band reaching zero or below stretches linearly.
    var negative = Estimate(value: 0.1, ci95: -0.1...0.3)
    negative.stretch(2, 1)
    #expect(abs((negative.ci95?.lowerBound ?? 0) + 0.3) < 1e-12 && negative.ci95?.upperBound == 0.5)
  }
}
