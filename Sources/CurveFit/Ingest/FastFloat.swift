#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Parses decimal numbers straight from bytes, without building a `String` per cell.
///
/// Numbers of up to 19 digits with a decimal exponent in −22…22 take Clinger's fast path
/// (`prefix`, which the CSV row loop also calls on its own): the integer mantissa and the power
/// of ten are both exact doubles, so one multiplication or division gives the correctly rounded
/// result. Anything else (long mantissas, huge exponents
/// such as `1e400`, which becomes infinity) falls back to `strtod`, which is also correctly
/// rounded. `nan`, `inf` and `infinity` (any case, optionally signed) are accepted.
enum FastFloat {
  /// 10^exponent for 0…22, all exact doubles. A switch of literals rather than a static array:
  /// a global array costs a lazy-initialisation check and a bounds check per number parsed.
  @inline(__always)
  private static func exactPower(_ exponent: Int) -> Double {
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
    guard let base = bytes.baseAddress else { return nil }
    var start = 0
    var end = bytes.count
    while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
    while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
    guard start < end else { return nil }
    var cursor = base + start
    if let value = prefix(&cursor, base + end), cursor == base + end { return value }
    return unusual(bytes, from: start, to: end)
  }

  /// A decimal number at `cursor` (sign, digits, fraction, exponent) that Clinger's fast path
  /// rounds exactly: at most 19 digits, a mantissa ≤ 2^53 and a decimal exponent in −22…22.
  /// Moves `cursor` past it; `nil` (cursor unspecified) for anything else, including no digits.
  @inline(__always)
  static func prefix(_ cursor: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Double? {
    var p = cursor
    var negative = false
    if p < end, p.pointee == UInt8(ascii: "-") || p.pointee == UInt8(ascii: "+") {
      negative = p.pointee == UInt8(ascii: "-")
      p += 1
    }
    var mantissa: UInt64 = 0
    let integerStart = p
    while p < end, p.pointee &- 0x30 < 10 {
      mantissa = mantissa &* 10 &+ UInt64(p.pointee &- 0x30)
      p += 1
    }
    var digits = p - integerStart
    var exponent = 0
    if p < end, p.pointee == UInt8(ascii: ".") {
      p += 1
      let fractionStart = p
      while p < end, p.pointee &- 0x30 < 10 {
        mantissa = mantissa &* 10 &+ UInt64(p.pointee &- 0x30)
        p += 1
      }
      digits += p - fractionStart
      exponent = fractionStart - p
    }
    // More than 19 digits may have wrapped the mantissa: `parse` hands those to strtod.
    guard digits > 0, digits <= 19 else { return nil }
    if p < end, p.pointee | 0x20 == UInt8(ascii: "e") {
      p += 1
      var exponentNegative = false
      if p < end, p.pointee == UInt8(ascii: "-") || p.pointee == UInt8(ascii: "+") {
        exponentNegative = p.pointee == UInt8(ascii: "-")
        p += 1
      }
      let exponentStart = p
      var written = 0
      while p < end, p.pointee &- 0x30 < 10 {
        if written < 100_000 { written = written * 10 + Int(p.pointee &- 0x30) }
        p += 1
      }
      guard p > exponentStart else { return nil }
      exponent += exponentNegative ? -written : written
    }
    guard mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else { return nil }
    var value = Double(mantissa)
    value = exponent < 0 ? value / exactPower(-exponent) : value * exactPower(exponent)
    cursor = p
    return negative ? -value : value
  }

  /// What `prefix` does not take: `nan` and `inf`, and well-formed numbers with more than 19
  /// digits or an exponent past ±22, which `strtod` rounds.
  private static func unusual(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Double? {
    var i = start
    var negative = false
    if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
      negative = bytes[i] == UInt8(ascii: "-")
      i += 1
    }
    var digits = 0
    while i < end, bytes[i] &- 0x30 < 10 {
      digits += 1
      i += 1
    }
    if i < end, bytes[i] == UInt8(ascii: ".") {
      i += 1
      while i < end, bytes[i] &- 0x30 < 10 {
        digits += 1
        i += 1
      }
    }
    guard digits > 0 else { return special(bytes, from: i, to: end, negative: negative) }
    if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
      i += 1
      if i < end, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
      let exponentStart = i
      while i < end, bytes[i] &- 0x30 < 10 { i += 1 }
      guard i > exponentStart else { return nil }
    }
    guard i == end else { return nil }
    return slowPath(bytes, from: start, to: end)
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
    // Any length: a well-formed number padded with thousands of zeros is still one number
    // (large buffers come from the heap).
    let length = end - start
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
