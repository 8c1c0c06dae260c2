/// A table whose columns are aligned with spaces rather than separated by commas: fastai's
/// console table (`epoch     train_loss  valid_loss  accuracy  time`), a loop's
/// `print(step, loss)` under a header, a gnuplot `.dat` file. Each line is rewritten as a CSV
/// line (one output line per input line, so errors keep their line numbers) and read as a table.
struct AlignedTable {
  private(set) var bytes: [UInt8] = []

  /// The cells of a line split at runs of spaces and tabs.
  static func cells(_ line: Substring) -> [Substring] {
    line.split { $0 == " " || $0 == "\t" || $0 == "\r" }
  }

  /// Whether `lines` open with a header of at least two names, none a number, followed by a row
  /// with as many cells, the first a number: a table, not a console line that names a loss.
  static func opens(_ lines: [String], namesLoss: ([String]) -> Bool) -> Bool {
    let rows = lines.lazy.filter { !$0.allSatisfy(\.isWhitespace) }.prefix(2).map { cells(Substring($0)) }
    guard rows.count == 2 else { return false }
    let header = rows[rows.startIndex], first = rows[rows.index(after: rows.startIndex)]
    guard header.count >= 2, header.count == first.count, Double(first[0]) != nil,
      header.allSatisfy({ Double($0) == nil && !$0.contains(",") && !$0.contains(":") })
    else { return false }
    return namesLoss(header.map(String.init))
  }

  /// Takes one input line; returns the bytes of CSV it made.
  @discardableResult
  mutating func add(_ line: UnsafeBufferPointer<UInt8>) -> Int {
    let before = bytes.count
    var inCell = false
    var cellsSoFar = 0
    for byte in line {
      let space = byte == 0x20 || byte == 0x09 || byte == 0x0D
      if space {
        inCell = false
        continue
      }
      if !inCell {
        if cellsSoFar > 0 { bytes.append(UInt8(ascii: ",")) }
        cellsSoFar += 1
        inCell = true
      }
      // A comma inside a cell would split it: such cells are not numbers, and are dropped to a
      // semicolon rather than quoted (no column curvefit reads holds one).
      bytes.append(byte == UInt8(ascii: ",") ? UInt8(ascii: ";") : byte)
    }
    bytes.append(0x0A)
    return bytes.count - before
  }
}
