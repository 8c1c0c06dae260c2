import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// Verdicts on real logs that used to be wrong (issue: verdicts on every real log). The logs
/// are copied, unchanged, into Tests/CurveFitTests/Fixtures with their SOURCE.md (Apache-2.0 or MIT).
@Suite(.serialized) struct RealVerdictTests {
  func fixture(_ path: String) -> String {
    CommandRunner.packageRoot.appendingPathComponent("Tests/CurveFitTests/Fixtures/\(path)").path
  }

  func json(_ result: CommandResult) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
  }

  func events(_ report: [String: Any], _ kind: String) -> [[String: Any]] {
    ((report["events"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == kind }
  }

  /// BLOOM-176B, 11 lines: 2.20 → 5.10 at iteration 31,219 → back to 2.2. Too short for the
  /// streaming baseline, and too short for a power law to project.
  @Test func shortExcerptHasItsSpikeAndNoProjections() throws {
    let result = try CommandRunner.run([fixture("megatron/tr11-176B-bloom_iter31214-31251.log"), "--format", "json", "--bootstrap", "50"])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try json(result)
    let spikes = events(report, "spike")
    #expect(spikes.count == 1)
    #expect(spikes.first?["step"] as? Double == 31_219)
    #expect(abs((spikes.first?["ratio"] as? Double ?? 0) - 5.098 / 2.29) < 0.1)
    #expect(spikes.first?["recovered"] as? Bool == true)
    let projections = try #require(report["projections"] as? [[String: Any]])
    #expect(projections.count == 3)
    for projection in projections {
      #expect(projection["loss"] is NSNull)
      #expect((projection["withheld"] as? String)?.contains("too few points") == true)
    }
    #expect((report["doubling"] as? [String: Any])?["loss_change"] is NSNull)
    let text = try CommandRunner.run([fixture("megatron/tr11-176B-bloom_iter31214-31251.log"), "--bootstrap", "50"])
    #expect(text.stdout.contains("HEALTH   1 spike (recovered)"))
    #expect(text.stdout.contains("not projected: too few points"))
    #expect(!text.stdout.contains("0.00276"))
  }

  /// The 13B excerpt: 2.77 for three lines, then 7.34, 8.72 and never back.
  @Test func shortExcerptThatNeverRecovers() throws {
    let report = try json(try CommandRunner.run([fixture("megatron/tr1-13B_iter29020-29090.log"), "--format", "json", "--bootstrap", "20"]))
    let spikes = events(report, "spike")
    #expect(spikes.count == 1)
    #expect(spikes.first?["step"] as? Double == 29_050)
    #expect(spikes.first?["recovered"] as? Bool == false)
    #expect(((report["health"] as? [String: Any])?["healthy"] as? Bool) == false)
  }

  /// Three lines (3.06, 3.11, 7.71): nothing to fit, still a spike, and a report saying so.
  @Test func threeLinesStillGiveAVerdict() throws {
    let result = try CommandRunner.run([fixture("megatron/tr8-104B_exp11_iter11446-11448.log"), "--format", "json"])
    #expect(result.status == 1)
    let report = try json(result)
    #expect(report["fit"] is NSNull)
    #expect(events(report, "spike").first?["step"] as? Double == 11_448)
    #expect(result.stderr.split(separator: "\n").count == 1)
  }

  /// llm.c's failed run: NaN from step 1 for all 100 logged steps.
  @Test func deadFromTheStartIsDiverged() throws {
    let path = fixture("llmc-nan/gpt2_train.11679010.log")
    let text = try CommandRunner.run([path])
    #expect(text.stdout.contains("HEALTH   diverged at step 1 (no finite loss)"), "\(text.stdout)")
    #expect(text.status == 1)
    let failing = try CommandRunner.run([path, "--fail-on", "divergence"])
    #expect(failing.status == 3)
    let report = try json(try CommandRunner.run([path, "--format", "json"]))
    let divergence = try #require(events(report, "divergence").first)
    #expect(divergence["step"] as? Double == 1)
    #expect(divergence["no_finite_loss"] as? Bool == true)
    #expect(divergence["non_finite_count"] as? Int == 100)
    // In a folder beside a healthy log, --fail-on still sees it.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nan-folder-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.copyItem(atPath: path, toPath: folder.appendingPathComponent("dead.log").path)
    try Data(SyntheticLog(truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 2_000, noise: 0.01, seed: 3).csv.utf8)
      .write(to: folder.appendingPathComponent("good.csv"))
    let both = try CommandRunner.run([folder.path, "--fail-on", "divergence", "--bootstrap", "20"])
    #expect(both.status == 3, "\(both.stderr)")
    #expect(both.stdout.contains("diverged at step 1 (no finite loss)"))
  }

  /// AlgoPerf WMT, logged every 100 steps: a ×1.5 excursion at 13,300, four healthy points,
  /// then the ×9.4 spike at 13,800; a bump at 23,300–23,600 before the ×27 spike at 23,900.
  @Test func sparseLogKeepsSeparateSpikesApart() throws {
    let result = try CommandRunner.run([fixture("algoperf-wmt/measurements.csv"), "--format", "json", "--bootstrap", "20"])
    let steps = events(try json(result), "spike").compactMap { $0["step"] as? Double }
    #expect(steps.contains(13_300))
    #expect(steps.contains(13_800))
    #expect(steps.contains(23_900))
    let big = try #require(events(try json(result), "spike").first { $0["step"] as? Double == 13_800 })
    #expect((big["ratio"] as? Double ?? 0) > 8)
    // The rollback is a few logging intervals before the spike, not before the excursion ahead of it.
    let rollback = try #require(big["rollback_step"] as? Double)
    #expect(rollback >= 13_300 && rollback < 13_800)
    // The model line says why the runner-up lost (here: it did not converge).
    let text = try CommandRunner.run([fixture("algoperf-wmt/measurements.csv"), "--bootstrap", "20"])
    #expect(text.stdout.contains("lost: its fit did not converge"), "\(text.stdout)")
  }

  /// Detectron2: the rate drops 20× near iteration 1,500; from ~2,000 the loss stays in
  /// 0.94–1.17 with no downward trend. A plateau, and no power-law fall projected.
  @Test func flatEndAfterAStepDecayIsAPlateau() throws {
    let result = try CommandRunner.run([
      fixture("detectron2-metrics/metrics.json"), "--loss-col", "total_loss", "--format", "json", "--bootstrap", "20",
    ])
    let report = try json(result)
    let plateau = try #require(events(report, "plateau").last)
    #expect(plateau["ongoing"] as? Bool == true)
    #expect(plateau["explained_by_schedule"] as? Bool == false)
    let start = try #require(plateau["step"] as? Double)
    #expect(start >= 1_900 && start <= 3_000)
    #expect((report["health"] as? [String: Any])?["verdict"] as? String == "plateau since step \(NumberFormatTest.grouped(start))")
    let projections = try #require(report["projections"] as? [[String: Any]])
    #expect(projections.allSatisfy { $0["loss"] is NSNull && ($0["withheld"] as? String)?.contains("flat since") == true })
  }

  /// The W&B export of eight nanoGPT runs.
  @Test func runsTableTellsRunsApartAndShowsWhereTheyEnd() throws {
    let path = CommandRunner.packageRoot.appendingPathComponent("Tests/CurveFitTests/Fixtures/wandb-export/wandb_export.csv").path
    let text = try CommandRunner.run([path, "--bootstrap", "20", "--target", "3.5"])
    #expect(text.status == 0, "\(text.stderr)")
    let row = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("gpt2_char_to_token1729534595") })
    // 3.7 → 7.5 at step ~60 and never back: diverged, shown at its real end (step 127, 6.96).
    #expect(row.contains("diverged at step 5"), "\(row)")
    #expect(row.contains("127"))
    #expect(row.contains("6.96 (observed)"))
    #expect(row.contains("withheld"))
    // Names that share a long prefix keep the part that differs.
    #expect(text.stdout.contains("to_char1729587337"))
    #expect(text.stdout.contains("to_token1729493675"))
    #expect(text.stdout.contains("target"))
  }

  @Test func flagsThatCannotActAreErrors() throws {
    let wandb = CommandRunner.packageRoot.appendingPathComponent("Tests/CurveFitTests/Fixtures/wandb-export/wandb_export.csv").path
    let none = try CommandRunner.run([wandb, "--run", "nothing-like-it"])
    #expect(none.status == 64)
    #expect(none.stderr.contains("the runs are gpt2_last_char_to_char1729642919.4054031"))
    let synthetic = SyntheticLog(truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 500, noise: 0.01, seed: 1)
    let log = try CommandRunner.temporaryFile(
      named: "one.csv", contents: "step,loss\n" + zip(synthetic.steps, synthetic.losses).map { "\(Int($0)),\($1)\n" }.joined())
    let single = try CommandRunner.run([log, "--run", "a"])
    #expect(single.status == 64)
    #expect(single.stderr.contains("holds one series, not runs"))
    let schedule = try CommandRunner.run([log, "--schedule", "cosine"])
    #expect(schedule.status == 64)
    #expect(schedule.stderr.contains("--total-steps"))
  }
}

/// Detector details checked on generated runs with known truth.
@Suite(.serialized) struct VerdictDetailTests {
  let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.35)

  /// `header` rows of a power law with 1% noise at `steps`, ×`spike` on points `spikeAt..<spikeAt+3`.
  func csv(_ header: String, steps: [Double], spikeAt: Int? = nil, spike: Double = 3) -> String {
    var random = SeededRandom(seed: 11)
    var text = header + "\n"
    for (index, step) in steps.enumerated() {
      var loss = truth(step / steps[0]) * (1 + 0.01 * random.gaussian())
      if let spikeAt, index >= spikeAt, index < spikeAt + 3 { loss *= spike }
      text += "\(step),\(loss)\n"
    }
    return text
  }

  func json(_ result: CommandResult) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
  }

  /// Tokens as the step, 9e7 tokens between points: the report says tokens, and the rollback is
  /// a few logging intervals back in tokens, rounded to a round number of them.
  @Test func tokenAxisSpeaksTokens() throws {
    let steps = (1...500).map { Double($0) * 9e7 }
    let path = try CommandRunner.temporaryFile(named: "tokens.csv", contents: csv("tokens,loss", steps: steps, spikeAt: 300))
    let text = try CommandRunner.run([path, "--step-col", "tokens", "--bootstrap", "20"])
    #expect(text.stdout.contains("1 spike (recovered)"), "\(text.stdout)")
    let line = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("SPIKES") })
    #expect(line.contains("2.71e10 tokens"), "\(line)")
    #expect(line.contains("tokens · roll back to ≤ 2.6"), "\(line)")
    #expect(line.contains("tokens") && !line.contains("batches"))
    let spike = try #require((try json(try CommandRunner.run([path, "--step-col", "tokens", "--format", "json", "--bootstrap", "0"]))["events"] as? [[String: Any]])?.first)
    let start = try #require(spike["step"] as? Double)
    let rollback = try #require(spike["rollback_step"] as? Double)
    // Three intervals back (2.7e8 tokens), rounded down to a multiple of 2e8.
    #expect(start - rollback >= 2.7e8 && start - rollback <= 4.7e8)
    #expect(rollback.truncatingRemainder(dividingBy: 2e8) == 0)
  }

  /// A 128-step run with a spike at step 56: the rollback is a few steps back, not step 0.
  @Test func shortRunRollsBackAFewSteps() throws {
    let path = try CommandRunner.temporaryFile(named: "short.csv", contents: csv("step,loss", steps: (1...128).map(Double.init), spikeAt: 55))
    let report = try json(try CommandRunner.run([path, "--format", "json", "--bootstrap", "0"]))
    let spike = try #require((report["events"] as? [[String: Any]])?.first { $0["kind"] as? String == "spike" })
    #expect(spike["step"] as? Double == 56)
    let rollback = try #require(spike["rollback_step"] as? Double)
    #expect(rollback >= 45 && rollback < 56, "rollback \(rollback)")
    // Given explicitly, the flags win.
    let fixed = try json(try CommandRunner.run([path, "--format", "json", "--bootstrap", "0", "--rollback-steps", "20", "--checkpoint-every", "10"]))
    let explicit = try #require((fixed["events"] as? [[String: Any]])?.first { $0["kind"] as? String == "spike" })
    #expect(explicit["rollback_step"] as? Double == 30)
  }

  /// An EMA of a falling curve lags above it; smoothing the residual instead must not turn that
  /// lag into a spike, nor leave points out of the fit that the raw run keeps.
  @Test func smoothingInventsNothing() throws {
    let steps = (1...2_000).map(Double.init)
    let path = try CommandRunner.temporaryFile(named: "falling.csv", contents: csv("step,loss", steps: steps))
    let raw = try json(try CommandRunner.run([path, "--format", "json", "--bootstrap", "0"]))
    let smooth = try json(try CommandRunner.run([path, "--format", "json", "--bootstrap", "0", "--smooth", "0.9"]))
    #expect((smooth["events"] as? [Any])?.isEmpty == true, "\(smooth["events"] ?? "")")
    let rawFit = try #require(raw["fit"] as? [String: Any])
    let smoothFit = try #require(smooth["fit"] as? [String: Any])
    #expect(rawFit["points_used"] as? Int == smoothFit["points_used"] as? Int)
    #expect(abs((rawFit["alpha"] as? Double ?? 0) - (smoothFit["alpha"] as? Double ?? 1)) < 1e-9)
  }
}

/// `watch` refuses what it cannot follow and reads only complete lines.
@Suite(.serialized) struct WatchInputTests {
  @Test func missingFileAndDirectoryAreErrors() throws {
    let missing = try CommandRunner.run(["watch", "/nonexistent/run.csv", "--max-seconds", "1"])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("/nonexistent/run.csv: cannot open"))
    let directory = try CommandRunner.run(["watch", FileManager.default.temporaryDirectory.path, "--max-seconds", "1"])
    #expect(directory.status == 64)
    #expect(directory.stderr.contains("is a directory"))
  }

  /// The Whisper trainer state (Apache-2.0): analyze calls its plateau ended (3,050–4,525);
  /// watch on the same bytes must say the same, not "plateau since step 3050".
  @Test func watchAndAnalyzeAgree() throws {
    let path = CommandRunner.packageRoot.appendingPathComponent("Tests/CurveFitTests/Fixtures/hf-trainer-whisper-ja/trainer_state.json").path
    let analyze = try CommandRunner.run([path, "--format", "json", "--bootstrap", "0"])
    let report = try #require(JSONSerialization.jsonObject(with: Data(analyze.stdout.utf8)) as? [String: Any])
    let events = try #require(report["events"] as? [[String: Any]])
    let watch = try CommandRunner.run(["watch", path, "--max-seconds", "1.5", "--poll", "0.1"])
    let alerts = watch.stdout.split(separator: "\n").filter { $0.hasPrefix("ALERT") }
    #expect(alerts.count == events.count, "\(watch.stdout) vs \(events)")
    for event in events where event["kind"] as? String == "plateau" {
      let start = Int(try #require(event["step"] as? Double))
      let end = Int(try #require(event["end_step"] as? Double))
      #expect(alerts.contains { $0.contains("plateau at steps \(start)–\(end)") }, "\(alerts)")
    }
  }

  @Test func unreadableLogIsAnErrorNotAWait() throws {
    let path = try CommandRunner.temporaryFile(named: "prose.csv", contents: "hello,world\nthis,is\nnot,a log\n")
    let result = try CommandRunner.run(["watch", path, "--max-seconds", "2", "--poll", "0.1"])
    #expect(result.status == 1)
    #expect(result.stdout.components(separatedBy: "waiting").count <= 2)
  }

  /// A writer mid-way through `1.1234e-01` leaves `3001,1.1234`: ×10 its neighbours. Only the
  /// complete lines are analysed, so no spike is raised.
  @Test func halfWrittenLastLineRaisesNoAlarm() throws {
    let truth = PowerLaw(lMin: 0.05, c: 1, alpha: 0.35)
    var random = SeededRandom(seed: 5)
    var text = "step,loss\n"
    for step in 1...3_000 { text += "\(step),\(String(format: "%.4e", truth(Double(step)) * (1 + 0.01 * random.gaussian())))\n" }
    text += "3001,1.1234"
    let path = try CommandRunner.temporaryFile(named: "partial.csv", contents: text)
    let result = try CommandRunner.run(["watch", path, "--max-seconds", "2", "--poll", "0.1", "--fail-on", "spike"])
    #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
    #expect(!result.stdout.contains("ALERT"))
    #expect(result.stdout.contains("step 3000 "), "\(result.stdout)")
  }
}

/// The report's thousands separators, for comparing a verdict with a step from JSON.
enum NumberFormatTest {
  static func grouped(_ value: Double) -> String {
    let digits = String(Int(value.rounded()))
    var out = ""
    for (index, character) in digits.enumerated() {
      if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
      out.append(character)
    }
    return out
  }
}
