import CurveFit
import CurveFitTestSupport
import Foundation
import Testing

/// The malformed-input corpus: every case ends in a correct report or a one-line error naming
/// the file, with a non-zero exit — never a crash, a hang or a NaN in the output.
@Suite(.serialized) struct MalformedInputTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let id: String
    let bytes: [UInt8]
    /// `true`: must succeed; `false`: must fail; `nil`: either, as long as it is clean.
    let succeeds: Bool?
    var testDescription: String { id }
  }

  static func text(_ string: String) -> [UInt8] { Array(string.utf8) }

  static func curve(_ rows: Int, _ line: (Int) -> String) -> [UInt8] {
    text("step,loss\n" + (1...rows).map(line).joined(separator: "\n") + "\n")
  }

  static let cases: [Case] = [
    Case(id: "empty input", bytes: [], succeeds: false),
    Case(id: "header only", bytes: text("step,loss\n"), succeeds: false),
    Case(id: "a single row", bytes: text("step,loss\n1,3.5\n"), succeeds: false),
    Case(id: "binary garbage", bytes: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }, succeeds: false),
    Case(id: "invalid UTF-8", bytes: text("st\u{FF}ep,lo") + [0xFF, 0xFE] + text("ss\n") + curve(50) { "\($0),\(2 + 8 / Double($0))" }.dropFirst(10), succeeds: nil),
    Case(id: "CRLF line ends", bytes: text((["step,loss"] + (1...200).map { "\($0),\(2 + 8 * pow(Double($0), -0.35))" }).joined(separator: "\r\n") + "\r\n"), succeeds: true),
    Case(id: "mixed delimiters", bytes: text("step,loss\n1,3.5\n2;3.4\n3,3.3\n"), succeeds: false),
    Case(id: "quoted fields with commas", bytes: text("note,step,loss\n" + (1...100).map { "\"a, b\",\($0),\"\(2 + 8 * pow(Double($0), -0.35))\"" }.joined(separator: "\n")), succeeds: true),
    Case(id: "duplicate columns", bytes: text("step,loss,loss\n" + (1...100).map { "\($0),\(2 + 8 * pow(Double($0), -0.35)),9" }.joined(separator: "\n")), succeeds: true),
    Case(id: "non-monotonic and duplicate steps", bytes: curve(300) { "\(($0 * 37) % 300 + 1),\(2 + 8 * pow(Double(($0 * 37) % 300 + 1), -0.35))" }, succeeds: true),
    Case(id: "negative and zero steps", bytes: text("step,loss\n" + (-50...200).map { "\($0),\(2 + 8 * pow(Double(abs($0) + 1), -0.35))" }.joined(separator: "\n")), succeeds: nil),
    Case(id: "all-NaN losses", bytes: curve(100) { "\($0),nan" }, succeeds: false),
    Case(id: "constant losses", bytes: curve(100) { "\($0),3.0" }, succeeds: nil),
    // A log-likelihood that goes below zero: no law here has such a floor (NegativeLosses).
    Case(id: "losses below zero", bytes: curve(300) { "\($0),\(-2 + 5 * pow(Double($0), -0.3))" }, succeeds: false),
    Case(id: "values like 1e400", bytes: curve(100) { $0 == 50 ? "50,1e400" : "\($0),\(2 + 8 * pow(Double($0), -0.35))" }, succeeds: true),
    Case(id: "truncated JSON", bytes: text("{\"step\": 1, \"loss\": 2.5}\n{\"step\": 2, \"lo"), succeeds: false),
    Case(id: "deeply nested JSON", bytes: text(String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000) + "\n"), succeeds: false),
    Case(id: "huge and tiny numbers", bytes: curve(100) { "\($0).000000000000000000001,\(2 + 8 * pow(Double($0), -0.35))e0" }, succeeds: true),
  ]

  @Test(arguments: cases)
  func endsCleanly(_ c: Case) throws {
    let path = try CommandRunner.temporaryFile(named: "case.csv", bytes: Data(c.bytes))
    let result = try CommandRunner.run([path, "--format", "json", "--bootstrap", "50"])
    try check(result, path: path, succeeds: c.succeeds)
  }

  @Test func hundredMegabyteLineWithoutNewline() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("long-\(UUID().uuidString).csv")
    _ = FileManager.default.createFile(atPath: url.path, contents: Data("step,loss\n".utf8))
    let handle = try FileHandle(forWritingTo: url)
    try handle.seekToEnd()
    let block = Data(repeating: UInt8(ascii: "7"), count: 1 << 20)
    for _ in 0..<100 { try handle.write(contentsOf: block) }
    try handle.close()
    defer { try? FileManager.default.removeItem(at: url) }
    let result = try CommandRunner.run([url.path])
    try check(result, path: url.path, succeeds: false)
    #expect(result.stderr.contains(":2: line longer than 16 MiB"))
  }

  private func check(_ result: CommandResult, path: String, succeeds: Bool?) throws {
    if result.status == 0 {
      #expect(succeeds != false, "expected an error, got a report")
      let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
      #expect(object is [String: Any])
      for token in ["NaN", "nan", "Infinity", "inf"] {
        #expect(!result.stdout.contains(": \(token)"), "a bare \(token) in the JSON")
      }
    } else {
      #expect(succeeds != true, "expected a report, got: \(result.stderr)")
      #expect(result.status == 1)
      // Too few finite losses to fit still gives the health verdict, with `fit: null`.
      if !result.stdout.isEmpty {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["fit"] is NSNull, "stdout: \(result.stdout)")
        #expect((object?["health"] as? [String: Any])?["verdict"] is String)
      }
      let lines = result.stderr.split(separator: "\n")
      #expect(lines.count == 1, "stderr: \(result.stderr)")
      #expect(result.stderr.hasPrefix("curvefit: \(path)"), "stderr: \(result.stderr)")
    }
  }
}
