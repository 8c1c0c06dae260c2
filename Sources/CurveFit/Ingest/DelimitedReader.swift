import Foundation

/// Splits CSV and TSV lines into fields, honouring double quotes, without copying cells.
///
/// Quoted fields may hold the delimiter; `""` inside quotes is an escaped quote. Only the fields
/// a caller asks for are located, and scanning stops after the last of them.
struct DelimitedReader {
  let delimiter: UInt8

  /// The header's column names: unquoted, trimmed, with a UTF-8 byte-order mark removed.
  func headerNames(_ line: UnsafeBufferPointer<UInt8>) -> [String] {
    var bytes = Array(line)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    var names: [String] = []
    bytes.withUnsafeBufferPointer { buffer in
      var start = 0
      while start <= buffer.count {
        let (content, next) = field(in: buffer, from: start)
        var text = String(decoding: buffer[content], as: UTF8.self)
          .trimmingCharacters(in: .whitespaces)
        text = text.replacingOccurrences(of: "\"\"", with: "\"")
        names.append(text)
        if next > buffer.count { break }
        start = next
      }
    }
    return names
  }

  /// The content ranges of every field in the row.
  func fieldRanges(_ line: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    var start = 0
    while start <= line.count {
      let (content, next) = field(in: line, from: start)
      ranges.append(content)
      start = next
    }
    return ranges
  }

  /// Finds the byte ranges of the fields at the given indices into the row.
  ///
  /// - Returns: the ranges (nil when the row is shorter) and how many fields were seen, which is
  ///   exact only when the row ended before both were found.
  @inline(__always)
  func locate(
    _ first: Int?, _ second: Int, _ third: Int? = nil, _ fourth: Int? = nil,
    in line: UnsafeBufferPointer<UInt8>
  ) -> Located {
    // Nested two-argument max: the variadic one builds an array per row.
    let last = max(max(first ?? 0, second), max(third ?? 0, fourth ?? 0))
    var index = 0
    var start = 0
    var found = Located()
    while start <= line.count {
      let (content, next) = field(in: line, from: start)
      if index == first { found.first = content }
      if index == second { found.second = content }
      if index == third { found.third = content }
      if index == fourth { found.fourth = content }
      if index == last || next > line.count {
        found.fieldsSeen = index + 1
        return found
      }
      index += 1
      start = next
    }
    found.fieldsSeen = index
    return found
  }

  /// The byte ranges `locate` found (nil when the row is shorter) and how many fields it saw.
  struct Located {
    var first: Range<Int>?
    var second: Range<Int>?
    var third: Range<Int>?
    var fourth: Range<Int>?
    var fieldsSeen = 0
  }

  /// The content range of the field starting at `start`, and where the next field starts
  /// (`line.count + 1` when this was the last).
  @inline(__always)
  private func field(in line: UnsafeBufferPointer<UInt8>, from start: Int) -> (Range<Int>, Int) {
    var i = start
    while i < line.count, line[i] == 0x20 { i += 1 }
    if i < line.count, line[i] == UInt8(ascii: "\"") {
      let open = i + 1
      var j = open
      while j < line.count {
        if line[j] == UInt8(ascii: "\"") {
          if j + 1 < line.count, line[j + 1] == UInt8(ascii: "\"") {
            j += 2
            continue
          }
          break
        }
        j += 1
      }
      let close = min(j, line.count)
      var k = close + 1
      while k < line.count, line[k] != delimiter { k += 1 }
      return (open..<close, k + 1)
    }
    var j = start
    while j < line.count, line[j] != delimiter { j += 1 }
    return (start..<j, j + 1)
  }
}
