import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

@Suite struct ScalingLawTests {
  static let chinchilla = ScalingLaw(e: 1.69, a: 406.4, b: 410.7, alpha: 0.34, beta: 0.28)

  /// An IsoFLOP design like gen_scaling.py's: 10 budgets from 6e18 to 3e21 FLOPs, 25 sizes each
  /// from 1/10 to 10× a rough optimum, D = C/(6N), multiplicative noise.
  static func table(noise: Double, seed: UInt64) -> (n: [Double], d: [Double], loss: [Double]) {
    var random = SeededRandom(seed: seed)
    var n: [Double] = []
    var d: [Double] = []
    var loss: [Double] = []
    for k in 0..<10 {
      let budget = 6e18 * pow(500, Double(k) / 9)
      let optimum = 0.6 * pow(budget / 6, 0.5)
      for j in 0..<25 {
        let size = optimum * pow(100, Double(j) / 24) / 10
        let tokens = budget / (6 * size)
        n.append(size)
        d.append(tokens)
        loss.append(chinchilla(n: size, d: tokens) * (1 + noise * random.gaussian()))
      }
    }
    return (n, d, loss)
  }

  @Test func workedExampleDoublingHundredBillionTokens() {
    // L(D) = 2.0 + 5.0·D^-0.07 with D in billions: 5·(100^-0.07 − 200^-0.07)
    // = 5·(0.72443 − 0.69011) = 0.1716 by hand; the published figure is 0.171 (three places).
    let law = ScalingLaw(e: 2, a: 0, b: 5, alpha: 0, beta: 0.07)
    let change = law.dataDoublingChange(n: .infinity, d: 100)
    #expect(abs(change - -0.1716) < 0.0001)
    #expect(abs(change - -0.171) < 0.001)
  }

  @Test func recoversChinchillaWithinFivePercentAtLowNoise() throws {
    let data = Self.table(noise: 0.001, seed: 1)
    let fit = try ScalingLawFitter().fit(n: data.n, d: data.d, loss: data.loss, form: .both)
    #expect(fit.converged)
    let law = fit.law
    let truth = Self.chinchilla
    for (got, want) in [(law.e, truth.e), (law.a, truth.a), (law.b, truth.b), (law.alpha, truth.alpha), (law.beta, truth.beta)] {
      #expect(relativeError(got, want) < 0.05, "got \(got), want \(want)")
    }
    #expect(fit.starts == 4_500)
  }

  @Test func oneVariableLawIsChosenAndRecovered() throws {
    // L(D) = 2 + 5·D^-0.07 over D = 1…1000 (billions), N fixed.
    var random = SeededRandom(seed: 3)
    let d = (0..<40).map { pow(1000, Double($0) / 39) }
    let loss = d.map { (2 + 5 * pow($0, -0.07)) * (1 + 0.0005 * random.gaussian()) }
    let n = [Double](repeating: 1e9, count: d.count)
    #expect(ScalingAnalysis.detectForm(n: n, d: d) == .data)
    let fit = try ScalingLawFitter().fit(n: n, d: d, loss: loss, form: .data)
    #expect(fit.starts == 150)
    #expect(relativeError(fit.law.e, 2) < 0.05)
    #expect(relativeError(fit.law.b, 5) < 0.05)
    #expect(relativeError(fit.law.beta, 0.07) < 0.05)
    // Through the fitted law, doubling 100B → 200B tokens lowers the loss by 0.171.
    #expect(abs(fit.law.dataDoublingChange(n: 1e9, d: 100) - -0.171) < 0.005)
  }

  @Test func computeOptimalMatchesNumericMinimum() throws {
    let law = Self.chinchilla
    let budget = 5.76e23  // Chinchilla's own budget
    let optimum = try #require(law.computeOptimal(compute: budget))
    #expect(abs(6 * optimum.n * optimum.d / budget - 1) < 1e-12)
    // Scan N on a fine log grid along 6ND = C: no point beats the closed form.
    var best = Double.infinity
    for k in 0...4_000 {
      let size = 1e9 * pow(1e3, Double(k) / 4_000)
      best = min(best, law(n: size, d: budget / (6 * size)))
    }
    #expect(optimum.loss <= best + 1e-9)
    #expect(abs(law.allocationExponents.a - 0.28 / 0.62) < 1e-12)
  }

  @Test func bootstrapIsSeededAndCoversTheTruth() throws {
    let data = Self.table(noise: 0.01, seed: 2)
    let table = Table(
      source: "generated", format: .csv, values: [:], headers: [:], columns: [], rowsRead: 250,
      rowsSkipped: 0)
    var options = ScalingAnalysis.Options()
    options.resamples = 200
    options.seed = 7
    let first = try ScalingAnalysis.run(
      n: data.n, d: data.d, loss: data.loss, table: table, tokensFromCompute: false, options: options)
    let second = try ScalingAnalysis.run(
      n: data.n, d: data.d, loss: data.loss, table: table, tokensFromCompute: false, options: options)
    let e1 = try #require(first.quantity("E")?.ci95)
    let e2 = try #require(second.quantity("E")?.ci95)
    #expect(e1 == e2)
    #expect(first.resamplesUsed == 200)
    let alpha = try #require(first.quantity("alpha"))
    let alpha95 = try #require(alpha.ci95)
    let alpha80 = try #require(alpha.ci80)
    #expect(alpha95.contains(0.34))
    #expect(alpha95.lowerBound <= alpha80.lowerBound && alpha80.upperBound <= alpha95.upperBound)
  }

  @Test func tooFewRunsIsAnError() {
    #expect(throws: ScalingError.tooFewRuns(found: 3, needed: 6)) {
      try ScalingLawFitter().fit(n: [1, 2, 3], d: [1, 2, 3], loss: [3, 2, 1], form: .both)
    }
  }
}
