import CurveFitTestSupport
import Foundation
import Testing

@testable import CurveFit

@Suite struct IsoFLOPTests {
  static let law = ScalingLaw(e: 1.69, a: 406.4, b: 410.7, alpha: 0.34, beta: 0.28)

  /// 5 budgets (1e18–1e22 FLOPs) × 7 sizes a factor 2 apart around each budget's true optimum
  /// (shifted by up to ±40% so the optimum is not a grid point), D = C/(6N), loss × (1 + σ·z).
  static func sweep(noise: Double, seed: UInt64) -> (n: [Double], d: [Double], loss: [Double], c: [Double]) {
    var random = SeededRandom(seed: seed)
    var table: (n: [Double], d: [Double], loss: [Double], c: [Double]) = ([], [], [], [])
    for k in 0..<5 {
      let budget = 1e18 * pow(10, Double(k))
      let optimum = law.computeOptimal(compute: budget)!.n
      let shift = exp(0.33 * (2 * random.uniform() - 1))
      for j in -3...3 {
        let n = optimum * shift * pow(2, Double(j))
        let d = budget / (6 * n)
        table.n.append(n)
        table.d.append(d)
        table.loss.append(law(n: n, d: d) * (1 + noise * random.gaussian()))
        table.c.append(budget)
      }
    }
    return table
  }

  static func analyse(_ t: (n: [Double], d: [Double], loss: [Double], c: [Double]), resamples: Int = 400) -> IsoFLOPAnalysis {
    var options = IsoFLOPAnalysis.Options()
    options.resamples = resamples
    options.budgets = [1e23]
    return IsoFLOPAnalysis.run(n: t.n, d: t.d, loss: t.loss, compute: t.c, tokensFromCompute: true, options: options)
  }

  /// At 1% noise a 7-size budget locates its own optimum only to about ±8% (1σ; the vertex of a
  /// parabola through 7 noisy points, docs/scaling.md), so no estimator puts every budget within
  /// 5% on every draw. What must hold: exponents within 0.02 on most draws and unbiased, intervals
  /// that cover the truth, and the fitted line N* = k·C^a close to the closed form.
  @Test func onePercentNoiseGivesTheLawsExponents() throws {
    let truth = Self.law.allocationExponents
    var errors: [Double] = []
    var covered = 0
    var budgetsCovered = 0
    var budgetsSeen = 0
    for seed: UInt64 in 1...10 {
      let iso = Self.analyse(Self.sweep(noise: 0.01, seed: seed), resamples: 200)
      #expect(iso.method == .parabola, "1% noise is smoothed, not interpolated")
      let a = try #require(iso.a)
      let b = try #require(iso.b)
      #expect(abs(a + b - 1) < 1e-9, "D* = C/(6N*) makes b = 1 − a")
      errors.append(a - truth.a)
      if try #require(iso.ci95).a.contains(truth.a) { covered += 1 }
      for budget in iso.budgets {
        let exact = Self.law.computeOptimal(compute: budget.compute)!.n
        budgetsSeen += 1
        if let interval = budget.ci95?.n, interval.contains(exact) { budgetsCovered += 1 }
      }
    }
    let sorted = errors.map(abs).sorted()
    // Median |error| 0.02 at most, 7 of 10 draws within 0.02, no bias beyond 0.01, and the 95%
    // intervals of a and of the budgets' N* covering the truth at least 8 times in 10.
    #expect(sorted[4] < 0.02, "median |a error| \(sorted[4])")
    #expect(sorted.filter { $0 < 0.02 }.count >= 7, "a errors \(errors)")
    #expect(abs(errors.reduce(0, +) / 10) < 0.01, "a bias \(errors)")
    #expect(covered >= 8, "a interval covered the truth \(covered) of 10 times")
    #expect(budgetsCovered * 10 >= budgetsSeen * 8, "N* intervals covered \(budgetsCovered) of \(budgetsSeen)")
  }

  @Test func preciseSweepPinsEveryBudgetWithinFivePercent() throws {
    let truth = Self.law.allocationExponents
    for seed: UInt64 in 4...6 {
      let iso = Self.analyse(Self.sweep(noise: 0.0003, seed: seed), resamples: 100)
      #expect(iso.method == .parabola, "sizes a factor 2 apart are not interpolated")
      for budget in iso.budgets {
        let exact = Self.law.computeOptimal(compute: budget.compute)!
        let n = try #require(budget.nOpt)
        let d = try #require(budget.dOpt)
        #expect(abs(n / exact.n - 1) < 0.05, "seed \(seed) C=\(budget.compute): N* \(n) vs \(exact.n)")
        #expect(abs(d / exact.d - 1) < 0.05, "seed \(seed) C=\(budget.compute): D* \(d) vs \(exact.d)")
      }
      #expect(abs(try #require(iso.a) - truth.a) < 0.02)
      #expect(abs(try #require(iso.b) - truth.b) < 0.02)
      let prediction = try #require(iso.predictions.first)
      let exact = Self.law.computeOptimal(compute: 1e23)!
      #expect(abs(prediction.n / exact.n - 1) < 0.10, "N*(1e23) \(prediction.n) vs \(exact.n)")
    }
  }

  @Test func denseSweepIsInterpolated() throws {
    // 13 sizes a factor 1.41 apart, 0.2% noise: Akima interpolation, as Porian et al.
    var random = SeededRandom(seed: 8)
    var t: (n: [Double], d: [Double], loss: [Double], c: [Double]) = ([], [], [], [])
    for k in 0..<4 {
      let budget = 1e18 * pow(10, Double(k))
      let optimum = Self.law.computeOptimal(compute: budget)!.n
      for j in -6...6 {
        let n = optimum * 1.1 * pow(2.0.squareRoot(), Double(j))
        t.n.append(n); t.d.append(budget / (6 * n)); t.c.append(budget)
        t.loss.append(Self.law(n: n, d: budget / (6 * n)) * (1 + 0.002 * random.gaussian()))
      }
    }
    let iso = Self.analyse(t, resamples: 100)
    #expect(iso.method == .interpolation)
    #expect(abs(try #require(iso.a) - Self.law.allocationExponents.a) < 0.03)
  }

  @Test func budgetWhoseMinimumIsAtAnEndIsLeftOut() throws {
    var t = Self.sweep(noise: 0.001, seed: 5)
    // Make the first budget's smallest model the best: the minimum is not bracketed.
    t.loss[0] = t.loss[0...6].min()! * 0.9
    let iso = Self.analyse(t, resamples: 50)
    #expect(iso.budgets[0].nOpt == nil)
    #expect(iso.budgets[0].excluded == "lowest loss at the smallest size tried")
    #expect(iso.budgets.dropFirst().allSatisfy { $0.nOpt != nil })
    #expect(iso.a != nil)
  }

  @Test func sweepDetectionNeedsSeveralSizesAtThreeBudgets() {
    let t = Self.sweep(noise: 0.01, seed: 6)
    #expect(IsoFLOPAnalysis.looksLikeSweep(n: t.n, compute: t.c))
    // Runs whose compute never repeats are not a sweep.
    let spread = t.c.indices.map { t.c[$0] * (1 + 0.05 * Double($0)) }
    #expect(!IsoFLOPAnalysis.looksLikeSweep(n: t.n, compute: spread))
  }

  @Test func akimaSplinePassesThroughItsPointsAndKeepsALineStraight() throws {
    let x = [0.0, 1, 2, 3, 4.5]
    let y = [1.0, 0.2, 0.1, 0.4, 2.0]
    let spline = try #require(AkimaSpline(x: x, y: y))
    for (xi, yi) in zip(x, y) { #expect(abs(spline(xi) - yi) < 1e-12) }
    let line = try #require(AkimaSpline(x: x, y: x.map { 3 * $0 - 1 }))
    for value in stride(from: 0.0, through: 4.5, by: 0.3) { #expect(abs(line(value) - (3 * value - 1)) < 1e-12) }
  }
}
