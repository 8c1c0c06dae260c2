/// A table whose columns are aligned with spaces rather than separated by commas: fastai's
/// console table (`epoch     train_loss  valid_loss  accuracy  time`), a loop's
/// `print(step, loss)` under a header, a gnuplot `.dat` file. Each line is rewritten as a CSV
/// line (one output line per input line, so errors keep their line numbers) and read as a table.
///
/// A file of numbers alone (`np.savetxt`, a loop's `print(step, loss)` with no header) is read
/// the same way under names of curvefit's choosing (`headerlessNames`), given as line 0.
struct AlignedTable {
  private(set) var bytes: [UInt8] = []
  /// Whether commas separate cells too: in a table of numbers alone they cannot be in a cell.
  private let commasSeparate: Bool

  init(header: [String]? = nil, commasSeparate: Bool = false) {
    self.commasSeparate = commasSeparate
    if let header { bytes = Array((header.joined(separator: ",") + "\n").utf8) }
    headerSeen = header != nil
  }

  /// The names for a table of numbers without a header: one column is the loss (by row number),
  /// two are the step and the loss, more add `column3`, …; `nil` unless the opening lines are
  /// numbers, as many on each (the first two at least: a bad cell further on is reported at its
  /// line), with a first column that rises line by line when there are two or more (a step,
  /// not a second loss or an epoch).
  static func headerlessNames(_ lines: [String]) -> [String]? {
    // Eager: a lazy filter's subscript reads its base, rows the filter left out included.
    let rows = lines.filter { !$0.allSatisfy(\.isWhitespace) && !isComment(Substring($0)) }.prefix(8).map {
      $0.split { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "," }.map { Double($0) }
    }
    guard let width = rows.first?.count, width >= 1, rows.count >= 2 else { return nil }
    let numeric = rows.filter { $0.count == width && $0.allSatisfy { $0?.isFinite == true } }
    guard numeric.count >= 2, numeric[0] == rows[0], numeric[1] == rows[1] else { return nil }
    guard width > 1 else { return ["loss"] }
    let firsts = numeric.map { $0[0] ?? 0 }
    guard zip(firsts, firsts.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
    return ["step", "loss"] + (2..<width).map { "column\($0 + 1)" }
  }

  /// The cells of a line split at runs of spaces and tabs.
  static func cells(_ line: Substring) -> [Substring] {
    line.split { $0 == " " || $0 == "\t" || $0 == "\r" }
  }

  /// Whether `lines` open with a header of at least two names, none a number, followed by a row
  /// with as many cells, the first a number: a table, not a console line that names a loss.
  static func opens(_ lines: [String], namesLoss: ([String]) -> Bool) -> Bool {
    // `np.savetxt(…, header="step loss")` writes the header as a comment: `# step loss`.
    let rows = lines.filter { !$0.allSatisfy(\.isWhitespace) }.prefix(2).map { cells(uncommented(Substring($0))) }
    guard rows.count == 2 else { return false }
    let header = rows[rows.startIndex], first = rows[rows.index(after: rows.startIndex)]
    guard header.count >= 2, header.count == first.count, Double(first[0]) != nil,
      header.allSatisfy({ Double($0) == nil && !$0.contains(",") && !$0.contains(":") })
    else { return false }
    return namesLoss(header.map(String.init))
  }

  /// Whether a line is a comment (`#` first, after spaces).
  static func isComment(_ line: Substring) -> Bool {
    line.first { $0 != " " && $0 != "\t" } == "#"
  }

  /// The line without a leading `#`: a commented header's names.
  static func uncommented(_ line: Substring) -> Substring {
    isComment(line) ? line.drop { $0 == " " || $0 == "\t" }.dropFirst() : line
  }

  /// Whether a header has been read: a comment before it is the header, one after it is blank.
  private var headerSeen = false

  /// Takes one input line; returns the bytes of CSV it made.
  @discardableResult
  mutating func add(_ line: UnsafeBufferPointer<UInt8>) -> Int {
    let before = bytes.count
    var inCell = false
    var cellsSoFar = 0
    var line = line[...]
    if let first = line.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) {
      if line[first] == UInt8(ascii: "#") {
        // A header given as a comment keeps its names; any other comment is a blank line.
        guard !headerSeen else {
          bytes.append(0x0A)
          return 1
        }
        line = line[(first + 1)...]
      }
      headerSeen = true
    }
    for byte in line {
      let space = byte == 0x20 || byte == 0x09 || byte == 0x0D || (commasSeparate && byte == UInt8(ascii: ","))
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
