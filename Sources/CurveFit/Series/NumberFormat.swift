import Foundation

/// How numbers look in text and Markdown: fixed significant figures, thousands separators for
/// steps, scientific notation for the very large and very small. JSON never uses this.
enum NumberFormat {
  /// `value` with `digits` significant figures: `3.05`, `0.0123`, `1.23e9`.
  static func significant(_ value: Double, _ digits: Int = 3) -> String {
    guard value.isFinite else { return "n/a" }
    if value == 0 { return "0" }
    let magnitude = Foundation.log10(abs(value))
    if magnitude >= 6 || magnitude < -4 {
      return compactExponent(String(format: "%.\(max(0, digits - 1))e", value))
    }
    let decimals = max(0, digits - 1 - Int(magnitude.rounded(.down)))
    return String(format: "%.\(decimals)f", value)
  }

  /// A step or token count: `19,552`, or `1.2e9` beyond ten million.
  static func count(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    if abs(value) >= 1e7 { return significant(value, 3) }
    let rounded = Int(value.rounded())
    let digits = String(abs(rounded))
    var grouped = ""
    for (index, character) in digits.enumerated() {
      if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
      grouped.append(character)
    }
    return (rounded < 0 ? "-" : "") + grouped
  }

  /// A value with its standard error, both to the precision the error allows: `2.71 ± 0.04`.
  static func withError(_ value: Double, _ error: Double?) -> String {
    guard let error, error.isFinite, error > 0 else { return significant(value, 4) }
    let magnitude = Foundation.log10(abs(value) + error)
    if magnitude >= 5 || magnitude < -3 {
      return "\(significant(value, 3)) ± \(significant(error, 2))"
    }
    let decimals = min(8, max(0, 1 - Int(Foundation.log10(error).rounded(.down))))
    return String(format: "%.\(decimals)f ± %.\(decimals)f", value, error)
  }

  /// Always in scientific notation, two significant figures: `6.0e-4`, `0` for zero.
  static func scientific(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    if value == 0 { return "0" }
    return compactExponent(String(format: "%.1e", value))
  }

  /// A short number with no trailing zeros: `2`, `0.5`, `12.5`.
  static func compact(_ value: Double) -> String {
    guard value.isFinite else { return "n/a" }
    return String(format: "%g", value)
  }

  /// A signed change: `−0.071`.
  static func signed(_ value: Double, decimals: Int) -> String {
    let text = String(format: "%.\(decimals)f", abs(value))
    return (value < 0 ? "−" : "+") + text
  }

  /// Enough decimals to show the interval's width to one significant figure, at least
  /// `digits` significant figures of the value, at most 6.
  static func decimalsFor(width: Double, value: Double, digits: Int) -> Int {
    let fromWidth = width > 0 ? -Int(Foundation.log10(width).rounded(.down)) : 6
    let fromValue = value != 0 ? digits - 1 - Int(Foundation.log10(abs(value)).rounded(.down)) : 0
    return min(6, max(0, max(fromWidth, fromValue)))
  }

  private static func compactExponent(_ text: String) -> String {
    // "1.23e+09" → "1.23e9", "4.5e-05" → "4.5e-5"
    guard let e = text.firstIndex(of: "e") else { return text }
    let mantissa = text[..<e]
    var exponent = String(text[text.index(after: e)...])
    let negative = exponent.hasPrefix("-")
    exponent = String(exponent.drop { $0 == "+" || $0 == "-" || $0 == "0" })
    return "\(mantissa)e\(negative ? "-" : "")\(exponent.isEmpty ? "0" : exponent)"
  }
}
