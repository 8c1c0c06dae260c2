/// Text written as UTF-16, transcoded to the UTF-8 every reader expects.
///
/// Windows PowerShell's `python train.py > log.txt` (and `Out-File`, and Notepad's "Unicode")
/// writes UTF-16 with a byte-order mark; read as bytes, every other one is zero and the log
/// was refused as "binary data". It is peeled like a compression layer (`Decompression`).
enum UTF16Text {
  /// Units of ASCII text a log without a byte-order mark must open with to be taken for UTF-16.
  static let unmarkedUnits = 16

  /// Whether `head` is UTF-16 text, and big-endian: by its byte-order mark, or by a run of
  /// ASCII characters each followed (little-endian) or preceded (big-endian) by a zero byte.
  static func byteOrder(of head: [UInt8]) -> (bigEndian: Bool, marked: Bool)? {
    guard head.count >= 2 else { return nil }
    if head[0] == 0xFF, head[1] == 0xFE, !(head.count >= 4 && head[2] == 0 && head[3] == 0) { return (false, true) }
    if head[0] == 0xFE, head[1] == 0xFF { return (true, true) }
    guard head.count >= 2 * unmarkedUnits else { return nil }
    let units = (0..<unmarkedUnits).map { (head[2 * $0], head[2 * $0 + 1]) }
    let isText = { (byte: UInt8) in byte == 0x09 || byte == 0x0A || byte == 0x0D || (0x20...0x7E).contains(byte) }
    if units.allSatisfy({ isText($0.0) && $0.1 == 0 }) { return (false, false) }
    if units.allSatisfy({ $0.0 == 0 && isText($0.1) }) { return (true, false) }
    return nil
  }

  /// `bytes` as UTF-8, without the byte-order mark; an unpaired surrogate becomes U+FFFD and a
  /// trailing odd byte is dropped.
  static func utf8(_ bytes: [UInt8], bigEndian: Bool, source: String, limit: Int) throws(IngestError) -> [UInt8] {
    // Units read in place, not copied out first: a large file costs its bytes and its UTF-8.
    let units = (0..<bytes.count / 2).lazy.map { index -> UInt16 in
      let (first, second) = (UInt16(bytes[2 * index]), UInt16(bytes[2 * index + 1]))
      return bigEndian ? first << 8 | second : second << 8 | first
    }
    let marked = units.first == 0xFEFF
    var output: [UInt8] = []
    output.reserveCapacity(units.count)
    _ = transcode(
      units.dropFirst(marked ? 1 : 0).makeIterator(), from: UTF16.self, to: UTF8.self, stoppingOnError: false
    ) { output.append($0) }
    guard output.count <= limit else {
      throw .cannotOpen(source: source, reason: "transcodes to more than \(limit >> 20) MiB")
    }
    return output
  }
}
