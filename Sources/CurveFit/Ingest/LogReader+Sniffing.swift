import Foundation
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What the first bytes of an input say it is.
enum LogKind {
  /// CSV, TSV or JSON lines: the streaming reader.
  case delimited
  /// A console log read with a line pattern.
  case text(TextLogPattern)
  /// One JSON document (trainer_state.json, an array of records).
  case jsonDocument
  /// The Hugging Face Trainer's console output: one Python dict repr per logging step.
  case pythonDicts
  /// A block per logging step: `[batch=N/T]:` or `[step=N/T]`, then indented metrics (Composer, OLMo).
  case recordBlocks
  /// A table whose columns are aligned with spaces (fastai's console table), read as CSV.
  case alignedTable(AlignedTable.Header)
  /// spaCy's training table (`E  #  LOSS TOK2VEC  LOSS NER …` over a rule of dashes), read as CSV.
  case spacyTable
  /// A table apart by semicolons (decimal commas) or bars (Markdown), read as CSV.
  case separatedTable(SeparatedTable.Style)
  /// Numbers alone, no header: read as a table under the names given.
  case headerlessNumbers(names: [String])
  /// A list of losses alone (a JSON array, Python's list repr, a row of numbers).
  case numberList
  /// Text that is neither a table with a header nor a console log of a known layout.
  case unrecognised(firstLine: String)
}

extension LogReader {
  static let headBytes = 64 << 10

  /// Decides the kind from the first 64 KiB.
  ///
  /// `[` or a first line that opens but does not close a JSON object is a JSON document; a
  /// first line that is a header naming a loss column (or a complete JSON object) is the
  /// streaming reader's; otherwise the console-log pattern matching the most lines, if any.
  func sniff(_ head: [UInt8]) -> LogKind {
    if let pattern { return .text(pattern) }
    // A trainer state written on one line may be longer than the head: its first line is then
    // cut short below, but the key says what it is.
    if let start = head.firstIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }),
      head[start] == UInt8(ascii: "{"), !head.contains(0x0A),
      String(decoding: head.prefix(4_096), as: UTF8.self).contains("\"log_history\"")
    {
      return .jsonDocument
    }
    // Split on the byte, not the Character: "\r\n" is one Character, so a CRLF file split on
    // "\n" never ends its first line.
    var lines = head.split(separator: 0x0A, omittingEmptySubsequences: true).map { line in
      String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
    }
    // A `\r` inside a line is a progress bar rewriting itself (the one a line may be cut in).
    let bars = head.indices.dropLast().contains { head[$0] == 0x0D && head[$0 + 1] != 0x0A }
    // The last line may be cut short. A progress bar's redraws (an epoch of them is one line,
    // often longer than the head) keep their complete `\r`-segments; another cut line is dropped
    // unless it is all there is.
    if head.count >= Self.headBytes, let last = lines.last {
      if let redraw = last.lastIndex(of: "\r") {
        lines[lines.count - 1] = String(last[..<redraw])
      } else if lines.count > 1 {
        lines.removeLast()
      }
    }
    // A number printed in its wrapper (`tensor(2.31, device='cuda:0')`) is the number: its
    // commas do not make a table.
    lines = lines.map(WrappedNumber.unwrap)
    if PythonDictLine.dominate(Array(lines.prefix(200)), progressBars: bars) { return .pythonDicts }
    if SpacyTable.opens(Array(lines.prefix(200))) { return .spacyTable }
    if RecordBlocks.dominate(Array(lines.prefix(400))) { return .recordBlocks }
    guard let first = lines.first(where: { !$0.allSatisfy(\.isWhitespace) }) else { return .delimited }
    if NumberList.opens(Array(lines.prefix(3)), whole: head.count < Self.headBytes) { return .numberList }
    let trimmed = first.drop { $0 == " " || $0 == "\t" || $0 == "\u{FEFF}" }
    // `[{`, `[ ]` or a lone `[` open an array of records; `[rank0]: …` is a console prefix.
    if trimmed.hasPrefix("[") {
      let next = trimmed.dropFirst().drop { $0 == " " || $0 == "\t" }
      if next.isEmpty || next.hasPrefix("{") || next.hasPrefix("]") || next.hasPrefix("[") { return .jsonDocument }
    }
    if trimmed.hasPrefix("{") {
      // A first line that closes its object is JSON lines (a malformed one is then reported with
      // its line number); one that does not (`{` alone, pretty-printed) opens a document.
      // A trainer state written compactly is one line too, but holds the records in log_history.
      let closed = first.trimmingCharacters(in: .whitespaces).hasSuffix("}")
      let compactState = first.contains("\"log_history\"")
      // A whole file of one object opening with a list (`{"loss": [2.2, 1.8, …], …}`, Keras's
      // history dumped as JSON) or with an object keyed by row number (`{"step": {"0": 10, …}`,
      // pandas' `to_json()`) is a document of columns, not one JSON line; so is one opening with
      // a metric's steps or values (Sacred's `metrics.json` written compactly).
      let listsByColumn = lines.count == 1
        && first.range(
          of: #"^\s*\{\s*"[^"]*"\s*:\s*(?:\[|\{\s*"\d+"\s*:|\{\s*"(?:steps|values|timestamps)"\s*:\s*\[)"#,
          options: .regularExpression) != nil
      return closed && !compactState && !listsByColumn ? .delimited : .jsonDocument
    }
    // Names apart by spaces alone are columns aligned for the eye (fastai's table), not one name.
    if !first.contains(","), !first.contains("\t"),
      let header = AlignedTable.opens(Array(lines.prefix(8)), namesLoss: { (try? selection.resolve(columns: $0, source: "")) != nil })
    {
      return .alignedTable(header)
    }
    if let style = SeparatedTable.opens(Array(lines.prefix(20)), namesLoss: { (try? selection.resolve(columns: $0, source: "")) != nil }) {
      return .separatedTable(style)
    }
    if let names = AlignedTable.headerlessNames(Array(lines.prefix(8))) { return .headerlessNumbers(names: names) }
    if looksLikeHeader(first) { return .delimited }
    // Some logs open with the training script itself (modded-nanogpt's records print their
    // source, then nvidia-smi, then the steps): look through the whole head before giving up.
    // Up to 4,000 lines: the 64 KiB head of a log holds some 1,500 lines of text or code; more
    // are short lines, each costing every layout's expression (a head of 12,000 distinct short
    // lines took 1.8 s to be found in none).
    if let pattern = TextLogPattern.detect(Array(lines.prefix(200)))
      ?? (lines.count > 200 ? TextLogPattern.detect(Array(lines.prefix(4_000))) : nil)
    {
      return .text(pattern)
    }
    // A first line with numbers with fractions is a console line of a layout curvefit does not
    // know, not a header: say so rather than read it as columns. Commas alone do not make a
    // table: `… loss=5.06, ppl=8.6, lr=2e-05` is a log line, told by its `name=number` pairs
    // (a W&B export's header has decimals in its run names, and no such pairs).
    let hasDelimiter = first.contains(",") || first.contains("\t")
    // `name: value` pairs with a space after the colon (`GPU available: True (cuda), used: True`,
    // Lightning's banner) are prose too; a header's names do not hold them.
    let pairs = (try? NSRegularExpression(pattern: #"[A-Za-z_]\s*(?:[=:]\s*[-+]?\d|:\s+\S)"#))
      .map { $0.numberOfMatches(in: first, range: NSRange(first.startIndex..., in: first)) } ?? 0
    // A first line of words apart by spaces alone is a banner (`Starting training`, `[LightGBM]
    // [Info] …`), not a table's one column: "no loss column; columns are Starting training" misleads.
    let decimal = first.range(of: #"\d\.\d"#, options: .regularExpression) != nil
    if pairs >= 2 || (!hasDelimiter && (decimal || first.contains(" "))) {
      // The suggestion is read off the first of 500 distinct lines that yields one.
      var tried = Set<String>()
      let suggesting = lines.lazy.filter { tried.count < 500 && tried.insert($0).inserted }
      return .unrecognised(firstLine: suggesting.first { PatternSuggestion.suggest($0) != nil } ?? first)
    }
    return .delimited
  }

  /// A first line whose comma- or tab-separated names include a loss column, and that holds no
  /// numbers with a fraction: `step 0: train loss 10.98, val loss 10.99` names no columns.
  private func looksLikeHeader(_ line: String) -> Bool {
    // Words two spaces apart with no separator are the header of columns aligned for the eye
    // (Ultralytics' `Epoch    GPU_mem   box_loss   cls_loss …` over its rows), not one name.
    if !line.contains(","), !line.contains("\t"), line.trimmingCharacters(in: .whitespaces).contains("  ") {
      return false
    }
    let separator: Character = line.contains("\t") && !line.contains(",") ? "\t" : ","
    let names = line.split(separator: separator).map {
      $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
    let hasDecimal = names.contains { name in
      name.range(of: #"\d\.\d"#, options: .regularExpression) != nil
    }
    return !hasDecimal && (try? selection.resolve(columns: names, source: "")) != nil
  }

  /// Up to `headBytes` from the start of a file, or taken from a stream.
  static func readHead(_ descriptor: Int32, at offset: Int? = nil) -> [UInt8] {
    var head = [UInt8](repeating: 0, count: headBytes)
    var filled = 0
    while filled < headBytes {
      let got = head.withUnsafeMutableBytes { buffer -> Int in
        guard let base = buffer.baseAddress else { return 0 }
        if let offset { return pread(descriptor, base + filled, headBytes - filled, off_t(offset + filled)) }
        return Glibc.read(descriptor, base + filled, headBytes - filled)
      }
      if got < 0 && errno == EINTR { continue }
      guard got > 0 else { break }
      filled += got
    }
    return Array(head.prefix(filled))
  }
}
