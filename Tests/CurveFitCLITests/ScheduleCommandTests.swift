import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

@Suite(.serialized) struct ScheduleCommandTests {
  let truth = AnnealingLaw(l0: 2.5, a: 8, alpha: 0.5, c: 2.2e-4)

  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func decayedRunReportsScheduleAndAnnealingFit() throws {
    let run = SyntheticAnnealingRun(truth: truth, total: 12_000, warmup: 400, decay: .cosine, noise: 0.004, logEvery: 2, seed: 21)
    let path = try CommandRunner.temporaryFile(named: "cosine.csv", contents: run.csv)
    let result = try CommandRunner.run([path, "--format", "json", "--bootstrap", "100"])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try json(result.stdout)
    let schedule = try #require(report["schedule"] as? [String: Any])
    #expect(schedule["shape"] as? String == "cosine")
    #expect(abs(try #require(schedule["warmup_steps"] as? Double) - 400) <= 2)
    #expect(relativeError(try #require(schedule["peak_lr"] as? Double), 6e-4) < 1e-9)
    #expect(relativeError(try #require(schedule["final_lr"] as? Double), 6e-5) < 1e-6)
    #expect(schedule["chosen"] as? Bool == true)
    let fit = try #require(report["fit"] as? [String: Any])
    #expect(fit["model"] as? String == "L0 + A*S1^-alpha - C*S2")
    for (key, value) in [("L0", 2.5), ("A", 8.0), ("alpha", 0.5), ("C", 2.2e-4)] {
      #expect(relativeError(try #require(fit[key] as? Double), value) < 0.05, "\(key)")
    }
    #expect(fit["lambda"] as? Double == 0.999)
    let stderr = try #require(fit["stderr"] as? [String: Any])
    #expect(stderr["C"] is Double)
    let projections = try #require(report["projections"] as? [[String: Any]])
    #expect(projections.count == 3)
    #expect(projections.allSatisfy { $0["schedule"] as? String == "stretched" })
    let choice = try #require(report["model_choice"] as? [String: Any])
    #expect(choice["chosen"] as? String == "annealing")

    let text = try CommandRunner.run([path, "--bootstrap", "0"])
    #expect(text.stdout.contains("SCHEDULE cosine, warm-up"))
    #expect(text.stdout.contains("under the stretched cosine schedule"))
  }

  @Test func priorsAreReportedAndCanBeTurnedOff() throws {
    // A tenth of a cosine run, its schedule declared: C comes from the prior, α leans on its own.
    let run = SyntheticAnnealingRun(truth: truth, total: 20_000, warmup: 1_300, decay: .cosine, noise: 0.02, seed: 12)
    var prefix = "step,loss\n"
    for k in run.steps.indices where run.steps[k] <= 2_000 { prefix += "\(Int(run.steps[k])),\(run.losses[k])\n" }
    let path = try CommandRunner.temporaryFile(named: "tenth.csv", contents: prefix)
    let declared = ["--schedule", "cosine", "--total-steps", "20000", "--warmup-steps", "1300", "--final-lr-ratio", "0.1"]
    func prior(_ extra: [String]) throws -> Any? {
      let result = try CommandRunner.run([path, "--format", "json", "--bootstrap", "0"] + declared + extra)
      #expect(result.status == 0, "\(result.stderr)")
      let schedule = try #require(try json(result.stdout)["schedule"] as? [String: Any])
      let annealing = try #require(schedule["annealing"] as? [String: Any])
      return annealing["prior"]
    }
    let both = try #require(try prior([]) as? [String: Any])
    #expect(both["bonus_ratio"] as? Double == 0.06)
    #expect(both["spread"] as? Double == 0.25)
    #expect(both["alpha_center"] as? Double == 0.5)
    #expect(both["alpha_spread"] as? Double == 0.45)
    let share = try #require(both["alpha_data_share"] as? Double)
    #expect(share >= 0 && share < 0.5)
    let centred = try #require(try prior(["--annealing-prior-alpha", "0.7"]) as? [String: Any])
    #expect(centred["alpha_center"] as? Double == 0.7)
    let cOnly = try #require(try prior(["--annealing-prior-alpha", "0"]) as? [String: Any])
    #expect(cOnly["alpha_center"] is NSNull)
    #expect(cOnly["alpha_data_share"] is NSNull)
    #expect(try prior(["--annealing-prior", "0"]) is NSNull)
    let text = try CommandRunner.run([path, "--bootstrap", "0"] + declared)
    #expect(text.stdout.contains("α leans on the prior (near 0.50, as on real runs)"), "\(text.stdout)")
    // A declared schedule has no rates of its own: the current one is a share of its peak.
    #expect(text.stdout.contains("held at the current rate (100% of the peak) with no more decay"), "\(text.stdout)")
    let bad = try CommandRunner.run([path, "--annealing-prior-alpha", "9"])
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("--annealing-prior-alpha must be in [0, 5], got 9.0"))
  }

  @Test func scheduleFlagsChangeTheProjection() throws {
    let run = SyntheticAnnealingRun(truth: truth, total: 8_000, warmup: 200, decay: .cosine, noise: 0.004, seed: 22)
    let path = try CommandRunner.temporaryFile(named: "plan.csv", contents: run.csv)
    func tenfold(_ extra: [String]) throws -> Double {
      let result = try CommandRunner.run([path, "--format", "json", "--bootstrap", "0"] + extra)
      #expect(result.status == 0, "\(result.stderr)")
      let projections = try #require(try json(result.stdout)["projections"] as? [[String: Any]])
      return try #require(projections.last?["loss"] as? Double)
    }
    let stretched = try tenfold([])
    // Never decaying gives up the annealing bonus: a higher final loss.
    let constant = try tenfold(["--schedule", "constant"])
    #expect(constant > stretched + 0.05)
    let wsd = try tenfold(["--schedule", "wsd:0.2"])
    #expect(wsd < constant)
    let bad = try CommandRunner.run([path, "--schedule", "exponential"])
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("--schedule 'exponential' is not one of constant, cosine, linear, inverse_sqrt, wsd:F"))
    // A planned length the log has already passed is a wrong number, not one to drop silently.
    for extra in [["--schedule", "cosine"], []] {
      let past = try CommandRunner.run([path, "--total-steps", "100"] + extra)
      #expect(past.status == 64)
      #expect(past.stderr.contains("--total-steps 100: \(path) is already logged to step \(Int(run.steps.last ?? 0))"), "\(past.stderr)")
    }
    #expect(try CommandRunner.run([path, "--total-steps", "\(Int(run.steps.last ?? 0))", "--bootstrap", "0"]).status == 0)
  }

  @Test func aFlatRateIsOnlyKnownToStayFlatWhenDeclared() throws {
    // A rate logged flat up to the cut may be a WSD run before its cooldown: undeclared, the
    // 2× interval keeps room below for one cooldown (5%) and the report says how to declare a
    // rate that stays; with --schedule constant it narrows to the noise's and the backtests'
    // (ForecastTests: within 1.5× the noise's for the median of ten runs, 4× for the worst).
    let log = SyntheticLog(truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 3_000, noise: 0.005, seed: 23)
    let path = try CommandRunner.temporaryFile(named: "flat-rate.csv", contents: log.csv)
    func twofold(_ extra: [String]) throws -> (value: Double, low: Double, high: Double, noise: Double) {
      let result = try CommandRunner.run([path, "--format", "json", "--bootstrap", "100"] + extra)
      #expect(result.status == 0, "\(result.stderr)")
      let row = try #require((try json(result.stdout)["projections"] as? [[String: Any]])?.first)
      let band = try #require(row["ci95"] as? [Double])
      let noise = try #require(row["ci95_noise"] as? [Double])
      return (try #require(row["loss"] as? Double), band[0], band[1], noise[1] - noise[0])
    }
    let undeclared = try twofold([])
    #expect(undeclared.low <= undeclared.value * Foundation.exp(-1.959964 * 0.05))
    #expect(undeclared.high - undeclared.low > 10 * undeclared.noise, "\(undeclared)")
    let declared = try twofold(["--schedule", "constant"])
    #expect(declared.high - declared.low <= 4 * declared.noise, "\(declared)")
    let text = try CommandRunner.run([path, "--bootstrap", "0"])
    #expect(text.stdout.contains("or --schedule constant for a rate that stays where it is"))
    // Declared with its length, the SCHEDULE section says what the declaration did, not that it
    // had no effect (it read "--schedule/--peak-lr have no effect" and "… at step 6,000").
    let stays = try CommandRunner.run([path, "--bootstrap", "0", "--schedule", "constant", "--total-steps", "6000"])
    #expect(stays.status == 0, "\(stays.stderr)")
    #expect(stays.stdout.contains("SCHEDULE declared (not read from the log): constant, warm-up 0 steps, planned end at step 6,000\n"),
      "\(stays.stdout)")
    #expect(stays.stdout.contains("the rate stays where it is: the power law projects, with no decay of the rate to come"))
    #expect(!stays.stdout.contains("have no effect"), "\(stays.stdout)")
    let report = try CommandRunner.run([path, "--format", "json", "--bootstrap", "0", "--schedule", "constant", "--total-steps", "6000"])
    let schedule = try #require(try json(report.stdout)["schedule"] as? [String: Any])
    #expect(schedule["plan_ignored"] as? Bool == false)
  }

  @Test func aRateColumnOfZerosIsNamedNotCalledMissing() throws {
    let log = SyntheticLog(truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 3_000, noise: 0.005, seed: 23)
    let csv = log.csv.replacingOccurrences(of: ",0.0003", with: ",0")
    let result = try CommandRunner.run(["--bootstrap", "0"], stdin: csv)
    #expect(result.stdout.contains(
      "SCHEDULE the learning-rate column 'lr' holds too few positive rates to read a schedule from: projections assume"),
      "\(result.stdout)")
  }

  @Test func withoutRatesTheReportSaysSo() throws {
    let log = SyntheticLog(truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 3_000, noise: 0.005, seed: 23)
    let csv = log.csv.replacingOccurrences(of: ",lr", with: ",note").replacingOccurrences(of: ",0.0003", with: ",x")
    let result = try CommandRunner.run(["--bootstrap", "0"], stdin: csv)
    #expect(result.stdout.contains("SCHEDULE no learning-rate column: projections assume the rate stays constant"))
    let forced = try CommandRunner.run(["--model", "annealing"], stdin: csv)
    #expect(forced.status == 1)
    #expect(forced.stderr.contains("--model annealing needs a learning-rate column"))
    #expect(forced.stderr.contains("or declare the schedule the run follows (--schedule cosine --total-steps N)"))
    #expect(forced.stderr.contains("\"note\""))
  }

  @Test func aLoggedDecayTheLawCannotProjectIsNotCalledUnknown() throws {
    // A loss collapsing as 0.3·e^(−t/400) + 0.02 under a logged linear decay: the annealing
    // fit is rejected (L0 on its bound) and the power law projects with the unknown-schedule
    // downside; the note used to tell the user to declare a schedule the log already shows.
    // (With a floor of 0.0002 the curve ends ×20 above the log and projects nothing.)
    var csv = "step,loss,lr\n"
    for i in 1...100 {
      let t = 25.0 * Double(i)
      let loss = (0.3 * Foundation.exp(-t / 400) + 0.02) * (1 + 0.2 * Foundation.sin(2.3 * Double(i)))
      csv += "\(t),\(loss),\(1e-4 * (1 - t / 5_000))\n"
    }
    let result = try CommandRunner.run(["--bootstrap", "0"], stdin: csv)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("power law kept"))
    #expect(result.stdout.contains("(the logged decay could not be projected: see SCHEDULE)"))
    #expect(!result.stdout.contains("the schedule is not known"))
    #expect(result.stdout.contains("it does not follow the end of this run; the bands reach as far again below it"))
  }

  @Test func aTargetThisRunHasNotReachedIsNotCalledPassed() throws {
    // A linear decay to zero cut at half. For a target between the loss now and the planned
    // end's, the annealing law's step is the length of a run whose rate decays in full, far
    // shorter than this one: the report said "already reached: a run of … reaches it".
    let run = SyntheticAnnealingRun(
      truth: truth, total: 20_000, warmup: 400, decay: .linear, floor: 0, noise: 0.004, logEvery: 10, seed: 41)
    var prefix = "step,loss,lr\n"
    for k in run.steps.indices where run.steps[k] <= 10_000 {
      prefix += "\(Int(run.steps[k])),\(run.losses[k]),\(run.rates[k])\n"
    }
    let path = try CommandRunner.temporaryFile(named: "half-linear.csv", contents: prefix)
    let base = [path, "--total-steps", "20000", "--bootstrap", "0"]
    let plain = try json(try CommandRunner.run(base + ["--format", "json"]).stdout)
    let now = try #require((plain["current"] as? [String: Any])?["loss"] as? Double)
    let end = try #require((plain["planned_end"] as? [String: Any])?["loss"] as? Double)
    let goal = (now + end) / 2
    let report = try json(try CommandRunner.run(base + ["--format", "json", "--target", "\(goal)"]).stdout)
    let target = try #require(report["target"] as? [String: Any])
    // The case itself: a run decayed in full reaches the goal sooner than this run's last step.
    #expect(try #require(target["step"] as? Double) < 10_000)
    #expect(target["within_planned_run"] as? Bool == true)
    #expect(target["reached_now"] as? Bool == false)
    let within = try #require(target["step_in_planned_run"] as? Double)
    // The true run crosses the goal where its noise-free loss first falls to it.
    let crossing = try #require(run.steps.indices.first { k in
      run.steps[k] > 10_000 && run.truth(s1: run.s1[k], s2: run.s2[k]) <= goal
    }.map { run.steps[$0] })
    #expect(relativeError(within, crossing) < 0.1, "\(within) vs \(crossing)")
    let text = try CommandRunner.run(base + ["--target", "\(goal)"])
    let line = try #require(text.stdout.split(separator: "\n").first { $0.contains("target ") })
    #expect(line.contains(" of 20,000 in this run; reached by a run of "), "\(line)")
    #expect(!line.contains("already reached"), "\(line)")
    // A target above the fitted loss now is one this run has passed.
    let passed = try CommandRunner.run(base + ["--target", "\(now * 1.02)"])
    let passedLine = try #require(passed.stdout.split(separator: "\n").first { $0.contains("target ") })
    #expect(passedLine.contains("already reached: a run of "), "\(passedLine)")
    let passedJSON = try json(try CommandRunner.run(base + ["--format", "json", "--target", "\(now * 1.02)"]).stdout)
    #expect((passedJSON["target"] as? [String: Any])?["reached_now"] as? Bool == true)
  }

  @Test func aSmallChangeAtTheHeldRateKeepsItsFigures() throws {
    // A loss near 0.003: holding the last rate for 10× the steps moves it by about 4·10⁻⁴,
    // which three decimals printed as "−0.000 nats".
    let small = AnnealingLaw(l0: 0.002, a: 0.002, alpha: 0.5, c: 2e-7)
    let run = SyntheticAnnealingRun(truth: small, total: 12_000, warmup: 400, decay: .cosine, noise: 0.004, logEvery: 10, seed: 42)
    let result = try CommandRunner.run(["--bootstrap", "0"], stdin: run.csv)
    #expect(result.status == 0, "\(result.stderr)")
    let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("held at the current rate") })
    let open = try #require(line.range(of: " gives ")).upperBound
    let after = line[open...]
    let change = try #require(after.split(separator: "(").last?.split(separator: " ").first)
    #expect(change != "−0.000" && change != "+0.000", "\(line)")
    let magnitude = try #require(Double(change.replacingOccurrences(of: "−", with: "-")))
    #expect(abs(magnitude) > 1e-5 && abs(magnitude) < 5e-4, "\(line)")
  }

  @Test("a declared cosine forcing an annealing fit that pins L0: the report says its bands hold the power law's, and they hold the end")
  func unreliableForcedFitHoldsThePowerLaw() throws {
    let run = RateIgnoringRun(seed: 1)
    let path = try CommandRunner.temporaryFile(named: "ignores-its-rate.csv", contents: run.csv)
    let result = try CommandRunner.run([path, "--format", "json", "--bootstrap", "100"] + RateIgnoringRun.declaredFlags)
    #expect(result.status == 0, "\(result.stderr)")
    let report = try json(result.stdout)
    let forecast = try #require(report["forecast"] as? [String: Any])
    #expect(forecast["law"] as? String == "annealing")
    #expect(forecast["band_holds_power_law"] as? Bool == true)
    let end = try #require(report["planned_end"] as? [String: Any])
    let band = try #require(end["ci95"] as? [Double])
    let truth = RateIgnoringRun.truth(at: 5_000)
    #expect(band[0] <= truth && truth <= band[1], "planned end \(band) vs \(truth)")
    let text = try CommandRunner.run([path, "--bootstrap", "100"] + RateIgnoringRun.declaredFlags)
    #expect(text.stdout.contains("the bands also hold the power law's, as the annealing fit asked for is not reliable"))
    #expect(text.stdout.contains("L0 is pinned at its bound"))
  }
}
