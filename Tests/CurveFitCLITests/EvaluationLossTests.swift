import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// Evaluation losses as users bring them: a table holding only one, a trainer state asked for
/// one, a console log asked for one it cannot read.
@Suite(.serialized) struct EvaluationLossTests {
  /// Twenty evaluations of a fine-tune past its best: lowest at step 700 (u = 0.352), ×1.2 by the end.
  static let csv: String = {
    var text = "step,val_loss\n"
    for i in 1...20 {
      let u = Double(i) / 20
      text += "\(100 * i),\(0.30 + 0.25 * Foundation.exp(-8 * u) + 0.12 * max(0, u - 0.35))\n"
    }
    return text
  }()

  @Test func aTableWithOnlyAnEvaluationLossIsReadAndSaidToOverfit() throws {
    let result = try CommandRunner.run(["--bootstrap", "0"], stdin: Self.csv)
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.contains("note: no training loss in this log: reading the evaluation loss \"val_loss\" (--loss-col picks another)"))
    let verdict = try #require(lines.first { $0.hasPrefix("HEALTH") })
    // The low is at step 700; the running median puts it within a window (3 points) of it.
    let step = try #require(Double(verdict.split(separator: " ").last!.replacingOccurrences(of: ",", with: "")))
    #expect(verdict.hasPrefix("HEALTH   overfitting since step "), "\(verdict)")
    #expect(abs(step - 700) <= 300, "\(verdict)")
    #expect(result.stdout.contains("an evaluation loss past its lowest: the model overfits; keep the checkpoint nearest step"))
    #expect(result.stdout.contains("not projected: the evaluation loss has risen since its lowest"))
    // The same losses under a training loss's name diverge, with a rollback.
    let training = try CommandRunner.run(["--bootstrap", "0"], stdin: Self.csv.replacingOccurrences(of: "val_loss", with: "loss"))
    #expect(training.stdout.contains("HEALTH   diverging at step "), "\(training.stdout)")
    #expect(training.stdout.contains("· roll back before step "))
  }

  @Test func aTrainerStateAskedForItsEvaluationLoss() throws {
    // hf-trainer-whisper-ja's five evaluations, between training records.
    var records: [String] = []
    for (step, loss) in [(1_000, 0.3210), (2_000, 0.3585), (3_000, 0.3937), (4_000, 0.4123), (5_000, 0.4200)] {
      records.append(#"{"step": \#(step), "loss": \#(0.01 / Double(step / 1_000))}"#)
      records.append(#"{"step": \#(step), "eval_loss": \#(loss)}"#)
    }
    let state = #"{"global_step": 5000, "log_history": ["# + records.joined(separator: ",\n") + "]}\n"
    let result = try CommandRunner.run(["--metric", "eval_loss", "--format", "json"], stdin: state)
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let health = try #require(object?["health"] as? [String: Any])
    #expect(health["verdict"] as? String == "overfitting since step 1,000")
    let events = try #require(object?["events"] as? [[String: Any]])
    #expect(events.last?["kind"] as? String == "divergence")
    #expect(events.last?["overfitting"] as? Bool == true)
  }

  @Test func theTrainingLossReportNotesAnEvaluationLossThatClimbs() throws {
    // A training loss falling as 3·t^-0.2 every 10 steps; beside it, every 200 steps, the
    // evaluation loss of the table above (lowest at step 700 of 2,000, there at step 14,000).
    var csv = "step,loss,val_loss\n"
    let evaluations = Self.csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }
    for step in stride(from: 10, through: 40_000, by: 10) {
      let evaluation = step % 2_000 == 0 ? String(evaluations[step / 2_000 - 1]) : ""
      csv += "\(step),\(3 * Foundation.pow(Double(step), -0.2)),\(evaluation)\n"
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-\(getpid()).csv").path
    try csv.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try CommandRunner.run([path, "--bootstrap", "0"])
    #expect(result.status == 0, "\(result.stderr)")
    // The verdict opens with it, the training loss's own after it; the note only names the flag.
    #expect(result.stdout.contains("note: val_loss overfits (see HEALTH); --metric val_loss for its report\n"), "\(result.stdout)")
    let verdict = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("HEALTH") })
    #expect(verdict.hasPrefix("HEALTH   val_loss overfitting since step 1"), "\(verdict)")
    #expect(verdict.hasSuffix("(×1.2 from its lowest) · training loss: healthy"), "\(verdict)")
    let json = try CommandRunner.run([path, "--bootstrap", "0", "--format", "json"])
    let health = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["health"] as? [String: Any])
    let heldOut = try #require(health["held_out_overfitting"] as? [String: Any], "\(health)")
    #expect(heldOut["name"] as? String == "val_loss")
    // The evaluations' lowest is at step 14,000 (700 of their 2,000); the running median puts it within a window.
    #expect(abs((heldOut["step"] as? Double ?? 0) - 14_000) <= 6_000, "\(heldOut)")
    // Truth: the table's last evaluation over its lowest, 0.3781 / 0.3152 = 1.20 (hand-computed), within 5%.
    #expect(abs((heldOut["rise_ratio"] as? Double ?? 0) / 1.1995 - 1) < 0.05, "\(heldOut)")
    #expect(health["healthy"] as? Bool == true)
    // --fail-on divergence fails on it as on the evaluation loss's own report; spikes alone do not.
    let failing = try CommandRunner.run([path, "--bootstrap", "0", "--fail-on", "divergence"])
    #expect(failing.status == 3, "\(failing.stderr)")
    #expect(failing.stderr.contains("divergence at step 1"), "\(failing.stderr)")
    #expect(failing.stderr.contains(": val_loss overfitting (--fail-on)"), "\(failing.stderr)")
    #expect(try CommandRunner.run([path, "--bootstrap", "0", "--fail-on", "spike"]).status == 0)
    // From standard input the file cannot be read twice: no note, and the training loss's verdict alone.
    let piped = try CommandRunner.run(["--bootstrap", "0"], stdin: csv)
    #expect(!piped.stdout.contains("note: val_loss"))
    #expect(piped.stdout.contains("HEALTH   healthy\n"), "\(piped.stdout)")
  }

  /// nanoGPT prints its evaluation on lines of its own (`step 250: train loss X, val loss Y`):
  /// the Shakespeare demo's training loss falls throughout while its `val loss` climbs from 1.47
  /// at step 1,750 to 1.71, and the training report read healthy without a word of it.
  @Test func theTrainingReportOfAConsoleLogNotesAnEvaluationLossThatClimbs() throws {
    // The table's evaluation losses every 250 iterations (lowest at the 7th, step 1,750), a
    // training loss falling as 4·t^-0.2 every 10 iterations.
    let evaluations = Self.csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }
    var log = "Overriding config with config/train_shakespeare_char.py:\n"
    for step in stride(from: 10, through: 5_000, by: 10) {
      if step % 250 == 0 { log += "step \(step): train loss \(4 * Foundation.pow(Double(step), -0.2)), val loss \(evaluations[step / 250 - 1])\n" }
      log += "iter \(step): loss \(4 * Foundation.pow(Double(step), -0.2)), time 765.00ms, mfu 0.48%\n"
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-\(getpid()).log").path
    try log.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try CommandRunner.run([path, "--bootstrap", "0"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("note: val_loss overfits (see HEALTH); --metric val_loss for its report\n"), "\(result.stdout)")
    let verdict = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("HEALTH   val_loss overfitting since step ") }, "\(result.stdout)")
    // Lowest at step 1,750; the running median puts it within a window (3 evaluations) of it.
    let step = try #require(Double(verdict.split(separator: " ")[5].replacingOccurrences(of: ",", with: "")), "\(verdict)")
    #expect(abs(step - 1_750) <= 750, "\(verdict)")
    #expect(result.stdout.contains("from its lowest) · training loss: healthy"), "\(result.stdout)")
    // A log without evaluation lines gains no note.
    let bare = log.split(separator: "\n").filter { !$0.hasPrefix("step ") }.joined(separator: "\n") + "\n"
    try bare.write(toFile: path, atomically: true, encoding: .utf8)
    let plain = try CommandRunner.run([path, "--bootstrap", "0"])
    #expect(plain.status == 0 && !plain.stdout.contains("note: val_loss"), "\(plain.stdout)")
  }

  @Test func aConsoleLogAskedForAnotherMetricSaysSo() throws {
    let log = (0..<20).map { "iter \($0 * 10): loss \(4.0 - 0.05 * Double($0)), time 12.3ms" }.joined(separator: "\n") + "\n"
    // A metric the layout does not read, and an evaluation loss it has no lines for.
    for metric in ["accuracy", "val_loss"] {
      let result = try CommandRunner.run(["--metric", metric], stdin: log)
      #expect(result.status == 64)
      #expect(result.stderr.hasPrefix(
        "curvefit: <stdin>: a console log (nanoGPT) read for one loss a line, 'loss'; it has no column '\(metric)' for --metric or --loss-col"),
        "\(result.stderr)")
    }
    // With its evaluation lines, `--metric val_loss` reads them (every 100 iterations here).
    var withEvaluations = log
    for step in stride(from: 0, through: 200, by: 100) {
      withEvaluations += "step \(step): train loss \(4.0 - 0.005 * Double(step)), val loss \(4.1 - 0.004 * Double(step))\n"
    }
    let evaluations = try CommandRunner.run(["--metric", "val_loss", "--format", "json"], stdin: withEvaluations)
    #expect(evaluations.status == 0 || evaluations.status == 1, "\(evaluations.stderr)")
    let input = try #require((try JSONSerialization.jsonObject(with: Data(evaluations.stdout.utf8)) as? [String: Any])?["input"] as? [String: Any])
    #expect(input["loss_column"] as? String == "val_loss")
    #expect(input["rows"] as? Int == 3)  // the three evaluation lines
    // Its own loss by a training-loss name is still read.
    let same = try CommandRunner.run(["--loss-col", "train_loss", "--bootstrap", "0"], stdin: log)
    #expect(same.status == 0, "\(same.stderr)")
  }

  /// llm.c's console prints `val loss X` on a line of its own, after the step line of the update
  /// before it (its main.log writes the same loss as `s:250 tel:X`).
  @Test func llmcConsoleValidationLinesTakeTheStepBeforeThem() throws {
    var log = "+-----------------------+\n| Parameter | Value |\nnum_parameters: 124475904\n"
    for step in 1...100 {
      if (step - 1) % 25 == 0 { log += "val loss \(4 + 8 / Double(step))\n" }
      log += "step \(String(repeating: " ", count: 4 - String(step).count))\(step)/100 | loss \(3.9 + 8 / Double(step)) "
        + "(+nanz)| norm 0.7 (+nanz)| lr 6.00e-04 | 4200.00 ms | 32.1% bf16 MFU | 124800 tok/s\n"
    }
    log += "val loss 4.05\n"
    // Before: "a console log (llm.c console) read for one loss a line, 'loss'; it has no column 'val_loss'".
    let result = try CommandRunner.run(["--metric", "val_loss", "--format", "json", "--bootstrap", "0"], stdin: log)
    #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let input = try #require(json["input"] as? [String: Any])
    #expect(input["loss_column"] as? String == "val_loss")
    #expect(input["format"] as? String == "text (llm.c console (validation))")
    // Five evaluations: before the first update (step 0), after 25, 50 and 75, and at the end.
    #expect(input["rows"] as? Int == 5)
    #expect(input["first_step"] as? Double == 0 && input["last_step"] as? Double == 100)
    // The training loss is still what the log gives by default.
    let training = try CommandRunner.run(["--format", "json", "--bootstrap", "0"], stdin: log)
    let trainingInput = try #require(
      (try JSONSerialization.jsonObject(with: Data(training.stdout.utf8)) as? [String: Any])?["input"] as? [String: Any])
    #expect(trainingInput["rows"] as? Int == 100 && trainingInput["loss_column"] as? String == "loss")
  }
}
