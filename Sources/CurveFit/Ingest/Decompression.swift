import CZlib
import Foundation

/// Compressed logs read transparently: gzip through zlib (on every machine), zstd through the
/// system's libzstd when it is installed (loaded at run time, so building needs no zstd headers).
enum Decompression {
  enum Kind: String {
    case gzip, zstd
  }

  /// The compression the first bytes announce, if any.
  static func kind(of head: [UInt8]) -> Kind? {
    if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B { return .gzip }
    if head.count >= 4, head[0] == 0x28, head[1] == 0xB5, head[2] == 0x2F, head[3] == 0xFD { return .zstd }
    return nil
  }

  /// The decompressed bytes, at most `limit` of them.
  static func decompress(_ bytes: [UInt8], kind: Kind, source: String, limit: Int) throws(IngestError) -> [UInt8] {
    switch kind {
    case .gzip: return try gunzip(bytes, source: source, limit: limit)
    case .zstd: return try unzstd(bytes, source: source, limit: limit)
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

  private typealias CreateStream = @convention(c) () -> OpaquePointer?
  private typealias FreeStream = @convention(c) (OpaquePointer?) -> Int
  private typealias DecompressStream = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Int
  private typealias IsError = @convention(c) (Int) -> UInt32
  private typealias ErrorName = @convention(c) (Int) -> UnsafePointer<CChar>?

  /// `ZSTD_inBuffer` and `ZSTD_outBuffer`: a pointer, a size and a position.
  private struct Buffer {
    var pointer: UnsafeMutableRawPointer?
    var size: Int
    var position: Int
  }

  private static func unzstd(_ input: [UInt8], source: String, limit: Int) throws(IngestError) -> [UInt8] {
    guard let library = dlopen("libzstd.so.1", RTLD_NOW) ?? dlopen("libzstd.so", RTLD_NOW) ?? dlopen("libzstd.1.dylib", RTLD_NOW),
      let create = dlsym(library, "ZSTD_createDStream"), let free = dlsym(library, "ZSTD_freeDStream"),
      let step = dlsym(library, "ZSTD_decompressStream"), let isError = dlsym(library, "ZSTD_isError"),
      let errorName = dlsym(library, "ZSTD_getErrorName")
    else {
      throw .cannotOpen(source: source, reason: "a zstd file, and no libzstd is installed: decompress it with `zstd -d` or install libzstd1")
    }
    let createStream = unsafeBitCast(create, to: CreateStream.self)
    let freeStream = unsafeBitCast(free, to: FreeStream.self)
    let decompress = unsafeBitCast(step, to: DecompressStream.self)
    let failed = unsafeBitCast(isError, to: IsError.self)
    let name = unsafeBitCast(errorName, to: ErrorName.self)
    guard let stream = createStream() else { throw .cannotOpen(source: source, reason: "libzstd could not start") }
    defer { _ = freeStream(stream) }
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    var message: String?
    var last = 0
    input.withUnsafeBytes { raw in
      var inBuffer = Buffer(pointer: UnsafeMutableRawPointer(mutating: raw.baseAddress), size: raw.count, position: 0)
      while true {
        let produced: Int = chunk.withUnsafeMutableBytes { out in
          var outBuffer = Buffer(pointer: out.baseAddress, size: out.count, position: 0)
          last = withUnsafeMutablePointer(to: &outBuffer) { o in
            withUnsafeMutablePointer(to: &inBuffer) { i in decompress(stream, UnsafeMutableRawPointer(o), UnsafeMutableRawPointer(i)) }
          }
          return outBuffer.position
        }
        if failed(last) != 0 {
          message = name(last).map { String(cString: $0) } ?? "error \(last)"
          return
        }
        output.append(contentsOf: chunk[0..<produced])
        if output.count > limit {
          message = "decompresses to more than \(limit >> 20) MiB"
          return
        }
        // Input used up: done when the frame ended, truncated when the decoder wants more and
        // has nothing left to give.
        if inBuffer.position == inBuffer.size, last == 0 || produced == 0 { return }
      }
    }
    if let message { throw .cannotOpen(source: source, reason: "zstd: \(message)") }
    if last != 0 { throw .cannotOpen(source: source, reason: "zstd: the stream is truncated") }
    return output
  }
}
