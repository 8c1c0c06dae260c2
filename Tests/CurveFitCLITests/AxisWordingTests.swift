import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// A report names every position in the unit its step column counts. A run logged by tokens
/// read "warm-up 3.15e9 steps", "reached at step 4.48e10": numbers no optimiser ever stepped.
@Suite(.serialized) struct AxisWordingTests {
  /// L = 2 + 40·t^-0.3 with 0.5% noise, at `count` evenly spaced positions `every` apart.
  static func log(_ header: String, every: Double, count: Int, line: (Double, Double) -> String) -> String {
    var random = SeededRandom(seed: 5)
    var text = header.isEmpty ? "" : header + "\n"
    for index in 1...count {
      let position = Double(index) * every
      text += line(position, (2 + 40 * pow(position / every, -0.3)) * (1 + 0.005 * random.gaussian())) + "\n"
    }
    return text
  }

  @Test("a run by tokens with a declared schedule speaks tokens in every section")
  func tokens() throws {
    let text = Self.log("tokens,loss", every: 1e8, count: 200) { "\($0),\($1)" }
    let path = try CommandRunner.temporaryFile(named: "by-tokens.csv", contents: text)
    let run = try CommandRunner.run([
      path, "--schedule", "cosine", "--total-steps", "4e10", "--warmup-steps", "1e9", "--target", "3.2",
      "--at-step", "3e10", "--bootstrap", "20",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let out = run.stdout
    for phrase in [
      "1.00e8–2.00e10 tokens", "warm-up 1.00e9 tokens", "at 4.00e10 tokens", "PROJECTION            tokens",
      "at tokens           3.00e10", "from 2.00e10 tokens to 4.00e10 tokens",
    ] {
      #expect(out.contains(phrase), "missing \"\(phrase)\" in\n\(out)")
    }
    let json = try CommandRunner.run([path, "--format", "json", "--bootstrap", "0"])
    let input = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["input"] as? [String: Any])
    #expect(input["step_unit"] as? String == "tokens")
    // No position on this axis is called a step.
    #expect(!out.contains("step 1") && !out.contains("step 2") && !out.contains("step 4"), "\(out)")
  }

  @Test("a table of runs by tokens heads its position column 'tokens seen'")
  func comparison() throws {
    var text = "run_name,tokens,loss\n"
    for run in ["a", "b"] {
      text += Self.log("", every: 1e8, count: 60) { "\(run),\($0),\($1)" }
    }
    let path = try CommandRunner.temporaryFile(named: "runs.csv", contents: text)
    let run = try CommandRunner.run([path, "--bootstrap", "0"])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.contains("tokens seen") && !run.stdout.contains("last step"), "\(run.stdout)")
  }

  @Test("--fail-on names a spike on a token axis in tokens; on a step axis, as before, 'at step N'")
  func failOnWording() throws {
    for (header, every, phrase) in [("tokens,loss", 1e8, "spike at 1.51e10 tokens (--fail-on)"), ("step,loss", 10.0, "spike at step 1510 (--fail-on)")] {
      var text = Self.log(header, every: every, count: 200) { "\($0),\($1)" }
      // Three losses 3× too high from the 151st row on.
      var lines = text.split(separator: "\n").map(String.init)
      for row in 151...153 {
        let cells = lines[row].split(separator: ",")
        lines[row] = "\(cells[0]),\(3 * Double(cells[1])!)"
      }
      text = lines.joined(separator: "\n") + "\n"
      let path = try CommandRunner.temporaryFile(named: "spiky.csv", contents: text)
      let run = try CommandRunner.run([path, "--fail-on", "spike", "--bootstrap", "0"])
      #expect(run.status == 3, "\(run.stderr)")
      #expect(run.stderr.contains(phrase), "\(run.stderr)")
    }
  }

  @Test("a hand-written loop's log by epoch speaks epochs")
  func epochs() throws {
    let text = Self.log("", every: 1, count: 20) { "Epoch \(Int($0))/40, Loss: \(String(format: "%.5f", $1))" }
    let path = try CommandRunner.temporaryFile(named: "epochs.log", contents: text)
    let run = try CommandRunner.run([path, "--at-step", "30", "--bootstrap", "20"])
    #expect(run.status == 0, "\(run.stderr)")
    for phrase in ["epochs 1–20", "PROJECTION            epoch", "at epoch            30", "from epoch 20 to epoch 40"] {
      #expect(run.stdout.contains(phrase), "missing \"\(phrase)\" in\n\(run.stdout)")
    }
  }
}
