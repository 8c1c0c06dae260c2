/// A table whose cells are apart by `;` or `|`, rewritten as CSV for the streaming reader, one
/// line for each line read (so errors name the file's own lines).
///
/// Excel saves "CSV" with semicolons where the decimal mark is a comma (`step;loss` over
/// `1;2,345`), as pandas' `to_csv(sep=";", decimal=",")` does; a Markdown table (`| step | loss
/// |`, pandas' `to_markdown()`, a table pasted from a report) puts bars around its cells. Both
/// were read as one column named `step;loss` or `| step | loss |`.
struct SeparatedTable {
  enum Style: String {
    case semicolons = "semicolon-separated"
    case markdown = "Markdown table"
  }

  let style: Style
  private(set) var bytes: [UInt8] = []
  /// Whether a comma inside a cell was read as a decimal point.
  private(set) var decimalCommas = false
  /// Whether a Markdown table's header has been met (the lines before it are prose).
  private var inTable = false

  init(style: Style) { self.style = style }

  /// The style of a table opening `lines` whose header names a loss column, if any: a first
  /// line with semicolons and no comma or tab, or a line of bars over a line of dashes.
  static func opens(_ lines: [String], namesLoss: ([String]) -> Bool) -> Style? {
    let rows = lines.filter { !$0.allSatisfy(\.isWhitespace) }
    guard let first = rows.first else { return nil }
    // A header's names hold no number with a fraction (`iter_dt 12.34ms; iter 100: train loss
    // 1.25` is minGPT's console line), and the next line has as many cells.
    func names(_ line: String, _ separator: UInt8) -> [String]? {
      let cells = cells(Array(line.utf8)[...], separator: separator)
      guard line.range(of: #"\d\.\d"#, options: .regularExpression) == nil, cells.count >= 2, namesLoss(cells) else { return nil }
      return cells
    }
    if first.contains(";"), !first.contains(","), !first.contains("\t"), rows.count >= 2,
      let header = names(first, UInt8(ascii: ";")),
      cells(Array(rows[1].utf8)[...], separator: UInt8(ascii: ";")).count == header.count
    {
      return .semicolons
    }
    // A Markdown table may follow a title or a paragraph (a report's page, a README).
    for (index, row) in rows.enumerated().dropLast() {
      let trimmed = row.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("|"), isRule(Array(rows[index + 1].utf8)[...]), names(trimmed, UInt8(ascii: "|")) != nil {
        return .markdown
      }
    }
    return nil
  }

  /// Appends `line` as a CSV row; returns the bytes written.
  mutating func add(_ line: UnsafeBufferPointer<UInt8>) -> Int {
    let before = bytes.count
    let separator = style == .semicolons ? UInt8(ascii: ";") : UInt8(ascii: "|")
    // A Markdown table's rule (`|---:|:---|`) is no row, nor is the prose around the table: a
    // blank line keeps the numbering.
    if style == .markdown, !inTable, let first = line.first(where: { $0 != 0x20 && $0 != 0x09 }), first == UInt8(ascii: "|") {
      inTable = true
    }
    let prose = style == .markdown && (!inTable || !line.contains(UInt8(ascii: "|")))
    if !prose, !(style == .markdown && Self.isRule(line[...])) {
      for (index, cell) in Self.cells(line[...], separator: separator).enumerated() {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        var text = Array(cell.utf8)
        if style == .semicolons, text.contains(UInt8(ascii: ",")) {
          // `2,345` is 2.345 here: a semicolon table's commas are decimal marks.
          text = text.map { $0 == UInt8(ascii: ",") ? UInt8(ascii: ".") : $0 }
          decimalCommas = true
        }
        // A cell holding a quote or a comma still (a Markdown cell of prose) is quoted.
        if text.contains(UInt8(ascii: ",")) || text.contains(UInt8(ascii: "\"")) {
          bytes.append(UInt8(ascii: "\""))
          for byte in text {
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            bytes.append(byte)
          }
          bytes.append(UInt8(ascii: "\""))
        } else {
          bytes += text
        }
      }
    }
    bytes.append(0x0A)
    return bytes.count - before
  }

  /// The trimmed cells of a line; a Markdown row's outer bars open and close it.
  private static func cells<Bytes: Collection<UInt8>>(_ line: Bytes, separator: UInt8) -> [String] {
    var pieces = line.split(separator: separator, omittingEmptySubsequences: false)
      .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces) }
    if separator == UInt8(ascii: "|") {
      if pieces.first?.isEmpty == true { pieces.removeFirst() }
      if pieces.last?.isEmpty == true { pieces.removeLast() }
    }
    return pieces.map { $0.hasPrefix("\"") && $0.hasSuffix("\"") && $0.count >= 2 ? String($0.dropFirst().dropLast()) : $0 }
  }

  /// `|---|:--:|` or `---|---`: dashes, colons, bars and spaces, with at least three dashes.
  private static func isRule<Bytes: Collection<UInt8>>(_ line: Bytes) -> Bool {
    let allowed: Set<UInt8> = [UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "|"), 0x20, 0x09, 0x0D]
    return line.allSatisfy(allowed.contains) && line.filter { $0 == UInt8(ascii: "-") }.count >= 3
      && line.contains(UInt8(ascii: "|"))
  }
}
