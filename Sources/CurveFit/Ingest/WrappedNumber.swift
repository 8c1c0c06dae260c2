import Foundation

/// A number printed inside its framework's wrapper: `tensor(2.3451, device='cuda:0',
/// grad_fn=<NllLossBackward0>)` (a loop that prints `loss` rather than `loss.item()`),
/// `np.float64(2.3451)` (NumPy 2's repr, in a printed dict), `Array(2.3451, dtype=float32)`
/// (JAX). Read as the number inside: before, the commas inside a tensor's repr made its lines a
/// "CSV" and every such log an error.
enum WrappedNumber {
  private static let number = #"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|inf)"#
  /// The wrapper, the number (or a list of one), then arguments without parentheses.
  private static let expression = try! NSRegularExpression(
    pattern: #"(?<![A-Za-z0-9_.])(?:torch\.tensor|tensor|np\.float(?:16|32|64)|numpy\.float(?:16|32|64)|np\.int(?:32|64)|Array|array|DeviceArray)\(\s*\[?\s*("#
      + number + #")\s*\]?\s*(?:,[^()\n]*)?\)"#)

  /// Whether `line` may hold a wrapped number: a `(` right after a wrapper's last letters, the
  /// cheap test before the expression (console lines hold other parentheses: llm.c's `(+nanz)`).
  static func mayHold(_ line: String) -> Bool {
    var tail: UInt32 = 0  // the last four bytes before the current one
    for byte in line.utf8 {
      if byte == UInt8(ascii: "("), endings.contains(tail) { return true }
      tail = tail << 8 | UInt32(byte)
    }
    return false
  }

  /// The last four letters of each wrapper: `nsor`, `at16`/`at32`/`at64`, `rray`, `nt32`/`nt64`.
  private static let endings: Set<UInt32> = Set(["nsor", "at16", "at32", "at64", "rray", "nt32", "nt64"].map { word in
    word.utf8.reduce(0) { $0 << 8 | UInt32($1) }
  })

  /// `line` with each wrapped number replaced by the number.
  static func unwrap(_ line: String) -> String {
    guard mayHold(line) else { return line }
    let range = NSRange(line.startIndex..., in: line)
    return expression.stringByReplacingMatches(in: line, range: range, withTemplate: "$1")
  }

  /// The number a cell holds wrapped (`tensor(2.3451)`, in quotes or not), or nil.
  static func value(_ cell: UnsafeBufferPointer<UInt8>) -> Double? {
    let text = String(decoding: cell, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\"' \t\r"))
    guard mayHold(text) else { return nil }
    let unwrapped = unwrap(text)
    guard unwrapped != text else { return nil }
    return Array(unwrapped.utf8).withUnsafeBufferPointer { FastFloat.parse($0) }
  }
}
