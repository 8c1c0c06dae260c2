import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

/// NaN or infinite losses a run went on from (a loss scaler's skipped step) are no divergence;
/// NaNs the log ends on, or after which the loss stays up, still are.
@Suite struct SkippedNonFiniteTests {
  /// `2 + 8·t^−0.4` with 0.5% noise, steps 1–1,000; `broken` says which steps log `value`.
  static func run(value: Double = .nan, broken: (Int) -> Bool, after: ((Int) -> Double?)? = nil) -> LossSeries {
    var random = SeededRandom(seed: 11)
    let steps = (1...1_000).map(Double.init)
    let losses = (1...1_000).map { step -> Double in
      let loss = (2 + 8 * Foundation.pow(Double(step), -0.4)) * (1 + 0.005 * random.gaussian())
      if broken(step) { return value }
      return after?(step) ?? loss
    }
    return .synthetic(steps: steps, losses: losses, source: "run")
  }

  @Test func oneNaNMidRunIsSkippedAndTheRunProjected() throws {
    let series = Self.run { $0 == 500 }
    let clean = series.keeping { $0 != 499 }
    let options = LossCurveAnalysis.Options()
    let analysis = try LossCurveAnalysis.run(series, options: options)
    // Before: "diverging at step 500", every projection withheld.
    #expect(analysis.health.divergence == nil)
    let skipped = try #require(analysis.health.skippedNonFinite)
    #expect(skipped.count == 1 && skipped.firstStep == 500 && skipped.lastStep == 500)
    #expect(skipped.finiteAfter == 500)
    #expect(analysis.forecast?.withheld == nil)
    // The fit is the one of the log without its NaN: the floor of 2 within 0.05.
    let reference = try LossCurveAnalysis.run(clean, options: options)
    #expect(abs(analysis.fit.model.lMin - reference.fit.model.lMin) < 1e-9)
    #expect(abs(analysis.fit.model.lMin - 2) < 0.05, "L_min \(analysis.fit.model.lMin)")
    #expect(HealthVerdict(analysis.health).sentence == "healthy · 1 non-finite loss skipped at step 500")
  }

  @Test func infinitiesThroughoutAreSkipped() throws {
    // Every 37th step overflows, the last at step 999: one finite loss after it.
    let analysis = try LossCurveAnalysis.run(
      Self.run(value: .infinity) { $0 % 37 == 0 }, options: LossCurveAnalysis.Options())
    #expect(analysis.health.divergence == nil)
    let skipped = try #require(analysis.health.skippedNonFinite)
    #expect(skipped.count == 27 && skipped.firstStep == 37 && skipped.lastStep == 999)
    #expect(skipped.finiteAfter == 1_000 - 36 - 27)
  }

  @Test func aLogEndingInNaNHasDiverged() throws {
    let analysis = try LossCurveAnalysis.run(
      Self.run { $0 == 500 || $0 == 1_000 }, options: LossCurveAnalysis.Options())
    let divergence = try #require(analysis.health.divergence)
    #expect(divergence.severity == .critical && divergence.firstNonFiniteStep == 500)
    #expect(analysis.health.skippedNonFinite == nil)
  }

  @Test func aNaNTooNearTheEndIsStillAWarning() throws {
    // Ten finite losses after it cannot show that the run went on (20 are asked).
    let analysis = try LossCurveAnalysis.run(Self.run { $0 == 990 }, options: LossCurveAnalysis.Options())
    let divergence = try #require(analysis.health.divergence)
    #expect(divergence.severity == .warning && divergence.startStep == 990)
    #expect(analysis.health.skippedNonFinite == nil)
  }

  @Test func NaNsThenALossStuckHighAreWhereTheRunBroke() throws {
    // NaN for steps 500–519, then finite again near 7 nats, far above the trend's 2.4.
    let series = Self.run(broken: { (500..<520).contains($0) }, after: { $0 >= 520 ? 7 : nil })
    let analysis = try LossCurveAnalysis.run(series, options: LossCurveAnalysis.Options())
    #expect(analysis.health.divergence != nil)
    #expect(analysis.health.skippedNonFinite == nil)
  }
}
