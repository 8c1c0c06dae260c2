import Foundation

/// Console logs that print each logging step as a block: a header line with the step and the
/// run's length, then one indented `name: value` (or `name=value`) line per metric.
///
///     [batch=120/4800]:                          (MosaicML Composer, llm-foundry)
///     	 Train loss/train/total: 2.8125
///     	 Train lr-DecoupledAdamW/group0: 0.0006
///
///     [olmo.train:816, rank=0] [step=120/739328]  (OLMo)
///         train/CrossEntropyLoss=2.81
///         optim/learning_rate_group0=0.0004
///
/// Each block becomes one JSON line at its header's line (other lines blank, so errors keep the
/// file's line numbers) with the header's step as `"step"`; the loss and rate are then picked by
/// name as in any table. Lines of any other shape end a block (an eval header, a banner).
struct RecordBlocks {
  private var lines: [[UInt8]] = []
  private var open: (line: Int, step: Double, fields: [(String, Double)])?
  private(set) var total: Double?
  private(set) var headerKey = "step=N/T"

  private static let header = try? NSRegularExpression(pattern: #"\[(batch|step)=(\d+)/(\d+)\]:?\s*$"#)
  private static let field = try? NSRegularExpression(
    pattern: #"^[ \t]+([^:=\s][^:=]*?)\s*[:=]\s*([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|NaN|inf|-inf))\s*$"#)

  /// Whether `lines` (a head) hold at least two block headers, each followed by a metric line.
  static func dominate(_ lines: [String]) -> Bool {
    var headers = 0
    for (index, line) in lines.enumerated() where index + 1 < lines.count && headerMatch(line) != nil {
      if fieldMatch(lines[index + 1]) != nil { headers += 1 }
    }
    return headers >= min(2, max(1, lines.count / 4))
  }

  /// Takes one input line; returns the bytes of JSON it completed.
  @discardableResult
  mutating func add(_ line: UnsafeBufferPointer<UInt8>) -> Int {
    // Blocks are short lines; a long one (a progress bar) only ends the block.
    let text = line.count <= TextLogPattern.maximumMatchLength ? String(decoding: line, as: UTF8.self) : ""
    lines.append([])
    if open != nil, let (name, value) = Self.fieldMatch(text) {
      open?.fields.append((name, value))
      return 0
    }
    let written = close()
    if let (kind, step, total) = Self.headerMatch(text) {
      if self.total == nil {
        self.total = total
        headerKey = "\(kind)=N/T"
      }
      open = (lines.count - 1, step, [])
    }
    return written
  }

  /// Ends the last block; the JSON lines.
  mutating func json() -> [UInt8] {
    _ = close()
    var bytes: [UInt8] = []
    for line in lines {
      bytes += line
      bytes.append(0x0A)
    }
    return bytes
  }

  var plannedSteps: PlannedSteps? { total.map { PlannedSteps(steps: $0, key: headerKey) } }

  private mutating func close() -> Int {
    guard let block = open else { return 0 }
    open = nil
    guard !block.fields.isEmpty else { return 0 }
    var object = "{\"step\": \(Self.number(block.step))"
    for (name, value) in block.fields {
      let key = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      object += ", \"\(key)\": \(Self.number(value))"
    }
    object += "}"
    lines[block.line] = Array(object.utf8)
    return object.utf8.count
  }

  private static func number(_ value: Double) -> String {
    value.isNaN ? "NaN" : value.isInfinite ? (value > 0 ? "Infinity" : "-Infinity") : "\(value)"
  }

  private static func headerMatch(_ line: String) -> (String, Double, Double)? {
    let range = NSRange(line.startIndex..., in: line)
    guard let found = header?.firstMatch(in: line, range: range),
      let kind = Range(found.range(at: 1), in: line), let step = Range(found.range(at: 2), in: line),
      let total = Range(found.range(at: 3), in: line), let n = Double(line[step]), let t = Double(line[total])
    else { return nil }
    return (String(line[kind]), n, t)
  }

  private static func fieldMatch(_ line: String) -> (String, Double)? {
    let range = NSRange(line.startIndex..., in: line)
    guard let found = field?.firstMatch(in: line, range: range),
      let name = Range(found.range(at: 1), in: line), let value = Range(found.range(at: 2), in: line)
    else { return nil }
    let text = line[value]
    let number = Double(text) ?? (text.lowercased() == "nan" ? .nan : text.hasPrefix("-") ? -.infinity : .infinity)
    return (String(line[name]), number)
  }
}
