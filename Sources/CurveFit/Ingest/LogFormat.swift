/// The text layouts ingest understands, detected from the first non-blank line.
public enum LogFormat: String, Sendable, CaseIterable {
  /// Header row, comma-separated.
  case csv
  /// Header row, tab-separated.
  case tsv
  /// One JSON object per line.
  case jsonl

  /// Sniffs the format of a first line: `{` opens JSON lines, otherwise a header row whose
  /// commonest separator (tab or comma) decides.
  static func detect(firstLine line: UnsafeBufferPointer<UInt8>) -> LogFormat {
    var commas = 0
    var tabs = 0
    for byte in line {
      if byte == UInt8(ascii: ",") { commas += 1 } else if byte == 0x09 { tabs += 1 }
    }
    // A UTF-8 byte-order mark (0xEF 0xBB 0xBF) is not content.
    let content = line.starts(with: [0xEF, 0xBB, 0xBF]) ? UnsafeBufferPointer(rebasing: line[3...]) : line
    if let first = content.first(where: { $0 != 0x20 && $0 != 0x09 }), first == UInt8(ascii: "{") {
      return .jsonl
    }
    return tabs > commas ? .tsv : .csv
  }
}
