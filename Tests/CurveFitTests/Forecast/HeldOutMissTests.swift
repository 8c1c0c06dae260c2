@testable import CurveFit
import Foundation
import Testing

@Suite("Held-out miss")
struct HeldOutMissTests {
  static func series(_ loss: (Double) -> Double, every: Double, count: Int, noise: Double) -> LossSeries {
    let steps = (1...count).map { every * Double($0) }
    let losses = steps.indices.map { loss(steps[$0]) * (1 + noise * Foundation.sin(2.3 * Double($0 + 1))) }
    let origin = SeriesOrigin(
      source: "held-out", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss"])
    return LossSeries(steps: steps, losses: losses, learningRates: nil, origin: origin)
  }

  @Test("a held-out miss of 131% at 1.25× reach is 148% per doubling; a 2% miss sets nothing")
  func arithmetic() throws {
    // ln(2.31) / √log₂(1.25) = 0.8372 / 0.5674.
    let implied = try #require(ShapeError.heldOutPerDoubling(error: 1.31, reach: 1.25))
    #expect(abs(implied - 1.4756) < 1e-3, "\(implied)")
    let wide = ShapeError(errors: [], scheduleKnown: false, heldOutMiss: (1.31, 1.25))
    #expect(wide.heldOut == implied && wide.perDoubling == implied)
    let narrow = ShapeError(errors: [], scheduleKnown: false, heldOutMiss: (0.02, 1.25))
    #expect(narrow.heldOut == nil && narrow.perDoubling == ShapeError.prior)
  }

  @Test("a loss collapsing to zero, which no power law follows, gets a band that holds its end and stays below its start")
  func collapseHoldsItsEnd() throws {
    // L = 0.3·e^(−t/400) + 0.0002, ±20% noise, logged every 25 steps to 2,500: a fine-tune
    // memorising its data. Its end at 2× is 0.000201; the pure power law projects 0.012 and
    // missed its own last fifth by 1,800%; with a prior of 1% per doubling its band was
    // 0.0050–0.0166.
    let collapse = Self.series({ 0.3 * Foundation.exp(-$0 / 400) + 2e-4 }, every: 25, count: 100, noise: 0.2)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 60
    let analysis = try LossCurveAnalysis.run(collapse, options: options)
    let forecast = try #require(analysis.forecast)
    #expect(forecast.shapeError.heldOut != nil)
    let twofold = try #require(analysis.projections.first { abs($0.factor - 2) < 1e-9 })
    let band = try #require(twofold.loss.ci95)
    #expect(band.contains(0.3 * Foundation.exp(-12.5) + 2e-4), "\(band)")
    #expect(band.contains(twofold.loss.value))
    let highest = try #require(collapse.losses.dropFirst().max())
    for projection in analysis.projections {
      #expect(try #require(projection.loss.ci95).upperBound <= highest)
    }
  }

  @Test("a clean power law's own backtest leaves its intervals alone")
  func powerLawUntouched() throws {
    let clean = Self.series({ 2 + 30 * Foundation.pow($0, -0.4) }, every: 10, count: 400, noise: 0.002)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 60
    let analysis = try LossCurveAnalysis.run(clean, options: options)
    #expect(try #require(analysis.forecast).shapeError.heldOut == nil)
  }
}
