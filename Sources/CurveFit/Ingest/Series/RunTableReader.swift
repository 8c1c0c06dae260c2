import Foundation

/// CSV tables holding several runs: Weights & Biases chart exports (`Step`, then one column per
/// run named `<run> - <metric>`, with `__MIN`/`__MAX` companions) and long tables with a run
/// column (`run_name`, `run`, `name`, `experiment`), as the Smol Training Playbook data is laid
/// out. Both are small (a chart's worth of points), so they are read whole.
struct RunTableReader {
  let selection: ColumnSelection
  let request: SeriesRequest

  /// Run-column aliases of long tables, most specific first.
  static let runAliases = ["run_name", "run", "run_id", "experiment", "name", "model"]

  enum Layout {
    /// W&B: `(run, metric, column)` for each selected series, and the lr column of each run.
    case wide(step: Int?, series: [(run: String, metric: String, column: Int)], rates: [String: Int])
    /// One row per (run, step): the run column and the usual step/loss/lr columns.
    case long(run: Int, resolved: ColumnSelection.Resolved)
  }

  /// Splits `<run> - <metric>`; companions (`__MIN`, `__MAX`, `__step`) are not series.
  static func wideColumn(_ name: String) -> (run: String, metric: String)? {
    guard let range = name.range(of: " - ", options: .backwards) else { return nil }
    let run = String(name[..<range.lowerBound])
    let metric = String(name[range.upperBound...])
    guard !run.isEmpty, !metric.isEmpty, !metric.hasSuffix("__MIN"), !metric.hasSuffix("__MAX"),
      !metric.hasSuffix("__step")
    else { return nil }
    return (run, metric)
  }

  /// The layout `header` implies; `nil` for an ordinary one-series table.
  func layout(header: [String], source: String) throws(IngestError) -> Layout? {
    let wide = header.indices.compactMap { index in Self.wideColumn(header[index]).map { ($0.run, $0.metric, index) } }
    if !wide.isEmpty {
      let metrics = wide.reduce(into: [String]()) { if !$0.contains($1.1) { $0.append($1.1) } }
      let chosen: [String]
      if !request.metrics.isEmpty {
        chosen = request.metrics
        for metric in chosen where !metrics.contains(metric) {
          throw .noSuchColumn(source: source, flag: "--metric", name: metric, columns: metrics)
        }
      } else {
        let lossOnly = ColumnSelection(lossColumn: selection.lossColumn)
        let metric = try lossOnly.resolve(columns: metrics, source: source).loss
        chosen = [metrics[metric]]
      }
      let runs = try request.selectRuns(wide.reduce(into: [String]()) { if !$0.contains($1.0) { $0.append($1.0) } }, source: source)
      let series = wide.filter { chosen.contains($0.1) && runs.contains($0.0) }.map { (run: $0.0, metric: $0.1, column: $0.2) }
      var rates: [String: Int] = [:]
      for (run, metric, index) in wide where ColumnSelection.learningRateAliases.contains(metric.lowercased()) {
        rates[run] = index
      }
      let step = Self.firstIndex(of: ColumnSelection.stepAliases, in: header, explicit: selection.stepColumn)
      return .wide(step: step, series: series, rates: rates)
    }
    guard let run = Self.firstIndex(of: Self.runAliases, in: header, explicit: nil),
      let resolved = try? selection.resolve(columns: header, source: source), resolved.loss != run
    else { return nil }
    return .long(run: run, resolved: resolved)
  }

  private static func firstIndex(of aliases: [String], in header: [String], explicit: String?) -> Int? {
    if let explicit { return header.firstIndex(of: explicit) }
    let lowered = header.map { $0.lowercased() }
    for alias in aliases { if let index = lowered.firstIndex(of: alias) { return index } }
    return nil
  }

  /// Reads the series of a table whose header gave `layout`; `nil` when a long table's "runs"
  /// hold fewer than ten rows each on average (a table of final results, not of curves).
  func read(bytes: [UInt8], source: String, format: String, layout: Layout) throws(IngestError) -> [NamedSeries]? {
    let delimiter: UInt8 = format == "tsv" ? 0x09 : UInt8(ascii: ",")
    let reader = DelimitedReader(delimiter: delimiter)
    var header: [String] = []
    var runColumn: Int?
    if case .long(let run, _) = layout { runColumn = run }
    var table: RunTableRows?
    // Lines are consecutive: each starts where the one before ended (the reader's buffer is its
    // own copy, so offsets, not pointers, find a line in `bytes` again).
    var lineStart = 0
    try LineReader(input: .memory(bytes), source: source).forEachLine { (line, number, end) throws(IngestError) -> Bool in
      defer { lineStart = end }
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { return true }
      if header.isEmpty {
        header = reader.headerNames(line)
        table = RunTableRows(columnCount: header.count, runColumn: runColumn)
      } else {
        table?.append(line, ranges: reader.fieldRanges(line), start: lineStart, number: number)
      }
      return true
    }
    guard let table, table.count > 0 else { throw .headerOnly(source: source) }
    let context = (bytes: bytes, reader: reader, header: header, source: source)
    switch layout {
    case .wide(let step, let series, let rates):
      return try series.map { (entry) throws(IngestError) -> NamedSeries in
        let name = series.contains { $0.run == entry.run && $0.metric != entry.metric } ? "\(entry.run) · \(entry.metric)" : entry.run
        var columns = Columns(step: step, loss: entry.column, rate: rates[entry.run])
        columns.format = "csv (W&B export)"
        var built = try build(table, context, columns: columns, name: entry.run) { _ in true }
        built.origin.notes.append(
          "W&B chart exports are sampled (by default at most 1,000 points a run): spikes between samples do not show")
        return NamedSeries(name: name, series: built)
      }
    case .long(let run, let resolved):
      let names = table.runNames
      guard names.count * 10 <= table.count else { return nil }
      var columns = Columns(step: resolved.step, loss: resolved.loss, rate: resolved.learningRate)
      columns.format = "csv (long, run column '\(header[run])')"
      return try request.selectRuns(names, source: source).map { (name) throws(IngestError) -> NamedSeries in
        let id = Int32(names.firstIndex(of: name) ?? -1)
        let built = try build(table, context, columns: columns, name: name) { row in table.runs[row] == id }
        return NamedSeries(name: name, series: built)
      }
    }
  }

  struct Columns {
    var step: Int?
    var loss: Int
    var rate: Int?
    var format = "csv"
  }

  /// One series from the rows `include` accepts; rows with an empty loss cell are skipped.
  private func build(
    _ table: RunTableRows, _ context: (bytes: [UInt8], reader: DelimitedReader, header: [String], source: String),
    columns: Columns, name: String, include: (Int) -> Bool
  ) throws(IngestError) -> LossSeries {
    let (bytes, reader, header, source) = context
    var steps: [Double] = []
    var losses: [Double] = []
    var rates: [Double] = []
    var read = 0
    for row in 0..<table.count where include(row) {
      read += 1
      let at = SourceLocation(source: source, line: table.lines[row].number)
      let fields = Int(table.fieldCounts[row])
      let text = { (column: Int) in table.text(row, column, bytes: bytes, reader: reader) }
      guard columns.loss < fields else { throw .tooFewFields(at, found: fields, expected: columns.loss + 1) }
      let lossCell = table.cell(row, columns.loss)
      if RunTableRows.isEmpty(lossCell) { continue }
      guard !RunTableRows.isUnparsable(lossCell) else { throw .badNumber(at, column: header[columns.loss], text: text(columns.loss)) }
      var step = Double(read)
      if let index = columns.step {
        let cell = index < fields ? table.cell(row, index) : RunTableRows.emptyCell
        guard !RunTableRows.isEmpty(cell) else { throw .missingStep(at, column: header[index]) }
        guard !RunTableRows.isUnparsable(cell) else { throw .badNumber(at, column: header[index], text: text(index)) }
        guard cell.isFinite else { throw .nonFiniteStep(at, column: header[index], text: text(index)) }
        step = cell
      }
      steps.append(step)
      losses.append(lossCell)
      var rate = Double.nan
      if let index = columns.rate, index < fields {
        let cell = table.cell(row, index)
        if !RunTableRows.isEmpty(cell), !RunTableRows.isUnparsable(cell) { rate = cell }
      }
      rates.append(rate)
    }
    guard !steps.isEmpty else { throw .noFiniteLoss(source: "\(source) [\(name)]", rows: read) }
    var origin = SeriesOrigin(
      source: "\(source) [\(name)]", format: columns.format, stepColumn: columns.step.map { header[$0] },
      lossColumn: header[columns.loss], columns: header)
    origin.rowsRead = read
    origin.rowsWithoutLoss = read - steps.count
    origin.learningRateColumn = columns.rate.map { header[$0] }
    return LossSeries(
      steps: steps, losses: losses, learningRates: columns.rate == nil ? nil : rates, origin: origin)
  }
}

/// The rows of a run table as numbers: one Double per cell (rows × columns), the empty and
/// unparsable cells marked by NaN payloads of their own, the run column as small integers, and
/// where each row's line is, so a message can still quote a cell. About 8 bytes a cell, where a
/// String per cell held 251 MB of table in 1.6 GB.
struct RunTableRows {
  let columnCount: Int
  let runColumn: Int?
  private(set) var cells: [Double] = []
  private(set) var fieldCounts: [Int32] = []
  private(set) var lines: [(start: Int, count: Int, number: Int)] = []
  private(set) var runs: [Int32] = []
  private(set) var runNames: [String] = []
  private var runIDs: [String: Int32] = [:]

  static let emptyCell = Double(bitPattern: 0x7FF8_0000_0000_0E01)
  static let unparsableCell = Double(bitPattern: 0x7FF8_0000_0000_0E02)
  static func isEmpty(_ cell: Double) -> Bool { cell.bitPattern == emptyCell.bitPattern }
  static func isUnparsable(_ cell: Double) -> Bool { cell.bitPattern == unparsableCell.bitPattern }

  init(columnCount: Int, runColumn: Int?) {
    self.columnCount = columnCount
    self.runColumn = runColumn
  }

  var count: Int { lines.count }

  func cell(_ row: Int, _ column: Int) -> Double { cells[row * columnCount + column] }

  mutating func append(_ line: UnsafeBufferPointer<UInt8>, ranges: [Range<Int>], start: Int, number: Int) {
    for column in 0..<columnCount {
      guard column < ranges.count else {
        cells.append(Self.emptyCell)
        continue
      }
      var field = line[ranges[column]]
      while let first = field.first, first == 0x20 || first == 0x22 { field = field.dropFirst() }
      while let last = field.last, last == 0x20 || last == 0x22 || last == 0x0D { field = field.dropLast() }
      if field.isEmpty {
        cells.append(Self.emptyCell)
      } else {
        cells.append(UnsafeBufferPointer(rebasing: field).withMemoryRebound(to: UInt8.self) { FastFloat.parse($0) } ?? Self.unparsableCell)
      }
    }
    fieldCounts.append(Int32(min(ranges.count, Int(Int32.max))))
    lines.append((start, line.count, number))
    if let runColumn {
      let name = runColumn < ranges.count ? String(decoding: line[ranges[runColumn]], as: UTF8.self) : ""
      if let id = runIDs[name] {
        runs.append(id)
      } else {
        let id = Int32(runNames.count)
        runIDs[name] = id
        runNames.append(name)
        runs.append(id)
      }
    }
  }

  /// A cell's text, re-read from its line, for a message.
  func text(_ row: Int, _ column: Int, bytes: [UInt8], reader: DelimitedReader) -> String {
    let line = lines[row]
    guard line.start >= 0, line.start + line.count <= bytes.count else { return "" }
    return bytes.withUnsafeBufferPointer { buffer in
      let slice = UnsafeBufferPointer(rebasing: buffer[line.start..<(line.start + line.count)])
      let ranges = reader.fieldRanges(slice)
      guard column < ranges.count else { return "" }
      return String(decoding: slice[ranges[column]], as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }
  }
}
