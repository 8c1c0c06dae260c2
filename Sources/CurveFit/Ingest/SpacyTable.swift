/// spaCy's training table (`spacy train`): a header of names apart by two spaces or more
/// (`E    #       LOSS TOK2VEC  LOSS NER  ENTS_F  ENTS_P  ENTS_R  SCORE`), a rule of dashes, then
/// a row per evaluation: the epoch, the step, each pipe's loss summed over the steps since the
/// last row, and the scores. Rewritten as CSV (one output line per input line) under the names
/// `epoch, step, loss, loss_tok2vec, loss_ner, …`, where `loss` is the sum of the pipes' losses
/// but the shared embedding's (`tok2vec`, `transformer`: it takes its gradient from the pipes
/// that listen to it, and climbs while they learn). The row at step 0, one batch's loss where
/// the others sum hundreds, is left out.
struct SpacyTable {
  private(set) var bytes: [UInt8] = []
  private var names: [String]?
  /// The cells summed into `loss`.
  private var summed: [Int] = []

  /// The pipes whose loss is not a task's.
  static let embeddings: Set<String> = ["TOK2VEC", "TRANSFORMER"]

  /// Whether `lines` hold spaCy's header (`E`, `#`, then `LOSS …` names) followed by its rule.
  static func opens(_ lines: [String]) -> Bool {
    for (index, line) in lines.enumerated().dropLast() where isHeader(line) {
      return isRule(lines[index + 1])
    }
    return false
  }

  private static func isHeader(_ line: String) -> Bool {
    let cells = AlignedTable.wideCells(Substring(line))
    return cells.count >= 3 && cells[0] == "E" && cells[1] == "#" && cells[2].hasPrefix("LOSS ")
  }

  private static func isRule(_ line: String) -> Bool {
    let cells = AlignedTable.cells(Substring(line))
    return cells.count >= 3 && cells.allSatisfy { $0.allSatisfy { $0 == "-" } }
  }

  /// The note for the report: what `loss` sums, over what.
  var note: String? {
    guard let names else { return nil }
    let parts = summed.map { names[$0] }
    let left = names.indices.filter { names[$0].hasPrefix("LOSS ") && !summed.contains($0) }.map { names[$0] }
    return "spaCy's table: each row's losses are summed over the steps since the row before; loss is "
      + (parts.count == 1 ? parts[0] : "the sum of " + parts.joined(separator: ", "))
      + (left.isEmpty ? "" : " (\(left.joined(separator: ", ")), the shared embedding's, left out)")
      + "; the row at step 0 (one batch) is left out"
  }

  /// Takes one input line; returns the bytes of CSV it made.
  @discardableResult
  mutating func add(_ line: UnsafeBufferPointer<UInt8>) -> Int {
    let before = bytes.count
    let text = String(decoding: line, as: UTF8.self)
    if names == nil, Self.isHeader(text) {
      let found = AlignedTable.wideCells(Substring(text)).map(String.init)
      names = found
      let losses = found.indices.filter { found[$0].hasPrefix("LOSS ") }
      let tasks = losses.filter { !Self.embeddings.contains(String(found[$0].dropFirst(5))) }
      summed = tasks.isEmpty ? losses : tasks
      let columns = ["epoch", "step", "loss"] + found.dropFirst(2).map { $0.lowercased().replacingOccurrences(of: " ", with: "_") }
      bytes += Array((columns.joined(separator: ",") + "\n").utf8)
      return bytes.count - before
    }
    if let names {
      let cells = AlignedTable.cells(Substring(text))
      let numbers = cells.map { Double($0) }
      if cells.count == names.count, numbers.allSatisfy({ $0 != nil }), let step = numbers[1], step > 0 {
        let loss = summed.reduce(0) { $0 + (numbers[$1] ?? .nan) }
        let row = [cells[0], cells[1], Substring(String(loss))] + cells.dropFirst(2)
        bytes += Array((row.joined(separator: ",") + "\n").utf8)
        return bytes.count - before
      }
    }
    bytes.append(0x0A)
    return bytes.count - before
  }
}
