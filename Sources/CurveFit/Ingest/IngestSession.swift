#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The state of one ingest pass: format sniffing, column choice, then row parsing.
///
/// JSON lines have no header, so the first lines (up to `discoveryLines` or `discoveryBytes`) are
/// held back until their keys decide the columns, then parsed like the rest.
final class IngestSession {
  static let discoveryLines = 1_000
  static let discoveryBytes = 1 << 20

  let source: String
  let selection: ColumnSelection
  private var format: LogFormat?
  private var columns: [String] = []
  private var resolved: ColumnSelection.Resolved?
  private var delimited = DelimitedReader(delimiter: UInt8(ascii: ","))
  private var scanner = JSONLineScanner()
  private var pending: [(bytes: [UInt8], number: Int)] = []
  /// JSON keys seen so far, in order, while the columns are not resolved yet.
  private var discovered: [String] = []
  private var discoveredSet = Set<String>()
  /// No loss key in the first lines (a log whose first records carry only the lr): every later
  /// line is scanned for one, without being held.
  private var searching = false
  private var pendingBytes = 0
  /// Owns the bytes `keys` points into; shared with workers.
  private var keyStorage: JSONKeys?
  private var keys = (
    loss: UnsafeBufferPointer<UInt8>(start: nil, count: 0), step: UnsafeBufferPointer<UInt8>(start: nil, count: 0),
    gradNorm: UnsafeBufferPointer<UInt8>(start: nil, count: 0),
    learningRate: UnsafeBufferPointer<UInt8>(start: nil, count: 0))

  private var kept = KeptColumns()
  /// The hot loop for plain CSV and TSV rows, once the columns are known.
  private var rowParser: DelimitedRowParser?
  private var dataRows = 0
  private var rowsWithoutLoss = 0
  /// The run's length as a JSON line's own key states it (LLaMA-Factory's `total_steps`,
  /// ms-swift's `"global_step/max_steps": "N/M"`), from the lines held to find the columns.
  private var planned: PlannedSteps?

  init(source: String, selection: ColumnSelection) {
    self.source = source
    self.selection = selection
  }

  // MARK: - Parallel workers

  var resolvedColumns: ColumnSelection.Resolved? { resolved }
  var heldLines: Int { pending.count }
  var rowCount: Int { dataRows }

  func adopt(configurationOf other: IngestSession) {
    (format, columns, resolved, delimited) = (other.format, other.columns, other.resolved, other.delimited)
    rowParser = other.rowParser
    (keyStorage, keys) = (other.keyStorage, other.keys)
    planned = other.planned
  }

  func reserve(_ rows: Int) {
    kept.reserve(rows, gradNorms: resolved?.gradNorm != nil, learningRates: resolved?.learningRate != nil)
  }

  func appendRows(of other: IngestSession, rowOffset: Int) {
    kept.append(&other.kept, stepOffset: resolved?.step == nil ? Double(rowOffset) : 0)
    dataRows += other.dataRows
    rowsWithoutLoss += other.rowsWithoutLoss
  }

  func consume(_ line: UnsafeBufferPointer<UInt8>, number: Int) throws(IngestError) {
    if isBlank(line) { return }
    guard let format else {
      try begin(with: line, number: number)
      return
    }
    switch format {
    case .csv, .tsv:
      try parseDelimitedRow(line, number: number)
    case .jsonl:
      if resolved != nil {
        try parseJSONRow(line, number: number)
      } else {
        pending.append((Array(line), number))
        pendingBytes += line.count
        if searching || pending.count >= Self.discoveryLines || pendingBytes >= Self.discoveryBytes {
          try resolveJSONColumns()
        }
      }
    }
  }

  /// Consumes a block of whole lines (see `LineReader.forEachBlock`), the first numbered
  /// `firstLine`; returns how many lines it held. Plain CSV and TSV rows take the fast loop,
  /// every other line `consume(_:number:)`.
  func consume(block: UnsafeBufferPointer<UInt8>, firstLine: Int) throws(IngestError) -> Int {
    guard let base = block.baseAddress else { return 0 }
    var offset = 0
    var lines = 0
    while offset < block.count {
      if let rowParser, resolved != nil {
        let taken = rowParser.parseRows(block, from: offset, rowsBefore: dataRows, into: &kept)
        dataRows += taken.rows
        lines += taken.rows
        offset = taken.end
        guard offset < block.count else { break }
      }
      let newline = memchr(base + offset, 0x0A, block.count - offset)
      let lineEnd = newline.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? block.count
      var contentEnd = lineEnd
      if contentEnd > offset, base[contentEnd - 1] == 0x0D { contentEnd -= 1 }
      try consume(UnsafeBufferPointer(start: base + offset, count: contentEnd - offset), number: firstLine + lines)
      lines += 1
      offset = lineEnd + 1
    }
    return lines
  }

  func finish() throws(IngestError) -> LossSeries {
    guard let format else { throw .empty(source: source) }
    if format == .jsonl, resolved == nil { try resolveJSONColumns(final: true) }
    guard let resolved else { throw .empty(source: source) }
    if format != .jsonl, dataRows == 0 { throw .headerOnly(source: source) }
    var origin = SeriesOrigin(
      source: source, format: format.rawValue,
      stepColumn: resolved.step.map { columns[$0] }, lossColumn: columns[resolved.loss],
      columns: columns)
    origin.rowsRead = dataRows
    origin.rowsWithoutLoss = rowsWithoutLoss
    guard !kept.steps.isEmpty else { throw .noFiniteLoss(source: source, rows: dataRows) }
    origin.gradNormColumn = resolved.gradNorm.map { columns[$0] }
    origin.learningRateColumn = resolved.learningRate.map { columns[$0] }
    origin.plannedSteps = planned
    if !resolved.siblingTerms.isEmpty {
      origin.notes.append(ColumnSelection.termsNote(columns[resolved.loss], siblings: resolved.siblingTerms.map { columns[$0] }))
    }
    let rows = kept.steps.count
    // An epoch column read as the step must count the rows: one that repeats (a row per batch
    // with its epoch beside it) would merge each epoch's rows into one point.
    if origin.stepColumn?.lowercased() == "epoch", zip(kept.steps.dropFirst(), kept.steps).contains(where: { $0 <= $1 }) {
      kept.steps = (1...rows).map(Double.init)
      origin.notes.append("the epoch column repeats from row to row: steps are the rows in order")
      origin.stepColumn = nil
    }
    if kept.learningRates.count == rows, let rateColumn = origin.learningRateColumn {
      let filled = RecordRates.fill(&kept.learningRates, at: kept.steps, known: kept.ratesWithoutLoss)
      if filled > 0 { origin.notes.append(RecordRates.note(loss: columns[resolved.loss], rate: rateColumn, filled: filled)) }
    }
    return LossSeries(
      steps: kept.steps, losses: kept.losses, gradNorms: kept.gradNorms.count == rows ? kept.gradNorms : nil,
      learningRates: kept.learningRates.count == rows ? kept.learningRates : nil, origin: origin)
  }

  // MARK: - First line

  private func begin(with whole: UnsafeBufferPointer<UInt8>, number: Int) throws(IngestError) {
    // Editors on Windows and some exporters start the file with a UTF-8 byte-order mark.
    let line = whole.starts(with: [0xEF, 0xBB, 0xBF]) ? UnsafeBufferPointer(rebasing: whole[3...]) : whole
    if looksBinary(line) { throw .binary(source: source) }
    let detected = LogFormat.detect(firstLine: line)
    format = detected
    switch detected {
    case .csv, .tsv:
      delimited = DelimitedReader(delimiter: detected == .tsv ? 0x09 : UInt8(ascii: ","))
      columns = delimited.headerNames(line)
      let choice = try selection.resolve(columns: columns, source: source, heldOut: true)
      resolved = choice
      rowParser = DelimitedRowParser(delimiter: delimited.delimiter, columns: choice)
    case .jsonl:
      pending.append((Array(line), number))
      pendingBytes = line.count
    }
  }

  // MARK: - CSV and TSV rows

  private func parseDelimitedRow(
    _ line: UnsafeBufferPointer<UInt8>, number: Int
  ) throws(IngestError) {
    guard let resolved else { return }
    dataRows += 1
    let found = delimited.locate(
      resolved.step, resolved.loss, resolved.gradNorm, resolved.learningRate, in: line)
    guard let lossRange = found.second else {
      throw .tooFewFields(location(number), found: found.fieldsSeen, expected: resolved.loss + 1)
    }
    let lossCell = UnsafeBufferPointer(rebasing: line[lossRange])
    if isBlank(lossCell) || isNoLog(lossCell) {
      rowsWithoutLoss += 1
      if let rateRange = found.fourth, let rate = FastFloat.parse(UnsafeBufferPointer(rebasing: line[rateRange])) {
        let step = resolved.step == nil ? Double(dataRows) : found.first.flatMap { range in
          try? parseStep(UnsafeBufferPointer(rebasing: line[range]), number: number)
        }
        if let step { kept.ratesWithoutLoss.append((step, rate)) }
      }
      return
    }
    guard let loss = FastFloat.parse(lossCell) ?? WrappedNumber.value(lossCell) else {
      throw .badNumber(location(number), column: columns[resolved.loss], text: text(lossCell))
    }
    let step: Double
    if let stepIndex = resolved.step {
      guard let stepRange = found.first else {
        throw .tooFewFields(location(number), found: found.fieldsSeen, expected: stepIndex + 1)
      }
      step = try parseStep(UnsafeBufferPointer(rebasing: line[stepRange]), number: number)
    } else {
      step = Double(dataRows)
    }
    kept.steps.append(step)
    kept.losses.append(loss)
    if resolved.gradNorm != nil {
      // A missing or unreadable gradient norm is no reason to reject a loss: it is only a hint.
      kept.gradNorms.append(found.third.flatMap { FastFloat.parse(UnsafeBufferPointer(rebasing: line[$0])) } ?? .nan)
    }
    if resolved.learningRate != nil {
      kept.learningRates.append(found.fourth.flatMap { FastFloat.parse(UnsafeBufferPointer(rebasing: line[$0])) } ?? .nan)
    }
  }

  /// The planned length a JSON leaf states, when its key is one trainers write it under.
  private static func plannedLength(
    _ name: String, _ leaf: JSONLineScanner.Leaf, in line: UnsafeBufferPointer<UInt8>
  ) -> PlannedSteps? {
    switch (name, leaf) {
    case ("total_steps", .number(let range)), ("max_steps", .number(let range)):
      guard let steps = FastFloat.parse(UnsafeBufferPointer(rebasing: line[range])), steps.isFinite, steps > 0 else { return nil }
      return PlannedSteps(steps: steps, key: name)
    case ("global_step/max_steps", .string(let range)):
      guard let steps = stepOfCount(UnsafeBufferPointer(rebasing: line[range]))?.of, steps > 0 else { return nil }
      return PlannedSteps(steps: steps, key: name)
    default:
      return nil
    }
  }

  /// A whole number with thousands separators (`1,000`, `"12,500"`: a spreadsheet's formatted
  /// step column), or nil.
  static func groupedCount(_ cell: UnsafeBufferPointer<UInt8>) -> Double? {
    var bytes = cell[...]
    while let first = bytes.first, first == UInt8(ascii: "\"") || first == 0x20 { bytes = bytes.dropFirst() }
    while let last = bytes.last, last == UInt8(ascii: "\"") || last == 0x20 || last == 0x0D { bytes = bytes.dropLast() }
    let groups = bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
    guard groups.count >= 2, (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }),
      groups.allSatisfy({ $0.allSatisfy { (0x30...0x39).contains($0) } })
    else { return nil }
    return groups.joined().reduce(0.0) { $0 * 10 + Double($1 - 0x30) }
  }

  /// `N/M` (ms-swift's `global_step/max_steps`, a count of steps done out of planned): N and M.
  static func stepOfCount(_ cell: UnsafeBufferPointer<UInt8>) -> (step: Double, of: Double)? {
    guard let slash = cell.firstIndex(of: UInt8(ascii: "/")),
      let step = FastFloat.parse(UnsafeBufferPointer(rebasing: cell[..<slash])),
      let of = FastFloat.parse(UnsafeBufferPointer(rebasing: cell[(slash + 1)...])),
      step.isFinite, of.isFinite
    else { return nil }
    return (step, of)
  }

  private func parseStep(
    _ cell: UnsafeBufferPointer<UInt8>, number: Int
  ) throws(IngestError) -> Double {
    // The column name is only looked up on the error paths: this runs once per row.
    if let step = FastFloat.parse(cell), step.isFinite { return step }
    if let count = Self.stepOfCount(cell) { return count.step }
    if let step = WrappedNumber.value(cell), step.isFinite { return step }
    if let step = Self.groupedCount(cell) { return step }
    let name = resolved?.step.map { columns[$0] } ?? "step"
    if isBlank(cell) { throw .missingStep(location(number), column: name) }
    guard FastFloat.parse(cell) != nil else {
      throw .badNumber(location(number), column: name, text: text(cell))
    }
    throw .nonFiniteStep(location(number), column: name, text: text(cell))
  }

  // MARK: - JSON lines

  private func resolveJSONColumns(final: Bool = false) throws(IngestError) {
    var seen = discovered
    var known = discoveredSet
    for entry in pending {
      try entry.bytes.withUnsafeBufferPointer { (line) throws(IngestError) in
        do throws(JSONScanError) {
          try scanner.scan(line) { path, leaf in
            if case .boolean = leaf { return }
            let name = String(decoding: path, as: UTF8.self)
            if known.insert(name).inserted { seen.append(name) }
            if planned == nil { planned = Self.plannedLength(name, leaf, in: line) }
          }
        } catch {
          throw .invalidJSON(location(entry.number), reason: error.reason)
        }
      }
    }
    columns = seen
    (discovered, discoveredSet) = (seen, known)
    let choice: ColumnSelection.Resolved
    do throws(IngestError) {
      choice = try selection.resolve(columns: columns, source: source)
    } catch {
      guard case .noLossColumn = error, !final, selection.lossColumn == nil else { throw error }
      // The held lines have no loss key: rows without a loss, counted and let go.
      dataRows += pending.count
      rowsWithoutLoss += pending.count
      pending = []
      pendingBytes = 0
      searching = true
      return
    }
    resolved = choice
    let storage = JSONKeys(
      loss: columns[choice.loss], step: choice.step.map { columns[$0] },
      gradNorm: choice.gradNorm.map { columns[$0] }, learningRate: choice.learningRate.map { columns[$0] })
    keyStorage = storage
    keys = (storage.loss, storage.step, storage.gradNorm, storage.learningRate)
    let held = pending
    pending = []
    for entry in held {
      try entry.bytes.withUnsafeBufferPointer { (line) throws(IngestError) in
        try parseJSONRow(line, number: entry.number)
      }
    }
  }

  private func parseJSONRow(_ line: UnsafeBufferPointer<UInt8>, number: Int) throws(IngestError) {
    dataRows += 1
    var lossLeaf: JSONLineScanner.Leaf?
    var stepLeaf: JSONLineScanner.Leaf?
    var gradLeaf: JSONLineScanner.Leaf?
    var lrLeaf: JSONLineScanner.Leaf?
    let keys = self.keys
    let wantsStep = !keys.step.isEmpty
    let wantsGrad = !keys.gradNorm.isEmpty
    let wantsRate = !keys.learningRate.isEmpty
    var failure: JSONScanError?
    do throws(JSONScanError) {
      try scanner.scan(line) { path, leaf in
        if Self.same(path, keys.loss) {
          lossLeaf = leaf
        } else if wantsStep, Self.same(path, keys.step) {
          stepLeaf = leaf
        } else if wantsGrad, Self.same(path, keys.gradNorm) {
          gradLeaf = leaf
        } else if wantsRate, Self.same(path, keys.learningRate) {
          lrLeaf = leaf
        }
      }
    } catch {
      failure = error
    }
    if let failure { throw .invalidJSON(location(number), reason: failure.reason) }
    guard let lossLeaf else {
      rowsWithoutLoss += 1
      if case .number(let rateRange)? = lrLeaf, let rate = FastFloat.parse(UnsafeBufferPointer(rebasing: line[rateRange])) {
        var step: Double? = wantsStep ? nil : Double(dataRows)
        if case .number(let range)? = stepLeaf { step = try? parseStep(UnsafeBufferPointer(rebasing: line[range]), number: number) }
        if let step { kept.ratesWithoutLoss.append((step, rate)) }
      }
      return
    }
    // Key names are spelt out only for messages.
    var lossName: String { String(decoding: keys.loss, as: UTF8.self) }
    var stepName: String { String(decoding: keys.step, as: UTF8.self) }
    let loss: Double
    switch lossLeaf {
    case .null: loss = .nan
    case .boolean:
      throw .badNumber(location(number), column: lossName, text: "true/false")
    case .number(let range), .string(let range):
      let cell = UnsafeBufferPointer(rebasing: line[range])
      guard let value = FastFloat.parse(cell) ?? WrappedNumber.value(cell) else {
        throw .badNumber(location(number), column: lossName, text: text(cell))
      }
      loss = value
    }
    let step: Double
    if wantsStep {
      switch stepLeaf {
      case .none, .null:
        throw .missingStep(location(number), column: stepName)
      case .boolean:
        throw .badNumber(location(number), column: stepName, text: "true/false")
      case .number(let range), .string(let range):
        step = try parseStep(UnsafeBufferPointer(rebasing: line[range]), number: number)
      }
    } else {
      step = Double(dataRows)
    }
    kept.steps.append(step)
    kept.losses.append(loss)
    if wantsGrad {
      var grad = Double.nan
      switch gradLeaf {
      case .number(let range)?, .string(let range)?:
        grad = FastFloat.parse(UnsafeBufferPointer(rebasing: line[range])) ?? .nan
      default: break
      }
      kept.gradNorms.append(grad)
    }
    if wantsRate {
      var rate = Double.nan
      switch lrLeaf {
      case .number(let range)?, .string(let range)?:
        rate = FastFloat.parse(UnsafeBufferPointer(rebasing: line[range])) ?? .nan
      default: break  // fairseq's JSON writes every value as a string
      }
      kept.learningRates.append(rate)
    }
  }

  // MARK: - Helpers

  @inline(__always)
  private static func same(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    guard let pa = a.baseAddress, let pb = b.baseAddress else { return a.count == 0 }
    return memcmp(pa, pb, a.count) == 0
  }

  private func location(_ line: Int) -> SourceLocation {
    SourceLocation(source: source, line: line)
  }

  private func text(_ cell: UnsafeBufferPointer<UInt8>) -> String {
    String(decoding: cell.prefix(64), as: UTF8.self)
  }

  private func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
  }

  /// The Hugging Face Trainer's notebook table writes `No log` for an epoch or evaluation step
  /// before the first training loss was logged: a row without a loss, not a bad number.
  private func isNoLog(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let word = Array("no log".utf8)
    let trimmed = bytes.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x22 }.reversed().drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x22 }.reversed()
    return trimmed.count == word.count && zip(trimmed, word).allSatisfy { $0 | 0x20 == $1 | 0x20 }
  }

  /// NUL bytes or a high share of control characters mean this is not a text log.
  private func looksBinary(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    var control = 0
    for byte in line.prefix(4096) {
      if byte == 0 { return true }
      if byte < 0x20 && byte != 0x09 { control += 1 }
    }
    return control * 10 > min(line.count, 4096)
  }
}
