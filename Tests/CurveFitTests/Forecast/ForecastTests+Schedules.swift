@testable import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// Schedules read off a log or its format, and the ends they project to.
extension ForecastTests {
  @Test("the planned end of a cosine run cut at 40% is within 1% with a declared schedule")
  func plannedEndOfDeclaredCosine() throws {
    let run = SyntheticAnnealingRun(truth: Self.truth, total: 20_000, warmup: 500, decay: .cosine, noise: 0.005, seed: 11)
    let options = Self.declaredCosine(warmup: 500)
    let analysis = try LossCurveAnalysis.run(Self.prefix(run, to: 8_000, rates: false), options: options)
    let end = try #require(analysis.forecast?.plannedEnd)
    let truthEnd = Self.truth(s1: run.s1[run.s1.count - 1], s2: run.s2[run.s2.count - 1])
    #expect(end.step == 20_000)
    #expect(end.source == .totalSteps)
    #expect(analysis.forecast?.law == .annealing)
    #expect(relativeError(end.loss.value, truthEnd) < 0.01, "planned end \(end.loss.value) vs truth \(truthEnd)")
    let interval = try #require(end.loss.ci95)
    #expect(interval.contains(truthEnd))
    #expect(interval.contains(end.loss.value))
    #expect(analysis.schedule?.schedule.declared == true)
  }

  @Test("--at-step before the planned end is this run's loss there: within 1% of the truth, never above the loss now")
  func atStepAlongTheDeclaredRun() throws {
    // As the final loss of a run that long, step 8,400 of the cosine run cut at 8,000 read as a
    // run of 8,400 steps whose rate had decayed all the way: more bonus, far less area.
    let run = SyntheticAnnealingRun(truth: Self.truth, total: 20_000, warmup: 500, decay: .cosine, noise: 0.005, seed: 11)
    var options = Self.declaredCosine(warmup: 500)
    options.atSteps = [8_400, 12_000, 16_000, 20_000, 30_000]
    let analysis = try LossCurveAnalysis.run(Self.prefix(run, to: 8_000, rates: false), options: options)
    let forecast = try #require(analysis.forecast)
    let end = try #require(forecast.plannedEnd)
    let rows = forecast.atSteps
    #expect(rows.map(\.schedule) == Array(repeating: Projection.thisRun, count: 4) + ["stretched"])
    for row in rows.prefix(4) {
      let truth = truthAt(run, step: row.step)
      #expect(relativeError(row.loss.value, truth) < 0.01, "step \(row.step): \(row.loss.value) vs truth \(truth)")
      #expect(try #require(row.loss.ci95).contains(truth), "step \(row.step)")
    }
    // Falling along the run, from below the loss now to the planned end's row.
    let values = rows.prefix(4).map(\.loss.value)
    #expect(values[0] < analysis.current.value && zip(values, values.dropFirst()).allSatisfy { $0 > $1 }, "\(values)")
    #expect(relativeError(values[3], end.loss.value) < 1e-12)
    #expect(rows[3].loss.ci95 == end.loss.ci95)
    // Past the planned end, the final loss of a run that long, as the 2×/5×/10× rows.
    #expect(rows[4].loss.value < end.loss.value)
  }

  @Test("a linear decay to zero read off a log cut at a half, a fifth or a tenth: its end projected within 1.5%, inside the 95% interval", arguments: [2.0, 5.0, 10.0])
  func linearDecayToZeroRunsOn(reach: Double) throws {
    // The Hugging Face Trainer's default: linear from the peak to zero at max_steps. Read as
    // ending where the log ends, the 2× row assumed the rate stops falling at its current value
    // and missed the end by +3.2% from half-way (+5% from a fifth) outside its own interval.
    let truth = AnnealingLaw(l0: 2.5, a: 8, alpha: 0.5, c: 0.06 * 2.6 * 0.001, lambda: 0.999)
    let run = SyntheticAnnealingRun(
      truth: truth, total: 20_000, warmup: 500, decay: .linear, floor: 0, noise: 0.005, logEvery: 5, seed: 17)
    let analysis = try LossCurveAnalysis.run(Self.prefix(run, to: 20_000 / reach, rates: true), options: Self.options())
    let schedule = try #require(analysis.schedule?.schedule)
    #expect(schedule.shape == .linear)
    #expect(abs(schedule.plannedEnd - 20_000) < 200, "planned end \(schedule.plannedEnd)")
    #expect(schedule.floorRatio == 0)
    #expect(analysis.forecast?.law == .annealing)
    let row = try #require(analysis.projections.first { $0.factor == reach })
    let truthEnd = truth(s1: run.s1[run.s1.count - 1], s2: run.s2[run.s2.count - 1])
    #expect(relativeError(row.loss.value, truthEnd) < 0.015, "\(reach)×: \(row.loss.value) vs truth \(truthEnd)")
    #expect(try #require(row.loss.ci95).contains(truthEnd))
    let end = try #require(analysis.forecast?.plannedEnd)
    #expect(end.source == .schedule)
  }

  /// The first `cut` steps of `run` as a Hugging Face trainer state that records `maxSteps`.
  static func trainerState(_ run: SyntheticAnnealingRun, to cut: Double, maxSteps: Int) throws -> LossSeries {
    let records = run.steps.indices.filter { run.steps[$0] <= cut }.map {
      "{\"loss\": \(run.losses[$0]), \"learning_rate\": \(run.rates[$0]), \"step\": \(Int(run.steps[$0]))}"
    }
    let state = "{\"global_step\": \(Int(cut)), \"log_history\": [\(records.joined(separator: ", "))], \"max_steps\": \(maxSteps)}"
    return try LogReader().read(bytes: Array(state.utf8), source: "trainer_state.json")
  }

  @Test("a cosine barely begun (1% down) is read with the end its trainer state records, and its end projected within 2%")
  func recordedEndReadsABarelyBegunCosine() throws {
    // Cut at a tenth after a 3.5% warm-up, the rate has fallen by 1.1%: alone, too little to
    // tell a decay from noise in the rates (read as constant, the power law projects); with
    // max_steps, the cosine and its floor follow.
    let truth = AnnealingLaw(l0: 2.5, a: 8, alpha: 0.5, c: 0.06 * 2.6 * 0.001, lambda: 0.999)
    let run = SyntheticAnnealingRun(
      truth: truth, total: 20_000, warmup: 700, decay: .cosine, floor: 0.1, noise: 0.005, logEvery: 10, seed: 23)
    let analysis = try LossCurveAnalysis.run(try Self.trainerState(run, to: 2_000, maxSteps: 20_000), options: Self.options())
    let schedule = try #require(analysis.schedule?.schedule)
    #expect(schedule.shape == .cosine && schedule.plannedEnd == 20_000, "\(schedule.summary)")
    #expect(abs(schedule.floorRatio - 0.1) < 0.05)
    #expect(analysis.forecast?.law == .annealing)
    let row = try #require(analysis.projections.first { $0.factor == 10 })
    let truthEnd = truth(s1: run.s1[run.s1.count - 1], s2: run.s2[run.s2.count - 1])
    #expect(relativeError(row.loss.value, truthEnd) < 0.02, "10×: \(row.loss.value) vs truth \(truthEnd)")
    #expect(try #require(row.loss.ci95).contains(truthEnd))
    // Without the recorded end the same rates give the end for an assumed floor only;
    // --total-steps is the end, as the recorded one was.
    let csv = Self.prefix(run, to: 2_000, rates: true)
    #expect(LearningRateSchedule.detect(csv)?.assumedEnd != nil)
    var told = Self.options()
    told.totalSteps = 20_000
    let withTotal = try LossCurveAnalysis.run(csv, options: told)
    #expect(withTotal.schedule?.schedule.shape == .cosine && withTotal.schedule?.schedule.plannedEnd == 20_000)
    #expect(withTotal.forecast?.plannedEnd?.source == .totalSteps)
  }

  @Test("a cosine barely begun in a log that records no length: its end read for an assumed floor, the 10× row within 2%", arguments: [0.0, 0.1])
  func barelyBegunCosineWithoutLength(floor: Double) throws {
    // Cut at a tenth the rate has fallen by 1.2%, which fixes (1 − floor)/(end − warm-up)² and
    // no more: the floors trainers default to, 0 and 10% of the peak, must both lie inside the
    // range printed, and the projection must not treat the rate as constant (+8% before).
    let truth = AnnealingLaw(l0: 2.5, a: 8, alpha: 0.5, c: 0.06 * 2.6 * 0.001, lambda: 0.999)
    let run = SyntheticAnnealingRun(
      truth: truth, total: 20_000, warmup: 500, decay: .cosine, floor: floor, noise: 0.005, logEvery: 10, seed: 29)
    let analysis = try LossCurveAnalysis.run(Self.prefix(run, to: 2_000, rates: true), options: Self.options())
    let schedule = try #require(analysis.schedule?.schedule)
    let assumed = try #require(schedule.assumedEnd, "\(schedule.summary)")
    #expect(schedule.shape == .cosine && schedule.floorRatio == LearningRateSchedule.AssumedEnd.floor)
    let trueEndInRange = floor == 0 ? assumed.ends.upperBound : assumed.ends.lowerBound
    #expect(abs(trueEndInRange - 20_000) < 400, "\(schedule.summary)")
    #expect(schedule.summary.contains("barely begun") && schedule.summary.contains("--total-steps"))
    #expect(analysis.forecast?.law == .annealing)
    let row = try #require(analysis.projections.first { $0.factor == 10 })
    let truthEnd = truth(s1: run.s1[run.s1.count - 1], s2: run.s2[run.s2.count - 1])
    #expect(relativeError(row.loss.value, truthEnd) < 0.02, "10×: \(row.loss.value) vs truth \(truthEnd)")
    #expect(try #require(row.loss.ci95).contains(truthEnd))
  }

  @Test("an inverse square root read off the rates goes on down its curve: the 5× and 10× rows within 1%, inside their intervals", arguments: [5.0, 10.0])
  func inverseSqrtContinues(reach: Double) throws {
    // Stretched like a cosine, the logged decay ended a 10× longer run at today's rate, and
    // the projection missed the bonus of the rate's further fall (+1.3% from a tenth).
    let truth = AnnealingLaw(l0: 2.5, a: 8, alpha: 0.5, c: 0.06 * 2.6 * 0.001, lambda: 0.999)
    let run = SyntheticAnnealingRun(
      truth: truth, total: 40_000, warmup: 1_000, decay: .inverseSqrt, noise: 0.005, logEvery: 10, seed: 31)
    let analysis = try LossCurveAnalysis.run(Self.prefix(run, to: 40_000 / reach, rates: true), options: Self.options())
    let schedule = try #require(analysis.schedule?.schedule)
    #expect(schedule.shape == .inverseSqrt, "\(schedule.summary)")
    #expect(abs(try #require(schedule.timescale) - 1_000) < 50)
    #expect(analysis.forecast?.law == .annealing)
    #expect(analysis.forecast?.plannedEnd == nil, "an inverse square root has no end")
    let row = try #require(analysis.projections.first { $0.factor == reach })
    let truthEnd = truth(s1: run.s1[run.s1.count - 1], s2: run.s2[run.s2.count - 1])
    #expect(relativeError(row.loss.value, truthEnd) < 0.01, "\(reach)×: \(row.loss.value) vs truth \(truthEnd)")
    #expect(try #require(row.loss.ci95).contains(truthEnd))
  }

  @Test("a constant rate with a last rate 0.3% lower is not read as a decay")
  func constantRateStaysConstant() {
    // One odd rate is no cosine: the shape must fit every rate to 0.2% of the peak.
    let steps = (1...400).map(Double.init)
    var rates = steps.map { _ in 3e-4 }
    for i in stride(from: 0, to: rates.count, by: 7) { rates[i] = 3e-4 * 0.997 }
    let losses = steps.map { 2 + 5 * Foundation.pow($0, -0.5) }
    let origin = SeriesOrigin(source: "constant-rate", format: "csv", stepColumn: "step", lossColumn: "loss", columns: ["step", "loss", "lr"])
    let series = LossSeries(steps: steps, losses: losses, learningRates: rates, origin: origin)
    #expect(LearningRateSchedule.detect(series)?.shape == .constant)
  }

  @Test("a trainer state's max_steps is the planned end, and ends the decay its rates have begun")
  func trainerStateMaxStepsPlansTheEnd() throws {
    // A linear decay to a tenth of the peak, cut at 40%: the rates alone would run the line on
    // to zero, at 11,056; max_steps says the run ends at 10,000.
    let truth = AnnealingLaw(l0: 2.5, a: 8, alpha: 0.5, c: 0.06 * 2.6 * 0.001, lambda: 0.999)
    let run = SyntheticAnnealingRun(
      truth: truth, total: 10_000, warmup: 500, decay: .linear, floor: 0.1, noise: 0.005, logEvery: 10, seed: 19)
    let series = try Self.trainerState(run, to: 4_000, maxSteps: 10_000)
    #expect(series.origin.plannedSteps == PlannedSteps(steps: 10_000, key: "max_steps"))
    let analysis = try LossCurveAnalysis.run(series, options: Self.options())
    let schedule = try #require(analysis.schedule?.schedule)
    #expect(schedule.plannedEnd == 10_000 && abs(schedule.floorRatio - 0.1) < 0.01, "\(schedule.summary)")
    let end = try #require(analysis.forecast?.plannedEnd)
    #expect(end.step == 10_000 && end.source == .log)
    let truthEnd = truth(s1: run.s1[run.s1.count - 1], s2: run.s2[run.s2.count - 1])
    #expect(relativeError(end.loss.value, truthEnd) < 0.01, "planned end \(end.loss.value) vs truth \(truthEnd)")
    #expect(try #require(end.loss.ci95).contains(truthEnd))
  }
}

extension ForecastTests {
  @Test("a cosine nanoGPT's printed config states is projected like a declared one: its planned end within 1%")
  func plannedEndOfStatedCosine() throws {
    let run = SyntheticAnnealingRun(truth: Self.truth, total: 20_000, warmup: 500, decay: .cosine, noise: 0.005, seed: 11)
    var log = "Overriding config with config/train_gpt2.py:\nlearning_rate = 6e-4\nmax_iters = 20000\n"
      + "lr_decay_iters = 20000\nmin_lr = 6e-5\nwarmup_iters = 500\n"
    for (step, loss) in zip(run.steps, run.losses) where step <= 8_000 {
      log += "iter \(Int(step)): loss \(loss), time 300.00ms, mfu 40.00%\n"
    }
    let series = try LogReader(selection: ColumnSelection(), pattern: nil).read(bytes: Array(log.utf8), source: "train.log")
    let analysis = try LossCurveAnalysis.run(series, options: Self.options())
    let schedule = try #require(analysis.schedule?.schedule)
    #expect(schedule.declared && schedule.statedBy?.hasPrefix("nanoGPT's config: lr_decay_iters = 20000") == true)
    #expect(schedule.shape == .cosine && schedule.plannedEnd == 20_000 && abs(schedule.floorRatio - 0.1) < 1e-12)
    #expect(schedule.summary.hasPrefix("stated in the log (nanoGPT's config:"), "\(schedule.summary)")
    let end = try #require(analysis.forecast?.plannedEnd)
    let truthEnd = Self.truth(s1: run.s1[run.s1.count - 1], s2: run.s2[run.s2.count - 1])
    #expect(end.step == 20_000 && end.source == .log)
    #expect(analysis.forecast?.law == .annealing)
    #expect(relativeError(end.loss.value, truthEnd) < 0.01, "planned end \(end.loss.value) vs truth \(truthEnd)")
    #expect(try #require(end.loss.ci95).contains(truthEnd))
    // A flag that names another schedule, or turns the annealing law off, sets the stated one aside.
    var constant = Self.options()
    constant.schedule.plan = "constant"
    #expect(try LossCurveAnalysis.run(series, options: constant).schedule?.schedule.statedBy == nil)
    var power = Self.options()
    power.schedule.mode = .off
    #expect(try LossCurveAnalysis.run(series, options: power).schedule?.schedule.statedBy == nil)
  }
}
