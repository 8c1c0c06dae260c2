@testable import CurveFit
import Testing

/// `Forecast.changeLossRows`, the one walk over the projected loss rows every band change uses:
/// a row kind it missed would keep a band the others lost.
@Suite("The walk over projected loss rows")
struct LossRowWalkTests {
  private func rows(lastStep: Double) -> Forecast.Rows {
    let loss = Estimate(value: 2, ci95: 1.9...2.1)
    return Forecast.Rows(
      current: loss,
      projections: [2, 5, 10].map { Projection(factor: $0, step: $0 * lastStep, loss: loss) },
      doubling: DoublingEffect(fromStep: lastStep, toStep: 2 * lastStep, lossChange: Estimate(value: -0.1)),
      target: nil)
  }

  private func forecast(lastStep: Double, atSteps: [Double], end: Double) -> Forecast {
    var forecast = Forecast(law: .power, shapeError: ShapeError(errors: [], scheduleKnown: true))
    forecast.plannedEnd = Forecast.PlannedEnd(step: end, loss: Estimate(value: 2, ci95: 1.9...2.1), source: .totalSteps)
    forecast.atSteps = atSteps.map { Projection(factor: $0 / lastStep, step: $0, loss: Estimate(value: 2, ci95: 1.9...2.1)) }
    return forecast
  }

  @Test("every row past the cut is met once, an --at-step row before the planned end with that end")
  func everyRowOnce() {
    var rows = rows(lastStep: 1_000)
    var forecast = forecast(lastStep: 1_000, atSteps: [500, 1_500, 4_000], end: 3_000)
    var seen: [(step: Double, end: Double?)] = []
    let changed = Forecast.changeLossRows(&rows, &forecast, after: 1_000) { estimate, step, end in
      seen.append((step, end))
      estimate.ci95 = 0...3
      return step == 4_000
    }
    // 2×/5×/10×, the planned end, and the --at-step rows past the cut: not the one at step 500.
    #expect(seen.map(\.step).sorted() == [1_500, 2_000, 3_000, 4_000, 5_000, 10_000])
    #expect(seen.first { $0.step == 1_500 }?.end == 3_000, "an --at-step row before the end is this run's loss there")
    #expect(seen.first { $0.step == 4_000 }?.end == nil, "past the end, the final loss of a run that long")
    #expect(seen.first { $0.step == 3_000 }?.end == nil, "the planned end is its own end")
    #expect(changed, "the one row that said it changed is reported")
    #expect(rows.projections.allSatisfy { $0.loss.ci95 == 0...3 })
    #expect(forecast.plannedEnd?.loss.ci95 == 0...3)
    #expect(forecast.atSteps.map(\.loss.ci95) == [1.9...2.1, 0...3, 0...3], "the row at step 500 is before the cut")
  }

  @Test("with no cut every row is met, and nothing changed is reported as such")
  func noCut() {
    var rows = rows(lastStep: 1_000)
    var forecast = forecast(lastStep: 1_000, atSteps: [500], end: 3_000)
    var count = 0
    let changed = Forecast.changeLossRows(&rows, &forecast) { _, _, _ in
      count += 1
      return false
    }
    #expect(count == 5)
    #expect(!changed)
  }
}
