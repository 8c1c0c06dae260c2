import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

@Suite(.serialized) struct AnalyzeCommandTests {
  let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.35)

  func json(_ text: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(object as? [String: Any])
  }

  func checkFit(_ report: [String: Any], lastStep: Double) throws {
    let fit = try #require(report["fit"] as? [String: Any])
    #expect(fit["converged"] as? Bool == true)
    #expect(relativeError(try #require(fit["L_min"] as? Double), 2) < 0.02)
    #expect(relativeError(try #require(fit["C"] as? Double), 8) < 0.02)
    #expect(relativeError(try #require(fit["alpha"] as? Double), 0.35) < 0.02)
    let projections = try #require(report["projections"] as? [[String: Any]])
    #expect(projections.count == 3)
    // forecast.band_ceiling: the top of the loss now's interval, or the median of the last
    // losses when higher (within the noise here), above no projected band.
    let forecast = try #require(report["forecast"] as? [String: Any])
    let ceiling = try #require(forecast["band_ceiling"] as? Double)
    let current = try #require(report["current"] as? [String: Any])
    let top = try #require((current["ci95"] as? [Double])?.last)
    #expect(ceiling >= top && ceiling < top * 1.01, "\(ceiling) vs \(top)")
    for projection in projections {
      let factor = try #require(projection["factor"] as? Double)
      let loss = try #require(projection["loss"] as? Double)
      #expect(relativeError(loss, truth(factor * lastStep)) < 0.01)
      #expect(try #require((projection["ci95"] as? [Double])?.last) <= ceiling)
    }
  }

  @Test func csvOnStandardInput() throws {
    let log = SyntheticLog(truth: truth, count: 10_000, noise: 0.005, seed: 31)
    let result = try CommandRunner.run(["--format", "json"], stdin: log.csv)
    #expect(result.status == 0)
    #expect(result.stderr == "")
    let report = try json(result.stdout)
    try checkFit(report, lastStep: 10_000)
    let input = try #require(report["input"] as? [String: Any])
    #expect(input["rows"] as? Int == 10_000)
    #expect(input["step_column"] as? String == "step")
    #expect(input["loss_column"] as? String == "loss")
  }

  @Test func fitStartIsExplained() throws {
    // A drop steepest at step 1,000 (log10 L = 0.6 − 0.25·tanh((log10 t − 3)/0.25)), no rates.
    var csv = "step,loss\n"
    for step in 1...20_000 {
      let x = Foundation.log10(Double(step))
      csv += "\(step),\(Foundation.pow(10, 0.6 - 0.25 * Foundation.tanh((x - 3) / 0.25)))\n"
    }
    let result = try CommandRunner.run(["--format", "json", "--bootstrap", "0"], stdin: csv)
    #expect(result.status == 0, "\(result.stderr)")
    let fit = try #require(try json(result.stdout)["fit"] as? [String: Any])
    #expect(fit["from_step_reason"] as? String == "after_steepest_fall")
    let forecast = try #require(try json(result.stdout)["forecast"] as? [String: Any])
    #expect(forecast["error_per_doubling_floor"] as? Double == 0.0005)
    let text = try CommandRunner.run(["--bootstrap", "0"], stdin: csv)
    #expect(text.stdout.contains("; past the early drop)"), "\(text.stdout)")
    let flagged = try CommandRunner.run(["--format", "json", "--bootstrap", "0", "--from-step", "50"], stdin: csv)
    let flaggedFit = try #require(try json(flagged.stdout)["fit"] as? [String: Any])
    #expect(flaggedFit["from_step_reason"] as? String == "from_step_flag")
    #expect(flaggedFit["from_step"] as? Double == 50)
  }

  @Test func noBandBelowZeroWithoutTheBootstrap() throws {
    // A loss collapsing towards 0.03 under a declared cosine, cut early, with `--bootstrap 0`:
    // the delta method's straight-line bands reached −0.086 at 5× and 10× before.
    var csv = "step,loss\n"
    for step in stride(from: 10, through: 500, by: 10) {
      let t = Double(step)
      csv += "\(step),\((0.03 + 2 * Foundation.exp(-t / 150)) * Foundation.exp(0.05 * Foundation.sin(t * 12.9898)))\n"
    }
    let result = try CommandRunner.run(
      ["--format", "json", "--bootstrap", "0", "--schedule", "cosine", "--total-steps", "5000", "--warmup-steps", "100",
       "--final-lr-ratio", "0.1", "--at-step", "3000"], stdin: csv)
    #expect(result.status == 0, "\(result.stderr)")
    let report = try json(result.stdout)
    var rows = try #require(report["projections"] as? [[String: Any]])
    rows += try #require(report["at_steps"] as? [[String: Any]])
    rows.append(try #require(report["planned_end"] as? [String: Any]))
    #expect(rows.count == 5)
    for row in rows {
      let value = try #require(row["loss"] as? Double)
      for key in ["ci95", "ci80"] {
        let band = try #require(row[key] as? [Double])
        // Zero is as low as a band goes (this loss falls faster than 1/t, so the bands of the
        // steps to come open down to it), never below.
        #expect(band[0] >= 0 && band[0] <= value && value <= band[1], "\(key) \(band) for \(value)")
      }
      // Without the bootstrap the 80% noise band is the 95% one shrunk by z80/z95 on each side
      // (it was the calibrated 80% band).
      let (noise95, noise80) = try (#require(row["ci95_noise"] as? [Double]), #require(row["ci80_noise"] as? [Double]))
      let shrink = 1.2815515655446004 / 1.959963984540054
      for side in 0...1 {
        #expect(abs(noise80[side] - (value + shrink * (noise95[side] - value))) < 1e-9, "\(noise80) from \(noise95)")
      }
    }
  }

  @Test func longTableOfMetricsOnStdinIsPivoted() throws {
    // MLflow's export piped in: one row per metric and step, the loss named in `key`.
    var csv = "key,value,step,timestamp\n"
    for step in 1...200 {
      csv += "train_loss,\(2 + 8 * Foundation.pow(Double(step), -0.35)),\(step),1700000000\n"
      csv += "learning_rate,0.001,\(step),1700000000\n"
    }
    let result = try CommandRunner.run(["--format", "json", "--bootstrap", "0"], stdin: csv)
    #expect(result.status == 0, "\(result.stderr)")
    let input = try #require(try json(result.stdout)["input"] as? [String: Any])
    #expect(input["format"] as? String == "csv, long table of metrics")
    #expect(input["rows"] as? Int == 200)
  }

  @Test func jsonLinesFileAndDashForStdin() throws {
    let log = SyntheticLog(truth: truth, count: 8_000, noise: 0.005, seed: 32)
    let path = try CommandRunner.temporaryFile(named: "train.jsonl", contents: log.jsonLines)
    let fromFile = try CommandRunner.run([path, "--format", "json"])
    #expect(fromFile.status == 0)
    try checkFit(try json(fromFile.stdout), lastStep: 8_000)
    let fromDash = try CommandRunner.run(["analyze", "-", "--format", "json"], stdin: log.jsonLines)
    #expect(fromDash.status == 0)
    // The same bytes give the same report; only the source name and the command line differ.
    var fileReport = try json(fromFile.stdout)
    var dashReport = try json(fromDash.stdout)
    let fileRecord = try #require(fileReport.removeValue(forKey: "reproducibility") as? [String: Any])
    let dashRecord = try #require(dashReport.removeValue(forKey: "reproducibility") as? [String: Any])
    #expect(fileRecord["sha256"] as? String == dashRecord["sha256"] as? String)
    fileReport["input"] = nil
    dashReport["input"] = nil
    #expect(NSDictionary(dictionary: fileReport).isEqual(to: dashReport))
  }

  @Test func targetInJSON() throws {
    let log = SyntheticLog(truth: truth, count: 10_000, noise: 0.002, seed: 33)
    let reachable = try json(try CommandRunner.run(["--format", "json", "--target", "2.25"], stdin: log.csv).stdout)
    let target = try #require(reachable["target"] as? [String: Any])
    #expect(target["reachable"] as? Bool == true)
    // True step: (8 / 0.25)^(1/0.35) = 32^2.857 ≈ 19,887.
    #expect(relativeError(try #require(target["step"] as? Double), pow(32, 1 / 0.35)) < 0.05)
    let below = try json(try CommandRunner.run(["--format", "json", "--target", "1.9"], stdin: log.csv).stdout)
    let unreachable = try #require(below["target"] as? [String: Any])
    #expect(unreachable["reachable"] as? Bool == false)
    #expect(unreachable["step"] is NSNull)
  }

  @Test func aTargetWithinThePlannedRunIsOneSentence() throws {
    // L = 2 + 8·t^-0.35 reaches 2 + 8·20,000^-0.35 at step 20,000, inside a planned 40,000.
    let log = SyntheticLog(truth: truth, count: 10_000, noise: 0.002, seed: 36)
    let goal = 2 + 8 * pow(20_000, -0.35)
    let text = try CommandRunner.run(
      ["--target", String(format: "%.4f", goal), "--total-steps", "40000", "--bootstrap", "0"], stdin: log.csv)
    #expect(text.status == 0, "\(text.stderr)")
    let line = try #require(text.stdout.split(separator: "\n").first { $0.contains("target ") })
    // It read "reached at step 20,123 of 40,000 in this run; reached at step 20,123 (…)".
    #expect(line.contains(" of 40,000 in this run"), "\(line)")
    #expect(line.components(separatedBy: "reached at step").count == 2, "\(line)")
    let after = try #require(line.range(of: "reached at step ")).upperBound
    let digits = line[after...].prefix { $0.isNumber || $0 == "," }.replacingOccurrences(of: ",", with: "")
    #expect(relativeError(try #require(Double(digits)), 20_000) < 0.1, "\(line)")
  }

  @Test func aFitTooShortToBacktestIsNotCalledShortOfPoints() throws {
    // 801 points from step 100 to 900 span 9×: the latest origin (450) leaves a span of 4.5×,
    // the next (382.5) one of 3.8×, under the 4× a refit needs. It read "too few points".
    let log = SyntheticLog(truth: PowerLaw(lMin: 2, c: 8, alpha: 0.35), count: 900, noise: 0.005, seed: 38)
    let short = try CommandRunner.run(["--from-step", "100", "--bootstrap", "0"], stdin: log.csv)
    #expect(short.status == 0, "\(short.stderr)")
    let note = try #require(short.stdout.split(separator: "\n").first { $0.contains("intervals include") })
    #expect(note.contains("too short a fit to backtest (it spans 9.0× its first step; two backtests at this reach need 9.4×)"), "\(note)")
    #expect(!note.contains("too few points"), "\(note)")
    // From step 50 (18×) the backtests run.
    let long = try CommandRunner.run(["--from-step", "50", "--bootstrap", "0"], stdin: log.csv)
    let longNote = try #require(long.stdout.split(separator: "\n").first { $0.contains("intervals include") })
    #expect(longNote.contains("backtests inside this run"), "\(longNote)")
  }

  @Test func aTargetAlreadyPassedIsSaidSo() throws {
    // L = 2 + 8·t^-0.35 passes 3.0 at t = 8^(1/0.35) ≈ 380, long before the log's last step.
    let log = SyntheticLog(truth: truth, count: 10_000, noise: 0.002, seed: 35)
    let text = try CommandRunner.run(
      ["--target", "3.0", "--total-steps", "20000", "--at-step", "15000", "--at-step", "15000", "--bootstrap", "0"],
      stdin: log.csv)
    #expect(text.status == 0, "\(text.stderr)")
    let line = try #require(text.stdout.split(separator: "\n").first { $0.contains("target 3.000") })
    #expect(line.contains("already reached: the fitted curve passed it at step 3"), "\(line)")
    #expect(!line.contains("in this run"), "\(line)")
    let after = try #require(line.range(of: "passed it at step ")).upperBound
    let digits = line[after...].prefix { $0.isNumber || $0 == "," }.replacingOccurrences(of: ",", with: "")
    let step = try #require(Double(digits))
    #expect(relativeError(step, pow(8, 1 / 0.35)) < 0.1, "\(line)")
    // The same --at-step twice is one row.
    #expect(text.stdout.components(separatedBy: "at step             15,000").count == 2, "\(text.stdout)")
    // A target above every fitted loss was "passed at step 0 (0–0)", a step the law never saw.
    let high = try CommandRunner.run(["--target", "100", "--bootstrap", "0"], stdin: log.csv)
    let highLine = try #require(high.stdout.split(separator: "\n").first { $0.contains("target 100.0") })
    #expect(highLine.contains("already reached: the fitted loss is below it at every fitted step (from "), "\(highLine)")
  }

  @Test("a negative number after a flag is its value, so the error says what is wrong with it")
  func negativeValuesReachTheirChecks() throws {
    let log = SyntheticLog(truth: truth, count: 2_000, noise: 0.005, seed: 37)
    // They read "Missing value for '--total-steps <total-steps>'": the parser took -5 for a flag.
    for (flag, message) in [
      ("--total-steps", "--total-steps must be a positive number, got -5.0"),
      ("--at-step", "--at-step must be a positive step, got -5.0"),
      ("--annealing-prior", "--annealing-prior must be in [0, 1), got -5.0"),
    ] {
      let result = try CommandRunner.run([flag, "-5", "--bootstrap", "0"], stdin: log.csv)
      #expect(result.status == 64, "\(flag): \(result.stderr)")
      #expect(result.stderr.contains(message), "\(flag): \(result.stderr)")
    }
    // A target below zero is a loss like any other: below this curve's floor, unreachable.
    let below = try CommandRunner.run(["--target", "-1", "--bootstrap", "0"], stdin: log.csv)
    #expect(below.status == 0, "\(below.stderr)")
    #expect(below.stdout.contains("target -1.000       unreachable: target is below the fitted floor"), "\(below.stdout)")
  }

  @Test("a parameter whose standard error exceeds its value is said not to be pinned down; a clean curve's are not")
  func looseParametersAreNamed() throws {
    // 1.76 + 0.05·(t/1000)^-0.3 barely falls over steps 500–200,000 under ±0.015 of noise: the
    // fit finds C 0.31 ± 0.38.
    let flat = "step,loss\n" + (1...400).map { i in
      let t = Double(i) * 500
      return "\(Int(t)),\(1.76 + 0.05 * pow(t / 1000, -0.3) + 0.015 * sin(2.3 * Double(i)))"
    }.joined(separator: "\n") + "\n"
    let loose = try CommandRunner.run(["--bootstrap", "0"], stdin: flat)
    #expect(loose.status == 0, "\(loose.stderr)")
    #expect(loose.stdout.contains("C is not pinned down by this log"), "\(loose.stdout)")
    let markdown = try CommandRunner.run(["--bootstrap", "0", "--format", "markdown"], stdin: flat)
    #expect(markdown.stdout.contains("C is not pinned down by this log"))
    let clean = SyntheticLog(truth: truth, count: 2_000, noise: 0.005, seed: 38)
    let tight = try CommandRunner.run(["--bootstrap", "0"], stdin: clean.csv)
    #expect(!tight.stdout.contains("not pinned down"), "\(tight.stdout)")
  }

  @Test func textAndMarkdownReports() throws {
    let log = SyntheticLog(truth: truth, count: 5_000, noise: 0.005, seed: 34)
    let text = try CommandRunner.run(["--target", "1.5"], stdin: log.csv)
    #expect(text.status == 0)
    #expect(text.stdout.hasPrefix("curvefit \(CurveFitVersion.current) · <stdin> (csv) · 5,000 points"))
    #expect(text.stdout.contains("unreachable: target is below the fitted floor L_min"))
    let markdown = try CommandRunner.run(["--format", "markdown"], stdin: log.csv)
    #expect(markdown.stdout.contains("| 10× | 50,000 |"))
  }

  @Test func badInputExitsOneWithOneLine() throws {
    let path = try CommandRunner.temporaryFile(named: "bad.csv", contents: "step,loss\n1,2.5\n2,abc\n")
    let result = try CommandRunner.run([path])
    #expect(result.status == 1)
    #expect(result.stdout == "")
    #expect(result.stderr == "curvefit: \(path):3: column 'loss' has 'abc', expected a number\n")
  }

  @Test func missingFileAndEmptyStdin() throws {
    let missing = try CommandRunner.run(["/nonexistent/run.csv"])
    #expect(missing.status == 1)
    #expect(missing.stderr == "curvefit: /nonexistent/run.csv: cannot open: No such file or directory\n")
    let empty = try CommandRunner.run([], stdin: "")
    #expect(empty.status == 1)
    #expect(empty.stderr == "curvefit: <stdin>: the input is empty, expected a header row or JSON lines\n")
  }

  @Test func badUsageUsesTheParserCode() throws {
    let result = try CommandRunner.run(["--format", "yaml"], stdin: "")
    #expect(result.status == 64)
    #expect(result.stderr.contains("--format"))
  }

  @Test func versionAndHelp() throws {
    let version = try CommandRunner.run(["--version"])
    #expect(version.stdout == "\(CurveFitVersion.current)\n")
    let help = try CommandRunner.run(["--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("Examples (from the repository root):"))
    let analyzeHelp = try CommandRunner.run(["analyze", "--help"])
    #expect(analyzeHelp.stdout.contains("--target"))
    #expect(analyzeHelp.stdout.contains("Examples (from the repository root):"))
  }
}
