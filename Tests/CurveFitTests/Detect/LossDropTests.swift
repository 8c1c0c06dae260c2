import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

@Suite("Loss drop")
struct LossDropTests {
  static let law = PowerLaw(lMin: 0.3, c: 2, alpha: 0.5)

  /// 100 epochs of a power law in 2% noise whose level is multiplied by `factor` from epoch
  /// `dropAt` on (YOLO's `close_mosaic`: the last 10 epochs), at a linear decay of the rate.
  static func series(dropAt: Double = 91, factor: Double = 0.8, noise: Double = 0.02, seed: UInt64 = 3, rates: Bool = true)
    -> LossSeries
  {
    var random = SeededRandom(seed: seed)
    let steps = (1...100).map(Double.init)
    let losses = steps.map { law($0) * ($0 >= dropAt ? factor : 1) * Foundation.exp(noise * random.gaussian()) }
    var origin = SeriesOrigin(
      source: "loss-drop", format: "csv", stepColumn: "epoch", lossColumn: "train/box_loss",
      columns: ["epoch", "train/box_loss"] + (rates ? ["lr/pg0"] : []))
    if rates { origin.learningRateColumn = "lr/pg0" }
    return LossSeries(
      steps: steps, losses: losses, learningRates: rates ? steps.map { 1e-3 * (1 - 0.0099 * ($0 - 1)) } : nil,
      origin: origin)
  }

  @Test("a step down of the level is found at its first epoch, with its size")
  func findsTheStep() throws {
    for seed: UInt64 in 1...5 {
      let drop = try #require(LossDrop.last(Self.series(seed: seed), in: 1...100, excluding: StepRanges()))
      #expect(drop.step == 91)
      // ×0.8 of a level that itself falls ~0.5% an epoch: within 0.05 over five epochs' medians.
      #expect(abs(drop.ratio - 0.8) < 0.05, "seed \(seed): ×\(drop.ratio)")
    }
  }

  @Test("a smooth fall, a recovered spike, a 5% step, a staircase and a step at the rate's own drop are not steps")
  func smoothIsNot() {
    for seed: UInt64 in 1...5 {
      #expect(LossDrop.last(Self.series(factor: 1, seed: seed), in: 1...100, excluding: StepRanges()) == nil)
      #expect(LossDrop.last(Self.series(factor: 0.95, seed: seed), in: 1...100, excluding: StepRanges()) == nil)
    }
    // A shift up by half for ten epochs that then comes back is recovering, not stepping below.
    let smooth = Self.series(factor: 1)
    let shifted = LossSeries(
      steps: smooth.steps, losses: smooth.losses.enumerated().map { $0.offset >= 60 && $0.offset < 70 ? 1.5 * $0.element : $0.element },
      learningRates: smooth.learningRates, origin: smooth.origin)
    #expect(LossDrop.last(shifted, in: 1...100, excluding: StepRanges()) == nil)
    // The rate falling 10× at the same epoch is a multi-step schedule's drop (`RateDrop`).
    let dropped = Self.series()
    let stepped = LossSeries(
      steps: dropped.steps, losses: dropped.losses, learningRates: dropped.steps.map { $0 >= 91 ? 1e-4 : 1e-3 },
      origin: dropped.origin)
    #expect(LossDrop.last(stepped, in: 1...100, excluding: StepRanges()) == nil)
    // Steps down at epochs 40, 60 and 80 are a staircase (a memorising run's epochs), not one change.
    let plain = Self.series(factor: 1)
    let stairs = LossSeries(
      steps: plain.steps,
      losses: zip(plain.steps, plain.losses).map { step, loss in loss * Foundation.pow(0.8, Double([40.0, 60, 80].filter { step >= $0 }.count)) },
      learningRates: plain.learningRates, origin: plain.origin)
    #expect(LossDrop.last(stairs, in: 1...100, excluding: StepRanges()) == nil)
    // Alone, the last of them is a step.
    #expect(LossDrop.last(Self.series(dropAt: 80), in: 1...100, excluding: StepRanges())?.step == 80)
    // Five points after the step are needed to tell it from a dip.
    #expect(LossDrop.last(Self.series(dropAt: 97), in: 1...100, excluding: StepRanges()) == nil)
  }

  @Test("the projecting curve starts at the step: 'now' is the run's level, not the curve's across it")
  func fitStartsThere() throws {
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 100
    let series = Self.series(noise: 0.01, rates: false)
    let analysis = try LossCurveAnalysis.run(series, options: options)
    #expect(analysis.fitStart == .afterLossDrop)
    #expect(analysis.fitRange.lowerBound == 91)
    let drop = try #require(analysis.lossDrop)
    #expect(abs(drop.ratio - 0.8) < 0.03)
    let truth = 0.8 * Self.law(100)
    let now = analysis.current
    // Within 2% (ten points in 1% noise); fitted across the step it ends ~8% above.
    #expect(relativeError(now.value, truth) < 0.02, "now \(now.value) vs \(truth)")
    options.range = FitRange(from: 2)
    let across = try LossCurveAnalysis.run(series, options: options).current
    #expect(relativeError(across.value, truth) > 0.04, "across the step: \(across.value)")
    // The text names the step and the JSON records it.
    let text = Report(analysis: analysis).rendered(as: .text)
    #expect(text.contains("past the loss's step down ×\(NumberFormat.significant(drop.ratio, 2))"), "\(text)")
    #expect(text.contains("at epoch 91, where the rate did not step"))
    let json = Report(analysis: analysis).rendered(as: .json)
    #expect(json.contains(#""from_step_reason": "after_loss_drop""#))
    #expect(json.contains(#""loss_drop": {"#))
  }
}
