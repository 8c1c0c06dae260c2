import Foundation

/// Reads a JSON document (not JSON lines) holding an array of log records: Hugging Face
/// Trainer's `trainer_state.json` (`log_history`), or a top-level array of objects.
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
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    } catch {
      throw .invalidJSON(SourceLocation(source: source, line: 1), reason: "not a JSON document or JSON lines")
    }
    let records: [[String: Any]]
    if let document = object as? [String: Any], let history = document["log_history"] as? [[String: Any]] {
      records = history
    } else if let array = object as? [[String: Any]] {
      records = array
    } else {
      throw .invalidJSON(SourceLocation(source: source, line: 1), reason: "expected log_history or an array of records")
    }
    var columns: [String] = []
    var seen = Set<String>()
    for record in records {
      for key in record.keys.sorted() where Self.number(record[key]) != nil && seen.insert(key).inserted {
        columns.append(key)
      }
    }
    let choice = try selection.resolve(columns: columns, source: source)
    let lossKey = columns[choice.loss]
    let stepKey = choice.step.map { columns[$0] }
    let gradKey = choice.gradNorm.map { columns[$0] }
    let rateKey = choice.learningRate.map { columns[$0] }
    var steps: [Double] = []
    var losses: [Double] = []
    var grads: [Double] = []
    var rates: [Double] = []
    var skipped = 0
    for (index, record) in records.enumerated() {
      guard let loss = Self.number(record[lossKey]) else {
        skipped += 1
        continue
      }
      let step = stepKey.flatMap { Self.number(record[$0]) } ?? Double(index + 1)
      guard step.isFinite else { continue }
      steps.append(step)
      losses.append(loss)
      grads.append(gradKey.flatMap { Self.number(record[$0]) } ?? .nan)
      rates.append(rateKey.flatMap { Self.number(record[$0]) } ?? .nan)
    }
    guard !steps.isEmpty else { throw .noFiniteLoss(source: source, rows: records.count) }
    var origin = SeriesOrigin(
      source: source, format: "json (\(object is [String: Any] ? "trainer_state" : "array"))",
      stepColumn: stepKey, lossColumn: lossKey, columns: columns)
    origin.rowsRead = records.count
    origin.rowsWithoutLoss = skipped
    origin.gradNormColumn = gradKey
    origin.learningRateColumn = rateKey
    return LossSeries(
      steps: steps, losses: losses, gradNorms: gradKey == nil ? nil : grads,
      learningRates: rateKey == nil ? nil : rates, origin: origin)
  }

  /// A number, or one of the non-finite tokens rewritten as strings above.
  static func number(_ value: Any?) -> Double? {
    if let number = value as? NSNumber { return number.doubleValue }
    switch value as? String {
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
