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

  /// How the header lines up with the rows (pandas printing the Trainer's table:
  /// `    Step  Training Loss` over `0    50       2.3456`).
  private let layout: Header

  init(header: [String]? = nil, commasSeparate: Bool = false, layout: Header = Header(wide: false, indexed: false)) {
    self.commasSeparate = commasSeparate
    self.layout = layout
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
    if width == 3, isMLflowMetric(numeric) { return mlflowNames }
    let firsts = numeric.map { $0[0] ?? 0 }
    guard zip(firsts, firsts.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
    return ["step", "loss"] + (2..<width).map { "column\($0 + 1)" }
  }

  /// The columns of an MLflow metric file (`mlruns/<experiment>/<run>/metrics/<name>`), which
  /// writes `timestamp value step` and no header.
  static let mlflowNames = ["timestamp", "loss", "step"]

  /// Rows of three numbers whose first is a time in milliseconds since 1970 (from 1973 on) and
  /// whose last is a step that never goes back: read as the first column, those times would be
  /// "steps 1.70e12–1.70e12".
  private static func isMLflowMetric(_ rows: [[Double?]]) -> Bool {
    let times = rows.map { $0[0] ?? 0 }
    let steps = rows.map { $0[2] ?? -1 }
    return times.allSatisfy { $0 >= 1e11 && $0 == $0.rounded() }
      && steps.allSatisfy { $0 >= 0 && $0 == $0.rounded() }
      && zip(steps, steps.dropFirst()).allSatisfy { $0 <= $1 }
  }

  /// The cells of a line split at runs of spaces and tabs.
  static func cells(_ line: Substring) -> [Substring] {
    line.split { $0 == " " || $0 == "\t" || $0 == "\r" }
  }

  /// The cells of a header whose names hold single spaces: split at runs of two spaces or more,
  /// or at tabs.
  static func wideCells(_ line: Substring) -> [Substring] {
    var cells: [Substring] = []
    var start: Substring.Index?
    var index = line.startIndex
    while index < line.endIndex {
      let next = line.index(after: index)
      let gap = line[index] == "\t" || line[index] == "\r"
        || (line[index] == " " && (next == line.endIndex || line[next] == " " || line[next] == "\t"))
      if gap {
        if let from = start { cells.append(line[from..<index]) }
        start = nil
      } else if start == nil, line[index] != " " {
        start = index
      }
      index = next
    }
    if let from = start { cells.append(line[from...]) }
    return cells
  }

  /// How a table's header lines up with its rows.
  struct Header: Equatable {
    /// The names are apart by two spaces or more, with single spaces inside them (`wideCells`).
    var wide: Bool
    /// The rows open with an unnamed row number, as pandas prints a DataFrame's index.
    var indexed: Bool
  }

  /// Whether `lines` open with a header of at least two names, none a number, followed by a row
  /// with as many cells (or one more, an unnamed row number), the first a number: a table, not a
  /// console line that names a loss; `nil` when they do not.
  static func opens(_ lines: [String], namesLoss: ([String]) -> Bool) -> Header? {
    // `np.savetxt(…, header="step loss")` writes the header as a comment: `# step loss`.
    let rows = lines.filter { !$0.allSatisfy(\.isWhitespace) }.prefix(2).map { uncommented(Substring($0)) }
    guard rows.count == 2 else { return nil }
    let first = cells(rows[rows.index(after: rows.startIndex)])
    let narrow = cells(rows[rows.startIndex])
    let fits = { (names: [Substring]) in names.count >= 2 && (names.count == first.count || names.count + 1 == first.count) }
    // Names two spaces apart or more are the layout's, single spaces inside them: `    Step  Training
    // Loss` over `0    50    2.3456` is a row number, a step and a loss, not three columns.
    let spaced = wideCells(rows[rows.startIndex])
    let wide = fits(spaced) ? spaced : narrow
    guard fits(wide), Double(first[0]) != nil,
      wide.allSatisfy({ Double($0) == nil && !$0.contains(",") && !$0.contains(":") }),
      namesLoss(wide.map(String.init))
    else { return nil }
    return Header(wide: wide.count != narrow.count, indexed: wide.count + 1 == first.count)
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
      if !headerSeen, layout.wide || layout.indexed {
        headerSeen = true
        let text = Substring(String(decoding: line, as: UTF8.self))
        let names = (layout.indexed ? ["row"] : []) + (layout.wide ? Self.wideCells(text) : Self.cells(text)).map(String.init)
        bytes += Array((names.map { $0.replacingOccurrences(of: ",", with: ";") }.joined(separator: ",") + "\n").utf8)
        return bytes.count - before
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
