/// Builds JSON text with keys in the order written, numbers as JSON numbers, and non-finite
/// numbers as `null`, so output is deterministic and always valid.
struct JSONWriter {
  indirect enum Value {
    case number(Double)
    case integer(Int)
    case string(String)
    case bool(Bool)
    case null
    case array([Value])
    case object([(String, Value)])
  }

  /// Pretty-printed with two-space indentation and a trailing newline.
  static func render(_ value: Value) -> String {
    var out = ""
    write(value, indent: 0, into: &out)
    out.append("\n")
    return out
  }

  private static func write(_ value: Value, indent: Int, into out: inout String) {
    switch value {
    case .number(let number): out.append(format(number))
    case .integer(let integer): out.append(String(integer))
    case .string(let string): out.append(escape(string))
    case .bool(let flag): out.append(flag ? "true" : "false")
    case .null: out.append("null")
    case .array(let items):
      if items.isEmpty { out.append("[]"); return }
      if items.allSatisfy(isScalar) {
        out.append("[")
        for (index, item) in items.enumerated() {
          if index > 0 { out.append(", ") }
          write(item, indent: indent, into: &out)
        }
        out.append("]")
        return
      }
      out.append("[\n")
      for (index, item) in items.enumerated() {
        out.append(String(repeating: " ", count: indent + 2))
        write(item, indent: indent + 2, into: &out)
        out.append(index + 1 < items.count ? ",\n" : "\n")
      }
      out.append(String(repeating: " ", count: indent) + "]")
    case .object(let members):
      if members.isEmpty { out.append("{}"); return }
      out.append("{\n")
      for (index, (key, item)) in members.enumerated() {
        out.append(String(repeating: " ", count: indent + 2))
        out.append(escape(key) + ": ")
        write(item, indent: indent + 2, into: &out)
        out.append(index + 1 < members.count ? ",\n" : "\n")
      }
      out.append(String(repeating: " ", count: indent) + "}")
    }
  }

  private static func isScalar(_ value: Value) -> Bool {
    switch value {
    case .array, .object: false
    default: true
    }
  }

  /// Shortest round-trip text; integral values without a fraction; non-finite as null.
  static func format(_ number: Double) -> String {
    guard number.isFinite else { return "null" }
    if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
    return "\(number)"
  }

  static func escape(_ string: String) -> String {
    var out = "\""
    for scalar in string.unicodeScalars {
      switch scalar {
      case "\"": out.append("\\\"")
      case "\\": out.append("\\\\")
      case "\n": out.append("\\n")
      case "\r": out.append("\\r")
      case "\t": out.append("\\t")
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
      default: out.unicodeScalars.append(scalar)
      }
    }
    out.append("\"")
    return out
  }
}
