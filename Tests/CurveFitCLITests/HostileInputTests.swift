import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Inputs and flags a hostile user tried: each ends in one stderr line naming the file and exit
/// 1 (or 64 for a flag), or in a report whose JSON parses — never a trap, a hang or lost data.
@Suite(.serialized) struct HostileInputTests {
  static func csv(_ rows: [(String, String)]) -> String {
    "step,loss\n" + rows.map { "\($0.0),\($0.1)\n" }.joined()
  }

  static func clean(_ count: Int = 300) -> [(String, String)] {
    (1...count).map { ("\($0)", "\(2 + 8 * pow(Double($0), -0.35))") }
  }

  func expectOneLineError(_ result: CommandResult, _ path: String, status: Int32 = 1, containing text: String? = nil) {
    #expect(result.status == status, "status \(result.status): \(result.stderr)")
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "stderr: \(result.stderr)")
    #expect(result.stderr.contains(path), "stderr: \(result.stderr)")
    if let text { #expect(result.stderr.contains(text), "stderr: \(result.stderr)") }
  }

  static let magnitudeCases: [(String, String, String)] = [
    ("steps near 1e300", csv((0..<200).map { (String(format: "%.17g", 1.0000000001e300 * (1 + Double($0) * 1e-10)), "\(2 + 8 * pow(Double($0 + 1), -0.35))") }), "not step or token counts"),
    ("steps near 1e100", csv((1..<300).map { (String(format: "%.17g", 1e100 + Double($0) * 1e85), "\(2 + 8 * pow(Double($0), -0.35))") }), "not step or token counts"),
    ("steps 1e16 + 2k", csv((0..<200).map { (String(format: "%.17g", 1e16 + 2 * Double($0)), "\(2 + 8 * pow(Double($0 + 1), -0.35))") }), "cannot be told apart"),
    ("a loss of 9.9e307", csv([("1", "9.935016e+307")] + clean().dropFirst()), "not losses in nats"),
    ("huge losses among normal ones", csv(clean().enumerated().map { $0.offset % 7 == 3 ? ($0.element.0, "1e300") : $0.element }), "not losses in nats"),
    ("49 losses of 1e308", csv((1...49).map { ("\($0)", "1e308") }), "not losses in nats"),
  ]

  @Test(arguments: magnitudeCases.indices)
  func extremeMagnitudesAreOneLineErrors(_ index: Int) throws {
    let (name, text, message) = Self.magnitudeCases[index]
    let path = try CommandRunner.temporaryFile(named: "magnitude.csv", contents: text)
    let result = try CommandRunner.run([path, "--bootstrap", "20"])
    expectOneLineError(result, path, containing: message)
    _ = name
  }

  /// One line of 24,000 characters naming "loss" and no number (the fuzzer's): the `--pattern`
  /// suggestion's expression backtracked over it for over a minute; now the one-line error.
  @Test func aLongLineOfWordsIsAnErrorAtOnce() throws {
    let path = try CommandRunner.temporaryFile(named: "long-line.txt", contents: String(repeating: "loss  ", count: 4_000))
    let result = try CommandRunner.run([path])
    expectOneLineError(result, path, containing: "not a format curvefit recognises")
  }

  /// A blow-up printed as ever larger numbers before inf is a divergence, not an input error.
  @Test func hugeLossesAtTheEndAreADivergence() throws {
    let rows = Self.clean(190) + (0..<9).map { ("\(191 + $0)", "1e\(16 + 10 * $0)") }
    let path = try CommandRunner.temporaryFile(named: "blowup.csv", contents: Self.csv(rows))
    let result = try CommandRunner.run([path, "--format", "json", "--bootstrap", "20"])
    let report = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
    #expect(((report["health"] as? [String: Any])?["diverged"] as? Bool) == true)
  }

  /// A live TensorBoard file can end 12–15 bytes into a record header.
  @Test(arguments: [12, 13, 14, 15])
  func eventFileCutInsideAHeader(_ extra: Int) throws {
    let fixture = CommandRunner.packageRoot
      .appendingPathComponent("Tests/CurveFitTests/Fixtures/tensorboard-generated/events.out.tfevents.1700000000.curvefit-fixture.0")
    let bytes = [UInt8](try Data(contentsOf: fixture))
    // The first record's length is its first 8 bytes; the second record starts after it.
    let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let second = 12 + length + 4
    let path = try CommandRunner.temporaryFile(named: "events.out.tfevents.1.cut", bytes: Data(bytes[0..<(second + extra)]))
    let result = try CommandRunner.run([path])
    expectOneLineError(result, path, containing: "byte offset")
  }

  /// Layers of gzip inside gzip: a few are peeled, more are refused, none recursively.
  @Test func nestedCompressionIsBounded() throws {
    let plain = Array(Self.csv(Self.clean()).utf8)
    var two = plain
    for _ in 0..<2 { two = StoredGzip.wrap(two) }
    let ok = try CommandRunner.run([try CommandRunner.temporaryFile(named: "two.csv.gz", bytes: Data(two)), "--format", "json", "--bootstrap", "0"])
    #expect(ok.status == 0, "\(ok.stderr)")
    var many = plain
    for _ in 0..<40 { many = StoredGzip.wrap(many) }
    let path = try CommandRunner.temporaryFile(named: "many.csv.gz", bytes: Data(many))
    expectOneLineError(try CommandRunner.run([path]), path, containing: "nested compression layers")
  }

  @Test func countFlagsAreBounded() throws {
    let path = try CommandRunner.temporaryFile(named: "run.csv", contents: Self.csv(Self.clean()))
    for value in ["1000000000", "\(Int.max)"] {
      let result = try CommandRunner.run([path, "--bootstrap", value])
      #expect(result.status == 64)
      #expect(result.stderr.contains("--bootstrap must be between 0 and 100000"))
    }
  }

  /// Steps beyond Int's range used to trap in watch's status line.
  @Test func watchOnHugeStepsIsAnError() throws {
    let rows = (1...300).map { (String(format: "%.17g", 1e19 + Double($0) * 1e16), "\(2 + 8 * pow(Double($0), -0.35))") }
    let path = try CommandRunner.temporaryFile(named: "huge.csv", contents: Self.csv(rows))
    let result = try CommandRunner.run(["watch", path, "--max-seconds", "2", "--poll", "0.1"])
    #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
    #expect(result.stderr.contains("not step or token counts"))
  }

  @Test func plotNeverOverwritesAnInput() throws {
    let text = Self.csv(Self.clean())
    let path = try CommandRunner.temporaryFile(named: "run.csv", contents: text)
    let same = try CommandRunner.run([path, "--plot", path, "--bootstrap", "0"])
    #expect(same.status == 64)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    // Another file that is not an SVG is someone's data too.
    let other = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("notes.csv").path
    try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: other))
    let refused = try CommandRunner.run([path, "--plot", other, "--bootstrap", "0"])
    #expect(refused.status == 64)
    #expect(try String(contentsOfFile: other, encoding: .utf8) == "keep me\n")
    // A device is refused, not replaced.
    let device = try CommandRunner.run([path, "--plot", "/dev/null", "--bootstrap", "0"])
    #expect(device.status == 64)
    var status = stat()
    #expect(stat("/dev/null", &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR)
    // An SVG (ours from before) is replaced, through a temporary file renamed into place.
    let svg = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("plot.svg").path
    #expect(try CommandRunner.run([path, "--plot", svg, "--bootstrap", "0"]).status == 0)
    #expect(try CommandRunner.run([path, "--plot", svg, "--bootstrap", "0"]).status == 0)
    #expect(try String(contentsOfFile: svg, encoding: .utf8).hasPrefix("<?xml"))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: svg).deletingLastPathComponent().path)
      .filter { $0.hasSuffix(".tmp") }
    #expect(leftovers.isEmpty)
  }

  @Test func directoriesSkipPipesAndLoopsAndReadEachFileOnce() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-dir-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(Self.csv(Self.clean()).utf8).write(to: folder.appendingPathComponent("a.csv"))
    #expect(mkfifo(folder.appendingPathComponent("pipe.csv").path, 0o600) == 0)
    try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("sub/loop").path, withDestinationPath: "..")
    try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("b.csv").path, withDestinationPath: "a.csv")
    let result = try CommandRunner.run([folder.path, "--format", "json", "--bootstrap", "0"])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    // One series: the log, once; the pipe is named among the skipped.
    let input = try #require(report["input"] as? [String: Any])
    #expect((input["notes"] as? [String])?.contains { $0.contains("pipe.csv (not a regular file") } == true)
  }

  @Test func fifoGivenAsFileIsReadOnce() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fifo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let fifo = folder.appendingPathComponent("live.csv").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let text = Self.csv(Self.clean())
    let writer = Thread {
      if let handle = FileHandle(forWritingAtPath: fifo) {
        handle.write(Data(text.utf8))
        try? handle.close()
      }
    }
    writer.start()
    let result = try CommandRunner.run([fifo, "--format", "json", "--bootstrap", "0"])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect((report["input"] as? [String: Any])?["rows"] as? Int == 300)
  }

  /// Lines of 256 KiB (tqdm's `\r` progress bars make them) are matched in bounded time.
  @Test func longConsoleLinesAreRead() throws {
    var lines = (1...200).map { "step \($0) | loss \(String(format: "%.4f", 2 + 8 * pow(Double($0), -0.35)))" }
    lines.insert(String(repeating: "step 1 ", count: 37_450), at: 50)
    lines.insert(String(repeating: "\r 45%|████    | 450/1000", count: 10_000) + "\rstep 77 | loss 3.1", at: 120)
    let path = try CommandRunner.temporaryFile(named: "console.log", contents: lines.joined(separator: "\n") + "\n")
    let result = try CommandRunner.run([path, "--format", "json", "--bootstrap", "0"])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    // 200 records (the progress bar's last segment repeats step 77, merged as a resume).
    #expect(((report["input"] as? [String: Any])?["rows"] as? Int ?? 0) >= 199)
  }

  static let validCases: [(String, String, Int)] = {
    let records = (1...300).map { (step: $0, loss: 2 + 8 * pow(Double($0), -0.35)) }
    let jsonl = records.map { "{\"step\": \($0.step), \"loss\": \($0.loss)}" }
    let history = records.map { "{\"step\": \($0.step), \"loss\": \($0.loss), \"grad_norm\": \($0.step == 7 ? "NaN" : "Infinity")}" }
    return [
      ("crlf.jsonl", jsonl.joined(separator: "\r\n") + "\r\n", 300),
      ("bom.jsonl", "\u{FEFF}" + jsonl.joined(separator: "\n") + "\n", 300),
      ("trainer_state.json", "{\n \"global_step\": 300,\n \"log_history\": [\n" + history.joined(separator: ",\n") + "\n ]\n}\n", 300),
      ("compact/trainer_state.json", "{\"global_step\":300,\"log_history\":[" + jsonl.joined(separator: ",") + "]}", 300),
      ("late.jsonl", (1...1_200).map { "{\"step\": \($0), \"lr\": 0.001}" }.joined(separator: "\n") + "\n" + jsonl.joined(separator: "\n") + "\n", 300),
      ("crlf-log.txt", records.map { "\($0.step) train \($0.loss)" }.joined(separator: "\r\n") + "\r\n", 300),
    ]
  }()

  @Test(arguments: validCases.indices)
  func validInputsAreRead(_ index: Int) throws {
    let (name, text, rows) = Self.validCases[index]
    let path = try CommandRunner.temporaryFile(named: name.replacingOccurrences(of: "/", with: "-"), contents: text)
    let result = try CommandRunner.run([path, "--format", "json", "--bootstrap", "0"])
    #expect(result.status == 0, "\(name): \(result.stderr)")
    let report = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(name)")
    let input = try #require(report["input"] as? [String: Any])
    #expect(input["rows"] as? Int == rows || (input["rows"] as? Int ?? 0) - (input["rows_without_loss"] as? Int ?? 0) == rows, "\(name): \(input)")
  }

  /// Run tables hold numbers, not strings, yet a bad cell is still quoted with its line.
  @Test func aLongFirstLineIsCutShortInTheError() throws {
    // A file with no header and one line of 300,000 numbers apart by spaces: its "column name" was
    // the whole line, which the error printed in full (2 MB on one line). A line of words apart by
    // spaces is now no table's header at all; the error still does not quote it.
    let row = (1...300_000).map(String.init).joined(separator: " ")
    let path = try CommandRunner.temporaryFile(named: "wide.txt", contents: row + "\n" + row + "\n")
    let result = try CommandRunner.run([path])
    expectOneLineError(result, path, containing: "not a format curvefit recognises")
    #expect(result.stderr.utf8.count < 300 + path.utf8.count, "\(result.stderr.prefix(400))")
    // Comma-separated, the same line is still a header that names no loss column, cut short.
    let names = (1...300_000).map { "c\($0)" }.joined(separator: ",")
    let csv = try CommandRunner.temporaryFile(named: "wide.csv", contents: names + "\n" + row.replacingOccurrences(of: " ", with: ",") + "\n")
    let table = try CommandRunner.run([csv])
    expectOneLineError(table, csv, containing: "no loss column")
    #expect(table.stderr.utf8.count < 300 + csv.utf8.count, "\(table.stderr.prefix(400))")
  }

  @Test func runTableErrorsQuoteTheCell() throws {
    var rows = ["run_name,tokens,loss"]
    for run in ["a", "b"] { for step in 1...100 { rows.append("\(run),\(step * 1000),\(2 + 8 * pow(Double(step), -0.35))") } }
    rows[57] = "a,57000,2.5x"
    let path = try CommandRunner.temporaryFile(named: "runs.csv", contents: rows.joined(separator: "\n") + "\n")
    expectOneLineError(try CommandRunner.run([path]), path + ":58", containing: "column 'loss' has '2.5x', expected a number")
    rows[57] = "a,57000,2.5"
    let good = try CommandRunner.temporaryFile(named: "runs.csv", contents: rows.joined(separator: "\n") + "\n")
    let result = try CommandRunner.run([good, "--format", "json", "--bootstrap", "0"])
    let report = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
    let series = try #require(report["series"] as? [[String: Any]])
    #expect(series.compactMap { ($0["input"] as? [String: Any])?["rows"] as? Int } == [100, 100])
  }

  @Test func fourHundredDigitStepNamesItsLine() throws {
    var lines = (1...100).map { "step \($0) | loss \(String(format: "%.4f", 2 + 8 * pow(Double($0), -0.35)))" }
    lines.append("step " + String(repeating: "9", count: 400) + " | loss 2.5")
    let path = try CommandRunner.temporaryFile(named: "digits.log", contents: lines.joined(separator: "\n") + "\n")
    expectOneLineError(try CommandRunner.run([path]), path + ":101", containing: "expected a finite step")
  }
}

/// Gzip members with stored (uncompressed) deflate blocks, written here so the tests need no
/// compressor: enough to nest layers.
enum StoredGzip {
  static func wrap(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
    var offset = 0
    repeat {
      let size = min(65_535, data.count - offset)
      let final: UInt8 = offset + size == data.count ? 1 : 0
      out.append(final)
      out += [UInt8(size & 0xFF), UInt8(size >> 8), UInt8(~size & 0xFF), UInt8((~size >> 8) & 0xFF)]
      out += data[offset..<(offset + size)]
      offset += size
    } while offset < data.count
    out += littleEndian(crc32(data)) + littleEndian(UInt32(truncatingIfNeeded: data.count))
    return out
  }

  private static func littleEndian(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) }
  }

  private static func crc32(_ data: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in data {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
  }
}
