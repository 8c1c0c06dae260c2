@testable import CurveFit
import CurveFitTestSupport
import LeastSquares
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

  @Test("a straight decay runs on to zero unless it has reached its floor")
  func straightDecayEnd() throws {
    // Cut at 40%: the line through the rates meets zero at the planned end.
    let toZero = SyntheticAnnealingRun(truth: Self.truth, total: 10_000, warmup: 500, decay: .linear, floor: 0, noise: 0, logEvery: 5, seed: 2)
    let count = toZero.steps.upperIndex(atMost: 4_000)
    let cut = LossSeries(
      steps: Array(toZero.steps[..<count]), losses: Array(toZero.losses[..<count]),
      learningRates: Array(toZero.rates[..<count]), origin: toZero.series.origin)
    let partial = try #require(LearningRateSchedule.detect(cut))
    #expect(partial.shape == .linear && partial.floorRatio == 0 && partial.decayKnown)
    #expect(abs(partial.plannedEnd - 10_000) < 10, "planned end \(partial.plannedEnd)")
    #expect(partial.summary.hasSuffix("decay planned to end near step 10,000"), "\(partial.summary)")
    // The whole run ends where its rate reaches zero.
    let whole = try #require(LearningRateSchedule.detect(toZero.series))
    #expect(abs(whole.plannedEnd - 10_000) < 10)
    // A decay that reached its floor and held it has ended: nothing runs on.
    let steps = (1...2_000).map { Double($0 * 5) }
    let rates = steps.map { step in step <= 500 ? step / 500 : max(0.1, 1 - 0.9 * (step - 500) / 7_000) }
    let floored = LossSeries(
      steps: steps, losses: steps.map { 3 + 10 / $0 }, learningRates: rates, origin: toZero.series.origin)
    let flat = try #require(LearningRateSchedule.detect(floored))
    #expect(flat.plannedEnd <= 10_000 && abs(flat.floorRatio - 0.1) < 1e-6, "\(flat.summary)")
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
    #expect(fit.warnings.isEmpty, "\(fit.warnings)")
  }

  @Test("a loss collapsing a thousandfold under a linear decay gets a fit that says it is not the curve")
  func collapseIsNotTheLaw() throws {
    // L = 4.2·e^(−t/150) + 0.003 (a fine-tune memorising its data), ±15% noise, logged every 10
    // steps to 1,500, the rate falling linearly from 0.02 to 0 at 3,000: fitted on log losses the
    // law misses the first steps by a factor of ten, worse than a flat line in loss units.
    let steps = (1...150).map { 10 * Double($0) }
    let losses = steps.indices.map {
      (4.2 * Foundation.exp(-steps[$0] / 150) + 0.003) * (1 + 0.15 * Foundation.sin(2.3 * Double($0 + 1)))
    }
    let series = LossSeries(
      steps: steps, losses: losses, learningRates: steps.map { 0.02 * (1 - $0 / 3_000) },
      origin: SeriesOrigin(source: "collapse", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss", "lr"]))
    let schedule = try #require(LearningRateSchedule.detect(series))
    let fit = try AnnealingLawFitter().fit(series, curve: schedule.observed, bounds: 1...1_500)
    #expect(fit.r2 < 0)
    #expect(fit.warnings.contains { $0.contains("worse than their mean loss") }, "\(fit.warnings)")
  }
}

@Suite("Schedule-aware projections")
struct ScheduleProjectionTests {
  static let truth = AnnealingLawTests.truth

  /// Fitted on the first 60% of steps with the whole logged schedule known, the annealing law
  /// predicts the final loss within 1%; the power law fitted to the same steps misses by more.
  /// WSD's cooldown is half the run here: a fit that sees no decay cannot measure `C` (the
  /// fitter says so, tested below).
  @Test("fitted on 60%, the final loss within 1%, better than the power law", arguments: [
    SyntheticAnnealingRun.Decay.cosine, .wsd(cooldown: 0.5), .linear,
  ])
  func predictsFinalLoss(decay: SyntheticAnnealingRun.Decay) throws {
    let run = SyntheticAnnealingRun(truth: Self.truth, total: 20_000, warmup: 500, decay: decay, noise: 0.005, seed: 5)
    let schedule = try #require(LearningRateSchedule.detect(run.series))
    let split = 0.6 * 20_000
    let fit = try AnnealingLawFitter().fit(run.series, curve: schedule.observed, bounds: 1...split)
    let finalTruth = Self.truth(s1: run.s1.last!, s2: run.s2.last!)
    let predicted = fit.model.finalLoss(on: schedule.observed)
    var powerFitter = PowerLawFitter()
    powerFitter.range = FitRange(from: 500, to: split)
    let power = try powerFitter.fit(run.series)
    let powerError = relativeError(power.model(20_000), finalTruth)
    let annealingError = relativeError(predicted, finalTruth)
    #expect(annealingError < 0.01)
    #expect(powerError > annealingError)
    #expect(powerError > 0.01)
  }

  @Test("a WSD run cut before its cooldown borrows C from the prior, and without it cannot measure C")
  func noDecayNoFit() throws {
    let run = SyntheticAnnealingRun(truth: Self.truth, total: 20_000, warmup: 500, decay: .wsd(cooldown: 0.2), noise: 0.005, seed: 6)
    let schedule = try #require(LearningRateSchedule.detect(run.series))
    var alone = AnnealingLawFitter()
    alone.prior = nil
    #expect(throws: FitError.self) {
      try alone.fit(run.series, curve: schedule.observed, bounds: 1...12_000)
    }
    // No decay seen: C is the prior's centre, 6% of the loss at step 12,000 per unit of rate
    // decayed, times 1 − λ (by hand: 0.06 × 2.574 × 0.001 = 1.54e-4).
    let fit = try AnnealingLawFitter().fit(run.series, curve: schedule.observed, bounds: 1...12_000)
    let level = Self.truth(s1: run.s1[run.steps.upperIndex(atMost: 12_000) - 1], s2: 0)
    #expect(relativeError(fit.model.c, 0.06 * level * (1 - 0.999)) < 0.01)
    #expect(relativeError(fit.model.l0, Self.truth.l0) < 0.05)
  }

  @Test("a cosine run cut at a tenth projects its end within 2% when its bonus is the prior's")
  func priorCarriesAShortPrefix() throws {
    // A run whose full decay is worth 6% of its loss, as the real runs' median: C = 0.06 × L / 1000.
    let truth = AnnealingLaw(l0: 2.5, a: 8, alpha: 0.5, c: 0.06 * 2.6 * 0.001, lambda: 0.999)
    let run = SyntheticAnnealingRun(truth: truth, total: 20_000, warmup: 500, decay: .cosine, noise: 0.005, seed: 8)
    let schedule = try #require(LearningRateSchedule.detect(run.series))
    let endTruth = truth(s1: run.s1[run.s1.count - 1], s2: run.s2[run.s2.count - 1])
    let fit = try AnnealingLawFitter().fit(run.series, curve: schedule.observed, bounds: 1...2_000)
    let projected = fit.model.finalLoss(on: schedule.observed)
    #expect(relativeError(projected, endTruth) < 0.02, "projected \(projected) vs truth \(endTruth)")
    // The data alone, from 3% of the decay, place C nowhere near: the prior is what carries it.
    var alone = AnnealingLawFitter()
    alone.prior = nil
    let unaided = try alone.fit(run.series, curve: schedule.observed, bounds: 1...2_000)
    #expect(relativeError(unaided.model.finalLoss(on: schedule.observed), endTruth) > relativeError(projected, endTruth))
  }

  @Test("the exponent's prior leaves α to a log that shows it", arguments: [0.25, 1.0])
  func exponentPriorYieldsToData(alpha: Double) throws {
    // α far from the prior's centre (0.5) on either side, over a whole cosine run.
    let truth = AnnealingLaw(l0: 2.5, a: 8 * Foundation.pow(5, alpha - 0.5), alpha: alpha, c: 2.2e-4, lambda: 0.999)
    let run = SyntheticAnnealingRun(truth: truth, total: 20_000, warmup: 500, decay: .cosine, noise: 0.002, seed: 9)
    let schedule = try #require(LearningRateSchedule.detect(run.series))
    let fitter = AnnealingLawFitter()
    let fit = try fitter.fit(run.series, curve: schedule.observed, bounds: 1...20_000)
    #expect(relativeError(fit.model.alpha, alpha) < 0.05, "α \(fit.model.alpha)")
    let use = try #require(fitter.prior?.use(in: fit))
    #expect(use.exponent == 0.5)
    #expect(use.exponentDataShare > 0.9, "data share \(use.exponentDataShare)")
  }

  @Test("cut at a tenth soon after a long warm-up, α leans on its prior: within 2% of the end, and no fit falls for ever")
  func exponentPriorCarriesAShortPrefix() throws {
    // A warm-up of 6.5% of the run (as the Smol Playbook's 3M-token batches) leaves a tenth of
    // the run a short span of S1 past it: noisy losses there trade α against L0. Its α, 0.65,
    // is not the prior's centre.
    let truth = AnnealingLaw(l0: 2.5, a: 20, alpha: 0.65, c: 0.06 * 2.6 * 0.001, lambda: 0.999)
    var worst = (withPrior: 0.0, without: 0.0)
    for seed: UInt64 in 10...12 {
      let run = SyntheticAnnealingRun(truth: truth, total: 20_000, warmup: 1_300, decay: .cosine, noise: 0.02, seed: seed)
      let schedule = try #require(LearningRateSchedule.detect(run.series))
      let endTruth = truth(s1: run.s1[run.s1.count - 1], s2: run.s2[run.s2.count - 1])
      let fitter = AnnealingLawFitter()
      let fit = try fitter.fit(run.series, curve: schedule.observed, bounds: 1...2_000)
      var free = AnnealingLawFitter()
      free.prior?.exponent = 0
      let unaided = try free.fit(run.series, curve: schedule.observed, bounds: 1...2_000)
      #expect(try #require(free.prior?.use(in: unaided)).exponent == nil)
      let share = try #require(fitter.prior?.use(in: fit)).exponentDataShare
      #expect(share < 0.5, "seed \(seed): α's data share \(share)")
      let withPrior = relativeError(fit.model.finalLoss(on: schedule.observed), endTruth)
      #expect(withPrior < 0.02, "seed \(seed): \(withPrior) with the prior, α \(fit.model.alpha)")
      worst.withPrior = max(worst.withPrior, withPrior)
      worst.without = max(worst.without, relativeError(unaided.model.finalLoss(on: schedule.observed), endTruth))
    }
    // Without it one seed slides to α ≈ 0.05 with L0 at zero and misses by 6%.
    #expect(worst.without > 0.04)
    #expect(worst.withPrior < worst.without / 3)
  }

  @Test("the analysis picks the annealing law for a decayed run and projects stretched schedules")
  func choosesAnnealing() throws {
    let run = SyntheticAnnealingRun(truth: Self.truth, total: 20_000, warmup: 500, decay: .cosine, noise: 0.005, seed: 7)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 100
    // 0.02 nats below the run's true final loss: reachable by a longer run, not by this one.
    let target = Self.truth(s1: run.s1.last!, s2: run.s2.last!) - 0.02
    options.target = target
    let analysis = try LossCurveAnalysis.run(run.series, options: options)
    let result = try #require(analysis.schedule)
    #expect(result.chosen)
    #expect(result.schedule.shape == .cosine)
    #expect(analysis.projections.allSatisfy { $0.schedule == "stretched" })
    // The 2× projection is the final loss of a 40,000-step cosine run, from the law's truth.
    let stretched = SyntheticAnnealingRun(truth: Self.truth, total: 40_000, warmup: 500, decay: .cosine, noise: 0, seed: 7)
    let expected = Self.truth(s1: stretched.s1.last!, s2: stretched.s2.last!)
    #expect(relativeError(analysis.projections[0].loss.value, expected) < 0.005)
    let interval = try #require(analysis.projections[0].loss.ci95)
    #expect(interval.contains(analysis.projections[0].loss.value))
    // The bonus is C·S2 at the end; the truth's is 2.2e-4 × S2.
    let bonus = try #require(result.bonus)
    #expect(relativeError(bonus.value, Self.truth.c * run.s2.last!) < 0.05)
    // Continuing at the last rate (a tenth of the peak) for 10× the steps still improves.
    #expect(result.constantRate[2].loss.value < analysis.current.value)
    // The target step: a run of that length under the stretched schedule ends at the target.
    guard case .reachable(let step)? = analysis.target?.outcome else {
      Issue.record("the target should be reachable")
      return
    }
    let atTarget = SyntheticAnnealingRun(
      truth: Self.truth, total: Int(step.value.rounded()), warmup: 500, decay: .cosine, noise: 0, seed: 7)
    #expect(step.value > 20_000)
    #expect(abs(Self.truth(s1: atTarget.s1.last!, s2: atTarget.s2.last!) - target) < 0.003)
  }

  @Test("a constant schedule keeps the power law and says why")
  func constantKeepsPowerLaw() throws {
    let run = SyntheticAnnealingRun(truth: Self.truth, total: 10_000, warmup: 200, decay: .constant, noise: 0.005, seed: 8)
    var options = LossCurveAnalysis.Options()
    options.bootstrapResamples = 0
    let analysis = try LossCurveAnalysis.run(run.series, options: options)
    let result = try #require(analysis.schedule)
    #expect(!result.chosen)
    #expect(result.fit == nil)
    #expect(analysis.projections.allSatisfy { $0.schedule == nil })
  }

  @Test("--model annealing without learning rates is an error naming the columns")
  func forcedWithoutRates() throws {
    let log = SyntheticLog(truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 2_000, noise: 0.005, seed: 9)
    var options = LossCurveAnalysis.Options()
    options.schedule.mode = .forced
    options.bootstrapResamples = 0
    #expect(throws: FitError.self) { try LossCurveAnalysis.run(log.series, options: options) }
  }

  /// The annealing law fitted with `λ` free to a 20,000-step WSD run whose truth has momentum
  /// `lambda` (C 4e-4, 0.2% noise).
  func fitWithLambda(truth lambda: Double, seed: UInt64) throws -> AnnealingFit {
    let truth = AnnealingLaw(l0: 2.5, a: 8, alpha: 0.5, c: 4e-4, lambda: lambda)
    let run = SyntheticAnnealingRun(truth: truth, total: 20_000, warmup: 500, decay: .wsd(cooldown: 0.3), noise: 0.002, seed: seed)
    let schedule = try #require(LearningRateSchedule.detect(run.series))
    var fitter = AnnealingLawFitter()
    fitter.fitLambda = true
    return try fitter.fit(run.series, curve: schedule.observed, bounds: 1...20_000)
  }

  @Test("λ is recovered when fitted")
  func fitsLambda() throws {
    let fit = try fitWithLambda(truth: 0.995, seed: 10)
    #expect(fit.parameterNames.last == "lambda")
    #expect(abs(fit.model.lambda - 0.995) < 0.002)
    #expect(relativeError(fit.model.c, 4e-4) < 0.1)
  }

  /// With λ fitted, the bootstrap resamples around the fitted curve (areas at the fitted λ, not
  /// the starting 0.999) and fits λ again in every refit. C and λ trade off, so C's spread must
  /// carry λ's uncertainty: about the delta method's standard error, which does. (Measured 1.05×;
  /// resampling around the starting λ's curve gave 0.21×, and holding λ fixed 0.016×.)
  @Test("the bootstrap refits λ when it was fitted")
  func bootstrapRefitsLambda() throws {
    let fit = try fitWithLambda(truth: 0.99, seed: 12)
    let models = AnnealingBootstrap(resamples: 200, seed: 1, solver: LevenbergMarquardt()).models(for: fit)
    #expect(models.count >= 150)
    let lambdas = Set(models.map(\.lambda))
    #expect(lambdas.count > 100)
    let cs = models.map(\.c).sorted()
    #expect(relativeError(cs[cs.count / 2], fit.model.c) < 0.05)
    let spread = (cs[Int(0.975 * Double(cs.count - 1))] - cs[Int(0.025 * Double(cs.count - 1))]) / 3.92
    let standardError = try #require(fit.standardErrors?[3])
    #expect(spread > 0.5 * standardError && spread < 2 * standardError)
  }
}
