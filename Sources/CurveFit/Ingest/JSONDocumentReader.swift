import Foundation

/// Reads a JSON document (not JSON lines) holding an array of log records: Hugging Face
/// Trainer's `trainer_state.json` (`log_history`), a top-level array of objects, an object of
/// lists (a Keras history) or of metrics by name (Sacred's `metrics.json`).
///
/// The records become rows keyed like JSON lines, so column selection works the same way:
/// `loss` by `step` by default, `--loss-col eval_loss` for evaluation. The Trainer's final
/// summary record has `train_loss` (the average over the run) and no `loss`, so it is skipped
/// rather than mistaken for a step loss.
struct JSONDocumentReader {
  let selection: ColumnSelection

  /// Largest document read whole; trainer states are kilobytes to a few megabytes.
  static let maxBytes = 512 << 20

  /// Documents nested deeper than this are rejected before parsing, so no parser recursion can
  /// exhaust the stack on hostile input.
  static let maxDepth = 256

  func read(_ input: [UInt8], source: String) throws(IngestError) -> LossSeries {
    var depth = 0
    var inString = false
    var escaped = false
    // Python's json.dump writes NaN, Infinity and -Infinity (a trainer's grad_norm, a loss gone
    // to NaN), which JSON and JSONSerialization reject: outside strings they become the strings
    // "NaN", "Infinity", "-Infinity", read back as numbers below.
    var bytes = input
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      defer { index += 1 }
      if inString {
        if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
        continue
      }
      if let token = Self.nonFiniteToken(bytes, at: index) {
        bytes.replaceSubrange(index..<(index + token.count), with: Array("\"\(String(decoding: token, as: UTF8.self))\"".utf8))
        index += token.count + 1
        continue
      }
      switch byte {
      case UInt8(ascii: "\""): inString = true
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        depth += 1
        if depth > Self.maxDepth {
          throw .invalidJSON(SourceLocation(source: source, line: 1), reason: "nested deeper than \(Self.maxDepth) levels")
        }
      case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
      default: break
      }
    }
    // Each record is scanned on its own for its numbers: a parse tree of the whole document
    // (JSONSerialization) took 25 times its size (491 MB → 12 GB).
    let (records, kind) = try Self.records(bytes, source: source)
    let isState = kind == .trainerState
    var columns: [String] = []
    var seen = Set<String>()
    for record in records {
      for key in record.keys.sorted() where seen.insert(key).inserted {
        columns.append(key)
      }
    }
    let choice = try selection.resolve(columns: columns, source: source, heldOut: true)
    let lossKey = columns[choice.loss]
    if isState, lossKey == "train_loss", selection.lossColumn == nil,
      records.allSatisfy({ $0["train_loss"] == nil || $0["train_runtime"] != nil || $0["total_flos"] != nil }),
      let summary = records.last(where: { $0["train_loss"] != nil })
    {
      throw .summaryOnly(
        source: source, meanLoss: summary["train_loss"]!, steps: summary["step"] ?? Self.topLevelNumber(bytes, key: "global_step"),
        loggingSteps: Self.topLevelNumber(bytes, key: "logging_steps"), evaluated: columns.contains("eval_loss"))
    }
    let stepKey = choice.step.map { columns[$0] }
    let gradKey = choice.gradNorm.map { columns[$0] }
    let rateKey = choice.learningRate.map { columns[$0] }
    var steps: [Double] = []
    var losses: [Double] = []
    var grads: [Double] = []
    var rates: [Double] = []
    var skipped = 0
    for (index, record) in records.enumerated() {
      guard let loss = record[lossKey] else {
        skipped += 1
        continue
      }
      let step = stepKey.flatMap { record[$0] } ?? Double(index + 1)
      guard step.isFinite else { continue }
      steps.append(step)
      losses.append(loss)
      grads.append(gradKey.flatMap { record[$0] } ?? .nan)
      rates.append(rateKey.flatMap { record[$0] } ?? .nan)
    }
    guard !steps.isEmpty else { throw .noFiniteLoss(source: source, rows: records.count) }
    var carried = 0
    if let rateKey, let stepKey {
      let known = records.compactMap { record in record[stepKey].flatMap { step in record[rateKey].map { (step: step, rate: $0) } } }
      carried = RecordRates.fill(&rates, at: steps, known: known)
    }
    var origin = SeriesOrigin(
      source: source, format: "json (\(kind.rawValue))",
      stepColumn: stepKey, lossColumn: lossKey, columns: columns)
    origin.rowsRead = records.count
    origin.rowsWithoutLoss = skipped
    origin.gradNormColumn = gradKey
    origin.learningRateColumn = rateKey
    if carried > 0, let rateKey {
      origin.notes.append(RecordRates.note(loss: lossKey, rate: rateKey, filled: carried))
    }
    if !choice.siblingTerms.isEmpty {
      origin.notes.append(ColumnSelection.termsNote(lossKey, siblings: choice.siblingTerms.map { columns[$0] }))
    }
    if isState, let planned = Self.topLevelNumber(bytes, key: "max_steps"), planned > 0, planned.isFinite {
      origin.plannedSteps = PlannedSteps(steps: planned, key: "max_steps")
    }
    if let stepKey, stepKey != "epoch" {
      let paired = records.filter { $0[stepKey] != nil && $0["epoch"] != nil }
      origin.stepsPerEpoch = EpochLength.stepsPerEpoch(steps: paired.map { $0[stepKey]! }, epochs: paired.map { $0["epoch"]! })
    }
    return LossSeries(
      steps: steps, losses: losses, gradNorms: gradKey == nil ? nil : grads,
      learningRates: rateKey == nil ? nil : rates, origin: origin)
  }

  /// The numeric fields of each record: of `log_history` in a trainer state, or of a top-level
  /// array; `true` for a trainer state.
  /// What holds a document's records.
  enum Kind: String {
    case trainerState = "trainer_state"
    case array
    /// An object of equal lists, a record per index: Keras's `history.history` dumped as JSON,
    /// pandas' `to_dict(orient="list")`, or of objects keyed by row number (pandas' `to_json()`).
    case columns = "lists by column"
    /// An object of metrics, each its steps and values: Sacred's `metrics.json`
    /// (`{"loss": {"steps": […], "values": […], "timestamps": […]}, …}`), a record per step.
    case metrics = "metrics by name"
  }

  /// Documents read as an object of lists are parsed whole (JSONSerialization, about 25 times
  /// their size): only up to this size. A Keras history of a thousand epochs is 100 KB.
  static let maxColumnsBytes = 16 << 20

  static func records(_ bytes: [UInt8], source: String) throws(IngestError) -> ([[String: Double]], Kind) {
    let invalid = { (reason: String) -> IngestError in .invalidJSON(SourceLocation(source: source, line: 1), reason: reason) }
    var i = skipSpace(bytes, 0)
    guard i < bytes.count else { throw invalid("not a JSON document or JSON lines") }
    if bytes[i] == UInt8(ascii: "[") { return (try elements(bytes, from: i, source: source), .array) }
    guard bytes[i] == UInt8(ascii: "{") else { throw invalid("not a JSON document or JSON lines") }
    // The top-level key "log_history", found by walking the document at depth 1.
    let wanted = Array("log_history".utf8)
    var depth = 0
    // The top-level keys seen, to say what the document is when it is not a log.
    var keys: [String] = []
    while i < bytes.count {
      let byte = bytes[i]
      if byte == UInt8(ascii: "\"") {
        let end = try stringEnd(bytes, from: i, source: source)
        if depth == 1, keys.count < 7, case let after = skipSpace(bytes, end + 1), after < bytes.count,
          bytes[after] == UInt8(ascii: ":")
        {
          keys.append(String(decoding: bytes[(i + 1)..<end], as: UTF8.self))
        }
        if depth == 1, bytes[(i + 1)..<end].elementsEqual(wanted) {
          var j = skipSpace(bytes, end + 1)
          guard j < bytes.count, bytes[j] == UInt8(ascii: ":") else { throw invalid("expected ':' after \"log_history\"") }
          j = skipSpace(bytes, j + 1)
          guard j < bytes.count, bytes[j] == UInt8(ascii: "[") else { throw invalid("expected log_history to be an array of records") }
          return (try elements(bytes, from: j, source: source), .trainerState)
        }
        i = end + 1
        continue
      }
      if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
      if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
      i += 1
    }
    guard depth == 0 else { throw invalid("the document ends inside an object or array") }
    if bytes.count <= maxColumnsBytes, let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] {
      if let rows = metricRecords(object) { return (rows, .metrics) }
      if let rows = columnRecords(object) { return (rows, .columns) }
    }
    throw .notALogDocument(source: source, keys: keys)
  }

  /// A record per step of an object whose values hold `steps` and `values` lists of one length
  /// (Sacred's metrics), the step under `step`; nil when no value has that shape. Metrics of
  /// other shapes are left out.
  private static func metricRecords(_ object: [String: Any]) -> [[String: Double]]? {
    var byStep: [Double: [String: Double]] = [:]
    var found = false
    for (key, value) in object {
      guard let metric = value as? [String: Any], let steps = metric["steps"] as? [Any], let values = metric["values"] as? [Any],
        steps.count == values.count, !steps.isEmpty
      else { continue }
      found = true
      for (step, value) in zip(steps, values) {
        guard let step = (step as? NSNumber)?.doubleValue, step.isFinite else { continue }
        let reading = value is NSNull ? Double.nan : (value as? NSNumber)?.doubleValue ?? (value as? String).flatMap(number)
        guard let reading else { continue }
        byStep[step, default: ["step": step]][key] = reading
      }
    }
    guard found, !byStep.isEmpty else { return nil }
    return byStep.keys.sorted().map { byStep[$0]! }
  }

  /// The values of an object keyed by row number (`{"0": 2.2, "1": 1.8}`, pandas' default
  /// `to_json()`) in the order of those numbers; nil for any other value.
  private static func indexed(_ value: Any?) -> [Any]? {
    guard let object = value as? [String: Any], !object.isEmpty else { return nil }
    var rows: [(Int, Any)] = []
    for (key, item) in object {
      guard let index = Int(key), index >= 0 else { return nil }
      rows.append((index, item))
    }
    return rows.sorted { $0.0 < $1.0 }.map(\.1)
  }

  /// The records of an object whose values are lists of numbers (`{"loss": [2.2, 1.8, …],
  /// "val_loss": […]}`), one per index; nil for any other object. Lists of text (a pandas column
  /// of names) are left out; `null` and the quoted non-finite tokens are NaN.
  private static func columnRecords(_ object: [String: Any]) -> [[String: Double]]? {
    var columns: [(String, [Double])] = []
    for key in object.keys.sorted() {
      guard let list = object[key] as? [Any] ?? indexed(object[key]) else { return nil }
      let values = list.map { item -> Double? in
        if item is NSNull { return .nan }
        if let text = item as? String { return number(text) }
        if let number = item as? NSNumber { return number.doubleValue }
        return nil
      }
      guard values.allSatisfy({ $0 != nil }) else { continue }
      columns.append((key, values.map { $0! }))
    }
    guard let longest = columns.map(\.1.count).max(), longest > 0 else { return nil }
    return (0..<longest).map { index in
      var record: [String: Double] = [:]
      for (key, values) in columns where index < values.count { record[key] = values[index] }
      return record
    }
  }

  /// The objects of the array opening at `open`, each scanned for its numbers.
  private static func elements(_ bytes: [UInt8], from open: Int, source: String) throws(IngestError) -> [[String: Double]] {
    let invalid = { (reason: String) -> IngestError in .invalidJSON(SourceLocation(source: source, line: 1), reason: reason) }
    var records: [[String: Double]] = []
    var scanner = JSONLineScanner()
    var i = skipSpace(bytes, open + 1)
    if i < bytes.count, bytes[i] == UInt8(ascii: "]") { return [] }
    while i < bytes.count {
      guard bytes[i] == UInt8(ascii: "{") else { throw invalid("expected an array of records") }
      let end = try objectEnd(bytes, from: i, source: source)
      var record: [String: Double] = [:]
      let failure: JSONScanError? = bytes.withUnsafeBufferPointer { buffer in
        let object = UnsafeBufferPointer(rebasing: buffer[i..<end])
        do throws(JSONScanError) {
          try scanner.scan(object) { path, leaf in
            let value: Double?
            switch leaf {
            case .number(let range):
              // A number last in a pretty-printed record runs up to the newline before its `}`.
              var upper = range.upperBound
              while upper > range.lowerBound, [0x20, 0x09, 0x0A, 0x0D].contains(object[upper - 1]) { upper -= 1 }
              value = FastFloat.parse(UnsafeBufferPointer(rebasing: object[range.lowerBound..<upper]))
            case .string(let range): value = number(String(decoding: object[range], as: UTF8.self))
            case .null, .boolean: value = nil
            }
            if let value { record[String(decoding: path, as: UTF8.self)] = value }
          }
          return nil
        } catch {
          return error
        }
      }
      if let failure { throw invalid(failure.reason) }
      records.append(record)
      i = skipSpace(bytes, end)
      guard i < bytes.count else { break }
      if bytes[i] == UInt8(ascii: "]") { return records }
      guard bytes[i] == UInt8(ascii: ",") else { throw invalid("expected ',' or ']' between records") }
      i = skipSpace(bytes, i + 1)
    }
    throw invalid("the array of records is not closed")
  }

  /// The index just past the object opening at `start` (strings and nesting respected).
  private static func objectEnd(_ bytes: [UInt8], from start: Int, source: String) throws(IngestError) -> Int {
    var depth = 0
    var i = start
    while i < bytes.count {
      switch bytes[i] {
      case UInt8(ascii: "\""): i = try stringEnd(bytes, from: i, source: source)
      case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        depth -= 1
        if depth == 0 { return i + 1 }
      default: break
      }
      i += 1
    }
    throw .invalidJSON(SourceLocation(source: source, line: 1), reason: "a record is not closed")
  }

  /// The number under `key` in the top-level object (a trainer state's `max_steps`), or `nil`.
  static func topLevelNumber(_ bytes: [UInt8], key: String) -> Double? {
    let wanted = Array(key.utf8)
    var depth = 0
    var i = 0
    while i < bytes.count {
      let byte = bytes[i]
      if byte == UInt8(ascii: "\"") {
        guard let end = try? stringEnd(bytes, from: i, source: "") else { return nil }
        if depth == 1, bytes[(i + 1)..<end].elementsEqual(wanted) {
          var j = skipSpace(bytes, end + 1)
          guard j < bytes.count, bytes[j] == UInt8(ascii: ":") else { return nil }
          j = skipSpace(bytes, j + 1)
          var k = j
          while k < bytes.count, k - j < 32, bytes[k] == UInt8(ascii: "-") || bytes[k] == UInt8(ascii: ".")
            || bytes[k] == UInt8(ascii: "e") || bytes[k] == UInt8(ascii: "E") || bytes[k] == UInt8(ascii: "+")
            || (bytes[k] >= UInt8(ascii: "0") && bytes[k] <= UInt8(ascii: "9"))
          {
            k += 1
          }
          return Double(String(decoding: bytes[j..<k], as: UTF8.self))
        }
        i = end + 1
        continue
      }
      if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
      if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
      i += 1
    }
    return nil
  }

  /// The index of the closing quote of the string opening at `start`.
  private static func stringEnd(_ bytes: [UInt8], from start: Int, source: String) throws(IngestError) -> Int {
    var i = start + 1
    while i < bytes.count {
      if bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
      if bytes[i] == UInt8(ascii: "\"") { return i }
      i += 1
    }
    throw .invalidJSON(SourceLocation(source: source, line: 1), reason: "a string is not closed")
  }

  private static func skipSpace(_ bytes: [UInt8], _ start: Int) -> Int {
    var i = start
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    return i
  }

  /// One of the non-finite tokens rewritten as strings above.
  static func number(_ text: String) -> Double? {
    switch text {
    case "NaN": return .nan
    case "Infinity": return .infinity
    case "-Infinity": return -.infinity
    default: return nil
    }
  }

  private static let tokens: [[UInt8]] = ["-Infinity", "Infinity", "NaN"].map { Array($0.utf8) }

  /// The bare `NaN`, `Infinity` or `-Infinity` starting at `index`, if one does.
  private static func nonFiniteToken(_ bytes: [UInt8], at index: Int) -> [UInt8]? {
    let byte = bytes[index]
    guard byte == UInt8(ascii: "N") || byte == UInt8(ascii: "I") || byte == UInt8(ascii: "-") else { return nil }
    for token in tokens where bytes.count - index >= token.count && bytes[index..<(index + token.count)].elementsEqual(token) {
      return token
    }
    return nil
  }
}
