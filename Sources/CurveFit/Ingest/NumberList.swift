/// A list of losses and nothing else, as a training script saves them: `json.dump(losses, f)`
/// (a JSON array, on one line or pretty-printed), `print(losses)` (Python's list repr, `nan`
/// and all), or one row of numbers. Read as the loss by position, steps 1…n.
///
/// Each read as something else: the array's first line as a CSV header of numbers ("no loss
/// column; columns are [10.0, 7.6569, …"), the row as a console log of no known layout.
enum NumberList {
  /// A row of numbers needs this many to be a list rather than a line of some log.
  static let minimumRowItems = 5

  /// Whether the opening `lines` are such a list; `whole` when they are the whole input (a row
  /// of numbers longer than the head may be the first of many: a table of numbers, not a list).
  static func opens(_ lines: [String], whole: Bool) -> Bool {
    let content = lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "\u{FEFF}" }
    guard var first = content.first else { return false }
    if first.hasPrefix("\u{FEFF}") { first.removeFirst() }
    guard first.hasPrefix("[") else {
      // One line of numbers apart by spaces, tabs or commas, and nothing else in the file.
      let items = tokens(first)
      return whole && content.count == 1 && items.count >= minimumRowItems && items.allSatisfy { number($0) != nil }
    }
    var inside = first.dropFirst()
    if let close = inside.firstIndex(of: "]") {
      // `[2.5, 3.1]` alone on its line, not `[  100/1000] loss: 2.34` (a loop's bracketed count).
      guard inside[inside.index(after: close)...].allSatisfy({ $0 == " " || $0 == "," }) else { return false }
      inside = inside[..<close]
    }
    var items = tokens(String(inside))
    if items.isEmpty, content.count > 1 {
      // A pretty-printed array: `[` alone, then a number a line.
      items = tokens(content[1].hasSuffix(",") ? String(content[1].dropLast()) : content[1])
      guard items.count == 1 else { return false }
    }
    // Mostly numbers is a list with a bad item, for `losses` to name: `[1.0, 2.0, abc]` read as a
    // header said "no loss column; columns are [1.0, 2.0, abc]".
    let numbers = items.filter { number($0) != nil }.count
    return numbers > 0 && 2 * numbers > items.count
  }

  /// The losses of the whole list, in order.
  ///
  /// - Throws: `IngestError.badNumber` naming the line of the first item that is not a number.
  static func losses(_ bytes: [UInt8], source: String) throws(IngestError) -> [Double] {
    var losses: [Double] = []
    var line = 1
    for text in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
      defer { line += 1 }
      let cleaned = text.replacingOccurrences(of: "[", with: " ").replacingOccurrences(of: "]", with: " ")
      for item in tokens(cleaned) {
        guard let value = number(item) else {
          throw .badNumber(SourceLocation(source: source, line: line), column: "loss", text: item)
        }
        losses.append(value)
      }
    }
    return losses
  }

  /// The items of `text`, apart by commas, spaces or tabs.
  private static func tokens(_ text: String) -> [String] {
    text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{FEFF}" }).map(String.init)
  }

  /// A number as JSON, Python or NumPy write it (`nan`, `NaN`, `inf`, `-Infinity`, `null`, `None`
  /// for a loss not logged); `nil` for anything else.
  private static func number(_ item: String) -> Double? {
    switch item {
    case "nan", "NaN", "null", "None": return .nan
    case "inf", "Infinity", "+inf": return .infinity
    case "-inf", "-Infinity": return -.infinity
    default:
      guard let value = Double(item), item.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true
      else { return nil }
      return value
    }
  }
}
