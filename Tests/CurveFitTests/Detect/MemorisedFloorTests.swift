import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// A run that memorises its data falls steeply, then edges down near a floor. A trend that
/// undershoots that floor leaves the rest of the log elevated over it; the loss itself never goes
/// up, so it neither diverges nor spikes.
@Suite struct MemorisedFloorTests {
  /// `0.038 + 5·e^(−t/120) + 0.02·(t + 10)^−0.3` every 10 steps to 5,000, with 4% noise: the
  /// loss falls from 5 to 0.05 by step 600, then by a further 10% over the rest of the run.
  static let series: LossSeries = {
    var random = SeededRandom(seed: 3)
    let steps = stride(from: 0.0, through: 5_000, by: 10).map { $0 }
    let losses = steps.map { t in
      (0.038 + 5 * Foundation.exp(-t / 120) + 0.02 * Foundation.pow(t + 10, -0.3)) * (1 + 0.04 * random.gaussian())
    }
    return .synthetic(steps: steps, losses: losses, source: "memorised")
  }()

  @Test func aLossEdgingDownNearItsFloorNeitherDivergesNorSpikes() throws {
    // Before: "diverged at step 3,950" against a trend that kept falling below the loss, then,
    // with the divergence asking for a loss that rose, "1 spike (1 not recovered)" at ×3.1.
    let analysis = try LossCurveAnalysis.run(Self.series, options: .init())
    #expect(analysis.health.divergence == nil, "\(String(describing: analysis.health.divergence))")
    #expect(!analysis.health.spikes.contains { $0.recoveryStep == nil }, "\(analysis.health.spikes)")
    // The loss did not go up: the median of the last quarter is below that of the quarter before.
    let losses = Self.series.losses
    let quarter = losses.count / 4
    let last = Array(losses.suffix(quarter)).sorted()[quarter / 2]
    let before = Array(losses.dropLast(quarter).suffix(quarter)).sorted()[quarter / 2]
    #expect(last < before)
  }

  @Test func aLossThatDoublesAndStaysStillDiverges() throws {
    // The same run, its loss doubled from step 3,000 on: the stretch is up in the loss itself.
    let original = Self.series
    let losses = zip(original.steps, original.losses).map { $0 >= 3_000 ? 2 * $1 : $1 }
    let series = LossSeries.synthetic(steps: original.steps, losses: losses, source: "doubled")
    let analysis = try LossCurveAnalysis.run(series, options: .init())
    let divergence = try #require(analysis.health.divergence)
    #expect(abs(divergence.startStep - 3_000) <= 100, "\(divergence.startStep)")
  }
}
