@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// A loss stepping down at each epoch boundary (the health check's sign of memorising) opens the
/// bands of the steps to come down to zero; a smooth fall across the same epochs does not.
@Suite struct EpochDropsBandTests {
  @Test("three epochs stepping down ×0.85 at each boundary open the bands; the staircase's 2× is inside")
  func staircaseOpensTheBands() throws {
    let series = EpochDropsTests.run(epochs: 3, drop: 0.85, noise: 0.03, seed: 1)
    let analysis = try OpenBelowTests.analysed(series, atStep: 6_000)
    #expect(analysis.health.epochDrops != nil)
    let forecast = try #require(analysis.forecast)
    #expect(forecast.openBelowEpochDrops && forecast.openBelow != nil && forecast.memorising == nil)
    // Three more passes at ×0.85 each: the truth at step 6,000 is 0.86, under the curve fitted
    // to the passes so far (which ends near 1.0 with a floor of about 0.8).
    let twice = try #require(analysis.projections.first { $0.factor == 2 })
    let band = try #require(twice.loss.ci95)
    #expect(band.lowerBound == 0 && band.contains(EpochDropsTests.truth(5_990, drop: 0.85)), "\(band)")
    #expect(try #require(forecast.atSteps.first?.loss.ci80).lowerBound == 0)
    #expect(try #require(analysis.current.ci95).lowerBound > 0)
  }

  @Test("the same epochs falling smoothly keep bands above zero")
  func smoothFallKeepsItsBands() throws {
    let analysis = try OpenBelowTests.analysed(EpochDropsTests.run(epochs: 3, drop: 1, noise: 0.03, seed: 1), atStep: 6_000)
    #expect(analysis.health.epochDrops == nil)
    let forecast = try #require(analysis.forecast)
    #expect(!forecast.openBelowEpochDrops && forecast.openBelow == nil)
    let band = try #require(analysis.projections.first { $0.factor == 2 }?.loss.ci95)
    #expect(band.lowerBound > 1, "\(band)")
  }
}
