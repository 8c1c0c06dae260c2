import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// A long log's schedule is read from a spread of its rates (`LearningRateSchedule.spread`):
/// the same end and floor as from every rate, at a fraction of the cost.
@Suite("Long log schedule")
struct LongLogScheduleTests {
  /// Rates at every step from 1 to `cut` of a linear warm-up over `warmup` steps, then `decay`
  /// from the peak to `floor` at `total`, beside a power-law loss.
  static func series(total: Double, warmup: Double, cut: Int, floor: Double, decay: LearningRateSchedule.Decay) -> LossSeries {
    let steps = (1...cut).map(Double.init)
    let rates = steps.map { step in
      step < warmup ? 3e-4 * step / warmup : 3e-4 * (floor + (1 - floor) * decay((step - warmup) / (total - warmup)))
    }
    var origin = SeriesOrigin(
      source: "long-log", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss", "lr"])
    origin.learningRateColumn = "lr"
    return LossSeries(steps: steps, losses: steps.map { 2 + 8 * Foundation.pow($0, -0.35) }, learningRates: rates, origin: origin)
  }

  @Test("a cosine to 10% over 100,000 steps, logged at each of its first 60,000, ends at 100,000 at 10%")
  func cosineOfSixtyThousandRates() throws {
    let schedule = try #require(LearningRateSchedule.detect(
      Self.series(total: 100_000, warmup: 1_000, cut: 60_000, floor: 0.1, decay: LearningRateSchedule.cosineDecay)))
    #expect(schedule.shape == .cosine)
    #expect(abs(schedule.plannedEnd - 100_000) / 100_000 < 0.005, "\(schedule.plannedEnd)")
    #expect(abs(schedule.floorRatio - 0.1) < 0.005, "\(schedule.floorRatio)")
    #expect(abs(schedule.warmupSteps - 1_000) <= 2, "\(schedule.warmupSteps)")
  }

  @Test("a line to zero over 50,000 steps, logged at each of its first 30,000, ends at 50,000")
  func lineOfThirtyThousandRates() throws {
    let schedule = try #require(LearningRateSchedule.detect(
      Self.series(total: 50_000, warmup: 500, cut: 30_000, floor: 0, decay: LearningRateSchedule.linearDecay)))
    #expect(schedule.shape == .linear)
    #expect(abs(schedule.plannedEnd - 50_000) / 50_000 < 0.005, "\(schedule.plannedEnd)")
    #expect(schedule.floorRatio < 0.005, "\(schedule.floorRatio)")
  }

  @Test("the spread keeps the first and last index, in order, at most 4,096 of them")
  func spreadKeepsTheEnds() {
    let indices = Array(7..<60_007)
    let spread = LearningRateSchedule.spread(indices)
    #expect(spread.count == LearningRateSchedule.shapeKnots)
    #expect(spread.first == 7 && spread.last == 60_006)
    #expect(zip(spread, spread.dropFirst()).allSatisfy { $0 < $1 })
    #expect(LearningRateSchedule.spread(Array(0..<100)) == Array(0..<100))
  }
}
