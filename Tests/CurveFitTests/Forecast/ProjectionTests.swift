import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

@Suite struct ProjectionTests {
  let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.35)

  func analysis(target: Double? = nil) throws -> LossCurveAnalysis {
    let log = SyntheticLog(truth: truth, count: 20_000, noise: 0.005, seed: 21)
    var options = LossCurveAnalysis.Options()
    options.target = target
    return try LossCurveAnalysis.run(log.series, options: options)
  }

  @Test func projectionsWithinOnePercentOfTheTrueCurve() throws {
    let result = try analysis()
    #expect(result.projections.map(\.factor) == [2, 5, 10])
    for projection in result.projections {
      #expect(projection.step == 20_000 * projection.factor)
      #expect(relativeError(projection.loss.value, truth(projection.step)) < 0.01)
      let interval = try #require(projection.loss.ci95)
      #expect(interval.lowerBound < projection.loss.value && projection.loss.value < interval.upperBound)
    }
  }

  @Test func doublingMatchesTheClosedForm() throws {
    let result = try analysis()
    let model = result.fit.model
    // ΔL = c·t^−α·(2^−α − 1), computed independently of the model's call operator.
    let expected = model.c * pow(20_000, -model.alpha) * (pow(2, -model.alpha) - 1)
    #expect(abs(result.doubling.lossChange.value - expected) < 1e-12)
    #expect(result.doubling.fromStep == 20_000 && result.doubling.toStep == 40_000)
    // Against the truth: 8·20000^−0.35·(2^−0.35 − 1) = −0.0362…
    let trueChange = truth(40_000) - truth(20_000)
    #expect(abs(result.doubling.lossChange.value - trueChange) < 0.02 * abs(trueChange))
  }

  @Test func targetStepInClosedForm() throws {
    let result = try analysis(target: 2.2)
    guard case .reachable(let step)? = result.target?.outcome else {
      Issue.record("target 2.2 should be reachable")
      return
    }
    // True step: (8 / 0.2)^(1/0.35) = 37,… ; by hand 40^(2.857) ≈ 37,702.
    let trueStep = pow(40.0, 1 / 0.35)
    #expect(relativeError(step.value, trueStep) < 0.05)
    #expect(abs(result.fit.model(step.value) - 2.2) < 1e-9)
  }

  @Test("a target below the loss now is not reached before the last step, whatever the band")
  func targetStepNotBeforeNow() throws {
    // L(20,000) = 2 + 8·20000^−0.35 = 2.249; 2.24 is reached at (8/0.24)^(1/0.35) ≈ 22,500, a
    // step whose band, from the shape error over a shallow slope, reached back before 20,000.
    let result = try analysis(target: 2.24)
    guard case .reachable(let step)? = result.target?.outcome else {
      Issue.record("target 2.24 should be reachable")
      return
    }
    #expect(relativeError(step.value, pow(8 / 0.24, 1 / 0.35)) < 0.05)
    let band = try #require(step.ci95)
    #expect(band.lowerBound >= 20_000 && band.contains(step.value), "\(band)")
    #expect(try #require(step.ci80).lowerBound >= 20_000)
  }

  @Test func targetBelowFloorIsUnreachable() throws {
    let result = try analysis(target: 1.5)
    guard case .unreachable(let floor)? = result.target?.outcome else {
      Issue.record("target 1.5 is below the floor 2.0")
      return
    }
    #expect(abs(floor - 2) < 0.04)
  }

  @Test("an informational row whose loss is at or below zero is withheld, a positive one kept")
  func nonPositiveRowsAreWithheld() {
    // Whisper-small cut at half: the rejected annealing law's 10x row read -0.00018 nats.
    var crossed = Projection(factor: 10, step: 25_000, loss: Estimate(value: -0.00018), schedule: "stretched")
    crossed.withholdIfNotPositive()
    #expect(crossed.withheld?.contains("at or below zero") == true)
    var undefined = Projection(factor: 5, step: 12_500, loss: Estimate(value: .nan), schedule: "stretched")
    undefined.withholdIfNotPositive()
    #expect(undefined.withheld != nil)
    var kept = Projection(factor: 2, step: 5_000, loss: Estimate(value: 0.0002), schedule: "stretched")
    kept.withholdIfNotPositive()
    #expect(kept.withheld == nil)
  }
}
