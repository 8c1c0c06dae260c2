import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// A loss printed with few decimals stays flat for thousands of steps late in a run; that is the
/// print, not a plateau. A run that really stops falling is still one.
@Suite struct LogResolutionTests {
  /// `2 + 5·t^−0.3` with 0.1% noise every 10 steps to 20,000, stalled from `stall` on (the
  /// loss there), printed with two decimals.
  static func printed(stall: Double = .infinity) -> LossSeries {
    var random = SeededRandom(seed: 5)
    let steps = stride(from: 1.0, through: 20_000, by: 10).map { $0 }
    let losses = steps.map { step in
      let loss = (2 + 5 * Foundation.pow(min(step, stall), -0.3)) * (1 + 0.001 * random.gaussian())
      return (loss * 100).rounded() / 100
    }
    return .synthetic(steps: steps, losses: losses, source: "printed")
  }

  @Test func decimalsAreReadAsPrinted() {
    #expect(LogResolution.decimals(2.26) == 2)
    #expect(LogResolution.decimals(3) == 0)
    #expect(LogResolution.decimals(0.0001) == 4)
    // A float32 written in full needs more decimals than any print: no resolution.
    #expect(LogResolution.decimals(Double(Float(2.2567891))) > LogResolution.maximumDecimals)
    let series = Self.printed()
    #expect(LogResolution.of(series, positions: 0..<series.count) == 0.01)
  }

  @Test func aSmoothLossPrintedWithTwoDecimalsIsNotAPlateau() throws {
    // From step 18,000 to 20,000 the curve falls by 0.008 nats, less than one printed 0.01.
    let analysis = try LossCurveAnalysis.run(Self.printed(), options: .init())
    #expect(analysis.health.plateaus.isEmpty, "\(analysis.health.plateaus)")
    let twofold = try #require(analysis.projections.first { $0.factor == 2 })
    // The truth at 2× (step 39,982): 2 + 5·39,982^−0.3 = 2.2091, within 1%.
    #expect(abs(twofold.loss.value / (2 + 5 * Foundation.pow(39_982, -0.3)) - 1) < 0.01, "\(twofold.loss.value)")
  }

  @Test func aRunThatStopsFallingIsStillAPlateauWhenPrintedCoarsely() throws {
    // Stalled from step 8,000: the trend expected a further fall of 0.08 nats, eight printed steps.
    let analysis = try LossCurveAnalysis.run(Self.printed(stall: 8_000), options: .init())
    let plateau = try #require(analysis.health.plateaus.last)
    #expect(plateau.ongoing)
    #expect(plateau.startStep >= 8_000 && plateau.startStep <= 12_000, "\(plateau.startStep)")
  }
}
