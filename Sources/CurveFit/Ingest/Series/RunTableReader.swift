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
    var rows: [(fields: [String], line: Int)] = []
    try LineReader(input: .memory(bytes), source: source).forEachLine { (line, number) throws(IngestError) -> Bool in
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { return true }
      if header.isEmpty {
        header = reader.headerNames(line)
      } else {
        rows.append((reader.fieldRanges(line).map { String(decoding: line[$0], as: UTF8.self) }, number))
      }
      return true
    }
    guard !rows.isEmpty else { throw .headerOnly(source: source) }
    switch layout {
    case .wide(let step, let series, let rates):
      return try series.map { (entry) throws(IngestError) -> NamedSeries in
        let name = series.contains { $0.run == entry.run && $0.metric != entry.metric } ? "\(entry.run) · \(entry.metric)" : entry.run
        var columns = Columns(step: step, loss: entry.column, rate: rates[entry.run])
        columns.format = "csv (W&B export)"
        var built = try build(rows, header: header, source: source, columns: columns, name: entry.run) { _ in true }
        built.origin.notes.append(
          "W&B chart exports are sampled (by default at most 1,000 points a run): spikes between samples do not show")
        return NamedSeries(name: name, series: built)
      }
    case .long(let run, let resolved):
      var names: [String] = []
      var seen = Set<String>()
      for row in rows where row.fields.count > run && seen.insert(row.fields[run]).inserted { names.append(row.fields[run]) }
      guard names.count * 10 <= rows.count else { return nil }
      var columns = Columns(step: resolved.step, loss: resolved.loss, rate: resolved.learningRate)
      columns.format = "csv (long, run column '\(header[run])')"
      return try request.selectRuns(names, source: source).map { (name) throws(IngestError) -> NamedSeries in
        let built = try build(rows, header: header, source: source, columns: columns, name: name) { fields in
          fields.count > run && fields[run] == name
        }
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
    _ rows: [(fields: [String], line: Int)], header: [String], source: String, columns: Columns, name: String,
    include: ([String]) -> Bool
  ) throws(IngestError) -> LossSeries {
    var steps: [Double] = []
    var losses: [Double] = []
    var rates: [Double] = []
    var read = 0
    for (fields, line) in rows where include(fields) {
      read += 1
      let at = SourceLocation(source: source, line: line)
      guard columns.loss < fields.count else { throw .tooFewFields(at, found: fields.count, expected: columns.loss + 1) }
      let cell = fields[columns.loss].trimmingCharacters(in: .whitespaces)
      if cell.isEmpty { continue }
      guard let loss = Self.number(cell) else { throw .badNumber(at, column: header[columns.loss], text: cell) }
      var step = Double(read)
      if let index = columns.step {
        guard index < fields.count, !fields[index].trimmingCharacters(in: .whitespaces).isEmpty else {
          throw .missingStep(at, column: header[index])
        }
        guard let value = Self.number(fields[index]) else { throw .badNumber(at, column: header[index], text: fields[index]) }
        guard value.isFinite else { throw .nonFiniteStep(at, column: header[index], text: fields[index]) }
        step = value
      }
      steps.append(step)
      losses.append(loss)
      rates.append(columns.rate.flatMap { $0 < fields.count ? Self.number(fields[$0]) : nil } ?? .nan)
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

  private static func number(_ text: String) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    return Array(trimmed.utf8).withUnsafeBufferPointer { FastFloat.parse($0) }
  }
}
