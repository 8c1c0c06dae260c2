import Foundation
import Testing

/// The stage folders of `Sources/CurveFit` depend on each other one way (../shared/STYLE.md):
/// `Series` first, `Report` last, and a folder uses only folders of a lower rank. Detect and Fit
/// share a rank so that neither uses the other; Forecast uses Fit, never the other way round.
@Suite struct LayeringTests {
  static let rank: [String: Int] = [
    "Series": 0, "Ingest": 1, "Schedule": 1, "Detect": 2, "Fit": 2, "Scaling": 3, "Forecast": 3,
    "Analysis": 4, "Report": 5,
  ]

  /// `Sources/CurveFit`, found from this file's own path in the checkout.
  static var sourceRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Sources/CurveFit")
  }

  /// Each folder's Swift sources, comments and string literals removed.
  static func sources() throws -> [(folder: String, file: String, code: String)] {
    let manager = FileManager.default
    var files: [(String, String, String)] = []
    for folder in try manager.contentsOfDirectory(atPath: sourceRoot.path).sorted() {
      let directory = sourceRoot.appendingPathComponent(folder)
      guard let walker = manager.enumerator(atPath: directory.path) else { continue }
      for case let path as String in walker where path.hasSuffix(".swift") {
        let text = try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
        files.append((folder, path, strip(text)))
      }
    }
    return files
  }

  static func strip(_ text: String) -> String {
    text.replacingOccurrences(of: #"//[^\n]*"#, with: "", options: .regularExpression)
      .replacingOccurrences(of: #""[^"\n]*""#, with: "\"\"", options: .regularExpression)
  }

  /// The types each folder declares at the top level.
  static func declarations(_ files: [(folder: String, file: String, code: String)]) throws -> [String: String] {
    let pattern = try NSRegularExpression(
      pattern: #"^(?:public |package |internal )*(?:final )?(?:struct|enum|class|protocol|actor)\s+(\w+)"#,
      options: .anchorsMatchLines)
    var owner: [String: String] = [:]
    for file in files {
      let range = NSRange(file.code.startIndex..., in: file.code)
      for match in pattern.matches(in: file.code, range: range) {
        if let name = Range(match.range(at: 1), in: file.code) { owner[String(file.code[name])] = file.folder }
      }
    }
    return owner
  }

  @Test func everyFolderHasARank() throws {
    let folders = Set(try Self.sources().map(\.folder))
    #expect(folders.count >= 8)
    #expect(folders.subtracting(Self.rank.keys).isEmpty, "folders without a rank: \(folders.subtracting(Self.rank.keys).sorted())")
  }

  @Test func dependenciesPointOneWay() throws {
    let files = try Self.sources()
    let owner = try Self.declarations(files)
    #expect(owner["LossSeries"] == "Series" && owner["Forecast"] == "Forecast" && owner["AnnealingLaw"] == "Fit")
    var violations: [String] = []
    for file in files {
      guard let rank = Self.rank[file.folder] else { continue }
      let words = Set(file.code.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
      for word in words.sorted() {
        guard let folder = owner[word], folder != file.folder, let used = Self.rank[folder], used >= rank else {
          continue
        }
        violations.append("\(file.folder)/\(file.file) uses \(word) from \(folder)")
      }
    }
    #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
  }
}
