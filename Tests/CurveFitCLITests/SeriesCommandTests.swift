import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

@Suite(.serialized) struct SeriesCommandTests {
  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  /// Two runs in a long table: one report comparing them, JSON `{"series": [...]}` whose entries
  /// are the one-series object plus a name.
  @Test func severalRunsCompareInOneReport() throws {
    var csv = "experiment,step,loss\n"
    let truths = [("baseline", PowerLaw(lMin: 2.2, c: 9, alpha: 0.4)), ("wider", PowerLaw(lMin: 2.0, c: 9, alpha: 0.4))]
    var random = SeededRandom(seed: 51)
    for (name, truth) in truths {
      for step in 1...3_000 { csv += "\(name),\(step),\(truth(Double(step)) * (1 + 0.003 * random.gaussian()))\n" }
    }
    let path = try CommandRunner.temporaryFile(named: "runs.csv", contents: csv)
    let result = try CommandRunner.run([path, "--format", "json", "--bootstrap", "50"])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try json(result.stdout)
    let series = try #require(report["series"] as? [[String: Any]])
    #expect(series.map { $0["name"] as? String } == ["baseline", "wider"])
    for (entry, (_, truth)) in zip(series, truths) {
      let fit = try #require(entry["fit"] as? [String: Any])
      #expect(relativeError(try #require(fit["L_min"] as? Double), truth.lMin) < 0.03)
      #expect(entry["input"] is [String: Any] && entry["projections"] is [[String: Any]])
    }
    let text = try CommandRunner.run([path, "--bootstrap", "0"])
    #expect(text.stdout.contains("2 series"))
    #expect(text.stdout.contains("baseline") && text.stdout.contains("wider"))
    // --run narrows to one run, whose report is the ordinary one.
    let one = try CommandRunner.run([path, "--run", "wider", "--format", "json", "--bootstrap", "0"])
    #expect(try json(one.stdout)["fit"] != nil)
    let none = try CommandRunner.run([path, "--run", "nosuch"])
    // A --run that names nothing is bad usage, and the error lists the runs there are.
    #expect(none.status == 64)
    #expect(none.stderr.contains("no run matches --run nosuch; the runs are baseline, wider"))
  }

  @Test func metricsSideBySideAndSmoothing() throws {
    var csv = "step,loss,eval_loss\n"
    let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.35)
    for step in 1...2_000 { csv += "\(step),\(truth(Double(step))),\(step % 100 == 0 ? String(truth(Double(step)) + 0.1) : "")\n" }
    let path = try CommandRunner.temporaryFile(named: "metrics.csv", contents: csv)
    let result = try CommandRunner.run([path, "--metric", "loss,eval_loss", "--format", "json", "--bootstrap", "0"])
    #expect(result.status == 0, "\(result.stderr)")
    let series = try #require(try json(result.stdout)["series"] as? [[String: Any]])
    #expect(series.map { $0["name"] as? String } == ["loss", "eval_loss"])
    let evalInput = try #require(series[1]["input"] as? [String: Any])
    #expect(evalInput["rows"] as? Int == 20)
    let smoothed = try CommandRunner.run([path, "--smooth", "0.9", "--bootstrap", "0"])
    #expect(smoothed.stdout.contains("note: losses smoothed for detection and display by a debiased EMA (weight 0.9)"))
    let bad = try CommandRunner.run([path, "--smooth", "1.5"])
    #expect(bad.status == 64)
  }

  @Test func eventFileFromTheCommandLine() throws {
    let fixture = CommandRunner.packageRoot
      .appendingPathComponent("Tests/CurveFitTests/Fixtures/tensorboard-generated/events.out.tfevents.1700000000.curvefit-fixture.0")
    let result = try CommandRunner.run([fixture.path, "--format", "json", "--bootstrap", "0", "--model", "power"])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try json(result.stdout)
    let input = try #require(report["input"] as? [String: Any])
    #expect(input["format"] as? String == "tensorboard")
    #expect(input["loss_column"] as? String == "train/loss")
    let fit = try #require(report["fit"] as? [String: Any])
    #expect(relativeError(try #require(fit["alpha"] as? Double), 0.35) < 0.02)
    // A corrupted copy: the error names the file and the byte offset.
    var bytes = try Data(contentsOf: fixture)
    let second = 12 + (Int(bytes[0]) | Int(bytes[1]) << 8) + 4
    bytes[second + 20] ^= 0xFF
    let bad = try CommandRunner.temporaryFile(named: "events.out.tfevents.bad", bytes: bytes)
    let failed = try CommandRunner.run([bad])
    #expect(failed.status == 1)
    #expect(failed.stderr.contains("\(bad): byte offset \(second): TensorBoard record: the data's CRC does not match"))
  }
}
