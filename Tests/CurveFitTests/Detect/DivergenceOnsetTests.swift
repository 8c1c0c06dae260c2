import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// Where a divergence starts is what a user rolls back to: it must not be placed while the run
/// was still setting new lows.
@Suite struct DivergenceOnsetTests {
  func wandbRun(_ name: String) throws -> LossSeries {
    let path = try #require(Bundle.module.url(forResource: "Fixtures/wandb-export/wandb_export.csv", withExtension: nil)).path
    let named = try LogReader().readAll(path: path, request: SeriesRequest(runs: [name]))
    return try #require(named.first { $0.name == name }).series
  }

  /// A real run (W&B export, MIT) that trains to 3.76 at step 32, blows up to 7.4 at step 37 and
  /// never comes back below 4.6. A power law through all of it is nearly flat, and against that
  /// trend the first, falling steps looked elevated: the onset used to be reported at step 2.
  @Test func blowUpHalfWayIsPlacedAtTheBestLossNotTheStart() throws {
    let series = try wandbRun("gpt2_char_to_token1729491541.2756786")
    let analysis = try LossCurveAnalysis.run(series, options: .init())
    let divergence = try #require(analysis.health.divergence)
    // Best loss 3.76 at step 32; first clearly higher losses at 34–37.
    #expect((32...37).contains(divergence.startStep))
    // With the blow-up left out the fit describes the healthy start, not a flat line.
    #expect(analysis.fit.model.lMin < 3.76)
  }

  /// Synthetic: a clean power law that turns into a steady rise at step 6,000 of 10,000.
  @Test func slowRiseOnsetIsNearTheTurn() throws {
    let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.4)
    let steps = (1...10_000).map(Double.init)
    var random = SeededRandom(seed: 3)
    let losses = steps.map { step -> Double in
      let rise = step > 6_000 ? 1 + 0.5 * (step - 6_000) / 4_000 : 1
      return truth(step) * rise * (1 + 0.005 * random.gaussian())
    }
    let series = LossSeries.synthetic(steps: steps, losses: losses, source: "rise")
    let analysis = try LossCurveAnalysis.run(series, options: .init())
    let divergence = try #require(analysis.health.divergence)
    #expect(abs(divergence.startStep - 6_000) <= 300)
  }
}
