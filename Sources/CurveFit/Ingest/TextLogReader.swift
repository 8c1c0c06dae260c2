/// Reads console logs line by line with a `TextLogPattern` into a `LossSeries`.
struct TextLogReader {
  let pattern: TextLogPattern

  func read(_ lines: LineReader) throws(IngestError) -> LossSeries {
    var steps: [Double] = []
    var losses: [Double] = []
    var rows = 0
    let source = lines.source
    try lines.forEachLine { (line, number) throws(IngestError) -> Bool in
      rows += 1
      let text = String(decoding: line, as: UTF8.self)
      guard let (step, lossText) = pattern.match(text) else { return true }
      let loss = Array(lossText.utf8).withUnsafeBufferPointer { FastFloat.parse($0) }
      guard let loss else {
        throw .badNumber(SourceLocation(source: source, line: number), column: "loss", text: lossText)
      }
      steps.append(step)
      losses.append(loss)
      return true
    }
    guard !steps.isEmpty else { throw .noFiniteLoss(source: source, rows: rows) }
    var origin = SeriesOrigin(
      source: source, format: "text (\(pattern.name))", stepColumn: "step", lossColumn: "loss",
      columns: ["step", "loss"])
    origin.rowsRead = rows
    origin.rowsWithoutLoss = rows - steps.count
    return LossSeries(steps: steps, losses: losses, origin: origin)
  }
}
