/// Walks one JSON object on one line and reports each scalar leaf with its dotted key path.
///
/// Nested objects are addressed as `train.loss`; arrays are skipped whole. Nothing is allocated
/// per leaf: the path lives in a reused buffer and values are byte ranges into the line.
struct JSONLineScanner {
  /// A scalar value's kind and, for numbers and strings, its bytes (strings without quotes).
  enum Leaf {
    case number(Range<Int>)
    case string(Range<Int>)
    case null
    case boolean
  }

  /// Objects nested deeper than this are rejected instead of exhausting the stack.
  static let maxDepth = 64

  private var path: [UInt8] = []
  /// The current key of the top-level object: flat lines never copy a key into `path`.
  private var topKey: Range<Int> = 0..<0

  init() { path.reserveCapacity(256) }

  /// Scans `line`, calling `visit` for every scalar leaf reachable through objects.
  ///
  /// - Throws: a short reason when the line is not one well-formed JSON object.
  mutating func scan(
    _ line: UnsafeBufferPointer<UInt8>,
    visit: (UnsafeBufferPointer<UInt8>, Leaf) -> Void
  ) throws(JSONScanError) {
    path.removeAll(keepingCapacity: true)
    var i = skipSpace(line, 0)
    guard i < line.count, line[i] == UInt8(ascii: "{") else {
      throw JSONScanError("expected '{' at the start of the line")
    }
    i = try object(line, i, depth: 1, visit: visit)
    i = skipSpace(line, i)
    guard i == line.count else { throw JSONScanError("unexpected text after the object") }
  }

  /// Parses an object starting at its `{`; returns the index after its `}`.
  private mutating func object(
    _ line: UnsafeBufferPointer<UInt8>, _ start: Int, depth: Int,
    visit: (UnsafeBufferPointer<UInt8>, Leaf) -> Void
  ) throws(JSONScanError) -> Int {
    guard depth <= Self.maxDepth else {
      throw JSONScanError("nested deeper than \(Self.maxDepth) levels")
    }
    var i = skipSpace(line, start + 1)
    if i < line.count, line[i] == UInt8(ascii: "}") { return i + 1 }
    let prefixLength = path.count
    while true {
      guard i < line.count, line[i] == UInt8(ascii: "\"") else {
        throw JSONScanError("expected a quoted key")
      }
      let key = try string(line, i)
      if depth == 1 {
        topKey = key.content
      } else {
        path.removeSubrange(prefixLength...)
        if prefixLength > 0 { path.append(UInt8(ascii: ".")) }
        path.append(contentsOf: line[key.content])
      }
      i = skipSpace(line, key.end)
      guard i < line.count, line[i] == UInt8(ascii: ":") else {
        throw JSONScanError("expected ':' after a key")
      }
      i = skipSpace(line, i + 1)
      guard i < line.count else { throw JSONScanError("the line ends inside an object") }
      i = try value(line, i, depth: depth, visit: visit)
      i = skipSpace(line, i)
      guard i < line.count else { throw JSONScanError("the line ends inside an object") }
      if line[i] == UInt8(ascii: ",") {
        i = skipSpace(line, i + 1)
        continue
      }
      guard line[i] == UInt8(ascii: "}") else { throw JSONScanError("expected ',' or '}'") }
      if depth > 1 { path.removeSubrange(prefixLength...) }
      return i + 1
    }
  }

  private mutating func value(
    _ line: UnsafeBufferPointer<UInt8>, _ i: Int, depth: Int,
    visit: (UnsafeBufferPointer<UInt8>, Leaf) -> Void
  ) throws(JSONScanError) -> Int {
    let byte = line[i]
    switch byte {
    case UInt8(ascii: "{"):
      if depth == 1 {
        path.removeAll(keepingCapacity: true)
        path.append(contentsOf: line[topKey])
      }
      let end = try object(line, i, depth: depth + 1, visit: visit)
      if depth == 1 { path.removeAll(keepingCapacity: true) }
      return end
    case UInt8(ascii: "["):
      return try skipArray(line, i, depth: depth + 1)
    case UInt8(ascii: "\""):
      let text = try string(line, i)
      report(.string(text.content), line, depth, visit)
      return text.end
    default:
      var j = i
      while j < line.count, !isTerminator(line[j]) { j += 1 }
      guard j > i else { throw JSONScanError("expected a value") }
      let word = UnsafeBufferPointer(rebasing: line[i..<j])
      if matches(word, "null") {
        report(.null, line, depth, visit)
      } else if matches(word, "true") || matches(word, "false") {
        report(.boolean, line, depth, visit)
      } else {
        report(.number(i..<j), line, depth, visit)
      }
      return j
    }
  }

  @inline(__always)
  private func report(
    _ leaf: Leaf, _ line: UnsafeBufferPointer<UInt8>, _ depth: Int,
    _ visit: (UnsafeBufferPointer<UInt8>, Leaf) -> Void
  ) {
    if depth == 1 {
      visit(UnsafeBufferPointer(rebasing: line[topKey]), leaf)
    } else {
      path.withUnsafeBufferPointer { visit($0, leaf) }
    }
  }

  private func skipArray(
    _ line: UnsafeBufferPointer<UInt8>, _ start: Int, depth: Int
  ) throws(JSONScanError) -> Int {
    var nesting = 0
    var i = start
    while i < line.count {
      switch line[i] {
      case UInt8(ascii: "\""):
        i = try string(line, i).end
        continue
      case UInt8(ascii: "["), UInt8(ascii: "{"):
        nesting += 1
        if depth + nesting > Self.maxDepth + 1 {
          throw JSONScanError("nested deeper than \(Self.maxDepth) levels")
        }
      case UInt8(ascii: "]"), UInt8(ascii: "}"):
        nesting -= 1
        if nesting == 0 { return i + 1 }
      default: break
      }
      i += 1
    }
    throw JSONScanError("the line ends inside an array")
  }

  /// A string starting at its opening quote: the content range and the index after the close.
  private func string(
    _ line: UnsafeBufferPointer<UInt8>, _ start: Int
  ) throws(JSONScanError) -> (content: Range<Int>, end: Int) {
    var j = start + 1
    while j < line.count {
      let byte = line[j]
      if byte == UInt8(ascii: "\\") {
        j += 2
        continue
      }
      if byte == UInt8(ascii: "\"") { return (start + 1..<j, j + 1) }
      j += 1
    }
    throw JSONScanError("the line ends inside a string")
  }

  private func skipSpace(_ line: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
    var i = start
    // Newlines too: a record of a pretty-printed document spans lines.
    while i < line.count, line[i] == 0x20 || line[i] == 0x09 || line[i] == 0x0D || line[i] == 0x0A { i += 1 }
    return i
  }

  @inline(__always)
  private func isTerminator(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
      || byte == 0x20 || byte == 0x09
  }

  private func matches(_ word: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
    guard word.count == literal.utf8CodeUnitCount else { return false }
    let bytes = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
    return word.elementsEqual(bytes)
  }
}

/// Why a line is not a JSON object; `IngestError.invalidJSON` adds the file and line.
struct JSONScanError: Error {
  let reason: String
  init(_ reason: String) { self.reason = reason }
}
