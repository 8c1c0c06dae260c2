import CZlib
import Foundation

/// Compressed logs read transparently: gzip through zlib (on every machine), zstd through the
/// system's libzstd when it is installed (loaded at run time, so building needs no zstd headers).
enum Decompression {
  enum Kind: String {
    case gzip, zstd
    /// Not a compression: text in UTF-16 (`UTF16Text`), transcoded whole like a layer.
    case utf16LE = "UTF-16"
    case utf16BE = "UTF-16 big-endian"

    /// Whether it is decompressed as it is read (UTF-16 is transcoded whole).
    var streams: Bool { self == .gzip || self == .zstd }
  }

  /// The compression (or UTF-16 encoding) the first bytes announce, if any.
  static func kind(of head: [UInt8]) -> Kind? {
    if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B { return .gzip }
    if head.count >= 4, head[0] == 0x28, head[1] == 0xB5, head[2] == 0x2F, head[3] == 0xFD { return .zstd }
    if let order = UTF16Text.byteOrder(of: head) { return order.bigEndian ? .utf16BE : .utf16LE }
    return nil
  }

  /// How many leading bytes `kind(of:)` looks at.
  static let headBytes = 2 * UTF16Text.unmarkedUnits

  /// The decompressed bytes, at most `limit` of them.
  static func decompress(_ bytes: [UInt8], kind: Kind, source: String, limit: Int) throws(IngestError) -> [UInt8] {
    switch kind {
    case .gzip: return try gunzip(bytes, source: source, limit: limit)
    case .zstd: return try unzstd(bytes, source: source, limit: limit)
    case .utf16LE, .utf16BE: return try UTF16Text.utf8(bytes, bigEndian: kind == .utf16BE, source: source, limit: limit)
    }
  }

  // MARK: - gzip

  private static func gunzip(_ input: [UInt8], source: String, limit: Int) throws(IngestError) -> [UInt8] {
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var offset = 0
    // Concatenated members (`cat a.gz b.gz`) are one stream to gunzip: inflate each in turn.
    while offset < input.count {
      var stream = z_stream()
      // 15 + 32: a zlib or gzip header, detected.
      guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw .cannotOpen(source: source, reason: "zlib could not start inflating")
      }
      defer { inflateEnd(&stream) }
      var status: Int32 = Z_OK
      let consumed: Int = input.withUnsafeBufferPointer { buffer in
        stream.next_in = UnsafeMutablePointer(mutating: buffer.baseAddress! + offset)
        stream.avail_in = uInt(buffer.count - offset)
        while status == Z_OK {
          let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
            stream.next_out = out.baseAddress
            stream.avail_out = uInt(out.count)
            status = inflate(&stream, Z_NO_FLUSH)
            return out.count - Int(stream.avail_out)
          }
          output.append(contentsOf: chunk[0..<produced])
          if output.count > limit { status = Z_MEM_ERROR }
          if status == Z_BUF_ERROR && stream.avail_in == 0 { break }
        }
        return buffer.count - offset - Int(stream.avail_in)
      }
      guard status == Z_STREAM_END else {
        if output.count > limit {
          throw .cannotOpen(source: source, reason: "decompresses to more than \(limit >> 20) MiB")
        }
        let reason = status == Z_BUF_ERROR ? "the gzip stream is truncated" : "not valid gzip data (zlib error \(status))"
        throw .cannotOpen(source: source, reason: "\(reason) at byte \(offset + consumed)")
      }
      offset += consumed
      // Trailing zero padding (tape-style) ends the stream.
      if input[offset...].allSatisfy({ $0 == 0 }) { break }
    }
    return output
  }

  // MARK: - zstd

  /// A whole zstd buffer decoded with the streaming decoder `DecompressingStream` uses.
  private static func unzstd(_ input: [UInt8], source: String, limit: Int) throws(IngestError) -> [UInt8] {
    let stream = try ZstdStream(source: source)
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var input = input
    var used = 0
    var ended = false
    while true {
      let filled = input.count
      let result = input.withUnsafeMutableBytes { raw in
        chunk.withUnsafeMutableBytes { out in
          stream.step(input: raw.baseAddress!, filled: filled, used: &used, output: out.baseAddress!, count: out.count)
        }
      }
      switch result {
      case .failure(let failure):
        throw .cannotOpen(source: source, reason: "zstd: \(failure.message)")
      case .success(let (produced, frameEnded)):
        output.append(contentsOf: chunk[0..<produced])
        if output.count > limit { throw .cannotOpen(source: source, reason: "decompresses to more than \(limit >> 20) MiB") }
        ended = frameEnded
        // Input used up: done when the frame ended, truncated when the decoder wants more and
        // has nothing left to give.
        if used == filled, frameEnded || produced == 0 {
          if !ended { throw .cannotOpen(source: source, reason: "zstd: the stream is truncated") }
          return output
        }
      }
    }
  }
}
