import Foundation

extension TableReader {
  /// A JSON array of run records (`[{"params": …, "tokens": …, "loss": …}, …]`), as one JSON
  /// line per record: the table reader's JSON-lines path then reads it, names and all. A table
  /// of runs is small (hundreds of rows), so Foundation parses it whole.
  static func recordLines(
    _ lines: [(bytes: [UInt8], number: Int)], source: String
  ) throws(IngestError) -> [(bytes: [UInt8], number: Int)] {
    var joined: [UInt8] = []
    for line in lines { joined += line.bytes; joined.append(0x0A) }
    let invalid = { (reason: String) -> IngestError in .invalidJSON(SourceLocation(source: source, line: 1), reason: reason) }
    // Foundation's parser recurses: a hostile `[[[[…` would overflow the stack before it failed.
    var depth = 0
    var inString = false
    var escaped = false
    for byte in joined {
      if inString {
        if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
        continue
      }
      switch byte {
      case UInt8(ascii: "\""): inString = true
      case UInt8(ascii: "["), UInt8(ascii: "{"):
        depth += 1
        if depth > JSONLineScanner.maxDepth { throw invalid("nested deeper than \(JSONLineScanner.maxDepth) levels") }
      case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
      default: break
      }
    }
    guard let parsed = try? JSONSerialization.jsonObject(with: Data(joined)) else {
      throw invalid("a document that opens with '[' but is not a JSON array")
    }
    guard let array = parsed as? [Any], !array.isEmpty else { throw invalid("an empty JSON array, expected one record per run") }
    var records: [(bytes: [UInt8], number: Int)] = []
    for (index, element) in array.enumerated() {
      guard let object = element as? [String: Any],
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      else { throw invalid("element \(index + 1) of the array is not an object, expected one record per run") }
      records.append((Array(data), index + 1))
    }
    return records
  }
}
