#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Parses decimal numbers straight from bytes, without building a `String` per cell.
///
/// Numbers of up to 19 significant digits with a decimal exponent in −22…22 take Clinger's fast
/// path: the integer mantissa and the power of ten are both exact doubles, so one multiplication
/// or division gives the correctly rounded result. Anything else (long mantissas, huge exponents
/// such as `1e400`, which becomes infinity) falls back to `strtod`, which is also correctly
/// rounded. `nan`, `inf` and `infinity` (any case, optionally signed) are accepted.
enum FastFloat {
  /// 10^exponent for 0…22, all exact doubles. A switch of literals rather than a static array:
  /// a global array costs a lazy-initialisation check and a bounds check per number parsed.
  @inline(__always)
  static func exactPower(_ exponent: Int) -> Double {
    switch exponent {
    case 0: 1
    case 1: 1e1
    case 2: 1e2
    case 3: 1e3
    case 4: 1e4
    case 5: 1e5
    case 6: 1e6
    case 7: 1e7
    case 8: 1e8
    case 9: 1e9
    case 10: 1e10
    case 11: 1e11
    case 12: 1e12
    case 13: 1e13
    case 14: 1e14
    case 15: 1e15
    case 16: 1e16
    case 17: 1e17
    case 18: 1e18
    case 19: 1e19
    case 20: 1e20
    case 21: 1e21
    default: 1e22
    }
  }

  /// Returns the number the bytes spell, or `nil` if they are not exactly one number.
  /// Leading and trailing spaces are ignored.
  @inline(__always)
  static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    // Most cells are one plain number: the pointer parser of the CSV loop takes those whole.
    if let base = bytes.baseAddress {
      var cursor = base
      if let value = DelimitedRowParser.number(&cursor, base + bytes.count), cursor == base + bytes.count {
        return value
      }
    }
    var start = 0
    var end = bytes.count
    while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
    while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
    guard start < end else { return nil }
    var i = start
    var negative = false
    if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
      negative = bytes[i] == UInt8(ascii: "-")
      i += 1
    }
    var mantissa: UInt64 = 0
    var significant = 0
    var digits = 0
    var exponent = 0
    var truncated = false
    while i < end, bytes[i] &- 0x30 < 10 {
      accumulate(bytes[i], &mantissa, &significant, &exponent, &truncated, fraction: false)
      digits += 1
      i += 1
    }
    if i < end, bytes[i] == UInt8(ascii: ".") {
      i += 1
      while i < end, bytes[i] &- 0x30 < 10 {
        accumulate(bytes[i], &mantissa, &significant, &exponent, &truncated, fraction: true)
        digits += 1
        i += 1
      }
    }
    guard digits > 0 else { return special(bytes, from: i, to: end, negative: negative) }
    if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
      i += 1
      var exponentNegative = false
      if i < end, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
        exponentNegative = bytes[i] == UInt8(ascii: "-")
        i += 1
      }
      var written = 0
      var exponentDigits = 0
      while i < end, bytes[i] &- 0x30 < 10 {
        if written < 100_000 { written = written * 10 + Int(bytes[i] &- 0x30) }
        exponentDigits += 1
        i += 1
      }
      guard exponentDigits > 0 else { return nil }
      exponent += exponentNegative ? -written : written
    }
    guard i == end else { return nil }
    if !truncated, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
      var value = Double(mantissa)
      value = exponent < 0 ? value / exactPower(-exponent) : value * exactPower(exponent)
      return negative ? -value : value
    }
    return slowPath(bytes, from: start, to: end)
  }

  @inline(__always)
  private static func accumulate(
    _ byte: UInt8, _ mantissa: inout UInt64, _ significant: inout Int, _ exponent: inout Int,
    _ truncated: inout Bool, fraction: Bool
  ) {
    let digit = UInt64(byte &- 0x30)
    if significant == 0 && digit == 0 {
      if fraction { exponent -= 1 }
      return
    }
    if significant < 19 {
      mantissa = mantissa &* 10 &+ digit
      significant += 1
      if fraction { exponent -= 1 }
    } else {
      if digit != 0 { truncated = true }
      if !fraction { exponent += 1 }
    }
  }

  private static func special(
    _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, negative: Bool
  ) -> Double? {
    var word: [UInt8] = []
    for i in start..<end {
      word.append(bytes[i] | 0x20)
      if word.count > 8 { return nil }
    }
    switch String(decoding: word, as: UTF8.self) {
    case "nan": return .nan
    case "inf", "infinity": return negative ? -.infinity : .infinity
    default: return nil
    }
  }

  private static func slowPath(
    _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int
  ) -> Double? {
    let length = end - start
    guard length < 4096 else { return nil }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
      for k in 0..<length { buffer[k] = CChar(bitPattern: bytes[start + k]) }
      buffer[length] = 0
      guard let base = buffer.baseAddress else { return nil }
      var stop: UnsafeMutablePointer<CChar>?
      let value = strtod(base, &stop)
      guard let stop, stop - base == length else { return nil }
      return value
    }
  }
}
