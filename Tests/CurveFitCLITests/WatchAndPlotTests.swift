import CurveFit
import CurveFitTestSupport
import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif
import Testing

@Suite(.serialized) struct WatchAndPlotTests {
  let truth = PowerLaw(lMin: 2, c: 8, alpha: 0.35)

  func rows(_ range: ClosedRange<Int>, spikeAt spike: Int? = nil) -> String {
    var random = SeededRandom(seed: UInt64(range.lowerBound))
    return range.map { step in
      var loss = truth(Double(step)) * (1 + 0.01 * random.gaussian())
      if let spike, step >= spike, step < spike + 30 {
        let k = Double(step - spike) / 30
        loss *= 1 + 2 * (1 - k) * (1 - k)
      }
      return "\(step),\(loss)\n"
    }.joined()
  }

  @Test func watchAlertsSoonAfterASpike() throws {
    let path = try CommandRunner.temporaryFile(named: "live.csv", contents: "step,loss\n" + rows(1...3_000))
    let binary = try #require(CommandRunner.binary)
    let process = Process()
    process.executableURL = binary
    process.arguments = ["watch", path, "--poll", "0.1", "--every-seconds", "0.2", "--max-seconds", "20", "--fail-on", "spike"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = Pipe()
    try process.run()
    defer { if process.isRunning { process.terminate() } }
    // Let it analyse the healthy start, then append a spike at step 3,200.
    Thread.sleep(forTimeInterval: 2)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(rows(3_001...3_250, spikeAt: 3_200).utf8))
    try handle.close()
    let written = Date()
    var text = ""
    var alertedAt: Date?
    let reader = output.fileHandleForReading
    while Date().timeIntervalSince(written) < 10 {
      let chunk = reader.availableData
      if chunk.isEmpty { break }
      text += String(decoding: chunk, as: UTF8.self)
      if alertedAt == nil, text.contains("ALERT spike") { alertedAt = Date() }
      if alertedAt != nil { break }
    }
    process.waitUntilExit()
    let delay = try #require(alertedAt).timeIntervalSince(written)
    // Not a timing target (those live in `make bench`): the alert must come from a refit soon
    // after the write, not from the end of the 20-second run. A debug build refitting 3,250
    // rows takes about 1.6 s on the 2-core machine, so 2 s was flaky under a loaded test run.
    #expect(delay <= 6, "alert after \(delay) s")
    #expect(text.contains("ALERT spike at step 3200"), "\(text)")
    #expect(text.contains("roll back to ≤ 3100"))
    #expect(process.terminationStatus == 3)
  }

  /// A run whose loss fell to 0 (a broken loss) is withheld: its status shows no 10× number.
  @Test func watchShowsNoProjectionOfAWithheldForecast() throws {
    var text = "step,loss\n"
    for step in stride(from: 10, through: 2_000, by: 10) {
      text += "\(step),\(step >= 1_510 ? 0 : truth(Double(step)))\n"
    }
    let path = try CommandRunner.temporaryFile(named: "zeros.csv", contents: text)
    let result = try CommandRunner.run(["watch", path, "--max-seconds", "1.5", "--poll", "0.1"])
    #expect(result.stdout.contains("ALERT divergence at step 1510 (critical)"), "\(result.stdout)")
    #expect(result.stdout.contains("10× → not projected"), "\(result.stdout)")
  }

  @Test func plotIsValidSelfContainedSVG() throws {
    var log = SyntheticLog(truth: truth, count: 5_000, noise: 0.01, seed: 12)
    for k in 0..<30 { log.losses[3_000 + k] *= 2.5 }
    let csvPath = try CommandRunner.temporaryFile(named: "run.csv", contents: log.csv)
    let svgPath = csvPath.replacingOccurrences(of: "run.csv", with: "run.svg")
    let result = try CommandRunner.run([csvPath, "--plot", svgPath, "--format", "markdown", "--bootstrap", "100"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("![loss curve](\(svgPath))"))
    let data = try Data(contentsOf: URL(fileURLWithPath: svgPath))
    let parser = XMLParser(data: data)
    #expect(parser.parse(), "not well-formed XML: \(String(describing: parser.parserError))")
    let svg = String(decoding: data, as: UTF8.self)
    #expect(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    #expect(!svg.contains("<script") && !svg.contains("href="))
    #expect(svg.contains("3,001") || svg.contains("3,000"))  // the spike's step label
    #expect(svg.contains("projection to 10×"))
  }

  @Test func textReportHasASparkline() throws {
    let log = SyntheticLog(truth: truth, count: 2_000, noise: 0.005, seed: 4)
    let result = try CommandRunner.run(["--bootstrap", "0"], stdin: log.csv)
    let lines = result.stdout.split(separator: "\n")
    let spark = try #require(lines.first { $0.contains("loss over log-spaced steps") })
    #expect(spark.contains("█") && spark.contains("▁"))
  }
}
