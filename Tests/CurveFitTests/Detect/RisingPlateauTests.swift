import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// A loss that climbs slowly after it stopped falling is reported as rising, not as "improving"
/// by a negative amount.
@Suite struct RisingPlateauTests {
  /// `2 + 8·t^−0.35` to step 1,500, then climbing 0.1 nats per 1k steps, with 0.5% noise.
  static let series: LossSeries = {
    var random = SeededRandom(seed: 2)
    let steps = (1...3_000).map(Double.init)
    let losses = steps.map { step in
      (2 + 8 * Foundation.pow(min(step, 1_500), -0.35) + 1e-4 * max(0, step - 1_500)) * (1 + 0.005 * random.gaussian())
    }
    return .synthetic(steps: steps, losses: losses, source: "rising")
  }()

  @Test func aClimbingPlateauSaysItRises() throws {
    let analysis = try LossCurveAnalysis.run(Self.series, options: .init())
    let plateau = try #require(analysis.health.plateaus.last)
    // The slope inside the plateau is the climb, 0.1 nats per 1k steps (within 40%).
    #expect(abs(-plateau.improvementPer1k - 0.1) < 0.04, "\(plateau.improvementPer1k)")
    let text = Report(analysis: analysis).rendered(as: .text)
    let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("PLATEAU") })
    #expect(line.contains(": rising 0."), "\(line)")
    #expect(!text.contains("improving -") && !text.contains("improving −"), "\(line)")
  }
}
