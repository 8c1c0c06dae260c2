@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// Backtests too noisy to resolve an error of the prior's size raise the error per doubling
/// toward the prior instead of letting their zero spread stand as evidence.
@Suite("Shape error resolution")
struct ShapeErrorResolutionTests {
  @Test("the measured error is raised toward the prior by the weight 1/(1 + (v/p²)²), by hand")
  func unresolvedByHand() {
    // v = p²: weight ½, so √(m² + ½(p² − m²)) = √(2.5e-7 + 0.5·(6.25e-4 − 2.5e-7)) = 0.0176812.
    let half = ShapeError.unresolved(measured: 0.0005, prior: 0.025, noiseVariance: 0.025 * 0.025)
    #expect(abs(half - 0.017_681_2) < 1e-6, "\(half)")
    // Noise well under the prior (±0.1% against 2.5%): weight 1 − 2.6e-6, the measurement stands.
    let resolved = ShapeError.unresolved(measured: 0.0005, prior: 0.025, noiseVariance: 1e-6)
    #expect(resolved < 0.000_6, "\(resolved)")
    // A measurement above the prior is never lowered, however noisy the backtests.
    #expect(ShapeError.unresolved(measured: 0.04, prior: 0.025, noiseVariance: 1) == 0.04)
  }

  @Test("two backtests missing by less than noise of ±11% carry nearly the prior, by hand")
  func noisyBacktestsCarryThePrior() {
    // A trainer logging 20 single-batch losses: misses of 8.5% and 6.5% against noise variances
    // 0.0112 and 0.0142, so the measured spread is 0 (the floor, 0.05%). The median variance
    // 0.0127 is 20.32 p², weight 1/(1 + 20.32²) = 0.0024155, and the error per doubling
    // √(0.0005² + 0.9975845·(0.025² − 0.0005²)) = 0.0249702.
    let misses = [
      RollingOrigin.Miss(error: 0.085, noiseVariance: 0.0112), RollingOrigin.Miss(error: 0.065, noiseVariance: 0.0142),
    ]
    let shape = ShapeError(errors: misses, scheduleKnown: false, span: 10)
    #expect(shape.measured == 0)
    #expect(abs(shape.perDoubling - 0.024_970_2) < 1e-6, "\(shape.perDoubling)")
    #expect(shape.raisedToPrior)
    #expect(abs(shape.backtestNoise - 0.0127.squareRoot()) < 1e-12)
    // The same misses with the noise of a densely logged run: the floor stands.
    let dense = ShapeError(
      errors: [RollingOrigin.Miss(error: 0.0001, noiseVariance: 1e-6), RollingOrigin.Miss(error: 0.0002, noiseVariance: 1e-6)],
      scheduleKnown: false, span: 10)
    #expect(dense.perDoubling < 0.000_6 && !dense.raisedToPrior, "\(dense.perDoubling)")
    // Raised by under a tenth of its value is not reported as raised.
    #expect(dense.perDoubling > ShapeError.floor)
  }

  @Test("the annealing law keeps its floor: its prior is the floor itself")
  func annealingUnchanged() {
    let misses = [RollingOrigin.Miss(error: 0.01, noiseVariance: 0.01), RollingOrigin.Miss(error: 0.01, noiseVariance: 0.01)]
    let shape = ShapeError(errors: misses, scheduleKnown: true, annealing: true)
    #expect(shape.perDoubling == ShapeError.annealingFloor && !shape.raisedToPrior)
  }

  @Test("sparse, noisy logs whose backtests measure little are raised and say so; a dense one is not")
  func sparseAgainstDense() throws {
    let law = PowerLaw(lMin: 2, c: 8, alpha: 0.35)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 40
    let origin = SeriesOrigin(
      source: "sparse-synthetic", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss"])
    var raised = 0
    for seed in 1...10 as ClosedRange<UInt64> {
      var random = SeededRandom(seed: seed)
      // 20 single-batch losses, one every 1,000 steps, ±10% each: a Trainer with logging_steps 1000.
      let steps = (1...20).map { Double($0) * 1_000 }
      let losses = steps.map { law($0) * (1 + 0.10 * random.gaussian()) }
      let analysis = try LossCurveAnalysis.run(LossSeries(steps: steps, losses: losses, origin: origin), options: options)
      let shape = try #require(analysis.forecast?.shapeError)
      // Whatever the backtests measured stands when it is most of the prior; below, their noise
      // (±9–12% here, 4× the prior's 2.5%) leaves nearly the whole prior unresolved.
      guard let measured = shape.measured, ShapeError.multiplier * measured < 0.5 * ShapeError.prior else { continue }
      raised += 1
      #expect(shape.backtestNoise > 0.05, "seed \(seed): \(shape.misses)")
      #expect(shape.raisedToPrior && shape.perDoubling > 0.024, "seed \(seed): \(shape.perDoubling)")
      let text = Report(analysis: analysis).rendered(as: .text)
      #expect(text.contains("toward the prior's 2.5%") && text.contains("too coarse to resolve less"), "\(text)")
      // The raise is shown from what the backtests measured, so a small one reads as small.
      let backed = try #require(shape.backtestPerDoubling)
      #expect(backed < shape.perDoubling && text.contains("raised from the backtests' \(NumberFormat.significant(100 * backed, 2))%"), "\(text)")
    }
    #expect(raised >= 3, "only \(raised) of 10 seeds had backtests measuring under half the prior")

    let dense = try LossCurveAnalysis.run(
      SyntheticRun(truth: law, rows: 10_000, noise: 0.02, events: .init(), seed: 7).series, options: options)
    let denseShape = try #require(dense.forecast?.shapeError)
    #expect(!denseShape.raisedToPrior && denseShape.perDoubling < 0.005, "\(denseShape.perDoubling)")
  }
}
