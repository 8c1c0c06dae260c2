import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

@Suite("Annealing law")
struct AnnealingLawTests {
  static let truth = AnnealingLaw(l0: 2.5, a: 8, alpha: 0.5, c: 2.2e-4, lambda: 0.999)

  @Test("the closed-form areas equal the step-by-step recursion")
  func areasMatchRecursion() throws {
    // Logged every step, the knots are the schedule: the sums must agree to rounding.
    let run = SyntheticAnnealingRun(
      truth: Self.truth, total: 5_000, warmup: 200, decay: .cosine, noise: 0, seed: 1)
    let schedule = try #require(LearningRateSchedule.detect(run.series))
    let areas = schedule.observed.areas(at: run.steps, lambda: 0.999)
    for k in stride(from: 3, to: run.steps.count, by: 37) {
      #expect(relativeError(areas.s1[k], run.s1[k]) < 1e-9, "S1 at step \(run.steps[k])")
      #expect(abs(areas.s2[k] - run.s2[k]) < 1e-9 * max(1, run.s2[k]), "S2 at step \(run.steps[k])")
    }
    // Logged every 10 steps, the areas between knots come from chords of the cosine: they agree
    // to the chords' curvature (and the first 10 steps' rate, taken flat).
    let sparse = SyntheticAnnealingRun(
      truth: Self.truth, total: 5_000, warmup: 200, decay: .cosine, noise: 0, logEvery: 10, seed: 1)
    let sparseSchedule = try #require(LearningRateSchedule.detect(sparse.series))
    let sparseAreas = sparseSchedule.observed.areas(at: sparse.steps, lambda: 0.999)
    for k in stride(from: 30, to: sparse.steps.count, by: 37) {
      // Half a step at peak rate: the flat start before the first knot costs 0.23.
      #expect(abs(sparseAreas.s1[k] - sparse.s1[k]) < 0.5)
      #expect(abs(sparseAreas.s2[k] - sparse.s2[k]) < 1e-3 * max(1, sparse.s2[k]))
    }
  }

  @Test("schedules are recognised", arguments: [
    (SyntheticAnnealingRun.Decay.cosine, LearningRateSchedule.Shape.cosine),
    (.linear, .linear), (.wsd(cooldown: 0.2), .wsd), (.constant, .constant),
  ])
  func detectsShape(decay: SyntheticAnnealingRun.Decay, shape: LearningRateSchedule.Shape) throws {
    let run = SyntheticAnnealingRun(truth: Self.truth, total: 10_000, warmup: 500, decay: decay, noise: 0, logEvery: 5, seed: 2)
    let schedule = try #require(LearningRateSchedule.detect(run.series))
    #expect(schedule.shape == shape)
    #expect(abs(schedule.warmupSteps - 500) <= 5)
    #expect(relativeError(schedule.peakRate, 6e-4) < 1e-9)
    if shape == .wsd {
      let start = try #require(schedule.cooldownStart)
      #expect(abs(start - 8_000) <= 10)
    }
  }

  @Test("parameters are recovered within 5%", arguments: [
    SyntheticAnnealingRun.Decay.cosine, .wsd(cooldown: 0.2),
  ])
  func recoversParameters(decay: SyntheticAnnealingRun.Decay) throws {
    let run = SyntheticAnnealingRun(truth: Self.truth, total: 20_000, warmup: 500, decay: decay, noise: 0.002, seed: 3)
    let schedule = try #require(LearningRateSchedule.detect(run.series))
    let fit = try AnnealingLawFitter().fit(run.series, curve: schedule.observed, bounds: 1...20_000)
    #expect(fit.converged)
    #expect(relativeError(fit.model.l0, Self.truth.l0) < 0.05)
    #expect(relativeError(fit.model.a, Self.truth.a) < 0.05)
    #expect(relativeError(fit.model.alpha, Self.truth.alpha) < 0.05)
    #expect(relativeError(fit.model.c, Self.truth.c) < 0.05)
  }
}
